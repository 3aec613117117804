/**
 * The CDN stage (purge-cdn): where given files are served, asked before they are deleted; then a purge for what was
 * deleted, and, with `wait`, ImageKit's word that each purge is completed. Every request goes through the engine the
 * deletes use (callEach): the run's pacer and transport, retries, rate-limit pauses, time limits and cancellation.
 */
import { CDN_STATUS_SPACING_MS, CDN_WAIT_MS, MAX_CDN_STATUS_SPACING_MS } from '../settings/constants.js'
import { callEach, type Called } from '../engine/calls.js'
import { cancellation } from '../transport/abort.js'
import { type PurgeOptions, type PurgeResult } from '../engine/purge.js'
import { realClock, type Clock } from '../engine/pacing.js'
import { onAbort } from '../transport/abort.js'
import type { CdnFile, ClassifiedAnswer, HttpAnswer, ProviderCdn, RequestContext } from '../providers/types.js'
import type { PurgePlan, PurgeTarget } from './plan.js'

/** What the report says of one deleted file's cache (its entry's `cdn`). */
export interface CdnOutcome {
  /** What the purge named: the file's URL, or its folder's, with `*` where allowed; null when none could. */
  url: string | null
  requestId: string | null
  /** planned: a dry run; submitted: ImageKit took the purge; completed: ImageKit says it is done; failed. */
  status: 'planned' | 'submitted' | 'completed' | 'failed'
  reason: string | null
}

/** How the stage's requests go out: the engine's options, less what each call sets. */
export type CdnSession = Omit<PurgeOptions, 'ids' | 'request' | 'classify' | 'bulk' | 'onResult' | 'onSend'> & {
  cdn: ProviderCdn
  context: RequestContext
  /** The provider's reading of answers other than a 2xx. */
  classify: (answer: HttpAnswer, now: number, key: string) => ClassifiedAnswer
}

export interface Requests {
  details: number
  purges: number
  statuses: number
}

/** The requests a call made and how it ended, added to the run's. */
export type Sent = Pick<PurgeResult, 'requests' | 'rateLimitedAnswers' | 'credentialsRejected' | 'halted'>

/**
 * Asks where each of `ids` is served. `onCalled` gets each ID's details, or that it does not exist (the ID is then
 * missing and nothing is deleted), or why they could not be read.
 */
export function lookUp(
  ids: readonly string[],
  session: CdnSession,
  onCalled: (called: Called<CdnFile>, index: number) => void
): Promise<PurgeResult> {
  const { cdn, context, ...engine } = session
  return callEach({
    ...engine,
    keys: ids,
    request: id => cdn.details(id, context),
    read: (answer, id) => cdn.readDetails(answer, id),
    onCalled
  })
}

/** Each file's outcome from its purge's: the target it is covered by names it. */
function outcomesOf(plan: PurgePlan, of: (target: PurgeTarget) => Omit<CdnOutcome, 'url'>): Map<string, CdnOutcome> {
  const outcomes = new Map<string, CdnOutcome>()
  for (const { id, reason } of plan.unaddressed)
    outcomes.set(id, { url: null, requestId: null, status: 'failed', reason: `not purged: ${reason}` })
  for (const target of plan.targets) {
    const outcome = { url: target.url, ...of(target) }
    for (const id of target.ids) outcomes.set(id, outcome)
  }
  return outcomes
}

/** A dry run: what each file's purge would name, nothing sent. */
export function plannedOutcomes(plan: PurgePlan): Map<string, CdnOutcome> {
  return outcomesOf(plan, () => ({ requestId: null, status: 'planned', reason: null }))
}

/** Every file of the plan not purged, for `why` (the run stopped before its purges). */
export function notPurged(plan: PurgePlan, why: string): Map<string, CdnOutcome> {
  return outcomesOf(plan, () => ({ requestId: null, status: 'failed', reason: `not purged: ${why}` }))
}

export interface Purged {
  outcomes: Map<string, CdnOutcome>
  requests: Pick<Requests, 'purges' | 'statuses'>
  sent: Sent
}

