import { describe, expect, test } from '@jest/globals'
import { imagekitUrl } from '../../emulator/bodies.js'
import type { Emulator, FileRecord } from '../../emulator/index.js'
import { purgeCovers } from '../../emulator/providers/imagekit-cdn.js'
import { purgeAll, type CdnSession } from '../../src/cdn/stage.js'
import { runPipeline, type Shell } from '../../src/pipeline.js'
import { imagekit } from '../../src/providers/imagekit.js'
import { imagekitCdn } from '../../src/providers/imagekit-cdn.js'
import { outputValues, summaryMarkdown, type RunReport } from '../../src/report/report.js'
import { CDN_STATUS_SPACING_MS, CDN_WAIT_MS, type InputName } from '../../src/settings/constants.js'
import { emulate, KEY, scratchDir, wireForms, type Report, type ReportEntry } from '../helpers/common.js'
import { virtualClock } from '../helpers/engine.js'
import { fakeProvider } from '../helpers/fake-provider.js'
import { settingsFrom } from '../helpers/inputs.js'

/**
 * purge-cdn (docs/providers.md, ImageKit "purge" and the rows after it): the deleted files' CDN cache is purged, by
 * folder where every listed file of a folder was deleted, else file by file; details first for given IDs; a purge
 * that fails leaves the file deleted and says so. In process, against the emulator.
 */

const ENDPOINT = 'https://ik.imagekit.io/emulator'

interface Run {
  report: RunReport
  entries: ReportEntry[]
  outputs: Record<string, string>
  summary: string
  /** Every line the run told: info, per-ID and per-purge lines, warnings (prefixed). */
  log: string[]
  warnings: string[]
}

/** The pipeline, in process, against the emulator; what it told and published. */
async function purgeRun(
  emulator: Emulator,
  inputs: Partial<Record<InputName, string>>,
  signal?: AbortSignal
): Promise<Run> {
  const log: string[] = []
  const warnings: string[] = []
  let published: { report: RunReport; text: string } | undefined
  const shell: Shell = {
    mask: () => undefined,
    info: line => void log.push(line),
    warn: line => void (log.push(`warning: ${line}`), warnings.push(line)),
    debug: () => undefined,
    writeLines: text => void log.push(...text.split('\n').filter(line => line !== '')),
    publish: ({ report, writeReport }) => {
      let text = ''
      writeReport(chunk => void (text += Buffer.from(chunk).toString('utf8')))
      published = { report, text }
    },
    unexpected: message => {
      throw new Error(message)
    }
  }
  const values = { provider: 'imagekit', 'api-key': KEY, 'base-url': emulator.url, ...inputs }
  await runPipeline({ getInput: name => values[name] ?? '', readFile: () => '', workspace: '/w', env: {} }, shell, {
    tempDir: scratchDir('file-purge-cdn-'),
    ...(signal ? { signal } : {})
  })
  if (published === undefined) throw new Error('nothing published')
  const { report, text } = published
  const all = [...log, text, JSON.stringify(outputValues(report, '/r.json').values), summaryMarkdown(report)]
  for (const form of wireForms(KEY)) expect(all.join('\n')).not.toContain(form)
  return {
    report,
    entries: (JSON.parse(text) as Report).entries,
    outputs: outputValues(report, '/r.json').values,
    summary: summaryMarkdown(report),
    log,
    warnings
  }
}

const file = (id: string, path: string): FileRecord => ({ id, path })
/** The URL the emulated account serves a file at. */
const servedAt = (path: string): string => imagekitUrl(path)
/** The files of `ids` whose URL no purge the emulator took covers. */
function uncovered(emulator: Emulator, files: readonly FileRecord[]): string[] {
  return files.filter(f => !emulator.purges.some(p => purgeCovers(p.url, servedAt(f.path as string)))).map(f => f.id)
}
const routes = (emulator: Emulator): string[] => emulator.requests.map(r => r.route)

