import { FRESH_BUDGET, type Budget } from './decide.js'
import type { Clock, Pacer } from './pacing.js'
import { Queue } from './queue.js'

/** One request's worth of work: a single ID, or a chunk for the bulk endpoint. */
export interface Unit {
  /** Positions of its IDs in the run's list. */
  indexes: number[]
  bulk: boolean
  /** Requests this unit sent. */
  attempts: number
  budget: Budget
  /** Definite answers the pool had seen when this unit's last attempt started. */
  progressMark: number
  timer?: unknown
  /** Why a bulk answer said it did not delete this unit's ID: its one DELETE, failing, fails with this reason. */
  refusedBy?: string
}

/** A unit of these IDs; one made from another inherits its budget. */
export function unitOf(indexes: number[], bulk: boolean, from?: Unit): Unit {
  return { indexes, bulk, attempts: 0, budget: from?.budget ?? FRESH_BUDGET, progressMark: 0 }
}

export interface SchedulerOptions {
  /** IDs in the run. */
  total: number
  /** IDs per fresh unit: the bulk endpoint's maximum, or 1. */
  chunkSize: number
  pacer: Pacer
  clock: Clock
  /** Sends one unit; called with the time it starts. */
  launch: (unit: Unit, now: number) => void
}

/**
 * The queues, the pump and the timers: which unit goes next and when. Retries whose wait is over go first, then
 * IDs not yet tried, then units a 429 sent back; a unit waiting out its backoff holds no slot, so nothing queues
 * behind it. How fast is the shared pacer's to say.
 */
export class Scheduler {
  /** Retries whose wait is over, and units resent from part of another. */
  private readonly due = new Queue<Unit>()
  /** Behind fresh IDs, so the probe after a pause is not always the unit the provider keeps refusing. */
  private readonly parked = new Queue<Unit>()
  private readonly waiting = new Set<Unit>()
  private nextFresh = 0
  private inFlight = 0
  private stopped = false
  private pumpTimer: unknown
  private pumpAt = Infinity

  constructor(private readonly options: SchedulerOptions) {}

  /** Requests in flight now. */
  get sending(): number {
    return this.inFlight
  }

  /** Starts as many units as the pacer allows now, and arms a timer for when it allows the next. */
  pump(): void {
    const { pacer, clock } = this.options
    while (!this.stopped && this.inFlight < pacer.limit && this.hasWork()) {
      const now = clock.now()
      const startAt = pacer.startAt(now)
      if (startAt > now) {
        this.armPump(startAt - now)
        break
      }
      const unit = this.take() as Unit
      pacer.started(now)
      this.inFlight++
      this.options.launch(unit, now)
    }
  }

  /** An answer (or a transport error) arrived for a unit in flight. */
  landed(): void {
    this.inFlight--
  }

  /** Sends the unit as soon as a slot is free. */
  requeue(unit: Unit): void {
    this.due.push(unit)
  }

  /** Sends the unit again once `ms` have passed. */
  retryAfter(unit: Unit, ms: number): void {
    this.waiting.add(unit)
    unit.timer = this.options.clock.setTimeout(() => {
      this.waiting.delete(unit)
      this.due.push(unit)
      this.pump()
    }, ms)
  }

  /** Sends the unit again after the pacer's pause, behind fresh IDs. */
  park(unit: Unit): void {
    this.parked.push(unit)
  }

  /**
   * Starts nothing more. Returns every unit not in flight (waiting, due or parked) and the positions of the IDs
   * never sent, for the caller to settle.
   */
  stop(): { units: Unit[]; fresh: number[] } {
    this.stopped = true
    const units = [...this.waiting]
    for (const unit of units) this.options.clock.clearTimeout(unit.timer)
    this.waiting.clear()
    units.push(...this.due.drain(), ...this.parked.drain())
    const fresh: number[] = []
    for (; this.nextFresh < this.options.total; this.nextFresh++) fresh.push(this.nextFresh)
    return { units, fresh }
  }

  /** Drops the pump's timer: the run is over. */
  close(): void {
    if (this.pumpTimer !== undefined) this.options.clock.clearTimeout(this.pumpTimer)
    this.pumpTimer = undefined
  }

  private hasWork(): boolean {
    return this.due.size > 0 || this.nextFresh < this.options.total || this.parked.size > 0
  }

  private take(): Unit | undefined {
    if (this.due.size > 0) return this.due.shift()
    if (this.nextFresh < this.options.total) return this.freshUnit()
    return this.parked.shift()
  }

  private freshUnit(): Unit {
    const size = Math.min(this.options.chunkSize, this.options.total - this.nextFresh)
    const indexes = Array.from({ length: size }, (_, i) => this.nextFresh + i)
    this.nextFresh += size
    return unitOf(indexes, size > 1)
  }

  private armPump(ms: number): void {
    const { clock } = this.options
    const at = clock.now() + ms
    if (this.pumpTimer !== undefined && this.pumpAt <= at) return
    if (this.pumpTimer !== undefined) clock.clearTimeout(this.pumpTimer)
    this.pumpAt = at
    this.pumpTimer = clock.setTimeout(() => {
      this.pumpTimer = undefined
      this.pumpAt = Infinity
      this.pump()
    }, ms)
  }
}
