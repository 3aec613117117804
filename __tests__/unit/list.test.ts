import { describe, expect, test } from '@jest/globals'
import { writerAnswers } from '../../emulator/bodies.js'
import { LIST_LIMITS, listAll, type ListLimits, type Listing } from '../../src/engine/list.js'
import { Pacer } from '../../src/engine/pacing.js'
import { TransportError, type HttpRequest } from '../../src/transport/http.js'
import { imagekitSearchQuery } from '../../src/providers/imagekit-list.js'
import { PROVIDERS, type ProviderName } from '../../src/providers/index.js'
import type { HttpAnswer, ListCursor, ListScope, ServerFilters } from '../../src/providers/types.js'
import { answer } from '../helpers/answers.js'
import { virtualClock, type Scripted } from '../helpers/engine.js'
import { KEY } from '../helpers/common.js'

/** Each provider's list request and page reading, and the listing stage on a virtual clock. */

const base = new URL('https://provider.test/base')
const context = { baseUrl: base, apiKey: KEY, customerId: '' }
const scope = (extra: Partial<ListScope> = {}): ListScope => ({ graphId: '', workflowId: '', customerId: '', ...extra })
const requestFor = (name: ProviderName, cursor: ListCursor, filters: ServerFilters = {}, within = scope()) =>
  PROVIDERS[name].list!.request(cursor, filters, within, context)
const read = (name: ProviderName, body: unknown, cursor: ListCursor = { page: 1 }) =>
  PROVIDERS[name].list!.read(answer(200, body), cursor)

describe('list requests', () => {
  test('writer: 100 a page, oldest first, after the last ID, in a graph, by one status', () => {
    const first = requestFor('writer', { page: 1 }, { statuses: ['completed'] }, scope({ graphId: 'g-1' }))
    expect(first.method).toBe('GET')
    expect(first.url.href).toBe('https://provider.test/base/v1/files?limit=100&order=asc&graph_id=g-1&status=completed')
    expect(first.headers.Authorization).toBe(`Bearer ${KEY}`)
    const next = requestFor('writer', { page: 2, after: 'f 99' }, { statuses: ['completed', 'failed'] })
    expect(next.url.href).toBe('https://provider.test/base/v1/files?limit=100&order=asc&after=f+99')
  })

  test('imagekit: 1000 a page by skip, oldest first, with the searchQuery', () => {
    const request = requestFor('imagekit', { page: 3 }, { namePrefix: 'pr-42-' })
    expect(Object.fromEntries(request.url.searchParams)).toEqual({
      limit: '1000',
      skip: '2000',
      sort: 'ASC_CREATED',
      searchQuery: 'type = "file" AND name : "pr-42-"'
    })
    expect(request.url.pathname).toBe('/base/v1/files')
    expect(request.headers.Authorization).toBe(`Basic ${Buffer.from(`${KEY}:`).toString('base64')}`)
  })

  test('delos: meta.page from 0, 100 a page, the customer, the raw key and Accept: application/json', () => {
    const first = requestFor('delos', { page: 1 }, {}, scope({ customerId: 'cust_1' }))
    expect(first.url.searchParams.get('meta.page')).toBe('0')
    const request = requestFor('delos', { page: 2 }, {}, scope({ customerId: 'cust_1' }))
    expect(request.url.href).toBe(
      'https://provider.test/base/v2/storage/file?meta.page=1&meta.pageSize=100&customerId=cust_1'
    )
    expect(request.headers).toMatchObject({ Authorization: KEY, Accept: 'application/json' })
  })

  test('anyformat: the workflow, its trailing slash, page and page_size', () => {
    const request = requestFor('anyformat', { page: 1 }, {}, scope({ workflowId: 'wf-9' }))
    expect(request.url.href).toBe('https://provider.test/base/v2/workflows/wf-9/files/?page=1&page_size=100')
  })
})

