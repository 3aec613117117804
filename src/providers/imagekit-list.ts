import { basic, field, itemId, jsonBody, listUrl, readItems, strings, text } from './common.js'
import type { ListItem, ProviderList, ServerFilters } from './types.js'

const PAGE_SIZE = 1000

/** A value that can go into searchQuery as a double-quoted string: nothing that could end the string early. */
const quotable = (value: string): boolean => !/["\\]/.test(value) && !/[\u0000-\u001f\u007f]/.test(value)
const quoted = (value: string): string => `"${value}"`

/**
 * The searchQuery for these filters: always `type = "file"` (the query overrides the type parameter), then a clause
 * per filter the server can narrow by, joined by AND. Only the user's values go in, each quoted, and a value that
 * holds a quote or a backslash is left out: the client filters alone then. So an input can only narrow the query,
 * never widen it.
 */
export function imagekitSearchQuery(filters: ServerFilters): string {
  const clauses = ['type = "file"']
  const { namePrefix, folder, tags, createdBefore } = filters
  if (namePrefix && quotable(namePrefix)) clauses.push(`name : ${quoted(namePrefix)}`)
  if (folder && quotable(folder.path)) clauses.push(`path ${folder.subfolders ? ':' : '='} ${quoted(folder.path)}`)
  if (tags && tags.length > 0 && tags.every(quotable)) clauses.push(`tags IN [${tags.map(quoted).join(', ')}]`)
  if (createdBefore && quotable(createdBefore)) clauses.push(`createdAt < ${quoted(createdBefore)}`)
  return clauses.join(' AND ')
}

/** An item of the listing: a file, a file version or a folder; only files carry a fileId that can be selected. */
function item(value: unknown): ListItem | undefined {
  const type = field(value, 'type')
  if (type !== 'file' && type !== 'file-version' && type !== 'folder') return undefined
  const id = itemId(value, type === 'folder' ? 'folderId' : 'fileId')
  if (id === undefined) return undefined
  return {
    id,
    name: text(value, 'name'),
    createdAt: text(value, 'createdAt'),
    path: text(value, type === 'folder' ? 'folderPath' : 'filePath'),
    tags: strings(value, 'tags'),
    status: null,
    kind: type,
    locked: false,
    url: type === 'folder' ? null : text(value, 'url')
  }
}

/**
 * ImageKit: `GET /v1/files?limit=1000&skip=K&sort=ASC_CREATED&searchQuery=…`, pages of bare JSON arrays holding
 * files, file versions and folders; a page shorter than the limit is the last.
 */
export const imagekitList: ProviderList = {
  capabilities: { path: true, tags: true, age: true, statuses: undefined, final: [], scopes: [] },
  request(cursor, filters, _scope, { baseUrl, apiKey }) {
    const query = {
      limit: String(PAGE_SIZE),
      skip: String((cursor.page - 1) * PAGE_SIZE),
      sort: 'ASC_CREATED',
      searchQuery: imagekitSearchQuery(filters)
    }
    return {
      method: 'GET',
      url: listUrl(baseUrl, ['v1', 'files'], query),
      headers: basic(apiKey)
    }
  },
  read(answer, cursor) {
    const values = jsonBody(answer)
    if (!Array.isArray(values)) return { problem: 'the page is not a JSON array' }
    const items = readItems(values, item)
    if (items === undefined) return { problem: 'an item of the page is not a file, file version or folder with its ID' }
    return { items, next: values.length < PAGE_SIZE ? undefined : { page: cursor.page + 1 } }
  }
}
