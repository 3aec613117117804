import type { RateLimit } from './types.js'

export interface RateHint {
  limit: number
  intervalMs: number
  /** Milliseconds until requests are accepted again. */
  resetMs: number
}

/** Fixed-window counter over every request, windows aligned to the emulator's start. */
export class FixedWindow {
  private window = -1
  private count = 0

  constructor(private readonly rate: RateLimit) {
    if (!(rate.limit >= 0) || !(rate.intervalMs > 0)) {
      throw new RangeError(`invalid rateLimit ${JSON.stringify(rate)}`)
    }
  }

  /** Counts one request at `elapsedMs`; returns the hint when it is over the limit. */
  hit(elapsedMs: number): RateHint | undefined {
    const window = Math.floor(elapsedMs / this.rate.intervalMs)
    if (window !== this.window) {
      this.window = window
      this.count = 0
    }
    this.count += 1
    return this.count > this.rate.limit ? this.hint(elapsedMs) : undefined
  }

  hint(elapsedMs: number): RateHint {
    const { limit, intervalMs } = this.rate
    const windowEnd = (Math.floor(elapsedMs / intervalMs) + 1) * intervalMs
    return { limit, intervalMs, resetMs: Math.max(1, Math.ceil(windowEnd - elapsedMs)) }
  }
}
