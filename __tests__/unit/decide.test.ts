import { describe, expect, test } from '@jest/globals'
import type { BulkClassification, Classification } from '../../src/providers/types.js'
import {
  decide,
  FRESH_BUDGET,
  isProgress,
  isSuccess,
  MAX_RATE_LIMITED_ATTEMPTS,
  type Budget,
  type Decision,
  type Rules,
  type RunView
} from '../../src/engine/decide.js'
import { DEFAULT_BACKOFF } from '../../src/engine/pacing.js'

/** The engine's rules, one answer at a time: no clock, no timers, no transport. */

const RULES: Rules = { maxRetries: 3, backoff: DEFAULT_BACKOFF, stallLimitMs: 80_000, random: () => 1 }
const RUN: RunView = { now: 100_000, stopReason: undefined, stalled: false, lastProgressAt: 99_000, stalledPauses: 0 }
const unit = (attempts = 1, budget: Partial<Budget> = {}, bulk = false) => ({
  attempts,
  bulk,
  budget: { ...FRESH_BUDGET, ...budget }
})

const retry = (extra: Partial<Extract<Classification, { kind: 'retry' }>> = {}): Classification => ({
  kind: 'retry',
  reason: 'HTTP 503: Service Unavailable',
  rateLimited: false,
  unanswered: true,
  ...extra
})
const limited = (waitMs?: number): Classification => ({
  kind: 'retry',
  reason: 'HTTP 429: Too many requests',
  rateLimited: true,
  unanswered: false,
  ...(waitMs === undefined ? {} : { waitMs })
})

type Row = [string, Classification | BulkClassification, ReturnType<typeof unit>, Partial<RunView>, Decision]

const ROWS: Row[] = [
  [
    'a deletion settles the unit',
    { kind: 'deleted' },
    unit(),
    {},
    { kind: 'settle', outcome: 'deleted', reason: null }
  ],
  [
    'a not-found is left to the ledger (missing, or deleted after an unanswered attempt)',
    { kind: 'missing', reason: 'HTTP 404' },
    unit(),
    {},
    { kind: 'not-found', reason: 'HTTP 404' }
  ],
  [
    'a final failure settles failed',
    { kind: 'failed', reason: 'HTTP 423: locked' },
    unit(),
    {},
    { kind: 'settle', outcome: 'failed', reason: 'HTTP 423: locked' }
  ],
  [
    'rejected credentials stop the run',
    { kind: 'credentials-rejected', reason: 'HTTP 401: Invalid API key' },
    unit(),
    {},
    {
      kind: 'stop',
      reason: 'credentials rejected',
      unitReason: 'credentials rejected: HTTP 401: Invalid API key',
      credentialsRejected: true
    }
  ],
  [
    'a bulk answer listing deletions',
    { kind: 'deleted', deleted: ['a'], refused: [], unconfirmed: ['b'] },
    unit(1, {}, true),
    {},
    { kind: 'bulk-deleted', deleted: new Set(['a']), refused: new Map() }
  ],
  [
    'a bulk answer listing deletions and refusals',
    { kind: 'deleted', deleted: ['a'], refused: [{ id: 'b', reason: 'HTTP 207: locked' }], unconfirmed: [] },
    unit(1, {}, true),
    {},
    { kind: 'bulk-deleted', deleted: new Set(['a']), refused: new Map([['b', 'HTTP 207: locked']]) }
  ],
  [
    'a bulk answer listing missing IDs',
    { kind: 'missing', missing: ['b'], reason: 'HTTP 404: gone' },
    unit(1, {}, true),
    {},
    { kind: 'bulk-missing', missing: new Set(['b']), reason: 'HTTP 404: gone' }
  ],
  [
    'a bulk call that cannot serve the chunk',
    { kind: 'fallback', reason: 'HTTP 400', unanswered: false },
    unit(1, {}, true),
    {},
    { kind: 'fall-back', reason: 'HTTP 400' }
  ],
  [
    'a 5xx is retried after the full-jitter backoff of its first retry',
    retry(),
    unit(),
    {},
    { kind: 'retry', afterMs: 500 }
  ],
  ['the third retry waits up to 2 s', retry(), unit(3, { retriesUsed: 2 }), {}, { kind: 'retry', afterMs: 2000 }],
  ['a hint replaces the backoff', retry({ waitMs: 4000 }), unit(), {}, { kind: 'retry', afterMs: 4000 }],
  [
    'retries used up: failed, with the attempt count',
    retry(),
    unit(4, { retriesUsed: 3 }),
    {},
    { kind: 'settle', outcome: 'failed', reason: 'HTTP 503: Service Unavailable (4 attempts)' }
  ],
  [
    'retries used up on a bulk chunk: one by one instead',
    retry(),
    unit(4, { retriesUsed: 3 }, true),
    {},
    { kind: 'fall-back', reason: 'HTTP 503: Service Unavailable (4 attempts)' }
  ],
  [
    'a 5xx asking for more than 60 s fails that unit only',
    retry({ waitMs: 3_600_000 }),
    unit(),
    {},
    {
      kind: 'settle',
      outcome: 'failed',
      reason: 'HTTP 503: Service Unavailable; the provider asks to wait 3600 s, longer than the 60 s this action waits'
    }
  ],
  [
    'a 429 asking for more than 60 s stops the run',
    limited(3_600_000),
    unit(),
    {},
    {
      kind: 'stop',
      reason: 'rate limited: the provider asks to wait 3600 s, longer than the 60 s this action waits',
      unitReason:
        'HTTP 429: Too many requests; the provider asks to wait 3600 s, longer than the 60 s this action waits',
      credentialsRejected: false
    }
  ],
  [
    'a 429 with a hint parks the unit for that long',
    limited(1500),
    unit(),
    {},
    { kind: 'park', waitMs: 1500, hinted: true }
  ],
  [
    'a 429 without a hint parks it for a short jittered pause',
    limited(),
    unit(),
    {},
    { kind: 'park', waitMs: 375, hinted: false }
  ],
  [
    'the pause grows while pauses find nothing but 429s',
    limited(),
    unit(),
    { stalled: true, stalledPauses: 2 },
    { kind: 'park', waitMs: 1125, hinted: false }
  ],
  [
    'a unit refused too often fails',
    limited(100),
    unit(20, { rateLimited: MAX_RATE_LIMITED_ATTEMPTS - 1 }),
    {},
    { kind: 'settle', outcome: 'failed', reason: 'HTTP 429: Too many requests (20 attempts)' }
  ],
  [
    'nothing but 429s past the stall limit stops the run',
    limited(100),
    unit(5),
    { stalled: true, lastProgressAt: 100_000 - 80_001 },
    {
      kind: 'stop',
      reason: 'rate limited: nothing got through for 80 s',
      unitReason: 'HTTP 429: Too many requests (5 attempts)',
      credentialsRejected: false
    }
  ],
  [
    'the stall limit counts only while stalled',
    limited(100),
    unit(5),
    { stalled: false, lastProgressAt: 0 },
    { kind: 'park', waitMs: 100, hinted: true }
  ],
  [
    'once the run has stopped, a retryable answer is not sent again',
    retry(),
    unit(),
    { stopReason: 'credentials rejected' },
    { kind: 'abandon' }
  ],
  [
    'once stopped, even a long hint is not waited for',
    limited(3_600_000),
    unit(),
    { stopReason: 'cancelled' },
    { kind: 'abandon' }
  ]
]

