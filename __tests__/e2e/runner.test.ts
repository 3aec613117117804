import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sourceHash, staleBuilds, UNUSED_FOR_MS } from '../harness/bundle.js'
import {
  actionDefaults,
  bundledEntry,
  committedEntry,
  nodeBinaries,
  REPO_ROOT,
  type RunOptions,
  type RunResult
} from '../harness/runner.js'
import { emulate, runActionOnce, scratchDir } from '../helpers/common.js'

// A stand-in for the bundle: reports its environment and working directory, and writes every kind of file command.
const PROBE = `
import { appendFileSync } from 'node:fs'
const out = process.env.GITHUB_OUTPUT
appendFileSync(out, 'env<<ghadelimiter_1\\n' + JSON.stringify(process.env) + '\\nghadelimiter_1\\n')
appendFileSync(out, 'cwd=' + process.cwd() + '\\n')
appendFileSync(out, 'equation=a=b<<c\\n')
appendFileSync(out, 'multi<<EOF\\nline 1\\n\\nline 3\\nEOF\\n')
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '## probe\\n')
console.log('plain log line')
console.log('::error title=Bad%3A thing,file=a%2Cb.ts::50%25 done%0Anext%250A')
console.log('::add-mask::s3cret')
console.log('::stop-commands::pause-token')
console.log('::error::ignored while stopped')
console.log('::pause-token::')
console.log('::debug::')
`

const HANG = 'setInterval(() => {}, 1000)\n'

let scripts: string
const run = runActionOnce

beforeAll(() => {
  scripts = mkdtempSync(path.join(os.tmpdir(), 'runner-test-'))
  writeFileSync(path.join(scripts, 'probe.mjs'), PROBE)
  writeFileSync(path.join(scripts, 'hang.mjs'), HANG)
})

afterAll(() => {
  rmSync(scripts, { recursive: true, force: true })
})

describe('actionDefaults', () => {
  test('reads every input of action.yml with its default, "" where it has none', () => {
    const defaults = actionDefaults()
    expect(defaults).toMatchObject({
      provider: '',
      'file-ids': '',
      'dry-run': 'false',
      'fail-on': 'failed',
      'max-deletions': '1000',
      concurrency: '8',
      'max-retries': '3',
      'timeout-seconds': '30'
    })
    expect(Object.values(defaults).every(value => typeof value === 'string')).toBe(true)
  })
})

describe('runAction with a probe script', () => {
  const probe = (options: Omit<RunOptions, 'entry'>): Promise<RunResult> =>
    run({ ...options, entry: path.join(scripts, 'probe.mjs') })

  test('sets inputs as the runner does, hyphens kept, defaults applied, nothing inherited', async () => {
    process.env.INPUT_LEAKED = 'from the parent'
    process.env.GITHUB_TOKEN = 'parent-token'
    try {
      const result = await probe({
        inputs: { provider: 'writer', 'file-ids': 'a b', 'some input': 'x' },
        env: { EXTRA: '1' }
      })
      const env = JSON.parse(result.outputs.env ?? '{}') as Record<string, string>
      expect(env['INPUT_FILE-IDS']).toBe('a b')
      expect(env.INPUT_PROVIDER).toBe('writer')
      expect(env.INPUT_SOME_INPUT).toBe('x')
      expect(env['INPUT_DRY-RUN']).toBe('false')
      expect(env['INPUT_API-KEY']).toBe('')
      expect(env.INPUT_LEAKED).toBeUndefined()
      expect(env.GITHUB_TOKEN).toBeUndefined()
      expect(env.EXTRA).toBe('1')
      expect(env).toMatchObject({
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'octo/purge-demo',
        GITHUB_EVENT_NAME: 'workflow_dispatch'
      })
      expect(result.outputs.cwd).toBe(env.GITHUB_WORKSPACE)
      expect(env.RUNNER_TEMP?.startsWith(result.tempDir)).toBe(true)
    } finally {
      delete process.env.INPUT_LEAKED
      delete process.env.GITHUB_TOKEN
    }
  })

  test('parses outputs, summary and workflow commands', async () => {
    const result = await probe({ inputs: {} })
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ equation: 'a=b<<c', multi: 'line 1\n\nline 3' })
    expect(result.summary).toBe('## probe\n')
    expect(result.report).toBeUndefined()
    expect(result.stdout).toContain('plain log line')
    expect(result.commands).toEqual([
      { command: 'error', properties: { title: 'Bad: thing', file: 'a,b.ts' }, message: '50% done\nnext%0A' },
      { command: 'add-mask', properties: {}, message: 's3cret' },
      { command: 'stop-commands', properties: {}, message: 'pause-token' },
      { command: 'debug', properties: {}, message: '' }
    ])
  })

  test('writes the event payload and its name', async () => {
    const result = await probe({
      inputs: {},
      event: { name: 'pull_request', payload: { pull_request: { number: 7 } } }
    })
    const env = JSON.parse(result.outputs.env ?? '{}') as Record<string, string>
    expect(env.GITHUB_EVENT_NAME).toBe('pull_request')
    expect(JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8'))).toEqual({ pull_request: { number: 7 } })
  })

  test('kills a child that outlives the timeout', async () => {
    const result = await run({ inputs: {}, entry: path.join(scripts, 'hang.mjs'), timeoutMs: 300 })
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' })
  })
})

