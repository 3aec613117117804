/** What every provider module describes: how to ask for one deletion and how to read the answer. */

/** One HTTP answer, body already read (and cut to a bounded size). */
export interface HttpAnswer {
  status: number
  headers: { get(name: string): string | null }
  body: string
  /** The body was longer than the transport reads; `body` holds its beginning only. */
  truncated?: boolean
}

export interface DeleteRequest {
  method: 'DELETE' | 'POST'
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
  /** Deleted the IDs listed; the rest of the chunk was not confirmed and goes one by one. */
  | { kind: 'deleted'; deleted: string[]; unconfirmed: string[] }
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
  request(ids: readonly string[], context: RequestContext): DeleteRequest
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
  request(id: string, context: RequestContext): DeleteRequest
  /** Every form of the key that goes on the wire, besides the key itself, to be masked. */
  derivedSecrets(apiKey: string): string[]
  classify(answer: HttpAnswer, now: number): ClassifiedAnswer
  /** Whether the provider takes a customer ID. */
  readonly acceptsCustomerId: boolean
  /** A bulk endpoint, where the provider has one. */
  readonly bulk?: BulkDelete
}
