/**
 * The engine's rules, as pure functions: what one answer means for the request (unit) that got it. No clock, no
 * timers, no state of their own: the scheduler and the ledger carry out what these decide.
 */
import type { TransportError } from '../transport/errors.js'
import type { BulkClassification, Classification } from '../providers/types.js'
import { OUTCOME_UNKNOWN, type Outcome } from './outcome.js'
import { backoffMs, DEFAULT_BACKOFF, rateLimitPauseMs, type BackoffPolicy } from './pacing.js'

/** A 429 never uses up a unit's retries; this bounds how often one unit may be refused all the same. */
export const MAX_RATE_LIMITED_ATTEMPTS = 20

/**
 * What a unit has used up. A unit made from another (the rest of a chunk, or its IDs one by one) inherits it: a
 * resend is no fresh start for the retry and rate-limit bounds.
 */
export interface Budget {
  /** Attempts that used up the retry budget (429s do not). */
  retriesUsed: number
  /** Attempts the provider refused with a 429. */
  rateLimited: number
  /** The reason of the last answer worth retrying, for an ID the stopped run will not send again. */
  lastReason: string
}

export const FRESH_BUDGET: Budget = { retriesUsed: 0, rateLimited: 0, lastReason: '' }

/** The unit an answer is for, as far as the rules need it. */
export interface UnitView {
  /** Requests this unit sent, the one answered included. */
  attempts: number
  bulk: boolean
  budget: Budget
}

/** What the run knows when the answer arrives. */
export interface RunView {
  now: number
  /** Why the run stopped starting requests, once it has. */
  stopReason: string | undefined
  /** No definite answer reached the pool since this unit's attempt started. */
  stalled: boolean
  /** When a definite answer last reached the pool. */
  lastProgressAt: number
  /** Pauses in a row that found nothing but 429s. */
  stalledPauses: number
}

/** The run's fixed settings that the rules read. */
export interface Rules {
  maxRetries: number
  backoff: BackoffPolicy
  /** Nothing but 429s for longer than this stops the run. */
  stallLimitMs: number
  random: () => number
}

export type Decision =
  /** Every ID of the unit ends so. */
  | { kind: 'settle'; outcome: Outcome; reason: string | null }
  /** Every ID of the unit was not found: missing, or deleted when one of our own earlier attempts got no answer. */
  | { kind: 'not-found'; reason: string }
  /**
   * A bulk answer: the IDs it lists are deleted; those it `refused` were not, and get one single DELETE each (failing
   * with the bulk answer's reason unless it settles them); the rest may have been deleted, and go one by one.
   */
  | { kind: 'bulk-deleted'; deleted: ReadonlySet<string>; refused: ReadonlyMap<string, string> }
  /** A bulk answer: the IDs it lists do not exist and nothing was deleted; the rest go again as a new chunk. */
  | { kind: 'bulk-missing'; missing: ReadonlySet<string>; reason: string }
  /** The bulk call cannot serve this chunk: its IDs go one by one. */
  | { kind: 'fall-back'; reason: string }
  /** Send the unit again after `afterMs`. */
  | { kind: 'retry'; afterMs: number }
  /** A rate limit: the whole pool waits `waitMs`, then the unit goes again. */
  | { kind: 'park'; waitMs: number; hinted: boolean }
  /** The run has stopped: the unit is not sent again. */
  | { kind: 'abandon' }
  /**
   * The unit's IDs fail with `unitReason` and the run stops starting requests, for `reason`. `fatal`: the run could
   * not do its work at all (the step fails whatever fail-on says).
   */
  | { kind: 'stop'; reason: string; unitReason: string; credentialsRejected: boolean; fatal?: boolean }

export interface Ruling {
  decision: Decision
  /** The unit's budget after this answer. */
  budget: Budget
  /** The answer leaves open whether the request deleted what it named (a timeout, a 5xx). */
  unanswered: boolean
}

/** What the transport's failures mean, besides the retryable ones (timeouts, connection errors). */
export type TransportClassification =
  /** It will not fix itself (an untrusted certificate, a proxy refusing): the run stops. */
  | { kind: 'fatal'; reason: string }
  /** The run was cancelled while the request waited for its answer: it may have done its work. */
  | { kind: 'cut-off'; reason: string }

/** Everything an attempt can end in. */
export type AnyClassification = Classification | BulkClassification | TransportClassification
type RetryClassification = Extract<Classification, { kind: 'retry' }>

/** Whether an answer is a definite one: everything but a 429 tells the pool that requests get through. */
export function isProgress(classification: AnyClassification): boolean {
  return !(classification.kind === 'retry' && classification.rateLimited)
}

/** Whether an answer means the provider is taking requests, so the pool may grow again. */
export function isSuccess(classification: AnyClassification): boolean {
  return classification.kind === 'deleted' || classification.kind === 'missing'
}

