import { describe, expect, test } from '@jest/globals'
import http from 'node:http'
import { writerAnswers } from '../../emulator/bodies.js'
import { type Emulator, type EmulatorOptions, type ProviderName } from '../../emulator/index.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { call, emulate, KEY, type CallInit, type Reply } from '../helpers/common.js'

function parsed(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>
}

interface ProviderClient {
  path(id: string): string
  headers(key: string): Record<string, string>
  deletedStatus: number
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })

const CLIENTS: Record<ProviderName, ProviderClient> = {
  writer: { path: id => `/v1/files/${encodeURIComponent(id)}`, headers: bearer, deletedStatus: 200 },
  imagekit: {
    path: id => `/v1/files/${encodeURIComponent(id)}`,
    headers: key => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }),
    deletedStatus: 204
  },
  delos: {
    path: id => `/v2/storage/file/${encodeURIComponent(id)}`,
    headers: key => ({ authorization: key, accept: 'application/json' }),
    deletedStatus: 200
  },
  anyformat: { path: id => `/v2/files/${encodeURIComponent(id)}/`, headers: bearer, deletedStatus: 204 }
}

const NOT_FOUND_SHAPE: Record<ProviderName, (body: Record<string, unknown>, id: string) => void> = {
  writer: body => expect(body).toEqual(writerAnswers.notFound),
  imagekit: body =>
    expect(body).toEqual({
      message: 'The requested file does not exist.',
      help: 'For support kindly contact us at support@imagekit.io .'
    }),
  delos: (body, id) => expect(body).toEqual({ success: false, message: `File not found: ${id}` }),
  anyformat: body =>
    expect(body).toMatchObject({
      error: 'Not Found',
      detail: 'File not found.',
      error_code: 'NOT_FOUND',
      retryable: false
    })
}

const UNAUTHORIZED_SHAPE: Record<ProviderName, (body: Record<string, unknown>) => void> = {
  writer: body => expect(body).toMatchObject({ tpe: 'Unauthorized', errors: [{ description: expect.any(String) }] }),
  imagekit: body =>
    expect(body).toEqual({ message: 'Your account cannot be authenticated.', help: expect.any(String) }),
  delos: body => expect(body).toEqual({ success: false, message: 'Unauthorized' }),
  anyformat: body => expect(body).toMatchObject({ error_code: 'AUTH_FAILED', retryable: false })
}

function start(options: Partial<EmulatorOptions> & Pick<EmulatorOptions, 'provider'>): Promise<Emulator> {
  return emulate({ files: ['f1', 'f2', 'f3'], ...options })
}

function deleteFile(emulator: Emulator, id: string, init: CallInit = {}): Promise<Reply> {
  const client = CLIENTS[emulator.provider]
  return call(`${emulator.url}${client.path(id)}`, { headers: client.headers(KEY), ...init })
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(resolve => setTimeout(resolve, 5))
}

