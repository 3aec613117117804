import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { readIdsFile } from '../../src/settings/inputs.js'
import { scratchDir } from '../helpers/common.js'
import { settingsFrom } from '../helpers/inputs.js'

const base = { provider: 'writer', 'file-ids': 'a', 'api-key': 'k' } as const

describe('reading inputs', () => {
  test('defaults match action.yml when inputs are empty', () => {
    const { settings, all } = settingsFrom(base)
    expect(all).toEqual([])
    expect(settings).toMatchObject({
      ids: ['a'],
      dryRun: false,
      failOn: { failed: true, missing: false },
      maxDeletions: 1000,
      concurrency: 8,
      maxRetries: 3,
      timeoutSeconds: 30,
      customerId: '',
      protectedPatterns: [],
      bulk: true,
      shard: undefined
    })
    expect(settings.baseUrl?.href).toBe('https://api.writer.com/')
  })

  test('provider is case-insensitive', () => {
    expect(settingsFrom({ ...base, provider: ' ImageKit ' }).settings.provider?.name).toBe('imagekit')
  })

  test('a provider with a non-ASCII look-alike letter: the violation names the character', () => {
    // "wrіter" with a Cyrillic і, and "délos": they read as the names they imitate.
    expect(settingsFrom({ ...base, provider: 'wr\u0456ter' }).all.map(v => v.message)).toEqual([
      'provider: unknown provider "wr\u0456ter": it contains a non-ASCII character (U+0456) (allowed: writer, imagekit, delos, anyformat)'
    ])
    expect(settingsFrom({ ...base, provider: 'd\u00e9los' }).all[0]?.message).toContain(
      'contains a non-ASCII character (U+00E9)'
    )
  })

  test('an unknown provider is a violation naming the value', () => {
    expect(settingsFrom({ ...base, provider: 'dropbox' }).all.map(v => v.message)).toEqual([
      'provider: unknown provider "dropbox" (allowed: writer, imagekit, delos, anyformat)'
    ])
  })

  test('both ID inputs: their union, de-duplicated, in order of first appearance', () => {
    const { settings } = settingsFrom(
      { ...base, 'file-ids': 'b, a', 'file-ids-file': 'ids.txt' },
      { readFile: () => 'c\na\nb\nd' }
    )
    expect(settings.ids).toEqual(['b', 'a', 'c', 'd'])
  })

  test('file-ids-file resolves against the workspace', () => {
    let asked = ''
    settingsFrom(
      { ...base, 'file-ids-file': 'lists/ids.json' },
      { readFile: p => ((asked = p), '["x"]'), workspace: '/ws' }
    )
    expect(asked).toBe(path.resolve('/ws', 'lists/ids.json'))
  })

  test('an unreadable file-ids-file is a violation naming the path', () => {
    const { all } = settingsFrom({ ...base, 'file-ids': '', 'file-ids-file': 'nope.txt' }, { workspace: '/ws' })
    expect(all.map(v => v.message)).toEqual(['file-ids-file: cannot read "/ws/nope.txt": no such file'])
  })

  test('readIdsFile refuses a directory and reads a file', () => {
    const dir = scratchDir('ids-')
    expect(() => readIdsFile(dir)).toThrow('not a regular file')
    writeFileSync(path.join(dir, 'ids'), 'a\nb\n')
    expect(readIdsFile(path.join(dir, 'ids'))).toBe('a\nb\n')
  })

  test.each([
    ['concurrency', '0', 'concurrency: "0" is not a whole number from 1 to 64'],
    ['concurrency', '65', 'concurrency: "65" is not a whole number from 1 to 64'],
    ['concurrency', '2.5', 'concurrency: "2.5" is not a whole number from 1 to 64'],
    ['max-retries', '11', 'max-retries: "11" is not a whole number from 0 to 10'],
    ['max-retries', '-1', 'max-retries: "-1" is not a whole number from 0 to 10'],
    ['timeout-seconds', '0', 'timeout-seconds: "0" is not a whole number from 1 to 600'],
    ['timeout-seconds', '601', 'timeout-seconds: "601" is not a whole number from 1 to 600'],
    ['max-deletions', 'lots', 'max-deletions: "lots" is not a whole number from 1 to 1000000'],
    ['dry-run', 'yes', 'dry-run: "yes" is not a boolean (true or false)'],
    ['fail-on', 'failed,gone', 'fail-on: unknown "gone" (allowed: failed, missing, cdn, or none)'],
    ['fail-on', 'none,missing', 'fail-on: "none" cannot be combined with other outcomes'],
    ['bulk', 'no', 'bulk: "no" is not a boolean (true or false)'],
    ['shard', '0/4', 'shard: "0/4" is not i/n with 1 ≤ i ≤ n ≤ 1000 (for example 2/8)'],
    ['shard', '5/4', 'shard: "5/4" is not i/n with 1 ≤ i ≤ n ≤ 1000 (for example 2/8)'],
    ['shard', '2', 'shard: "2" is not i/n with 1 ≤ i ≤ n ≤ 1000 (for example 2/8)'],
    ['shard', '1/1001', 'shard: "1/1001" is not i/n with 1 ≤ i ≤ n ≤ 1000 (for example 2/8)'],
    ['max-rate', '0', 'max-rate: "0" is not a whole number of requests a minute from 1 to 100000'],
    ['max-rate', '100001', 'max-rate: "100001" is not a whole number of requests a minute from 1 to 100000'],
    ['max-rate', '6.5', 'max-rate: "6.5" is not a whole number of requests a minute from 1 to 100000'],
    ['max-rate', '400/min', 'max-rate: "400/min" is not a whole number of requests a minute from 1 to 100000']
  ])('%s %j is a violation', (input, value, message) => {
    expect(settingsFrom({ ...base, [input]: value }).all.map(v => v.message)).toEqual([message])
  })

  test('numbers at the edges of their ranges are accepted', () => {
    const { settings, all } = settingsFrom({
      ...base,
      concurrency: '64',
      'max-retries': '0',
      'timeout-seconds': '600',
      'max-deletions': '1'
    })
    expect(all).toEqual([])
    expect(settings).toMatchObject({ concurrency: 64, maxRetries: 0, timeoutSeconds: 600, maxDeletions: 1 })
  })

  test('max-rate is no cap when empty, and any whole number of requests a minute from 1 to 100000', () => {
    expect(settingsFrom(base).settings.maxRate).toBeUndefined()
    expect(settingsFrom({ ...base, 'max-rate': '1' }).settings.maxRate).toBe(1)
    expect(settingsFrom({ ...base, 'max-rate': ' 300 ' }).settings.maxRate).toBe(300)
    expect(settingsFrom({ ...base, 'max-rate': '100000' }).settings.maxRate).toBe(100_000)
  })

  test.each([
    ['failed', { failed: true, missing: false }],
    ['missing', { failed: false, missing: true }],
    ['failed, missing', { failed: true, missing: true }],
    ['FAILED\nMISSING', { failed: true, missing: true }],
    ['none', { failed: false, missing: false }]
  ])('fail-on %j', (value, failOn) => {
    expect(settingsFrom({ ...base, 'fail-on': value }).settings.failOn).toEqual(failOn)
  })

  test.each(['true', 'True', 'TRUE'])('dry-run %s', value => {
    expect(settingsFrom({ ...base, 'dry-run': value }).settings.dryRun).toBe(true)
  })

  test('shard i/n and bulk', () => {
    expect(settingsFrom({ ...base, shard: ' 2 / 8 ', bulk: 'false' }).settings).toMatchObject({
      shard: { index: 2, count: 8 },
      bulk: false
    })
  })

  test('protected-ids: one per line or comma-separated', () => {
    expect(settingsFrom({ ...base, 'protected-ids': 'prod-*\n keep-?, x*' }).settings.protectedPatterns).toEqual([
      'prod-*',
      'keep-?',
      'x*'
    ])
  })
})

