/**
 * Runs one job of a workflow here, step by step in order, as GitHub's runner would: `run:` steps as bash scripts
 * (`bash --noprofile --norc -eo pipefail`), `uses: ./` steps as this action (runner.ts), each with its
 * GITHUB_OUTPUT and GITHUB_ENV, expressions in `if:`, `with:`, `env:` and scripts evaluated with GitHub's own
 * expression library over `github`, `env`, `matrix`, `steps` and `runner`, `continue-on-error` honoured, and every
 * process a step left running stopped when the job ends. Checkout, setup-node and upload-artifact are known by name,
 * whatever ref they are pinned to, and not run: this machine is set up already, and nothing is uploaded. A job that
 * uses any other action is refused, since what it would do cannot be left out unseen. The tests run the e2e
 * workflow this way.
 *
 *   npx tsx __tests__/harness/workflow-local.ts .github/workflows/e2e.yml e2e provider=writer --skip Install
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions'
import { parse as parseYaml } from 'yaml'
import { actionDefaults, githubEnv, inheritedEnv, parseOutputFile, REPO_ROOT, runAction } from './runner.js'

export interface LocalJobOptions {
  workflowFile: string
  job: string
  matrix?: Record<string, string>
  /** Steps left out, by name: setting up a machine that is set up already (an install, say). */
  skip?: readonly string[]
  /** The whole job's time limit; default 5 minutes. */
  timeoutMs?: number
}

export type StepOutcome = 'success' | 'failure' | 'skipped'

export interface LocalStep {
  /** The step's name; without one, the action it uses without its ref (`actions/checkout`). */
  name: string
  id: string | undefined
  /** What ran: a script, this action, or nothing (a known action, a skipped name, an `if:` that was false). */
  ran: 'run' | 'action' | 'nothing'
  outcome: StepOutcome
  /** The outcome after continue-on-error. */
  conclusion: StepOutcome
  outputs: Record<string, string>
  log: string
}

export interface LocalJob {
  steps: LocalStep[]
  /** Every step's conclusion was success or skipped. */
  succeeded: boolean
}

interface WorkflowStep {
  name?: string
  id?: string
  if?: string | boolean
  uses?: string
  run?: string
  shell?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  'continue-on-error'?: boolean | string
}

interface Defaults {
  run?: { shell?: string }
}

interface WorkflowJob {
  env?: Record<string, unknown>
  defaults?: Defaults
  steps?: WorkflowStep[]
}

interface Workflow {
  env?: Record<string, unknown>
  defaults?: Defaults
  jobs: Record<string, WorkflowJob>
}

/**
 * Actions that need not run here, by name whatever ref they are pinned to: checkout and setup-node (this machine is
 * set up already) and upload-artifact (nothing is uploaded).
 */
const STOOD_IN_FOR: ReadonlySet<string> = new Set(['actions/checkout', 'actions/setup-node', 'actions/upload-artifact'])

/** An action's name without the ref it is pinned to: `actions/checkout@<sha>` → `actions/checkout`. */
function actionName(uses: string): string {
  const at = uses.lastIndexOf('@')
  return at < 0 ? uses : uses.slice(0, at)
}

/** The `uses:` of the job's steps that are neither this action nor one that need not run here. */
function unknownActions(steps: readonly WorkflowStep[]): string[] {
  return steps
    .map(step => step.uses)
    .filter((uses): uses is string => uses !== undefined && uses !== './' && !STOOD_IN_FOR.has(actionName(uses)))
}

/**
 * The runner's bash for a step: `shell: bash` (the step's, or the job's or workflow's default) runs with pipefail;
 * with no shell named anywhere it is `bash -e {0}`. Other shells do not run here.
 */
function bashOptions(name: string, shell: string | undefined): string[] {
  if (shell === undefined) return ['-e']
  if (shell === 'bash') return ['--noprofile', '--norc', '-eo', 'pipefail']
  throw new Error(`${name}: only bash scripts run here, not ${JSON.stringify(shell)}`)
}

/** What expressions see, as plain JSON. */
interface Contexts {
  github: Record<string, string>
  env: Record<string, string>
  matrix: Record<string, string>
  runner: Record<string, string>
  steps: Record<string, { outputs: Record<string, string>; outcome: StepOutcome; conclusion: StepOutcome }>
  secrets: Record<string, string>
  vars: Record<string, string>
}

const CONTEXT_NAMES = ['github', 'env', 'matrix', 'runner', 'steps', 'secrets', 'vars'] as const
const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'] as const

/** Evaluates one expression (the text inside `${{ }}`) over the contexts; `failed`: an earlier step failed. */
function evaluate(expression: string, contexts: Contexts, failed: boolean): data.ExpressionData {
  const lexed = new Lexer(expression).lex()
  const statuses = STATUS_FUNCTIONS.map(name => ({ name, minArgs: 0, maxArgs: 0 }))
  const parsed: Expr = new Parser(lexed.tokens, [...CONTEXT_NAMES], statuses).parse()
  const status = (value: boolean) => ({ name: '', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) })
  const functions = new Map([
    ['success', status(!failed)],
    ['failure', status(failed)],
    ['always', status(true)],
    ['cancelled', status(false)]
  ])
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary
  return new Evaluator(parsed, context, functions).evaluate()
}

