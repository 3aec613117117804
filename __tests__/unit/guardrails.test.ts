import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Emulator, FileRecord, ProviderName } from '../../emulator/index.js'
import type { InputName } from '../../src/settings/constants.js'
import { readIdsFile } from '../../src/settings/inputs.js'
import { runPipeline, type Shell } from '../../src/pipeline.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { summaryMarkdown, type RunReport } from '../../src/report/report.js'
import { asText } from '../../src/report/file.js'
import { API_KEY_VARIABLE, main, type CliIo } from '../../src/shells/cli.js'
import { parse as parseYaml } from 'yaml'
import { REPO_ROOT } from '../harness/runner.js'
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
    // The list request is the one select-path alone sends.
    const asked = listRequests(emulator)
    await purge(emulator, { 'select-path': inputs['select-path'], 'dry-run': 'true' })
    expect(listRequests(emulator).slice(asked.length)).toEqual(asked)
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

describe('a reviewed plan, applied as reviewed', () => {
  /** A dry run whose report is written into `workspace` as plan/report.json: the plan, its path and its SHA-256. */
  async function makePlan(emulator: Emulator, inputs: Inputs, workspace = scratchDir()) {
    const run = await purge(emulator, { ...inputs, 'dry-run': 'true' }, workspace)
    expect(run.report.verdict.failed).toBe(false)
    mkdirSync(path.join(workspace, 'plan'), { recursive: true })
    writeFileSync(path.join(workspace, 'plan', 'report.json'), run.text)
    const sha256 = createHash('sha256').update(run.text).digest('hex')
    return { run, workspace, file: 'plan/report.json', sha256 }
  }
  type Plan = Awaited<ReturnType<typeof makePlan>>
  const apply = (emulator: Emulator, plan: Plan, inputs: Inputs = {}) =>
    purge(emulator, { 'plan-file': plan.file, 'plan-sha256': plan.sha256, ...inputs }, plan.workspace)
  /** The plan file changed by `edit` (its SHA-256 changes with it). */
  const edited = (plan: Plan, edit: (report: Record<string, unknown>) => void): void => {
    const where = path.join(plan.workspace, plan.file)
    const report = JSON.parse(readFileSync(where, 'utf8')) as Record<string, unknown>
    edit(report)
    writeFileSync(where, JSON.stringify(report, null, 2))
  }
  const sent = (emulator: Emulator) => emulator.requests.filter(r => r.route === 'delete' || r.route === 'bulk')

  test('a selection: the planned files still selected are deleted; one that left the selection and a new one are not', async () => {
    const emulator = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'a', path: '/previews/pr-42/a.jpg', createdAt: ago(40) },
        { id: 'b', path: '/previews/pr-42/b.jpg', createdAt: ago(39) },
        { id: 'c', path: '/previews/pr-42/c.jpg', createdAt: ago(38) },
        { id: 'pinned', path: '/previews/pr-42/d.jpg', createdAt: ago(37), tags: ['pinned'] },
        { id: 'other', path: '/other/e.jpg', createdAt: ago(40) }
      ]
    })
    const plan = await makePlan(emulator, {
      'select-path': '/previews/pr-42/**',
      'exclude-tags': 'pinned',
      'older-than': '30d'
    })
    expect(plan.run.report.lists.planned).toEqual(['a', 'b', 'c'])
    // Between plan and apply: b is tagged pinned (it leaves the selection), and a new file arrives in the folder.
    emulator.addFiles([
      { id: 'b', path: '/previews/pr-42/b.jpg', createdAt: ago(39), tags: ['pinned'] },
      { id: 'new', path: '/previews/pr-42/new.jpg', createdAt: ago(35) }
    ])
    const lists = listRequests(emulator)
    const run = await apply(emulator, plan)
    expect(run.report.verdict.failed).toBe(false)
    expect(run.report.lists.deleted).toEqual(['a', 'c'])
    expect([...emulator.store].sort()).toEqual(['b', 'new', 'other', 'pinned'])
    // The plan's own filters, listed again: the same request as the dry run's, the age counted from this run's start.
    const cutoff = (urls: string[]) => urls.map(url => url.replace(/createdAt\+%3C\+%22.*?Z%22/, 'createdAt < …'))
    expect(cutoff(listRequests(emulator).slice(lists.length))).toEqual(cutoff(lists))
    expect(lists[0]).toContain('createdAt+%3C')
    expect(run.file.plan).toEqual({
      file: path.join(plan.workspace, plan.file),
      sha256: plan.sha256,
      endedAt: plan.run.file.endedAt,
      planned: 3,
      applied: 2,
      noLongerSelected: ['b'],
      notInPlan: ['new']
    })
    expect(run.log).toContain('not deleted "b": no longer selected')
    expect(run.log).toContainEqual(expect.stringMatching(/^not deleted "new" \(.*\): not in the plan$/))
    expect(run.log).toContainEqual(
      'against the plan: 1 planned ID no longer selected, 1 file selected now but not in the plan; neither is deleted'
    )
    expect(run.summary).toContain('### Plan')
    expect(run.summary).toContain('| 3 | 2 | 1 | 1 |')
    expect(run.summary).toContain('#### No longer selected (spared)')
    expect(run.summary).toContain('#### Not in the plan (not deleted)')
    expect(run.file.entries.map(e => [e.id, e.outcome, e.source])).toEqual([
      ['a', 'deleted', 'selected'],
      ['c', 'deleted', 'selected']
    ])
  })

  test('when no planned file is still selected, the run says so, and deletes none of the new ones', async () => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'pr-42-a' }] })
    const plan = await makePlan(emulator, { 'select-name': 'pr-42-*' })
    emulator.store.delete('a')
    emulator.addFiles([{ id: 'b', name: 'pr-42-b' }])
    const run = await apply(emulator, plan)
    expect(run.report.verdict).toEqual({
      failed: false,
      message: expect.stringMatching(/^no planned file is still selected; /)
    })
    expect(run.log).toContain('no planned file is still selected')
    expect(run.summary).toContain('No planned file is still selected: nothing to delete.')
    expect(run.file.plan).toMatchObject({ planned: 1, applied: 0, noLongerSelected: ['a'], notInPlan: ['b'] })
    expect(sent(emulator)).toEqual([])
  })

  test('given IDs: the plan deletes those IDs, and lists nothing', async () => {
    const emulator = await emulate({ provider: 'delos', customerId: 'cust-1', files: ['x', 'y', 'z'] })
    const plan = await makePlan(emulator, { 'file-ids': 'x y', 'customer-id': 'cust-1' })
    expect(plan.run.file.customerId).toBe('cust-1')
    const run = await apply(emulator, plan)
    expect(run.report.lists.deleted).toEqual(['x', 'y'])
    expect([...emulator.store]).toEqual(['z'])
    expect(listRequests(emulator)).toEqual([])
    // The customer comes from the plan: each delete names it.
    expect(sent(emulator).map(r => new URL(r.url, 'http://x').searchParams.get('customerId'))).toEqual([
      'cust-1',
      'cust-1'
    ])
    expect(run.file.plan).toMatchObject({ planned: 2, applied: 2, noLongerSelected: [], notInPlan: [] })
  })

  test('a dry run of the plan shows what it would apply now, and deletes nothing', async () => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'pr-42-a' }] })
    const plan = await makePlan(emulator, { 'select-name': 'pr-42-*' })
    emulator.addFiles([{ id: 'b', name: 'pr-42-b' }])
    const run = await apply(emulator, plan, { 'dry-run': 'true' })
    expect(run.report.lists.planned).toEqual(['a'])
    expect(run.file.plan).toMatchObject({ applied: 1, notInPlan: ['b'] })
    expect(sent(emulator)).toEqual([])
  })

  test('a stale plan is refused before any request; plan-max-age says how old is too old', async () => {
    const emulator = await emulate({ provider: 'anyformat', files: ['a'] })
    const plan = await makePlan(emulator, { 'file-ids': 'a' })
    const twoDaysAgo = new Date(Date.now() - 2 * DAY).toISOString()
    edited(plan, report => void (report.endedAt = twoDaysAgo))
    const stale = await apply(emulator, plan, { 'plan-sha256': '' })
    expect(stale.report.violations).toEqual([
      expect.stringMatching(
        new RegExp(
          `^plan-file: the plan ended at ${twoDaysAgo}, 4[89]\\.\\d hours before this run started: older than plan-max-age \\(24h\\)`
        )
      )
    ])
    expect(emulator.requests).toEqual([])
    const allowed = await apply(emulator, plan, { 'plan-sha256': '', 'plan-max-age': '3d' })
    expect(allowed.report.lists.deleted).toEqual(['a'])
    expect(allowed.log).toContainEqual(expect.stringMatching(/^warning: plan-file is applied without plan-sha256/))
  })

  test('a plan that says it ended after this run started is refused', async () => {
    const emulator = await emulate({ provider: 'anyformat', files: ['a'] })
    const plan = await makePlan(emulator, { 'file-ids': 'a' })
    edited(plan, report => void (report.endedAt = new Date(Date.now() + DAY).toISOString()))
    const run = await apply(emulator, plan, { 'plan-sha256': '' })
    expect(run.report.violations).toEqual([expect.stringContaining('after this run started')])
    expect(emulator.requests).toEqual([])
  })

  test('a tampered plan: its SHA-256 differs from plan-sha256, and nothing is sent', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a', 'prod-logo'] })
    const plan = await makePlan(emulator, { 'file-ids': 'a' })
    edited(plan, report => {
      const [entry] = report.entries as Array<{ id: string }>
      if (entry) entry.id = 'prod-logo'
    })
    const run = await apply(emulator, plan)
    expect(run.report.violations).toEqual([
      expect.stringMatching(
        /^plan-sha256: the plan file's SHA-256 is [0-9a-f]{64}, not "[0-9a-f]{64}": it is not the file that was reviewed$/
      )
    ])
    expect(emulator.requests).toEqual([])
    expect([...emulator.store].sort()).toEqual(['a', 'prod-logo'])
  })

  test('a plan for another provider, base URL or scope is refused', async () => {
    const imagekit = await emulate({ provider: 'imagekit', files: ['a'] })
    const delos = await emulate({ provider: 'delos', customerId: 'c1', files: ['a'] })
    const plan = await makePlan(imagekit, { 'file-ids': 'a' })
    const otherProvider = await apply(delos, plan)
    expect(otherProvider.report.violations).toContainEqual(
      'plan-file: the plan is for "imagekit", and this run for delos'
    )
    const elsewhere = await emulate({ provider: 'imagekit', files: ['a'] })
    const otherUrl = await apply(elsewhere, plan)
    expect(otherUrl.report.violations).toEqual([
      `plan-file: the plan was made at "${imagekit.url}", and this run goes to "${elsewhere.url}"`
    ])

    const forC1 = await makePlan(delos, { 'file-ids': 'a', 'customer-id': 'c1' })
    const otherCustomer = await apply(delos, forC1, { 'customer-id': 'c2' })
    expect(otherCustomer.report.violations).toEqual([
      'customer-id: "c2" differs from the plan\'s "c1": a plan applies to the scope it was made for'
    ])
    const writer = await emulate({ provider: 'writer', files: [{ id: 'w', name: 'w', graphIds: ['g1'] }] })
    const inGraph = await makePlan(writer, { 'graph-id': 'g1' })
    const otherGraph = await apply(writer, inGraph, { 'graph-id': 'g2' })
    expect(otherGraph.report.violations).toEqual([
      'graph-id: "g2" differs from the plan\'s "g1": a plan applies to the scope it was made for'
    ])
    for (const emulator of [imagekit, delos, elsewhere, writer])
      expect(emulator.requests.filter(r => r.route !== 'list' && r.route !== 'graph')).toEqual([])
    // The same scope given again is no violation.
    const same = await apply(writer, inGraph, { 'graph-id': 'g1' })
    expect(same.report.lists.deleted).toEqual(['w'])
  })

  test.each<[string, (plan: Plan, emulator: Emulator) => Promise<Inputs> | Inputs, RegExp]>([
    [
      'a file that is not there',
      () => ({ 'plan-file': 'missing.json', 'plan-sha256': '' }),
      /^plan-file: cannot read ".*missing\.json": .*ENOENT|no such file/
    ],
    [
      'a JSON file that is not a report of this action',
      plan => {
        writeFileSync(path.join(plan.workspace, 'other.json'), '{"ids": ["a"]}')
        return { 'plan-file': 'other.json', 'plan-sha256': '' }
      },
      /^plan-file: ".*other\.json" is not a report file of this action \(provider is missing/
    ],
    [
      "a report of a run that was sent, not a dry run's",
      async (plan, emulator) => {
        const sentRun = await purge(emulator, { 'file-ids': 'gone' })
        writeFileSync(path.join(plan.workspace, 'sent.json'), sentRun.text)
        return { 'plan-file': 'sent.json', 'plan-sha256': '' }
      },
      /^plan-file: ".*sent\.json" is the report of a run that was sent, not of a dry run/
    ],
    [
      'a report of a dry run that failed',
      async (plan, emulator) => {
        const failed = await purge(emulator, { 'file-ids': 'a', 'protected-ids': 'a', 'dry-run': 'true' })
        writeFileSync(path.join(plan.workspace, 'failed.json'), failed.text)
        return { 'plan-file': 'failed.json', 'plan-sha256': '' }
      },
      /^plan-file: ".*failed\.json" is the report of a dry run that failed: it planned nothing$/
    ]
  ])('%s is no plan: a violation naming plan-file, before any request', async (_, setUp, message) => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a', 'gone'] })
    const plan = await makePlan(emulator, { 'file-ids': 'a' })
    const inputs = await setUp(plan, emulator)
    const before = emulator.requests.length
    const run = await apply(emulator, plan, inputs)
    expect(run.report.violations).toEqual([expect.stringMatching(message)])
    expect(emulator.requests.slice(before)).toEqual([])
    expect(emulator.store.has('a')).toBe(true)
  })

  test.each<[InputName, string]>([
    ['file-ids', 'b'],
    ['file-ids-file', 'ids.txt'],
    ['select-name', 'pr-*'],
    ['select-status', 'completed'],
    ['older-than', '30d'],
    ['keep-newest', '2'],
    ['exclude-name', 'keep-*'],
    ['select-attached', 'true']
  ])('%s given beside plan-file is a violation naming it: the plan carries it', async (input, value) => {
    const emulator = await emulate({ provider: 'writer', files: [{ id: 'a', name: 'pr-a' }] })
    const plan = await makePlan(emulator, { 'select-name': 'pr-*' })
    writeFileSync(path.join(plan.workspace, 'ids.txt'), 'b\n')
    const before = emulator.requests.length
    const run = await apply(emulator, plan, { [input]: value })
    expect(run.report.violations).toContainEqual(
      `${input}: cannot be given with plan-file: the plan carries the IDs and filters it was reviewed with`.replace(
        'the IDs and filters',
        input === 'select-attached' ? 'the filters' : 'the IDs and filters'
      )
    )
    expect(emulator.requests.slice(before)).toEqual([])
  })

  test('plan-sha256 needs plan-file, and is 64 hexadecimal digits', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a'] })
    const alone = await purge(emulator, { 'file-ids': 'a', 'plan-sha256': 'a'.repeat(64) })
    expect(alone.report.violations).toEqual([
      'plan-sha256: is given without plan-file: it is the SHA-256 the plan file must have'
    ])
    const plan = await makePlan(emulator, { 'file-ids': 'a' })
    const short = await apply(emulator, plan, { 'plan-sha256': 'abc' })
    expect(short.report.violations).toContainEqual(expect.stringMatching(/^plan-sha256: "abc" is not a SHA-256/))
    expect(sent(emulator)).toEqual([])
  })

  test('max-deletions, protected-ids and shard apply again', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ id: `f${i}`, name: `pr-42-${i}` }))
    const emulator = await emulate({ provider: 'writer', files })
    const plan = await makePlan(emulator, { 'select-name': 'pr-42-*' })
    const tooMany = await apply(emulator, plan, { 'max-deletions': '5' })
    expect(tooMany.report.violations).toEqual([
      'max-deletions: 6 unique IDs exceed max-deletions (5); raise it or split the list'
    ])
    const guarded = await apply(emulator, plan, { 'protected-ids': 'f3' })
    expect(guarded.report.violations).toEqual(['protected-ids: ID "f3" matches protected pattern "f3"'])
    expect(sent(emulator)).toEqual([])
    const first = await apply(emulator, plan, { shard: '1/2' })
    const second = await apply(emulator, plan, { shard: '2/2' })
    expect([...first.report.lists.deleted, ...second.report.lists.deleted].sort()).toEqual(files.map(f => f.id))
    expect(first.report.lists.deleted.length).toBeLessThan(6)
    expect(emulator.store.size).toBe(0)
  })

  test('the command applies a plan with the same flags, and prints the SHA-256 to give it', async () => {
    const emulator = await emulate({ provider: 'anyformat', files: ['a', 'b'] })
    let stderr = ''
    let stdout = ''
    const cwd = scratchDir()
    const io = (): CliIo => ({
      stdout: text => void (stdout += text),
      stderr: text => void (stderr += text),
      interactive: false,
      env: { [API_KEY_VARIABLE]: KEY },
      cwd
    })
    const base = ['--provider', 'anyformat', '--base-url', emulator.url]
    expect(await main([...base, '--file-ids', 'a', '--dry-run', '--report', 'plan.json'], io())).toBe(0)
    const sha = /report sha256 ([0-9a-f]{64})/.exec(stderr)?.[1] ?? ''
    expect(await main([...base, '--plan-file', 'plan.json', '--plan-sha256', 'f'.repeat(64)], io())).toBe(1)
    expect(emulator.store.size).toBe(2)
    const applied = [...base, '--plan-file', 'plan.json', '--plan-sha256', sha, '--plan-max-age', '1h']
    expect(await main(applied, io())).toBe(0)
    expect([...emulator.store]).toEqual(['b'])
    expect(await main([...base, '--plan-file', 'plan.json', '--file-ids', 'b'], io())).toBe(1)
    expect(stdout).toContain('policy violation: --file-ids: cannot be given with --plan-file')
  })
})

