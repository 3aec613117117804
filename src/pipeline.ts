import os from 'node:os'
import { Input, MAX_LOGGED_ID_LINES, MAX_NAMED_UNKNOWN_IDS } from './settings/constants.js'
import { readRunContext } from './settings/context.js'
import { cancellation } from './transport/abort.js'
import { purge, type PurgeResult } from './engine/purge.js'
import type { IdResult } from './engine/outcome.js'
import { OUTCOME_UNKNOWN } from './engine/outcome.js'
import { Pacer } from './engine/pacing.js'
import type { Transport } from './transport/http.js'
import { idHint } from './settings/ids.js'
import { readSettings, type AppliedPlan, type InputSources, type Settings } from './settings/inputs.js'
import type { PolicyViolation } from './settings/violation.js'
import { LineLog } from './report/log.js'
import { preflight, runPlan, type RunPlan } from './selection/policy.js'
import { verdict, type Verdict } from './report/verdict.js'
import { runSelection, type Review, type SelectionOutcome } from './selection/stage.js'
import { asksToSelect } from './settings/selection-request.js'
import { bindProvider, secretForms } from './providers/index.js'
import { proxyFor, proxySecrets, type ProxySetting } from './transport/proxy.js'
import {
  buildReport,
  cdnNotice,
  logLine,
  nothingDone,
  reportFields,
  type CdnFailure,
  type CdnReport,
  type PlanReport,
  type RunReport
} from './report/report.js'
import { CdnRun, cdnVerdict } from './cdn/run.js'
import { deleteAndPurge } from './cdn/flow.js'
import type { CdnSession } from './cdn/stage.js'
import { EntrySpool } from './report/file.js'
import { Tally, type About } from './report/tally.js'
import { count, displayUrl, jsonText, logSafe, oneLine, quote, scrub, scrubCut, secretVariants } from './text.js'

/** A finished run, as a shell tells it: the report, the settings it ran with, and the scrubber for its secrets. */
export interface FinishedRun {
  report: RunReport
  settings: Pick<Settings, 'commentOnPr' | 'githubToken'>
  /** Replaces every secret form of this run with ***. */
  scrub: (text: string) => string
  /** Writes the report file (JSON, UTF-8) in blocks, each valid during the call; throws when its entries could not be kept. */
  writeReport: (write: (chunk: Uint8Array) => void) => void
  /**
   * An unexpected error ended the run: the report holds what was settled before it, and `unexpected` tells the error
   * right after, so the verdict need not be told twice.
   */
  crashed?: boolean
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
  /** Something the user most likely did not mean, that the run goes on with (an annotation on a runner); default info. */
  warn?(line: string): void
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
  /** Where the full list of IDs is, for the line that counts the per-ID lines left out; default "the report". */
  fullList?: string
}

/**
 * A run as it stands at one moment, for a process that must end at once (a second stop signal): the report with every
 * settled ID, and every ID still open failed, those sent with no answer yet as of unknown outcome.
 */
export interface RunAsItStands {
  report: RunReport
  /** Writes the report file, as FinishedRun's does. */
  writeReport: FinishedRun['writeReport']
  /** IDs a request named that got no answer: they may have been deleted. */
  unknown: readonly string[]
}

export interface PipelineOptions {
  /** The event named in the report instead of the runner's (the command says "cli"). */
  eventName?: string
  /** Cancels the run (SIGINT, SIGTERM): what is settled is reported, the rest fails as cancelled. */
  signal?: AbortSignal
  /** Where the report's entries are kept until it is written; default the system's temporary directory. */
  tempDir?: string
  /**
   * Called with a function that takes the run as it stands, synchronously, once requests may go out; with undefined
   * once the run is over. Taking it settles every open ID, so it is only for a process about to end.
   */
  asItStands?: (take: ((signal: string) => RunAsItStands) | undefined) => void
}

/**
 * Inputs → settings → plan → results → report and verdict, with no knowledge of where the inputs came from or
 * where the outcome goes. Returns the report, or undefined when an unexpected error ended the run; the shell is
 * then still given a report of what was settled before it (outputs and report file included), unless telling the
 * outcome is what failed.
 *
 * Everything the shell is told passes through here, cleaned: every line (`info`, `debug`, `unexpected`, the line
 * log) scrubbed of the run's secrets and made one safe line (`logSafe`), and the report's violations and verdict too.
 */
