/**
 * The selection stage: lists the provider's files (all pages, before any delete), selects from them, and unites
 * the selection with the given IDs. Its outcome is either the IDs to plan with, violations, or a listing that did
 * not finish, in which case nothing is deleted.
 */
import { MAX_SUMMARY_SELECTED_ROWS } from '../settings/constants.js'
import { listAll, type Listing } from '../engine/list.js'
import type { Pacer } from '../engine/pacing.js'
import type { Transport } from '../transport/http.js'
import { uniqueIds } from '../settings/ids.js'
import type { PolicyViolation } from '../settings/violation.js'
import { plannedIds, selectedIdRules, type RunPlan } from './policy.js'
import type { CdnFile, ListItem, ProviderList } from '../providers/types.js'
import type { ListedFile, SelectionReport } from '../report/report.js'
import {
  selectFromListing,
  serverFilters,
  type ExcludeReason,
  type ListingSelection,
  type SpareReason
} from './filters.js'
import type { Folder } from '../settings/selection-request.js'
import { count, jsonText, scrub } from '../text.js'

export interface SelectionOptions {
  plan: RunPlan
  list: ProviderList
  transport: Pick<Transport, 'send'>
  pacer: Pacer
  secrets: readonly string[]
  signal: AbortSignal | undefined
  startedAt: Date
  info: (line: string) => void
  /** Writes one line per selected and spared file (a dry run shows them all). */
  itemLine: (line: string) => void
  /**
   * A reviewed plan's selected IDs (plan-file): only those still selected are, and the rest of the selection is
   * shown and never deleted.
   */
  reviewed?: readonly string[]
}

/** A reviewed plan against the selection now: the planned IDs no longer selected, and those selected now but not planned. */
export interface Review {
  noLongerSelected: string[]
  notInPlan: string[]
}

export interface SelectionOutcome {
  report: SelectionReport
  /** The given IDs, then the selected ones, de-duplicated: what the run plans with. */
  ids: string[]
  /** This run's share of `ids` (its shard). */
  planned: string[]
  /** Every ID the selection matched, in listing order, given ones too: the `selected` output. */
  selectedIds: string[]
  /** The selected IDs that were not also given: their report entries say `source: selected`. */
  selectedNotGiven: ReadonlySet<string>
  /** What the listing said of each listed ID. */
  listed: Map<string, { name: string | null; createdAt: string | null }>
  violations: PolicyViolation[]
  /**
   * With purge-cdn: where each ID the run plans with is served, as the listing gave it, and every file the listing
   * showed, by ID and path (what a folder purge must not reach beyond).
   */
  cdn?: { files: Map<string, CdnFile>; listed: Array<{ id: string; path: string | null }> }
  /** Why the listing did not finish: nothing is deleted then. */
  failure?: { reason: string; credentialsRejected: boolean; halted: string | null }
  /** With a reviewed plan: what changed since it was made. */
  review?: Review
}

