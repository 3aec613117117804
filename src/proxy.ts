/**
 * The proxy a request goes through, read from the environment the way the runner and @actions/http-client read
 * it: https_proxy before HTTPS_PROXY for https targets, http_proxy before HTTP_PROXY for http ones, a value without
 * a scheme meaning http://, no_proxy / NO_PROXY for the hosts that go direct, and loopback never proxied. Pure.
 */
import { quote } from './text.js'

/** A proxy to tunnel through, with what must never be shown of it. */
export interface ProxySetting {
  /** The proxy's URL without its credentials: they go only into `authorization`. */
  url: URL
  /** host:port, the one part of the proxy that messages and the report name. */
  host: string
  /** The variable it came from. */
  variable: ProxyVariable
  /** Proxy-Authorization for CONNECT, from the URL's credentials (percent-decoded), when it has any. */
  authorization: string | undefined
}

/** The variables a proxy can come from, in the order they are read. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const
export type ProxyVariable = (typeof PROXY_VARIABLES)[number]

export type ProxyChoice = { proxy: ProxySetting | undefined } | { problem: { input: ProxyVariable; message: string } }

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|\[0:0:0:0:0:0:0:1\])$/i

/** Whether a host (URL.hostname) is loopback: never proxied. */
function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname)
}

/** The proxy for requests to `target`, none, or why the variable that names one cannot be used. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice {
  if (bypassed(target, env)) return { proxy: undefined }
  const names: readonly ProxyVariable[] =
    target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  const variable = names.find(name => (env[name] ?? '').trim() !== '')
  if (variable === undefined) return { proxy: undefined }
  const value = (env[variable] ?? '').trim()
  const url = parseProxyUrl(value)
  if (url === undefined) {
    return { problem: { input: variable, message: `${variable}: ${quote(hideUserinfo(value))} is not a proxy URL` } }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = quote(url.protocol)
    return {
      problem: { input: variable, message: `${variable}: scheme ${scheme} is not supported; use http:// or https://` }
    }
  }
  const bare = new URL(url.href)
  bare.username = ''
  bare.password = ''
  return { proxy: { url: bare, host: url.host, variable, authorization: credentials(url)?.authorization } }
}

/** The credentials of every proxy variable that is set, whether this run uses it or not: all are masked. */
export function proxySecrets(env: NodeJS.ProcessEnv): string[] {
  return PROXY_VARIABLES.flatMap(name => {
    const url = parseProxyUrl((env[name] ?? '').trim())
    return url === undefined ? [] : (credentials(url)?.forms ?? [])
  })
}

/** A proxy variable's value as a URL; one without a scheme means http://. */
function parseProxyUrl(value: string): URL | undefined {
  if (value === '') return undefined
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    return undefined
  }
}

/** Whether no_proxy (or NO_PROXY) sends this target direct: an exact host, host:port, a domain and its subdomains, .domain for subdomains only, or *. */
function bypassed(target: URL, env: NodeJS.ProcessEnv): boolean {
  if (target.hostname === '') return false
  if (isLoopback(target.hostname)) return true
  const list = env.no_proxy || env.NO_PROXY || ''
  const port = target.port !== '' ? target.port : target.protocol === 'http:' ? '80' : '443'
  const hosts = [target.hostname.toUpperCase(), `${target.hostname.toUpperCase()}:${port}`]
  return list
    .split(',')
    .map(entry => entry.trim().toUpperCase())
    .filter(entry => entry !== '')
    .some(
      entry =>
        entry === '*' ||
        hosts.some(
          host => host === entry || host.endsWith(`.${entry}`) || (entry.startsWith('.') && host.endsWith(entry))
        )
    )
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The Proxy-Authorization value from a URL's credentials, and the forms they could be shown in: the secret as
 * written and decoded (the password, or the user name when it stands alone, as a token does), its Basic encoding,
 * and the header value.
 */
function credentials(url: URL): { forms: string[]; authorization: string } | undefined {
  if (url.username === '' && url.password === '') return undefined
  const secret = url.password !== '' ? url.password : url.username
  const basic = Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')
  const authorization = `Basic ${basic}`
  return {
    forms: [...new Set([secret, decode(secret), basic].filter(form => form !== '')), authorization],
    authorization
  }
}

/** A URL as it may be shown: whatever stands before an '@' may be credentials. */
function hideUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}…@`)
}
