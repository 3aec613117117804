import type { IncomingHttpHeaders } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { describe, expect, test } from '@jest/globals'
import { tallyOf } from '../../__fixtures__/report.js'
import type { Emulator } from '../../emulator/index.js'
import type { RunOptions } from '../harness/runner.js'
import { createTransport, MAX_BODY_BYTES, TransportError } from '../../src/transport/http.js'
import { PROVIDER_NAMES, PROVIDERS } from '../../src/providers/index.js'
import type { HttpAnswer } from '../../src/providers/types.js'
import type { IdResult } from '../../src/engine/outcome.js'
import { annotations, logLine } from '../../src/report/report.js'
import { jsonText, oneLine } from '../../src/text.js'
import { answer } from '../helpers/answers.js'
import { runEngine } from '../helpers/engine.js'
import {
  closedAfterTest,
  emulate,
  expectInRoute,
  expectNoSecret,
  KEY,
  rawServer,
  runActionOnce,
  scratchDir,
  wireForms,
  type Report
} from '../helpers/common.js'
import { settingsFrom } from '../helpers/inputs.js'

/**
 * Hostile input from both sides: IDs and ID lists an attacker could write (traversal, encoded dots, control
 * characters, look-alikes, megabytes, JSON bombs), and answers a compromised or broken provider could send (huge,
 * binary, truncated, HTML, workflow-command text). Each must end as a clear violation or a neutral reason, never
 * a crash, a hang, a request outside the route or a workflow command.
 */

