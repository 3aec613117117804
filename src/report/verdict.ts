import { MAX_VERDICT_IDS } from '../settings/constants.js'
import type { FailOn } from '../settings/inputs.js'
import type { PurgeResult } from '../engine/purge.js'
import { count, quote } from '../text.js'
import { firstShown, type Tally } from './tally.js'

export interface Verdict {
  failed: boolean
  message: string
}

/** Whether the run fails, with counts and the first IDs that made it so. */
export function verdict(
  result: Pick<PurgeResult, 'credentialsRejected' | 'halted'>,
  tally: Pick<Tally, 'counts' | 'shown' | 'planned'>,
  failOn: FailOn
): Verdict {
  const { deleted, missing, failed } = tally.counts
  const counts = `${deleted} deleted, ${missing} missing, ${failed} failed of ${tally.planned.length}`
  const causes: string[] = []
  if (result.credentialsRejected) causes.push('the provider rejected the credentials')
  else if (result.halted !== null) causes.push(`the run stopped: ${result.halted}`)
  if (failOn.failed && failed > 0) causes.push(`${count(failed, 'ID')} failed`)
  if (failOn.missing && missing > 0) causes.push(`${count(missing, 'ID')} missing (fail-on includes missing)`)
  if (causes.length === 0) return { failed: false, message: counts }
  const blameFailed = failOn.failed || result.credentialsRejected || result.halted !== null
  const kinds = [blameFailed ? tally.shown.failed : [], failOn.missing ? tally.shown.missing : []]
  const blamed = (blameFailed ? failed : 0) + (failOn.missing ? missing : 0)
  const listed = firstShown(kinds, MAX_VERDICT_IDS).map(r => `${quote(r.id)} ${r.outcome}: ${r.reason ?? ''}`)
  const more = blamed > MAX_VERDICT_IDS ? `; and ${blamed - MAX_VERDICT_IDS} more in the report` : ''
  const named = listed.length > 0 ? `. ${listed.join('; ')}${more}` : ''
  return { failed: true, message: `${causes.join('; ')} (${counts})${named}` }
}
