import { MAX_LISTED_INVALID_IDS } from './constants.js'
import { oneLine, quote } from '../text.js'

export const MAX_ID_LENGTH = 256

/** Why an ID cannot be sent, or undefined when it is valid. */
export function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty'
  if (id.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`
  if (id === '.' || id === '..') return 'is a path step ("." or "..")'
  for (const char of id) {
    const code = char.codePointAt(0) ?? 0
    if (code < 0x21 || code > 0x7e) {
      return `contains ${code > 0x7e ? 'a non-ASCII' : 'a control or blank'} character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`
    }
    if ('/\\?#%'.includes(char)) return `contains ${JSON.stringify(char)}`
  }
  return undefined
}

/**
 * What looks like a mistake in a valid ID: a list separator the input does not take, quotes that would be sent as part
 * of the ID, or a glob where file-ids takes exact IDs. Such an ID is sent as given and most likely comes back
 * missing, which fail-on's default lets pass: the run says so.
 */
export function idHint(id: string): string | undefined {
  if (id.includes(';')) return 'holds ";": IDs are separated by newlines, commas or white space'
  if (/^(["']).*\1$/.test(id)) return 'is wrapped in quotes, which are sent as part of the ID'
  if (id.includes('*')) return 'holds "*": IDs are exact (to select files by name, use select-name)'
  return undefined
}

export const ID_RULE = 'an ID is 1-256 printable ASCII characters without / \\ ? # %, and not "." or ".."'

/** The most IDs one input may hold: far above any purge, far below what would exhaust the runner's memory. */
export const MAX_IDS = 1_000_000

export interface ParsedIds {
  ids: string[]
  problems: string[]
}

/**
 * Parses one ID source: a JSON array of strings when the first non-blank character is "[", else a list
 * separated by newlines, commas or white space; text starting with "{" is neither and is refused. `source` names the
 * input in every problem.
 */
export function parseIds(text: string, source: string): ParsedIds {
  const tooMany = `${source}: more than ${MAX_IDS.toLocaleString('en')} IDs; split the list`
  const candidates = listOf(
    text,
    'a list of IDs is a JSON array of strings or IDs separated by newlines, commas or white space'
  )
  if (typeof candidates === 'string') return { ids: [], problems: [`${source}: ${candidates}`] }
  // A JSON array is whole already: one past the bound is refused before any item is checked.
  if (isArray(candidates) && candidates.length > MAX_IDS) return { ids: [], problems: [tooMany] }
  const ids: string[] = []
  const problems: string[] = []
  let invalid = 0
  for (const id of candidates) {
    const problem = idProblem(id)
    if (problem === undefined) ids.push(id)
    else if (++invalid <= MAX_LISTED_INVALID_IDS)
      problems.push(`${source}: invalid ID ${quote(id)}: ${problem} (${ID_RULE})`)
    if (ids.length + invalid > MAX_IDS) return { ids: [], problems: [...problems, tooMany] }
  }
  if (invalid > MAX_LISTED_INVALID_IDS)
    problems.push(`${source}: ${invalid - MAX_LISTED_INVALID_IDS} more invalid IDs not listed`)
  return { ids, problems }
}

const isArray = (items: Iterable<string>): items is readonly string[] => Array.isArray(items)

/**
 * The items of a list input: a JSON array of strings when the first non-blank character is "[", else the items
 * separated by newlines, commas or white space; or, as a string, why the text is no list (`instead` says what is).
 */
function listOf(text: string, instead: string): Iterable<string> | string {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) return `starts with "{" but ${instead}`
  return trimmed.startsWith('[') ? parseJsonArray(trimmed) : listItems(text)
}

/** The items of a list separated by newlines, commas or white space, one at a time, so a huge input can stop early. */
function* listItems(text: string): Generator<string> {
  // Found separator by separator: matching a whole item with a regex overflows the stack on a megabytes-long one.
  const separator = /[\s,]/g
  for (let start = 0; ;) {
    const match = separator.exec(text)
    const end = match === null ? text.length : match.index
    if (end > start) yield text.slice(start, end)
    if (match === null) return
    start = end + 1
  }
}

function parseJsonArray(text: string): string[] | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return `starts with "[" but is not valid JSON (${error instanceof Error ? oneLine(error.message, 120) : 'parse error'})`
  }
  if (!Array.isArray(value)) return 'starts with "[" but is not a JSON array'
  const bad = value.findIndex(item => typeof item !== 'string')
  if (bad >= 0) {
    const item: unknown = value[bad]
    return `JSON array item ${bad} is not a string but ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}`
  }
  return value as string[]
}

/** Unique IDs in order of first appearance. */
export function uniqueIds(...lists: readonly string[][]): string[] {
  const seen = new Set<string>()
  for (const list of lists) for (const id of list) seen.add(id)
  return [...seen]
}

/** Whether id matches a glob pattern: * any run of characters, ? one character, the whole ID. Linear, no backtracking blow-up. */
export function globMatch(pattern: string, id: string): boolean {
  let p = 0
  let i = 0
  let star = -1
  let resume = 0
  while (i < id.length) {
    // A '*' in the pattern is always a wildcard, also where the ID holds a literal '*'.
    if (p < pattern.length && pattern[p] === '*') {
      star = p++
      resume = i
    } else if (p < pattern.length && (pattern[p] === '?' || pattern[p] === id[i])) {
      p++
      i++
    } else if (star >= 0) {
      p = star + 1
      i = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/**
 * The first protected pattern an ID matches, if any. `anyCase`: the provider's IDs are UUIDs, which it reads in any
 * case, so a pattern must not be dodged by another case.
 */
export function protectedBy(patterns: readonly string[], id: string, anyCase = false): string | undefined {
  if (!anyCase) return patterns.find(pattern => globMatch(pattern, id))
  const lower = id.toLowerCase()
  return patterns.find(pattern => globMatch(pattern.toLowerCase(), lower))
}

/**
 * Protected patterns from their input: the same list forms as file-ids (a JSON array of strings, or patterns
 * separated by newlines, commas or white space), each checked: a pattern that no valid ID could ever match would turn
 * protection off without a word, so it is a problem, as is one that looks like a ";"-separated list.
 */
export function parseProtected(text: string, source: string): ParsedIds {
  const listed = listOf(text, 'patterns are a JSON array of strings or a list')
  if (typeof listed === 'string') return { ids: [], problems: [`${source}: ${listed}`] }
  const patterns = [...listed].map(pattern => pattern.trim()).filter(pattern => pattern !== '')
  const problems = patterns.flatMap(pattern => {
    const problem = patternProblem(pattern)
    return problem === undefined ? [] : [`${source}: pattern ${quote(pattern)} ${problem}`]
  })
  return { ids: [...new Set(patterns)], problems: problems.slice(0, MAX_LISTED_INVALID_IDS) }
}

/** Why a protected pattern can never match a valid ID (or is a list in disguise), or undefined. */
function patternProblem(pattern: string): string | undefined {
  for (const char of pattern) {
    const code = char.codePointAt(0) ?? 0
    if (code < 0x21 || code > 0x7e) {
      return `holds a character outside printable ASCII (U+${code.toString(16).toUpperCase().padStart(4, '0')}), which no valid ID holds: it would protect nothing`
    }
    if ('/\\#%'.includes(char))
      return `holds ${JSON.stringify(char)}, which no valid ID holds: it would protect nothing`
  }
  if (pattern.includes(';')) return 'holds ";": separate patterns with commas or newlines'
  if (pattern.length > MAX_ID_LENGTH && !pattern.includes('*')) return `is longer than any valid ID (${MAX_ID_LENGTH})`
  return undefined
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The lower-case hyphenated form of an ID that is another spelling of a UUID (upper-case hex, braces, "urn:uuid:",
 * no hyphens); undefined for an ID in that form already, or one that is no UUID in any spelling.
 */
export function otherUuidSpelling(id: string): string | undefined {
  const bare = id
    .replace(/^urn:uuid:/i, '')
    .replace(/^\{(.*)\}$/, '$1')
    .toLowerCase()
  const hex = /^[0-9a-f]{32}$/.test(bare)
    ? `${bare.slice(0, 8)}-${bare.slice(8, 12)}-${bare.slice(12, 16)}-${bare.slice(16, 20)}-${bare.slice(20)}`
    : bare
  return UUID.test(hex) && hex !== id ? hex : undefined
}

/** FNV-1a, 32 bits, over the ID's characters (printable ASCII): stable across runs, machines and versions. */
export function idHash(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The shard (1-based) of `count` an ID belongs to. */
export function shardOf(id: string, count: number): number {
  return (idHash(id) % count) + 1
}
