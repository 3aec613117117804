/**
 * Selecting files to purge: the pure functions that decide, item by item, what a listing selects, what keep-newest
 * spares and what cannot be judged (docs/selection.md).
 */
import { globMatch } from '../settings/ids.js'
import type { Folder, SelectionFilters } from '../settings/selection-request.js'
import type { ListCapabilities, ListItem, ListScope, ServerFilters } from '../providers/types.js'

/** Items the listing gave that selection could not judge, by reason. */
export type SkipReason =
  | 'not a file'
  | 'locked'
  | 'no scope'
  | 'not finished'
  | 'no status'
  | 'no name'
  | 'bad path'
  | 'no path'
  | 'no creation time'
  | 'attached'
  | 'no graph list'

/** The input that spared a file the filters matched. */
export type SpareReason = 'keep-newest' | ExcludeReason
export type ExcludeReason = 'exclude-name' | 'exclude-path' | 'exclude-tags'

export interface ListingSelection {
  /** What the selection deletes, in listing order. */
  selected: ListItem[]
  /** What keep-newest spared, newest first. */
  spared: ListItem[]
  /** What an exclusion spared, in listing order, each with the first exclusion that holds it. */
  excluded: Array<{ item: ListItem; by: ExcludeReason }>
  /** Files that passed every filter but age, the excluded ones included (keep-newest and older-than chose from the rest). */
  matched: number
  skipped: Partial<Record<SkipReason, number>>
}

/**
 * A creation time in microseconds since the epoch (Writer's times carry microseconds, which a Date would drop):
 * ISO 8601 with a time and a zone (Z or ±hh:mm); null for anything else.
 */
export function createdUs(text: string | null): number | null {
  const match = text === null ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text)
  if (match === null) return null
  const ms = Date.parse(`${match[1]}${match[3]}`)
  return Number.isNaN(ms) ? null : ms * 1000 + Number((match[2] ?? '').slice(0, 6).padEnd(6, '0'))
}

/**
 * Why an item cannot be judged (skipped), whether it passes every filter but age (true) or not (false). A field an
 * active filter needs and the item lacks is a skip, never a guess; a file not in a final state (any status word the
 * provider does not list as final) is skipped unless select-status names its status.
 */
export function judge(
  item: ListItem,
  filters: SelectionFilters,
  capabilities: ListCapabilities,
  scope: ListScope = NO_SCOPE
): SkipReason | boolean {
  if (item.kind !== 'file') return 'not a file'
  if (item.locked) return 'locked'
  const inScope = withinScope(item, scope)
  if (inScope !== true) return inScope
  if (filters.statuses !== undefined) {
    if (item.status === null) return 'no status'
    if (!filters.statuses.includes(item.status)) return false
  } else if (capabilities.statuses !== undefined && !capabilities.final.includes(item.status ?? '')) {
    // A word the documents do not list is no final state; a file with no status word is not judged either.
    return item.status === null ? 'no status' : 'not finished'
  }
  if (filters.name !== undefined) {
    if (item.name === null) return 'no name'
    if (!globMatch(filters.name, item.name)) return false
  }
  if (item.path !== null && !plainPath(item.path)) return 'bad path'
  if (filters.path !== undefined) {
    if (item.path === null) return 'no path'
    if (!inFolder(item.path, filters.path)) return false
  }
  if (filters.tags !== undefined && !(item.tags ?? []).some(tag => filters.tags?.includes(tag))) return false
  // An exclusion that cannot be checked could spare the file: it is not judged.
  if (filters.excludeNames !== undefined && item.name === null) return 'no name'
  if (filters.excludePaths !== undefined && item.path === null) return 'no path'
  const aged = filters.olderThan !== undefined || filters.keepNewest !== undefined
  if (aged && createdUs(item.createdAt) === null) return 'no creation time'
  if (capabilities.graphs && filters.selectAttached !== true) return inUse(item, scope)
  return true
}

/**
 * Writer: a file attached to a Knowledge Graph feeds it, and deleting the file takes it out of every graph. Such a
 * file is skipped, unless it is attached to the graph listed (graph-id) alone; one whose graphs are unknown is not
 * judged (docs/providers.md, Writer "list item").
 */
function inUse(item: ListItem, scope: ListScope): 'attached' | 'no graph list' | true {
  if (item.graphIds === undefined || item.graphIds === null) return 'no graph list'
  return item.graphIds.some(graph => graph === '' || graph !== scope.graphId) ? 'attached' : true
}

const NO_SCOPE: ListScope = { graphId: '', workflowId: '', customerId: '' }

