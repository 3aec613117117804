import { TransportError, type HttpRequest } from '../../src/http.js'
import type { Clock } from '../../src/engine/pacing.js'
import type { ProviderName } from '../../src/providers/index.js'
import type { HttpAnswer } from '../../src/providers/types.js'
import { answer } from './answers.js'

/**
 * A stateful fake of one provider, on a virtual clock, for property tests of the engine: it keeps a store of files,
 * answers each request the way the provider would (bodies shaped as its docs show them), and applies a scripted
 * fault per request. Ground truth (what exists, what was deleted by whom) can be compared with what the engine reports.
 */

/** What happens to one request. 'lost' deletes (if it can) and then never answers, like an answer lost on the way back. */
export type FaultKind =
  'ok' | '500' | '502' | '503' | 'html502' | '429' | '429hint' | 'reset' | 'timeout' | 'lost' | '401'

export const FAULT_KINDS: readonly FaultKind[] = [
  'ok',
  '500',
  '502',
  '503',
  'html502',
  '429',
  '429hint',
  'reset',
  'timeout',
  'lost',
  '401'
]

/** What the engine could observe of one request for one ID. */
export type Observed = 'deleted' | 'notfound' | 'unanswered' | 'rate' | 'unauthorized'

export interface FakeCall {
  seq: number
  ids: string[]
  bulk: boolean
  fault: FaultKind
  at: number
  url: URL
  headers: Record<string, string>
}

export interface FakeProviderOptions {
  provider: ProviderName
  /** Files that exist at start. */
  files: Iterable<string>
  key: string
  clock: Clock
  /** Fault for a request naming `ids`; `attempt` is the 1-based count of requests that named ids[0]. */
  fault: (ids: readonly string[], attempt: number) => FaultKind
  /** Virtual latency of an answer (ms); default 10. */
  latency?: (seq: number) => number
  /** Hint of a '429hint' answer, in ms (≤ 2000 in the properties). */
  hintMs?: number
  /** Text echoed into error bodies, e.g. the key and its Basic form, to prove reasons are scrubbed. */
  echo?: string
}

export interface FakeProvider {
  readonly send: (request: HttpRequest) => Promise<HttpAnswer>
  readonly store: Set<string>
  readonly initial: ReadonlySet<string>
  /** IDs the fake deleted, in order (first deletion only). */
  readonly deleted: string[]
  readonly calls: FakeCall[]
  /** Per ID, what each request naming it could tell the engine, in order of the answers. */
  readonly observed: Map<string, Observed[]>
}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>\r\n'

/** Provider-shaped bodies. */
function bodies(provider: ProviderName, echo: string) {
  switch (provider) {
    case 'writer':
      return {
        deleted: (id: string) => answer(200, { id, deleted: true }),
        notFound: () => answer(404, { tpe: 'not_found', errors: [{ description: 'File not found' }] }),
        error: (status: number) =>
          answer(status, { tpe: 'server_error', errors: [{ description: `upstream failure ${echo}` }] }),
        rate: (hint?: number) =>
          answer(
            429,
            { tpe: 'rate_limit', errors: [{ description: 'Too many requests' }] },
            hint === undefined ? {} : { 'retry-after-ms': String(hint) }
          ),
        unauthorized: () => answer(401, { tpe: 'unauthorized', errors: [{ description: `Invalid API key ${echo}` }] })
      }
    case 'imagekit':
      return {
        deleted: () => answer(204),
        notFound: () =>
          answer(404, {
            message: 'The requested file does not exist.',
            help: 'For support kindly contact us at support@imagekit.io .'
          }),
        error: (status: number) => answer(status, { message: `Internal error ${echo}`, help: '' }),
        rate: (hint?: number) =>
          answer(
            429,
            { message: 'Too many requests', help: '' },
            hint === undefined
              ? {}
              : { 'X-RateLimit-Limit': '10', 'X-RateLimit-Interval': '1000', 'X-RateLimit-Reset': String(hint) }
          ),
        unauthorized: () => answer(401, { message: `Your account cannot be authenticated. ${echo}`, help: '' })
      }
    case 'delos':
      return {
        deleted: () => answer(200, { success: true, message: 'File deleted successfully' }),
        notFound: (id: string) => answer(404, { success: false, message: `File not found: ${id}` }),
        error: (status: number) => answer(status, { success: false, message: `Internal Server Error ${echo}` }),
        rate: (hint?: number) =>
          answer(
            429,
            { success: false, message: 'Too many requests' },
            hint === undefined ? {} : { 'Retry-After': String(hint / 1000) }
          ),
        unauthorized: () => answer(401, { success: false, message: 'Unauthorized' })
      }
    case 'anyformat':
      return {
        deleted: () => answer(204),
        notFound: () =>
          answer(404, {
            error: 'Not Found',
            detail: 'File not found.',
            error_code: 'NOT_FOUND',
            retryable: false,
            request_id: 'r'
          }),
        error: (status: number) =>
          answer(status, {
            error: 'Server Error',
            detail: `boom ${echo}`,
            error_code: 'INTERNAL_ERROR',
            retryable: true,
            request_id: 'r'
          }),
        rate: (hint?: number) =>
          answer(
            429,
            {
              error: 'Too Many Requests',
              detail: 'Rate limit exceeded.',
              error_code: 'RATE_LIMITED',
              retryable: true,
              request_id: 'r'
            },
            hint === undefined ? {} : { 'Retry-After': String(hint / 1000) }
          ),
        unauthorized: () =>
          answer(401, {
            error: 'Unauthorized',
            detail: `Invalid API key ${echo}`,
            error_code: 'UNAUTHORIZED',
            retryable: false,
            request_id: 'r'
          })
      }
  }
}