const NAMES = PROVIDER_NAMES
const MB = 1024 * 1024
const BINARYISH = Array.from({ length: 2048 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('')

/** The violations of a run whose only unusual input is `inputs`. */
function violationsFor(inputs: Parameters<typeof settingsFrom>[0], readFile?: (file: string) => string) {
  return settingsFrom({ provider: 'writer', 'api-key': KEY, ...inputs }, readFile ? { readFile } : {})
}

describe('hostile IDs are refused before anything is sent', () => {
  const HOSTILE: Array<[string, string]> = [
    ['a path step', '..'],
    ['the current directory', '.'],
    ['a traversal inside an ID', 'a/../b'],
    ['an encoded traversal', '%2e%2e'],
    ['an upper-case encoded traversal', '%2E%2E'],
    ['a half-encoded dot segment', '.%2e'],
    ['an encoded slash', 'a%2Fb'],
    ['a backslash traversal', '..\\..\\etc'],
    ['a query', 'a?admin=1'],
    ['a fragment', 'a#b'],
    ['a NUL byte', 'a\u0000b'],
    ['a bell', 'a\u0007'],
    ['an ANSI escape', '\u001b[31mred'],
    ['DEL', 'a\u007f'],
    ['a tab inside JSON', 'a\tb'],
    ['a fullwidth solidus (U+FF0F)', 'a\uff0f..\uff0fb'],
    ['a one-dot leader pair (U+2024)', '\u2024\u2024'],
    ['a two-dot leader (U+2025)', '\u2025'],
    ['a division slash (U+2215)', 'a\u2215b'],
    ['a ligature look-alike (U+FB01)', '\ufb01le_1'],
    ['a zero-width space', 'file\u200b_1'],
    ['a right-to-left override', 'file\u202e1_'],
    ['a byte-order mark inside JSON', '\ufefffile'],
    ['a line separator inside JSON', 'a\u2028::error::x'],
    ['an empty string', ''],
    ['257 characters', 'x'.repeat(257)]
  ]

  test.each(HOSTILE)('%s in a JSON array is a violation naming file-ids and the ID', (_, id) => {
    const { all, settings } = violationsFor({ 'file-ids': JSON.stringify(['ok_1', id]) })
    const invalid = all.filter(v => v.input === 'file-ids' && v.message.startsWith('file-ids: invalid ID '))
    expect(invalid).toHaveLength(1)
    // Named JSON-quoted (and cut at 80 characters), so control characters, invisible ones and look-alikes are visible.
    expect(invalid[0]!.message).toContain(jsonText(id.slice(0, 80)).slice(0, -1))
    // One line, bounded, whatever the ID carried.
    expect(invalid[0]!.message).not.toMatch(/[\r\n]/)
    expect(invalid[0]!.message.length).toBeLessThan(400)
    expect(settings.ids).not.toContain(id)
  })

  test.each(HOSTILE.filter(([, id]) => id !== '' && !/[\s,\u0000-\u001f\ufeff\u2028]/.test(id)))(
    '%s in a list from file-ids-file is a violation naming that input',
    (_, id) => {
      const { all } = violationsFor({ 'file-ids-file': 'ids.txt' }, () => `ok_1\n${id}\n`)
      expect(
        all.some(v => v.input === 'file-ids-file' && v.message.startsWith('file-ids-file "ids.txt": invalid ID '))
      ).toBe(true)
    }
  )

  test('an ID with a comma is split by the list form (a separator there) and kept whole only by the JSON form', () => {
    // Not a bug (',' separates IDs in the list form while a valid ID may hold one), but a trap: "keep,me" in the list
    // form plans "keep" and "me". IDs that may hold commas must come as a JSON array.
    expect(violationsFor({ 'file-ids': 'keep,me' }).settings.ids).toEqual(['keep', 'me'])
    expect(violationsFor({ 'file-ids': '["keep,me"]' }).settings.ids).toEqual(['keep,me'])
  })

  test('Unicode white space separates IDs instead of hiding inside one', () => {
    // U+00A0, U+2028 and U+FEFF are white space to the list form, so they cannot glue two IDs into one look-alike.
    expect(violationsFor({ 'file-ids': 'a\u00a0b\u2028c\ufeffd' }).settings.ids).toEqual(['a', 'b', 'c', 'd'])
  })
})

describe('inputs of 10 MB and JSON bombs: a fast, clear violation, never a crash', () => {
  const TEN_MB = 10 * MB
  let distinct = ''
  for (let i = 0; distinct.length < TEN_MB; i++) distinct += `id_${i}\n`

  test.each<[string, () => string, RegExp]>([
    [
      'one 10 MB token',
      () => 'a'.repeat(TEN_MB),
      /^file-ids-file "ids\.txt": invalid ID "a{80}…" \(10485760 characters\): is longer than 256 characters/
    ],
    [
      '10 MB of control characters without a separator',
      () => '\u0001'.repeat(TEN_MB),
      /invalid ID "(\\u0001){80}…" \(10485760 characters\)/
    ],
    [
      '10 MB of distinct valid IDs, over a million',
      () => distinct,
      /^file-ids-file "ids\.txt": more than 1,000,000 IDs; split the list$/
    ],
    [
      '10 MB of unclosed brackets',
      () => '['.repeat(TEN_MB),
      /^file-ids-file "ids\.txt": starts with "\[" but is not valid JSON/
    ],
    [
      '5 million nested arrays',
      () => '['.repeat(TEN_MB / 2) + ']'.repeat(TEN_MB / 2),
      /JSON array item 0 is not a string but an array$/
    ],
    [
      'a 10 MB array of numbers',
      () => `[${'1,'.repeat(TEN_MB / 2)}1]`,
      /JSON array item 0 is not a string but a number$/
    ],
    [
      'a 10 MB array of nulls after one string',
      () => `["a",${'null,'.repeat(TEN_MB / 5)}null]`,
      /JSON array item 1 is not a string but null$/
    ],
    ['a 10 MB array of objects', () => `[${'{},'.repeat(TEN_MB / 3)}{}]`, /JSON array item 0 is not a string but a/],
    [
      'a thousand nested objects in an unclosed array',
      () => `[${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`,
      /not valid JSON/
    ]
  ])('%s', (_, make, expected) => {
    const text = make()
    const value = violationsFor({ 'file-ids-file': 'ids.txt' }, () => text)
    expect(value.all.length).toBeGreaterThanOrEqual(1)
    expect(value.all.length).toBeLessThanOrEqual(21)
    expect(value.all[0]!.message).toMatch(expected)
    for (const v of value.all) expect(v.message.length).toBeLessThan(800)
  })

  test('10 MB through file-ids (as a test harness could pass it) is refused the same way', () => {
    const value = violationsFor({ 'file-ids': '\u0001'.repeat(TEN_MB) })
    expect(value.all.map(v => v.input)).toEqual(['file-ids'])
  })

  test('10 MB of invalid IDs (five million of them): twenty named, then refused as too many, quickly', () => {
    const value = violationsFor({ 'file-ids-file': 'ids.txt' }, () => '\u0001\n'.repeat(TEN_MB / 2))
    expect(value.all).toHaveLength(21)
    expect(value.all.at(-1)!.message).toBe('file-ids-file "ids.txt": more than 1,000,000 IDs; split the list')
  })

  test(
    // The JSON parser's message quotes the raw input: it is folded onto one line before it reaches a violation.
    'a broken JSON value yields a one-line violation',
    () => {
      const { all } = violationsFor({ 'file-ids': '[\n::error::forged\n' })
      expect(all).toHaveLength(1)
      expect(all[0]!.message).not.toMatch(/[\r\n]/)
    }
  )
})

describe('hostile answers are classified without throwing and neutralised in reasons and log lines', () => {
  const random = (() => {
    let seed = 7
    return () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
  })()
  const binary = Array.from({ length: 4096 }, () => String.fromCharCode(Math.floor(random() * 256))).join('')
  const COMMANDS = `x\n::error::pwned\n::stop-commands::tok\n::add-mask::zzz\n  ::warning::indented\r::notice::cr\n%0A::error::encoded\u2028::error::ls\u0085::error::nel\u001b[2K::error::ansi :::::error::colons`
  const BODIES: Record<string, string> = {
    'a 10 MB text body': `${COMMANDS}\n${'y'.repeat(10 * MB)}`,
    'a 10 MB JSON body': JSON.stringify({ success: false, message: COMMANDS, detail: 'z'.repeat(10 * MB) }),
    'binary bytes': binary,
    'truncated JSON': JSON.stringify({ success: false, message: COMMANDS, errors: [{ description: COMMANDS }] }).slice(
      0,
      90
    ),
    'an HTML page': `<!DOCTYPE html><html><body><h1>502</h1><p>${COMMANDS}</p></body></html>`,
    'workflow commands in a JSON message': JSON.stringify({
      message: COMMANDS,
      detail: COMMANDS,
      errors: [{ description: COMMANDS }],
      success: false
    }),
    'workflow commands as plain text': COMMANDS,
    'the key echoed back': JSON.stringify({
      message: `bad key ${KEY} / Basic ${Buffer.from(`${KEY}:`).toString('base64')}`,
      detail: `Bearer ${KEY}`
    })
  }
  const STATUSES = [200, 204, 302, 400, 404, 409, 423, 500, 503]

  test.each(NAMES.flatMap(name => Object.keys(BODIES).map(body => [name, body] as const)))(
    '%s: %s',
    async (name, bodyName) => {
      const provider = PROVIDERS[name]
      const body = BODIES[bodyName]!
      const headers = {
        location: `https://elsewhere.invalid/${COMMANDS}`,
        'retry-after': COMMANDS,
        'x-ratelimit-reset': COMMANDS
      }
      for (const status of STATUSES)
        expect(() => provider.classify(answer(status, body, headers), Date.now(), 'a')).not.toThrow()
      if (provider.bulk)
        for (const status of STATUSES)
          expect(() => provider.bulk!.classify(answer(status, body, headers), ['a'], Date.now())).not.toThrow()

      // Through the engine: one ID per status, each answered with the hostile body once, then (if retried) a 500.
      const ids = STATUSES.map(s => `id_${s}`)
      const debug: string[] = []
      const { result } = await runEngine({
        provider,
        ids,
        apiKey: KEY,
        maxRetries: 0,
        script: (id): HttpAnswer => answer(Number(id.slice(3)), body, headers),
        extra: { secrets: [KEY, ...provider.derivedSecrets(KEY)], onDebug: line => debug.push(line) }
      })
      expect(result.results.map(r => r.id)).toEqual(ids)
      const lines = [
        ...result.results.map(logLine),
        ...annotations(tallyOf(result.results).tally, { failed: true, missing: true }, true).map(a => a.message),
        ...debug
      ]
      for (const line of lines) {
        expect(line).not.toMatch(/[\r\n\u2028\u2029\u0085]/)
        expect(line.trimStart().startsWith('::')).toBe(false)
        expect(line.length).toBeLessThan(700)
        for (const form of [KEY, ...provider.derivedSecrets(KEY)]) expect(line).not.toContain(form)
      }
      for (const r of result.results) if (r.reason !== null) expect(r.reason.length).toBeLessThanOrEqual(200)
    }
  )

  test('oneLine never leaves a line that starts with "::", whatever the text', () => {
    const samples = ['::x', ' ::x', '\n::x', ':::x', '::::', '\u2028::x', '\u0085::x', '\t::error::x', '\r\n  ::x']
    for (const text of samples) {
      const line = oneLine(text, 200)
      expect(line).not.toMatch(/[\r\n]/)
      expect(line.trimStart().startsWith('::')).toBe(false)
    }
  })

  test('a log line starts with the outcome, also for an ID that looks like a workflow command', () => {
    const result: IdResult = {
      id: '::error::x',
      outcome: 'failed',
      httpStatus: 400,
      reason: oneLine('::stop-commands::t', 200),
      attempts: 1,
      ms: 1
    }
    expect(logLine(result)).toMatch(/^failed {2}"::error::x" \(HTTP 400/)
  })
})

describe('a hostile provider, through the bundle', () => {
  async function act(emulator: Emulator, inputs: RunOptions['inputs']) {
    const run = await runActionOnce({
      inputs: { provider: emulator.provider, 'api-key': KEY, 'base-url': emulator.url, ...inputs }
    })
    if (run.exitCode !== 0 && run.exitCode !== 1)
      throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
    const report = run.report as Report
    expectNoSecret(run, wireForms(KEY))
    // Every request stayed on the provider's route.
    expectInRoute(emulator)
    return { run, report, lines: run.stdout.split('\n') }
  }

  test('a 2 MB error body: retried on 5xx and deleted; on 400 the reason is cut to 200 characters', async () => {
    const big = `${'E'.repeat(2 * MB)}\n::error::pwned`
    const emulator = await emulate({ provider: 'writer', files: ['a', 'b'] }, [
      { id: 'a', times: 2, fault: { kind: 'status', status: 500, body: big } },
      { id: 'b', fault: { kind: 'status', status: 400, body: big } }
    ])
    const { run, report, lines } = await act(emulator, { 'file-ids': 'a b' })
    expect(run.exitCode).toBe(1)
    expect(report.entries.map(e => [e.id, e.outcome])).toEqual([
      ['a', 'deleted'],
      ['b', 'failed']
    ])
    expect(report.entries[1]!.reason!.length).toBeLessThanOrEqual(200)
    expect(Math.max(...lines.map(l => l.length))).toBeLessThan(2000)
    expect(run.commands.filter(c => c.message === 'pwned')).toEqual([])
    expect([...emulator.store]).toEqual(['b'])
  })

  test('an HTML error page on every attempt fails with a short reason, not the page', async () => {
    const emulator = await emulate({ provider: 'anyformat', files: ['a'] }, [{ fault: { kind: 'html', status: 502 } }])
    const { report } = await act(emulator, { 'file-ids': 'a', 'max-retries': '1' })
    expect(report.entries[0]).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      reason: 'HTTP 502: HTML page instead of an API answer (2 attempts)'
    })
  })

  test.each(NAMES)('%s: workflow-command text in an answer issues no command', async provider => {
    const text = 'oops\n::stop-commands::resume\n::error::pwned\n%0A::add-mask::y\n::warning::w'
    const body = provider === 'delos' ? JSON.stringify({ success: false, message: text }) : text
    const emulator = await emulate({ provider, files: ['a'] }, [{ fault: { kind: 'status', status: 409, body } }])
    const { run, lines } = await act(emulator, { 'file-ids': 'a', bulk: 'false' })
    expect(run.exitCode).toBe(1)
    expect(run.commands.map(c => c.command)).not.toContain('stop-commands')
    expect(run.commands.filter(c => c.command === 'add-mask').map(c => c.message)).not.toContain('y')
    expect(run.commands.filter(c => ['pwned', 'w'].includes(c.message))).toEqual([])
    expect(lines.filter(l => /^\s*::(stop-commands|warning)::/.test(l))).toEqual([])
  })

  // Only each provider's documented answer confirms a deletion: anything else that looks like success is a failure.
  test.each([
    ['imagekit', 202, { status: 'queued' }, /^unexpected answer \(HTTP 202\).*only 204 confirms/],
    ['imagekit', 200, { error: 'Conflict', detail: 'File is locked; not deleted' }, /^unexpected answer \(HTTP 200\)/],
    ['anyformat', 202, { status: 'queued' }, /^unexpected answer \(HTTP 202\).*only 204 confirms/],
    ['anyformat', 200, { error: 'Conflict', detail: 'File is locked; not deleted' }, /^unexpected answer \(HTTP 200\)/],
    ['writer', 200, { id: 'some-other-file', deleted: true }, /it names the file "some-other-file", not this one/],
    ['delos', 500, { success: true }, /^contradictory answer \(HTTP 500 with "success": true\) \(2 attempts\)$/],
    ['delos', 409, { success: true }, /^contradictory answer \(HTTP 409 with "success": true\)$/]
  ] as const)('%s: %i %j is never reported deleted', async (provider, status, body, reason) => {
    const emulator = await emulate({ provider, files: ['a'] }, [
      { fault: { kind: 'status', status, body: JSON.stringify(body) } }
    ])
    const { run, report } = await act(emulator, { 'file-ids': 'a', bulk: 'false', 'max-retries': '1' })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.deleted).toBe('[]')
    expect(report.entries[0]).toMatchObject({
      outcome: 'failed',
      httpStatus: status,
      reason: expect.stringMatching(reason)
    })
    // Sent once, or twice where a 5xx is worth a retry.
    expect(emulator.requests.filter(r => r.route === 'delete')).toHaveLength(status >= 500 ? 2 : 1)
    expect(emulator.store.has('a')).toBe(true)
  })

  test('binary garbage with a 200 status is not trusted as a Writer deletion', async () => {
    const emulator = await emulate({ provider: 'writer', files: ['a'] }, [
      { fault: { kind: 'status', status: 200, body: BINARYISH } }
    ])
    const { report } = await act(emulator, { 'file-ids': 'a' })
    expect(report.entries[0]).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^unexpected answer \(HTTP 200\)/)
    })
    expect(emulator.store.has('a')).toBe(true)
  })

  test(
    // The transport keeps only the first 64 KiB of a body, so a large 2xx that says "success": false arrives as cut,
    // unreadable JSON: a cut answer confirms nothing, and the ID is not reported deleted.
    'a 2xx that says "success": false stays not deleted even when its body is larger than the read bound',
    async () => {
      const body = JSON.stringify({ success: false, error: 'Quota', detail: 'd'.repeat(100_000) })
      const emulator = await emulate({ provider: 'anyformat', files: ['a'] }, [
        { id: 'a', fault: { kind: 'status', status: 200, body } }
      ])
      const { report } = await act(emulator, { 'file-ids': 'a' })
      expect(emulator.store.has('a')).toBe(true)
      expect(report.entries[0]!.outcome).not.toBe('deleted')
    }
  )

  test(
    // The runner also honours the older form `##[command]data` anywhere in a line, not only at its start like
    // `::command::`: provider text has both markers broken up before it reaches a log line.
    'provider text cannot carry a legacy ##[command] into the log',
    async () => {
      const emulator = await emulate({ provider: 'writer', files: ['a'] }, [
        {
          fault: {
            kind: 'status',
            status: 400,
            body: JSON.stringify({ errors: [{ description: 'nope ##[error]forged ##[stop-commands]t' }] })
          }
        }
      ])
      const { lines } = await act(emulator, { 'file-ids': 'a' })
      expect(lines.filter(l => !/^::/.test(l) && l.includes('##['))).toEqual([])
    }
  )

  test("a redirect to another origin is not followed: the key never leaves base-url's origin", async () => {
    const seen: IncomingHttpHeaders[] = []
    const other = await rawServer((req, res) => {
      seen.push(req.headers)
      res.writeHead(204).end()
    })
    const base = await rawServer((req, res) =>
      res.writeHead(307, { location: new URL(req.url ?? '/', other).href }).end()
    )
    const run = await runActionOnce({
      inputs: { provider: 'writer', 'api-key': KEY, 'base-url': base.href, 'file-ids': 'a' }
    })
    expect(run.exitCode).toBe(1)
    expect(seen).toEqual([])
    expect((run.report as Report).entries[0]!.reason).toMatch(
      /^unexpected redirect \(HTTP 307 to http:\/\/127\.0\.0\.1:\d+\/v1\/files\/a\); redirects are not followed$/
    )
  })
})

