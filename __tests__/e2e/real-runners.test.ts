import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import type { Emulator, EmulatorOptions } from '../../emulator/index.js'
import {
  bundledEntry,
  nodeBinaries,
  runProcess,
  RUNNER_SIGTERM_AFTER_MS,
  type Cancel,
  type RunOptions
} from '../harness/runner.js'
import { API_KEY_VARIABLE } from '../../src/shells/cli.js'
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
import { startProxy } from '../helpers/proxy.js'
import { testCa, type TestCa } from '../helpers/tls.js'

/**
 * What a real runner brings that the lab did not: HTTPS with a CA the runner was told to trust (or not), a proxy
 * that every request must tunnel through, and cancellation by SIGINT and SIGTERM. The bundle runs as the runner
 * runs it, on Node 20 and Node 24.
 */

const ids = (n: number, prefix = 'f') => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const list = (text: string | undefined): string[] => JSON.parse(text ?? '[]') as string[]
const UNKNOWN = 'its outcome is unknown, it may have been deleted'

/** An HTTPS emulator whose certificate the test CA signed for these names. */
async function httpsEmulator(ca: TestCa, names: { dns?: string[]; ip?: string[] }, options: Partial<EmulatorOptions>) {
  return emulate({ provider: 'writer', tls: await ca.serverCertificate(names), ...options })
}