describe('decide: one answer, one decision', () => {
  test.each(ROWS)('%s', (_, classification, unitView, run, expected) => {
    expect(decide(classification, unitView, { ...RUN, ...run }, RULES).decision).toEqual(expected)
  })
})

describe('the budget a decision leaves', () => {
  test('a retry uses one retry; a 429 uses none but counts as refused; the last reason is kept', () => {
    const afterRetry = decide(retry(), unit(), RUN, RULES).budget
    expect(afterRetry).toEqual({ retriesUsed: 1, rateLimited: 0, lastReason: 'HTTP 503: Service Unavailable' })
    const afterLimit = decide(limited(100), unit(2, afterRetry), RUN, RULES).budget
    expect(afterLimit).toEqual({ retriesUsed: 1, rateLimited: 1, lastReason: 'HTTP 429: Too many requests' })
  })

  test('final answers leave the budget as it was', () => {
    const budget = { retriesUsed: 2, rateLimited: 1, lastReason: 'x' }
    for (const answer of [
      { kind: 'deleted' },
      { kind: 'failed', reason: 'r' },
      { kind: 'missing', reason: 'r' }
    ] as Classification[]) {
      expect(decide(answer, unit(3, budget), RUN, RULES).budget).toEqual(budget)
    }
  })

  test('a chunk that falls back after its retries passes them on, so each ID still gets its own attempt', () => {
    const { decision, budget } = decide(retry(), unit(4, { retriesUsed: 3 }, true), RUN, RULES)
    expect(decision.kind).toBe('fall-back')
    expect(budget.retriesUsed).toBe(4)
  })
})

describe('what an answer says about the request', () => {
  test.each<[string, boolean, boolean, boolean, Classification | BulkClassification]>([
    ['a deletion', true, true, false, { kind: 'deleted' }],
    ['a not-found', true, true, false, { kind: 'missing', reason: '' }],
    ['a failure', true, false, false, { kind: 'failed', reason: '' }],
    ['a 5xx', true, false, true, retry()],
    ['a 429', false, false, false, limited()],
    ['a bulk fallback after an unreadable 2xx', true, false, true, { kind: 'fallback', reason: '', unanswered: true }]
  ])('%s: progress %s, success %s, unanswered %s', (_, progress, success, unanswered, classification) => {
    expect(isProgress(classification)).toBe(progress)
    expect(isSuccess(classification)).toBe(success)
    expect(decide(classification, unit(), RUN, RULES).unanswered).toBe(unanswered)
  })
})
