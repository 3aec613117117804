import { describe, expect, test } from '@jest/globals'
import { imagekitUrl } from '../../emulator/bodies.js'
import type { Emulator, FileRecord } from '../../emulator/index.js'
import { purgeCovers } from '../../emulator/providers/imagekit-cdn.js'
import { nodeBinaries, type RunOptions, type RunResult } from '../harness/runner.js'
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
 * purge-cdn end to end: the built bundle, run as the runner runs it on each Node version, against the emulated
 * ImageKit. After every run the key is in no channel and every request was on one of ImageKit's routes.
 */

const ENDPOINT = 'https://ik.imagekit.io/emulator'
const previews: FileRecord[] = [
  { id: 'p1', path: '/previews/pr-42/hero.jpg' },
  { id: 'p2', path: '/previews/pr-42/cards/card.png' },
  { id: 'p3', path: '/previews/pr-42/cards/thumb.png' }
]
const given: FileRecord = { id: 'g1', path: '/uploads/pr-42/logo.svg' }
const kept: FileRecord = { id: 'keep', path: '/previews/pr-43/hero.jpg' }

/** The files whose URL no purge the emulator took covers. */
const uncovered = (emulator: Emulator, files: readonly FileRecord[]): string[] =>
  files.filter(f => !emulator.purges.some(p => purgeCovers(p.url, imagekitUrl(f.path ?? '')))).map(f => f.id)

describe.each(nodeBinaries())('$name', ({ path: node }) => {
  async function act(emulator: Emulator, inputs: RunOptions['inputs']): Promise<RunResult & { report: Report }> {
    const run = await runActionOnce({
      node,
      inputs: { provider: emulator.provider, 'api-key': KEY, 'base-url': emulator.url, ...inputs }
    })
    if (run.exitCode !== 0 && run.exitCode !== 1)
      throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
    expectNoSecret(run, wireForms(KEY))
    expectInRoute(emulator)
    return run as RunResult & { report: Report }
  }

  test('wait: a folder and a given ID deleted, purged, and each purge completed', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: [...previews, given, kept] })
    const run = await act(emulator, {
      'select-path': '/previews/pr-42/**',
      'file-ids': 'g1 gone',
      'purge-cdn': 'wait'
    })
    expect(run.exitCode).toBe(0)
    expect([...emulator.store]).toEqual(['keep'])
    expect(emulator.purges.map(p => p.url)).toEqual([
      `${ENDPOINT}/previews/pr-42/*`,
      `${ENDPOINT}/uploads/pr-42/logo.svg*`
    ])
    expect(uncovered(emulator, [...previews, given])).toEqual([])
    expect(uncovered(emulator, [kept])).toEqual(['keep'])
    expect(run.outputs).toMatchObject({
      deleted: '["g1","p1","p2","p3"]',
      missing: '["gone"]',
      'cdn-failed': '[]',
      'cdn-failed-count': '0'
    })
    expect(run.report.entries.map(e => [e.id, e.cdn?.status ?? null])).toEqual([
      ['g1', 'completed'],
      ['gone', null],
      ['p1', 'completed'],
      ['p2', 'completed'],
      ['p3', 'completed']
    ])
    expect(run.report.cdn).toMatchObject({ files: 4, purges: 2, folderPurges: 1, completed: 4 })
    expect(run.report.totals.requests).toBe(emulator.requests.length)
    expect(run.summary).toContain('### CDN cache (purge-cdn: wait)')
    expect(run.stdout).toContain(`purge completed "${ENDPOINT}/previews/pr-42/*" (3 files, request `)
  })

  test('a purge refused, the key in its answer: the file stays deleted, a warning with the key masked; with fail-on cdn the step fails', async () => {
    for (const failOn of ['failed', 'failed,cdn']) {
      const emulator = await emulate({ provider: 'imagekit', files: [given] }, [
        {
          on: 'purge',
          fault: { kind: 'status', status: 400, message: `The URL is not valid for cache purging. (key ${KEY})` }
        }
      ])
      const run = await act(emulator, { 'file-ids': 'g1', 'purge-cdn': 'true', 'fail-on': failOn })
      expect(emulator.store.size).toBe(0)
      expect(run.outputs).toMatchObject({
        deleted: '["g1"]',
        failed: '[]',
        'cdn-failed': '["g1"]',
        'cdn-failed-count': '1'
      })
      expect(run.stdout).toContain(
        `::warning::CDN cache not purged for "g1" ("${ENDPOINT}/uploads/pr-42/logo.svg*"): HTTP 400: The URL is not valid for cache purging. (key ***)`
      )
      expect(run.exitCode).toBe(failOn === 'failed' ? 0 : 1)
      if (failOn !== 'failed')
        expect(run.stdout).toMatch(/^::error::file-purge: CDN cache not purged for 1 deleted file/m)
    }
  })

  test('purge-cdn with another provider is a violation naming it, and nothing is sent', async () => {
    const emulator = await emulate({ provider: 'writer', files: ['w1'] })
    const run = await act(emulator, { 'file-ids': 'w1', 'purge-cdn': 'true' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      '::error title=file-purge policy violation::purge-cdn: is for imagekit only, not writer'
    )
    expect(emulator.requests).toEqual([])
  })

  test('without purge-cdn, the log and the summary say once that the CDN still serves what was deleted', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: [given] })
    const run = await act(emulator, { 'file-ids': 'g1' })
    expect(run.exitCode).toBe(0)
    const notice = 'the CDN keeps serving the deleted file from its cache until it expires'
    expect(run.stdout.split('\n').filter(line => line.includes(notice))).toHaveLength(1)
    expect(run.summary).toContain(notice)
    expect(run.outputs).toMatchObject({ 'cdn-failed': '[]', 'cdn-failed-count': '0' })
    expect(emulator.purges).toEqual([])
  })
})