describe('imagekit searchQuery', () => {
  test.each<[ServerFilters, string]>([
    [{}, 'type = "file"'],
    [{ folder: { path: '/p/pr-42/', subfolders: false } }, 'type = "file" AND path = "/p/pr-42/"'],
    [{ folder: { path: '/p/', subfolders: true } }, 'type = "file" AND path : "/p/"'],
    [{ tags: ['a', 'b c'] }, 'type = "file" AND tags IN ["a", "b c"]'],
    [{ createdBefore: '2026-01-01T00:00:00.000Z' }, 'type = "file" AND createdAt < "2026-01-01T00:00:00.000Z"'],
    [{ namePrefix: 'x', tags: ['t'] }, 'type = "file" AND name : "x" AND tags IN ["t"]']
  ])('%j → %s', (filters, query) => expect(imagekitSearchQuery(filters)).toBe(query))

  test.each<[string, ServerFilters]>([
    ['a quote in the name', { namePrefix: 'x" OR type = "folder' }],
    ['a backslash in the folder', { folder: { path: '/p\\"/', subfolders: false } }],
    ['a quote in one tag leaves out the whole tags clause', { tags: ['ok', 'x"]'] }],
    ['a line break', { namePrefix: 'a\nb' }]
  ])('a value that could end its string is never put in (the client filters alone): %s', (_, filters) => {
    expect(imagekitSearchQuery(filters)).toBe('type = "file"')
  })
})

describe('reading pages', () => {
  const writerItem = {
    id: 'f1',
    name: 'a.pdf',
    created_at: '2026-01-01T00:00:00.123456Z',
    graph_ids: ['g'],
    status: 'completed'
  }

  test('writer: items, and the next page after the last ID while has_more', () => {
    expect(read('writer', { data: [writerItem], has_more: true })).toEqual({
      items: [
        {
          id: 'f1',
          name: 'a.pdf',
          createdAt: '2026-01-01T00:00:00.123456Z',
          graphIds: ['g'],
          path: null,
          tags: null,
          status: 'completed',
          kind: 'file',
          locked: false
        }
      ],
      next: { page: 2, after: 'f1' }
    })
    expect(read('writer', { data: [writerItem], has_more: false })).toMatchObject({ next: undefined })
  })

  test('imagekit: files, versions and folders; the end is a page shorter than the limit', () => {
    const page = [
      {
        type: 'file',
        fileId: 'f1',
        name: 'a.jpg',
        filePath: '/p/a.jpg',
        tags: ['t'],
        AITags: [{ name: 'u' }],
        createdAt: 'x'
      },
      { type: 'file-version', fileId: 'f1', name: 'a.jpg', filePath: '/p/a.jpg', versionInfo: { id: 'v1' } },
      { type: 'folder', folderId: 'd1', name: 'p', folderPath: '/p' }
    ]
    const reading = read('imagekit', page)
    expect(reading).toMatchObject({ next: undefined })
    if ('problem' in reading) throw new Error(reading.problem)
    expect(reading.items.map(i => [i.id, i.kind, i.path, i.tags])).toEqual([
      ['f1', 'file', '/p/a.jpg', ['t']],
      ['f1', 'file-version', '/p/a.jpg', null],
      ['d1', 'folder', '/p', null]
    ])
    const full = Array.from({ length: 1000 }, (_, i) => ({ type: 'file', fileId: `f${i}` }))
    expect(read('imagekit', full)).toMatchObject({ next: { page: 2 } })
  })

  test('delos: items, isLock; only an empty page ends the list, since no page-size cap is confirmed', () => {
    const page = { items: [{ partnerId: 'p', id: 'a', name: 'n', customerId: 'c', size: 1, isLock: true }] }
    // A short page may be one the server capped below meta.pageSize: the next page is asked for all the same.
    expect(read('delos', page)).toMatchObject({
      items: [{ id: 'a', locked: true, createdAt: null }],
      next: { page: 2 }
    })
    const full = { items: Array.from({ length: 100 }, (_, i) => ({ id: `f${i}` })) }
    expect(read('delos', full)).toMatchObject({ next: { page: 2 } })
    expect(read('delos', { items: [] })).toMatchObject({ items: [], next: undefined })
  })

  test('anyformat: the end is where page × page_size as answered reaches count, with the count', () => {
    const results = Array.from({ length: 50 }, (_, i) => ({
      id: `c${i}`,
      name: null,
      status: 'processed',
      created_at: null
    }))
    // Asked for 100, the server gave 50: two more pages of 50 to reach 120.
    expect(read('anyformat', { count: 120, page: 1, page_size: 50, results })).toMatchObject({
      next: { page: 2 },
      total: 120
    })
    expect(read('anyformat', { count: 120, page: 3, page_size: 50, results: [] }, { page: 3 })).toMatchObject({
      next: undefined
    })
  })

  test.each<[ProviderName, unknown, string]>([
    ['writer', [], 'the page is not {"data": [...], "has_more": ...}'],
    ['writer', { data: [], has_more: true }, 'an empty page says "has_more": true'],
    ['writer', { data: [{ name: 'x' }], has_more: false }, 'an item of the page has no "id"'],
    ['imagekit', { files: [] }, 'the page is not a JSON array'],
    ['imagekit', [{ type: 'file' }], 'an item of the page is not a file, file version or folder with its ID'],
    [
      'imagekit',
      [{ type: 'image', fileId: 'x' }],
      'an item of the page is not a file, file version or folder with its ID'
    ],
    ['delos', [{ id: 'a' }], 'the page is not an object with an "items" array'],
    ['delos', { data: [] }, 'the page is not an object with an "items" array'],
    ['anyformat', { results: [] }, 'the page is not {"count", "page", "page_size", "results": [...]}'],
    ['anyformat', { count: 1, page: 2, page_size: 100, results: [] }, 'asked for page 1, got page 2']
  ])('%s: a page that does not read fails the listing: %j', (name, body, problem) => {
    expect(read(name, body)).toEqual({ problem })
  })
})