describe('a hostile provider, at the transport', () => {
  test('a gzip bomb (64 MB of zeros in 64 KB) is read only up to the bound', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * MB))
    const url = await rawServer((_, res) =>
      res.writeHead(500, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(bomb)
    )
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const reply = await transport.send({
      method: 'DELETE',
      url: new URL('/v1/files/a', url),
      headers: {},
      timeoutMs: 5000
    })
    expect(reply.status).toBe(500)
    expect(reply.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES)
  })

  test('a body dripped one byte at a time hits the per-attempt timeout', async () => {
    const timers: NodeJS.Timeout[] = []
    const url = await rawServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      timers.push(setInterval(() => res.write(' '), 50))
    })
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const error = await transport
      .send({ method: 'DELETE', url: new URL('/v1/files/a', url), headers: {}, timeoutMs: 500 })
      .catch((e: unknown) => e)
    for (const timer of timers) clearInterval(timer)
    expect(error).toBeInstanceOf(TransportError)
    // The drip never ends: only the attempt's own limit can have ended it, and the message names that limit.
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('500 ms') })
  })

  test('the transport never follows a redirect to another origin, so credentials stay where they were sent', async () => {
    let reached = 0
    const other = await rawServer((_, res) => {
      reached++
      res.writeHead(204).end()
    })
    const url = await rawServer((_, res) => res.writeHead(308, { location: other.href }).end())
    const transport = closedAfterTest(await createTransport({ maxSockets: 1 }))
    const reply = await transport.send({
      method: 'DELETE',
      url: new URL('/v1/files/a', url),
      headers: { Authorization: `Bearer ${KEY}` },
      timeoutMs: 2000
    })
    expect(reply.status).toBe(308)
    expect(reached).toBe(0)
  })
})

