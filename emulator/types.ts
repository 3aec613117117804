import type { ProviderName } from '../src/providers/index.js'

// The names come from the client's registry: the emulator must emulate every provider the client knows.
export type { ProviderName }

export interface RateLimit {
  limit: number
  intervalMs: number
}

/** One entry of a provider's store or listing; a bare ID string stands for `{ id }` with the defaults. */
export interface FileRecord {
  id: string
  /** Default: the last segment of `path` when given, else the ID; null allowed (AnyFormat names are nullable). */
  name?: string | null
  /** ISO 8601 as the provider gives it; default 2026-01-01T00:00:00.000Z plus the entry's index in seconds. */
  createdAt?: string | null
  /** ImageKit filePath (folderPath for a folder), e.g. '/previews/pr-42/hero.jpg'; default '/' + name. */
  path?: string
  /** ImageKit: the file's own tags. */
  tags?: string[]
  /** ImageKit: names of its AITags. */
  aiTags?: string[]
  /** Writer or AnyFormat processing status; default 'completed'. */
  status?: string
  /** ImageKit only; default 'file'. Only files can be deleted; a version's `id` is the fileId of its file. */
  kind?: 'file' | 'file-version' | 'folder'
  /** Writer: the graphs the file is in. */
  graphIds?: string[]
  /** AnyFormat: the workflow the file's collection belongs to. */
  workflowId?: string
  /** Delos: the owning customer; default options.customerId. */
  customerId?: string
  /** Delos: isLock (listed, and cannot be deleted). */
  locked?: boolean
}

/** A record with its defaults filled in. */
export type ListedRecord = FileRecord & Required<Pick<FileRecord, 'name' | 'createdAt' | 'path' | 'status' | 'kind'>>

/** The list page about to be answered. */
export interface ListPage {
  provider: ProviderName
  /** 1-based: AnyFormat its page; Delos its page + 1 (it counts from 0); ImageKit skip/limit + 1; Writer 1 without `after`, then counting on. */
  page: number
}

export interface EmulatorOptions {
  provider: ProviderName
  /** The one accepted key. */
  apiKey: string
  /** Files that exist at start (and, for ImageKit, versions and folders that are only listed). */
  files?: Iterable<string | FileRecord>
  /** Delos: files belong to this customer; a request naming another customer is refused. */
  customerId?: string
  /** Delos: files with isLock=true (they exist, and cannot be deleted). */
  lockedIds?: Iterable<string>
  /** Delos: files the key may not touch (they exist, and cannot be deleted). */
  forbiddenIds?: Iterable<string>
  /**
   * ImageKit: files its bulk delete does not delete, answering 207 with an error for each (and deleting the rest of
   * the chunk); a DELETE of one of them alone deletes it.
   */
  bulkRefusedIds?: Iterable<string>
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
  /** Port on 127.0.0.1; default 0, a free one. */
  port?: number
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string }
  /** Every list ignores its server-side filters (ImageKit still validates searchQuery): the server narrows nothing. */
  ignoreListFilters?: boolean
  /**
   * ImageKit: accept any password half of the Basic credentials, as ImageKit itself does (its SDK sends
   * `key:do_not_set`). By default only the documented `key:` is accepted, which is what the action must send.
   */
  imagekitAnyPassword?: boolean
  /** ImageKit: status requests a purge answers Pending to before it answers Completed; default 1. */
  imagekitPendingPolls?: number
  /** Delos: meta.pageSize is silently capped at this; default 100 (its docs give no cap). */
  delosMaxPageSize?: number
  /** Writer: graphs that exist besides those the files name (a graph with no files left still exists). */
  graphs?: Iterable<string>
  /** AnyFormat: page_size is silently capped at this; default (and at most) 100. */
  anyformatMaxPageSize?: number
  /** Called just before the provider builds a list page, so what it changes in the store shows on that page. */
  onList?: (request: ListPage) => void
}

/** Which of the provider's routes a request took. */
export type RouteName = 'delete' | 'bulk' | 'list' | 'graph' | 'details' | 'purge' | 'purge-status' | 'outside'

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
  /** Which route it took: a redirect to the slashed path counts as the request it was meant to be. */
  route: RouteName
  /** Milliseconds since the emulator started when the answer was written; undefined when none was sent. */
  answeredAt?: number
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
  /**
   * Only list requests, only (per-file or bulk) delete requests, or only ImageKit's details, purge or purge status
   * requests; omit for every request.
   */
  on?: 'list' | 'delete' | 'details' | 'purge' | 'purge-status'
  /** How many matching requests it applies to; default Infinity. */
  times?: number
  fault: Fault
}

export interface Emulator {
  /** http://127.0.0.1:<port> (https:// with `tls`) plus the pathPrefix. */
  readonly url: string
  readonly port: number
  readonly provider: ProviderName
  /** performance.now() when it started, in the process running it: a request's `at` is counted from here. */
  readonly startedAt: number
  /** IDs of deletable files that currently exist (for Delos: not soft-deleted). */
  readonly store: Set<string>
  /** IDs deleted, in order of deletion (Delos: first soft delete only). */
  readonly deleted: string[]
  readonly requests: RecordedRequest[]
  /** ImageKit: every CDN cache purge it took, in order (the URL asked for and its requestId). */
  readonly purges: ReadonlyArray<{ url: string; requestId: string }>
  /** Connections that could carry requests (with `tls`: whose handshake succeeded). */
  readonly socketsOpened: number
  /** TLS handshakes that failed (the client refused the certificate, say). */
  readonly tlsFailures: number
  /** Rules are checked in order of injection; the first match wins and its `times` counts down. */
  inject(rule: FaultRule): void
  clearFaults(): void
  /** Adds files (or ImageKit versions and folders) now; a record for an existing file replaces its details. */
  addFiles(records: Iterable<string | FileRecord>): void
  /** What exists now, defaults filled in: the store's files in its order, then versions and folders. */
  records(): ListedRecord[]
  /** Ends hanging requests, closes all sockets and the server. */
  close(): Promise<void>
}
