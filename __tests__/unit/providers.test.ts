import { describe, expect, test } from '@jest/globals'
import {
  anyformatAnswers,
  anyformatError,
  delosAnswers,
  imagekitAnswers,
  writerAnswers
} from '../../emulator/bodies.js'
import { fileUrl } from '../../src/providers/common.js'
import { findProvider, PROVIDERS } from '../../src/providers/index.js'
import type { Classification, Provider } from '../../src/providers/types.js'
import { answer } from '../helpers/answers.js'

const context = (base: string, customerId = '') => ({ baseUrl: new URL(base), apiKey: 'KEY-123', customerId })
/** The ID of the fixtures' Writer deletion, as the delete asked for it. */
const ASKED = writerAnswers.deleted.id
const kind = (
  provider: Provider,
  status: number,
  body: unknown = '',
  headers: Record<string, string> = {},
  id = ASKED
): Classification =>
  provider.classify(answer(status, body, headers), Date.parse('2026-01-01T00:00:00Z'), id).classification
const { writer, imagekit, delos, anyformat } = PROVIDERS

describe('requests', () => {
  test('writer: DELETE /v1/files/{id} with a Bearer key', () => {
    const request = writer.request('7c36a365', context('https://api.writer.com'))
    expect(request.method).toBe('DELETE')
    expect(request.url.href).toBe('https://api.writer.com/v1/files/7c36a365')
    expect(request.headers.Authorization).toBe('Bearer KEY-123')
  })

  test('imagekit: Basic base64("key:") and the derived forms are declared secret', () => {
    const request = imagekit.request('file_id', context('https://api.imagekit.io'))
    expect(request.url.href).toBe('https://api.imagekit.io/v1/files/file_id')
    const encoded = Buffer.from('KEY-123:').toString('base64')
    expect(request.headers.Authorization).toBe(`Basic ${encoded}`)
    expect(imagekit.derivedSecrets('KEY-123')).toEqual([`Basic ${encoded}`, encoded])
  })

  test('delos: the key as the whole Authorization value, Accept: application/json, customerId in the query', () => {
    const request = delos.request('file_78902', context('https://stagep.tst-apidmndelss.com', 'cust 12&345'))
    expect(request.url.href).toBe(
      'https://stagep.tst-apidmndelss.com/v2/storage/file/file_78902?customerId=cust+12%26345'
    )
    expect(request.headers.Authorization).toBe('KEY-123')
    expect(request.headers.Accept).toBe('application/json')
    expect(delos.request('f', context('https://h.example')).url.search).toBe('')
  })

  test('anyformat: the trailing slash is always there', () => {
    expect(anyformat.request('b2c3d4e5', context('https://api.anyformat.ai')).url.href).toBe(
      'https://api.anyformat.ai/v2/files/b2c3d4e5/'
    )
  })

  test('a base-url path prefix is kept in front of the route', () => {
    expect(writer.request('a', context('https://proxy.example.com/writer')).url.href).toBe(
      'https://proxy.example.com/writer/v1/files/a'
    )
    expect(anyformat.request('a', context('http://127.0.0.1:9/p/q')).url.href).toBe(
      'http://127.0.0.1:9/p/q/v2/files/a/'
    )
  })

  test.each(['a:b', "it's", 'x+y=z', '[1]', 'a"b', '<tag>', '{x}', 'a|b', 'a^b', '`t`', '...', ';@&$'])(
    'ID %j becomes exactly one segment that decodes back',
    id => {
      for (const provider of Object.values(PROVIDERS)) {
        const url = provider.request(id, context('https://h.example/base')).url
        const steps = url.pathname.split('/').filter(Boolean)
        const segment = provider === anyformat ? steps.at(-1) : steps.at(-1)
        expect(decodeURIComponent(segment as string)).toBe(id)
        expect(url.origin).toBe('https://h.example')
      }
    }
  )

  test('fileUrl refuses anything that would not be one segment under the prefix', () => {
    expect(() => fileUrl(new URL('https://h.example'), ['v1', 'files'], '..')).toThrow(
      'does not map to one path segment'
    )
    expect(() => fileUrl(new URL('https://h.example'), ['v1', 'files'], '.')).toThrow(
      'does not map to one path segment'
    )
  })

  test('the registry finds providers case-insensitively and nothing else', () => {
    expect(findProvider('DeLoS')).toBe(delos)
    expect(findProvider('toString')).toBeUndefined()
    expect(findProvider('__proto__')).toBeUndefined()
  })
})

