import { describe, expect, test } from '@jest/globals'
import { anyformatAnswers, delosAnswers, imagekitAnswers, writerAnswers, writerDeleted } from '../../emulator/bodies.js'
import { tallyOf } from '../../__fixtures__/report.js'
import { backoffMs, DEFAULT_BACKOFF } from '../../src/engine/pacing.js'
import { PROVIDERS } from '../../src/providers/index.js'
import { MAX_RATE_LIMITED_ATTEMPTS } from '../../src/engine/decide.js'
import { answer } from '../helpers/answers.js'
import { TransportError } from '../../src/transport/http.js'
import { verdict } from '../../src/report/verdict.js'
import { ok, runEngine, type Scripted } from '../helpers/engine.js'

const { writer, imagekit, delos, anyformat } = PROVIDERS
const ids = (n: number, prefix = 'f') => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const outcomes = (results: { id: string; outcome: string }[]) => Object.fromEntries(results.map(r => [r.id, r.outcome]))

describe('the pool', () => {
  test('every ID settles once, in input order, with at most `concurrency` in flight', async () => {
    const list = ids(200)
    const { result, sent, maxInFlight } = await runEngine({
      provider: imagekit,
      ids: list,
      script: ok,
      concurrency: 7,
      latencyMs: (_, n) => 5 + (n % 3)
    })
    expect(result.results.map(r => r.id)).toEqual(list)
    expect(
      result.results.every(
        r => r.outcome === 'deleted' && r.attempts === 1 && r.httpStatus === 204 && r.reason === null
      )
    ).toBe(true)
    expect(sent).toHaveLength(200)
    expect(maxInFlight).toBe(7)
    expect(result.requests).toBe(200)
  })

  test('a slow answer holds no other ID back', async () => {
    const { sent } = await runEngine({
      provider: imagekit,
      ids: ids(20),
      script: ok,
      concurrency: 2,
      latencyMs: id => (id === 'f0' ? 1000 : 10)
    })
    // f0 takes 1000 ms; the other slot serves f1..f19 meanwhile.
    expect(sent.find(s => s.id === 'f19')?.at).toBeLessThan(sent[0]!.at + 1000)
  })

  test('requests send only planned IDs', async () => {
    const list = ['a', 'b:c', "it's"]
    const { sent } = await runEngine({ provider: writer, ids: list, script: () => answer(200, writerAnswers.deleted) })
    expect(sent.map(s => s.id).sort()).toEqual([...list].sort())
  })
})

describe('outcomes', () => {
  test('deleted, missing and failed per provider answers', async () => {
    const script = (id: string) =>
      id === 'gone'
        ? answer(404, imagekitAnswers.notFound)
        : id === 'bad'
          ? answer(400, { message: 'Invalid fileId' })
          : answer(204)
    const { result } = await runEngine({ provider: imagekit, ids: ['a', 'gone', 'bad'], script })
    expect(result.results).toEqual([
      expect.objectContaining({ id: 'a', outcome: 'deleted', reason: null, attempts: 1 }),
      expect.objectContaining({
        id: 'gone',
        outcome: 'missing',
        httpStatus: 404,
        reason: 'HTTP 404: The requested file does not exist.'
      }),
      expect.objectContaining({
        id: 'bad',
        outcome: 'failed',
        httpStatus: 400,
        reason: 'HTTP 400: Invalid fileId',
        attempts: 1
      })
    ])
  })

  test.each([400, 403, 404, 409, 410, 422, 423])('%i is never retried', async status => {
    const { sent } = await runEngine({
      provider: anyformat,
      ids: ['a'],
      script: () => answer(status, { detail: 'x', retryable: true })
    })
    expect(sent).toHaveLength(1)
  })

  test('delos: locked, forbidden and customer mismatch fail with their reason; soft-deleted twice is deleted', async () => {
    const bodies: Record<string, unknown> = {
      l: delosAnswers.locked,
      f: delosAnswers.accessDenied,
      c: delosAnswers.customerMismatch,
      d: delosAnswers.deleted
    }
    const { result } = await runEngine({
      provider: delos,
      ids: ['l', 'f', 'c', 'd'],
      script: id => answer(200, bodies[id])
    })
    expect(result.results.map(r => [r.outcome, r.reason])).toEqual([
      ['failed', 'locked: HTTP 200: File is locked and cannot be deleted'],
      ['failed', 'forbidden: HTTP 200: Access denied to file: file_78901'],
      ['failed', 'customer mismatch: HTTP 200: File does not belong to specified customer'],
      ['deleted', null]
    ])
  })
})

