/** Time, backoff and the shared pacer: how fast the whole pool may go. */

export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout)
}

export interface BackoffPolicy {
  baseMs: number
  capMs: number
  /** The longest wait a provider's hint may ask for; a longer one fails the ID instead of stalling the step. */
  maxHintMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 20_000, maxHintMs: 60_000 }

/** Full-jitter exponential backoff: a uniform wait up to base·2^(n-1), capped. `retry` counts from 1. */
export function backoffMs(policy: BackoffPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(30, retry - 1))
  return Math.round(random() * ceiling)
}

/**
 * How long a 429 without a hint pauses the pool: shorter than a retry's backoff, since a rate limit's window
 * often resets within the second, and growing the same way while the pauses find nothing but 429s.
 */
export function rateLimitPauseMs(policy: BackoffPolicy, pause: number, random: () => number): number {
  return Math.round(
    policy.baseMs / 4 + random() * Math.min(policy.capMs, (policy.baseMs / 2) * 2 ** Math.min(30, pause - 1))
  )
}

/**
 * One pacer shared by every request of a run: a rate-limit answer pauses all of them and halves how many
 * may be in flight; successes raise it again by about one per round trip (AIMD), half as fast once the provider
 * has refused anything. Request starts are spaced evenly at the provider's announced window or, where a 429 says
 * nothing at all, at a pace learned from the successes so far over the run's time: spaced starts keep few requests
 * in flight when the provider's budget runs out, so a limit costs a handful of 429s instead of a pool's worth.
 * A 429 that says when to retry is simply waited out: pacing it too would only add whole seconds of rounding.
 */
export class Pacer {
  private allowed: number
  private pausedUntil = 0
  private nextStart = 0
  /** Spacing from the provider's own announcement; it wins over what is learned. */
  private announcedMs = 0
  private learnedMs = 0
  private firstStart: number | undefined
  private successes = 0
  private everLimited = false
  /** The spacing max-rate asks for, 0 without a cap. */
  private readonly floorMs: number

  /**
   * `ceiling`: requests in flight at most. `maxPerMinute`: the run's own rate cap (max-rate), requests spaced
   * evenly at 60000 / maxPerMinute ms at least, whatever the provider announces or the pacer learns.
   */
  constructor(
    private readonly ceiling: number,
    maxPerMinute?: number
  ) {
    this.allowed = ceiling
    this.floorMs = maxPerMinute === undefined ? 0 : 60_000 / maxPerMinute
  }

  /** How many requests may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.allowed))
  }

  /** Milliseconds between request starts, 0 when unpaced. */
  get spacingMs(): number {
    return Math.max(this.floorMs, this.announcedMs > 0 ? this.announcedMs : this.learnedMs)
  }

  /** When the next request may start (ms timestamp); not before now. */
  startAt(now: number): number {
    return Math.max(now, this.pausedUntil, this.nextStart)
  }

  /** Records a request start, for even spacing. */
  started(now: number): void {
    this.firstStart ??= now
    const spacing = this.spacingMs
    if (spacing > 0) this.nextStart = Math.max(now, this.nextStart) + spacing
  }

  /**
   * A 429: pause everyone until now + waitMs. `hinted`: the provider said how long to wait. Returns whether this
   * opened a new pause (not one already running).
   */
  rateLimited(now: number, waitMs: number, hinted: boolean): boolean {
    const fresh = now >= this.pausedUntil
    this.everLimited = true
    if (fresh) {
      this.allowed = Math.max(1, this.allowed / 2)
      if (!hinted && this.firstStart !== undefined && this.successes > 0) {
        this.learnedMs = Math.min(
          MAX_LEARNED_SPACING_MS,
          (LEARNED_PACE_FACTOR * (now - this.firstStart)) / this.successes
        )
      }
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + waitMs)
    return fresh
  }

  /**
   * A success raises the limit, but not during a pause: answers to requests sent before the 429 prove nothing.
   * A learned spacing shrinks a little with each success, so the pace creeps back up if the limit was lifted.
   */
  succeeded(now: number): void {
    this.successes++
    if (now < this.pausedUntil) return
    this.allowed = Math.min(this.ceiling, this.allowed + (this.everLimited ? 0.5 : 1) / this.limit)
    this.learnedMs *= LEARNED_SPACING_DECAY
  }

  /** The provider's announced window: at most `limit` requests per `intervalMs`. */
  window(limit: number, intervalMs: number): void {
    this.announcedMs = intervalMs / limit
  }
}

/**
 * The run's average includes its pauses, so it understates what the provider allows: aim that much higher.
 * Chosen on simulated fixed-window limiters (1 s and 60 s windows), where it keeps 429s near one in ten.
 */
const LEARNED_PACE_FACTOR = 0.6
/**
 * A learned pace never drops below one request a second: slow answers (timeouts, say) before a 429 would
 * otherwise make the run's average, and so the pace, absurdly slow.
 */
const MAX_LEARNED_SPACING_MS = 1000
/** Per success: about 10 % faster every 50 successes until the provider says otherwise. */
const LEARNED_SPACING_DECAY = 0.998