describe('writer answers', () => {
  test('200 deleted:true is a deletion', () =>
    expect(kind(writer, 200, writerAnswers.deleted)).toEqual({ kind: 'deleted' }))
  test('200 deleted:false is not', () => expect(kind(writer, 200, writerAnswers.notDeletedFlag).kind).toBe('failed'))
  test('200 without the flag is not confirmed', () => expect(kind(writer, 200, {}).kind).toBe('failed'))
  test('200 deleted:true for another file, or for none, confirms nothing', () => {
    expect(kind(writer, 200, { id: 'some-other-file', deleted: true })).toEqual({
      kind: 'failed',
      reason: 'unexpected answer (HTTP 200); it names the file "some-other-file", not this one; deletion not confirmed'
    })
    expect(kind(writer, 200, { deleted: true }).kind).toBe('failed')
    expect(kind(writer, 200, { id: ASKED.toUpperCase(), deleted: true }).kind).toBe('failed')
  })
  test('another 2xx with deleted:true confirms nothing', () =>
    expect(kind(writer, 202, writerAnswers.deleted)).toEqual({
      kind: 'failed',
      reason: 'unexpected answer (HTTP 202); only 200 confirms a deletion; deletion not confirmed'
    }))
  test('404 is missing', () =>
    expect(kind(writer, 404, writerAnswers.notFound)).toEqual({
      kind: 'missing',
      reason: 'HTTP 404: Resource is not found'
    }))
  test('401 rejects the credentials', () =>
    expect(kind(writer, 401, writerAnswers.unauthorized)).toEqual({
      kind: 'credentials-rejected',
      reason: 'HTTP 401: Invalid token'
    }))
  test('429 without hint is retried after a backoff', () =>
    expect(kind(writer, 429, writerAnswers.rateLimited)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429: Quota exceeded',
      rateLimited: true,
      unanswered: false
    }))
})

describe('imagekit answers', () => {
  test('204 is a deletion', () => expect(kind(imagekit, 204)).toEqual({ kind: 'deleted' }))
  test('404 is missing with the message', () =>
    expect(kind(imagekit, 404, imagekitAnswers.notFound)).toEqual({
      kind: 'missing',
      reason: 'HTTP 404: The requested file does not exist.'
    }))
  test('401 rejects the credentials', () =>
    expect(kind(imagekit, 401, imagekitAnswers.unauthorized).kind).toBe('credentials-rejected'))
  test('429 waits X-RateLimit-Reset milliseconds and announces the window', () => {
    const classified = imagekit.classify(
      answer(429, imagekitAnswers.rateLimited, {
        'X-RateLimit-Limit': '10',
        'X-RateLimit-Interval': '1000',
        'X-RateLimit-Reset': '750'
      }),
      0,
      'a'
    )
    expect(classified.classification).toMatchObject({ kind: 'retry', rateLimited: true, waitMs: 750 })
    expect(classified.window).toEqual({ limit: 10, intervalMs: 1000 })
  })
  test('a 2xx that says success:false is never a deletion', () =>
    expect(kind(imagekit, 200, { success: false, message: 'nope' }).kind).toBe('failed'))
  test('403 refuses the key or the account: the credentials are rejected', () =>
    expect(kind(imagekit, 403, imagekitAnswers.wrongKey)).toEqual({
      kind: 'credentials-rejected',
      reason: 'HTTP 403: Your account cannot be authenticated.'
    }))
})

