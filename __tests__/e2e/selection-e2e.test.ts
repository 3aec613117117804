import { describe, expect, test } from '@jest/globals'
import type { Emulator, EmulatorOptions, FileRecord, ProviderName } from '../../emulator/index.js'
import type { RunOptions } from '../harness/runner.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import {
  emulate,
  expectInRoute,
  expectNoSecret,
  KEY,
  runActionOnce,
  wireForms,
  type Report
} from '../helpers/common.js'

/**
 * Selection end to end: the bundle, run as the runner runs it, lists each emulated provider's files with its real
 * pagination, selects, and deletes; the emulator's store and request log are held against the report.
 */

const list = (text: string | undefined): string[] => JSON.parse(text ?? '[]') as string[]
const DAY = 86_400_000
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString()

/** Per provider: files named `pr-42-<i>` and `keep-<i>` (in a folder for ImageKit, in a workflow for AnyFormat). */
interface World {
  records(prefix: string, n: number): FileRecord[]
  /** Inputs that select the pr-42- files. */
  select: Record<string, string>
  /** Items one page holds. */
  pageSize: number
}

const WORLDS: Record<ProviderName, World> = {
  writer: {
    records: (prefix, n) =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, name: `${prefix}${i}.pdf`, graphIds: ['g1'] })),
    select: { 'select-name': 'pr-42-*', 'graph-id': 'g1' },
    pageSize: 100
  },
  imagekit: {
    records: (prefix, n) =>
      Array.from({ length: n }, (_, i) => ({
        id: `${prefix}${i}`,
        path: `/previews/${prefix.replace(/-$/, '')}/${prefix}${i}.jpg`
      })),
    select: { 'select-path': '/previews/pr-42/**' },
    pageSize: 1000
  },
  delos: {
    records: (prefix, n) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, name: `${prefix}${i}.bin` })),
    select: { 'select-name': 'pr-42-*' },
    pageSize: 100
  },
  anyformat: {
    records: (prefix, n) =>
      Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, name: `${prefix}${i}`, workflowId: 'wf-1' })),
    select: { 'workflow-id': 'wf-1', 'select-name': 'pr-42-*' },
    pageSize: 100
  }
}

async function act(emulator: Emulator, inputs: RunOptions['inputs'], apiKey = KEY) {
  const run = await runActionOnce({
    inputs: {
      provider: emulator.provider,
      'api-key': apiKey,
      'base-url': emulator.url,
      'max-deletions': '5000',
      ...inputs
    },
    timeoutMs: 120_000
  })
  if (run.exitCode !== 0 && run.exitCode !== 1)
    throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
  expectNoSecret(run, wireForms(KEY))
  expectInRoute(emulator)
  return { ...run, report: run.report as Report }
}

/** No DELETE started before the last list request was answered: the listing is a snapshot. */
function expectSnapshotFirst(emulator: Emulator): void {
  const lists = emulator.requests.filter(r => r.route === 'list')
  const deletes = emulator.requests.filter(r => r.route === 'delete' || r.route === 'bulk')
  expect(lists.length).toBeGreaterThan(0)
  const lastListAnswered = Math.max(...lists.map(r => r.answeredAt ?? Infinity))
  for (const request of deletes) expect(request.at).toBeGreaterThanOrEqual(lastListAnswered)
}

