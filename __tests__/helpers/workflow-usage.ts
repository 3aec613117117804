/**
 * Checks how workflows use this action, which neither GitHub's workflow parser nor actionlint can do for an action
 * they cannot fetch: every `with:` key is an input action.yml declares, every required input is given, the literal
 * values the action would refuse are flagged, and `steps.<id>.outputs.<name>` names a declared output.
 * Also turns README ```yaml snippets into whole workflows so the same checks (and the parser) apply to them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { isMap, isSeq, parse as parseYaml, parseDocument, stringify } from 'yaml'
import { PROVIDER_NAMES } from '../../src/providers/index.js'
import { REPO_ROOT } from '../harness/runner.js'

/** The Markdown files that show the action, relative to the repository: the README, then the guides in docs/. */
export const MARKDOWN_FILES: readonly string[] = [
  'README.md',
  ...readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter(name => name.endsWith('.md'))
    .sort()
    .map(name => `docs/${name}`)
]

/** The public input contract: the providers `provider` accepts, case-insensitive. */
export const PROVIDERS = PROVIDER_NAMES

/**
 * The inputs that turn on selection (docs/selection.md), and plan-file, which carries a plan's IDs and selection
 * (docs/guardrails.md): with one of them, no ID input is needed.
 */
const SELECTION_INPUTS = [
  'plan-file',
  'select-name',
  'select-path',
  'select-tags',
  'select-status',
  'older-than',
  'keep-newest',
  'graph-id',
  'workflow-id'
]

/** `uses:` values that run this action: the published one, or the repository itself in a self-test. */
export const ACTION_REF = /^(?:file-purge\/file-purge@[\w.\-/]+|\.\/?)$/

export interface InputSpec {
  description?: unknown
  required?: unknown
  default?: unknown
  [key: string]: unknown
}

export interface ActionMetadata {
  inputs: Record<string, InputSpec>
  outputs: Record<string, { description?: unknown; [key: string]: unknown }>
}

export interface UsageProblem {
  /** `jobs.<job>.steps[<i>]` and the step's name or id, when there is one. */
  where: string
  message: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function loadActionMetadata(file: string): ActionMetadata {
  const document: unknown = parseYaml(readFileSync(file, 'utf8'))
  if (!isRecord(document)) throw new Error(`${file}: not a mapping`)
  const inputs = isRecord(document.inputs) ? document.inputs : {}
  const outputs = isRecord(document.outputs) ? document.outputs : {}
  return {
    inputs: Object.fromEntries(Object.entries(inputs).map(([name, spec]) => [name, isRecord(spec) ? spec : {}])),
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, spec]) => [name, isRecord(spec) ? spec : {}]))
  }
}

