/**
 * `npm run local-action`: runs the action's TypeScript entry (src/main.ts, its exported `run`) with
 * @github/local-action, which takes inputs from a dotenv file, against a local provider emulator; then prints what
 * the emulator saw, the report and the outputs, and exits 0 when the action succeeded, 1 when it failed.
 *
 *   npm run local-action                              .env.example against an emulator of its INPUT_PROVIDER
 *   npm run local-action -- --env my.env              another env file, still against the emulator
 *   npm run local-action -- --files preview-hero-0001 the emulator holds only that file: the others are missing
 *   npm run local-action -- --env .env --no-emulator  the env file as it is: the real provider, real deletions
 *
 * With the emulator, the env file is copied to a temporary file with INPUT_BASE-URL set to the emulator and
 * INPUT_API-KEY to the key it accepts, so nothing leaves the machine. RUNNER_TEMP, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY and GITHUB_EVENT_PATH always point into a fresh temporary directory, where the report, the
 * outputs and the summary are kept (the action writes them itself, as on a runner).
 *
 * Why the exit code comes from the report: local-action decides its own exit code, while the report's verdict says
 * whether the step would have failed on a runner.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, parseEnv } from 'node:util'
import { startEmulator, type Emulator } from '../emulator/index.js'
import { PROVIDER_NAMES, type ProviderName } from '../src/providers/index.js'
import type { Report } from '../src/report/report.js'
import { parseOutputFile, REPO_ROOT } from '../__tests__/harness/runner.js'

/** The one key the emulator accepts. */
const EMULATOR_KEY = 'local-emulator-key-0123456789'
const ENTRY = 'src/main.ts'
const LOCAL_ACTION_BIN = path.join(REPO_ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js')
const DEFAULT_TIMEOUT_SECONDS = 300

const USAGE = `usage: npm run local-action -- [--env FILE] [--files ID,ID...] [--no-emulator] [--timeout SECONDS]
  --env FILE        dotenv file with INPUT_* and runner variables (default .env.example)
  --files IDS       IDs the emulator holds at start (default: the IDs in INPUT_FILE-IDS)
  --no-emulator     use the env file as it is, against the real provider (not with .env.example)
  --timeout SECONDS stop local-action after this long (default ${DEFAULT_TIMEOUT_SECONDS})`

interface Options {
  envFile: string
  files: string[] | undefined
  emulator: boolean
  timeoutMs: number
}

class UsageError extends Error {}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string', default: '.env.example' },
      files: { type: 'string' },
      'no-emulator': { type: 'boolean', default: false },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true,
    allowPositionals: false
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const envFile = path.resolve(values.env)
  if (!existsSync(envFile)) throw new UsageError(`env file not found: ${envFile}`)
  const timeout = Number(values.timeout)
  if (!Number.isInteger(timeout) || timeout < 1)
    throw new UsageError(`--timeout must be a whole number of seconds, got ${JSON.stringify(values.timeout)}`)
  const emulator = !values['no-emulator']
  if (!emulator && path.basename(envFile) === '.env.example') {
    throw new UsageError(
      '--no-emulator sends real requests: copy .env.example to .env, fill in real values, and pass --env .env'
    )
  }
  if (!emulator && values.files !== undefined)
    throw new UsageError('--files sets up the emulator: it has no meaning with --no-emulator')
  return {
    envFile,
    files: values.files === undefined ? undefined : splitIds(values.files),
    emulator,
    timeoutMs: timeout * 1000
  }
}

/** IDs as the action reads them, closely enough to seed the emulator: a JSON array, or a list split on commas and white space. */
function splitIds(text: string): string[] {
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed)
    if (Array.isArray(parsed)) return parsed.filter((id): id is string => typeof id === 'string')
  }
  return trimmed.split(/[\s,]+/).filter(id => id !== '')
}

function providerOf(env: NodeJS.Dict<string>): ProviderName {
  const value = (env['INPUT_PROVIDER'] ?? '').trim().toLowerCase()
  const provider = PROVIDER_NAMES.find(name => name === value)
  if (provider === undefined)
    throw new UsageError(
      `INPUT_PROVIDER must be one of ${PROVIDER_NAMES.join(', ')} to start an emulator, got ${JSON.stringify(value)}`
    )
  return provider
}

