import {
  imagekitAnswers,
  imagekitError,
  imagekitFileDetails,
  imagekitListFile,
  imagekitListFolder,
  imagekitListPage,
  imagekitListVersion
} from '../bodies.js'
import { empty, json, type Answer } from '../answers.js'
import type { ListedRecord } from '../types.js'
import { PurgeLog } from './imagekit-cdn.js'
import { parseSearch } from './imagekit-search.js'
import {
  deleteRoute,
  fileIdOf,
  intParam,
  lastSegment,
  listRoute,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const BULK_PATH = '/v1/files/batch/deleteByFileIds'
const PURGE_PATH = '/v1/files/purge'
const BULK_MAX = 100
const LIST_MAX = 1000

/** The bulk body's fileIds, or the 400 ImageKit answers for a body without a usable one. */
function fileIdsOf(body: string): string[] | Answer {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return json(400, imagekitAnswers.bulkNoIds)
  }
  if (typeof parsed !== 'object' || parsed === null || !('fileIds' in parsed))
    return json(400, imagekitAnswers.bulkNoIds)
  const { fileIds } = parsed
  if (!Array.isArray(fileIds) || !fileIds.every(id => typeof id === 'string'))
    return json(400, imagekitAnswers.bulkNotArray)
  if (fileIds.length === 0) return json(400, imagekitAnswers.bulkEmpty)
  if (fileIds.length > BULK_MAX) return json(400, imagekitAnswers.bulkTooMany(BULK_MAX))
  return fileIds
}

function basicKey(authorization: string | undefined): string | undefined {
  const encoded = /^Basic (.+)$/i.exec(authorization ?? '')?.[1]
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8')
}

/** A listing's items; each version gets an ID and a name from its place among its file's versions. */
function listItems(records: readonly ListedRecord[]): Map<ListedRecord, unknown> {
  const versions = new Map<string, number>()
  const items = new Map<ListedRecord, unknown>()
  for (const record of records) {
    if (record.kind === 'folder') items.set(record, imagekitListFolder(record))
    if (record.kind === 'file') items.set(record, imagekitListFile(record))
    if (record.kind !== 'file-version') continue
    const number = (versions.get(record.id) ?? 0) + 1
    versions.set(record.id, number)
    items.set(record, imagekitListVersion(record, { id: `${record.id}-v${number}`, name: `Version ${number}` }))
  }
  return items
}

/** The CDN routes: `POST /v1/files/purge`, `GET /v1/files/purge/{requestId}` and `GET /v1/files/{id}/details`. */
function cdnRoute(request: ApiRequest): Route | undefined {
  if (request.method === 'POST' && request.path === PURGE_PATH) return { kind: 'purge' }
  if (request.method !== 'GET') return undefined
  const status = lastSegment(request.path, `${PURGE_PATH}/`)
  const requestId = status === undefined ? undefined : fileIdOf(status)
  if (requestId !== undefined) return { kind: 'purge-status', requestId }
  const segment = lastSegment(request.path, '/v1/files/', '/details')
  const id = segment === undefined ? undefined : fileIdOf(segment)
  return id === undefined ? undefined : { kind: 'details', id }
}

/**
 * ImageKit: `DELETE /v1/files/{id}`, the bulk `POST /v1/files/batch/deleteByFileIds`, `GET /v1/files` (skip and
 * limit, a searchQuery subset), a file's details and the CDN cache purge with its status; Basic `key:`.
 */
