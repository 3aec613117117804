import { MAX_REASON_LENGTH } from './constants.js'
import { TransportError, type Transport } from './http.js'
import {
  backoffMs,
  DEFAULT_BACKOFF,
  Pacer,
  rateLimitPauseMs,
  realClock,
  type BackoffPolicy,
  type Clock
} from './pacing.js'
import type { BoundProvider } from './providers/index.js'
import type { BulkClassification, Classification } from './providers/types.js'
import { oneLine, scrub } from './text.js'

export type Outcome = 'deleted' | 'missing' | 'failed'

/** What became of one ID. */
export interface IdResult {
  id: string
  outcome: Outcome
  /** Status of the last answer, or null when none came. */
  httpStatus: number | null
  /** Why it was not deleted, or how a deletion was inferred; null for a plain deletion. */
  reason: string | null
  attempts: number
  /** From the first attempt's start to the final answer. */
  ms: number
}

export interface PurgeResult {
  results: IdResult[]
  credentialsRejected: boolean
  requests: number
  rateLimitedAnswers: number
}

/** The provider with the run's context bound (`bindProvider`); with `bulk`, IDs go in chunks of its `maxIds`. */
export interface PurgeOptions extends BoundProvider {
  ids: readonly string[]
  transport: Pick<Transport, 'send'>
  concurrency: number
  maxRetries: number
  timeoutMs: number
  /** Key and derived forms: scrubbed from every reason. */
  secrets: readonly string[]
  clock?: Clock
  random?: () => number
  backoff?: BackoffPolicy
  onResult?: (result: IdResult) => void
  onDebug?: (message: string) => void
  /** A 429 paused the whole pool: for how long, and how many requests may be in flight after it. */
  onPause?: (waitMs: number, inFlightLimit: number) => void
}

/** A 429 never uses up a unit's retries; this bounds how often one unit may be refused all the same. */
export const MAX_RATE_LIMITED_ATTEMPTS = 20

/** What the run knows of one ID across every request that named it. */
interface IdState {
  attempts: number
  firstStart: number
  /** One of our own attempts got no definite answer (timeout, connection error, 5xx). */
  unanswered: boolean
  lastStatus: number | null
}

/** One request's worth of work: a single ID, or a chunk for the bulk endpoint. */
interface Unit {
  indexes: number[]
  bulk: boolean
  attempts: number
  /** Attempts that used up the retry budget (429s do not). */
  counted: number
  rateLimited: number
  /** Definite answers the pool had seen when this unit's last attempt started. */
  progressMark: number
  lastReason: string
  timer?: unknown
}

type RetryClassification = Extract<Classification, { kind: 'retry' }>

/**
 * The engine: sends deletes through a bounded pool, paced by one shared Pacer, retrying what is worth retrying,
 * and settles every ID as deleted, missing or failed. It knows no provider, only requests and classifications.
 * Event-driven: a waiting retry holds no slot, so nothing queues behind it.
 */
