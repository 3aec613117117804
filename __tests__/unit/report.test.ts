import { describe, expect, test } from '@jest/globals'
import { MAX_SUMMARY_ROWS } from '../../src/settings/constants.js'
import { verdict } from '../../src/report/verdict.js'
import type { IdResult } from '../../src/engine/outcome.js'
import type { FailOn } from '../../src/settings/inputs.js'
import { commentBody } from '../../src/shells/comment.js'
import { annotations, logLine, outputValues, summaryMarkdown } from '../../src/report/report.js'
import { idResult, reportOf, runContext, tallyOf } from '../../__fixtures__/report.js'

const verdictOf = (results: IdResult[], failOn: FailOn, credentialsRejected = false) =>
  verdict({ credentialsRejected, halted: null }, tallyOf(results).tally, failOn)
const annotationsOf = (results: IdResult[], failOn: FailOn, failing: boolean) =>
  annotations(tallyOf(results).tally, failOn, failing)
const failOnFailed = { failed: true, missing: false }

describe('verdict', () => {
  const mixed = [
    idResult('a', 'deleted'),
    idResult('b', 'missing', 'HTTP 404'),
    idResult('c', 'failed', 'HTTP 423: locked', 423)
  ]

  test('fails on failed IDs by default, naming them with reasons and counts', () => {
    expect(verdictOf(mixed, failOnFailed)).toEqual({
      failed: true,
      message: '1 ID failed (1 deleted, 1 missing, 1 failed of 3). "c" failed: HTTP 423: locked'
    })
  })
  test('fail-on missing fails on missing IDs only', () => {
    const v = verdictOf(mixed, { failed: false, missing: true })
    expect(v.failed).toBe(true)
    expect(v.message).toContain('"b" missing: HTTP 404')
    expect(v.message).not.toContain('"c"')
  })
  test('fail-on none passes', () => expect(verdictOf(mixed, { failed: false, missing: false }).failed).toBe(false))
  test('credentials rejected fails whatever fail-on says', () => {
    const v = verdictOf(
      [idResult('a', 'failed', 'credentials rejected: HTTP 401', 401)],
      { failed: false, missing: false },
      true
    )
    expect(v).toEqual({
      failed: true,
      message:
        'the provider rejected the credentials (0 deleted, 0 missing, 1 failed of 1). "a" failed: credentials rejected: HTTP 401'
    })
  })
  test('names the first ten IDs and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => idResult(`f${i}`, 'failed', 'HTTP 500'))
    const { message } = verdictOf(many, failOnFailed)
    expect(message).toContain('"f9" failed')
    expect(message).not.toContain('"f10"')
    expect(message).toMatch(/and 15 more in the report$/)
  })
})

/** What an entry says of an ID given in the inputs, which no listing showed. */
const given = { source: 'input', name: null, createdAt: null }

describe('outputs', () => {
  test('lists are JSON arrays in input order; counts always set', () => {
    const { values, warnings } = outputValues(
      reportOf([idResult('b', 'deleted'), idResult('a', 'missing', 'x'), idResult('c', 'deleted')]),
      '/tmp/r.json'
    )
    expect(values).toEqual({
      deleted: '["b","c"]',
      missing: '["a"]',
      failed: '[]',
      planned: '["b","a","c"]',
      'deleted-count': '2',
      'missing-count': '1',
      'failed-count': '0',
      'report-file': '/tmp/r.json',
      selected: '[]',
      'selected-count': '0',
      'cdn-failed': '[]',
      'cdn-failed-count': '0',
      'report-sha256': ''
    })
    expect(warnings).toEqual([])
  })

  test('a list over 1 MiB is set to an empty string with a warning pointing to the report', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => idResult(`${'x'.repeat(60)}-${i}`, 'deleted'))
    const { values, warnings } = outputValues(reportOf(many), '/tmp/r.json')
    expect(values.deleted).toBe('')
    expect(values.planned).toBe('')
    expect(values['deleted-count']).toBe('20000')
    expect(values.failed).toBe('[]')
    expect(warnings[0]).toBe(
      "output deleted (20000 IDs) is larger than 1 MiB and was set to ''; read the list from report-file: /tmp/r.json"
    )
  })

  test('dry run: planned lists the IDs, the outcome lists are empty', () => {
    const r = reportOf([], { dryRun: true, planned: ['a', 'b'] })
    expect(r.entries).toEqual([
      { id: 'a', outcome: 'planned', httpStatus: null, reason: 'dry run: not sent', attempts: 0, ms: 0, ...given },
      { id: 'b', outcome: 'planned', httpStatus: null, reason: 'dry run: not sent', attempts: 0, ms: 0, ...given }
    ])
    const { values } = outputValues(r, 'f')
    expect([values.planned, values.deleted, values.missing, values.failed]).toEqual(['["a","b"]', '[]', '[]', '[]'])
  })
})

