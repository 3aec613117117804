import { basic, field, fileUrl, jsonBody, routeUrl } from './common.js'
import type { CdnAddress, CdnFile, HttpAnswer, ProviderCdn, Reading } from './types.js'

/** A request ID is a short token: anything else in its place is not one ImageKit gave. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/
/** A file's last step ending in its extension (docs/providers.md, ImageKit "purge wildcard"). */
const WITH_EXTENSION = /[^/]\.[A-Za-z0-9]+$/
/** Paths ImageKit takes no wildcard under, named without their leading slash. */
const NEVER_WILDCARD = ['media/catalog/', 's/files/']

/** The URL of `GET /v1/files/{fileId}/details`: the ID as one path segment, then the fixed last step. */
function detailsUrl(baseUrl: URL, id: string): URL {
  const file = fileUrl(baseUrl, ['v1', 'files'], id)
  const expected = `${file.pathname}/details`
  const url = new URL(expected, baseUrl.origin)
  if (url.pathname !== expected) throw new Error(`refusing to build a details URL for ID ${JSON.stringify(id)}`)
  return url
}

/** What a 2xx answer that is not the one documented says, for a reason. */
function unexpected(answer: HttpAnswer, what: string): { problem: string } {
  return { problem: `unexpected answer (HTTP ${answer.status}); ${what}` }
}

/** An http(s) URL without credentials, or undefined. */
function webUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string' || text.length > 4096) return undefined
  try {
    const url = new URL(text)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
      ? url
      : undefined
  } catch {
    return undefined
  }
}

/**
 * 200 with the file's details, whose `fileId` must be the ID asked and whose `url` must be a web URL
 * (docs/providers.md, ImageKit "file details").
 */
function readDetails(answer: HttpAnswer, id: string): Reading<CdnFile> {
  if (answer.status !== 200 || answer.truncated) return unexpected(answer, 'only 200 gives the details')
  const body = jsonBody(answer)
  if (field(body, 'fileId') !== id) return { problem: 'the details name another file' }
  const url = field(body, 'url')
  if (webUrl(url) === undefined) return { problem: 'the details give no URL to purge' }
  const path = field(body, 'filePath')
  return { url: url as string, path: typeof path === 'string' ? path : null }
}

/** 201 with a requestId (docs/providers.md, ImageKit "purge"); a 200 is not documented today. */
function readPurge(answer: HttpAnswer): Reading<{ requestId: string }> {
  if (answer.status !== 201 || answer.truncated) return unexpected(answer, 'only 201 confirms a purge')
  const requestId = field(jsonBody(answer), 'requestId')
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) return { problem: 'the answer has no requestId' }
  return { requestId }
}

/** 200 with `Pending` or `Completed` (docs/providers.md, ImageKit "purge status"); any other word is no status. */
function readStatus(answer: HttpAnswer): Reading<{ completed: boolean }> {
  if (answer.status !== 200 || answer.truncated) return unexpected(answer, 'only 200 gives the status')
  const status = field(jsonBody(answer), 'status')
  if (status === 'Completed') return { completed: true }
  if (status === 'Pending') return { completed: false }
  return { problem: 'the answer has no status of a purge' }
}

function decoded(step: string): string | undefined {
  try {
    return decodeURIComponent(step)
  } catch {
    return undefined
  }
}

/**
 * A file's URL split at its URL endpoint: the URL's path must end in the file's path, step by step (docs/providers.md,
 * ImageKit "file URL"). The query ImageKit adds is not part of where the file is.
 */
function address({ url, path }: CdnFile): CdnAddress | undefined {
  const parsed = webUrl(url)
  if (parsed === undefined || path === null || !path.startsWith('/')) return undefined
  const wanted = path.slice(1).split('/')
  const spelled = parsed.pathname.slice(1).split('/')
  if (wanted.some(step => step === '' || step === '.' || step === '..') || spelled.length < wanted.length)
    return undefined
  const steps = spelled.slice(-wanted.length)
  if (steps.some((step, i) => decoded(step) !== wanted[i])) return undefined
  const prefix = spelled.slice(0, -wanted.length).join('/')
  const endpoint = prefix === '' ? parsed.origin : `${parsed.origin}/${prefix}`
  return { url: `${parsed.origin}${parsed.pathname}`, endpoint, steps, path }
}

/**
 * Whether ImageKit takes a purge ending in `*` right after `path` (docs/providers.md, ImageKit "purge wildcard"), in
 * the stricter reading where its page allows two: two non-empty steps, or 15 characters past the leading slash, or a
 * file's path ending in its extension; never under the paths it names as never taking one.
 */
function wildcard(path: string): boolean {
  const bare = path.replace(/^\//, '')
  if (NEVER_WILDCARD.some(prefix => bare.startsWith(prefix))) return false
  const levels = bare.split('/').filter(step => step !== '').length
  return levels >= 2 || bare.length >= 15 || (!bare.endsWith('/') && WITH_EXTENSION.test(bare))
}

/**
 * ImageKit's CDN cache purge: `GET /v1/files/{fileId}/details` for where a file is served, `POST /v1/files/purge`
 * and `GET /v1/files/purge/{requestId}`, with the key as for every other request.
 */
export const imagekitCdn: ProviderCdn = {
  details: (id, { baseUrl, apiKey }) => ({ method: 'GET', url: detailsUrl(baseUrl, id), headers: basic(apiKey) }),
  readDetails,
  purge: (url, { baseUrl, apiKey }) => ({
    method: 'POST',
    url: routeUrl(baseUrl, ['v1', 'files', 'purge']),
    headers: { ...basic(apiKey), 'Content-Type': 'application/json' },
    body: JSON.stringify({ url })
  }),
  readPurge,
  status: (requestId, { baseUrl, apiKey }) => ({
    method: 'GET',
    url: fileUrl(baseUrl, ['v1', 'files', 'purge'], requestId),
    headers: basic(apiKey)
  }),
  readStatus,
  address,
  wildcard
}
