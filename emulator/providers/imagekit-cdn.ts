import { IMAGEKIT_URL_ENDPOINT, imagekitAnswers } from '../bodies.js'
import { json, type Answer } from '../answers.js'

/** A purge ImageKit took: the URL asked for, and the ID its status is asked by. */
export interface PurgeRecord {
  url: string
  requestId: string
}

/**
 * Paths after the URL endpoint that take no wildcard whatever their length (docs/providers.md, ImageKit "purge
 * wildcard"). The document names them without a leading slash.
 */
const NEVER_WILDCARD = ['media/catalog/', 's/files/']
const FILE_WITH_EXTENSION = /[^/]\.[A-Za-z0-9]+$/

/**
 * Whether ImageKit takes `<path>*`, `path` being what follows the URL endpoint (docs/providers.md, ImageKit "purge
 * wildcard"): at least two levels of nesting, or at least 15 characters, or a file's path ending in its extension.
 * Where the document is open to two readings, the stricter: levels are the path's non-empty steps, and the 15
 * characters do not count the leading slash.
 */
export function wildcardAccepted(path: string): boolean {
  const bare = path.replace(/^\//, '')
  if (NEVER_WILDCARD.some(prefix => bare.startsWith(prefix))) return false
  const levels = bare.split('/').filter(step => step !== '').length
  return levels >= 2 || bare.length >= 15 || FILE_WITH_EXTENSION.test(bare)
}

/**
 * Why ImageKit would refuse to purge `url`, or undefined when it takes it. The emulated account serves its files at
 * one URL endpoint and has no custom domain: a URL anywhere else is none of its files (an emulator choice; the
 * document gives only the 400).
 */
export function purgeRefusal(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return 'no url'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a URL'
  }
  const endpoint = new URL(IMAGEKIT_URL_ENDPOINT)
  if (parsed.origin !== endpoint.origin || !parsed.pathname.startsWith(`${endpoint.pathname}/`))
    return 'not under the URL endpoint'
  const star = url.indexOf('*')
  if (star === -1) return undefined
  if (star !== url.length - 1) return 'a wildcard before the end'
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname.slice(endpoint.pathname.length)).replace(/\*$/, '')
  } catch {
    return 'a path that does not decode'
  }
  return wildcardAccepted(path) ? undefined : 'a wildcard the rules do not allow'
}

/**
 * ImageKit's cache purges as the emulator keeps them: every purge taken, in order, and how often each one's status
 * was asked. A purge is Pending for its first `pendingPolls` status requests, then Completed (the document gives no
 * timing: an emulator choice).
 */
export class PurgeLog {
  readonly taken: PurgeRecord[] = []
  private readonly asked = new Map<string, number>()

  constructor(private readonly pendingPolls: number) {}

  /** POST /v1/files/purge: 201 with a requestId, or 400 for a URL it will not purge. */
  purge(body: string): Answer {
    let url: unknown
    try {
      url = (JSON.parse(body) as { url?: unknown }).url
    } catch {
      url = undefined
    }
    if (purgeRefusal(url) !== undefined) return json(400, imagekitAnswers.purgeRefused)
    const requestId = (this.taken.length + 1).toString(16).padStart(24, '0')
    this.taken.push({ url: url as string, requestId })
    this.asked.set(requestId, 0)
    return json(201, imagekitAnswers.purgeSubmitted(requestId))
  }

  /** GET /v1/files/purge/{requestId}: 200 with its status, or 400 for a request it does not know. */
  status(requestId: string): Answer {
    const asked = this.asked.get(requestId)
    if (asked === undefined) return json(400, imagekitAnswers.purgeUnknown)
    this.asked.set(requestId, asked + 1)
    return json(200, imagekitAnswers.purgeStatus(asked < this.pendingPolls ? 'Pending' : 'Completed'))
  }
}

/** Whether a purge of `purged` covers `url`: the same URL, or one it starts with when it ends in the wildcard. */
export function purgeCovers(purged: string, url: string): boolean {
  return purged.endsWith('*') ? url.startsWith(purged.slice(0, -1)) : purged === url
}
