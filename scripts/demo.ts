/**
 * `npm run demo`: runs the built action against one in-process emulator per provider, once cleanly and once with
 * faults (a rate limit, an ID that does not exist, for Delos a locked file), prints each run as a workflow log
 * would show it, and checks that every run behaved as expected. Exit code 0 when all did, 1 otherwise.
 */
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type FaultRule,
  type ProviderName,
  type RecordedRequest
} from '../emulator/index.js'
import { parseCommands, runAction, type RunResult, type WorkflowCommand } from '../__tests__/harness/runner.js'

const API_KEY = 'demo-key-0123456789'
const DELOS_CUSTOMER = 'cust-42'
/** Small numbers so the faulty runs settle in seconds. */
const TUNING: Record<string, string> = { concurrency: '4', 'max-retries': '4', 'timeout-seconds': '5' }
/** How many requests for the first faulty ID the emulator answers 429 before it lets one through. */
const RATE_LIMITED_ANSWERS = 2
const RUN_TIMEOUT_MS = 30_000

interface ProviderSample {
  provider: ProviderName
  /** Prefix of its sample file IDs. */
  prefix: string
  /** Delos: the files belong to a customer, and one file is locked. */
  delos?: boolean
}

const SAMPLES: readonly ProviderSample[] = [
  { provider: 'writer', prefix: 'wr' },
  { provider: 'imagekit', prefix: 'ik' },
  { provider: 'delos', prefix: 'dl', delos: true },
  { provider: 'anyformat', prefix: 'af' }
]

interface Expected {
  deleted: string[]
  missing: string[]
  failed: string[]
  /** The step should fail (it does on purpose in the faulty runs). */
  stepFails: boolean
  /** The emulator should have answered 429 at least once. */
  rateLimited: boolean
}

interface Scenario {
  title: string
  ids: string[]
  inputs: Record<string, string>
  faults: FaultRule[]
  expected: Expected
}

interface Check {
  ok: boolean
  verdict: string
}

const sampleIds = (sample: ProviderSample, scenario: string): [string, string, string] => [
  `${sample.prefix}-${scenario}-1`,
  `${sample.prefix}-${scenario}-2`,
  `${sample.prefix}-${scenario}-3`
]

function cleanScenario(sample: ProviderSample): Scenario {
  const ids = sampleIds(sample, 'clean')
  return {
    title: 'clean run: every file exists',
    ids,
    inputs: {},
    faults: [],
    expected: { deleted: ids, missing: [], failed: [], stepFails: false, rateLimited: false }
  }
}

function faultyScenario(sample: ProviderSample): Scenario {
  const [first, second, third] = sampleIds(sample, 'fault')
  const ghost = `${sample.prefix}-fault-never-existed`
  const locked = sample.delos ? [`${sample.prefix}-fault-locked`] : []
  const faults: FaultRule[] = [{ id: first, times: RATE_LIMITED_ANSWERS, fault: { kind: 'rate-limit', resetMs: 300 } }]
  return {
    title: `faulty run: ${RATE_LIMITED_ANSWERS}× rate limit on ${first}, a missing ID${sample.delos ? ', a locked file' : ''}; fail-on failed,missing`,
    ids: [first, ghost, second, ...locked, third],
    inputs: { 'fail-on': 'failed,missing' },
    faults,
    expected: { deleted: [first, second, third], missing: [ghost], failed: locked, stepFails: true, rateLimited: true }
  }
}

function emulatorOptions(sample: ProviderSample, scenarios: readonly Scenario[]): EmulatorOptions {
  const files = scenarios.flatMap(scenario => scenario.expected.deleted)
  const base: EmulatorOptions = { provider: sample.provider, apiKey: API_KEY, files }
  if (!sample.delos) return base
  return { ...base, customerId: DELOS_CUSTOMER, lockedIds: scenarios.flatMap(scenario => scenario.expected.failed) }
}

function providerInputs(sample: ProviderSample, emulator: Emulator): Record<string, string> {
  const inputs: Record<string, string> = {
    provider: sample.provider,
    'api-key': API_KEY,
    'base-url': emulator.url,
    ...TUNING
  }
  return sample.delos ? { ...inputs, 'customer-id': DELOS_CUSTOMER } : inputs
}

// ---- printing ----

const indent = (text: string, prefix = '    '): string =>
  text
    .replace(/\n+$/, '')
    .split('\n')
    .map(line => `${prefix}${line}`)
    .join('\n')

/** An annotation as the run page shows it; undefined for commands the log does not show (masks, debug, outputs). */
function annotationText(command: WorkflowCommand): string | undefined {
  if (command.command !== 'error' && command.command !== 'warning') return undefined
  const title = command.properties.title === undefined ? '' : `${command.properties.title}: `
  const label = command.command === 'error' ? 'annotation' : 'annotation (warning)'
  return `${label}: ${title}${command.message}`
}

function logText(result: RunResult): string {
  const lines = result.stdout.split(/\r?\n/).filter(line => line !== '')
  return lines
    .map(line => {
      if (!line.startsWith('::')) return line
      const [command] = parseCommands(line)
      return command === undefined ? line : annotationText(command)
    })
    .filter((line): line is string => line !== undefined)
    .join('\n')
}