/** The listing stage on a virtual clock, each request answered by `script` (its 1-based number) after 10 ms. */
async function runListing(
  name: ProviderName,
  script: (request: HttpRequest, n: number) => Scripted,
  extra: { maxRetries?: number; signal?: AbortSignal; scope?: ListScope; limits?: Partial<ListLimits> } = {}
): Promise<Listing & { sent: HttpRequest[] }> {
  const clock = virtualClock()
  const sent: HttpRequest[] = []
  const send = (request: HttpRequest): Promise<HttpAnswer> => {
    sent.push(request)
    const scripted = script(request, sent.length)
    return new Promise((resolve, reject) =>
      clock.setTimeout(() => {
        if (scripted === 'timeout') reject(new TransportError('timeout', 'no answer within 1 s'))
        else if (scripted instanceof TransportError) reject(scripted)
        else if (scripted === 'reset' || scripted === 'hang')
          reject(new TransportError('connection', 'connection error: ECONNRESET'))
        else resolve(scripted)
      }, 10)
    )
  }
  const provider = PROVIDERS[name]
  const listing = await listAll({
    list: provider.list!,
    filters: {},
    scope: extra.scope ?? scope({ workflowId: 'wf' }),
    context,
    classify: (a, now) => provider.classify(a, now, ''),
    transport: { send },
    pacer: new Pacer(4),
    maxRetries: extra.maxRetries ?? 3,
    timeoutMs: 1000,
    secrets: [KEY],
    clock,
    random: () => 0.5,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.limits ? { limits: extra.limits } : {})
  })
  return { ...listing, sent }
}

const writerPage = (from: number, n: number, more: boolean): HttpAnswer =>
  answer(200, {
    data: Array.from({ length: n }, (_, i) => ({ id: `f${from + i}`, name: `n${from + i}` })),
    has_more: more
  })

