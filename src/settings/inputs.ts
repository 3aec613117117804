import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import {
  DEFAULT_PLAN_MAX_AGE,
  Input,
  MAX_RATE_RANGE,
  NumericInput,
  type InputName,
  type NumericInputName
} from './constants.js'
import { ID_RULE, idProblem, MAX_IDS, parseIds, parseProtected, uniqueIds } from './ids.js'
import { findProvider, PROVIDER_CHOICES, PROVIDER_NAMES, type Provider } from '../providers/index.js'
import type { PolicyViolation } from './violation.js'
import { parseDuration, parseFolder, type SelectionFilters, type SelectionRequest } from './selection-request.js'
import { readPlan, type PlanFile } from './plan-file.js'
import { errorMessage, quote, splitList } from '../text.js'

export interface FailOn {
  failed: boolean
  missing: boolean
  /** A deleted file whose CDN cache could not be purged (purge-cdn) fails the step; set only when asked for. */
  cdn?: boolean
}

/** purge-cdn: off (false), purge what was deleted (true), or purge and wait until ImageKit says it is done (wait). */
export type PurgeCdn = 'off' | 'purge' | 'wait'

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
  /** What to select from the provider's listing; see `asksToSelect`. */
  selectionRequest: SelectionRequest
  /** Requests per minute at most, listing included; undefined for no cap (adaptive pacing only). */
  maxRate: number | undefined
  purgeCdn: PurgeCdn
  /**
   * The reviewed plan this run applies (plan-file): the IDs, the selection and the customer above are then the plan's.
   */
  plan: AppliedPlan | undefined
}

/** A plan to apply, and how old it may be. */
export interface AppliedPlan {
  file: PlanFile
  /** plan-max-age, as given and in ms. */
  maxAge: { text: string; ms: number }
  /** Whether plan-sha256 was given (and, when there is no violation, matched). */
  verified: boolean
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
  /** The process environment: the run's context (GITHUB_*, the event payload's path). */
  env: NodeJS.ProcessEnv
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

/** Reads raw inputs one at a time, collecting a violation for every one that is invalid. */
class InputReader {
  readonly violations: PolicyViolation[] = []

  constructor(readonly sources: InputSources) {}

  /** The input as given, not trimmed. */
  raw(name: InputName): string {
    return this.sources.getInput(name)
  }

  text(name: InputName): string {
    return this.raw(name).trim()
  }

  violation(input: InputName, message: string): void {
    this.violations.push({ input, message: `${input}: ${message}` })
  }

  /** Problems that already name their source. */
  problems(input: InputName, messages: readonly string[]): void {
    for (const message of messages) this.violations.push({ input, message })
  }

  boolean(name: InputName, fallback: boolean): boolean {
    const text = this.text(name)
    if (text === '') return fallback
    if (!BOOLEAN.test(text)) this.violation(name, `${quote(text)} is not a boolean (true or false)`)
    return /^true$/i.test(text)
  }

  number(name: NumericInputName): number {
    const text = this.text(name)
    const { min, max, default: fallback } = NumericInput[name]
    return text === '' ? fallback : (this.whole(name, text, min, max) ?? fallback)
  }

