import { describe, expect, test } from '@jest/globals'
import { PROVIDERS } from '../../src/providers/index.js'
import type { ListItem, ListScope } from '../../src/providers/types.js'
import { createdUs, judge, selectFromListing, serverFilters } from '../../src/selection/filters.js'
import { parseDuration, parseFolder, type SelectionFilters } from '../../src/settings/selection-request.js'

/** Selection as pure functions of an item: each filter, the skips, keep-newest and older-than. */

const writer = PROVIDERS.writer.list!.capabilities
const imagekit = PROVIDERS.imagekit.list!.capabilities
const anyformat = PROVIDERS.anyformat.list!.capabilities
const delos = PROVIDERS.delos.list!.capabilities
const START = Date.parse('2026-06-30T00:00:00Z')
const day = (n: number) => new Date(START - n * 86_400_000).toISOString()

function item(id: string, extra: Partial<ListItem> = {}): ListItem {
  return {
    id,
    name: id,
    createdAt: day(1),
    path: null,
    tags: null,
    // A final state for every provider that has status words.
    status: 'completed',
    kind: 'file',
    locked: false,
    // Writer lists the graphs a file is attached to: none.
    graphIds: [],
    ...extra
  }
}

describe('parsing the inputs', () => {
  test.each<[string, number | undefined]>([
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['2w', 14 * 86_400_000],
    ['1D', 86_400_000],
    ['0d', undefined],
    ['30', undefined],
    ['-1d', undefined],
    ['1.5d', undefined],
    ['30 days', undefined],
    ['1m', undefined]
  ])('older-than %j → %p ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  test.each<[string, unknown]>([
    ['/previews/pr-42/', { folder: '/previews/pr-42/', subfolders: false }],
    ['/previews/pr-42', { folder: '/previews/pr-42/', subfolders: false }],
    ['/previews/pr-42/**', { folder: '/previews/pr-42/', subfolders: true }],
    ['/', { folder: '/', subfolders: false }],
    ['/**', { folder: '/', subfolders: true }],
    ['previews/', expect.stringContaining('must start with "/"')],
    ['/previews/*/', expect.stringContaining('wildcard only as a trailing /**')],
    ['/previews/../prod/', 'must not hold empty, "." or ".." steps'],
    ['/previews//x/', 'must not hold empty, "." or ".." steps']
  ])('select-path %j', (text, parsed) => expect(parseFolder(text)).toEqual(parsed))

  test.each<[string | null, number | null]>([
    ['2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:00Z') * 1000],
    ['2026-01-01T00:00:00.123456Z', Date.parse('2026-01-01T00:00:00Z') * 1000 + 123_456],
    ['2026-01-01T00:00:00.1Z', Date.parse('2026-01-01T00:00:00Z') * 1000 + 100_000],
    ['2026-01-01T02:00:00+02:00', Date.parse('2026-01-01T00:00:00Z') * 1000],
    ['2026-01-01', null],
    ['yesterday', null],
    ['2026-13-01T00:00:00Z', null],
    [null, null]
  ])('a creation time %j, in microseconds', (text, us) => expect(createdUs(text)).toBe(us))
})

describe('judging one item', () => {
  test.each<[string, ListItem, SelectionFilters, typeof imagekit, ReturnType<typeof judge>]>([
    ['a folder is never selected', item('f', { kind: 'folder' }), {}, imagekit, 'not a file'],
    ['a file version is never selected', item('v', { kind: 'file-version' }), {}, imagekit, 'not a file'],
    ['a locked Delos file is skipped', item('l', { locked: true }), {}, delos, 'locked'],
    ['a Writer file still in progress is skipped', item('w', { status: 'in_progress' }), {}, writer, 'not finished'],
    [
      'unless select-status names its status',
      item('w', { status: 'in_progress' }),
      { statuses: ['in_progress'] },
      writer,
      true
    ],
    ['AnyFormat: queued is not final', item('a', { status: 'queued' }), {}, anyformat, 'not finished'],
    ['a status not asked for', item('a', { status: 'failed' }), { statuses: ['completed'] }, anyformat, false],
    [
      'a status asked for of an item without one',
      item('a', { status: null }),
      { statuses: ['completed'] },
      anyformat,
      'no status'
    ],
    ['the name glob matches the whole name', item('x', { name: 'pr-42-hero.jpg' }), { name: 'pr-42-*' }, writer, true],
    ['case-sensitively', item('x', { name: 'PR-42-hero.jpg' }), { name: 'pr-42-*' }, writer, false],
    ['not a part of it', item('x', { name: 'old-pr-42-hero.jpg' }), { name: 'pr-42-*' }, writer, false],
    ['a null name never matches', item('x', { name: null }), { name: '*' }, anyformat, 'no name'],
    [
      'a folder alone',
      item('x', { path: '/previews/pr-42/a.jpg' }),
      { path: { folder: '/previews/pr-42/', subfolders: false } },
      imagekit,
      true
    ],
    [
      'not its subfolders',
      item('x', { path: '/previews/pr-42/sub/a.jpg' }),
      { path: { folder: '/previews/pr-42/', subfolders: false } },
      imagekit,
      false
    ],
    [
      'with subfolders',
      item('x', { path: '/previews/pr-42/sub/a.jpg' }),
      { path: { folder: '/previews/pr-42/', subfolders: true } },
      imagekit,
      true
    ],
    [
      'not a folder whose name starts the same',
      item('x', { path: '/previews/pr-420/a.jpg' }),
      { path: { folder: '/previews/pr-42/', subfolders: true } },
      imagekit,
      false
    ],
    ['any of the tags', item('x', { tags: ['b', 'preview'] }), { tags: ['preview', 'tmp'] }, imagekit, true],
    [
      'only the own tags count (AITags are not in them)',
      item('x', { tags: null }),
      { tags: ['preview'] },
      imagekit,
      false
    ],
    [
      'age needs a creation time',
      item('x', { createdAt: null }),
      { olderThan: { text: '1d', ms: 86_400_000 } },
      writer,
      'no creation time'
    ],
    [
      'so does keep-newest',
      item('x', { createdAt: 'last week' }),
      { keepNewest: 1, name: '*' },
      writer,
      'no creation time'
    ]
  ])('%s', (_, listed, filters, capabilities, verdict) => expect(judge(listed, filters, capabilities)).toBe(verdict))
})

