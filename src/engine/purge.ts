import type { Transport } from '../transport/http.js'
import { TransportError } from '../transport/errors.js'
import type { BoundProvider } from '../providers/index.js'
import { errorMessage, reasonCleaner } from '../text.js'
import { cancellation, CANCEL_GRACE_MS } from '../transport/abort.js'
import {
  decide,
  isProgress,
  isSuccess,
  rulesFor,
  transportClassification,
  type AnyClassification,
  type Decision,
  type Rules
} from './decide.js'
import { Ledger } from './ledger.js'
import type { IdResult } from './outcome.js'
import { Pacer, realClock, type BackoffPolicy, type Clock } from './pacing.js'
import { Progress } from './progress.js'
import { Scheduler, unitOf, type Unit } from './scheduler.js'

/** How the run went; what became of each ID went to `onResult` as it settled. */
export interface PurgeResult {
  credentialsRejected: boolean
  /**
   * Why the run could not do its work, when it could not: cancelled, or stopped by a problem that will not fix
   * itself (an untrusted certificate, a proxy refusing the tunnel). The step fails whatever fail-on says.
   */
  halted: string | null
  requests: number
  rateLimitedAnswers: number
}

/** How requests go out, for the listing and the deletes alike. */
export interface SendOptions {
  transport: Pick<Transport, 'send'>
  maxRetries: number
  timeoutMs: number
  /** Key and derived forms: scrubbed from every reason. */
  secrets: readonly string[]
  clock?: Clock
  random?: () => number
  backoff?: BackoffPolicy
}

/** The provider with the run's context bound (`bindProvider`); with `bulk`, IDs go in chunks of its `maxIds`. */
export interface PurgeOptions extends BoundProvider, SendOptions {
  ids: readonly string[]
  concurrency: number
  /** Each ID's result, once, as it settles (`index` into `ids`); the engine keeps none of them. */
  onResult: (result: IdResult, index: number) => void
  /** A request naming these IDs (`index` into `ids`) goes out now. */
  onSend?: (indexes: readonly number[]) => void
  onDebug?: (message: string) => void
  /** A 429 paused the whole pool: for how long, and how many requests may be in flight after it. */
  onPause?: (waitMs: number, inFlightLimit: number) => void
  /**
   * Cancels the run (its reason, a signal's name, is named in `halted`): no new request starts, requests in flight
   * get `cancelGraceMs` to answer, then they are cut off.
   */
  signal?: AbortSignal
  cancelGraceMs?: number
  /** The run's pacer, when another stage shares it; a new one by default. */
  pacer?: Pacer
}

/**
 * The engine: sends deletes through a bounded pool, paced by one shared Pacer, retrying what is worth retrying,
 * and settles every ID as deleted, missing or failed. It knows no provider, only requests and classifications.
 */
export function purge(options: PurgeOptions): Promise<PurgeResult> {
  if (options.ids.length === 0) {
    return Promise.resolve({
      credentialsRejected: false,
      halted: null,
      requests: 0,
      rateLimitedAnswers: 0
    })
  }
  return new Promise(resolve => new PurgeRun(options, resolve).start())
}

/** One run of the engine: wires the rules (decide), the ledger and the scheduler, and holds the run's counters. */
class PurgeRun {
  private readonly clock: Clock
  private readonly rules: Rules
  private readonly clean: (text: string) => string
  private readonly pacer: Pacer
  private readonly ledger: Ledger
  private readonly scheduler: Scheduler
  private requests = 0
  private rateLimitedAnswers = 0
  private credentialsRejected = false
  private readonly progress: Progress
  private stopReason: string | undefined
  private halted: string | null = null
  private finished = false
  /** Cuts off the requests in flight once a cancelled run's grace is over. */
  private readonly cutOff = new AbortController()
  private graceTimer: unknown
  private readonly onAbort = (): void => this.cancel(this.options.signal as AbortSignal)

  constructor(
    private readonly options: PurgeOptions,
    private readonly resolve: (result: PurgeResult) => void
  ) {
    this.clock = options.clock ?? realClock
    this.rules = rulesFor(options)
    this.pacer = options.pacer ?? new Pacer(options.concurrency)
    this.progress = new Progress(this.clock.now())
    this.clean = reasonCleaner(options.secrets)
    this.ledger = new Ledger(options.ids, this.clock, this.clean, options.onResult)
    this.scheduler = new Scheduler({
      total: options.ids.length,
      chunkSize: options.bulk?.maxIds ?? 1,
      pacer: this.pacer,
      clock: this.clock,
      launch: (unit, now) => void this.attempt(unit, now)
    })
  }

