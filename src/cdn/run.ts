/**
 * purge-cdn in one run: what it knows of where each planned file is served, the report entries it holds until their
 * purge is settled, and what it tells. The pipeline asks it for the details before the deletes, and for the purges
 * after them.
 */
import { MAX_CDN_WARNINGS, MAX_VERDICT_IDS } from '../settings/constants.js'
import type { FailOn } from '../settings/inputs.js'
import type { IdResult } from '../engine/outcome.js'
import type { CdnFile, ProviderCdn } from '../providers/types.js'
import { serverFilters } from '../selection/filters.js'
import type { RunPlan } from '../selection/policy.js'
import type { Verdict } from '../report/verdict.js'
import type { SelectionOutcome } from '../selection/stage.js'
import type { CdnFailure, CdnReport } from '../report/report.js'
import type { ReportEntry } from '../report/tally.js'
import { count, jsonText, quote } from '../text.js'
import { planPurges, type FolderScope, type PurgePlan } from './plan.js'
import {
  lookUp,
  notPurged,
  plannedOutcomes,
  purgeAll,
  type CdnOutcome,
  type CdnSession,
  type Requests,
  type Sent
} from './stage.js'

/**
 * The folder the listing showed every file under, when it did: a selection of a folder with its subfolders that the
 * server narrowed by nothing else, and a listing that gave every file's path.
 */
function folderScope(plan: RunPlan, listed: SelectionOutcome['cdn'], runStartMs: number): FolderScope | undefined {
  if (listed === undefined) return undefined
  const { folder, namePrefix, tags, createdBefore, statuses } = serverFilters(plan.selectionRequest.filters, runStartMs)
  if (!folder?.subfolders || namePrefix !== undefined || tags || createdBefore || statuses) return undefined
  const files: Array<{ id: string; path: string }> = []
  for (const { id, path } of listed.listed) {
    if (path === null) return undefined
    files.push({ id, path })
  }
  return { folder: folder.path, files }
}

export class CdnRun {
  private held: ReportEntry[] | undefined = []
  private outcomes = new Map<string, CdnOutcome>()
  private readonly requests: Requests = { details: 0, purges: 0, statuses: 0 }
  private purges: PurgePlan | undefined

  private constructor(
    private readonly mode: 'purge' | 'wait',
    private readonly cdn: ProviderCdn,
    private readonly files: Map<string, CdnFile>,
    private readonly scope: FolderScope | undefined,
    private readonly write: (entry: ReportEntry) => void
  ) {}

  /** The run's purge-cdn, when it asks for one and the provider has a CDN to purge. */
  static open(
    plan: RunPlan,
    selection: SelectionOutcome | undefined,
    runStartMs: number,
    write: (entry: ReportEntry) => void
  ): CdnRun | undefined {
    const { cdn } = plan.provider
    if (plan.purgeCdn === 'off' || cdn === undefined) return undefined
    const files = new Map(selection?.cdn?.files ?? [])
    return new CdnRun(plan.purgeCdn, cdn, files, folderScope(plan, selection?.cdn, runStartMs), write)
  }

  /** An entry of the report, held until its file's purge is settled (entries stay in input order). */
  hold(entry: ReportEntry): void {
    if (this.held === undefined) this.write(entry)
    else this.held.push(entry)
  }