export async function runPipeline(
  sources: InputSources,
  rawShell: Shell,
  options: PipelineOptions = {}
): Promise<RunReport | undefined> {
  let secrets: readonly string[] = []
  const scrubSecrets = (text: string): string => scrub(text, secrets)
  const shell = cleanedShell(rawShell, scrubSecrets)
  const log = new LineLog(text => shell.writeLines?.(text), undefined, undefined, scrubSecrets)
  const spool = new EntrySpool(options.tempDir ?? os.tmpdir())
  const progressed: Progressed = { startedAt: new Date() }
  let publishing = false
  try {
    secrets = maskSecrets(sources, shell)
    const { report, settings } = await runStages(sources, shell, { log, spool, secrets, progressed }, options)
    log.flush()
    const writeReport = (write: (chunk: Uint8Array) => void): void => spool.render(reportFields(report), write)
    publishing = true
    await shell.publish({ report, settings, scrub: scrubSecrets, writeReport })
    return report
  } catch (error) {
    log.flush()
    const message = scrubSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))
    if (!publishing) await publishCrash(sources, shell, { spool, progressed, scrub: scrubSecrets }, message, options)
    shell.unexpected(message)
    return undefined
  } finally {
    options.asItStands?.(undefined)
    spool.remove()
  }
}

/** A shell every line to which is cleaned; its warnings go to the shell's info where it has no warn of its own. */
type Cleaned = Shell & Required<Pick<Shell, 'warn'>>

/** The shell as the pipeline tells it: every line scrubbed of the run's secrets and made one safe line. */
function cleanedShell(shell: Shell, scrubSecrets: (text: string) => string): Cleaned {
  const clean = (text: string): string => logSafe(scrubSecrets(text))
  return {
    ...shell,
    info: line => shell.info(clean(line)),
    warn: line => (shell.warn ?? shell.info)(clean(line)),
    debug: message => shell.debug(clean(message)),
    unexpected: message => shell.unexpected(clean(message))
  }
}

/** How far a run got: what the report of a run an unexpected error ended can still tell. */
interface Progressed {
  startedAt: Date
  context?: RunReport['context']
  settings?: Settings
  /** The planned IDs and what became of those settled. */
  tally?: Tally
  selection?: SelectionOutcome
  /** With purge-cdn: it holds report entries until their purge is settled. */
  cdn?: CdnRun
}

/**
 * After an unexpected error: the outputs, the report file and the summary still tell what was settled before it
 * (an ID deleted is listed as deleted), with a failed verdict naming the error. A failure here changes nothing.
 */
async function publishCrash(
  sources: InputSources,
  shell: Shell,
  {
    spool,
    progressed,
    scrub: scrubSecrets
  }: { spool: EntrySpool; progressed: Progressed; scrub: (t: string) => string },
  message: string,
  options: PipelineOptions
): Promise<void> {
  try {
    const { settings, tally, selection } = progressed
    progressed.cdn?.release()
    const eventName = options.eventName === undefined ? {} : { eventName: options.eventName }
    const report = buildReport({
      provider: settings?.provider?.name ?? null,
      baseUrl: settings?.baseUrl ?? null,
      dryRun: settings?.dryRun ?? false,
      failOn: settings?.failOn ?? { failed: true, missing: false },
      proxy: null,
      shard: null,
      startedAt: progressed.startedAt,
      endedAt: new Date(),
      context: progressed.context ?? readRunContext(sources.env, eventName),
      verdict: { failed: true, message: `unexpected error: ${oneLine(message.split('\n')[0] ?? '', 300)}` },
      violations: [],
      tally: tally ?? new Tally([], aboutGiven, () => undefined),
      requests: 0,
      rateLimitedAnswers: 0,
      selection: selection?.report ?? null,
      ...(selection ? { selected: selection.selectedIds } : {})
    })
    const writeReport = (write: (chunk: Uint8Array) => void): void => spool.render(reportFields(report), write)
    const told = { commentOnPr: false, githubToken: '' }
    await shell.publish({ report, settings: told, scrub: scrubSecrets, writeReport, crashed: true })
  } catch {
    // The error itself is told next; nothing more can be said.
  }
}

/**
 * Masks the key, every form of it the provider puts on the wire, the job token and the credentials of any proxy
 * variable, each in every form it may come back in (secretVariants: JSON-escaped, percent-encoded). Returns them all.
 */
