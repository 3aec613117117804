import { createTransport } from './http.js'
import { bindProvider } from './providers/index.js'
import { readSettings, type InputSources, type PolicyViolation, type Settings } from './inputs.js'
import { preflight, ready as readyToRun, verdict, type ReadySettings, type Verdict } from './policy.js'
import { purge, type IdResult, type PurgeResult } from './purge.js'
import { buildReport, type Report, type RunContext } from './report.js'
import { count, displayUrl } from './text.js'

/** What the shell (the action, or the command line) hears while the run goes on. */
export interface PipelineHooks {
  /** One line of progress for the log. */
  info?: (line: string) => void
  /** Requests are about to go out for these IDs. */
  onStart?: (planned: readonly string[]) => void
  onResult?: (result: IdResult) => void
  onDebug?: (message: string) => void
}

export interface PipelineOutcome {
  settings: Settings
  violations: PolicyViolation[]
  /** Undefined when a violation stopped the run before anything was sent. */
  ready: ReadySettings | undefined
  result: PurgeResult
  verdict: Verdict
  report: Report
}

const NOTHING_SENT: PurgeResult = { results: [], credentialsRejected: false, requests: 0, rateLimitedAnswers: 0 }

/** Sends the planned deletes through a keep-alive transport that holds at most `concurrency` sockets. */
async function execute(settings: ReadySettings, secrets: string[], hooks: PipelineHooks): Promise<PurgeResult> {
  const transport = createTransport({ maxSockets: settings.concurrency })
  const context = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, customerId: settings.customerId }
  try {
    return await purge({
      ids: settings.planned,
      ...bindProvider(settings.provider, context, settings.bulk),
      transport,
      concurrency: settings.concurrency,
      maxRetries: settings.maxRetries,
      timeoutMs: settings.timeoutSeconds * 1000,
      secrets,
      ...(hooks.onResult ? { onResult: hooks.onResult } : {}),
      ...(hooks.onDebug ? { onDebug: hooks.onDebug } : {}),
      onPause: (waitMs, limit) =>
        hooks.info?.(
          `rate limited (HTTP 429): all requests paused for ${(waitMs / 1000).toFixed(1)} s, then at most ${limit} in flight`
        )
    })
  } finally {
    transport.close()
  }
}

/** Inputs → settings → plan → results → report and verdict, with no knowledge of where the inputs came from. */
export async function runPipeline(
  sources: InputSources,
  options: { context: RunContext; secrets: string[]; hooks?: PipelineHooks }
): Promise<PipelineOutcome> {
  const startedAt = new Date()
  const hooks = options.hooks ?? {}
  const { settings, violations: inputViolations } = readSettings(sources)
  const violations = preflight(settings, inputViolations)
  const ready = readyToRun(settings, violations)

  let result = NOTHING_SENT
  let outcome: Verdict
  if (ready === undefined) {
    outcome = { failed: true, message: `${count(violations.length, 'policy violation')}; nothing was sent` }
  } else {
    const where = `${ready.provider.name} at ${displayUrl(ready.baseUrl)}${ready.shard ? ` (shard ${ready.shard.index}/${ready.shard.count} of ${count(ready.ids.length, 'ID')})` : ''}`
    if (ready.dryRun) {
      hooks.info?.(`dry run: nothing was deleted; ${count(ready.planned.length, 'ID')} would be sent to ${where}`)
      for (const id of ready.planned) hooks.info?.(`planned ${JSON.stringify(id)}`)
      outcome = { failed: false, message: `dry run: nothing was deleted; ${count(ready.planned.length, 'ID')} planned` }
    } else {
      hooks.info?.(
        `deleting ${count(ready.planned.length, 'ID')} from ${where} (concurrency ${ready.concurrency}, max-retries ${ready.maxRetries}, timeout ${ready.timeoutSeconds} s${ready.bulk && ready.provider.bulk ? ', bulk' : ''})`
      )
      hooks.onStart?.(ready.planned)
      result = await execute(ready, options.secrets, hooks)
      outcome = verdict(result, ready.failOn)
    }
  }

  const report = buildReport({
    provider: settings.provider?.name ?? null,
    baseUrl: settings.baseUrl ?? null,
    dryRun: settings.dryRun,
    shard: ready?.shard ?? null,
    startedAt,
    endedAt: new Date(),
    context: options.context,
    verdict: outcome,
    violations,
    planned: ready?.planned ?? [],
    results: result.results,
    requests: result.requests,
    rateLimitedAnswers: result.rateLimitedAnswers
  })
  return { settings, violations, ready, result, verdict: outcome, report }
}
