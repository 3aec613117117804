import { Input, MAX_LISTED_INVALID_IDS, MAX_VERDICT_IDS } from './constants.js'
import { protectedBy, shardOf } from './ids.js'
import type { FailOn, PolicyViolation, Settings } from './inputs.js'
import type { Provider } from './providers/index.js'
import type { IdResult, PurgeResult } from './engine/purge.js'
import { count, quote } from './text.js'

/** Settings that passed preflight: everything a run needs is there, and the IDs this run sends. */
export type RunPlan = Settings & { provider: Provider; baseUrl: URL; planned: string[] }

/** The IDs this run sends: all of them, or this shard's share. */
export function plannedIds(settings: Settings): string[] {
  const { shard } = settings
  return shard === undefined ? settings.ids : settings.ids.filter(id => shardOf(id, shard.count) === shard.index)
}

/** The rules across inputs. Returns every violation; a run may start only when there is none. */
export function preflight(settings: Settings, inputViolations: readonly PolicyViolation[]): PolicyViolation[] {
  const violations = [...inputViolations]
  const add = (input: PolicyViolation['input'], message: string): void => {
    violations.push({ input, message: `${input}: ${message}` })
  }
  const idsGiven = !inputViolations.some(v => v.input === Input.FileIds || v.input === Input.FileIdsFile)
  if (settings.ids.length === 0 && idsGiven) add(Input.FileIds, 'no IDs given: set file-ids or file-ids-file')
  if (!settings.dryRun && settings.apiKey === '') add(Input.ApiKey, 'is required unless dry-run is true')
  const planned = plannedIds(settings)
  if (planned.length > settings.maxDeletions) {
    const what = settings.shard
      ? `${planned.length} unique IDs in shard ${settings.shard.index}/${settings.shard.count}`
      : `${planned.length} unique IDs`
    add(Input.MaxDeletions, `${what} exceed max-deletions (${settings.maxDeletions}); raise it or split the list`)
  }
  const protectedHits =
    settings.protectedPatterns.length === 0
      ? []
      : settings.ids.flatMap(id => {
          const pattern = protectedBy(settings.protectedPatterns, id)
          return pattern === undefined ? [] : [`ID ${quote(id)} matches protected pattern ${quote(pattern)}`]
        })
  for (const message of protectedHits.slice(0, MAX_LISTED_INVALID_IDS)) add(Input.ProtectedIds, message)
  if (protectedHits.length > MAX_LISTED_INVALID_IDS)
    add(Input.ProtectedIds, `${protectedHits.length - MAX_LISTED_INVALID_IDS} more protected IDs not listed`)
  if (settings.commentOnPr && settings.githubToken === '')
    add(Input.GithubToken, 'is required when comment-on-pr is true')
  if (settings.customerId !== '' && settings.provider !== undefined && !settings.provider.acceptsCustomerId) {
    add(Input.CustomerId, `is for delos only, not ${settings.provider.name}`)
  }
  return violations
}

/** The plan a run may start with, or undefined while anything is in violation. */
export function runPlan(settings: Settings, violations: readonly PolicyViolation[]): RunPlan | undefined {
  const { provider, baseUrl } = settings
  return violations.length === 0 && provider !== undefined && baseUrl !== undefined
    ? { ...settings, provider, baseUrl, planned: plannedIds(settings) }
    : undefined
}

export interface Verdict {
  failed: boolean
  message: string
}

/** Whether the run fails, with counts and the first IDs that made it so. */
export function verdict(result: PurgeResult, failOn: FailOn): Verdict {
  const tally = (outcome: IdResult['outcome']): number => result.results.filter(r => r.outcome === outcome).length
  const deleted = tally('deleted')
  const missing = tally('missing')
  const failedCount = tally('failed')
  const counts = `${deleted} deleted, ${missing} missing, ${failedCount} failed of ${result.results.length}`
  const causes: string[] = []
  if (result.credentialsRejected) causes.push('the provider rejected the credentials')
  else if (result.halted !== null) causes.push(`the run stopped: ${result.halted}`)
  if (failOn.failed && failedCount > 0) causes.push(`${count(failedCount, 'ID')} failed`)
  if (failOn.missing && missing > 0) causes.push(`${count(missing, 'ID')} missing (fail-on includes missing)`)
  if (causes.length === 0) return { failed: false, message: counts }
  const stopped = result.credentialsRejected || result.halted !== null
  const blamed = result.results.filter(
    r => (r.outcome === 'failed' && (failOn.failed || stopped)) || (r.outcome === 'missing' && failOn.missing)
  )
  const listed = blamed.slice(0, MAX_VERDICT_IDS).map(r => `${quote(r.id)} ${r.outcome}: ${r.reason ?? ''}`)
  const more = blamed.length > MAX_VERDICT_IDS ? `; and ${blamed.length - MAX_VERDICT_IDS} more in the report` : ''
  return { failed: true, message: `${causes.join('; ')} (${counts}). ${listed.join('; ')}${more}` }
}
