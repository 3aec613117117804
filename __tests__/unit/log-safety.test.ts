import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import type http from 'node:http'
import path from 'node:path'
import fc from 'fast-check'
import { API_KEY_VARIABLE, main as cli } from '../../src/shells/cli.js'
import { run } from '../../src/shells/main.js'
import { LineLog } from '../../src/report/log.js'
import { verdict } from '../../src/report/verdict.js'
import { annotations, logLine } from '../../src/report/report.js'
import * as toolkit from '../../src/shells/toolkit.js'
import { tallyOf } from '../../__fixtures__/report.js'
import { KEY, rawServer, scratchDir } from '../helpers/common.js'

/**
 * The log, whatever the text: IDs, file names, paths, statuses, times, error bodies and inputs chosen at random
 * (workflow-command markers, every kind of line break, percent signs, invisible characters and any Unicode) go
 * through every producer of log lines, of the action and of the command. No output line may start with `::` unless
 * it is one of the action's own commands (whose payload then holds no `##[`), hold a `##[` (or `##vso[`) marker,
 * or start with anything but the action's own words: a line break from the text would start a line with the text.
 */

const SEED = 20260514

/** Pieces that make hostile text likely; the rest is any Unicode. */
const FRAGMENTS = [
  '::',
  ':',
  '##[',
  '#',
  '[',
  ']',
  'error]',
  'error::',
  'warning ',
  'add-mask::',
  'set-output name=x::',
  'stop-commands::',
  '##vso[',
  '\r',
  '\n',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u000b',
  '\u000c',
  '\u001b[2K',
  '%',
  '%0A',
  '%25',
  ' ',
  '\t',
  '\u00a0',
  '\u00ad',
  '\u200b',
  '\u200e',
  '\ufeff',
  '"',
  '\\',
  'é',
  '🗑',
  'x',
  '.',
  '/'
]

const hostile = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...FRAGMENTS), weight: 6 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 1 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 1 }
    ),
    { minLength: 1, maxLength: 14 }
  )
  .map(parts => parts.join(''))

