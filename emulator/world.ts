import type { IncomingHttpHeaders } from 'node:http'
import { noRoute, type Answer } from './answers.js'
import { effectOf, FaultBook, type FaultEffect } from './faults.js'
import { Files } from './files.js'
import { createProvider, type ApiRequest, type Provider, type Route } from './providers/index.js'
import { FixedWindow, type RateHint } from './rate-window.js'
import type { EmulatorOptions, Fault, FileRecord, RouteName } from './types.js'

/** Hints a rate-limit fault gives when no rateLimit option sets a window. */
const DEFAULT_RATE_HINT: RateHint = { limit: 100, intervalMs: 1000, resetMs: 1000 }

/** What becomes of one request that reached the provider. */
export interface Reception {
  route: Route
  /** What a fault does to it, if one applies. */
  effect: FaultEffect | undefined
  /** The answer: a fault's, the rate limit's, or the provider's own (which is when the store changes). */
  readonly respond: () => Answer
}

/**
 * One emulated provider with no transport: its files, its faults and its rate window, and what it does with a
 * request. The HTTP emulator serves it on a socket; the unit tests' virtual-clock fake calls it in process.
 */
export interface World {
  readonly provider: Provider
  readonly files: Files
  readonly faults: FaultBook
  /** The path the API is mounted under ('' or '/prefix'). */
  readonly prefix: string
  /**
   * Takes one request (`target` is its raw path and query) `elapsedMs` after the start. `chooseFault`, when given,
   * says what happens to this request, once it is routed, instead of the injected rules.
   */
  receive(request: IncomingRequest, elapsedMs: number, chooseFault?: (route: Route) => Fault | undefined): Reception
}

/** A request as it arrives, before the world routes it. */
export interface IncomingRequest {
  method: string
  target: string
  /** Names in lower case, as node:http gives them. */
  headers: IncomingHttpHeaders
  body: string
}

export function createWorld(options: EmulatorOptions): World {
  const files = new Files(storeOf(options))
  const provider = createProvider(options.provider, { options, files })
  const faults = new FaultBook()
  const rateWindow = options.rateLimit === undefined ? undefined : new FixedWindow(options.rateLimit)
  const prefix = normalizePrefix(options.pathPrefix)

  function receive(
    incoming: IncomingRequest,
    elapsedMs: number,
    chooseFault?: (route: Route) => Fault | undefined
  ): Reception {
    const { method, target, headers, body } = incoming
    const request = apiRequest(method, target, headers, body, prefix)
    const route: Route = request === undefined ? { kind: 'outside' } : provider.route(request)
    const applied = chooseFault ? chooseFault(route) : faults.take(idsOf(route), routeName(route))
    const overLimit = rateWindow?.hit(elapsedMs)
    const rateHint = (): RateHint => rateWindow?.hint(elapsedMs) ?? DEFAULT_RATE_HINT
    const effect = applied && effectOf(applied, { provider, url: target, rateHint })
    const respond = (): Answer => {
      if (effect?.kind === 'replace') return effect.answer
      if (overLimit !== undefined) return provider.rateLimited(overLimit)
      return route.kind === 'outside' || request === undefined ? noRoute() : provider.answer(route, request)
    }
    return { route, effect, respond }
  }

  return { provider, files, faults, prefix, receive }
}

/** The file IDs a request names: a per-file delete's or details', or a bulk delete's well-formed list. */
export function idsOf(route: Route): string[] {
  if (route.kind === 'file' || route.kind === 'details') return [route.id]
  if (route.kind === 'bulk') return route.ids ?? []
  return []
}

/** The route a request is recorded under: a redirect or a refused ID counts as the request it was meant to be. */
export function routeName(route: Route): RouteName {
  switch (route.kind) {
    case 'file':
    case 'invalid-id':
      return 'delete'
    case 'add-slash':
      return route.of
    case 'bulk':
    case 'list':
    case 'graph':
    case 'details':
    case 'purge':
    case 'purge-status':
    case 'outside':
      return route.kind
  }
}

function splitTarget(target: string): { fullPath: string; rawQuery: string } {
  const queryAt = target.indexOf('?')
  return queryAt < 0
    ? { fullPath: target, rawQuery: '' }
    : { fullPath: target.slice(0, queryAt), rawQuery: target.slice(queryAt + 1) }
}

/** The path of a request target, without its query. */
export function targetPath(target: string): string {
  return splitTarget(target).fullPath
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '')
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** A request as the API sees it, relative to the mount point; undefined when it is not under `prefix`. */
function apiRequest(
  method: string,
  target: string,
  headers: IncomingHttpHeaders,
  body: string,
  prefix: string
): ApiRequest | undefined {
  const { fullPath, rawQuery } = splitTarget(target)
  if (!fullPath.startsWith(`${prefix}/`)) return undefined
  return {
    method,
    path: fullPath.slice(prefix.length),
    fullPath,
    query: new URLSearchParams(rawQuery),
    rawQuery,
    headers,
    body
  }
}

/**
 * The files the store starts with. Delos's `lockedIds` are files with `locked` set (merged into a record given for
 * the same ID), and its `forbiddenIds` files that exist.
 */
function storeOf(options: EmulatorOptions): Array<string | FileRecord> {
  const given = [...(options.files ?? [])]
  if (options.provider !== 'delos') return given
  const locked = new Set(options.lockedIds ?? [])
  const idOf = (file: string | FileRecord): string => (typeof file === 'string' ? file : file.id)
  const files = given.map(file => {
    if (!locked.has(idOf(file))) return file
    locked.delete(idOf(file))
    return { ...(typeof file === 'string' ? { id: file } : file), locked: true }
  })
  return [...files, ...[...locked].map(id => ({ id, locked: true })), ...(options.forbiddenIds ?? [])]
}
