import type { IncomingHttpHeaders } from 'node:http'
import { json, text, type Answer } from '../answers.js'
import { deleteRoute, statusText, type Provider, type ProviderContext } from './provider.js'

function delosAnswer(status: number, success: boolean, message: string, retryable?: boolean): Answer {
  return json(status, { success, message, ...(retryable ? { retryable } : {}) })
}

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
      if (request.headers.authorization !== options.apiKey) return delosAnswer(401, false, 'Unauthorized')
      if (route.kind !== 'file') return delosAnswer(404, false, 'Not found')
      const { id } = route
      if (!files.known(id)) return delosAnswer(404, false, `File not found: ${id}`)
      const customer = request.query.get('customerId') || undefined
      if (forbidden.has(id)) return delosAnswer(403, false, `Access denied to file: ${id}`)
      if (customer !== undefined && options.customerId !== undefined && customer !== options.customerId) {
        return delosAnswer(403, false, 'File does not belong to specified customer')
      }
      if (locked.has(id)) return delosAnswer(423, false, 'File is locked and cannot be deleted')
      files.remove(id)
      const message =
        customer === undefined ? 'File deleted successfully' : `File ${id} deleted for customer ${customer}`
      return delosAnswer(200, true, message)
    },
    error: (status, retryable) => delosAnswer(status, false, statusText(status), retryable),
    rateLimited: () => delosAnswer(429, false, 'Too many requests')
  }
}
