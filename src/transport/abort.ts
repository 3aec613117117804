/**
 * One listener per AbortSignal however many requests wait on it, each request in a slot it clears when it ends.
 *
 * Why not `addEventListener` per request: a signal's listeners are a linked list, and a removed listener still
 * points at its neighbours. Once the garbage collector has moved one of them to the old generation, that dead node
 * keeps the next request's closure, and with it the whole request, alive through every young collection until the
 * next full one. At thousands of requests a second that moved tens of megabytes a minute into the old generation and
 * made the heap grow to several times what the run holds. A slot that is cleared references nothing.
 */
class Fanout {
  private readonly slots: Array<(() => void) | undefined> = []
  private readonly free: number[] = []

  constructor(signal: AbortSignal) {
    signal.addEventListener('abort', () => this.fire(), { once: true })
  }

  add(callback: () => void): number {
    const slot = this.free.pop() ?? this.slots.length
    this.slots[slot] = callback
    return slot
  }

  remove(slot: number): void {
    this.slots[slot] = undefined
    this.free.push(slot)
  }

  private fire(): void {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const callback = this.slots[slot]
      if (callback === undefined) continue
      this.remove(slot)
      callback()
    }
  }
}

const fanouts = new WeakMap<AbortSignal, Fanout>()

/**
 * Calls `callback` once when `signal` aborts, unless the returned function was called first. The signal must not have
 * aborted yet: check `signal.aborted` before.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let fanout = fanouts.get(signal)
  if (fanout === undefined) {
    fanout = new Fanout(signal)
    fanouts.set(signal, fanout)
  }
  const owner = fanout
  let slot = owner.add(() => {
    slot = -1
    callback()
  })
  return () => {
    if (slot >= 0) owner.remove(slot)
    slot = -1
  }
}

/** How long requests in flight may still answer once the run is cancelled: well inside the runner's 7.5 s. */
export const CANCEL_GRACE_MS = 3000

/** "cancelled (SIGTERM)": what a cancelled run says, naming the signal when the shell gave it as the reason. */
export function cancellation(signal: AbortSignal): string {
  const by: unknown = signal.reason
  return `cancelled${typeof by === 'string' && by !== '' ? ` (${by})` : ''}`
}