describe('retries', () => {
  test('5xx is retried up to max-retries with growing full-jitter backoff, then failed with the attempt count', async () => {
    const { result, sent } = await runEngine({
      provider: writer,
      ids: ['a'],
      script: () => answer(503, 'Service Unavailable'),
      maxRetries: 3,
      random: () => 1
    })
    expect(sent).toHaveLength(4)
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at - 10)
    expect(gaps).toEqual([500, 1000, 2000])
    expect(result.results[0]).toMatchObject({
      outcome: 'failed',
      attempts: 4,
      httpStatus: 503,
      reason: 'HTTP 503: Service Unavailable (4 attempts)'
    })
  })

  test('max-retries 0 means one attempt', async () => {
    const { sent } = await runEngine({ provider: writer, ids: ['a'], script: () => answer(500), maxRetries: 0 })
    expect(sent).toHaveLength(1)
  })

  test('timeouts and connection errors are retried and then reported', async () => {
    const { result } = await runEngine({
      provider: writer,
      ids: ['t', 'r'],
      script: id => (id === 't' ? 'timeout' : 'reset'),
      maxRetries: 1,
      timeoutMs: 3000
    })
    expect(result.results).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        httpStatus: null,
        attempts: 2,
        reason: 'no answer within 3000 ms (2 attempts)'
      }),
      expect.objectContaining({
        outcome: 'failed',
        httpStatus: null,
        attempts: 2,
        reason: 'connection error: ECONNRESET (2 attempts)'
      })
    ])
  })

  test('the backoff envelope starts at 0.5 s, doubles and is capped near 20 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map(n => backoffMs(DEFAULT_BACKOFF, n, () => 1))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 20000, 20000
    ])
    expect(backoffMs(DEFAULT_BACKOFF, 3, () => 0)).toBe(0)
  })

  test('a Retry-After hint replaces the backoff', async () => {
    const script = (_: string, n: number) =>
      n === 1 ? answer(503, anyformatAnswers.unavailable, { 'Retry-After': '4' }) : answer(204)
    const { sent, result } = await runEngine({ provider: anyformat, ids: ['a'], script })
    expect(sent[1]!.at - sent[0]!.at).toBe(10 + 4000)
    expect(result.results[0]).toMatchObject({ outcome: 'deleted', attempts: 2 })
  })

  test('a rate limit asking to wait more than 60 s stops the run instead of stalling the step', async () => {
    const { sent, result } = await runEngine({
      provider: anyformat,
      ids: ids(50),
      script: () => answer(429, anyformatAnswers.rateLimited, { 'Retry-After': '3600' }),
      concurrency: 1
    })
    expect(sent).toHaveLength(1)
    expect(result.results[0]!.reason).toBe(
      'HTTP 429: Rate limit exceeded.; the provider asks to wait 3600 s, longer than the 60 s this action waits'
    )
    expect(result.results[1]!.reason).toBe(
      'not attempted: rate limited: the provider asks to wait 3600 s, longer than the 60 s this action waits'
    )
  })

  test('a 503 asking to wait more than 60 s fails that ID only', async () => {
    const script = (id: string) => (id === 'f0' ? answer(503, {}, { 'Retry-After': '3600' }) : ok())
    const { result } = await runEngine({ provider: anyformat, ids: ids(3), script })
    expect(result.results.map(r => r.outcome)).toEqual(['failed', 'deleted', 'deleted'])
  })

  test('one 60 s hint is waited out even with max-retries 0', async () => {
    const script = (id: string, n: number) =>
      id === 'a' && n === 1 ? answer(429, anyformatAnswers.rateLimited, { 'Retry-After': '60' }) : answer(204)
    for (const maxRetries of [0, 2]) {
      const { result } = await runEngine({
        provider: anyformat,
        ids: ['a', 'b', 'c'],
        script,
        maxRetries,
        concurrency: 1
      })
      expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    }
  })
})