describe('delos answers: the body decides first', () => {
  test.each([
    [200, delosAnswers.deleted, { kind: 'deleted' }],
    [200, delosAnswers.deletedForCustomer, { kind: 'deleted' }],
    [200, delosAnswers.notFound, { kind: 'missing', reason: 'HTTP 200: File not found: file_99999' }],
    [404, delosAnswers.notFound, { kind: 'missing', reason: 'HTTP 404: File not found: file_99999' }],
    [200, delosAnswers.locked, { kind: 'failed', reason: 'locked: HTTP 200: File is locked and cannot be deleted' }],
    [423, delosAnswers.locked, { kind: 'failed', reason: 'locked: HTTP 423: File is locked and cannot be deleted' }],
    [
      403,
      delosAnswers.accessDenied,
      { kind: 'failed', reason: 'forbidden: HTTP 403: Access denied to file: file_78901' }
    ],
    [200, delosAnswers.unauthorized, { kind: 'credentials-rejected', reason: 'HTTP 200: Unauthorized' }],
    [401, delosAnswers.unauthorized, { kind: 'credentials-rejected', reason: 'HTTP 401: Unauthorized' }],
    [
      200,
      delosAnswers.customerMismatch,
      { kind: 'failed', reason: 'customer mismatch: HTTP 200: File does not belong to specified customer' }
    ]
  ])('%i %j', (status, body, expected) => {
    expect(kind(delos, status, body)).toEqual(expected)
  })
  test('a 200 with success:false and an unknown message is not a deletion', () =>
    expect(kind(delos, 200, { success: false, message: 'Quota' }).kind).toBe('failed'))
  test('a 200 without success:true is not a deletion', () =>
    expect(kind(delos, 200, { message: 'ok' }).kind).toBe('failed'))
  test('"success": true with a status other than 2xx contradicts itself: a 5xx is retried, the rest fail', () => {
    expect(kind(delos, 500, delosAnswers.deleted)).toEqual({
      kind: 'retry',
      reason: 'contradictory answer (HTTP 500 with "success": true)',
      rateLimited: false,
      unanswered: true
    })
    expect(kind(delos, 409, delosAnswers.deleted)).toEqual({
      kind: 'failed',
      reason: 'contradictory answer (HTTP 409 with "success": true)'
    })
    expect(kind(delos, 202, delosAnswers.deleted)).toEqual({ kind: 'deleted' })
  })
  test('a 503 with an unknown body is retried as unanswered', () =>
    expect(kind(delos, 503, '<html>down</html>')).toMatchObject({ kind: 'retry', unanswered: true }))
})

describe('anyformat answers', () => {
  test('204 is a deletion', () => expect(kind(anyformat, 204)).toEqual({ kind: 'deleted' }))
  test('404 NOT_FOUND is missing', () =>
    expect(kind(anyformat, 404, anyformatAnswers.notFound)).toEqual({
      kind: 'missing',
      reason: 'HTTP 404: File not found.'
    }))
  test('429 waits Retry-After seconds', () =>
    expect(kind(anyformat, 429, anyformatAnswers.rateLimited, { 'Retry-After': '7' })).toMatchObject({
      kind: 'retry',
      rateLimited: true,
      waitMs: 7000
    }))
  test('Retry-After as a date', () =>
    expect(
      kind(anyformat, 503, anyformatAnswers.unavailable, { 'Retry-After': 'Thu, 01 Jan 2026 00:00:03 GMT' })
    ).toMatchObject({ kind: 'retry', waitMs: 3000 }))
  test('retry-after-ms wins over Retry-After', () =>
    expect(
      kind(anyformat, 503, anyformatAnswers.unavailable, { 'retry-after-ms': '250', 'Retry-After': '9' })
    ).toMatchObject({ waitMs: 250 }))
  test('a body that says retryable:true is retried', () =>
    expect(kind(anyformat, 409, anyformatAnswers.unavailable).kind).toBe('failed'))
  test('retryable:true on a status outside the never-retried list', () =>
    expect(kind(anyformat, 418, anyformatAnswers.unavailable).kind).toBe('retry'))
  test('422 is failed with the validation message', () =>
    expect(kind(anyformat, 422, anyformatAnswers.validation)).toEqual({
      kind: 'failed',
      reason: 'HTTP 422: Input should be a valid UUID'
    }))
  test('403 refuses the key: the credentials are rejected', () =>
    expect(kind(anyformat, 403, anyformatError(403, 'Missing API key.', 'req_9')).kind).toBe('credentials-rejected'))
  test.each([
    [200, { error: 'Conflict', detail: 'File is locked; not deleted' }],
    [202, { status: 'queued' }],
    [200, '']
  ])('%i %j confirms nothing: only 204 does', (status, body) =>
    expect(kind(anyformat, status, body)).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(new RegExp(`^unexpected answer \\(HTTP ${status}\\).*only 204 confirms a deletion`))
    })
  )
  test('301 (a missing trailing slash) is an unexpected redirect', () =>
    expect(kind(anyformat, 301, '', { Location: '/v2/files/x/' })).toEqual({
      kind: 'failed',
      reason: 'unexpected redirect (HTTP 301 to /v2/files/x/); redirects are not followed'
    }))
})

