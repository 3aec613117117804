import { describe, expect, test } from '@jest/globals'
import type { Emulator, EmulatorOptions } from '../../emulator/index.js'
import { purgeCovers, wildcardAccepted } from '../../emulator/providers/imagekit-cdn.js'
import { call, emulate, KEY, type Reply } from '../helpers/common.js'
import { contractProxy } from '../helpers/contract.js'

/**
 * The emulated ImageKit's CDN endpoints, as its OpenAPI document and purge-cache page describe them (docs/providers.md,
 * ImageKit "file details", "purge", "purge status", "purge wildcard"), each exchange also held against
 * docs/openapi/imagekit.yaml by the validating proxy.
 */

const ENDPOINT = 'https://ik.imagekit.io/emulator'
const auth = { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` }
const files = [
  { id: 'hero', path: '/previews/pr-42/hero.jpg' },
  { id: 'card', path: '/previews/pr-42/cards/card one.png' }
]

interface Checked {
  emulator: Emulator
  /** Sends through the proxy; every exchange must be one the document describes. */
  send: (method: string, path: string, body?: unknown) => Promise<Reply & { json: unknown }>
  problems: string[]
}

async function checked(options: Partial<EmulatorOptions> = {}): Promise<Checked> {
  const emulator = await emulate({ provider: 'imagekit', files, ...options })
  const proxy = await contractProxy('imagekit', emulator.url)
  return {
    emulator,
    problems: proxy.problems,
    send: async (method, path, body) => {
      const reply = await call(`${proxy.url}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      return { ...reply, json: reply.body === '' ? undefined : (JSON.parse(reply.body) as unknown) }
    }
  }
}

describe('file details', () => {
  test("a file's details give its URL, with the query the document's example shows", async () => {
    const { send, problems } = await checked()
    const reply = await send('GET', '/v1/files/hero/details')
    expect(reply.status).toBe(200)
    expect(reply.json).toMatchObject({
      type: 'file',
      fileId: 'hero',
      filePath: '/previews/pr-42/hero.jpg',
      url: expect.stringMatching(/^https:\/\/ik\.imagekit\.io\/emulator\/previews\/pr-42\/hero\.jpg\?updatedAt=\d+$/)
    })
    const card = await send('GET', '/v1/files/card/details')
    expect((card.json as { url: string }).url).toMatch(/\/previews\/pr-42\/cards\/card%20one\.png\?/)
    expect(problems).toEqual([])
  })

  test('a file that is not there, or no longer, is a 404 in the shape of every ImageKit error', async () => {
    const { send, problems } = await checked()
    expect((await send('GET', '/v1/files/nothing/details')).status).toBe(404)
    expect((await send('DELETE', '/v1/files/hero')).status).toBe(204)
    const gone = await send('GET', '/v1/files/hero/details')
    expect(gone.status).toBe(404)
    expect(gone.json).toEqual({ message: 'The requested file does not exist.', help: expect.any(String) })
    expect(problems).toEqual([])
  })

  test('a wrong key is refused there too, and nothing is deleted by asking', async () => {
    const { emulator } = await checked()
    const reply = await call(`${emulator.url}/v1/files/hero/details`, {
      method: 'GET',
      headers: { authorization: `Basic ${Buffer.from('wrong:').toString('base64')}` }
    })
    expect(reply.status).toBe(403)
    expect([...emulator.store].sort()).toEqual(['card', 'hero'])
    expect(emulator.requests.map(r => r.route)).toEqual(['details'])
  })
})

