import { getHeapStatistics } from 'node:v8'
import { MAX_LIST_PAGES, MAX_LISTED_ITEMS, ScopeInput } from '../settings/constants.js'
import { quote, reasonCleaner } from '../text.js'
import { cancellation, onAbort } from '../transport/abort.js'
import { TransportError } from '../transport/errors.js'
import type {
  ClassifiedAnswer,
  HttpAnswer,
  ListCursor,
  ListItem,
  ListScope,
  PageReading,
  ProviderList,
  ProviderRequest,
  RequestContext,
  ServerFilters
} from '../providers/types.js'
import {
  decide,
  FRESH_BUDGET,
  isProgress,
  rulesFor,
  transportClassification,
  type AnyClassification,
  type Budget,
  type Decision,
  type Rules
} from './decide.js'
import type { SendOptions } from './purge.js'
import { realClock, type Clock, type Pacer } from './pacing.js'
import { Progress } from './progress.js'

/** A page is read up to this size: a thousand ImageKit items take about half a MiB. */
export const MAX_PAGE_BYTES = 32 * 1024 * 1024

/**
 * How much of what a provider lists the run will hold. The page size bounds one answer, the item count (a million)
 * and the page count bound the listing's length, and these bound its weight:
 *
 * - `itemText`: one text field of one item (name, path, status, creation time, a tag, the ID); a longer one fails
 *   the listing, naming the field. No real file has a 4,096-character name.
 * - `listedTextBytes`: the text of every item kept, as the heap holds it (a byte a character, two where a string
 *   holds any character past U+00FF). A million real items (an ID, a name, a path, a time, a few tags) need about
 *   150 MB; a million 4,096-character names would need 4 GB. Past it the listing fails: nothing is deleted.
 * - `heapShare`: after each page, a heap that would be fuller than this share of its limit (whatever
 *   --max-old-space-size made it) with room for reading one more page (PAGE_ROOM_BYTES: its body, what it parses
 *   into, the items it gives) fails the listing, so that a listing cannot run the process out of memory, which
 *   would end it with no outputs and no report.
 */
export interface ListLimits {
  /** Pages one listing may take, and items it may hold. */
  pages: number
  items: number
  itemText: number
  listedTextBytes: number
  heapShare: number
  /** The heap now and its limit, in bytes. */
  heap: () => { used: number; limit: number }
}

/** What reading one page may take on the heap, at most, besides what the listing holds. */
export const PAGE_ROOM_BYTES = 3 * MAX_PAGE_BYTES

export const LIST_LIMITS: ListLimits = {
  pages: MAX_LIST_PAGES,
  items: MAX_LISTED_ITEMS,
  itemText: 4096,
  listedTextBytes: 256 * 1024 * 1024,
  heapShare: 0.9,
  heap: () => {
    const stats = getHeapStatistics()
    return { used: stats.used_heap_size, limit: stats.heap_size_limit }
  }
}

/** The text fields of an item, as a failure names them. */
const TEXT_FIELDS = [
  ['id', 'ID'],
  ['name', 'name'],
  ['createdAt', 'creation time'],
  ['path', 'path'],
  ['status', 'status'],
  ['customerId', 'customer ID'],
  ['tags', 'tag'],
  ['graphIds', 'graph ID'],
  ['url', 'URL']
] as const satisfies ReadonlyArray<readonly [keyof ListItem, string]>

const WIDE = /[^\u0000-\u00ff]/

/** An item's text as the heap holds it, or the first field longer than `max` characters. */
function weigh(item: ListItem, max: number): { bytes: number } | { field: string; length: number } {
  let bytes = 0
  for (const [key, field] of TEXT_FIELDS) {
    const value = item[key]
    const texts = Array.isArray(value) ? value : [value]
    for (const text of texts) {
      if (typeof text !== 'string') continue
      if (text.length > max) return { field, length: text.length }
      bytes += WIDE.test(text) ? text.length * 2 : text.length
    }
  }
  return { bytes }
}

const mib = (bytes: number): string => `${Math.round(bytes / (1024 * 1024)).toLocaleString('en')} MiB`

export interface ListOptions extends SendOptions {
  list: ProviderList
  filters: ServerFilters
  scope: ListScope
  context: RequestContext
  /** How the provider's error answers read: the same rules as its deletes'. */
  classify: (answer: HttpAnswer, now: number) => ClassifiedAnswer
  /** The run's pacer: the listing and the deletes share the provider's budget. */
  pacer: Pacer
  /** Cancels the listing: it fails, and nothing is deleted. */
  signal?: AbortSignal
  onPause?: (waitMs: number) => void
  /** What the listing may hold; LIST_LIMITS unless a test says otherwise. */
  limits?: Partial<ListLimits>
}

interface ListedPages {
  pages: number
  requests: number
  ms: number
}

/** The whole listing, or why there is none: a partial list is never used. */
export type Listing =
  | ({ complete: true; items: ListItem[] } & ListedPages)
  | ({ complete: false; reason: string; credentialsRejected: boolean; halted: string | null } & ListedPages)

