import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { context } from '@actions/github'
import { Input } from './constants.js'
import { createTransport } from './http.js'
import { readIdsFile, readSettings, type PolicyViolation } from './inputs.js'
import { isReady, preflight, verdict, type ReadySettings, type Verdict } from './policy.js'
import { findProvider } from './providers/index.js'
import { purge, type PurgeResult } from './purge.js'
import { annotations, buildReport, logLine, outputValues, summaryMarkdown, type Report, type RunContext } from './report.js'
import { count, displayUrl, scrub } from './text.js'

/** Masks the key, each of its lines and every derived form the provider puts on the wire. Returns them all. */
function maskSecrets(): string[] {
  const raw = core.getInput(Input.ApiKey, { trimWhitespace: false })
  const key = raw.trim()
  const provider = findProvider(core.getInput(Input.Provider))
  const secrets = [raw, key, ...raw.split(/\r?\n/).map(line => line.trim()), ...(provider && key !== '' ? provider.derivedSecrets(key) : [])]
  const unique = [...new Set(secrets.filter(secret => secret.length > 0))]
  for (const secret of unique) core.setSecret(secret)
  return unique
}

function runContext(): RunContext {
  let repository = ''
  try {
    repository = `${context.repo.owner}/${context.repo.repo}`
  } catch {
    // Outside a workflow run there is no repository to name.
  }
  const pullRequest = context.payload.pull_request?.number
  return {
    repository,
    workflow: context.workflow ?? '',
    runId: Number.isFinite(context.runId) ? context.runId : null,
    runAttempt: Number.isFinite(context.runAttempt) ? context.runAttempt : null,
    actor: context.actor ?? '',
    eventName: context.eventName ?? '',
    ref: context.ref ?? '',
    sha: context.sha ?? '',
    pullRequest: typeof pullRequest === 'number' ? pullRequest : null
  }
}

function writeReport(report: Report): string {
  const directory = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'file-purge-'))
  const file = path.join(directory, 'report.json')
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 })
  return file
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; no job summary written')
    return
  }
  await core.summary.addRaw(markdown).write()
}

async function execute(settings: ReadySettings, secrets: string[]): Promise<PurgeResult> {
  const transport = createTransport({ maxSockets: settings.concurrency })
  const context = { baseUrl: settings.baseUrl, apiKey: settings.apiKey, customerId: settings.customerId }
  try {
    return await purge({
      ids: settings.ids,
      request: id => settings.provider.request(id, context),
      classify: (answer, now) => settings.provider.classify(answer, now),
      transport,
      concurrency: settings.concurrency,
      maxRetries: settings.maxRetries,
      timeoutMs: settings.timeoutSeconds * 1000,
      secrets,
      onResult: result => core.info(logLine(result)),
      onPause: (waitMs, limit) => core.info(`rate limited (HTTP 429): all requests paused for ${(waitMs / 1000).toFixed(1)} s, then at most ${limit} in flight`),
      onDebug: message => core.debug(message)
    })
  } finally {
    transport.close()
  }
}

/** The action: inputs → settings → plan → results → report and verdict. */
export async function run(): Promise<void> {
  const startedAt = new Date()
  let secrets: string[] = []
  try {
    secrets = maskSecrets()
    const { settings, violations: inputViolations } = readSettings({
      getInput: name => core.getInput(name, { trimWhitespace: false }),
      readFile: readIdsFile,
      workspace: process.env.GITHUB_WORKSPACE || process.cwd()
    })
    const violations: PolicyViolation[] = preflight(settings, inputViolations)
    const ready = isReady(settings, violations) ? settings : undefined

    let result: PurgeResult = { results: [], credentialsRejected: false, requests: 0, rateLimitedAnswers: 0 }
    let outcome: Verdict
    if (ready === undefined) {
      for (const violation of violations) core.error(violation.message, { title: 'file-purge policy violation' })
      outcome = { failed: true, message: `${count(violations.length, 'policy violation')}; nothing was sent` }
    } else if (ready.dryRun) {
      core.info(`dry run: nothing was deleted; ${count(ready.ids.length, 'ID')} would be sent to ${ready.provider.name} at ${displayUrl(ready.baseUrl)}`)
      for (const id of ready.ids) core.info(`planned ${JSON.stringify(id)}`)
      outcome = { failed: false, message: `dry run: nothing was deleted; ${count(ready.ids.length, 'ID')} planned` }
    } else {
      core.info(`deleting ${count(ready.ids.length, 'ID')} from ${ready.provider.name} at ${displayUrl(ready.baseUrl)} (concurrency ${ready.concurrency}, max-retries ${ready.maxRetries}, timeout ${ready.timeoutSeconds} s)`)
      result = await execute(ready, secrets)
      outcome = verdict(result, ready.failOn)
    }

    const report = buildReport({
      provider: settings.provider?.name ?? null,
      baseUrl: settings.baseUrl ?? null,
      dryRun: settings.dryRun,
      startedAt,
      endedAt: new Date(),
      context: runContext(),
      verdict: outcome,
      violations,
      planned: ready?.ids ?? [],
      results: result.results,
      requests: result.requests,
      rateLimitedAnswers: result.rateLimitedAnswers
    })
    const reportFile = writeReport(report)
    const { values, warnings } = outputValues(report, reportFile)
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value)
    for (const warning of warnings) core.warning(warning)
    await writeSummary(summaryMarkdown(report))

    if (ready === undefined) {
      core.info(`file-purge: ${outcome.message}`)
      process.exitCode = 1
      return
    }
    for (const annotation of annotations(result.results, ready.failOn, outcome.failed)) {
      if (annotation.level === 'error') core.error(annotation.message)
      else core.warning(annotation.message)
    }
    if (outcome.failed) core.setFailed(`file-purge: ${outcome.message}`)
    else core.info(`file-purge: ${outcome.message}`)
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    core.setFailed(`file-purge: unexpected error: ${scrub(message, secrets)}`)
  }
}