describe.each(PROVIDER_NAMES)('%s emulator', provider => {
  const client = CLIENTS[provider]

  test('deletes an existing file and records the request', async () => {
    const emulator = await start({ provider })
    const reply = await deleteFile(emulator, 'f1')

    expect(reply.status).toBe(client.deletedStatus)
    expect(emulator.store.has('f1')).toBe(false)
    expect(emulator.deleted).toEqual(['f1'])
    expect(emulator.requests).toHaveLength(1)
    expect(emulator.requests[0]).toMatchObject({ method: 'DELETE', id: 'f1', status: client.deletedStatus, socket: 1 })
    expect(emulator.requests[0]?.path).toBe(client.path('f1'))
  })

  test('answers the provider-shaped not-found for an unknown file', async () => {
    const emulator = await start({ provider })
    const reply = await deleteFile(emulator, 'nope')

    expect(reply.status).toBe(404)
    NOT_FOUND_SHAPE[provider](parsed(reply), 'nope')
    expect(emulator.deleted).toEqual([])
  })

  test('rejects a wrong key before touching the store: 401, or 403 for ImageKit', async () => {
    const emulator = await start({ provider })
    const reply = await deleteFile(emulator, 'f1', { headers: client.headers('wrong') })

    expect(reply.status).toBe(provider === 'imagekit' ? 403 : 401)
    UNAUTHORIZED_SHAPE[provider](parsed(reply))
    expect(emulator.store.has('f1')).toBe(true)
  })

  test('answers 404 plainly outside the route, without an id', async () => {
    const emulator = await start({ provider, files: ['f1', 'a/b'] })
    const base = emulator.url
    const headers = client.headers(KEY)
    const replies = await Promise.all([
      call(`${base}${client.path('f1')}`, { method: 'GET', headers }),
      call(`${base}/v9/elsewhere/f1`, { headers }),
      call(`${base}${client.path('f1').replace('f1', 'f1/extra')}`, { headers }),
      call(`${base}${client.path('a/b')}`, { headers })
    ])

    expect(replies.map(reply => reply.status)).toEqual([404, 404, 404, 404])
    expect(replies[0]?.headers['content-type']).toMatch(/^text\/plain/)
    expect(emulator.requests.every(request => request.id === undefined)).toBe(true)
    expect(emulator.store).toEqual(new Set(['f1', 'a/b']))
  })

  test('status fault applies `times` times, then the file is deleted normally', async () => {
    const emulator = await start({ provider })
    emulator.inject({ id: 'f1', times: 2, fault: { kind: 'status', status: 503 } })

    const other = await deleteFile(emulator, 'f2')
    const first = await deleteFile(emulator, 'f1')
    const second = await deleteFile(emulator, 'f1')
    const third = await deleteFile(emulator, 'f1')

    expect(other.status).toBe(client.deletedStatus)
    expect([first.status, second.status]).toEqual([503, 503])
    expect(first.headers['content-type']).toBe('application/json')
    expect(third.status).toBe(client.deletedStatus)
    expect(emulator.deleted).toEqual(['f2', 'f1'])
  })

  test('rateLimit option answers the provider 429 over the limit', async () => {
    const emulator = await start({ provider, rateLimit: { limit: 2, intervalMs: 60_000 } })
    const statuses = []
    for (const id of ['f1', 'f2', 'f3']) statuses.push((await deleteFile(emulator, id)).status)
    const limited = await deleteFile(emulator, 'f3')

    expect(statuses).toEqual([client.deletedStatus, client.deletedStatus, 429])
    expect(limited.status).toBe(429)
    expect(emulator.store.has('f3')).toBe(true)
    const headers = limited.headers
    if (provider === 'imagekit') {
      expect(headers['x-ratelimit-limit']).toBe('2')
      expect(headers['x-ratelimit-interval']).toBe('60000')
      expect(Number(headers['x-ratelimit-reset'])).toBeGreaterThan(50_000)
      expect(Number(headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60_000)
      expect(headers['retry-after']).toBeUndefined()
    } else if (provider === 'anyformat') {
      expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(50)
      expect(Number(headers['retry-after'])).toBeLessThanOrEqual(60)
      expect(parsed(limited)).toMatchObject({ error_code: 'RATE_LIMITED', retryable: true })
    } else {
      expect(Object.keys(headers).filter(name => /^(retry-after|x-ratelimit)/.test(name))).toEqual([])
    }
    if (provider === 'delos') expect(parsed(limited)).toEqual({ success: false, message: 'Too many requests' })
  })

  test('lose-answer deletes the file and destroys the socket', async () => {
    const emulator = await start({ provider })
    emulator.inject({ times: 1, fault: { kind: 'lose-answer' } })

    await expect(deleteFile(emulator, 'f1')).rejects.toThrow()
    expect(emulator.store.has('f1')).toBe(false)
    expect(emulator.deleted).toEqual(['f1'])
    expect(emulator.requests[0]?.status).toBe(0)
    expect((await deleteFile(emulator, 'f1')).status).toBe(provider === 'delos' ? 200 : 404)
  })

  test('reset destroys the socket and leaves the file', async () => {
    const emulator = await start({ provider })
    emulator.inject({ id: 'f1', times: 1, fault: { kind: 'reset' } })

    await expect(deleteFile(emulator, 'f1')).rejects.toThrow()
    expect(emulator.store.has('f1')).toBe(true)
    expect(emulator.requests[0]).toMatchObject({ id: 'f1', status: 0 })
  })
})

describe('faults', () => {
  test('hang holds the request until close()', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ fault: { kind: 'hang' } })
    const pending = deleteFile(emulator, 'f1')
    await until(() => emulator.requests.length === 1)

    await emulator.close()

    await expect(pending).rejects.toThrow()
    expect(emulator.store.has('f1')).toBe(true)
    expect(emulator.requests[0]?.status).toBe(0)
  })

  test('rate-limit fault carries the hints, resetMs overridable', async () => {
    const imagekit = await start({ provider: 'imagekit' })
    imagekit.inject({ times: 1, fault: { kind: 'rate-limit', resetMs: 250 } })
    const anyformat = await start({ provider: 'anyformat' })
    anyformat.inject({ times: 1, fault: { kind: 'rate-limit', resetMs: 250 } })

    const ik = await deleteFile(imagekit, 'f1')
    const af = await deleteFile(anyformat, 'f1')

    expect(ik.status).toBe(429)
    expect(ik.headers).toMatchObject({
      'x-ratelimit-reset': '250',
      'x-ratelimit-limit': expect.any(String),
      'x-ratelimit-interval': expect.any(String)
    })
    expect(af.status).toBe(429)
    expect(af.headers['retry-after']).toBe('1')
    expect(imagekit.store.has('f1') && anyformat.store.has('f1')).toBe(true)
  })

  test('latency delays the answer; the option applies to every answer', async () => {
    const emulator = await start({ provider: 'writer', latencyMs: 30 })
    emulator.inject({ id: 'f1', times: 1, fault: { kind: 'latency', ms: 120 } })

    const began = Date.now()
    await deleteFile(emulator, 'f2')
    const plain = Date.now() - began
    await deleteFile(emulator, 'f1')
    const slow = Date.now() - began - plain

    expect(plain).toBeGreaterThanOrEqual(25)
    expect(slow).toBeGreaterThanOrEqual(145)
    expect(emulator.deleted).toEqual(['f2', 'f1'])
  })

  test('html, redirect and custom status bodies', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ times: 1, fault: { kind: 'html', status: 502 } })
    emulator.inject({ times: 1, fault: { kind: 'redirect' } })
    emulator.inject({ times: 1, fault: { kind: 'status', status: 500, body: 'oops', headers: { 'x-trace': 't1' } } })

    const html = await deleteFile(emulator, 'f1')
    const redirect = await deleteFile(emulator, 'f1')
    const custom = await deleteFile(emulator, 'f1')

    expect(html.status).toBe(502)
    expect(html.headers['content-type']).toBe('text/html')
    expect(html.body).toContain('<html>')
    expect(redirect.status).toBe(301)
    expect(redirect.headers.location).toBe('https://elsewhere.invalid/v1/files/f1')
    expect(custom).toMatchObject({ status: 500, body: 'oops', headers: { 'x-trace': 't1' } })
    expect(emulator.store.has('f1')).toBe(true)
    emulator.clearFaults()
    expect((await deleteFile(emulator, 'f1')).status).toBe(200)
  })

  test('rules match in order of injection and only for their id', async () => {
    const emulator = await start({ provider: 'writer' })
    emulator.inject({ id: 'f2', times: 1, fault: { kind: 'status', status: 502 } })
    emulator.inject({ times: 1, fault: { kind: 'status', status: 500 } })

    expect((await deleteFile(emulator, 'f2')).status).toBe(502)
    expect((await deleteFile(emulator, 'f1')).status).toBe(500)
    expect((await deleteFile(emulator, 'f1')).status).toBe(200)
    expect(() => emulator.inject({ times: 0, fault: { kind: 'hang' } })).toThrow(RangeError)
  })
})

