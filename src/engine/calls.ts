/**
 * Requests that are not deletes (a file's details, a purge, a purge's status) through the same engine as the deletes:
 * the run's pacer and transport, its retries, rate-limit pauses, time limits, cancellation and scrubbed reasons. One
 * request per key; what a 2xx answer says is read by the caller's `read`, any other answer by the provider's rules.
 */
import type { Classification, ClassifiedAnswer, HttpAnswer, ProviderRequest, Reading } from '../providers/types.js'
import { purge, type PurgeOptions, type PurgeResult } from './purge.js'
import type { IdResult } from './outcome.js'

/** What became of one key's request. */
export type Called<T> =
  | { kind: 'read'; value: T; attempts: number; ms: number }
  /** The provider says there is no such thing (404 or 410). */
  | { kind: 'not-found'; reason: string; httpStatus: number | null; attempts: number; ms: number }
  | { kind: 'failed'; reason: string; httpStatus: number | null; attempts: number; ms: number }

export interface CallOptions<T> extends Omit<
  PurgeOptions,
  'ids' | 'request' | 'classify' | 'bulk' | 'onResult' | 'onSend'
> {
  /** What each request is for; no two alike. */
  keys: readonly string[]
  request: (key: string) => ProviderRequest
  /** What a 2xx answer says. */
  read: (answer: HttpAnswer, key: string) => Reading<T>
  /** The provider's rules for every other answer (its 429s, 5xx, rejected credentials). */
  classify: (answer: HttpAnswer, now: number, key: string) => ClassifiedAnswer
  /** Each key's outcome, once, as it settles (`index` into `keys`). */
  onCalled: (called: Called<T>, index: number) => void
}

/**
 * Sends one request per key through the engine. A 2xx that reads is the key's value; one that does not read fails
 * it, not retried. A not-found answer is reported as such, never as a success: these requests change nothing, so a
 * not-found after an attempt that got no answer means what it says.
 */
export function callEach<T>(options: CallOptions<T>): Promise<PurgeResult> {
  const { keys, request, read, classify, onCalled, ...engine } = options
  const values = new Map<number, T>()
  const notFound = new Set<number>()
  const indexOf = new Map(keys.map((key, index) => [key, index]))
  const classifyCall = (answer: HttpAnswer, now: number, key: string): ClassifiedAnswer => {
    const index = indexOf.get(key) as number
    if (answer.status >= 200 && answer.status < 300) {
      const reading = read(answer, key)
      if (typeof reading === 'object' && reading !== null && 'problem' in reading)
        return { classification: { kind: 'failed', reason: reading.problem } }
      values.set(index, reading)
      return { classification: { kind: 'deleted' } }
    }
    const classified = classify(answer, now, key)
    const { classification } = classified
    if (classification.kind !== 'missing') return classified
    notFound.add(index)
    const failed: Classification = { kind: 'failed', reason: classification.reason }
    return { ...classified, classification: failed }
  }
  return purge({
    ...engine,
    ids: keys,
    request,
    classify: classifyCall,
    onResult: (result: IdResult, index: number) => {
      const { attempts, ms, httpStatus } = result
      if (result.outcome === 'deleted' && values.has(index)) {
        onCalled({ kind: 'read', value: values.get(index) as T, attempts, ms }, index)
      } else {
        const kind = notFound.has(index) && result.outcome === 'failed' ? 'not-found' : 'failed'
        onCalled({ kind, reason: result.reason ?? 'failed', httpStatus, attempts, ms }, index)
      }
      values.delete(index)
    }
  })
}
