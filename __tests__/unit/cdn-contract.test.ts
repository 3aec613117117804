import { describe, expect, test } from '@jest/globals'
import type { EmulatorOptions, FaultRule } from '../../emulator/index.js'
import { API_KEY_VARIABLE, main, type CliIo } from '../../src/shells/cli.js'
import type { Report } from '../../src/report/report.js'
import { emulate, KEY, scratchDir } from '../helpers/common.js'
import { contractProxy } from '../helpers/contract.js'

/**
 * purge-cdn's requests and the emulator's answers, held against docs/openapi/imagekit.yaml by the validating proxy:
 * the details, purge and purge-status operations, their errors and 429s among them.
 */

async function run(options: Partial<EmulatorOptions>, flags: string[], faults: FaultRule[] = []) {
  const emulator = await emulate({ provider: 'imagekit', ...options }, faults)
  const proxy = await contractProxy('imagekit', emulator.url)
  let stdout = ''
  const io: CliIo = {
    stdout: text => void (stdout += text),
    stderr: () => undefined,
    interactive: false,
    env: { [API_KEY_VARIABLE]: KEY },
    cwd: scratchDir('file-purge-cdn-contract-')
  }
  const argv = ['--provider', 'imagekit', '--base-url', proxy.url, '--json', '--max-retries', '1']
  const code = await main([...argv, ...flags], io)
  return { code, report: JSON.parse(stdout) as Report, proxy, emulator }
}

const files = [
  { id: 'a', path: '/previews/pr-42/a.jpg' },
  { id: 'b', path: '/previews/pr-42/sub/b.jpg' },
  { id: 'g', path: '/uploads/g.png' }
]

describe('imagekit with purge-cdn: every request and answer is one its document describes', () => {
  test('details (found and not), deletes, a folder purge and a file purge, their statuses', async () => {
    const { code, report, proxy } = await run({ files }, [
      ...['--select-path', '/previews/pr-42/**', '--file-ids', 'g gone', '--purge-cdn', 'wait']
    ])
    expect(code).toBe(0)
    expect(report.cdn).toMatchObject({ purges: 2, folderPurges: 1, completed: 3 })
    expect(new Set(proxy.operations)).toEqual(
      new Set(['listFiles', 'getFileDetails', 'deleteFiles', 'purgeCache', 'purgeStatus'])
    )
    expect(proxy.problems).toEqual([])
  })

  test("a purge refused, one rate limited, a status refused: ImageKit's documented errors", async () => {
    const { code, report, proxy } = await run(
      { files },
      ['--file-ids', 'a b g', '--purge-cdn', 'wait', '--no-bulk'],
      [
        { on: 'purge', times: 1, fault: { kind: 'status', status: 400 } },
        { on: 'purge', times: 1, fault: { kind: 'rate-limit', resetMs: 20 } },
        { on: 'purge-status', times: 2, fault: { kind: 'status', status: 400 } }
      ]
    )
    expect(code).toBe(0)
    expect(report.entries.map(entry => entry.cdn?.status)).toEqual(['failed', 'failed', 'failed'])
    expect(report.totals.rateLimitedAnswers).toBe(1)
    expect(proxy.problems).toEqual([])
  })
})
