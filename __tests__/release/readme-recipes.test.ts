import { describe, expect, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'
import { startEmulator, type Emulator } from '../../emulator/index.js'
import { readSeed } from '../../emulator/seed.js'
import type { InputName } from '../../src/settings/constants.js'
import { readIdsFile } from '../../src/settings/inputs.js'
import { runPipeline, type Shell } from '../../src/pipeline.js'
import { PROVIDER_NAMES, type ProviderName } from '../../src/providers/index.js'
import type { RunReport } from '../../src/report/report.js'
import { asText } from '../../src/report/file.js'
import { REPO_ROOT } from '../harness/runner.js'
import { afterThisTest, KEY, scratchDir } from '../helpers/common.js'
import { MARKDOWN_FILES } from '../helpers/workflow-usage.js'

/**
 * Every recipe of the README and of the guides in docs/ (a `uses: file-purge/file-purge@v1` step in a ```yaml
 * block), run as a dry run against the emulator seeded with emulator/seed.json: each must pass and plan at least one
 * file the emulator holds, so the seed keeps every recipe trying something visible, and a recipe the seed cannot
 * serve is found here.
 */

const SEED = path.join(REPO_ROOT, 'emulator', 'seed.json')
const USES = /^file-purge\/file-purge@/

/** The values a workflow would give each expression the recipes use; an expression not listed here fails the test. */
const EXPRESSIONS: Record<string, string | ((workspace: string) => string)> = {
  'secrets.IMAGEKIT_PRIVATE_KEY': KEY,
  'secrets.WRITER_API_KEY': KEY,
  'secrets.ANYFORMAT_API_KEY': KEY,
  'secrets.DELOS_TOKEN': KEY,
  'steps.upload.outputs.file-ids': 'ik-pr42-hero ik-pr42-card',
  'steps.deploy.outputs.file-ids': 'w-preview-1 w-preview-2',
  'github.event.pull_request.number': '42',
  'inputs.graph-id': 'graph-imports',
  "github.event_name != 'schedule'": 'true',
  'matrix.shard': '1',
  'vars.DELOS_CUSTOMER_ID': 'cust-acme',
  'runner.temp': workspace => workspace
}

/** What a file-ids-file holds, by provider: files the seed has. */
const ID_FILES: Record<ProviderName, string[]> = {
  writer: ['w-report-01', 'w-report-02'],
  imagekit: Array.from({ length: 24 }, (_, i) => `ik-expired-${String(i + 1).padStart(2, '0')}`),
  delos: ['d-pr42-1', 'd-pr42-2', 'd-pr42-3'],
  anyformat: ['af-expired-1', 'af-expired-2', 'af-expired-3']
}

/** Recipes the seeded emulator cannot serve yet, by title, with the reason. Each must still fail here. */
const PENDING: Record<string, string> = {}

interface Recipe {
  title: string
  inputs: Record<string, string>
  /** Which ```yaml block holds it: its file and line. */
  block: string
}

/** The recipes of one file: each file-purge step's `with:`, titled by the heading above its block. */
function recipesOf(file: string): Recipe[] {
  const found: Recipe[] = []
  let heading = '(top)'
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8')
  for (const match of text.matchAll(/^#+ (.*)$|^```yaml\n([\s\S]*?)^```$/gm)) {
    const [, title, block] = match
    if (title !== undefined) {
      heading = file === 'README.md' ? title : `${file}: ${title}`
      continue
    }
    const steps: Array<Record<string, unknown>> = []
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit)
      else if (typeof node === 'object' && node !== null) {
        const record = node as Record<string, unknown>
        if (typeof record.uses === 'string' && USES.test(record.uses)) steps.push(record)
        else Object.values(record).forEach(visit)
      }
    }
    for (const document of parseAllDocuments(block ?? '')) visit(document.toJS())
    steps.forEach((step, index) => {
      const inputs = Object.fromEntries(
        Object.entries((step.with ?? {}) as Record<string, unknown>).map(([name, value]) => [name, String(value)])
      )
      const where = `${file}:${text.slice(0, match.index).split('\n').length}`
      found.push({ title: steps.length > 1 ? `${heading} (${index + 1})` : heading, inputs, block: where })
    })
  }
  return found
}

const recipes = (): Recipe[] => MARKDOWN_FILES.flatMap(recipesOf)

function substitute(text: string, workspace: string, known: Record<string, string> = {}): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const value = known[expression] ?? EXPRESSIONS[expression]
    if (value === undefined) throw new Error(`no test value for the expression \${{ ${expression} }}`)
    return typeof value === 'function' ? value(workspace) : value
  })
}