export async function runSelection(options: SelectionOptions): Promise<SelectionOutcome> {
  const { plan, list } = options
  const { filters, scope } = plan.selectionRequest
  const runStart = options.startedAt.getTime()
  options.info(`listing ${plan.provider.name} files to select from (${describeScope(plan)})`)
  const listing = await listAll({
    list: plan.purgeCdn === 'off' ? withoutUrls(list) : list,
    filters: serverFilters(filters, runStart),
    scope,
    context: { baseUrl: plan.baseUrl, apiKey: plan.apiKey, customerId: plan.customerId },
    // A page is read by the listing; only its error answers are classified, and they name no file.
    classify: (answer, now) => plan.provider.classify(answer, now, ''),
    transport: options.transport,
    pacer: options.pacer,
    maxRetries: plan.maxRetries,
    timeoutMs: plan.timeoutSeconds * 1000,
    secrets: options.secrets,
    ...(options.signal ? { signal: options.signal } : {}),
    onPause: waitMs => options.info(`rate limited (HTTP 429) while listing: paused for ${(waitMs / 1000).toFixed(1)} s`)
  })
  if (!listing.complete) {
    options.info(
      `the listing did not finish after ${count(listing.pages, 'page')}: ${listing.reason}; nothing is deleted`
    )
    const { reason, credentialsRejected, halted } = listing
    const outcome = emptyOutcome(plan, listing, runStart, shownText(options.secrets))
    return { ...outcome, failure: { reason, credentialsRejected, halted } }
  }
  const matched = selectFromListing(listing.items, filters, list.capabilities, runStart, scope)
  const { picked, review, notInPlan } = againstPlan(matched, options.reviewed, new Set(plan.ids))
  const selectedIds = picked.selected.map(item => item.id)
  const ids = uniqueIds(plan.ids, selectedIds)
  const planned = plannedIds(ids, plan.shard)
  const given = new Set(plan.ids)
  const violations = selectedIdRules(plan, planned, selectedIds)
  tell(options, listing, picked, violations.length > 0)
  if (review) tellReview(options, review, notInPlan)
  const shown = shownText(options.secrets)
  // What the report says of an ID the listing showed: kept for the IDs the run plans with only, not every item.
  const kept = new Set(ids)
  const listed = new Map<string, { name: string | null; createdAt: string | null }>()
  for (const item of listing.items)
    if (kept.has(item.id)) listed.set(item.id, { name: shown(item.name), createdAt: shown(item.createdAt) })
  return {
    report: selectionReport(plan, listing, picked, runStart, shown),
    ids,
    planned,
    selectedIds,
    selectedNotGiven: new Set(selectedIds.filter(id => !given.has(id))),
    listed,
    violations,
    ...(plan.purgeCdn === 'off' ? {} : { cdn: servedAt(listing.items, kept) }),
    ...(review ? { review } : {})
  }
}

/** The listing without the files' URLs, which only purge-cdn needs: a million of them would weigh on the heap. */
function withoutUrls(list: ProviderList): ProviderList {
  return {
    ...list,
    read: (answer, cursor) => {
      const reading = list.read(answer, cursor)
      if ('items' in reading) for (const item of reading.items) item.url = undefined
      return reading
    }
  }
}

/** Where the kept IDs are served, and every listed file's place. */
function servedAt(items: readonly ListItem[], kept: ReadonlySet<string>): NonNullable<SelectionOutcome['cdn']> {
  const files = new Map<string, CdnFile>()
  const listed: Array<{ id: string; path: string | null }> = []
  for (const item of items) {
    if (item.kind !== 'file') continue
    listed.push({ id: item.id, path: item.path })
    if (kept.has(item.id) && typeof item.url === 'string' && !files.has(item.id))
      files.set(item.id, { url: item.url, path: item.path })
  }
  return { files, listed }
}

/**
 * A selection held against a reviewed plan: only the planned IDs still selected stay selected. A planned ID no longer
 * selected, and one selected now that was not planned (nor given), are set apart: neither is deleted.
 */
function againstPlan(
  picked: ListingSelection,
  reviewed: readonly string[] | undefined,
  given: ReadonlySet<string>
): { picked: ListingSelection; review?: Review; notInPlan: ListItem[] } {
  if (reviewed === undefined) return { picked, notInPlan: [] }
  const planned = new Set(reviewed)
  const now = new Set(picked.selected.map(item => item.id))
  const notInPlan = picked.selected.filter(item => !planned.has(item.id) && !given.has(item.id))
  return {
    picked: { ...picked, selected: picked.selected.filter(item => planned.has(item.id)) },
    review: { noLongerSelected: reviewed.filter(id => !now.has(id)), notInPlan: notInPlan.map(item => item.id) },
    notInPlan
  }
}

