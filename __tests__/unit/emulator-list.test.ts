import { describe, expect, test } from '@jest/globals'
import http from 'node:http'
import type { Emulator, EmulatorOptions, Fault, FileRecord, ListPage, ProviderName } from '../../emulator/index.js'
import { imagekitAnswers, writerAnswers } from '../../emulator/bodies.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { call, emulate, KEY, type Reply } from '../helpers/common.js'

const parsed = (reply: Reply): unknown => JSON.parse(reply.body)

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })
const basic = (key: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`
})

const WF = 'wf-1'

interface Lister {
  headers(key: string): Record<string, string>
  /** Path and query of a page: 1-based `page` of `size`; Writer goes by the last ID seen instead. */
  page(page: number, size: number, lastId: string | undefined): string
  ids(body: unknown): string[]
  /** Whether the answer says there is a page after this one. */
  more(body: unknown, page: number, size: number): boolean
  deletePath(id: string): string
}

interface WriterPage {
  data: Array<{ id: string }>
  has_more: boolean
}
interface DelosPage {
  items: Array<{ id: string; isLock: boolean; customerId: string | null }>
}
interface AnyformatPage {
  count: number
  page: number
  page_size: number
  results: Array<{ id: string; name: string | null; created_at: string | null; status: string }>
}
type ImagekitItem = { type: string; name: string; fileId?: string; folderId?: string }

const idOf = (item: ImagekitItem): string => item.fileId ?? item.folderId ?? ''

const LISTERS: Record<ProviderName, Lister> = {
  writer: {
    headers: bearer,
    page: (_page, size, lastId) => `/v1/files?limit=${size}&order=asc${lastId === undefined ? '' : `&after=${lastId}`}`,
    ids: body => (body as WriterPage).data.map(item => item.id),
    more: body => (body as WriterPage).has_more,
    deletePath: id => `/v1/files/${id}`
  },
  imagekit: {
    headers: basic,
    page: (page, size) => `/v1/files?limit=${size}&skip=${(page - 1) * size}&sort=ASC_CREATED`,
    ids: body => (body as ImagekitItem[]).map(idOf),
    more: (body, _page, size) => (body as unknown[]).length === size,
    deletePath: id => `/v1/files/${id}`
  },
  delos: {
    headers: key => ({ authorization: key, accept: 'application/json' }),
    // Delos numbers its pages from 0.
    page: (page, size) => `/v2/storage/file?meta.page=${page - 1}&meta.pageSize=${size}`,
    ids: body => (body as DelosPage).items.map(item => item.id),
    // No total is confirmed: an empty page is the end.
    more: body => (body as DelosPage).items.length > 0,
    deletePath: id => `/v2/storage/file/${id}`
  },
  anyformat: {
    headers: bearer,
    page: (page, size) => `/v2/workflows/${WF}/files/?page=${page}&page_size=${size}`,
    ids: body => (body as AnyformatPage).results.map(item => item.id),
    more: (body, page, size) => page * size < (body as AnyformatPage).count,
    deletePath: id => `/v2/files/${id}/`
  }
}

const SIX = ['a', 'b', 'c', 'd', 'e', 'f'].map(id => ({ id, workflowId: WF }))

function start(options: Partial<EmulatorOptions> & Pick<EmulatorOptions, 'provider'>): Promise<Emulator> {
  return emulate({ files: SIX, ...options })
}

function get(emulator: Emulator, pathAndQuery: string, headers?: Record<string, string>): Promise<Reply> {
  return call(`${emulator.url}${pathAndQuery}`, {
    method: 'GET',
    headers: headers ?? LISTERS[emulator.provider].headers(KEY)
  })
}

function remove(emulator: Emulator, id: string): Promise<Reply> {
  const lister = LISTERS[emulator.provider]
  return call(`${emulator.url}${lister.deletePath(id)}`, { method: 'DELETE', headers: lister.headers(KEY) })
}

/** Every page of the listing in turn, as a client walks it; the IDs and the number of pages asked for. */
async function listAll(emulator: Emulator, size: number): Promise<{ ids: string[]; pages: number }> {
  const lister = LISTERS[emulator.provider]
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const reply = await get(emulator, lister.page(page, size, ids.at(-1)))
    expect(reply.status).toBe(200)
    const body = parsed(reply)
    ids.push(...lister.ids(body))
    if (!lister.more(body, page, size)) return { ids, pages: page }
  }
}

async function listed(emulator: Emulator): Promise<string[]> {
  return (await listAll(emulator, 100)).ids
}

const UNAUTHORIZED: Record<ProviderName, unknown> = {
  writer: writerAnswers.unauthorized,
  imagekit: imagekitAnswers.wrongKey,
  delos: { success: false, message: 'Unauthorized' },
  anyformat: expect.objectContaining({ error_code: 'AUTH_FAILED', detail: 'Invalid or missing API key.' })
}

describe.each(PROVIDER_NAMES)('%s listing', provider => {
  const lister = LISTERS[provider]

  test('pages to the end, in order, across an exact page boundary and an uneven one', async () => {
    const emulator = await start({ provider })
    const exact = await listAll(emulator, 3)
    const uneven = await listAll(emulator, 4)

    expect(exact.ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(uneven.ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    // ImageKit says nothing of a total, so a full last page needs one more, empty, page to be sure; Delos confirms
    // no page size either, so only an empty page ends its listing.
    expect(exact.pages).toBe(provider === 'imagekit' || provider === 'delos' ? 3 : 2)
    expect(uneven.pages).toBe(provider === 'delos' ? 3 : 2)
  })

  test("refuses a wrong key with the provider's own answer and lists nothing", async () => {
    const emulator = await start({ provider })
    const reply = await get(emulator, lister.page(1, 10, undefined), lister.headers('wrong'))

    // ImageKit answers a key it cannot authenticate with 403, the others with 401.
    expect(reply.status).toBe(provider === 'imagekit' ? 403 : 401)
    expect(parsed(reply)).toEqual(UNAUTHORIZED[provider])
  })

  test('deleted files vanish from the listing', async () => {
    const emulator = await start({ provider })
    expect((await remove(emulator, 'b')).status).toBeLessThan(300)
    expect((await remove(emulator, 'e')).status).toBeLessThan(300)

    expect(await listed(emulator)).toEqual(['a', 'c', 'd', 'f'])
  })

  test('a fault `on: "list"` hits list requests only', async () => {
    const emulator = await start({ provider })
    emulator.inject({ on: 'list', times: 1, fault: { kind: 'status', status: 503 } })

    expect((await remove(emulator, 'a')).status).toBeLessThan(300)
    const faulted = await get(emulator, lister.page(1, 10, undefined))
    const next = await get(emulator, lister.page(1, 10, undefined))

    expect(faulted.status).toBe(503)
    expect(faulted.headers['content-type']).toBe('application/json')
    expect(next.status).toBe(200)
    expect(lister.ids(parsed(next))).toEqual(['b', 'c', 'd', 'e', 'f'])
  })

  test('a fault `on: "delete"` or for an ID never hits a list request', async () => {
    const emulator = await start({ provider })
    emulator.inject({ on: 'delete', fault: { kind: 'status', status: 500 } })
    emulator.inject({ id: 'a', fault: { kind: 'status', status: 502 } })

    expect((await get(emulator, lister.page(1, 10, undefined))).status).toBe(200)
    expect((await remove(emulator, 'a')).status).toBe(500)
  })

  test('list requests count against the rate window', async () => {
    const emulator = await start({ provider, rateLimit: { limit: 1, intervalMs: 60_000 } })

    expect((await get(emulator, lister.page(1, 10, undefined))).status).toBe(200)
    expect((await get(emulator, lister.page(1, 10, undefined))).status).toBe(429)
  })

  test('records the route and when the answer was written', async () => {
    const emulator = await start({ provider })
    await listAll(emulator, 4)
    await remove(emulator, 'a')
    await get(emulator, '/nowhere')

    const routes = emulator.requests.map(request => request.route)
    const pages = provider === 'delos' ? 3 : 2
    expect(routes).toEqual([...Array<string>(pages).fill('list'), 'delete', 'outside'])
    for (const request of emulator.requests) expect(request.answeredAt).toBeGreaterThanOrEqual(request.at)
    const lastListAnswer = Math.max(...emulator.requests.filter(r => r.route === 'list').map(r => r.answeredAt ?? 0))
    const firstDelete = Math.min(...emulator.requests.filter(r => r.route === 'delete').map(r => r.at))
    expect(firstDelete).toBeGreaterThanOrEqual(lastListAnswer)
  })

  test('onList sees each page before it is built, and files added then show on it', async () => {
    const pages: ListPage[] = []
    const onList = (request: ListPage): void => {
      pages.push(request)
      if (request.page === 2) emulator.addFiles([{ id: 'late', workflowId: WF }])
    }
    const emulator = await start({ provider, onList })

    const { ids } = await listAll(emulator, 4)

    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'late'])
    expect(pages.map(page => page.page)).toEqual(provider === 'delos' ? [1, 2, 3] : [1, 2])
    expect(pages.every(page => page.provider === provider)).toBe(true)
    expect(emulator.store.has('late')).toBe(true)
  })

  test('ignoreListFilters keeps the listing whole', async () => {
    const files: FileRecord[] = [
      { id: 'kept', workflowId: WF, graphIds: ['g1'], status: 'failed', customerId: 'c1', tags: ['t'] },
      { id: 'other', workflowId: WF, customerId: 'c2' }
    ]
    const filters: Record<ProviderName, string> = {
      writer: '/v1/files?graph_id=g1&status=failed&order=asc',
      imagekit: '/v1/files?searchQuery=' + encodeURIComponent('tags IN ["t"]'),
      delos: '/v2/storage/file?customerId=c1',
      anyformat: `/v2/workflows/${WF}/files/`
    }
    const narrowed = await emulate({ provider, files })
    const whole = await emulate({ provider, files, ignoreListFilters: true })

    const narrowedIds = lister.ids(parsed(await get(narrowed, filters[provider])))
    const wholeIds = lister.ids(parsed(await get(whole, filters[provider])))

    expect(narrowedIds).toEqual(provider === 'anyformat' ? ['kept', 'other'] : ['kept'])
    expect(wholeIds).toEqual(['kept', 'other'])
  })
})

describe('records', () => {
  test('a bare ID gets the defaults, in a stable order of creation', async () => {
    const emulator = await emulate({ provider: 'writer', files: ['x', 'y'] })

    expect(emulator.records()).toEqual([
      { id: 'x', name: 'x', createdAt: '2026-01-01T00:00:00.000Z', path: '/x', status: 'completed', kind: 'file' },
      { id: 'y', name: 'y', createdAt: '2026-01-01T00:00:01.000Z', path: '/y', status: 'completed', kind: 'file' }
    ])
  })

  test('only files are in the store; versions go with their file, folders stay', async () => {
    const emulator = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'f', path: '/p/hero.jpg' },
        { id: 'f', kind: 'file-version', path: '/p/hero.jpg' },
        { id: 'dir', kind: 'folder', path: '/p' }
      ]
    })

    expect(emulator.store).toEqual(new Set(['f']))
    expect(emulator.records().map(record => [record.id, record.kind, record.name])).toEqual([
      ['f', 'file', 'hero.jpg'],
      ['f', 'file-version', 'hero.jpg'],
      ['dir', 'folder', 'p']
    ])
    expect((await remove(emulator, 'dir')).status).toBe(404)
    expect((await remove(emulator, 'f')).status).toBe(204)
    expect(emulator.records().map(record => record.id)).toEqual(['dir'])
  })

  test('addFiles adds files and replaces the details of a known one; a bare known ID changes nothing', async () => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'x', name: 'first' }] })
    emulator.addFiles(['x', 'y'])
    expect(emulator.records().map(record => record.name)).toEqual(['first', 'y'])

    emulator.addFiles([{ id: 'x', name: 'second' }])
    expect(emulator.records().map(record => record.name)).toEqual(['second', 'y'])
    expect(emulator.store).toEqual(new Set(['x', 'y']))
  })
})

describe('list faults', () => {
  const page = '/v1/files?limit=2'

  test.each<[string, Fault, (reply: Reply) => void]>([
    ['status', { kind: 'status', status: 500 }, reply => expect(reply.status).toBe(500)],
    ['rate-limit', { kind: 'rate-limit' }, reply => expect(reply.status).toBe(429)],
    ['html', { kind: 'html', status: 502 }, reply => expect(reply.headers['content-type']).toBe('text/html')],
    [
      'redirect',
      { kind: 'redirect' },
      reply => expect(reply.headers.location).toBe('https://elsewhere.invalid/v1/files?limit=2')
    ],
    [
      'retryable',
      { kind: 'retryable' },
      reply => expect(parsed(reply)).toMatchObject({ tpe: 'ServiceUnavailable', retryable: true })
    ]
  ])('%s replaces the page', async (_name, fault, check) => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ on: 'list', times: 1, fault })

    check(await get(emulator, page))
    expect(emulator.requests[0]).toMatchObject({ route: 'list', answeredAt: expect.any(Number) })
  })

  test('reset and lose-answer end the socket; no answer is recorded', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ on: 'list', times: 1, fault: { kind: 'reset' } })
    emulator.inject({ on: 'list', times: 1, fault: { kind: 'lose-answer' } })

    await expect(get(emulator, page)).rejects.toThrow()
    await expect(get(emulator, page)).rejects.toThrow()

    expect(emulator.requests.map(request => [request.route, request.status, request.answeredAt])).toEqual([
      ['list', 0, undefined],
      ['list', 0, undefined]
    ])
  })

  test('hang holds the page until close()', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ on: 'list', fault: { kind: 'hang' } })
    const pending = get(emulator, page)
    while (emulator.requests.length === 0) await new Promise(resolve => setTimeout(resolve, 5))

    await emulator.close()

    await expect(pending).rejects.toThrow()
    expect(emulator.requests[0]?.answeredAt).toBeUndefined()
  })

  test('latency delays the page, so a delete sent meanwhile starts before the listing ends', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ on: 'list', times: 1, fault: { kind: 'latency', ms: 150 } })

    const slow = get(emulator, page)
    while (emulator.requests.length === 0) await new Promise(resolve => setTimeout(resolve, 5))
    await remove(emulator, 'f')
    expect((await slow).status).toBe(200)

    const [list, removal] = emulator.requests
    expect(list?.route).toBe('list')
    expect(removal?.route).toBe('delete')
    expect(removal?.at).toBeLessThan(list?.answeredAt ?? 0)
    expect((list?.answeredAt ?? 0) - (list?.at ?? 0)).toBeGreaterThanOrEqual(140)
  })
})

describe('writer list specifics', () => {
  const times: FileRecord[] = [
    { id: 'b', createdAt: '2026-01-01T00:00:00.5Z', graphIds: ['g1'], status: 'in_progress' },
    { id: 'a', createdAt: '2026-01-01T00:00:00.123456Z', graphIds: ['g1', 'g2'] },
    { id: 'c', createdAt: '2026-01-01T00:00:00Z', status: 'failed' },
    { id: 'd', createdAt: '2026-01-01T00:00:00.123456Z' }
  ]
  const ids = (reply: Reply): string[] => LISTERS.writer.ids(parsed(reply))

  test('answers {"data", "has_more"} items in created_at order, microseconds kept, ties by ID', async () => {
    const emulator = await emulate({ provider: 'writer', files: times })
    const reply = await get(emulator, '/v1/files?order=asc')

    expect(parsed(reply)).toEqual({
      first_id: 'c',
      last_id: 'b',
      data: [
        { id: 'c', name: 'c', created_at: '2026-01-01T00:00:00Z', graph_ids: [], status: 'failed' },
        { id: 'a', name: 'a', created_at: '2026-01-01T00:00:00.123456Z', graph_ids: ['g1', 'g2'], status: 'completed' },
        { id: 'd', name: 'd', created_at: '2026-01-01T00:00:00.123456Z', graph_ids: [], status: 'completed' },
        { id: 'b', name: 'b', created_at: '2026-01-01T00:00:00.5Z', graph_ids: ['g1'], status: 'in_progress' }
      ],
      has_more: false
    })
  })

  test('order=desc reverses the order, and `after` follows it', async () => {
    const emulator = await emulate({ provider: 'writer', files: times })

    expect(ids(await get(emulator, '/v1/files?order=desc'))).toEqual(['b', 'd', 'a', 'c'])
    expect(ids(await get(emulator, '/v1/files?order=desc&after=d'))).toEqual(['a', 'c'])
    expect(ids(await get(emulator, '/v1/files?order=asc&after=a&limit=1'))).toEqual(['d'])
  })

  test('graph_id and status narrow, together too', async () => {
    const emulator = await emulate({ provider: 'writer', files: times })

    expect(ids(await get(emulator, '/v1/files?order=asc&graph_id=g1'))).toEqual(['a', 'b'])
    expect(ids(await get(emulator, '/v1/files?order=asc&status=completed'))).toEqual(['a', 'd'])
    expect(ids(await get(emulator, '/v1/files?order=asc&graph_id=g1&status=completed'))).toEqual(['a'])
  })

  test('limit 50 and newest first by default; more than 100, an unknown cursor or another order answer 400', async () => {
    const emulator = await emulate({ provider: 'writer', files: Array.from({ length: 101 }, (_, i) => `f${i}`) })
    const first = parsed(await get(emulator, '/v1/files')) as WriterPage
    const most = parsed(await get(emulator, '/v1/files?limit=100')) as WriterPage

    expect(first.data).toHaveLength(50)
    expect(first.data[0]?.id).toBe('f100')
    expect(most.data).toHaveLength(100)
    expect(most.has_more).toBe(true)
    for (const query of ['limit=101', 'limit=0', 'limit=ten', 'after=nope', 'order=up']) {
      const reply = await get(emulator, `/v1/files?${query}`)
      expect([query, reply.status]).toEqual([query, 400])
      expect(parsed(reply)).toMatchObject({ tpe: 'BadRequest', errors: [{ description: expect.any(String) }] })
    }
  })

  test('onList counts pages since the last listing that began without a cursor', async () => {
    const pages: number[] = []
    const emulator = await start({ provider: 'writer', onList: ({ page }) => void pages.push(page) })
    await listAll(emulator, 2)
    await listAll(emulator, 4)

    expect(pages).toEqual([1, 2, 3, 1, 2])
  })

  test('a cursor removed while the listing is under way keeps its place', async () => {
    const emulator: Emulator = await start({
      provider: 'writer',
      onList: ({ page }) => {
        if (page === 2) emulator.store.delete('b')
      }
    })

    expect((await listAll(emulator, 2)).ids).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
  })
})

describe('imagekit list specifics', () => {
  const files: FileRecord[] = [
    { id: 'hero', path: '/previews/pr-42/hero.jpg', tags: ['pr-42'], createdAt: '2026-01-01T00:00:01.000Z' },
    { id: 'logo', path: '/previews/logo.png', aiTags: ['pr-42', 'Logo'], createdAt: '2026-01-01T00:00:02.000Z' },
    { id: 'root', path: '/root.txt', tags: ['keep'], createdAt: '2026-02-01T00:00:00.000Z' },
    { id: 'hero', kind: 'file-version', path: '/previews/pr-42/hero.jpg', createdAt: '2025-12-31T00:00:00.000Z' },
    { id: 'fold-pr42', kind: 'folder', path: '/previews/pr-42', createdAt: '2026-01-01T00:00:00.000Z' },
    { id: 'fold-previews', kind: 'folder', path: '/previews', createdAt: '2025-12-01T00:00:00.000Z' }
  ]
  const search = (emulator: Emulator, query: string): Promise<Reply> =>
    get(emulator, `/v1/files?searchQuery=${encodeURIComponent(query)}`)
  const searched = async (emulator: Emulator, query: string): Promise<string[]> => {
    const reply = await search(emulator, query)
    expect([query, reply.status]).toEqual([query, 200])
    return (parsed(reply) as ImagekitItem[]).map(item => `${item.type}:${idOf(item)}`)
  }

  test('an unfiltered listing holds files and folders, not versions, as the API shapes them', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    const reply = await get(emulator, '/v1/files')

    expect(reply.status).toBe(200)
    expect(parsed(reply)).toEqual([
      {
        type: 'folder',
        folderId: 'fold-previews',
        name: 'previews',
        folderPath: '/previews',
        createdAt: '2025-12-01T00:00:00.000Z',
        updatedAt: '2025-12-01T00:00:00.000Z'
      },
      expect.objectContaining({ type: 'folder', folderId: 'fold-pr42', name: 'pr-42' }),
      {
        type: 'file',
        fileId: 'hero',
        name: 'hero.jpg',
        filePath: '/previews/pr-42/hero.jpg',
        tags: ['pr-42'],
        AITags: null,
        createdAt: '2026-01-01T00:00:01.000Z',
        updatedAt: '2026-01-01T00:00:01.000Z',
        url: 'https://ik.imagekit.io/emulator/previews/pr-42/hero.jpg'
      },
      expect.objectContaining({
        fileId: 'logo',
        tags: null,
        AITags: [
          { name: 'pr-42', confidence: expect.any(Number), source: expect.any(String) },
          { name: 'Logo', confidence: expect.any(Number), source: expect.any(String) }
        ]
      }),
      expect.objectContaining({ type: 'file', fileId: 'root' })
    ])
  })

  test('type selects files, versions or folders', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })

    expect(await searched(emulator, 'type = "file"')).toEqual(['file:hero', 'file:logo', 'file:root'])
    expect(await searched(emulator, 'type = "folder"')).toEqual(['folder:fold-previews', 'folder:fold-pr42'])
    const versions = parsed(await search(emulator, 'type = "file-version"'))
    expect(versions).toEqual([
      expect.objectContaining({
        type: 'file-version',
        fileId: 'hero',
        filePath: '/previews/pr-42/hero.jpg',
        versionInfo: { id: expect.any(String), name: expect.any(String) }
      })
    ])
  })

  test('name : matches a prefix of the name', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })

    expect(await searched(emulator, 'name : "he"')).toEqual(['file:hero'])
    expect(await searched(emulator, 'name : "pr"')).toEqual(['folder:fold-previews', 'folder:fold-pr42'])
  })

  test('path = is the folder itself, path : the folder and everything under it', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })

    expect(await searched(emulator, 'path = "/previews/"')).toEqual(['folder:fold-pr42', 'file:logo'])
    expect(await searched(emulator, 'path : "/previews/"')).toEqual(['folder:fold-pr42', 'file:hero', 'file:logo'])
    expect(await searched(emulator, 'path = "/"')).toEqual(['folder:fold-previews', 'file:root'])
  })

  test('tags IN matches own tags or AITags names', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })

    expect(await searched(emulator, 'tags IN ["pr-42"]')).toEqual(['file:hero', 'file:logo'])
    expect(await searched(emulator, 'tags IN ["nothing", "keep"]')).toEqual(['file:root'])
  })

  test('createdAt < keeps what was created before', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })

    expect(await searched(emulator, 'createdAt < "2026-01-01T00:00:01.500Z"')).toEqual([
      'folder:fold-previews',
      'folder:fold-pr42',
      'file:hero'
    ])
  })

  test('AND joins clauses', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    const query = 'type = "file" AND path : "/previews/" AND tags IN ["pr-42"] AND createdAt < "2026-01-01T00:00:01.5Z"'

    expect(await searched(emulator, query)).toEqual(['file:hero'])
    expect(await searched(emulator, 'type = "file-version" AND name : "hero"')).toEqual(['file-version:hero'])
  })

  test('a query outside the subset answers 400, also when filters are ignored', async () => {
    const plain = await emulate({ provider: 'imagekit', files })
    const ignoring = await emulate({ provider: 'imagekit', files, ignoreListFilters: true })
    const rejected = [
      'name = "hero"',
      'type = "image"',
      'path = "/previews"',
      'tags IN []',
      'createdAt < "7d"',
      'createdAt > "2026-01-01T00:00:00Z"',
      'type = "file" OR name : "x"',
      'type = "file" and name : "x"',
      'type = "file" AND',
      'name : hero',
      'name : "a\\"b"',
      'size > 100'
    ]
    for (const emulator of [plain, ignoring]) {
      for (const query of rejected) {
        const reply = await search(emulator, query)
        expect([query, reply.status]).toEqual([query, 400])
        expect(parsed(reply)).toEqual({
          message: 'Your request contains invalid searchQuery parameter.',
          help: expect.any(String)
        })
      }
    }
  })

  test('ignoreListFilters lists everything, versions and folders included', async () => {
    const emulator = await emulate({ provider: 'imagekit', files, ignoreListFilters: true })

    expect(await searched(emulator, 'type = "file" AND name : "zzz"')).toEqual([
      'folder:fold-previews',
      'file-version:hero',
      'folder:fold-pr42',
      'file:hero',
      'file:logo',
      'file:root'
    ])
  })

  test('deleting a file takes its versions out of the listing', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    await remove(emulator, 'hero')

    expect(await searched(emulator, 'type = "file-version"')).toEqual([])
    expect(await searched(emulator, 'type = "file"')).toEqual(['file:logo', 'file:root'])
  })

  test('limit up to 1000, skip, and only ASC_CREATED; onList gets skip/limit + 1', async () => {
    const pages: number[] = []
    const emulator = await emulate({ provider: 'imagekit', files, onList: ({ page }) => void pages.push(page) })

    expect(LISTERS.imagekit.ids(parsed(await get(emulator, '/v1/files?limit=2&skip=3')))).toEqual(['logo', 'root'])
    expect((await get(emulator, '/v1/files?limit=2&skip=5')).body).toBe('[]')
    const refusals: Array<[string, string]> = [
      ['limit=1001', 'Maximum value of limit parameter is 1000. Value sent is 1001.'],
      ['limit=0', 'Minimum value of limit parameter is 1. Value sent is 0.'],
      ['skip=-1', 'The value of skip parameter should be greater than or equal to 0. Value sent is -1.'],
      ['sort=DESC_CREATED', 'Your request contains invalid value for sort parameters.']
    ]
    for (const [query, message] of refusals) {
      const reply = await get(emulator, `/v1/files?${query}`)
      expect([query, reply.status]).toEqual([query, 400])
      expect(parsed(reply)).toMatchObject({ message })
    }
    expect(pages).toEqual([2, 3])
  })

  test('a request without a key has its own 401', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    const reply = await get(emulator, '/v1/files', {})

    expect(reply.status).toBe(401)
    expect(parsed(reply)).toMatchObject({ message: 'Your request does not contain private API key.' })
  })

  test('a bulk delete is recorded as such', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    const body = JSON.stringify({ fileIds: ['logo'] })
    const reply = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${emulator.url}/v1/files/batch/deleteByFileIds`, {
        method: 'POST',
        headers: { ...basic(KEY), 'content-type': 'application/json' },
        agent: false
      })
      req.on('response', res => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end(body)
    })

    expect(reply).toBe(200)
    expect(emulator.requests[0]?.route).toBe('bulk')
  })
})

