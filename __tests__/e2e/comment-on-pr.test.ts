import { describe, expect, test } from '@jest/globals'
import type { Emulator } from '../../emulator/index.js'
import { afterThisTest, emulate, expectNoSecret, KEY, runActionOnce } from '../helpers/common.js'
import { startGitHubApi } from '../helpers/github-api.js'

describe('comment-on-pr through the bundle', () => {
  let emulator: Emulator | undefined
  let api: Awaited<ReturnType<typeof startGitHubApi>> | undefined
  const gitHubApi = async (options: Parameters<typeof startGitHubApi>[0] = {}) => {
    const started = await startGitHubApi(options)
    afterThisTest(() => started.close())
    return started
  }

  const purge = async (
    inputs: Record<string, string>,
    event: { name: string; payload: object } = { name: 'pull_request', payload: { pull_request: { number: 7 } } }
  ) => {
    const run = await runActionOnce({
      inputs: {
        provider: 'writer',
        'api-key': KEY,
        'base-url': emulator!.url,
        'github-token': 'ghs_faketoken123',
        'comment-on-pr': 'true',
        ...inputs
      },
      env: { GITHUB_API_URL: api!.url },
      event
    })
    // The token is masked first thing; past that command it never shows.
    expectNoSecret(run, ['ghs_faketoken123', KEY])
    if (inputs['github-token'] !== '')
      expect(run.commands.some(c => c.command === 'add-mask' && c.message === 'ghs_faketoken123')).toBe(true)
    return run
  }

  test('the comment is created on the first run and updated on the second, with the job token', async () => {
    emulator = await emulate({ provider: 'writer', files: ['a', 'b'] })
    api = await gitHubApi({
      existing: Array.from({ length: 120 }, (_, i) => ({
        id: i + 1,
        body: `chatter ${i}`,
        user: { login: 'dev', type: 'User' }
      }))
    })
    const first = await purge({ 'file-ids': 'a' })
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toContain('comment-on-pr: created the comment on pull request #7')
    expect(api.comments).toHaveLength(121)
    const second = await purge({ 'file-ids': 'b missing-one' })
    expect(second.stdout).toContain('comment-on-pr: updated the comment on pull request #7')
    expect(api.comments).toHaveLength(121)
    expect(api.comments.at(-1)!.body).toContain('| 2 | 1 | 1 | 0 |')
    expect(api.requests.every(r => r.authorization === 'token ghs_faketoken123')).toBe(true)
    expect(api.requests.filter(r => r.method === 'GET').length).toBeGreaterThanOrEqual(4)
  })

  test('no pull request, no comment; a refused comment is a warning and the purge result stands', async () => {
    emulator = await emulate({ provider: 'writer', files: ['a', 'b'] })
    api = await gitHubApi({ failWith: 403 })
    const push = await purge({ 'file-ids': 'a' }, { name: 'push', payload: {} })
    expect(push.stdout).toContain('comment-on-pr: push event has no pull request; no comment')
    expect(api.requests).toHaveLength(0)
    const refused = await purge({ 'file-ids': 'b' })
    expect(refused.exitCode).toBe(0)
    expect(refused.commands.find(c => c.command === 'warning')!.message).toMatch(
      /^comment-on-pr: could not comment on pull request #7: /
    )
  })

  test('comment-on-pr without a token is a policy violation', async () => {
    emulator = await emulate({ provider: 'writer', files: ['a'] })
    api = await gitHubApi()
    const run = await purge({ 'file-ids': 'a', 'github-token': '' })
    expect(run.exitCode).toBe(1)
    expect(emulator.requests).toHaveLength(0)
    expect(run.commands.find(c => c.command === 'error')!.message).toBe(
      'github-token: is required when comment-on-pr is true'
    )
  })
})
