import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Emulator, FileRecord, ProviderName } from '../../emulator/index.js'
import type { InputName } from '../../src/settings/constants.js'
import { readIdsFile } from '../../src/settings/inputs.js'
import { runPipeline, type Shell } from '../../src/pipeline.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { summaryMarkdown, type RunReport } from '../../src/report/report.js'
import { asText } from '../../src/report/file.js'
import { API_KEY_VARIABLE, main, type CliIo } from '../../src/shells/cli.js'
import { emulate, KEY, rawServer, scratchDir, type Report } from '../helpers/common.js'

/**
 * The guardrails for production retention, run in process against the emulator: exclusions, Writer files in use,
 * and a reviewed plan applied as reviewed (docs/guardrails.md).
 */

const DAY = 86_400_000
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString()

type Inputs = Partial<Record<InputName, string>>

interface Purged {
  report: RunReport
  /** The report file as the run wrote it, parsed. */
  file: Report
  /** The report file's text. */
  text: string
  log: string[]
  summary: string
}

/** One run of the pipeline against the emulator, with the key and its URL; `workspace` is where relative paths go. */
async function purge(emulator: Emulator, inputs: Inputs, workspace = scratchDir('file-purge-guard-')): Promise<Purged> {
  const all: Inputs = { provider: emulator.provider, 'api-key': KEY, 'base-url': emulator.url, ...inputs }
  const log: string[] = []
  let published: { report: RunReport; text: string } | undefined
  const shell: Shell = {
    mask: () => undefined,
    info: line => void log.push(line),
    warn: line => void log.push(`warning: ${line}`),
    debug: () => undefined,
    writeLines: text => void log.push(...text.trimEnd().split('\n')),
    publish: ({ report, writeReport }) => {
      let text = ''
      asText(writeReport, chunk => void (text += chunk))
      published = { report, text }
    },
    unexpected: message => void log.push(`unexpected: ${message}`)
  }
  await runPipeline({ getInput: name => all[name] ?? '', readFile: readIdsFile, workspace, env: {} }, shell, {
    tempDir: workspace
  })
  if (published === undefined) throw new Error(`no report: ${log.join('\n')}`)
  const { report, text } = published
  return { report, file: JSON.parse(text) as Report, text, log, summary: summaryMarkdown(report) }
}

const listRequests = (emulator: Emulator): string[] =>
  emulator.requests.filter(r => r.route === 'list' || r.route === 'graph').map(r => `${r.method} ${r.url}`)

/** Per provider: a file as it lists it, and the inputs that select files named pr-42-*. */
const WORLDS: Record<ProviderName, { record: (id: string, name: string) => FileRecord; select: Inputs }> = {
  writer: { record: (id, name) => ({ id, name }), select: { 'select-name': 'pr-42-*' } },
  imagekit: { record: (id, name) => ({ id, name, path: `/previews/${name}` }), select: { 'select-name': 'pr-42-*' } },
  delos: { record: (id, name) => ({ id, name }), select: { 'select-name': 'pr-42-*' } },
  anyformat: {
    record: (id, name) => ({ id, name, workflowId: 'wf-1' }),
    select: { 'workflow-id': 'wf-1', 'select-name': 'pr-42-*' }
  }
}

