import { describe, expect, test } from '@jest/globals'
import { imagekitUrl } from '../../emulator/bodies.js'
import { planPurges, type FolderScope } from '../../src/cdn/plan.js'
import { imagekitCdn } from '../../src/providers/imagekit-cdn.js'
import type { CdnFile, HttpAnswer } from '../../src/providers/types.js'
import { answer } from '../helpers/answers.js'

/**
 * purge-cdn's rules, pure: where ImageKit serves a file, which URLs a purge may end in a wildcard
 * (docs/providers.md, ImageKit "file URL", "purge wildcard"), how its answers read, and which purges cover the files
 * a run deleted.
 */

const ENDPOINT = 'https://ik.imagekit.io/emulator'
/** The URL the emulated account serves a file at. */
const servedAt = (path: string): string => imagekitUrl(path)

describe("ImageKit's URLs and wildcard rules", () => {
  test("a file's URL splits at its URL endpoint, without the query; a path that does not fit gets no address", () => {
    const url = `${ENDPOINT}/previews/pr-42/card%20one.png?updatedAt=17`
    expect(imagekitCdn.address({ url, path: '/previews/pr-42/card one.png' })).toEqual({
      url: `${ENDPOINT}/previews/pr-42/card%20one.png`,
      endpoint: ENDPOINT,
      steps: ['previews', 'pr-42', 'card%20one.png'],
      path: '/previews/pr-42/card one.png'
    })
    expect(imagekitCdn.address({ url: `${ENDPOINT}/a/b.png`, path: '/x/b.png' })).toBeUndefined()
    expect(imagekitCdn.address({ url: `${ENDPOINT}/a/b.png`, path: null })).toBeUndefined()
    expect(imagekitCdn.address({ url: 'ftp://host/a/b.png', path: '/a/b.png' })).toBeUndefined()
    expect(imagekitCdn.address({ url: `${ENDPOINT}/a/../b.png`, path: '/a/../b.png' })).toBeUndefined()
  })

  test.each([
    ['/images/upload', true],
    ['/previews/pr-42/', true],
    ['/images', false],
    ['/previews/', false],
    ['/sample.jpg', true],
    ['/a.b/', false],
    ['/abcdefghijklmno', true],
    ['/abcdefghijklmn', false],
    ['/media/catalog/product/', false],
    ['/s/files/a/b.jpg', false]
  ])('a wildcard after %s: %s', (path, allowed) => {
    expect(imagekitCdn.wildcard(path)).toBe(allowed)
  })

  const reply = (status: number, body: unknown): HttpAnswer => answer(status, body)

  test('only a 201 with a requestId is a purge submitted; only Pending or Completed is a status', () => {
    expect(imagekitCdn.readPurge(reply(201, { requestId: 'r1' }))).toEqual({ requestId: 'r1' })
    expect(imagekitCdn.readPurge(reply(200, { requestId: 'r1' }))).toEqual({
      problem: 'unexpected answer (HTTP 200); only 201 confirms a purge'
    })
    expect(imagekitCdn.readPurge(reply(201, {}))).toEqual({ problem: 'the answer has no requestId' })
    expect(imagekitCdn.readStatus(reply(200, { status: 'Completed' }))).toEqual({ completed: true })
    expect(imagekitCdn.readStatus(reply(200, { status: 'Pending' }))).toEqual({ completed: false })
    expect(imagekitCdn.readStatus(reply(200, { status: 'Done' }))).toEqual({
      problem: 'the answer has no status of a purge'
    })
  })

  test('details must name the file asked for, and give a web URL', () => {
    const details = (body: unknown): unknown => imagekitCdn.readDetails(reply(200, body), 'a')
    expect(details({ fileId: 'a', url: `${ENDPOINT}/a.jpg`, filePath: '/a.jpg' })).toEqual({
      url: `${ENDPOINT}/a.jpg`,
      path: '/a.jpg'
    })
    expect(details({ fileId: 'b', url: `${ENDPOINT}/b.jpg` })).toEqual({ problem: 'the details name another file' })
    expect(details({ fileId: 'a', url: 'javascript:alert(1)' })).toEqual({
      problem: 'the details give no URL to purge'
    })
  })
})

describe('which purges cover what was deleted', () => {
  const at = (path: string): CdnFile => ({ url: `${servedAt(path)}?updatedAt=1`, path })
  const filesOf = (entries: Array<[string, string]>): Map<string, CdnFile> =>
    new Map(entries.map(([id, path]) => [id, at(path)]))
  const tree: Array<[string, string]> = [
    ['a', '/previews/pr-42/a.jpg'],
    ['b', '/previews/pr-42/b.jpg'],
    ['c', '/previews/pr-42/sub/c.jpg'],
    ['d', '/previews/pr-42/sub/d.jpg']
  ]
  const scope = (folder: string, listed = tree): FolderScope => ({
    folder,
    files: listed.map(([id, path]) => ({ id, path }))
  })

  test('one folder purge when every file the listing showed under the folder was deleted', () => {
    const plan = planPurges(['a', 'b', 'c', 'd'], filesOf(tree), imagekitCdn, scope('/previews/pr-42/'))
    expect(plan).toEqual({
      targets: [{ url: `${ENDPOINT}/previews/pr-42/*`, kind: 'folder', ids: ['a', 'b', 'c', 'd'] }],
      unaddressed: []
    })
  })

  test('a folder with a listed file not deleted gets none; its subfolder that qualifies does', () => {
    const plan = planPurges(['a', 'c', 'd'], filesOf(tree), imagekitCdn, scope('/previews/pr-42/'))
    expect(plan.targets).toEqual([
      { url: `${ENDPOINT}/previews/pr-42/sub/*`, kind: 'folder', ids: ['c', 'd'] },
      { url: `${ENDPOINT}/previews/pr-42/a.jpg*`, kind: 'file', ids: ['a'] }
    ])
  })

  test('no folder purge without a scope, for a single file, or where a folder takes no wildcard', () => {
    expect(planPurges(['c', 'd'], filesOf(tree), imagekitCdn).targets.map(t => t.kind)).toEqual(['file', 'file'])
    const lone = planPurges(['c'], filesOf(tree), imagekitCdn, scope('/previews/pr-42/sub/', [tree[2]!]))
    expect(lone.targets).toEqual([{ url: `${ENDPOINT}/previews/pr-42/sub/c.jpg*`, kind: 'file', ids: ['c'] }])
    const shallow: Array<[string, string]> = [
      ['x', '/p/x.jpg'],
      ['y', '/p/y.jpg']
    ]
    const top = planPurges(['x', 'y'], filesOf(shallow), imagekitCdn, scope('/p/', shallow))
    expect(top.targets.map(t => t.url)).toEqual([`${ENDPOINT}/p/x.jpg*`, `${ENDPOINT}/p/y.jpg*`])
  })

  test('never a folder above the one the listing showed whole', () => {
    const plan = planPurges(['c', 'd'], filesOf(tree), imagekitCdn, scope('/previews/pr-42/sub/', tree.slice(2)))
    expect(plan.targets).toEqual([{ url: `${ENDPOINT}/previews/pr-42/sub/*`, kind: 'folder', ids: ['c', 'd'] }])
  })

  test('the exact URL, without its query, where no wildcard is allowed; none where no URL is known', () => {
    const files = new Map([['r', at('/README')]])
    expect(planPurges(['r', 'q'], files, imagekitCdn)).toEqual({
      targets: [{ url: `${ENDPOINT}/README`, kind: 'exact', ids: ['r'] }],
      unaddressed: [{ id: 'q', reason: 'no URL is known for it' }]
    })
  })
})
