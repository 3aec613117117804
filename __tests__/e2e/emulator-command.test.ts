import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { API_KEY_VARIABLE, main, type CliIo } from '../../src/shells/cli.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { REPO_ROOT, runProcess } from '../harness/runner.js'
import { parseSeed } from '../../emulator/seed.js'
import { scratchDir } from '../helpers/common.js'

/** `npm run emulator` as a process: what the repository's e2e workflow starts in the background. */
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'emulator.ts')
const EMULATOR_KEY = 'emulator-test-key-42'
const emulatorCommand = (args: string[], options: Parameters<typeof runProcess>[2]) =>
  runProcess(process.execPath, ['--import', 'tsx', SCRIPT, ...args], options)

async function deleteWithCommand(provider: string, baseUrl: string, ids: string): Promise<number> {
  const io: CliIo = {
    stdout: () => undefined,
    stderr: () => undefined,
    interactive: false,
    env: { [API_KEY_VARIABLE]: EMULATOR_KEY },
    cwd: scratchDir()
  }
  return main(['--provider', provider, '--base-url', baseUrl, '--file-ids', ids], io)
}

describe('npm run emulator', () => {
  test('serves all four providers with the same files until SIGTERM, then says what each answered', async () => {
    const dir = scratchDir('file-purge-emulator-')
    const urlsFile = path.join(dir, 'urls.json')
    let done = false
    const served = emulatorCommand(['--files', '3', '--key', EMULATOR_KEY, '--urls-file', urlsFile], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 30_000,
      cancel: { signal: 'SIGTERM', when: () => done }
    })
    try {
      while (!existsSync(urlsFile) || readFileSync(urlsFile, 'utf8') === '') await sleep(20)
      const urls = JSON.parse(readFileSync(urlsFile, 'utf8')) as Record<string, string>
      expect(Object.keys(urls)).toEqual([...PROVIDER_NAMES])
      // Still serving after the first provider's run: every provider deletes file-1 and finds absent missing.
      for (const provider of PROVIDER_NAMES) {
        expect(await deleteWithCommand(provider, urls[provider] ?? '', 'file-1,absent')).toBe(0)
      }
    } finally {
      done = true
    }
    const run = await served
    expect(run).toMatchObject({ exitCode: 0, timedOut: false })
    expect(run.stdout).toContain(`api-key ${EMULATOR_KEY}; every provider holds file-1 … file-3`)
    for (const provider of PROVIDER_NAMES) {
      expect(run.stdout).toMatch(new RegExp(`^${provider} +\\d+ requests answered, 1 files deleted, 2 left$`, 'm'))
    }
    expect(run.stdout).toContain('stopped (SIGTERM)')
  }, 40_000)

  test('a bad option is an error with the usage, exit code 2', async () => {
    const run = await emulatorCommand(['--files', 'many'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      timeoutMs: 20_000
    })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('--files "many" is not a whole number up to 1000000')
    expect(run.stderr).toContain('usage: npm run emulator')
  }, 30_000)

  test('--seed: each provider holds the files of the seed and injects its faults', async () => {
    const dir = scratchDir('file-purge-emulator-')
    const urlsFile = path.join(dir, 'urls.json')
    let done = false
    const served = emulatorCommand(
      ['--seed', path.join('emulator', 'seed.json'), '--key', EMULATOR_KEY, '--urls-file', urlsFile],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '' },
        timeoutMs: 30_000,
        cancel: { signal: 'SIGTERM', when: () => done }
      }
    )
    try {
      while (!existsSync(urlsFile) || readFileSync(urlsFile, 'utf8') === '') await sleep(20)
      const urls = JSON.parse(readFileSync(urlsFile, 'utf8')) as Record<string, string>
      // w-flaky answers 503 twice (retried), then is deleted; file-1 is not in the seed.
      expect(await deleteWithCommand('writer', urls.writer ?? '', 'w-flaky')).toBe(0)
      expect(await deleteWithCommand('delos', urls.delos ?? '', 'd-pr42-1')).toBe(0)
    } finally {
      done = true
    }
    const run = await served
    expect(run).toMatchObject({ exitCode: 0, timedOut: false })
    expect(run.stdout).toContain(`api-key ${EMULATOR_KEY}; files and faults from emulator/seed.json`)
    expect(run.stdout).toMatch(/^writer +http:\/\/127\.0\.0\.1:\d+ +25 files, 1 fault rules$/m)
    expect(run.stdout).toMatch(/^writer +3 requests answered, 1 files deleted, 24 left$/m)
    expect(run.stdout).toMatch(/^delos +1 requests answered, 1 files deleted, 5 left$/m)
  }, 40_000)

  test('a seed file is checked: an unknown key, a wrong type or an unknown fault is refused, naming where', () => {
    expect(() => parseSeed('{"dropbox": {}}', 's.json')).toThrow('s.json: unknown key "dropbox"')
    expect(() => parseSeed('{"writer": {"files": [{"id": "a", "tag": ["x"]}]}}', 's.json')).toThrow(
      's.json: writer.files[0]: unknown key "tag"'
    )
    expect(() => parseSeed('{"imagekit": {"files": [{"id": "a", "tags": "x"}]}}', 's.json')).toThrow(
      '"tags" must be an array of strings'
    )
    expect(() => parseSeed('{"writer": {"faults": [{"fault": {"kind": "explode"}}]}}', 's.json')).toThrow(
      's.json: writer.faults[0]: "fault" must be an object whose "kind" is one of'
    )
    const now = Date.UTC(2026, 5, 1)
    const seed = parseSeed('{"writer": {"files": ["a", {"id": "b", "createdAt": "-2d"}]}}', 's.json', now)
    expect(seed.writer.files).toEqual([{ id: 'a' }, { id: 'b', createdAt: '2026-05-30T00:00:00.000Z' }])
    expect(seed.delos).toEqual({ files: [], faults: [] })
  })
})