describe('a listed path is judged only when it says where the file is', () => {
  const folder = { path: { folder: '/previews/pr-42/', subfolders: false } }
  test.each([
    ['a ".." step', '/previews/pr-42/../../prod/x.jpg', 'x.jpg'],
    ['a "." step', '/previews/pr-42/./x.jpg', 'x.jpg'],
    ['an empty step', '/previews/pr-42//x.jpg', 'x.jpg'],
    ['no leading slash', 'previews/pr-42/x.jpg', 'x.jpg']
  ])('%s is skipped as "bad path", with or without select-path', (_, path, name) => {
    expect(judge(item('x', { path, name }), folder, imagekit)).toBe('bad path')
    expect(judge(item('x', { path, name }), {}, imagekit)).toBe('bad path')
  })
  test('a plain path in the folder is selected', () =>
    expect(judge(item('x', { path: '/previews/pr-42/x.jpg', name: 'x.jpg' }), folder, imagekit)).toBe(true))
})

describe("each provider's unfinished states", () => {
  // Written out here, not taken from the client: docs/selection.md names them.
  const unfinished = { writer: ['in_progress'], anyformat: ['pending', 'queued', 'in_progress', 'processing'] }
  const final = {
    writer: ['completed', 'failed'],
    anyformat: ['processed', 'completed', 'error', 'failed', 'cancelled']
  }
  const capabilitiesOf = { writer, anyformat }

  test.each(Object.keys(unfinished) as Array<keyof typeof unfinished>)(
    '%s: a file not in a final state is skipped unless select-status names its status',
    provider => {
      const capabilities = capabilitiesOf[provider]
      for (const status of unfinished[provider]) {
        expect([status, judge(item('x', { status }), {}, capabilities)]).toEqual([status, 'not finished'])
        expect([status, judge(item('x', { status }), { statuses: [status] }, capabilities)]).toEqual([status, true])
      }
      for (const status of final[provider]) {
        expect([status, judge(item('x', { status }), {}, capabilities)]).toEqual([status, true])
      }
    }
  )

  test.each(Object.keys(unfinished) as Array<keyof typeof unfinished>)(
    '%s: a status word the documents do not list is not final, and no status word is not judged',
    provider => {
      const capabilities = capabilitiesOf[provider]
      for (const status of ['IN_PROGRESS', 'uploading', 'verified', 'Completed', '']) {
        expect([status, judge(item('x', { status }), {}, capabilities)]).toEqual([status, 'not finished'])
      }
      expect(judge(item('x', { status: null }), {}, capabilities)).toBe('no status')
    }
  )
})

describe('the scope, checked on every item as the filters are', () => {
  const graph = { graphId: 'g1', workflowId: '', customerId: '' }
  const customer = { graphId: '', workflowId: '', customerId: 'c1' }
  test.each<[string, ListItem, ListScope, ReturnType<typeof judge>]>([
    ['a Writer file in the graph', item('w', { graphIds: ['g1'] }), graph, true],
    ['a Writer file in the graph and another: in use', item('w', { graphIds: ['g0', 'g1'] }), graph, 'attached'],
    [
      'a Writer file in another graph, which a server ignoring graph_id returned',
      item('w', { graphIds: ['g2'] }),
      graph,
      false
    ],
    ['a Writer file whose graphs the listing did not give', item('w', { graphIds: null }), graph, 'no scope'],
    ['a Delos file of the customer', item('d', { customerId: 'c1' }), customer, true],
    ['a Delos file of another customer', item('d', { customerId: 'c2' }), customer, false]
  ])('%s', (_, listed, scope, verdict) => expect(judge(listed, {}, writer, scope)).toBe(verdict))
})

