import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http'
import type { Answer } from '../answers.js'
import type { Files } from '../files.js'
import type { RateHint } from '../rate-window.js'
import type { EmulatorOptions } from '../types.js'
import type { PurgeRecord } from './imagekit-cdn.js'

/** A request as the API sees it: the path is raw and relative to the pathPrefix. */
export interface ApiRequest {
  method: string
  path: string
  query: URLSearchParams
  /** Raw path as received, prefix included (for redirects). */
  fullPath: string
  rawQuery: string
  headers: IncomingHttpHeaders
  body: string
}

export type Route =
  | { kind: 'file'; id: string }
  /** `ids` is undefined when the body is not a well-formed `{"fileIds":[...]}`. */
  | { kind: 'bulk'; ids: string[] | undefined }
  /** Writer: retrieve a graph. */
  | { kind: 'graph'; id: string }
  /** ImageKit: a file's details. */
  | { kind: 'details'; id: string }
  /** ImageKit: purge the CDN cache of a URL, or ask how a purge stands. */
  | { kind: 'purge' }
  | { kind: 'purge-status'; requestId: string }
  /** A list request; `workflow` is AnyFormat's, from the path. */
  | { kind: 'list'; workflow?: string }
  /** A delete or list path without the slash the API requires. */
  | { kind: 'add-slash'; location: string; of: 'delete' | 'list' }
  | { kind: 'invalid-id' }
  | { kind: 'outside' }

export type RoutedRequest = Exclude<Route, { kind: 'outside' }>

export interface ProviderContext {
  options: EmulatorOptions
  files: Files
}

export interface Provider {
  route(request: ApiRequest): Route
  answer(route: RoutedRequest, request: ApiRequest): Answer
  /** A provider-shaped error for `status`, with `message` (default: the status text) and marked `retryable`. */
  error(status: number, options?: ErrorOptions): Answer
  rateLimited(hint: RateHint): Answer
  /** ImageKit: the cache purges it took. */
  readonly purges?: readonly PurgeRecord[]
}

export interface ErrorOptions {
  retryable?: boolean
  message?: string
}

export const OUTSIDE: Route = { kind: 'outside' }

/** The raw segment after `prefix` when it is the last one (optionally followed by `suffix`). */
export function lastSegment(path: string, prefix: string, suffix = ''): string | undefined {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return undefined
  const segment = path.slice(prefix.length, path.length - suffix.length)
  return segment.includes('/') ? undefined : segment
}

/** Decodes a path segment into a file ID; undefined when it cannot name a file. */
export function fileIdOf(segment: string): string | undefined {
  let id: string
  try {
    id = decodeURIComponent(segment)
  } catch {
    return undefined
  }
  // An ID with '/' or a dot segment would name another path, never a file.
  if (id === '' || id === '.' || id === '..' || id.includes('/')) return undefined
  return id
}

/** Route for a `DELETE <prefix>{id}<suffix>` API. */
export function deleteRoute(request: ApiRequest, prefix: string, suffix = ''): Route {
  if (request.method !== 'DELETE') return OUTSIDE
  const segment = lastSegment(request.path, prefix, suffix)
  const id = segment === undefined ? undefined : fileIdOf(segment)
  return id === undefined ? OUTSIDE : { kind: 'file', id }
}

/** Route for a `GET <path>` list API. */
export function listRoute(request: ApiRequest, path: string): Route | undefined {
  return request.method === 'GET' && request.path === path ? { kind: 'list' } : undefined
}

/** A whole-number query parameter: `fallback` when absent, undefined when it is not a whole number. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const value = query.get(name)
  if (value === null) return fallback
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined
}

export function bearerKey(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1]
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? `HTTP ${status}`
}
