import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { Input, NumericRange, type InputName } from './constants.js'
import { parseIds, uniqueIds } from './ids.js'
import { findProvider, type Provider } from './providers/index.js'
import { quote, splitList } from './text.js'

/** One reason the run must not send anything, naming the input it is about. */
export interface PolicyViolation {
  input: InputName
  message: string
}

export interface FailOn {
  failed: boolean
  missing: boolean
}

/** Every input, read and typed. Fields whose input was invalid hold a harmless fallback and a violation says why. */
export interface Settings {
  provider: Provider | undefined
  ids: string[]
  apiKey: string
  customerId: string
  baseUrl: URL | undefined
  dryRun: boolean
  failOn: FailOn
  maxDeletions: number
  protectedPatterns: string[]
  concurrency: number
  maxRetries: number
  timeoutSeconds: number
  bulk: boolean
  shard: Shard | undefined
  commentOnPr: boolean
  githubToken: string
}

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number
  count: number
}

export interface InputSources {
  getInput: (name: InputName) => string
  /** Reads a file of IDs; throws with a message a user can act on. */
  readFile: (filePath: string) => string
  /** Where a relative file-ids-file resolves. */
  workspace: string
}

/** Largest file-ids-file read: room for a million long IDs, far below what would strain the runner. */
export const MAX_IDS_FILE_BYTES = 32 * 1024 * 1024

/** Reads a file of IDs from disk, refusing what is not a regular file or is too large. */
export function readIdsFile(filePath: string): string {
  const stats = statSync(filePath)
  if (!stats.isFile()) throw new Error('not a regular file')
  if (stats.size > MAX_IDS_FILE_BYTES) throw new Error(`larger than ${MAX_IDS_FILE_BYTES / 1024 / 1024} MiB`)
  return readFileSync(filePath, 'utf8')
}

const BOOLEAN = /^(true|True|TRUE|false|False|FALSE)$/
const LOCAL_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/
const CONTROL = /[\u0000-\u001f\u007f]/

/** Raw inputs → typed Settings plus every violation found in them. Pure but for the injected sources. */
export function readSettings(sources: InputSources): { settings: Settings; violations: PolicyViolation[] } {
  const violations: PolicyViolation[] = []
  const violation = (input: InputName, message: string): void => {
    violations.push({ input, message: `${input}: ${message}` })
  }
  const get = (name: InputName): string => sources.getInput(name).trim()

  const providerName = get(Input.Provider)
  const provider = findProvider(providerName)
  if (provider === undefined) {
    violation(
      Input.Provider,
      providerName === ''
        ? 'is required (writer, imagekit, delos or anyformat)'
        : `unknown provider ${quote(providerName)} (allowed: writer, imagekit, delos, anyformat)`
    )
  }

  const idLists: string[][] = []
  const inline = sources.getInput(Input.FileIds)
  if (inline.trim() !== '') {
    const parsed = parseIds(inline, Input.FileIds)
    idLists.push(parsed.ids)
    for (const problem of parsed.problems) violations.push({ input: Input.FileIds, message: problem })
  }
  const idsFile = get(Input.FileIdsFile)
  if (idsFile !== '') {
    const resolved = path.resolve(sources.workspace, idsFile)
    let text: string | undefined
    try {
      text = sources.readFile(resolved)
    } catch (error) {
      violation(
        Input.FileIdsFile,
        `cannot read ${quote(resolved, 200)}: ${error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error)}`
      )
    }
    if (text !== undefined) {
      const parsed = parseIds(text, `${Input.FileIdsFile} ${quote(idsFile, 120)}`)
      idLists.push(parsed.ids)
      for (const problem of parsed.problems) violations.push({ input: Input.FileIdsFile, message: problem })
    }
  }

  const apiKey = get(Input.ApiKey)
  // Never echo the key, not even in part.
  if (CONTROL.test(apiKey)) violation(Input.ApiKey, 'contains a line break or control character')
  else if (/[^\x20-\x7e]/.test(apiKey))
    violation(Input.ApiKey, 'contains a character outside printable ASCII, which cannot go in an HTTP header')

  const customerId = get(Input.CustomerId)
  if (customerId.length > 256 || CONTROL.test(customerId))
    violation(Input.CustomerId, `${quote(customerId)} must be at most 256 characters without control characters`)

  const boolean = (name: InputName, fallback: boolean): boolean => {
    const text = get(name)
    if (text === '') return fallback
    if (!BOOLEAN.test(text)) violation(name, `${quote(text)} is not a boolean (true or false)`)
    return /^true$/i.test(text)
  }

  const number = (name: keyof typeof NumericRange, fallback: number): number => {
    const text = get(name)
    if (text === '') return fallback
    const { min, max } = NumericRange[name]
    const value = /^\d+$/.test(text) ? Number(text) : NaN
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      violation(name, `${quote(text)} is not a whole number from ${min} to ${max}`)
      return fallback
    }
    return value
  }

  return {
    settings: {
      provider,
      ids: uniqueIds(...idLists),
      apiKey,
      customerId,
      baseUrl: readBaseUrl(get(Input.BaseUrl), provider, violation),
      dryRun: boolean(Input.DryRun, false),
      failOn: readFailOn(get(Input.FailOn), violation),
      maxDeletions: number(Input.MaxDeletions, 1000),
      protectedPatterns: splitList(sources.getInput(Input.ProtectedIds)),
      concurrency: number(Input.Concurrency, 8),
      maxRetries: number(Input.MaxRetries, 3),
      timeoutSeconds: number(Input.TimeoutSeconds, 30),
      bulk: boolean(Input.Bulk, true),
      shard: readShard(get(Input.Shard), violation),
      commentOnPr: boolean(Input.CommentOnPr, false),
      githubToken: get(Input.GithubToken)
    },
    violations
  }
}