describe.each(PROVIDER_NAMES)('%s', provider => {
  const world = WORLDS[provider]
  const files = (matching: number, others = 30) => [
    ...world.records('pr-42-', matching),
    ...world.records('keep-', others)
  ]
  const start = (matching: number, others = 30, options: Partial<EmulatorOptions> = {}) =>
    emulate({ provider, files: files(matching, others), ...options })

  test('several pages: every matching file is deleted, nothing else, and no delete starts before the last page', async () => {
    const matching = Math.round(world.pageSize * 2.5)
    const emulator = await start(matching)
    const run = await act(emulator, world.select)
    expect(run.report.verdict).toMatchObject({ failed: false })
    const expected = world.records('pr-42-', matching).map(r => r.id)
    expect(list(run.outputs.selected)).toEqual(expected)
    expect(run.outputs['selected-count']).toBe(String(matching))
    expect(list(run.outputs.deleted).sort()).toEqual([...expected].sort())
    expect([...emulator.store].sort()).toEqual(
      world
        .records('keep-', 30)
        .map(r => r.id)
        .sort()
    )
    expect(run.report.selection).toMatchObject({ complete: true, selected: matching, listed: expect.any(Number) })
    expect(run.report.entries.every(e => e.source === 'selected')).toBe(true)
    expectSnapshotFirst(emulator)
  })

  test('a selection that ends exactly on a page boundary', async () => {
    const emulator = await start(world.pageSize * 2, 0)
    const run = await act(emulator, world.select)
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toHaveLength(world.pageSize * 2)
    expect(emulator.store.size).toBe(0)
  })

  test('an empty selection passes and says nothing matched', async () => {
    const emulator = await start(0)
    const run = await act(emulator, world.select)
    expect(run.exitCode).toBe(0)
    expect(run.outputs.selected).toBe('[]')
    expect(run.report.verdict.message).toMatch(/^nothing matched the selection; /)
    expect(run.summary).toContain('Nothing matched: nothing to delete.')
    expect(emulator.requests.filter(r => r.route === 'delete' || r.route === 'bulk')).toEqual([])
  })

  test('a listing interrupted by a 5xx that recovers, and 429s while listing, still selects everything', async () => {
    const emulator = await start(40, 10, { latencyMs: 1 })
    emulator.inject({ on: 'list', times: 1, fault: { kind: 'status', status: 503 } })
    emulator.inject({ on: 'list', times: 2, fault: { kind: 'rate-limit', resetMs: 100 } })
    const run = await act(emulator, world.select)
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toHaveLength(40)
    expect(emulator.requests.filter(r => r.route === 'list' && r.status === 429)).toHaveLength(2)
  })

  test('a listing that does not recover deletes nothing, also not the IDs given beside it', async () => {
    const emulator = await start(40)
    emulator.inject({ on: 'list', fault: { kind: 'status', status: 502 } })
    const before = [...emulator.store]
    const run = await act(emulator, { ...world.select, 'file-ids': 'keep-1', 'max-retries': '1' })
    expect(run.exitCode).toBe(1)
    // max-retries holds for list requests too: one retry, two attempts.
    expect(run.report.verdict.message).toMatch(
      /^the run stopped: the listing failed: page 1: HTTP 502.*\(2 attempts\).*nothing was deleted$/
    )
    expect(run.report.selection).toMatchObject({ complete: false, listed: 0, selected: 0 })
    expect(run.report.entries).toEqual([expect.objectContaining({ id: 'keep-1', outcome: 'failed', attempts: 0 })])
    expect([...emulator.store]).toEqual(before)
  })

  test('rejected credentials while listing: nothing is deleted and the step fails', async () => {
    const emulator = await start(10)
    const run = await act(emulator, world.select, 'sk-not-the-key')
    expect(run.exitCode).toBe(1)
    expect(run.report.verdict.message).toMatch(/^the provider rejected the credentials/)
    // The first request of the listing (Writer's graph, or the first page) is refused, and nothing follows it.
    expect(emulator.requests.filter(r => r.route === 'list' || r.route === 'graph')).toHaveLength(1)
    expect(emulator.store.size).toBe(40)
  })

  test('a selection larger than max-deletions is a violation: nothing is deleted, it is never cut short', async () => {
    const emulator = await start(25)
    const run = await act(emulator, { ...world.select, 'max-deletions': '24' })
    expect(run.exitCode).toBe(1)
    expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toContain(
      'max-deletions: 25 unique IDs exceed max-deletions (24); raise it or split the list'
    )
    expect(emulator.store.size).toBe(55)
    expect(run.outputs.planned).toBe('[]')
  })

  test('a dry run lists and shows every selected file, and deletes nothing', async () => {
    const emulator = await start(3)
    const run = await act(emulator, { ...world.select, 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    expect(emulator.requests.every(r => r.route === 'list' || r.route === 'graph')).toBe(true)
    expect(list(run.outputs.planned)).toEqual(world.records('pr-42-', 3).map(r => r.id))
    for (const id of ['pr-42-0', 'pr-42-1', 'pr-42-2']) expect(run.stdout).toContain(`would delete "${id}"`)
    expect(run.summary).toContain('#### Would be deleted')
    expect(emulator.store.size).toBe(33)
  })
})

describe('imagekit: only files', () => {
  test('a folder and a file version whose names match are never deleted; an AITags-only tag does not match', async () => {
    const emulator = await emulate({
      provider: 'imagekit',
      ignoreListFilters: true,
      files: [
        { id: 'f1', name: 'pr-42-a.jpg', path: '/previews/pr-42/pr-42-a.jpg', tags: ['preview'] },
        { id: 'other', name: 'other.jpg', path: '/other/other.jpg', tags: ['keep'] },
        { id: 'other', kind: 'file-version', name: 'pr-42-v.jpg', path: '/other/other.jpg' },
        { id: 'folder-1', kind: 'folder', name: 'pr-42-folder', path: '/previews/pr-42-folder' },
        { id: 'ai', name: 'pr-42-ai.jpg', path: '/previews/pr-42/pr-42-ai.jpg', aiTags: ['preview'] }
      ]
    })
    const run = await act(emulator, { 'select-name': 'pr-42-*', 'select-tags': 'preview' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toEqual(['f1'])
    expect([...emulator.store].sort()).toEqual(['ai', 'other'])
    expect(run.report.selection?.skipped).toEqual({ 'not a file': 2 })
  })
})

describe('anyformat pagination', () => {
  test('page_size capped below what was asked: the pages as answered are followed to count', async () => {
    const files = Array.from({ length: 75 }, (_, i) => ({ id: `c${i}`, name: `c${i}`, workflowId: 'wf' }))
    const emulator = await emulate({ provider: 'anyformat', files, anyformatMaxPageSize: 30 })
    const run = await act(emulator, { 'workflow-id': 'wf' })
    expect(run.exitCode).toBe(0)
    expect(run.report.selection).toMatchObject({ pages: 3, listed: 75 })
    expect(emulator.store.size).toBe(0)
  })

  test('a count that changes while listing restarts the listing once; a second change fails it closed', async () => {
    let added = 0
    const files = Array.from({ length: 150 }, (_, i) => ({ id: `c${i}`, name: `c${i}`, workflowId: 'wf' }))
    const once = await emulate({
      provider: 'anyformat',
      files,
      onList: ({ page }) => {
        if (page === 2 && added++ === 0) once.addFiles([{ id: 'late', name: 'late', workflowId: 'wf' }])
      }
    })
    const restarted = await act(once, { 'workflow-id': 'wf' })
    expect(restarted.exitCode).toBe(0)
    expect(restarted.report.selection).toMatchObject({ listed: 151, pages: 4 })
    expect(once.store.size).toBe(0)

    let grown = 0
    const twice: Emulator = await emulate({
      provider: 'anyformat',
      files,
      onList: ({ page }) => {
        if (page === 2) twice.addFiles([{ id: `late-${grown++}`, name: 'late', workflowId: 'wf' }])
      }
    })
    const failed = await act(twice, { 'workflow-id': 'wf' })
    expect(failed.exitCode).toBe(1)
    expect(failed.report.verdict.message).toContain("the provider's count of files changed while listing, twice")
    expect(twice.store.size).toBe(152)
  })
})

describe('delos: pages are numbered from 0', () => {
  test('230 files of one customer, 109 named tmp-*: the first page is listed too, and all 109 are deleted', async () => {
    const files: FileRecord[] = Array.from({ length: 230 }, (_, i) => ({
      id: `f${i}`,
      name: i % 2 === 0 && i < 218 ? `tmp-${i}` : `keep-${i}`,
      customerId: 'cust_1'
    }))
    const matching = files.filter(file => file.name?.startsWith('tmp-')).map(file => file.id)
    expect(matching).toHaveLength(109)
    const emulator = await emulate({ provider: 'delos', files })
    const run = await act(emulator, { 'select-name': 'tmp-*', 'customer-id': 'cust_1' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toEqual(matching)
    const pages = emulator.requests
      .filter(r => r.route === 'list')
      .map(r => new URL(r.url, 'http://x').searchParams.get('meta.page'))
    // Pages 0-2 hold every file; only the empty page 3 ends the listing.
    expect(pages).toEqual(['0', '1', '2', '3'])
    expect(emulator.store.size).toBe(230 - 109)
  })

  test('a server that caps pages below meta.pageSize without saying so is listed to the end all the same', async () => {
    const files: FileRecord[] = Array.from({ length: 230 }, (_, i) => ({ id: `f${i}`, name: `tmp-${i}` }))
    const emulator = await emulate({ provider: 'delos', files, delosMaxPageSize: 30 })
    const run = await act(emulator, { 'select-name': 'tmp-*' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toHaveLength(230)
    expect(emulator.requests.filter(r => r.route === 'list')).toHaveLength(9)
    expect(emulator.store.size).toBe(0)
  })
})

describe('writer: keep-newest with older-than', () => {
  test('never fewer than N left, ties by ID, files still in progress and without a creation time left alone', async () => {
    const files: FileRecord[] = [
      { id: 'd40', name: 'a', createdAt: ago(40) },
      { id: 'd50b', name: 'b', createdAt: ago(50) },
      { id: 'd50a', name: 'c', createdAt: ago(50) },
      { id: 'd60', name: 'd', createdAt: ago(60) },
      { id: 'd5', name: 'e', createdAt: ago(5) },
      { id: 'busy', name: 'f', createdAt: ago(90), status: 'in_progress' },
      { id: 'undated', name: 'g', createdAt: null }
    ]
    const emulator = await emulate({ provider: 'writer', files })
    const run = await act(emulator, { 'older-than': '30d', 'keep-newest': '3', 'dry-run': 'false' })
    expect(run.exitCode).toBe(0)
    // Newest first: d5, d40, then d50a before d50b (the smaller ID counts as the newer): those three are spared.
    expect(run.report.selection?.sparedFiles.map(f => f.id)).toEqual(['d5', 'd40', 'd50a'])
    // Listing order (oldest first): d60, then d50b.
    expect(list(run.outputs.selected)).toEqual(['d60', 'd50b'])
    expect(list(run.outputs.deleted)).toEqual(['d60', 'd50b'])
    expect([...emulator.store].sort()).toEqual(['busy', 'd40', 'd5', 'd50a', 'undated'])
    expect(run.report.selection?.skipped).toEqual({ 'not finished': 1, 'no creation time': 1 })
    expect(run.summary).toContain('#### Spared by keep-newest')
  })
})

describe('the selected IDs meet the same policy as given ones', () => {
  test('shards: each lists the whole scope and keeps its part; together they delete the selection once', async () => {
    const files = Array.from({ length: 120 }, (_, i) => ({ id: `pr-42-${i}`, name: `pr-42-${i}` }))
    const emulator = await emulate({ provider: 'delos', files })
    const first = await act(emulator, { 'select-name': 'pr-42-*', shard: '1/2' })
    const second = await act(emulator, { 'select-name': 'pr-42-*', shard: '2/2' })
    const deleted = [...list(first.outputs.deleted), ...list(second.outputs.deleted)]
    expect(deleted.sort()).toEqual(files.map(f => f.id).sort())
    expect(list(first.outputs.deleted).some(id => list(second.outputs.deleted).includes(id))).toBe(false)
    expect(emulator.store.size).toBe(0)
  })

  test('a dry run whose selection breaks policy shows no file as one it would delete, and says it listed', async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: [
        { id: 'prod-1', name: 'pr-42-a' },
        { id: 'tmp-1', name: 'pr-42-b' }
      ]
    })
    const run = await act(emulator, { 'select-name': 'pr-42-*', 'protected-ids': 'prod-*', 'dry-run': 'true' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).not.toContain('would delete')
    expect(run.stdout).toContain('the selection breaks policy (below): nothing would be deleted')
    expect(run.report.verdict.message).toBe('1 policy violation; the files were listed, nothing was deleted')
    expect(run.summary).toContain('**Policy violations: the files were listed, nothing was deleted.**')
    // The outputs say what the report says the selection matched; nothing is planned.
    expect(list(run.outputs.selected)).toEqual(['prod-1', 'tmp-1'])
    expect(run.outputs.planned).toBe('[]')
  })

  test('a selected ID matching protected-ids is a violation: nothing is deleted', async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: [
        { id: 'prod-1', name: 'pr-42-a' },
        { id: 'tmp-1', name: 'pr-42-b' }
      ]
    })
    const run = await act(emulator, { 'select-name': 'pr-42-*', 'protected-ids': 'prod-*' })
    expect(run.exitCode).toBe(1)
    expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toContain(
      'protected-ids: ID "prod-1" matches protected pattern "prod-*"'
    )
    expect(emulator.store.size).toBe(2)
  })

  test('delos: a locked file whose name matches is listed, skipped and left alone', async () => {
    const emulator = await emulate({
      provider: 'delos',
      files: [
        { id: 'a', name: 'pr-42-a' },
        { id: 'l', name: 'pr-42-l', locked: true }
      ]
    })
    const run = await act(emulator, { 'select-name': 'pr-42-*' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toEqual(['a'])
    expect(run.report.selection?.skipped).toEqual({ locked: 1 })
    expect([...emulator.store]).toEqual(['l'])
  })

  test('given and selected IDs are united, given first; one both given and selected counts as given', async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: ['x', { id: 'pr-1', name: 'pr-42-1' }, { id: 'pr-2', name: 'pr-42-2' }]
    })
    const run = await act(emulator, { 'file-ids': 'x pr-2', 'select-name': 'pr-42-*' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.planned)).toEqual(['x', 'pr-2', 'pr-1'])
    // Every ID the selection matched, in listing order, the given pr-2 too.
    expect(list(run.outputs.selected)).toEqual(['pr-1', 'pr-2'])
    expect(run.outputs['selected-count']).toBe('2')
    expect(run.report.entries.map(e => [e.id, e.source, e.name])).toEqual([
      ['x', 'input', 'x'],
      ['pr-2', 'input', 'pr-42-2'],
      ['pr-1', 'selected', 'pr-42-1']
    ])
  })
})

describe("the listing follows the run's inputs, and its IDs the rules of an ID", () => {
  test("graph-id alone selects the graph's files; one in another graph too is skipped as attached", async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: [
        { id: 'in-1', name: 'a', graphIds: ['g1'] },
        { id: 'out-1', name: 'b', graphIds: ['g2'] },
        { id: 'in-2', name: 'c', graphIds: ['g2', 'g1'] }
      ]
    })
    const run = await act(emulator, { 'graph-id': 'g1' })
    expect(run.exitCode).toBe(0)
    expect(list(run.outputs.deleted)).toEqual(['in-1'])
    expect([...emulator.store]).toEqual(['out-1', 'in-2'])
    expect(run.report.selection?.skipped).toEqual({ attached: 1 })
    expect(run.report.selection?.scope).toEqual({ graphId: 'g1', workflowId: null, customerId: null })
  })

  test('a graph-id or workflow-id that does not exist fails the run naming it: a typo never passes as "nothing matched"', async () => {
    const writer = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'pr-42-a', graphIds: ['g1'] }] })
    const typo = await act(writer, { 'graph-id': 'g9', 'select-name': 'pr-42-*' })
    expect(typo.exitCode).toBe(1)
    expect(typo.report.verdict.message).toContain('graph-id "g9" does not exist (HTTP 404: Resource is not found)')
    // The graph is asked for first, and nothing is listed or deleted after the 404.
    expect(writer.requests.map(r => r.route)).toEqual(['graph'])
    expect(writer.store.size).toBe(1)

    const anyformat = await emulate({ provider: 'anyformat', files: [{ id: 'c', workflowId: 'wf-1' }] })
    const wrong = await act(anyformat, { 'workflow-id': 'wf-9' })
    expect(wrong.exitCode).toBe(1)
    expect(wrong.report.verdict.message).toContain('workflow-id "wf-9" does not exist (HTTP 404:')
    expect(anyformat.store.size).toBe(1)
  })

  test('a graph that exists but holds no file passes with nothing matched', async () => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'x' }], graphs: ['g-empty'] })
    const run = await act(emulator, { 'graph-id': 'g-empty' })
    expect(run.exitCode).toBe(0)
    expect(run.report.verdict.message).toContain('nothing matched the selection')
    expect(emulator.requests.map(r => r.route)).toEqual(['graph', 'list'])
  })

  test('timeout-seconds bounds each list request', async () => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'pr-42-a' }] })
    emulator.inject({ on: 'list', fault: { kind: 'hang' } })
    const run = await act(emulator, { 'select-name': 'pr-42-*', 'timeout-seconds': '1', 'max-retries': '0' })
    expect(run.exitCode).toBe(1)
    expect(run.report.verdict.message).toMatch(
      /^the run stopped: the listing failed: page 1: no answer within 1 s \(1 attempt\)/
    )
    expect(emulator.store.size).toBe(1)
  })

  test('a listed ID that breaks the rules of an ID is a violation: nothing is deleted', async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: [
        { id: 'fine', name: 'pr-42-a' },
        { id: 'bad/id', name: 'pr-42-b' }
      ]
    })
    const run = await act(emulator, { 'select-name': 'pr-42-*' })
    expect(run.exitCode).toBe(1)
    expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toContain(
      'selection: the listing gave ID "bad/id", which contains "/" (an ID is 1-256 printable ASCII characters without / \\ ? # %, and not "." or "..")'
    )
    expect(emulator.requests.filter(r => r.route !== 'list')).toEqual([])
    expect(emulator.store.size).toBe(2)
  })
})

