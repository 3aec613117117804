import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import {
  DEFAULT_PLAN_MAX_AGE,
  Input,
  MAX_RATE_RANGE,
  NumericInput,
  type InputName,
  type NumericInputName
} from '../settings/constants.js'
import type { IdResult } from '../engine/outcome.js'
import { readIdsFile } from '../settings/inputs.js'
import { runPipeline, unknownIds, type RunAsItStands, type Shell } from '../pipeline.js'
import { PROVIDER_CHOICES } from '../providers/index.js'
import type { StopSignal } from './signals.js'
import type { RunReport } from '../report/report.js'
import { asText, writeFileInBlocks } from '../report/file.js'
import { errorMessage, jsonText, oneLine } from '../text.js'

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
  /**
   * A list: every occurrence counts, joined with this separator into the one value the input reads (the input's own
   * separator: select-tags and select-status read commas only). Any other flag may be given once.
   */
  join?: '\n' | ','
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
    help: 'IDs separated by newlines, commas or spaces, or a JSON array of strings',
    join: '\n'
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
  {
    input: Input.FailOn,
    argument: 'LIST',
    help: 'failed, missing, cdn (comma-separated) or none',
    default: 'failed',
    join: '\n'
  },
  numericFlag(Input.MaxDeletions, 'the most unique IDs one run may delete'),
  { input: Input.ProtectedIds, argument: 'GLOBS', help: 'patterns (* and ?) no ID may match', join: '\n' },
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
    help: 'ImageKit: select files whose own tags hold any of these (comma-separated)',
    join: ','
  },
  {
    input: Input.SelectStatus,
    argument: 'WORDS',
    help: "select files with any of these statuses (the provider's words)",
    join: ','
  },
  { input: Input.OlderThan, argument: 'AGE', help: 'select files created more than AGE ago: 12h, 30d, 2w' },
  { input: Input.KeepNewest, argument: 'N', help: 'spare the N newest files that pass the other filters' },
  { input: Input.GraphId, argument: 'ID', help: 'Writer: select among the files of this graph' },
  {
    input: Input.WorkflowId,
    argument: 'ID',
    help: 'AnyFormat: select among the collections of this workflow (required there)'
  },
  {
    input: Input.PurgeCdn,
    argument: 'WHEN',
    help: 'ImageKit: purge the CDN cache of what was deleted: true, or wait (until ImageKit says it is done)',
    default: 'false'
  },
  {
    input: Input.ExcludeName,
    argument: 'GLOBS',
    help: 'spare selected files whose whole name matches any (comma-separated)',
    join: '\n'
  },
  {
    input: Input.ExcludePath,
    argument: 'FOLDERS',
    help: 'ImageKit: spare selected files in any of these folders (/a/, /a/**)',
    join: '\n'
  },
  {
    input: Input.ExcludeTags,
    argument: 'TAGS',
    help: 'ImageKit: spare selected files whose own tags hold any of these',
    join: ','
  },
  {
    input: Input.PlanFile,
    argument: 'PATH',
    help: "apply a reviewed plan: a dry run's --report file (relative to the current directory)"
  },
  { input: Input.PlanSha256, argument: 'HEX', help: 'the SHA-256 the plan file must have (the dry run printed it)' },
  {
    input: Input.PlanMaxAge,
    argument: 'AGE',
    help: 'refuse a plan whose dry run ended longer ago: 12h, 2d, 1w',
    default: DEFAULT_PLAN_MAX_AGE
  }
]

/** Flags of the command itself, and the switches that set a boolean input. */
const SWITCHES: ReadonlyArray<{ flag: string; short?: string; value?: string; help: string }> = [
  { flag: 'dry-run', help: 'validate and plan; delete nothing (no key needed unless selecting: that lists)' },
  { flag: 'no-bulk', help: 'one DELETE per file even where a bulk endpoint exists' },
  { flag: Input.SelectAttached, help: 'Writer: select files attached to a Knowledge Graph too (skipped by default)' },
  { flag: 'json', help: 'print the report as JSON on stdout' },
  { flag: 'report', value: 'PATH', help: 'also write the report as JSON to PATH' },
  { flag: 'quiet', short: 'q', help: 'no per-ID lines and no progress bar' },
  { flag: 'help', short: 'h', help: 'this text' }
]

