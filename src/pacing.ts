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
 * One pacer shared by every request of a run: a rate-limit answer pauses all of them and halves how many
 * may be in flight; successes raise it again by about one per round trip (AIMD); a provider's announced
 * window spaces request starts evenly.
 */
export class Pacer {
  private allowed: number
  private pausedUntil = 0
  private nextStart = 0
  private spacingMs = 0

  constructor(private readonly ceiling: number) {
    this.allowed = ceiling
  }

  /** How many requests may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.allowed))
  }

  /** When the next request may start (ms timestamp); not before now. */
  startAt(now: number): number {
    return Math.max(now, this.pausedUntil, this.nextStart)
  }

  /** Records a request start, for even spacing. */
  started(now: number): void {
    if (this.spacingMs > 0) this.nextStart = Math.max(now, this.nextStart) + this.spacingMs
  }

  /** A 429: pause everyone until now + waitMs. Returns whether this opened a new pause (not one already running). */
  rateLimited(now: number, waitMs: number): boolean {
    const fresh = now >= this.pausedUntil
    if (fresh) this.allowed = Math.max(1, this.allowed / 2)
    this.pausedUntil = Math.max(this.pausedUntil, now + waitMs)
    return fresh
  }

  /** A success raises the limit, but not during a pause: answers to requests sent before the 429 prove nothing. */
  succeeded(now: number): void {
    if (now < this.pausedUntil) return
    this.allowed = Math.min(this.ceiling, this.allowed + 1 / this.limit)
  }

  /** The provider's announced window: at most `limit` requests per `intervalMs`. */
  window(limit: number, intervalMs: number): void {
    this.spacingMs = intervalMs / limit
  }
}
