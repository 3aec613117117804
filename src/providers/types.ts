/** What every provider module describes: how to ask for one deletion and how to read the answer. */

/** One HTTP answer, body already read (and cut to a bounded size). */
export interface HttpAnswer {
  status: number
  headers: { get(name: string): string | null }
  body: string
  /** The body was longer than the transport reads; `body` holds its beginning only. */
  truncated?: boolean
}

/** One request to the provider's API: a delete, a bulk delete, or a page of its listing. */
export interface ProviderRequest {
  method: 'DELETE' | 'POST' | 'GET'
  url: URL
  headers: Record<string, string>
  body?: string
}

export interface RequestContext {
  baseUrl: URL
  apiKey: string
  customerId: string
}

/** Pacing the provider announces: at most `limit` requests per `intervalMs`. */
export interface RateWindow {
  limit: number
  intervalMs: number
}

/** What one answer means for one ID. `reason` is raw provider text; the engine scrubs and cuts it. */
export type Classification =
  | { kind: 'deleted' }
  | { kind: 'missing'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'credentials-rejected'; reason: string }
  | { kind: 'retry'; reason: string; rateLimited: boolean; unanswered: boolean; waitMs?: number }

export interface ClassifiedAnswer {
  classification: Classification
  /** Pacing read from the answer's headers, where the provider sends it. */
  window?: RateWindow
}

/** What one answer to a bulk delete means for the IDs it named. */
export type BulkClassification =
  /**
   * Deleted the IDs listed. `refused`: IDs the answer says it did not delete, with its reason (ImageKit's 207); the
   * rest of the chunk was not confirmed either way. Both go one by one.
   */
  | { kind: 'deleted'; deleted: string[]; refused: Array<{ id: string; reason: string }>; unconfirmed: string[] }
  /** These IDs do not exist and nothing was deleted: they are set aside, the rest sent again. */
  | { kind: 'missing'; missing: string[]; reason: string }
  /**
   * The bulk call cannot serve this chunk: its IDs go one by one. `unanswered`: the answer does not rule out that
   * the chunk was deleted (a 2xx it could not read, a 5xx), so a later not-found counts as deleted.
   */
  | { kind: 'fallback'; reason: string; unanswered: boolean }
  | Extract<Classification, { kind: 'retry' | 'credentials-rejected' }>

export interface BulkDelete {
  /** The most IDs one request may carry. */
  readonly maxIds: number
  request(ids: readonly string[], context: RequestContext): ProviderRequest
  classify(
    answer: HttpAnswer,
    ids: readonly string[],
    now: number
  ): { classification: BulkClassification; window?: RateWindow }
}

export interface Provider<Name extends string = string> {
  /** The `provider` input that selects it, lower case. */
  readonly name: Name
  readonly defaultBaseUrl: string
  /** The request that deletes one file. */
  request(id: string, context: RequestContext): ProviderRequest
  /** Every form of the key that goes on the wire, besides the key itself, to be masked. */
  derivedSecrets(apiKey: string): string[]
  /** What an answer to the delete of `id` means (a listing's errors are read with the ID ''). */
  classify(answer: HttpAnswer, now: number, id: string): ClassifiedAnswer
  /** Whether the provider takes a customer ID. */
  readonly acceptsCustomerId: boolean
  /**
   * Its IDs are UUIDs, which it reads in any spelling (case, braces, "urn:uuid:", no hyphens): an ID must be given in
   * the lower-case hyphenated one, and protected-ids match in any case.
   */
  readonly uuidIds?: true
  /** A bulk endpoint, where the provider has one. */
  readonly bulk?: BulkDelete
  /** How the provider lists its files, where it can (selection, docs/selection.md). */
  readonly list?: ProviderList
  /** How the provider purges its CDN cache of a deleted file, where it can (purge-cdn). */
  readonly cdn?: ProviderCdn
}

/** Where a file is served: its URL as the provider gives it, and its path after the URL endpoint (or null). */
export interface CdnFile {
  url: string
  path: string | null
}

/** A file's URL split at its URL endpoint: what a purge may name, the file or a folder of it with a wildcard. */
export interface CdnAddress {
  /** The file's URL without its query: what an exact purge names. */
  url: string
  /** Origin and path of the URL endpoint, without a trailing slash. */
  endpoint: string
  /** The steps of the file's path after the endpoint, spelled as its URL spells them. */
  steps: readonly string[]
  /** The file's path after the endpoint, as the provider gives it ('/a/b.jpg'). */
  path: string
}

/** A reading of a 2xx answer: the value, or what is wrong with the answer. */
export type Reading<T> = T | { problem: string }

