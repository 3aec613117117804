/** What every provider module describes: how to ask for one deletion and how to read the answer. */

export type ProviderName = 'writer' | 'imagekit' | 'delos' | 'anyformat'

/** One HTTP answer, body already read (and cut to a bounded size). */
export interface HttpAnswer {
  status: number
  headers: { get(name: string): string | null }
  body: string
}

export interface DeleteRequest {
  method: 'DELETE'
  url: URL
  headers: Record<string, string>
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

export interface Provider {
  readonly name: ProviderName
  readonly defaultBaseUrl: string
  /** The request that deletes one file. */
  request(id: string, context: RequestContext): DeleteRequest
  /** Every form of the key that goes on the wire, besides the key itself, to be masked. */
  derivedSecrets(apiKey: string): string[]
  classify(answer: HttpAnswer, now: number): ClassifiedAnswer
  /** Whether the provider takes a customer ID. */
  readonly acceptsCustomerId: boolean
}
