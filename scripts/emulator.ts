/**
 * `npm run emulator`: the four providers' emulators on 127.0.0.1, each holding the same files, serving until
 * stopped (Ctrl-C, SIGTERM). It prints each provider's URL, to pass as the action's base-url with the emulator's
 * key as api-key; nothing leaves the machine. The repository's end-to-end workflow runs the action against it.
 *
 *   npm run emulator                                free ports, files file-1 … file-20, key emulator-key-0123456789
 *   npm run emulator -- --port 4100                 writer on 4100, imagekit 4101, delos 4102, anyformat 4103
 *   npm run emulator -- --files 50 --latency 25     50 files each, 25 ms before every answer
 *   npm run emulator -- --urls-file urls.json       also writes {"writer": "http://…", …} once all are listening
 *   npm run emulator -- --seed emulator/seed.json   the files (names, folders, tags, graphs, workflows, customers,
 *                                                   creation times) and faults of a seed file (emulator/seed.ts)
 *
 * On exit it prints, per provider, the requests it answered and the files it deleted.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startEmulator, type Emulator, type ProviderName } from '../emulator/index.js'
import { readSeed, type Seed } from '../emulator/seed.js'
import { PROVIDER_NAMES } from '../src/providers/index.js'
import { errorMessage } from '../src/text.js'

const EMULATOR_KEY = 'emulator-key-0123456789'

const USAGE = `usage: npm run emulator -- [--port N] [--files N | --seed PATH] [--latency MS] [--key KEY] [--urls-file PATH]

  --port N          writer on N, imagekit N+1, delos N+2, anyformat N+3 (default: free ports)
  --files N         files file-1 … file-N in each provider (default 20)
  --seed PATH       instead, each provider's files and faults from a JSON seed file (emulator/seed.json is one)
  --latency MS      wait before every answer (default 0)
  --key KEY         the API key every provider accepts (default ${EMULATOR_KEY})
  --urls-file PATH  also write {"writer": "http://…", …} there once all are listening`

interface Options {
  port: number
  files: number
  seed: { path: string; providers: Seed } | undefined
  latencyMs: number
  key: string
  urlsFile: string | undefined
}

function readOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      files: { type: 'string' },
      seed: { type: 'string' },
      latency: { type: 'string', default: '0' },
      key: { type: 'string', default: EMULATOR_KEY },
      'urls-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true
  })
  if (values.help) return 'help'
  const whole = (name: string, text: string, max: number): number => {
    const value = /^\d+$/.test(text) ? Number(text) : NaN
    if (!Number.isSafeInteger(value) || value > max)
      throw new Error(`--${name} ${JSON.stringify(text)} is not a whole number up to ${max}`)
    return value
  }
  const port = whole('port', values.port, 65_535 - PROVIDER_NAMES.length)
  if (values.key.trim() === '' || /\s/.test(values.key)) throw new Error('--key must be one word')
  if (values.files !== undefined && values.seed !== undefined) throw new Error('--files and --seed: give one of them')
  return {
    port,
    files: whole('files', values.files ?? '20', 1_000_000),
    seed: values.seed === undefined ? undefined : { path: values.seed, providers: readSeed(values.seed) },
    latencyMs: whole('latency', values.latency, 60_000),
    key: values.key,
    urlsFile: values['urls-file']
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2))
  if (options === 'help') {
    console.log(USAGE)
    return
  }
  const files = Array.from({ length: options.files }, (_, i) => `file-${i + 1}`)
  const emulators: Emulator[] = []
  for (const [index, provider] of PROVIDER_NAMES.entries()) {
    const seeded = options.seed?.providers[provider]
    const emulator = await startEmulator({
      provider,
      apiKey: options.key,
      files: seeded ? seeded.files : files,
      ...(seeded?.customerId !== undefined ? { customerId: seeded.customerId } : {}),
      latencyMs: options.latencyMs,
      ...(options.port > 0 ? { port: options.port + index } : {})
    })
    for (const rule of seeded?.faults ?? []) emulator.inject(rule)
    emulators.push(emulator)
  }
  const urls = Object.fromEntries(emulators.map(emulator => [emulator.provider, emulator.url])) as Record<
    ProviderName,
    string
  >
  const { seed } = options
  console.log(
    seed === undefined
      ? `file-purge emulator: api-key ${options.key}; every provider holds file-1 … file-${options.files}`
      : `file-purge emulator: api-key ${options.key}; files and faults from ${seed.path}`
  )
  for (const emulator of emulators) {
    const seeded = seed?.providers[emulator.provider]
    const holds = seeded ? `  ${emulator.store.size} files, ${seeded.faults.length} fault rules` : ''
    console.log(`${emulator.provider.padEnd(10)} ${emulator.url}${holds}`)
  }
  if (options.urlsFile !== undefined) writeFileSync(options.urlsFile, `${JSON.stringify(urls)}\n`)
  console.log('serving until stopped (Ctrl-C)')

  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    for (const emulator of emulators) {
      console.log(
        `${emulator.provider.padEnd(10)} ${emulator.requests.length} requests answered, ${emulator.deleted.length} files deleted, ${emulator.store.size} left`
      )
    }
    await Promise.all(emulators.map(emulator => emulator.close()))
    console.log(`stopped (${signal})`)
    process.exit(0)
  }
  process.once('SIGINT', signal => void stop(signal))
  process.once('SIGTERM', signal => void stop(signal))
}

main().catch((error: unknown) => {
  console.error(`npm run emulator: ${errorMessage(error)}\n${USAGE}`)
  process.exit(2)
})