/** The words the action's own lines begin with. */
const OWN_LINE_STARTS = [
  'listing ',
  'listed ',
  'the listing did not finish',
  'nothing matched the selection',
  'the selection breaks policy',
  'warning: ',
  'would delete ',
  'spared by keep-newest ',
  'planned ',
  'dry run: ',
  'deleting ',
  'deleted ',
  'missing ',
  'failed ',
  'file-purge: ',
  'rate limited',
  'policy violation: ',
  'planned ',
  'OK: ',
  'FAILED: '
]
/** A line of pretty JSON (the command's --json): it starts with white space and a bracket or a quote. */
const JSON_LINE = /^\s*["{}[\]]/
const OWN_COMMAND = /^::(add-mask|debug|error|warning|notice)( [^:\r\n]*)?::/
const IGNORABLE = '[\\p{Default_Ignorable_Code_Point}\\p{Cf}]*'
const MARKER = new RegExp(`#${IGNORABLE}#${IGNORABLE}(\\[|vso\\[)`, 'u')
const LEADING_COLONS = new RegExp(`^(\\s|${IGNORABLE})*:${IGNORABLE}:`, 'u')

/**
 * Every line of `output`, split as the runner splits it, has no command in it and (unless `anyStart`, for text
 * written raw to a writer) is one the action began.
 */
function expectSafeLines(output: string, { json = false, anyStart = false } = {}): void {
  // Unicode line breaks are not in any output at all: a log viewer might break the line there.
  expect(output).not.toMatch(/[\u2028\u2029\u0085]/)
  for (const line of output.split(/\r\n|\r|\n/)) {
    if (line === '') continue
    const own = OWN_COMMAND.exec(line)
    if (own) {
      // A secret to mask is written exactly, and the runner reads the line as that command only.
      if (own[1] !== 'add-mask')
        expect({ line, marker: MARKER.test(line.slice(own[0].length)) }).toEqual({ line, marker: false })
      continue
    }
    const start = anyStart || OWN_LINE_STARTS.some(word => line.startsWith(word)) || (json && JSON_LINE.test(line))
    expect({ line, start, colons: LEADING_COLONS.test(line), marker: MARKER.test(line) }).toEqual({
      line,
      start: true,
      colons: false,
      marker: false
    })
  }
}

interface Sample {
  id: string
  name: string
  time: string
  path: string
  tag: string
  body: string
  input: string
}

const sample: fc.Arbitrary<Sample> = fc.record({
  id: hostile,
  name: hostile,
  time: hostile,
  path: hostile,
  tag: hostile,
  body: hostile,
  input: hostile
})

/** A provider that answers with the sample's text: Writer and ImageKit listings, and every delete refused. */
async function hostileProvider(current: () => Sample): Promise<URL> {
  return rawServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    const s = current()
    const url = new URL(req.url ?? '/', 'http://x')
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (req.method === 'DELETE') {
      // Every other ID a body that is not JSON, the rest a JSON error: both reach the reason.
      if (url.pathname.endsWith('a')) return res.writeHead(400, { 'content-type': 'text/plain' }).end(s.body)
      return json(409, { errors: [{ description: s.body }], message: s.body })
    }
    if (url.pathname === '/v1/files' && url.searchParams.has('skip')) {
      const file = { type: 'file', fileId: s.id, name: s.name, filePath: s.path, tags: [s.tag], createdAt: s.time }
      const fine = { type: 'file', fileId: 'ok_1', name: s.name, filePath: `/${s.name}`, tags: [], createdAt: s.time }
      return json(200, [file, fine])
    }
    if (url.pathname === '/v1/files') {
      const items = [
        { id: s.id, name: s.name, created_at: s.time, status: 'completed', graph_ids: [] },
        { id: 'ok_2', name: s.name, created_at: s.time, status: 'completed', graph_ids: [] }
      ]
      return json(200, { data: items, has_more: false })
    }
    return json(404, { message: s.body })
  })
}

