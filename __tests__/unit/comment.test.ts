import { describe, expect, test } from '@jest/globals'
import { commentBody, commentMarker, upsertComment, type PullRequestComments } from '../../src/shells/comment.js'
import { idResult, reportOf, runContext } from '../../__fixtures__/report.js'

const prContext = {
  ...runContext,
  eventName: 'pull_request',
  pullRequest: 3,
  runUrl: 'https://github.com/o/r/actions/runs/9'
}
const report = (extra: Parameters<typeof reportOf>[1] = {}) =>
  reportOf([idResult('a', 'deleted'), idResult('b|<x>', 'failed', 'HTTP 423: locked | <b>', 423)], {
    context: prContext,
    ...extra
  })

describe('the pull request comment', () => {
  test('counts, failed IDs with reasons (escaped), and a link to the run, under a marker per provider and shard', () => {
    const body = commentBody(report())
    expect(body.split('\n')[0]).toBe('<!-- file-purge:imagekit -->')
    expect(body).toContain('| 2 | 1 | 0 | 1 |')
    expect(body).toContain('| ` b\\|<x> ` | ` HTTP 423: locked \\| <b> ` |')
    expect(body).toContain('[The run](https://github.com/o/r/actions/runs/9)')
    expect(commentMarker(report({ shard: { index: 2, count: 4 } }))).toBe('<!-- file-purge:imagekit:2/4 -->')
    expect(commentBody(reportOf([idResult('@team', 'failed', 'HTTP 400: ask @admin')]))).toContain(
      '| ` @team ` | ` HTTP 400: ask @admin ` |'
    )
  })

  test('created once, then updated', async () => {
    const bot = { login: 'github-actions[bot]' }
    // Someone else's comment, even one that copies the marker, is never taken over.
    const store = [
      { id: 1, body: 'someone else', user: { login: 'dev' } },
      { id: 2, body: `${commentMarker(report())} all deleted, trust me`, user: { login: 'mallory' } }
    ]
    const comments: PullRequestComments = {
      list: () => Promise.resolve(store),
      create: body => Promise.resolve(void store.push({ id: store.length + 1, body, user: bot })),
      update: (id, body) => Promise.resolve(void (store.find(c => c.id === id)!.body = body)),
      author: () => Promise.resolve(bot.login)
    }
    expect(await upsertComment(comments, report())).toBe('created')
    expect(await upsertComment(comments, report({ verdict: { failed: false, message: 'ok' } }))).toBe('updated')
    expect(store).toHaveLength(3)
    expect(store[2]!.body).toContain('✅ file-purge: imagekit')
    expect(store[1]!.body).toBe(`${commentMarker(report())} all deleted, trust me`)
  })
})