describe('not found after our own unanswered attempt', () => {
  test.each([
    ['a timeout', 'timeout' as const],
    ['a connection reset', 'reset' as const],
    ['a 502', answer(502, '<html>bad gateway</html>')]
  ])('404 after %s counts as deleted, and the report says why', async (_, first) => {
    const { result } = await runEngine({
      provider: imagekit,
      ids: ['a'],
      script: (_, n) => (n === 1 ? first : answer(404, imagekitAnswers.notFound))
    })
    expect(result.results[0]).toMatchObject({ outcome: 'deleted', attempts: 2, httpStatus: 404 })
    expect(result.results[0]!.reason).toContain('after an earlier attempt got no answer: counted as deleted')
  })

  test('404 after a 429 (a definite answer) stays missing', async () => {
    const script = (_: string, n: number) =>
      n === 1 ? answer(429, {}, { 'X-RateLimit-Reset': '100' }) : answer(404, imagekitAnswers.notFound)
    const { result } = await runEngine({ provider: imagekit, ids: ['a'], script })
    expect(result.results[0]!.outcome).toBe('missing')
  })

  test('delos: "File not found" after a timeout counts as deleted', async () => {
    const { result } = await runEngine({
      provider: delos,
      ids: ['a'],
      script: (_, n) => (n === 1 ? 'timeout' : answer(200, delosAnswers.notFound))
    })
    expect(result.results[0]!.outcome).toBe('deleted')
  })
})