describe('inputs', () => {
  test.each([
    ['', 'off'],
    ['false', 'off'],
    ['true', 'purge'],
    ['TRUE', 'purge'],
    ['wait', 'wait'],
    ['Wait', 'wait']
  ])('purge-cdn %j', (value, mode) => {
    const { settings, all } = settingsFrom({
      provider: 'imagekit',
      'file-ids': 'a',
      'api-key': 'k',
      'purge-cdn': value
    })
    expect(all).toEqual([])
    expect(settings.purgeCdn).toBe(mode)
  })

  test('another value is a violation naming the input and the value', () => {
    const { all } = settingsFrom({ provider: 'imagekit', 'file-ids': 'a', 'api-key': 'k', 'purge-cdn': 'yes' })
    expect(all.map(v => v.message)).toEqual(['purge-cdn: "yes" is not false, true or wait'])
  })

  test.each(['writer', 'delos', 'anyformat'] as const)(
    'with %s: a violation naming the input, and nothing is sent',
    async provider => {
      const emulator = await emulate({ provider, files: ['a'] })
      const run = await purgeRun(emulator, { provider, 'file-ids': 'a', 'purge-cdn': 'true' })
      expect(run.report.violations).toEqual([`purge-cdn: is for imagekit only, not ${provider}`])
      expect(emulator.requests).toEqual([])
      expect(run.report.verdict.failed).toBe(true)
    }
  )

  test('fail-on takes cdn, which needs purge-cdn', () => {
    const base = { provider: 'imagekit', 'file-ids': 'a', 'api-key': 'k' }
    const asked = settingsFrom({ ...base, 'fail-on': 'failed, cdn', 'purge-cdn': 'true' })
    expect(asked.all).toEqual([])
    expect(asked.settings.failOn).toEqual({ failed: true, missing: false, cdn: true })
    expect(settingsFrom({ ...base, 'fail-on': 'cdn' }).all.map(v => v.message)).toEqual([
      'fail-on: cdn fails the step on a CDN purge that failed: it needs purge-cdn (true or wait)'
    ])
  })
})

