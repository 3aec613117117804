/**
 * The proxy a request goes through, read from the environment the way the runner and @actions/http-client read
 * it: https_proxy before HTTPS_PROXY for https targets, http_proxy before HTTP_PROXY for http ones, a value without
 * a scheme meaning http://, no_proxy / NO_PROXY for the hosts that go direct, and loopback never proxied. Pure.
 */
import { quote } from '../text.js'

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
  const { url, user, password } = readProxyValue((env[variable] ?? '').trim())
  if (url === undefined) {
    // Its value is never shown: whatever it holds may be credentials, and it did not parse into parts to leave out.
    return { problem: { input: variable, message: `${variable}: is not a proxy URL (its value is not shown)` } }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = quote(url.protocol)
    return {
      problem: { input: variable, message: `${variable}: scheme ${scheme} is not supported; use http:// or https://` }
    }
  }
  return { proxy: { url, host: url.host, variable, authorization: credentials(user, password)?.authorization } }
}

/**
 * The credentials of every proxy variable that is set, whether this run uses it or not, and whether it parses or
 * not: all are masked (the pipeline adds their JSON-escaped and percent-encoded forms).
 */
export function proxySecrets(env: NodeJS.ProcessEnv): string[] {
  return PROXY_VARIABLES.flatMap(name => {
    const value = (env[name] ?? '').trim()
    if (value === '') return []
    const { user, password } = readProxyValue(value)
    return credentials(user, password)?.forms ?? []
  })
}

const SCHEME = /^([a-z][a-z0-9+.-]*:)\/\//i

/**
 * A proxy variable's value: its credentials as written, and the proxy's URL without them (undefined when what is
 * left does not parse). A value without a scheme means http://. The credentials are everything before the last '@'
 * (the user up to the first ':', the password after it), read by hand rather than by the URL parser: a password may
 * hold '/', '@', ':' or '=' unencoded, and the URL parser would end the credentials at the first '/' (and so take
 * part of the password for the host, or fail and show none of it as a secret).
 */
function readProxyValue(value: string): { url: URL | undefined; user: string; password: string } {
  const scheme = SCHEME.exec(value)
  const rest = scheme ? value.slice(scheme[0].length) : value
  const at = rest.lastIndexOf('@')
  const userinfo = at < 0 ? '' : rest.slice(0, at)
  const colon = userinfo.indexOf(':')
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon)
  const password = colon < 0 ? '' : userinfo.slice(colon + 1)
  const where = at < 0 ? rest : rest.slice(at + 1)
  let url: URL | undefined
  try {
    url = where === '' ? undefined : new URL(`${scheme?.[1] ?? 'http:'}//${where}`)
  } catch {
    url = undefined
  }
  return { url: url && url.username === '' && url.password === '' ? url : undefined, user, password }
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
 * A user name beside a password shorter than this is not hidden: so short a text cannot be told from any other
 * (a user `u` scrubbed would turn "supported" into "s***pported" in every message), and it guards nothing the
 * password does not. A user name standing alone, as a token does, is always hidden.
 */
const MIN_HIDDEN_USER = 4

/**
 * The Proxy-Authorization value from a URL's credentials, and the forms they could be shown in: the password and
 * the user, each as written and percent-decoded, their Basic encoding, and the header value.
 */
function credentials(user: string, password: string): { forms: string[]; authorization: string } | undefined {
  if (user === '' && password === '') return undefined
  const basic = Buffer.from(`${decode(user)}:${decode(password)}`).toString('base64')
  const authorization = `Basic ${basic}`
  const users = password === '' || decode(user).length >= MIN_HIDDEN_USER ? [user, decode(user)] : []
  const forms = [password, decode(password), ...users, basic, authorization]
  return { forms: [...new Set(forms.filter(form => form !== ''))], authorization }
}