describe('delos list specifics', () => {
  const json = { authorization: KEY, accept: 'application/json' }

  test('answers {"items"} and nothing else its docs do not confirm; a page past the end is empty', async () => {
    const emulator = await start({ provider: 'delos' })
    const first = await get(emulator, '/v2/storage/file?meta.page=0&meta.pageSize=4')
    const past = await get(emulator, '/v2/storage/file?meta.page=2&meta.pageSize=3')

    expect(parsed(first)).toEqual({
      items: ['a', 'b', 'c', 'd'].map(id => ({
        partnerId: expect.any(String),
        customerId: null,
        id,
        name: id,
        size: expect.any(Number),
        isLock: false
      }))
    })
    expect(parsed(past)).toEqual({ items: [] })
  })

  test('needs Accept: application/json like the delete', async () => {
    const emulator = await start({ provider: 'delos' })
    const reply = await get(emulator, '/v2/storage/file', { authorization: KEY, accept: '*/*' })

    expect(reply.status).toBe(406)
    expect(() => JSON.parse(reply.body) as unknown).toThrow()
  })

  test('customerId narrows; files without one belong to options.customerId', async () => {
    const emulator = await emulate({
      provider: 'delos',
      customerId: 'cust_1',
      files: ['plain', { id: 'theirs', customerId: 'cust_2' }, { id: 'ours', customerId: 'cust_1' }]
    })
    const ours = parsed(await get(emulator, '/v2/storage/file?customerId=cust_1')) as DelosPage
    const theirs = parsed(await get(emulator, '/v2/storage/file?customerId=cust_2')) as DelosPage
    const all = parsed(await get(emulator, '/v2/storage/file')) as DelosPage

    expect(ours.items.map(item => item.id)).toEqual(['plain', 'ours'])
    expect(theirs.items).toEqual([expect.objectContaining({ id: 'theirs', customerId: 'cust_2' })])
    expect(all.items.map(item => [item.id, item.customerId])).toEqual([
      ['plain', 'cust_1'],
      ['theirs', 'cust_2'],
      ['ours', 'cust_1']
    ])
  })

  test('a file of another customer cannot be deleted naming its own customer', async () => {
    const emulator = await emulate({ provider: 'delos', files: [{ id: 'theirs', customerId: 'cust_2' }] })
    const wrong = await call(`${emulator.url}/v2/storage/file/theirs?customerId=cust_1`, {
      method: 'DELETE',
      headers: json
    })
    const right = await call(`${emulator.url}/v2/storage/file/theirs?customerId=cust_2`, {
      method: 'DELETE',
      headers: json
    })

    expect(wrong.status).toBe(403)
    expect(right.status).toBe(200)
  })

  test('locked and forbidden files are listed, locked ones with isLock', async () => {
    const emulator = await emulate({
      provider: 'delos',
      files: ['plain', { id: 'rec-locked', locked: true }],
      lockedIds: ['lk'],
      forbiddenIds: ['fb']
    })
    const page = parsed(await get(emulator, '/v2/storage/file')) as DelosPage

    expect(page.items.map(item => [item.id, item.isLock])).toEqual([
      ['plain', false],
      ['rec-locked', true],
      ['lk', true],
      ['fb', false]
    ])
    expect((await remove(emulator, 'rec-locked')).status).toBe(423)
  })

  test('soft-deleted files are not listed', async () => {
    const emulator = await start({ provider: 'delos' })
    await remove(emulator, 'a')
    await remove(emulator, 'a')

    expect(parsed(await get(emulator, '/v2/storage/file?meta.pageSize=2'))).toEqual({
      items: [expect.objectContaining({ id: 'b' }), expect.objectContaining({ id: 'c' })]
    })
    expect((parsed(await get(emulator, '/v2/storage/file')) as DelosPage).items).toHaveLength(5)
  })

  test('pageSize defaults to 100 and is silently capped there; pages start at 0', async () => {
    const emulator = await emulate({ provider: 'delos', files: Array.from({ length: 101 }, (_, i) => `f${i}`) })
    const first = parsed(await get(emulator, '/v2/storage/file')) as DelosPage

    expect(first.items).toHaveLength(100)
    const second = parsed(await get(emulator, '/v2/storage/file?meta.page=1')) as DelosPage
    expect(second.items.map(item => item.id)).toEqual(['f100'])
    const capped = parsed(await get(emulator, '/v2/storage/file?meta.pageSize=500')) as DelosPage
    expect(capped.items).toHaveLength(100)
    for (const query of ['meta.pageSize=0', 'meta.page=-1', 'meta.page=x']) {
      const reply = await get(emulator, `/v2/storage/file?${query}`)
      expect([query, reply.status]).toEqual([query, 400])
      expect(parsed(reply)).toMatchObject({ success: false })
    }
  })

  test('a file deleted while the listing is under way shifts the later pages', async () => {
    const emulator: Emulator = await start({
      provider: 'delos',
      onList: ({ page }) => {
        if (page === 2) emulator.store.delete('a')
      }
    })

    expect((await listAll(emulator, 2)).ids).toEqual(['a', 'b', 'd', 'e', 'f'])
  })
})

