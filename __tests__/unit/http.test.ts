import { describe, expect, test } from '@jest/globals'
import { createTransport, MAX_BODY_BYTES, TransportError } from '../../src/transport/http.js'
import { bindProvider, PROVIDERS } from '../../src/providers/index.js'
import { purgeAll } from '../helpers/engine.js'
import { proxyFor } from '../../src/transport/proxy.js'
import { closedAfterTest, emulate, KEY, rawServer, unusedPort } from '../helpers/common.js'
import { startProxy } from '../helpers/proxy.js'

const ids = (n: number) => Array.from({ length: n }, (_, i) => `file_${i}`)

describe('transport', () => {
  test('connections are kept alive and reused: sockets ≤ concurrency for many requests', async () => {
    const emulator = await emulate({ provider: 'writer', files: ids(300), latencyMs: 2 })
    const transport = closedAfterTest(await createTransport({ maxSockets: 6 }))
    const context = { baseUrl: new URL(emulator.url), apiKey: KEY, customerId: '' }
    const result = await purgeAll({
      ids: ids(300),
      ...bindProvider(PROVIDERS.writer, context, false),
      transport,
      concurrency: 6,
      maxRetries: 0,
      timeoutMs: 5000,
      secrets: [KEY]
    })
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    expect(emulator.store.size).toBe(0)
    expect(emulator.socketsOpened).toBeLessThanOrEqual(6)
    expect(transport.socketsOpened).toBeLessThanOrEqual(6)
  })

  test('a redirect is returned, never followed', async () => {
    let followed = 0
    const url = await rawServer((req, res) => {
      if (req.url === '/elsewhere') followed++
      res.writeHead(302, { Location: '/elsewhere' }).end()
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const answer = await transport.send({
      method: 'DELETE',
      url: new URL('/v1/files/a', url),
      headers: { Authorization: 'Bearer x' },
      timeoutMs: 2000
    })
    expect(answer.status).toBe(302)
    expect(answer.headers.get('location')).toBe('/elsewhere')
    expect(followed).toBe(0)
  })

  test('a server that never answers hits the per-attempt timeout', async () => {
    const url = await rawServer(() => {
      // never answers
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 300 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ kind: 'timeout', message: 'no answer within 300 ms' })
  })

  test('a body that never ends hits the timeout too', async () => {
    const url = await rawServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.write('{"deleted":')
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 300 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  test('a connection reset is a connection error', async () => {
    const url = await rawServer(req => req.socket.resetAndDestroy())
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 2000 })
      .catch((e: unknown) => e)
    if (!(error instanceof TransportError)) throw new Error(`expected a TransportError, got ${String(error)}`)
    expect(error.kind).toBe('connection')
    expect(error.message).toMatch(/^connection error: /)
    expect(error.message).not.toContain('http://')
  })

  test('a refused connection is a connection error naming the code', async () => {
    const url = new URL(`http://127.0.0.1:${await unusedPort()}`)
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 2000 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'connection', message: 'connection error: ECONNREFUSED' })
  })

  test('a huge answer is read only up to the bound', async () => {
    const url = await rawServer((_, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end('x'.repeat(10 * 1024 * 1024))
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const answer = await transport.send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 5000 })
    expect(answer.status).toBe(500)
    expect(answer.body.length).toBe(MAX_BODY_BYTES)
  })
})

