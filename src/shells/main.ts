import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { upsertComment, type PullRequestComments } from './comment.js'
import { Input } from '../settings/constants.js'
import { readIdsFile } from '../settings/inputs.js'
import { runPipeline, unknownIds, type FinishedRun, type RunAsItStands, type Shell } from '../pipeline.js'
import { annotations, outputValues, summaryMarkdown, type RunReport } from '../report/report.js'
import { writeFileInBlocks } from '../report/file.js'
import { cancelOnSignals, type StopSignal } from './signals.js'
import * as core from './toolkit.js'
import { errorMessage } from '../text.js'

const JOB_TOKEN_AUTHOR = 'github-actions[bot]'

/**
 * The pull request's comments through the job's token, paginated. Octokit is loaded only here, when a comment is
 * to be posted: it is most of the bundle, and every other run would pay for loading it.
 */
async function pullRequestComments(
  token: string,
  repository: string,
  issueNumber: number
): Promise<PullRequestComments> {
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(token)
  const [owner = '', repo = ''] = repository.split('/')
  const where = { owner, repo, issue_number: issueNumber }
  return {
    list: () => octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }),
    create: async body => void (await octokit.rest.issues.createComment({ ...where, body })),
    update: async (id, body) => void (await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })),
    // A personal token can say who it is; the job's own token cannot, and comments as the Actions bot.
    author: async () => {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login
      } catch {
        return JOB_TOKEN_AUTHOR
      }
    }
  }
}

/** One comment on the pull request, created then updated; a failure to comment is a warning, not a failed purge. */
async function commentOnPullRequest(token: string, report: RunReport, scrub: (text: string) => string): Promise<void> {
  const issueNumber = report.context.pullRequest
  if (issueNumber === null) {
    core.info(`comment-on-pr: ${report.context.eventName || 'this'} event has no pull request; no comment`)
    return
  }
  try {
    const comments = await pullRequestComments(token, report.context.repository, issueNumber)
    const done = await upsertComment(comments, report)
    core.info(`comment-on-pr: ${done} the comment on pull request #${issueNumber}`)
  } catch (error) {
    const message = errorMessage(error)
    core.warning(`comment-on-pr: could not comment on pull request #${issueNumber}: ${scrub(message)}`)
  }
}

/** The runner's temporary directory, which it empties after the job. */
const runnerTemp = (): string => process.env.RUNNER_TEMP || os.tmpdir()

/** Writes the report file; its path, and the SHA-256 of what was written (output report-sha256). */
function writeReport(writeReportText: FinishedRun['writeReport']): { file: string; sha256: string } {
  const directory = mkdtempSync(path.join(runnerTemp(), 'file-purge-'))
  const file = path.join(directory, 'report.json')
  return { file, sha256: writeFileInBlocks(file, writeReportText) }
}

/** The job summary; a summary that cannot be written is a warning: the outputs and the report already tell. */
function writeSummary(markdown: string, scrub: (text: string) => string): void {
  try {
    if (!core.appendSummary(markdown)) core.debug('GITHUB_STEP_SUMMARY is not set; no job summary written')
  } catch (error) {
    core.warning(`could not write the job summary: ${scrub(errorMessage(error))}`)
  }
}

