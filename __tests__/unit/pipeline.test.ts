import { describe, expect, test } from '@jest/globals'
import { API_KEY_VARIABLE, main } from '../../src/shells/cli.js'
import type { InputName } from '../../src/settings/constants.js'
import { commentBody } from '../../src/shells/comment.js'
import { runPipeline, type FinishedRun, type Shell } from '../../src/pipeline.js'
import { outputValues, summaryMarkdown } from '../../src/report/report.js'
import { KEY, rawServer } from '../helpers/common.js'

/** The pipeline both shells share: what it masks, and its last-resort handler for errors nobody expected. */

const BASIC = Buffer.from(`${KEY}:`).toString('base64')
const TOKEN = 'ghs_jobTOKEN1234'

function sources(inputs: Partial<Record<InputName, string>>) {
  return { getInput: (name: InputName) => inputs[name] ?? '', readFile: () => '', workspace: '/w', env: {} }
}

function recordingShell(publish: Shell['publish']): Shell & { masked: string[]; unexpectedMessages: string[] } {
  const masked: string[] = []
  const unexpectedMessages: string[] = []
  return {
    masked,
    unexpectedMessages,
    mask: secret => void masked.push(secret),
    info: () => undefined,
    debug: () => undefined,
    publish,
    unexpected: message => void unexpectedMessages.push(message)
  }
}

describe('secrets', () => {
  test('the key, each of its lines, the Basic form ImageKit sends and the job token are masked first', async () => {
    const shell = recordingShell(() => undefined)
    const inputs = {
      provider: 'imagekit',
      'api-key': ` ${KEY}\n`,
      'github-token': TOKEN,
      'file-ids': 'a',
      'dry-run': 'true'
    }
    await runPipeline(sources(inputs), shell)
    expect(shell.masked).toEqual(expect.arrayContaining([KEY, `Basic ${BASIC}`, BASIC, TOKEN]))
  })
})

describe('the last-resort handler', () => {
  test('an error thrown while telling the outcome reaches the shell scrubbed of every form of the key', async () => {
    const shell = recordingShell(() => {
      throw new Error(`cannot write: key ${KEY}, header Basic ${BASIC}, token ${TOKEN}`)
    })
    const inputs = { provider: 'imagekit', 'api-key': KEY, 'github-token': TOKEN, 'file-ids': 'a', 'dry-run': 'true' }
    const report = await runPipeline(sources(inputs), shell)
    expect(report).toBeUndefined()
    expect(shell.unexpectedMessages).toHaveLength(1)
    const [message] = shell.unexpectedMessages as [string]
    expect(message).toMatch(/^Error: cannot write: key \*\*\*, header \*\*\*, token \*\*\*/)
    for (const secret of [KEY, BASIC, TOKEN]) expect(message).not.toContain(secret)
  })

  test("the command's handler scrubs ImageKit's Basic form too, and exits 1", async () => {
    let stderr = ''
    const code = await main(['--provider', 'imagekit', '--file-ids', 'a', '--dry-run'], {
      stdout: () => {
        throw new Error(`EPIPE while writing Basic ${BASIC} for ${KEY}`)
      },
      stderr: text => void (stderr += text),
      interactive: false,
      env: { [API_KEY_VARIABLE]: KEY },
      cwd: '/'
    })
    expect(code).toBe(1)
    expect(stderr).toContain('file-purge: unexpected error: Error: EPIPE while writing *** for ***')
    expect(stderr).not.toContain(BASIC)
    expect(stderr).not.toContain(KEY)
  })
})

/** Every channel of a run through the pipeline: lines, annotations (violations), summary, report, comment, outputs. */
async function channels(inputs: Partial<Record<InputName, string>>, shellExtra: Partial<Shell> = {}) {
  const told: string[] = []
  const masked: string[] = []
  const published: FinishedRun[] = []
  const shell: Shell = {
    mask: secret => void masked.push(secret),
    info: line => void told.push(line),
    debug: line => void told.push(line),
    writeLines: text => void told.push(text),
    publish: run => {
      published.push(run)
      const { report, writeReport } = run
      told.push(...report.violations, report.verdict.message, summaryMarkdown(report), commentBody(report))
      told.push(JSON.stringify(outputValues(report, '/r').values))
      writeReport(chunk => void told.push(Buffer.from(chunk).toString('utf8')))
    },
    unexpected: message => void told.push(message),
    ...shellExtra
  }
  const report = await runPipeline(sources({ provider: 'writer', 'api-key': KEY, ...inputs }), shell)
  return { text: () => told.join('\n'), masked, report, published }
}

describe('secrets in every form', () => {
  const PERCENT = encodeURIComponent(KEY)
  const JSON_ESCAPED = JSON.stringify(KEY).slice(1, -1).replace(/\//g, '\\/')

  test('the key percent-encoded or JSON-escaped in an error body is masked, and scrubbed from every channel', async () => {
    const url = await rawServer((req, res) => {
      // One ID's answer quotes the key percent-encoded in a JSON message; the other's is cut JSON, read as text.
      if (req.url?.endsWith('/a'))
        return res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: `no such key ${PERCENT}` }))
      res.writeHead(409, { 'content-type': 'application/json' }).end(`{"error": "key \\"${JSON_ESCAPED}\\" is locked`)
    })
    const { text, masked, report } = await channels({ 'file-ids': 'a b', 'base-url': url.href, bulk: 'false' })
    expect(report?.lists.failed).toEqual(['a', 'b'])
    const lowerHex = PERCENT.replace(/%[0-9A-F]{2}/g, hex => hex.toLowerCase())
    expect(masked).toEqual(expect.arrayContaining([KEY, PERCENT, JSON_ESCAPED, lowerHex]))
    expect(text()).toContain('no such key ***')
    for (const form of [KEY, PERCENT, JSON_ESCAPED, 'sk-TEST-k3y']) expect(text()).not.toContain(form)
  })

  test('a violation that names the key (an invalid ID holding it, whole or cut at its start) is scrubbed everywhere', async () => {
    const { text, report } = await channels({ 'file-ids': `["bad#${KEY}", "${'x'.repeat(75)}#${KEY}"]` })
    expect(report?.violations).toEqual([
      expect.stringMatching(/^file-ids: invalid ID "bad#\*\*\*"/),
      expect.stringMatching(/^file-ids: invalid ID "x{75}#\*\*\*…"/)
    ])
    for (const form of [KEY, 'sk-T']) expect(text()).not.toContain(form)
  })
})

describe('an unexpected error still tells what was settled', () => {
  test('outputs, report and summary are published with what was deleted before it, then the error is told', async () => {
    const url = await rawServer((req, res) => {
      const id = req.url?.split('/').pop() ?? ''
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, deleted: true }))
    })
    // The per-ID lines are written when the deletes are over: an error there comes after both were deleted.
    const { published, report, text } = await channels(
      { 'file-ids': 'a b', 'base-url': url.href, bulk: 'false' },
      {
        writeLines: () => {
          throw new RangeError('Invalid string length')
        }
      }
    )
    expect(report).toBeUndefined()
    expect(published).toHaveLength(1)
    const [crash] = published as [FinishedRun]
    expect(crash.crashed).toBe(true)
    expect(crash.report.verdict).toEqual({
      failed: true,
      message: 'unexpected error: RangeError: Invalid string length'
    })
    expect(crash.report.lists.deleted).toEqual(['a', 'b'])
    expect(text()).toContain('"outcome": "deleted"')
    expect(text()).toMatch(/RangeError: Invalid string length/)
  })
})
