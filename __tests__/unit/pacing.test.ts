import { describe, expect, test } from '@jest/globals'
import { Pacer, rateLimitPauseMs, DEFAULT_BACKOFF } from '../../src/engine/pacing.js'
import { bindProvider, PROVIDERS, type ProviderName } from '../../src/providers/index.js'
import { listAll } from '../../src/engine/list.js'
import { purgeAll, virtualClock } from '../helpers/engine.js'
import { fakeProvider } from '../helpers/fake-provider.js'
import { seededRandom } from '../helpers/common.js'

/**
 * The engine on a virtual clock against the emulated provider with a fixed-window rate limit, signalled the way
 * each provider does: Writer and Delos with a bare 429, ImageKit with X-RateLimit-* (ms), AnyFormat with
 * Retry-After (s). Virtual time makes the pacing's figures exact and repeatable.
 */
async function limitedRun(
  provider: ProviderName,
  options: { ids: number; perWindow: number; windowMs: number; seed: number; latencyMs?: number }
) {
  const clock = virtualClock()
  const started = clock.now()
  const ids = Array.from({ length: options.ids }, (_, i) => `f${i}`)
  const fake = fakeProvider({
    provider,
    files: ids,
    key: 'k',
    clock,
    latency: () => options.latencyMs ?? 25,
    emulator: { rateLimit: { limit: options.perWindow, intervalMs: options.windowMs } }
  })
  const context = { baseUrl: new URL('https://provider.test'), apiKey: 'k', customerId: '' }
  const result = await purgeAll({
    ids,
    ...bindProvider(PROVIDERS[provider], context, false),
    transport: { send: fake.send },
    concurrency: 16,
    maxRetries: 3,
    timeoutMs: 30_000,
    secrets: ['k'],
    clock,
    random: seededRandom(options.seed)
  })
  const rate = (options.perWindow / options.windowMs) * 1000
  return {
    deleted: result.results.filter(r => r.outcome === 'deleted').length,
    share429: fake.rateLimited / fake.calls.length,
    ratio: (clock.now() - started) / ((options.ids / rate) * 1000)
  }
}

describe('pacing under a rate limit', () => {
  test.each<ProviderName>(['writer', 'delos', 'imagekit', 'anyformat'])(
    '%s: 300 IDs at 50 per second: all deleted, few 429s, close to N/rate',
    async provider => {
      for (const seed of [1, 2, 3]) {
        const run = await limitedRun(provider, { ids: 300, perWindow: 50, windowMs: 1000, seed })
        expect(run.deleted).toBe(300)
        expect(run.share429).toBeLessThan(0.2)
        expect(run.ratio).toBeLessThan(1.3)
      }
    }
  )

  test("writer's documented 400 per minute: a long window stalls the pool, and no ID fails for it", async () => {
    const run = await limitedRun('writer', { ids: 1000, perWindow: 400, windowMs: 60_000, seed: 7 })
    expect(run.deleted).toBe(1000)
    expect(run.share429).toBeLessThan(0.1)
  })

  test('a 429 without a hint pauses for a short, growing, jittered time', () => {
    expect(rateLimitPauseMs(DEFAULT_BACKOFF, 1, () => 0)).toBe(125)
    expect(rateLimitPauseMs(DEFAULT_BACKOFF, 1, () => 1)).toBe(375)
    expect(rateLimitPauseMs(DEFAULT_BACKOFF, 3, () => 1)).toBe(1125)
    expect(rateLimitPauseMs(DEFAULT_BACKOFF, 20, () => 1)).toBe(20_125)
  })

  test('the pacer learns a pace at a 429 that says nothing, and an announced window wins', () => {
    const pacer = new Pacer(8)
    pacer.started(0)
    for (let i = 0; i < 100; i++) pacer.succeeded(1)
    expect(pacer.spacingMs).toBe(0)
    pacer.rateLimited(2000, 500, false)
    expect(pacer.limit).toBe(4)
    expect(pacer.spacingMs).toBeCloseTo((0.6 * 2000) / 100)
    pacer.window(10, 1000)
    expect(pacer.spacingMs).toBe(100)
  })

  test('a learned pace never drops below one request a second, however slow the answers before the 429', () => {
    const pacer = new Pacer(1)
    pacer.started(0)
    for (let i = 0; i < 5; i++) pacer.succeeded(1)
    pacer.rateLimited(5 * 30_000, 500, false)
    expect(pacer.spacingMs).toBe(1000)
  })

  test('a 429 that says when to retry is waited out, not paced; the limit then regrows at half speed', () => {
    const pacer = new Pacer(8)
    pacer.started(0)
    for (let i = 0; i < 100; i++) pacer.succeeded(1)
    pacer.rateLimited(2000, 500, true)
    expect(pacer.spacingMs).toBe(0)
    expect(pacer.startAt(2100)).toBe(2500)
    for (let i = 0; i < 8; i++) pacer.succeeded(2600)
    expect(pacer.limit).toBe(5)
  })
})

describe('max-rate', () => {
  test('the floor spaces request starts evenly, and a slower announced or learned pace still wins', () => {
    const pacer = new Pacer(16, 120)
    expect(pacer.spacingMs).toBe(500)
    pacer.started(0)
    expect(pacer.startAt(0)).toBe(500)
    pacer.started(500)
    expect(pacer.startAt(600)).toBe(1000)
    pacer.window(1, 2000)
    expect(pacer.spacingMs).toBe(2000)
    pacer.window(100, 1000)
    expect(pacer.spacingMs).toBe(500)
    expect(new Pacer(16).spacingMs).toBe(0)
  })

  test('one cap for the whole run: the listing and the deletes share it, every start at least 60000 / max-rate apart', async () => {
    const clock = virtualClock()
    const files = Array.from({ length: 250 }, (_, i) => `f${i}`)
    const fake = fakeProvider({ provider: 'writer', files, key: 'k', clock, latency: () => 25 })
    const context = { baseUrl: new URL('https://provider.test'), apiKey: 'k', customerId: '' }
    const provider = PROVIDERS.writer
    const pacer = new Pacer(16, 600)
    const started = clock.now()
    const listing = await listAll({
      list: provider.list!,
      filters: {},
      scope: { graphId: '', workflowId: '', customerId: '' },
      context,
      classify: (a, now) => provider.classify(a, now, ''),
      transport: { send: fake.send },
      pacer,
      maxRetries: 3,
      timeoutMs: 30_000,
      secrets: ['k'],
      clock,
      random: seededRandom(1)
    })
    if (!listing.complete) throw new Error(listing.reason)
    const ids = listing.items.map(item => item.id).slice(0, 40)
    const result = await purgeAll({
      ids,
      ...bindProvider(provider, context, false),
      transport: { send: fake.send },
      pacer,
      concurrency: 16,
      maxRetries: 3,
      timeoutMs: 30_000,
      secrets: ['k'],
      clock,
      random: seededRandom(1)
    })
    expect(result.results.every(r => r.outcome === 'deleted')).toBe(true)
    const starts = fake.calls.map(call => call.at)
    expect(fake.calls.filter(call => call.url.search !== '')).toHaveLength(3)
    expect(starts).toHaveLength(3 + 40)
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100)
    expect(Math.max(...gaps)).toBeLessThan(100 + 25 + 1)
    expect(clock.now() - started).toBeLessThan(43 * 100 + 100)
  })
})