/** A required input with no default: the runner passes '' when it is left out, so the workflow must give it. */
export function mustBeGiven(spec: InputSpec): boolean {
  return spec.required === true && (spec.default === undefined || spec.default === null || spec.default === '')
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

function suggestion(name: string, known: readonly string[]): string {
  const normalized = name.toLowerCase().replace(/_/g, '-')
  const best = known
    .map(candidate => ({ candidate, distance: editDistance(normalized, candidate) }))
    .sort((x, y) => x.distance - y.distance)[0]
  return best !== undefined && best.distance <= 3 ? ` (did you mean "${best.candidate}"?)` : ''
}

const hasExpression = (value: string): boolean => value.includes('${{')

/** Every string scalar (keys and values) anywhere under `node`. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node)
  else if (Array.isArray(node)) for (const item of node) strings(item, out)
  else if (isRecord(node)) {
    for (const [key, value] of Object.entries(node)) {
      out.push(key)
      strings(value, out)
    }
  }
  return out
}

const OUTPUT_REFERENCE = /\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g

function checkStep(step: Record<string, unknown>, where: string, action: ActionMetadata): UsageProblem[] {
  const problems: UsageProblem[] = []
  const report = (message: string): void => {
    problems.push({ where, message })
  }
  const declared = Object.keys(action.inputs)
  const given = step.with === undefined || step.with === null ? {} : step.with
  if (!isRecord(given)) {
    report('`with:` is not a mapping')
    return problems
  }
  for (const [name, value] of Object.entries(given)) {
    if (!(name in action.inputs))
      report(`unknown input "${name}"${suggestion(name, declared)}; action.yml declares: ${declared.join(', ')}`)
    if (isRecord(value) || Array.isArray(value))
      report(`input "${name}" is a ${Array.isArray(value) ? 'sequence' : 'mapping'}; inputs are strings`)
  }
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (mustBeGiven(spec) && (given[name] === undefined || given[name] === null || given[name] === ''))
      report(`required input "${name}" is not given`)
  }
  const text = (name: string): string | undefined => {
    const value = given[name]
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined
  }
  const blank = (name: string): boolean => (text(name) ?? '').trim() === ''
  const selecting = SELECTION_INPUTS.some(name => !blank(name))
  if (blank('file-ids') && blank('file-ids-file') && !selecting)
    report(
      'neither "file-ids" nor "file-ids-file" nor a selection input is given: with no IDs at all the step always fails'
    )
  const provider = text('provider')
  if (provider !== undefined && !hasExpression(provider)) {
    const known = (PROVIDERS as readonly string[]).includes(provider.trim().toLowerCase())
    if (!known) report(`provider "${provider}" is not one of ${PROVIDERS.join(', ')}`)
    else if (!blank('customer-id') && provider.trim().toLowerCase() !== 'delos')
      report(`"customer-id" is given with provider "${provider}": it is for delos only, and the action refuses it`)
  }
  const apiKey = text('api-key')
  if (apiKey !== undefined && apiKey.trim() !== '' && !hasExpression(apiKey))
    report('"api-key" is a literal: pass it from a secret')
  return problems
}

function describeStep(jobId: string, index: number, step: Record<string, unknown>): string {
  const label = typeof step.name === 'string' ? step.name : typeof step.id === 'string' ? step.id : undefined
  return `jobs.${jobId}.steps[${index}]${label === undefined ? '' : ` (${label})`}`
}

/** Problems in how `workflow` (a parsed workflow document) uses the action; [] when none. */
export function checkActionUsage(workflow: unknown, action: ActionMetadata): UsageProblem[] {
  const problems: UsageProblem[] = []
  const jobs = isRecord(workflow) && isRecord(workflow.jobs) ? workflow.jobs : {}
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isRecord(job) || !Array.isArray(job.steps)) continue
    const actionSteps = new Set<string>()
    job.steps.forEach((step: unknown, index: number) => {
      if (!isRecord(step) || typeof step.uses !== 'string' || !ACTION_REF.test(step.uses.trim())) return
      if (typeof step.id === 'string') actionSteps.add(step.id)
      problems.push(...checkStep(step, describeStep(jobId, index, step), action))
    })
    // Outputs of this action's steps, read anywhere in the job (later steps, job outputs).
    for (const value of strings(job)) {
      for (const match of value.matchAll(OUTPUT_REFERENCE)) {
        const [reference, stepId = '', output = ''] = match
        if (actionSteps.has(stepId) && !(output in action.outputs)) {
          problems.push({
            where: `jobs.${jobId}`,
            message: `"${reference}": the action has no output "${output}"${suggestion(output, Object.keys(action.outputs))}`
          })
        }
      }
    }
  }
  return problems
}

/** Every `run:` script in the workflow, with where it is. */
export function runScripts(workflow: unknown): { where: string; script: string }[] {
  const scripts: { where: string; script: string }[] = []
  const jobs = isRecord(workflow) && isRecord(workflow.jobs) ? workflow.jobs : {}
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isRecord(job) || !Array.isArray(job.steps)) continue
    job.steps.forEach((step: unknown, index: number) => {
      if (isRecord(step) && typeof step.run === 'string')
        scripts.push({ where: describeStep(jobId, index, step), script: step.run })
    })
  }
  return scripts
}