describe('a run with purge-cdn', () => {
  const given = [file('g1', '/uploads/g1.jpg'), file('g2', '/uploads/nested/g2.png'), file('g3', '/README')]

  test('given IDs: details first, a 404 there is missing with no DELETE; every deleted file purged', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given })
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2 gone g3', 'purge-cdn': 'true' })
    expect(run.entries.map(e => [e.id, e.outcome])).toEqual([
      ['g1', 'deleted'],
      ['g2', 'deleted'],
      ['gone', 'missing'],
      ['g3', 'deleted']
    ])
    expect(run.entries[2]?.reason).toContain('no DELETE sent')
    expect(run.entries[2]?.cdn).toBeUndefined()
    const details = emulator.requests.filter(r => r.route === 'details').map(r => r.path)
    expect(details).toEqual([
      '/v1/files/g1/details',
      '/v1/files/g2/details',
      '/v1/files/gone/details',
      '/v1/files/g3/details'
    ])
    // Every details request before the first delete, and the missing file in no delete.
    expect(routes(emulator).lastIndexOf('details')).toBeLessThan(routes(emulator).indexOf('bulk'))
    expect(emulator.requests.find(r => r.route === 'bulk')?.ids).toEqual(['g1', 'g2', 'g3'])
    expect(uncovered(emulator, given)).toEqual([])
    expect(emulator.purges.map(p => p.url)).toEqual([
      `${ENDPOINT}/uploads/g1.jpg*`,
      `${ENDPOINT}/uploads/nested/g2.png*`,
      `${ENDPOINT}/README`
    ])
    expect(run.entries[0]?.cdn).toEqual({
      url: `${ENDPOINT}/uploads/g1.jpg*`,
      requestId: emulator.purges[0]?.requestId,
      status: 'submitted',
      reason: null
    })
    expect(run.report.cdn).toMatchObject({ files: 3, purges: 3, requests: { details: 4, purges: 3, statuses: 0 } })
    expect(run.report.totals.requests).toBe(emulator.requests.length)
    expect(run.outputs).toMatchObject({ 'cdn-failed': '[]', 'cdn-failed-count': '0' })
    expect(run.report.verdict.failed).toBe(false)
  })

  test('a folder selection whose every file was deleted: one purge for the folder, no details', async () => {
    const files = [
      file('a', '/previews/pr-42/a.jpg'),
      file('b', '/previews/pr-42/b.jpg'),
      file('c', '/previews/pr-42/deep/c.jpg')
    ]
    const emulator = await emulate({ provider: 'imagekit', files: [...files, file('keep', '/previews/pr-43/k.jpg')] })
    const run = await purgeRun(emulator, { 'select-path': '/previews/pr-42/**', 'purge-cdn': 'true' })
    expect(run.report.totals.deleted).toBe(3)
    expect(emulator.purges.map(p => p.url)).toEqual([`${ENDPOINT}/previews/pr-42/*`])
    expect(routes(emulator).filter(r => r === 'details')).toEqual([])
    expect(run.report.cdn).toMatchObject({ files: 3, purges: 1, folderPurges: 1 })
    expect(uncovered(emulator, files)).toEqual([])
    expect(run.summary).toContain('### CDN cache (purge-cdn: true)')
  })

  test('a file the selection spared keeps its cache: the folder is purged file by file', async () => {
    const files = [
      file('old1', '/previews/pr-42/old1.jpg'),
      file('old2', '/previews/pr-42/old2.jpg'),
      file('newest', '/previews/pr-42/newest.jpg')
    ]
    const emulator = await emulate({ provider: 'imagekit', files })
    const run = await purgeRun(emulator, {
      'select-path': '/previews/pr-42/**',
      'keep-newest': '1',
      'purge-cdn': 'true'
    })
    expect(run.report.totals.deleted).toBe(2)
    expect(uncovered(emulator, files)).toEqual(['newest'])
    expect(emulator.purges.map(p => p.url)).toEqual([
      `${ENDPOINT}/previews/pr-42/old1.jpg*`,
      `${ENDPOINT}/previews/pr-42/old2.jpg*`
    ])
  })

  test.each([
    ['the folder alone (its subfolders unseen)', { 'select-path': '/previews/pr-42/' }],
    ['a listing narrowed by name too', { 'select-path': '/previews/pr-42/**', 'select-name': 'a*' }]
  ])('no folder purge for %s', async (_, inputs) => {
    const files = [file('a1', '/previews/pr-42/a1.jpg'), file('a2', '/previews/pr-42/a2.jpg')]
    const emulator = await emulate({ provider: 'imagekit', files })
    await purgeRun(emulator, { ...inputs, 'purge-cdn': 'true' })
    expect(emulator.store.size).toBe(0)
    expect(emulator.purges.map(p => p.url)).toEqual([
      `${ENDPOINT}/previews/pr-42/a1.jpg*`,
      `${ENDPOINT}/previews/pr-42/a2.jpg*`
    ])
  })

  test('a purge refused stays a deleted file: a warning and cdn-failed, or a failed step with fail-on cdn', async () => {
    for (const failOn of ['failed', 'failed,cdn']) {
      const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 2) }, [
        {
          on: 'purge',
          times: 1,
          fault: { kind: 'status', status: 400, message: 'The URL is not valid for cache purging.' }
        }
      ])
      const run = await purgeRun(emulator, { 'file-ids': 'g1 g2', 'purge-cdn': 'true', 'fail-on': failOn })
      expect(run.entries.map(e => e.outcome)).toEqual(['deleted', 'deleted'])
      expect(run.entries[0]?.cdn).toEqual({
        url: `${ENDPOINT}/uploads/g1.jpg*`,
        requestId: null,
        status: 'failed',
        reason: 'HTTP 400: The URL is not valid for cache purging.'
      })
      expect(run.outputs).toMatchObject({ deleted: '["g1","g2"]', 'cdn-failed': '["g1"]', 'cdn-failed-count': '1' })
      expect(run.warnings).toEqual([
        `CDN cache not purged for "g1" ("${ENDPOINT}/uploads/g1.jpg*"): HTTP 400: The URL is not valid for cache purging.`
      ])
      expect(run.summary).toContain('#### CDN cache not purged')
      expect(run.report.verdict.failed).toBe(failOn === 'failed,cdn')
      if (failOn === 'failed,cdn')
        expect(run.report.verdict.message).toBe(
          'CDN cache not purged for 1 deleted file (fail-on includes cdn) (2 deleted, 0 missing, 0 failed of 2). "g1" cdn: HTTP 400: The URL is not valid for cache purging.'
        )
    }
  })

  test('a purge that fails after its retries, the key in its answer: deleted, and the key shown nowhere', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 1) }, [
      { on: 'purge', fault: { kind: 'status', status: 503, message: `overloaded for key ${KEY}` } }
    ])
    const run = await purgeRun(emulator, { 'file-ids': 'g1', 'purge-cdn': 'true', 'max-retries': '1' })
    expect(run.entries[0]).toMatchObject({ outcome: 'deleted', cdn: { status: 'failed' } })
    expect(run.entries[0]?.cdn?.reason).toBe('HTTP 503: overloaded for key *** (2 attempts)')
    expect(routes(emulator).filter(r => r === 'purge')).toHaveLength(2)
    expect(run.log.filter(line => line.startsWith('purge '))).toEqual([
      `purge failed    "${ENDPOINT}/uploads/g1.jpg*" (1 file): HTTP 503: overloaded for key *** (2 attempts)`
    ])
  })

  test('a purge answered 429 waits as every request does, then goes through', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 1) }, [
      { on: 'purge', times: 2, fault: { kind: 'rate-limit', resetMs: 50 } }
    ])
    const run = await purgeRun(emulator, { 'file-ids': 'g1', 'purge-cdn': 'true', 'max-retries': '0' })
    expect(run.entries[0]?.cdn?.status).toBe('submitted')
    expect(emulator.requests.filter(r => r.route === 'purge').map(r => r.status)).toEqual([429, 429, 201])
    expect(run.report.totals.rateLimitedAnswers).toBe(2)
    expect(run.log).toContain('rate limited (HTTP 429): all requests paused for 0.1 s, then at most 4 in flight')
  })

  test('details that cannot be read: the file is not deleted, for its cache could not be purged', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 2) }, [
      { on: 'details', id: 'g2', fault: { kind: 'status', status: 500 } }
    ])
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2', 'purge-cdn': 'true', 'max-retries': '1' })
    expect(run.entries.map(e => [e.id, e.outcome])).toEqual([
      ['g1', 'deleted'],
      ['g2', 'failed']
    ])
    expect(run.entries[1]?.reason).toMatch(/^not deleted: where it is served could not be read.*HTTP 500/)
    expect([...emulator.store]).toEqual(['g2'])
    expect(emulator.requests.filter(r => r.route === 'delete').map(r => r.id)).toEqual(['g1'])
  })

  test('credentials refused while asking for details: nothing is deleted, and the step fails', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given }, [
      { on: 'details', fault: { kind: 'status', status: 401 } }
    ])
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2', 'purge-cdn': 'true', 'fail-on': 'none' })
    expect(emulator.store.size).toBe(3)
    expect(new Set(routes(emulator))).toEqual(new Set(['details']))
    expect(run.entries.map(e => e.outcome)).toEqual(['failed', 'failed'])
    expect(run.report.verdict.failed).toBe(true)
    expect(run.report.verdict.message).toContain('the provider rejected the credentials')
  })

  test('cancelled while purging: the files stay deleted, their cache not purged, and the step fails', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 2) }, [
      { on: 'purge', fault: { kind: 'hang' } }
    ])
    const controller = new AbortController()
    const stopOnPurge = setInterval(() => {
      if (routes(emulator).includes('purge')) controller.abort('SIGTERM')
    }, 5)
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2', 'purge-cdn': 'true' }, controller.signal)
    clearInterval(stopOnPurge)
    expect(run.entries.map(e => [e.outcome, e.cdn?.status])).toEqual([
      ['deleted', 'failed'],
      ['deleted', 'failed']
    ])
    expect(run.entries[0]?.cdn?.reason).toMatch(/cancel/)
    expect(run.outputs['cdn-failed']).toBe('["g1","g2"]')
    expect(run.report.verdict).toMatchObject({ failed: true, message: expect.stringContaining('cancelled (SIGTERM)') })
  })

  test('wait: each purge is asked for until ImageKit says it is completed', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given.slice(0, 2), imagekitPendingPolls: 2 })
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2', 'purge-cdn': 'wait' })
    expect(run.entries.map(e => e.cdn?.status)).toEqual(['completed', 'completed'])
    expect(routes(emulator).filter(r => r === 'purge-status')).toHaveLength(6)
    expect(run.report.cdn).toMatchObject({ mode: 'wait', completed: 2, requests: { statuses: 6 } })
  })

  test('a dry run sends no purge and no details: it shows what it would purge, where it knows it', async () => {
    const files = [file('a', '/previews/pr-42/a.jpg'), file('b', '/previews/pr-42/b.jpg')]
    const emulator = await emulate({ provider: 'imagekit', files: [...files, ...given] })
    const run = await purgeRun(emulator, {
      'select-path': '/previews/pr-42/**',
      'file-ids': 'g1',
      'purge-cdn': 'true',
      'dry-run': 'true'
    })
    expect(routes(emulator)).toEqual(['list'])
    expect(emulator.store.size).toBe(5)
    expect(run.log).toContain(`would purge "${ENDPOINT}/previews/pr-42/*" (2 files)`)
    expect(run.entries.map(e => [e.id, e.cdn?.status, e.cdn?.url])).toEqual([
      ['g1', 'planned', null],
      ['a', 'planned', `${ENDPOINT}/previews/pr-42/*`],
      ['b', 'planned', `${ENDPOINT}/previews/pr-42/*`]
    ])
    expect(run.report.cdn).toMatchObject({ purges: 1, planned: 3, requests: { details: 0, purges: 0 } })
  })

  test('without purge-cdn, an ImageKit run that deleted files says once that the CDN still serves them', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: given })
    const run = await purgeRun(emulator, { 'file-ids': 'g1 g2' })
    const notice =
      'the CDN keeps serving the 2 deleted files from its cache until it expires: deleting a file does not purge it; set purge-cdn: true (or wait) to purge it'
    expect(run.log.filter(line => line.includes('purge-cdn'))).toEqual([notice])
    expect(run.summary).toContain(`**CDN cache:** ${notice}.`)
    expect(routes(emulator)).toEqual(['bulk'])
    const dry = await purgeRun(emulator, { 'file-ids': 'g3', 'dry-run': 'true' })
    expect(dry.log.join('\n')).not.toContain('purge-cdn')
    const writer = await emulate({ provider: 'writer', files: ['w'] })
    const other = await purgeRun(writer, { provider: 'writer', 'file-ids': 'w' })
    expect(other.summary).not.toContain('CDN')
  })
})