function outputsText(outputs: Record<string, string>): string {
  return (['deleted', 'missing', 'failed'] as const)
    .map(name => `${`${name} (${outputs[`${name}-count`] ?? '?'})`.padEnd(12)} ${outputs[name] ?? '(not set)'}`)
    .join('\n')
}

function printRun(sample: ProviderSample, scenario: Scenario, result: RunResult, check: Check): void {
  const rule = '═'.repeat(100)
  console.log(`\n${rule}\n${sample.provider} · ${scenario.title}\nIDs: ${scenario.ids.join(' ')}\n${rule}`)
  console.log(`log:\n${indent(logText(result))}`)
  if (result.stderr.trim() !== '') console.log(`stderr:\n${indent(result.stderr)}`)
  console.log(`outputs:\n${indent(outputsText(result.outputs))}`)
  console.log(`job summary:\n${indent(result.summary, '    │ ')}`)
  console.log(`${check.ok ? '✔' : '✘'} ${check.verdict} (exit ${result.exitCode}, ${result.durationMs} ms)`)
}

// ---- checking ----

function jsonList(outputs: Record<string, string>, name: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(outputs[name] ?? '')
    return Array.isArray(value) && value.every(item => typeof item === 'string') ? value : undefined
  } catch {
    return undefined
  }
}

function listProblems(result: RunResult, expected: Expected): string[] {
  return (['deleted', 'missing', 'failed'] as const).flatMap(name => {
    const actual = jsonList(result.outputs, name)
    const wanted = JSON.stringify(expected[name])
    return JSON.stringify(actual) === wanted
      ? []
      : [`${name} is ${result.outputs[name] ?? '(not set)'}, expected ${wanted}`]
  })
}

/** `requests` are this run's only: the emulator is shared by the provider's runs. */
function emulatorProblems(
  store: ReadonlySet<string>,
  requests: readonly RecordedRequest[],
  expected: Expected
): string[] {
  const problems = expected.deleted.filter(id => store.has(id)).map(id => `${id} still exists at the provider`)
  const limited = new Set(
    requests.filter(request => request.status === 429).flatMap(request => request.id ?? request.ids ?? [])
  )
  if (expected.rateLimited && limited.size === 0) problems.push('the emulator never answered 429')
  // A refused bulk request names every ID of its chunk, the missing and the locked among them: only files that
  // existed and could be deleted must have made it through.
  for (const id of limited) {
    if (!expected.deleted.includes(id) && !expected.missing.includes(id) && !expected.failed.includes(id))
      problems.push(`rate-limited ${id} was expected to be deleted`)
  }
  return problems
}

/** The step's failure message, as `core.setFailed` annotates it. */
function failureMessage(result: RunResult): string {
  const failure = result.commands
    .filter(command => command.command === 'error' && command.message.startsWith('file-purge:'))
    .at(-1)
  return failure?.message ?? '(no failure message)'
}

function check(result: RunResult, emulator: Emulator, requestsBefore: number, expected: Expected): Check {
  const problems = [
    ...listProblems(result, expected),
    ...emulatorProblems(emulator.store, emulator.requests.slice(requestsBefore), expected)
  ]
  if (result.timedOut) problems.push('the action timed out')
  if (result.exitCode !== (expected.stepFails ? 1 : 0))
    problems.push(`exit code ${result.exitCode}, expected ${expected.stepFails ? 1 : 0}`)
  if (problems.length > 0) return { ok: false, verdict: `UNEXPECTED: ${problems.join('; ')}` }
  if (expected.stepFails) return { ok: true, verdict: `step failed as expected: ${failureMessage(result)}` }
  return { ok: true, verdict: 'step passed: every file deleted' }
}

// ---- running ----

async function runScenario(sample: ProviderSample, emulator: Emulator, scenario: Scenario): Promise<boolean> {
  emulator.clearFaults()
  for (const fault of scenario.faults) emulator.inject(fault)
  const requestsBefore = emulator.requests.length
  const inputs = { ...providerInputs(sample, emulator), ...scenario.inputs, 'file-ids': scenario.ids.join('\n') }
  const result = await runAction({ inputs, timeoutMs: RUN_TIMEOUT_MS })
  try {
    const outcome = check(result, emulator, requestsBefore, scenario.expected)
    printRun(sample, scenario, result, outcome)
    return outcome.ok
  } finally {
    result.cleanup()
  }
}

async function demoProvider(sample: ProviderSample): Promise<boolean[]> {
  const scenarios = [cleanScenario(sample), faultyScenario(sample)]
  const emulator = await startEmulator(emulatorOptions(sample, scenarios))
  try {
    const outcomes: boolean[] = []
    for (const scenario of scenarios) outcomes.push(await runScenario(sample, emulator, scenario))
    return outcomes
  } finally {
    await emulator.close()
  }
}

async function main(): Promise<number> {
  console.log(`file-purge demo: the built action (dist/index.js) on ${process.version} against the provider emulator`)
  const outcomes: boolean[] = []
  for (const sample of SAMPLES) outcomes.push(...(await demoProvider(sample)))
  const failures = outcomes.filter(ok => !ok).length
  console.log(
    `\n${failures === 0 ? `✔ all ${outcomes.length} runs behaved as expected` : `✘ ${failures} of ${outcomes.length} runs did not behave as expected`}`
  )
  return failures === 0 ? 0 : 1
}

process.exitCode = await main()