/** Why a listing stopped short, for the run's verdict. */
interface Failure {
  reason: string
  credentialsRejected?: boolean
  halted?: string
}

/** One request of the listing: where it stands (for messages), what it sends, and how its 2xx answer reads. */
interface Step<T> {
  where: string
  /** The scope a 404 to it says does not exist. */
  missing?: keyof ListScope
  request(): ProviderRequest
  read(answer: HttpAnswer): T | { problem: string }
}

/** A page read, and the text its items hold. */
type PageRead = Extract<PageReading, { items: ListItem[] }> & { textBytes: number }

class ListingFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason)
  }
}

/**
 * Lists every page, one request at a time, before anything is deleted: deleting while paging by offset would
 * shift the later pages. Each page request goes through the run's transport and pacer with the deletes' rules for
 * retries, rate limits and time limits. It fails closed: an error that retries do not cure, a page that does not
 * read, a count that keeps changing, or a listing past the bounds ends it with no items at all.
 */
export async function listAll(options: ListOptions): Promise<Listing> {
  const clock = options.clock ?? realClock
  const started = clock.now()
  const pager = new Pager(options, clock)
  const done = (): ListedPages => ({ pages: pager.pages, requests: pager.requests, ms: clock.now() - started })
  try {
    const items = await pager.all()
    return { complete: true, items, ...done() }
  } catch (error) {
    if (!(error instanceof ListingFailed)) throw error
    const { reason, credentialsRejected = false, halted = null } = error.failure
    return { complete: false, reason, credentialsRejected, halted, ...done() }
  }
}

/** The state of one listing: the pages read, the requests sent, the count the provider announced. */
class Pager {
  pages = 0
  requests = 0
  private readonly rules: Rules
  private readonly progress: Progress
  private readonly clean: (text: string) => string
  private readonly limits: ListLimits

  constructor(
    private readonly options: ListOptions,
    private readonly clock: Clock
  ) {
    this.limits = { ...LIST_LIMITS, ...options.limits }
    this.rules = rulesFor(options)
    this.progress = new Progress(clock.now())
    this.clean = reasonCleaner(options.secrets)
  }

  /**
   * The scope proved to exist, then every page from the first. A count that changes restarts the listing once; a
   * second change fails it.
   */
  async all(): Promise<ListItem[]> {
    await this.checkScope()
    for (let restarts = 0; ; restarts++) {
      const listed = await this.fromStart()
      if (listed !== 'count changed') return listed
      if (restarts > 0)
        throw new ListingFailed({ reason: "the provider's count of files changed while listing, twice" })
    }
  }

  private async fromStart(): Promise<ListItem[] | 'count changed'> {
    const items: ListItem[] = []
    const { pages: maxPages, items: maxItems, listedTextBytes, heapShare, heap } = this.limits
    let textBytes = 0
    let total: number | undefined
    for (let cursor: ListCursor | undefined = { page: 1 }; cursor !== undefined;) {
      if (this.pages >= maxPages)
        throw new ListingFailed({ reason: `more than ${maxPages.toLocaleString('en')} pages` })
      const page = await this.page(cursor)
      this.pages++
      if (page.total !== undefined && total !== undefined && page.total !== total) return 'count changed'
      total = page.total ?? total
      for (const item of page.items) items.push(item)
      if (items.length > maxItems)
        throw new ListingFailed({ reason: `more than ${maxItems.toLocaleString('en')} items` })
      textBytes += page.textBytes
      if (textBytes > listedTextBytes)
        throw new ListingFailed({ reason: `the listed items hold more than ${mib(listedTextBytes)} of text` })
      const { used, limit } = heap()
      if (used + PAGE_ROOM_BYTES > limit * heapShare) {
        const reason = `after page ${cursor.page} the listing needs more memory than the heap allows (${mib(used)} of ${mib(limit)} in use)`
        throw new ListingFailed({ reason })
      }
      cursor = page.next
    }
    return items
  }

  /** The request that proves the scope exists, when the provider has one and the scope is given. */
  private async checkScope(): Promise<void> {
    const { list, scope, context } = this.options
    const check = list.scopeCheck
    if (check === undefined || scope[check.scope] === '') return
    await this.fetch({
      where: `${ScopeInput[check.scope]} ${quote(scope[check.scope])}`,
      missing: check.scope,
      request: () => check.request(scope, context),
      read: answer => {
        const problem = check.read(answer, scope)
        return problem === undefined ? true : { problem }
      }
    })
  }

  /** One page, and the text its items hold (an item past the limits fails the listing). */
  private page(cursor: ListCursor): Promise<PageRead> {
    const { list, filters, scope, context } = this.options
    return this.fetch<PageRead>({
      where: `page ${cursor.page}`,
      ...(list.pagesOf === undefined ? {} : { missing: list.pagesOf }),
      request: () => list.request(cursor, filters, scope, context),
      read: answer => {
        const reading = list.read(answer, cursor)
        return 'problem' in reading ? reading : { ...reading, textBytes: this.weighPage(reading.items, cursor) }
      }
    })
  }

