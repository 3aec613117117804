import {
  writerAnswers,
  writerDeleted,
  writerError,
  writerListItem,
  writerListPage,
  writerMessages
} from '../../__fixtures__/answers.js'
import { json, type Answer } from '../answers.js'
import { compareListed } from '../files.js'
import type { ListedRecord } from '../types.js'
import {
  bearerKey,
  deleteRoute,
  intParam,
  listRoute,
  statusText,
  type Provider,
  type ProviderContext
} from './provider.js'

const LIST_MAX = 100

const badRequest = (description: string): Answer => json(400, writerError(400, description))

/** Writer: `DELETE /v1/files/{id}` and `GET /v1/files` (cursor pages) with a Bearer key; 429 carries no hints. */
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
    const limit = intParam(query, 'limit', LIST_MAX)
    if (limit === undefined || limit < 1 || limit > LIST_MAX) return badRequest(writerMessages.invalidLimit(LIST_MAX))
    const order = query.get('order') ?? 'asc'
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

  return {
    route: request => listRoute(request, '/v1/files') ?? deleteRoute(request, '/v1/files/'),
    answer(route, request) {
      if (bearerKey(request.headers) !== options.apiKey) return json(401, writerAnswers.unauthorized)
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
