/**
 * A run with purge-cdn, from the planned IDs to what became of each and of its cache: the details of the files whose
 * URL the listing did not give, the deletes of those whose URL is known, then the purges of what was deleted.
 */
import type { IdResult } from '../engine/outcome.js'
import { cancellation } from '../transport/abort.js'
import { type PurgeResult } from '../engine/purge.js'
import type { RunPlan } from '../selection/policy.js'
import type { CdnFailure, CdnReport } from '../report/report.js'
import type { Tally } from '../report/tally.js'
import { count } from '../text.js'
import { cdnWarnings, type CdnRun } from './run.js'
import type { CdnSession, Sent } from './stage.js'

export interface CdnFlow {
  plan: RunPlan
  cdn: CdnRun
  session: CdnSession
  tally: Pick<Tally, 'ids'>
  /** Records what became of planned[index] when no delete was sent for it. */
  settle: (index: number, result: IdResult) => void
  /** Deletes planned[index] for each of `indexes`, recording each result. */
  deletes: (indexes: readonly number[]) => Promise<PurgeResult>
  signal: AbortSignal | undefined
  info: (line: string) => void
  warn: (line: string) => void
  /** One line per purge. */
  line: (line: string) => void
}

const NOTHING: Sent = { requests: 0, rateLimitedAnswers: 0, credentialsRejected: false, halted: null }

/** Two stages' requests and stops as one. */
export function together(a: Sent, b: Sent): PurgeResult {
  return {
    requests: a.requests + b.requests,
    rateLimitedAnswers: a.rateLimitedAnswers + b.rateLimitedAnswers,
    credentialsRejected: a.credentialsRejected || b.credentialsRejected,
    halted: a.halted ?? b.halted
  }
}

/** Why the run stopped, if it did: nothing more is sent then. */
function stopped(result: Sent, signal: AbortSignal | undefined): string | undefined {
  if (result.credentialsRejected) return 'credentials rejected'
  return result.halted ?? (signal?.aborted ? cancellation(signal) : undefined)
}

/** Details first (where the URL is not known), then the deletes, then the purges of what was deleted. */
export async function deleteAndPurge(
  flow: CdnFlow
): Promise<{ result: PurgeResult; cdn: { report: CdnReport; failed: CdnFailure[] } }> {
  const { plan, cdn, session } = flow
  const unknown = cdn.unknown(plan.planned)
  let details = NOTHING
  if (unknown.length > 0) {
    flow.info(
      `purge-cdn: asking ${plan.provider.name} where ${count(unknown.length, 'given file')} ${unknown.length === 1 ? 'is' : 'are'} served (file details), before deleting`
    )
    details = await cdn.lookUp(plan.planned, unknown, session, flow.settle)
  }
  const known = plan.planned.flatMap((id, index) => (cdn.knows(id) ? [index] : []))
  const early = stopped(details, flow.signal)
  if (early !== undefined) {
    for (const index of known)
      flow.settle(index, {
        id: plan.planned[index] as string,
        outcome: 'failed',
        httpStatus: null,
        reason: `not attempted: ${early}`,
        attempts: 0,
        ms: 0
      })
  }
  const result = together(details, early === undefined ? await flow.deletes(known) : NOTHING)
  const deleted = flow.tally.ids('deleted')
  const stop = stopped(result, flow.signal)
  if (deleted.length > 0 && stop === undefined)
    flow.info(`purge-cdn: purging the CDN cache of ${count(deleted.length, 'deleted file')}`)
  const purged = deleted.length === 0 ? undefined : await cdn.purge(deleted, session, stop)
  for (const line of cdn.lines()) flow.line(line)
  cdn.release()
  const failed = cdn.failures(deleted)
  for (const line of cdnWarnings(failed)) flow.warn(line)
  const all = together(result, purged ?? NOTHING)
  // A cancellation that came between two stages stopped the run as surely as one that cut a request off.
  const cancelled = flow.signal?.aborted && !all.credentialsRejected ? cancellation(flow.signal) : null
  return { result: { ...all, halted: all.halted ?? cancelled }, cdn: { report: cdn.report(deleted), failed } }
}
