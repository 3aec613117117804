import { bearer, field, fileUrl, jsonBody, listUrl, namedFileItem, readItems, strings } from './common.js'
import type { ListItem, ProviderList } from './types.js'

const PAGE_SIZE = 100

function item(value: unknown): ListItem | undefined {
  const file = namedFileItem(value)
  return file && { ...file, graphIds: strings(value, 'graph_ids') }
}

/**
 * Writer: `GET /v1/files?limit=100&order=asc` (+ `graph_id`, `status` when one status is asked for), pages of
 * `{"data": [...], "has_more": bool}`; the next page starts after the last ID listed. With a graph, `GET
 * /v1/graphs/{graph-id}` first.
 */
export const writerList: ProviderList = {
  capabilities: {
    path: false,
    tags: false,
    age: true,
    statuses: ['in_progress', 'completed', 'failed'],
    final: ['completed', 'failed'],
    graphs: true,
    scopes: ['graphId']
  },
  request(cursor, filters, scope, { baseUrl, apiKey }) {
    const status = filters.statuses?.length === 1 ? filters.statuses[0] : undefined
    const query = { limit: String(PAGE_SIZE), order: 'asc', after: cursor.after, graph_id: scope.graphId, status }
    return { method: 'GET', url: listUrl(baseUrl, ['v1', 'files'], query), headers: bearer(apiKey) }
  },
  // A mistyped graph-id must not pass as "nothing matched" (docs/providers.md, Writer "graph").
  scopeCheck: {
    scope: 'graphId',
    request: (scope, { baseUrl, apiKey }) => ({
      method: 'GET',
      url: fileUrl(baseUrl, ['v1', 'graphs'], scope.graphId),
      headers: bearer(apiKey)
    }),
    read(answer, scope) {
      const id = field(jsonBody(answer), 'id')
      return id === scope.graphId ? undefined : `the answer names ${id === undefined ? 'no graph' : 'another graph'}`
    }
  },
  read(answer, cursor) {
    const body = jsonBody(answer)
    const data = field(body, 'data')
    const more = field(body, 'has_more')
    if (!Array.isArray(data) || typeof more !== 'boolean')
      return { problem: 'the page is not {"data": [...], "has_more": ...}' }
    const items = readItems(data, item)
    if (items === undefined) return { problem: 'an item of the page has no "id"' }
    const last = items.at(-1)
    if (more && last === undefined) return { problem: 'an empty page says "has_more": true' }
    return { items, next: more && last ? { page: cursor.page + 1, after: last.id } : undefined }
  }
}