describe('rate limits', () => {
  test('a 429 pauses the whole pool until X-RateLimit-Reset has passed', async () => {
    const script = (id: string, n: number) =>
      id === 'f0' && n === 1 ? answer(429, imagekitAnswers.rateLimited, { 'X-RateLimit-Reset': '1500' }) : ok()
    const { sent, result } = await runEngine({ provider: imagekit, ids: ids(30), script, concurrency: 4 })
    const limitedAt = sent[0]!.at + 10
    const after = sent.filter(s => s.at >= limitedAt)
    expect(after.length).toBeGreaterThan(20)
    expect(after.every(s => s.at >= limitedAt + 1500)).toBe(true)
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    expect(result.rateLimitedAnswers).toBe(1)
  })

  test('a 429 halves the requests in flight, and successes raise it again', async () => {
    const script = (id: string, n: number) => (id === 'f3' && n === 1 ? answer(429, {}, { 'Retry-After': '1' }) : ok())
    const { sent } = await runEngine({ provider: anyformat, ids: ids(200), script, concurrency: 8 })
    const resumedAt = sent.find(s => s.id === 'f3')!.at + 10 + 1000
    const after = sent.filter(s => s.at >= resumedAt)
    expect(after.slice(0, 4).map(s => s.inFlight)).toEqual([1, 2, 3, 4])
    expect(after[4]!.at).toBeGreaterThan(resumedAt)
    expect(Math.max(...after.slice(-20).map(s => s.inFlight))).toBe(8)
  })

  test('writer: a 429 without hint pauses for a jittered backoff', async () => {
    const script = (_: string, n: number) =>
      n === 1 ? answer(429, writerAnswers.rateLimited) : answer(200, writerDeleted('a'))
    const { sent, result } = await runEngine({ provider: writer, ids: ['a'], script, random: () => 1 })
    expect(sent[1]!.at - sent[0]!.at - 10).toBe(375)
    expect(result.results[0]!.outcome).toBe('deleted')
  })

  test('the announced window spaces requests evenly', async () => {
    const headers = { 'X-RateLimit-Limit': '10', 'X-RateLimit-Interval': '1000' }
    const { sent } = await runEngine({
      provider: imagekit,
      ids: ids(30),
      script: () => answer(204, '', headers),
      concurrency: 8
    })
    const later = sent.slice(10)
    const gaps = later.slice(1).map((s, i) => s.at - later[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100)
  })

  test('429s use up no retries: waiting out a rate limit is not a failure', async () => {
    const script = (id: string, n: number) =>
      id === 'f0' && n <= 6 ? answer(429, {}, { 'X-RateLimit-Reset': '50' }) : ok()
    const { result, sent } = await runEngine({
      provider: imagekit,
      ids: ids(60),
      script,
      concurrency: 3,
      maxRetries: 1,
      latencyMs: id => (id === 'f0' ? 40 : 5)
    })
    expect(sent.filter(s => s.id === 'f0')).toHaveLength(7)
    expect(result.results[0]).toMatchObject({ id: 'f0', outcome: 'deleted', attempts: 7 })
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
  })

  test(`one ID answered 429 forever fails after ${MAX_RATE_LIMITED_ATTEMPTS} attempts even while others progress`, async () => {
    const script = (id: string) => (id === 'f0' ? answer(429, {}, { 'X-RateLimit-Reset': '10' }) : ok())
    const { result } = await runEngine({
      provider: imagekit,
      ids: ids(500),
      script,
      concurrency: 2,
      maxRetries: 1,
      latencyMs: id => (id === 'f0' ? 40 : 5)
    })
    expect(result.results[0]).toMatchObject({ outcome: 'failed', httpStatus: 429 })
    expect(result.results[0]!.attempts).toBeLessThanOrEqual(MAX_RATE_LIMITED_ATTEMPTS)
    expect(result.results.slice(1).every(r => r.outcome === 'deleted')).toBe(true)
  })

  test('a provider that answers 429 forever cannot hang the step', async () => {
    const { result, clock, sent } = await runEngine({
      provider: anyformat,
      ids: ids(1000),
      script: () => answer(429, anyformatAnswers.rateLimited, { 'Retry-After': '30' }),
      concurrency: 8,
      maxRetries: 3
    })
    expect(result.results.every(r => r.outcome === 'failed')).toBe(true)
    expect(
      result.results.filter(r => r.attempts === 0).every(r => r.reason?.startsWith('not attempted: rate limited'))
    ).toBe(true)
    // Stalled no longer than all retries of one ID could wait, (max-retries + 1) × 20 s, and one last pause; not a
    // pause per ID.
    expect(clock.now() - sent[0]!.at).toBeLessThanOrEqual(4 * 20_000 + 30_000 + 1000)
    expect(sent.length).toBeLessThan(100)
  })

  test('with max-retries 0 the stall limit is still one full 60 s wait, so any hint the action accepts is waited once', async () => {
    const script = (_: string, n: number) =>
      n === 1 ? answer(429, anyformatAnswers.rateLimited, { 'Retry-After': '45' }) : answer(204)
    const once = await runEngine({ provider: anyformat, ids: ['a'], script, maxRetries: 0 })
    expect(once.result.results[0]).toMatchObject({ outcome: 'deleted', attempts: 2 })
    const forever = await runEngine({
      provider: writer,
      ids: ids(50),
      script: () => answer(429, writerAnswers.rateLimited),
      maxRetries: 0
    })
    expect(forever.result.results.every(r => r.outcome === 'failed')).toBe(true)
    expect(forever.clock.now() - forever.sent[0]!.at).toBeLessThanOrEqual(60_000 + 20_000 + 1000)
    expect(forever.clock.now() - forever.sent[0]!.at).toBeGreaterThan(30_000)
  })
})

describe('credentials rejected', () => {
  test('a 401 starts no new request; the rest fail as not attempted', async () => {
    const { result, sent } = await runEngine({
      provider: writer,
      ids: ['a', 'b', 'c'],
      script: () => answer(401, writerAnswers.unauthorized),
      concurrency: 1
    })
    expect(sent).toHaveLength(1)
    expect(result.credentialsRejected).toBe(true)
    expect(result.results.map(r => [r.outcome, r.reason])).toEqual([
      ['failed', 'credentials rejected: HTTP 401: Invalid token'],
      ['failed', 'not attempted: credentials rejected'],
      ['failed', 'not attempted: credentials rejected']
    ])
  })

  test('delos "Unauthorized" in a 200 body aborts too', async () => {
    const { result, sent } = await runEngine({
      provider: delos,
      ids: ['a', 'b'],
      script: () => answer(200, delosAnswers.unauthorized),
      concurrency: 1
    })
    expect(sent).toHaveLength(1)
    expect(result.credentialsRejected).toBe(true)
  })

  test('an ID waiting for its retry is not retried after a 401', async () => {
    const script = (id: string) => (id === 'a' ? answer(503) : answer(401))
    // a answers first and waits for its retry; c takes its slot; b's 401 then stops the run.
    const { result, sent } = await runEngine({
      provider: writer,
      ids: ['a', 'b', 'c', 'd'],
      script,
      concurrency: 2,
      latencyMs: id => (id === 'a' ? 5 : 10)
    })
    expect(sent.map(s => s.id)).toEqual(['a', 'b', 'c'])
    expect(outcomes(result.results)).toEqual({ a: 'failed', b: 'failed', c: 'failed', d: 'failed' })
    expect(result.results[0]!.reason).toBe(
      'HTTP 503; not retried: credentials rejected; its outcome is unknown, it may have been deleted'
    )
    expect(result.results[3]!.reason).toBe('not attempted: credentials rejected')
  })
})

describe('secrets', () => {
  test('the key and its derived forms never reach a reason', async () => {
    const key = 'sk-live-0123456789'
    const basic = Buffer.from(`${key}:`).toString('base64')
    const script = () => answer(400, { message: `bad key ${key} / Basic ${basic} \n::error::pwned` })
    const { result } = await runEngine({
      provider: imagekit,
      ids: ['a'],
      script,
      apiKey: key,
      extra: { secrets: [key, `Basic ${basic}`, basic] }
    })
    const reason = result.results[0]!.reason!
    expect(reason).not.toContain(key)
    expect(reason).not.toContain(basic)
    expect(reason).not.toMatch(/[\r\n]/)
    expect(reason).not.toContain('::')
    expect(reason).toBe('HTTP 400: bad key *** / *** : :error: :pwned')
  })

  test('reasons are cut to 200 characters', async () => {
    const { result } = await runEngine({
      provider: imagekit,
      ids: ['a'],
      script: () => answer(400, { message: 'x'.repeat(5000) })
    })
    expect(result.results[0]!.reason!.length).toBe(200)
  })
})

describe('bulk chunks (ImageKit)', () => {
  const deletedAll = (ids: string[]) => answer(200, { successfullyDeletedFileIds: ids })

  test('IDs go in chunks of 100, in order', async () => {
    const { sent, result } = await runEngine({ provider: imagekit, ids: ids(250), script: ok, bulkScript: deletedAll })
    expect(sent.map(s => s.id.split(',').length)).toEqual([100, 100, 50])
    expect(sent[0]!.url).toBe('https://provider.test/v1/files/batch/deleteByFileIds')
    expect(result.results.every(r => r.outcome === 'deleted' && r.httpStatus === 200 && r.attempts === 1)).toBe(true)
  })

  test('missing IDs are set aside and the rest sent again, since nothing was deleted', async () => {
    const absent = new Set(['f3', 'f7'])
    const bulkScript = (chunk: string[]) => {
      const missing = chunk.filter(id => absent.has(id))
      return missing.length > 0
        ? answer(404, { message: 'The requested file(s) does not exist.', missingFileIds: missing })
        : deletedAll(chunk)
    }
    const { sent, result } = await runEngine({ provider: imagekit, ids: ids(10), script: ok, bulkScript })
    expect(sent.map(s => s.id.split(',').length)).toEqual([10, 8])
    expect(outcomes(result.results)).toEqual({
      f0: 'deleted',
      f1: 'deleted',
      f2: 'deleted',
      f3: 'missing',
      f4: 'deleted',
      f5: 'deleted',
      f6: 'deleted',
      f7: 'missing',
      f8: 'deleted',
      f9: 'deleted'
    })
    expect(result.results[3]).toMatchObject({ reason: 'HTTP 404: The requested file(s) does not exist.', attempts: 1 })
    expect(result.results[0]).toMatchObject({ attempts: 2 })
  })

  test('a chunk the bulk call cannot serve falls back to one DELETE per file', async () => {
    const { sent, result } = await runEngine({
      provider: imagekit,
      ids: ids(3),
      script: ok,
      bulkScript: () => answer(400, { message: 'Bulk disabled' })
    })
    expect(sent.map(s => s.id)).toEqual(['bulk:f0,f1,f2', 'f0', 'f1', 'f2'])
    expect(result.results.every(r => r.outcome === 'deleted' && r.attempts === 2)).toBe(true)
  })

  test('IDs a 200 does not confirm are deleted one by one', async () => {
    const { sent, result } = await runEngine({
      provider: imagekit,
      ids: ids(3),
      script: ok,
      bulkScript: () => deletedAll(['f0', 'f2'])
    })
    expect(sent.map(s => s.id)).toEqual(['bulk:f0,f1,f2', 'f1'])
    expect(result.results.map(r => r.outcome)).toEqual(['deleted', 'deleted', 'deleted'])
  })

  test('a 207: what it lists is deleted, each refused ID gets one DELETE of its own, and nothing else is sent', async () => {
    const refused = new Set(['f17', 'f150'])
    const bulkScript = (chunk: string[]) =>
      answer(207, {
        successfullyDeletedFileIds: chunk.filter(id => !refused.has(id)),
        errors: chunk.filter(id => refused.has(id)).map(fileId => ({ fileId, error: 'File is being processed' }))
      })
    const { sent, result } = await runEngine({ provider: imagekit, ids: ids(200), script: ok, bulkScript })
    // Two bulk requests and one DELETE for each refused ID: 4 requests, not the 202 of resending every chunk.
    expect(sent.map(s => s.id)).toEqual([
      `bulk:${ids(100).join(',')}`,
      `bulk:${ids(200).slice(100).join(',')}`,
      'f17',
      'f150'
    ])
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    expect(result.results[17]).toMatchObject({ attempts: 2, httpStatus: 204 })
  })

  test("a 207's refused ID whose one DELETE fails too fails with the 207's reason, and is not retried", async () => {
    const { sent, result } = await runEngine({
      provider: imagekit,
      ids: ids(3),
      script: id => (id === 'f1' ? answer(503) : ok()),
      bulkScript: () =>
        answer(207, {
          successfullyDeletedFileIds: ['f0'],
          errors: [{ fileId: 'f1', error: 'File is being processed' }]
        })
    })
    // f2 is in neither list: unconfirmed, it goes one by one as before.
    expect(sent.map(s => s.id)).toEqual(['bulk:f0,f1,f2', 'f1', 'f2'])
    expect(outcomes(result.results)).toEqual({ f0: 'deleted', f1: 'failed', f2: 'deleted' })
    expect(result.results[1]!.reason).toMatch(/^HTTP 207: File is being processed; one DELETE of it then: HTTP 503/)
  })

  test("a 207's refused ID that one DELETE finds gone is missing", async () => {
    const { result } = await runEngine({
      provider: imagekit,
      ids: ids(2),
      script: id => (id === 'f1' ? answer(404, imagekitAnswers.notFound) : ok()),
      bulkScript: () => answer(207, { successfullyDeletedFileIds: ['f0'], errors: [{ fileId: 'f1', error: 'x' }] })
    })
    expect(outcomes(result.results)).toEqual({ f0: 'deleted', f1: 'missing' })
  })

  test('5xx and 429 retry the chunk; a 401 stops the run', async () => {
    const retried = await runEngine({
      provider: imagekit,
      ids: ids(4),
      script: ok,
      bulkScript: (chunk, n) =>
        n === 1 ? answer(503) : n === 2 ? answer(429, {}, { 'X-RateLimit-Reset': '100' }) : deletedAll(chunk)
    })
    expect(retried.sent).toHaveLength(3)
    expect(retried.result.results.every(r => r.outcome === 'deleted' && r.attempts === 3)).toBe(true)
    const rejected = await runEngine({
      provider: imagekit,
      ids: ids(150),
      script: ok,
      bulkScript: () => answer(401, imagekitAnswers.unauthorized),
      concurrency: 1
    })
    expect(rejected.sent).toHaveLength(1)
    expect(rejected.result.credentialsRejected).toBe(true)
    expect(rejected.result.results[149]!.reason).toBe('not attempted: credentials rejected')
  })

  test('IDs a bulk request already named are "not retried", never "not attempted", when the run stops', async () => {
    const { result } = await runEngine({
      provider: imagekit,
      ids: ids(3),
      script: () => answer(401, imagekitAnswers.unauthorized),
      bulkScript: () => answer(400, { message: 'no bulk' }),
      concurrency: 1
    })
    expect(result.results.map(r => [r.attempts, r.reason])).toEqual([
      [2, 'credentials rejected: HTTP 401: Your request does not contain private API key.'],
      [1, 'not retried: credentials rejected'],
      [1, 'not retried: credentials rejected']
    ])
  })

  test('answers that arrive after a 401 stopped the run settle their IDs instead of queueing them', async () => {
    // Four chunks in flight: the first 401s; the others answer later with a fallback, a partial deletion and a
    // missing ID, each of which would queue more work.
    const bulkScript = (chunk: string[]) => {
      if (chunk.includes('f0')) return answer(401, imagekitAnswers.unauthorized)
      if (chunk.includes('f100')) return answer(400, { message: 'no bulk' })
      if (chunk.includes('f200')) return deletedAll(chunk.slice(1))
      return answer(404, { message: 'gone', missingFileIds: [chunk[0]] })
    }
    const { result } = await runEngine({
      provider: imagekit,
      ids: ids(400),
      script: ok,
      bulkScript,
      concurrency: 4,
      latencyMs: (id: string) => (id.includes('f0,') ? 5 : 20)
    })
    expect(result.credentialsRejected).toBe(true)
    expect(result.results).toHaveLength(400)
    expect(result.results.filter(r => r.outcome === 'deleted')).toHaveLength(99)
    expect(result.results.find(r => r.id === 'f101')!.reason).toBe('not retried: credentials rejected')
  })

  test.each([
    ['a 200 cut at the read bound', { ...answer(200, '{"successfullyDeletedFileIds":["f0","f1"'), truncated: true }],
    ['a 520 from a proxy in front of the API', answer(520, 'origin error')],
    ['a 200 that lists none of them', answer(200, { successfullyDeletedFileIds: [] })]
  ])(
    'a bulk answer that may have deleted the chunk (%s): a 404 one by one afterwards counts as deleted',
    async (_, bulkAnswer) => {
      const { result } = await runEngine({
        provider: imagekit,
        ids: ids(2),
        script: () => answer(404, imagekitAnswers.notFound),
        bulkScript: () => bulkAnswer
      })
      expect(result.results.map(r => r.outcome)).toEqual(['deleted', 'deleted'])
    }
  )

  test('a chunk sent again after some IDs were missing keeps its retry budget', async () => {
    const bulkScript = (chunk: string[], n: number) =>
      n === 1 ? answer(503) : answer(404, { message: 'missing', missingFileIds: [chunk[0]] })
    const { result } = await runEngine({
      provider: imagekit,
      ids: ['a', 'b', 'c', 'd', 'e'],
      script: () => answer(503),
      bulkScript,
      maxRetries: 1
    })
    // Two failed bulk attempts use up max-retries 1; one resend after 'a' was missing; one last attempt on its own.
    expect(result.results.find(r => r.id === 'e')).toMatchObject({ outcome: 'failed', attempts: 4 })
  })

  test('a 404 after an unanswered bulk attempt counts those IDs as deleted', async () => {
    const bulkScript = (chunk: string[], n: number) =>
      n === 1 ? ('timeout' as const) : answer(404, { message: 'gone', missingFileIds: chunk })
    const { result } = await runEngine({ provider: imagekit, ids: ids(3), script: ok, bulkScript })
    expect(result.results.every(r => r.outcome === 'deleted' && r.reason!.includes('counted as deleted'))).toBe(true)
  })
})

describe('large lists', () => {
  test('100,000 IDs settle once each, in order, with work that does not grow per request', async () => {
    const list = ids(100_000)
    const { result, sent, maxInFlight } = await runEngine({
      provider: writer,
      ids: list,
      script: id => answer(200, writerDeleted(id)),
      concurrency: 16,
      latencyMs: 1
    })
    // A per-request cost growing with N would make this quadratic: far past the test's time limit.
    expect(sent).toHaveLength(100_000)
    expect(maxInFlight).toBe(16)
    expect(result.results).toHaveLength(100_000)
    expect(result.results.every((r, i) => r.id === list[i] && r.outcome === 'deleted')).toBe(true)
  })
})

describe('cancellation', () => {
  test('starts nothing new, lets requests in flight answer within the grace, then cuts them off; every ID settles', async () => {
    // Two slots: f0 hangs; f1 times out at 500 ms and waits 500 ms for its retry; f2 takes f1's slot at 500 ms and
    // answers at 2500 ms. The signal comes at 900 ms, so f1 is waiting, f0 and f2 are in flight and f3.. were never sent.
    const script = (id: string, attempt: number): Scripted => {
      if (id === 'f0') return 'hang'
      if (id === 'f1' && attempt === 1) return 'timeout'
      return ok()
    }
    const { result, sent, clock } = await runEngine({
      provider: imagekit,
      ids: ids(6),
      script,
      latencyMs: id => (id === 'f2' ? 2000 : 10),
      timeoutMs: 500,
      concurrency: 2,
      random: () => 1,
      cancel: { atMs: 900 },
      extra: { cancelGraceMs: 3000 }
    })
    const unknown = 'its outcome is unknown, it may have been deleted'
    expect(result.results.map(r => [r.id, r.outcome, r.attempts, r.reason])).toEqual([
      ['f0', 'failed', 1, `cancelled while waiting for the answer; ${unknown}`],
      // f1's timeout was one of our own attempts with no answer: it may have deleted the file.
      ['f1', 'failed', 1, `no answer within 500 ms; not retried: cancelled; ${unknown}`],
      ['f2', 'deleted', 1, null],
      ['f3', 'failed', 0, 'not attempted: cancelled'],
      ['f4', 'failed', 0, 'not attempted: cancelled'],
      ['f5', 'failed', 0, 'not attempted: cancelled']
    ])
    expect(sent.map(s => [s.id, s.at - 1_000_000])).toEqual([
      ['f0', 0],
      ['f1', 0],
      ['f2', 500]
    ])
    expect(result.halted).toBe('cancelled (SIGINT)')
    // The run ended when the grace ran out, not when the hanging request would have answered.
    expect(clock.now() - 1_000_000).toBe(900 + 3000)
  })

  test('deleted lists exactly the IDs an answer confirmed', async () => {
    const { result } = await runEngine({
      provider: writer,
      ids: ids(6),
      script: (id: string) => (id === 'f1' || id === 'f2' ? 'hang' : answer(200, { id, deleted: true })),
      concurrency: 3,
      cancel: { atMs: 50 },
      extra: { cancelGraceMs: 100 }
    })
    expect(result.results.filter(r => r.outcome === 'deleted').map(r => r.id)).toEqual(['f0', 'f3', 'f4', 'f5'])
    expect(result.results.filter(r => r.outcome === 'failed').map(r => r.id)).toEqual(['f1', 'f2'])
  })

  test('a run cancelled before it starts sends nothing', async () => {
    const { result, sent } = await runEngine({
      provider: anyformat,
      ids: ids(3),
      script: ok,
      extra: { signal: AbortSignal.abort('SIGTERM') }
    })
    expect(sent).toHaveLength(0)
    expect(result.results.map(r => r.reason)).toEqual(ids(3).map(() => 'not attempted: cancelled'))
    expect(result.halted).toBe('cancelled (SIGTERM)')
  })

  test('the verdict fails and says the run was cancelled, whatever fail-on says', () => {
    const { tally } = tallyOf([
      { id: 'a', outcome: 'deleted', httpStatus: 204, reason: null, attempts: 1, ms: 1 },
      { id: 'b', outcome: 'failed', httpStatus: null, reason: 'not attempted: cancelled', attempts: 0, ms: 0 }
    ])
    const v = verdict({ credentialsRejected: false, halted: 'cancelled (SIGTERM)' }, tally, {
      failed: false,
      missing: false
    })
    expect(v).toEqual({
      failed: true,
      message:
        'the run stopped: cancelled (SIGTERM) (1 deleted, 0 missing, 1 failed of 2). "b" failed: not attempted: cancelled'
    })
  })
})

describe('transport failures that will not fix themselves', () => {
  test('an untrusted certificate stops the run at once: every ID fails naming it, none is retried', async () => {
    const tls = new TransportError(
      'tls',
      "TLS certificate problem: the server's certificate is not signed by a trusted CA (SELF_SIGNED_CERT_IN_CHAIN)",
      true
    )
    const { result, sent } = await runEngine({ provider: writer, ids: ids(20), script: () => tls, concurrency: 2 })
    expect(sent).toHaveLength(2)
    expect(result.halted).toBe(tls.message)
    expect(result.results.every(r => r.outcome === 'failed' && r.reason!.includes('SELF_SIGNED_CERT_IN_CHAIN'))).toBe(
      true
    )
    expect(result.results.slice(2).every(r => r.reason === `not attempted: ${tls.message}`)).toBe(true)
    expect(verdict(result, tallyOf(result.results).tally, { failed: false, missing: false }).failed).toBe(true)
  })

  test('a proxy answering CONNECT with a 5xx is retried, as a request that never reached the provider', async () => {
    const refused = new TransportError('proxy', 'proxy proxy.test:3128 refused the tunnel (HTTP 502 Bad Gateway)')
    const { result, sent } = await runEngine({
      provider: imagekit,
      ids: ['a'],
      script: (_, n) => (n < 3 ? refused : answer(404, imagekitAnswers.notFound)),
      maxRetries: 3
    })
    expect(sent).toHaveLength(3)
    // Never sent, so not "deleted after an unanswered attempt": the file really was missing.
    expect(result.results[0]).toMatchObject({ outcome: 'missing' })
  })

  test('a proxy refusing with 407 stops the run, naming the proxy', async () => {
    const refused = new TransportError(
      'proxy',
      'proxy proxy.test:3128 refused the tunnel (HTTP 407 Proxy Authentication Required): check the credentials in the proxy URL',
      true
    )
    const { result, sent } = await runEngine({ provider: delos, ids: ids(5), script: () => refused, concurrency: 1 })
    expect(sent).toHaveLength(1)
    expect(result.results.map(r => r.reason)).toEqual([
      refused.message,
      ...ids(4).map(() => `not attempted: ${refused.message}`)
    ])
  })
})