/** One line for what changed since the plan was made, then a line per ID set apart (neither kind is deleted). */
function tellReview({ info, itemLine }: SelectionOptions, review: Review, notInPlan: readonly ListItem[]): void {
  const { noLongerSelected } = review
  info(
    `against the plan: ${count(noLongerSelected.length, 'planned ID')} no longer selected, ${count(notInPlan.length, 'file')} selected now but not in the plan; neither is deleted`
  )
  for (const id of noLongerSelected) itemLine(`not deleted ${jsonText(id)}: no longer selected`)
  for (const item of notInPlan) itemLine(`not deleted ${describeItem(item)}: not in the plan`)
}

/** The selection inputs, echoed back JSON-quoted (jsonText): an input cannot start or carry a workflow command. */
function describeScope(plan: RunPlan): string {
  const { filters, scope } = plan.selectionRequest
  const parts = [
    filters.name !== undefined ? `name ${jsonText(filters.name)}` : '',
    filters.path ? `in ${jsonText(filters.path.folder)}${filters.path.subfolders ? ' and its subfolders' : ''}` : '',
    filters.tags ? `tagged ${filters.tags.map(tag => jsonText(tag)).join(' or ')}` : '',
    filters.statuses ? `status ${filters.statuses.join(' or ')}` : '',
    filters.olderThan ? `older than ${filters.olderThan.text}` : '',
    filters.keepNewest !== undefined ? `keeping the newest ${filters.keepNewest}` : '',
    filters.excludeNames ? `except names ${filters.excludeNames.map(name => jsonText(name)).join(' or ')}` : '',
    filters.excludePaths ? `except in ${filters.excludePaths.map(folderText).map(jsonText).join(' or ')}` : '',
    filters.excludeTags ? `except tagged ${filters.excludeTags.map(tag => jsonText(tag)).join(' or ')}` : '',
    filters.selectAttached ? 'files attached to a Knowledge Graph too' : '',
    scope.graphId ? `graph ${jsonText(scope.graphId)}` : '',
    scope.workflowId ? `workflow ${jsonText(scope.workflowId)}` : '',
    scope.customerId ? `customer ${jsonText(scope.customerId)}` : ''
  ]
  return parts.filter(part => part !== '').join(', ')
}

/** One line for the listing; a dry run then shows every selected file and every spared one. */
function tell(
  options: SelectionOptions,
  listing: Extract<Listing, { complete: true }>,
  picked: ListingSelection,
  refused: boolean
): void {
  const { info, itemLine } = options
  const skipped = Object.entries(picked.skipped).map(([reason, n]) => `${n} ${reason}`)
  const spared = picked.spared.length + picked.excluded.length
  const by = Object.entries(sparedCounts(picked)).map(([reason, n]) => `${n} by ${reason}`)
  const sparedText = picked.excluded.length > 0 ? `${spared} spared (${by.join(', ')})` : `${spared} spared`
  info(
    `listed ${count(listing.items.length, 'item')} in ${count(listing.pages, 'page')} (${listing.ms} ms): ${picked.matched} matched, ${picked.selected.length} selected, ${sparedText}${skipped.length > 0 ? `, skipped ${skipped.join(', ')}` : ''}`
  )
  if (picked.selected.length === 0)
    info(options.reviewed ? 'no planned file is still selected' : 'nothing matched the selection')
  if (!options.plan.dryRun) return
  // A selection policy refuses deletes nothing, even in a real run: no file is shown as one that would be deleted.
  if (refused) return info('the selection breaks policy (below): nothing would be deleted')
  for (const item of picked.selected) itemLine(`would delete ${describeItem(item)}`)
  for (const item of picked.spared) itemLine(`spared by keep-newest ${describeItem(item)}`)
  for (const { item, by } of picked.excluded) itemLine(`spared by ${by} ${describeItem(item)}`)
}

/** What was spared, by the input that spared it; reasons that spared nothing are left out. */
function sparedCounts(picked: ListingSelection): Partial<Record<SpareReason, number>> {
  const counts: Partial<Record<SpareReason, number>> = {}
  if (picked.spared.length > 0) counts['keep-newest'] = picked.spared.length
  for (const { by } of picked.excluded) counts[by] = (counts[by] ?? 0) + 1
  return counts
}