function maskSecrets(sources: InputSources, shell: Shell): string[] {
  const key = sources.getInput(Input.ApiKey)
  const token = sources.getInput(Input.GithubToken).trim()
  const secrets = [
    ...secretForms(key, sources.getInput(Input.Provider)),
    ...(token === '' ? [] : [token]),
    ...proxySecrets(sources.env)
  ]
  const forms = [...new Set(secrets.flatMap(secretVariants))]
  for (const form of forms) shell.mask(form)
  return forms
}

async function runStages(
  sources: InputSources,
  shell: Cleaned,
  {
    log,
    spool,
    secrets,
    progressed
  }: { log: LineLog; spool: EntrySpool; secrets: readonly string[]; progressed: Progressed },
  options: PipelineOptions
): Promise<{ report: RunReport; settings: Settings }> {
  const { startedAt } = progressed
  const context = readRunContext(sources.env, options.eventName === undefined ? {} : { eventName: options.eventName })
  progressed.context = context
  const { settings, violations: inputViolations } = readSettings(sources)
  warnOfLikelyMistakes(settings.ids, shell)
  progressed.settings = settings
  const proxy = settings.baseUrl === undefined ? { proxy: undefined } : proxyFor(settings.baseUrl, sources.env)
  const violations = preflight(
    settings,
    [...inputViolations, ...('problem' in proxy ? [proxy.problem] : [])],
    startedAt
  )
  const through = 'proxy' in proxy ? proxy.proxy : undefined
  const plan = runPlan(settings, violations)
  if (plan?.plan) tellPlan(plan.plan, shell)
  const reportOf = reporter({ settings, plan, through, startedAt, context, violations, secrets })
  const lines = new CappedLines(
    MAX_LOGGED_ID_LINES,
    shell.writeLines ? line => log.line(line) : line => shell.info(line)
  )
  const run: Run = {
    plan,
    proxy: through,
    secrets,
    signal: options.signal,
    startedAt,
    shell,
    log,
    spool,
    lines,
    reportOf,
    asItStands: options.asItStands,
    progressed
  }
  const stagesOutcome =
    plan === undefined ? refused(violations) : await withSession(run, plan, sessions => stages(run, plan, sessions))
  tellLeftOut(lines, log, shell)
  return { report: reportOf(stagesOutcome), settings }
}

/** The plan a run applies, and a warning when nothing shows it is the one reviewed. */
function tellPlan({ file, verified }: AppliedPlan, shell: Cleaned): void {
  shell.info(
    `applying the plan ${jsonText(file.file)} (sha256 ${file.sha256}, ended ${file.endedAt}): ${count(file.given.length + file.chosen.length, 'planned ID')}`
  )
  if (!verified)
    shell.warn(
      `plan-file is applied without plan-sha256: nothing shows that ${jsonText(file.file)} is the plan that was reviewed`
    )
}

/** One line for the per-ID lines past the cap, pointing to where every ID is listed. */
function tellLeftOut(lines: CappedLines, log: LineLog, shell: Shell): void {
  if (lines.left === 0) return
  log.flush()
  shell.info(
    `… and ${count(lines.left, 'more line')} like these not shown (at most ${MAX_LOGGED_ID_LINES} are): ${shell.fullList ?? 'the report'} lists every ID`
  )
}

/** What is fixed before the stages run, from which their outcome makes the report. */
interface Fixed {
  settings: Settings
  plan: RunPlan | undefined
  through: ProxySetting | undefined
  startedAt: Date
  context: RunReport['context']
  violations: readonly PolicyViolation[]
  secrets: readonly string[]
}

/** The run's report from what the stages came to. */
function reporter({ settings, plan, through, startedAt, context, violations, secrets }: Fixed) {
  return ({ outcome, result, selection, tally, cdn }: StagesOutcome): RunReport =>
    buildReport({
      provider: settings.provider?.name ?? null,
      baseUrl: settings.baseUrl ?? null,
      dryRun: settings.dryRun,
      failOn: settings.failOn,
      proxy: plan && through && (!plan.dryRun || selection) ? through.host : null,
      shard: plan?.shard ?? null,
      startedAt,
      endedAt: new Date(),
      context,
      verdict: { ...outcome, message: told(outcome.message, secrets) },
      violations: [...violations, ...(selection?.violations ?? [])].map(v => ({
        ...v,
        message: told(v.message, secrets, true)
      })),
      tally,
      requests: result.requests + (selection?.report.requests ?? 0),
      rateLimitedAnswers: result.rateLimitedAnswers,
      selection: selection?.report ?? null,
      ...(selection ? { selected: selection.selectedIds } : {}),
      ...(cdn ? { cdn } : {}),
      customerId: settings.customerId || null,
      plan: settings.plan ? planReport(settings.plan, tally.planned.length, selection?.review) : null
    })
}