describe('keep-alive and mounting', () => {
  test('connectLatencyMs is charged once per new connection, as a handshake would be', async () => {
    const emulator = await start({ provider: 'anyformat', latencyMs: 20, connectLatencyMs: 150 })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const timed = async (id: string): Promise<number> => {
      const started = Date.now()
      await deleteFile(emulator, id, { agent })
      return Date.now() - started
    }
    try {
      const first = await timed('f1')
      const second = await timed('f2')
      expect(first).toBeGreaterThanOrEqual(165)
      expect(second).toBeLessThan(120)
    } finally {
      agent.destroy()
    }
    expect(emulator.socketsOpened).toBe(1)
  })

  test('sequential requests reuse one socket', async () => {
    const emulator = await start({ provider: 'anyformat' })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (const id of ['f1', 'f2', 'nope', 'f3']) await deleteFile(emulator, id, { agent })
    } finally {
      agent.destroy()
    }

    expect(emulator.socketsOpened).toBe(1)
    expect(emulator.requests.map(request => [request.id, request.status, request.socket])).toEqual([
      ['f1', 204, 1],
      ['f2', 204, 1],
      ['nope', 404, 1],
      ['f3', 204, 1]
    ])
    expect(emulator.requests.map(request => request.at)).toEqual(
      [...emulator.requests.map(request => request.at)].sort((a, b) => a - b)
    )
  })

  test('pathPrefix mounts the API under a path', async () => {
    const emulator = await start({ provider: 'writer', pathPrefix: '/proxy' })
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/proxy$/)

    const mounted = await deleteFile(emulator, 'f1')
    const bare = await call(`${emulator.url.replace('/proxy', '')}/v1/files/f2`, { headers: bearer(KEY) })

    expect(mounted.status).toBe(200)
    expect(bare.status).toBe(404)
    expect(emulator.requests[0]?.path).toBe('/proxy/v1/files/f1')
    expect(emulator.deleted).toEqual(['f1'])
  })
})

