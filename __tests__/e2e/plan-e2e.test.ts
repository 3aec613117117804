import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import type { Emulator } from '../../emulator/index.js'
import type { RunOptions } from '../harness/runner.js'
import {
  emulate,
  expectInRoute,
  expectNoSecret,
  KEY,
  runActionOnce,
  wireForms,
  type Report
} from '../helpers/common.js'

/**
 * A plan and its application, end to end: the bundle, run as the runner runs it, makes a dry run whose report is the
 * plan, and a later run applies it with plan-file and plan-sha256 against the same emulated provider.
 */

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

async function act(emulator: Emulator, inputs: RunOptions['inputs'], options: Partial<RunOptions> = {}) {
  const run = await runActionOnce({
    ...options,
    inputs: { provider: emulator.provider, 'api-key': KEY, 'base-url': emulator.url, ...inputs },
    timeoutMs: 120_000
  })
  if (run.exitCode !== 0 && run.exitCode !== 1)
    throw new Error(`action crashed (${run.exitCode}): ${run.stderr}\n${run.stdout}`)
  expectNoSecret(run, wireForms(KEY))
  expectInRoute(emulator)
  return { ...run, report: run.report as Report }
}

describe('report-sha256', () => {
  test('is the SHA-256 of the report file as written, and the summary shows it', async () => {
    const emulator = await emulate({ provider: 'imagekit', files: ['a', 'b'] })
    const run = await act(emulator, { 'file-ids': 'a b', 'dry-run': 'true' })
    expect(run.exitCode).toBe(0)
    const file = readFileSync(run.outputs['report-file'] as string)
    expect(run.outputs['report-sha256']).toBe(sha256(file))
    expect(run.summary).toContain(`\`${sha256(file)}\``)
  })
})