// Every flag is read with all its occurrences: a list flag unites them, any other given twice is a usage error,
// never a silent last-one-wins (a second --protected-ids must not drop the first's patterns).
const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  ...Object.fromEntries(VALUE_FLAGS.map(flag => [flag.input, { type: 'string' as const, multiple: true }])),
  ...Object.fromEntries(
    SWITCHES.map(({ flag, short, value }) => [
      flag,
      {
        type: value === undefined ? ('boolean' as const) : ('string' as const),
        multiple: true,
        ...(short ? { short } : {})
      }
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
  'A list flag may be given more than once, and every occurrence counts:',
  `  ${VALUE_FLAGS.filter(flag => flag.join)
    .map(flag => `--${flag.input}`)
    .join(', ')}.`,
  'Any other flag given twice is a usage error (exit 2).',
  '',
  'With --report or --json, a run that passes ends with "report sha256 HEX" on stderr (unless --quiet).',
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

/** The flag (or, for the key, the variable) that sets each input the command has. */
const SOURCE_OF: ReadonlyMap<string, string> = new Map([
  ...VALUE_FLAGS.map(({ input }): [string, string] => [input, `--${input}`]),
  [Input.DryRun, '--dry-run'],
  [Input.SelectAttached, `--${Input.SelectAttached}`],
  [Input.ApiKey, API_KEY_VARIABLE]
])
const BY_LENGTH = [...SOURCE_OF.keys()].sort((a, b) => b.length - a.length)
/** A hyphenated input name as a word of its own; one-word names (provider, shard) are only read as a prefix. */
const INPUT_WORD = new RegExp(`(?<![\\w-])(${BY_LENGTH.filter(name => name.includes('-')).join('|')})(?![\\w-])`, 'g')

/**
 * A message of the pipeline's, in the command's words: the input it starts with, and any hyphenated input named in
 * it outside a quoted value, become the flag (or the key's variable). The pipeline says `file-ids: …` to the action's
 * users; the command's users typed `--file-ids`.
 */
export function inCommandWords(message: string): string {
  let text = message
  const input = BY_LENGTH.find(name => text.startsWith(`${name}:`) || text.startsWith(`${name} `))
  if (input === Input.ApiKey && text.startsWith(`${input}: is required`)) {
    text = `${API_KEY_VARIABLE} is not set: the key is ${text.slice(`${input}: is `.length)}`
  } else if (input !== undefined) {
    text = `${SOURCE_OF.get(input) as string}${text.slice(input.length)}`
  }
  // Quoted values (JSON strings) are what the user gave, and stay as given.
  return text
    .split(/("(?:[^"\\]|\\.)*")/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(INPUT_WORD, name => SOURCE_OF.get(name) ?? name)))
    .join('')
}

/** The verdict and the policy violations, in the command's words. */
function verdictLines(report: RunReport): string[] {
  return [
    `${report.verdict.failed ? 'FAILED' : 'OK'}: ${inCommandWords(report.verdict.message)}`,
    ...report.violations.map(violation => `policy violation: ${inCommandWords(violation)}`)
  ]
}

function humanSummary(report: RunReport): string {
  const { totals } = report
  const [verdict, ...violations] = verdictLines(report)
  const lines = [
    verdict,
    `planned ${totals.planned}, deleted ${totals.deleted}, missing ${totals.missing}, failed ${totals.failed}, requests ${totals.requests}`,
    ...violations
  ]
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
    warn: line => news(`warning: ${line}`),
    debug: () => undefined,
    ...(flags.quiet || io.interactive ? {} : { writeLines: io.stderr }),
    onStart: planned => {
      if (io.interactive && !flags.quiet) bar = progressBar(planned.length, io.stderr)
    },
    onResult: result => bar?.update(result),
    publish: ({ report, writeReport }) => {
      bar?.end()
      const hash = createHash('sha256')
      if (flags.json) {
        const hashed: typeof writeReport = write =>
          writeReport(chunk => {
            hash.update(chunk)
            write(chunk)
          })
        asText(hashed, io.stdout)
        // stdout holds the JSON only; a CI log still shows why the run failed.
        if (report.verdict.failed) io.stderr(`${verdictLines(report).join('\n')}\n`)
      } else io.stdout(humanSummary(report))
      const written = flags.reportPath === undefined ? undefined : writeFileInBlocks(flags.reportPath, writeReport)
      // The SHA-256 of the report (the same bytes go to both places), for checking it later; a failed run's is left
      // out, as its stderr tells the verdict instead, and --quiet leaves it out too.
      const sha256 = written ?? (flags.json ? hash.digest('hex') : undefined)
      if (sha256 !== undefined && !report.verdict.failed && !flags.quiet) io.stderr(`report sha256 ${sha256}\n`)
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
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true })
  const lists = new Set<string>(VALUE_FLAGS.filter(flag => flag.join).map(flag => flag.input))
  const switches = new Set(SWITCHES.filter(({ value }) => value === undefined).map(({ flag }) => flag))
  for (const [name, given] of Object.entries(values)) {
    const times = Array.isArray(given) ? given.length : 1
    if (times > 1 && !lists.has(name) && !switches.has(name)) {
      throw new Error(`--${name} given ${times === 2 ? 'twice' : `${times} times`}: it takes one value`)
    }
  }
  return values
}

/**
 * --file-ids given more than once: one text the input reads. Plain lists are joined with newlines; when any is a
 * JSON array, the IDs of all of them go into one array, so that an ID only JSON can carry (a comma in it) keeps its
 * meaning. A JSON occurrence that is no array of strings is passed alone, for the input's own violation to name it.
 */
function unitedIds(texts: readonly string[]): string {
  if (!texts.some(isJson)) return texts.join('\n')
  const ids: string[] = []
  for (const text of texts) {
    if (!isJson(text)) {
      ids.push(...text.split(/[\s,]+/).filter(id => id !== ''))
      continue
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return text
    }
    if (!Array.isArray(parsed) || parsed.some(item => typeof item !== 'string')) return text
    ids.push(...(parsed as string[]))
  }
  return JSON.stringify(ids)
}

const isJson = (text: string): boolean => text.trimStart().startsWith('[')

/** The command line: the same pipeline as the action, told to a terminal or to another CI's log. Returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr(HELP)
    return ExitCode.Usage
  }
  let flags: Flags
  try {
    flags = readFlags(argv)
  } catch (error) {
    io.stderr(`file-purge: ${oneLine(errorMessage(error), 300)}\nRun file-purge --help for usage.\n`)
    return ExitCode.Usage
  }
  const given = (name: string): string[] => {
    const value = flags[name]
    return Array.isArray(value) ? value.filter(item => typeof item === 'string') : []
  }
  const text = (name: string): string | undefined => {
    const values = given(name)
    if (values.length === 0) return undefined
    if (name === Input.FileIds) return unitedIds(values)
    return values.join(VALUE_FLAGS.find(flag => flag.input === name)?.join ?? '')
  }
  const on = (name: string): boolean => Array.isArray(flags[name]) && flags[name].length > 0
  if (on('help')) {
    io.stdout(HELP)
    return ExitCode.Success
  }
  // A report that cannot be written must be known before anything is deleted, not after.
  const reportPath = text('report') === undefined ? undefined : path.resolve(io.cwd, text('report') as string)
  const reportProblem = reportPath === undefined ? undefined : unwritable(reportPath)
  if (reportProblem !== undefined) {
    io.stderr(
      `file-purge: --report ${jsonText(reportPath ?? '')}: ${reportProblem}\nRun file-purge --help for usage.\n`
    )
    return ExitCode.Usage
  }
  const values: Partial<Record<InputName, string>> = {
    ...Object.fromEntries(VALUE_FLAGS.map(({ input }) => [input, text(input)])),
    [Input.ApiKey]: io.env[API_KEY_VARIABLE] ?? '',
    [Input.DryRun]: on('dry-run') ? 'true' : 'false',
    [Input.Bulk]: on('no-bulk') ? 'false' : 'true',
    [Input.SelectAttached]: on(Input.SelectAttached) ? 'true' : 'false'
  }
  const shell = cliShell(io, { quiet: on('quiet'), json: on('json'), reportPath })
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