/** A folder as select-path and exclude-path take it. */
const folderText = (path: Folder): string => `${path.folder}${path.subfolders ? '**' : ''}`

/**
 * An item as a log line shows it; each field JSON-quoted (jsonText), so provider text cannot end the line, start a
 * workflow command or hold a `##[` marker, and reads back exactly.
 */
function describeItem(item: ListItem): string {
  const parts = [
    item.name !== null ? `name ${jsonText(item.name)}` : '',
    item.createdAt !== null ? `created ${jsonText(item.createdAt)}` : '',
    item.path !== null ? `path ${jsonText(item.path)}` : '',
    item.status !== null ? `status ${jsonText(item.status)}` : ''
  ].filter(part => part !== '')
  return `${jsonText(item.id)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`
}

/** Provider text as the report and the summary keep it: a listing that echoes a secret has it scrubbed. */
type Shown = (text: string | null) => string | null
const shownText =
  (secrets: readonly string[]): Shown =>
  text =>
    text === null ? null : scrub(text, secrets)

const listedFile =
  (shown: Shown) =>
  ({ id, name, createdAt, path, status }: ListItem): ListedFile => ({
    id,
    name: shown(name),
    createdAt: shown(createdAt),
    path: shown(path),
    status: shown(status)
  })

function selectionReport(
  plan: RunPlan,
  listing: Listing,
  picked: ListingSelection | undefined,
  runStart: number,
  shown: Shown
): SelectionReport {
  const { filters, scope } = plan.selectionRequest
  return {
    filters: {
      name: filters.name ?? null,
      path: filters.path ? folderText(filters.path) : null,
      tags: filters.tags ?? null,
      status: filters.statuses ?? null,
      olderThan: filters.olderThan?.text ?? null,
      keepNewest: filters.keepNewest ?? null,
      excludeName: filters.excludeNames ?? null,
      excludePath: filters.excludePaths?.map(folderText) ?? null,
      excludeTags: filters.excludeTags ?? null,
      selectAttached: filters.selectAttached === true
    },
    scope: {
      graphId: scope.graphId || null,
      workflowId: scope.workflowId || null,
      customerId: scope.customerId || null
    },
    cutoff: filters.olderThan ? new Date(runStart - filters.olderThan.ms).toISOString() : null,
    complete: listing.complete,
    pages: listing.pages,
    requests: listing.requests,
    listed: listing.complete ? listing.items.length : 0,
    matched: picked?.matched ?? 0,
    selected: picked?.selected.length ?? 0,
    spared: picked ? picked.spared.length + picked.excluded.length : 0,
    sparedBy: picked ? sparedCounts(picked) : {},
    skipped: picked?.skipped ?? {},
    ms: listing.ms,
    selectedFiles: (picked?.selected ?? []).slice(0, MAX_SUMMARY_SELECTED_ROWS).map(listedFile(shown)),
    sparedFiles: picked ? sparedFiles(picked, shown) : []
  }
}

/** Every file keep-newest spared, then the first files each exclusion spared: a report of bounded size. */
function sparedFiles(picked: ListingSelection, shown: Shown): ListedFile[] {
  const files: ListedFile[] = picked.spared.map(item => ({ ...listedFile(shown)(item), reason: 'keep-newest' }))
  const perReason = new Map<ExcludeReason, number>()
  for (const { item, by } of picked.excluded) {
    const n = perReason.get(by) ?? 0
    perReason.set(by, n + 1)
    if (n < MAX_SUMMARY_SELECTED_ROWS) files.push({ ...listedFile(shown)(item), reason: by })
  }
  return files
}

function emptyOutcome(
  plan: RunPlan,
  listing: Listing,
  runStart: number,
  shown: Shown
): Omit<SelectionOutcome, 'failure'> {
  return {
    report: selectionReport(plan, listing, undefined, runStart, shown),
    ids: plan.ids,
    planned: plan.planned,
    selectedIds: [],
    selectedNotGiven: new Set(),
    listed: new Map(),
    violations: []
  }
}
