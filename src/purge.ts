import { MAX_REASON_LENGTH } from './constants.js'
import { TransportError, type Transport } from './http.js'
import { backoffMs, DEFAULT_BACKOFF, Pacer, realClock, type BackoffPolicy, type Clock } from './pacing.js'
import type { ClassifiedAnswer, Classification, DeleteRequest, HttpAnswer } from './providers/types.js'
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

export interface PurgeOptions {
  ids: readonly string[]
  /** Builds the request for one ID (the provider's request with the run's context bound). */
  request: (id: string) => DeleteRequest
  classify: (answer: HttpAnswer, now: number) => ClassifiedAnswer
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

/** A 429 answer never uses up an ID's retries while the pool is still making progress; this bounds it anyway. */
export const MAX_RATE_LIMITED_ATTEMPTS = 20

interface Task {
  index: number
  attempts: number
  /** Attempts that used up the retry budget (429s during progress do not). */
  counted: number
  rateLimited: number
  firstStart: number
  /** One of our own attempts got no definite answer (timeout, connection error, 5xx). */
  unanswered: boolean
  /** Definite answers the pool had seen when this task's last attempt started. */
  progressMark: number
  lastStatus: number | null
  lastReason: string
  timer?: unknown
}

/**
 * The engine: sends one delete per ID through a bounded pool, paced by one shared Pacer, retrying what is worth
 * retrying, and settles every ID as deleted, missing or failed. It knows no provider, only requests and
 * classifications. Event-driven: a waiting retry holds no slot, so nothing queues behind it.
 */
export function purge(options: PurgeOptions): Promise<PurgeResult> {
  const clock = options.clock ?? realClock
  const random = options.random ?? Math.random
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const pacer = new Pacer(options.concurrency)
  const results: Array<IdResult | undefined> = new Array(options.ids.length)
  const ready = new Queue<Task>()
  // Behind fresh IDs, so the probe after a pause is not always the ID the provider keeps refusing.
  const rateLimited = new Queue<Task>()
  const waiting = new Set<Task>()
  let nextFresh = 0
  let inFlight = 0
  let settled = 0
  let progress = 0
  let stalledPauses = 0
  let requests = 0
  let rateLimitedAnswers = 0
  let credentialsRejected = false
  let stopReason: string | undefined
  let pumpTimer: unknown
  let pumpAt = Infinity

  const clean = (text: string): string => oneLine(scrub(text, options.secrets), MAX_REASON_LENGTH)

  return new Promise<PurgeResult>(resolve => {
    const settle = (task: Task, outcome: Outcome, reason: string | null): void => {
      const result: IdResult = {
        id: options.ids[task.index] as string,
        outcome,
        httpStatus: task.lastStatus,
        reason: reason === null ? null : clean(reason),
        attempts: task.attempts,
        ms: task.attempts === 0 ? 0 : clock.now() - task.firstStart
      }
      results[task.index] = result
      settled++
      options.onResult?.(result)
    }

    const finishIfDone = (): void => {
      if (settled === options.ids.length && inFlight === 0) {
        if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer)
        resolve({ results: results as IdResult[], credentialsRejected, requests, rateLimitedAnswers })
      }
    }

    /** Stops starting requests: every ID not settled and not in flight fails with `reason`. */
    const stop = (reason: string): void => {
      if (stopReason !== undefined) return
      stopReason = reason
      for (const task of waiting) {
        clock.clearTimeout(task.timer)
        settle(task, 'failed', `${task.lastReason}; not retried: ${reason}`)
      }
      waiting.clear()
      for (const queue of [ready, rateLimited]) {
        for (let task = queue.shift(); task !== undefined; task = queue.shift()) settle(task, 'failed', `${task.lastReason}; not retried: ${reason}`)
      }
      for (; nextFresh < options.ids.length; nextFresh++) {
        settle(newTask(nextFresh), 'failed', `not attempted: ${reason}`)
      }
    }

    const newTask = (index: number): Task => ({
      index,
      attempts: 0,
      counted: 0,
      rateLimited: 0,
      firstStart: 0,
      unanswered: false,
      progressMark: 0,
      lastStatus: null,
      lastReason: ''
    })

    /** Retries whose backoff is over go first, then IDs not yet tried, then IDs a 429 sent back. */
    const take = (): Task | undefined => {
      if (ready.size > 0) return ready.shift()
      if (nextFresh < options.ids.length) return newTask(nextFresh++)
      return rateLimited.shift()
    }

    const hasWork = (): boolean => ready.size > 0 || nextFresh < options.ids.length || rateLimited.size > 0

    const pump = (): void => {
      while (stopReason === undefined && inFlight < pacer.limit && hasWork()) {
        const now = clock.now()
        const startAt = pacer.startAt(now)
        if (startAt > now) {
          armPump(startAt - now)
          break
        }
        const task = take() as Task
        pacer.started(now)
        void attempt(task, now)
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

    const attempt = async (task: Task, now: number): Promise<void> => {
      inFlight++
      requests++
      if (task.attempts === 0) task.firstStart = now
      task.attempts++
      task.progressMark = progress
      const id = options.ids[task.index] as string
      let classification: Classification
      try {
        const request = options.request(id)
        try {
          const answer = await options.transport.send({ method: request.method, url: request.url, headers: request.headers, timeoutMs: options.timeoutMs })
          task.lastStatus = answer.status
          const classified = options.classify(answer, clock.now())
          if (classified.window) pacer.window(classified.window.limit, classified.window.intervalMs)
          classification = classified.classification
        } catch (error) {
          if (!(error instanceof TransportError)) throw error
          task.lastStatus = null
          classification = { kind: 'retry', reason: error.message, rateLimited: false, unanswered: true }
        }
      } catch (error) {
        classification = { kind: 'failed', reason: `internal error: ${error instanceof Error ? error.message : String(error)}` }
      }
      inFlight--
      options.onDebug?.(`attempt ${task.attempts} for ${JSON.stringify(id)}: ${classification.kind}${'reason' in classification ? ` (${clean(classification.reason)})` : ''}`)
      answered(task, classification)
      pump()
    }

    const answered = (task: Task, classification: Classification): void => {
      if (classification.kind === 'retry' && classification.rateLimited) {
        rateLimitedAnswers++
      } else {
        progress++
        stalledPauses = 0
      }
      switch (classification.kind) {
        case 'deleted':
          pacer.succeeded(clock.now())
          settle(task, 'deleted', null)
          return
        case 'missing':
          pacer.succeeded(clock.now())
          if (task.unanswered) {
            settle(task, 'deleted', `${classification.reason} after an earlier attempt got no answer: counted as deleted, that attempt most likely deleted it`)
          } else {
            settle(task, 'missing', classification.reason)
          }
          return
        case 'failed':
          settle(task, 'failed', classification.reason)
          return
        case 'credentials-rejected':
          credentialsRejected = true
          settle(task, 'failed', `credentials rejected: ${classification.reason}`)
          stop('credentials rejected')
          return
        case 'retry':
          retry(task, classification)
      }
    }

    const retry = (task: Task, classification: Extract<Classification, { kind: 'retry' }>): void => {
      task.lastReason = classification.reason
      if (classification.unanswered) task.unanswered = true
      const now = clock.now()
      if (stopReason !== undefined) {
        settle(task, 'failed', `${classification.reason}; not retried: ${stopReason}`)
        return
      }
      if (classification.waitMs !== undefined && classification.waitMs > backoff.maxHintMs) {
        settle(task, 'failed', `${classification.reason}; the provider asks to wait ${Math.ceil(classification.waitMs / 1000)} s, longer than the ${backoff.maxHintMs / 1000} s this action waits`)
        return
      }
      if (classification.rateLimited) {
        task.rateLimited++
        // A 429 uses up a retry only when nothing else got through since this attempt started.
        const stalled = progress === task.progressMark
        if (stalled) task.counted++
        const wait = classification.waitMs ?? backoffMs(backoff, stalledPauses + 1, random) + backoff.baseMs / 2
        const freshPause = pacer.rateLimited(now, wait)
        if (freshPause) options.onPause?.(wait, pacer.limit)
        if (task.counted > options.maxRetries || task.rateLimited >= MAX_RATE_LIMITED_ATTEMPTS) {
          settle(task, 'failed', `${classification.reason} (${task.attempts} attempts)`)
          return
        }
        // Every request of the pool refused, pause after pause: the provider is not letting anything through.
        if (freshPause && stalled && ++stalledPauses > options.maxRetries) {
          settle(task, 'failed', `${classification.reason} (${task.attempts} attempts)`)
          stop(`rate limited: ${stalledPauses} pauses in a row without progress`)
          return
        }
        rateLimited.push(task)
        return
      }
      task.counted++
      if (task.counted > options.maxRetries) {
        settle(task, 'failed', `${classification.reason} (${task.attempts} attempt${task.attempts === 1 ? '' : 's'})`)
        return
      }
      const wait = classification.waitMs ?? backoffMs(backoff, task.counted, random)
      waiting.add(task)
      task.timer = clock.setTimeout(() => {
        waiting.delete(task)
        ready.push(task)
        pump()
      }, wait)
    }

    if (options.ids.length === 0) {
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