describe('base-url', () => {
  test.each([
    ['https://proxy.example.com/imagekit/', 'https://proxy.example.com/imagekit'],
    ['http://localhost:8080', 'http://localhost:8080/'],
    ['http://127.0.0.1:9000/api', 'http://127.0.0.1:9000/api'],
    ['http://127.5.6.7', 'http://127.5.6.7/'],
    ['http://[::1]:3000', 'http://[::1]:3000/']
  ])('accepts %s', (value, href) => {
    const { settings, all } = settingsFrom({ ...base, 'base-url': value })
    expect(all).toEqual([])
    expect(settings.baseUrl?.href).toBe(href)
  })

  test.each([
    ['http://api.writer.com', 'http:// is allowed only to localhost'],
    ['http://10.0.0.1', 'http:// is allowed only to localhost'],
    ['http://localhost.evil.com', 'http:// is allowed only to localhost'],
    ['ftp://example.com', 'scheme "ftp:" is not allowed'],
    ['https://example.com/?x=1', 'must not carry a query or fragment'],
    ['https://example.com/#top', 'must not carry a query or fragment'],
    ['not a url', 'is not an absolute URL']
  ])('rejects %s', (value, problem) => {
    const messages = settingsFrom({ ...base, 'base-url': value }).all.map(v => v.message)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('base-url: ')
    expect(messages[0]).toContain(problem)
  })

  test('credentials in base-url are a violation that does not repeat them', () => {
    const messages = settingsFrom({ ...base, 'base-url': 'https://user:hunter2@example.com' }).all.map(v => v.message)
    expect(messages).toEqual(['base-url: "https://example.com": must not carry credentials; pass the key in api-key'])
    const unparsed = settingsFrom({ ...base, 'base-url': 'https://user:s3cretTok@host:99999' }).all.map(v => v.message)
    expect(unparsed).toEqual(['base-url: "https://…@host:99999" is not an absolute URL'])
  })
})