describe('through a proxy (CONNECT tunnels)', () => {
  /** The proxy the runner's variables name for `target`, which must be one. */
  function proxySetting(target: string, env: NodeJS.ProcessEnv) {
    const choice = proxyFor(new URL(target), env)
    if (!('proxy' in choice) || choice.proxy === undefined) throw new Error(`no proxy for ${target}`)
    return choice.proxy
  }

  test('tunnels are kept alive and reused: at most maxSockets for many requests, all through the proxy', async () => {
    const emulator = await emulate({ provider: 'writer', files: ids(200), latencyMs: 2 })
    const proxy = await startProxy({ hosts: { 'api.writer.test': `127.0.0.1:${emulator.port}` } })
    const transport = closedAfterTest(
      await createTransport({ maxSockets: 4, proxy: proxySetting('http://api.writer.test', { http_proxy: proxy.url }) })
    )
    const context = { baseUrl: new URL('http://api.writer.test'), apiKey: KEY, customerId: '' }
    const result = await purgeAll({
      ids: ids(200),
      ...bindProvider(PROVIDERS.writer, context, false),
      transport,
      concurrency: 4,
      maxRetries: 0,
      timeoutMs: 5000,
      secrets: [KEY]
    })
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    expect(proxy.connects.every(c => c.target === 'api.writer.test:80')).toBe(true)
    expect(proxy.tunnels).toBeLessThanOrEqual(4)
    expect(transport.socketsOpened).toBe(proxy.tunnels)
    expect(emulator.socketsOpened).toBe(proxy.tunnels)
  })

  test('credentials in the URL are decoded and sent to the proxy only, as Proxy-Authorization', async () => {
    const emulator = await emulate({ provider: 'writer', files: ['a'] })
    const proxy = await startProxy({
      hosts: { 'api.writer.test': `127.0.0.1:${emulator.port}` },
      credentials: { user: 'build', password: 'p@ss:w0rd' }
    })
    const setting = proxySetting('http://api.writer.test', {
      http_proxy: `http://build:p%40ss%3Aw0rd@127.0.0.1:${proxy.port}`
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1, proxy: setting }))
    const answer = await transport.send({
      method: 'DELETE',
      url: new URL('http://api.writer.test/v1/files/a'),
      headers: { Authorization: `Bearer ${KEY}` },
      timeoutMs: 5000
    })
    expect(answer.status).toBe(200)
    expect(proxy.connects[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from('build:p@ss:w0rd').toString('base64')}`)
    expect(emulator.requests[0]!.headers['proxy-authorization']).toBeUndefined()
  })

  test.each<[string, Partial<Parameters<typeof startProxy>[0]>, string, boolean]>([
    [
      'a 407 (no credentials)',
      { credentials: { user: 'u', password: 'right' } },
      'HTTP 407 Proxy Authentication Required',
      true
    ],
    ['a 403', { refuseWith: 403 }, 'HTTP 403 Forbidden', true],
    ['a 502', { refuseWith: 502 }, 'HTTP 502 Bad Gateway', false]
  ])(
    'a proxy refusing the tunnel with %s: a proxy error naming its host, never the request it refused',
    async (_, how, status, fatal) => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] })
      const proxy = await startProxy({ hosts: { 'api.writer.test': `127.0.0.1:${emulator.port}` }, ...how })
      const setting = proxySetting('http://api.writer.test', { http_proxy: `http://u:wrong@127.0.0.1:${proxy.port}` })
      const transport = closedAfterTest(await createTransport({ maxSockets: 1, proxy: setting }))
      const error = await transport
        .send({
          method: 'DELETE',
          url: new URL('http://api.writer.test/v1/files/a'),
          headers: { Authorization: `Bearer ${KEY}` },
          timeoutMs: 5000
        })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TransportError)
      expect(error).toMatchObject({ kind: 'proxy', fatal })
      expect((error as TransportError).message).toMatch(
        new RegExp(`^proxy 127\\.0\\.0\\.1:${proxy.port} refused the tunnel \\(${status}\\)`)
      )
      expect((error as TransportError).message).not.toContain('wrong')
      expect(emulator.requests).toHaveLength(0)
      // The request (and its key) never went to the proxy in place of the provider.
      expect(proxy.seen()).not.toContain(KEY)
    }
  )

  test('a proxy that cannot be reached is a connection error naming it', async () => {
    const port = await unusedPort()
    const transport = closedAfterTest(
      await createTransport({
        maxSockets: 1,
        proxy: proxySetting('http://api.writer.test', { http_proxy: `127.0.0.1:${port}` })
      })
    )
    const error = await transport
      .send({ method: 'DELETE', url: new URL('http://api.writer.test/v1/files/a'), headers: {}, timeoutMs: 5000 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      kind: 'connection',
      fatal: false,
      message: `connection error: ECONNREFUSED (through proxy 127.0.0.1:${port})`
    })
  })
})

describe('cancellation', () => {
  test('an aborted request fails as cancelled at once, and the connection is dropped', async () => {
    let arrived: () => void = () => undefined
    const waiting = new Promise<void>(resolve => (arrived = resolve))
    let dropped: Promise<void> = new Promise(() => undefined)
    const url = await rawServer(req => {
      dropped = new Promise(resolve => req.socket.once('close', () => resolve()))
      arrived()
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const controller = new AbortController()
    // A limit far beyond the test's own: only the abort can end this request while the test runs.
    const pending = transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 3_600_000, signal: controller.signal })
      .catch((e: unknown) => e)
    await waiting
    controller.abort()
    expect(await pending).toMatchObject({ kind: 'cancelled', message: 'cancelled while waiting for the answer' })
    await dropped
  })
})
