import { bareKey, field, itemId, jsonBody, listUrl, readItems, text } from './common.js'
import type { ListItem, ProviderList } from './types.js'

const PAGE_SIZE = 100

function item(value: unknown): ListItem | undefined {
  const id = itemId(value, 'id')
  if (id === undefined) return undefined
  const common = { createdAt: null, path: null, tags: null, status: null, kind: 'file' as const }
  const locked = field(value, 'isLock') === true
  return { id, name: text(value, 'name'), locked, customerId: text(value, 'customerId'), ...common }
}

/**
 * Delos: `GET /v2/storage/file?meta.page=K&meta.pageSize=100` (+ `customerId`), K counted from 0 (docs/providers.md,
 * Delos "page numbering"). Its docs name only the page's items array, so anything but an object with `items` fails
 * the listing; only an empty page is the last. No creation time is confirmed, so Delos cannot select by age.
 */
export const delosList: ProviderList = {
  capabilities: { path: false, tags: false, age: false, statuses: undefined, final: [], scopes: ['customerId'] },
  request(cursor, _filters, scope, { baseUrl, apiKey }) {
    // The cursor counts pages from 1; Delos numbers them from 0.
    const page = String(cursor.page - 1)
    const query = { 'meta.page': page, 'meta.pageSize': String(PAGE_SIZE), customerId: scope.customerId }
    return {
      method: 'GET',
      url: listUrl(baseUrl, ['v2', 'storage', 'file'], query),
      headers: bareKey(apiKey)
    }
  },
  read(answer, cursor) {
    const values = field(jsonBody(answer), 'items')
    if (!Array.isArray(values)) return { problem: 'the page is not an object with an "items" array' }
    const items = readItems(values, item)
    if (items === undefined) return { problem: 'an item of the page has no "id"' }
    // No page-size cap is confirmed: a page shorter than asked for may be a capped one, so only an empty page ends.
    return { items, next: items.length === 0 ? undefined : { page: cursor.page + 1 } }
  }
}
