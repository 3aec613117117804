import { describe, expect, test } from '@jest/globals'
import type { Emulator, EmulatorOptions, FileRecord, ProviderName } from '../../emulator/index.js'
import { API_KEY_VARIABLE, main, type CliIo } from '../../src/shells/cli.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import type { Report } from '../../src/report/report.js'
import { call, emulate, KEY, scratchDir } from '../helpers/common.js'
import { contractProxy, type ContractProxy } from '../helpers/contract.js'

/**
 * Contract tests: the action runs, in process, against each emulated provider through a proxy that holds every
 * request against the provider's OpenAPI document (docs/openapi, written from the provider's own documents) and every
 * answer the emulator gives. The client may send nothing the document forbids; the emulator may answer nothing the
 * document does not describe.
 */

interface Setup {
  emulator: Emulator
  proxy: ContractProxy
}

async function behind(options: Partial<EmulatorOptions> & Pick<EmulatorOptions, 'provider'>): Promise<Setup> {
  const emulator = await emulate(options)
  return { emulator, proxy: await contractProxy(options.provider, emulator.url) }
}

/** The command, in process, pointed at the proxy; its report. */
async function run(setup: Setup, flags: string[], key = KEY): Promise<{ code: number; report: Report }> {
  let stdout = ''
  const io: CliIo = {
    stdout: text => void (stdout += text),
    stderr: () => undefined,
    interactive: false,
    env: { [API_KEY_VARIABLE]: key },
    cwd: scratchDir('file-purge-contract-')
  }
  const argv = ['--provider', setup.emulator.provider, '--base-url', setup.proxy.url, '--max-deletions', '5000']
  const code = await main([...argv, ...flags, '--json', '--max-retries', '1'], io)
  return { code, report: JSON.parse(stdout) as Report }
}

const files = (prefix: string, n: number, extra: (i: number) => Partial<FileRecord> = () => ({})): FileRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, name: `${prefix}${i}.pdf`, ...extra(i) }))

/** Inputs that select every `pr-` file of the store `files('pr-', n)` builds, per provider. */
const SELECT: Record<ProviderName, { flags: string[]; record: (i: number) => Partial<FileRecord>; pageSize: number }> =
  {
    writer: {
      flags: ['--select-name', 'pr-*', '--graph-id', 'g1'],
      record: () => ({ graphIds: ['g1'] }),
      pageSize: 100
    },
    imagekit: {
      flags: ['--select-path', '/previews/**'],
      record: i => ({ path: `/previews/pr/pr-${i}.jpg`, name: `pr-${i}.jpg` }),
      pageSize: 1000
    },
    delos: {
      flags: ['--select-name', 'pr-*', '--customer-id', 'cust_1'],
      record: () => ({ customerId: 'cust_1' }),
      pageSize: 100
    },
    anyformat: {
      flags: ['--select-name', 'pr-*', '--workflow-id', 'wf-1'],
      record: () => ({ workflowId: 'wf-1' }),
      pageSize: 100
    }
  }

describe.each(PROVIDER_NAMES)('%s: every request and answer is one its document describes', provider => {
  test('deleting given IDs, one of them missing', async () => {
    const setup = await behind({ provider, files: files('f', 3) })
    const { code, report } = await run(setup, ['--file-ids', 'f0 f1 f2 gone', '--no-bulk'])
    expect(report.entries.map(entry => entry.outcome)).toEqual(['deleted', 'deleted', 'deleted', 'missing'])
    expect(code).toBe(0)
    expect(setup.proxy.problems).toEqual([])
  })

  test('selecting across several pages, then deleting what was selected', async () => {
    const { flags, record, pageSize } = SELECT[provider]
    const setup = await behind({ provider, files: files('pr-', pageSize + 7, record) })
    const { code, report } = await run(setup, flags)
    expect(report.totals.deleted).toBe(pageSize + 7)
    expect(code).toBe(0)
    expect(setup.proxy.problems).toEqual([])
    expect(new Set(setup.proxy.operations).size).toBeGreaterThan(1)
  })

  test('a key the provider refuses', async () => {
    const setup = await behind({ provider, files: files('f', 2) })
    const { code, report } = await run(setup, ['--file-ids', 'f0 f1'], 'wrong-key')
    expect(code).toBe(1)
    expect(report.verdict.message).toMatch(/^the provider rejected the credentials/)
    expect(setup.proxy.problems).toEqual([])
  })

  test('rate limited: the 429s and their hints are the documented ones', async () => {
    const setup = await behind({ provider, files: files('f', 12), rateLimit: { limit: 4, intervalMs: 300 } })
    const { report } = await run(setup, [
      '--file-ids',
      files('f', 12)
        .map(file => file.id)
        .join(' '),
      '--no-bulk'
    ])
    expect(report.totals.deleted).toBe(12)
    expect(report.totals.rateLimitedAnswers).toBeGreaterThan(0)
    expect(setup.proxy.problems).toEqual([])
  })
})