/** The one decision an answer leads to. */
export function decide(classification: AnyClassification, unit: UnitView, run: RunView, rules: Rules): Ruling {
  const keep = (decision: Decision, unanswered = false): Ruling => ({ decision, budget: unit.budget, unanswered })
  switch (classification.kind) {
    case 'deleted':
      return keep(
        'unconfirmed' in classification
          ? {
              kind: 'bulk-deleted',
              deleted: new Set(classification.deleted),
              refused: new Map(classification.refused.map(({ id, reason }) => [id, reason]))
            }
          : settled('deleted', null)
      )
    case 'missing':
      return keep(
        'missing' in classification
          ? { kind: 'bulk-missing', missing: new Set(classification.missing), reason: classification.reason }
          : { kind: 'not-found', reason: classification.reason }
      )
    case 'fallback':
      return keep({ kind: 'fall-back', reason: classification.reason }, classification.unanswered)
    case 'failed':
      return keep(settled('failed', classification.reason))
    case 'credentials-rejected':
      return keep(stopRun('credentials rejected', `credentials rejected: ${classification.reason}`, true))
    case 'fatal':
      return keep(stopRun(classification.reason, classification.reason, false, true))
    case 'cut-off':
      return keep(settled('failed', classification.reason), true)
    case 'retry':
      return decideRetry(classification, unit, run, rules)
  }
}

function settled(outcome: Outcome, reason: string | null): Decision {
  return { kind: 'settle', outcome, reason }
}

function stopRun(reason: string, unitReason: string, credentialsRejected = false, fatal = false): Decision {
  return { kind: 'stop', reason, unitReason, credentialsRejected, ...(fatal ? { fatal } : {}) }
}

function attemptsText(attempts: number): string {
  return `${attempts} attempt${attempts === 1 ? '' : 's'}`
}

/** An answer worth another attempt: retried, parked on a rate limit, or given up on. */
function decideRetry(classification: RetryClassification, unit: UnitView, run: RunView, rules: Rules): Ruling {
  const { reason, waitMs, rateLimited, unanswered } = classification
  const budget = { ...unit.budget, lastReason: reason }
  const rule = (decision: Decision, next = budget): Ruling => ({ decision, budget: next, unanswered })
  if (run.stopReason !== undefined) return rule({ kind: 'abandon' })
  const { maxHintMs } = rules.backoff
  if (waitMs !== undefined && waitMs > maxHintMs) {
    const asked = `the provider asks to wait ${Math.ceil(waitMs / 1000)} s, longer than the ${maxHintMs / 1000} s this action waits`
    // A rate limit holds for every request: sending the rest into it would only fail them one by one.
    return rule(
      rateLimited ? stopRun(`rate limited: ${asked}`, `${reason}; ${asked}`) : settled('failed', `${reason}; ${asked}`)
    )
  }
  const given = `${reason} (${attemptsText(unit.attempts)})`
  if (rateLimited) {
    // A 429 uses up no retry: waiting out a rate limit is not a failure. The pool's stall limit bounds it.
    const next = { ...budget, rateLimited: budget.rateLimited + 1 }
    // Drawn before the bounds below are checked, so a seeded run draws the same numbers whichever way it ends.
    const wait = waitMs ?? rateLimitPauseMs(rules.backoff, run.stalledPauses + 1, rules.random)
    if (next.rateLimited >= MAX_RATE_LIMITED_ATTEMPTS) return rule(settled('failed', given), next)
    // Nothing but 429s for longer than the retries could ever wait: the provider is letting nothing through.
    const silentMs = run.now - run.lastProgressAt
    if (run.stalled && silentMs > rules.stallLimitMs) {
      return rule(stopRun(`rate limited: nothing got through for ${Math.round(silentMs / 1000)} s`, given), next)
    }
    return rule({ kind: 'park', waitMs: wait, hinted: waitMs !== undefined }, next)
  }
  const next = { ...budget, retriesUsed: budget.retriesUsed + 1 }
  if (next.retriesUsed > rules.maxRetries) {
    // The bulk call itself may be what is broken: its IDs get their own chances one by one.
    return rule(unit.bulk ? { kind: 'fall-back', reason: given } : settled('failed', given), next)
  }
  return rule({ kind: 'retry', afterMs: waitMs ?? backoffMs(rules.backoff, next.retriesUsed, rules.random) }, next)
}

/**
 * What a request that got no answer means: a timeout or a connection error is worth retrying (it may have done its
 * work); a refused tunnel was never sent; a TLS or proxy problem that will not fix itself stops the run; a request
 * cut off by cancellation may have done its work, and nobody will know.
 */
export function transportClassification(error: TransportError): AnyClassification {
  if (error.fatal) return { kind: 'fatal', reason: error.message }
  if (error.kind === 'cancelled') return { kind: 'cut-off', reason: `${error.message}; ${OUTCOME_UNKNOWN}` }
  return { kind: 'retry', reason: error.message, rateLimited: false, unanswered: error.kind !== 'proxy' }
}

/** The rules one run's requests are decided by, the listing's and the deletes' alike. */
export function rulesFor(options: { maxRetries: number; backoff?: BackoffPolicy; random?: () => number }): Rules {
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  // The longest all retries of one request could wait, and never less than one wait a provider may ask for: past
  // it, a run that hears only 429s stops.
  const stallLimitMs = Math.max(backoff.maxHintMs, (options.maxRetries + 1) * backoff.capMs)
  return { maxRetries: options.maxRetries, backoff, stallLimitMs, random: options.random ?? Math.random }
}