  /** One request of the listing, asked for again as the rules say until it reads or the rules give up. */
  private async fetch<T>(step: Step<T>): Promise<T> {
    let budget: Budget = FRESH_BUDGET
    for (let attempts = 1; ; attempts++) {
      const mark = this.progress.mark
      const answered = await this.attempt(step)
      if ('read' in answered) return answered.read
      const classification = answered.classification
      const now = this.clock.now()
      if (isProgress(classification)) this.progress.made(now)
      const view = this.progress.view(now, mark, undefined)
      const ruling = decide(classification, { attempts, bulk: false, budget }, view, this.rules)
      budget = ruling.budget
      await this.carryOut(ruling.decision, step, now, mark)
    }
  }

  /** One request: what it read, or what the answer (or its absence) means. */
  private async attempt<T>(step: Step<T>): Promise<{ read: T } | { classification: AnyClassification }> {
    const { options, clock } = this
    await this.paced()
    this.requests++
    const { method, url, headers } = step.request()
    let answer: HttpAnswer
    try {
      answer = await options.transport.send({
        method,
        url,
        headers,
        timeoutMs: options.timeoutMs,
        maxBodyBytes: MAX_PAGE_BYTES,
        ...(options.signal ? { signal: options.signal } : {})
      })
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      if (error.kind === 'cancelled' && options.signal) throw this.cancelled(options.signal)
      return { classification: transportClassification(error) }
    }
    const classified = options.classify(answer, clock.now())
    if (classified.window) options.pacer.window(classified.window.limit, classified.window.intervalMs)
    if (answer.status < 200 || answer.status >= 300) return { classification: classified.classification }
    const reading = answer.truncated ? { problem: 'the answer is larger than the transport reads' } : step.read(answer)
    if (typeof reading === 'object' && reading !== null && 'problem' in reading)
      throw new ListingFailed({ reason: `${step.where}: ${reading.problem}` })
    const now = clock.now()
    options.pacer.succeeded(now)
    this.progress.made(now)
    return { read: reading }
  }

  /** The text a page's items hold; an item with a text field past the limit fails the listing, naming the field. */
  private weighPage(items: readonly ListItem[], cursor: ListCursor): number {
    const max = this.limits.itemText
    let bytes = 0
    for (let i = 0; i < items.length; i++) {
      const weight = weigh(items[i] as ListItem, max)
      if ('field' in weight) {
        const length = weight.length.toLocaleString('en')
        throw new ListingFailed({
          reason: `page ${cursor.page}: item ${i + 1}'s ${weight.field} has ${length} characters, more than ${max.toLocaleString('en')}`
        })
      }
      bytes += weight.bytes
    }
    return bytes
  }

  /** Waits as the decision says before the request is sent again, or ends the listing. */
  private async carryOut<T>(decision: Decision, step: Step<T>, now: number, mark: number): Promise<void> {
    const where = `${step.where}: `
    switch (decision.kind) {
      case 'retry':
        return this.sleep(decision.afterMs)
      case 'park':
        if (this.progress.rateLimited(this.options.pacer, now, decision.waitMs, decision.hinted, mark)) {
          this.options.onPause?.(decision.waitMs)
        }
        return
      case 'stop':
        throw new ListingFailed({
          reason: `${where}${this.clean(decision.unitReason)}`,
          credentialsRejected: decision.credentialsRejected,
          ...(decision.fatal ? { halted: this.clean(decision.reason) } : {})
        })
      case 'not-found':
        if (step.missing !== undefined) throw this.noScope(step.missing, decision.reason)
        throw new ListingFailed({ reason: `${where}${this.clean(decision.reason)}` })
      case 'settle':
        throw new ListingFailed({ reason: `${where}${this.clean(decision.reason ?? 'failed')}` })
      default:
        throw new ListingFailed({ reason: `${where}unexpected answer (${decision.kind})` })
    }
  }

  /** A scope the provider does not know: a typo must never pass as "nothing matched". */
  private noScope(scope: keyof ListScope, reason: string): ListingFailed {
    const value = quote(this.options.scope[scope])
    return new ListingFailed({ reason: `${ScopeInput[scope]} ${value} does not exist (${this.clean(reason)})` })
  }

  private cancelled(signal: AbortSignal): ListingFailed {
    return new ListingFailed({ reason: 'cancelled before the listing was complete', halted: cancellation(signal) })
  }

  /** Waits until the pacer lets the next request start; a cancelled listing fails instead. */
  private async paced(): Promise<void> {
    const { pacer, signal } = this.options
    for (;;) {
      if (signal?.aborted) throw this.cancelled(signal)
      const now = this.clock.now()
      const at = pacer.startAt(now)
      if (at <= now) return pacer.started(now)
      await this.sleep(at - now)
    }
  }

  /** A wait on the run's clock that a cancellation ends early (or skips, when it came first). */
  private sleep(ms: number): Promise<void> {
    const { signal } = this.options
    if (signal?.aborted) return Promise.resolve()
    return new Promise(resolve => {
      const timer = this.clock.setTimeout(() => {
        off?.()
        resolve()
      }, ms)
      const off = signal
        ? onAbort(signal, () => {
            this.clock.clearTimeout(timer)
            resolve()
          })
        : undefined
    })
  }
}
