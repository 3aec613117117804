/**
 * A validating proxy between the client and the emulator: every request is held against the provider's OpenAPI
 * document (docs/openapi/<provider>.yaml) before it is passed on, and every answer after it comes back. What the
 * document forbids or does not describe is a problem; a test expects none.
 */
import { readFileSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { OpenAPIBackend, type Operation } from 'openapi-backend'
import { parse } from 'yaml'
import type { ProviderName } from '../../src/providers/index.js'
import { rawServer } from './common.js'

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'openapi')

export interface ContractProxy {
  /** Where the client sends its requests (its base-url). */
  url: string
  /** What the document forbids or does not describe, one line each. */
  problems: string[]
  /** Requests passed on, by operationId. */
  operations: string[]
}

/** A provider's document, compiled, and its paths that end in a slash (the router itself ignores one). */
interface Contract {
  api: OpenAPIBackend
  slashed: ReadonlySet<string>
}

const documents = new Map<ProviderName, Promise<Contract>>()

/** The provider's document, read and compiled once per test file. */
export function contractOf(provider: ProviderName): Promise<Contract> {
  let contract = documents.get(provider)
  if (contract === undefined) {
    const definition = parse(readFileSync(path.join(DOCS, `${provider}.yaml`), 'utf8')) as { paths: object }
    // AnyFormat's routes end in a slash that the API requires: matched without it, then checked on their own.
    const slashed = new Set<string>()
    const paths = Object.fromEntries(
      Object.entries(definition.paths).map(([route, item]) => {
        if (!route.endsWith('/')) return [route, item as unknown]
        slashed.add(route.slice(0, -1))
        return [route.slice(0, -1), item as unknown]
      })
    )
    const api = new OpenAPIBackend({
      definition: { ...definition, paths } as never,
      strict: true,
      ajvOpts: { strict: false }
    })
    contract = api.init().then(() => ({ api, slashed }))
    documents.set(provider, contract)
  }
  return contract
}

/** A proxy to `upstream` (an emulator's URL) that checks every exchange against the provider's document. */
export async function contractProxy(provider: ProviderName, upstream: string): Promise<ContractProxy> {
  const contract = await contractOf(provider)
  const { api } = contract
  const problems: string[] = []
  const operations: string[] = []
  const url = await rawServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const where = `${request.method ?? ''} ${request.url ?? ''}`
      const operation = checkRequest(contract, request, body, problems)
      if (operation?.operationId) operations.push(operation.operationId)
      forward(upstream, request, body, answer => {
        if (operation) checkAnswer(api, operation, answer, where, problems)
        response.writeHead(answer.status, answer.headers)
        response.end(answer.body)
      })
    })
  })
  return { url: url.href.replace(/\/$/, ''), problems, operations }
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

function forward(upstream: string, request: http.IncomingMessage, body: string, done: (answer: Answer) => void): void {
  const target = new URL(request.url ?? '/', upstream)
  const headers = { ...request.headers, host: target.host }
  const outgoing = http.request(target, { method: request.method, headers }, answer => {
    const chunks: Buffer[] = []
    answer.on('data', (chunk: Buffer) => chunks.push(chunk))
    answer.on('end', () =>
      done({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(chunks).toString('utf8') })
    )
  })
  outgoing.on('error', error => done({ status: 502, headers: {}, body: `proxy: ${error.message}` }))
  outgoing.end(body)
}

/** The request's operation, or undefined (with a problem) when the document has none for it. */
function checkRequest(
  { api, slashed }: Contract,
  request: http.IncomingMessage,
  body: string,
  problems: string[]
): Operation | undefined {
  const target = new URL(request.url ?? '/', 'http://proxy.test')
  const method = (request.method ?? '').toLowerCase()
  const where = `${request.method ?? ''} ${request.url ?? ''}`
  const route = target.pathname.replace(/(.)\/$/, '$1')
  const operation = api.matchOperation({ method, path: route, headers: {} })
  if (operation === undefined || slashed.has(operation.path) !== target.pathname.endsWith('/')) {
    problems.push(`request ${where}: no operation of the document takes it`)
    return undefined
  }
  const query = Object.fromEntries(target.searchParams)
  let json: unknown
  try {
    json = body === '' ? undefined : (JSON.parse(body) as unknown)
  } catch {
    problems.push(`request ${where}: the body is not JSON`)
  }
  const headers = request.headers as Record<string, string>
  const validation = api.validateRequest({ method, path: route, query, headers, body: json }, operation)
  for (const error of validation.errors ?? [])
    problems.push(`request ${where}: ${error.instancePath} ${error.message ?? ''}`.trim())
  for (const problem of authProblems(api, request.headers)) problems.push(`request ${where}: ${problem}`)
  return operation
}

/** The document's security scheme, as the request's Authorization (and, for an API key scheme, Accept) must meet it. */
function authProblems(api: OpenAPIBackend, headers: IncomingHttpHeaders): string[] {
  const schemes = (api.definition.components?.securitySchemes ?? {}) as Record<
    string,
    { type: string; scheme?: string }
  >
  const [scheme] = Object.values(schemes)
  const authorization = headers.authorization ?? ''
  if (scheme?.type === 'http' && scheme.scheme === 'bearer' && !/^Bearer \S+$/.test(authorization))
    return ['Authorization is not "Bearer <key>"']
  if (scheme?.type === 'http' && scheme.scheme === 'basic') {
    const encoded = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(authorization)?.[1]
    if (encoded === undefined || !Buffer.from(encoded, 'base64').toString('utf8').includes(':'))
      return ['Authorization is not "Basic base64(user:password)"']
  }
  if (scheme?.type === 'apiKey' && authorization === '') return ['no Authorization']
  return []
}

function checkAnswer(
  api: OpenAPIBackend,
  operation: Operation,
  answer: Answer,
  where: string,
  problems: string[]
): void {
  const said = `answer ${answer.status} to ${where}`
  const responses = operation.responses ?? {}
  const described = responses[String(answer.status)] ?? responses.default
  if (described === undefined) {
    problems.push(`${said}: the document does not describe it`)
    return
  }
  const content = 'content' in described ? described.content : undefined
  if (content === undefined) {
    if (answer.body !== '') problems.push(`${said}: a body where the document gives none`)
    return
  }
  let json: unknown
  try {
    json = JSON.parse(answer.body) as unknown
  } catch {
    problems.push(`${said}: the body is not JSON`)
    return
  }
  const validation = api.validateResponse(json, operation, answer.status)
  for (const error of validation.errors ?? []) problems.push(`${said}: ${error.instancePath} ${error.message ?? ''}`)
  const headers = api.validateResponseHeaders(answer.headers, operation, { statusCode: answer.status })
  for (const error of headers.errors ?? [])
    problems.push(`${said}: header ${error.instancePath} ${error.message ?? ''}`)
}