  /** A whole number from min to max, or undefined and a violation saying it is not `what` in that range. */
  whole(name: InputName, text: string, min: number, max: number, what = 'a whole number'): number | undefined {
    const value = /^\d+$/.test(text) ? Number(text) : NaN
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value
    this.violation(name, `${quote(text)} is not ${what} from ${min} to ${max}`)
    return undefined
  }
}

/** Raw inputs → typed Settings plus every violation found in them. Pure but for the injected sources. */
export function readSettings(sources: InputSources): { settings: Settings; violations: PolicyViolation[] } {
  const read = new InputReader(sources)
  const provider = readProvider(read)
  const violation = read.violation.bind(read)
  const settings: Settings = {
    provider,
    ids: readIds(read),
    apiKey: readApiKey(read),
    customerId: readCustomerId(read),
    baseUrl: readBaseUrl(read.text(Input.BaseUrl), provider, violation),
    dryRun: read.boolean(Input.DryRun, false),
    failOn: readFailOn(read.text(Input.FailOn), violation),
    maxDeletions: read.number(Input.MaxDeletions),
    protectedPatterns: readProtected(read),
    concurrency: read.number(Input.Concurrency),
    maxRetries: read.number(Input.MaxRetries),
    timeoutSeconds: read.number(Input.TimeoutSeconds),
    bulk: read.boolean(Input.Bulk, true),
    shard: readShard(read.text(Input.Shard), violation),
    commentOnPr: read.boolean(Input.CommentOnPr, false),
    githubToken: read.text(Input.GithubToken),
    selectionRequest: readSelectionRequest(read),
    maxRate: readMaxRate(read),
    purgeCdn: readPurgeCdn(read),
    plan: undefined
  }
  return { settings: readAppliedPlan(read, settings), violations: read.violations }
}

function readProvider(read: InputReader): Provider | undefined {
  const name = read.text(Input.Provider)
  const provider = findProvider(name)
  if (provider === undefined) {
    // A look-alike letter (é, Cyrillic а) reads as the name it imitates: say which character it is.
    const foreign = [...name].find(char => (char.codePointAt(0) ?? 0) > 0x7e)
    const which =
      foreign === undefined
        ? ''
        : `: it contains a non-ASCII character (U+${(foreign.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`
    const problem =
      name === ''
        ? `is required (${PROVIDER_CHOICES})`
        : `unknown provider ${quote(name)}${which} (allowed: ${PROVIDER_NAMES.join(', ')})`
    read.violation(Input.Provider, problem)
  }
  return provider
}

/** Both ID inputs, united in order of first appearance. */
function readIds(read: InputReader): string[] {
  const lists: string[][] = []
  const inline = read.raw(Input.FileIds)
  if (inline.trim() !== '') {
    const parsed = parseIds(inline, Input.FileIds)
    lists.push(parsed.ids)
    read.problems(Input.FileIds, parsed.problems)
  }
  const file = read.text(Input.FileIdsFile)
  if (file !== '') {
    const resolved = path.resolve(read.sources.workspace, file)
    let text: string | undefined
    try {
      text = read.sources.readFile(resolved)
    } catch (error) {
      const why = errorMessage(error).replace(/^[A-Z]+: /, '')
      read.violation(Input.FileIdsFile, `cannot read ${quote(resolved, 200)}: ${why}`)
    }
    if (text !== undefined) {
      const parsed = parseIds(text, `${Input.FileIdsFile} ${quote(file, 120)}`)
      lists.push(parsed.ids)
      read.problems(Input.FileIdsFile, parsed.problems)
    }
  }
  return uniqueIds(...lists)
}

/** protected-ids in the list forms file-ids takes; a pattern that could never match is a violation naming it. */
function readProtected(read: InputReader): string[] {
  const parsed = parseProtected(read.raw(Input.ProtectedIds), Input.ProtectedIds)
  read.problems(Input.ProtectedIds, parsed.problems)
  return parsed.ids
}

function readMaxRate(read: InputReader): number | undefined {
  const text = read.text(Input.MaxRate)
  if (text === '') return undefined
  const { min, max } = MAX_RATE_RANGE
  return read.whole(Input.MaxRate, text, min, max, 'a whole number of requests a minute')
}

const PURGE_CDN: Readonly<Record<string, PurgeCdn>> = { false: 'off', true: 'purge', wait: 'wait' }

function readPurgeCdn(read: InputReader): PurgeCdn {
  const text = read.text(Input.PurgeCdn)
  if (text === '') return 'off'
  const mode = Object.hasOwn(PURGE_CDN, text.toLowerCase()) ? PURGE_CDN[text.toLowerCase()] : undefined
  if (mode === undefined) read.violation(Input.PurgeCdn, `${quote(text)} is not false, true or wait`)
  return mode ?? 'off'
}

/** The filters a selection picks files by. */
const FILTER_INPUTS: readonly InputName[] = [
  Input.SelectName,
  Input.SelectPath,
  Input.SelectTags,
  Input.SelectStatus,
  Input.OlderThan,
  Input.KeepNewest
]

/** The inputs that turn selection on: a filter, or a scope to list (customer-id only narrows it). */
const SELECTION_INPUTS: readonly InputName[] = [...FILTER_INPUTS, Input.GraphId, Input.WorkflowId]

/** Longest select-name glob, select-path and scope ID read. */
const MAX_SELECT_TEXT = 1024

/** The selection inputs: each malformed one is a violation naming it; what a provider can honour is policy's. */
function readSelectionRequest(read: InputReader): SelectionRequest {
  const filters: SelectionFilters = {}
  const plain = (name: InputName): string | undefined => {
    const text = read.text(name)
    if (text === '') return undefined
    if (text.length > MAX_SELECT_TEXT || CONTROL.test(text)) {
      read.violation(name, `${quote(text)} must be at most ${MAX_SELECT_TEXT} characters without control characters`)
      return undefined
    }
    return text
  }
  const name = plain(Input.SelectName)
  if (name !== undefined) filters.name = name
  const path = plain(Input.SelectPath)
  const folder = path === undefined ? undefined : parseFolder(path)
  if (typeof folder === 'string') read.violation(Input.SelectPath, `${quote(path ?? '')} ${folder}`)
  else if (folder !== undefined) filters.path = folder
  const tags = words(plain(Input.SelectTags), false)
  if (tags) filters.tags = tags
  const statuses = words(plain(Input.SelectStatus), true)
  if (statuses) filters.statuses = statuses
  const age = readAge(read, plain(Input.OlderThan), plain(Input.KeepNewest))
  Object.assign(filters, age, readExclusions(read))
  if (read.boolean(Input.SelectAttached, false)) filters.selectAttached = true
  const scope = {
    graphId: readScopeId(read, Input.GraphId),
    workflowId: readScopeId(read, Input.WorkflowId),
    customerId: read.text(Input.CustomerId)
  }
  return { filters, scope, requested: SELECTION_INPUTS.some(input => read.text(input) !== '') }
}

/**
 * A list input of exclusions: items separated by commas or line breaks, each trimmed, empties and repeats dropped;
 * undefined when there are none, or when one is too long or holds a control character (a violation names it).
 */
function exclusionList(read: InputReader, name: InputName): string[] | undefined {
  const items = [
    ...new Set(
      read
        .raw(name)
        .split(/[,\r\n]+/)
        .map(item => item.trim())
        .filter(item => item !== '')
    )
  ]
  const bad = items.filter(item => item.length > MAX_SELECT_TEXT || CONTROL.test(item))
  for (const item of bad)
    read.violation(name, `${quote(item)} must be at most ${MAX_SELECT_TEXT} characters without control characters`)
  return items.length > 0 && bad.length === 0 ? items : undefined
}

/** exclude-name, exclude-path and exclude-tags: what a selection spares; whether it may is policy's. */
function readExclusions(read: InputReader): SelectionFilters {
  const filters: SelectionFilters = {}
  const names = exclusionList(read, Input.ExcludeName)
  if (names) filters.excludeNames = names
  const folders = (exclusionList(read, Input.ExcludePath) ?? []).flatMap(text => {
    const folder = parseFolder(text)
    if (typeof folder !== 'string') return [folder]
    read.violation(Input.ExcludePath, `${quote(text)} ${folder}`)
    return []
  })
  if (folders.length > 0) filters.excludePaths = folders
  const tags = exclusionList(read, Input.ExcludeTags)
  if (tags) filters.excludeTags = tags
  return filters
}

/** Comma-separated words, trimmed, empties dropped; undefined when there are none. */
function words(text: string | undefined, lowerCase: boolean): string[] | undefined {
  const list = (text ?? '').split(',').map(word => (lowerCase ? word.trim().toLowerCase() : word.trim()))
  const kept = [...new Set(list.filter(word => word !== ''))]
  return kept.length > 0 ? kept : undefined
}

function readAge(read: InputReader, olderThan: string | undefined, keepNewest: string | undefined): SelectionFilters {
  const filters: SelectionFilters = {}
  if (olderThan !== undefined) {
    const ms = parseDuration(olderThan)
    if (ms === undefined)
      read.violation(
        Input.OlderThan,
        `${quote(olderThan)} is not a duration of 1 to 999999 hours, days or weeks (12h, 30d, 2w)`
      )
    else filters.olderThan = { text: olderThan, ms }
  }
  if (keepNewest !== undefined) {
    const n = read.whole(Input.KeepNewest, keepNewest, 0, MAX_IDS)
    if (n !== undefined) filters.keepNewest = n
  }
  return filters
}

/** graph-id and workflow-id go into a request path or query: they follow the rules of an ID. */
function readScopeId(read: InputReader, name: InputName): string {
  const id = read.text(name)
  const problem = id === '' ? undefined : idProblem(id)
  if (problem !== undefined) read.violation(name, `${quote(id)} ${problem} (${ID_RULE})`)
  return problem === undefined ? id : ''
}

function readApiKey(read: InputReader): string {
  const apiKey = read.text(Input.ApiKey)
  // Never echo the key, not even in part.
  if (CONTROL.test(apiKey)) read.violation(Input.ApiKey, 'contains a line break or control character')
  else if (/[^\x20-\x7e]/.test(apiKey)) {
    read.violation(Input.ApiKey, 'contains a character outside printable ASCII, which cannot go in an HTTP header')
  }
  return apiKey
}

function readCustomerId(read: InputReader): string {
  const customerId = read.text(Input.CustomerId)
  if (customerId.length > 256 || CONTROL.test(customerId)) {
    read.violation(Input.CustomerId, `${quote(customerId)} must be at most 256 characters without control characters`)
  }
  return customerId
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
  const unknown = words.filter(word => !['failed', 'missing', 'cdn', 'none'].includes(word))
  if (unknown.length > 0) {
    violation(
      Input.FailOn,
      `unknown ${unknown.map(word => quote(word, 40)).join(', ')} (allowed: failed, missing, cdn, or none)`
    )
    return { failed: true, missing: false }
  }
  if (words.includes('none')) {
    if (words.length > 1) violation(Input.FailOn, '"none" cannot be combined with other outcomes')
    return { failed: false, missing: false }
  }
  return {
    failed: words.includes('failed'),
    missing: words.includes('missing'),
    ...(words.includes('cdn') ? { cdn: true } : {})
  }
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

/** What a plan carries, so this run must not give it: the IDs and every filter (select-*, exclude-*, age). */
const CARRIED_BY_PLAN: readonly InputName[] = [
  Input.FileIds,
  Input.FileIdsFile,
  ...FILTER_INPUTS,
  Input.ExcludeName,
  Input.ExcludePath,
  Input.ExcludeTags
]

/** The scope a plan is made for: given beside plan-file, each must equal the plan's. */
const PLAN_SCOPE: readonly InputName[] = [Input.CustomerId, Input.GraphId, Input.WorkflowId]

/** plan-file, plan-sha256 and plan-max-age: the settings of a run that applies a plan, or these as they are. */
function readAppliedPlan(read: InputReader, settings: Settings): Settings {
  const file = read.text(Input.PlanFile)
  const sha256 = read.text(Input.PlanSha256).toLowerCase()
  const maxAgeText = read.text(Input.PlanMaxAge) || DEFAULT_PLAN_MAX_AGE
  const maxAgeMs = parseDuration(maxAgeText)
  if (maxAgeMs === undefined)
    read.violation(
      Input.PlanMaxAge,
      `${quote(maxAgeText)} is not a duration of 1 to 999999 hours, days or weeks (24h, 7d)`
    )
  if (sha256 !== '' && !/^[0-9a-f]{64}$/.test(sha256))
    read.violation(
      Input.PlanSha256,
      `${quote(sha256)} is not a SHA-256 (64 hexadecimal digits: the output report-sha256)`
    )
  if (file === '') {
    if (sha256 !== '')
      read.violation(Input.PlanSha256, 'is given without plan-file: it is the SHA-256 the plan file must have')
    return settings
  }
  for (const input of CARRIED_BY_PLAN) {
    if (read.text(input) !== '')
      read.violation(input, 'cannot be given with plan-file: the plan carries the IDs and filters it was reviewed with')
  }
  if (settings.selectionRequest.filters.selectAttached)
    read.violation(
      Input.SelectAttached,
      'cannot be given with plan-file: the plan carries the filters it was reviewed with'
    )
  const plan = readPlanFile(read, file)
  if (plan === undefined) return { ...settings, ids: [] }
  if (sha256 !== '' && sha256 !== plan.sha256)
    read.violation(
      Input.PlanSha256,
      `the plan file's SHA-256 is ${plan.sha256}, not ${quote(sha256)}: it is not the file that was reviewed`
    )
  return applied(read, settings, {
    file: plan,
    maxAge: { text: maxAgeText, ms: maxAgeMs ?? 0 },
    verified: sha256 !== ''
  })
}

/** The plan file read and checked to be a plan, or undefined and a violation saying why it is none. */
function readPlanFile(read: InputReader, file: string): PlanFile | undefined {
  const resolved = path.resolve(read.sources.workspace, file)
  let text: string
  try {
    text = read.sources.readFile(resolved)
  } catch (error) {
    const why = errorMessage(error).replace(/^[A-Z]+: /, '')
    read.violation(Input.PlanFile, `cannot read ${quote(resolved, 200)}: ${why}`)
    return undefined
  }
  const plan = readPlan(resolved, text)
  if (typeof plan === 'string') read.violation(Input.PlanFile, `${quote(resolved, 200)} ${plan}`)
  return typeof plan === 'string' ? undefined : plan
}

/**
 * The settings of a run that applies `plan`: its given IDs, and its selection and scope read as inputs are (each
 * value the plan holds that an input would refuse is a violation). A scope input this run gives must equal the plan's.
 */
function applied(read: InputReader, settings: Settings, plan: AppliedPlan): Settings {
  const { inputs } = plan.file
  for (const input of PLAN_SCOPE) {
    const given = read.text(input)
    const planned = inputs[input] ?? ''
    if (given !== '' && given !== planned)
      read.violation(
        input,
        `${quote(given)} differs from the plan's ${planned === '' ? '(none)' : quote(planned)}: a plan applies to the scope it was made for`
      )
  }
  const fromPlan = new InputReader({ ...read.sources, getInput: name => inputs[name] ?? '' })
  const selectionRequest = readSelectionRequest(fromPlan)
  const customerId = readCustomerId(fromPlan)
  const given = parseIds(JSON.stringify(plan.file.given), `${Input.PlanFile}: the plan's given IDs`)
  const chosen = parseIds(JSON.stringify(plan.file.chosen), `${Input.PlanFile}: the plan's selected IDs`)
  read.problems(Input.PlanFile, [
    ...fromPlan.violations.map(v => `${Input.PlanFile}: the plan's ${v.message}`),
    ...given.problems,
    ...chosen.problems
  ])
  return { ...settings, ids: given.ids, customerId, selectionRequest, plan }
}