/** What the report says of the plan a run applied: the plan, and what became of its IDs. */
function planReport({ file }: AppliedPlan, applied: number, review: Review | undefined): PlanReport {
  return {
    file: file.file,
    sha256: file.sha256,
    endedAt: file.endedAt,
    planned: file.given.length + file.chosen.length,
    applied,
    noLongerSelected: review?.noLongerSelected ?? [],
    notInPlan: review?.notInPlan ?? []
  }
}

/** A warning for each given ID that looks like a mistake (idHint), the first few named and the rest counted. */
function warnOfLikelyMistakes(ids: readonly string[], shell: Cleaned): void {
  const hinted = ids.flatMap(id => {
    const hint = idHint(id)
    return hint === undefined ? [] : [`ID ${quote(id)} ${hint}; it is sent as given`]
  })
  for (const line of hinted.slice(0, MAX_HINTED_IDS)) shell.warn(line)
  if (hinted.length > MAX_HINTED_IDS) shell.warn(`${hinted.length - MAX_HINTED_IDS} more IDs like these`)
}

/** Given IDs that look like a mistake, warned of one by one at most. */
const MAX_HINTED_IDS = 5

/** What the stages share: the plan (if preflight passed), the proxy, the secrets, and where to tell progress. */
interface Run {
  plan: RunPlan | undefined
  proxy: ProxySetting | undefined
  secrets: readonly string[]
  signal: AbortSignal | undefined
  startedAt: Date
  shell: Shell
  log: LineLog
  spool: EntrySpool
  /** The dry run's per-ID lines, up to a cap. */
  lines: CappedLines
  reportOf: (outcome: StagesOutcome) => RunReport
  asItStands: PipelineOptions['asItStands']
  progressed: Progressed
}

/** Lines up to a cap, then only counted. */
class CappedLines {
  /** Lines past the cap, not written. */
  left = 0
  private written = 0

  constructor(
    private readonly cap: number,
    private readonly write: (line: string) => void
  ) {}

  line(text: string): void {
    if (this.written >= this.cap) this.left++
    else {
      this.written++
      this.write(text)
    }
  }
}

/** The transport and pacer of one run: the listing and the deletes share the connections and the provider's budget. */
interface Session {
  transport: Transport
  pacer: Pacer
}

interface StagesOutcome {
  outcome: Verdict
  result: PurgeResult
  /** The planned IDs and what became of them. */
  tally: Tally
  selection?: SelectionOutcome
  /** With purge-cdn: what the purges did, and the deleted files whose cache was not purged. */
  cdn?: { report: CdnReport; failed: CdnFailure[] }
}

/** A run policy refused: before anything was sent, or (`listed`) after the listing but before any delete. */
function refused(violations: readonly PolicyViolation[], listed = false): StagesOutcome {
  return {
    outcome: { failed: true, message: `${count(violations.length, 'policy violation')}; ${nothingDone(listed)}` },
    result: NOTHING_SENT,
    tally: new Tally([], aboutGiven, () => undefined)
  }
}

const aboutGiven = (): About => ({ source: 'input', name: null, createdAt: null })

/** What the report says of each ID besides its result: selected or given, and what the listing showed of it. */
function aboutFrom(selection: SelectionOutcome | undefined): (id: string) => About {
  if (selection === undefined) return aboutGiven
  return id => {
    const seen = selection.listed.get(id)
    const source = selection.selectedNotGiven.has(id) ? 'selected' : 'input'
    return { source, name: seen?.name ?? null, createdAt: seen?.createdAt ?? null }
  }
}

/**
 * Opens the run's session when a stage first needs one: a dry run that selects nothing loads no HTTP client at all,
 * which is most of what a short run would otherwise spend starting.
 */
async function withSession<T>(
  run: Run,
  plan: RunPlan,
  work: (sessions: () => Promise<Session>) => Promise<T>
): Promise<T> {
  let opened: Promise<Session> | undefined
  const open = async (): Promise<Session> => {
    const { createTransport } = await import('./transport/http.js')
    const transport = await createTransport({ maxSockets: plan.concurrency, proxy: run.proxy })
    return { transport, pacer: new Pacer(plan.concurrency, plan.maxRate) }
  }
  try {
    return await work(() => (opened ??= open()))
  } finally {
    if (opened) (await opened).transport.close()
  }
}