export function imagekit({ options, files }: ProviderContext): Provider {
  const purges = new PurgeLog(options.imagekitPendingPolls ?? 1)

  function route(request: ApiRequest): Route {
    if (request.method === 'POST' && request.path === BULK_PATH) {
      const ids = fileIdsOf(request.body)
      return { kind: 'bulk', ids: Array.isArray(ids) ? ids : undefined }
    }
    return cdnRoute(request) ?? listRoute(request, '/v1/files') ?? deleteRoute(request, '/v1/files/')
  }

  /** A file that exists has details; one deleted, or never there, is not found. */
  function details(id: string): Answer {
    const record = files.exists(id) ? files.record(id) : undefined
    return record === undefined ? json(404, imagekitAnswers.notFound) : json(200, imagekitFileDetails(record))
  }

  function list(query: URLSearchParams): Answer {
    const limit = intParam(query, 'limit', LIST_MAX)
    const skip = intParam(query, 'skip', 0)
    const sent = (name: string): string => query.get(name) ?? ''
    if (limit === undefined || limit < 1) return json(400, imagekitAnswers.limitBelow(sent('limit')))
    if (limit > LIST_MAX) return json(400, imagekitAnswers.limitAbove(LIST_MAX, sent('limit')))
    if (skip === undefined) return json(400, imagekitAnswers.skipBelow(sent('skip')))
    // Only the order the action asks for is emulated; ImageKit itself takes other sorts too.
    if ((query.get('sort') ?? 'ASC_CREATED') !== 'ASC_CREATED') return json(400, imagekitAnswers.invalidSort)
    const search = parseSearch(query.get('searchQuery') ?? '')
    if (search === undefined) return json(400, imagekitAnswers.invalidSearchQuery)
    options.onList?.({ provider: 'imagekit', page: Math.floor(skip / limit) + 1 })
    const text = query.get('searchQuery') ?? ''
    const matching = files.memo(`imagekit ${options.ignoreListFilters ? '' : text}`, () =>
      files.sortedRecords().filter(record => options.ignoreListFilters || search(record))
    )
    // Versions are numbered in the order they were added, as before sorting.
    const items = files.memo('imagekit items', () => listItems(files.records()))
    return json(200, imagekitListPage(matching.slice(skip, skip + limit).map(record => items.get(record))))
  }

  const bulkRefused = new Set(options.bulkRefusedIds ?? [])

  /**
   * Deletes every listed file, or, when any does not exist, none of them; files it refuses stay, and a 207 names
   * them with what it deleted.
   */
  function bulkDelete(body: string): Answer {
    const ids = fileIdsOf(body)
    if (!Array.isArray(ids)) return ids
    const unique = [...new Set(ids)]
    const missing = unique.filter(id => !files.exists(id))
    if (missing.length > 0) return json(404, imagekitAnswers.bulkMissing(missing))
    const refused = unique.filter(id => bulkRefused.has(id))
    const deleted = unique.filter(id => !bulkRefused.has(id))
    deleted.forEach(id => files.remove(id))
    if (refused.length > 0) return json(207, imagekitAnswers.bulkPartial(deleted, refused))
    return json(200, imagekitAnswers.bulkDeleted(deleted))
  }

  return {
    route,
    answer(routed, request) {
      // No private key at all is a 401; a key ImageKit cannot authenticate, a 403 (docs/providers.md, ImageKit).
      const key = basicKey(request.headers.authorization)
      if (key === undefined) return json(401, imagekitAnswers.unauthorized)
      const accepted = options.imagekitAnyPassword ? key.startsWith(`${options.apiKey}:`) : key === `${options.apiKey}:`
      if (!accepted) return json(403, imagekitAnswers.wrongKey)
      if (routed.kind === 'list') return list(request.query)
      if (routed.kind === 'bulk') return bulkDelete(request.body)
      if (routed.kind === 'details') return details(routed.id)
      if (routed.kind === 'purge') return purges.purge(request.body)
      if (routed.kind === 'purge-status') return purges.status(routed.requestId)
      if (routed.kind !== 'file' || !files.remove(routed.id)) return json(404, imagekitAnswers.notFound)
      return empty(204)
    },
    error: (status, { retryable, message } = {}) =>
      json(status, imagekitError(message ?? statusText(status), retryable ? { retryable } : {})),
    purges: purges.taken,
    rateLimited: hint =>
      json(429, imagekitAnswers.rateLimited, {
        'x-ratelimit-limit': String(hint.limit),
        'x-ratelimit-interval': String(hint.intervalMs),
        'x-ratelimit-reset': String(hint.resetMs)
      })
  }
}