/** Steps that run this action, across all jobs. */
export function actionSteps(workflow: unknown): Record<string, unknown>[] {
  const jobs = isRecord(workflow) && isRecord(workflow.jobs) ? workflow.jobs : {}
  return Object.values(jobs)
    .flatMap(job => (isRecord(job) && Array.isArray(job.steps) ? (job.steps as unknown[]) : []))
    .filter(
      (step): step is Record<string, unknown> =>
        isRecord(step) && typeof step.uses === 'string' && ACTION_REF.test(step.uses.trim())
    )
}

export interface Snippet {
  /** 1-based line of the snippet's first line in the Markdown file. */
  line: number
  text: string
}

/** The contents of the ```yaml / ```yml fenced blocks of a Markdown text. */
export function yamlSnippets(markdown: string): Snippet[] {
  const snippets: Snippet[] = []
  const lines = markdown.split(/\r?\n/)
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ya?ml)\b/i.exec(lines[index] ?? '')
    if (open === null) continue
    const fence = open[2] ?? '```'
    const body: string[] = []
    let end = index + 1
    while (end < lines.length && !(lines[end] ?? '').trim().startsWith(fence)) {
      body.push((lines[end] ?? '').slice((open[1] ?? '').length))
      end += 1
    }
    snippets.push({ line: index + 2, text: `${body.join('\n')}\n` })
    index = end
  }
  return snippets
}

/**
 * A snippet as a complete workflow: a list of steps goes into one job, a single step becomes that list, a mapping
 * with `jobs:` but no trigger gets `on: workflow_dispatch`. What a snippet of steps reads from outside itself is
 * declared, so that it is checked like a whole workflow: a step it reads outputs of (`steps.upload.outputs…`) comes
 * first as a script that writes them, and inputs it reads become the workflow_dispatch trigger's inputs. Throws when
 * the snippet is not YAML at all.
 */
export function snippetAsWorkflow(text: string): string {
  const document = parseDocument(text)
  if (document.errors.length > 0) throw new Error(document.errors.map(error => error.message).join('\n'))
  const root = document.contents
  const inputs = [...new Set([...text.matchAll(/\binputs\.([\w-]+)/g)].map(match => match[1] as string))]
  const trigger =
    inputs.length === 0
      ? 'workflow_dispatch'
      : {
          workflow_dispatch: {
            inputs: Object.fromEntries(inputs.map(name => [name, { type: 'string', required: true }]))
          }
        }
  const job = (steps: unknown[]): unknown => ({
    on: trigger,
    jobs: { snippet: { 'runs-on': 'ubuntu-latest', steps: [...outsideSteps(steps), ...steps] } }
  })
  if (isSeq(root)) return stringify(job(root.toJSON()))
  if (isMap(root)) {
    const value = root.toJSON() as Record<string, unknown>
    if ('jobs' in value) return 'on' in value ? text : stringify({ on: trigger, ...value })
    if ('uses' in value || 'run' in value) return stringify(job([value]))
    return text
  }
  return text
}

/** Scripts standing in for the steps a snippet reads outputs of but does not show. */
function outsideSteps(steps: unknown[]): unknown[] {
  const shown = new Set(steps.flatMap(step => (isRecord(step) && typeof step.id === 'string' ? [step.id] : [])))
  const read = new Map<string, Set<string>>()
  for (const [, id = '', output = ''] of JSON.stringify(steps).matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    if (shown.has(id)) continue
    read.set(id, (read.get(id) ?? new Set()).add(output))
  }
  return [...read].map(([id, outputs]) => ({
    id,
    run: [...outputs].map(output => `echo "${output}=" >> "$GITHUB_OUTPUT"`).join('\n')
  }))
}