/** The file ID of a per-file delete: the last path segment (AnyFormat: before the trailing slash), decoded. */
export function idOfUrl(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/\/$/, '').split('/').at(-1) as string)
}

export function fakeProvider(options: FakeProviderOptions): FakeProvider {
  const { provider, clock } = options
  const store = new Set(options.files)
  const initial: ReadonlySet<string> = new Set(store)
  const known = new Set(store)
  const deleted: string[] = []
  const calls: FakeCall[] = []
  const observed = new Map<string, Observed[]>()
  const attempts = new Map<string, number>()
  const shapes = bodies(provider, options.echo ?? '')
  const hintMs = options.hintMs ?? 500

  const observe = (ids: readonly string[], what: Observed | ((id: string) => Observed)): void => {
    for (const id of ids) {
      const list = observed.get(id) ?? []
      list.push(typeof what === 'function' ? what(id) : what)
      observed.set(id, list)
    }
  }

  /** The provider's own effect and answer for a request that reaches it. */
  const serve = (ids: string[], bulk: boolean): { answer: HttpAnswer; seen: (id: string) => Observed } => {
    if (bulk) {
      const missingFileIds = [...new Set(ids)].filter(id => !store.has(id))
      if (missingFileIds.length > 0) {
        return {
          answer: answer(404, { message: 'The requested file(s) does not exist.', help: '', missingFileIds }),
          seen: () => 'notfound'
        }
      }
      for (const id of new Set(ids)) {
        store.delete(id)
        deleted.push(id)
      }
      return { answer: answer(200, { successfullyDeletedFileIds: [...new Set(ids)] }), seen: () => 'deleted' }
    }
    const id = ids[0] as string
    if (store.delete(id)) {
      deleted.push(id)
      return { answer: shapes.deleted(id), seen: () => 'deleted' }
    }
    // Delos deletes are soft and idempotent: a file deleted before answers success again.
    if (provider === 'delos' && known.has(id)) return { answer: shapes.deleted(id), seen: () => 'deleted' }
    return { answer: shapes.notFound(id), seen: () => 'notfound' }
  }

  const send = (request: HttpRequest): Promise<HttpAnswer> => {
    const bulk = request.method === 'POST'
    const ids = bulk
      ? ((JSON.parse(request.body ?? '{}') as { fileIds: string[] }).fileIds ?? [])
      : [idOfUrl(request.url)]
    const first = ids[0] as string
    const attempt = (attempts.get(first) ?? 0) + 1
    for (const id of new Set(ids)) attempts.set(id, (attempts.get(id) ?? 0) + 1)
    const fault = options.fault(ids, attempt)
    const seq = calls.length
    calls.push({ seq, ids, bulk, fault, at: clock.now(), url: request.url, headers: request.headers })
    const latency = options.latency?.(seq) ?? 10

    return new Promise<HttpAnswer>((resolve, reject) => {
      const later = (ms: number, settle: () => void): void => {
        clock.setTimeout(settle, ms)
      }
      switch (fault) {
        case 'ok': {
          const { answer: a, seen } = serve(ids, bulk)
          later(latency, () => {
            observe(ids, seen)
            resolve(a)
          })
          return
        }
        case 'lost': {
          serve(ids, bulk)
          later(request.timeoutMs, () => {
            observe(ids, 'unanswered')
            reject(new TransportError('timeout', `no answer within ${request.timeoutMs} ms`))
          })
          return
        }
        case 'timeout':
          later(request.timeoutMs, () => {
            observe(ids, 'unanswered')
            reject(new TransportError('timeout', `no answer within ${request.timeoutMs} ms`))
          })
          return
        case 'reset':
          later(latency, () => {
            observe(ids, 'unanswered')
            reject(new TransportError('connection', 'connection error: ECONNRESET'))
          })
          return
        case '500':
        case '502':
        case '503':
          later(latency, () => {
            observe(ids, 'unanswered')
            resolve(shapes.error(Number(fault)))
          })
          return
        case 'html502':
          later(latency, () => {
            observe(ids, 'unanswered')
            resolve(answer(502, HTML_502, { 'content-type': 'text/html' }))
          })
          return
        case '429':
        case '429hint':
          later(latency, () => {
            observe(ids, 'rate')
            resolve(shapes.rate(fault === '429hint' ? hintMs : undefined))
          })
          return
        case '401':
          later(latency, () => {
            observe(ids, 'unauthorized')
            resolve(shapes.unauthorized())
          })
      }
    })
  }

  return { send, store, initial, deleted, calls, observed }
}

/**
 * What the engine must report for an ID sent one by one, from what it could observe: the last answer decides; a
 * not-found after one of our own unanswered attempts counts as deleted; no definite answer is a failure.
 */
export function expectedOutcome(seen: readonly Observed[] | undefined): 'deleted' | 'missing' | 'failed' {
  const last = seen?.at(-1)
  if (seen === undefined || last === undefined) return 'failed'
  if (last === 'deleted') return 'deleted'
  if (last === 'notfound') return seen.slice(0, -1).includes('unanswered') ? 'deleted' : 'missing'
  return 'failed'
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
