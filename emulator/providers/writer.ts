import {
  writerAnswers,
  writerDeleted,
  writerError,
  writerGraph,
  writerListItem,
  writerListPage,
  writerMessages
} from '../bodies.js'
import { json, type Answer } from '../answers.js'
import { compareListed } from '../files.js'
import type { ListedRecord } from '../types.js'
import {
  bearerKey,
  deleteRoute,
  fileIdOf,
  intParam,
  listRoute,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const LIST_MAX = 100
/** When the request gives none (docs/providers.md, Writer "list"). */
const LIST_DEFAULT = 50
const GRAPH_PATH = /^\/v1\/graphs\/([^/]+)$/

const badRequest = (description: string): Answer => json(400, writerError(400, description))

/**
 * Writer: `DELETE /v1/files/{id}`, `GET /v1/files` (cursor pages) and `GET /v1/graphs/{id}` with a Bearer key; 429
 * carries no hints.
 */
export function writer({ options, files }: ProviderContext): Provider {
  // Pages since the last listing that began without a cursor, for onList.
  let page = 0

  function filtered(query: URLSearchParams): (file: ListedRecord) => boolean {
    const graph = query.get('graph_id')
    const status = query.get('status')
    if (options.ignoreListFilters) return () => true
    return file =>
      (graph === null || (file.graphIds ?? []).includes(graph)) && (status === null || file.status === status)
  }

  function list(query: URLSearchParams): Answer {
    const limit = intParam(query, 'limit', LIST_DEFAULT)
    if (limit === undefined || limit < 1 || limit > LIST_MAX) return badRequest(writerMessages.invalidLimit(LIST_MAX))
    const order = query.get('order') ?? 'desc'
    if (order !== 'asc' && order !== 'desc') return badRequest(writerMessages.invalidOrder)
    const after = query.get('after')
    const cursor = after === null || !files.exists(after) ? undefined : files.record(after)
    if (after !== null && cursor === undefined) return badRequest(writerMessages.unknownCursor(after))
    page = cursor === undefined ? 1 : page + 1
    options.onList?.({ provider: 'writer', page })
    const direction = order === 'asc' ? 1 : -1
    const key = `writer ${JSON.stringify([order, query.get('graph_id'), query.get('status')])}`
    const ordered = files.memo(key, () => {
      const kept = files.listed().filter(filtered(query))
      return order === 'desc' ? kept.reverse() : kept
    })
    // The cursor keeps its place in the order even when onList removed it: the page starts after where it would be.
    const rest =
      cursor === undefined
        ? ordered
        : ordered.slice(firstAfter(ordered, file => direction * compareListed(file, cursor) > 0))
    return json(200, writerListPage(rest.slice(0, limit).map(writerListItem), rest.length > limit))
  }

  /** A graph exists while any file ever stored names it, or the options do. */
  function graph(id: string): Answer {
    const known = files.memo('writer graphs', () => {
      const named = files.history().flatMap(file => file.graphIds ?? [])
      return new Set([...named, ...(options.graphs ?? [])])
    })
    if (!known.has(id)) return json(404, writerAnswers.notFound)
    const status = { in_progress: 0, completed: 0, failed: 0 }
    for (const file of files.listed())
      if ((file.graphIds ?? []).includes(id) && file.status in status) status[file.status as keyof typeof status]++
    return json(200, writerGraph(id, status))
  }

  function route(request: ApiRequest): Route {
    const graphId = request.method === 'GET' ? GRAPH_PATH.exec(request.path)?.[1] : undefined
    const id = graphId === undefined ? undefined : fileIdOf(graphId)
    if (id !== undefined) return { kind: 'graph', id }
    return listRoute(request, '/v1/files') ?? deleteRoute(request, '/v1/files/')
  }

  return {
    route,
    answer(route, request) {
      if (bearerKey(request.headers) !== options.apiKey) return json(401, writerAnswers.unauthorized)
      if (route.kind === 'graph') return graph(route.id)
      if (route.kind === 'list') return list(request.query)
      if (route.kind !== 'file') return json(404, writerError(404, 'Not found'))
      if (!files.remove(route.id)) return json(404, writerAnswers.notFound)
      return json(200, writerDeleted(route.id))
    },
    error: (status, { retryable, message } = {}) =>
      json(status, writerError(status, message ?? statusText(status), retryable)),
    rateLimited: () => json(429, writerAnswers.rateLimited)
  }
}

/** The first index whose file is past the cursor, in an ordered list (a binary search: pages of 100,000 files). */
function firstAfter(ordered: readonly ListedRecord[], past: (file: ListedRecord) => boolean): number {
  let low = 0
  let high = ordered.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (past(ordered[middle] as ListedRecord)) high = middle
    else low = middle + 1
  }
  return low
}