/**
 * Violations and the verdict name values the action did not write: scrubbed (a violation also where it cut a value
 * right after the start of a secret) and one safe line, for every channel they reach.
 */
function told(text: string, secrets: readonly string[], cut = false): string {
  return logSafe(cut ? scrubCut(text, secrets) : scrub(text, secrets))
}

/** Select (when asked), then plan, then delete or, in a dry run, show what would be deleted. */
async function stages(run: Run, initial: RunPlan, sessions: () => Promise<Session>): Promise<StagesOutcome> {
  let plan = initial
  let selection: SelectionOutcome | undefined
  // One line per planned, selected or spared ID, up to the cap: batched by the line log where the shell writes lines.
  const itemLine = (line: string): void => run.lines.line(line)
  const tallyOf = (planned: readonly string[]): Tally =>
    (run.progressed.tally = new Tally(planned, aboutFrom(selection), entry =>
      run.progressed.cdn ? run.progressed.cdn.hold(entry) : run.spool.add(entry)
    ))
  if (asksToSelect(plan.selectionRequest) && plan.provider.list) {
    selection = await runSelection({
      plan,
      list: plan.provider.list,
      ...(await sessions()),
      secrets: run.secrets,
      signal: run.signal,
      startedAt: run.startedAt,
      info: line => run.shell.info(line),
      itemLine,
      ...(plan.plan ? { reviewed: plan.plan.file.chosen } : {})
    })
    run.log.flush()
    run.progressed.selection = selection
    if (selection.failure) {
      return { ...listingFailed(plan, selection.failure, tallyOf(plan.planned)), selection }
    }
    if (selection.violations.length > 0) return { ...refused(selection.violations, true), selection }
    plan = { ...plan, ids: selection.ids, planned: selection.planned }
  }
  const cdn = (run.progressed.cdn = CdnRun.open(plan, selection, run.startedAt.getTime(), e => run.spool.add(e)))
  const tally = tallyOf(plan.planned)
  const none = plan.plan ? 'no planned file is still selected' : 'nothing matched the selection'
  const nothing = selection !== undefined && plan.planned.length === 0 ? `${none}; ` : ''
  if (plan.dryRun) return dryRun(run, plan, { tally, nothing, itemLine, selection, cdn })
  const unanswered = new Unanswered()
  run.asItStands?.(signal => standing(run, plan, { tally, unanswered, signal, ...(selection ? { selection } : {}) }))
  const session = await sessions()
  const execution = { plan, session, proxy: run.proxy, secrets: run.secrets, signal: run.signal, tally, unanswered }
  const { result, cdn: purged } = cdn
    ? await deleteAndPurge(cdnFlow(cdn, execution, run))
    : { result: await execute(execution, run.shell, run.log), cdn: undefined }
  const notice = cdn ? undefined : cdnNotice(plan.provider.name, false, tally.counts.deleted)
  if (notice !== undefined) run.shell.info(notice)
  const outcome = cdnVerdict(verdict(result, tally, plan.failOn), purged?.failed ?? [], plan.failOn)
  const message = nothing && !outcome.failed ? `${nothing}${outcome.message}` : outcome.message
  return {
    outcome: { ...outcome, message },
    result,
    tally,
    ...(selection ? { selection } : {}),
    ...(purged ? { cdn: purged } : {})
  }
}

