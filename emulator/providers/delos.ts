import type { IncomingHttpHeaders } from 'node:http'
import { delosAnswer, delosAnswers, delosListItem, delosListPage, delosMessages } from '../bodies.js'
import { json, text, type Answer } from '../answers.js'
import { deleteRoute, intParam, listRoute, statusText, type Provider, type ProviderContext } from './provider.js'

const PAGE_SIZE_MAX = 100

function acceptsJson(headers: IncomingHttpHeaders): boolean {
  return (headers.accept ?? '')
    .split(',')
    .some(range => range.split(';')[0]?.trim().toLowerCase() === 'application/json')
}

/**
 * Delos: `DELETE /v2/storage/file/{id}[?customerId=]` and `GET /v2/storage/file` (numbered pages), raw
 * `Authorization`, soft and idempotent deletes.
 */
export function delos({ options, files }: ProviderContext): Provider {
  const forbidden = new Set(options.forbiddenIds ?? [])
  const isLocked = (id: string): boolean => files.record(id)?.locked === true
  const ownerOf = (id: string): string | undefined => files.record(id)?.customerId ?? options.customerId

  function list(query: URLSearchParams): Answer {
    // Pages are numbered from 0 (docs/providers.md, Delos "page numbering").
    const page = intParam(query, 'meta.page', 0)
    const asked = intParam(query, 'meta.pageSize', PAGE_SIZE_MAX)
    if (page === undefined || asked === undefined || asked < 1) {
      return json(400, delosAnswer(false, delosMessages.invalidPagination))
    }
    // No cap is documented; a silent one is the case a client must survive, so the emulator caps (default 100).
    const pageSize = Math.min(asked, options.delosMaxPageSize ?? PAGE_SIZE_MAX)
    options.onList?.({ provider: 'delos', page: page + 1 })
    const customer = options.ignoreListFilters ? undefined : query.get('customerId') || undefined
    const listed = files.memo(`delos ${customer ?? ''}`, () =>
      files.listed().filter(file => customer === undefined || ownerOf(file.id) === customer)
    )
    const items = listed
      .slice(page * pageSize, (page + 1) * pageSize)
      .map(file => delosListItem(file, ownerOf(file.id) ?? null, isLocked(file.id)))
    return json(200, delosListPage(items))
  }

  function remove(id: string, customer: string | undefined): Answer {
    if (!files.known(id)) return json(404, delosAnswer(false, delosMessages.notFound(id)))
    if (forbidden.has(id)) return json(403, delosAnswer(false, delosMessages.accessDenied(id)))
    const owner = ownerOf(id)
    if (customer !== undefined && owner !== undefined && customer !== owner) {
      return json(403, delosAnswers.customerMismatch)
    }
    if (isLocked(id)) return json(423, delosAnswers.locked)
    files.remove(id)
    return json(
      200,
      customer === undefined ? delosAnswers.deleted : delosAnswer(true, delosMessages.deletedForCustomer(id, customer))
    )
  }

  return {
    route: request => listRoute(request, '/v2/storage/file') ?? deleteRoute(request, '/v2/storage/file/'),
    answer(route, request) {
      // The docs require this header; a client that forgets it must not get a JSON body it could misread.
      if (!acceptsJson(request.headers)) return text(406, 'Not Acceptable')
      if (request.headers.authorization !== options.apiKey) return json(401, delosAnswers.unauthorized)
      if (route.kind === 'list') return list(request.query)
      if (route.kind !== 'file') return json(404, delosAnswer(false, 'Not found'))
      return remove(route.id, request.query.get('customerId') || undefined)
    },
    error: (status, { retryable, message } = {}) =>
      json(status, delosAnswer(false, message ?? statusText(status), retryable)),
    rateLimited: () => json(429, delosAnswer(false, delosMessages.rateLimited))
  }
}