export function purge(options: PurgeOptions): Promise<PurgeResult> {
  const clock = options.clock ?? realClock
  const random = options.random ?? Math.random
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const total = options.ids.length
  const pacer = new Pacer(options.concurrency)
  const results = new Array<IdResult | undefined>(total)
  const states = new Array<IdState | undefined>(total)
  const ready = new Queue<Unit>()
  // Behind fresh IDs, so the probe after a pause is not always the unit the provider keeps refusing.
  const rateLimited = new Queue<Unit>()
  const waiting = new Set<Unit>()
  let nextFresh = 0
  let inFlight = 0
  let settled = 0
  let progress = 0
  let stalledPauses = 0
  let lastProgressAt = clock.now()
  // The longest all retries of one ID could wait, and never less than one wait a provider may ask for: past it, a
  // pool that hears only 429s stops.
  const stallLimitMs = Math.max(backoff.maxHintMs, (options.maxRetries + 1) * backoff.capMs)
  let requests = 0
  let rateLimitedAnswers = 0
  let credentialsRejected = false
  let stopReason: string | undefined
  let pumpTimer: unknown
  let pumpAt = Infinity

  const clean = (text: string): string => oneLine(scrub(text, options.secrets), MAX_REASON_LENGTH)
  const state = (index: number): IdState =>
    (states[index] ??= { attempts: 0, firstStart: 0, unanswered: false, lastStatus: null })
  // A unit made from another (the rest of a chunk, or its IDs one by one) inherits its budget: a resend is no
  // fresh start for the retry and rate-limit bounds.
  const unit = (indexes: number[], bulk: boolean, from?: Unit): Unit => ({
    indexes,
    bulk,
    attempts: 0,
    counted: from?.counted ?? 0,
    rateLimited: from?.rateLimited ?? 0,
    progressMark: 0,
    lastReason: from?.lastReason ?? ''
  })
  const describeUnit = (u: Unit): string =>
    u.bulk ? `bulk of ${u.indexes.length}` : JSON.stringify(options.ids[u.indexes[0] as number])

  return new Promise<PurgeResult>(resolve => {
    const settleId = (index: number, outcome: Outcome, reason: string | null): void => {
      const known = state(index)
      const result: IdResult = {
        id: options.ids[index] as string,
        outcome,
        httpStatus: known.lastStatus,
        reason: reason === null ? null : clean(reason),
        attempts: known.attempts,
        ms: known.attempts === 0 ? 0 : clock.now() - known.firstStart
      }
      states[index] = undefined
      results[index] = result
      settled++
      options.onResult?.(result)
    }

    const settle = (u: Unit, outcome: Outcome, reason: string | null): void => {
      for (const index of u.indexes) settleId(index, outcome, reason)
    }

    /** Not found: deleted after all when one of our own earlier attempts may have done it. */
    const settleMissing = (index: number, reason: string): void => {
      if (state(index).unanswered)
        settleId(
          index,
          'deleted',
          `${reason} after an earlier attempt got no answer: counted as deleted, that attempt most likely deleted it`
        )
      else settleId(index, 'missing', reason)
    }

    const finishIfDone = (): void => {
      if (settled === total && inFlight === 0) {
        if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer)
        resolve({ results: results as IdResult[], credentialsRejected, requests, rateLimitedAnswers })
      }
    }

    /** Fails a unit the stopped run will not send; an ID a bulk request already named was attempted, though. */
    const abandon = (u: Unit): void => {
      for (const index of u.indexes) {
        settleId(
          index,
          'failed',
          state(index).attempts === 0
            ? `not attempted: ${stopReason}`
            : `${u.lastReason ? `${u.lastReason}; ` : ''}not retried: ${stopReason}`
        )
      }
    }

    /** Queues a unit to be sent next, or abandons it once the run has stopped (an answer may arrive after that). */
    const requeue = (u: Unit): void => {
      if (stopReason === undefined) ready.push(u)
      else abandon(u)
    }

    /** Stops starting requests: every ID not settled and not in flight fails with `reason`. */
    const stop = (reason: string): void => {
      if (stopReason !== undefined) return
      stopReason = reason
      for (const u of waiting) {
        clock.clearTimeout(u.timer)
        abandon(u)
      }
      waiting.clear()
      for (const queue of [ready, rateLimited])
        for (let u = queue.shift(); u !== undefined; u = queue.shift()) abandon(u)
      for (; nextFresh < total; nextFresh++) settleId(nextFresh, 'failed', `not attempted: ${reason}`)
    }

    const freshUnit = (): Unit => {
      const size = options.bulk ? Math.min(options.bulk.maxIds, total - nextFresh) : 1
      const indexes = Array.from({ length: size }, (_, i) => nextFresh + i)
      nextFresh += size
      return unit(indexes, options.bulk !== undefined && size > 1)
    }

    /** Retries whose backoff is over go first, then IDs not yet tried, then units a 429 sent back. */
    const take = (): Unit | undefined => {
      if (ready.size > 0) return ready.shift()
      if (nextFresh < total) return freshUnit()
      return rateLimited.shift()
    }

    const hasWork = (): boolean => ready.size > 0 || nextFresh < total || rateLimited.size > 0

    const pump = (): void => {
      while (stopReason === undefined && inFlight < pacer.limit && hasWork()) {
        const now = clock.now()
        const startAt = pacer.startAt(now)
        if (startAt > now) {
          armPump(startAt - now)
          break
        }
        const u = take() as Unit
        pacer.started(now)
        void attempt(u, now)
      }
      finishIfDone()
    }

    const armPump = (ms: number): void => {
      const at = clock.now() + ms
      if (pumpTimer !== undefined && pumpAt <= at) return
      if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer)
      pumpAt = at
      pumpTimer = clock.setTimeout(() => {
        pumpTimer = undefined
        pumpAt = Infinity
        pump()
      }, ms)
    }

    const send = async (u: Unit, ids: string[]): Promise<Classification | BulkClassification> => {
      try {
        const request = u.bulk && options.bulk ? options.bulk.request(ids) : options.request(ids[0] as string)
        try {
          const { method, url, headers, body } = request
          const answer = await options.transport.send({
            method,
            url,
            headers,
            ...(body !== undefined ? { body } : {}),
            timeoutMs: options.timeoutMs
          })
          for (const index of u.indexes) state(index).lastStatus = answer.status
          const classified =
            u.bulk && options.bulk
              ? options.bulk.classify(answer, ids, clock.now())
              : options.classify(answer, clock.now())
          if (classified.window) pacer.window(classified.window.limit, classified.window.intervalMs)
          return classified.classification
        } catch (error) {
          if (!(error instanceof TransportError)) throw error
          for (const index of u.indexes) state(index).lastStatus = null
          return { kind: 'retry', reason: error.message, rateLimited: false, unanswered: true }
        }
      } catch (error) {
        return { kind: 'failed', reason: `internal error: ${error instanceof Error ? error.message : String(error)}` }
      }
    }

    const attempt = async (u: Unit, now: number): Promise<void> => {
      inFlight++
      requests++
      u.attempts++
      u.progressMark = progress
      for (const index of u.indexes) {
        const known = state(index)
        if (known.attempts++ === 0) known.firstStart = now
      }
      const ids = u.indexes.map(index => options.ids[index] as string)
      const classification = await send(u, ids)
      inFlight--
      // A final answer gets its own log line from onResult; only the attempts in between are worth a debug line.
      if (classification.kind === 'retry' && options.onDebug)
        options.onDebug(`attempt ${u.attempts} for ${describeUnit(u)}: ${clean(classification.reason)}; will retry`)
      answered(u, classification)
      pump()
    }

    const answered = (u: Unit, classification: Classification | BulkClassification): void => {
      if (classification.kind === 'retry' && classification.rateLimited) {
        rateLimitedAnswers++
      } else {
        progress++
        stalledPauses = 0
        lastProgressAt = clock.now()
      }
      switch (classification.kind) {
        case 'deleted':
          pacer.succeeded(clock.now())
          if ('unconfirmed' in classification) {
            const confirmed = new Set(classification.deleted)
            for (const index of u.indexes) {
              if (confirmed.has(options.ids[index] as string)) {
                settleId(index, 'deleted', null)
              } else {
                // Answered but not listed: the request may still have deleted it.
                state(index).unanswered = true
                requeue(unit([index], false, u))
              }
            }
          } else {
            settle(u, 'deleted', null)
          }
          return
        case 'missing':
          pacer.succeeded(clock.now())
          if ('missing' in classification) {
            const missing = new Set(classification.missing)
            const rest: number[] = []
            for (const index of u.indexes) {
              if (missing.has(options.ids[index] as string)) settleMissing(index, classification.reason)
              else rest.push(index)
            }
            // Nothing was deleted: the rest go again as a new chunk.
            if (rest.length > 0) requeue(unit(rest, rest.length > 1, u))
          } else {
            for (const index of u.indexes) settleMissing(index, classification.reason)
          }
          return
        case 'fallback':
          if (classification.unanswered) for (const index of u.indexes) state(index).unanswered = true
          fallBack(u, classification.reason)
          return
        case 'failed':
          settle(u, 'failed', classification.reason)
          return
        case 'credentials-rejected':
          credentialsRejected = true
          settle(u, 'failed', `credentials rejected: ${classification.reason}`)
          stop('credentials rejected')
          return
        case 'retry':
          retry(u, classification)
      }
    }

    /**
     * A chunk the bulk call cannot serve: its IDs go one by one with what is left of the chunk's retries, and at
     * least one attempt each.
     */
    const fallBack = (u: Unit, reason: string): void => {
      options.onDebug?.(`bulk delete cannot serve ${u.indexes.length} IDs (${clean(reason)}); deleting them one by one`)
      for (const index of u.indexes) requeue(unit([index], false, u))
    }

    const retry = (u: Unit, classification: RetryClassification): void => {
      u.lastReason = classification.reason
      if (classification.unanswered) for (const index of u.indexes) state(index).unanswered = true
      const now = clock.now()
      const attempts = `${u.attempts} attempt${u.attempts === 1 ? '' : 's'}`
      if (stopReason !== undefined) {
        settle(u, 'failed', `${classification.reason}; not retried: ${stopReason}`)
        return
      }
      if (classification.waitMs !== undefined && classification.waitMs > backoff.maxHintMs) {
        const asked = `the provider asks to wait ${Math.ceil(classification.waitMs / 1000)} s, longer than the ${backoff.maxHintMs / 1000} s this action waits`
        settle(u, 'failed', `${classification.reason}; ${asked}`)
        // A rate limit holds for every request: sending the rest into it would only fail them one by one.
        if (classification.rateLimited) stop(`rate limited: ${asked}`)
        return
      }
      if (classification.rateLimited) {
        // A 429 uses up no retry: waiting out a rate limit is not a failure. The pool's stall limit bounds it.
        u.rateLimited++
        const stalled = progress === u.progressMark
        const wait = classification.waitMs ?? rateLimitPauseMs(backoff, stalledPauses + 1, random)
        if (u.rateLimited >= MAX_RATE_LIMITED_ATTEMPTS) {
          settle(u, 'failed', `${classification.reason} (${attempts})`)
          return
        }
        // Nothing but 429s for longer than the retries could ever wait: the provider is letting nothing through.
        if (stalled && now - lastProgressAt > stallLimitMs) {
          settle(u, 'failed', `${classification.reason} (${attempts})`)
          stop(`rate limited: nothing got through for ${Math.round((now - lastProgressAt) / 1000)} s`)
          return
        }
        if (pacer.rateLimited(now, wait, classification.waitMs !== undefined)) {
          if (stalled) stalledPauses++
          options.onPause?.(wait, pacer.limit)
        }
        rateLimited.push(u)
        return
      }
      u.counted++
      if (u.counted > options.maxRetries) {
        // The bulk call itself may be what is broken: its IDs get their own chances one by one.
        if (u.bulk) fallBack(u, `${classification.reason} (${attempts})`)
        else settle(u, 'failed', `${classification.reason} (${attempts})`)
        return
      }
      const wait = classification.waitMs ?? backoffMs(backoff, u.counted, random)
      waiting.add(u)
      u.timer = clock.setTimeout(() => {
        waiting.delete(u)
        ready.push(u)
        pump()
      }, wait)
    }

    if (total === 0) {
      resolve({ results: [], credentialsRejected, requests, rateLimitedAnswers })
      return
    }
    pump()
  })
}

/** A FIFO queue with O(1) shift. */
class Queue<T> {
  private items: Array<T | undefined> = []
  private head = 0

  get size(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}
