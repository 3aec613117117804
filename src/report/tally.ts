import { MAX_SUMMARY_ROWS } from '../settings/constants.js'
import type { IdResult, Outcome } from '../engine/outcome.js'
import type { CdnOutcome } from '../cdn/stage.js'

/** One ID's entry in the report file. */
export interface ReportEntry {
  id: string
  outcome: Outcome | 'planned'
  httpStatus: number | null
  reason: string | null
  attempts: number
  ms: number
  /** Given in file-ids or file-ids-file, or selected from the listing (an ID both given and selected is given). */
  source: 'input' | 'selected'
  /** As the provider's listing gave them; null for an ID the listing did not show. */
  name: string | null
  createdAt: string | null
  /** With purge-cdn, for a deleted (or, in a dry run, planned) file: the purge of its CDN cache. */
  cdn?: CdnOutcome
}

/** What the report says of an ID besides its result: where it came from, and what the listing showed of it. */
export type About = Pick<ReportEntry, 'source' | 'name' | 'createdAt'>

/** An entry the summary, the annotations, the verdict or the comment may show, with its place in the input. */
export interface Shown {
  index: number
  entry: ReportEntry
}

/** The first entries of each kind that is ever shown, in input order, at most SHOWN_PER_KIND of each. */
export interface ShownEntries {
  missing: Shown[]
  failed: Shown[]
  /** Failed after at least one attempt: the ones worth an annotation each. */
  attemptedFailed: Shown[]
}

export interface Counts {
  deleted: number
  missing: number
  failed: number
  attemptedFailed: number
}

/** Enough of each kind for every place that shows entries: the summary's rows are the most. */
export const SHOWN_PER_KIND = MAX_SUMMARY_ROWS

const CODE: Record<Outcome, number> = { deleted: 1, missing: 2, failed: 3 }

/**
 * What a run keeps of its results. Results arrive as IDs settle, in any order; each is put in input order (held
 * only while an earlier ID is still open), counted, written once to `write` (the report's spool) and then dropped.
 * What stays per ID is one byte, its outcome, so the outputs can list IDs in input order; besides that, only the
 * first few entries of each kind that the summary, annotations, verdict and comment show.
 */
export class Tally {
  readonly counts: Counts = { deleted: 0, missing: 0, failed: 0, attemptedFailed: 0 }
  readonly shown: ShownEntries = { missing: [], failed: [], attemptedFailed: [] }
  private readonly outcomes: Uint8Array
  /**
   * Results that settled before an earlier ID, at `index % ahead.length`: a window that grows (by powers of two)
   * only as far as results run ahead. Slots are cleared as they are written, and the array is never rebuilt
   * otherwise: a dropped map's table would keep those results alive for the garbage collector.
   */
  private ahead: Array<IdResult | undefined> = new Array<IdResult | undefined>(64)
  private next = 0

  constructor(
    readonly planned: readonly string[],
    private readonly about: (id: string) => About,
    private readonly write: (entry: ReportEntry) => void
  ) {
    this.outcomes = new Uint8Array(planned.length)
  }

  /** The result of planned[index]. */
  record(index: number, result: IdResult): void {
    this.outcomes[index] = CODE[result.outcome]
    this.counts[result.outcome]++
    if (result.outcome === 'failed' && result.attempts > 0) this.counts.attemptedFailed++
    if (index !== this.next) return this.holdBack(index, result)
    this.emit(index, result)
    for (;;) {
      const slot = this.next % this.ahead.length
      const held = this.ahead[slot]
      if (held === undefined) return
      this.ahead[slot] = undefined
      this.emit(this.next, held)
    }
  }

  /** A dry run: every planned ID gets its entry, and nothing is sent. */
  recordPlanned(): void {
    for (const id of this.planned) {
      this.write({
        id,
        outcome: 'planned',
        httpStatus: null,
        reason: 'dry run: not sent',
        attempts: 0,
        ms: 0,
        ...this.about(id)
      })
    }
  }

  /** Indexes of the planned IDs that have no result yet, in input order. */
  open(): number[] {
    const open: number[] = []
    this.outcomes.forEach((recorded, index) => {
      if (recorded === 0) open.push(index)
    })
    return open
  }

  /** Every ID with this outcome, in input order. */
  ids(outcome: Outcome): string[] {
    const code = CODE[outcome]
    const ids: string[] = []
    this.outcomes.forEach((recorded, index) => {
      if (recorded === code) ids.push(this.planned[index] as string)
    })
    return ids
  }

  private holdBack(index: number, result: IdResult): void {
    if (index - this.next >= this.ahead.length) {
      let size = this.ahead.length
      while (index - this.next >= size) size *= 2
      const wider = new Array<IdResult | undefined>(size)
      for (let open = this.next; open < this.next + this.ahead.length; open++) {
        wider[open % size] = this.ahead[open % this.ahead.length]
      }
      this.ahead = wider
    }
    this.ahead[index % this.ahead.length] = result
  }

  private emit(index: number, result: IdResult): void {
    this.next = index + 1
    const { id, outcome, httpStatus, reason, attempts, ms } = result
    const entry: ReportEntry = { id, outcome, httpStatus, reason, attempts, ms, ...this.about(id) }
    this.write(entry)
    if (outcome === 'deleted') return
    keep(this.shown[outcome], index, entry)
    if (outcome === 'failed' && attempts > 0) keep(this.shown.attemptedFailed, index, entry)
  }
}

function keep(list: Shown[], index: number, entry: ReportEntry): void {
  if (list.length < SHOWN_PER_KIND) list.push({ index, entry })
}

/** The first `limit` entries of these lists together, in input order. */
export function firstShown(lists: ReadonlyArray<readonly Shown[]>, limit: number): ReportEntry[] {
  return lists
    .flat()
    .sort((a, b) => a.index - b.index)
    .slice(0, limit)
    .map(shown => shown.entry)
}
