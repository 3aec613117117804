import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import type { Fault, ProviderName } from '../../emulator/index.js'
import {
  emulate,
  expectNoSecret,
  KEY,
  runActionOnce,
  scratchDir,
  seededRandom,
  wireForms,
  type Report
} from '../helpers/common.js'

/**
 * Chaos: the bundle, run as the runner runs it, against each provider's emulator holding ~1300 files, with random
 * faults on random IDs. Whatever happens, the provider's store must agree with what the action reports. The PRNG is
 * seeded (CHAOS_SEED=<n> to explore), so a failure names the seed and reproduces.
 */

const SEED = Number(process.env.CHAOS_SEED ?? 7_2025)
const EXISTING = 1200
const UNPLANNED = 100
const GHOSTS = 60
/**
 * Share of planned IDs that get a fault. A bulk request meets the faults of every ID it lists (one after the other),
 * so a chunk of 100 would see them all in a row: bulk gets fewer, and each applies once.
 */
const FAULT_RATE = 0.1
const BULK_FAULT_RATE = 0.012
const TIMEOUT_SECONDS = 2
const RATE_LIMITED_IDS = 6

/** Printable ASCII without / \ ? # %: IDs that need encoding travel too. */
const ID_CHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  c => !'/\\?#%'.includes(c)
)

interface Planned {
  fault?: Fault
  times?: number
}

interface Case {
  name: string
  provider: ProviderName
  bulk?: 'true' | 'false'
}

const CASES: Case[] = [
  { name: 'writer', provider: 'writer' },
  { name: 'imagekit (bulk, the default)', provider: 'imagekit' },
  { name: 'imagekit (one by one)', provider: 'imagekit', bulk: 'false' },
  { name: 'delos', provider: 'delos' },
  { name: 'anyformat', provider: 'anyformat' }
]

function makeIds(random: () => number, count: number, taken: Set<string>): string[] {
  const out: string[] = []
  while (out.length < count) {
    const length = 3 + Math.floor(random() * 18)
    let id = Array.from({ length }, () => ID_CHARS[Math.floor(random() * ID_CHARS.length)]).join('')
    if (random() < 0.5) id = `f_${id}`
    if (id === '.' || id === '..' || taken.has(id)) continue
    taken.add(id)
    out.push(id)
  }
  return out
}