/** Tells the runner: annotations, the report file, outputs, the job summary, the comment and the verdict. */
async function publish({ report, settings, scrub, writeReport: writeReportText, crashed }: FinishedRun): Promise<void> {
  for (const violation of report.violations) core.error(violation, { title: 'file-purge policy violation' })
  let written = { file: '', sha256: '' }
  try {
    written = writeReport(writeReportText)
  } catch (error) {
    // The outputs still tell the workflow what happened; only the file is missing.
    core.warning(`could not write the report file: ${scrub(errorMessage(error))}`)
  }
  const { values, warnings } = outputValues(report, written.file, written.sha256)
  for (const [name, value] of Object.entries(values)) core.setOutput(name, value)
  for (const warning of warnings) core.warning(warning)
  writeSummary(summaryMarkdown(report, written.sha256), scrub)
  if (settings.commentOnPr && settings.githubToken !== '')
    await commentOnPullRequest(settings.githubToken, report, scrub)

  if (report.violations.length > 0) {
    // One annotation per violation is already there; the roll-up goes to the log only.
    core.info(`file-purge: ${report.verdict.message}`)
    process.exitCode = 1
    return
  }
  for (const annotation of annotations(report, report.failOn, report.verdict.failed)) {
    if (annotation.level === 'error') core.error(annotation.message)
    else core.warning(annotation.message)
  }
  // A run an unexpected error ended fails with that error's annotation, which comes next.
  if (crashed) return
  if (report.verdict.failed) core.setFailed(`file-purge: ${report.verdict.message}`)
  else core.info(`file-purge: ${report.verdict.message}`)
}

/** The action's shell: workflow commands on stdout, and the runner's files. */
const actionShell: Shell = {
  mask: secret => core.setSecret(secret),
  info: line => core.info(line),
  warn: line => core.warning(line),
  debug: message => core.debug(message),
  writeLines: text => process.stdout.write(text),
  publish,
  unexpected: message => core.setFailed(`file-purge: unexpected error: ${message}`),
  fullList: 'the report file (output report-file)'
}

/**
 * Input variables spelled with underscores where the input's name has hyphens (INPUT_FILE_IDS for file-ids): the
 * runner keeps the hyphens (INPUT_FILE-IDS), so such a variable, set by hand in `env:` or a script, is never read.
 * The runner sets every declared input, to its default when not given, so the hyphenated twin is there anyway; the
 * underscored one is worth a hint unless it says the same.
 */
export function misnamedInputs(env: NodeJS.ProcessEnv): Array<{ variable: string; expected: string; input: string }> {
  return Object.values(Input)
    .filter(input => input.includes('-'))
    .map(input => ({
      input,
      variable: core.inputVariable(input).replace(/-/g, '_'),
      expected: core.inputVariable(input)
    }))
    .filter(({ variable, expected }) => env[variable] !== undefined && env[variable] !== env[expected])
}

/**
 * What a second signal leaves before the step ends at once: the report file, the outputs and one error naming the
 * IDs whose outcome is unknown, from the run as it stands. Synchronous: the process exits after it.
 */
function lastWords(signal: StopSignal, take: ((signal: string) => RunAsItStands) | undefined): void {
  const stands = take?.(signal)
  if (stands === undefined) return core.info(`file-purge: stopped at once (${signal}) before any delete was sent`)
  let written = { file: '', sha256: '' }
  try {
    written = writeReport(stands.writeReport)
  } catch (error) {
    core.warning(`could not write the report file: ${errorMessage(error)}`)
  }
  try {
    const { values } = outputValues(stands.report, written.file, written.sha256)
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value)
  } finally {
    core.error(`file-purge: stopped at once (${signal}); ${unknownIds(stands.unknown)}`)
  }
}

/**
 * The action: inputs → settings → plan → results → report and verdict, told to the runner. A cancelled job (SIGINT,
 * then SIGTERM) still writes its outputs, report and summary, and fails the step.
 */
export async function run(): Promise<void> {
  const cancellation = cancelOnSignals(
    line => core.info(line),
    () => 1
  )
  let take: ((signal: string) => RunAsItStands) | undefined
  cancellation.atSecondSignal(signal => lastWords(signal, take))
  for (const { variable, expected, input } of misnamedInputs(process.env)) {
    core.warning(
      `${variable} is set but never read: the runner passes the input ${input} as ${expected}, with its hyphens; set that variable instead, or pass ${input} under with:`
    )
  }
  try {
    await runPipeline(
      {
        getInput: name => core.getInput(name),
        readFile: readIdsFile,
        workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
        env: process.env
      },
      actionShell,
      { signal: cancellation.signal, tempDir: runnerTemp(), asItStands: taken => void (take = taken) }
    )
  } finally {
    cancellation.dispose()
  }
}
