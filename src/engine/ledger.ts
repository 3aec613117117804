import type { Clock } from './pacing.js'
import { OUTCOME_UNKNOWN, type IdResult, type Outcome } from './outcome.js'

/** What the run knows of one ID across every request that named it, until it settles. */
interface IdState {
  attempts: number
  firstStart: number
  /** One of our own attempts got no definite answer (timeout, connection error, 5xx). */
  unanswered: boolean
  lastStatus: number | null
}

/**
 * Per-ID state until each ID settles, exactly once, as deleted, missing or failed, with the reason cleaned by `clean`
 * (scrubbed of secrets, one line, bounded). A settled ID's result goes to `onResult` and is not kept: a run of
 * 100,000 IDs holds state only for those in flight or waiting to be retried.
 */
export class Ledger {
  private readonly states: Array<IdState | undefined>
  private settled = 0

  constructor(
    private readonly ids: readonly string[],
    private readonly clock: Clock,
    private readonly clean: (reason: string) => string,
    private readonly onResult: (result: IdResult, index: number) => void
  ) {
    this.states = new Array<IdState | undefined>(ids.length)
  }

  /** Every ID has settled. */
  get done(): boolean {
    return this.settled === this.ids.length
  }

  id(index: number): string {
    return this.ids[index] as string
  }

  /** A request naming these IDs starts now. */
  started(indexes: readonly number[], now: number): void {
    for (const index of indexes) {
      const known = this.state(index)
      if (known.attempts++ === 0) known.firstStart = now
    }
  }

  /** The request got an answer with this status, or none (null). */
  answered(indexes: readonly number[], status: number | null): void {
    for (const index of indexes) this.state(index).lastStatus = status
  }

  /** The request got no definite answer: it may have deleted these IDs. */
  markUnanswered(indexes: readonly number[]): void {
    for (const index of indexes) this.state(index).unanswered = true
  }

  settle(index: number, outcome: Outcome, reason: string | null): void {
    const known = this.state(index)
    const result: IdResult = {
      id: this.id(index),
      outcome,
      httpStatus: known.lastStatus,
      reason: reason === null ? null : this.clean(reason),
      attempts: known.attempts,
      ms: known.attempts === 0 ? 0 : this.clock.now() - known.firstStart
    }
    this.states[index] = undefined
    this.settled++
    this.onResult(result, index)
  }

  /** Not found: deleted after all when one of our own earlier attempts may have done it. */
  settleNotFound(index: number, reason: string): void {
    if (this.state(index).unanswered) {
      this.settle(
        index,
        'deleted',
        `${reason} after an earlier attempt got no answer: counted as deleted, that attempt most likely deleted it`
      )
    } else {
      this.settle(index, 'missing', reason)
    }
  }

  /**
   * Fails an ID the stopped run will not send (again). An ID a request already named was attempted, though, and
   * one whose attempt got no definite answer may have been deleted by it.
   */
  abandon(index: number, stopReason: string, lastReason: string): void {
    const known = this.state(index)
    if (known.attempts === 0) return this.settle(index, 'failed', `not attempted: ${stopReason}`)
    const unknown = known.unanswered ? `; ${OUTCOME_UNKNOWN}` : ''
    this.settle(index, 'failed', `${lastReason ? `${lastReason}; ` : ''}not retried: ${stopReason}${unknown}`)
  }

  private state(index: number): IdState {
    return (this.states[index] ??= { attempts: 0, firstStart: 0, unanswered: false, lastStatus: null })
  }
}
