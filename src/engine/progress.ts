import type { RunView } from './decide.js'
import type { Pacer } from './pacing.js'

/** What the rules' stall check reads: definite answers so far, and the rate-limit pauses since the last one. */
export class Progress {
  /** Definite answers so far; a request notes it when it starts, to tell later whether any came meanwhile. */
  mark = 0
  private stalledPauses = 0
  private lastAt: number

  constructor(now: number) {
    this.lastAt = now
  }

  made(now: number): void {
    this.mark++
    this.stalledPauses = 0
    this.lastAt = now
  }

  /** The run as the rules see it, for a request that started when progress stood at `since`. */
  view(now: number, since: number, stopReason: string | undefined): RunView {
    return {
      now,
      stopReason,
      stalled: this.mark === since,
      lastProgressAt: this.lastAt,
      stalledPauses: this.stalledPauses
    }
  }

  /** A 429 pauses the pacer; whether it did (a pause already running may cover it). One with no progress counts. */
  rateLimited(pacer: Pacer, now: number, waitMs: number, hinted: boolean, since: number): boolean {
    if (!pacer.rateLimited(now, waitMs, hinted)) return false
    if (this.mark === since) this.stalledPauses++
    return true
  }
}
