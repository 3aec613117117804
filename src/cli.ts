import { accessSync, constants, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { Input, MAX_RATE_RANGE, NumericInput, type InputName, type NumericInputName } from './constants.js'
import type { IdResult } from './engine/purge.js'
import { readIdsFile } from './inputs.js'
import { runPipeline, unknownIds, type RunAsItStands, type Shell } from './pipeline.js'
import { PROVIDER_CHOICES } from './providers/index.js'
import type { StopSignal } from './signals.js'
import type { RunReport } from './report.js'
import { asText, writeFileInBlocks } from './report-file.js'
import { errorMessage, oneLine } from './text.js'

/** The key comes only from here: a flag would put it in process lists and shell history. */
export const API_KEY_VARIABLE = 'FILE_PURGE_API_KEY'

export const ExitCode = { Success: 0, Failure: 1, Usage: 2, Interrupted: 130, Terminated: 143 } as const

/** A cancelled run exits as a shell reports a command a signal stopped: 128 + the signal's number. */
export function cancelledExitCode(signal: StopSignal): number {
  return signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted
}

/** A flag that carries an input's value, named as the input. */
interface ValueFlag {
  input: InputName
  argument: string
  help: string
  default?: string
}

/** A numeric input's flag: its range and default come from the one declaration of them. */
function numericFlag(input: NumericInputName, help: string): ValueFlag {
  const { min, max, default: fallback } = NumericInput[input]
  return { input, argument: 'N', help: `${help}, ${min}-${max}`, default: String(fallback) }
}

const VALUE_FLAGS: readonly ValueFlag[] = [
  { input: Input.Provider, argument: 'NAME', help: PROVIDER_CHOICES },
  {
    input: Input.FileIds,
    argument: 'IDS',
    help: 'IDs separated by newlines, commas or spaces, or a JSON array of strings'
  },
  {
    input: Input.FileIdsFile,
    argument: 'PATH',
    help: 'a file of IDs in the same formats (relative to the current directory)'
  },
  { input: Input.CustomerId, argument: 'ID', help: 'Delos only: the customerId query parameter' },
  {
    input: Input.BaseUrl,
    argument: 'URL',
    help: "API origin (and path prefix) instead of the provider's: https://, or http:// to loopback"
  },
  { input: Input.FailOn, argument: 'LIST', help: 'failed, missing (comma-separated) or none', default: 'failed' },
  numericFlag(Input.MaxDeletions, 'the most unique IDs one run may delete'),
  { input: Input.ProtectedIds, argument: 'GLOBS', help: 'patterns (* and ?) no ID may match' },
  numericFlag(Input.Concurrency, 'requests in flight at most'),
  numericFlag(Input.MaxRetries, 'retries per ID after the first attempt'),
  numericFlag(Input.TimeoutSeconds, 'time limit for one attempt, in seconds'),
  {
    input: Input.MaxRate,
    argument: 'N',
    help: `requests per minute at most, listing included, ${MAX_RATE_RANGE.min}-${MAX_RATE_RANGE.max} (none: adaptive)`
  },
  { input: Input.Shard, argument: 'I/N', help: 'only shard I of N of the IDs (a stable hash partition)' },
  { input: Input.SelectName, argument: 'GLOB', help: 'select listed files whose whole name matches (* and ?)' },
  {
    input: Input.SelectPath,
    argument: 'FOLDER',
    help: 'ImageKit: select files in this folder (/a/b/), or in it and below (/a/b/**)'
  },
  {
    input: Input.SelectTags,
    argument: 'TAGS',
    help: 'ImageKit: select files whose own tags hold any of these (comma-separated)'
  },
  {
    input: Input.SelectStatus,
    argument: 'WORDS',
    help: "select files with any of these statuses (the provider's words)"
  },
  { input: Input.OlderThan, argument: 'AGE', help: 'select files created more than AGE ago: 12h, 30d, 2w' },
  { input: Input.KeepNewest, argument: 'N', help: 'spare the N newest files that pass the other filters' },
  { input: Input.GraphId, argument: 'ID', help: 'Writer: select among the files of this graph' },
  {
    input: Input.WorkflowId,
    argument: 'ID',
    help: 'AnyFormat: select among the collections of this workflow (required there)'
  }
]

/** Flags of the command itself, and the switches that set a boolean input. */
const SWITCHES: ReadonlyArray<{ flag: string; short?: string; value?: string; help: string }> = [
  { flag: 'dry-run', help: 'validate and plan; send nothing (no key needed)' },
  { flag: 'no-bulk', help: 'one DELETE per file even where a bulk endpoint exists' },
  { flag: 'json', help: 'print the report as JSON on stdout' },
  { flag: 'report', value: 'PATH', help: 'also write the report as JSON to PATH' },
  { flag: 'quiet', short: 'q', help: 'no per-ID lines and no progress bar' },
  { flag: 'help', short: 'h', help: 'this text' }
]

const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(VALUE_FLAGS.map(flag => [flag.input, { type: 'string' as const }])),
  ...Object.fromEntries(
    SWITCHES.map(({ flag, short, value }) => [
      flag,
      { type: value === undefined ? ('boolean' as const) : ('string' as const), ...(short ? { short } : {}) }
    ])
  )
}

