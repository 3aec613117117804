/**
 * A seed file for `npm run emulator -- --seed PATH`: what each provider holds at start, and the faults it injects.
 *
 *   {
 *     "writer":    { "files": [{ "id": "…", "name": "…", "createdAt": "-40d", "graphIds": ["…"], "status": "…" }] },
 *     "imagekit":  { "files": [{ "id": "…", "path": "/previews/pr-42/hero.jpg", "tags": ["preview"] }] },
 *     "delos":     { "customerId": "…", "files": [{ "id": "…", "customerId": "…", "locked": true }] },
 *     "anyformat": { "files": [{ "id": "…", "workflowId": "…", "status": "…", "name": null }],
 *                    "faults": [{ "id": "…", "on": "delete", "times": 2, "fault": { "kind": "status", "status": 503 } }] }
 *   }
 *
 * A file is a record as the emulator keeps it (emulator/types.ts FileRecord) or a bare ID. `createdAt` is ISO 8601, or
 * a time relative to the emulator's start: `-40d`, `-12h`, `-2w`, so that a seed's old and new files stay old and
 * new. A fault is a FaultRule (emulator/types.ts). A provider left out holds no files. Keys starting with `$` are
 * comments. Anything else is refused, naming where it is, rather than ignored.
 */
import { readFileSync } from 'node:fs'
import { PROVIDER_NAMES } from '../src/providers/index.js'
import type { Fault, FaultRule, FileRecord, ProviderName } from './types.js'

export interface ProviderSeed {
  files: FileRecord[]
  faults: FaultRule[]
  /** Delos: the customer a file without its own customerId belongs to. */
  customerId?: string
}

export type Seed = Record<ProviderName, ProviderSeed>

const RELATIVE = /^-(\d+)([hdw])$/
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const

const STRING_FIELDS = ['name', 'createdAt', 'path', 'status', 'workflowId', 'customerId'] as const
const LIST_FIELDS = ['tags', 'aiTags', 'graphIds'] as const
const KINDS = ['file', 'file-version', 'folder'] as const
const FAULT_KINDS: ReadonlyArray<Fault['kind']> = [
  'latency',
  'status',
  'rate-limit',
  'hang',
  'reset',
  'html',
  'redirect',
  'lose-answer',
  'delos-error',
  'retryable'
]

class SeedError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function only(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!key.startsWith('$') && !allowed.includes(key)) {
      throw new SeedError(`${where}: unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`)
    }
  }
}

/** A relative time (-40d) as ISO 8601 counted back from `now`; any other text as given. */
export function seedTime(text: string, now: number): string {
  const match = RELATIVE.exec(text)
  if (!match) return text
  return new Date(now - Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]).toISOString()
}

function fileRecord(entry: unknown, where: string, now: number): FileRecord {
  if (typeof entry === 'string') return { id: entry }
  if (!isRecord(entry)) throw new SeedError(`${where}: a file is an ID or an object`)
  only(entry, ['id', ...STRING_FIELDS, ...LIST_FIELDS, 'kind', 'locked'], where)
  if (typeof entry.id !== 'string' || entry.id === '') throw new SeedError(`${where}: "id" must be a non-empty string`)
  const record: FileRecord = { id: entry.id }
  for (const field of STRING_FIELDS) {
    const value = entry[field]
    if (value === undefined) continue
    if (field === 'name' && value === null) record.name = null
    else if (field === 'createdAt' && value === null) record.createdAt = null
    else if (typeof value !== 'string') throw new SeedError(`${where}: "${field}" must be a string`)
    else record[field] = field === 'createdAt' ? seedTime(value, now) : value
  }
  for (const field of LIST_FIELDS) {
    const value = entry[field]
    if (value === undefined) continue
    if (!Array.isArray(value) || value.some(item => typeof item !== 'string')) {
      throw new SeedError(`${where}: "${field}" must be an array of strings`)
    }
    record[field] = value as string[]
  }
  if (entry.kind !== undefined) {
    if (!KINDS.includes(entry.kind as FileRecord['kind'] & string)) {
      throw new SeedError(`${where}: "kind" must be one of ${KINDS.join(', ')}`)
    }
    record.kind = entry.kind as NonNullable<FileRecord['kind']>
  }
  if (entry.locked !== undefined) {
    if (typeof entry.locked !== 'boolean') throw new SeedError(`${where}: "locked" must be true or false`)
    record.locked = entry.locked
  }
  return record
}

function faultRule(entry: unknown, where: string): FaultRule {
  if (!isRecord(entry)) throw new SeedError(`${where}: a fault rule is an object`)
  only(entry, ['id', 'on', 'times', 'fault'], where)
  if (entry.id !== undefined && typeof entry.id !== 'string') throw new SeedError(`${where}: "id" must be a string`)
  if (entry.on !== undefined && entry.on !== 'list' && entry.on !== 'delete') {
    throw new SeedError(`${where}: "on" must be "list" or "delete"`)
  }
  if (entry.times !== undefined && !(Number.isInteger(entry.times) && (entry.times as number) >= 1)) {
    throw new SeedError(`${where}: "times" must be a whole number ≥ 1`)
  }
  if (!isRecord(entry.fault) || !FAULT_KINDS.includes(entry.fault.kind as Fault['kind'])) {
    throw new SeedError(`${where}: "fault" must be an object whose "kind" is one of ${FAULT_KINDS.join(', ')}`)
  }
  return entry as unknown as FaultRule
}

/** A seed from its JSON text; `now` anchors relative creation times. Throws naming what is wrong, and where. */
export function parseSeed(text: string, source: string, now = Date.now()): Seed {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new SeedError(`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (!isRecord(document)) throw new SeedError(`${source}: a seed is an object keyed by provider`)
  only(document, PROVIDER_NAMES, source)
  const seed = {} as Seed
  for (const provider of PROVIDER_NAMES) {
    const entry = document[provider] ?? {}
    const where = `${source}: ${provider}`
    if (!isRecord(entry)) throw new SeedError(`${where}: must be an object`)
    only(entry, provider === 'delos' ? ['files', 'faults', 'customerId'] : ['files', 'faults'], where)
    const files = entry.files ?? []
    const faults = entry.faults ?? []
    if (!Array.isArray(files)) throw new SeedError(`${where}: "files" must be an array`)
    if (!Array.isArray(faults)) throw new SeedError(`${where}: "faults" must be an array`)
    if (entry.customerId !== undefined && typeof entry.customerId !== 'string') {
      throw new SeedError(`${where}: "customerId" must be a string`)
    }
    seed[provider] = {
      files: files.map((file, index) => fileRecord(file, `${where}.files[${index}]`, now)),
      faults: faults.map((rule, index) => faultRule(rule, `${where}.faults[${index}]`)),
      ...(typeof entry.customerId === 'string' ? { customerId: entry.customerId } : {})
    }
  }
  return seed
}

export function readSeed(file: string, now = Date.now()): Seed {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new SeedError(`--seed ${JSON.stringify(file)}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return parseSeed(text, file, now)
}
