import { verdict } from '../src/report/verdict.js'
import type { IdResult } from '../src/engine/outcome.js'
import type { RunContext } from '../src/settings/context.js'
import { buildReport, type Report, type ReportInput, type RunReport } from '../src/report/report.js'
import { Tally, type ReportEntry } from '../src/report/tally.js'

export const runContext: RunContext = {
  repository: 'o/r',
  workflow: 'purge',
  runId: 7,
  runAttempt: 1,
  actor: 'me',
  eventName: 'push',
  ref: 'refs/heads/main',
  sha: 'abc',
  pullRequest: null,
  runUrl: null
}

/** One ID's result, deleted with a 204 unless told otherwise. */
export const idResult = (
  id: string,
  outcome: IdResult['outcome'],
  reason: string | null = null,
  httpStatus: number | null = 204
): IdResult => ({
  id,
  outcome,
  httpStatus,
  reason,
  attempts: 1,
  ms: 5
})

/** The tally of these results, as a run over exactly these IDs would keep it, and the entries it wrote. */
export function tallyOf(
  results: readonly IdResult[],
  planned = results.map(r => r.id)
): {
  tally: Tally
  entries: ReportEntry[]
} {
  const entries: ReportEntry[] = []
  const tally = new Tally(
    planned,
    () => ({ source: 'input', name: null, createdAt: null }),
    entry => entries.push(entry)
  )
  results.forEach((result, index) => tally.record(index, result))
  return { tally, entries }
}

/**
 * A report of an ImageKit run over these results (in a dry run, over `planned`), its verdict as the default fail-on
 * would give it, with the entries its file would hold.
 */
export function reportOf(
  results: IdResult[],
  extra: Partial<Omit<ReportInput, 'tally'>> & { planned?: string[] } = {}
): RunReport & Pick<Report, 'entries'> {
  const { planned, ...input } = extra
  const { tally, entries } = tallyOf(results, planned ?? results.map(r => r.id))
  if (extra.dryRun) tally.recordPlanned()
  const report = buildReport({
    provider: 'imagekit',
    baseUrl: new URL('https://api.imagekit.io'),
    dryRun: false,
    failOn: { failed: true, missing: false },
    proxy: null,
    shard: null,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    endedAt: new Date('2026-01-01T00:00:01Z'),
    context: runContext,
    verdict: verdict({ credentialsRejected: false, halted: null }, tally, { failed: true, missing: false }),
    violations: [],
    tally,
    requests: results.length,
    rateLimitedAnswers: 0,
    ...input
  })
  return { ...report, entries }
}
