import { PROVIDER_NAMES, PROVIDERS, type Provider, type ProviderName } from '../providers/index.js'
import type { ListCapabilities, ListScope } from '../providers/types.js'
import { Input, MAX_LISTED_INVALID_IDS, ScopeInput, type InputName } from '../settings/constants.js'
import { ID_RULE, idProblem, otherUuidSpelling, protectedBy, shardOf } from '../settings/ids.js'
import type { AppliedPlan, Settings, Shard } from '../settings/inputs.js'
import { asksToSelect, hasFilterOrScope, type SelectionFilters } from '../settings/selection-request.js'
import type { PolicyViolation } from '../settings/violation.js'
import { displayUrl, quote } from '../text.js'

/** Settings that passed preflight: everything a run needs is there, and the IDs this run sends. */
export type RunPlan = Settings & { provider: Provider; baseUrl: URL; planned: string[] }

/** The IDs this run sends: all of them, or this shard's share. */
export function plannedIds(ids: readonly string[], shard: Shard | undefined): string[] {
  return shard === undefined ? [...ids] : ids.filter(id => shardOf(id, shard.count) === shard.index)
}

type Add = (input: PolicyViolation['input'], message: string) => void

function collector(violations: PolicyViolation[]): Add {
  return (input, message) => void violations.push({ input, message: `${input}: ${message}` })
}

/**
 * The rules across inputs. Returns every violation; a run may start only when there is none. `startedAt`: the run's
 * start, which a plan's age is counted to.
 */
export function preflight(
  settings: Settings,
  inputViolations: readonly PolicyViolation[],
  startedAt: Date = new Date()
): PolicyViolation[] {
  const violations = [...inputViolations]
  const add = collector(violations)
  const select = asksToSelect(settings.selectionRequest)
  const idsGiven = !inputViolations.some(
    v => v.input === Input.FileIds || v.input === Input.FileIdsFile || v.input === Input.PlanFile
  )
  if (settings.ids.length === 0 && idsGiven && !settings.selectionRequest.requested) {
    add(Input.FileIds, 'no IDs given: set file-ids or file-ids-file, or select files (select-name, older-than, …)')
  }
  if (settings.apiKey === '') {
    if (select) add(Input.ApiKey, 'is required to select files, also in a dry run: selecting means listing them')
    else if (!settings.dryRun) add(Input.ApiKey, 'is required unless dry-run is true')
  }
  idRules(settings.ids, settings, add)
  if (settings.commentOnPr && settings.githubToken === '')
    add(Input.GithubToken, 'is required when comment-on-pr is true')
  if (settings.customerId !== '' && settings.provider !== undefined && !settings.provider.acceptsCustomerId) {
    add(Input.CustomerId, `is for delos only, not ${settings.provider.name}`)
  }
  if (select && settings.provider !== undefined) selectionRules(settings, settings.provider, add)
  cdnRules(settings, add)
  if (!select) sparingWithoutSelection(settings.selectionRequest.filters, add)
  if (settings.plan) planRules(settings, settings.plan, startedAt, add)
  return violations
}

/** purge-cdn only where the provider purges a CDN cache; fail-on cdn only where a purge is asked for. */
function cdnRules(settings: Settings, add: Add): void {
  const { provider, purgeCdn, failOn } = settings
  if (purgeCdn !== 'off' && provider !== undefined && provider.cdn === undefined) {
    const purgers = PROVIDER_NAMES.filter(name => PROVIDERS[name].cdn !== undefined)
    add(Input.PurgeCdn, `is for ${purgers.join(', ')} only, not ${provider.name}`)
  }
  if (failOn.cdn === true && purgeCdn === 'off')
    add(Input.FailOn, 'cdn fails the step on a CDN purge that failed: it needs purge-cdn (true or wait)')
}

