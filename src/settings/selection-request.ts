/** The selection inputs as read: the filters and scope a run selects files by, and how their values are parsed. */
import type { ListScope } from '../providers/types.js'

/** The filters of a selection, each undefined when its input is not set. */
export interface SelectionFilters {
  /** Glob (* and ?) against the whole name, case-sensitive. */
  name?: string
  /** ImageKit: a folder ('/a/b/'), alone or with its subfolders. */
  path?: { folder: string; subfolders: boolean }
  /** ImageKit: the file's own tags hold any of these. */
  tags?: string[]
  /** The provider's status words, any of them. */
  statuses?: string[]
  /** Created before the run's start minus this. */
  olderThan?: { text: string; ms: number }
  /** The N newest files that pass the other filters (age aside) are spared. */
  keepNewest?: number
  /** Globs against the whole name: a file that passes the filters and whose name matches any is spared. */
  excludeNames?: string[]
  /** ImageKit: folders (select-path's syntax) whose files are spared. */
  excludePaths?: Folder[]
  /** ImageKit: a file whose own tags hold any of these is spared. */
  excludeTags?: string[]
  /** Writer: files attached to a Knowledge Graph are selectable too (select-attached). */
  selectAttached?: true
}

/** A folder alone ('/a/b/'), or with its subfolders. */
export interface Folder {
  folder: string
  subfolders: boolean
}

/** What never narrows what is listed (it spares, or lifts a skip): a selection needs a filter besides these. */
const NOT_NARROWING = ['keepNewest', 'excludeNames', 'excludePaths', 'excludeTags', 'selectAttached'] as const

/** Whether any exclusion (exclude-name, exclude-path, exclude-tags) is set. */
export function hasExclusions(filters: SelectionFilters): boolean {
  return filters.excludeNames !== undefined || filters.excludePaths !== undefined || filters.excludeTags !== undefined
}

/** What the selection inputs ask for: the filters, the scope, and whether any was given. */
export interface SelectionRequest {
  filters: SelectionFilters
  scope: ListScope
  /** Whether any selection input was given, valid or not (an invalid one is a violation of its own). */
  requested: boolean
}

/** Whether the inputs ask for a selection at all. */
export function asksToSelect(request: SelectionRequest): boolean {
  return hasFilterOrScope(request) || request.filters.keepNewest !== undefined
}

/** Whether anything besides keep-newest, the exclusions and select-attached narrows the selection (a filter, or a scope). */
export function hasFilterOrScope(request: SelectionRequest): boolean {
  const others = Object.entries(request.filters).filter(([key]) => !(NOT_NARROWING as readonly string[]).includes(key))
  return (
    others.some(([, value]) => value !== undefined) || request.scope.graphId !== '' || request.scope.workflowId !== ''
  )
}

const HOUR_MS = 3_600_000
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS }

/** `30d`, `12h`, `2w`: the duration in ms, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})\s*([hdw])$/i.exec(text.trim())
  if (!match || Number(match[1]) < 1) return undefined
  return Number(match[1]) * (UNIT_MS[(match[2] as string).toLowerCase()] as number)
}

/** A folder for select-path ('/a/b/', '/a/b' or '/a/b/**'), normalised to '/a/b/'; or why it is not one. */
export function parseFolder(text: string): Folder | string {
  const subfolders = text.endsWith('/**')
  const bare = subfolders ? text.slice(0, -2) : text
  if (!bare.startsWith('/'))
    return 'must start with "/" (a folder such as /previews/pr-42/, or /previews/** for its subfolders too)'
  if (/[*?]/.test(bare)) return 'may hold a wildcard only as a trailing /** (this folder and its subfolders)'
  const folder = bare.endsWith('/') ? bare : `${bare}/`
  const steps = folder.slice(1, -1)
  if (steps !== '' && steps.split('/').some(step => step === '' || step === '.' || step === '..')) {
    return 'must not hold empty, "." or ".." steps'
  }
  return { folder, subfolders }
}