/** The runs whose lines are checked, each with a line it must show (so the text really went through). */
function runsFor(s: Sample, base: string): Array<[Record<string, string>, RegExp]> {
  const common = { 'api-key': KEY, 'base-url': base, 'max-retries': '0' }
  return [
    // A listed ID that breaks the rules of an ID refuses the selection: a dry run then shows no file it would delete.
    [
      { ...common, provider: 'writer', 'select-name': '*', 'dry-run': 'true' },
      /^(would delete "ok_2" \(name "|::error title=file-purge policy violation::selection: the listing gave ID )/m
    ],
    [{ ...common, provider: 'imagekit', 'select-name': '*', 'dry-run': 'true' }, /^listed 2 items/m],
    [
      { ...common, provider: 'imagekit', 'select-name': s.input, 'select-path': s.input, 'select-tags': s.input },
      /^(::error title=file-purge policy violation::|listing imagekit files)/m
    ],
    [{ ...common, provider: 'writer', 'file-ids': 'a b', bulk: 'false' }, /^failed {2}"a" \(HTTP 400/m],
    [
      { ...common, provider: 'writer', 'file-ids': s.input, 'protected-ids': s.input, 'customer-id': s.input },
      /^::error title=file-purge policy violation::/m
    ]
  ]
}

let written: string[] = []
let restore: () => void = () => undefined
let savedEnv: NodeJS.ProcessEnv
beforeEach(() => {
  savedEnv = { ...process.env }
  const original = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => {
    written.push(String(chunk))
    return true
  }
  restore = () => (process.stdout.write = original)
})
afterEach(() => {
  restore()
  process.env = savedEnv
  process.exitCode = undefined
})

/** The action, in this process, as the runner runs it: what it wrote to stdout. */
async function actionOutput(inputs: Record<string, string>, dir: string): Promise<string> {
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
  for (const file of ['output', 'summary']) writeFileSync(path.join(dir, file), '')
  process.env.GITHUB_OUTPUT = path.join(dir, 'output')
  process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary')
  process.env.RUNNER_TEMP = dir
  written = []
  await run()
  process.exitCode = undefined
  return written.join('')
}

/** The command, in this process: stdout and stderr, with and without --json. */
async function commandOutput(inputs: Record<string, string>, json: boolean, cwd: string): Promise<[string, string]> {
  let stdout = ''
  let stderr = ''
  const argv = Object.entries(inputs)
    .filter(([name]) => name !== 'api-key')
    .flatMap(([name, value]) =>
      name === 'dry-run' ? ['--dry-run'] : name === 'bulk' ? ['--no-bulk'] : [`--${name}`, value]
    )
  await cli([...argv, ...(json ? ['--json'] : [])], {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    interactive: false,
    env: { [API_KEY_VARIABLE]: KEY },
    cwd
  })
  return [stdout, stderr]
}

describe('no text the action did not write can end a line or issue a workflow command', () => {
  test('through the action and the command, end to end: listings, dry-run lines, per-ID lines, annotations, verdicts, violations', async () => {
    let current: Sample = { id: 'a', name: 'a', time: 'a', path: 'a', tag: 'a', body: 'a', input: 'a' }
    const base = (await hostileProvider(() => current)).href
    const dir = scratchDir('file-purge-log-safety-')
    await fc.assert(
      fc.asyncProperty(sample, async s => {
        current = s
        for (const [inputs, shows] of runsFor(s, base)) {
          const output = await actionOutput(inputs, dir)
          expect(output).toMatch(shows)
          expectSafeLines(output)
          const [human, lines] = await commandOutput(inputs, false, dir)
          expectSafeLines(human)
          expectSafeLines(lines)
          const [json] = await commandOutput(inputs, true, dir)
          expectSafeLines(json, { json: true })
        }
      }),
      { seed: SEED, numRuns: 12 }
    )
  })

  test('through each producer and writer alone, many times over', () => {
    fc.assert(
      fc.property(sample, s => {
        const out: string[] = []
        const log = new LineLog(text => void out.push(text), 10_000)
        const results = [
          { id: s.id, outcome: 'failed' as const, httpStatus: 400, reason: s.body, attempts: 1, ms: 1 },
          { id: s.input, outcome: 'missing' as const, httpStatus: 404, reason: s.name, attempts: 1, ms: 1 }
        ]
        for (const result of results) log.line(logLine(result))
        log.line(`listing writer files to select from (path ${s.path})`)
        log.flush()
        written = []
        const { tally } = tallyOf(results)
        for (const annotation of annotations(tally, { failed: true, missing: true }, true)) {
          toolkit.error(annotation.message)
          toolkit.warning(annotation.message)
        }
        const outcome = verdict({ credentialsRejected: false, halted: s.time }, tally, { failed: true, missing: true })
        toolkit.setFailed(`file-purge: ${outcome.message}`)
        toolkit.debug(s.tag)
        toolkit.info(`file-purge: ${s.body}`)
        expectSafeLines(written.join('') + out.join(''))
        // The writers alone, given the text raw: it may start the line, but never as a command.
        written = []
        const raw: string[] = []
        const rawLog = new LineLog(text => void raw.push(text), 10_000)
        for (const text of [s.id, s.name, s.time, s.path, s.tag, s.body, s.input]) {
          toolkit.info(text)
          toolkit.error(text)
          rawLog.line(text)
        }
        rawLog.flush()
        const lines = written.join('') + raw.join('')
        expect(lines.split(/\r\n|\r|\n/)).toHaveLength(3 * 7 + 1)
        expectSafeLines(lines, { anyStart: true })
      }),
      { seed: SEED, numRuns: 500 }
    )
  })
})