/** A dry run: every planned ID shown and recorded as planned, with the purges purge-cdn would send; nothing sent. */
function dryRun(
  run: Run,
  plan: RunPlan,
  {
    tally,
    nothing,
    itemLine,
    selection,
    cdn
  }: { tally: Tally; nothing: string; itemLine: (line: string) => void; selection?: SelectionOutcome; cdn?: CdnRun }
): StagesOutcome {
  run.shell.info(`dry run: nothing was deleted; ${count(plan.planned.length, 'ID')} would be sent to ${where(plan)}`)
  // A dry run showed every selected file already (given ones too), with what the listing said of it.
  const shown = new Set(selection?.selectedIds ?? [])
  for (const id of plan.planned) if (!shown.has(id)) itemLine(`planned ${jsonText(id)}`)
  tally.recordPlanned()
  if (cdn) {
    const unknown = cdn.unknown(plan.planned).length
    const purges = cdn.plan(plan.planned).targets.length
    const listed = unknown < plan.planned.length ? [`${count(purges, 'purge')} for the files the listing showed`] : []
    const given = count(unknown, 'given file')
    const asked = unknown > 0 ? [`a request for where each of ${given} is served (file details), then its purge`] : []
    run.shell.info(`dry run: purge-cdn would send ${[...listed, ...asked].join(', and ') || 'no purge'}`)
    for (const line of cdn.lines()) itemLine(line)
    cdn.release()
  }
  const message = `dry run: nothing was deleted; ${nothing}${count(plan.planned.length, 'ID')} planned`
  return {
    outcome: { failed: false, message },
    result: NOTHING_SENT,
    tally,
    ...(selection ? { selection } : {}),
    ...(cdn ? { cdn: { report: cdn.report(plan.planned), failed: [] } } : {})
  }
}

/** What purge-cdn's flow needs of the run: the engine's options, and where results and lines go. */
function cdnFlow(cdn: CdnRun, execution: Execution, run: Run): Parameters<typeof deleteAndPurge>[0] {
  const { plan, tally } = execution
  const { cdn: provider } = plan.provider
  const session: CdnSession = {
    ...sendOptions(execution, run.shell, run.log),
    cdn: provider as NonNullable<typeof provider>,
    context: { baseUrl: plan.baseUrl, apiKey: plan.apiKey, customerId: plan.customerId },
    classify: (answer, now, key) => plan.provider.classify(answer, now, key)
  }
  const write = (line: string): void => (run.shell.writeLines ? run.log.line(line) : run.shell.info(line))
  return {
    plan,
    cdn,
    session,
    tally,
    settle: (index, result) => {
      tally.record(index, result)
      if (run.shell.writeLines) run.log.line(logLine(result))
      run.shell.onResult?.(result)
    },
    deletes: indexes => execute({ ...execution, indexes }, run.shell, run.log),
    signal: run.signal,
    // Per-ID lines wait in the line log: what comes after them in time goes after them in the log.
    info: line => {
      run.log.flush()
      run.shell.info(line)
    },
    warn: line => {
      run.log.flush()
      ;(run.shell.warn ?? run.shell.info)(line)
    },
    line: write
  }
}

/** The IDs requests named that have no result yet, with their attempts so far; and the requests sent. */
class Unanswered {
  requests = 0
  private readonly open = new Map<number, { attempts: number; since: number }>()

  sent(indexes: readonly number[]): void {
    this.requests++
    const now = Date.now()
    for (const index of indexes) {
      const known = this.open.get(index)
      if (known) known.attempts++
      else this.open.set(index, { attempts: 1, since: now })
    }
  }

  settled(index: number): void {
    this.open.delete(index)
  }

  get(index: number): { attempts: number; since: number } | undefined {
    return this.open.get(index)
  }
}

/**
 * The run as it stands when a second signal stops the process at once: every open ID fails, those a request named
 * (in flight once the first signal stopped the rest) as of unknown outcome, and the report says what was settled.
 */
function standing(
  run: Run,
  plan: RunPlan,
  {
    tally,
    unanswered,
    signal,
    selection
  }: { tally: Tally; unanswered: Unanswered; signal: string; selection?: SelectionOutcome }
): RunAsItStands {
  run.log.flush()
  const unknown: string[] = []
  const now = Date.now()
  for (const index of tally.open()) {
    const id = plan.planned[index] as string
    const sent = unanswered.get(index)
    if (sent) unknown.push(id)
    tally.record(index, {
      id,
      outcome: 'failed',
      httpStatus: null,
      reason: sent ? `stopped at once before an answer came; ${OUTCOME_UNKNOWN}` : `not attempted: stopped at once`,
      attempts: sent?.attempts ?? 0,
      ms: sent ? now - sent.since : 0
    })
  }
  run.progressed.cdn?.release()
  const halted = `${run.signal?.aborted ? `${cancellation(run.signal)}, then ` : ''}stopped at once (${signal})`
  const result: PurgeResult = { ...NOTHING_SENT, halted, requests: unanswered.requests }
  const outcome = verdict(result, tally, plan.failOn)
  const report = run.reportOf({ outcome, result, tally, ...(selection ? { selection } : {}) })
  return { report, writeReport: write => run.spool.render(reportFields(report), write), unknown }
}