  /**
   * Writes the held entries, each deleted (or planned) file's with its purge. A file whose purge never came (the run
   * ended first) says so.
   */
  release(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const entry of held) {
      const settled = entry.outcome === 'deleted' || entry.outcome === 'planned'
      const cdn = settled ? (this.outcomes.get(entry.id) ?? this.unsettled(entry)) : undefined
      this.write(cdn === undefined ? entry : { ...entry, cdn })
    }
  }

  private unsettled(entry: ReportEntry): CdnOutcome | undefined {
    if (entry.outcome !== 'deleted') return undefined
    return { url: null, requestId: null, status: 'failed', reason: 'not purged: the run ended before its purge' }
  }

  /** Positions of the planned IDs whose URL the listing did not give: their details are asked for first. */
  unknown(planned: readonly string[]): number[] {
    return planned.flatMap((id, index) => (this.files.has(id) ? [] : [index]))
  }

  /**
   * Asks where the files at `indexes` are served, before anything is deleted. A file that does not exist is missing
   * and one whose details cannot be read fails (`settle`): neither is deleted. Returns the requests it made.
   */
  async lookUp(
    planned: readonly string[],
    indexes: readonly number[],
    session: CdnSession,
    settle: (index: number, result: IdResult) => void
  ): Promise<Sent> {
    const ids = indexes.map(index => planned[index] as string)
    const result = await lookUp(ids, session, (called, k) => {
      const id = ids[k] as string
      if (called.kind === 'read') return void this.files.set(id, called.value)
      const missing = called.kind === 'not-found'
      const reason = missing
        ? `${called.reason} (asked for its details before deleting it; no DELETE sent)`
        : `not deleted: where it is served could not be read, so its CDN cache could not be purged: ${called.reason}`
      const { httpStatus, attempts, ms } = called
      settle(indexes[k] as number, { id, outcome: missing ? 'missing' : 'failed', httpStatus, reason, attempts, ms })
    })
    this.requests.details = result.requests
    return result
  }

  /** Whether the file's URL is known (from the listing, or its details). */
  knows(id: string): boolean {
    return this.files.has(id)
  }

  /**
   * Purges the cache of the deleted files (in planned order) and, with wait, waits for each purge; or, when the run
   * stopped before (`stopped`), records that none was purged. Returns the requests it made.
   */
  async purge(deleted: readonly string[], session: CdnSession, stopped: string | undefined): Promise<Sent | undefined> {
    const plan = (this.purges = planPurges(deleted, this.files, this.cdn, this.scope))
    if (stopped !== undefined) {
      this.outcomes = notPurged(plan, stopped)
      return undefined
    }
    const purged = await purgeAll(plan, session, this.mode === 'wait')
    this.outcomes = purged.outcomes
    Object.assign(this.requests, purged.requests)
    return purged.sent
  }

  /** A dry run: the purges it would send for the planned files whose URL the listing gave; nothing is sent. */
  plan(planned: readonly string[]): PurgePlan {
    const known = planned.filter(id => this.files.has(id))
    const plan = (this.purges = planPurges(known, this.files, this.cdn, this.scope))
    this.outcomes = plannedOutcomes(plan)
    for (const id of planned)
      if (!this.files.has(id))
        this.outcomes.set(id, {
          url: null,
          requestId: null,
          status: 'planned',
          reason: 'its URL is asked for (its details) when a run deletes it'
        })
    return plan
  }

  /**
   * One line per purge: what became of it, what it named, how many files it covered; then one per deleted file no
   * purge could name. A dry run's say what would be purged.
   */
  lines(): string[] {
    const plan = this.purges
    if (plan === undefined) return []
    const lines = plan.targets.map(target => {
      const outcome = this.outcomes.get(target.ids[0] as string)
      const files = count(target.ids.length, 'file')
      if (outcome?.status === 'planned') return `would purge ${jsonText(target.url)} (${files})`
      const request = outcome?.requestId ? `, request ${jsonText(outcome.requestId)}` : ''
      const reason = outcome?.reason ? `: ${outcome.reason}` : ''
      return `purge ${(outcome?.status ?? 'failed').padEnd(9)} ${jsonText(target.url)} (${files}${request})${reason}`
    })
    for (const { id, reason } of plan.unaddressed) lines.push(`purge failed    for ${jsonText(id)}: ${reason}`)
    return lines
  }

  /** The deleted files (in input order) whose cache was not purged, with why. */
  failures(deleted: readonly string[]): CdnFailure[] {
    return deleted.flatMap(id => {
      const outcome = this.outcomes.get(id)
      if (outcome === undefined) return [{ id, url: null, reason: 'not purged: the run ended before its purge' }]
      return outcome.status === 'failed' ? [{ id, url: outcome.url, reason: outcome.reason ?? 'failed' }] : []
    })
  }

  /** What the report says of the stage: `files`, the deleted (or, in a dry run, planned) files, in input order. */
  report(files: readonly string[]): CdnReport {
    const by = { planned: 0, submitted: 0, completed: 0, failed: 0 }
    for (const id of files) by[this.outcomes.get(id)?.status ?? 'failed']++
    const targets = this.purges?.targets ?? []
    return {
      mode: this.mode === 'wait' ? 'wait' : 'true',
      files: files.length,
      purges: targets.length,
      folderPurges: targets.filter(target => target.kind === 'folder').length,
      ...by,
      requests: { ...this.requests }
    }
  }
}

/** The verdict, failed too when fail-on holds cdn and a deleted file's cache was not purged. */
export function cdnVerdict(outcome: Verdict, failures: readonly CdnFailure[], failOn: FailOn): Verdict {
  if (failures.length === 0 || failOn.cdn !== true) return outcome
  const said = `CDN cache not purged for ${count(failures.length, 'deleted file')} (fail-on includes cdn)`
  const named = failures.slice(0, MAX_VERDICT_IDS).map(f => `${quote(f.id)} cdn: ${f.reason}`)
  const more = failures.length > MAX_VERDICT_IDS ? `; and ${failures.length - MAX_VERDICT_IDS} more in cdn-failed` : ''
  const message = outcome.failed ? `${outcome.message}; ${said}` : `${said} (${outcome.message})`
  return { failed: true, message: `${message}. ${named.join('; ')}${more}` }
}

/** One warning per failed purge, the first few, then how many more. */
export function cdnWarnings(failures: readonly CdnFailure[]): string[] {
  const lines = failures
    .slice(0, MAX_CDN_WARNINGS)
    .map(f => `CDN cache not purged for ${jsonText(f.id)}${f.url ? ` (${jsonText(f.url)})` : ''}: ${f.reason}`)
  if (failures.length > MAX_CDN_WARNINGS)
    lines.push(
      `CDN cache not purged for ${count(failures.length - MAX_CDN_WARNINGS, 'more deleted file')}: output cdn-failed lists every one`
    )
  return lines
}
