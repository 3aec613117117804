import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { context, getOctokit } from '@actions/github'
import { upsertComment, type PullRequestComments } from './comment.js'
import { Input } from './constants.js'
import { readIdsFile } from './inputs.js'
import { runPipeline } from './pipeline.js'
import { LineLog } from './log.js'
import { secretForms } from './providers/index.js'
import { annotations, logLine, outputValues, summaryMarkdown, type Report, type RunContext } from './report.js'
import { scrub } from './text.js'

/** Masks the key and every form of it the provider puts on the wire, before anything else. Returns them all. */
function maskSecrets(): string[] {
  const forms = secretForms(core.getInput(Input.ApiKey, { trimWhitespace: false }), core.getInput(Input.Provider))
  for (const form of forms) core.setSecret(form)
  return forms
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
    pullRequest: typeof pullRequest === 'number' ? pullRequest : null,
    runUrl:
      repository !== '' && Number.isFinite(context.runId)
        ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}`
        : null
  }
}

const JOB_TOKEN_AUTHOR = 'github-actions[bot]'

/** The pull request's comments through the job's token, paginated. */
function pullRequestComments(token: string, issueNumber: number): PullRequestComments {
  const octokit = getOctokit(token)
  const where = { ...context.repo, issue_number: issueNumber }
  return {
    list: () => octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 }),
    create: async body => void (await octokit.rest.issues.createComment({ ...where, body })),
    update: async (id, body) =>
      void (await octokit.rest.issues.updateComment({ ...context.repo, comment_id: id, body })),
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
async function commentOnPullRequest(token: string, report: Report, secrets: string[]): Promise<void> {
  const issueNumber = report.context.pullRequest
  if (issueNumber === null) {
    core.info(`comment-on-pr: ${report.context.eventName || 'this'} event has no pull request; no comment`)
    return
  }
  try {
    const done = await upsertComment(pullRequestComments(token, issueNumber), report)
    core.info(`comment-on-pr: ${done} the comment on pull request #${issueNumber}`)
  } catch (error) {
    core.warning(
      `comment-on-pr: could not comment on pull request #${issueNumber}: ${scrub(error instanceof Error ? error.message : String(error), secrets)}`
    )
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

/** The action: inputs → settings → plan → results → report and verdict, told to the runner. */
export async function run(): Promise<void> {
  let secrets: string[] = []
  try {
    secrets = maskSecrets()
    const githubToken = core.getInput(Input.GithubToken)
    if (githubToken !== '') {
      core.setSecret(githubToken)
      secrets = [...secrets, githubToken]
    }
    const log = new LineLog(text => process.stdout.write(text))
    const { settings, ready, result, verdict, violations, report } = await runPipeline(
      {
        getInput: name => core.getInput(name, { trimWhitespace: false }),
        readFile: readIdsFile,
        workspace: process.env.GITHUB_WORKSPACE || process.cwd()
      },
      {
        context: runContext(),
        secrets,
        hooks: {
          info: line => {
            log.flush()
            core.info(line)
          },
          onResult: result => log.line(logLine(result)),
          onDebug: message => {
            log.flush()
            core.debug(message)
          }
        }
      }
    ).finally(() => log.flush())
    for (const violation of violations) core.error(violation.message, { title: 'file-purge policy violation' })

    let reportFile = ''
    try {
      reportFile = writeReport(report)
    } catch (error) {
      // The outputs still tell the workflow what happened; only the file is missing.
      core.warning(
        `could not write the report file: ${scrub(error instanceof Error ? error.message : String(error), secrets)}`
      )
    }
    const { values, warnings } = outputValues(report, reportFile)
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value)
    for (const warning of warnings) core.warning(warning)
    await writeSummary(summaryMarkdown(report))
    if (settings.commentOnPr && settings.githubToken !== '')
      await commentOnPullRequest(settings.githubToken, report, secrets)

    if (ready === undefined) {
      // One annotation per violation is already there; the roll-up goes to the log only.
      core.info(`file-purge: ${verdict.message}`)
      process.exitCode = 1
      return
    }
    for (const annotation of annotations(result.results, ready.failOn, verdict.failed)) {
      if (annotation.level === 'error') core.error(annotation.message)
      else core.warning(annotation.message)
    }
    if (verdict.failed) core.setFailed(`file-purge: ${verdict.message}`)
    else core.info(`file-purge: ${verdict.message}`)
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    core.setFailed(`file-purge: unexpected error: ${scrub(message, secrets)}`)
  }
}