async function seededEmulators(): Promise<Record<ProviderName, Emulator>> {
  const seed = readSeed(SEED)
  const emulators = {} as Record<ProviderName, Emulator>
  for (const provider of PROVIDER_NAMES) {
    const { files, customerId } = seed[provider]
    const emulator = await startEmulator({ provider, apiKey: KEY, files, ...(customerId ? { customerId } : {}) })
    afterThisTest(() => emulator.close())
    emulators[provider] = emulator
  }
  return emulators
}

/**
 * A recipe that applies a plan (plan-file): the dry run of its block that makes the plan goes first, its report is
 * put where plan-file names it, as the artifact would be, and its SHA-256 is the plan job's output report-sha256.
 */
async function planFor(
  recipe: Recipe,
  all: readonly Recipe[],
  emulators: Record<ProviderName, Emulator>,
  workspace: string
): Promise<Record<string, string>> {
  const planning = all.find(other => other.block === recipe.block && other.inputs['plan-file'] === undefined)
  if (planning === undefined) throw new Error(`${recipe.title}: no dry run in its block makes the plan`)
  const { text } = await dryRun(planning, emulators, all, workspace)
  const file = path.resolve(workspace, substitute(recipe.inputs['plan-file'] ?? '', workspace))
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
  return { 'needs.plan.outputs.report-sha256': createHash('sha256').update(text).digest('hex') }
}

/** The recipe as a dry run against the emulator, in process; its report, report file text and log. */
async function dryRun(
  recipe: Recipe,
  emulators: Record<ProviderName, Emulator>,
  all: readonly Recipe[] = [],
  workspace = scratchDir('file-purge-recipe-')
) {
  const known = recipe.inputs['plan-file'] === undefined ? {} : await planFor(recipe, all, emulators, workspace)
  const inputs = Object.fromEntries(
    Object.entries(recipe.inputs).map(([name, value]) => [name, substitute(value, workspace, known)])
  )
  const provider = inputs.provider as ProviderName
  const emulator = emulators[provider]
  if (inputs['file-ids-file']) {
    const file = path.resolve(workspace, inputs['file-ids-file'])
    mkdirSync(path.dirname(file), { recursive: true })
    const ids = ID_FILES[provider]
    writeFileSync(file, file.endsWith('.json') ? JSON.stringify(ids) : `${ids.join('\n')}\n`)
  }
  Object.assign(inputs, { 'base-url': emulator.url, 'dry-run': 'true' })
  const log: string[] = []
  let published: RunReport | undefined
  let text = ''
  const shell: Shell = {
    mask: () => undefined,
    info: line => void log.push(line),
    debug: () => undefined,
    writeLines: text => void log.push(...text.trimEnd().split('\n')),
    publish: ({ report, writeReport }) => {
      published = report
      asText(writeReport, chunk => void (text += chunk))
    },
    unexpected: message => void log.push(`unexpected: ${message}`)
  }
  const requestsBefore = emulator.requests.length
  await runPipeline(
    { getInput: (name: InputName) => inputs[name] ?? '', readFile: readIdsFile, workspace, env: {} },
    shell,
    { tempDir: workspace }
  )
  const deletes = emulator.requests.slice(requestsBefore).filter(r => r.route === 'delete' || r.route === 'bulk')
  return { report: published, log, emulator, deletes, text }
}

describe('README and docs/ recipes against the seeded emulator', () => {
  const all = recipes()

  test('the README and docs/ have the recipes this test knows of', () => {
    expect(all.length).toBeGreaterThanOrEqual(9)
    for (const title of Object.keys(PENDING)) expect(all.map(recipe => recipe.title)).toContain(title)
  })

  test.each(all.map(recipe => [recipe.title, recipe] as const))('%s', async (title, recipe) => {
    const emulators = await seededEmulators()
    const { report, log, emulator, deletes } = await dryRun(recipe, emulators, all)
    const planned = report?.lists.planned ?? []
    const works =
      report !== undefined &&
      !report.verdict.failed &&
      planned.length > 0 &&
      planned.every(id => emulator.store.has(id)) &&
      deletes.length === 0
    const pending = PENDING[title]
    if (pending !== undefined) {
      // Once the emulator can serve it, it belongs with the others: take it off the pending list.
      expect({ title, pending, works }).toEqual({ title, pending, works: false })
      return
    }
    expect({ title, verdict: report?.verdict, violations: report?.violations, log: log.slice(-5) }).toMatchObject({
      verdict: { failed: false }
    })
    expect(planned.length).toBeGreaterThan(0)
    expect(planned.filter(id => !emulator.store.has(id))).toEqual([])
    expect(deletes).toEqual([])
    expect(works).toBe(true)
  })
})