/** The IDs of unknown outcome as a stopped run's last line names them: the first few, then a count. */
export function unknownIds(unknown: readonly string[]): string {
  if (unknown.length === 0) return 'no request was waiting for its answer'
  const named = unknown.slice(0, MAX_NAMED_UNKNOWN_IDS).map(jsonText)
  const more = unknown.length > named.length ? ` and ${unknown.length - named.length} more` : ''
  return `outcome unknown (sent, no answer yet; it may have been deleted) for ${count(unknown.length, 'ID')}: ${named.join(', ')}${more}`
}

/** A listing that did not finish deletes nothing: the given IDs are not attempted, and the step fails. */
function listingFailed(plan: RunPlan, failure: NonNullable<SelectionOutcome['failure']>, tally: Tally): StagesOutcome {
  const reason = `not attempted: the listing failed: ${failure.reason}`
  plan.planned.forEach((id, index) =>
    tally.record(index, { id, outcome: 'failed', httpStatus: null, reason, attempts: 0, ms: 0 })
  )
  const halted = failure.credentialsRejected ? null : (failure.halted ?? `the listing failed: ${failure.reason}`)
  const result: PurgeResult = { ...NOTHING_SENT, credentialsRejected: failure.credentialsRejected, halted }
  const outcome = verdict(result, tally, plan.failOn)
  return { outcome: { ...outcome, message: `${outcome.message}; nothing was deleted` }, result, tally }
}

const NOTHING_SENT: PurgeResult = {
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
  session: Session
  proxy: ProxySetting | undefined
  secrets: readonly string[]
  signal: AbortSignal | undefined
  tally: Tally
  unanswered: Unanswered
  /** The positions of the planned IDs to delete; all of them when not given. */
  indexes?: readonly number[]
}

/** How the run's requests go out, the deletes' and purge-cdn's alike: one transport, one pacer, the same rules. */
function sendOptions({ plan, session, secrets, signal }: Execution, shell: Shell, log: LineLog) {
  const flushed =
    <T extends unknown[]>(write: (...args: T) => void) =>
    (...args: T) => {
      log.flush()
      write(...args)
    }
  return {
    transport: session.transport,
    pacer: session.pacer,
    concurrency: plan.concurrency,
    maxRetries: plan.maxRetries,
    timeoutMs: plan.timeoutSeconds * 1000,
    secrets,
    ...(signal ? { signal } : {}),
    onDebug: flushed((message: string) => shell.debug(message)),
    onPause: flushed((waitMs: number, limit: number) =>
      shell.info(
        `rate limited (HTTP 429): all requests paused for ${(waitMs / 1000).toFixed(1)} s, then at most ${limit} in flight`
      )
    )
  }
}

/** Sends the planned deletes through a keep-alive transport that holds at most `concurrency` sockets (or tunnels). */
async function execute(execution: Execution, shell: Shell, log: LineLog): Promise<PurgeResult> {
  const { plan, proxy, tally, unanswered } = execution
  // The deletes of a subset of the planned IDs are numbered within it; the tally knows them by planned position.
  const positions = execution.indexes
  const ids = positions ? positions.map(index => plan.planned[index] as string) : plan.planned
  const position = (index: number): number => (positions ? (positions[index] as number) : index)
  const bulk = plan.bulk && plan.provider.bulk ? ', bulk' : ''
  const rate = plan.maxRate === undefined ? '' : `, at most ${plan.maxRate} requests a minute`
  const limits = `concurrency ${plan.concurrency}, max-retries ${plan.maxRetries}, timeout ${plan.timeoutSeconds} s${bulk}${rate}`
  const via = proxy ? ` through proxy ${proxy.host} (${proxy.variable})` : ''
  shell.info(`deleting ${count(ids.length, 'ID')} from ${where(plan)}${via} (${limits})`)
  shell.onStart?.(ids)
  const context = { baseUrl: plan.baseUrl, apiKey: plan.apiKey, customerId: plan.customerId }
  return purge({
    ids,
    ...bindProvider(plan.provider, context, plan.bulk),
    ...sendOptions(execution, shell, log),
    onSend: indexes => unanswered.sent(indexes.map(position)),
    onResult: (result, index) => {
      unanswered.settled(position(index))
      tally.record(position(index), result)
      if (shell.writeLines) log.line(logLine(result))
      shell.onResult?.(result)
    }
  })
}
