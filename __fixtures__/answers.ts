/**
 * Provider answer bodies, as the providers' delete-file and list-files documents show them (and, where those are
 * silent, their public docs). The one source: the emulator sends exactly these, and tests hold the client against
 * them. Builders take what varies (an ID, a message, a listed file); the named values are the documents' own examples.
 */
import { STATUS_CODES } from 'node:http'
import type { ListedRecord } from '../emulator/types.js'

const statusText = (status: number): string => STATUS_CODES[status] ?? `HTTP ${status}`

// Writer: {"tpe", "errors": [{"description"}]} (docs).
const WRITER_ERROR_TYPE: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'too_many_requests'
}

export function writerError(status: number, description: string, retryable?: boolean) {
  const tpe = WRITER_ERROR_TYPE[status] ?? (status >= 500 ? 'server_error' : 'fail')
  return { tpe, errors: [{ description }], ...(retryable ? { retryable } : {}) }
}

export const writerDeleted = (id: string) => ({ id, deleted: true })

export const writerAnswers = {
  deleted: writerDeleted('7c36a365-392f-43ba-840d-8f3103b42572'),
  notDeletedFlag: { id: '7c36a365-392f-43ba-840d-8f3103b42572', deleted: false },
  notFound: writerError(404, 'File not found'),
  unauthorized: writerError(401, 'Invalid API key'),
  rateLimited: writerError(429, 'Too many requests')
}

export const writerMessages = {
  invalidLimit: (max: number) => `limit must be between 1 and ${max}`,
  invalidOrder: "order must be 'asc' or 'desc'",
  unknownCursor: (id: string) => `Invalid cursor: no file ${id}`
}

// Writer list: {"data": [...], "has_more"}, cursor pagination by `after`.
export const writerListItem = (file: ListedRecord) => ({
  id: file.id,
  name: file.name,
  created_at: file.createdAt,
  graph_ids: file.graphIds ?? [],
  status: file.status
})

export const writerListPage = <T>(data: readonly T[], hasMore: boolean) => ({ data: [...data], has_more: hasMore })

// ImageKit: {"message", "help"}; the bulk endpoint's 200, 207 and 404 (docs/providers.md, ImageKit).
const IMAGEKIT_HELP = 'For support kindly contact us at support@imagekit.io .'

export function imagekitError(message: string, extra: Record<string, unknown> = {}) {
  return { message, help: IMAGEKIT_HELP, ...extra }
}

export const imagekitAnswers = {
  notFound: imagekitError('The requested file does not exist.'),
  unauthorized: imagekitError('Your request does not contain private API key.'),
  wrongKey: imagekitError('Your account cannot be authenticated.'),
  rateLimited: imagekitError('Too many requests'),
  bulkDeleted: (fileIds: readonly string[]) => ({ successfullyDeletedFileIds: [...fileIds] }),
  /** 207: some files were not deleted, each with its error (OpenAPI delete-multiple-files). */
  bulkPartial: (fileIds: readonly string[], refused: readonly string[]) => ({
    successfullyDeletedFileIds: [...fileIds],
    errors: refused.map(fileId => ({ fileId, error: 'The file could not be deleted. Please try again.' }))
  }),
  bulkMissing: (missingFileIds: readonly string[]) =>
    imagekitError('The requested file(s) does not exist.', { missingFileIds: [...missingFileIds] }),
  bulkInvalid: imagekitError('Your request contains invalid fileIds parameter.'),
  bulkTooMany: (max: number) => imagekitError(`Your request contains more than ${max} fileIds.`),
  invalidParameter: (name: string) => imagekitError(`Your request contains invalid ${name} parameter.`),
  invalidSearchQuery: imagekitError('Your request contains invalid searchQuery parameter.')
}

// ImageKit list: a bare array of files, file versions and folders.
export const imagekitAITags = (names: readonly string[]) =>
  names.map(name => ({ name, confidence: 95.5, source: 'google-auto-tagging' }))

const imagekitFileFields = (file: ListedRecord) => ({
  fileId: file.id,
  name: file.name,
  filePath: file.path,
  tags: file.tags ?? null,
  AITags: file.aiTags === undefined ? null : imagekitAITags(file.aiTags),
  createdAt: file.createdAt,
  updatedAt: file.createdAt
})

export const imagekitListFile = (file: ListedRecord) => ({ type: 'file', ...imagekitFileFields(file) })

export const imagekitListVersion = (file: ListedRecord, versionInfo: { id: string; name: string }) => ({
  type: 'file-version',
  ...imagekitFileFields(file),
  versionInfo
})

