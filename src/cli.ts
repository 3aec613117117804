import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { Input, type InputName } from './constants.js'
import { readIdsFile } from './inputs.js'
import { LineLog } from './log.js'
import { runPipeline } from './pipeline.js'
import { secretForms } from './providers/index.js'
import type { IdResult } from './purge.js'
import { logLine, type Report, type RunContext } from './report.js'
import { oneLine, scrub } from './text.js'

/** The key comes only from here: a flag would put it in process lists and shell history. */
export const API_KEY_VARIABLE = 'FILE_PURGE_API_KEY'

export const ExitCode = { Success: 0, Failure: 1, Usage: 2 } as const

/** Flags that carry an input's value, named as the input. */
const VALUE_FLAGS: readonly InputName[] = [
  Input.Provider,
  Input.FileIds,
  Input.FileIdsFile,
  Input.CustomerId,
  Input.BaseUrl,
  Input.FailOn,
  Input.MaxDeletions,
  Input.ProtectedIds,
  Input.Concurrency,
  Input.MaxRetries,
  Input.TimeoutSeconds,
  Input.Shard
]

const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(VALUE_FLAGS.map(name => [name, { type: 'string' as const }])),
  'dry-run': { type: 'boolean' },
  'no-bulk': { type: 'boolean' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' }
}

export const HELP = `file-purge: delete files by ID from Writer, ImageKit, Delos or AnyFormat, and report what became of each.

Usage: file-purge --provider NAME (--file-ids IDS | --file-ids-file PATH) [options]

The provider key is read from the environment variable ${API_KEY_VARIABLE} (never from a flag).

  --provider NAME          writer, imagekit, delos or anyformat
  --file-ids IDS           IDs separated by newlines, commas or spaces, or a JSON array of strings
  --file-ids-file PATH     a file of IDs in the same formats (relative to the current directory)
  --customer-id ID         Delos only: the customerId query parameter
  --base-url URL           API origin (and path prefix) instead of the provider's: https://, or http:// to loopback
  --dry-run                validate and plan; send nothing (no key needed)
  --fail-on LIST           failed, missing (comma-separated) or none        [failed]
  --max-deletions N        the most unique IDs one run may delete            [1000]
  --protected-ids GLOBS    patterns (* and ?) no ID may match
  --concurrency N          requests in flight at most, 1-64                  [8]
  --max-retries N          retries per ID after the first attempt, 0-10     [3]
  --timeout-seconds N      time limit for one attempt, 1-600                [30]
  --no-bulk                one DELETE per file even where a bulk endpoint exists
  --shard I/N              only shard I of N of the IDs (a stable hash partition)
  --json                   print the report as JSON on stdout
  --report PATH            also write the report as JSON to PATH
  -q, --quiet              no per-ID lines and no progress bar
  -h, --help               this text

Exit codes: 0 success, 1 policy violation or failed verdict, 2 usage error.
`

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Whether stderr is a terminal: then a progress bar replaces the per-ID lines. */
  interactive: boolean
  env: NodeJS.ProcessEnv
  cwd: string
}

/** Reads the run's context from the CI the command runs in, where it says. */
function ciContext(env: NodeJS.ProcessEnv): RunContext {
  const first = (...names: string[]): string =>
    names.map(name => env[name]).find(value => value !== undefined && value !== '') ?? ''
  const runId = Number(first('GITHUB_RUN_ID', 'CI_PIPELINE_ID', 'BUILD_NUMBER'))
  return {
    repository: first('GITHUB_REPOSITORY', 'CI_PROJECT_PATH', 'JOB_NAME'),
    workflow: first('GITHUB_WORKFLOW', 'CI_JOB_NAME'),
    runId: Number.isFinite(runId) && runId > 0 ? runId : null,
    runAttempt: null,
    actor: first('GITHUB_ACTOR', 'GITLAB_USER_LOGIN', 'USER'),
    eventName: 'cli',
    ref: first('GITHUB_REF', 'CI_COMMIT_REF_NAME', 'GIT_BRANCH'),
    sha: first('GITHUB_SHA', 'CI_COMMIT_SHA', 'GIT_COMMIT'),
    pullRequest: null,
    runUrl: first('CI_JOB_URL', 'BUILD_URL') || null
  }
}