/** A dotenv value, double-quoted: the file may hold any path. */
function dotenvValue(value: string): string {
  if (/["\r\n\\]/.test(value)) throw new Error(`cannot write ${JSON.stringify(value)} to a dotenv file`)
  return `"${value}"`
}

/**
 * The env file the action runs with: the given one, its overridden lines commented out, then the overrides (dotenv
 * also lets the last assignment win). Checked by reading it back.
 */
function writeRunEnv(source: string, overrides: Record<string, string>, target: string): void {
  const keys = new Set(Object.keys(overrides))
  const lines = source.split(/\r?\n/).map(line => {
    const key = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line)?.[1]
    return key !== undefined && keys.has(key) ? `# (set below by scripts/local-action.ts) ${line}` : line
  })
  const block = Object.entries(overrides).map(([key, value]) => `${key}=${dotenvValue(value)}`)
  const text = [...lines, '', '# ---- set by scripts/local-action.ts ----', ...block, ''].join('\n')
  writeFileSync(target, text, { mode: 0o600 })
  const written = parseEnv(text)
  for (const [key, value] of Object.entries(overrides)) {
    if (written[key] !== value)
      throw new Error(`${target}: ${key} reads back as ${JSON.stringify(written[key])}, not ${JSON.stringify(value)}`)
  }
}

/** The environment for local-action: ours without any runner or input variables, so only the env file sets those. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)) env[name] = value
  }
  return { ...env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }
}

interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
}

/**
 * Runs local-action without blocking this process's event loop (the emulator in it must keep answering). The child
 * leads its own process group (local-action runs npm, which runs tsx, which runs node), so a timeout or Ctrl-C
 * ends the whole group it started, by its id.
 */
function runLocalAction(envFile: string, timeoutMs: number): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [LOCAL_ACTION_BIN, 'run', REPO_ROOT, ENTRY, envFile], {
      cwd: REPO_ROOT,
      env: childEnv(),
      stdio: 'inherit',
      detached: true
    })
    let timedOut = false
    const endGroup = (): void => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    }
    const onInterrupt = (): void => {
      endGroup()
      process.exitCode = 130
    }
    const timer = setTimeout(() => {
      timedOut = true
      endGroup()
    }, timeoutMs)
    process.once('SIGINT', onInterrupt)
    process.once('SIGTERM', onInterrupt)
    const done = (): void => {
      clearTimeout(timer)
      process.off('SIGINT', onInterrupt)
      process.off('SIGTERM', onInterrupt)
    }
    child.once('error', error => {
      done()
      reject(error)
    })
    child.once('exit', (code, signal) => {
      done()
      resolve({ code, signal, timedOut })
    })
  })
}

function findReport(runnerTemp: string): { file: string; report: Report } | undefined {
  const runs = readdirSync(runnerTemp).filter(name => name.startsWith('file-purge-'))
  for (const run of runs) {
    const file = path.join(runnerTemp, run, 'report.json')
    if (existsSync(file)) return { file, report: JSON.parse(readFileSync(file, 'utf8')) as Report }
  }
  return undefined
}

function rule(title: string): void {
  console.log(`\n${'='.repeat(80)}\n${title.padStart(40 + Math.floor(title.length / 2))}\n${'='.repeat(80)}\n`)
}

function describeEmulator(emulator: Emulator, before: string[]): void {
  const deletes = emulator.requests
  console.log(`emulator: ${emulator.provider} at ${emulator.url}`)
  console.log(`  files before: ${before.length === 0 ? '(none)' : before.join(', ')}`)
  console.log(`  files after:  ${emulator.store.size === 0 ? '(none)' : [...emulator.store].join(', ')}`)
  console.log(`  deleted:      ${emulator.deleted.length === 0 ? '(none)' : emulator.deleted.join(', ')}`)
  console.log(
    `  requests:     ${deletes.length === 0 ? 'none' : deletes.map(request => `${request.method} ${request.url} -> ${request.status || 'no answer'}`).join('; ')}`
  )
}