describe('waiting for purges, on a virtual clock', () => {
  test('each status asked at most every 0.5 s; a purge never completed fails after 60 s in all', async () => {
    const clock = virtualClock()
    const provider = fakeProvider({
      provider: 'imagekit',
      files: [],
      key: KEY,
      clock,
      emulator: { imagekitPendingPolls: Infinity }
    })
    const session: CdnSession = {
      transport: { send: provider.send },
      concurrency: 4,
      maxRetries: 2,
      timeoutMs: 5000,
      secrets: [KEY],
      clock,
      random: () => 0.5,
      cdn: imagekitCdn,
      context: { baseUrl: new URL('https://api.imagekit.test'), apiKey: KEY, customerId: '' },
      classify: (reply, now) => imagekit.classify(reply, now)
    }
    const started = clock.now()
    const target = { url: `${ENDPOINT}/a.jpg*`, kind: 'file' as const, ids: ['a'] }
    const purged = await purgeAll({ targets: [target], unaddressed: [] }, session, true)
    expect(purged.outcomes.get('a')).toMatchObject({ status: 'failed', reason: 'not completed within 60 s' })
    const asked = provider.calls.filter(call => call.url.pathname.startsWith('/v1/files/purge/')).map(c => c.at)
    const gaps = asked.slice(1).map((at, i) => at - (asked[i] as number))
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(CDN_STATUS_SPACING_MS)
    expect(asked.at(-1)! - started).toBeLessThanOrEqual(CDN_WAIT_MS)
    expect(clock.now() - started).toBeLessThanOrEqual(CDN_WAIT_MS + 100)
    expect(purged.requests).toEqual({ purges: 1, statuses: asked.length })
  })

  test('a purge completed on the third status request is done then, not 60 s later', async () => {
    const clock = virtualClock()
    const provider = fakeProvider({
      provider: 'imagekit',
      files: [],
      key: KEY,
      clock,
      emulator: { imagekitPendingPolls: 2 }
    })
    const session: CdnSession = {
      transport: { send: provider.send },
      concurrency: 4,
      maxRetries: 2,
      timeoutMs: 5000,
      secrets: [KEY],
      clock,
      cdn: imagekitCdn,
      context: { baseUrl: new URL('https://api.imagekit.test'), apiKey: KEY, customerId: '' },
      classify: (reply, now) => imagekit.classify(reply, now)
    }
    const started = clock.now()
    const target = { url: `${ENDPOINT}/a.jpg*`, kind: 'file' as const, ids: ['a'] }
    const purged = await purgeAll({ targets: [target], unaddressed: [] }, session, true)
    expect(purged.outcomes.get('a')?.status).toBe('completed')
    expect(purged.requests).toEqual({ purges: 1, statuses: 3 })
    expect(clock.now() - started).toBeLessThan(5000)
  })
})
