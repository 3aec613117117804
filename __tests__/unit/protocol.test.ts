import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import nock from 'nock'
import { anyformatAnswers, delosAnswers, imagekitAnswers, writerAnswers } from '../../emulator/bodies.js'
import { createTransport } from '../../src/transport/http.js'
import { bindProvider, PROVIDERS, type ProviderName } from '../../src/providers/index.js'
import { purgeAll } from '../helpers/engine.js'
import { KEY } from '../helpers/common.js'

/** Each provider's wire protocol, through the real transport, with nock standing in for the provider's host. */

// Importing nock turns interception on; it is turned off again after this file, so that no other test file in the
// same worker sends through it (while active, nock gives every real request a new socket, hiding keep-alive reuse).
beforeAll(() => {
  if (!nock.isActive()) nock.activate()
  nock.disableNetConnect()
})
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([])
  nock.cleanAll()
})
afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
  nock.restore()
})

async function run(provider: ProviderName, ids: string[], { customerId = '', concurrency = 2 } = {}) {
  const transport = await createTransport({ maxSockets: concurrency })
  const spec = PROVIDERS[provider]
  const context = { baseUrl: new URL(spec.defaultBaseUrl), apiKey: KEY, customerId }
  try {
    return await purgeAll({
      ids,
      ...bindProvider(spec, context, false),
      transport,
      concurrency,
      maxRetries: 1,
      timeoutMs: 5000,
      secrets: [KEY],
      backoff: { baseMs: 1, capMs: 5, maxHintMs: 60_000 }
    })
  } finally {
    transport.close()
  }
}

describe('writer on the wire', () => {
  test('DELETE /v1/files/{id} with Bearer; 200 deleted, 404 missing, 200 deleted:false failed', async () => {
    const api = nock('https://api.writer.com', { reqheaders: { authorization: `Bearer ${KEY}` } })
    api.delete('/v1/files/7c36a365-392f-43ba-840d-8f3103b42572').reply(200, writerAnswers.deleted)
    api.delete('/v1/files/gone').reply(404, writerAnswers.notFound)
    api.delete('/v1/files/kept').reply(200, writerAnswers.notDeletedFlag)
    const { results } = await run('writer', ['7c36a365-392f-43ba-840d-8f3103b42572', 'gone', 'kept'])
    expect(results.map(r => r.outcome)).toEqual(['deleted', 'missing', 'failed'])
  })

  test('429 then 200: retried', async () => {
    const api = nock('https://api.writer.com')
    api.delete('/v1/files/a').reply(429, writerAnswers.rateLimited)
    api.delete('/v1/files/a').reply(200, { id: 'a', deleted: true })
    const { results } = await run('writer', ['a'])
    expect(results[0]).toMatchObject({ outcome: 'deleted', attempts: 2 })
  })
})

describe('imagekit on the wire', () => {
  const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`

  test('DELETE /v1/files/{id} with Basic base64("key:"); 204 deleted, 404 missing', async () => {
    const api = nock('https://api.imagekit.io', { reqheaders: { authorization: basic } })
    api.delete('/v1/files/file_id').reply(204)
    api.delete('/v1/files/nope').reply(404, imagekitAnswers.notFound)
    const { results } = await run('imagekit', ['file_id', 'nope'])
    expect(results.map(r => [r.outcome, r.reason])).toEqual([
      ['deleted', null],
      ['missing', 'HTTP 404: The requested file does not exist.']
    ])
  })

  test('an ID with reserved characters travels as one encoded segment', async () => {
    nock('https://api.imagekit.io').delete('/v1/files/a%3Ab').reply(204)
    const { results } = await run('imagekit', ['a:b'])
    expect(results[0]!.outcome).toBe('deleted')
  })

  test('401 stops the run', async () => {
    nock('https://api.imagekit.io').delete('/v1/files/a').reply(401, imagekitAnswers.unauthorized)
    const result = await run('imagekit', ['a', 'b', 'c'], { concurrency: 1 })
    expect(result.credentialsRejected).toBe(true)
    expect(result.results.slice(1).map(r => r.reason)).toEqual([
      'not attempted: credentials rejected',
      'not attempted: credentials rejected'
    ])
  })
})

describe('delos on the wire', () => {
  test('key as the whole Authorization value, Accept: application/json, customerId query', async () => {
    const api = nock('https://stagep.tst-apidmndelss.com', {
      reqheaders: { authorization: KEY, accept: 'application/json' }
    })
    api
      .delete('/v2/storage/file/file_78902')
      .query({ customerId: 'cust_12345' })
      .reply(200, delosAnswers.deletedForCustomer)
    api.delete('/v2/storage/file/file_99999').query({ customerId: 'cust_12345' }).reply(200, delosAnswers.notFound)
    api.delete('/v2/storage/file/locked_1').query({ customerId: 'cust_12345' }).reply(200, delosAnswers.locked)
    api.delete('/v2/storage/file/theirs').query({ customerId: 'cust_12345' }).reply(403, delosAnswers.customerMismatch)
    const { results } = await run('delos', ['file_78902', 'file_99999', 'locked_1', 'theirs'], {
      customerId: 'cust_12345'
    })
    expect(results.map(r => r.outcome)).toEqual(['deleted', 'missing', 'failed', 'failed'])
    expect(results[2]!.reason).toMatch(/^locked: /)
    expect(results[3]!.reason).toMatch(/^customer mismatch: /)
  })

  test('no customerId query when none is given', async () => {
    nock('https://stagep.tst-apidmndelss.com').delete('/v2/storage/file/file_78901').reply(200, delosAnswers.deleted)
    const { results } = await run('delos', ['file_78901'])
    expect(results[0]!.outcome).toBe('deleted')
  })
})

describe('anyformat on the wire', () => {
  test('DELETE /v2/files/{id}/ with the trailing slash and Bearer; 204, 404, 422', async () => {
    const api = nock('https://api.anyformat.ai', { reqheaders: { authorization: `Bearer ${KEY}` } })
    api.delete('/v2/files/b2c3d4e5-f6a7-8901-bcde-f12345678901/').reply(204)
    api.delete('/v2/files/gone/').reply(404, anyformatAnswers.notFound)
    api.delete('/v2/files/bad/').reply(422, anyformatAnswers.validation)
    const { results } = await run('anyformat', ['b2c3d4e5-f6a7-8901-bcde-f12345678901', 'gone', 'bad'])
    expect(results.map(r => r.outcome)).toEqual(['deleted', 'missing', 'failed'])
  })

  test('429 with Retry-After, then 204', async () => {
    const api = nock('https://api.anyformat.ai')
    api.delete('/v2/files/a/').reply(429, anyformatAnswers.rateLimited, { 'Retry-After': '1' })
    api.delete('/v2/files/a/').reply(204)
    const started = Date.now()
    const { results } = await run('anyformat', ['a'])
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(results[0]).toMatchObject({ outcome: 'deleted', attempts: 2 })
  })

  test('a 301 is refused, not followed', async () => {
    nock('https://api.anyformat.ai')
      .delete('/v2/files/a/')
      .reply(301, '', { Location: 'https://elsewhere.example/v2/files/a/' })
    const { results } = await run('anyformat', ['a'])
    expect(results[0]).toMatchObject({
      outcome: 'failed',
      attempts: 1,
      reason: 'unexpected redirect (HTTP 301 to https://elsewhere.example/v2/files/a/); redirects are not followed'
    })
  })
})