describe('report file', () => {
  test('carries provider, base URL, times, context, totals and one entry per ID', () => {
    const r = reportOf([idResult('a', 'deleted'), idResult('b', 'failed', 'HTTP 500 (4 attempts)', 500)])
    expect(r).toMatchObject({
      provider: 'imagekit',
      baseUrl: 'https://api.imagekit.io',
      dryRun: false,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      context: runContext,
      totals: { planned: 2, deleted: 1, missing: 0, failed: 1, requests: 2, rateLimitedAnswers: 0 }
    })
    expect(r.entries[1]).toEqual({
      id: 'b',
      outcome: 'failed',
      httpStatus: 500,
      reason: 'HTTP 500 (4 attempts)',
      attempts: 1,
      ms: 5,
      ...given
    })
  })
})

describe('job summary', () => {
  test('totals, verdict and a row per ID not deleted, with markdown and HTML neutralised', () => {
    const md = summaryMarkdown(
      reportOf([
        idResult('a', 'deleted'),
        idResult('x|<b>', 'failed', 'HTTP 400: <script>alert(1)</script> | `x`', 400)
      ])
    )
    expect(md).toContain('| 2 | 1 | 0 | 1 | 2 | 0 |')
    expect(md).toContain('**Failed**: `` 1 ID failed')
    // Code spans: nothing inside is markup; a '|' is escaped for the table, the fence outruns the text's backticks.
    expect(md).toContain('| ` x\\|<b> ` | failed | 400 | 1 | `` HTTP 400: <script>alert(1)</script> \\| `x` `` |')
  })

  test('rows are capped and the rest counted', () => {
    const many = Array.from({ length: MAX_SUMMARY_ROWS + 50 }, (_, i) => idResult(`f${i}`, 'failed', 'HTTP 500'))
    const md = summaryMarkdown(reportOf(many))
    expect(md.split('\n').filter(line => line.startsWith('| ` f'))).toHaveLength(MAX_SUMMARY_ROWS)
    expect(md).toContain('50 more rows left out; every ID is in the report file.')
    expect(Buffer.byteLength(md)).toBeLessThan(100 * 1024)
  })

  test('dry run says plainly that nothing was deleted', () => {
    expect(summaryMarkdown(reportOf([], { dryRun: true, planned: ['a'] }))).toContain(
      '**dry run: nothing was deleted.**'
    )
  })

  test('policy violations are listed and say nothing was sent', () => {
    const md = summaryMarkdown(
      reportOf([], {
        violations: [{ input: 'api-key', message: 'api-key: is required unless dry-run is true' }],
        planned: []
      })
    )
    expect(md).toContain('**Policy violations: nothing was sent.**')
    expect(md).toContain('- ` api-key: is required unless dry-run is true `')
  })
})

