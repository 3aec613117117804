import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { API_KEY_VARIABLE, main, type CliIo } from '../src/cli.js'
import { PROVIDER_NAMES } from '../src/providers/index.js'
import { REPO_ROOT, runProcess } from '../scripts/runner.js'
import { scratchDir } from './helpers/common.js'

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
})