/** A one-line progress bar for a terminal, redrawn in place. */
function progressBar(total: number, write: (text: string) => void): { update(result: IdResult): void; end(): void } {
  const counts = { deleted: 0, missing: 0, failed: 0 }
  let lastDraw = 0
  const draw = (): void => {
    const done = counts.deleted + counts.missing + counts.failed
    const width = 30
    const filled = total === 0 ? width : Math.round((done / total) * width)
    write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}  deleted ${counts.deleted}  missing ${counts.missing}  failed ${counts.failed}`
    )
  }
  return {
    update(result) {
      counts[result.outcome]++
      const now = Date.now()
      if (now - lastDraw >= 100 || counts.deleted + counts.missing + counts.failed === total) {
        lastDraw = now
        draw()
      }
    },
    end() {
      draw()
      write('\n')
    }
  }
}

/** Why a report could not be written at this path, or undefined when it can. */
function unwritable(file: string): string | undefined {
  try {
    if (existsSync(file) && statSync(file).isDirectory()) return 'is a directory'
    accessSync(path.dirname(file), constants.W_OK)
    return undefined
  } catch {
    return 'its directory does not exist or cannot be written'
  }
}

function humanSummary(report: Report): string {
  const { totals } = report
  const lines = [
    `${report.verdict.failed ? 'FAILED' : 'OK'}: ${report.verdict.message}`,
    `planned ${totals.planned}, deleted ${totals.deleted}, missing ${totals.missing}, failed ${totals.failed}, requests ${totals.requests}`
  ]
  for (const violation of report.violations) lines.push(`policy violation: ${violation}`)
  return `${lines.join('\n')}\n`
}

/** The command line: the same pipeline as the action, told to a terminal or to another CI's log. Returns the exit code. */
export async function cli(argv: string[], io: CliIo): Promise<number> {
  let flags: Record<string, string | boolean | Array<string | boolean> | undefined>
  try {
    if (argv.some(arg => arg === '--api-key' || arg.startsWith('--api-key='))) {
      throw new Error(
        `--api-key is not accepted: put the key in the environment variable ${API_KEY_VARIABLE}, out of process lists and shell history`
      )
    }
    flags = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }).values
  } catch (error) {
    io.stderr(
      `file-purge: ${error instanceof Error ? oneLine(error.message, 300) : String(error)}\nRun file-purge --help for usage.\n`
    )
    return ExitCode.Usage
  }
  const text = (name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined)
  if (flags.help) {
    io.stdout(HELP)
    return ExitCode.Success
  }

  // A report that cannot be written must be known before anything is deleted, not after.
  const reportPath = text('report') === undefined ? undefined : path.resolve(io.cwd, text('report') as string)
  const reportProblem = reportPath === undefined ? undefined : unwritable(reportPath)
  if (reportProblem !== undefined) {
    io.stderr(
      `file-purge: --report ${JSON.stringify(reportPath)}: ${reportProblem}\nRun file-purge --help for usage.\n`
    )
    return ExitCode.Usage
  }

  const rawKey = io.env[API_KEY_VARIABLE] ?? ''
  const secrets = secretForms(rawKey, text(Input.Provider) ?? '')
  const values: Partial<Record<InputName, string>> = {
    ...Object.fromEntries(VALUE_FLAGS.map(name => [name, text(name)])),
    [Input.ApiKey]: rawKey,
    [Input.DryRun]: flags['dry-run'] ? 'true' : 'false',
    [Input.Bulk]: flags['no-bulk'] ? 'false' : 'true'
  }
  const quiet = flags.quiet === true
  const log = new LineLog(io.stderr)
  let bar: ReturnType<typeof progressBar> | undefined
  const { report } = await runPipeline(
    { getInput: name => values[name] ?? '', readFile: readIdsFile, workspace: io.cwd },
    {
      context: ciContext(io.env),
      secrets,
      hooks: {
        info: line => {
          if (quiet) return
          log.flush()
          // A progress bar owns the current line: news goes on a line of its own below it.
          io.stderr(`${bar ? '\n' : ''}${line}\n`)
        },
        onStart: planned => {
          if (io.interactive && !quiet) bar = progressBar(planned.length, io.stderr)
        },
        onResult: result => {
          if (bar) bar.update(result)
          else if (!quiet) log.line(logLine(result))
        }
      }
    }
  ).finally(() => log.flush())
  bar?.end()

  const reportJson = `${JSON.stringify(report, null, 2)}\n`
  io.stdout(flags.json ? reportJson : humanSummary(report))
  if (reportPath !== undefined) writeFileSync(reportPath, reportJson, { mode: 0o600 })
  return report.verdict.failed ? ExitCode.Failure : ExitCode.Success
}

/** Runs the command and never lets the key out in an unexpected error. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await cli(argv, io)
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    io.stderr(`file-purge: unexpected error: ${scrub(message, secretForms(io.env[API_KEY_VARIABLE] ?? '', ''))}\n`)
    return ExitCode.Failure
  }
}