/** The server narrows by scope; the client checks it too, on the field the item carries (none is a skip). */
function withinScope(item: ListItem, scope: ListScope): 'no scope' | boolean {
  if (scope.graphId !== '' && item.graphIds !== undefined) {
    if (item.graphIds === null) return 'no scope'
    if (!item.graphIds.includes(scope.graphId)) return false
  }
  if (scope.customerId !== '' && item.customerId !== undefined) {
    if (item.customerId === null) return 'no scope'
    if (item.customerId !== scope.customerId) return false
  }
  return true
}

/**
 * A listed path that says where the file is: absolute, without empty, "." or ".." steps. Anything else could be judged
 * as text inside a folder the file is not in ("/previews/pr-42/../../prod/x").
 */
function plainPath(path: string): boolean {
  const steps = path.split('/').slice(1)
  return path.startsWith('/') && !steps.some(step => step === '' || step === '.' || step === '..')
}

function inFolder(path: string, { folder, subfolders }: Folder): boolean {
  const parent = path.slice(0, path.lastIndexOf('/') + 1)
  return subfolders ? parent.startsWith(folder) : parent === folder
}

/**
 * The first exclusion that spares an item the filters passed, or undefined. Only the client applies exclusions: they
 * never change the list request, so they can only ever spare more.
 */
export function excludedBy(item: ListItem, filters: SelectionFilters): ExcludeReason | undefined {
  const { excludeNames, excludePaths, excludeTags } = filters
  if (excludeNames?.some(glob => item.name !== null && globMatch(glob, item.name))) return 'exclude-name'
  if (excludePaths?.some(folder => item.path !== null && inFolder(item.path, folder))) return 'exclude-path'
  if (excludeTags !== undefined && (item.tags ?? []).some(tag => excludeTags.includes(tag))) return 'exclude-tags'
  return undefined
}

/** A candidate with its creation time, read once. */
interface Timed {
  item: ListItem
  us: number | null
}

/** Newest first; at equal times the smaller ID (in code-unit order) counts as the newer. */
function newestFirst(a: Timed, b: Timed): number {
  const byTime = (b.us ?? 0) - (a.us ?? 0)
  return byTime !== 0 ? byTime : a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0
}

/**
 * What a listing selects: the files that pass every filter, less those an exclusion spares (never candidates, so
 * they use up none of the N kept), less the keep-newest newest of the rest (spared before age is looked at, so
 * older-than never leaves fewer than N), less those not older than the cutoff. An ID listed twice counts once.
 */
export function selectFromListing(
  items: readonly ListItem[],
  filters: SelectionFilters,
  capabilities: ListCapabilities,
  runStartMs: number,
  scope: ListScope = NO_SCOPE
): ListingSelection {
  const skipped: ListingSelection['skipped'] = {}
  const seen = new Set<string>()
  const candidates: ListItem[] = []
  const excluded: ListingSelection['excluded'] = []
  for (const item of items) {
    const verdict = judge(item, filters, capabilities, scope)
    if (verdict === true && !seen.has(item.id)) {
      const by = excludedBy(item, filters)
      if (by === undefined) candidates.push(item)
      else excluded.push({ item, by })
    } else if (verdict !== true && verdict !== false) skipped[verdict] = (skipped[verdict] ?? 0) + 1
    if (verdict === true) seen.add(item.id)
  }
  const timed = candidates.map(item => ({ item, us: createdUs(item.createdAt) }))
  const spared =
    filters.keepNewest === undefined
      ? []
      : [...timed]
          .sort(newestFirst)
          .slice(0, filters.keepNewest)
          .map(({ item }) => item)
  const sparedIds = new Set(spared.map(item => item.id))
  const cutoff = filters.olderThan === undefined ? Infinity : (runStartMs - filters.olderThan.ms) * 1000
  const selected = timed
    .filter(({ item, us }) => !sparedIds.has(item.id) && (us ?? -Infinity) < cutoff)
    .map(({ item }) => item)
  return { selected, spared, excluded, matched: candidates.length + excluded.length, skipped }
}

const DAY_MS = 86_400_000

/**
 * What the server may narrow by for these filters: only ever less than the client selects from. The name's literal
 * start (before its first wildcard); the age a day later than the cutoff, and not at all with keep-newest (the newest
 * files must be listed to be spared); the status only where exactly one is asked for.
 */
export function serverFilters(filters: SelectionFilters, runStartMs: number): ServerFilters {
  const prefix = filters.name?.split(/[*?]/, 1)[0] ?? ''
  const server: ServerFilters = {}
  if (prefix !== '') server.namePrefix = prefix
  if (filters.path) server.folder = { path: filters.path.folder, subfolders: filters.path.subfolders }
  if (filters.tags) server.tags = filters.tags
  if (filters.statuses) server.statuses = filters.statuses
  if (filters.olderThan && filters.keepNewest === undefined) {
    server.createdBefore = new Date(runStartMs - filters.olderThan.ms + DAY_MS).toISOString()
  }
  return server
}