describe('examples/reviewed-purge.yml', () => {
  type Step = { id?: string; uses?: string; if?: string; with?: Record<string, unknown> }
  type Job = { needs?: string; environment?: string; outputs?: Record<string, string>; steps: Step[] }
  const workflow = parseYaml(readFileSync(path.join(REPO_ROOT, 'examples', 'reviewed-purge.yml'), 'utf8')) as {
    jobs: { plan: Job; apply: Job }
  }
  const { plan, apply } = workflow.jobs
  const ours = (job: Job) => job.steps.filter(step => step.uses?.startsWith('file-purge/file-purge@'))
  const uses = (job: Job, action: string) => job.steps.find(step => step.uses?.startsWith(`actions/${action}@`))

  test('the plan job is a dry run whose report it uploads, and outputs its SHA-256', () => {
    const [dry] = ours(plan)
    expect(dry?.with).toMatchObject({ 'dry-run': true })
    expect(plan.outputs?.['report-sha256']).toBe(`\${{ steps.${dry?.id}.outputs.report-sha256 }}`)
    expect(uses(plan, 'upload-artifact')?.with?.path).toBe(`\${{ steps.${dry?.id}.outputs.report-file }}`)
  })

  test('the apply job waits for its environment, downloads that artifact and applies it with plan-sha256', () => {
    expect(apply.needs).toBe('plan')
    expect(apply.environment).toEqual(expect.any(String))
    const download = uses(apply, 'download-artifact')
    expect(download?.with?.name).toBe(uses(plan, 'upload-artifact')?.with?.name)
    const [applied] = ours(apply)
    expect(applied?.with).toMatchObject({
      'plan-file': `${String(download?.with?.path)}/report.json`,
      'plan-sha256': '${{ needs.plan.outputs.report-sha256 }}'
    })
    expect(applied?.with?.['dry-run']).toBeUndefined()
    expect(
      Object.keys(applied?.with ?? {}).filter(name => /^(select-|exclude-|file-ids|older-than|keep-newest)/.test(name))
    ).toEqual([])
  })
})
