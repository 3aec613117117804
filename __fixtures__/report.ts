import { verdict } from '../src/policy.js'
import type { IdResult } from '../src/engine/purge.js'
import type { RunContext } from '../src/context.js'
import { buildReport, type Report, type ReportInput } from '../src/report.js'

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

/** A report of an ImageKit run over these results, its verdict as the default fail-on would give it. */
export function reportOf(results: IdResult[], extra: Partial<ReportInput> = {}): Report {
  return buildReport({
    provider: 'imagekit',
    baseUrl: new URL('https://api.imagekit.io'),
    dryRun: false,
    failOn: { failed: true, missing: false },
    proxy: null,
    shard: null,
    startedAt: new Date('2026-01-01T00:00:00Z'),
    endedAt: new Date('2026-01-01T00:00:01Z'),
    context: runContext,
    verdict: verdict(
      { results, credentialsRejected: false, halted: null, requests: results.length, rateLimitedAnswers: 0 },
      { failed: true, missing: false }
    ),
    violations: [],
    planned: results.map(r => r.id),
    results,
    requests: results.length,
    rateLimitedAnswers: 0,
    ...extra
  })
}
