import { describe, expect, test } from '@jest/globals'
import { markdownCell, oneLine, scrub } from '../src/text.js'

describe('markdownCell: one escaper for the summary and the comment', () => {
  test.each([
    ['a|b', 'a&#124;b'],
    ['<img src=x>', '&#60;img src=x&#62;'],
    ['[link](https://x)', '&#91;link&#93;(https://x)'],
    ['@team', '&#64;team'],
    ['*bold* _em_ ~del~ `code` \\', '&#42;bold&#42; &#95;em&#95; &#126;del&#126; &#96;code&#96; &#92;'],
    ['a &amp; b', 'a &#38;amp; b'],
    ['two\nlines\r\n::error::x', 'two lines : :error: :x']
  ])('%j → %j', (text, cell) => expect(markdownCell(text, 300)).toBe(cell))

  test('cut to the length given, before escaping', () => {
    expect(markdownCell('x'.repeat(500), 200)).toBe(`${'x'.repeat(199)}…`)
  })
})

describe('scrub and oneLine', () => {
  test('the longest secret form goes first, so a derived form is never half replaced', () => {
    expect(scrub('Basic a2V5Og== and key', ['key', 'Basic a2V5Og==', 'a2V5Og=='])).toBe('*** and ***')
  })
  test('line breaks and the runner command markers are broken up', () => {
    expect(oneLine('a\u2028b ##[error]c', 100)).toBe('a b # #[error]c')
  })
})