describe('exclusions', () => {
  describe.each(PROVIDER_NAMES)('%s: exclude-name', provider => {
    const world = WORLDS[provider]
    const files = [
      world.record('a', 'pr-42-a.pdf'),
      world.record('b', 'pr-42-keep.pdf'),
      world.record('c', 'pr-42-c.pdf'),
      world.record('d', 'other.pdf')
    ]

    test('spares the files whose name matches, counts and shows them by reason, and deletes the rest', async () => {
      const emulator = await emulate({ provider, files })
      const run = await purge(emulator, { ...world.select, 'exclude-name': '*-keep.*, nothing-*' })
      expect(run.report.verdict.failed).toBe(false)
      expect(run.report.lists.deleted).toEqual(['a', 'c'])
      expect([...emulator.store].sort()).toEqual(['b', 'd'])
      expect(run.file.selection).toMatchObject({
        filters: { excludeName: ['*-keep.*', 'nothing-*'] },
        matched: 3,
        selected: 2,
        spared: 1,
        sparedBy: { 'exclude-name': 1 },
        sparedFiles: [expect.objectContaining({ id: 'b', reason: 'exclude-name' })]
      })
      expect(run.summary).toContain('#### Spared by exclude-name')
      expect(run.summary).toContain('Spared: 1 by exclude-name.')
      expect(run.log).toContainEqual(expect.stringMatching(/3 matched, 2 selected, 1 spared \(1 by exclude-name\)/))
    })

    test('never changes the list request', async () => {
      const plain = await emulate({ provider, files })
      await purge(plain, { ...world.select, 'dry-run': 'true' })
      const excluding = await emulate({ provider, files })
      await purge(excluding, { ...world.select, 'dry-run': 'true', 'exclude-name': 'pr-42-a*' })
      expect(listRequests(excluding)).toEqual(listRequests(plain))
    })
  })

  test('exclude-path and exclude-tags spare ImageKit files by folder and by their own tags, in a dry run too', async () => {
    const emulator = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'hero', path: '/previews/pr-42/hero.jpg' },
        { id: 'logo', path: '/previews/pr-42/brand/logo.png' },
        { id: 'deep', path: '/previews/pr-42/brand/old/mark.png' },
        { id: 'pinned', path: '/previews/pr-42/card.jpg', tags: ['pinned'] },
        { id: 'ai', path: '/previews/pr-42/ai.jpg', aiTags: ['pinned'] }
      ]
    })
    const inputs = {
      'select-path': '/previews/pr-42/**',
      'exclude-path': '/previews/pr-42/brand/**',
      'exclude-tags': 'pinned'
    }
    const dry = await purge(emulator, { ...inputs, 'dry-run': 'true' })
    expect(dry.report.lists.planned).toEqual(['hero', 'ai'])
    const spared = dry.log.filter(line => line.startsWith('spared by '))
    expect(spared.map(line => line.split(' (')[0])).toEqual([
      'spared by exclude-path "logo"',
      'spared by exclude-path "deep"',
      'spared by exclude-tags "pinned"'
    ])
    expect(dry.file.selection?.sparedBy).toEqual({ 'exclude-path': 2, 'exclude-tags': 1 })
    // A tag ImageKit gave on its own (AITags) is not the file's: it spares nothing.
    const run = await purge(emulator, inputs)
    expect(run.report.lists.deleted).toEqual(['hero', 'ai'])
    expect([...emulator.store].sort()).toEqual(['deep', 'logo', 'pinned'])
  })

  test('an excluded file is no candidate for keep-newest: it uses up none of the N kept', async () => {
    const emulator = await emulate({
      provider: 'writer',
      files: [
        { id: 'newest', name: 'pr-42-pinned', createdAt: ago(40) },
        { id: 'second', name: 'pr-42-b', createdAt: ago(50) },
        { id: 'third', name: 'pr-42-c', createdAt: ago(60) },
        { id: 'oldest', name: 'pr-42-d', createdAt: ago(70) }
      ]
    })
    const run = await purge(emulator, {
      'select-name': 'pr-42-*',
      'exclude-name': '*-pinned',
      'keep-newest': '1',
      'older-than': '30d'
    })
    expect(run.file.selection?.sparedFiles.map(f => [f.id, f.reason])).toEqual([
      ['second', 'keep-newest'],
      ['newest', 'exclude-name']
    ])
    expect(run.report.lists.deleted).toEqual(['oldest', 'third'])
    expect([...emulator.store].sort()).toEqual(['newest', 'second'])
  })

  test('a file whose name is unknown is not judged when exclude-name is set: it could be one to spare', async () => {
    const files = [
      { id: 'named', name: 'report', workflowId: 'wf-1' },
      { id: 'nameless', name: null, workflowId: 'wf-1' }
    ]
    const without = await emulate({ provider: 'anyformat', files })
    expect((await purge(without, { 'workflow-id': 'wf-1', 'dry-run': 'true' })).report.lists.planned).toEqual([
      'named',
      'nameless'
    ])
    const emulator = await emulate({ provider: 'anyformat', files })
    const run = await purge(emulator, { 'workflow-id': 'wf-1', 'exclude-name': 'keep-*' })
    expect(run.report.lists.deleted).toEqual(['named'])
    expect(run.file.selection?.skipped).toEqual({ 'no name': 1 })
    expect([...emulator.store]).toEqual(['nameless'])
  })

  test.each<[string, Inputs, string]>([
    ['alone', { 'exclude-name': 'keep-*' }, 'exclude-name: spares files a selection picks, and there is no selection'],
    [
      'with given IDs only',
      { 'file-ids': 'a', 'exclude-tags': 'pinned' },
      'exclude-tags: spares files a selection picks, and there is no selection'
    ],
    [
      'with given IDs only',
      { 'file-ids': 'a', 'exclude-path': '/brand/' },
      'exclude-path: spares files a selection picks, and there is no selection'
    ]
  ])(
    'without a selection (%s), an exclusion is a violation naming it, and nothing is sent',
    async (_, inputs, message) => {
      const emulator = await emulate({ provider: 'imagekit', files: ['a'] })
      const run = await purge(emulator, inputs)
      expect(run.report.verdict.failed).toBe(true)
      expect(run.report.violations).toContainEqual(expect.stringContaining(message))
      expect(emulator.requests).toEqual([])
      expect([...emulator.store]).toEqual(['a'])
    }
  )

  test.each<[ProviderName, Inputs, string]>([
    ['writer', { 'exclude-path': '/brand/' }, 'exclude-path: writer cannot spare files by folder (only imagekit can)'],
    ['delos', { 'exclude-tags': 'pinned' }, 'exclude-tags: delos cannot spare files by tag (only imagekit can)'],
    [
      'anyformat',
      { 'workflow-id': 'wf-1', 'exclude-path': '/brand/**' },
      'exclude-path: anyformat cannot spare files by folder (only imagekit can)'
    ]
  ])('%s cannot honour %j: a violation naming the input, before any request', async (provider, inputs, message) => {
    const emulator = await emulate({ provider, files: [WORLDS[provider].record('a', 'pr-42-a')] })
    const run = await purge(emulator, { 'select-name': 'pr-42-*', ...inputs })
    expect(run.report.violations).toEqual([message])
    expect(emulator.requests).toEqual([])
  })

  test('a malformed exclude-path is a violation naming it', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a'] })
    const run = await purge(emulator, { 'select-name': 'pr-42-*', 'exclude-path': '/ok/\nbrand/' })
    expect(run.report.violations).toEqual([expect.stringMatching(/^exclude-path: "brand\/" must start with "\/"/)])
    expect(emulator.requests).toEqual([])
  })

  test('exclusions do not count as the filter keep-newest needs beside it', async () => {
    const emulator = await emulate({ provider: 'writer', files: ['a'] })
    const run = await purge(emulator, { 'keep-newest': '2', 'exclude-name': 'keep-*' })
    expect(run.report.violations).toContainEqual(expect.stringMatching(/^keep-newest: cannot be the only filter/))
    expect(emulator.requests).toEqual([])
  })
})

