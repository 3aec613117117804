import { Input } from './constants.js'
import { readRunContext } from './context.js'
import { purge, type IdResult, type PurgeResult } from './engine/purge.js'
import { createTransport } from './http.js'
import { readSettings, type InputSources, type Settings } from './inputs.js'
import { LineLog } from './log.js'
import { preflight, runPlan, verdict, type RunPlan, type Verdict } from './policy.js'
import { bindProvider, secretForms } from './providers/index.js'
import { proxyFor, proxySecrets, type ProxySetting } from './proxy.js'
import { buildReport, logLine, type Report } from './report.js'
import { count, displayUrl, scrub } from './text.js'

/** A finished run, as a shell tells it: the report, the settings it ran with, and the scrubber for its secrets. */
export interface FinishedRun {
  report: Report
  settings: Settings
  /** Replaces every secret form of this run with ***. */
  scrub: (text: string) => string
}

/**
 * Where a run is told: the action (workflow commands and files) or the command line (a terminal). A shell only
 * writes; everything it is told is already decided and scrubbed.
 */
export interface Shell {
  /** Hides a secret from every channel the shell writes to; the pipeline calls it before anything else. */
  mask(secret: string): void
  /** One line of progress. */
  info(line: string): void
  debug(message: string): void
  /** Writes per-ID log lines (batched, each ending in a line break); leave it out for none. */
  writeLines?: (text: string) => void
  /** Requests are about to go out for these IDs. */
  onStart?(planned: readonly string[]): void
  onResult?(result: IdResult): void
  /** Tells the outcome. What it throws is scrubbed and goes to `unexpected`. */
  publish(run: FinishedRun): Promise<void> | void
  /** The last resort: an error nobody expected, already scrubbed of every secret. */
  unexpected(message: string): void
}

export interface PipelineOptions {
  /** The event named in the report instead of the runner's (the command says "cli"). */
  eventName?: string
  /** Cancels the run (SIGINT, SIGTERM): what is settled is reported, the rest fails as cancelled. */
  signal?: AbortSignal
}

/**
 * Inputs → settings → plan → results → report and verdict, with no knowledge of where the inputs came from or
 * where the outcome goes. Returns the report, or undefined when an unexpected error ended the run.
 */
export async function runPipeline(
  sources: InputSources,
  shell: Shell,
  options: PipelineOptions = {}
): Promise<Report | undefined> {
  let secrets: readonly string[] = []
  const scrubSecrets = (text: string): string => scrub(text, secrets)
  const log = new LineLog(text => shell.writeLines?.(text))
  try {
    secrets = maskSecrets(sources, shell)
    const { report, settings } = await runStages(sources, shell, log, secrets, options)
    log.flush()
    await shell.publish({ report, settings, scrub: scrubSecrets })
    return report
  } catch (error) {
    log.flush()
    shell.unexpected(scrubSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error)))
    return undefined
  }
}

/**
 * Masks the key, every form of it the provider puts on the wire, the job token and the credentials of any proxy
 * variable. Returns them all.
 */
function maskSecrets(sources: InputSources, shell: Shell): string[] {
  const key = sources.getInput(Input.ApiKey)
  const token = sources.getInput(Input.GithubToken).trim()
  const forms = [
    ...secretForms(key, sources.getInput(Input.Provider)),
    ...(token === '' ? [] : [token]),
    ...proxySecrets(sources.env)
  ]
  for (const form of forms) shell.mask(form)
  return forms
}