  start(): void {
    const { signal } = this.options
    if (signal?.aborted) return this.cancel(signal)
    signal?.addEventListener('abort', this.onAbort, { once: true })
    this.pump()
  }

  private pump(): void {
    this.scheduler.pump()
    if (!this.finished && this.ledger.done && this.scheduler.sending === 0) {
      this.finished = true
      this.scheduler.close()
      this.options.signal?.removeEventListener('abort', this.onAbort)
      if (this.graceTimer !== undefined) this.clock.clearTimeout(this.graceTimer)
      const { credentialsRejected, halted, requests, rateLimitedAnswers } = this
      this.resolve({ credentialsRejected, halted, requests, rateLimitedAnswers })
    }
  }

  /** Cancellation: the one stop path, then a short grace for the requests in flight before they are cut off. */
  private cancel(signal: AbortSignal): void {
    this.halted ??= cancellation(signal)
    this.stop('cancelled')
    if (this.scheduler.sending > 0) {
      this.graceTimer = this.clock.setTimeout(() => this.cutOff.abort(), this.options.cancelGraceMs ?? CANCEL_GRACE_MS)
    }
    this.pump()
  }

  private async attempt(unit: Unit, now: number): Promise<void> {
    this.requests++
    unit.attempts++
    unit.progressMark = this.progress.mark
    this.ledger.started(unit.indexes, now)
    this.options.onSend?.(unit.indexes)
    const classification = await this.send(unit)
    this.scheduler.landed()
    // A final answer gets its own log line from onResult; only the attempts in between are worth a debug line.
    if (classification.kind === 'retry' && this.options.onDebug) {
      this.options.onDebug(
        `attempt ${unit.attempts} for ${this.describe(unit)}: ${this.clean(classification.reason)}; will retry`
      )
    }
    this.answered(unit, classification)
    this.pump()
  }

  /** One request for the unit, read into a classification; never throws. */
  private async send(unit: Unit): Promise<AnyClassification> {
    const { options, clock } = this
    const ids = unit.indexes.map(index => this.ledger.id(index))
    try {
      const request = unit.bulk && options.bulk ? options.bulk.request(ids) : options.request(ids[0] as string)
      try {
        const { method, url, headers, body } = request
        const answer = await options.transport.send({
          method,
          url,
          headers,
          ...(body !== undefined ? { body } : {}),
          timeoutMs: options.timeoutMs,
          signal: this.cutOff.signal
        })
        this.ledger.answered(unit.indexes, answer.status)
        const classified =
          unit.bulk && options.bulk
            ? options.bulk.classify(answer, ids, clock.now())
            : options.classify(answer, clock.now(), ids[0] as string)
        if (classified.window) this.pacer.window(classified.window.limit, classified.window.intervalMs)
        return classified.classification
      } catch (error) {
        if (!(error instanceof TransportError)) throw error
        this.ledger.answered(unit.indexes, null)
        return transportClassification(error)
      }
    } catch (error) {
      return { kind: 'failed', reason: `internal error: ${errorMessage(error)}` }
    }
  }

  private answered(unit: Unit, classification: AnyClassification): void {
    const now = this.clock.now()
    if (isProgress(classification)) this.progress.made(now)
    else this.rateLimitedAnswers++
    if (isSuccess(classification)) this.pacer.succeeded(now)
    const run = this.progress.view(now, unit.progressMark, this.stopReason)
    const ruling = decide(classification, unit, run, this.rules)
    unit.budget = ruling.budget
    if (ruling.unanswered) this.ledger.markUnanswered(unit.indexes)
    this.apply(unit, ruling.decision, now)
  }

