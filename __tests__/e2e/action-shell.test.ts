import { describe, expect, test } from '@jest/globals'
import { MAX_LOGGED_ID_LINES } from '../../src/settings/constants.js'
import { misnamedInputs } from '../../src/shells/main.js'
import { emulate, KEY, runActionOnce } from '../helpers/common.js'

describe("the action's log", () => {
  test('an input variable spelled with underscores is never read: a warning names the right one', async () => {
    const e = await emulate({ provider: 'writer', files: ['a'] })
    const run = await runActionOnce({
      inputs: { provider: 'writer', 'api-key': KEY, 'base-url': e.url, 'file-ids': 'a', 'dry-run': 'true' },
      env: { INPUT_MAX_DELETIONS: '5', INPUT_PROVIDER: 'writer', INPUT_FILE_IDS: 'a', INPUT_UNKNOWN_THING: 'x' }
    })
    expect(run.exitCode).toBe(0)
    const warnings = run.commands.filter(c => c.command === 'warning').map(c => c.message)
    expect(warnings).toEqual([
      'INPUT_MAX_DELETIONS is set but never read: the runner passes the input max-deletions as INPUT_MAX-DELETIONS, with its hyphens; set that variable instead, or pass max-deletions under with:'
    ])
  })

  test('given IDs that look like a mistake are sent as given, each with a warning saying why it likely comes back missing', async () => {
    const e = await emulate({ provider: 'writer', files: ['a'] })
    const run = await runActionOnce({
      inputs: {
        provider: 'writer',
        'api-key': KEY,
        'base-url': e.url,
        'file-ids': `a;b "c" w-report-* d`,
        'dry-run': 'true'
      }
    })
    expect(run.exitCode).toBe(0)
    expect(run.commands.filter(c => c.command === 'warning').map(c => c.message)).toEqual([
      'ID "a;b" holds ";": IDs are separated by newlines, commas or white space; it is sent as given',
      'ID "\\"c\\"" is wrapped in quotes, which are sent as part of the ID; it is sent as given',
      'ID "w-report-*" holds "*": IDs are exact (to select files by name, use select-name); it is sent as given'
    ])
  })

  test('only names that map to a real input, and only when they say something the hyphenated one does not', () => {
    expect(misnamedInputs({ INPUT_FILE_IDS: 'a' })).toEqual([
      { input: 'file-ids', variable: 'INPUT_FILE_IDS', expected: 'INPUT_FILE-IDS' }
    ])
    expect(misnamedInputs({ INPUT_API_KEY: 'k', 'INPUT_API-KEY': '' })).toEqual([
      { input: 'api-key', variable: 'INPUT_API_KEY', expected: 'INPUT_API-KEY' }
    ])
    expect(misnamedInputs({ INPUT_FILE_IDS: 'a', 'INPUT_FILE-IDS': 'a' })).toEqual([])
    expect(misnamedInputs({ INPUT_PROVIDER: 'writer', INPUT_FILES: 'a', INPUT_FILE_ID: 'a' })).toEqual([])
  })

  test(`a dry run logs at most ${MAX_LOGGED_ID_LINES} per-ID lines, then one line pointing to the report file`, async () => {
    const ids = Array.from({ length: MAX_LOGGED_ID_LINES + 1 }, (_, i) => `id-${i}`)
    const run = await runActionOnce({
      inputs: { provider: 'writer', 'file-ids': ids.join('\n'), 'dry-run': 'true', 'max-deletions': '5000' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout.match(/^planned "/gm)).toHaveLength(MAX_LOGGED_ID_LINES)
    expect(run.stdout).toContain(
      `\n… and 1 more line like these not shown (at most ${MAX_LOGGED_ID_LINES} are): the report file (output report-file) lists every ID\n`
    )
    expect((run.report as { entries: unknown[] }).entries).toHaveLength(ids.length)
  })
})