/** Sends the plan's purges and, with `wait`, waits for ImageKit to say each is completed. */
export async function purgeAll(plan: PurgePlan, session: CdnSession, wait: boolean): Promise<Purged> {
  const { cdn, context, ...engine } = session
  const submitted = new Map<string, { requestId: string } | { reason: string }>()
  const urls = plan.targets.map(target => target.url)
  const purges = await callEach({
    ...engine,
    keys: urls,
    request: url => cdn.purge(url, context),
    read: answer => cdn.readPurge(answer),
    onCalled: (called, index) =>
      submitted.set(urls[index] as string, called.kind === 'read' ? called.value : { reason: called.reason })
  })
  const requestIds = [...new Set([...submitted.values()].flatMap(s => ('requestId' in s ? [s.requestId] : [])))]
  const waited = wait ? await awaitCompletion(requestIds, session) : undefined
  const outcomes = outcomesOf(plan, target => {
    const purge = submitted.get(target.url) ?? { reason: 'not sent' }
    if ('reason' in purge) return { requestId: null, status: 'failed', reason: purge.reason }
    const done = waited?.done.get(purge.requestId)
    if (done === undefined) return { requestId: purge.requestId, status: 'submitted', reason: null }
    return done === true
      ? { requestId: purge.requestId, status: 'completed', reason: null }
      : { requestId: purge.requestId, status: 'failed', reason: done }
  })
  const statuses = waited?.sent
  return {
    outcomes,
    requests: { purges: purges.requests, statuses: statuses?.requests ?? 0 },
    sent: {
      requests: purges.requests + (statuses?.requests ?? 0),
      rateLimitedAnswers: purges.rateLimitedAnswers + (statuses?.rateLimitedAnswers ?? 0),
      credentialsRejected: false,
      halted: engine.signal?.aborted ? cancellation(engine.signal) : null
    }
  }
}

/**
 * Asks how each purge stands, in rounds, until each is completed or CDN_WAIT_MS have passed since the first: a
 * round starts CDN_STATUS_SPACING_MS after the last one ended at least, and the spacing doubles up to
 * MAX_CDN_STATUS_SPACING_MS. `done` holds true for a completed purge, else why it is not known to be.
 */
async function awaitCompletion(
  requestIds: readonly string[],
  session: CdnSession
): Promise<{ done: Map<string, true | string>; sent: Sent }> {
  const clock = session.clock ?? realClock
  const deadline = clock.now() + CDN_WAIT_MS
  const done = new Map<string, true | string>()
  const sent: Sent = { requests: 0, rateLimitedAnswers: 0, credentialsRejected: false, halted: null }
  let pending = [...requestIds]
  for (let spacing = CDN_STATUS_SPACING_MS; pending.length > 0;) {
    const round = await statusRound(pending, session, deadline)
    sent.requests += round.sent.requests
    sent.rateLimitedAnswers += round.sent.rateLimitedAnswers
    for (const [requestId, outcome] of round.done) done.set(requestId, outcome)
    pending = pending.filter(requestId => !done.has(requestId))
    // A round starts far enough from the deadline for its answers to come, and never sooner than the spacing allows.
    const wait = Math.min(spacing, deadline - clock.now() - LAST_ROUND_MS)
    if (pending.length === 0 || session.signal?.aborted || wait < CDN_STATUS_SPACING_MS) break
    await sleep(clock, wait, session.signal)
    spacing = Math.min(spacing * 2, MAX_CDN_STATUS_SPACING_MS)
  }
  const why = session.signal?.aborted ? `not confirmed: ${cancellation(session.signal)}` : notCompleted()
  for (const requestId of pending) done.set(requestId, why)
  return { done, sent }
}

/** The last round of status requests starts at least this long before the deadline. */
const LAST_ROUND_MS = 1000

const notCompleted = (): string => `not completed within ${CDN_WAIT_MS / 1000} s`

/** One status request per pending purge, cut off at the deadline (or when the run is cancelled). */
async function statusRound(
  pending: readonly string[],
  session: CdnSession,
  deadline: number
): Promise<{ done: Map<string, true | string>; sent: Sent }> {
  const { cdn, context, signal, ...engine } = session
  const clock = session.clock ?? realClock
  const stop = new AbortController()
  const timer = clock.setTimeout(() => stop.abort('the wait is over'), Math.max(0, deadline - clock.now()))
  if (signal?.aborted) stop.abort(signal.reason)
  const off = signal && !signal.aborted ? onAbort(signal, () => stop.abort(signal.reason)) : undefined
  const done = new Map<string, true | string>()
  const result = await callEach({
    ...engine,
    keys: pending,
    signal: stop.signal,
    cancelGraceMs: 0,
    request: requestId => cdn.status(requestId, context),
    read: answer => cdn.readStatus(answer),
    onCalled: (called, index) => {
      const requestId = pending[index] as string
      if (called.kind === 'read' && called.value.completed) done.set(requestId, true)
      else if (called.kind !== 'read' && !stop.signal.aborted) done.set(requestId, `status: ${called.reason}`)
    }
  })
  clock.clearTimeout(timer)
  off?.()
  return { done, sent: result }
}

/** A wait on the run's clock that a cancellation ends early. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise(resolve => {
    const timer = clock.setTimeout(() => {
      off?.()
      resolve()
    }, ms)
    const off = signal
      ? onAbort(signal, () => {
          clock.clearTimeout(timer)
          resolve()
        })
      : undefined
  })
}
