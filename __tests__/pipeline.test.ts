import { describe, expect, test } from '@jest/globals'
import { API_KEY_VARIABLE, main } from '../src/cli.js'
import type { InputName } from '../src/constants.js'
import { runPipeline, type Shell } from '../src/pipeline.js'
import { KEY } from './helpers/common.js'

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