describe('a hostile provider, pacing', () => {
  test(
    // An ImageKit answer carrying X-RateLimit-Limit: 1 and X-RateLimit-Interval: 86400000 would space requests a day
    // apart (and past 2^31-1 ms overflow the timer): a window spacing requests more than 60 s apart is ignored.
    'an announced rate window cannot stall the run for longer than the longest wait the action accepts',
    async () => {
      const headers = { 'X-RateLimit-Limit': '1', 'X-RateLimit-Interval': String(24 * 3600 * 1000) }
      const { result, clock } = await runEngine({
        provider: PROVIDERS.imagekit,
        ids: ['a', 'b', 'c'],
        concurrency: 1,
        script: () => answer(204, '', headers)
      })
      expect(result.results.map(r => r.id)).toEqual(['a', 'b', 'c'])
      expect(clock.now() - 1_000_000).toBeLessThanOrEqual(3 * 60_000)
    }
  )
})

describe('input size through the bundle', () => {
  test('a file-ids-file of 10 MB garbage through the bundle is refused, naming the input, without a request', async () => {
    const dir = scratchDir('file-purge-hostile-')
    writeFileSync(path.join(dir, 'ids.json'), `[${'['.repeat(5 * MB)}`)
    const emulator = await emulate({ provider: 'delos', files: ['a'] })
    const run = await runActionOnce({
      inputs: { provider: 'delos', 'api-key': KEY, 'base-url': emulator.url, 'file-ids-file': 'ids.json' },
      workspace: dir
    })
    expect(run.exitCode).toBe(1)
    expect(run.commands.filter(c => c.command === 'error').map(c => c.message)).toEqual([
      expect.stringMatching(/^file-ids-file "ids\.json": starts with "\[" but is not valid JSON/)
    ])
    expect(emulator.requests).toHaveLength(0)
    expect(run.outputs['planned']).toBe('[]')
  })
})