describe('anyformat list specifics', () => {
  const files: FileRecord[] = [
    { id: 'n1', workflowId: WF, name: null, createdAt: null, status: 'failed' },
    { id: 'p2', workflowId: WF, name: 'two.pdf', createdAt: '2026-01-02T00:00:00Z', status: 'processing' },
    { id: 'p1', workflowId: WF, name: 'one.pdf', createdAt: '2026-01-01T00:00:00Z' },
    { id: 'elsewhere', workflowId: 'wf-2' }
  ]
  const page = (query: string): string => `/v2/workflows/${WF}/files/${query}`

  test('answers {"count", "page", "page_size", "results"}, nulls kept and last, with X-API-Version', async () => {
    const emulator = await emulate({ provider: 'anyformat', files })
    const reply = await get(emulator, page(''))

    expect(reply.headers['x-api-version']).toBe('2.0.0')
    expect(parsed(reply)).toEqual({
      count: 3,
      page: 1,
      page_size: 20,
      results: [
        {
          id: 'p1',
          name: 'one.pdf',
          status: 'completed',
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z'
        },
        {
          id: 'p2',
          name: 'two.pdf',
          status: 'processing',
          created_at: '2026-01-02T00:00:00Z',
          updated_at: '2026-01-02T00:00:00Z'
        },
        { id: 'n1', name: null, status: 'failed', created_at: null, updated_at: null }
      ]
    })
  })

  test('page_size is silently capped at 100, or lower with anyformatMaxPageSize', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ id: `f${String(i).padStart(3, '0')}`, workflowId: WF }))
    const emulator = await emulate({ provider: 'anyformat', files: many })
    const capped = await emulate({ provider: 'anyformat', files: many, anyformatMaxPageSize: 7 })

    const big = parsed(await get(emulator, page('?page_size=500'))) as AnyformatPage
    const second = parsed(await get(capped, page('?page=2&page_size=50'))) as AnyformatPage

    expect([big.count, big.page_size, big.results.length]).toEqual([120, 100, 100])
    expect([second.count, second.page, second.page_size]).toEqual([120, 2, 7])
    expect(second.results.map(item => item.id)).toEqual(['f007', 'f008', 'f009', 'f010', 'f011', 'f012', 'f013'])
  })

  test('a page past the end has no results', async () => {
    const emulator = await emulate({ provider: 'anyformat', files })

    expect(parsed(await get(emulator, page('?page=3&page_size=2')))).toEqual({
      count: 3,
      page: 3,
      page_size: 2,
      results: []
    })
  })

  test('without the trailing slash answers 301 to the slashed path, recorded as a list', async () => {
    const emulator = await emulate({ provider: 'anyformat', files, pathPrefix: '/gw' })
    const reply = await get(emulator, `/v2/workflows/${WF}/files?page=2`)

    expect(reply.status).toBe(301)
    expect(reply.headers.location).toBe(`/gw/v2/workflows/${WF}/files/?page=2`)
    expect(emulator.requests[0]?.route).toBe('list')
  })

  test('an unknown workflow answers 404; one whose files are all gone stays known', async () => {
    const emulator = await emulate({ provider: 'anyformat', files })
    const unknown = await get(emulator, '/v2/workflows/wf-9/files/')
    await remove(emulator, 'elsewhere')
    const emptied = await get(emulator, '/v2/workflows/wf-2/files/')

    expect(unknown.status).toBe(404)
    expect(parsed(unknown)).toMatchObject({ error_code: 'NOT_FOUND', retryable: false })
    expect(parsed(emptied)).toMatchObject({ count: 0, results: [] })
  })

  test('page and page_size below 1 or not whole answer 422', async () => {
    const emulator = await emulate({ provider: 'anyformat', files })
    for (const query of ['?page=0', '?page_size=0', '?page=two']) {
      const reply = await get(emulator, page(query))
      expect([query, reply.status]).toEqual([query, 422])
      expect(parsed(reply)).toMatchObject({ detail: [{ loc: ['query', expect.any(String)] }] })
    }
  })
})
