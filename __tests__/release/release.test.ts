import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { REPO_ROOT } from '../harness/runner.js'

/**
 * script/release in a scratch clone of this repository, pushing to a scratch bare repository: what it refuses (a
 * missing CHANGELOG section, a stale dist/ or one that does not build, a version that exists here or on the remote
 * or is not newer than its line, a commit the remote does not have, a major tag moving back) and what it does when
 * all is in order. The clone holds this working tree as one commit on top of the repository's history, so a dist/
 * not rebuilt after an edit of src/ fails here as it would fail the release. Its checks build dist/ as CI does,
 * three times, so this takes about a minute.
 */
const RELEASE = path.join(REPO_ROOT, 'script', 'release')
const BUILD_MS = 120_000

let scratch: string
let remote: string
let work: string

const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
const inRemote = (...args: string[]): string =>
  execFileSync('git', args, { cwd: remote, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

function release(...args: string[]): { code: number | null; output: string } {
  const run = spawnSync('bash', [RELEASE, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    timeout: BUILD_MS
  })
  return { code: run.status, output: `${run.stdout}${run.stderr}` }
}

/** The package.json version and a CHANGELOG section for it, committed as a release commit would be. */
function prepare(version: string, changelog: boolean): void {
  const manifest = JSON.parse(readFileSync(path.join(work, 'package.json'), 'utf8')) as { version: string }
  manifest.version = version
  writeFileSync(path.join(work, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  const entry = changelog ? `## [${version}] - 2026-12-02\n\n### Fixed\n\n- Something worth a release.\n\n` : ''
  writeFileSync(path.join(work, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${entry}`)
  git('commit', '--quiet', '--all', '--allow-empty', '--message', `Release ${version}`)
}

/** Replaces the clone's files with this working tree's (tracked and new, not ignored; deleted ones go) and commits them. */
function commitWorkingTree(): void {
  git('rm', '-r', '--quiet', '.')
  for (const file of execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8'
  })
    .split('\0')
    .filter(name => name !== '' && existsSync(path.join(REPO_ROOT, name)))) {
    mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
    cpSync(path.join(REPO_ROOT, file), path.join(work, file), { verbatimSymlinks: true })
  }
  git('add', '--all')
  git('commit', '--quiet', '--allow-empty', '--message', 'The working tree')
  git('clean', '--quiet', '-fd')
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'file-purge-release-'))
  remote = path.join(scratch, 'remote.git')
  work = path.join(scratch, 'work')
  execFileSync('git', ['clone', '--quiet', '--bare', '--no-tags', REPO_ROOT, remote])
  execFileSync('git', ['clone', '--quiet', remote, work])
  git('config', 'user.name', 'Release Test')
  git('config', 'user.email', 'release-test@example.invalid')
  // The build runs with this repository's packages, copied as hard links where the file system allows (a second
  // or two). A symbolic link would not do: the bundler names its chunks after the packages' real paths, so a build
  // through a link outside the clone differs from the committed dist/.
  const [from, to] = [path.join(REPO_ROOT, 'node_modules'), path.join(work, 'node_modules')]
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'ignore' })
  } catch {
    rmSync(to, { recursive: true, force: true })
    execFileSync('cp', ['-a', from, to], { stdio: 'ignore' })
  }
  commitWorkingTree()
})

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('script/release', () => {
  test('refuses a version without its CHANGELOG section, and a version that is not vMAJOR.MINOR.PATCH', () => {
    prepare('1.1.0', false)
    const missing = release('v1.1.0', '--no-push')
    expect(missing.code).toBe(1)
    expect(missing.output).toContain('CHANGELOG.md has no section "## [1.1.0] - YYYY-MM-DD"')
    for (const version of ['1.1.0', 'v1.1', 'v01.1.0', 'v1.1.0-rc.1']) {
      expect(release(version, '--no-push')).toMatchObject({
        code: 1,
        output: expect.stringContaining('is not vMAJOR.MINOR.PATCH')
      })
    }
    expect(git('tag', '--list')).toBe('')
    const outside = spawnSync('bash', [RELEASE, 'check', 'v1.1.0'], { cwd: scratch, encoding: 'utf8' })
    expect({ code: outside.status, stderr: outside.stderr }).toEqual({
      code: 1,
      stderr: 'script/release: not inside a git repository\n'
    })
  })

  test('refuses a package.json that says another version', () => {
    prepare('1.1.0', true)
    const other = release('v1.2.0', '--no-push')
    expect(other.code).toBe(1)
    expect(other.output).toContain('package.json says version 1.1.0, not 1.2.0')
  })

  test(
    'refuses a dist/ that is not what src/ builds, and leaves the tree as it was',
    () => {
      prepare('1.1.0', true)
      /** Commits `line` at the end of src/index.ts, runs the release's checks, then reverts the commit. */
      const releaseWithSource = (line: string) => {
        appendFileSync(path.join(work, 'src', 'index.ts'), `\n${line}\n`)
        git('commit', '--quiet', '--all', '--message', `src/index.ts: ${line}`)
        const done = release('v1.1.0', '--no-push')
        const status = git('status', '--porcelain')
        git('revert', '--no-edit', '--quiet', 'HEAD')
        return { ...done, status }
      }
      const stale = releaseWithSource("console.log('changed without rebuilding dist/')")
      expect(stale).toMatchObject({
        code: 1,
        output: expect.stringContaining('dist/ is not what src/ builds: run npm run build and commit dist/'),
        status: ''
      })
      expect(git('tag', '--list')).toBe('')
      // A build that fails leaves the committed dist/ in place (the build starts by removing it).
      const broken = releaseWithSource('const broken: number = "not a number"')
      expect(broken).toMatchObject({
        code: 1,
        output: expect.stringContaining('script/release: npm run build failed'),
        status: ''
      })
    },
    BUILD_MS
  )

  test('refuses uncommitted changes', () => {
    appendFileSync(path.join(work, 'README.md'), '\nAn edit not committed.\n')
    expect(release('v1.1.0', '--no-push')).toMatchObject({
      code: 1,
      output: expect.stringContaining('the working tree has uncommitted changes')
    })
    git('checkout', '--quiet', '--', 'README.md')
  })

  test(
    'tags and pushes the exact version when all is in order; the major tag then follows it, and only forward',
    () => {
      // Only a commit on one of the remote's branches is released.
      expect(release('v1.1.0')).toMatchObject({
        code: 1,
        output: expect.stringContaining('HEAD is on no branch of origin: push it')
      })
      git('push', '--quiet', 'origin', 'HEAD:main')
      const done = release('v1.1.0')
      expect(done.output).toContain('script/release: tagged v1.1.0')
      expect(done.code).toBe(0)
      // An annotated tag for the release, in the remote.
      expect(inRemote('cat-file', '-t', 'v1.1.0')).toBe('tag')
      expect(inRemote('rev-parse', 'v1.1.0^{commit}')).toBe(git('rev-parse', 'HEAD'))
      expect(release('check', 'v1.1.0')).toMatchObject({ code: 0, output: expect.stringContaining('v1.1.0 is ready') })
      expect(release('notes', 'v1.1.0')).toEqual({ code: 0, output: '### Fixed\n\n- Something worth a release.\n\n' })

      // v1 is a plain tag, pointing at the release's commit.
      expect(release('move-major', 'v1.1.0').code).toBe(0)
      expect(inRemote('cat-file', '-t', 'v1')).toBe('commit')
      expect(inRemote('rev-parse', 'v1')).toBe(git('rev-parse', 'HEAD'))

      // A release is never moved, and a new line is never older than the latest release.
      expect(release('v1.1.0', '--no-push').output).toContain('the tag v1.1.0 exists already')
      expect(release('v1.0.9', '--no-push').output).toContain(
        'v1.0.9 is not newer than v1.1.0, the latest release; a new line (vX.Y.0) must be newer than every release'
      )
      // A tag that only the remote has counts too.
      execFileSync('git', ['tag', 'v1.1.1', 'v1.1.0^{commit}'], { cwd: remote })
      expect(release('v1.1.1').output).toContain('the tag v1.1.1 exists already')
      expect(git('tag', '--list', 'v1.1.1')).toBe('v1.1.1')

      // A fix for an older line may be released, within its line and forward only; it does not take v1 back.
      git('tag', '--annotate', 'v1.0.5', '--message', 'an older line', 'HEAD~1')
      expect(release('v1.0.4', '--no-push').output).toContain(
        'v1.0.4 is not newer than v1.0.5, the latest v1.0.* release'
      )
      expect(release('v1.0.6', '--no-push').output).toContain('package.json says version 1.1.0, not 1.0.6')
      const back = release('move-major', 'v1.0.5')
      expect(back).toMatchObject({ code: 0, output: expect.stringContaining('v1.1.1 is a later v1 release: v1 stays') })
      expect(inRemote('rev-parse', 'v1')).toBe(git('rev-parse', 'HEAD'))
      expect(release('highest')).toEqual({ code: 0, output: 'v1.1.1\n' })
    },
    BUILD_MS
  )
})