async function runStages(
  sources: InputSources,
  shell: Shell,
  log: LineLog,
  secrets: readonly string[],
  options: PipelineOptions
): Promise<{ report: Report; settings: Settings }> {
  const startedAt = new Date()
  const context = readRunContext(sources.env, options.eventName === undefined ? {} : { eventName: options.eventName })
  const { settings, violations: inputViolations } = readSettings(sources)
  const proxy = settings.baseUrl === undefined ? { proxy: undefined } : proxyFor(settings.baseUrl, sources.env)
  const violations = preflight(settings, [...inputViolations, ...('problem' in proxy ? [proxy.problem] : [])])
  const plan = runPlan(settings, violations)
  const through = 'proxy' in proxy ? proxy.proxy : undefined
  let result = NOTHING_SENT
  let outcome: Verdict
  if (plan === undefined) {
    outcome = { failed: true, message: `${count(violations.length, 'policy violation')}; nothing was sent` }
  } else if (plan.dryRun) {
    shell.info(`dry run: nothing was deleted; ${count(plan.planned.length, 'ID')} would be sent to ${where(plan)}`)
    for (const id of plan.planned) shell.info(`planned ${JSON.stringify(id)}`)
    outcome = { failed: false, message: `dry run: nothing was deleted; ${count(plan.planned.length, 'ID')} planned` }
  } else {
    result = await execute({ plan, proxy: through, secrets, signal: options.signal }, shell, log)
    outcome = verdict(result, plan.failOn)
  }
  const report = buildReport({
    provider: settings.provider?.name ?? null,
    baseUrl: settings.baseUrl ?? null,
    dryRun: settings.dryRun,
    failOn: settings.failOn,
    proxy: plan && !plan.dryRun && through ? through.host : null,
    shard: plan?.shard ?? null,
    startedAt,
    endedAt: new Date(),
    context,
    verdict: outcome,
    violations,
    planned: plan?.planned ?? [],
    results: result.results,
    requests: result.requests,
    rateLimitedAnswers: result.rateLimitedAnswers
  })
  return { report, settings }
}

const NOTHING_SENT: PurgeResult = {
  results: [],
  credentialsRejected: false,
  halted: null,
  requests: 0,
  rateLimitedAnswers: 0
}

/** "writer at https://api.writer.com (shard 2/8 of 1000 IDs)". */
function where(plan: RunPlan): string {
  const shard = plan.shard ? ` (shard ${plan.shard.index}/${plan.shard.count} of ${count(plan.ids.length, 'ID')})` : ''
  return `${plan.provider.name} at ${displayUrl(plan.baseUrl)}${shard}`
}

interface Execution {
  plan: RunPlan
  proxy: ProxySetting | undefined
  secrets: readonly string[]
  signal: AbortSignal | undefined
}

/** Sends the planned deletes through a keep-alive transport that holds at most `concurrency` sockets (or tunnels). */
async function execute({ plan, proxy, secrets, signal }: Execution, shell: Shell, log: LineLog): Promise<PurgeResult> {
  const bulk = plan.bulk && plan.provider.bulk ? ', bulk' : ''
  const limits = `concurrency ${plan.concurrency}, max-retries ${plan.maxRetries}, timeout ${plan.timeoutSeconds} s${bulk}`
  const via = proxy ? ` through proxy ${proxy.host} (${proxy.variable})` : ''
  shell.info(`deleting ${count(plan.planned.length, 'ID')} from ${where(plan)}${via} (${limits})`)
  shell.onStart?.(plan.planned)
  const transport = await createTransport({ maxSockets: plan.concurrency, proxy })
  const context = { baseUrl: plan.baseUrl, apiKey: plan.apiKey, customerId: plan.customerId }
  const flushed =
    <T extends unknown[]>(write: (...args: T) => void) =>
    (...args: T) => {
      log.flush()
      write(...args)
    }
  try {
    return await purge({
      ids: plan.planned,
      ...bindProvider(plan.provider, context, plan.bulk),
      transport,
      concurrency: plan.concurrency,
      maxRetries: plan.maxRetries,
      timeoutMs: plan.timeoutSeconds * 1000,
      secrets,
      ...(signal ? { signal } : {}),
      onResult: result => {
        if (shell.writeLines) log.line(logLine(result))
        shell.onResult?.(result)
      },
      onDebug: flushed(message => shell.debug(message)),
      onPause: flushed((waitMs: number, limit: number) =>
        shell.info(
          `rate limited (HTTP 429): all requests paused for ${(waitMs / 1000).toFixed(1)} s, then at most ${limit} in flight`
        )
      )
    })
  } finally {
    transport.close()
  }
}