describe('select', () => {
  const old = (id: string, days: number) => item(id, { createdAt: day(days) })
  const olderThan30 = { olderThan: { text: '30d', ms: 30 * 86_400_000 } }

  test('older-than selects what was created before the run start minus N, in listing order', () => {
    const items = [old('a', 40), old('b', 10), old('c', 31), old('d', 30)]
    expect(selectFromListing(items, olderThan30, writer, START).selected.map(i => i.id)).toEqual(['a', 'c'])
  })

  test('keep-newest is applied before older-than: never fewer than N left', () => {
    const items = [old('a', 40), old('b', 50), old('c', 60), old('d', 70)]
    const { selected, spared, matched } = selectFromListing(items, { ...olderThan30, keepNewest: 3 }, writer, START)
    expect(spared.map(i => i.id)).toEqual(['a', 'b', 'c'])
    expect(selected.map(i => i.id)).toEqual(['d'])
    expect(matched).toBe(4)
  })

  test('keep-newest tells microseconds apart: only equal times fall back to the ID', () => {
    const at = (us: string) => `2026-06-01T00:00:00.${us}Z`
    const items = [item('a', { createdAt: at('123456') }), item('b', { createdAt: at('123457') })]
    expect(selectFromListing(items, { name: '*', keepNewest: 1 }, writer, START).spared.map(i => i.id)).toEqual(['b'])
  })

  test('keep-newest: at equal times the smaller ID counts as the newer', () => {
    const items = [old('b', 40), old('a', 40), old('c', 40), old('B', 40)]
    const { spared, selected } = selectFromListing(items, { ...olderThan30, keepNewest: 2 }, writer, START)
    // Code-unit order: 'B' < 'a' < 'b' < 'c'.
    expect(spared.map(i => i.id)).toEqual(['B', 'a'])
    expect(selected.map(i => i.id)).toEqual(['b', 'c'])
  })

  test('keep-newest: files without a creation time are skipped and counted, never spared nor selected', () => {
    const items = [old('a', 40), item('x', { createdAt: null }), old('b', 50)]
    const result = selectFromListing(items, { ...olderThan30, keepNewest: 1 }, writer, START)
    expect(result.spared.map(i => i.id)).toEqual(['a'])
    expect(result.selected.map(i => i.id)).toEqual(['b'])
    expect(result.skipped).toEqual({ 'no creation time': 1 })
  })

  test('keep-newest larger than what matched spares all of it', () => {
    const result = selectFromListing([old('a', 40), old('b', 50)], { ...olderThan30, keepNewest: 10 }, writer, START)
    expect(result.selected).toEqual([])
    expect(result.spared).toHaveLength(2)
  })

  test('skips are counted by reason, and an ID listed twice counts once', () => {
    const items = [
      item('f', { kind: 'folder' }),
      item('v', { kind: 'file-version' }),
      item('a'),
      item('a'),
      item('p', { status: 'in_progress' })
    ]
    const result = selectFromListing(items, { name: '*' }, writer, START)
    expect(result.selected.map(i => i.id)).toEqual(['a'])
    expect(result.skipped).toEqual({ 'not a file': 2, 'not finished': 1 })
  })

  test('an empty listing selects nothing', () => {
    expect(selectFromListing([], { name: '*' }, writer, START)).toEqual({
      selected: [],
      spared: [],
      excluded: [],
      matched: 0,
      skipped: {}
    })
  })
})

describe('what the server is asked to narrow by', () => {
  test('the literal start of the name, the folder, the tags, and the age a day later than the cutoff', () => {
    expect(
      serverFilters(
        {
          name: 'pr-42-*.jpg',
          path: { folder: '/p/', subfolders: true },
          tags: ['t'],
          olderThan: { text: '30d', ms: 30 * 86_400_000 }
        },
        START
      )
    ).toEqual({
      namePrefix: 'pr-42-',
      folder: { path: '/p/', subfolders: true },
      tags: ['t'],
      createdBefore: day(29)
    })
  })

  test('no age with keep-newest (the newest files must be listed to be spared); no prefix before a wildcard', () => {
    expect(serverFilters({ name: '*-42', olderThan: { text: '1d', ms: 86_400_000 }, keepNewest: 2 }, START)).toEqual({})
  })
})
