import { describe, expect, test } from '@jest/globals'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { IdResult } from '../../src/engine/outcome.js'
import { asText, EntrySpool } from '../../src/report/file.js'
import { firstShown, SHOWN_PER_KIND, Tally, type ReportEntry } from '../../src/report/tally.js'
import { idResult, reportOf } from '../../__fixtures__/report.js'
import { scratchDir } from '../helpers/common.js'

/** What a run keeps of its results, and the report file put together from its spool. */

const given = { source: 'input' as const, name: null, createdAt: null }

function tally(planned: string[]): { tally: Tally; written: string[] } {
  const written: string[] = []
  return {
    tally: new Tally(
      planned,
      () => given,
      entry => void written.push(entry.id)
    ),
    written
  }
}

describe('the tally', () => {
  test('entries are written once each, in input order, as soon as every earlier ID has settled', () => {
    const run = tally(['a', 'b', 'c', 'd'])
    run.tally.record(2, idResult('c', 'deleted'))
    run.tally.record(1, idResult('b', 'missing', 'HTTP 404', 404))
    expect(run.written).toEqual([])
    run.tally.record(0, idResult('a', 'deleted'))
    expect(run.written).toEqual(['a', 'b', 'c'])
    run.tally.record(3, idResult('d', 'failed', 'HTTP 500', 500))
    expect(run.written).toEqual(['a', 'b', 'c', 'd'])
    expect(run.tally.counts).toEqual({ deleted: 2, missing: 1, failed: 1, attemptedFailed: 1 })
    expect(run.tally.ids('deleted')).toEqual(['a', 'c'])
    expect(run.tally.ids('missing')).toEqual(['b'])
  })

  test('keeps only the first entries of each kind it shows, in input order, and counts them all', () => {
    const ids = Array.from({ length: 2 * SHOWN_PER_KIND + 10 }, (_, i) => `f${i}`)
    const run = tally(ids)
    // Settled in reverse: the kept ones are still the first in input order.
    for (let i = ids.length - 1; i >= 0; i--) {
      const never = i % 2 === 0 && i > 100
      const result: IdResult = i % 2 === 0 ? idResult(ids[i]!, 'failed', 'x', 500) : idResult(ids[i]!, 'missing', 'y')
      run.tally.record(i, never ? { ...result, attempts: 0 } : result)
    }
    const { shown, counts } = run.tally
    expect(shown.failed).toHaveLength(SHOWN_PER_KIND)
    expect(shown.missing).toHaveLength(SHOWN_PER_KIND)
    expect(shown.attemptedFailed.map(s => s.entry.id)).toEqual(ids.filter((_, i) => i % 2 === 0 && i <= 100))
    expect(counts).toEqual({ deleted: 0, missing: SHOWN_PER_KIND + 5, failed: SHOWN_PER_KIND + 5, attemptedFailed: 51 })
    expect(firstShown([shown.missing, shown.failed], 5).map(e => e.id)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4'])
    expect(firstShown([shown.missing], 3).map(e => e.id)).toEqual(['f1', 'f3', 'f5'])
  })

  test('a dry run writes a planned entry per ID', () => {
    const run = tally(['a', 'b'])
    run.tally.recordPlanned()
    expect(run.written).toEqual(['a', 'b'])
    expect(run.tally.counts).toEqual({ deleted: 0, missing: 0, failed: 0, attemptedFailed: 0 })
  })
})

describe('the report file from its spool', () => {
  /** The report as one JSON.stringify would write it, and as the spool renders it in 64 KiB blocks. */
  function both(entries: ReportEntry[]): { whole: string; rendered: string; chunks: number } {
    const report = reportOf([])
    const { entries: _none, lists: _lists, shown: _shown, counts: _counts, ...fields } = report
    const spool = new EntrySpool(scratchDir('spool-'))
    for (const entry of entries) spool.add(entry)
    let rendered = ''
    let chunks = 0
    asText(
      write => spool.render(fields, write),
      text => {
        rendered += text
        chunks++
      }
    )
    spool.remove()
    return { whole: `${JSON.stringify({ ...fields, entries }, null, 2)}\n`, rendered, chunks }
  }

  const entry = (i: number, name: string | null = null): ReportEntry => ({
    id: `file-${i}`,
    outcome: i % 3 === 0 ? 'failed' : 'deleted',
    httpStatus: i % 3 === 0 ? 500 : 204,
    reason: i % 3 === 0 ? 'HTTP 500: "quoted" \\ back\nslash' : null,
    attempts: 1,
    ms: i,
    source: 'selected',
    name,
    createdAt: '2026-01-01T00:00:00.000000Z'
  })

  test('is exactly the whole report stringified, across many blocks and multi-byte characters at their edges', () => {
    const entries = Array.from({ length: 3000 }, (_, i) => entry(i, `${'€'.repeat(i % 7)}naïve-${i}-🗑`))
    const { whole, rendered, chunks } = both(entries)
    expect(chunks).toBeGreaterThan(10)
    expect(rendered).toBe(whole)
    expect((JSON.parse(rendered) as { entries: unknown }).entries).toEqual(entries)
  })

  test('with no entries, and with one', () => {
    expect(both([]).rendered).toBe(both([]).whole)
    const one = both([entry(3)])
    expect(one.rendered).toBe(one.whole)
  })

  test('the spool lives in a private directory of its own, removed with it', () => {
    const parent = scratchDir('spool-')
    const spool = new EntrySpool(parent)
    spool.add(entry(1))
    const [directory] = readdirSync(parent)
    expect(directory).toMatch(/^file-purge-entries-/)
    spool.remove()
    expect(existsSync(path.join(parent, directory!))).toBe(false)
    expect(() => spool.render({}, () => undefined)).toThrow('its entries could not be kept')
  })

  test('a spool that cannot be made drops the entries, and rendering the report says why', () => {
    const spool = new EntrySpool(path.join(scratchDir('spool-'), 'no-such-directory'))
    spool.add(entry(1))
    spool.add(entry(2))
    expect(() => spool.render({}, () => undefined)).toThrow(/^its entries could not be kept: ENOENT/)
    spool.remove()
  })
})
