import { MAX_ID_ANNOTATIONS, MAX_LIST_OUTPUT_BYTES, MAX_SUMMARY_ROWS, Output, type OutputName } from './constants.js'
import type { RunContext } from './context.js'
import type { FailOn, PolicyViolation, Shard } from './inputs.js'
import type { Verdict } from './policy.js'
import type { IdResult, Outcome } from './engine/purge.js'
import { displayUrl, markdownCell } from './text.js'

export interface ReportEntry {
  id: string
  outcome: Outcome | 'planned'
  httpStatus: number | null
  reason: string | null
  attempts: number
  ms: number
}

export interface Report {
  provider: string | null
  baseUrl: string | null
  dryRun: boolean
  /** Which outcomes fail the step. */
  failOn: FailOn
  /** The proxy the requests went through (host:port), or null. */
  proxy: string | null
  /** This job's shard of the ID list, when the purge is split. */
  shard: Shard | null
  startedAt: string
  endedAt: string
  context: RunContext
  verdict: Verdict
  violations: string[]
  totals: {
    planned: number
    deleted: number
    missing: number
    failed: number
    requests: number
    rateLimitedAnswers: number
  }
  entries: ReportEntry[]
}

export interface ReportInput {
  provider: string | null
  baseUrl: URL | null
  dryRun: boolean
  failOn: FailOn
  proxy: string | null
  shard: Shard | null
  startedAt: Date
  endedAt: Date
  context: RunContext
  verdict: Verdict
  violations: readonly PolicyViolation[]
  planned: readonly string[]
  results: readonly IdResult[]
  requests: number
  rateLimitedAnswers: number
}

export function buildReport(input: ReportInput): Report {
  const count = (outcome: Outcome): number => input.results.filter(r => r.outcome === outcome).length
  const entries: ReportEntry[] = input.dryRun
    ? input.planned.map(id => ({
        id,
        outcome: 'planned',
        httpStatus: null,
        reason: 'dry run: not sent',
        attempts: 0,
        ms: 0
      }))
    : input.results.map(({ id, outcome, httpStatus, reason, attempts, ms }) => ({
        id,
        outcome,
        httpStatus,
        reason,
        attempts,
        ms
      }))
  return {
    provider: input.provider,
    baseUrl: input.baseUrl === null ? null : displayUrl(input.baseUrl),
    dryRun: input.dryRun,
    failOn: input.failOn,
    proxy: input.proxy,
    shard: input.shard,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    context: input.context,
    verdict: input.verdict,
    violations: input.violations.map(v => v.message),
    totals: {
      planned: input.planned.length,
      deleted: count('deleted'),
      missing: count('missing'),
      failed: count('failed'),
      requests: input.requests,
      rateLimitedAnswers: input.rateLimitedAnswers
    },
    entries
  }
}

/** Output values, every list as a JSON array in input order; a list too large for an output is '' with a warning. */
export function outputValues(
  report: Report,
  reportFile: string
): { values: Record<OutputName, string>; warnings: string[] } {
  const warnings: string[] = []
  const list = (name: OutputName, ids: string[]): string => {
    const json = JSON.stringify(ids)
    if (Buffer.byteLength(json) <= MAX_LIST_OUTPUT_BYTES) return json
    warnings.push(
      `output ${name} (${ids.length} IDs) is larger than 1 MiB and was set to ''; read the list from report-file: ${reportFile}`
    )
    return ''
  }
  const ids = (outcome: Outcome): string[] => report.entries.filter(e => e.outcome === outcome).map(e => e.id)
  const planned = report.entries.map(e => e.id)
  return {
    values: {
      [Output.Deleted]: list(Output.Deleted, ids('deleted')),
      [Output.Missing]: list(Output.Missing, ids('missing')),
      [Output.Failed]: list(Output.Failed, ids('failed')),
      [Output.Planned]: list(Output.Planned, report.violations.length > 0 ? [] : planned),
      [Output.DeletedCount]: String(report.totals.deleted),
      [Output.MissingCount]: String(report.totals.missing),
      [Output.FailedCount]: String(report.totals.failed),
      [Output.ReportFile]: reportFile
    },
    warnings
  }
}

/** A summary table cell. */
const cell = (text: string): string => markdownCell(text, 300)

