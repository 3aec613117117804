import {
  MAX_ID_ANNOTATIONS,
  MAX_LIST_OUTPUT_BYTES,
  MAX_SUMMARY_ROWS,
  MAX_SUMMARY_SELECTED_ROWS,
  Output,
  type OutputName
} from '../settings/constants.js'
import type { RunContext } from '../settings/context.js'
import type { FailOn, Shard } from '../settings/inputs.js'
import type { PolicyViolation } from '../settings/violation.js'
import type { Verdict } from './verdict.js'
import type { IdResult } from '../engine/outcome.js'
import { findProvider } from '../providers/index.js'
import type { SpareReason } from '../selection/filters.js'
import { firstShown, type Counts, type ReportEntry, type ShownEntries, type Tally } from './tally.js'
import { displayUrl, jsonText, markdownCell } from '../text.js'

export type { ReportEntry } from './tally.js'

/** A file as the listing showed it. */
export interface ListedFile {
  id: string
  name: string | null
  createdAt: string | null
  path: string | null
  status: string | null
  /** Of a spared file: the input that spared it. */
  reason?: SpareReason
}

/** What a selection asked for and what the listing gave (docs/selection.md). */
export interface SelectionReport {
  filters: {
    name: string | null
    path: string | null
    tags: string[] | null
    status: string[] | null
    olderThan: string | null
    keepNewest: number | null
    /** The exclusions: what they name spares a file the filters matched. */
    excludeName?: string[] | null
    excludePath?: string[] | null
    excludeTags?: string[] | null
    /** Writer: files attached to a Knowledge Graph were selectable too. */
    selectAttached?: boolean
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
  /** Spared by keep-newest and by the exclusions. */
  spared: number
  /** What was spared, by the input that spared it. */
  sparedBy?: Partial<Record<SpareReason, number>>
  skipped: Partial<Record<string, number>>
  ms: number
  /** The first selected files, with what the listing said of them (the job summary's rows). */
  selectedFiles: ListedFile[]
  /**
   * Every file keep-newest spared, newest first; then, in listing order, the first files each exclusion spared (all
   * are counted in sparedBy).
   */
  sparedFiles: ListedFile[]
}

/** What purge-cdn did: the purges of the deleted files' CDN cache, and the requests they took. */
export interface CdnReport {
  /** purge-cdn as given. */
  mode: 'true' | 'wait'
  /** Deleted files whose cache was to be purged; in a dry run, the planned files. */
  files: number
  /** Purge requests sent (a dry run: that would be sent), and how many of them name a folder. */
  purges: number
  folderPurges: number
  /** Files by what became of their purge. */
  planned: number
  submitted: number
  completed: number
  failed: number
  /** Requests of the CDN stage, by kind: details before the deletes, purges and status requests after. */
  requests: { details: number; purges: number; statuses: number }
}

/** A deleted file whose cache the run could not purge, as the summary and the warnings show it. */
export interface CdnFailure {
  id: string
  url: string | null
  reason: string
}

/** What a run that applied a reviewed plan (plan-file) did with it. */
export interface PlanReport {
  /** The plan file (absolute), its SHA-256 and when its dry run ended. */
  file: string
  sha256: string
  endedAt: string
  /** The IDs it planned. */
  planned: number
  /** The planned IDs this run sends (its shard's share): given ones, and selected ones still selected. */
  applied: number
  /** Planned IDs the selection no longer picks: spared. */
  noLongerSelected: string[]
  /** IDs the selection picks now that the plan did not: not deleted. */
  notInPlan: string[]
}

/** Every field of the report file but its entries, in the file's order. */
export interface ReportFields {
  provider: string | null
  baseUrl: string | null
  /** Delos: the customer the run was for. */
  customerId: string | null
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
  /** The reviewed plan the run applied, when it applied one. */
  plan: PlanReport | null
  totals: {
    planned: number
    deleted: number
    missing: number
    failed: number
    requests: number
    rateLimitedAnswers: number
  }
  /** With purge-cdn: the purges of the deleted files' CDN cache. */
  cdn?: CdnReport
}

/** The report file. */
export interface Report extends ReportFields {
  /** One per planned ID, in input order. */
  entries: ReportEntry[]
}

/** The ID lists the outputs give, in input order. */
export interface OutcomeLists {
  deleted: readonly string[]
  missing: readonly string[]
  failed: readonly string[]
  planned: readonly string[]
  selected: readonly string[]
  /** Deleted files whose CDN cache was not purged (purge-cdn). */
  cdnFailed: readonly string[]
}

/**
 * A finished run as the shells tell it: the report's fields, the ID lists, and the few entries the summary,
 * annotations and comment show. Every entry is in the report file, rendered from the run's spool.
 */
export interface RunReport extends ReportFields {
  lists: OutcomeLists
  shown: ShownEntries
  counts: Counts
  /** The first CDN purges that failed, with why (at most MAX_SUMMARY_ROWS). */
  cdnShown: readonly CdnFailure[]
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
  /** The planned IDs and what became of them. */
  tally: Tally
  requests: number
  rateLimitedAnswers: number
  selection?: SelectionReport | null
  /** Every ID the selection matched, in listing order (given ones too). */
  selected?: readonly string[]
  /** With purge-cdn: what it did, and the deleted files it could not purge, in input order. */
  cdn?: { report: CdnReport; failed: readonly CdnFailure[] }
  customerId?: string | null
  plan?: PlanReport | null
}

export function buildReport(input: ReportInput): RunReport {
  const { tally } = input
  const refused = input.violations.length > 0
  const planned = refused ? [] : tally.planned
  return {
    provider: input.provider,
    baseUrl: input.baseUrl === null ? null : displayUrl(input.baseUrl),
    customerId: input.customerId ?? null,
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
    plan: input.plan ?? null,
    totals: {
      planned: tally.planned.length,
      deleted: tally.counts.deleted,
      missing: tally.counts.missing,
      failed: tally.counts.failed,
      requests: input.requests,
      rateLimitedAnswers: input.rateLimitedAnswers
    },
    lists: {
      deleted: tally.ids('deleted'),
      missing: tally.ids('missing'),
      failed: tally.ids('failed'),
      planned,
      // What the selection matched, also when policy refused it: the step's outputs say what the report says.
      selected: input.selected ?? [],
      cdnFailed: (input.cdn?.failed ?? []).map(failure => failure.id)
    },
    shown: tally.shown,
    counts: tally.counts,
    ...(input.cdn ? { cdn: input.cdn.report } : {}),
    cdnShown: (input.cdn?.failed ?? []).slice(0, MAX_SUMMARY_ROWS)
  }
}

/** The report's own fields, for the file: none of what only the shells use. */
export function reportFields(run: RunReport): ReportFields {
  const { lists: _lists, shown: _shown, counts: _counts, cdnShown: _cdnShown, ...fields } = run
  return fields
}

/**
 * Output values, every list as a JSON array in input order; a list too large for an output is '' with a warning.
 * `reportSha256`: the SHA-256 of the report file as written ('' when none was).
 */
export function outputValues(
  report: RunReport,
  reportFile: string,
  reportSha256 = ''
): { values: Record<OutputName, string>; warnings: string[] } {
  const warnings: string[] = []
  const list = (name: OutputName, ids: readonly string[]): string => {
    const json = JSON.stringify(ids)
    if (Buffer.byteLength(json) <= MAX_LIST_OUTPUT_BYTES) return json
    warnings.push(
      `output ${name} (${ids.length} IDs) is larger than 1 MiB and was set to ''; read the list from report-file: ${reportFile}`
    )
    return ''
  }
  const { lists } = report
  return {
    values: {
      [Output.Deleted]: list(Output.Deleted, lists.deleted),
      [Output.Missing]: list(Output.Missing, lists.missing),
      [Output.Failed]: list(Output.Failed, lists.failed),
      [Output.Planned]: list(Output.Planned, lists.planned),
      [Output.DeletedCount]: String(report.totals.deleted),
      [Output.MissingCount]: String(report.totals.missing),
      [Output.FailedCount]: String(report.totals.failed),
      [Output.ReportFile]: reportFile,
      [Output.Selected]: list(Output.Selected, lists.selected),
      [Output.SelectedCount]: String(lists.selected.length),
      [Output.CdnFailed]: list(Output.CdnFailed, lists.cdnFailed),
      [Output.CdnFailedCount]: String(lists.cdnFailed.length),
      [Output.ReportSha256]: reportSha256
    },
    warnings
  }
}

/** Text the action did not write (IDs, names, reasons, inputs), as a code span: no link, image or mention. */
const cell = (text: string): string => markdownCell(text, 300)

/** What a run policy refused did: nothing, or (`listed`: a selection) the listing only. */
export function nothingDone(listed: boolean): string {
  return listed ? 'the files were listed, nothing was deleted' : 'nothing was sent'
}

/**
 * The job summary: totals, the verdict, and every ID not deleted (rows capped). `reportSha256`: the SHA-256 of the
 * report file as written, where there is one.
 */
export function summaryMarkdown(report: RunReport, reportSha256 = ''): string {
  // The provider is one of the registry's names: the only ones that get this far.
  const lines: string[] = [`## file-purge: ${report.provider ?? 'no provider'}`, '']
  if (report.violations.length > 0) {
    lines.push(`**Policy violations: ${nothingDone(report.totals.requests > 0)}.**`, '')
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
  if (report.selection) lines.push(...selectionMarkdown(report.selection, report.dryRun, report.plan !== null))
  lines.push(...cdnMarkdown(report))
  if (report.plan) lines.push(...planMarkdown(report.plan))
  const notDeleted = totals.missing + totals.failed
  if (notDeleted > 0) {
    lines.push('### Not deleted', '', '| ID | outcome | HTTP | attempts | reason |', '|---|---|---:|---:|---|')
    for (const e of firstShown([report.shown.missing, report.shown.failed], MAX_SUMMARY_ROWS)) {
      lines.push(`| ${cell(e.id)} | ${e.outcome} | ${e.httpStatus ?? ''} | ${e.attempts} | ${cell(e.reason ?? '')} |`)
    }
    if (notDeleted > MAX_SUMMARY_ROWS)
      lines.push('', `${notDeleted - MAX_SUMMARY_ROWS} more rows left out; every ID is in the report file.`)
    lines.push('')
  }
  lines.push(
    `Base URL: ${report.baseUrl === null ? 'none' : cell(report.baseUrl)}. Started ${report.startedAt}, ended ${report.endedAt}.`,
    ''
  )
  if (reportSha256 !== '') lines.push(`Report file SHA-256 (output \`report-sha256\`): \`${reportSha256}\`.`, '')
  if (reportSha256 !== '' && report.dryRun && !report.verdict.failed)
    lines.push(
      'This dry run is a plan: a later run given its report file as `plan-file` and this SHA-256 as `plan-sha256` deletes what it planned and is still selected, and nothing else.',
      ''
    )
  return lines.join('\n')
}

/** The selection: what was asked for, what the listing gave, the selected files and those keep-newest spared. */
function selectionMarkdown(selection: SelectionReport, dryRun: boolean, planned: boolean): string[] {
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
    filters.excludeName ? `except names ${cell(filters.excludeName.join(', '))}` : '',
    filters.excludePath ? `except in ${cell(filters.excludePath.join(', '))}` : '',
    filters.excludeTags ? `except tagged ${cell(filters.excludeTags.join(', '))}` : '',
    filters.selectAttached ? 'files attached to a Knowledge Graph too' : '',
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
  else if (selection.selected === 0)
    lines.push(
      planned ? 'No planned file is still selected: nothing to delete.' : 'Nothing matched: nothing to delete.',
      ''
    )
  lines.push(...fileTable(dryRun ? 'Would be deleted' : 'Selected', selection.selectedFiles, selection.selected))
  const sparedBy = Object.entries(selection.sparedBy ?? { 'keep-newest': selection.spared })
  if (sparedBy.some(([reason]) => reason !== 'keep-newest'))
    lines.push(`Spared: ${sparedBy.map(([reason, n]) => `${n} by ${reason}`).join(', ')}.`, '')
  for (const [reason, n] of sparedBy) {
    const files = selection.sparedFiles.filter(file => (file.reason ?? 'keep-newest') === reason)
    lines.push(...fileTable(`Spared by ${reason}`, files, n ?? files.length))
  }
  return lines
}

/**
 * What the CDN purges did, with every purge that failed (rows capped); or, for an ImageKit run that deleted files
 * without purge-cdn, that the CDN keeps serving them.
 */
function cdnMarkdown(report: RunReport): string[] {
  const { cdn } = report
  if (cdn === undefined) {
    const notice = cdnNotice(report.provider, report.dryRun, report.totals.deleted)
    return notice === undefined ? [] : [`**CDN cache:** ${notice}.`, '']
  }
  const { requests } = cdn
  const lines = [
    `### CDN cache (purge-cdn: ${cdn.mode})`,
    '',
    '| files | purges | of them folders | planned | submitted | completed | failed | details requests | status requests |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${cdn.files} | ${cdn.purges} | ${cdn.folderPurges} | ${cdn.planned} | ${cdn.submitted} | ${cdn.completed} | ${cdn.failed} | ${requests.details} | ${requests.statuses} |`,
    ''
  ]
  if (cdn.failed === 0) return lines
  lines.push('#### CDN cache not purged', '', '| ID | URL | reason |', '|---|---|---|')
  for (const f of report.cdnShown) lines.push(`| ${cell(f.id)} | ${cell(f.url ?? '')} | ${cell(f.reason)} |`)
  if (cdn.failed > report.cdnShown.length)
    lines.push('', `${cdn.failed - report.cdnShown.length} more left out; output cdn-failed lists every ID.`)
  lines.push('')
  return lines
}

/**
 * What an ImageKit run that deleted files without purge-cdn says once, in the log and the summary: deleting does not
 * purge the CDN cache (docs/providers.md, ImageKit "delete"). Undefined for any other run.
 */
export function cdnNotice(provider: string | null, dryRun: boolean, deleted: number): string | undefined {
  if (findProvider(provider ?? '')?.cdn === undefined || dryRun || deleted === 0) return undefined
  const files = deleted === 1 ? 'the deleted file' : `the ${deleted} deleted files`
  return `the CDN keeps serving ${files} from its cache until it expires: deleting a file does not purge it; set purge-cdn: true (or wait) to purge it`
}

/** The plan a run applied: what it planned, what this run applied, and the IDs set apart (never deleted). */
function planMarkdown(plan: PlanReport): string[] {
  const { noLongerSelected, notInPlan } = plan
  const idTable = (title: string, ids: readonly string[]): string[] => {
    if (ids.length === 0) return []
    const rows = ids.slice(0, MAX_SUMMARY_SELECTED_ROWS).map(id => `| ${cell(id)} |`)
    const more =
      ids.length > rows.length ? ['', `${ids.length - rows.length} more left out; the report lists them all.`] : []
    return [`#### ${title}`, '', '| ID |', '|---|', ...rows, ...more, '']
  }
  return [
    '### Plan',
    '',
    `Applied the plan ${cell(plan.file)} (SHA-256 ${cell(plan.sha256)}), made by a dry run that ended ${plan.endedAt}.`,
    '',
    '| planned | applied | no longer selected | not in the plan |',
    '|---:|---:|---:|---:|',
    `| ${plan.planned} | ${plan.applied} | ${noLongerSelected.length} | ${notInPlan.length} |`,
    '',
    ...(noLongerSelected.length + notInPlan.length > 0
      ? ['Planned IDs no longer selected, and files selected now that the plan did not hold, were not deleted.', '']
      : []),
    ...idTable('No longer selected (spared)', noLongerSelected),
    ...idTable('Not in the plan (not deleted)', notInPlan)
  ]
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

export interface Annotation {
  level: 'error' | 'warning'
  message: string
}

/**
 * One annotation per ID that counts against the run (failed, and missing when fail-on says so), capped so the
 * runner's ten per step leave room for the roll-up: the verdict when failing, else a line here. IDs never attempted
 * (the run stopped) are counted in the roll-up, not annotated one by one.
 */
export function annotations(
  report: Pick<RunReport, 'shown' | 'counts'>,
  failOn: FailOn,
  failing: boolean
): Annotation[] {
  const { shown, counts } = report
  const problems = firstShown([shown.attemptedFailed, failOn.missing ? shown.missing : []], MAX_ID_ANNOTATIONS)
  const total = counts.attemptedFailed + (failOn.missing ? counts.missing : 0)
  const level = (r: ReportEntry): Annotation['level'] =>
    (r.outcome === 'failed' ? failOn.failed || failing : failOn.missing) ? 'error' : 'warning'
  const list: Annotation[] = problems.map(r => ({
    level: level(r),
    message: `${r.outcome} ${jsonText(r.id)}: ${r.reason ?? ''}`
  }))
  if (!failing && total > MAX_ID_ANNOTATIONS) {
    list.push({
      level: 'warning',
      message: `${total - MAX_ID_ANNOTATIONS} more IDs not deleted; see the job summary and report-file`
    })
  }
  return list
}

/** The log line for one settled ID. It starts with the outcome, never with provider text; the ID is JSON-quoted. */
export function logLine(result: IdResult): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`
  const status = result.httpStatus === null ? 'no answer' : `HTTP ${result.httpStatus}`
  const reason = result.reason === null ? '' : `: ${result.reason}`
  return `${result.outcome.padEnd(7)} ${jsonText(result.id)} (${status}, ${attempts}, ${result.ms} ms)${reason}`
}