describe('runAction with the real bundle', () => {
  test.each(nodeBinaries())('dry run on $name', async ({ path: node }) => {
    const result = await run({ node, inputs: { provider: 'writer', 'file-ids': 'a b', 'dry-run': 'true' } })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ planned: '["a","b"]', deleted: '[]', missing: '[]', failed: '[]' })
    expect(result.report).toMatchObject({ provider: 'writer', dryRun: true })
    expect(result.summary).toContain('dry run: nothing was deleted')
  })

  test('the event reaches the report context', async () => {
    const result = await run({
      inputs: { provider: 'writer', 'file-ids': 'a', 'dry-run': 'true' },
      event: { name: 'pull_request', payload: { pull_request: { number: 7 } } }
    })
    expect(result.report).toMatchObject({
      context: { repository: 'octo/purge-demo', eventName: 'pull_request', pullRequest: 7 }
    })
  })

  test('runs the bundle built from the sources as they are now, not the committed dist/', () => {
    const fresh = process.env.FILE_PURGE_BUNDLE ?? ''
    expect(path.basename(fresh)).toBe(sourceHash())
    expect(bundledEntry('dist/index.js')).toBe(path.join(fresh, 'index.js'))
    expect(bundledEntry('dist/cli/index.js')).toBe(path.join(fresh, 'cli', 'index.js'))
  })

  test('a build of another state is removed only once no run has used it for a day', () => {
    const cache = scratchDir('bundle-cache-')
    const now = Date.now()
    const build = (name: string, usedMsAgo: number): void => {
      mkdirSync(path.join(cache, name))
      const at = new Date(now - usedMsAgo)
      utimesSync(path.join(cache, name), at, at)
    }
    build('in-use', 60_000)
    build('just-fresh', UNUSED_FOR_MS - 60_000)
    build('stale', UNUSED_FOR_MS + 60_000)
    build('stale.partial-123', 2 * UNUSED_FOR_MS)
    expect(staleBuilds(cache, now).sort()).toEqual(['stale', 'stale.partial-123'])
    expect(staleBuilds(path.join(cache, 'none'), now)).toEqual([])
  })

  test('the committed dist/ runs as users get it: a dry run and a delete', async () => {
    expect(committedEntry()).toBe(path.join(REPO_ROOT, 'dist', 'index.js'))
    const emulator = await emulate({ provider: 'writer', apiKey: 'k', files: ['a'] })
    const dry = await run({
      entry: committedEntry(),
      inputs: { provider: 'writer', 'file-ids': 'a', 'dry-run': 'true' }
    })
    expect(dry.outputs).toMatchObject({ planned: '["a"]', deleted: '[]' })
    const real = await run({
      entry: committedEntry(),
      inputs: { provider: 'writer', 'file-ids': 'a b', 'api-key': 'k', 'base-url': emulator.url }
    })
    expect(real.exitCode).toBe(0)
    expect(real.outputs).toMatchObject({ deleted: '["a"]', missing: '["b"]', failed: '[]' })
    expect([...emulator.store]).toEqual([])
  })

  test('deletes from the emulator', async () => {
    const emulator = await emulate({ provider: 'imagekit', apiKey: 'k', files: ['a', 'b'] })
    const result = await run({
      inputs: { provider: 'imagekit', 'file-ids': 'a b', 'api-key': 'k', 'base-url': emulator.url }
    })
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ deleted: '["a","b"]', missing: '[]', failed: '[]', 'deleted-count': '2' })
    expect([...emulator.store]).toEqual([])
    expect(result.commands).toContainEqual({ command: 'add-mask', properties: {}, message: 'k' })
  })
})