function helpLine(flag: string, help: string, fallback?: string): string {
  const line = `  ${flag.padEnd(25)}${help}`
  return fallback === undefined ? line : `${line.padEnd(90)}[${fallback}]`
}

export const HELP = [
  'file-purge: delete files by ID from Writer, ImageKit, Delos or AnyFormat, and report what became of each.',
  '',
  'Usage: file-purge --provider NAME (--file-ids IDS | --file-ids-file PATH | selection flags) [options]',
  '',
  `The provider key is read from the environment variable ${API_KEY_VARIABLE} (never from a flag).`,
  '',
  ...VALUE_FLAGS.map(flag => helpLine(`--${flag.input} ${flag.argument}`, flag.help, flag.default)),
  ...SWITCHES.map(({ flag, short, value, help }) =>
    helpLine(`${short ? `-${short}, ` : ''}--${flag}${value ? ` ${value}` : ''}`, help)
  ),
  '',
  'Exit codes: 0 success, 1 policy violation or failed verdict, 2 usage error.',
  'Cancelled by Ctrl-C (SIGINT) or SIGTERM, it still reports every ID and exits 130 or 143; a second signal stops at once,',
  'writing the --report file and naming on stderr the IDs sent with no answer (their outcome is unknown).',
  ''
].join('\n')

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Whether stderr is a terminal: then a progress bar replaces the per-ID lines. */
  interactive: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  /** Aborted when the run is to be cancelled; its reason is the signal's name. */
  signal?: AbortSignal
  /** Sets what to write, synchronously, when a second signal ends the process at once (undefined: nothing). */
  atSecondSignal?: (write: ((signal: StopSignal) => void) | undefined) => void
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

function humanSummary(report: RunReport): string {
  const { totals } = report
  const lines = [
    `${report.verdict.failed ? 'FAILED' : 'OK'}: ${report.verdict.message}`,
    `planned ${totals.planned}, deleted ${totals.deleted}, missing ${totals.missing}, failed ${totals.failed}, requests ${totals.requests}`
  ]
  for (const violation of report.violations) lines.push(`policy violation: ${violation}`)
  return `${lines.join('\n')}\n`
}

