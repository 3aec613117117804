import { timeKey } from '../files.js'
import type { ListedRecord } from '../types.js'

/** What a searchQuery keeps of the listing. */
export type Search = (record: ListedRecord) => boolean

type Clause = (record: ListedRecord) => boolean

interface ClauseForm {
  pattern: RegExp
  build(values: string[]): Clause | undefined
}

const VALUE = String.raw`"([^"\\]*)"`
const KINDS: readonly string[] = ['file', 'file-version', 'folder']
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/

/** The folder an item is in, with a trailing '/': '/a/b.jpg' and '/a/b' are both in '/a/'. */
function folderOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1) || '/'
}

function nameClause(prefix: string): Clause {
  return record => record.name?.startsWith(prefix) ?? false
}

function pathClause(operator: string | undefined, folder: string | undefined): Clause | undefined {
  if (folder === undefined || !folder.startsWith('/') || !folder.endsWith('/')) return undefined
  return operator === '='
    ? record => folderOf(record.path) === folder
    : record => folderOf(record.path).startsWith(folder)
}

function tagsClause(list: string | undefined): Clause {
  const wanted = [...(list ?? '').matchAll(/"([^"\\]*)"/g)].map(match => match[1] as string)
  // ImageKit matches AITags too, so a tag filter can select files whose own tags never held it.
  return record => [...(record.tags ?? []), ...(record.aiTags ?? [])].some(tag => wanted.includes(tag))
}

function createdBeforeClause(iso: string | undefined): Clause | undefined {
  if (iso === undefined || !ISO_UTC.test(iso)) return undefined
  const before = timeKey(iso)
  return record => record.createdAt !== null && timeKey(record.createdAt) < before
}

const FORMS: readonly ClauseForm[] = [
  {
    pattern: new RegExp(String.raw`type\s*=\s*${VALUE}`, 'y'),
    build: ([kind]) => (kind !== undefined && KINDS.includes(kind) ? record => record.kind === kind : undefined)
  },
  { pattern: new RegExp(String.raw`name\s*:\s*${VALUE}`, 'y'), build: ([prefix]) => nameClause(prefix ?? '') },
  { pattern: new RegExp(String.raw`path\s*(=|:)\s*${VALUE}`, 'y'), build: ([op, folder]) => pathClause(op, folder) },
  {
    pattern: new RegExp(String.raw`tags\s+IN\s*\[((?:\s*${VALUE}\s*,)*\s*${VALUE}\s*)\]`, 'y'),
    build: ([list]) => tagsClause(list)
  },
  { pattern: new RegExp(String.raw`createdAt\s*<\s*${VALUE}`, 'y'), build: ([iso]) => createdBeforeClause(iso) }
]

/** The clause at `at`, and where the text after it starts; undefined when none of the forms is there. */
function clauseAt(query: string, at: number): { clause: Clause; typed: boolean; end: number } | undefined {
  for (const form of FORMS) {
    form.pattern.lastIndex = at
    const match = form.pattern.exec(query)
    const clause = match && form.build(match.slice(1))
    if (match && clause) return { clause, typed: match[0].startsWith('type'), end: form.pattern.lastIndex }
  }
  return undefined
}

/** The clauses of a non-blank query, or undefined when it leaves the subset. */
function clausesOf(query: string): { clauses: Clause[]; typed: boolean } | undefined {
  const clauses: Clause[] = []
  let typed = false
  let at = query.length - query.trimStart().length
  const end = query.trimEnd().length
  const joiner = /\s+AND\s+/y
  for (;;) {
    const found = clauseAt(query, at)
    if (found === undefined) return undefined
    clauses.push(found.clause)
    typed ||= found.typed
    if (found.end === end) return { clauses, typed }
    joiner.lastIndex = found.end
    if (!joiner.test(query)) return undefined
    at = joiner.lastIndex
  }
}

/**
 * The emulated subset of ImageKit's searchQuery: clauses joined by AND, each `type =`, `name :`, `path =`,
 * `path :`, `tags IN [...]` or `createdAt <`. Undefined for anything else. Without a type clause the listing holds
 * files and folders, as the API's type "all" does.
 */
export function parseSearch(query: string): Search | undefined {
  const parsed = query.trim() === '' ? { clauses: [], typed: false } : clausesOf(query)
  if (parsed === undefined) return undefined
  const clauses = parsed.typed
    ? parsed.clauses
    : [...parsed.clauses, (record: ListedRecord) => record.kind !== 'file-version']
  return record => clauses.every(clause => clause(record))
}