describe.each(nodeBinaries())('$name', ({ path: node }) => {
  async function act(inputs: RunOptions['inputs'], env: Record<string, string> = {}, extra: Partial<RunOptions> = {}) {
    const run = await runActionOnce({ node, env, ...extra, inputs: { provider: 'writer', 'api-key': KEY, ...inputs } })
    if (run.exitCode !== 0 && run.exitCode !== 1)
      throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
    expectNoSecret(run, wireForms(KEY))
    return { ...run, report: run.report as Report }
  }

  describe('TLS', () => {
    test('a CA trusted through NODE_EXTRA_CA_CERTS: deletes work, TLS connections ≤ concurrency', async () => {
      const ca = await testCa()
      const emulator = await httpsEmulator(ca, { ip: ['127.0.0.1'] }, { files: ids(60), latencyMs: 2 })
      const run = await act(
        { 'base-url': emulator.url, 'file-ids': ids(60).join(' '), concurrency: '4' },
        { NODE_EXTRA_CA_CERTS: ca.file }
      )
      expect(run.exitCode).toBe(0)
      expect(list(run.outputs.deleted)).toHaveLength(60)
      expect(emulator.store.size).toBe(0)
      expect(emulator.socketsOpened).toBeGreaterThan(0)
      expect(emulator.socketsOpened).toBeLessThanOrEqual(4)
    })

    test.each<[string, { dns?: string[]; ip?: string[] }, boolean, RegExp]>([
      [
        'an untrusted certificate (a self-signed staging host, a TLS-inspecting proxy)',
        { ip: ['127.0.0.1'] },
        false,
        /^TLS certificate problem: the server's certificate is not signed by a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); trust its CA with NODE_EXTRA_CA_CERTS$/
      ],
      [
        'a certificate for another host name',
        { dns: ['api.writer.test'] },
        true,
        /^TLS certificate problem: the server's certificate is for another host name \(ERR_TLS_CERT_ALTNAME_INVALID\)/
      ]
    ])(
      '%s: every ID fails naming the problem, no request is ever sent, the step fails fast',
      async (_, names, trusted, problem) => {
        const ca = await testCa()
        const emulator = await httpsEmulator(ca, names, { files: ids(30) })
        const run = await act(
          { 'base-url': emulator.url, 'file-ids': ids(30).join(' '), concurrency: '4', 'fail-on': 'none' },
          trusted ? { NODE_EXTRA_CA_CERTS: ca.file } : {}
        )
        expect(run.exitCode).toBe(1)
        expect(run.report.entries.every(e => e.outcome === 'failed')).toBe(true)
        for (const entry of run.report.entries) expect(entry.reason?.replace(/^not attempted: /, '')).toMatch(problem)
        // Not retried: no more attempts than slots, and the handshake failed before any request (or key) left.
        expect(run.report.entries.reduce((sum, e) => sum + e.attempts, 0)).toBeLessThanOrEqual(4)
        expect(emulator.requests).toHaveLength(0)
        expect(emulator.tlsFailures).toBeGreaterThan(0)
        expect(emulator.store.size).toBe(30)
        expect(run.report.verdict.message).toMatch(/^the run stopped: TLS certificate problem/)
      }
    )
  })

  describe('a proxy', () => {
    /** An HTTPS emulator for api.writer.test, which only the proxy can resolve. */
    async function behindProxy(files: string[], proxyOptions: Parameters<typeof startProxy>[0] = {}) {
      const ca = await testCa()
      const emulator = await httpsEmulator(ca, { dns: ['api.writer.test'] }, { files, latencyMs: 2 })
      const proxy = await startProxy({ hosts: { 'api.writer.test': `127.0.0.1:${emulator.port}` }, ...proxyOptions })
      const baseUrl = `https://api.writer.test:${emulator.port}`
      return { ca, emulator, proxy, baseUrl }
    }

    test('deletes over HTTPS through CONNECT tunnels, tunnels ≤ concurrency, the key only inside TLS', async () => {
      const { ca, emulator, proxy, baseUrl } = await behindProxy(ids(80))
      const run = await act(
        { 'base-url': baseUrl, 'file-ids': ids(80).join(' '), concurrency: '4' },
        { NODE_EXTRA_CA_CERTS: ca.file, https_proxy: proxy.url }
      )
      expect(run.exitCode).toBe(0)
      expect(emulator.store.size).toBe(0)
      expect(proxy.tunnels).toBeGreaterThan(0)
      expect(proxy.tunnels).toBeLessThanOrEqual(4)
      expect(proxy.connects.every(c => c.target === `api.writer.test:${emulator.port}`)).toBe(true)
      // Everything the proxy could read: the CONNECT lines and TLS records. The key is not in it.
      for (const form of wireForms(KEY)) expect(proxy.seen()).not.toContain(form)
      expect(run.report.proxy).toBe(`127.0.0.1:${proxy.port}`)
      expect(run.stdout).toContain(`through proxy 127.0.0.1:${proxy.port} (https_proxy)`)
      expectInRoute(emulator)
    })

    test('proxy credentials: decoded and sent to the proxy only, masked, and absent from every channel', async () => {
      const { ca, emulator, proxy, baseUrl } = await behindProxy(ids(3), {
        credentials: { user: 'build', password: 'p@ss' }
      })
      const proxyUrl = `http://build:p%40ss@127.0.0.1:${proxy.port}`
      const run = await act(
        { 'base-url': baseUrl, 'file-ids': ids(3).join(' ') },
        { NODE_EXTRA_CA_CERTS: ca.file, HTTPS_PROXY: proxyUrl }
      )
      expect(run.exitCode).toBe(0)
      expect(emulator.store.size).toBe(0)
      const basic = Buffer.from('build:p@ss').toString('base64')
      expect(proxy.connects.every(c => c.proxyAuthorization === `Basic ${basic}`)).toBe(true)
      expect(run.commands.filter(c => c.command === 'add-mask').map(c => c.message)).toEqual(
        expect.arrayContaining(['p%40ss', 'p@ss', basic])
      )
      expectNoSecret(run, ['p%40ss', 'p@ss', basic])
    })

    test('a 407: every ID fails with a reason naming the proxy, never its credentials; nothing reaches the provider', async () => {
      const { ca, emulator, proxy, baseUrl } = await behindProxy(ids(5), {
        credentials: { user: 'build', password: 'right' }
      })
      const run = await act(
        { 'base-url': baseUrl, 'file-ids': ids(5).join(' '), 'fail-on': 'none' },
        { NODE_EXTRA_CA_CERTS: ca.file, https_proxy: `http://build:wr0ng@127.0.0.1:${proxy.port}` }
      )
      expect(run.exitCode).toBe(1)
      const refusal = `proxy 127.0.0.1:${proxy.port} refused the tunnel (HTTP 407 Proxy Authentication Required): check the credentials in the proxy URL`
      expect(run.report.entries.map(e => e.reason?.replace(/^not attempted: /, ''))).toEqual(ids(5).map(() => refusal))
      expect(emulator.requests).toHaveLength(0)
      expectNoSecret(run, ['wr0ng', Buffer.from('build:wr0ng').toString('base64')])
    })

    test('a proxy that refuses with a 5xx, or cannot be reached: retried, then failed naming the proxy', async () => {
      const { ca, emulator, proxy, baseUrl } = await behindProxy(ids(2), { refuseWith: 502 })
      const refused = await act(
        { 'base-url': baseUrl, 'file-ids': ids(2).join(' '), 'max-retries': '1' },
        { NODE_EXTRA_CA_CERTS: ca.file, https_proxy: proxy.url }
      )
      expect(refused.report.entries.map(e => [e.attempts, e.reason])).toEqual(
        ids(2).map(() => [2, `proxy 127.0.0.1:${proxy.port} refused the tunnel (HTTP 502 Bad Gateway) (2 attempts)`])
      )
      expect(emulator.requests).toHaveLength(0)
    })

    test('no_proxy sends a host direct, and loopback is never proxied', async () => {
      const proxy = await startProxy()
      const ca = await testCa()
      const direct = await httpsEmulator(ca, { ip: ['127.0.0.1'] }, { files: ['a'] })
      const loopback = await act(
        { 'base-url': direct.url, 'file-ids': 'a' },
        { NODE_EXTRA_CA_CERTS: ca.file, https_proxy: proxy.url, HTTPS_PROXY: proxy.url }
      )
      expect(loopback.exitCode).toBe(0)
      expect(loopback.report.proxy).toBeNull()
      // api.writer.test resolves only through the proxy: going direct, as no_proxy says, it cannot be found.
      const bypassed = await act(
        { 'base-url': 'https://api.writer.test', 'file-ids': 'b', 'max-retries': '0', 'timeout-seconds': '5' },
        { https_proxy: proxy.url, no_proxy: 'localhost,.test' }
      )
      expect(bypassed.report.entries[0]!.reason).toMatch(/^connection error: (ENOTFOUND|EAI_AGAIN) \(1 attempt\)$/)
      expect(proxy.connects).toEqual([])
    })

    test('a proxy variable that is not a proxy URL is a policy violation, and nothing is sent', async () => {
      const run = await act(
        { 'base-url': 'https://api.writer.com', 'file-ids': 'a' },
        { https_proxy: 'socks5://u:s3cret@proxy:1080' }
      )
      expect(run.exitCode).toBe(1)
      expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toEqual([
        'https_proxy: scheme "socks5:" is not supported; use http:// or https://'
      ])
      expectNoSecret(run, ['s3cret'])
    })
  })

  describe('cancellation', () => {
    /**
     * 60 files, four at a time, 150 ms each; f3 never answers and f5's answer is lost after the delete. The signal
     * comes once ten files are gone, with some IDs deleted, some in flight and most never sent.
     */
    async function busyEmulator(): Promise<Emulator> {
      return emulate({ provider: 'imagekit', files: ids(60), latencyMs: 150 }, [
        { id: 'f3', fault: { kind: 'hang' } },
        { id: 'f5', fault: { kind: 'lose-answer' } }
      ])
    }
    const busyInputs = (emulator: Emulator) => ({
      provider: 'imagekit',
      'base-url': emulator.url,
      'file-ids': ids(60).join(' '),
      concurrency: '4',
      bulk: 'false'
    })
    const when = (emulator: Emulator) => () => emulator.deleted.length >= 10

    /**
     * The store against the report: every ID in exactly one list; nothing reported deleted still exists; nothing
     * deleted is unreported (it is deleted, or failed saying its outcome is unknown); deleted is exactly what a 2xx
     * answer confirmed; and an ID no request named was not attempted.
     */
    function expectStoreAgrees(emulator: Emulator, planned: string[], report: Report, outputs: Record<string, string>) {
      const deleted = list(outputs.deleted)
      const missing = list(outputs.missing)
      const failed = list(outputs.failed)
      expect([...deleted, ...missing, ...failed].sort()).toEqual([...planned].sort())
      expect(new Set([...deleted, ...missing, ...failed]).size).toBe(planned.length)
      for (const id of deleted) expect(emulator.store.has(id)).toBe(false)
      const reason = new Map(report.entries.map(e => [e.id, e.reason ?? '']))
      for (const id of emulator.deleted) expect(deleted.includes(id) || reason.get(id)!.endsWith(UNKNOWN)).toBe(true)
      const confirmed = new Set(emulator.requests.filter(r => r.status === 204).map(r => r.id))
      expect(deleted.filter(id => !confirmed.has(id))).toEqual([])
      expect([...confirmed].filter(id => id !== undefined && !deleted.includes(id))).toEqual([])
      const named = new Set(emulator.requests.map(r => r.id))
      for (const e of report.entries) {
        if (!named.has(e.id))
          expect(e).toMatchObject({ outcome: 'failed', attempts: 0, reason: 'not attempted: cancelled' })
        else expect(e.reason ?? '').not.toMatch(/^not attempted/)
      }
    }

    test.each<Cancel['signal']>(['SIGINT', 'SIGTERM'])(
      '%s: outputs, report, summary and annotations are written within the grace, and the store agrees',
      async signal => {
        const emulator = await busyEmulator()
        const run = await act(busyInputs(emulator), {}, { cancel: { signal, when: when(emulator) }, timeoutMs: 30_000 })
        // It exited by itself, failing, before the runner's next signal would have come.
        expect(run.signal).toBeNull()
        expect(run.exitCode).toBe(1)
        expect(run.signalsSent.map(s => s.signal)).toEqual([signal])
        const sentAt = run.signalsSent[0]!.atMs
        expect(run.exitedAtMs - sentAt).toBeLessThan(RUNNER_SIGTERM_AFTER_MS)
        expect(run.stdout).toContain(`received ${signal}: cancelling`)
        expect(run.report.verdict).toMatchObject({
          failed: true,
          message: expect.stringMatching(new RegExp(`^the run stopped: cancelled \\(${signal}\\)`))
        })
        expect(run.summary).toContain('**Failed**: ` the run stopped: cancelled')
        expect(
          run.commands.some(
            c => c.command === 'error' && c.message.startsWith('file-purge: the run stopped: cancelled')
          )
        ).toBe(true)
        const entry = (id: string) => run.report.entries.find(e => e.id === id)!
        expect(entry('f3')).toMatchObject({
          outcome: 'failed',
          reason: `cancelled while waiting for the answer; ${UNKNOWN}`
        })
        // f5 was deleted, but its answer was lost with the connection: not confirmed, so not reported deleted.
        expect(entry('f5')).toMatchObject({
          outcome: 'failed',
          reason: expect.stringMatching(new RegExp(`; ${UNKNOWN}$`))
        })
        expect(emulator.store.has('f5')).toBe(false)
        expect(entry('f59')).toMatchObject({ outcome: 'failed', attempts: 0, reason: 'not attempted: cancelled' })
        expectStoreAgrees(emulator, ids(60), run.report, run.outputs)
      },
      30_000
    )

    test('a second signal exits at once', async () => {
      const emulator = await busyEmulator()
      const run = await act(
        busyInputs(emulator),
        {},
        { cancel: { signal: 'SIGINT', when: when(emulator), againAfterMs: 300 }, timeoutMs: 30_000 }
      )
      expect(run.exitCode).toBe(1)
      expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT', 'SIGINT'])
      // Well before the 3 s grace would have ended.
      expect(run.exitedAtMs - run.signalsSent[1]!.atMs).toBeLessThan(1000)
      // Yet it leaves the report, the outputs and an error naming the IDs whose outcome is unknown (f3 hangs).
      expect(run.outputs['report-file']).toMatch(/report\.json$/)
      expect(run.report.entries).toHaveLength(60)
      expect(run.report.entries.find(e => e.id === 'f3')).toMatchObject({
        outcome: 'failed',
        reason: `stopped at once before an answer came; ${UNKNOWN}`
      })
      const last = run.commands.filter(c => c.command === 'error').at(-1)?.message ?? ''
      expect(last).toMatch(/^file-purge: stopped at once \(SIGINT\); outcome unknown \(sent, no answer yet; .*"f3"/)
      expectStoreAgrees(emulator, ids(60), run.report, run.outputs)
    })

    test('the command on Ctrl-C: the report on stdout, exit code 130, and the store agrees', async () => {
      const emulator = await busyEmulator()
      const cwd = scratchDir('file-purge-cli-')
      const args = [
        '--provider',
        'imagekit',
        '--base-url',
        emulator.url,
        '--file-ids',
        ids(60).join(','),
        '--concurrency',
        '4',
        '--no-bulk',
        '--json'
      ]
      const run = await runProcess(node, [bundledEntry(path.join('dist', 'cli', 'index.js')), ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', [API_KEY_VARIABLE]: KEY },
        timeoutMs: 30_000,
        cancel: { signal: 'SIGINT', when: when(emulator) }
      })
      expect(run.exitCode).toBe(130)
      expect(run.exitedAtMs - run.signalsSent[0]!.atMs).toBeLessThan(RUNNER_SIGTERM_AFTER_MS)
      const report = JSON.parse(run.stdout) as Report
      expect(report.verdict.message).toMatch(/^the run stopped: cancelled \(SIGINT\)/)
      const outputs = Object.fromEntries(
        (['deleted', 'missing', 'failed'] as const).map(outcome => [
          outcome,
          JSON.stringify(report.entries.filter(e => e.outcome === outcome).map(e => e.id))
        ])
      )
      expectStoreAgrees(emulator, ids(60), report, outputs)
      expect(run.stdout + run.stderr).not.toContain(KEY)
    }, 30_000)
  })
})
