import { MAX_VERDICT_IDS } from '../settings/constants.js'
import { nothingDone, type RunReport } from '../report/report.js'
import { markdownCell } from '../text.js'

/** Comments on one pull request, as far as this action needs them. */
export interface PullRequestComments {
  list(): Promise<Array<{ id: number; body?: string | null; user?: { login: string } | null }>>
  create(body: string): Promise<void>
  update(id: number, body: string): Promise<void>
  /** The login the token comments as. */
  author(): Promise<string>
}

/** Marks the comment this purge owns, so a later run updates it; one per provider and shard. */
export function commentMarker(report: Pick<RunReport, 'provider' | 'shard'>): string {
  const shard = report.shard ? `:${report.shard.index}/${report.shard.count}` : ''
  return `<!-- file-purge:${report.provider ?? 'none'}${shard} -->`
}

// A code span: an ID or a provider's message must not mention (and notify) anyone, nor become a link or an image.
const escapeCell = (text: string): string => markdownCell(text, 200)

/** The comment: counts, the verdict, the IDs that failed with their reasons, and a link to the run. */
export function commentBody(report: RunReport): string {
  const { totals } = report
  const failed = report.shown.failed.map(shown => shown.entry)
  const lines = [
    commentMarker(report),
    `### ${report.verdict.failed ? '❌' : '✅'} file-purge: ${report.provider ?? 'no provider'}${report.shard ? ` (shard ${report.shard.index}/${report.shard.count})` : ''}`,
    '',
    report.dryRun ? '**Dry run: nothing was deleted.**\n' : '',
    '| planned | deleted | missing | failed |',
    '|---:|---:|---:|---:|',
    `| ${totals.planned} | ${totals.deleted} | ${totals.missing} | ${totals.failed} |`,
    ''
  ]
  if (report.violations.length > 0)
    lines.push(`Policy violations, ${nothingDone(report.totals.requests > 0)}: ${report.violations.length}.`, '')
  if (totals.failed > 0) {
    lines.push('| failed ID | reason |', '|---|---|')
    for (const entry of failed.slice(0, MAX_VERDICT_IDS))
      lines.push(`| ${escapeCell(entry.id)} | ${escapeCell(entry.reason ?? '')} |`)
    if (totals.failed > MAX_VERDICT_IDS)
      lines.push('', `and ${totals.failed - MAX_VERDICT_IDS} more in the run's report.`)
    lines.push('')
  }
  lines.push(
    report.context.runUrl
      ? `[The run](${report.context.runUrl}), updated ${report.endedAt}.`
      : `Updated ${report.endedAt}.`
  )
  return lines.filter((line, i) => line !== '' || lines[i - 1] !== '').join('\n')
}

/**
 * Creates this purge's comment, or updates the one an earlier run left: a comment with the marker written by the
 * same author, so nobody else's comment (a copy of the marker included) is ever taken over.
 */
export async function upsertComment(comments: PullRequestComments, report: RunReport): Promise<'created' | 'updated'> {
  const marker = commentMarker(report)
  const body = commentBody(report)
  const author = await comments.author()
  const existing = (await comments.list()).find(
    comment => comment.body?.startsWith(marker) && comment.user?.login === author
  )
  if (existing) {
    await comments.update(existing.id, body)
    return 'updated'
  }
  await comments.create(body)
  return 'created'
}