  /** Carries out a decision on the ledger and the scheduler. */
  private apply(unit: Unit, decision: Decision, now: number): void {
    const { ledger, scheduler } = this
    switch (decision.kind) {
      case 'settle': {
        const reason =
          unit.refusedBy !== undefined && decision.outcome === 'failed' ? refused(unit, decision) : decision.reason
        for (const index of unit.indexes) ledger.settle(index, decision.outcome, reason)
        return
      }
      case 'not-found':
        for (const index of unit.indexes) ledger.settleNotFound(index, decision.reason)
        return
      case 'bulk-deleted':
        for (const index of unit.indexes) {
          const id = ledger.id(index)
          const refusedBy = decision.refused.get(id)
          if (decision.deleted.has(id)) {
            ledger.settle(index, 'deleted', null)
          } else if (refusedBy !== undefined) {
            // Said not deleted: one single DELETE may still settle it (a 404, or a refusal of its own), and no more.
            const budget = { ...unit.budget, retriesUsed: Math.max(unit.budget.retriesUsed, this.options.maxRetries) }
            this.requeue({ ...unitOf([index], false), budget, refusedBy })
          } else {
            // Answered but not listed: the request may still have deleted it.
            ledger.markUnanswered([index])
            this.requeue(unitOf([index], false, unit))
          }
        }
        return
      case 'bulk-missing':
        this.setAsideMissing(unit, decision.missing, decision.reason)
        return
      case 'fall-back':
        this.fallBack(unit, decision.reason)
        return
      case 'retry':
        scheduler.retryAfter(unit, decision.afterMs)
        return
      case 'park':
        this.park(unit, decision.waitMs, decision.hinted, now)
        return
      case 'abandon':
        this.abandon(unit)
        return
      case 'stop':
        this.credentialsRejected ||= decision.credentialsRejected
        if (decision.fatal) this.halted ??= this.clean(decision.reason)
        for (const index of unit.indexes) ledger.settle(index, 'failed', decision.unitReason)
        this.stop(decision.reason)
    }
  }

  /** A bulk answer naming missing IDs deleted nothing: those are set aside, the rest go again as a new chunk. */
  private setAsideMissing(unit: Unit, missing: ReadonlySet<string>, reason: string): void {
    const rest: number[] = []
    for (const index of unit.indexes) {
      if (missing.has(this.ledger.id(index))) this.ledger.settleNotFound(index, reason)
      else rest.push(index)
    }
    if (rest.length > 0) this.requeue(unitOf(rest, rest.length > 1, unit))
  }

  /**
   * A chunk the bulk call cannot serve: its IDs go one by one with what is left of the chunk's retries, and at
   * least one attempt each.
   */
  private fallBack(unit: Unit, reason: string): void {
    this.options.onDebug?.(
      `bulk delete cannot serve ${unit.indexes.length} IDs (${this.clean(reason)}); deleting them one by one`
    )
    for (const index of unit.indexes) this.requeue(unitOf([index], false, unit))
  }

  private park(unit: Unit, waitMs: number, hinted: boolean, now: number): void {
    if (this.progress.rateLimited(this.pacer, now, waitMs, hinted, unit.progressMark)) {
      this.options.onPause?.(waitMs, this.pacer.limit)
    }
    this.scheduler.park(unit)
  }

  /** Queues a unit to be sent next, or abandons it once the run has stopped (an answer may arrive after that). */
  private requeue(unit: Unit): void {
    if (this.stopReason === undefined) this.scheduler.requeue(unit)
    else this.abandon(unit)
  }

  private abandon(unit: Unit): void {
    for (const index of unit.indexes) this.ledger.abandon(index, this.stopReason as string, unit.budget.lastReason)
  }

  /** The one stop path: starts no new request; every ID not settled and not in flight fails with `reason`. */
  private stop(reason: string): void {
    if (this.stopReason !== undefined) return
    this.stopReason = reason
    const { units, fresh } = this.scheduler.stop()
    for (const unit of units) this.abandon(unit)
    for (const index of fresh) this.ledger.settle(index, 'failed', `not attempted: ${reason}`)
  }

  private describe(unit: Unit): string {
    return unit.bulk ? `bulk of ${unit.indexes.length}` : JSON.stringify(this.ledger.id(unit.indexes[0] as number))
  }
}

/** A refused ID's one DELETE failed too: the bulk answer's reason first, then what the DELETE said. */
function refused(unit: Unit, decision: Extract<Decision, { kind: 'settle' }>): string {
  return `${unit.refusedBy}; one DELETE of it then: ${decision.reason ?? 'failed'}`
}
