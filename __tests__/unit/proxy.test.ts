import { describe, expect, test } from '@jest/globals'
import { commentBody } from '../../src/shells/comment.js'
import type { InputName } from '../../src/settings/constants.js'
import { runPipeline, type Shell } from '../../src/pipeline.js'
import { proxyFor, proxySecrets } from '../../src/transport/proxy.js'
import { outputValues, summaryMarkdown } from '../../src/report/report.js'
import { KEY, unusedPort } from '../helpers/common.js'

/** The proxy variables as a self-hosted runner passes them, read with @actions/http-client's semantics. */

const host = (target: string, env: NodeJS.ProcessEnv): string | undefined => {
  const choice = proxyFor(new URL(target), env)
  if ('problem' in choice) throw new Error(choice.problem.message)
  return choice.proxy?.url.href
}

describe('which variable', () => {
  test.each<[string, string, NodeJS.ProcessEnv, string | undefined]>([
    ['https targets read https_proxy', 'https://api.writer.com', { https_proxy: 'http://a:1' }, 'http://a:1/'],
    ['then HTTPS_PROXY', 'https://api.writer.com', { HTTPS_PROXY: 'http://b:2' }, 'http://b:2/'],
    [
      'https_proxy before HTTPS_PROXY',
      'https://api.writer.com',
      { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' },
      'http://a:1/'
    ],
    ['http_proxy is not for https targets', 'https://api.writer.com', { http_proxy: 'http://a:1' }, undefined],
    ['http targets read http_proxy', 'http://files.internal', { http_proxy: 'http://a:1' }, 'http://a:1/'],
    [
      'http_proxy before HTTP_PROXY',
      'http://files.internal',
      { http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' },
      'http://a:1/'
    ],
    [
      'a value without a scheme means http://',
      'https://api.writer.com',
      { https_proxy: 'proxy.corp:3128' },
      'http://proxy.corp:3128/'
    ],
    [
      'an https:// proxy stays https://',
      'https://api.writer.com',
      { https_proxy: 'https://proxy.corp' },
      'https://proxy.corp/'
    ],
    ['an empty variable is no proxy', 'https://api.writer.com', { https_proxy: '  ' }, undefined],
    ['nothing set, no proxy', 'https://api.writer.com', {}, undefined]
  ])('%s', (_, target, env, expected) => expect(host(target, env)).toBe(expected))
})

describe('what goes direct', () => {
  const proxy = { https_proxy: 'http://proxy.corp:3128' }
  test.each<[string, string, string, boolean]>([
    ['an exact host', 'https://api.writer.com', 'api.writer.com', true],
    ['another host', 'https://api.writer.com', 'api.imagekit.io', false],
    ['host:port, with the scheme default port', 'https://api.writer.com', 'api.writer.com:443', true],
    ['host:port, another port', 'https://api.writer.com', 'api.writer.com:8443', false],
    ['host:port, an explicit port', 'https://api.writer.com:8443', 'api.writer.com:8443', true],
    ['any subdomain of an entry', 'https://eu.api.writer.com', 'writer.com', true],
    ['a leading dot: subdomains', 'https://api.writer.com', '.writer.com', true],
    ['a leading dot: not the domain itself', 'https://writer.com', '.writer.com', false],
    ['not a suffix of another name', 'https://notwriter.com', 'writer.com', false],
    ['case does not matter', 'https://API.Writer.COM', 'api.WRITER.com', true],
    ['* sends everything direct', 'https://api.writer.com', '*', true],
    ['entries are comma-separated and trimmed', 'https://api.writer.com', ' x.test , api.writer.com ,', true]
  ])('no_proxy: %s', (_, target, noProxy, direct) => {
    expect(host(target, { ...proxy, no_proxy: noProxy }) === undefined).toBe(direct)
    expect(host(target, { ...proxy, NO_PROXY: noProxy }) === undefined).toBe(direct)
  })

  test('no_proxy before NO_PROXY', () => {
    expect(host('https://api.writer.com', { ...proxy, no_proxy: 'other.test', NO_PROXY: 'api.writer.com' })).toBe(
      'http://proxy.corp:3128/'
    )
  })

  test.each(['https://localhost:8443', 'https://127.0.0.1', 'https://127.10.0.3:9', 'https://[::1]:8443'])(
    'loopback is never proxied: %s',
    target => expect(host(target, proxy)).toBeUndefined()
  )
})

describe('credentials', () => {
  test('are percent-decoded into Proxy-Authorization, kept out of the URL, and every form is a secret', () => {
    const choice = proxyFor(new URL('https://api.writer.com'), { https_proxy: 'http://build:p%40ss@proxy.corp:3128' })
    if (!('proxy' in choice) || choice.proxy === undefined) throw new Error('expected a proxy')
    const basic = Buffer.from('build:p@ss').toString('base64')
    expect(choice.proxy).toEqual({
      url: new URL('http://proxy.corp:3128'),
      host: 'proxy.corp:3128',
      variable: 'https_proxy',
      authorization: `Basic ${basic}`
    })
    expect(proxySecrets({ https_proxy: 'http://build:p%40ss@proxy.corp:3128' })).toEqual([
      'p%40ss',
      'p@ss',
      'build',
      basic,
      `Basic ${basic}`
    ])
  })

  test('a user name standing alone (a token) is the secret', () => {
    expect(proxySecrets({ HTTPS_PROXY: 'http://t0ken@proxy.corp' })).toEqual(
      expect.arrayContaining(['t0ken', Buffer.from('t0ken:').toString('base64')])
    )
  })

  test('the credentials of every proxy variable are secrets, used or not', () => {
    const secrets = proxySecrets({ https_proxy: 'http://u:one@a', HTTP_PROXY: 'b:8080', http_proxy: 'http://v:two@c' })
    expect(secrets).toEqual(expect.arrayContaining(['one', 'two']))
  })
})

describe('a proxy variable that cannot be used', () => {
  test.each<[string, string]>([
    ['socks5://proxy.corp:1080', 'https_proxy: scheme "socks5:" is not supported; use http:// or https://'],
    // A value that does not parse is never shown: it may be credentials that could not be told apart.
    ['http://[::1', 'https_proxy: is not a proxy URL (its value is not shown)'],
    ['http://user:secret@[bad', 'https_proxy: is not a proxy URL (its value is not shown)'],
    ['http://svc-user:Zq9/Xy+Pw7=@', 'https_proxy: is not a proxy URL (its value is not shown)']
  ])('%s', (value, message) => {
    expect(proxyFor(new URL('https://api.writer.com'), { https_proxy: value })).toEqual({
      problem: { input: 'https_proxy', message }
    })
  })
})

describe('credentials whatever they hold', () => {
  const target = new URL('https://api.writer.com')
  test.each<[string, string, string, string]>([
    ['a "/" in the password', 'http://svc-user:Zq9/Xy+Pw7=@proxy.corp:3128', 'svc-user', 'Zq9/Xy+Pw7='],
    [
      'a "/" that the URL parser would read as a port and a path',
      'http://user:8080/x@proxy.corp:3128',
      'user',
      '8080/x'
    ],
    ['"@" and ":" in the password', 'http://user:p@ss:w@rd@proxy.corp:3128', 'user', 'p@ss:w@rd'],
    ['"?" and "#" in the password', 'http://user:a?b#c@proxy.corp:3128', 'user', 'a?b#c'],
    ['no scheme', 'svc1:a/b=c@proxy.corp:3128', 'svc1', 'a/b=c']
  ])('%s: the proxy is what follows the last "@"; the user and password are secrets', (_, value, user, password) => {
    const choice = proxyFor(target, { https_proxy: value })
    if (!('proxy' in choice) || choice.proxy === undefined) throw new Error('expected a proxy')
    const basic = Buffer.from(`${user}:${password}`).toString('base64')
    expect(choice.proxy).toEqual({
      url: new URL('http://proxy.corp:3128'),
      host: 'proxy.corp:3128',
      variable: 'https_proxy',
      authorization: `Basic ${basic}`
    })
    expect(proxySecrets({ https_proxy: value })).toEqual(
      expect.arrayContaining([password, user, basic, `Basic ${basic}`])
    )
  })

  test('a user name of fewer than four characters beside a password is not a secret: it would mangle every message', () => {
    expect(proxySecrets({ https_proxy: 'http://u:s3cret@proxy.corp' })).not.toContain('u')
    expect(proxySecrets({ https_proxy: 'http://u:s3cret@proxy.corp' })).toContain('s3cret')
    expect(proxySecrets({ https_proxy: 'http://svc:s3cret@proxy.corp' })).not.toContain('svc')
    expect(proxySecrets({ https_proxy: 'http://svc1:s3cret@proxy.corp' })).toContain('svc1')
    expect(proxySecrets({ https_proxy: 'http://t@proxy.corp' })).toContain('t')
  })

  test('a value that does not parse still has its credentials masked, and is never shown', () => {
    const value = 'http://svc-user:Zq9/Xy+Pw7=@[bad'
    const choice = proxyFor(target, { https_proxy: value })
    expect(choice).toEqual({
      problem: { input: 'https_proxy', message: 'https_proxy: is not a proxy URL (its value is not shown)' }
    })
    expect(proxySecrets({ https_proxy: value })).toEqual(expect.arrayContaining(['Zq9/Xy+Pw7=', 'svc-user']))
  })
})

describe('a proxy password holding "/", through the pipeline', () => {
  const PASSWORD = 'Zq9/Xy+Pw7='
  const FORMS = [PASSWORD, encodeURIComponent(PASSWORD), JSON.stringify(PASSWORD).slice(1, -1), 'Zq9\\/Xy+Pw7=']

  /** Every channel of a run through the pipeline: lines, annotations (violations), summary, report, comment, outputs. */
  async function channels(env: NodeJS.ProcessEnv, inputs: Partial<Record<InputName, string>>) {
    const told: string[] = []
    const masked: string[] = []
    const shell: Shell = {
      mask: secret => void masked.push(secret),
      info: line => void told.push(line),
      debug: line => void told.push(line),
      writeLines: text => void told.push(text),
      publish: ({ report, writeReport }) => {
        told.push(...report.violations, report.verdict.message, summaryMarkdown(report), commentBody(report))
        told.push(JSON.stringify(outputValues(report, '/r').values))
        writeReport(chunk => void told.push(Buffer.from(chunk).toString('utf8')))
      },
      unexpected: message => void told.push(message)
    }
    const getInput = (name: InputName): string => ({ provider: 'writer', 'api-key': KEY, ...inputs })[name] ?? ''
    const report = await runPipeline({ getInput, readFile: () => '', workspace: '/w', env }, shell)
    return { text: told.join('\n'), masked, report }
  }

  test('the run fails at the proxy naming its host; the password is masked in every form and shown nowhere', async () => {
    const port = await unusedPort()
    const env = { https_proxy: `http://svc-user:${PASSWORD}@127.0.0.1:${port}` }
    const { text, masked, report } = await channels(env, {
      'file-ids': 'a',
      'max-retries': '0',
      'base-url': 'https://api.writer.com'
    })
    expect(report?.lists.failed).toEqual(['a'])
    expect(report?.proxy).toBe(`127.0.0.1:${port}`)
    expect(masked).toEqual(expect.arrayContaining([...FORMS, 'svc-user']))
    for (const form of FORMS) expect(text).not.toContain(form)
  })

  test('a value that does not parse is a violation naming the variable, never its value', async () => {
    const env = { https_proxy: `http://svc-user:${PASSWORD}@[bad` }
    const { text, masked, report } = await channels(env, { 'file-ids': 'a', 'base-url': 'https://api.writer.com' })
    expect(report?.violations).toEqual(['https_proxy: is not a proxy URL (its value is not shown)'])
    expect(masked).toEqual(expect.arrayContaining(FORMS))
    for (const form of [...FORMS, '[bad']) expect(text).not.toContain(form)
  })
})
