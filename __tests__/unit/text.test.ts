import { describe, expect, test } from '@jest/globals'
import {
  jsonText,
  logSafe,
  markdownCell,
  oneLine,
  quote,
  safeJson,
  scrub,
  scrubCut,
  secretVariants
} from '../../src/text.js'

describe('markdownCell: one code span for the summary and the comment', () => {
  test.each([
    ['a|b', '` a\\|b `'],
    ['<img src=x>', '` <img src=x> `'],
    ['[link](https://x)', '` [link](https://x) `'],
    ['@team', '` @team `'],
    ['*bold* _em_ ~del~ `code` \\', '`` *bold* _em_ ~del~ `code` \\ ``'],
    ['a ``` b', '```` a ``` b ````'],
    ['a &amp; b', '` a &amp; b `'],
    ['two\nlines\r\n::error::x', '` two lines ::error::x `'],
    ['', ''],
    [' \n ', '']
  ])('%j → %j', (text, cell) => expect(markdownCell(text, 300)).toBe(cell))

  test('cut to the length given, before the fence', () => {
    expect(markdownCell('x'.repeat(500), 200)).toBe(`\` ${'x'.repeat(199)}… \``)
  })
})

describe('scrub and oneLine', () => {
  test('the longest secret form goes first, so a derived form is never half replaced', () => {
    expect(scrub('Basic a2V5Og== and key', ['key', 'Basic a2V5Og==', 'a2V5Og=='])).toBe('*** and ***')
  })
  test('line breaks and the runner command markers are broken up, also through invisible characters', () => {
    expect(oneLine('a\u2028b ##[error]c', 100)).toBe('a b # #[error]c')
    expect(oneLine('#\u00ad#[error]c :\u200b:x', 100)).toBe('# \u00ad#[error]c : \u200b:x')
  })
  test('scrubCut also hides the start of a secret where the text was cut right after it', () => {
    const secret = 'sk-TEST-k3y/odd'
    expect(scrubCut(`invalid ID "${'x'.repeat(70)}/sk-TEST-k3…" (96 characters)`, [secret])).toBe(
      `invalid ID "${'x'.repeat(70)}/***…" (96 characters)`
    )
    // Three characters are too few to tell a secret from chance.
    expect(scrubCut('"ab/sk-…"', [secret])).toBe('"ab/sk-…"')
  })
})

describe('secretVariants: every form a secret may come back in', () => {
  test('as it is, JSON-escaped (also with \\/ and \\u escapes) and percent-encoded (either case)', () => {
    const forms = secretVariants('k/e+y="é"')
    expect(forms).toEqual(
      expect.arrayContaining([
        'k/e+y="é"',
        'k/e+y=\\"é\\"',
        'k\\/e+y=\\"é\\"',
        'k/e+y=\\"\\u00e9\\"',
        'k%2Fe%2By%3D%22%C3%A9%22',
        'k%2fe%2by%3d%22%c3%a9%22'
      ])
    )
    expect(secretVariants('')).toEqual([])
    expect(secretVariants('\ud800')).toEqual(expect.arrayContaining(['\ud800', '\\ud800']))
  })
})

describe('logSafe, jsonText and quote: text the action did not write, in a log line', () => {
  test.each([
    ['::error::x', ': :error::x'],
    [' \t::error::x', '  : :error::x'],
    ['\u00ad::error::x', '\u00ad: :error::x'],
    ['\ufeff::x', '\ufeff: :x'],
    ['a ##[error]b', 'a # #[error]b'],
    ['a ###[error]b', 'a ## #[error]b'],
    ['a #\u200b#[error]b', 'a # \u200b#[error]b'],
    ['a ##vso[task.setvariable]b', 'a # #vso[task.setvariable]b'],
    ['a\rb\nc\u2028d\u2029e\u0085f\u000bg', 'a b c d e f g'],
    ['a::b 50% ok', 'a::b 50% ok']
  ])('logSafe(%j) → %j', (text, line) => expect(logSafe(text)).toBe(line))

  test('jsonText reads back as the same string; no line break, marker or invisible character shows in it', () => {
    for (const value of ['x ##[error]y', '###[', '\u2028\u0085\u200b\ufeff', '##vso[', 'a\ud83d\ude00\u{e0041}']) {
      const text = jsonText(value)
      expect(JSON.parse(text)).toBe(value)
      expect(text).not.toMatch(/##\[|##vso\[|[\u0085\u2028\u200b\ufeff]/u)
    }
    expect(jsonText('x ##[error]y')).toBe('"x \\u0023#[error]y"')
  })

  test('safeJson keeps a whole JSON text the same value', () => {
    const value = { a: ['##[x]', '\\##[y', '\u2029'], '##[k': 1 }
    expect(JSON.parse(safeJson(JSON.stringify(value, null, 2)))).toEqual(value)
  })

  test('quote cuts, then quotes safely', () => {
    expect(quote(`##[${'x'.repeat(100)}`, 10)).toBe('"\\u0023#[xxxxxxx…" (103 characters)')
  })
})
