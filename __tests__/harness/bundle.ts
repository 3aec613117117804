/**
 * The bundle as the sources build it now, so tests that run the action as a process test what was just changed,
 * not the committed dist/. Built with the same ncc command as `npm run build` into node_modules/.cache, once per
 * state of the sources: the directory is named by a hash of src/, tsconfig.json and package-lock.json.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'file-purge-bundle')
/** A build unused for this long is removed; a younger one may belong to a test run of another state still going. */
export const UNUSED_FOR_MS = 24 * 60 * 60 * 1000
/** What the bundle is built from, besides the node_modules that package-lock.json pins. */
const INPUTS = ['src', 'tsconfig.json', 'package-lock.json']
/** The entry points and where `npm run build` puts them, relative to dist/. */
export const ENTRIES = [
  { source: 'src/index.ts', out: '.' },
  { source: 'src/cli-entry.ts', out: 'cli' }
] as const

/** The files below `relative` (or that file itself), in a stable order. */
function files(relative: string): string[] {
  const absolute = path.join(ROOT, relative)
  if (!existsSync(absolute)) return []
  if (!statSync(absolute).isDirectory()) return [relative]
  return readdirSync(absolute)
    .sort()
    .flatMap(name => files(path.join(relative, name)))
}

/** A hash of everything the bundle is built from. */
export function sourceHash(): string {
  const hash = createHash('sha256')
  for (const file of INPUTS.flatMap(files))
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0')
  return hash.digest('hex').slice(0, 16)
}

function ncc(source: string, outDir: string): void {
  const bin = path.join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
  const built = spawnSync(process.execPath, [bin, 'build', source, '-o', outDir, '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  if (built.status !== 0)
    throw new Error(`ncc build ${source} failed (${built.status}):\n${built.stdout}${built.stderr}`)
}

/** The builds in `cache` last used (or built) more than UNUSED_FOR_MS before `now`. */
export function staleBuilds(cache: string, now: number): string[] {
  if (!existsSync(cache)) return []
  return readdirSync(cache).filter(name => statSync(path.join(cache, name)).mtimeMs < now - UNUSED_FOR_MS)
}

/**
 * The directory holding index.js and cli/index.js built from the sources as they are now, built if it is not
 * there yet. Builds no run has used for a day are removed; those of other states that may still be in use stay.
 */
export function bundleFromSources(): string {
  const hash = sourceHash()
  const target = path.join(CACHE, hash)
  const now = new Date()
  for (const old of staleBuilds(CACHE, now.getTime()))
    if (old !== hash) rmSync(path.join(CACHE, old), { recursive: true, force: true })
  if (existsSync(path.join(target, 'index.js')) && existsSync(path.join(target, 'cli', 'index.js'))) {
    utimesSync(target, now, now)
    return target
  }
  mkdirSync(CACHE, { recursive: true })
  const partial = `${target}.partial-${process.pid}`
  for (const entry of ENTRIES) ncc(entry.source, path.join(partial, entry.out))
  // Complete or not there at all: a build cut short is never mistaken for a finished one.
  try {
    renameSync(partial, target)
  } catch (error) {
    // Another run of the same state finished first: its build is the same.
    if (!existsSync(path.join(target, 'cli', 'index.js'))) throw error
    rmSync(partial, { recursive: true, force: true })
  }
  return target
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(bundleFromSources())
}
