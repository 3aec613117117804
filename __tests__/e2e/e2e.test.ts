import { readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import type { Emulator, ProviderName } from '../../emulator/index.js'
import { nodeBinaries, type RunOptions, type RunResult } from '../harness/runner.js'
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
 * The built bundle, run as the runner runs it, against the provider emulator. After every run: the store holds
 * exactly the files that should remain, no request left the provider's route, and the key is in no channel.
 */

const PROVIDERS = PROVIDER_NAMES
const ids = (n: number, prefix = 'file') => Array.from({ length: n }, (_, i) => `${prefix}_${i}`)
const json = (text: string | undefined): unknown => JSON.parse(text ?? 'null')

/** A directory holding one file; returns both paths. */
function scratchFile(name: string, content: string): { dir: string; file: string } {
  const dir = scratchDir('file-purge-e2e-')
  writeFileSync(path.join(dir, name), content)
  return { dir, file: path.join(dir, name) }
}

/**
 * The store after a run holds what it held before, less what the run reported deleted; and every file the provider
 * deleted during the run is one the run reported deleted.
 */
function assertStore(emulator: Emulator, before: { store: string[]; deleted: number }, run: RunResult): void {
  const reported = new Set(run.outputs.deleted ? (json(run.outputs.deleted) as string[]) : [])
  expect([...emulator.store].sort()).toEqual(before.store.filter(id => !reported.has(id)).sort())
  expect(emulator.deleted.slice(before.deleted).filter(id => !reported.has(id))).toEqual([])
}

describe.each(nodeBinaries())('$name', ({ path: node }) => {
  async function act(
    inputs: RunOptions['inputs'],
    options: Partial<RunOptions> = {}
  ): Promise<RunResult & { report: Report }> {
    const run = await runActionOnce({ node, ...options, inputs: { 'api-key': KEY, ...inputs } })
    if (run.exitCode !== 0 && run.exitCode !== 1)
      throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
    expectNoSecret(run, wireForms(inputs['api-key'] ?? KEY))
    return run as RunResult & { report: Report }
  }

  /** A run against the emulator; afterwards the store holds exactly what it held less what the run reports deleted. */
  async function purgeFrom(emulator: Emulator, inputs: RunOptions['inputs'], options: Partial<RunOptions> = {}) {
    const before = { store: [...emulator.store], deleted: emulator.deleted.length }
    const run = await act({ provider: emulator.provider, 'base-url': emulator.url, ...inputs }, options)
    expectInRoute(emulator)
    assertStore(emulator, before, run)
    return run
  }

  describe('providers', () => {
    test.each<[string, ProviderName, string]>([
      ['writer', 'writer', 'true'],
      ['imagekit, one DELETE per file', 'imagekit', 'false'],
      ['imagekit, bulk', 'imagekit', 'true'],
      ['delos', 'delos', 'true'],
      ['anyformat', 'anyformat', 'true']
    ])('%s: deletes what exists, reports the missing, keeps the rest', async (_, provider, bulk) => {
      const files = [...ids(6), 'keep_me']
      const emulator = await emulate({ provider, files, ...(provider === 'delos' ? { customerId: 'cust_1' } : {}) })
      const asked = [...ids(6), 'never_existed']
      const run = await purgeFrom(emulator, {
        'file-ids': asked.join('\n'),
        bulk,
        ...(provider === 'delos' ? { 'customer-id': 'cust_1' } : {})
      })
      expect(run.exitCode).toBe(0)
      expect(json(run.outputs.deleted)).toEqual(ids(6))
      expect(json(run.outputs.missing)).toEqual(['never_existed'])
      expect(json(run.outputs.failed)).toEqual([])
      expect(json(run.outputs.planned)).toEqual(asked)
      expect([run.outputs['deleted-count'], run.outputs['missing-count'], run.outputs['failed-count']]).toEqual([
        '6',
        '1',
        '0'
      ])
      expect([...emulator.store]).toEqual(['keep_me'])
      // Bulk: one request finds the missing ID and deletes nothing, the second deletes the rest.
      expect(emulator.requests).toHaveLength(provider === 'imagekit' && bulk === 'true' ? 2 : 7)
    })

    test("delos: locked, forbidden and another customer's files fail with their reasons; a second delete is still a success", async () => {
      const emulator = await emulate({
        provider: 'delos',
        customerId: 'cust_1',
        files: ['a'],
        lockedIds: ['locked_1'],
        forbiddenIds: ['secret_1']
      })
      const first = await purgeFrom(emulator, { 'file-ids': 'a locked_1 secret_1', 'customer-id': 'cust_1' })
      expect(first.exitCode).toBe(1)
      expect(first.report.entries.map(e => [e.id, e.outcome, e.reason])).toEqual([
        ['a', 'deleted', null],
        ['locked_1', 'failed', expect.stringMatching(/^locked: HTTP \d+: File is locked and cannot be deleted$/)],
        ['secret_1', 'failed', expect.stringMatching(/^forbidden: HTTP \d+: Access denied to file: secret_1$/)]
      ])
      const again = await purgeFrom(emulator, { 'file-ids': 'a', 'customer-id': 'cust_1' })
      expect(json(again.outputs.deleted)).toEqual(['a'])
      const other = await purgeFrom(emulator, { 'file-ids': 'locked_1', 'customer-id': 'cust_2' })
      expect(other.report.entries[0]!.reason).toMatch(/^customer mismatch: /)
    })

    test('a base-url path prefix reaches the API mounted under it', async () => {
      const emulator = await emulate({ provider: 'anyformat', files: ['a'], pathPrefix: '/gateway/anyformat' })
      const run = await purgeFrom(emulator, { 'file-ids': 'a' })
      expect(run.exitCode).toBe(0)
      expect(emulator.requests[0]!.path).toBe('/gateway/anyformat/v2/files/a/')
    })
  })

  describe('preflight: every violation reported, nothing sent', () => {
    test.each<[string, RunOptions['inputs'], RegExp[]]>([
      ['unknown provider', { provider: 'dropbox' }, [/^provider: unknown provider "dropbox"/]],
      ['no IDs', { 'file-ids': ' , \n' }, [/^file-ids: no IDs given/]],
      [
        'a JSON value that is not an array of strings',
        { 'file-ids': '["a", 2]' },
        [/^file-ids: JSON array item 1 is not a string/]
      ],
      [
        'an unreadable file-ids-file',
        { 'file-ids': '', 'file-ids-file': 'missing.txt' },
        [/^file-ids-file: cannot read ".*missing\.txt"/]
      ],
      ['a path-step ID', { 'file-ids': 'a ..' }, [/^file-ids: invalid ID "\.\.": is a path step/]],
      ['an encoded traversal', { 'file-ids': 'a%2F..%2Fb' }, [/^file-ids: invalid ID "a%2F\.\.%2Fb": contains "%"/]],
      ['a Unicode look-alike', { 'file-ids': '["ﬁle_1"]' }, [/non-ASCII character \(U\+FB01\)/]],
      ['no api-key', { 'api-key': '' }, [/^api-key: is required unless dry-run is true$/]],
      [
        'more IDs than max-deletions',
        { 'file-ids': 'a b c', 'max-deletions': '2' },
        [/^max-deletions: 3 unique IDs exceed max-deletions \(2\)/]
      ],
      [
        'a protected ID',
        { 'file-ids': 'a prod_1', 'protected-ids': 'prod_*' },
        [/^protected-ids: ID "prod_1" matches protected pattern "prod_\*"$/]
      ],
      [
        'plain http to a non-loopback host',
        { 'base-url': 'http://files.example.com' },
        [/^base-url: "http:\/\/files\.example\.com": http:\/\/ is allowed only to localhost/]
      ],
      [
        'credentials in base-url',
        { 'base-url': 'https://u:p@h.example' },
        [/^base-url: "https:\/\/h\.example": must not carry credentials/]
      ],
      [
        'a number out of range',
        { concurrency: '100', 'timeout-seconds': '0' },
        [/^concurrency: "100" is not a whole number from 1 to 64$/, /^timeout-seconds: "0"/]
      ],
      ['an unknown fail-on word', { 'fail-on': 'failed,sometimes' }, [/^fail-on: unknown "sometimes"/]],
      [
        'customer-id with another provider',
        { provider: 'writer', 'customer-id': 'c' },
        [/^customer-id: is for delos only, not writer$/]
      ]
    ])('%s', async (_, inputs, expected) => {
      const emulator = await emulate({ provider: 'writer', files: ['a', 'b', 'c', 'prod_1'] })
      const run = await act({ provider: 'writer', 'base-url': emulator.url, 'file-ids': 'a', ...inputs })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(0)
      const errors = run.commands.filter(c => c.command === 'error').map(c => c.message)
      expect(errors).toHaveLength(expected.length)
      expected.forEach((pattern, i) => expect(errors[i]).toMatch(pattern))
      expect(run.outputs).toMatchObject({
        deleted: '[]',
        missing: '[]',
        failed: '[]',
        planned: '[]',
        'deleted-count': '0'
      })
      expect(run.report.violations).toHaveLength(expected.length)
      expect(run.summary).toContain('Policy violations: nothing was sent.')
    })

    test('a 10 MB file-ids input of garbage is refused quickly, naming the input', async () => {
      const emulator = await emulate({ provider: 'writer', files: [] })
      const { file } = scratchFile('big.txt', '\u0001'.repeat(10 * 1024 * 1024))
      const run = await act({ provider: 'writer', 'base-url': emulator.url, 'file-ids': '', 'file-ids-file': file })
      expect(run.exitCode).toBe(1)
      expect(run.commands.filter(c => c.command === 'error')[0]!.message).toMatch(
        /^file-ids-file ".*big\.txt": invalid ID "(\\u0001)+…" \(10485760 characters\): is longer than 256 characters/
      )
      expect(emulator.requests).toHaveLength(0)
    })
  })

  describe('retries, pacing and failures', () => {
    test('5xx, an HTML error page and a reset are retried until the delete goes through', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ['a', 'b', 'c'] }, [
        { id: 'a', times: 2, fault: { kind: 'status', status: 503 } },
        { id: 'b', times: 1, fault: { kind: 'html', status: 502 } },
        { id: 'c', times: 1, fault: { kind: 'reset' } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a b c', bulk: 'false' })
      expect(run.exitCode).toBe(0)
      expect(run.report.entries.map(e => [e.id, e.outcome, e.attempts])).toEqual([
        ['a', 'deleted', 3],
        ['b', 'deleted', 2],
        ['c', 'deleted', 2]
      ])
    })

    test("a 5xx that never ends fails after max-retries with the provider's reason", async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] }, [{ fault: { kind: 'status', status: 500 } }])
      const run = await purgeFrom(emulator, { 'file-ids': 'a', 'max-retries': '2' })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(3)
      expect(run.report.entries[0]).toMatchObject({ outcome: 'failed', httpStatus: 500, attempts: 3 })
      expect(run.report.entries[0]!.reason).toMatch(/^HTTP 500: .*\(3 attempts\)$/)
      expect(run.commands.find(c => c.command === 'error')!.message).toMatch(/^failed "a": HTTP 500/)
    })

    test.each(PROVIDERS)(
      "%s: a rate limit in the provider's own style slows the run but deletes everything",
      async provider => {
        const files = ids(24)
        const emulator = await emulate({ provider, files, rateLimit: { limit: 8, intervalMs: 400 } })
        const run = await purgeFrom(emulator, { 'file-ids': files.join(' '), concurrency: '8', 'max-retries': '5' })
        expect(run.exitCode).toBe(0)
        expect(json(run.outputs.deleted)).toEqual(files)
        expect(emulator.store.size).toBe(0)
      }
    )

    test('max-rate spaces every request of the run evenly, the listing included, whatever the concurrency', async () => {
      const files = ids(12)
      const emulator = await emulate({ provider: 'writer', files })
      const run = await purgeFrom(emulator, { 'select-name': 'file_*', concurrency: '16', 'max-rate': '600' })
      expect(run.exitCode).toBe(0)
      expect(json(run.outputs.deleted)).toEqual(files)
      const starts = emulator.requests.map(r => r.at)
      expect(emulator.requests[0]!.route).toBe('list')
      expect(starts).toHaveLength(1 + 12)
      // The pacer spaces the sends 100 ms apart; the emulator sees arrivals, which a busy machine delays unevenly. A
      // burst would arrive together, so half the spacing still tells it apart; over the run, the spacing adds up.
      const gaps = starts.slice(1).map((at, i) => at - starts[i]!)
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50)
      expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(12 * 100 - 50)
      expect(run.stdout).toContain('at most 600 requests a minute')
    })

    test('a 429 pauses the whole pool for the hinted time', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ids(12) }, [
        { id: 'file_0', times: 1, fault: { kind: 'rate-limit', resetMs: 700 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': ids(12).join(' '), concurrency: '1' })
      expect(run.exitCode).toBe(0)
      const [limited, ...rest] = emulator.requests
      expect(limited!.status).toBe(429)
      expect(rest.every(r => r.at >= limited!.at + 690)).toBe(true)
      expect(run.report.totals.rateLimitedAnswers).toBe(1)
      expect(run.stdout).toContain('rate limited (HTTP 429): all requests paused for 0.7 s, then at most 1 in flight')
    })

    test('rejected credentials: no new request starts, the rest are not attempted, the step fails even with fail-on none', async () => {
      const emulator = await emulate({ provider: 'anyformat', files: ids(20) })
      const run = await purgeFrom(emulator, {
        'file-ids': ids(20).join(' '),
        'api-key': 'wrong-key-123',
        concurrency: '2',
        'fail-on': 'none'
      })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests.length).toBeLessThanOrEqual(2)
      expect(emulator.store.size).toBe(20)
      expect(
        run.report.entries.filter(e => e.reason === 'not attempted: credentials rejected').length
      ).toBeGreaterThanOrEqual(18)
      expect(run.commands.find(c => c.command === 'error' && /credentials/.test(c.message))).toBeDefined()
    })

    test('delos "Unauthorized" in a 200 body rejects the credentials too', async () => {
      const emulator = await emulate({ provider: 'delos', files: ['a', 'b'] }, [
        { fault: { kind: 'delos-error', message: 'Unauthorized', httpStatus: 200 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a b', concurrency: '1' })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(1)
      expect(run.report.entries[1]!.reason).toBe('not attempted: credentials rejected')
    })

    test('a redirect is refused and never followed', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] }, [
        { fault: { kind: 'redirect', status: 307 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a' })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(1)
      expect(run.report.entries[0]!.reason).toMatch(
        /^unexpected redirect \(HTTP 307 to https:\/\/elsewhere\.invalid\/v1\/files\/a\); redirects are not followed$/
      )
      expect(emulator.store.has('a')).toBe(true)
    })

    test('a hanging server hits timeout-seconds on every attempt and the step ends', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ['a'] }, [{ fault: { kind: 'hang' } }])
      const run = await purgeFrom(emulator, { 'file-ids': 'a', 'timeout-seconds': '1', 'max-retries': '1' })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(2)
      expect(run.report.entries[0]).toMatchObject({
        outcome: 'failed',
        httpStatus: null,
        attempts: 2,
        reason: 'no answer within 1 s (2 attempts)'
      })
    })

    test('an answer lost after the delete happened: the 404 that follows counts as deleted', async () => {
      const emulator = await emulate({ provider: 'anyformat', files: ['a', 'b'] }, [
        { id: 'a', times: 1, fault: { kind: 'lose-answer' } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a b' })
      expect(run.exitCode).toBe(0)
      expect(json(run.outputs.deleted)).toEqual(['a', 'b'])
      expect(run.report.entries[0]!.reason).toMatch(/counted as deleted, that attempt most likely deleted it$/)
    })

    test('a rate limit asking to wait longer than 60 s stops the run at once instead of stalling the step', async () => {
      const emulator = await emulate({ provider: 'anyformat', files: ids(3) }, [
        { fault: { kind: 'rate-limit', resetMs: 3_600_000 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': ids(3).join(' ') })
      expect(run.exitCode).toBe(1)
      // Each ID was asked for once and refused once: nobody waited out the hour the provider asked for.
      expect(emulator.requests).toHaveLength(3)
      expect(json(run.outputs.failed)).toEqual(ids(3))
      expect(
        run.report.entries.every(e =>
          e.reason?.includes('the provider asks to wait 3600 s, longer than the 60 s this action waits')
        )
      ).toBe(true)
    })
  })

  describe('imagekit bulk', () => {
    test('1000 IDs with 5% missing: at most 30 requests, outcomes identical to one DELETE per file', async () => {
      const asked = ids(1000)
      const files = asked.filter((_, i) => i % 20 !== 7)
      const outcomes = async (bulk: string) => {
        const emulator = await emulate({ provider: 'imagekit', files })
        const run = await purgeFrom(emulator, { 'file-ids': asked.join('\n'), bulk, concurrency: '8' })
        expect(run.exitCode).toBe(0)
        expect(emulator.store.size).toBe(0)
        return {
          requests: emulator.requests.length,
          outputs: [run.outputs.deleted, run.outputs.missing, run.outputs.failed]
        }
      }
      const bulk = await outcomes('true')
      const single = await outcomes('false')
      expect(bulk.requests).toBeLessThanOrEqual(30)
      expect(single.requests).toBe(1000)
      expect(bulk.outputs).toEqual(single.outputs)
      expect((json(bulk.outputs[1]) as string[]).length).toBe(50)
    })

    test('a chunk the bulk call cannot serve goes one file at a time', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ids(5) }, [
        {
          id: 'file_0',
          times: 1,
          // A 400 the bulk endpoint documents; ImageKit's 403 refuses the key itself and stops the run.
          fault: { kind: 'status', status: 400, body: '{"message":"fileIds should be an Array."}' }
        }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': ids(5).join(' ') })
      expect(run.exitCode).toBe(0)
      expect(emulator.requests[0]!.ids).toEqual(ids(5))
      expect(
        emulator.requests
          .slice(1)
          .map(r => r.id)
          .sort()
      ).toEqual(ids(5))
      expect(json(run.outputs.deleted)).toEqual(ids(5))
    })

    test('a bulk answer lost after the delete: the 404 listing every ID counts them deleted', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ids(10) }, [
        { id: 'file_3', times: 1, fault: { kind: 'lose-answer' } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': ids(10).join(' ') })
      expect(run.exitCode).toBe(0)
      expect(json(run.outputs.deleted)).toEqual(ids(10))
      expect(run.report.entries.every(e => e.reason?.includes('counted as deleted'))).toBe(true)
      expect(emulator.requests).toHaveLength(2)
    })

    test('5xx on the bulk route is retried for the chunk as a whole', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ids(150) }, [
        { id: 'file_120', times: 2, fault: { kind: 'status', status: 502 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': ids(150).join(' ') })
      expect(run.exitCode).toBe(0)
      expect(emulator.requests.map(r => [r.ids?.length, r.status])).toEqual(
        expect.arrayContaining([
          [100, 200],
          [50, 502],
          [50, 502],
          [50, 200]
        ])
      )
      expect(run.report.entries.find(e => e.id === 'file_120')).toMatchObject({ outcome: 'deleted', attempts: 3 })
    })
  })

  describe('shard', () => {
    test('a matrix of shards deletes every ID exactly once, each shard within its own max-deletions', async () => {
      const asked = ids(300)
      const emulator = await emulate({ provider: 'writer', files: asked })
      const planned: string[][] = []
      for (const shard of ['1/3', '2/3', '3/3']) {
        const run = await purgeFrom(emulator, { 'file-ids': asked.join(' '), shard, 'max-deletions': '150' })
        expect(run.exitCode).toBe(0)
        expect(run.report).toMatchObject({ shard: { index: Number(shard[0]), count: 3 } })
        planned.push(json(run.outputs.planned) as string[])
      }
      expect(planned.flat().sort()).toEqual([...asked].sort())
      expect(planned.every(list => list.length > 60 && list.length < 140)).toBe(true)
      expect(emulator.store.size).toBe(0)
      expect(emulator.requests).toHaveLength(300)
    })

    test('an invalid shard is a violation', async () => {
      const run = await act({ provider: 'writer', 'file-ids': 'a', shard: '4/3', 'dry-run': 'true' })
      expect(run.exitCode).toBe(1)
      expect(run.commands.find(c => c.command === 'error')!.message).toBe(
        'shard: "4/3" is not i/n with 1 ≤ i ≤ n ≤ 1000 (for example 2/8)'
      )
    })
  })

  describe('verdict', () => {
    test('fail-on missing fails the step on a missing ID; fail-on none passes with failures', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] })
      const missing = await purgeFrom(emulator, { 'file-ids': 'a gone', 'fail-on': 'missing' })
      expect(missing.exitCode).toBe(1)
      expect(missing.commands.filter(c => c.command === 'error').at(-1)!.message).toMatch(
        /^file-purge: 1 ID missing \(fail-on includes missing\)/
      )
      emulator.inject({ fault: { kind: 'status', status: 423 } })
      const tolerated = await purgeFrom(emulator, { 'file-ids': 'b', 'fail-on': 'none' })
      expect(tolerated.exitCode).toBe(0)
      expect(tolerated.outputs['failed-count']).toBe('1')
      expect(tolerated.commands.find(c => c.command === 'warning')!.message).toMatch(/^failed "b": HTTP 423/)
    })

    test('outputs are set when the step fails', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] }, [
        { id: 'b', fault: { kind: 'status', status: 400 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a b' })
      expect(run.exitCode).toBe(1)
      expect(run.outputs).toMatchObject({
        deleted: '["a"]',
        failed: '["b"]',
        'failed-count': '1',
        'deleted-count': '1'
      })
      expect(run.outputs['report-file']).toMatch(/runner_temp\/file-purge-[^/]+\/report\.json$/)
      // Readable by the job's user only.
      expect(statSync(run.outputs['report-file']!).mode & 0o777).toBe(0o600)
    })
  })

  describe('reporting', () => {
    test('a job summary that cannot be written is a warning: the outputs are set and the verdict stands', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] })
      const run = await purgeFrom(
        emulator,
        { 'file-ids': 'a' },
        { env: { GITHUB_STEP_SUMMARY: '/nonexistent/summary.md' } }
      )
      expect(run.exitCode).toBe(0)
      expect(run.outputs.deleted).toBe('["a"]')
      expect(run.commands.filter(c => c.command === 'warning').map(c => c.message)).toEqual([
        "could not write the job summary: Unable to access summary file: '/nonexistent/summary.md'. Check if the file has correct read/write permissions."
      ])
    })

    test('the report file is the only thing left in RUNNER_TEMP, in input order however the answers came', async () => {
      const files = ids(40)
      const emulator = await emulate({ provider: 'writer', files }, [
        { id: 'file_0', times: 2, fault: { kind: 'status', status: 503 } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': files.join(' '), concurrency: '8' })
      expect(run.exitCode).toBe(0)
      const runnerTemp = path.join(run.tempDir, 'runner_temp')
      const [directory, ...others] = readdirSync(runnerTemp)
      expect(others).toEqual([])
      expect(readdirSync(path.join(runnerTemp, directory!))).toEqual(['report.json'])
      expect(run.outputs['report-file']).toBe(path.join(runnerTemp, directory!, 'report.json'))
      expect(run.report.entries.map(e => e.id)).toEqual(files)
      expect(run.report.entries[0]).toMatchObject({ id: 'file_0', outcome: 'deleted', attempts: 3 })
    })

    test('a RUNNER_TEMP that cannot be written: a warning, no report-file, and the outputs and verdict as ever', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a', 'b'] })
      const run = await purgeFrom(emulator, { 'file-ids': 'a b' }, { env: { RUNNER_TEMP: '/nonexistent/runner-temp' } })
      expect(run.exitCode).toBe(0)
      expect(run.outputs).toMatchObject({ deleted: '["a","b"]', 'report-file': '', 'deleted-count': '2' })
      expect(run.commands.filter(c => c.command === 'warning').map(c => c.message)).toEqual([
        "could not write the report file: ENOENT: no such file or directory, mkdtemp '/nonexistent/runner-temp/file-purge-XXXXXX'"
      ])
    })

    test('report: provider, base URL, times, the run context as audit trail, totals, one entry per ID', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] })
      const run = await purgeFrom(
        emulator,
        { 'file-ids': 'a' },
        { event: { name: 'pull_request', payload: { pull_request: { number: 42 } } } }
      )
      expect(run.report).toMatchObject({
        provider: 'writer',
        baseUrl: emulator.url,
        dryRun: false,
        context: {
          repository: 'octo/purge-demo',
          workflow: 'purge',
          runId: 4242,
          runAttempt: 1,
          actor: 'octocat',
          eventName: 'pull_request',
          pullRequest: 42,
          sha: expect.any(String),
          ref: 'refs/heads/main'
        },
        totals: { planned: 1, deleted: 1, missing: 0, failed: 0, requests: 1, rateLimitedAnswers: 0 }
      })
      expect(run.report.entries[0]).toEqual({
        id: 'a',
        outcome: 'deleted',
        httpStatus: 200,
        reason: null,
        attempts: 1,
        ms: expect.any(Number),
        source: 'input',
        name: null,
        createdAt: null
      })
      expect(Date.parse(run.report.endedAt)).toBeGreaterThanOrEqual(Date.parse(run.report.startedAt))
      expect(run.stdout).toMatch(/^deleted "a" \(HTTP 200, 1 attempt, \d+ ms\)$/m)
      expect(run.summary).toContain('## file-purge: writer')
    })

    test('at most ten error annotations however many IDs fail', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: [] })
      emulator.inject({ fault: { kind: 'status', status: 403 } })
      const run = await purgeFrom(emulator, { 'file-ids': ids(30).join(' ') })
      expect(run.exitCode).toBe(1)
      expect(run.commands.filter(c => c.command === 'error')).toHaveLength(10)
      expect(run.summary.split('\n').filter(l => l.startsWith('| ` file_'))).toHaveLength(30)
    })

    test('the key and its Basic form are masked before anything else', async () => {
      const emulator = await emulate({ provider: 'imagekit', files: ['a'] })
      const run = await purgeFrom(emulator, { 'file-ids': 'a' })
      const basic = Buffer.from(`${KEY}:`).toString('base64')
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${KEY}`)
      expect(run.commands.filter(c => c.command === 'add-mask').map(c => c.message)).toEqual(
        expect.arrayContaining([KEY, `Basic ${basic}`, basic])
      )
    })

    test('a provider that echoes the key or workflow commands cannot leak it or issue a command', async () => {
      const body = JSON.stringify({
        message: `bad key ${KEY}\n::error::pwned\n::add-mask::x\n::stop-commands::tok`,
        help: ''
      })
      const emulator = await emulate({ provider: 'imagekit', files: ['a'] }, [
        { fault: { kind: 'status', status: 400, body } }
      ])
      const run = await purgeFrom(emulator, { 'file-ids': 'a' })
      expect(run.exitCode).toBe(1)
      expect(run.commands.filter(c => c.command === 'add-mask').every(c => c.message !== 'x')).toBe(true)
      expect(run.commands.some(c => c.command === 'stop-commands')).toBe(false)
      expect(run.commands.filter(c => c.command === 'error' && c.message === 'pwned')).toEqual([])
      expect(run.report.entries[0]!.reason).toBe(
        'HTTP 400: bad key *** : :error: :pwned : :add-mask: :x : :stop-commands: :tok'
      )
    })

    test('an ID that looks like a workflow command never starts a log line', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['::warning::x'] })
      const run = await purgeFrom(emulator, { 'file-ids': '["::warning::x"]' })
      expect(run.exitCode).toBe(0)
      expect(run.commands.filter(c => c.command === 'warning')).toEqual([])
      expect(emulator.store.size).toBe(0)
    })
  })

  describe('dry run', () => {
    test('sends nothing, needs no key, lists the plan and says nothing was deleted', async () => {
      const emulator = await emulate({ provider: 'delos', files: ['a', 'b'] })
      const run = await act({
        provider: 'delos',
        'base-url': emulator.url,
        'file-ids': 'a b a',
        'dry-run': 'true',
        'api-key': ''
      })
      expect(run.exitCode).toBe(0)
      expect(emulator.requests).toHaveLength(0)
      expect(run.outputs).toMatchObject({ planned: '["a","b"]', deleted: '[]', missing: '[]', failed: '[]' })
      expect(run.summary).toContain('dry run: nothing was deleted')
      expect(run.stdout).toContain('dry run: nothing was deleted')
      expect(run.report.dryRun).toBe(true)
    })

    test('still enforces every policy rule', async () => {
      const emulator = await emulate({ provider: 'delos', files: ['prod_a'] })
      const run = await act({
        provider: 'delos',
        'base-url': emulator.url,
        'file-ids': 'prod_a',
        'protected-ids': 'prod_*',
        'dry-run': 'true'
      })
      expect(run.exitCode).toBe(1)
      expect(emulator.requests).toHaveLength(0)
    })

    test('a list output over 1 MiB is set to "" with a warning; the report keeps every ID', async () => {
      const many = ids(25_000, 'x'.repeat(40))
      const { file } = scratchFile('ids.json', JSON.stringify(many))
      const run = await act({ provider: 'writer', 'file-ids-file': file, 'dry-run': 'true', 'max-deletions': '100000' })
      expect(run.exitCode).toBe(0)
      expect(run.outputs.planned).toBe('')
      expect(run.commands.find(c => c.command === 'warning')!.message).toMatch(
        /^output planned \(25000 IDs\) is larger than 1 MiB/
      )
      expect(run.report.entries).toHaveLength(25_000)
    })
  })

  describe('inputs', () => {
    test('both ID inputs: union in order of first appearance; a relative file resolves against the workspace', async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a', 'b', 'c', 'd'] })
      const { dir } = scratchFile('ids.txt', 'c\nb\n\nd\n')
      const run = await purgeFrom(
        emulator,
        { provider: 'WRITER', 'file-ids': 'b,a', 'file-ids-file': 'ids.txt' },
        { workspace: dir }
      )
      expect(json(run.outputs.planned)).toEqual(['b', 'a', 'c', 'd'])
      expect(emulator.store.size).toBe(0)
    })
  })
})