/** Where the command tells a run: per-ID lines or a progress bar on stderr, the summary or JSON on stdout. */
function cliShell(io: CliIo, flags: { quiet: boolean; json: boolean; reportPath: string | undefined }): Shell {
  let bar: ReturnType<typeof progressBar> | undefined
  // A progress bar owns the current line: news goes on a line of its own below it.
  const news = (text: string): void => io.stderr(`${bar ? '\n' : ''}${text}\n`)
  return {
    // Nothing to mask: the command's channels are the caller's own, and nothing it writes carries the key.
    mask: () => undefined,
    info: line => {
      if (!flags.quiet) news(line)
    },
    debug: () => undefined,
    ...(flags.quiet || io.interactive ? {} : { writeLines: io.stderr }),
    onStart: planned => {
      if (io.interactive && !flags.quiet) bar = progressBar(planned.length, io.stderr)
    },
    onResult: result => bar?.update(result),
    publish: ({ report, writeReport }) => {
      bar?.end()
      if (flags.json) asText(writeReport, io.stdout)
      else io.stdout(humanSummary(report))
      if (flags.reportPath !== undefined) writeFileInBlocks(flags.reportPath, writeReport)
    },
    unexpected: message => news(`file-purge: unexpected error: ${message}`),
    fullList:
      flags.reportPath !== undefined
        ? `the report (${flags.reportPath})`
        : flags.json
          ? 'the JSON report on stdout'
          : 'the report (--report PATH or --json)'
  }
}

/**
 * What the command leaves when a second signal stops it at once: the report file as the run stands (when --report
 * was given), then one last line naming the IDs whose outcome is unknown. Synchronous: the process exits after it.
 */
function lastWords(
  signal: StopSignal,
  take: ((signal: string) => RunAsItStands) | undefined,
  reportPath: string | undefined,
  stderr: (text: string) => void
): void {
  const stands = take?.(signal)
  if (stands === undefined) {
    stderr(`\nfile-purge: stopped at once (${signal}) before any delete was sent\n`)
    return
  }
  let report = ''
  if (reportPath !== undefined) {
    try {
      writeFileInBlocks(reportPath, stands.writeReport)
      report = `; the report is in ${reportPath}`
    } catch (error) {
      report = `; the report could not be written: ${oneLine(errorMessage(error), 200)}`
    }
  }
  stderr(`\nfile-purge: stopped at once (${signal}); ${unknownIds(stands.unknown)}${report}\n`)
}

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']

/** The flags, or a usage error. */
function readFlags(argv: string[]): Flags {
  if (argv.some(arg => arg === '--api-key' || arg.startsWith('--api-key='))) {
    throw new Error(
      `--api-key is not accepted: put the key in the environment variable ${API_KEY_VARIABLE}, out of process lists and shell history`
    )
  }
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }).values
}

/** The command line: the same pipeline as the action, told to a terminal or to another CI's log. Returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let flags: Flags
  try {
    flags = readFlags(argv)
  } catch (error) {
    io.stderr(`file-purge: ${oneLine(errorMessage(error), 300)}\nRun file-purge --help for usage.\n`)
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
  const values: Partial<Record<InputName, string>> = {
    ...Object.fromEntries(VALUE_FLAGS.map(({ input }) => [input, text(input)])),
    [Input.ApiKey]: io.env[API_KEY_VARIABLE] ?? '',
    [Input.DryRun]: flags['dry-run'] ? 'true' : 'false',
    [Input.Bulk]: flags['no-bulk'] ? 'false' : 'true'
  }
  const shell = cliShell(io, { quiet: flags.quiet === true, json: flags.json === true, reportPath })
  let take: ((signal: string) => RunAsItStands) | undefined
  io.atSecondSignal?.(signal => lastWords(signal, take, reportPath, io.stderr))
  const report = await runPipeline(
    { getInput: name => values[name] ?? '', readFile: readIdsFile, workspace: io.cwd, env: io.env },
    shell,
    { eventName: 'cli', ...(io.signal ? { signal: io.signal } : {}), asItStands: taken => void (take = taken) }
  )
  if (io.signal?.aborted) return cancelledExitCode(io.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT')
  return report === undefined || report.verdict.failed ? ExitCode.Failure : ExitCode.Success
}
