import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { idProblem, parseIds, uniqueIds } from '../../src/settings/ids.js'
import { PROVIDER_NAMES, PROVIDERS, type Provider, type ProviderName } from '../../src/providers/index.js'
import type { HttpAnswer } from '../../src/providers/types.js'
import { splitList } from '../../src/text.js'
import { answer } from '../helpers/answers.js'
import { KEY } from '../helpers/common.js'
import { run, validId } from '../helpers/properties.js'
import { settingsFrom } from '../helpers/inputs.js'

/**
 * Properties of the parts that face untrusted input: ID parsing, URL building and answer classification (the
 * engine's are in engine-properties.test.ts).
 */

const NAMES = PROVIDER_NAMES

/** Text for the separated form: no ',' inside an ID (it is a separator there), and no first ID starting with '['. */
const separatedIds = fc
  .array(
    validId.filter(id => !id.includes(',')),
    { minLength: 1, maxLength: 30 }
  )
  // A list that starts like JSON ("[" or "{") is read as JSON, or refused.
  .filter(ids => !/^[[{]/.test(ids[0]!))
const separator = fc.constantFrom('\n', ',', ' ', '\t', '\r\n', ', ', ' \n ', ',,', '\n\n', ' , ')

/** Anything a user, a script or an attacker could put into file-ids. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      '.',
      '/',
      '\\',
      '%',
      '?',
      '#',
      ' ',
      '\n',
      ',',
      '[',
      ']',
      '"',
      '\u0000',
      '\u00a0',
      '\uff0f',
      '\u2024'
    ),
    maxLength: 60
  }),
  fc
    .tuple(fc.array(fc.oneof(validId, fc.string({ maxLength: 10 })), { maxLength: 40 }), separator)
    .map(([ids, sep]) => ids.join(sep)),
  fc.json(),
  fc.array(fc.oneof(validId, fc.string({ maxLength: 8 })), { maxLength: 30 }).map(ids => JSON.stringify(ids)),
  fc.array(fc.jsonValue(), { maxLength: 5 }).map(values => JSON.stringify(values)),
  fc
    .tuple(fc.constantFrom(' ', '\n\t', '\ufeff', ''), fc.string({ maxLength: 40 }))
    .map(([lead, rest]) => `${lead}[${rest}`)
)

describe('ID parsing', () => {
  test('any string yields only valid IDs, in order, or problems that name the input', () => {
    run(
      fc.property(anyText, fc.constantFrom('file-ids', 'file-ids-file "ids.txt"'), (text, source) => {
        const { ids, problems } = parseIds(text, source)
        for (const id of ids) expect(idProblem(id)).toBeUndefined()
        for (const problem of problems) expect(problem.startsWith(`${source}: `)).toBe(true)
        if (text.trimStart().startsWith('{')) {
          // A JSON object (or anything starting like one) is no list of IDs: refused whole.
          expect(ids).toEqual([])
          expect(problems).toHaveLength(1)
        } else if (text.trimStart().startsWith('[')) {
          let parsed: unknown
          try {
            parsed = JSON.parse(text.trimStart())
          } catch {
            parsed = undefined
          }
          const strings = Array.isArray(parsed) && parsed.every(item => typeof item === 'string') ? parsed : undefined
          if (strings === undefined) {
            expect(ids).toEqual([])
            expect(problems).toHaveLength(1)
          } else {
            expect(ids).toEqual(strings.filter(id => idProblem(id) === undefined))
            expect(problems.length > 0).toBe(ids.length < strings.length)
          }
        } else {
          const tokens = splitList(text)
          const valid = tokens.filter(id => idProblem(id) === undefined)
          const invalid = tokens.length - valid.length
          expect(ids).toEqual(valid)
          // Twenty invalid IDs named, the rest counted in one more line.
          expect(problems).toHaveLength(Math.min(invalid, 20) + (invalid > 20 ? 1 : 0))
        }
      }),
      3000
    )
  })

  test('through readSettings: either unique valid IDs in order of first appearance, or a violation naming file-ids', () => {
    run(
      fc.property(anyText, text => {
        const { settings, all } = settingsFrom({
          provider: 'writer',
          'api-key': 'k',
          'file-ids': text,
          'max-deletions': '1000000'
        })
        if (all.length === 0) {
          expect(settings.ids.length).toBeGreaterThan(0)
          expect(new Set(settings.ids).size).toBe(settings.ids.length)
          for (const id of settings.ids) expect(idProblem(id)).toBeUndefined()
          expect(settings.ids).toEqual(uniqueIds(parseIds(text, 'file-ids').ids))
        } else {
          expect(all.some(v => v.input === 'file-ids' && v.message.startsWith('file-ids'))).toBe(true)
        }
      }),
      2000
    )
  })

  test('a JSON array of valid IDs round-trips', () => {
    run(
      fc.property(
        fc.array(validId, { maxLength: 40 }),
        fc.constantFrom(undefined, 2, '\t'),
        fc.constantFrom('', ' ', '\n', '\ufeff'),
        (ids, indent, lead) => {
          expect(parseIds(lead + JSON.stringify(ids, null, indent), 'file-ids')).toEqual({ ids, problems: [] })
        }
      ),
      1000
    )
  })

  test('valid IDs separated by newlines, commas or white space round-trip', () => {
    run(
      fc.property(separatedIds, separator, fc.constantFrom('', '\n', ' , '), (ids, sep, edge) => {
        expect(parseIds(edge + ids.join(sep) + edge, 'file-ids')).toEqual({ ids, problems: [] })
      }),
      1000
    )
  })

  test('uniqueIds keeps each ID once, at its first appearance, across lists', () => {
    run(
      fc.property(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 8 }), { maxLength: 4 }),
        lists => {
          const flat = lists.flat()
          expect(uniqueIds(...lists)).toEqual(flat.filter((id, i) => flat.indexOf(id) === i))
        }
      ),
      500
    )
  })
})

describe('URL building', () => {
  const ROUTE: Record<ProviderName, string> = {
    writer: '/v1/files',
    imagekit: '/v1/files',
    delos: '/v2/storage/file',
    anyformat: '/v2/files'
  }
  const origin = fc.constantFrom(
    'https://api.example.com',
    'https://h.example:8443',
    'http://localhost:3000',
    'http://127.0.0.1:8080',
    'http://[::1]:9000'
  )
  const segment = fc.oneof(
    fc
      .string({ unit: fc.constantFrom(...'abcXYZ019-_~.'), minLength: 1, maxLength: 8 })
      .filter(s => s !== '.' && s !== '..'),
    fc.constantFrom('%20', '%41', 'a%2Fb', 'gateway', 'v1')
  )
  const prefix = fc
    .tuple(fc.array(segment, { maxLength: 3 }), fc.constantFrom('', '/', '//'))
    .map(([segments, trailing]) => (segments.length ? `/${segments.join('/')}` : '') + trailing)
  const customerId = fc.string({ unit: 'grapheme', maxLength: 30 }).filter(s => !/[\u0000-\u001f\u007f]/.test(s))

  test('every valid ID becomes exactly one path segment under the prefix, origin unchanged, no query but Delos customerId', () => {
    run(
      fc.property(fc.constantFrom(...NAMES), validId, origin, prefix, customerId, (name, id, base, path, customer) => {
        const { settings, all } = settingsFrom({
          provider: name,
          'api-key': KEY,
          'file-ids': JSON.stringify([id]),
          'base-url': base + path,
          ...(name === 'delos' ? { 'customer-id': customer } : {})
        })
        expect(all).toEqual([])
        expect(settings.ids).toEqual([id])
        const request = PROVIDERS[name].request(id, {
          baseUrl: settings.baseUrl!,
          apiKey: KEY,
          customerId: settings.customerId
        })
        const { url } = request
        expect(url.origin).toBe(new URL(base).origin)
        expect(url.hash).toBe('')
        const head = `${path.replace(/\/+$/, '')}${ROUTE[name]}/`
        expect(url.pathname.startsWith(head)).toBe(true)
        let rest = url.pathname.slice(head.length)
        if (name === 'anyformat') {
          expect(rest.endsWith('/')).toBe(true)
          rest = rest.slice(0, -1)
        }
        expect(rest).not.toContain('/')
        expect(decodeURIComponent(rest)).toBe(id)
        if (name === 'delos' && settings.customerId !== '') {
          expect([...url.searchParams.entries()]).toEqual([['customerId', settings.customerId]])
        } else {
          expect(url.search).toBe('')
        }
      }),
      3000
    )
  })

  test('the bulk request (where a provider has one) goes to its fixed route and carries exactly the IDs', () => {
    const withBulk = NAMES.filter(name => PROVIDERS[name].bulk !== undefined)
    if (withBulk.length === 0) return
    run(
      fc.property(
        fc.constantFrom(...withBulk),
        fc.uniqueArray(validId, { minLength: 1, maxLength: 100 }),
        origin,
        prefix,
        (name, ids, base, path) => {
          const baseUrl = new URL(base + path)
          baseUrl.pathname = baseUrl.pathname.replace(/\/+$/, '')
          const request = PROVIDERS[name].bulk!.request(ids, { baseUrl, apiKey: KEY, customerId: '' })
          expect(request.url.origin).toBe(baseUrl.origin)
          expect(request.url.pathname.startsWith(`${path.replace(/\/+$/, '')}/`)).toBe(true)
          expect(request.url.search).toBe('')
          expect(JSON.parse(request.body ?? 'null')).toEqual({ fileIds: ids })
        }
      ),
      300
    )
  })
})

describe('classification', () => {
  const KINDS = ['deleted', 'missing', 'failed', 'credentials-rejected', 'retry']
  const NEVER_RETRIED = [400, 401, 403, 404, 409, 410, 422, 423]
  const HUGE_JSON = JSON.stringify({ success: false, message: 'm'.repeat(2 * 1024 * 1024), retryable: true })
  const HUGE_TEXT = '::error::x\n'.repeat(200_000)

  const headerValue = fc.oneof(
    fc.nat({ max: 100_000 }).map(String),
    fc.float({ noNaN: true }).map(String),
    fc.date({ noInvalidDate: true }).map(d => d.toUTCString()),
    fc.constantFrom('', ' 5 ', '-1', '1e9', '9'.repeat(400), 'soon', 'Infinity', 'NaN', '0x10'),
    fc.string({ maxLength: 20 })
  )
  const headers = fc.record(
    {
      'retry-after': headerValue,
      'retry-after-ms': headerValue,
      'x-ratelimit-limit': headerValue,
      'x-ratelimit-interval': headerValue,
      'x-ratelimit-reset': headerValue,
      location: fc.constantFrom('https://elsewhere.invalid/x', '/v1/files/a/', '::error::moved'),
      'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain')
    },
    { requiredKeys: [] }
  )
  const message = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom(
      'File not found: f1',
      'Unauthorized',
      'File is locked and cannot be deleted',
      'Access denied to file: f1',
      'File does not belong to specified customer',
      `bad key ${KEY}`
    )
  )
  const fields = fc.record(
    {
      success: fc.oneof(fc.boolean(), fc.jsonValue()),
      deleted: fc.oneof(fc.boolean(), fc.jsonValue()),
      id: fc.constantFrom('a', 'b', 'A', ''),
      retryable: fc.oneof(fc.boolean(), fc.jsonValue()),
      message,
      errors: fc.oneof(
        fc.array(fc.record({ description: message }, { requiredKeys: [] }), { maxLength: 3 }),
        fc.array(fc.record({ fileId: fc.constantFrom('a', 'b', 'z'), error: message }, { requiredKeys: [] }), {
          maxLength: 3
        }),
        fc.jsonValue()
      ),
      detail: fc.oneof(
        message,
        fc.array(fc.record({ msg: message }, { requiredKeys: [] }), { maxLength: 3 }),
        fc.jsonValue()
      ),
      error: message,
      error_code: fc.constantFrom('NOT_FOUND', 'RATE_LIMITED', 'INTERNAL_ERROR'),
      tpe: fc.constantFrom('not_found', 'server_error'),
      missingFileIds: fc.array(fc.constantFrom('a', 'b', 'c', 'z'), { maxLength: 4 }),
      successfullyDeletedFileIds: fc.oneof(
        fc.array(fc.constantFrom('a', 'b', 'c', 'z'), { maxLength: 4 }),
        fc.jsonValue()
      )
    },
    { requiredKeys: [] }
  )
  const body = fc.oneof(
    { arbitrary: fields.map(f => JSON.stringify(f)), weight: 6 },
    {
      arbitrary: fc
        .tuple(fields, fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 3 }))
        .map(([f, extra]) => JSON.stringify({ ...extra, ...f })),
      weight: 2
    },
    {
      arbitrary: fc.tuple(fields, fc.nat()).map(([f, cut]) => {
        const text = JSON.stringify(f)
        return text.slice(0, cut % (text.length + 1))
      }),
      weight: 2
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 2 },
    { arbitrary: fc.jsonValue().map(v => JSON.stringify(v)), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '',
        '   ',
        '<html><body>502</body></html>',
        '<!DOCTYPE html><p>x',
        HUGE_JSON,
        HUGE_TEXT,
        HUGE_JSON.slice(0, 70_000),
        '\u0000\u0001\u00ff'
      ),
      weight: 1
    }
  )
  const status = fc.oneof(
    fc.integer({ min: 100, max: 599 }),
    fc.constantFrom(200, 204, 301, 302, 307, 308, 400, 401, 403, 404, 409, 410, 422, 423, 429, 500, 502, 503)
  )

  function plainObject(text: string): Record<string, unknown> | undefined {
    try {
      const value: unknown = JSON.parse(text.trim())
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined
    } catch {
      return undefined
    }
  }

  function documentedDeletion(name: string, code: number, parsed: Record<string, unknown> | undefined): boolean {
    if (name === 'writer') return code === 200 && parsed?.deleted === true && parsed.id === 'a'
    if (name === 'delos') return code >= 200 && code < 300 && parsed?.success === true
    return code === 204
  }

  function classify(provider: Provider, a: HttpAnswer) {
    return provider.classify(a, Date.parse('2026-01-01T00:00:00Z'), 'a')
  }

  test('never throws and returns exactly one kind; success:false on a 2xx is never deleted; 3xx never deleted nor retried; 400/401/403/404/409/410/422/423 never retried', () => {
    run(
      fc.property(fc.constantFrom(...NAMES), status, headers, body, (name, code, hdrs, text) => {
        const { classification, window } = classify(PROVIDERS[name], answer(code, text, hdrs))
        expect(KINDS).toContain(classification.kind)
        if (classification.kind !== 'deleted') expect(typeof classification.reason).toBe('string')
        if (classification.kind === 'retry') {
          expect(typeof classification.rateLimited).toBe('boolean')
          expect(typeof classification.unanswered).toBe('boolean')
          if (classification.waitMs !== undefined) {
            expect(Number.isNaN(classification.waitMs)).toBe(false)
            expect(classification.waitMs).toBeGreaterThanOrEqual(0)
          }
        }
        if (window !== undefined) {
          expect(window.limit).toBeGreaterThan(0)
          expect(window.intervalMs).toBeGreaterThan(0)
        }
        const parsed = plainObject(text)
        if (code >= 200 && code < 300 && parsed?.success === false) expect(classification.kind).not.toBe('deleted')
        // Delos with "success": true on a 3xx is the known bug below; every other 3xx is a failure.
        if (code >= 300 && code < 400 && !(name === 'delos' && parsed?.success === true)) {
          expect(classification.kind).not.toBe('deleted')
          expect(classification.kind).not.toBe('retry')
        }
        if (NEVER_RETRIED.includes(code)) expect(classification.kind).not.toBe('retry')
        // Only each provider's documented answer confirms a deletion (the delete of ID "a").
        if (classification.kind === 'deleted')
          expect([name, code, documentedDeletion(name, code, parsed)]).toEqual([name, code, true])
      }),
      4000
    )
  })

  test(
    // Delos is read body first, but a redirect is refused whatever its body says.
    'delos: a 3xx is never a deletion, even with "success": true in its body',
    () => {
      const { classification } = classify(
        PROVIDERS.delos,
        answer(302, { success: true, message: 'File deleted successfully' }, { location: 'https://elsewhere.invalid/' })
      )
      expect(classification.kind).toBe('failed')
    }
  )

  test('the bulk classifier (where a provider has one) never throws and only names IDs it was asked about', () => {
    const withBulk = NAMES.filter(name => PROVIDERS[name].bulk !== undefined)
    if (withBulk.length === 0) return
    run(
      fc.property(
        fc.constantFrom(...withBulk),
        status,
        headers,
        body,
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1 }),
        (name, code, hdrs, text, ids) => {
          const { classification } = PROVIDERS[name].bulk!.classify(answer(code, text, hdrs), ids, Date.now())
          expect(['deleted', 'missing', 'fallback', 'retry', 'credentials-rejected']).toContain(classification.kind)
          if (classification.kind === 'deleted') {
            const refused = classification.refused.map(entry => entry.id)
            const named = [...classification.deleted, ...refused, ...classification.unconfirmed]
            for (const id of named) expect(ids).toContain(id)
            // Each asked-for ID is in exactly one of the three lists.
            expect(named).toHaveLength(ids.length)
            expect(new Set(named)).toEqual(new Set(ids))
          }
          if (classification.kind === 'missing') for (const id of classification.missing) expect(ids).toContain(id)
        }
      ),
      1500
    )
  })
})
