// Regenerates the README's inputs and outputs tables from action.yml; with --check, fails if they differ.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

interface ActionYaml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}

const root = new URL('..', import.meta.url)
const readmePath = fileURLToPath(new URL('README.md', root))
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as ActionYaml

const cell = (text: string): string =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

const inputs = [
  '| input | required | default | description |',
  '|---|---|---|---|',
  ...Object.entries(action.inputs).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${input.default === undefined ? '' : input.default === '' ? "`''`" : `\`${input.default}\``} | ${cell(input.description)} |`
  )
].join('\n')

const outputs = [
  '| output | description |',
  '|---|---|',
  ...Object.entries(action.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)
].join('\n')

function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start (generated from action.yml by npm run docs) -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md has no ${name} block (${start} … ${end})`)
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`
}

const current = readFileSync(readmePath, 'utf8')
const next = replaceBlock(replaceBlock(current, 'inputs', inputs), 'outputs', outputs)
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md inputs/outputs tables differ from action.yml: run npm run docs and commit README.md')
    process.exit(1)
  }
  console.log('README.md tables match action.yml')
} else {
  writeFileSync(readmePath, next)
  console.log('README.md tables regenerated from action.yml')
}