describe('Writer files in use', () => {
  const files: FileRecord[] = [
    { id: 'free', name: 'pr-42-free', graphIds: [] },
    { id: 'in-g1', name: 'pr-42-g1', graphIds: ['g1'] },
    { id: 'in-both', name: 'pr-42-both', graphIds: ['g1', 'g2'] },
    { id: 'in-g2', name: 'pr-42-g2', graphIds: ['g2'] }
  ]

  test('a selection skips files attached to a Knowledge Graph, and counts them as attached', async () => {
    const emulator = await emulate({ provider: 'writer', files })
    const run = await purge(emulator, { 'select-name': 'pr-42-*' })
    expect(run.report.lists.deleted).toEqual(['free'])
    expect([...emulator.store].sort()).toEqual(['in-both', 'in-g1', 'in-g2'])
    expect(run.file.selection?.skipped).toEqual({ attached: 3 })
    expect(run.summary).toContain('| 3 attached |')
  })

  test('with graph-id, a file attached to that graph alone is selectable; one in another graph too is not', async () => {
    const emulator = await emulate({ provider: 'writer', files })
    const run = await purge(emulator, { 'graph-id': 'g1' })
    expect(run.report.lists.deleted).toEqual(['in-g1'])
    expect([...emulator.store].sort()).toEqual(['free', 'in-both', 'in-g2'])
    expect(run.file.selection?.skipped).toEqual({ attached: 1 })
  })

  test('select-attached: true lifts the skip, with graph-id or without', async () => {
    const all = await emulate({ provider: 'writer', files })
    const run = await purge(all, { 'select-name': 'pr-42-*', 'select-attached': 'true' })
    expect(run.report.lists.deleted).toEqual(['free', 'in-g1', 'in-both', 'in-g2'])
    expect(run.file.selection?.filters.selectAttached).toBe(true)
    expect(run.summary).toContain('files attached to a Knowledge Graph too')
    const graph = await emulate({ provider: 'writer', files })
    const scoped = await purge(graph, { 'graph-id': 'g1', 'select-attached': 'true' })
    expect(scoped.report.lists.deleted).toEqual(['in-g1', 'in-both'])
  })

  test('a listed file without graph_ids is not judged: it may be in use', async () => {
    const server = await rawServer((request, response) => {
      response.setHeader('content-type', 'application/json')
      if (request.method !== 'GET') {
        response.statusCode = 500
        return response.end('{}')
      }
      const data = [
        { id: 'a', name: 'pr-42-a', created_at: '2026-01-01T00:00:00Z', status: 'completed', graph_ids: [] },
        { id: 'b', name: 'pr-42-b', created_at: '2026-01-01T00:00:00Z', status: 'completed' }
      ]
      response.end(JSON.stringify({ data, has_more: false }))
    })
    const workspace = scratchDir()
    const log: string[] = []
    let report: RunReport | undefined
    const inputs: Inputs = {
      provider: 'writer',
      'api-key': KEY,
      'base-url': server.toString(),
      'select-name': 'pr-42-*',
      'dry-run': 'true'
    }
    await runPipeline(
      { getInput: name => inputs[name] ?? '', readFile: readIdsFile, workspace, env: {} },
      {
        mask: () => undefined,
        info: line => void log.push(line),
        debug: () => undefined,
        publish: finished => void (report = finished.report),
        unexpected: message => void log.push(message)
      },
      { tempDir: workspace }
    )
    expect(report?.lists.planned).toEqual(['a'])
    expect(report?.selection?.skipped).toEqual({ 'no graph list': 1 })
  })

  test.each<[string, ProviderName, Inputs, string]>([
    [
      'for another provider',
      'imagekit',
      { 'select-name': 'pr-42-*', 'select-attached': 'true' },
      'select-attached: is for writer only, not imagekit'
    ],
    [
      'without a selection',
      'writer',
      { 'file-ids': 'free', 'select-attached': 'true' },
      'select-attached: lets a selection pick files attached to a Knowledge Graph, and there is no selection'
    ]
  ])('select-attached %s is a violation naming it, before any request', async (_, provider, inputs, message) => {
    const emulator = await emulate({ provider, files: ['free'] })
    const run = await purge(emulator, inputs)
    expect(run.report.violations).toEqual([expect.stringContaining(message)])
    expect(emulator.requests).toEqual([])
  })
})

