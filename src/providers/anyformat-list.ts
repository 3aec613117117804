import { bearer, field, jsonBody, listUrl, namedFileItem, readItems } from './common.js'
import type { ProviderList } from './types.js'

const PAGE_SIZE = 100

const whole = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/**
 * AnyFormat: `GET /v2/workflows/{workflow-id}/files/?page=K&page_size=100`, pages of
 * `{"count", "page", "page_size", "results": [...]}` from 1. The server caps page_size silently, so the end is where
 * page × page_size as answered reaches count. Items are file collections: deleting one deletes its files.
 */
export const anyformatList: ProviderList = {
  capabilities: {
    path: false,
    tags: false,
    age: true,
    statuses: [
      'pending',
      'queued',
      'in_progress',
      'processing',
      'processed',
      'completed',
      'error',
      'failed',
      'cancelled'
    ],
    // The docs' words and the SDK's older ones (docs/providers.md, AnyFormat "status words").
    final: ['processed', 'completed', 'error', 'failed', 'cancelled'],
    scopes: ['workflowId'],
    requiredScope: 'workflowId'
  },
  // A 404 to the workflow's file list: the workflow does not exist (docs/providers.md, AnyFormat "list").
  pagesOf: 'workflowId',
  request(cursor, _filters, scope, { baseUrl, apiKey }) {
    const steps = ['v2', 'workflows', encodeURIComponent(scope.workflowId), 'files', '']
    const url = listUrl(baseUrl, steps, { page: String(cursor.page), page_size: String(PAGE_SIZE) })
    return { method: 'GET', url, headers: bearer(apiKey) }
  },
  read(answer, cursor) {
    const body = jsonBody(answer)
    const [count, page, size, results] = ['count', 'page', 'page_size', 'results'].map(name => field(body, name))
    if (!whole(count) || !whole(page) || !whole(size) || size === 0 || !Array.isArray(results)) {
      return { problem: 'the page is not {"count", "page", "page_size", "results": [...]}' }
    }
    if (page !== cursor.page) return { problem: `asked for page ${cursor.page}, got page ${page}` }
    const items = readItems(results, namedFileItem)
    if (items === undefined) return { problem: 'an item of the page has no "id"' }
    return { items, next: page * size >= count ? undefined : { page: page + 1 }, total: count }
  }
}
