import { STATUS_CODES } from 'node:http'
import { empty, json, text, type Answer } from './answers.js'
import type { Provider } from './providers/index.js'
import type { RateHint } from './rate-window.js'
import type { Fault, FaultRule, RouteName } from './types.js'

/** What a fault does to one request. */
export type FaultEffect =
  | { kind: 'replace'; answer: Answer }
  | { kind: 'latency'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'lose-answer' }

export interface FaultScene {
  provider: Provider
  /** Raw request target, kept in a redirect's default Location. */
  url: string
  rateHint(): RateHint
}

interface ActiveRule {
  id: string | undefined
  on: FaultRule['on']
  remaining: number
  fault: Fault
}

/** Injected fault rules: the first match in order of injection wins, and its count goes down. */
export class FaultBook {
  private rules: ActiveRule[] = []

  inject(rule: FaultRule): void {
    const remaining = rule.times ?? Infinity
    if (!(remaining >= 1) || (Number.isFinite(remaining) && !Number.isInteger(remaining))) {
      throw new RangeError(`fault rule times must be a whole number ≥ 1, got ${rule.times}`)
    }
    this.rules.push({ id: rule.id, on: rule.on, remaining, fault: rule.fault })
  }

  clear(): void {
    this.rules = []
  }

  /** The fault for a request on `route` naming `ids` (none for a list), counted against its rule. */
  take(ids: readonly string[], route: RouteName): Fault | undefined {
    const index = this.rules.findIndex(
      rule => onRoute(rule.on, route) && (rule.id === undefined || ids.includes(rule.id))
    )
    const rule = this.rules[index]
    if (rule === undefined) return undefined
    rule.remaining -= 1
    if (rule.remaining <= 0) this.rules.splice(index, 1)
    return rule.fault
  }
}

function onRoute(on: FaultRule['on'], route: RouteName): boolean {
  if (on === 'list') return route === 'list'
  if (on === 'delete') return route === 'delete' || route === 'bulk'
  if (on !== undefined) return route === on
  return true
}

// The .invalid TLD never resolves, so a client that follows the redirect fails instead of leaking the key.
const FOREIGN_ORIGIN = 'https://elsewhere.invalid'

function htmlPage(status: number): Answer {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`
  const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  return text(status, page, 'text/html')
}

function customAnswer(status: number, body: string, headers: Record<string, string>): Answer {
  let contentType = 'application/json'
  try {
    JSON.parse(body)
  } catch {
    contentType = 'text/plain; charset=utf-8'
  }
  return { status, headers: { 'content-type': contentType, ...headers }, body }
}

/** The same answer without the headers that say when to retry or how fast to go. */
function withoutHints(answer: Answer): Answer {
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !/^(retry-after|x-ratelimit-)/i.test(name))
  )
  return { ...answer, headers }
}

export function effectOf(fault: Fault, scene: FaultScene): FaultEffect {
  const { provider } = scene
  switch (fault.kind) {
    case 'latency':
      return { kind: 'latency', ms: fault.ms }
    case 'hang':
    case 'reset':
    case 'lose-answer':
      return { kind: fault.kind }
    case 'status': {
      const headers = fault.headers ?? {}
      if (fault.body !== undefined) return { kind: 'replace', answer: customAnswer(fault.status, fault.body, headers) }
      const answer = provider.error(fault.status, fault.message === undefined ? {} : { message: fault.message })
      return { kind: 'replace', answer: { ...answer, headers: { ...answer.headers, ...headers } } }
    }
    case 'rate-limit': {
      const hint = scene.rateHint()
      const answer = provider.rateLimited({ ...hint, resetMs: fault.resetMs ?? hint.resetMs })
      return { kind: 'replace', answer: fault.hints === false ? withoutHints(answer) : answer }
    }
    case 'html':
      return { kind: 'replace', answer: htmlPage(fault.status) }
    case 'redirect':
      return {
        kind: 'replace',
        answer: empty(fault.status ?? 301, { location: fault.location ?? `${FOREIGN_ORIGIN}${scene.url}` })
      }
    case 'delos-error':
      return { kind: 'replace', answer: json(fault.httpStatus ?? 200, { success: false, message: fault.message }) }
    case 'retryable':
      return { kind: 'replace', answer: provider.error(fault.status ?? 503, { retryable: true }) }
  }
}