describe('a hostile listing: bounded by design', () => {
  /** A Writer that lists, page after page, `perPage` files whose names are `nameLength` characters long. */
  async function endlessListing(perPage: number, nameLength: number): Promise<{ url: URL; pages: () => number }> {
    let pages = 0
    const name = 'n'.repeat(nameLength)
    const url = await rawServer((_, res) => {
      pages++
      const from = pages * perPage
      const data = Array.from({ length: perPage }, (_, i) => ({ id: `f${from + i}`, name, status: 'completed' }))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data, has_more: true }))
    })
    return { url, pages: () => pages }
  }

  /** Peak RSS of the action's process, in MB, written when it exits. */
  function rssProbe(dir: string): { nodeArgs: string[]; peakMb: () => number } {
    const file = path.join(dir, 'rss')
    writeFileSync(
      `${file}.cjs`,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)))\n`
    )
    return {
      nodeArgs: ['--require', `${file}.cjs`],
      peakMb: () => Math.round(Number(readFileSync(file, 'utf8')) / 1024)
    }
  }

  test('100 names of 300 KiB a page: the listing fails closed on the first page, naming the field; outputs and report are written', async () => {
    const provider = await endlessListing(100, 300 * 1024)
    const probe = rssProbe(scratchDir())
    const run = await runActionOnce({
      inputs: {
        provider: 'writer',
        'api-key': KEY,
        'base-url': provider.url.href,
        'select-name': '*',
        'file-ids': 'given_1'
      },
      nodeArgs: probe.nodeArgs
    })
    expect(run.exitCode).toBe(1)
    expect(provider.pages()).toBe(1)
    const report = run.report as Report
    expect(report.selection).toMatchObject({ complete: false, listed: 0 })
    expect(report.verdict.message).toContain("page 1: item 1's name has 307,200 characters, more than 4,096")
    expect(report.entries).toEqual([expect.objectContaining({ id: 'given_1', outcome: 'failed', attempts: 0 })])
    expect(run.outputs).toMatchObject({ deleted: '[]', failed: '["given_1"]', 'failed-count': '1' })
    expect(probe.peakMb()).toBeLessThan(300)
  })

  test('names just under the bound, page after page, on a small heap: the listing fails before memory runs out', async () => {
    const provider = await endlessListing(2000, 4000)
    const probe = rssProbe(scratchDir())
    const run = await runActionOnce({
      inputs: { provider: 'writer', 'api-key': KEY, 'base-url': provider.url.href, 'select-name': '*' },
      nodeArgs: ['--max-old-space-size=256', ...probe.nodeArgs],
      timeoutMs: 120_000
    })
    expect(run.exitCode).toBe(1)
    const report = run.report as Report
    expect(report.selection).toMatchObject({ complete: false })
    expect(report.verdict.message).toMatch(/the listing needs more memory than the heap allows/)
    expect(run.outputs).toMatchObject({ deleted: '[]', planned: '[]', 'deleted-count': '0' })
    expect(probe.peakMb()).toBeLessThan(400)
  }, 150_000)
})
