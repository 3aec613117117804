import { describe, expect, test } from '@jest/globals'
import { createTransport, MAX_BODY_BYTES, TransportError } from '../src/http.js'
import { bindProvider, PROVIDERS } from '../src/providers/index.js'
import { purge } from '../src/engine/purge.js'
import { closedAfterTest, emulate, KEY, rawServer, unusedPort } from './helpers/common.js'

const ids = (n: number) => Array.from({ length: n }, (_, i) => `file_${i}`)

describe('transport', () => {
  test('connections are kept alive and reused: sockets ≤ concurrency for many requests', async () => {
    const emulator = await emulate({ provider: 'writer', files: ids(300), latencyMs: 2 })
    const transport = closedAfterTest(createTransport({ maxSockets: 6 }))
    const context = { baseUrl: new URL(emulator.url), apiKey: KEY, customerId: '' }
    const result = await purge({
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
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
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
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
    const started = Date.now()
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 300 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect(error).toMatchObject({ kind: 'timeout', message: 'no answer within 300 ms' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  test('a body that never ends hits the timeout too', async () => {
    const url = await rawServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.write('{"deleted":')
    })
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 300 })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'timeout' })
  })

  test('a connection reset is a connection error', async () => {
    const url = await rawServer(req => req.socket.resetAndDestroy())
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
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
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
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
    const transport = closedAfterTest(createTransport({ maxSockets: 1 }))
    const answer = await transport.send({ method: 'DELETE', url: new URL('/x', url), headers: {}, timeoutMs: 5000 })
    expect(answer.status).toBe(500)
    expect(answer.body.length).toBe(MAX_BODY_BYTES)
  })
})
