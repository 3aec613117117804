import { describe, expect, test } from '@jest/globals'
import { markdownCell, oneLine, scrub } from '../src/text.js'

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
  test('line breaks and the runner command markers are broken up', () => {
    expect(oneLine('a\u2028b ##[error]c', 100)).toBe('a b # #[error]c')
  })
})
