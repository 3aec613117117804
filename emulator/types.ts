import type { ProviderName } from '../src/providers/index.js'

// The names come from the client's registry: the emulator must emulate every provider the client knows.
export type { ProviderName }

export interface RateLimit {
  limit: number
  intervalMs: number
}

export interface EmulatorOptions {
  provider: ProviderName
  /** The one accepted key. */
  apiKey: string
  /** IDs that exist at start. */
  files?: Iterable<string>
  /** Delos: files belong to this customer; a request naming another customer is refused. */
  customerId?: string
  /** Delos: files with isLock=true (they exist, and cannot be deleted). */
  lockedIds?: Iterable<string>
  /** Delos: files the key may not touch (they exist, and cannot be deleted). */
  forbiddenIds?: Iterable<string>
  /** Added before every answer; the request's effect on the store happens on arrival. */
  latencyMs?: number
  /**
   * Added to the first answer on each new connection: the round trip a client spends on the TCP handshake before
   * it can send, which a real network charges and loopback does not. Default 0.
   */
  connectLatencyMs?: number
  /** Fixed window over every request; over the limit answers the provider's own 429. */
  rateLimit?: RateLimit
  /** Path the API is mounted under, e.g. '/proxy'. */
  pathPrefix?: string
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string }
}

export interface RecordedRequest {
  method: string
  /** Raw request target: path and query as received. */
  url: string
  /** Raw path (no query), not decoded, including any pathPrefix. */
  path: string
  headers: Record<string, string | string[] | undefined>
  /** Decoded file ID when the per-file delete route matched. */
  id?: string
  /** ImageKit bulk delete: the fileIds of a well-formed body. */
  ids?: string[]
  /** Status answered, or 0 when no answer was sent (hang, reset, lost, client gone). */
  status: number
  /** 1-based index of the TCP connection the request came on. */
  socket: number
  /** Milliseconds since the emulator started. */
  at: number
}

export type Fault =
  | { kind: 'latency'; ms: number }
  /** The provider's own error for the status (with `message`), or `body` as given. */
  | { kind: 'status'; status: number; body?: string; message?: string; headers?: Record<string, string> }
  /** The provider's own 429; `hints: false` leaves out the headers that say when to retry. */
  | { kind: 'rate-limit'; resetMs?: number; hints?: boolean }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'html'; status: number }
  | { kind: 'redirect'; status?: number; location?: string }
  | { kind: 'lose-answer' }
  | { kind: 'delos-error'; message: string; httpStatus?: number }
  | { kind: 'retryable'; status?: number }

export interface FaultRule {
  /** Only requests for this file ID (per-file delete, or a bulk delete listing it); omit for every request. */
  id?: string
  /** How many matching requests it applies to; default Infinity. */
  times?: number
  fault: Fault
}

export interface Emulator {
  /** http://127.0.0.1:<port> (https:// with `tls`) plus the pathPrefix. */
  readonly url: string
  readonly port: number
  readonly provider: ProviderName
  /** Files that currently exist (for Delos: not soft-deleted). */
  readonly store: Set<string>
  /** IDs deleted, in order of deletion (Delos: first soft delete only). */
  readonly deleted: string[]
  readonly requests: RecordedRequest[]
  /** Connections that could carry requests (with `tls`: whose handshake succeeded). */
  readonly socketsOpened: number
  /** TLS handshakes that failed (the client refused the certificate, say). */
  readonly tlsFailures: number
  /** Rules are checked in order of injection; the first match wins and its `times` counts down. */
  inject(rule: FaultRule): void
  clearFaults(): void
  /** Ends hanging requests, closes all sockets and the server. */
  close(): Promise<void>
}