/** The job summary: totals, the verdict, and every ID not deleted (rows capped). */
export function summaryMarkdown(report: Report): string {
  const lines: string[] = [`## file-purge: ${report.provider === null ? 'no provider' : cell(report.provider)}`, '']
  if (report.violations.length > 0) {
    lines.push('**Policy violations: nothing was sent.**', '')
    for (const message of report.violations.slice(0, MAX_SUMMARY_ROWS)) lines.push(`- ${cell(message)}`)
    if (report.violations.length > MAX_SUMMARY_ROWS)
      lines.push(`- …and ${report.violations.length - MAX_SUMMARY_ROWS} more`)
    lines.push('')
  }
  if (report.dryRun) lines.push('**dry run: nothing was deleted.**', '')
  if (report.shard) lines.push(`Shard ${report.shard.index} of ${report.shard.count}.`, '')
  const { totals } = report
  lines.push('| planned | deleted | missing | failed | requests | answered 429 |', '|---:|---:|---:|---:|---:|---:|')
  lines.push(
    `| ${totals.planned} | ${totals.deleted} | ${totals.missing} | ${totals.failed} | ${totals.requests} | ${totals.rateLimitedAnswers} |`,
    ''
  )
  lines.push(`${report.verdict.failed ? '**Failed**' : '**Passed**'}: ${cell(report.verdict.message)}`, '')
  const notDeleted = report.entries.filter(e => e.outcome === 'missing' || e.outcome === 'failed')
  if (notDeleted.length > 0) {
    lines.push('### Not deleted', '', '| ID | outcome | HTTP | attempts | reason |', '|---|---|---:|---:|---|')
    for (const e of notDeleted.slice(0, MAX_SUMMARY_ROWS)) {
      lines.push(`| ${cell(e.id)} | ${e.outcome} | ${e.httpStatus ?? ''} | ${e.attempts} | ${cell(e.reason ?? '')} |`)
    }
    if (notDeleted.length > MAX_SUMMARY_ROWS)
      lines.push('', `${notDeleted.length - MAX_SUMMARY_ROWS} more rows left out; every ID is in the report file.`)
    lines.push('')
  }
  lines.push(
    `Base URL: ${report.baseUrl === null ? 'none' : cell(report.baseUrl)}. Started ${report.startedAt}, ended ${report.endedAt}.`,
    ''
  )
  return lines.join('\n')
}

/** What an annotation says of an ID: a result, or its report entry. */
type AnnotatedResult = Pick<ReportEntry, 'id' | 'outcome' | 'reason' | 'attempts'>

export interface Annotation {
  level: 'error' | 'warning'
  message: string
}

/**
 * One annotation per ID that counts against the run (failed, and missing when fail-on says so), capped so the
 * runner's ten per step leave room for the roll-up: the verdict when failing, else a line here.
 */
export function annotations(results: readonly AnnotatedResult[], failOn: FailOn, failing: boolean): Annotation[] {
  // IDs never attempted (the run stopped) are counted in the roll-up, not annotated one by one.
  const problems = results.filter(
    r => (r.outcome === 'failed' && r.attempts > 0) || (r.outcome === 'missing' && failOn.missing)
  )
  const level = (r: AnnotatedResult): Annotation['level'] =>
    (r.outcome === 'failed' ? failOn.failed || failing : failOn.missing) ? 'error' : 'warning'
  const list: Annotation[] = problems
    .slice(0, MAX_ID_ANNOTATIONS)
    .map(r => ({ level: level(r), message: `${r.outcome} ${JSON.stringify(r.id)}: ${r.reason ?? ''}` }))
  if (!failing && problems.length > MAX_ID_ANNOTATIONS) {
    list.push({
      level: 'warning',
      message: `${problems.length - MAX_ID_ANNOTATIONS} more IDs not deleted; see the job summary and report-file`
    })
  }
  return list
}

/** The log line for one settled ID. It starts with the outcome, never with provider text. */
export function logLine(result: IdResult): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`
  const status = result.httpStatus === null ? 'no answer' : `HTTP ${result.httpStatus}`
  const reason = result.reason === null ? '' : `: ${result.reason}`
  return `${result.outcome.padEnd(7)} ${JSON.stringify(result.id)} (${status}, ${attempts}, ${result.ms} ms)${reason}`
}
