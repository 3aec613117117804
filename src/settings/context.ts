import { readFileSync } from 'node:fs'

/** The run's context for the audit trail: who ran the purge, from where, on what. */
export interface RunContext {
  repository: string
  workflow: string
  runId: number | null
  runAttempt: number | null
  actor: string
  eventName: string
  ref: string
  sha: string
  pullRequest: number | null
  /** The run's page, where the runner says. */
  runUrl: string | null
}

/**
 * Reads the context from the environment the runner sets (GITHUB_*, and the event payload at GITHUB_EVENT_PATH
 * for the pull request number), falling back to GitLab's and Jenkins's variables for the command line elsewhere.
 * `eventName` overrides the event (the command says "cli"). A missing or unreadable event file is no error.
 */
export function readRunContext(
  env: NodeJS.ProcessEnv,
  options: { eventName?: string; readFile?: (file: string) => string } = {}
): RunContext {
  const first = (...names: string[]): string =>
    names.map(name => env[name]).find(value => value !== undefined && value !== '') ?? ''
  const repository = first('GITHUB_REPOSITORY', 'CI_PROJECT_PATH', 'JOB_NAME')
  const runId = whole(first('GITHUB_RUN_ID', 'CI_PIPELINE_ID', 'BUILD_NUMBER'))
  const githubRun = env.GITHUB_REPOSITORY && runId !== null && env.GITHUB_RUN_ID
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return {
    repository,
    workflow: first('GITHUB_WORKFLOW', 'CI_JOB_NAME'),
    runId,
    runAttempt: whole(env.GITHUB_RUN_ATTEMPT ?? ''),
    actor: first('GITHUB_ACTOR', 'GITLAB_USER_LOGIN', 'USER'),
    eventName: options.eventName ?? env.GITHUB_EVENT_NAME ?? '',
    ref: first('GITHUB_REF', 'CI_COMMIT_REF_NAME', 'GIT_BRANCH'),
    sha: first('GITHUB_SHA', 'CI_COMMIT_SHA', 'GIT_COMMIT'),
    pullRequest: pullRequestNumber(env.GITHUB_EVENT_PATH, options.readFile ?? (file => readFileSync(file, 'utf8'))),
    runUrl: githubRun ? `${serverUrl}/${repository}/actions/runs/${runId}` : first('CI_JOB_URL', 'BUILD_URL') || null
  }
}

function whole(text: string): number | null {
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) > 0 ? Number(text) : null
}

/** The pull request's number from the event payload (pull_request and pull_request_target events). */
function pullRequestNumber(eventPath: string | undefined, readFile: (file: string) => string): number | null {
  if (!eventPath) return null
  try {
    const payload = JSON.parse(readFile(eventPath)) as { pull_request?: { number?: unknown } } | null
    const number = payload?.pull_request?.number
    return typeof number === 'number' && Number.isSafeInteger(number) ? number : null
  } catch {
    return null
  }
}
