import {
  MAX_ID_ANNOTATIONS,
  MAX_LIST_OUTPUT_BYTES,
  MAX_SUMMARY_ROWS,
  MAX_SUMMARY_SELECTED_ROWS,
  Output,
  type OutputName
} from './constants.js'
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
  /** Given in file-ids or file-ids-file, or selected from the listing (an ID both given and selected is given). */
  source: 'input' | 'selected'
  /** As the provider's listing gave them; null for an ID the listing did not show. */
  name: string | null
  createdAt: string | null
}

/** A file as the listing showed it. */
export interface ListedFile {
  id: string
  name: string | null
  createdAt: string | null
  path: string | null
  status: string | null
}

/** What a selection asked for and what the listing gave (SPEC §9.5). */
export interface SelectionReport {
  filters: {
    name: string | null
    path: string | null
    tags: string[] | null
    status: string[] | null
    olderThan: string | null
    keepNewest: number | null
  }
  scope: { graphId: string | null; workflowId: string | null; customerId: string | null }
  /** Created before this (ISO UTC), for older-than. */
  cutoff: string | null
  /** Whether every page was read; when not, nothing was deleted. */
  complete: boolean
  pages: number
  requests: number
  listed: number
  matched: number
  selected: number
  spared: number
  skipped: Partial<Record<string, number>>
  ms: number
  /** The first selected files, with what the listing said of them (the job summary's rows). */
  selectedFiles: ListedFile[]
  /** Every file keep-newest spared, newest first. */
  sparedFiles: ListedFile[]
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
  /** What was selected from the provider's listing, when the run selected files. */
  selection: SelectionReport | null
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
  selection?: SelectionReport | null
  /** IDs the selection chose, and what the listing said of every listed ID. */
  selectedIds?: ReadonlySet<string>
  listed?: ReadonlyMap<string, { name: string | null; createdAt: string | null }>
}

export function buildReport(input: ReportInput): Report {
  const count = (outcome: Outcome): number => input.results.filter(r => r.outcome === outcome).length
  const about = (id: string): Pick<ReportEntry, 'source' | 'name' | 'createdAt'> => {
    const seen = input.listed?.get(id)
    const source = input.selectedIds?.has(id) ? 'selected' : 'input'
    return { source, name: seen?.name ?? null, createdAt: seen?.createdAt ?? null }
  }
  const entries: ReportEntry[] = input.dryRun
    ? input.planned.map(id => ({
        id,
        outcome: 'planned',
        httpStatus: null,
        reason: 'dry run: not sent',
        attempts: 0,
        ms: 0,
        ...about(id)
      }))
    : input.results.map(({ id, outcome, httpStatus, reason, attempts, ms }) => ({
        id,
        outcome,
        httpStatus,
        reason,
        attempts,
        ms,
        ...about(id)
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
    selection: input.selection ?? null,
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
  const selected =
    report.violations.length > 0 ? [] : report.entries.filter(e => e.source === 'selected').map(e => e.id)
  return {
    values: {
      [Output.Deleted]: list(Output.Deleted, ids('deleted')),
      [Output.Missing]: list(Output.Missing, ids('missing')),
      [Output.Failed]: list(Output.Failed, ids('failed')),
      [Output.Planned]: list(Output.Planned, report.violations.length > 0 ? [] : planned),
      [Output.DeletedCount]: String(report.totals.deleted),
      [Output.MissingCount]: String(report.totals.missing),
      [Output.FailedCount]: String(report.totals.failed),
      [Output.ReportFile]: reportFile,
      [Output.Selected]: list(Output.Selected, selected),
      [Output.SelectedCount]: String(selected.length)
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
  if (report.selection) lines.push(...selectionMarkdown(report.selection, report.dryRun))
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

/** The selection: what was asked for, what the listing gave, the selected files and those keep-newest spared. */
function selectionMarkdown(selection: SelectionReport, dryRun: boolean): string[] {
  const { filters, scope } = selection
  const asked = [
    filters.name !== null ? `name ${cell(filters.name)}` : '',
    filters.path !== null ? `path ${cell(filters.path)}` : '',
    filters.tags !== null ? `tags ${cell(filters.tags.join(', '))}` : '',
    filters.status !== null ? `status ${cell(filters.status.join(', '))}` : '',
    filters.olderThan !== null
      ? `older than ${cell(filters.olderThan)} (created before ${selection.cutoff ?? ''})`
      : '',
    filters.keepNewest !== null ? `keep the newest ${filters.keepNewest}` : '',
    ...Object.entries(scope).flatMap(([name, value]) => (value === null ? [] : [`${name} ${cell(value)}`]))
  ].filter(part => part !== '')
  const skipped = Object.entries(selection.skipped).map(([reason, n]) => `${n} ${reason}`)
  const lines = [
    '### Selection',
    '',
    `Asked for: ${asked.join('; ') || 'everything'}.`,
    '',
    '| pages | listed | matched | selected | spared | skipped | ms |',
    '|---:|---:|---:|---:|---:|---|---:|',
    `| ${selection.pages} | ${selection.listed} | ${selection.matched} | ${selection.selected} | ${selection.spared} | ${skipped.join(', ') || '0'} | ${selection.ms} |`,
    ''
  ]
  if (!selection.complete) lines.push('**The listing did not finish: nothing was deleted.**', '')
  else if (selection.selected === 0) lines.push('Nothing matched: nothing to delete.', '')
  lines.push(...fileTable(dryRun ? 'Would be deleted' : 'Selected', selection.selectedFiles, selection.selected))
  lines.push(...fileTable('Spared by keep-newest', selection.sparedFiles, selection.spared))
  return lines
}

function fileTable(title: string, files: readonly ListedFile[], total: number): string[] {
  if (files.length === 0) return []
  const rows = files.slice(0, MAX_SUMMARY_SELECTED_ROWS).map(f => {
    const cells = [f.id, f.name ?? '', f.createdAt ?? '', f.path ?? '', f.status ?? ''].map(text => cell(text))
    return `| ${cells.join(' | ')} |`
  })
  const more = total > rows.length ? ['', `${total - rows.length} more left out; every ID is in the report file.`] : []
  return [`#### ${title}`, '', '| ID | name | created | path | status |', '|---|---|---|---|---|', ...rows, ...more, '']
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