function shuffle<T>(random: () => number, items: T[]): T[] {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

/** A random fault, and whether it leaves the ID with no definite answer once (so a later not-found counts as deleted). */
function randomFault(
  random: () => number,
  provider: ProviderName,
  rateLimitsLeft: number,
  maxTimes: number
): { rule: Planned; unanswered: boolean; permanent: boolean } {
  // A 429 pauses the whole pool (≥ 1 s with AnyFormat's Retry-After), so only a few IDs get one; the rest a 5xx.
  let pick = random()
  if (pick >= 0.22 && pick < 0.4 && rateLimitsLeft <= 0) pick = random() * 0.22
  const times = (max: number) => 1 + Math.floor(random() * Math.min(max, maxTimes))
  if (pick < 0.22)
    return {
      rule: { fault: { kind: 'status', status: [500, 502, 503][Math.floor(random() * 3)]! }, times: times(3) },
      unanswered: true,
      permanent: false
    }
  if (pick < 0.4)
    return {
      rule: { fault: { kind: 'rate-limit', resetMs: 100 + Math.floor(random() * 300) }, times: times(2) },
      unanswered: false,
      permanent: false
    }
  if (pick < 0.5) return { rule: { fault: { kind: 'reset' }, times: times(2) }, unanswered: true, permanent: false }
  if (pick < 0.6) return { rule: { fault: { kind: 'lose-answer' }, times: 1 }, unanswered: true, permanent: false }
  if (pick < 0.7)
    return { rule: { fault: { kind: 'html', status: 502 }, times: times(2) }, unanswered: true, permanent: false }
  if (pick < 0.8)
    return {
      rule: { fault: { kind: 'latency', ms: 20 + Math.floor(random() * 300) }, times: 1 },
      unanswered: false,
      permanent: false
    }
  if (pick < 0.84)
    return {
      rule: { fault: { kind: 'latency', ms: TIMEOUT_SECONDS * 1000 + 300 }, times: 1 },
      unanswered: true,
      permanent: false
    }
  if (pick < 0.88) return { rule: { fault: { kind: 'hang' }, times: 1 }, unanswered: true, permanent: false }
  if (provider === 'delos' && pick < 0.94) {
    return {
      rule: {
        fault: {
          kind: 'delos-error',
          message: 'File is locked and cannot be deleted',
          httpStatus: random() < 0.5 ? 200 : 423
        },
        times: 1
      },
      unanswered: false,
      permanent: true
    }
  }
  return { rule: { fault: { kind: 'retryable', status: 503 }, times: 1 }, unanswered: true, permanent: false }
}

describe('chaos: the store agrees with the report, whatever the faults', () => {
  test.each(CASES.map((c, i) => ({ ...c, seed: SEED + i })))(
    '$name (seed $seed)',
    async ({ provider, bulk, seed }) => {
      const random = seededRandom(seed)
      const taken = new Set<string>()
      const existing = makeIds(random, EXISTING, taken)
      const unplanned = makeIds(random, UNPLANNED, taken)
      const ghosts = makeIds(random, GHOSTS, taken)
      // Delos: a few files are locked or forbidden for good (they exist and cannot be deleted).
      const locked = provider === 'delos' ? existing.slice(0, 6) : []
      const forbidden = provider === 'delos' ? existing.slice(6, 10) : []
      const planned = shuffle(random, [...existing, ...ghosts])
      const initial = new Set([...existing, ...unplanned])

      const emulator = await emulate({
        provider,
        files: [...existing.filter(id => !locked.includes(id) && !forbidden.includes(id)), ...unplanned],
        ...(provider === 'delos' ? { customerId: 'cust_7', lockedIds: locked, forbiddenIds: forbidden } : {})
      })

      const unansweredOnce = new Set<string>()
      const permanent = new Set<string>([...locked, ...forbidden])
      let rateLimitsLeft = RATE_LIMITED_IDS
      const inBulk = provider === 'imagekit' && bulk !== 'false'
      for (const id of planned) {
        if (random() >= (inBulk ? BULK_FAULT_RATE : FAULT_RATE) || permanent.has(id)) continue
        const { rule, unanswered, permanent: forGood } = randomFault(random, provider, rateLimitsLeft, inBulk ? 1 : 3)
        if (rule.fault?.kind === 'rate-limit') rateLimitsLeft--
        emulator.inject({ id, fault: rule.fault!, times: rule.times ?? 1 })
        if (unanswered) unansweredOnce.add(id)
        if (forGood) permanent.add(id)
      }

      const dir = scratchDir('file-purge-chaos-')
      writeFileSync(path.join(dir, 'ids.json'), JSON.stringify(planned))
      const run = await runActionOnce({
        workspace: dir,
        timeoutMs: 90_000,
        inputs: {
          provider,
          'api-key': KEY,
          'base-url': emulator.url,
          'file-ids-file': 'ids.json',
          concurrency: '16',
          'max-retries': '4',
          'timeout-seconds': String(TIMEOUT_SECONDS),
          'max-deletions': '5000',
          ...(bulk ? { bulk } : {}),
          ...(provider === 'delos' ? { 'customer-id': 'cust_7' } : {})
        }
      })
      if (process.env.CHAOS_VERBOSE)
        console.log(provider, bulk ?? '', `${run.durationMs} ms`, (run.report as { totals: unknown }).totals)
      const context = `seed ${seed}, ${provider}${bulk ? ` bulk=${bulk}` : ''}: rerun with CHAOS_SEED=${SEED}`
      if (run.timedOut || (run.exitCode !== 0 && run.exitCode !== 1))
        throw new Error(
          `${context}: the action crashed or hung (${run.exitCode}, ${run.signal})\n${run.stderr.slice(-2000)}\n${run.stdout.slice(-3000)}`
        )

      const report = run.report as Report
      const outputs = {
        deleted: JSON.parse(run.outputs.deleted ?? 'null') as string[],
        missing: JSON.parse(run.outputs.missing ?? 'null') as string[],
        failed: JSON.parse(run.outputs.failed ?? 'null') as string[]
      }

      // Every planned ID once, in order, with exactly one outcome; the outputs partition the plan.
      expect(JSON.parse(run.outputs.planned ?? 'null')).toEqual(planned)
      expect(report.entries.map(e => e.id)).toEqual(planned)
      const outcome = new Map(report.entries.map(e => [e.id, e.outcome]))
      expect(outputs.deleted).toEqual(planned.filter(id => outcome.get(id) === 'deleted'))
      expect(outputs.missing).toEqual(planned.filter(id => outcome.get(id) === 'missing'))
      expect(outputs.failed).toEqual(planned.filter(id => outcome.get(id) === 'failed'))
      expect(outputs.deleted.length + outputs.missing.length + outputs.failed.length).toBe(planned.length)
      expect(run.outputs['deleted-count']).toBe(String(outputs.deleted.length))
      expect(run.exitCode).toBe(outputs.failed.length > 0 ? 1 : 0)

      // The store agrees with the report.
      const plannedSet = new Set(planned)
      const wrong: string[] = []
      for (const e of report.entries) {
        if (e.outcome === 'deleted' && emulator.store.has(e.id))
          wrong.push(`${JSON.stringify(e.id)} reported deleted but still exists`)
        if (e.outcome === 'missing' && initial.has(e.id))
          wrong.push(`${JSON.stringify(e.id)} reported missing but existed`)
        if (e.outcome === 'deleted' && !initial.has(e.id) && !/counted as deleted/.test(e.reason ?? ''))
          wrong.push(`${JSON.stringify(e.id)} never existed yet reported deleted without saying it was inferred`)
      }
      for (const id of emulator.store) {
        if (plannedSet.has(id) && outcome.get(id) !== 'failed')
          wrong.push(`${JSON.stringify(id)} still exists but was reported ${outcome.get(id)}`)
      }
      for (const id of emulator.deleted)
        if (!plannedSet.has(id)) wrong.push(`${JSON.stringify(id)} deleted but never planned`)
      for (const id of unplanned) if (!emulator.store.has(id)) wrong.push(`unplanned ${JSON.stringify(id)} is gone`)
      expect({ context, wrong }).toEqual({ context, wrong: [] })

      // Nothing left the provider's route, and nothing named an unplanned ID.
      const outside = emulator.requests
        .filter(r => r.id === undefined && r.ids === undefined)
        .map(r => `${r.method} ${r.url}`)
      expect({ context, outside }).toEqual({ context, outside: [] })
      const strangers = emulator.requests
        .flatMap(r => [...(r.id === undefined ? [] : [r.id]), ...(r.ids ?? [])])
        .filter(id => !plannedSet.has(id))
      expect({ context, strangers }).toEqual({ context, strangers: [] })

      // One request at a time per ID: exact outcomes are known (a bulk chunk shares faults, so only the store is checked there).
      if (provider !== 'imagekit' || bulk === 'false') {
        const expected = (id: string): string => {
          if (permanent.has(id)) return 'failed'
          if (existing.includes(id)) return 'deleted'
          return unansweredOnce.has(id) ? 'deleted' : 'missing'
        }
        const mismatches = planned
          .filter(id => outcome.get(id) !== expected(id))
          .map(
            id =>
              `${JSON.stringify(id)}: ${outcome.get(id)}, expected ${expected(id)} (${report.entries.find(e => e.id === id)?.reason})`
          )
        expect({ context, mismatches }).toEqual({ context, mismatches: [] })
      }

      // The key, and its Basic form, in no channel (the ::add-mask:: lines are what hide it).
      expectNoSecret(run, wireForms(KEY))
    },
    100_000
  )
})