/** A value with `${{ }}` expressions replaced by their values as strings. */
function substitute(text: string, contexts: Contexts, failed: boolean): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    evaluate(expression.trim(), contexts, failed).coerceString()
  )
}

/** An `if:`: an expression with or without `${{ }}`; none means success(). */
function condition(value: string | boolean | undefined, contexts: Contexts, failed: boolean): boolean {
  if (value === undefined) return !failed
  if (typeof value === 'boolean') return value
  const bare = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value)?.[1] ?? value
  const result = evaluate(bare.trim(), contexts, failed)
  // Without a status function in it, a condition only applies while nothing has failed, as on the runner.
  const usesStatus = STATUS_FUNCTIONS.some(name => new RegExp(`\\b${name}\\s*\\(`).test(bare))
  return (usesStatus || !failed) && truthy(result)
}

/** GitHub's truthiness: false, 0, NaN, '' and null are false; everything else is true. */
function truthy(value: data.ExpressionData): boolean {
  if (value instanceof data.Null) return false
  if (value instanceof data.BooleanData) return value.value
  if (value instanceof data.NumberData) return value.value !== 0 && !Number.isNaN(value.value)
  if (value instanceof data.StringData) return value.value !== ''
  return true
}

const strings = (values: Record<string, unknown> | undefined, contexts: Contexts, failed: boolean) =>
  Object.fromEntries(
    Object.entries(values ?? {}).map(([name, value]) => [name, substitute(String(value), contexts, failed)])
  )

/**
 * A script step's files (its output, env and summary files, empty) and the variables the runner gives it: those of
 * every step (runner.ts), with the repository as the workspace.
 */
function scriptEnv(run: StepRun): { env: Record<string, string>; output: string; envFile: string } {
  const file = (name: string): string => {
    const at = path.join(run.temp, `${name}-${run.index}`)
    writeFileSync(at, name === 'event' ? '{}' : '')
    return at
  }
  const [output, envFile, summary, event] = [file('output'), file('env'), file('summary'), file('event')]
  const files = { output, summary, event, runnerTemp: run.runnerTemp, workspace: REPO_ROOT }
  return { env: { ...inheritedEnv(), ...githubEnv(files, 'workflow_dispatch'), GITHUB_ENV: envFile }, output, envFile }
}

/** Runs a bash script in its own process group, so what it leaves running can be stopped with the job. */
function bash(
  options: string[],
  script: string,
  env: Record<string, string>,
  groups: number[],
  timeoutMs: number
): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [...options, '-c', script], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    if (child.pid !== undefined) groups.push(child.pid)
    let log = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    // The script's own output only: a process it leaves in the background may hold the pipes open.
    const onData = (chunk: Buffer): void => void (log += chunk.toString('utf8'))
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', reject)
    child.on('exit', code => {
      clearTimeout(timer)
      child.stdout.off('data', onData)
      child.stderr.off('data', onData)
      child.stdout.destroy()
      child.stderr.destroy()
      resolve({ code, log })
    })
  })
}

/** Runs the job; what every step did, in order. */
export async function runJob(options: LocalJobOptions): Promise<LocalJob> {
  const workflow = parseYaml(readFileSync(options.workflowFile, 'utf8')) as Workflow
  const job = workflow.jobs[options.job]
  if (job === undefined) throw new Error(`${options.workflowFile}: no job ${JSON.stringify(options.job)}`)
  const unknown = unknownActions(job.steps ?? [])
  if (unknown.length > 0)
    throw new Error(`${options.workflowFile}: job ${options.job} uses ${unknown.join(', ')}, which cannot run here`)
  const temp = mkdtempSync(path.join(os.tmpdir(), 'file-purge-job-'))
  const runnerTemp = path.join(temp, 'runner-temp')
  mkdirSync(runnerTemp)
  const contexts: Contexts = {
    github: {
      workspace: REPO_ROOT,
      event_name: 'workflow_dispatch',
      repository: 'octo/purge-demo',
      ref: 'refs/heads/main'
    },
    env: {},
    matrix: options.matrix ?? {},
    runner: { temp: runnerTemp, os: 'Linux', arch: 'X64' },
    steps: {},
    secrets: {},
    vars: {}
  }
  contexts.env = { ...strings(workflow.env, contexts, false), ...strings(job.env, contexts, false) }
  const groups: number[] = []
  const cleanups: Array<() => void> = []
  const steps: LocalStep[] = []
  const deadline = Date.now() + (options.timeoutMs ?? 300_000)
  try {
    for (const [index, step] of (job.steps ?? []).entries()) {
      const failed = steps.some(done => done.conclusion === 'failure')
      const name = step.name ?? (step.uses === undefined ? `step ${index + 1}` : actionName(step.uses))
      const done = await runStep(step, name, {
        contexts,
        failed,
        runnerTemp,
        temp,
        index,
        groups,
        cleanups,
        deadline,
        skip: options.skip ?? [],
        shell: job.defaults?.run?.shell ?? workflow.defaults?.run?.shell
      })
      steps.push(done)
      if (step.id !== undefined) {
        contexts.steps[step.id] = { outputs: done.outputs, outcome: done.outcome, conclusion: done.conclusion }
      }
    }
  } finally {
    await stopGroups(groups)
    for (const cleanup of cleanups) cleanup()
    rmSync(temp, { recursive: true, force: true })
  }
  return { steps, succeeded: steps.every(step => step.conclusion !== 'failure') }
}

