import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import type { Emulator, FileRecord, ProviderName } from '../../emulator/index.js'
import type { RunOptions } from '../harness/runner.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import {
  emulate,
  expectInRoute,
  expectNoSecret,
  KEY,
  runActionOnce,
  scratchDir,
  wireForms,
  type Report
} from '../helpers/common.js'

/**
 * A plan and its application, end to end: the bundle, run as the runner runs it, makes a dry run whose report is the
 * plan, and a later run applies it with plan-file and plan-sha256 against the same emulated provider.
 */

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

async function act(emulator: Emulator, inputs: RunOptions['inputs'], options: Partial<RunOptions> = {}) {
  const run = await runActionOnce({
    ...options,
    inputs: { provider: emulator.provider, 'api-key': KEY, 'base-url': emulator.url, ...inputs },
    timeoutMs: 120_000
  })
  if (run.exitCode !== 0 && run.exitCode !== 1)
    throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
  expectNoSecret(run, wireForms(KEY))
  expectInRoute(emulator)
  return { ...run, report: run.report as Report }
}

describe('report-sha256', () => {
  test('is the SHA-256 of the report file as written, and the summary shows it', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a', 'b'] })
    const run = await act(emulator, { 'file-ids': 'a b', 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    const file = readFileSync(run.outputs['report-file'] as string)
    expect(run.outputs['report-sha256']).toBe(sha256(file))
    expect(run.summary).toContain(`\`${sha256(file)}\``)
  })
})

/** Per provider: a file as it lists it, and the inputs that select the files named pr-42-*. */
const WORLDS: Record<
  ProviderName,
  { record: (id: string, name: string) => FileRecord; select: Record<string, string> }
> = {
  writer: {
    record: (id, name) => ({ id, name, graphIds: ['g1'] }),
    select: { 'graph-id': 'g1', 'select-name': 'pr-42-*' }
  },
  imagekit: {
    record: (id, name) => ({ id, name, path: `/previews/${name}` }),
    select: { 'select-path': '/previews/', 'select-name': 'pr-42-*' }
  },
  delos: { record: (id, name) => ({ id, name }), select: { 'select-name': 'pr-42-*' } },
  anyformat: {
    record: (id, name) => ({ id, name, workflowId: 'wf-1' }),
    select: { 'workflow-id': 'wf-1', 'select-name': 'pr-42-*' }
  }
}

describe.each(PROVIDER_NAMES)('%s: plan, review, apply', provider => {
  const world = WORLDS[provider]

  test('the apply deletes what was planned and is still selected; a file that left and one that arrived stay', async () => {
    const emulator = await emulate({
      provider,
      files: [
        world.record('a', 'pr-42-a'),
        world.record('b', 'pr-42-b'),
        world.record('c', 'pr-42-c'),
        world.record('keep', 'keep')
      ]
    })
    const planned = await act(emulator, { ...world.select, 'dry-run': 'true' })
    expect(planned.exitCode).toBe(0)
    expect(JSON.parse(planned.outputs.planned ?? '')).toEqual(['a', 'b', 'c'])
    // The plan goes to the apply job as an artifact would: a file in its workspace.
    const workspace = scratchDir()
    mkdirSync(path.join(workspace, 'plan'))
    copyFileSync(planned.outputs['report-file'] as string, path.join(workspace, 'plan', 'report.json'))

    // While the plan waits for review: b is renamed out of the selection, and a new pr-42 file arrives.
    emulator.addFiles([world.record('b', 'renamed-b'), world.record('d', 'pr-42-d')])
    const inputs = { 'plan-file': 'plan/report.json', 'plan-sha256': planned.outputs['report-sha256'] as string }
    const applied = await act(emulator, inputs, { workspace })
    expect(applied.exitCode).toBe(0)
    expect(JSON.parse(applied.outputs.deleted ?? '')).toEqual(['a', 'c'])
    expect([...emulator.store].sort()).toEqual(['b', 'd', 'keep'])
    expect(applied.report.plan).toMatchObject({
      sha256: planned.outputs['report-sha256'],
      planned: 3,
      applied: 2,
      noLongerSelected: ['b'],
      notInPlan: ['d']
    })
    expect(applied.stdout).toContain('not deleted "b": no longer selected')
    expect(applied.stdout).toMatch(/^not deleted "d" \(.*\): not in the plan$/m)
    expect(applied.summary).toContain('### Plan')

    // The same plan file, changed after review: refused before any request.
    const report = JSON.parse(readFileSync(path.join(workspace, 'plan', 'report.json'), 'utf8')) as Report
    report.entries.push({ ...report.entries[0]!, id: 'keep' })
    writeFileSync(path.join(workspace, 'plan', 'report.json'), JSON.stringify(report, null, 2))
    const requests = emulator.requests.length
    const tampered = await act(emulator, inputs, { workspace })
    expect(tampered.exitCode).toBe(1)
    expect(tampered.commands.filter(c => c.command === 'error').map(c => c.message)).toEqual([
      expect.stringMatching(/^plan-sha256: the plan file's SHA-256 is [0-9a-f]{64}, not "[0-9a-f]{64}"/)
    ])
    expect(emulator.requests.length).toBe(requests)
    expect(emulator.store.has('keep')).toBe(true)
  })
})