/** A provider's CDN cache purge: the requests it takes, how their answers read, and which URLs a wildcard may end. */
export interface ProviderCdn {
  /** The request for a file's details, which give where it is served. */
  details(id: string, context: RequestContext): ProviderRequest
  readDetails(answer: HttpAnswer, id: string): Reading<CdnFile>
  /** The request that purges a URL (exact, or ending in `*`). */
  purge(url: string, context: RequestContext): ProviderRequest
  readPurge(answer: HttpAnswer): Reading<{ requestId: string }>
  /** The request that asks how a purge stands. */
  status(requestId: string, context: RequestContext): ProviderRequest
  readStatus(answer: HttpAnswer): Reading<{ completed: boolean }>
  /** Where a file is served, split at its URL endpoint; undefined when its URL and path do not fit together. */
  address(file: CdnFile): CdnAddress | undefined
  /** Whether a purge may end in `*` right after `path`, a path after the URL endpoint ('/a/b/' or '/a/b.jpg'). */
  wildcard(path: string): boolean
}

/** One item of a provider's listing, as far as selection needs it; null where the provider gave nothing. */
export interface ListItem {
  id: string
  name: string | null
  /** The creation time as the provider wrote it. */
  createdAt: string | null
  /** ImageKit: the file's path, folders and name. */
  path: string | null
  /** ImageKit: the file's own tags (never its AITags). */
  tags: string[] | null
  status: string | null
  /** Only files can be selected: ImageKit lists folders and file versions beside them. */
  kind: 'file' | 'folder' | 'file-version'
  /** Delos: a locked file cannot be deleted. */
  locked: boolean
  /** ImageKit: where the file is served (its CDN URL). */
  url?: string | null
  /** Writer: the graphs the file is in; Delos: its customer. The scope is checked on every item, as filters are. */
  graphIds?: string[] | null
  customerId?: string | null
}

/** What the listing stands for: the scope inputs. Empty strings where not given. */
export interface ListScope {
  graphId: string
  workflowId: string
  customerId: string
}

/** Filters the server may narrow by. They only ever make the listing shorter; the client checks every item again. */
export interface ServerFilters {
  /** The literal start of the name glob. */
  namePrefix?: string
  folder?: { path: string; subfolders: boolean }
  tags?: readonly string[]
  /** ISO UTC: a day later than the cutoff, so no file the client would select is left out. */
  createdBefore?: string
  statuses?: readonly string[]
}

/** Where the listing has got to. */
export interface ListCursor {
  /** 1-based number of the page to ask for next. */
  page: number
  /** Writer: the last ID listed so far. */
  after?: string
}

/** A page read: its items, where to go next (none at the end), and the total the provider announced. */
export type PageReading = { items: ListItem[]; next: ListCursor | undefined; total?: number } | { problem: string }

/** The filters a provider can be asked to honour; a refused one is a policy violation, never ignored. */
export interface ListCapabilities {
  path: boolean
  tags: boolean
  /** older-than and keep-newest need a creation time the provider confirms. */
  age: boolean
  /** The provider's status words, or undefined when it has none to filter by. */
  statuses: readonly string[] | undefined
  /**
   * Status words of files in a final state. Any other word, one the documents do not list included, is not final:
   * such a file is skipped unless select-status names its status.
   */
  final: readonly string[]
  /**
   * Writer: a file may be attached to Knowledge Graphs (its graphIds). An attached file is skipped unless
   * select-attached is true, or it is attached to the graph listed (graph-id) alone.
   */
  graphs?: true
  /** The scope inputs the provider takes, and the one it needs to list at all. */
  scopes: ReadonlyArray<keyof ListScope>
  requiredScope?: keyof ListScope
}

/** A request that proves a scope exists before anything is listed (Writer's graph), and how to read its answer. */
export interface ScopeCheck {
  scope: keyof ListScope
  request(scope: ListScope, context: RequestContext): ProviderRequest
  /** undefined when the answer shows the scope; else what is wrong with it. */
  read(answer: HttpAnswer, scope: ListScope): string | undefined
}

/** How a provider lists its files: the request for a page, and how to read one. */
export interface ProviderList {
  readonly capabilities: ListCapabilities
  request(cursor: ListCursor, filters: ServerFilters, scope: ListScope, context: RequestContext): ProviderRequest
  read(answer: HttpAnswer, cursor: ListCursor): PageReading
  /** Asked first when its scope is given: a 404 there fails the listing naming the scope. */
  readonly scopeCheck?: ScopeCheck
  /** The scope a 404 to a page request says does not exist (AnyFormat lists per workflow). */
  readonly pagesOf?: keyof ListScope
}
