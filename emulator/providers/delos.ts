import type { IncomingHttpHeaders } from 'node:http'
import { delosAnswer, delosAnswers, delosMessages } from '../../__fixtures__/answers.js'
import { json, text } from '../answers.js'
import { deleteRoute, statusText, type Provider, type ProviderContext } from './provider.js'

function acceptsJson(headers: IncomingHttpHeaders): boolean {
  return (headers.accept ?? '')
    .split(',')
    .some(range => range.split(';')[0]?.trim().toLowerCase() === 'application/json')
}

/** Delos: `DELETE /v2/storage/file/{id}[?customerId=]`, raw `Authorization`, soft and idempotent deletes. */
export function delos({ options, files }: ProviderContext): Provider {
  const locked = new Set(options.lockedIds ?? [])
  const forbidden = new Set(options.forbiddenIds ?? [])

  return {
    route: request => deleteRoute(request, '/v2/storage/file/'),
    answer(route, request) {
      // The docs require this header; a client that forgets it must not get a JSON body it could misread.
      if (!acceptsJson(request.headers)) return text(406, 'Not Acceptable')
      if (request.headers.authorization !== options.apiKey) return json(401, delosAnswers.unauthorized)
      if (route.kind !== 'file') return json(404, delosAnswer(false, 'Not found'))
      const { id } = route
      if (!files.known(id)) return json(404, delosAnswer(false, delosMessages.notFound(id)))
      const customer = request.query.get('customerId') || undefined
      if (forbidden.has(id)) return json(403, delosAnswer(false, delosMessages.accessDenied(id)))
      if (customer !== undefined && options.customerId !== undefined && customer !== options.customerId) {
        return json(403, delosAnswers.customerMismatch)
      }
      if (locked.has(id)) return json(423, delosAnswers.locked)
      files.remove(id)
      return json(
        200,
        customer === undefined
          ? delosAnswers.deleted
          : delosAnswer(true, delosMessages.deletedForCustomer(id, customer))
      )
    },
    error: (status, { retryable, message } = {}) =>
      json(status, delosAnswer(false, message ?? statusText(status), retryable)),
    rateLimited: () => json(429, delosAnswer(false, delosMessages.rateLimited))
  }
}
