/**
 * npm run bench: the built action, run as a whole process the way the runner runs it, against the provider
 * emulator on 127.0.0.1, with an `xargs -P C curl` baseline on the same emulator. Prints wall time, the ratio to
 * the latency floor N·L/C (or to N/rate), sockets opened, requests answered 429 and the action's peak RSS, as
 * medians of several runs. Options: --runs K (default 3), --only NAME (a scenario name prefix), --quick.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startEmulator, type EmulatorOptions, type ProviderName } from '../emulator/index.js'
import { runAction } from './runner.js'

const KEY = 'bench-key-0123456789'

interface Measure {
  wallMs: number
  sockets: number
  requests: number
  answered429: number
  rssMb: number | null
  deleted: number
  remaining: number
}

interface Row {
  scenario: string
  target: string
  floorMs: number
  action: Measure
  baseline?: Measure
  verdict: string
}

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1]) || (args.includes('--quick') ? 1 : 3)
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined
const scratch = mkdtempSync(path.join(os.tmpdir(), 'file-purge-bench-'))

const ids = (n: number, prefix = 'f'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(4, '0')}-${i}`)
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

function medianMeasure(measures: Measure[]): Measure {
  const pick = (key: keyof Measure): number => median(measures.map(m => m[key] ?? 0))
  const rss = measures.map(m => m.rssMb).filter((v): v is number => v !== null)
  return {
    wallMs: pick('wallMs'),
    sockets: pick('sockets'),
    requests: pick('requests'),
    answered429: pick('answered429'),
    rssMb: rss.length > 0 ? median(rss) : null,
    deleted: pick('deleted'),
    remaining: Math.max(...measures.map(m => m.remaining))
  }
}

/** A module loaded before the action that writes its peak RSS (kB) to a file when it exits. */
function rssProbe(file: string): string[] {
  const code = `import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)))`
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`]
}

async function runActionOnce(
  emulatorOptions: EmulatorOptions,
  inputs: Record<string, string>,
  files: string[]
): Promise<Measure> {
  const emulator = await startEmulator({ ...emulatorOptions, apiKey: KEY })
  const idsFile = path.join(scratch, `ids-${process.hrtime.bigint()}.txt`)
  const rssFile = `${idsFile}.rss`
  writeFileSync(idsFile, `${files.join('\n')}\n`)
  try {
    const run = await runAction({
      inputs: {
        provider: emulatorOptions.provider,
        'api-key': KEY,
        'base-url': emulator.url,
        'file-ids-file': idsFile,
        'max-deletions': String(files.length),
        ...inputs
      },
      nodeArgs: rssProbe(rssFile),
      timeoutMs: 600_000
    })
    run.cleanup()
    if (run.exitCode !== 0)
      throw new Error(`action failed (${run.exitCode}): ${run.stdout.split('\n').slice(-5).join('\n')}${run.stderr}`)
    return {
      wallMs: run.durationMs,
      sockets: emulator.socketsOpened,
      requests: emulator.requests.length,
      answered429: emulator.requests.filter(r => r.status === 429).length,
      rssMb: Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024),
      deleted: emulator.deleted.length,
      remaining: emulator.store.size
    }
  } finally {
    await emulator.close()
  }
}

/** The baseline users write today: one curl process per ID, C at a time. */
async function runCurlOnce(emulatorOptions: EmulatorOptions, concurrency: number, files: string[]): Promise<Measure> {
  const emulator = await startEmulator({ ...emulatorOptions, apiKey: KEY })
  try {
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'xargs',
        [
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
        { stdio: ['pipe', 'ignore', 'inherit'] }
      )
      child.on('error', reject)
      child.on('close', code => (code === 0 ? resolve() : reject(new Error(`xargs curl exited ${code}`))))
      child.stdin.end(`${files.join('\n')}\n`)
    })
    return {
      wallMs: Math.round(performance.now() - started),
      sockets: emulator.socketsOpened,
      requests: emulator.requests.length,
      answered429: emulator.requests.filter(r => r.status === 429).length,
      rssMb: null,
      deleted: emulator.deleted.length,
      remaining: emulator.store.size
    }
  } finally {
    await emulator.close()
  }
}

async function repeat(measure: () => Promise<Measure>): Promise<Measure> {
  const measures: Measure[] = []
  for (let i = 0; i < runs; i++) measures.push(await measure())
  return medianMeasure(measures)
}

/**
 * N·L/C with L as the provider's time per request. `network`: L is also the network's round trip to an HTTPS API,
 * so each new connection first costs two more round trips (the TCP handshake, then TLS 1.3's), charged by the
 * emulator on the connection's first answer. The action pays that C times; a curl per ID pays it N times.
 */
async function latencyBound(network: boolean): Promise<Row> {
  const n = 2000
  const latencyMs = 25
  const concurrency = 16
  const files = ids(n)
  const options: EmulatorOptions = {
    provider: 'writer',
    apiKey: KEY,
    files,
    latencyMs,
    ...(network ? { connectLatencyMs: 2 * latencyMs } : {})
  }
  const floorMs = (n * latencyMs) / concurrency
  const action = await repeat(() => runActionOnce(options, { concurrency: String(concurrency) }, files))
  const baseline = await repeat(() => runCurlOnce(options, concurrency, files))
  const ratio = action.wallMs / floorMs
  const speedup = baseline.wallMs / action.wallMs
  // On loopback a connection costs nothing, so curl's only extra is a process per ID: it is reported, not judged.
  const ok =
    ratio <= 1.15 &&
    action.sockets <= concurrency &&
    (!network || speedup >= 2.5) &&
    action.remaining === 0 &&
    baseline.remaining === 0
  return {
    scenario: `latency: N=${n}, L=${latencyMs} ms, C=${concurrency} (writer), ${network ? 'HTTPS round trip L: a new connection costs 2 L more' : 'loopback: connections cost nothing'}`,
    target: network ? 'wall ≤ 1.15 × N·L/C, sockets ≤ C, ≥ 2.5× faster than curl' : 'wall ≤ 1.15 × N·L/C, sockets ≤ C',
    floorMs,
    action,
    baseline,
    verdict: `${ok ? 'met' : 'MISSED'}: ${ratio.toFixed(2)} × floor, ${speedup.toFixed(1)}× faster than curl`
  }
}

async function rateLimited(provider: ProviderName): Promise<Row> {
  const n = 300
  const rate = 50
  const files = ids(n)
  const options: EmulatorOptions = {
    provider,
    apiKey: KEY,
    files,
    latencyMs: 25,
    rateLimit: { limit: rate, intervalMs: 1000 }
  }
  const floorMs = (n / rate) * 1000
  const action = await repeat(() =>
    runActionOnce(options, { concurrency: '16', 'max-retries': '5', bulk: 'false' }, files)
  )
  const share = action.answered429 / action.requests
  const ok = action.remaining === 0 && share < 0.2 && action.wallMs <= 1.3 * floorMs
  const hint = { writer: 'no hint', imagekit: 'X-RateLimit-*', delos: 'no hint', anyformat: 'Retry-After' }[provider]
  return {
    scenario: `rate limit: N=${n} at ${rate}/s, C=16 (${provider}, ${hint})`,
    target: 'all deleted, < 1 in 5 answered 429, wall ≤ 1.3 × N/rate',
    floorMs,
    action,
    verdict: `${ok ? 'met' : 'MISSED'}: ${(action.wallMs / floorMs).toFixed(2)} × N/rate, ${(share * 100).toFixed(1)} % answered 429`
  }
}

async function bulk(): Promise<Row> {
  const asked = ids(1000)
  const files = asked.filter((_, i) => i % 20 !== 3)
  const options: EmulatorOptions = { provider: 'imagekit', apiKey: KEY, files, latencyMs: 25 }
  const withBulk = await repeat(() => runActionOnce(options, { bulk: 'true' }, asked))
  const perFile = await repeat(() => runActionOnce(options, { bulk: 'false' }, asked))
  const ok =
    withBulk.requests <= 30 &&
    withBulk.deleted === perFile.deleted &&
    withBulk.remaining === 0 &&
    perFile.remaining === 0
  return {
    scenario: 'ImageKit bulk: 1000 IDs, 5 % missing',
    target: '≤ 30 requests, outcomes identical to bulk: false',
    floorMs: NaN,
    action: withBulk,
    baseline: perFile,
    verdict: `${ok ? 'met' : 'MISSED'}: ${withBulk.requests} requests (bulk: false needs ${perFile.requests}), ${withBulk.deleted} deleted either way`
  }
}

async function scale(): Promise<Row> {
  const n = 100_000
  const files = ids(n)
  const options: EmulatorOptions = { provider: 'writer', apiKey: KEY, files }
  const action = await runActionOnce(options, { concurrency: '16', 'timeout-seconds': '60' }, files)
  const ok = action.remaining === 0 && action.deleted === n && (action.rssMb ?? Infinity) <= 300
  return {
    scenario: `scale: N=${n.toLocaleString('en')} from file-ids-file, L=0, C=16 (writer)`,
    target: 'all deleted, peak RSS ≤ 300 MB',
    floorMs: NaN,
    action,
    verdict: `${ok ? 'met' : 'MISSED'}: ${action.deleted.toLocaleString('en')} deleted, peak RSS ${action.rssMb} MB, ${Math.round(n / (action.wallMs / 1000))} deletes/s`
  }
}

const SCENARIOS: Array<[string, () => Promise<Row>]> = [
  ['latency-server', () => latencyBound(false)],
  ['latency-network', () => latencyBound(true)],
  ['rate-writer', () => rateLimited('writer')],
  ['rate-imagekit', () => rateLimited('imagekit')],
  ['rate-delos', () => rateLimited('delos')],
  ['rate-anyformat', () => rateLimited('anyformat')],
  ['bulk', bulk],
  ['scale', scale]
]

function format(row: Row): string {
  const m = row.action
  const cells = [
    row.scenario,
    `${m.wallMs} ms`,
    Number.isNaN(row.floorMs) ? '–' : `${Math.round(row.floorMs)} ms`,
    String(m.sockets),
    `${m.requests}`,
    String(m.answered429),
    m.rssMb === null ? '–' : `${m.rssMb} MB`,
    row.baseline
      ? `${row.baseline.wallMs} ms, ${row.baseline.sockets} sockets, ${row.baseline.requests} requests`
      : '–',
    row.verdict
  ]
  return `| ${cells.join(' | ')} |`
}

async function main(): Promise<void> {
  console.log(
    `file-purge benchmark: ${os.cpus().length} cores, node ${process.version}, medians of ${runs} run${runs === 1 ? '' : 's'} (scale: one run)\n`
  )
  const rows: Row[] = []
  for (const [name, scenario] of SCENARIOS) {
    if (only !== undefined && !name.startsWith(only)) continue
    process.stderr.write(`running ${name}…\n`)
    const row = await scenario()
    rows.push(row)
    process.stderr.write(`  ${format(row)}\n`)
  }
  console.log(
    '| scenario | wall | floor | sockets | requests | answered 429 | peak RSS | baseline (curl, or bulk: false) | result |'
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|')
  for (const row of rows) console.log(format(row))
  rmSync(scratch, { recursive: true, force: true })
  if (rows.some(row => row.verdict.startsWith('MISSED'))) process.exitCode = 1
}

await main()
