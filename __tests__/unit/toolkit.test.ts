import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { parseOutputFile } from '../harness/runner.js'
import { logSafe } from '../../src/text.js'
import * as toolkit from '../../src/shells/toolkit.js'
import { scratchDir } from '../helpers/common.js'

/**
 * The action's own runner protocol, written exactly as @actions/core writes it; except that a line of text and an
 * annotation's or debug line's message are made one safe line first (logSafe), which @actions/core leaves to callers.
 */

const NASTY = 'a%b\r\nc::d,e:f %0A ::error::x ##[error]y'

let written: string[] = []
let restore: (() => void) | undefined
let saved: NodeJS.ProcessEnv
beforeEach(() => {
  saved = { ...process.env }
  written = []
  const original = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => {
    written.push(String(chunk))
    return true
  }
  restore = () => (process.stdout.write = original)
})
afterEach(() => {
  restore?.()
  process.env = saved
  process.exitCode = undefined
})

/** What each implementation writes to stdout for the same call. */
function both(
  call: (api: Pick<typeof toolkit, 'info' | 'debug' | 'setSecret' | 'warning' | 'error'>) => void
): [string, string] {
  written = []
  call(core)
  const theirs = written.join('')
  written = []
  call(toolkit)
  return [written.join(''), theirs]
}

describe('workflow commands, byte for byte as @actions/core writes them (of the safe line where it is text)', () => {
  type Api = Pick<typeof toolkit, 'info' | 'debug' | 'setSecret' | 'warning' | 'error'>
  test.each<[string, (api: Api, text: string) => void, boolean]>([
    ['info', (api, text) => api.info(text), true],
    ['debug', (api, text) => api.debug(text), true],
    ['add-mask', (api, text) => api.setSecret(text), false],
    ['warning', (api, text) => api.warning(text), true],
    ['error', (api, text) => api.error(text), true],
    ['error with a title', (api, text) => api.error(text, { title: 'file-purge: policy, violation' }), true],
    ['an empty message', api => api.error(''), true]
  ])('%s', (_, call, isText) => {
    written = []
    call(core, isText ? logSafe(NASTY) : NASTY)
    const theirs = written.join('')
    written = []
    call(toolkit, NASTY)
    expect(written.join('')).toBe(theirs)
  })

  test('text and annotations stay one line with no command in it; a secret to mask is written exactly', () => {
    const [info] = both(api => api.info(' ::error::x\n::warning::y ##[error]z #\u00ad#[error]w'))
    // A line break folds into a space: what followed it no longer starts a line, so only the first "::" is broken.
    expect(info).toBe(' : :error::x ::warning::y # #[error]z # \u00ad#[error]w\n')
    const [annotation] = both(api => api.error('x\u2028::error::y ##[warning]z'))
    expect(annotation).toBe('::error::x ::error::y # #[warning]z\n')
    const [mask] = both(api => api.setSecret('##[x]::y'))
    expect(mask).toBe('::add-mask::##[x]::y\n')
  })

  test('setFailed: the error annotation, and exit code 1', () => {
    core.setFailed(logSafe(NASTY))
    const theirs = written.join('')
    const theirCode = process.exitCode
    written = []
    process.exitCode = undefined
    toolkit.setFailed(NASTY)
    expect(written.join('')).toBe(theirs)
    expect(process.exitCode).toBe(theirCode)
  })
})

describe('inputs, outputs and the job summary', () => {
  test('an input is INPUT_<NAME>, hyphens kept, not trimmed, and empty when unset', () => {
    process.env['INPUT_FILE-IDS'] = '  a\n b '
    process.env.INPUT_MY_INPUT = 'x'
    expect(toolkit.getInput('file-ids')).toBe(core.getInput('file-ids', { trimWhitespace: false }))
    expect(toolkit.getInput('my input')).toBe('x')
    expect(toolkit.getInput('absent')).toBe('')
  })

  test('outputs go to GITHUB_OUTPUT as the runner reads them, multi-line values included', () => {
    const file = path.join(scratchDir(), 'out')
    writeFileSync(file, '')
    process.env.GITHUB_OUTPUT = file
    toolkit.setOutput('deleted', '["a","b"]')
    const multi = 'line 1\na%b ::error::x, %0A'
    toolkit.setOutput('multi', multi)
    core.setOutput('theirs', multi)
    const outputs = parseOutputFile(readFileSync(file, 'utf8'))
    expect(outputs).toEqual({ deleted: '["a","b"]', multi, theirs: multi })
  })

  test('without GITHUB_OUTPUT, the set-output command', () => {
    delete process.env.GITHUB_OUTPUT
    const [ours, theirs] = both(() => undefined)
    expect(ours).toBe(theirs)
    written = []
    core.setOutput('n', NASTY)
    const theirCommand = written.join('')
    written = []
    toolkit.setOutput('n', NASTY)
    expect(written.join('')).toBe(theirCommand)
  })

  test('the summary is appended to GITHUB_STEP_SUMMARY; without one nothing is written', async () => {
    const file = path.join(scratchDir(), 'summary')
    writeFileSync(file, '# before\n')
    process.env.GITHUB_STEP_SUMMARY = file
    expect(toolkit.appendSummary('## ours\n')).toBe(true)
    await core.summary.addRaw('## theirs\n').write()
    expect(readFileSync(file, 'utf8')).toBe('# before\n## ours\n## theirs\n')
    delete process.env.GITHUB_STEP_SUMMARY
    expect(toolkit.appendSummary('x')).toBe(false)
  })
})