describe('status classes shared by all providers', () => {
  test.each([408, 412, 429, 500, 502, 503, 504])('%i is retried', status => {
    for (const provider of [writer, imagekit, anyformat]) expect(kind(provider, status).kind).toBe('retry')
  })
  test.each([400, 403, 409, 422, 423, 501])('%i is failed at once', status => {
    // ImageKit's and AnyFormat's 403 refuse the key itself.
    for (const provider of status === 403 ? [writer] : [writer, imagekit, anyformat])
      expect(kind(provider, status, { retryable: status !== 501 }).kind).toBe('failed')
  })
  test('410 is missing', () => {
    for (const provider of [writer, imagekit, anyformat]) expect(kind(provider, 410).kind).toBe('missing')
  })
  test('5xx counts as unanswered, 408/412/429 do not', () => {
    expect(kind(imagekit, 502)).toMatchObject({ unanswered: true })
    expect(kind(imagekit, 408)).toMatchObject({ unanswered: false })
  })
  test('an HTML error page is described, not dumped', () => {
    expect(kind(imagekit, 502, '<!DOCTYPE html><html><body>Bad gateway</body></html>')).toMatchObject({
      reason: 'HTTP 502: HTML page instead of an API answer'
    })
  })
  test('a 2xx that says "deleted": false or "success": false is never a deletion, for any provider', () => {
    for (const provider of Object.values(PROVIDERS)) {
      expect(kind(provider, 200, { deleted: false }).kind).toBe('failed')
      expect(kind(provider, 202, { success: false }).kind).toBe('failed')
    }
  })
  test('a 2xx HTML page confirms no deletion', () => {
    for (const provider of [imagekit, anyformat]) {
      expect(kind(provider, 200, '<!DOCTYPE html><html><body>Sign in</body></html>')).toEqual({
        kind: 'failed',
        reason:
          'unexpected answer (HTTP 200): HTML page instead of an API answer; only 204 confirms a deletion; deletion not confirmed'
      })
      expect(kind(provider, 200, '{}').kind).toBe('failed')
    }
  })
  test('a 2xx cut at the read bound confirms no deletion', () => {
    for (const provider of Object.values(PROVIDERS)) {
      expect(
        provider.classify({ ...answer(200, { success: true, deleted: true }), truncated: true }, 0, ASKED)
          .classification
      ).toEqual({ kind: 'failed', reason: 'HTTP 200: answer larger than 64 KiB; deletion not confirmed' })
    }
  })
  test('a plain-text body is kept as the reason', () =>
    expect(kind(writer, 400, 'bad id')).toEqual({ kind: 'failed', reason: 'HTTP 400: bad id' }))
})