describe('answers only some providers give', () => {
  test('imagekit bulk: 200, the 404 that names missing IDs, and the 207 that names refused ones', async () => {
    const setup = await behind({ provider: 'imagekit', files: files('f', 150), bulkRefusedIds: ['f120'] })
    const ids = [...files('f', 150).map(file => file.id), 'gone-1', 'gone-2']
    const { report } = await run(setup, ['--file-ids', ids.join(' ')])
    expect(report.totals).toMatchObject({ deleted: 150, missing: 2, failed: 0 })
    expect(setup.proxy.operations).toContain('deleteFiles')
    expect(setup.proxy.problems).toEqual([])
  })

  test('writer: a graph that does not exist', async () => {
    const setup = await behind({ provider: 'writer', files: files('f', 1, () => ({ graphIds: ['g1'] })) })
    const { code } = await run(setup, ['--graph-id', 'no-such-graph'])
    expect(code).toBe(1)
    expect(setup.proxy.operations).toEqual(['retrieveGraph'])
    expect(setup.proxy.problems).toEqual([])
  })

  test('anyformat: a workflow that does not exist', async () => {
    const setup = await behind({ provider: 'anyformat', files: files('f', 1, () => ({ workflowId: 'wf-1' })) })
    const { code } = await run(setup, ['--workflow-id', 'wf-9'])
    expect(code).toBe(1)
    expect(setup.proxy.problems).toEqual([])
  })

  test('delos: locked and foreign files refused, with the documented bodies', async () => {
    const setup = await behind({
      provider: 'delos',
      files: [
        { id: 'mine', customerId: 'cust_1' },
        { id: 'theirs', customerId: 'cust_2' },
        { id: 'lk', locked: true }
      ]
    })
    const { report } = await run(setup, ['--file-ids', 'mine theirs lk', '--customer-id', 'cust_1'])
    expect(report.entries.map(entry => entry.outcome)).toEqual(['deleted', 'failed', 'failed'])
    expect(setup.proxy.problems).toEqual([])
  })
})

describe('the checks themselves catch what the documents rule out', () => {
  const auth: Record<ProviderName, Record<string, string>> = {
    writer: { authorization: `Bearer ${KEY}` },
    imagekit: { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
    delos: { authorization: KEY, accept: 'application/json' },
    anyformat: { authorization: `Bearer ${KEY}` }
  }

  test.each<[ProviderName, string, string, string | undefined, RegExp]>([
    ['anyformat', 'DELETE', '/v2/files/f0', undefined, /no operation of the document takes it/],
    ['delos', 'GET', '/v2/storage/file?meta.page=-1', undefined, /meta\.page must be >= 0/],
    ['writer', 'GET', '/v1/files?limit=500', undefined, /limit must be <= 100/],
    ['writer', 'GET', '/v1/files?sort=name', undefined, /\/query must NOT have additional properties/],
    [
      'imagekit',
      'POST',
      '/v1/files/batch/deleteByFileIds',
      JSON.stringify({ fileIds: Array.from({ length: 101 }, (_, i) => `f${i}`) }),
      /fileIds must NOT have more than 100 items/
    ]
  ])('%s: a request %s %s the document forbids', async (provider, method, target, body, problem) => {
    const setup = await behind({ provider, files: files('f', 1) })
    await call(`${setup.proxy.url}${target}`, {
      method,
      headers: { ...auth[provider], ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {})
    })
    expect(setup.proxy.problems).toEqual([expect.stringMatching(problem)])
  })

  test('a request without the credentials the document asks for', async () => {
    const setup = await behind({ provider: 'imagekit', files: files('f', 1) })
    await call(`${setup.proxy.url}/v1/files/f0`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` } })
    expect(setup.proxy.problems).toContainEqual(expect.stringMatching(/Authorization is not "Basic/))
  })

  test.each<[ProviderName, string, RegExp]>([
    ['writer', JSON.stringify({ ok: true }), /must have required property 'id'/],
    ['imagekit', JSON.stringify({ message: 'teapot' }), /answer 418 .*does not describe it/],
    ['anyformat', JSON.stringify({ deleted: true }), /answer 200 .*does not describe it/]
  ])('%s: an answer the document does not describe', async (provider, body, problem) => {
    const status = provider === 'imagekit' ? 418 : 200
    const setup = await behind({ provider, files: files('f', 1) })
    setup.emulator.inject({ fault: { kind: 'status', status, body } })
    await call(`${setup.proxy.url}${provider === 'anyformat' ? '/v2/files/f0/' : '/v1/files/f0'}`, {
      method: 'DELETE',
      headers: auth[provider]
    })
    expect(setup.proxy.problems).toEqual([expect.stringMatching(problem)])
  })
})
