import { STATUS_CODES } from 'node:http'
import type { Answer } from '../../emulator/answers.js'
import type { EmulatorOptions, Fault, FileRecord, ListedRecord } from '../../emulator/types.js'
import { createWorld, idsOf, type World } from '../../emulator/world.js'
import type { Clock } from '../../src/engine/pacing.js'
import { TransportError, type HttpRequest } from '../../src/transport/http.js'
import type { ProviderName } from '../../src/providers/index.js'
import type { HttpAnswer } from '../../src/providers/types.js'

/**
 * The emulator's provider, called in process on a virtual clock, for property tests of the engine: the provider's
 * behaviour (store, bodies, bulk, soft delete, rate window) is the emulator's own; this adds only the fault script
 * and virtual time. Ground truth (what exists, what was deleted) can be compared with what the engine reports.
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
  /** Files that exist at start: IDs, or records with what the listing shows of them. */
  files: Iterable<string | FileRecord>
  key: string
  clock: Clock
  /** Fault for a request naming `ids`; `attempt` is the 1-based count of requests that named ids[0]. */
  fault?: (ids: readonly string[], attempt: number) => FaultKind
  /** Virtual latency of an answer (ms); default 10. */
  latency?: (seq: number) => number
  /** Hint of a '429hint' answer, in ms (≤ 2000 in the properties). */
  hintMs?: number
  /** Text put into error messages, e.g. the key and its Basic form, to prove reasons are scrubbed. */
  echo?: string
  /** More of the emulator's options: a path prefix, a rate window. */
  emulator?: Partial<EmulatorOptions>
}

export interface FakeProvider {
  readonly send: (request: HttpRequest) => Promise<HttpAnswer>
  readonly store: Set<string>
  readonly initial: ReadonlySet<string>
  /** IDs the provider deleted, in order (first deletion only). */
  readonly deleted: string[]
  readonly calls: FakeCall[]
  /** Per ID, what each request naming it could tell the engine, in order of the answers. */
  readonly observed: Map<string, Observed[]>
  /** Requests the provider's rate window refused. */
  readonly rateLimited: number
  /** What the provider holds now: its files, and ImageKit's folders and versions. */
  records(): ListedRecord[]
}

/** The emulator's fault for a scripted kind; 'ok' is none. */
function faultOf(kind: FaultKind, hintMs: number, echo: string): Fault | undefined {
  const message = (status: number): string => `${STATUS_CODES[status] ?? 'Error'} ${echo}`.trim()
  switch (kind) {
    case 'ok':
      return undefined
    case '500':
    case '502':
    case '503':
      return { kind: 'status', status: Number(kind), message: message(Number(kind)) }
    case 'html502':
      return { kind: 'html', status: 502 }
    case '429':
      return { kind: 'rate-limit', resetMs: hintMs, hints: false }
    case '429hint':
      return { kind: 'rate-limit', resetMs: hintMs }
    case 'reset':
      return { kind: 'reset' }
    case 'timeout':
      return { kind: 'hang' }
    case 'lost':
      return { kind: 'lose-answer' }
    case '401':
      return { kind: 'status', status: 401, message: `Invalid API key ${echo}`.trim() }
  }
}

/** What the engine can tell from an answer the provider sent. */
function observation(answer: Answer): Observed {
  if (answer.status === 429) return 'rate'
  if (answer.status === 401) return 'unauthorized'
  if (answer.status >= 200 && answer.status < 300) return 'deleted'
  if (answer.status === 404) return 'notfound'
  return 'unanswered'
}

function toHttpAnswer(answer: Answer): HttpAnswer {
  const headers = new Map(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]))
  return { status: answer.status, headers: { get: name => headers.get(name.toLowerCase()) ?? null }, body: answer.body }
}

export function fakeProvider(options: FakeProviderOptions): FakeProvider {
  const { clock } = options
  const world: World = createWorld({
    provider: options.provider,
    apiKey: options.key,
    files: options.files,
    ...options.emulator
  })
  const started = clock.now()
  const initial: ReadonlySet<string> = new Set(world.files.store)
  const calls: FakeCall[] = []
  const observed = new Map<string, Observed[]>()
  const attempts = new Map<string, number>()
  let rateLimited = 0

  const observe = (ids: readonly string[], what: Observed): void => {
    for (const id of ids) observed.set(id, [...(observed.get(id) ?? []), what])
  }

  /** The fault script's choice for a routed request, counting the attempts of every ID it names. */
  const script = (ids: string[]): FaultKind => {
    const attempt = (attempts.get(ids[0] as string) ?? 0) + 1
    for (const id of new Set(ids)) attempts.set(id, (attempts.get(id) ?? 0) + 1)
    return options.fault?.(ids, attempt) ?? 'ok'
  }

  const send = (request: HttpRequest): Promise<HttpAnswer> => {
    const seq = calls.length
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])
    )
    const target = `${request.url.pathname}${request.url.search}`
    let call: FakeCall | undefined
    const reception = world.receive(
      { method: request.method, target, headers, body: request.body ?? '' },
      clock.now() - started,
      route => {
        const ids = idsOf(route)
        const fault = script(ids)
        call = {
          seq,
          ids,
          bulk: route.kind === 'bulk',
          fault,
          at: clock.now(),
          url: request.url,
          headers: request.headers
        }
        return faultOf(fault, options.hintMs ?? 500, options.echo ?? '')
      }
    )
    const { ids } = call as FakeCall
    calls.push(call as FakeCall)
    const latency = options.latency?.(seq) ?? 10
    return new Promise<HttpAnswer>((resolve, reject) => {
      const unanswered = (after: number, error: TransportError): void => {
        clock.setTimeout(() => {
          observe(ids, 'unanswered')
          reject(error)
        }, after)
      }
      const timeout = new TransportError('timeout', `no answer within ${request.timeoutMs} ms`)
      switch (reception.effect?.kind) {
        case 'hang':
          return unanswered(request.timeoutMs, timeout)
        case 'lose-answer':
          reception.respond()
          return unanswered(request.timeoutMs, timeout)
        case 'reset':
          return unanswered(latency, new TransportError('connection', 'connection error: ECONNRESET'))
        default: {
          // The store changes when the request arrives, as in the emulator; the answer comes back after the latency.
          const answer = reception.respond()
          if (answer.status === 429) rateLimited++
          const extra = reception.effect?.kind === 'latency' ? reception.effect.ms : 0
          clock.setTimeout(() => {
            observe(ids, observation(answer))
            resolve(toHttpAnswer(answer))
          }, latency + extra)
        }
      }
    })
  }

  return {
    send,
    store: world.files.store,
    initial,
    deleted: world.files.deleted,
    calls,
    observed,
    get rateLimited() {
      return rateLimited
    },
    records: () => world.files.records()
  }
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