describe("the report's SHA-256", () => {
  async function command(argv: string[]) {
    let stdout = ''
    let stderr = ''
    const cwd = scratchDir()
    const io: CliIo = {
      stdout: text => void (stdout += text),
      stderr: text => void (stderr += text),
      interactive: false,
      env: { [API_KEY_VARIABLE]: KEY },
      cwd
    }
    const code = await main(argv, io)
    return { code, stdout, stderr, cwd }
  }
  const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex')

  test('the command prints the SHA-256 of the report it wrote (--report) or printed (--json) on stderr', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a'] })
    const base = ['--provider', 'imagekit', '--base-url', emulator.url, '--file-ids', 'a', '--dry-run']
    const written = await command([...base, '--report', 'plan.json'])
    expect(written.code).toBe(0)
    const file = readFileSync(path.join(written.cwd, 'plan.json'))
    expect(written.stderr).toMatch(new RegExp(`\nreport sha256 ${sha256(file)}\n$`))
    const printed = await command([...base, '--json'])
    expect(printed.stderr).toMatch(new RegExp(`\nreport sha256 ${sha256(printed.stdout)}\n$`))
    // Without a report written or printed there is nothing to take a hash of; --quiet leaves the line out.
    expect((await command(base)).stderr).not.toContain('report sha256')
    expect((await command([...base, '--json', '--quiet'])).stderr).toBe('')
  })
})