describe('writer specifics', () => {
  test('answers {"id","deleted":true} and 401 for a missing key', async () => {
    const emulator = await start({ provider: 'writer' })
    expect(parsed(await deleteFile(emulator, 'f1'))).toEqual({ id: 'f1', deleted: true })
    expect((await deleteFile(emulator, 'f2', { headers: {} })).status).toBe(401)
  })
})

describe('imagekit specifics', () => {
  const bulk = (emulator: Emulator, body: unknown): Promise<Reply> =>
    call(`${emulator.url}/v1/files/batch/deleteByFileIds`, {
      method: 'POST',
      headers: { ...CLIENTS.imagekit.headers(KEY), 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    })

  test('per-file delete answers 204 with an empty body; missing key has its own message', async () => {
    const emulator = await start({ provider: 'imagekit' })
    const reply = await deleteFile(emulator, 'f1')
    const keyless = await deleteFile(emulator, 'f2', { headers: {} })

    expect(reply.body).toBe('')
    expect(keyless.status).toBe(401)
    expect(parsed(keyless)).toMatchObject({ message: 'Your request does not contain private API key.' })
  })

  test('Basic takes the key and an empty password; imagekitAnyPassword accepts any password, as ImageKit does', async () => {
    const basic = (credentials: string) => ({
      headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
    })
    const strict = await start({ provider: 'imagekit' })
    expect((await deleteFile(strict, 'f1', basic(`${KEY}:do_not_set`))).status).toBe(403)
    expect((await deleteFile(strict, 'f1', basic(`${KEY}:`))).status).toBe(204)
    const lenient = await start({ provider: 'imagekit', imagekitAnyPassword: true })
    expect((await deleteFile(lenient, 'f1', basic(`${KEY}:do_not_set`))).status).toBe(204)
    expect((await deleteFile(lenient, 'f2', basic('other-key:do_not_set'))).status).toBe(403)
  })

  test('bulk delete removes every listed file', async () => {
    const emulator = await start({ provider: 'imagekit' })
    const reply = await bulk(emulator, { fileIds: ['f1', 'f3'] })

    expect(reply.status).toBe(200)
    expect(parsed(reply)).toEqual({ successfullyDeletedFileIds: ['f1', 'f3'] })
    expect(emulator.deleted).toEqual(['f1', 'f3'])
    expect(emulator.requests[0]).toMatchObject({ method: 'POST', ids: ['f1', 'f3'], status: 200 })
  })

  test('bulk delete with a missing ID deletes nothing', async () => {
    const emulator = await start({ provider: 'imagekit' })
    const reply = await bulk(emulator, { fileIds: ['f1', 'gone', 'f2', 'lost'] })

    expect(reply.status).toBe(404)
    expect(parsed(reply)).toMatchObject({
      message: 'The requested file(s) does not exist.',
      missingFileIds: ['gone', 'lost']
    })
    expect(emulator.store).toEqual(new Set(['f1', 'f2', 'f3']))
    expect(emulator.deleted).toEqual([])
  })

  test('bulk delete refuses more than 100 IDs and malformed bodies with 400', async () => {
    const ids = Array.from({ length: 101 }, (_, index) => `b${index}`)
    const emulator = await start({ provider: 'imagekit', files: ids })

    const tooMany = await bulk(emulator, { fileIds: ids })
    const malformed = await bulk(emulator, '{"fileIds":')
    const wrongType = await bulk(emulator, { fileIds: [1, 2] })

    const empty = await bulk(emulator, { fileIds: [] })

    expect([tooMany.status, malformed.status, wrongType.status, empty.status]).toEqual([400, 400, 400, 400])
    expect([tooMany, malformed, wrongType, empty].map(reply => (parsed(reply) as { message: string }).message)).toEqual(
      [
        'fileIds cannot have more than 100 items.',
        'fileIds parameter is missing.',
        'fileIds should be an Array.',
        'fileIds is empty.'
      ]
    )
    expect(emulator.deleted).toEqual([])
    expect((await bulk(emulator, { fileIds: ids.slice(0, 100) })).status).toBe(200)
  })

  test('bulk delete answers 207 for files it refuses: it deletes the rest and names each refused one', async () => {
    const emulator = await start({ provider: 'imagekit', files: ['f1', 'f2', 'f3'], bulkRefusedIds: ['f2'] })
    const reply = await bulk(emulator, { fileIds: ['f1', 'f2', 'f3'] })

    expect(reply.status).toBe(207)
    expect(parsed(reply)).toEqual({
      successfullyDeletedFileIds: ['f1', 'f3'],
      errors: [{ fileId: 'f2', error: expect.any(String) }]
    })
    expect(emulator.store).toEqual(new Set(['f2']))
    expect((await deleteFile(emulator, 'f2')).status).toBe(204)
  })

  test('a fault for an ID applies to a bulk request listing it', async () => {
    const emulator = await start({ provider: 'imagekit' })
    emulator.inject({ id: 'f2', times: 1, fault: { kind: 'status', status: 500 } })

    expect((await bulk(emulator, { fileIds: ['f1', 'f2'] })).status).toBe(500)
    expect(emulator.deleted).toEqual([])
    expect((await bulk(emulator, { fileIds: ['f1', 'f2'] })).status).toBe(200)
  })
})

describe('delos specifics', () => {
  test('refuses a request without Accept: application/json with a non-JSON 406', async () => {
    const emulator = await start({ provider: 'delos' })
    const reply = await deleteFile(emulator, 'f1', { headers: { authorization: KEY, accept: '*/*' } })

    expect(reply.status).toBe(406)
    expect(() => JSON.parse(reply.body) as unknown).toThrow()
    expect(emulator.store.has('f1')).toBe(true)
  })

  test('sends the raw key; a Bearer key is unauthorized', async () => {
    const emulator = await start({ provider: 'delos' })
    const reply = await deleteFile(emulator, 'f1', {
      headers: { authorization: `Bearer ${KEY}`, accept: 'application/json' }
    })
    expect(reply.status).toBe(401)
  })

  test('soft delete is idempotent and counted once', async () => {
    const emulator = await start({ provider: 'delos' })
    const first = await deleteFile(emulator, 'f1')
    const again = await deleteFile(emulator, 'f1')

    expect(parsed(first)).toEqual({ success: true, message: 'File deleted successfully' })
    expect(again.status).toBe(200)
    expect(parsed(again)).toEqual({ success: true, message: 'File deleted successfully' })
    expect(emulator.deleted).toEqual(['f1'])
    expect(emulator.store.has('f1')).toBe(false)
  })

  test('customer context: matching customer deletes, another customer is refused', async () => {
    const emulator = await start({ provider: 'delos', customerId: 'cust_1' })
    const wrong = await call(`${emulator.url}/v2/storage/file/f1?customerId=cust_2`, {
      headers: CLIENTS.delos.headers(KEY)
    })
    const right = await call(`${emulator.url}/v2/storage/file/f1?customerId=cust_1`, {
      headers: CLIENTS.delos.headers(KEY)
    })

    expect(wrong.status).toBe(403)
    expect(parsed(wrong)).toEqual({ success: false, message: 'File does not belong to specified customer' })
    expect(parsed(right)).toEqual({ success: true, message: 'File f1 deleted for customer cust_1' })
    expect(emulator.requests[1]?.url).toBe('/v2/storage/file/f1?customerId=cust_1')
  })

  test('locked and forbidden files exist and cannot be deleted', async () => {
    const emulator = await start({ provider: 'delos', lockedIds: ['lk'], forbiddenIds: ['fb'] })
    const locked = await deleteFile(emulator, 'lk')
    const forbidden = await deleteFile(emulator, 'fb')

    expect(locked.status).toBe(423)
    expect(parsed(locked)).toEqual({ success: false, message: 'File is locked and cannot be deleted' })
    expect(forbidden.status).toBe(403)
    expect(parsed(forbidden)).toEqual({ success: false, message: 'Access denied to file: fb' })
    expect(emulator.store.has('lk') && emulator.store.has('fb')).toBe(true)
  })

  test('delos-error answers success:false with status 200 by default', async () => {
    const emulator = await start({ provider: 'delos' })
    emulator.inject({ id: 'f1', times: 1, fault: { kind: 'delos-error', message: 'Unauthorized' } })

    const reply = await deleteFile(emulator, 'f1')

    expect(reply.status).toBe(200)
    expect(parsed(reply)).toEqual({ success: false, message: 'Unauthorized' })
    expect(emulator.store.has('f1')).toBe(true)
  })
})

describe('anyformat specifics', () => {
  test('without the trailing slash answers 301 to the slashed path', async () => {
    const emulator = await start({ provider: 'anyformat', pathPrefix: '/gw' })
    const reply = await call(`${emulator.url}/v2/files/f1?x=1`, { headers: bearer(KEY) })

    expect(reply.status).toBe(301)
    expect(reply.headers.location).toBe('/gw/v2/files/f1/?x=1')
    expect(emulator.store.has('f1')).toBe(true)
    expect(emulator.requests[0]?.id).toBeUndefined()
  })

  test('an empty ID answers 422 with a validation detail', async () => {
    const emulator = await start({ provider: 'anyformat' })
    const reply = await call(`${emulator.url}/v2/files//`, { headers: bearer(KEY) })

    expect(reply.status).toBe(422)
    expect(parsed(reply)).toMatchObject({
      detail: [{ loc: ['path', 'collection_id'], msg: expect.any(String), type: expect.any(String) }]
    })
  })

  test('retryable fault answers 503 with "retryable": true; every answer has X-API-Version', async () => {
    const emulator = await start({ provider: 'anyformat' })
    emulator.inject({ times: 1, fault: { kind: 'retryable' } })

    const reply = await deleteFile(emulator, 'f1')

    expect(reply.status).toBe(503)
    expect(parsed(reply)).toMatchObject({
      retryable: true,
      error_code: 'SERVICE_UNAVAILABLE',
      request_id: expect.stringMatching(/^[0-9a-f-]{36}$/)
    })
    expect(reply.headers['x-api-version']).toBe('2.0.0')
  })
})