/** A plan made in another clock's minutes is not "from the future": runners' clocks differ by a little. */
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * A plan applies to what it was made for, while it is fresh: the same provider, the same base URL (origin and path
 * prefix), and an end no longer ago than plan-max-age (nor, past the clocks' skew, after this run started).
 */
function planRules(settings: Settings, plan: AppliedPlan, startedAt: Date, add: Add): void {
  const { file } = plan
  const name = settings.provider?.name
  if (name !== undefined && file.provider !== name)
    add(Input.PlanFile, `the plan is for ${quote(file.provider)}, and this run for ${name}`)
  const planned = URL.canParse(file.baseUrl) ? displayUrl(new URL(file.baseUrl)) : file.baseUrl
  if (settings.baseUrl !== undefined && planned !== displayUrl(settings.baseUrl))
    add(
      Input.PlanFile,
      `the plan was made at ${quote(planned)}, and this run goes to ${quote(displayUrl(settings.baseUrl))}`
    )
  const ageMs = startedAt.getTime() - Date.parse(file.endedAt)
  if (ageMs > plan.maxAge.ms)
    add(
      Input.PlanFile,
      `the plan ended at ${file.endedAt}, ${hours(ageMs)} before this run started: older than plan-max-age (${plan.maxAge.text}); make a new plan`
    )
  else if (ageMs < -CLOCK_SKEW_MS)
    add(
      Input.PlanFile,
      `the plan says it ended at ${file.endedAt}, after this run started (${startedAt.toISOString()})`
    )
}

/** "30.5 hours". */
const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} hours`

/** The inputs that only spare what a selection picks. */
const EXCLUSIONS = [
  ['excludeNames', Input.ExcludeName],
  ['excludePaths', Input.ExcludePath],
  ['excludeTags', Input.ExcludeTags]
] as const satisfies ReadonlyArray<readonly [keyof SelectionFilters, InputName]>

/** An exclusion spares files a selection picks: without one, it would be silently ignored, so it is a violation. */
function sparingWithoutSelection(filters: SelectionFilters, add: Add): void {
  const selectBy = 'add select-name, select-path, select-tags, select-status, older-than, graph-id or workflow-id'
  for (const [key, input] of EXCLUSIONS) {
    if (filters[key] !== undefined)
      add(input, `spares files a selection picks, and there is no selection: ${selectBy} (given IDs are never spared)`)
  }
  if (filters.selectAttached)
    add(
      Input.SelectAttached,
      `lets a selection pick files attached to a Knowledge Graph, and there is no selection: ${selectBy}`
    )
}

/**
 * The rules for a selection's IDs once the listing is in: each selected ID must be valid and not protected (the
 * given ones passed protected-ids in preflight), and the run's share of the union with the given IDs (`planned`)
 * passes max-deletions. A larger selection is never cut short.
 */
export function selectedIdRules(
  settings: Settings,
  planned: readonly string[],
  selected: readonly string[]
): PolicyViolation[] {
  const violations: PolicyViolation[] = []
  const add = collector(violations)
  const invalid = selected.flatMap(id => {
    const problem = idProblem(id)
    return problem === undefined ? [] : [`the listing gave ID ${quote(id)}, which ${problem} (${ID_RULE})`]
  })
  for (const message of invalid.slice(0, MAX_LISTED_INVALID_IDS)) add('selection', message)
  maxDeletionsRule(planned, settings, add)
  protectedRule(selected, settings, add)
  return violations
}

/**
 * max-deletions over this run's share of the IDs, protected-ids over all of them, and, where the provider's IDs are
 * UUIDs, one spelling of each.
 */
function idRules(ids: readonly string[], settings: Settings, add: Add): void {
  maxDeletionsRule(plannedIds(ids, settings.shard), settings, add)
  protectedRule(ids, settings, add)
  if (settings.provider?.uuidIds) uuidSpellingRule(ids, add)
}

/** An ID in another spelling of a UUID could dodge protected-ids and be read as another file: give the one form. */
function uuidSpellingRule(ids: readonly string[], add: Add): void {
  const respelled = ids.flatMap(id => {
    const canonical = otherUuidSpelling(id)
    return canonical === undefined
      ? []
      : [`ID ${quote(id)} is another spelling of the UUID ${quote(canonical)}: give it as that`]
  })
  for (const message of respelled.slice(0, MAX_LISTED_INVALID_IDS)) add(Input.FileIds, message)
  if (respelled.length > MAX_LISTED_INVALID_IDS)
    add(Input.FileIds, `${respelled.length - MAX_LISTED_INVALID_IDS} more IDs in another spelling of a UUID not listed`)
}

function maxDeletionsRule(planned: readonly string[], settings: Settings, add: Add): void {
  if (planned.length > settings.maxDeletions) {
    const what = settings.shard
      ? `${planned.length} unique IDs in shard ${settings.shard.index}/${settings.shard.count}`
      : `${planned.length} unique IDs`
    add(Input.MaxDeletions, `${what} exceed max-deletions (${settings.maxDeletions}); raise it or split the list`)
  }
}

function protectedRule(ids: readonly string[], settings: Settings, add: Add): void {
  if (settings.protectedPatterns.length === 0) return
  const hits = ids.flatMap(id => {
    const pattern = protectedBy(settings.protectedPatterns, id, settings.provider?.uuidIds === true)
    return pattern === undefined ? [] : [`ID ${quote(id)} matches protected pattern ${quote(pattern)}`]
  })
  for (const message of hits.slice(0, MAX_LISTED_INVALID_IDS)) add(Input.ProtectedIds, message)
  if (hits.length > MAX_LISTED_INVALID_IDS)
    add(Input.ProtectedIds, `${hits.length - MAX_LISTED_INVALID_IDS} more protected IDs not listed`)
}

/** The providers whose listing can do this: what a violation names as the alternative. */
function whoCan(test: (capabilities: ListCapabilities) => boolean): string {
  const names = listers(test)
  return names.length === 0 ? 'no provider can' : `only ${names.join(', ')} can`
}

/** The providers that list, and whose listing passes `test`. */
function listers(test: (capabilities: ListCapabilities) => boolean): ProviderName[] {
  return PROVIDER_NAMES.filter(name => {
    const list = PROVIDERS[name].list
    return list !== undefined && test(list.capabilities)
  })
}

/** A filter the provider cannot honour is a violation naming the input and the provider, never ignored. */
function selectionRules(settings: Settings, provider: Provider, add: Add): void {
  const { filters, scope } = settings.selectionRequest
  const capabilities = provider.list?.capabilities
  if (capabilities === undefined)
    return add(Input.SelectName, `${provider.name} cannot list its files: selection is not possible`)
  const refuse = (input: PolicyViolation['input'], what: string, test: (c: ListCapabilities) => boolean): void =>
    add(input, `${provider.name} cannot select by ${what} (${whoCan(test)})`)
  if (filters.path && !capabilities.path) refuse(Input.SelectPath, 'folder', c => c.path)
  if (filters.tags && !capabilities.tags) refuse(Input.SelectTags, 'tag', c => c.tags)
  const spareRefused = (input: InputName, what: string, test: (c: ListCapabilities) => boolean): void =>
    add(input, `${provider.name} cannot spare files by ${what} (${whoCan(test)})`)
  if (filters.excludePaths && !capabilities.path) spareRefused(Input.ExcludePath, 'folder', c => c.path)
  if (filters.excludeTags && !capabilities.tags) spareRefused(Input.ExcludeTags, 'tag', c => c.tags)
  if (filters.selectAttached && !capabilities.graphs)
    add(Input.SelectAttached, `is for ${listers(c => c.graphs === true).join(', ')} only, not ${provider.name}`)
  if (filters.statuses && capabilities.statuses === undefined)
    refuse(Input.SelectStatus, 'status', c => c.statuses !== undefined)
  const allowed = capabilities.statuses
  if (allowed !== undefined) {
    for (const word of filters.statuses ?? []) {
      if (!allowed.includes(word)) {
        add(Input.SelectStatus, `unknown status ${quote(word)} for ${provider.name} (allowed: ${allowed.join(', ')})`)
      }
    }
  }
  if (!capabilities.age) {
    const why = 'creation time: none is confirmed in its listing'
    if (filters.olderThan) refuse(Input.OlderThan, why, c => c.age)
    if (filters.keepNewest !== undefined) refuse(Input.KeepNewest, why, c => c.age)
  }
  const scopes: Array<[keyof ListScope, InputName]> = [
    ['graphId', ScopeInput.graphId],
    ['workflowId', ScopeInput.workflowId]
  ]
  for (const [key, input] of scopes) {
    if (scope[key] !== '' && !capabilities.scopes.includes(key))
      add(input, `is for ${forWhom(key)} only, not ${provider.name}`)
    // Graph and workflow IDs are UUIDs too: in another spelling, no listed file would name them, and a typo of case
    // would pass as "nothing matched".
    const canonical = otherUuidSpelling(scope[key])
    if (canonical !== undefined)
      add(input, `${quote(scope[key])} is another spelling of the UUID ${quote(canonical)}: give it as that`)
  }
  const required = scopes.find(([key]) => key === capabilities.requiredScope)
  if (required && scope[required[0]] === '')
    add(
      required[1],
      `is required to select from ${provider.name}: it lists files per ${required[1].replace(/-id$/, '')}`
    )
  if (filters.keepNewest !== undefined && !hasFilterOrScope(settings.selectionRequest)) {
    add(
      Input.KeepNewest,
      'cannot be the only filter: add select-name, select-path, select-tags, select-status, older-than or a scope'
    )
  }
}

function forWhom(scope: keyof ListScope): string {
  return listers(capabilities => capabilities.scopes.includes(scope)).join(', ')
}

/** The plan a run may start with, or undefined while anything is in violation. */
export function runPlan(settings: Settings, violations: readonly PolicyViolation[]): RunPlan | undefined {
  const { provider, baseUrl } = settings
  return violations.length === 0 && provider !== undefined && baseUrl !== undefined
    ? { ...settings, provider, baseUrl, planned: plannedIds(settings.ids, settings.shard) }
    : undefined
}