describe('imagekit bulk', () => {
  const bulk = imagekit.bulk!
  const classifyBulk = (status: number, body: unknown, ids: string[], headers: Record<string, string> = {}) =>
    bulk.classify(answer(status, body, headers), ids, 0).classification

  test('POST /v1/files/batch/deleteByFileIds with {"fileIds": [...]} and Basic auth, at most 100 IDs', () => {
    const request = bulk.request(['a', 'b'], context('https://proxy.example.com/ik'))
    expect(request).toMatchObject({ method: 'POST', body: '{"fileIds":["a","b"]}' })
    expect(request.url.href).toBe('https://proxy.example.com/ik/v1/files/batch/deleteByFileIds')
    expect(request.headers['Content-Type']).toBe('application/json')
    expect(request.headers.Authorization).toBe(`Basic ${Buffer.from('KEY-123:').toString('base64')}`)
    expect(bulk.maxIds).toBe(100)
  })

  test('200 lists what was deleted; anything else in the chunk is unconfirmed', () => {
    expect(classifyBulk(200, { successfullyDeletedFileIds: ['a', 'zzz'] }, ['a', 'b'])).toEqual({
      kind: 'deleted',
      deleted: ['a'],
      refused: [],
      unconfirmed: ['b']
    })
  })

  test('207 lists what was deleted and what was not, with its error; an ID in neither is unconfirmed', () => {
    const body = {
      successfullyDeletedFileIds: ['a', 'zzz'],
      errors: [
        { fileId: 'b', error: 'File is being processed' },
        { fileId: 'not-asked', error: 'x' },
        { fileId: 'a', error: 'listed twice' }
      ]
    }
    expect(classifyBulk(207, body, ['a', 'b', 'c'])).toEqual({
      kind: 'deleted',
      deleted: ['a'],
      refused: [{ id: 'b', reason: 'HTTP 207: File is being processed' }],
      unconfirmed: ['c']
    })
    // A 207 without errors confirms its list, and the rest go one by one.
    expect(classifyBulk(207, { successfullyDeletedFileIds: ['a'] }, ['a', 'b'])).toMatchObject({
      deleted: ['a'],
      refused: [],
      unconfirmed: ['b']
    })
    // errors in another shape than [{fileId, error}] confirm nothing: the chunk goes one by one.
    expect(classifyBulk(207, { successfullyDeletedFileIds: ['a'], errors: [{ id: 'b' }] }, ['a', 'b']).kind).toBe(
      'fallback'
    )
    // refused IDs are never listed as confirmed, whatever the 200 says of errors.
    expect(
      classifyBulk(200, { successfullyDeletedFileIds: ['a'], errors: [{ fileId: 'b', error: 'e' }] }, ['a', 'b'])
    ).toMatchObject({ refused: [], unconfirmed: ['b'] })
  })

  test('404 with missingFileIds: those are missing, nothing deleted', () => {
    expect(
      classifyBulk(404, { message: 'The requested file(s) does not exist.', missingFileIds: ['b'] }, ['a', 'b'])
    ).toEqual({
      kind: 'missing',
      missing: ['b'],
      reason: 'HTTP 404: The requested file(s) does not exist.'
    })
  })

  test('429 and 5xx retry the chunk, 401 rejects the credentials, other answers fall back to one by one', () => {
    expect(classifyBulk(429, {}, ['a'], { 'X-RateLimit-Reset': '300' })).toMatchObject({
      kind: 'retry',
      rateLimited: true,
      waitMs: 300
    })
    expect(classifyBulk(500, '', ['a'])).toMatchObject({ kind: 'retry', unanswered: true })
    expect(classifyBulk(401, imagekitAnswers.unauthorized, ['a']).kind).toBe('credentials-rejected')
    expect(classifyBulk(400, { message: 'fileIds must be at most 100' }, ['a'])).toEqual({
      kind: 'fallback',
      reason: 'HTTP 400: fileIds must be at most 100',
      unanswered: false
    })
    // A 2xx it cannot read, or a 5xx not worth retrying, may have deleted the chunk all the same.
    expect(classifyBulk(200, { success: true }, ['a'])).toMatchObject({ kind: 'fallback', unanswered: true })
    expect(classifyBulk(520, 'origin error', ['a'])).toMatchObject({ kind: 'fallback', unanswered: true })
    expect(classifyBulk(404, imagekitAnswers.notFound, ['a']).kind).toBe('fallback')
    expect(classifyBulk(200, { success: false }, ['a']).kind).toBe('fallback')
    expect(classifyBulk(301, '', ['a']).kind).toBe('fallback')
  })
})