describe('preflight policy', () => {
  test('no IDs at all', () => {
    expect(settingsFrom({ ...base, 'file-ids': ' \n ' }).all.map(v => v.message)).toEqual([
      'file-ids: no IDs given: set file-ids or file-ids-file, or select files (select-name, older-than, …)'
    ])
  })

  test('missing api-key unless dry run', () => {
    expect(settingsFrom({ ...base, 'api-key': '' }).all.map(v => v.message)).toEqual([
      'api-key: is required unless dry-run is true'
    ])
    expect(settingsFrom({ ...base, 'api-key': '', 'dry-run': 'true' }).all).toEqual([])
  })

  test('an api-key with a line break is a violation that does not echo it', () => {
    const messages = settingsFrom({ ...base, 'api-key': 'sec\nret' }).all.map(v => v.message)
    expect(messages).toEqual(['api-key: contains a line break or control character'])
  })

  test('an api-key that could not go in a header is a violation that does not echo it', () => {
    expect(settingsFrom({ ...base, 'api-key': 'clé-secrète' }).all.map(v => v.message)).toEqual([
      'api-key: contains a character outside printable ASCII, which cannot go in an HTTP header'
    ])
  })

  test('more unique IDs than max-deletions', () => {
    expect(settingsFrom({ ...base, 'file-ids': 'a b c a', 'max-deletions': '3' }).all).toEqual([])
    expect(settingsFrom({ ...base, 'file-ids': 'a b c d', 'max-deletions': '3' }).all.map(v => v.message)).toEqual([
      'max-deletions: 4 unique IDs exceed max-deletions (3); raise it or split the list'
    ])
  })

  test('max-deletions counts the IDs of this shard only', () => {
    const many = Array.from({ length: 100 }, (_, i) => `f${i}`).join(' ')
    expect(settingsFrom({ ...base, 'file-ids': many, 'max-deletions': '60', shard: '1/2' }).all).toEqual([])
    expect(settingsFrom({ ...base, 'file-ids': many, 'max-deletions': '60' }).all.map(v => v.input)).toEqual([
      'max-deletions'
    ])
  })

  test('protected-ids takes the list forms file-ids takes: a JSON array of strings too', () => {
    const { settings, all } = settingsFrom({
      ...base,
      'file-ids': 'keep-1 tmp-1',
      'protected-ids': ' ["keep-*", "x?"] '
    })
    expect(settings.protectedPatterns).toEqual(['keep-*', 'x?'])
    expect(all.map(v => v.message)).toEqual(['protected-ids: ID "keep-1" matches protected pattern "keep-*"'])
  })

  test.each([
    ['a JSON array that does not parse', '["keep-*"', /^protected-ids: starts with "\[" but is not valid JSON/],
    [
      'a JSON array of something else',
      '["keep-*", 3]',
      /^protected-ids: JSON array item 1 is not a string but a number$/
    ],
    ['a JSON object', '{"ids": ["keep-*"]}', /^protected-ids: starts with "\{"/],
    [
      'a ;-separated list',
      'keep-*;golden-*',
      /^protected-ids: pattern "keep-\*;golden-\*" holds ";": separate patterns/
    ],
    ['a pattern holding /', 'previews/*', /^protected-ids: pattern "previews\/\*" holds "\/", which no valid ID holds/],
    ['a pattern holding %', 'a%2F*', /holds "%", which no valid ID holds/],
    ['a pattern outside printable ASCII', 'kéep-*', /holds a character outside printable ASCII \(U\+00E9\)/]
  ])('a protection that could never match is a violation naming it: %s', (_, value, message) => {
    const { all } = settingsFrom({ ...base, 'protected-ids': value })
    expect(all.map(v => v.message)).toEqual([expect.stringMatching(message)])
    expect(all[0]?.input).toBe('protected-ids')
  })

  test('file-ids given as a JSON object is refused like a malformed array, and nothing is taken from it', () => {
    const { settings, all } = settingsFrom({ ...base, 'file-ids': '{"ids":["a","b"]}' })
    expect(settings.ids).toEqual([])
    expect(all.map(v => v.message)).toEqual([expect.stringMatching(/^file-ids: starts with "\{" but a list of IDs/)])
  })

  test.each(['writer', 'anyformat'])(
    '%s: an ID in another spelling of a UUID is a violation naming the one form; protection ignores case',
    provider => {
      const canonical = '7c36a365-392f-43ba-840d-8f3103b42572'
      const spellings = [
        canonical.toUpperCase(),
        `{${canonical}}`,
        `urn:uuid:${canonical}`,
        canonical.replaceAll('-', ''),
        `URN:UUID:{${canonical.toUpperCase()}}`
      ]
      const { all } = settingsFrom({ ...base, provider, 'file-ids': [canonical, ...spellings, 'not-a-uuid'].join(' ') })
      expect(all.map(v => v.message)).toEqual(
        spellings.map(
          id => `file-ids: ID ${JSON.stringify(id)} is another spelling of the UUID "${canonical}": give it as that`
        )
      )
      const upper = settingsFrom({ ...base, provider, 'file-ids': '7C36A365-0000', 'protected-ids': '7c36a365-*' })
      expect(upper.all.map(v => v.message)).toEqual([
        'protected-ids: ID "7C36A365-0000" matches protected pattern "7c36a365-*"'
      ])
      // ImageKit and Delos IDs are no UUIDs: their case is theirs.
      expect(
        settingsFrom({ ...base, provider: 'imagekit', 'file-ids': spellings[0], 'protected-ids': '7c36a365-*' }).all
      ).toEqual([])
    }
  )

  test('a graph-id or workflow-id in another spelling of a UUID is a violation naming the one form', () => {
    const canonical = '7c36a365-392f-43ba-840d-8f3103b42572'
    expect(
      settingsFrom({ ...base, 'file-ids': '', 'graph-id': canonical.toUpperCase() }).all.map(v => v.message)
    ).toEqual([
      `graph-id: "${canonical.toUpperCase()}" is another spelling of the UUID "${canonical}": give it as that`
    ])
    const anyformat = { provider: 'anyformat', 'api-key': 'k', 'workflow-id': `{${canonical}}` }
    expect(settingsFrom(anyformat).all.map(v => v.message)).toEqual([
      `workflow-id: "{${canonical}}" is another spelling of the UUID "${canonical}": give it as that`
    ])
    expect(settingsFrom({ ...base, 'file-ids': '', 'graph-id': canonical }).all).toEqual([])
  })

  test('each ID matching protected-ids is a violation', () => {
    expect(
      settingsFrom({ ...base, 'file-ids': 'prod-1 tmp-1 prod-2', 'protected-ids': 'prod-*' }).all.map(v => v.message)
    ).toEqual([
      'protected-ids: ID "prod-1" matches protected pattern "prod-*"',
      'protected-ids: ID "prod-2" matches protected pattern "prod-*"'
    ])
  })

  test('customer-id with a provider other than delos', () => {
    expect(settingsFrom({ ...base, 'customer-id': 'cust_1' }).all.map(v => v.message)).toEqual([
      'customer-id: is for delos only, not writer'
    ])
    expect(settingsFrom({ ...base, provider: 'delos', 'customer-id': 'cust_1' }).all).toEqual([])
  })

  test('every violation is reported, not just the first', () => {
    const { all } = settingsFrom({ provider: 'nope', 'file-ids': 'a/b', concurrency: '0', 'base-url': 'http://x.com' })
    expect(all.map(v => v.input)).toEqual(['provider', 'file-ids', 'base-url', 'concurrency', 'api-key'])
  })
})