describe('annotations and log lines', () => {
  test('one annotation per failed ID, at most nine, leaving the tenth to the verdict', () => {
    const many = Array.from({ length: 30 }, (_, i) => idResult(`f${i}`, 'failed', 'HTTP 500'))
    const list = annotationsOf(many, failOnFailed, true)
    expect(list).toHaveLength(9)
    expect(list[0]).toEqual({ level: 'error', message: 'failed "f0": HTTP 500' })
  })

  test('when the step passes (fail-on none) they are warnings with a roll-up line', () => {
    const many = Array.from({ length: 12 }, (_, i) => idResult(`f${i}`, 'failed', 'HTTP 500'))
    const list = annotationsOf(many, { failed: false, missing: false }, false)
    expect(list.every(a => a.level === 'warning')).toBe(true)
    expect(list.at(-1)!.message).toBe('3 more IDs not deleted; see the job summary and report-file')
  })

  test('IDs never attempted (the run stopped) are left to the roll-up', () => {
    const results = [
      idResult('a', 'failed', 'credentials rejected: HTTP 401', 401),
      { ...idResult('b', 'failed', 'not attempted: credentials rejected', null), attempts: 0 }
    ]
    expect(annotationsOf(results, failOnFailed, true)).toEqual([
      { level: 'error', message: 'failed "a": credentials rejected: HTTP 401' }
    ])
  })

  test('missing IDs are annotated only when fail-on includes missing', () => {
    const results = [idResult('m', 'missing', 'HTTP 404', 404)]
    expect(annotationsOf(results, failOnFailed, false)).toEqual([])
    expect(annotationsOf(results, { failed: true, missing: true }, true)).toEqual([
      { level: 'error', message: 'missing "m": HTTP 404' }
    ])
  })

  test('a log line starts with the outcome, never with an ID or provider text', () => {
    expect(logLine(idResult('::error::x', 'failed', 'HTTP 500 (4 attempts)', 500))).toBe(
      'failed  "::error::x" (HTTP 500, 1 attempt, 5 ms): HTTP 500 (4 attempts)'
    )
    expect(logLine({ ...idResult('a', 'failed', 'no answer within 30 s (2 attempts)', null), attempts: 2 })).toBe(
      'failed  "a" (no answer, 2 attempts, 5 ms): no answer within 30 s (2 attempts)'
    )
    expect(logLine(idResult('a', 'deleted'))).toBe('deleted "a" (HTTP 204, 1 attempt, 5 ms)')
  })
})

describe('no links from untrusted text (docs/threat-model.md)', () => {
  const HOSTILE = [
    'https://evil.example/x',
    'www.evil.example',
    'user@evil.example',
    '@someone',
    '![img](http://x)',
    '<img src=x>',
    '[a](javascript:alert(1))',
    '<https://evil.example>',
    '#1 :smile: ``` | |'
  ]

  /** The Markdown outside code spans: the only place a renderer makes links, images, mentions or tags. */
  const outsideCode = (markdown: string): string => markdown.replace(/(`+) [^\n]*? \1/g, '')

  function expectNoLinks(markdown: string): void {
    const outside = outsideCode(markdown)
    for (const pattern of [/:\/\//, /www\./i, /@/, /!\[/, /<img/i, /\]\(/, /<https?:/i])
      expect({ pattern: String(pattern), found: pattern.test(outside) }).toEqual({
        pattern: String(pattern),
        found: false
      })
  }

  test('IDs, names, paths and reasons in the summary and the comment are code spans, shown whole', () => {
    const results = HOSTILE.map((text, i) => idResult(text, 'failed', `HTTP 400: ${text}`, 400 + i))
    const files = HOSTILE.map(text => ({ id: text, name: text, createdAt: text, path: text, status: text }))
    const selection = {
      filters: {
        name: HOSTILE[0]!,
        path: HOSTILE[1]!,
        tags: [HOSTILE[2]!],
        status: null,
        olderThan: null,
        keepNewest: null
      },
      scope: { graphId: HOSTILE[3]!, workflowId: null, customerId: null },
      cutoff: null,
      complete: true,
      pages: 1,
      requests: 1,
      listed: files.length,
      matched: files.length,
      selected: files.length,
      spared: files.length,
      skipped: {},
      ms: 1,
      selectedFiles: files,
      sparedFiles: files
    }
    const violations = HOSTILE.map(text => ({
      input: 'file-ids' as const,
      message: `file-ids: invalid ID ${JSON.stringify(text)}`
    }))
    const report = reportOf(results, { selection, context: { ...runContext, runUrl: null } })
    for (const markdown of [
      summaryMarkdown(report),
      summaryMarkdown(reportOf([], { violations, planned: [] })),
      commentBody(report)
    ]) {
      expectNoLinks(markdown)
      // Each text is shown whole, for copying: only '|' is escaped, as a table cell reads it back.
      for (const text of HOSTILE.slice(0, 8)) expect(markdown).toContain(text.replace(/\|/g, '\\|'))
    }
  })
})