function describeReport(found: { file: string; report: Report } | undefined, summaryFile: string): void {
  if (found === undefined) {
    console.log('report: none written')
    return
  }
  const { report, file } = found
  console.log(`report:  ${file}`)
  const totals = Object.entries(report.totals).map(([name, value]) => `${name} ${value}`)
  console.log(`  totals:  ${totals.join(', ')}`)
  for (const entry of report.entries) {
    console.log(`  ${entry.outcome.padEnd(8)} ${entry.id}${entry.reason === null ? '' : `  (${entry.reason})`}`)
  }
  console.log(`  verdict: ${report.verdict.failed ? 'FAILED' : 'ok'}: ${report.verdict.message}`)
  if (existsSync(summaryFile) && readFileSync(summaryFile, 'utf8').trim() !== '') console.log(`summary: ${summaryFile}`)
}

function describeOutputs(outputFile: string): void {
  const outputs = Object.entries(parseOutputFile(readFileSync(outputFile, 'utf8')))
  console.log(outputs.length === 0 ? 'outputs: none set' : 'outputs:')
  for (const [name, value] of outputs)
    console.log(`  ${name.padEnd(15)} ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`)
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2))
  const source = readFileSync(options.envFile, 'utf8')
  const env = parseEnv(source)

  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'file-purge-local-'))
  const runnerTemp = path.join(tempDir, 'runner_temp')
  mkdirSync(runnerTemp)
  const summaryFile = path.join(tempDir, 'step_summary.md')
  writeFileSync(summaryFile, '')
  // The action writes its outputs into the runner's file, as on a runner, not through local-action's stubs.
  const outputFile = path.join(tempDir, 'github_output')
  writeFileSync(outputFile, '')
  const overrides: Record<string, string> = {
    RUNNER_TEMP: runnerTemp,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile
  }
  if ((env['GITHUB_EVENT_PATH'] ?? '') === '') {
    overrides.GITHUB_EVENT_PATH = path.join(tempDir, 'event.json')
    writeFileSync(overrides.GITHUB_EVENT_PATH, '{}\n')
  }

  let emulator: Emulator | undefined
  try {
    let before: string[] = []
    if (options.emulator) {
      const provider = providerOf(env)
      before = options.files ?? splitIds(env['INPUT_FILE-IDS'] ?? '')
      const customerId = (env['INPUT_CUSTOMER-ID'] ?? '').trim()
      emulator = await startEmulator({
        provider,
        apiKey: EMULATOR_KEY,
        files: before,
        ...(provider === 'delos' && customerId !== '' ? { customerId } : {})
      })
      overrides['INPUT_BASE-URL'] = emulator.url
      overrides['INPUT_API-KEY'] = EMULATOR_KEY
    }
    const runEnvFile = path.join(tempDir, 'local-action.env')
    writeRunEnv(source, overrides, runEnvFile)
    console.log(`env file: ${runEnvFile} (from ${path.relative(process.cwd(), options.envFile) || options.envFile})`)
    if (emulator !== undefined)
      console.log(`emulator: ${emulator.provider} at ${emulator.url}, holding ${before.length} files`)
    else console.log('no emulator: requests go to the provider the env file names')

    const exit = await runLocalAction(runEnvFile, options.timeoutMs)

    rule('file-purge local run')
    if (emulator !== undefined) describeEmulator(emulator, before)
    const found = findReport(runnerTemp)
    describeReport(found, summaryFile)
    describeOutputs(outputFile)
    if (exit.timedOut) {
      console.log(`local-action did not finish within ${options.timeoutMs / 1000} s and was stopped`)
      return 1
    }
    if (exit.code !== 0) {
      console.log(
        `local-action exited with ${exit.code === null ? `signal ${String(exit.signal)}` : `code ${exit.code}`}`
      )
      return exit.code === null || exit.code === 0 ? 1 : exit.code
    }
    if (found === undefined) return 1
    return found.report.verdict?.failed === true ? 1 : 0
  } finally {
    await emulator?.close()
  }
}

main().then(
  code => {
    process.exitCode = process.exitCode === 130 ? 130 : code
  },
  (error: unknown) => {
    console.error(error instanceof UsageError ? `local-action: ${error.message}\n${USAGE}` : error)
    process.exitCode = error instanceof UsageError ? 2 : 1
  }
)
