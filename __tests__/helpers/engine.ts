import { onAbort } from '../../src/transport/abort.js'
import { TransportError, type HttpRequest } from '../../src/transport/http.js'
import type { Clock } from '../../src/engine/pacing.js'
import { bindProvider, type Provider } from '../../src/providers/index.js'
import type { HttpAnswer } from '../../src/providers/types.js'
import type { IdResult } from '../../src/engine/outcome.js'
import { purge, type PurgeOptions, type PurgeResult } from '../../src/engine/purge.js'
import { answer } from './answers.js'

/** A clock whose time moves only when the earliest pending timer fires; every timer fires on the next turn. */
export function virtualClock(): Clock & { delays: number[] } {
  let now = 1_000_000
  let sequence = 0
  let scheduled = false
  const timers = new Map<number, { at: number; callback: () => void }>()
  const delays: number[] = []
  const fire = (): void => {
    scheduled = false
    let next: [number, { at: number; callback: () => void }] | undefined
    for (const entry of timers) if (next === undefined || entry[1].at < next[1].at) next = entry
    if (next === undefined) return
    timers.delete(next[0])
    now = Math.max(now, next[1].at)
    next[1].callback()
    arm()
  }
  const arm = (): void => {
    if (!scheduled && timers.size > 0) {
      scheduled = true
      setImmediate(fire)
    }
  }
  return {
    delays,
    now: () => now,
    setTimeout(callback, ms) {
      delays.push(ms)
      const handle = ++sequence
      timers.set(handle, { at: now + ms, callback })
      arm()
      return handle
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    }
  }
}

/** An answer, a transport failure, or 'hang': no answer until the request is cut off. */
export type Scripted = HttpAnswer | 'timeout' | 'reset' | 'hang' | TransportError
/** What the fake provider answers for an ID's n-th attempt (1-based). */
export type Script = (id: string, attempt: number) => Scripted

export interface SentRequest {
  id: string
  attempt: number
  at: number
  url: string
  headers: Record<string, string>
  /** Requests in flight when this one was sent, itself included. */
  inFlight: number
}

/**
 * Runs the engine with a real provider module against a scripted fake transport on a virtual clock, answering
 * each request after latencyMs of virtual time. Records every request and the most ever in flight.
 */
export async function runEngine(options: {
  provider: Provider
  ids: string[]
  script: Script
  apiKey?: string
  concurrency?: number
  maxRetries?: number
  timeoutMs?: number
  latencyMs?: number | ((id: string, attempt: number) => number)
  random?: () => number
  extra?: Partial<PurgeOptions>
  /** Answers for the provider's bulk endpoint (the chunk's IDs, its attempt); when given, IDs go in chunks. */
  bulkScript?: (ids: string[], attempt: number) => Scripted
  /** Cancels the run this long (virtual ms) after it starts, the signal's reason being `reason` (default SIGINT). */
  cancel?: { atMs: number; reason?: string }
}): Promise<{ result: Collected; sent: SentRequest[]; maxInFlight: number; clock: ReturnType<typeof virtualClock> }> {
  const clock = virtualClock()
  const attempts = new Map<string, number>()
  const sent: SentRequest[] = []
  let inFlight = 0
  let maxInFlight = 0
  const apiKey = options.apiKey ?? 'sk-test-KEY'
  const context = { baseUrl: new URL('https://provider.test'), apiKey, customerId: '' }
  const send = (request: HttpRequest): Promise<HttpAnswer> => {
    const chunk = request.body === undefined ? undefined : (JSON.parse(request.body) as { fileIds: string[] }).fileIds
    const id = chunk
      ? `bulk:${chunk.join(',')}`
      : decodeURIComponent(request.url.pathname.replace(/\/$/, '').split('/').at(-1) as string)
    const attempt = (attempts.get(id) ?? 0) + 1
    attempts.set(id, attempt)
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    sent.push({ id, attempt, at: clock.now(), url: request.url.href, headers: request.headers, inFlight })
    const scripted = chunk && options.bulkScript ? options.bulkScript(chunk, attempt) : options.script(id, attempt)
    return new Promise((resolve, reject) => {
      const { latencyMs = 10 } = options
      const latency =
        scripted === 'timeout' ? request.timeoutMs : typeof latencyMs === 'number' ? latencyMs : latencyMs(id, attempt)
      // As the real transport does: a request cut off fails as cancelled, whatever it was going to answer.
      const cutOff = (): void => {
        clock.clearTimeout(timer)
        inFlight--
        reject(new TransportError('cancelled', 'cancelled while waiting for the answer'))
      }
      const unsubscribe = request.signal ? onAbort(request.signal, cutOff) : undefined
      const timer =
        scripted === 'hang'
          ? undefined
          : clock.setTimeout(() => {
              unsubscribe?.()
              inFlight--
              if (scripted === 'timeout')
                reject(new TransportError('timeout', `no answer within ${request.timeoutMs} ms`))
              else if (scripted === 'reset') reject(new TransportError('connection', 'connection error: ECONNRESET'))
              else if (scripted instanceof TransportError) reject(scripted)
              else resolve(scripted)
            }, latency)
    })
  }
  const controller = new AbortController()
  const { cancel } = options
  if (cancel) clock.setTimeout(() => controller.abort(cancel.reason ?? 'SIGINT'), cancel.atMs)
  const result = await purgeAll({
    ids: options.ids,
    ...(cancel ? { signal: controller.signal } : {}),
    ...bindProvider(options.provider, context, options.bulkScript !== undefined),
    transport: { send },
    concurrency: options.concurrency ?? 4,
    maxRetries: options.maxRetries ?? 3,
    timeoutMs: options.timeoutMs ?? 5000,
    secrets: [apiKey],
    clock,
    random: options.random ?? (() => 0.5),
    ...options.extra
  })
  return { result, sent, maxInFlight, clock }
}

export const ok = (): HttpAnswer => answer(204)

/** The engine's run, with every ID's result in input order. */
export type Collected = PurgeResult & { results: IdResult[] }

/**
 * Runs the engine and collects what it reports of each ID (it keeps none itself), checking that every ID settles
 * exactly once, with its own ID. `onResult` is still called for each.
 */
export async function purgeAll(
  options: Omit<PurgeOptions, 'onResult'> & { onResult?: PurgeOptions['onResult'] }
): Promise<Collected> {
  const results = new Array<IdResult | undefined>(options.ids.length)
  const result = await purge({
    ...options,
    onResult: (settled, index) => {
      if (results[index] !== undefined) throw new Error(`${settled.id} settled twice`)
      if (settled.id !== options.ids[index]) throw new Error(`result ${settled.id} reported at index ${index}`)
      results[index] = settled
      options.onResult?.(settled, index)
    }
  })
  const open = options.ids.filter((_, index) => results[index] === undefined)
  if (open.length > 0) throw new Error(`never settled: ${open.join(', ')}`)
  return { ...result, results: results as IdResult[] }
}
