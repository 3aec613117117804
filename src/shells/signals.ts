import { CANCEL_GRACE_MS } from '../transport/abort.js'

/** The signals a runner (and a terminal's Ctrl-C) stops a step with. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

export interface Cancellation {
  /** Aborted on the first stop signal; its reason is the signal's name. */
  readonly signal: AbortSignal
  /**
   * What to write, synchronously, when a second signal ends the process at once (undefined: nothing): what the run
   * knows by then, so that a user who stops it twice still learns what it did.
   */
  atSecondSignal(write: ((signal: StopSignal) => void) | undefined): void
  /** Stops listening: the run is over. */
  dispose(): void
}

/**
 * Turns the runner's stop sequence (SIGINT, then SIGTERM 7.5 s later, then SIGKILL) into cancellation: the first
 * SIGINT or SIGTERM aborts the run's signal, so that it starts nothing new, lets the requests in flight answer for
 * a few seconds and reports what became of every ID; a second one exits at once with `exitCode`, after what is
 * already written and what `atSecondSignal`'s writer writes.
 */
export function cancelOnSignals(
  notice: (line: string) => void,
  exitCode: (signal: StopSignal) => number
): Cancellation {
  const controller = new AbortController()
  let lastWords: ((signal: StopSignal) => void) | undefined
  const onSignal = (signal: StopSignal): void => {
    if (controller.signal.aborted) {
      try {
        lastWords?.(signal)
      } finally {
        process.exit(exitCode(signal))
      }
    }
    notice(
      `received ${signal}: cancelling; no new request starts, those in flight get up to ${CANCEL_GRACE_MS / 1000} s to answer, then every ID is reported (a second signal stops at once)`
    )
    controller.abort(signal)
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  return {
    signal: controller.signal,
    atSecondSignal: write => void (lastWords = write),
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
    }
  }
}