describe('purge', () => {
  test('a URL of the account is taken: 201 with a requestId; Pending, then Completed', async () => {
    const { send, emulator, problems } = await checked()
    const url = `${ENDPOINT}/previews/pr-42/hero.jpg*`
    const taken = await send('POST', '/v1/files/purge', { url })
    expect(taken.status).toBe(201)
    const { requestId } = taken.json as { requestId: string }
    expect(requestId).toMatch(/^[0-9a-f]{24}$/)
    expect(emulator.purges).toEqual([{ url, requestId }])
    expect((await send('GET', `/v1/files/purge/${requestId}`)).json).toEqual({ status: 'Pending' })
    expect((await send('GET', `/v1/files/purge/${requestId}`)).json).toEqual({ status: 'Completed' })
    expect((await send('GET', `/v1/files/purge/${requestId}`)).json).toEqual({ status: 'Completed' })
    expect(emulator.requests.map(r => r.route)).toEqual(['purge', 'purge-status', 'purge-status', 'purge-status'])
    expect(problems).toEqual([])
  })

  test('a purge can be held Pending for longer', async () => {
    const { send } = await checked({ imagekitPendingPolls: 3 })
    const { requestId } = (await send('POST', '/v1/files/purge', { url: `${ENDPOINT}/a.jpg` })).json as {
      requestId: string
    }
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send('GET', `/v1/files/purge/${requestId}`)).json)
    expect(statuses.map(s => (s as { status: string }).status)).toEqual(['Pending', 'Pending', 'Pending', 'Completed'])
  })

  test('an unknown requestId is a 400', async () => {
    const { send, problems } = await checked()
    const reply = await send('GET', '/v1/files/purge/000000000000000000000099')
    expect(reply.status).toBe(400)
    expect(reply.json).toEqual({ message: 'No request found for this requestId.', help: expect.any(String) })
    expect(problems).toEqual([])
  })

  test.each([
    ['another host (a custom domain the account does not have)', 'https://images.example.com/previews/pr-42/hero.jpg'],
    ['another account', 'https://ik.imagekit.io/someone-else/hero.jpg'],
    ['a wildcard within the path', `${ENDPOINT}/previews/*/hero.jpg`],
    ['one level, short, no extension', `${ENDPOINT}/images*`],
    ['one level and a slash', `${ENDPOINT}/previews/*`],
    ['a path never taken with a wildcard', `${ENDPOINT}/media/catalog/*`],
    ['not a URL', 'hero.jpg']
  ])('400 for a URL it will not purge: %s', async (_, url) => {
    const { send, emulator, problems } = await checked()
    const reply = await send('POST', '/v1/files/purge', { url })
    expect(reply.status).toBe(400)
    expect(reply.json).toEqual({ message: 'The URL is not valid for cache purging.', help: expect.any(String) })
    expect(emulator.purges).toEqual([])
    expect(problems).toEqual([])
  })

  test.each([
    ['two levels', `${ENDPOINT}/previews/pr-42/*`],
    ['two levels, a prefix of a name', `${ENDPOINT}/images/upload*`],
    ['fifteen characters', `${ENDPOINT}/fifteen-chars-x*`],
    ['a file with its extension', `${ENDPOINT}/sample.jpg*`],
    ['an exact URL, with a query', `${ENDPOINT}/previews/pr-42/hero.jpg?updatedAt=1`]
  ])('201 for a URL the rules allow: %s', async (_, url) => {
    const { send, emulator } = await checked()
    expect((await send('POST', '/v1/files/purge', { url })).status).toBe(201)
    expect(emulator.purges.map(p => p.url)).toEqual([url])
  })

  test('a body without a url is refused', async () => {
    const { send, problems } = await checked()
    const reply = await send('POST', '/v1/files/purge', { link: `${ENDPOINT}/a.jpg` })
    expect(reply.status).toBe(400)
    // The document requires url: the proxy says so of the request, and the 400 itself is described.
    expect(problems).toEqual([expect.stringMatching(/^request POST \/v1\/files\/purge: .*url/)])
  })

  test('faults can be aimed at purges alone', async () => {
    const { send, emulator } = await checked()
    emulator.inject({ on: 'purge', times: 1, fault: { kind: 'status', status: 503 } })
    expect((await send('GET', '/v1/files/hero/details')).status).toBe(200)
    expect((await send('POST', '/v1/files/purge', { url: `${ENDPOINT}/a.jpg` })).status).toBe(503)
    expect((await send('POST', '/v1/files/purge', { url: `${ENDPOINT}/a.jpg` })).status).toBe(201)
    expect(emulator.purges).toHaveLength(1)
  })
})

describe('the wildcard rules, as the emulator reads them', () => {
  test.each([
    ['/images/upload', true],
    ['/images', false],
    ['/sample.jpg', true],
    ['/abcdefghijklmno', true],
    ['/abcdefghijklmn', false],
    ['/media/catalog/product/', false],
    ['/s/files/a/b/', false]
  ])('%s: %s', (path, accepted) => {
    expect(wildcardAccepted(path)).toBe(accepted)
  })

  test('a purge covers its own URL, or every URL its wildcard starts', () => {
    expect(purgeCovers(`${ENDPOINT}/a/b/*`, `${ENDPOINT}/a/b/c.jpg`)).toBe(true)
    expect(purgeCovers(`${ENDPOINT}/a/b/*`, `${ENDPOINT}/a/bc.jpg`)).toBe(false)
    expect(purgeCovers(`${ENDPOINT}/a.jpg`, `${ENDPOINT}/a.jpg?tr=w-300`)).toBe(false)
    expect(purgeCovers(`${ENDPOINT}/a.jpg*`, `${ENDPOINT}/a.jpg?tr=w-300`)).toBe(true)
  })
})