/** Whether any process of the group is alive. */
function alive(group: number): boolean {
  try {
    process.kill(-group, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops what the job's scripts left running, as the runner does when a job ends: SIGTERM to each script's process
 * group, then SIGKILL to what is still there after 5 s.
 */
async function stopGroups(groups: readonly number[]): Promise<void> {
  const signal = (group: number, name: NodeJS.Signals): void => {
    try {
      process.kill(-group, name)
    } catch {
      // Gone already.
    }
  }
  for (const group of groups) signal(group, 'SIGTERM')
  const until = Date.now() + 5000
  while (groups.some(alive) && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 20))
  for (const group of groups) signal(group, 'SIGKILL')
}

interface StepRun {
  contexts: Contexts
  failed: boolean
  runnerTemp: string
  temp: string
  index: number
  groups: number[]
  cleanups: Array<() => void>
  deadline: number
  skip: readonly string[]
  /** The job's or workflow's default shell. */
  shell: string | undefined
}

async function runStep(step: WorkflowStep, name: string, run: StepRun): Promise<LocalStep> {
  const { contexts, failed } = run
  const nothing = (): LocalStep => ({
    name,
    id: step.id,
    ran: 'nothing',
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    log: ''
  })
  const local = step.run !== undefined || step.uses === './'
  if (!local || run.skip.includes(name) || !condition(step.if, contexts, failed)) return nothing()
  const bashArgs = bashOptions(name, step.shell ?? run.shell)
  const env = { ...contexts.env, ...strings(step.env, contexts, failed) }
  const timeoutMs = Math.max(1000, run.deadline - Date.now())
  let code: number | null
  let log: string
  let outputs: Record<string, string>
  if (step.run !== undefined) {
    const script = substitute(step.run, contexts, failed)
    const runner = scriptEnv(run)
    ;({ code, log } = await bash(bashArgs, script, { ...runner.env, ...env }, run.groups, timeoutMs))
    outputs = parseOutputFile(readFileSync(runner.output, 'utf8'))
    Object.assign(contexts.env, parseOutputFile(readFileSync(runner.envFile, 'utf8')))
  } else {
    // The runner evaluates action.yml's defaults too (github-token: ${{ github.token }}).
    const inputs = { ...strings(actionDefaults(), contexts, failed), ...strings(step.with, contexts, failed) }
    const result = await runAction({
      inputs,
      env: { ...env, RUNNER_TEMP: run.runnerTemp, GITHUB_WORKSPACE: REPO_ROOT },
      workspace: REPO_ROOT,
      timeoutMs
    })
    run.cleanups.push(() => result.cleanup())
    ;({ exitCode: code, outputs } = result)
    log = `${result.stdout}${result.stderr}`
  }
  const outcome: StepOutcome = code === 0 ? 'success' : 'failure'
  const continueOnError = String(step['continue-on-error'] ?? false) === 'true'
  return {
    name,
    id: step.id,
    ran: step.run !== undefined ? 'run' : 'action',
    outcome,
    conclusion: outcome === 'failure' && continueOnError ? 'success' : outcome,
    outputs,
    log
  }
}

async function main(): Promise<void> {
  const [workflowFile, job, ...rest] = process.argv.slice(2)
  if (workflowFile === undefined || job === undefined)
    throw new Error('usage: workflow-local.ts FILE JOB [key=value …] [--skip NAME …]')
  const matrix: Record<string, string> = {}
  const skip: string[] = []
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    if (arg === '--skip') skip.push(rest[++i] ?? '')
    else if (arg.includes('=')) matrix[arg.slice(0, arg.indexOf('='))] = arg.slice(arg.indexOf('=') + 1)
    else throw new Error(`unexpected argument ${JSON.stringify(arg)}`)
  }
  const result = await runJob({ workflowFile, job, matrix, skip })
  for (const step of result.steps) {
    console.log(
      `${step.conclusion.padEnd(7)} ${step.name}${step.outcome !== step.conclusion ? ` (outcome ${step.outcome})` : ''}`
    )
    if (step.outcome === 'failure') console.log(step.log.replace(/^/gm, '    '))
  }
  process.exitCode = result.succeeded ? 0 : 1
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main()
