import { createHash } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import type { ReportEntry } from './tally.js'
import { errorMessage, safeJson } from '../text.js'

/** Entries are written in blocks of about this many bytes. */
const BLOCK_BYTES = 64 * 1024

/**
 * The report's entries, written to a file in a private temporary directory as they come, so that a run of 100,000
 * IDs holds none of them; the report itself is then put together from its fields and this file, block by block.
 * The text is what `JSON.stringify(report, null, 2)` gives for the whole report. The directory is made on the
 * first entry; when it cannot be, the entries are dropped and rendering the report says why. The text is made safe
 * for a log (`safeJson`: no line separator, invisible character or `##[` marker in it, only their \u escapes), as
 * the command prints it and a workflow may `cat` it; a JSON parser reads the same values.
 */
export class EntrySpool {
  private directory: string | undefined
  private fd: number | undefined
  private problem: string | undefined
  /** Encoded entries not yet written: bytes, not strings, so nothing of them lingers on the heap. */
  private readonly block = Buffer.alloc(BLOCK_BYTES)
  private used = 0
  private count = 0

  /** `parent`: where the spool's directory is made (the runner's temp directory, say). */
  constructor(private readonly parent: string) {}

  add(entry: ReportEntry): void {
    if (this.problem !== undefined || (this.fd === undefined && !this.opened())) return
    const text = `${this.count === 0 ? '' : ',\n'}${entryText(entry)}`
    this.count++
    try {
      const bytes = Buffer.byteLength(text)
      if (this.used + bytes > BLOCK_BYTES) this.flush()
      if (bytes > BLOCK_BYTES) writeAll(this.descriptor(), Buffer.from(text))
      else this.used += this.block.write(text, this.used)
    } catch (error) {
      // A full disk, say: the run goes on, and the report says it could not keep its entries.
      this.problem = errorMessage(error)
    }
  }

  /**
   * Writes the report's bytes (UTF-8) in blocks to `write`: `fields`, every field but `entries` in the file's order,
   * then the entries. A block is only valid during the call. Throws when the entries could not be kept.
   */
  render(fields: object, write: (chunk: Uint8Array) => void): void {
    if (this.problem !== undefined) throw new Error(`its entries could not be kept: ${this.problem}`)
    this.flush()
    const head = safeJson(JSON.stringify({ ...fields, entries: [] }, null, 2))
    if (!head.endsWith('"entries": []\n}')) throw new Error('the report must end with its entries')
    if (this.count === 0) return write(Buffer.from(`${head}\n`))
    write(Buffer.from(`${head.slice(0, -'[]\n}'.length)}[\n`))
    for (let position = 0; ;) {
      const read = readSync(this.descriptor(), this.block, 0, BLOCK_BYTES, position)
      if (read === 0) break
      position += read
      write(this.block.subarray(0, read))
    }
    write(Buffer.from('\n  ]\n}\n'))
  }

  /** Closes and removes the spool; the report cannot be rendered after this. */
  remove(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    if (this.directory !== undefined) rmSync(this.directory, { recursive: true, force: true })
    this.problem ??= 'the run is over'
  }

  private opened(): boolean {
    try {
      this.directory = mkdtempSync(path.join(this.parent, 'file-purge-entries-'))
      this.fd = openSync(path.join(this.directory, 'entries.json'), 'w+', 0o600)
      return true
    } catch (error) {
      this.problem = errorMessage(error)
      return false
    }
  }

  private flush(): void {
    if (this.used === 0) return
    writeAll(this.descriptor(), this.block.subarray(0, this.used))
    this.used = 0
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error(`the report's entries are gone: ${this.problem ?? 'not kept'}`)
    return this.fd
  }
}

const ENTRY_KEYS = [
  'id',
  'outcome',
  'httpStatus',
  'reason',
  'attempts',
  'ms',
  'source',
  'name',
  'createdAt'
] as const satisfies ReadonlyArray<keyof ReportEntry>
/** Keys written only when the entry has them. */
type OptionalKey = 'cdn'
// Every key of an entry is written: a key added to ReportEntry and not listed above does not compile.
const EVERY_KEY: [Exclude<keyof ReportEntry, (typeof ENTRY_KEYS)[number] | OptionalKey>] extends [never]
  ? true
  : never = true
void EVERY_KEY

/**
 * An entry as `JSON.stringify(report, null, 2)` prints it inside `entries`, built in one go: at 100,000 entries,
 * stringifying each and re-indenting it made three strings where one does.
 */
function entryText(entry: ReportEntry): string {
  let text = '    {'
  for (let i = 0; i < ENTRY_KEYS.length; i++) {
    const key = ENTRY_KEYS[i] as keyof ReportEntry
    text += `${i === 0 ? '' : ','}\n      "${key}": ${JSON.stringify(entry[key])}`
  }
  if (entry.cdn !== undefined)
    text += `,\n      "cdn": ${JSON.stringify(entry.cdn, null, 2).replace(/\n/g, '\n      ')}`
  return safeJson(`${text}\n    }`)
}

/** Writes blocks of bytes to a new file, readable by its owner only; returns the SHA-256 (hex) of what it wrote. */
export function writeFileInBlocks(file: string, produce: (write: (chunk: Uint8Array) => void) => void): string {
  const fd = openSync(file, 'w', 0o600)
  const hash = createHash('sha256')
  try {
    produce(chunk => {
      hash.update(chunk)
      writeAll(fd, chunk)
    })
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}

/** Blocks of UTF-8 as text, for a sink that takes strings: a character split between two blocks stays whole. */
export function asText(produce: (write: (chunk: Uint8Array) => void) => void, write: (text: string) => void): void {
  const decoder = new TextDecoder('utf-8')
  produce(chunk => write(decoder.decode(chunk, { stream: true })))
  const rest = decoder.decode()
  if (rest !== '') write(rest)
}

/** Writes all of `bytes`, however many calls the system takes. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset)
}