describe('large ID files', () => {
  test('100,000 IDs from file-ids-file, de-duplicated, in order', () => {
    const dir = scratchDir('ids-')
    const file = path.join(dir, 'ids.txt')
    const list = Array.from({ length: 100_000 }, (_, i) => `file-${i.toString(36)}-${i}`)
    writeFileSync(file, `${list.join('\n')}\n${list.slice(0, 10).join('\n')}\n`)
    const { settings, all } = settingsFrom(
      { provider: 'writer', 'api-key': 'k', 'file-ids-file': file, 'max-deletions': '100000' },
      { readFile: readIdsFile }
    )
    expect(all).toEqual([])
    expect(settings.ids).toHaveLength(100_000)
    expect(settings.ids[99_999]).toBe(list[99_999])
  })
})

describe('selection: what each provider can honour (docs/selection.md)', () => {
  const messages = (inputs: Parameters<typeof settingsFrom>[0]) =>
    settingsFrom({ 'api-key': 'k', ...inputs }).all.map(v => v.message)

  test.each<[string, Parameters<typeof settingsFrom>[0], string[]]>([
    [
      'imagekit: name, folder, tags and age',
      {
        provider: 'imagekit',
        'select-name': 'pr-*',
        'select-path': '/p/**',
        'select-tags': 'a,b',
        'older-than': '30d'
      },
      []
    ],
    [
      'writer: name, status, age and a graph',
      {
        provider: 'writer',
        'select-name': '*',
        'select-status': 'completed, FAILED',
        'older-than': '1w',
        'graph-id': 'g1'
      },
      []
    ],
    ['anyformat: a workflow alone', { provider: 'anyformat', 'workflow-id': 'wf-1' }, []],
    [
      'anyformat: every status word of its list',
      {
        provider: 'anyformat',
        'workflow-id': 'wf-1',
        'select-status': 'pending,queued,in_progress,processing,processed,completed,error,failed,cancelled'
      },
      []
    ],
    [
      'anyformat: a word not in its list',
      { provider: 'anyformat', 'workflow-id': 'wf-1', 'select-status': 'done' },
      [
        'select-status: unknown status "done" for anyformat (allowed: pending, queued, in_progress, processing, processed, completed, error, failed, cancelled)'
      ]
    ],
    ['a scope narrows: keep-newest within a graph', { provider: 'writer', 'graph-id': 'g1', 'keep-newest': '5' }, []],
    ['keep-newest within a workflow', { provider: 'anyformat', 'workflow-id': 'wf-1', 'keep-newest': '0' }, []],
    [
      'keep-newest 0 spares nothing and is allowed',
      { provider: 'writer', 'older-than': '30d', 'keep-newest': '0' },
      []
    ],
    ['delos: name within a customer', { provider: 'delos', 'select-name': 'tmp-*', 'customer-id': 'c1' }, []],
    [
      "a folder is ImageKit's only",
      { provider: 'writer', 'select-path': '/p/' },
      ['select-path: writer cannot select by folder (only imagekit can)']
    ],
    [
      'tags too',
      { provider: 'delos', 'select-tags': 'x' },
      ['select-tags: delos cannot select by tag (only imagekit can)']
    ],
    [
      'ImageKit has no status to select by',
      { provider: 'imagekit', 'select-status': 'completed' },
      ['select-status: imagekit cannot select by status (only writer, anyformat can)']
    ],
    [
      "a word not in the provider's list",
      { provider: 'writer', 'select-status': 'done' },
      ['select-status: unknown status "done" for writer (allowed: in_progress, completed, failed)']
    ],
    [
      'Delos gives no creation time: no age, no keep-newest',
      { provider: 'delos', 'select-name': '*', 'older-than': '1d', 'keep-newest': '2' },
      [
        'older-than: delos cannot select by creation time: none is confirmed in its listing (only writer, imagekit, anyformat can)',
        'keep-newest: delos cannot select by creation time: none is confirmed in its listing (only writer, imagekit, anyformat can)'
      ]
    ],
    ["graph-id is Writer's", { provider: 'imagekit', 'graph-id': 'g' }, ['graph-id: is for writer only, not imagekit']],
    [
      "workflow-id is AnyFormat's",
      { provider: 'writer', 'workflow-id': 'w', 'select-name': '*' },
      ['workflow-id: is for anyformat only, not writer']
    ],
    [
      'AnyFormat lists per workflow: selecting needs one',
      { provider: 'anyformat', 'select-name': '*' },
      ['workflow-id: is required to select from anyformat: it lists files per workflow']
    ],
    [
      'keep-newest cannot be the only filter',
      { provider: 'writer', 'keep-newest': '5' },
      [
        'keep-newest: cannot be the only filter: add select-name, select-path, select-tags, select-status, older-than or a scope'
      ]
    ],
    [
      'malformed values',
      { provider: 'imagekit', 'select-path': 'previews', 'older-than': '30 days', 'keep-newest': '-1' },
      [
        'select-path: "previews" must start with "/" (a folder such as /previews/pr-42/, or /previews/** for its subfolders too)',
        'older-than: "30 days" is not a duration of 1 to 999999 hours, days or weeks (12h, 30d, 2w)',
        'keep-newest: "-1" is not a whole number from 0 to 1000000'
      ]
    ],
    [
      'a glob with a control character',
      { provider: 'writer', 'select-name': 'a\u0007b' },
      ['select-name: "a\\u0007b" must be at most 1024 characters without control characters']
    ],
    [
      'a scope ID follows the rules of an ID',
      { provider: 'writer', 'graph-id': 'a/b' },
      [
        'graph-id: "a/b" contains "/" (an ID is 1-256 printable ASCII characters without / \\ ? # %, and not "." or "..")'
      ]
    ]
  ])('%s', (_, inputs, expected) => expect(messages(inputs)).toEqual(expected))

  test('selecting needs the key also in a dry run: selecting means listing', () => {
    expect(messages({ provider: 'writer', 'select-name': '*', 'dry-run': 'true', 'api-key': '' })).toEqual([
      'api-key: is required to select files, also in a dry run: selecting means listing them'
    ])
  })

  test('no IDs is fine when selecting', () => {
    expect(settingsFrom({ provider: 'writer', 'api-key': 'k', 'select-name': '*' }).all).toEqual([])
  })
})