/** Shards a matrix may split a purge into, at most. */
export const MAX_SHARDS = 1000

function readShard(text: string, violation: (input: InputName, message: string) => void): Shard | undefined {
  if (text === '') return undefined
  const match = /^(\d{1,4})\s*\/\s*(\d{1,4})$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    violation(Input.Shard, `${quote(text)} is not i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS} (for example 2/8)`)
    return undefined
  }
  return { index, count }
}

function readFailOn(text: string, violation: (input: InputName, message: string) => void): FailOn {
  const words = splitList(text.toLowerCase())
  if (words.length === 0) return { failed: true, missing: false }
  const unknown = words.filter(word => !['failed', 'missing', 'none'].includes(word))
  if (unknown.length > 0) {
    violation(
      Input.FailOn,
      `unknown ${unknown.map(word => quote(word, 40)).join(', ')} (allowed: failed, missing, or none)`
    )
    return { failed: true, missing: false }
  }
  if (words.includes('none')) {
    if (words.length > 1) violation(Input.FailOn, '"none" cannot be combined with other outcomes')
    return { failed: false, missing: false }
  }
  return { failed: words.includes('failed'), missing: words.includes('missing') }
}

/** base-url: https://, or http:// to a loopback host; no credentials, query or fragment. Normalised without a trailing slash. */
function readBaseUrl(
  text: string,
  provider: Provider | undefined,
  violation: (input: InputName, message: string) => void
): URL | undefined {
  if (text === '') return provider ? new URL(provider.defaultBaseUrl) : undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    // Whatever stands before an '@' may be credentials: never repeat it.
    violation(Input.BaseUrl, `${quote(text.replace(/\/\/[^/]*@/, '//…@'))} is not an absolute URL`)
    return undefined
  }
  const problems: string[] = []
  if (url.protocol === 'http:') {
    if (!LOCAL_HOST.test(url.hostname))
      problems.push('http:// is allowed only to localhost, 127.0.0.0/8 or [::1]; use https://')
  } else if (url.protocol !== 'https:') {
    problems.push(`scheme ${quote(url.protocol)} is not allowed; use https://`)
  }
  if (url.username !== '' || url.password !== '') problems.push('must not carry credentials; pass the key in api-key')
  if (text.includes('?') || text.includes('#')) problems.push('must not carry a query or fragment')
  if (problems.length > 0) {
    // Credentials in the URL are secrets too: name the host only.
    const shown = url.username !== '' || url.password !== '' ? `${url.protocol}//${url.host}` : text
    for (const problem of problems) violation(Input.BaseUrl, `${quote(shown)}: ${problem}`)
    return undefined
  }
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}
