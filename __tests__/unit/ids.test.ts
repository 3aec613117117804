import { describe, expect, test } from '@jest/globals'
import {
  globMatch,
  idHash,
  idHint,
  idProblem,
  parseIds,
  protectedBy,
  shardOf,
  uniqueIds
} from '../../src/settings/ids.js'

describe('ID parsing', () => {
  test('splits on newlines, commas and white space, dropping empties', () => {
    expect(parseIds('a\n b,c\t\td,,\n \n e', 'file-ids')).toEqual({ ids: ['a', 'b', 'c', 'd', 'e'], problems: [] })
  })

  test('reads a JSON array when the first non-blank character is [', () => {
    expect(parseIds('  \n ["x-1", "y,2"]', 'file-ids')).toEqual({ ids: ['x-1', 'y,2'], problems: [] })
  })

  test.each([
    ['[not json', /file-ids: starts with "\[" but is not valid JSON/],
    ['[1, "a"]', /file-ids: JSON array item 0 is not a string/],
    ['[["a"]]', /JSON array item 0 is not a string/]
  ])('a value starting with [ that is not an array of strings is a violation: %s', (text, message) => {
    const parsed = parseIds(text, 'file-ids')
    expect(parsed.ids).toEqual([])
    expect(parsed.problems).toHaveLength(1)
    expect(parsed.problems[0]).toMatch(message)
  })

  test('a deeply nested JSON array is a violation, not a crash', () => {
    const parsed = parseIds(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'file-ids')
    expect(parsed.ids).toEqual([])
    expect(parsed.problems).toHaveLength(1)
  })

  test.each([
    ['a/b', 'contains "/"'],
    ['a\\b', 'contains "\\\\"'],
    ['a?b', 'contains "?"'],
    ['a#b', 'contains "#"'],
    ['a%2e', 'contains "%"'],
    ['.', 'path step'],
    ['..', 'path step'],
    ['x'.repeat(257), 'longer than 256'],
    ['caf\u00e9', 'non-ASCII character (U+00E9)'],
    ['a\u0000b', 'control or blank character (U+0000)'],
    ['', 'is empty']
  ])('rejects %j', (id, problem) => {
    expect(idProblem(id)).toContain(problem)
  })

  test.each(['a', 'x'.repeat(256), '...', '.a', 'file_78901', '7c36a365-392f-43ba-840d-8f3103b42572', "!$&'()*+;=:@~"])(
    'accepts %j',
    id => {
      expect(idProblem(id)).toBeUndefined()
    }
  )

  test('invalid IDs are named (JSON-quoted, truncated) with the input and the rule; valid ones still parsed', () => {
    const parsed = parseIds('["ok", "a/b", "x\\n::error::boom"]', 'file-ids')
    expect(parsed.ids).toEqual(['ok'])
    expect(parsed.problems[0]).toBe(
      'file-ids: invalid ID "a/b": contains "/" (an ID is 1-256 printable ASCII characters without / \\ ? # %, and not "." or "..")'
    )
    expect(parsed.problems[1]).toContain('"x\\n::error::boom"')
    expect(parsed.problems[1]).not.toContain('\n')
  })

  test('many invalid IDs: twenty named, the rest counted', () => {
    const parsed = parseIds(Array.from({ length: 50 }, (_, i) => `bad/${i}`).join('\n'), 'file-ids')
    expect(parsed.problems).toHaveLength(21)
    expect(parsed.problems[20]).toBe('file-ids: 30 more invalid IDs not listed')
  })

  test('unique IDs keep the order of first appearance across lists', () => {
    expect(uniqueIds(['b', 'a', 'b'], ['c', 'a', 'd'])).toEqual(['b', 'a', 'c', 'd'])
  })
})

describe('protected patterns', () => {
  test.each([
    ['prod-*', 'prod-1', true],
    ['prod-*', 'preprod-1', false],
    ['*-keep', 'x-keep', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['*', 'anything', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['a.c', 'abc', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['prod-*', 'prod-*x', true],
    ['a*b', 'a*xb', true],
    ['*', '*', true],
    ['a\\*', 'a*', false]
  ])('%j matches %j: %s', (pattern, id, expected) => {
    expect(globMatch(pattern, id)).toBe(expected)
  })

  test('a pathological pattern stays fast', () => {
    // Backtracking into every star would try more ways than could ever finish; the matcher goes back to the last
    // star only, so its steps are at most the pattern's length times the ID's.
    expect(globMatch(`${'a*'.repeat(30)}b`, 'a'.repeat(256))).toBe(false)
    expect(globMatch(`${'a*'.repeat(128)}b`, `${'a'.repeat(255)}b`)).toBe(true)
  })

  test('protectedBy names the first matching pattern', () => {
    expect(protectedBy(['keep-*', 'prod-*'], 'prod-7')).toBe('prod-*')
    expect(protectedBy(['keep-*'], 'tmp-7')).toBeUndefined()
  })
})

describe('shards', () => {
  test('the hash is FNV-1a 32-bit, so a shard is stable across runs, machines and versions', () => {
    expect(idHash('')).toBe(0x811c9dc5)
    expect(idHash('a')).toBe(0xe40c292c)
    expect(idHash('foobar')).toBe(0xbf9cf968)
  })

  test('every ID falls in exactly one shard, and shards are balanced', () => {
    const all = Array.from({ length: 10_000 }, (_, i) => `file-${i}`)
    const sizes = new Map<number, number>()
    for (const id of all) {
      const shard = shardOf(id, 8)
      expect(shard).toBeGreaterThanOrEqual(1)
      expect(shard).toBeLessThanOrEqual(8)
      sizes.set(shard, (sizes.get(shard) ?? 0) + 1)
    }
    expect(sizes.size).toBe(8)
    for (const size of sizes.values()) expect(Math.abs(size - 1250)).toBeLessThan(150)
  })
})

describe('IDs that look like a mistake', () => {
  test.each([
    ['a;b', /holds ";"/],
    ['"a"', /wrapped in quotes/],
    ["'a'", /wrapped in quotes/],
    ['pr-42-*', /holds "\*"/]
  ])('%s gets a hint', (id, hint) => expect(idHint(id)).toMatch(hint))
  test.each(['a', 'a"b', "it's", '7c36a365-392f-43ba-840d-8f3103b42572'])('%s gets none', id =>
    expect(idHint(id)).toBeUndefined()
  )
})