describe('the listing stage', () => {
  test('every page, one request at a time, in order', async () => {
    const listing = await runListing('writer', (_, n) => writerPage((n - 1) * 100, n < 3 ? 100 : 7, n < 3))
    expect(listing).toMatchObject({ complete: true, pages: 3, requests: 3 })
    if (!listing.complete) throw new Error(listing.reason)
    expect(listing.items).toHaveLength(207)
    expect(listing.sent.map(r => r.url.searchParams.get('after'))).toEqual([null, 'f99', 'f199'])
  })

  test("a 5xx is retried with the deletes' rules, and the listing goes on", async () => {
    const listing = await runListing('writer', (_, n) =>
      n === 2 ? answer(503, {}) : writerPage(n === 1 ? 0 : 100, 100, n === 1)
    )
    expect(listing).toMatchObject({ complete: true, requests: 3 })
  })

  test('a 429 waits, uses no retry, and the listing goes on', async () => {
    const script = (_: HttpRequest, n: number) =>
      n <= 3 ? answer(429, { message: 'Too many requests' }, { 'X-RateLimit-Reset': '200' }) : answer(200, [])
    const listing = await runListing('imagekit', script, { maxRetries: 0 })
    expect(listing).toMatchObject({ complete: true, requests: 4 })
  })

  test('a 5xx that retries do not cure fails the listing closed, with no items', async () => {
    const listing = await runListing('delos', () => answer(502, { success: false, message: 'Bad Gateway' }), {
      maxRetries: 2
    })
    expect(listing).toEqual({
      complete: false,
      reason: 'page 1: HTTP 502: Bad Gateway (3 attempts)',
      credentialsRejected: false,
      halted: null,
      pages: 0,
      requests: 3,
      ms: expect.any(Number),
      sent: expect.any(Array)
    })
  })

  test('rejected credentials fail it at once, saying so', async () => {
    const listing = await runListing('writer', () =>
      answer(401, { tpe: 'unauthorized', errors: [{ description: 'Invalid API key' }] })
    )
    expect(listing).toMatchObject({ complete: false, credentialsRejected: true, requests: 1 })
    expect(listing.complete || listing.reason).toBe('page 1: credentials rejected: HTTP 401: Invalid API key')
  })

  test('an untrusted certificate fails it at once and halts the run', async () => {
    const tls = new TransportError('tls', 'TLS certificate problem: untrusted (SELF_SIGNED_CERT_IN_CHAIN)', true)
    const listing = await runListing('writer', () => tls)
    expect(listing).toMatchObject({ complete: false, halted: tls.message, requests: 1 })
  })

  test('a page that does not read fails it closed, naming the page', async () => {
    const listing = await runListing('writer', (_, n) =>
      n === 1 ? writerPage(0, 100, true) : answer(200, '<html>login</html>')
    )
    expect(listing).toMatchObject({
      complete: false,
      reason: 'page 2: the page is not {"data": [...], "has_more": ...}',
      pages: 1
    })
  })

  test('writer with a graph: GET /v1/graphs/{graph-id} first, retried like a page; a 404 names graph-id', async () => {
    const graph = scope({ graphId: 'g-1' })
    const found = await runListing(
      'writer',
      (request, n) =>
        request.url.pathname.endsWith('/graphs/g-1')
          ? n === 1
            ? answer(503)
            : answer(200, { id: 'g-1', name: 'G' })
          : writerPage(0, 1, false),
      { scope: graph }
    )
    expect(found.sent.map(r => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /base/v1/graphs/g-1',
      'GET /base/v1/graphs/g-1',
      'GET /base/v1/files'
    ])
    expect(found).toMatchObject({ complete: true, pages: 1, requests: 3 })

    const missing = await runListing('writer', () => answer(404, writerAnswers.notFound), { scope: graph })
    expect(missing).toMatchObject({
      complete: false,
      reason: 'graph-id "g-1" does not exist (HTTP 404: Resource is not found)',
      requests: 1
    })
    const other = await runListing('writer', () => answer(200, { id: 'g-2' }), { scope: graph })
    expect(other).toMatchObject({ complete: false, reason: 'graph-id "g-1": the answer names another graph' })
    // Without a graph, nothing is asked for but the pages.
    const plain = await runListing('writer', () => writerPage(0, 1, false), { scope: scope({}) })
    expect(plain.sent.map(r => r.url.pathname)).toEqual(['/base/v1/files'])
  })

  test('a 404 (an unknown workflow) fails it naming workflow-id and the answer', async () => {
    const listing = await runListing('anyformat', () =>
      answer(404, { error: 'Not Found', detail: 'Workflow not found.', error_code: 'NOT_FOUND' })
    )
    expect(listing).toMatchObject({
      complete: false,
      reason: 'workflow-id "wf" does not exist (HTTP 404: Workflow not found.)'
    })
  })

  const anyformatPage = (count: number, page: number, ids: string[]) =>
    answer(200, {
      count,
      page,
      page_size: 2,
      results: ids.map(id => ({ id, name: id, status: 'completed', created_at: null }))
    })

  test('anyformat: a count that changes while listing restarts the listing once', async () => {
    const pages = [
      anyformatPage(3, 1, ['a', 'b']),
      anyformatPage(4, 2, ['c', 'd']),
      anyformatPage(4, 1, ['a', 'b']),
      anyformatPage(4, 2, ['c', 'd'])
    ]
    const listing = await runListing('anyformat', (_, n) => pages[n - 1]!)
    expect(listing).toMatchObject({ complete: true, requests: 4 })
    if (listing.complete) expect(listing.items.map(i => i.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  test('anyformat: a second change fails it', async () => {
    const pages = [
      anyformatPage(3, 1, ['a', 'b']),
      anyformatPage(4, 2, ['c']),
      anyformatPage(4, 1, ['a', 'b']),
      anyformatPage(5, 2, ['c'])
    ]
    const listing = await runListing('anyformat', (_, n) => pages[n - 1]!)
    expect(listing).toMatchObject({
      complete: false,
      reason: "the provider's count of files changed while listing, twice"
    })
  })

  test('a cancelled listing fails, and no further page is asked for', async () => {
    const controller = new AbortController()
    const listing = await runListing(
      'writer',
      (_, n) => {
        if (n === 2) controller.abort('SIGINT')
        return writerPage((n - 1) * 100, 100, true)
      },
      { signal: controller.signal }
    )
    expect(listing).toMatchObject({
      complete: false,
      reason: 'cancelled before the listing was complete',
      halted: 'cancelled (SIGINT)'
    })
    expect(listing.sent).toHaveLength(2)
  })

  test('a listing may take 10,000 pages and hold 1,000,000 items', () => {
    expect(LIST_LIMITS).toMatchObject({ pages: 10_000, items: 1_000_000 })
  })

  // The bounds below are the same code with smaller numbers: a listing of a million items takes seconds to build.
  test('more items than the bound fails it closed', async () => {
    const full = answer(
      200,
      Array.from({ length: 1000 }, (_, i) => ({ fileId: `f${i}`, type: 'file', name: `f${i}.jpg` }))
    )
    const listing = await runListing('imagekit', () => full, { limits: { items: 5000 } })
    expect(listing).toMatchObject({ complete: false, reason: 'more than 5,000 items', pages: 6 })
  })

  test('more pages than the bound fails it closed', async () => {
    const listing = await runListing(
      'delos',
      () => answer(200, { items: Array.from({ length: 100 }, () => ({ id: 'same' })) }),
      { limits: { pages: 50 } }
    )
    expect(listing).toMatchObject({ complete: false, reason: 'more than 50 pages', pages: 50 })
  })
})

describe('what a listing may hold (bounded by design, docs/threat-model.md)', () => {
  const long = 'n'.repeat(4097)
  test.each<[string, ProviderName, unknown, string]>([
    [
      'a name',
      'writer',
      {
        data: [
          { id: 'a', name: 'ok' },
          { id: 'b', name: long }
        ],
        has_more: false
      },
      "item 2's name has 4,097 characters"
    ],
    [
      'a creation time',
      'writer',
      { data: [{ id: 'a', created_at: long }], has_more: false },
      "item 1's creation time has 4,097 characters"
    ],
    [
      'a status',
      'writer',
      { data: [{ id: 'a', status: long }], has_more: false },
      "item 1's status has 4,097 characters"
    ],
    ['an ID', 'writer', { data: [{ id: long }], has_more: false }, "item 1's ID has 4,097 characters"],
    ['a path', 'imagekit', [{ type: 'file', fileId: 'a', filePath: long }], "item 1's path has 4,097 characters"],
    ['a tag', 'imagekit', [{ type: 'file', fileId: 'a', tags: ['ok', long] }], "item 1's tag has 4,097 characters"]
  ])('%s longer than 4,096 characters fails the listing closed, naming the field', async (_, name, page, reason) => {
    const listing = await runListing(name, () => answer(200, page))
    expect(listing).toMatchObject({ complete: false, reason: expect.stringContaining(`page 1: ${reason}`) })
    expect(listing).not.toHaveProperty('items')
  })

  test('4,096 characters is still a name', async () => {
    const page = { data: [{ id: 'a', name: 'n'.repeat(4096) }], has_more: false }
    expect(await runListing('writer', () => answer(200, page))).toMatchObject({ complete: true })
  })

  test('the text of every item together is bounded: past it the listing fails, whatever each item holds', async () => {
    const item = (i: number) => ({ id: `f${i}`, name: 'é'.repeat(100) })
    const page = (n: number) =>
      answer(200, { data: Array.from({ length: 100 }, (_, i) => item(n * 100 + i)), has_more: true })
    const listing = await runListing('writer', (_, n) => page(n), { limits: { listedTextBytes: 2 * 1024 * 1024 } })
    // 100 one-byte names of 100 characters and an ID a page: about 10 KiB, so some 200 pages fit in 2 MiB.
    expect(listing).toMatchObject({ complete: false, reason: 'the listed items hold more than 2 MiB of text' })
    expect(listing.pages).toBeGreaterThan(150)
    expect(listing.pages).toBeLessThan(250)
  })

  test('a heap fuller than its share of the limit fails the listing before it can run out of memory', async () => {
    const MiB = 1024 * 1024
    let used = 0
    // 10 MiB more after each page, of 200 MiB: page 9 leaves 90 MiB, too little room for one more page of 32 MiB.
    const heap = () => ({ used: (used += 10 * MiB), limit: 200 * MiB })
    const listing = await runListing('writer', (_, n) => writerPage((n - 1) * 100, 100, true), { limits: { heap } })
    expect(listing).toMatchObject({
      complete: false,
      reason: 'after page 9 the listing needs more memory than the heap allows (90 MiB of 200 MiB in use)',
      pages: 9
    })
    expect(LIST_LIMITS.heapShare).toBe(0.9)
  })
})