describe('what a run shows of its selection', () => {
  const files: FileRecord[] = [
    { id: 'old-1', name: 'pr-42-old-1.jpg', path: '/previews/pr-42/pr-42-old-1.jpg', createdAt: ago(40) },
    { id: 'old-2', name: 'pr-42-old-2.jpg', path: '/previews/pr-42/pr-42-old-2.jpg', createdAt: ago(35) },
    { id: 'new-1', name: 'pr-42-new-1.jpg', path: '/previews/pr-42/pr-42-new-1.jpg', createdAt: ago(31) },
    { id: 'other', name: 'other.jpg', path: '/other/other.jpg', createdAt: ago(50) }
  ]

  test('a dry run shows each selected and each spared file with its name, creation time and path', async () => {
    const emulator = await emulate({ provider: 'imagekit', files })
    const created = (id: string) => emulator.records().find(r => r.id === id)?.createdAt
    const run = await act(emulator, {
      'select-path': '/previews/pr-42/',
      'older-than': '30d',
      'keep-newest': '1',
      'dry-run': 'true'
    })
    expect(run.exitCode).toBe(0)
    const line = (what: string, id: string) =>
      `${what} "${id}" (name "pr-42-${id}.jpg", created "${created(id)}", path "/previews/pr-42/pr-42-${id}.jpg")`
    expect(run.stdout).toContain(line('would delete', 'old-1'))
    expect(run.stdout).toContain(line('would delete', 'old-2'))
    expect(run.stdout).toContain(line('spared by keep-newest', 'new-1'))
    expect(run.stdout).not.toContain('"other"')
    expect(run.summary).toContain('#### Spared by keep-newest')
    expect(emulator.store.size).toBe(4)
  })

  test("the report's selection: the filters, the scope, what was matched, and how long the listing took", async () => {
    const emulator = await emulate({ provider: 'imagekit', files, latencyMs: 5 })
    // As the provider lists them, before the run deletes any.
    const byId = new Map(emulator.records().map(r => [r.id, r]))
    const run = await act(emulator, {
      'select-path': '/previews/pr-42/**',
      'select-name': 'pr-42-*',
      'keep-newest': '1'
    })
    expect(run.exitCode).toBe(0)
    expect(run.report.selection).toMatchObject({
      filters: {
        name: 'pr-42-*',
        path: '/previews/pr-42/**',
        tags: null,
        status: null,
        olderThan: null,
        keepNewest: 1
      },
      scope: { graphId: null, workflowId: null, customerId: null },
      complete: true,
      matched: 3,
      selected: 2,
      spared: 1
    })
    expect(run.report.selection?.ms).toBeGreaterThanOrEqual(5)
    // Each entry has the name and creation time as the provider gave them.
    for (const entry of run.report.entries) {
      expect(entry).toMatchObject({
        source: 'selected',
        name: byId.get(entry.id)?.name,
        createdAt: byId.get(entry.id)?.createdAt
      })
    }
    expect(run.report.entries.map(e => e.id)).toEqual(['old-1', 'old-2'])
  })

  test('the job summary lists 200 selected files at most, and says how many more the report holds', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ id: `p${i}`, name: `pr-42-${i}` }))
    const emulator = await emulate({ provider: 'delos', files: many })
    const run = await act(emulator, { 'select-name': 'pr-42-*', 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    const rows = run.summary.split('\n').filter(row => /^\| ` p\d+ ` \|/.test(row))
    expect(rows).toHaveLength(200)
    expect(run.summary).toContain('50 more left out; every ID is in the report file.')
    expect(list(run.outputs.planned)).toHaveLength(250)
  })
})
