import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { scratchDir } from '../helpers/common.js'
import { REPO_ROOT } from '../harness/runner.js'
import { runJob, type LocalStep } from '../harness/workflow-local.js'
import { PROVIDER_NAMES } from '../../src/providers/index.js'

/**
 * The repository's end-to-end workflow, run here step by step in order as its job would run on GitHub's runner
 * (__tests__/harness/workflow-local.ts): `npm run emulator` started in the background, the action six times, then
 * the jq checks. Only the machine's set-up (checkout, setup-node, the install) and the artifact upload are left out.
 */
const WORKFLOW = path.join(REPO_ROOT, '.github', 'workflows', 'e2e.yml')

const summary = (steps: LocalStep[]): string[] =>
  steps.map(
    step => `${step.name}: ${step.conclusion}${step.outcome !== step.conclusion ? ` (outcome ${step.outcome})` : ''}`
  )

describe.each(PROVIDER_NAMES)('e2e.yml for %s', provider => {
  test('every step passes; the step that must fail fails and is allowed to', async () => {
    const job = await runJob({ workflowFile: WORKFLOW, job: 'e2e', matrix: { provider }, skip: ['Install'] })
    const failed = job.steps.filter(step => step.conclusion === 'failure')
    expect(failed.map(step => `${step.name}:\n${step.log}`)).toEqual([])
    expect(summary(job.steps)).toEqual([
      'actions/checkout: skipped',
      'actions/setup-node: skipped',
      'Install: skipped',
      'Start the provider emulator: success',
      'A clean run deletes every ID: success',
      'Missing IDs fail the step with fail-on missing: success (outcome failure)',
      'A dry run sends nothing: success',
      'After the dry run, its IDs are still there to delete: success',
      'Shard 1 of 2: success',
      'Shard 2 of 2: success',
      'Check the outputs and the report files: success',
      'Upload the report files: skipped'
    ])
    expect(job.steps.find(step => step.id === 'clean')?.outputs.deleted).toBe('["file-1","file-2","file-3"]')
    expect(job.steps.at(-2)?.log).toContain('all checks passed')
  }, 60_000)
})

describe('the local run of a workflow', () => {
  test('fails the job when a check fails, and leaves no emulator running', async () => {
    const job = await runJob({
      workflowFile: WORKFLOW,
      job: 'e2e',
      matrix: { provider: 'writer' },
      // Without the clean run, the check of its outputs cannot pass.
      skip: ['Install', 'A clean run deletes every ID']
    })
    expect(job.succeeded).toBe(false)
    expect(job.steps.find(step => step.name.startsWith('Check the outputs'))).toMatchObject({ conclusion: 'failure' })
    expect(job.steps.at(-1)).toMatchObject({ name: 'Upload the report files', ran: 'nothing' })
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter(line => line.includes('scripts/emulator.ts'))
    expect(left).toEqual([])
  }, 60_000)

  test('knows the set-up and upload actions by name whatever their ref, and refuses any other action', async () => {
    const workflowFile = path.join(scratchDir('file-purge-job-test-'), 'job.yml')
    const job = (steps: string[]): string =>
      ['jobs:', '  only:', '    steps:', ...steps.map(step => `      ${step}`)].join('\n')
    const setUp = [
      '- uses: actions/checkout@v4',
      '- uses: actions/setup-node@0123456789abcdef0123456789abcdef01234567 # v9.9.9',
      '- name: Say so',
      '  run: echo set up',
      '- uses: actions/upload-artifact@main'
    ]
    writeFileSync(workflowFile, job(setUp))
    expect(summary((await runJob({ workflowFile, job: 'only' })).steps)).toEqual([
      'actions/checkout: skipped',
      'actions/setup-node: skipped',
      'Say so: success',
      'actions/upload-artifact: skipped'
    ])
    writeFileSync(workflowFile, job([...setUp, '- uses: actions/cache@v4', '- uses: docker://alpine:3']))
    await expect(runJob({ workflowFile, job: 'only' })).rejects.toThrow(
      'job only uses actions/cache@v4, docker://alpine:3, which cannot run here'
    )
  })
})
