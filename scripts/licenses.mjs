// Writes dist/licenses.txt: the license text of every production dependency bundled into dist/.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const tree = JSON.parse(
  execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--json', '--long'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
)
const packages = new Map()
const visit = node => {
  for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
    if (!dep.path || packages.has(`${name}@${dep.version}`)) continue
    packages.set(`${name}@${dep.version}`, { name, version: dep.version, dir: dep.path })
    visit(dep)
  }
}
visit(tree)

const sections = [...packages.values()]
  .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
  .map(({ name, version, dir }) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    const license = typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'UNKNOWN')
    const file = existsSync(dir) ? readdirSync(dir).find(f => /^(licen[sc]e|copying)(\.|$)/i.test(f)) : undefined
    const text = file
      ? readFileSync(path.join(dir, file), 'utf8').trim()
      : `(no license file shipped; package.json declares ${license})`
    return `${name} ${version}\n${license}\n\n${text}\n`
  })

writeFileSync(
  'dist/licenses.txt',
  `Third-party software bundled in this action\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`
)
console.log(`dist/licenses.txt: ${sections.length} packages`)
