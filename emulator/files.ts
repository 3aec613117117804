import type { FileRecord, ListedRecord } from './types.js'

const FIRST_CREATED_MS = Date.UTC(2026, 0, 1)

/** The record an entry stands for, defaults filled in; `index` orders the default creation times. */
function filled(entry: string | FileRecord, index: number): ListedRecord {
  const record = typeof entry === 'string' ? { id: entry } : entry
  const name = record.name !== undefined ? record.name : (record.path?.split('/').filter(Boolean).at(-1) ?? record.id)
  return {
    ...record,
    name,
    createdAt:
      record.createdAt !== undefined ? record.createdAt : new Date(FIRST_CREATED_MS + index * 1000).toISOString(),
    path: record.path ?? `/${name ?? record.id}`,
    status: record.status ?? 'completed',
    kind: record.kind ?? 'file'
  }
}

/**
 * A plain Set that tells when it changes: tests change an emulator's store directly too. Its methods are wrapped on
 * the instance (not enumerable), so it still is, and compares as, a Set.
 */
function observedSet<T>(changed: () => void): Set<T> {
  const set = new Set<T>()
  const define = (name: 'add' | 'delete' | 'clear', value: unknown): unknown =>
    Object.defineProperty(set, name, { enumerable: false, value })
  define('add', (value: T): Set<T> => {
    if (!set.has(value)) changed()
    return Set.prototype.add.call(set, value) as Set<T>
  })
  define('delete', (value: T): boolean => {
    const had = Set.prototype.delete.call(set, value)
    if (had) changed()
    return had
  })
  define('clear', (): void => {
    if (set.size > 0) changed()
    Set.prototype.clear.call(set)
  })
  return set
}

/** The provider's files: which exist, what they look like, and which were deleted in what order. */
export class Files {
  readonly store: Set<string> = observedSet<string>(() => this.version++)
  readonly deleted: string[] = []
  private readonly everDeleted = new Set<string>()
  private readonly details = new Map<string, ListedRecord>()
  /** ImageKit versions and folders: listed, never deleted directly. */
  private readonly listedOnly: ListedRecord[] = []
  private entries = 0
  /** Counts changes, so the sorted listing is built again only after one. */
  private version = 0
  private readonly memos = new Map<string, { version: number; value: unknown }>()

  constructor(entries: Iterable<string | FileRecord>) {
    this.add(entries)
  }

  /** A bare ID of a known file changes nothing; a record replaces the file's details. */
  add(entries: Iterable<string | FileRecord>): void {
    this.version++
    for (const entry of entries) {
      const record = filled(entry, this.entries++)
      if (record.kind !== 'file') {
        this.listedOnly.push(record)
        continue
      }
      if (typeof entry !== 'string' || !this.details.has(record.id)) this.details.set(record.id, record)
      this.store.add(record.id)
    }
  }

  exists(id: string): boolean {
    return this.store.has(id)
  }

  /** Whether the ID names a file that exists or was deleted here (Delos keeps soft-deleted files). */
  known(id: string): boolean {
    return this.store.has(id) || this.everDeleted.has(id)
  }

  /** Deletes an existing file; false when there was none. */
  remove(id: string): boolean {
    if (!this.store.delete(id)) return false
    this.deleted.push(id)
    this.everDeleted.add(id)
    return true
  }

  /** The details of a known file (an ID put into the store by hand gets the defaults). */
  record(id: string): ListedRecord | undefined {
    if (!this.known(id)) return undefined
    let record = this.details.get(id)
    if (record === undefined) {
      record = filled(id, this.entries++)
      this.details.set(id, record)
      this.version++
    }
    return record
  }

  /** Changes so far: what is listed differs only after this number does. */
  get changes(): number {
    return this.version
  }

  /**
   * `make`'s value for this state of the store, made again only after a change: a client paging through 100,000
   * files must not cost the emulator 100,000 records a page. `key` names what `make` works out (a listing and its
   * filters); the value is shared, so it must not be changed.
   */
  memo<T>(key: string, make: () => T): T {
    const memo = this.memos.get(key)
    if (memo?.version === this.version) return memo.value as T
    const value = make()
    this.memos.set(key, { version: this.version, value })
    return value
  }

  /** The deletable files in listing order (shared: not to be changed). */
  listed(): readonly ListedRecord[] {
    return this.memo('listed', () => this.sortedRecords().filter(record => record.kind === 'file'))
  }

  /** What exists now, folders and versions included, in listing order (shared: not to be changed). */
  sortedRecords(): readonly ListedRecord[] {
    return this.memo('sorted', () => {
      const all = this.records()
      const ranks = new Map(all.map(record => [record, createdRank(record)]))
      return all.sort((a, b) => compareRanked(a, ranks.get(a) as number, b, ranks.get(b) as number))
    })
  }

  /** Every file record ever added, deleted ones included. */
  history(): ListedRecord[] {
    return [...this.details.values()]
  }

  /** What exists now: the store's files in its order, then folders and the versions of existing files. */
  records(): ListedRecord[] {
    const files = [...this.store].map(id => this.record(id) as ListedRecord)
    return [...files, ...this.listedOnly.filter(record => record.kind === 'folder' || this.store.has(record.id))]
  }
}

/** Microseconds since the epoch (ISO 8601 may carry more digits than Date keeps); NaN when it is no time. */
export function timeKey(iso: string): number {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? ''
  const wholeMs = Date.parse(iso.replace(/\.\d+/, ''))
  return wholeMs * 1000 + Number(fraction.slice(0, 6).padEnd(6, '0'))
}

function createdRank(record: ListedRecord): number {
  const key = record.createdAt === null ? NaN : timeKey(record.createdAt)
  return Number.isNaN(key) ? Infinity : key
}

/** Listing order: by creation time (none, or none readable, last), then by ID. */
export function compareListed(a: ListedRecord, b: ListedRecord): number {
  return compareRanked(a, createdRank(a), b, createdRank(b))
}

function compareRanked(a: ListedRecord, rankA: number, b: ListedRecord, rankB: number): number {
  const byTime = rankA - rankB
  // Infinity - Infinity is NaN: two files without a time are ordered by ID.
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