export const imagekitListFolder = (folder: ListedRecord) => ({
  type: 'folder',
  folderId: folder.id,
  name: folder.name,
  folderPath: folder.path,
  createdAt: folder.createdAt,
  updatedAt: folder.createdAt
})

export const imagekitListPage = <T>(items: readonly T[]) => [...items]

// Delos: {"success", "message"}, every message as the document gives it.
export const delosAnswer = (success: boolean, message: string, retryable?: boolean) => ({
  success,
  message,
  ...(retryable ? { retryable } : {})
})

export const delosMessages = {
  deleted: 'File deleted successfully',
  deletedForCustomer: (id: string, customer: string) => `File ${id} deleted for customer ${customer}`,
  notFound: (id: string) => `File not found: ${id}`,
  locked: 'File is locked and cannot be deleted',
  accessDenied: (id: string) => `Access denied to file: ${id}`,
  unauthorized: 'Unauthorized',
  customerMismatch: 'File does not belong to specified customer',
  // Not documented: plain messages in the same shape.
  invalidPagination: 'Invalid pagination parameters',
  rateLimited: 'Too many requests'
}

export const delosAnswers = {
  deleted: delosAnswer(true, delosMessages.deleted),
  deletedForCustomer: delosAnswer(true, delosMessages.deletedForCustomer('file_78902', 'cust_12345')),
  notFound: delosAnswer(false, delosMessages.notFound('file_99999')),
  locked: delosAnswer(false, delosMessages.locked),
  accessDenied: delosAnswer(false, delosMessages.accessDenied('file_78901')),
  unauthorized: delosAnswer(false, delosMessages.unauthorized),
  customerMismatch: delosAnswer(false, delosMessages.customerMismatch)
}

// Delos list: {"items": [...], "meta": {"page", "pageSize", "total"}}; the documents give no size, so one for all.
export const DELOS_LISTED_SIZE = 1024

export const delosListItem = (file: ListedRecord, customerId: string | null, isLock: boolean) => ({
  id: file.id,
  name: file.name,
  customerId,
  size: DELOS_LISTED_SIZE,
  isLock
})

export const delosListPage = <T>(items: readonly T[], meta: { page: number; pageSize: number; total: number }) => ({
  items: [...items],
  meta: { page: meta.page, pageSize: meta.pageSize, total: meta.total }
})

// AnyFormat: {"error", "detail", "error_code", "retryable", "request_id"}; 422 {"detail": [{"msg", ...}]} (docs).
const ANYFORMAT_ERROR_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT'
}

/** Statuses an AnyFormat body calls retryable. */
export const anyformatRetryable = (status: number): boolean => status === 408 || status === 429 || status >= 500

export function anyformatError(
  status: number,
  detail: string,
  requestId: string,
  retryable = anyformatRetryable(status)
) {
  const error = statusText(status)
  const error_code = ANYFORMAT_ERROR_CODE[status] ?? error.toUpperCase().replace(/[^A-Z0-9]+/g, '_')
  return { error, detail, error_code, retryable, request_id: requestId }
}

export const anyformatValidation = (
  msg: string,
  type: string,
  input: string,
  loc: readonly string[] = ['path', 'collection_id']
) => ({ detail: [{ loc: [...loc], msg, type, input }] })

const queryValidation = (name: string, input: string, msg: string, type: string) =>
  anyformatValidation(msg, type, input, ['query', name])

export const anyformatAnswers = {
  notFound: anyformatError(404, 'File not found.', 'req_1'),
  unauthorized: anyformatError(401, 'Invalid or missing API key.', 'req_2'),
  rateLimited: anyformatError(429, 'Rate limit exceeded.', 'req_3'),
  unavailable: anyformatError(503, 'Try again.', 'req_4'),
  validation: anyformatValidation('Input should be a valid UUID', 'uuid_parsing', 'not-a-uuid'),
  emptyId: anyformatValidation('String should have at least 1 character', 'string_too_short', ''),
  workflowNotFound: anyformatError(404, 'Workflow not found.', 'req_5'),
  notInteger: (name: string, input: string) =>
    queryValidation(
      name,
      input,
      'Input should be a valid integer, unable to parse string as an integer',
      'int_parsing'
    ),
  belowOne: (name: string, input: string) =>
    queryValidation(name, input, 'Input should be greater than or equal to 1', 'greater_than_equal')
}

// AnyFormat list: {"count", "page", "page_size", "results": [...]}, page-numbered.
export const anyformatListItem = (file: ListedRecord) => ({
  id: file.id,
  name: file.name,
  status: file.status,
  created_at: file.createdAt
})

export const anyformatListPage = <T>(
  results: readonly T[],
  page: { count: number; page: number; pageSize: number }
) => ({ count: page.count, page: page.page, page_size: page.pageSize, results: [...results] })
