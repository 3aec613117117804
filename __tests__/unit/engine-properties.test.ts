import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { DEFAULT_BACKOFF } from '../../src/engine/pacing.js'
import { bindProvider, PROVIDER_NAMES, PROVIDERS, type ProviderName } from '../../src/providers/index.js'
import { MAX_RATE_LIMITED_ATTEMPTS } from '../../src/engine/decide.js'
import type { IdResult } from '../../src/engine/outcome.js'
import type { PurgeOptions } from '../../src/engine/purge.js'
import { purgeAll, virtualClock } from '../helpers/engine.js'
import {
  expectedOutcome,
  fakeProvider,
  type FakeProvider,
  type FakeProviderOptions,
  type FaultKind
} from '../helpers/fake-provider.js'
import { run, validId } from '../helpers/properties.js'
import { KEY, seededRandom, wireForms } from '../helpers/common.js'

/**
 * Properties of the engine under random faults: every ID settles once, as the provider's ground truth says.
 */

const NAMES = PROVIDER_NAMES

describe('the engine under random faults', () => {
  const BASIC = Buffer.from(`${KEY}:`).toString('base64')
  /** Forms of the key that must never reach a reason: the key, and the Basic value where the provider sends one. */
  const secretForms = (name: ProviderName): string[] => (name === 'imagekit' ? wireForms(KEY) : [KEY])
  /** The longest the engine waits after one answer: the backoff cap (429 without hint adds base/2); hints here are ≤ 2 s. */
  const MAX_WAIT = DEFAULT_BACKOFF.capMs + DEFAULT_BACKOFF.baseMs / 2
  const MAX_LATENCY = 40

  const fault = fc.oneof(
    { arbitrary: fc.constant<FaultKind>('ok'), weight: 4 },
    { arbitrary: fc.constantFrom<FaultKind>('500', '502', '503', 'html502'), weight: 2 },
    { arbitrary: fc.constantFrom<FaultKind>('429', '429hint'), weight: 3 },
    { arbitrary: fc.constantFrom<FaultKind>('reset', 'timeout', 'lost'), weight: 2 }
  )
  const scenario = fc.record({
    name: fc.constantFrom(...NAMES),
    files: fc
      .uniqueArray(validId, { minLength: 1, maxLength: 10 })
      .chain(ids =>
        fc.tuple(
          fc.constant(ids),
          fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
          fc.array(fc.array(fault, { maxLength: 24 }), { minLength: ids.length, maxLength: ids.length })
        )
      ),
    concurrency: fc.integer({ min: 1, max: 6 }),
    maxRetries: fc.integer({ min: 0, max: 4 }),
    timeoutMs: fc.integer({ min: 1000, max: 5000 }),
    hintMs: fc.integer({ min: 0, max: 2000 }),
    seed: fc.nat()
  })

  /** Resolves with the engine's result, or fails the property when the run does not end within real seconds. */
  async function ends<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the run did not end')), 10_000)
    })
    try {
      return await Promise.race([promise, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  function checkReasons(name: ProviderName, results: readonly IdResult[], debug: readonly string[]): void {
    const SECRET_FORMS = secretForms(name)
    for (const r of results) {
      if (r.reason === null) continue
      expect(r.reason.length).toBeLessThanOrEqual(200)
      expect(r.reason).not.toMatch(/[\r\n]/)
      for (const form of SECRET_FORMS) expect(r.reason).not.toContain(form)
    }
    for (const line of debug) for (const form of SECRET_FORMS) expect(line).not.toContain(form)
  }

  /** The emulated provider on this clock, answering after 1–40 ms, with the key (and its Basic form) in its errors. */
  function fakeFor(
    name: ProviderName,
    clock: ReturnType<typeof virtualClock>,
    random: () => number,
    options: Pick<FakeProviderOptions, 'files' | 'fault' | 'hintMs' | 'emulator'>
  ) {
    return fakeProvider({
      provider: name,
      key: KEY,
      clock,
      latency: () => 1 + Math.floor(random() * MAX_LATENCY),
      echo: `key=${KEY} auth=Basic ${BASIC}`,
      ...options
    })
  }

  /** The engine against the fake, with the run's secrets; fails the property when the run does not end. */
  async function purgeThrough(
    fake: FakeProvider,
    name: ProviderName,
    options: Pick<PurgeOptions, 'ids' | 'concurrency' | 'maxRetries' | 'timeoutMs' | 'clock' | 'random'> & {
      onResult?: PurgeOptions['onResult']
      bulk: boolean
      base?: string
    }
  ) {
    const { bulk, base, ...engine } = options
    const provider = PROVIDERS[name]
    const context = { baseUrl: new URL(base ?? 'https://provider.test'), apiKey: KEY, customerId: '' }
    const debug: string[] = []
    const started = options.clock?.now() ?? 0
    const result = await ends(
      purgeAll({
        ...engine,
        ...bindProvider(provider, context, bulk),
        transport: { send: fake.send },
        secrets: [KEY, ...provider.derivedSecrets(KEY)],
        onDebug: line => debug.push(line)
      })
    )
    return { result, debug, elapsed: (options.clock?.now() ?? 0) - started }
  }

  test('every planned ID settles once, outcomes match what the provider did, attempts and virtual time are bounded, no key in a reason', async () => {
    await run(
      fc.asyncProperty(
        scenario,
        async ({ name, files: [ids, exists, plans], concurrency, maxRetries, timeoutMs, hintMs, seed }) => {
          const plan = new Map(ids.map((id, i) => [id, plans[i]!]))
          const random = seededRandom(seed)
          const clock = virtualClock()
          const fake = fakeFor(name, clock, random, {
            files: ids.filter((_, i) => exists[i]),
            fault: (asked, attempt) => plan.get(asked[0]!)?.[attempt - 1] ?? 'ok',
            hintMs,
            emulator: { pathPrefix: '/base' }
          })
          const reported: IdResult[] = []
          const { result, debug, elapsed } = await purgeThrough(fake, name, {
            ids,
            bulk: false,
            base: 'https://provider.test/base',
            concurrency,
            maxRetries,
            timeoutMs,
            clock,
            random,
            onResult: r => reported.push(r)
          })

          // Exactly the planned IDs, in order, each with one outcome, each reported once as it settled.
          expect(result.results.map(r => r.id)).toEqual(ids)
          expect(reported.map(r => r.id).sort()).toEqual([...ids].sort())
          expect(result.credentialsRejected).toBe(false)
          expect(result.requests).toBe(fake.calls.length)

          // Only planned IDs were ever asked for, one at a time.
          const planned = new Set(ids)
          for (const call of fake.calls) {
            expect(call.ids).toHaveLength(1)
            expect(planned.has(call.ids[0]!)).toBe(true)
          }

          for (const r of result.results) {
            const seen = fake.observed.get(r.id) ?? []
            // Attempts: what the provider saw; non-429 attempts within max-retries + 1, 429s within the cap.
            expect(r.attempts).toBe(fake.calls.filter(c => c.ids[0] === r.id).length)
            expect(seen.filter(s => s !== 'rate').length).toBeLessThanOrEqual(maxRetries + 1)
            expect(seen.filter(s => s === 'rate').length).toBeLessThanOrEqual(MAX_RATE_LIMITED_ATTEMPTS)
            // The outcome follows from what the engine could observe.
            expect({ id: r.id, outcome: r.outcome }).toEqual({ id: r.id, outcome: expectedOutcome(seen) })
            // Ground truth: a deleted ID is gone, a missing one never existed, a file still there was reported failed.
            if (r.outcome === 'deleted') expect(fake.store.has(r.id)).toBe(false)
            if (r.outcome === 'missing') expect(fake.initial.has(r.id)).toBe(false)
            if (fake.store.has(r.id)) expect(r.outcome).toBe('failed')
          }
          for (const id of fake.deleted) expect(planned.has(id)).toBe(true)

          // The run ends in bounded virtual time: every idle stretch ends with a start and lasts at most one wait.
          const perAttempt = Math.max(timeoutMs, MAX_LATENCY) + MAX_WAIT
          expect(fake.calls.length).toBeLessThanOrEqual(ids.length * (maxRetries + 1 + MAX_RATE_LIMITED_ATTEMPTS))
          expect(elapsed).toBeLessThanOrEqual((fake.calls.length + 1) * perAttempt)
          expect(elapsed).toBeLessThanOrEqual(
            (ids.length * (maxRetries + 1 + MAX_RATE_LIMITED_ATTEMPTS) + 1) * perAttempt
          )

          checkReasons(name, result.results, debug)
        }
      ),
      300
    )
  })

  test('with a bulk endpoint: the same ground truth, bounded requests and time', async () => {
    const withBulk = NAMES.filter(name => PROVIDERS[name].bulk !== undefined)
    if (withBulk.length === 0) return
    const bulkScenario = fc.record({
      name: fc.constantFrom(...withBulk),
      n: fc.integer({ min: 1, max: 230 }),
      existRate: fc.constantFrom(0.5, 0.9, 1),
      faults: fc.array(fault, { maxLength: 12 }),
      concurrency: fc.integer({ min: 1, max: 6 }),
      maxRetries: fc.integer({ min: 0, max: 4 }),
      timeoutMs: fc.integer({ min: 1000, max: 5000 }),
      hintMs: fc.integer({ min: 0, max: 2000 }),
      seed: fc.nat()
    })
    await run(
      fc.asyncProperty(
        bulkScenario,
        async ({ name, n, existRate, faults, concurrency, maxRetries, timeoutMs, hintMs, seed }) => {
          const bulk = PROVIDERS[name].bulk!
          const random = seededRandom(seed)
          const ids = Array.from({ length: n }, (_, i) => `f${i}`)
          const clock = virtualClock()
          // Faults by request number, over bulk and single requests alike.
          let seq = 0
          const fake = fakeFor(name, clock, random, {
            files: ids.filter(() => random() < existRate),
            fault: () => faults[seq++] ?? 'ok',
            hintMs
          })
          const { result, debug, elapsed } = await purgeThrough(fake, name, {
            ids,
            bulk: true,
            concurrency,
            maxRetries,
            timeoutMs,
            clock,
            random
          })
          expect(result.results.map(r => r.id)).toEqual(ids)
          const planned = new Set(ids)
          for (const call of fake.calls) {
            expect(call.ids.length).toBeLessThanOrEqual(bulk.maxIds)
            expect(new Set(call.ids).size).toBe(call.ids.length)
            for (const id of call.ids) expect(planned.has(id)).toBe(true)
          }
          for (const r of result.results) {
            if (r.outcome === 'deleted') expect(fake.store.has(r.id)).toBe(false)
            if (r.outcome === 'missing') expect(fake.initial.has(r.id)).toBe(false)
            if (fake.store.has(r.id)) expect(r.outcome).toBe('failed')
            // A deletion the provider did not confirm is only ever inferred from our own unanswered attempt.
            if (r.outcome === 'deleted' && !fake.initial.has(r.id)) expect(r.reason).toMatch(/counted as deleted/)
          }
          for (const id of fake.deleted) expect(planned.has(id)).toBe(true)
          const perAttempt = Math.max(timeoutMs, MAX_LATENCY) + MAX_WAIT
          expect(elapsed).toBeLessThanOrEqual((fake.calls.length + 1) * perAttempt)
          // Faults are finite: once they are used up every chunk and every ID gets a definite answer.
          expect(fake.calls.length).toBeLessThanOrEqual(faults.length + 3 * Math.ceil(n / bulk.maxIds) + 2 * n)
          checkReasons(name, result.results, debug)
        }
      ),
      120
    )
  })

  test('a single 401 anywhere: credentials rejected, and no request starts after that answer was processed', async () => {
    const rejection = fc.record({
      name: fc.constantFrom(...NAMES),
      ids: fc.uniqueArray(validId, { minLength: 1, maxLength: 12 }),
      faults: fc.array(fault, { maxLength: 30 }),
      at: fc.integer({ min: 0, max: 14 }),
      concurrency: fc.integer({ min: 1, max: 6 }),
      maxRetries: fc.integer({ min: 0, max: 4 }),
      seed: fc.nat()
    })
    await run(
      fc.asyncProperty(rejection, async ({ name, ids, faults, at, concurrency, maxRetries, seed }) => {
        const random = seededRandom(seed)
        const clock = virtualClock()
        let seq = 0
        const fake = fakeFor(name, clock, random, {
          files: ids,
          // The request numbered `at` (if the run gets that far) is answered 401; the others by the random faults.
          fault: () => {
            const n = seq++
            return n === at ? '401' : (faults[n] ?? 'ok')
          },
          hintMs: 200
        })
        let requestsWhenProcessed: number | undefined
        const { result } = await purgeThrough(fake, name, {
          ids,
          bulk: false,
          concurrency,
          maxRetries,
          timeoutMs: 2000,
          clock,
          random,
          onResult: r => {
            if (r.reason?.startsWith('credentials rejected')) requestsWhenProcessed ??= fake.calls.length
          }
        })
        const got401 = fake.calls.some(c => c.fault === '401')
        expect(result.credentialsRejected).toBe(got401)
        expect(result.results.map(r => r.id)).toEqual(ids)
        if (got401) {
          expect(requestsWhenProcessed).toBeDefined()
          expect(fake.calls.length).toBe(requestsWhenProcessed)
          const rejectedId = fake.calls.find(c => c.fault === '401')!.ids[0]
          expect(result.results.find(r => r.id === rejectedId)).toMatchObject({
            outcome: 'failed',
            reason: expect.stringMatching(/^credentials rejected/)
          })
          for (const r of result.results) {
            // Not attempted: the 401 stopped the run (or a rate-limit stop that came first did).
            if (r.attempts === 0)
              expect(r).toMatchObject({
                outcome: 'failed',
                reason: expect.stringMatching(/^not attempted: (credentials rejected|rate limited)/)
              })
          }
        }
        for (const r of result.results) {
          if (r.outcome === 'deleted') expect(fake.store.has(r.id)).toBe(false)
          if (fake.store.has(r.id)) expect(r.outcome).toBe('failed')
        }
        checkReasons(name, result.results, [])
      }),
      300
    )
  })
})
