import { MAX_REASON_LENGTH } from '../settings/constants.js'
import { oneLine, scrub } from '../text.js'
import type { Rules, RunView } from './decide.js'
import { DEFAULT_BACKOFF, type BackoffPolicy, type Pacer } from './pacing.js'

/** The rules one run's requests are decided by, the listing's and the deletes' alike. */
export function rulesFor(options: { maxRetries: number; backoff?: BackoffPolicy; random?: () => number }): Rules {
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  // The longest all retries of one request could wait, and never less than one wait a provider may ask for: past
  // it, a run that hears only 429s stops.
  const stallLimitMs = Math.max(backoff.maxHintMs, (options.maxRetries + 1) * backoff.capMs)
  return { maxRetries: options.maxRetries, backoff, stallLimitMs, random: options.random ?? Math.random }
}

/** A reason as it may be shown: no secret in it, one line, bounded. */
export function reasonCleaner(secrets: readonly string[]): (text: string) => string {
  return text => oneLine(scrub(text, secrets), MAX_REASON_LENGTH)
}

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
