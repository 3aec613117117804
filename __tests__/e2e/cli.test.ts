import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from '@jest/globals'
import { API_KEY_VARIABLE, HELP, inCommandWords, main, type CliIo } from '../../src/shells/cli.js'
import { MAX_LOGGED_ID_LINES, MAX_NAMED_UNKNOWN_IDS } from '../../src/settings/constants.js'
import { CANCEL_GRACE_MS } from '../../src/transport/abort.js'
import { OUTCOME_UNKNOWN } from '../../src/engine/outcome.js'
import { bundledEntry, committedEntry, runProcess } from '../harness/runner.js'
import { emulate, KEY, scratchDir, type Report } from '../helpers/common.js'

async function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; interactive?: boolean } = {}) {
  const { env = { [API_KEY_VARIABLE]: KEY }, interactive = false } = options
  let stdout = ''
  let stderr = ''
  const cwd = scratchDir('file-purge-cli-')
  const io: CliIo = { stdout: t => void (stdout += t), stderr: t => void (stderr += t), interactive, env, cwd }
  const code = await main(argv, io)
  expect(stdout + stderr).not.toContain(KEY)
  return { code, stdout, stderr, cwd }
}

describe('file-purge command line', () => {
  test('deletes from the provider and prints the report as JSON with --json', async () => {
    const e = await emulate({ provider: 'anyformat', files: ['a', 'b'] })
    const run = await cli(['--provider', 'anyformat', '--base-url', e.url, '--file-ids', 'a,b,c', '--json'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as Report
    expect(report.entries.map((entry: { id: string; outcome: string }) => [entry.id, entry.outcome])).toEqual([
      ['a', 'deleted'],
      ['b', 'deleted'],
      ['c', 'missing']
    ])
    expect(report.context.eventName).toBe('cli')
    expect(e.store.size).toBe(0)
    expect(run.stderr).toMatch(/^deleted "a" \(HTTP 204, 1 attempt, \d+ ms\)$/m)
  })

  test('the key comes only from the environment: --api-key is a usage error, a missing key a policy violation', async () => {
    const flag = await cli(['--provider', 'writer', '--file-ids', 'a', `--api-key=${KEY}`])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain(`put the key in the environment variable ${API_KEY_VARIABLE}`)
    const none = await cli(['--provider', 'writer', '--file-ids', 'a'], { env: {} })
    expect(none.code).toBe(1)
    expect(none.stdout).toContain(
      `policy violation: ${API_KEY_VARIABLE} is not set: the key is required unless --dry-run is true`
    )
    expect(none.stdout).not.toContain('api-key')
  })

  test('unknown flags and stray arguments are usage errors (exit 2); --help exits 0', async () => {
    expect((await cli(['--provider', 'writer', '--frobnicate'])).code).toBe(2)
    expect((await cli(['--provider', 'writer', 'stray'])).code).toBe(2)
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: file-purge --provider NAME')
    expect(help.stdout).toContain('Exit codes: 0 success, 1 policy violation or failed verdict, 2 usage error.')
    expect(help.stdout).toContain(
      'Cancelled by Ctrl-C (SIGINT) or SIGTERM, it still reports every ID and exits 130 or 143'
    )
  })

  test('a policy violation sends nothing and exits 1; a failed ID exits 1 with the reason', async () => {
    const e = await emulate({ provider: 'writer', files: ['prod-1', 'tmp-1'] })
    const refused = await cli([
      '--provider',
      'writer',
      '--base-url',
      e.url,
      '--file-ids',
      'prod-1 tmp-1',
      '--protected-ids',
      'prod-*'
    ])
    expect(refused.code).toBe(1)
    expect(e.requests).toHaveLength(0)
    e.inject({ fault: { kind: 'status', status: 423 } })
    const failed = await cli(['--provider', 'writer', '--base-url', e.url, '--file-ids', 'tmp-1'])
    expect(failed.code).toBe(1)
    expect(failed.stdout).toMatch(/^FAILED: 1 ID failed/)
  })

  test('dry run needs no key and sends nothing; --report writes the report', async () => {
    const e = await emulate({ provider: 'delos', files: ['a'] })
    const run = await cli(
      ['--provider', 'delos', '--base-url', e.url, '--file-ids', 'a', '--dry-run', '--report', 'out/../report.json'],
      { env: {} }
    )
    expect(run.code).toBe(0)
    expect(e.requests).toHaveLength(0)
    expect(JSON.parse(readFileSync(path.join(run.cwd, 'report.json'), 'utf8'))).toMatchObject({
      dryRun: true,
      totals: { planned: 1 }
    })
  })

  test('a --report path that cannot be written is a usage error found before anything is sent', async () => {
    const e = await emulate({ provider: 'anyformat', files: ['a'] })
    const run = await cli([
      '--provider',
      'anyformat',
      '--base-url',
      e.url,
      '--file-ids',
      'a',
      '--report',
      'no/such/dir/r.json'
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--report ".*no\/such\/dir\/r\.json": its directory does not exist or cannot be written/)
    expect(e.requests).toHaveLength(0)
    expect(e.store.has('a')).toBe(true)
  })

  test('on a terminal a progress bar replaces the per-ID lines; --quiet prints neither', async () => {
    const e = await emulate({ provider: 'imagekit', files: ['a', 'b', 'c'] })
    const tty = await cli(['--provider', 'imagekit', '--base-url', e.url, '--file-ids', 'a b c', '--no-bulk'], {
      interactive: true
    })
    expect(tty.code).toBe(0)
    expect(tty.stderr).toContain('\r[##############################] 3/3  deleted 3  missing 0  failed 0\n')
    expect(tty.stderr).not.toMatch(/^deleted "a"/m)
    const quiet = await cli(['--provider', 'imagekit', '--base-url', e.url, '--file-ids', 'a', '--quiet'])
    expect(quiet.stderr).toBe('')
    expect(quiet.stdout).toMatch(/^OK: /)
  })

  test('selects with the same flags as the inputs', async () => {
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString()
    const writer = await emulate({
      provider: 'writer',
      files: [
        { id: 'w-old', name: 'pr-42-a', createdAt: ago(40), graphIds: ['g1'], status: 'failed' },
        { id: 'w-older', name: 'pr-42-b', createdAt: ago(50), graphIds: ['g1'], status: 'failed' },
        { id: 'w-new', name: 'pr-42-c', createdAt: ago(1), graphIds: ['g1'], status: 'failed' },
        { id: 'w-done', name: 'pr-42-d', createdAt: ago(60), graphIds: ['g1'], status: 'completed' },
        { id: 'w-other', name: 'pr-42-e', createdAt: ago(70), graphIds: ['g2'], status: 'failed' }
      ]
    })
    const byWriter = await cli([
      ...['--provider', 'writer', '--base-url', writer.url, '--json'],
      ...['--select-name', 'pr-42-*', '--select-status', 'failed', '--graph-id', 'g1'],
      ...['--older-than', '30d', '--keep-newest', '1']
    ])
    expect(byWriter.code).toBe(0)
    const writerReport = JSON.parse(byWriter.stdout) as Report
    expect(writerReport.selection).toMatchObject({
      filters: { name: 'pr-42-*', status: ['failed'], olderThan: '30d', keepNewest: 1 },
      scope: { graphId: 'g1' },
      selected: 2,
      spared: 1
    })
    // w-new is spared as the newest; w-done has another status, w-other is in another graph.
    expect([...writer.store].sort()).toEqual(['w-done', 'w-new', 'w-other'])

    const imagekit = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'k1', path: '/previews/pr-42/a.jpg', tags: ['preview'] },
        { id: 'k2', path: '/previews/pr-42/b.jpg', tags: ['keep'] },
        { id: 'k3', path: '/other/c.jpg', tags: ['preview'] }
      ]
    })
    const byImagekit = await cli([
      ...['--provider', 'imagekit', '--base-url', imagekit.url],
      ...['--select-path', '/previews/pr-42/', '--select-tags', 'preview,tmp']
    ])
    expect(byImagekit.code).toBe(0)
    expect([...imagekit.store].sort()).toEqual(['k2', 'k3'])

    const anyformat = await emulate({
      provider: 'anyformat',
      files: [
        { id: 'c1', name: 'a', workflowId: 'wf-1' },
        { id: 'c2', name: 'b', workflowId: 'wf-2' }
      ]
    })
    const byAnyformat = await cli(['--provider', 'anyformat', '--base-url', anyformat.url, '--workflow-id', 'wf-1'])
    expect(byAnyformat.code).toBe(0)
    expect([...anyformat.store]).toEqual(['c2'])
  })

  test('the built command runs as a process: npx file-purge against the emulator', async () => {
    const e = await emulate({ provider: 'writer', files: ['x1', 'x2'] })
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(path.dirname(committedEntry()), 'cli', 'index.js'),
        '--provider',
        'writer',
        '--base-url',
        e.url,
        '--file-ids',
        '["x1","x2"]',
        '--json'
      ],
      {
        env: { PATH: process.env.PATH ?? '', [API_KEY_VARIABLE]: KEY }
      }
    )
    expect((JSON.parse(stdout) as Report).totals).toMatchObject({ deleted: 2, failed: 0 })
    expect(stdout).not.toContain(KEY)
    expect(e.store.size).toBe(0)
  })

  test('no arguments at all: the usage on stderr, exit 2', async () => {
    const run = await cli([])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(HELP)
  })

  test('a list flag given twice counts every occurrence: a second --protected-ids does not drop the first', async () => {
    const e = await emulate({ provider: 'writer', files: ['file-19', 'file-20'] })
    const run = await cli([
      ...['--provider', 'writer', '--base-url', e.url, '--file-ids', 'file-19 file-20'],
      ...['--protected-ids', 'file-20', '--protected-ids', 'golden-*']
    ])
    expect(run.code).toBe(1)
    expect(e.requests).toHaveLength(0)
    expect(run.stdout).toContain('policy violation: --protected-ids: ID "file-20" matches protected pattern "file-20"')

    const ids = await cli(
      [
        ...['--provider', 'writer', '--dry-run', '--json', '--file-ids', 'a b', '--file-ids', '["c,d"]'],
        ...['--file-ids', 'e', '--fail-on', 'failed', '--fail-on', 'missing']
      ],
      { env: {} }
    )
    expect(ids.code).toBe(0)
    const report = JSON.parse(ids.stdout) as Report
    expect(report.entries.map(entry => entry.id)).toEqual(['a', 'b', 'c,d', 'e'])
    expect(report.failOn).toEqual({ failed: true, missing: true })
  })

  test('select-tags and select-status given twice: every word counts', async () => {
    const e = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'k1', tags: ['preview'] },
        { id: 'k2', tags: ['tmp'] },
        { id: 'k3', tags: ['keep'] }
      ]
    })
    const run = await cli([
      ...['--provider', 'imagekit', '--base-url', e.url, '--dry-run', '--json'],
      ...['--select-tags', 'preview', '--select-tags', 'tmp']
    ])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as Report
    expect(report.selection?.filters.tags).toEqual(['preview', 'tmp'])
    expect(report.entries.map(entry => entry.id).sort()).toEqual(['k1', 'k2'])
  })

  test('any other flag given twice is a usage error naming it, sent nowhere', async () => {
    const e = await emulate({ provider: 'writer', files: ['a'] })
    for (const twice of [
      ['--provider', 'writer', '--provider', 'delos'],
      ['--provider', 'writer', '--base-url', e.url, '--base-url', e.url],
      ['--provider', 'writer', '--max-deletions', '1', '--max-deletions=5']
    ]) {
      const run = await cli([...twice, '--base-url', e.url, '--file-ids', 'a'])
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(
        /^file-purge: --(provider|base-url|max-deletions) given (twice|3 times): it takes one value$/m
      )
    }
    expect(e.requests).toHaveLength(0)
    expect(e.store.has('a')).toBe(true)
    expect(HELP).toContain('A list flag may be given more than once, and every occurrence counts:')
  })

  test("violations name the command's flags, never the action's inputs; quoted values stay as given", async () => {
    const run = await cli(['--provider', 'writer', '--max-deletions', '0', '--older-than', 'soon'], { env: {} })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('policy violation: --max-deletions: "0" is not a whole number from 1 to 1000000')
    expect(run.stdout).toContain('policy violation: --older-than: "soon" is not')
    expect(run.stdout).toContain(
      `policy violation: ${API_KEY_VARIABLE} is not set: the key is required unless --dry-run is true`
    )
    const selecting = await cli(['--provider', 'writer', '--select-name', 'x', '--dry-run'], { env: {} })
    expect(selecting.stdout).toContain(
      `policy violation: ${API_KEY_VARIABLE} is not set: the key is required to select files, also in a dry run`
    )
    expect(run.stdout).not.toMatch(/(^|[^-])\b(max-deletions|older-than|api-key|file-ids):/m)
    expect(
      inCommandWords('file-ids: no IDs given: set file-ids or file-ids-file, or select files (select-name, …)')
    ).toBe('--file-ids: no IDs given: set --file-ids or --file-ids-file, or select files (--select-name, …)')
    expect(inCommandWords('file-ids-file "x": invalid ID "dry-run"')).toBe('--file-ids-file "x": invalid ID "dry-run"')
    expect(inCommandWords('provider: unknown provider "x"')).toBe('--provider: unknown provider "x"')
  })

  test('with --json a failed run still tells its verdict and violations on stderr; stdout is the JSON only', async () => {
    const e = await emulate({ provider: 'writer', files: ['prod-1'] })
    const refused = await cli([
      ...['--provider', 'writer', '--base-url', e.url, '--file-ids', 'prod-1'],
      ...['--protected-ids', 'prod-*', '--json', '--quiet']
    ])
    expect(refused.code).toBe(1)
    expect((JSON.parse(refused.stdout) as Report).verdict.failed).toBe(true)
    expect(refused.stderr).toBe(
      'FAILED: 1 policy violation; nothing was sent\npolicy violation: --protected-ids: ID "prod-1" matches protected pattern "prod-*"\n'
    )
    e.inject({ fault: { kind: 'status', status: 423 } })
    const failed = await cli(['--provider', 'writer', '--base-url', e.url, '--file-ids', 'prod-1', '--json'])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^FAILED: 1 ID failed/m)
    const ok = await cli(['--provider', 'writer', '--dry-run', '--file-ids', 'a', '--json', '--quiet'], { env: {} })
    expect(ok.stderr).toBe('')
  })

  test(`a dry run logs each ID once, at most ${MAX_LOGGED_ID_LINES} lines, then counts the rest`, async () => {
    const many = Array.from({ length: MAX_LOGGED_ID_LINES + 500 }, (_, i) => `id-${i}`)
    const run = await cli(
      ['--provider', 'writer', '--dry-run', '--file-ids', many.join(','), '--max-deletions', '5000'],
      { env: {} }
    )
    expect(run.code).toBe(0)
    expect(run.stderr.match(/^planned "/gm)).toHaveLength(MAX_LOGGED_ID_LINES)
    expect(run.stderr).toContain(`planned "id-${MAX_LOGGED_ID_LINES - 1}"\n`)
    expect(run.stderr).not.toContain(`"id-${MAX_LOGGED_ID_LINES}"`)
    expect(run.stderr).toMatch(
      /\n… and 500 more lines like these not shown \(at most 1000 are\): the report \(--report PATH or --json\) lists every ID\n$/
    )

    // A selected file is shown once, with what the listing said of it, not again as planned.
    const e = await emulate({
      provider: 'imagekit',
      files: [
        { id: 'k1', name: 'pr-1-a' },
        { id: 'k2', name: 'x' }
      ]
    })
    const selected = await cli([
      ...['--provider', 'imagekit', '--base-url', e.url, '--dry-run'],
      ...['--select-name', 'pr-1-*', '--file-ids', 'k1,given']
    ])
    expect(selected.code).toBe(0)
    expect(selected.stderr.match(/"k1"/g)).toHaveLength(1)
    expect(selected.stderr).toMatch(/^would delete "k1" \(name "pr-1-a"/m)
    expect(selected.stderr).toMatch(/^planned "given"$/m)
  })

  test('a second Ctrl-C exits at once, yet writes the report and names the IDs of unknown outcome', async () => {
    const ids = ['done', 'hang-1', 'hang-2', 'later-1', 'later-2']
    const e = await emulate({ provider: 'writer', files: ids }, [
      { id: 'hang-1', fault: { kind: 'hang' } },
      { id: 'hang-2', fault: { kind: 'hang' } }
    ])
    const cwd = scratchDir('file-purge-cli-')
    const hanging = () => e.requests.filter(r => r.id?.startsWith('hang-')).length === 2 && !e.store.has('done')
    const run = await runProcess(
      process.execPath,
      [
        bundledEntry(path.join('dist', 'cli', 'index.js')),
        ...['--provider', 'writer', '--base-url', e.url, '--file-ids', ids.join(','), '--concurrency', '2'],
        ...['--report', 'report.json', '--json']
      ],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', [API_KEY_VARIABLE]: KEY },
        timeoutMs: 20_000,
        cancel: { signal: 'SIGINT', when: hanging, againAfterMs: 200 }
      }
    )
    expect(run.signalsSent.map(s => s.signal)).toEqual(['SIGINT', 'SIGINT'])
    expect(run.exitCode).toBe(130)
    // The requests in flight never answer: the first signal alone would end the run only when their grace is over.
    expect(run.exitedAtMs - run.signalsSent[0]!.atMs).toBeLessThan(CANCEL_GRACE_MS)
    expect(run.stdout).toBe('')
    const report = JSON.parse(readFileSync(path.join(cwd, 'report.json'), 'utf8')) as Report
    expect(report.verdict).toMatchObject({ failed: true })
    expect(report.verdict.message).toMatch(/^the run stopped: cancelled \(SIGINT\), then stopped at once \(SIGINT\)/)
    expect(report.entries.map(entry => [entry.id, entry.outcome, entry.reason, entry.attempts])).toEqual([
      ['done', 'deleted', null, 1],
      ['hang-1', 'failed', `stopped at once before an answer came; ${OUTCOME_UNKNOWN}`, 1],
      ['hang-2', 'failed', `stopped at once before an answer came; ${OUTCOME_UNKNOWN}`, 1],
      ['later-1', 'failed', 'not attempted: cancelled', 0],
      ['later-2', 'failed', 'not attempted: cancelled', 0]
    ])
    expect(report.totals).toMatchObject({ planned: 5, deleted: 1, failed: 4, requests: 3 })
    const lines = run.stderr.trimEnd().split('\n')
    expect(lines.at(-1)).toBe(
      `file-purge: stopped at once (SIGINT); outcome unknown (sent, no answer yet; it may have been deleted) for 2 IDs: "hang-1", "hang-2"; the report is in ${path.join(cwd, 'report.json')}`
    )
    expect(run.stdout + run.stderr).not.toContain(KEY)
  }, 30_000)

  test(`the last line names at most ${MAX_NAMED_UNKNOWN_IDS} IDs of unknown outcome, then counts the rest`, async () => {
    const ids = Array.from({ length: MAX_NAMED_UNKNOWN_IDS + 3 }, (_, i) => `h${i}`)
    const e = await emulate({ provider: 'anyformat', files: ids }, [{ fault: { kind: 'hang' } }])
    const run = await runProcess(
      process.execPath,
      [
        bundledEntry(path.join('dist', 'cli', 'index.js')),
        ...['--provider', 'anyformat', '--base-url', e.url, '--file-ids', ids.join(','), '--concurrency', '64']
      ],
      {
        cwd: scratchDir('file-purge-cli-'),
        env: { PATH: process.env.PATH ?? '', [API_KEY_VARIABLE]: KEY },
        timeoutMs: 20_000,
        cancel: { signal: 'SIGTERM', when: () => e.requests.length === ids.length, againAfterMs: 200 }
      }
    )
    expect(run.exitCode).toBe(143)
    const named = ids.slice(0, MAX_NAMED_UNKNOWN_IDS).map(id => `"${id}"`)
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      `file-purge: stopped at once (SIGTERM); outcome unknown (sent, no answer yet; it may have been deleted) for ${ids.length} IDs: ${named.join(', ')} and 3 more`
    )
  }, 30_000)
})
