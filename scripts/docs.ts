// Regenerates the inputs and outputs tables from action.yml: in full in docs/inputs.md, and in short (each
// description's first sentence) in the README; with --check, fails if either differs.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

interface ActionYaml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const root = new URL('..', import.meta.url)
const readmePath = fileURLToPath(new URL('README.md', root))
const fullPath = fileURLToPath(new URL('docs/inputs.md', root))
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as ActionYaml

const cell = (text: string): string =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

/** A description's first sentence; with the next one too when the first only says where the input applies. */
function short(description: string): string {
  const sentences = cell(description).split(/(?<=\.) (?=[A-Z`])/)
  const first = sentences[0] ?? ''
  return first.length < 30 && sentences.length > 1 ? `${first} ${sentences[1]}` : first
}

const defaultCell = (value: string | undefined): string =>
  value === undefined ? '' : value === '' ? "`''`" : `\`${value}\``

function inputsTable(describe: (text: string) => string): string {
  return [
    '| input | required | default | description |',
    '|---|---|---|---|',
    ...Object.entries(action.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${defaultCell(input.default)} | ${describe(input.description)} |`
    )
  ].join('\n')
}

function outputsTable(describe: (text: string) => string): string {
  return [
    '| output | description |',
    '|---|---|',
    ...Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${describe(output.description)} |`)
  ].join('\n')
}

function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start (generated from action.yml by npm run docs) -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`no ${name} block (${start} … ${end})`)
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`
}

const files = [
  { path: readmePath, name: 'README.md', describe: short },
  { path: fullPath, name: 'docs/inputs.md', describe: cell }
]
const stale: string[] = []
for (const file of files) {
  const current = readFileSync(file.path, 'utf8')
  const next = replaceBlock(
    replaceBlock(current, 'inputs', inputsTable(file.describe)),
    'outputs',
    outputsTable(file.describe)
  )
  if (next === current) continue
  if (process.argv.includes('--check')) stale.push(file.name)
  else writeFileSync(file.path, next)
}
if (stale.length > 0) {
  console.error(`${stale.join(' and ')}: inputs/outputs tables differ from action.yml: run npm run docs and commit`)
  process.exit(1)
}
console.log(process.argv.includes('--check') ? 'tables match action.yml' : 'tables regenerated from action.yml')
