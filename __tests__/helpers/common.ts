/**
 * What test files share: the test key, a seeded PRNG, and things a test starts (emulators, servers, runs of the
 * action, scratch directories, transports), each stopped after the test that started it.
 */
import { afterEach, expect } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions, type FaultRule } from '../../emulator/index.js'
import { runAction, type RunOptions, type RunResult } from '../harness/runner.js'
import type { Transport } from '../../src/transport/http.js'

export type { Report, ReportEntry } from '../../src/report/report.js'

/** The key every emulator accepts in tests; '/', '+' and '=' make sure nothing assumes a plain one. */
export const KEY = 'sk-TEST-k3y/odd+chars=9d2c'
/** The forms of a key that go on the wire: the key, and ImageKit's Basic value with and without its scheme. */
export const wireForms = (key: string): string[] => {
  const basic = Buffer.from(`${key}:`).toString('base64')
  return [key, basic, `Basic ${basic}`]
}

const cleanups: Array<() => unknown> = []

/** Runs `stop` after the current test, newest first, whether the test passed or not. */
export function afterThisTest(stop: () => unknown): void {
  cleanups.push(stop)
}

afterEach(async () => {
  for (const stop of cleanups.splice(0).reverse()) await stop()
})

/** An emulator holding `options.files`, accepting KEY unless told otherwise, with `faults` injected. */
export async function emulate(
  options: Partial<EmulatorOptions> & Pick<EmulatorOptions, 'provider'>,
  faults: readonly FaultRule[] = []
): Promise<Emulator> {
  const emulator = await startEmulator({ apiKey: KEY, ...options })
  afterThisTest(() => emulator.close())
  for (const rule of faults) emulator.inject(rule)
  return emulator
}

/** A plain HTTP server on 127.0.0.1 with this handler; its URL. */
export async function rawServer(handler: http.RequestListener): Promise<URL> {
  const server = http.createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  afterThisTest(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** A fresh directory, removed after the test. */
export function scratchDir(prefix = 'file-purge-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  afterThisTest(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The action run as the runner runs it; its files are removed after the test. Node printed no warning. */
export async function runActionOnce(options: RunOptions): Promise<RunResult> {
  const run = await runAction(options)
  afterThisTest(() => run.cleanup())
  expect(run.stderr).not.toMatch(/\(node:\d+\) \w*Warning/)
  return run
}

/** A transport, closed after the test. */
export function closedAfterTest<T extends Pick<Transport, 'close'>>(transport: T): T {
  afterThisTest(() => transport.close())
  return transport
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface CallInit {
  /** Default DELETE. */
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Default none: a connection of its own. */
  agent?: http.Agent
}

/** One HTTP exchange over node:http, so redirects are not followed and sockets are under test control. */
export function call(url: string, init: CallInit = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: init.method ?? 'DELETE',
      headers: init.headers,
      agent: init.agent ?? false
    })
    req.on('response', res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What a later step or a reader sees of a run: stdout past the ::add-mask:: commands that hide the secrets, and the rest. */
export function visibleChannels(run: RunResult): Record<string, string> {
  return {
    stdout: run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    outputs: JSON.stringify(run.outputs),
    summary: run.summary,
    report: JSON.stringify(run.report ?? null)
  }
}

/** No secret, in any of these forms, shows in any channel of the run. */
export function expectNoSecret(run: RunResult, forms: readonly string[]): void {
  for (const [channel, text] of Object.entries(visibleChannels(run))) {
    for (const form of forms.filter(f => f !== '')) {
      expect({ channel, leaked: text.includes(form) }).toEqual({ channel, leaked: false })
    }
  }
}

/** Every request the emulator got was on one of the provider's routes (a bulk delete with a well-formed body). */
export function expectInRoute(emulator: Emulator): void {
  expect(emulator.requests.filter(r => r.route === 'outside' || (r.route === 'bulk' && r.ids === undefined))).toEqual(
    []
  )
}
