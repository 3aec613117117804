import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { parseSearch } from '../../emulator/providers/imagekit-search.js'
import type { FileRecord, ListedRecord } from '../../emulator/types.js'
import { listAll } from '../../src/engine/list.js'
import { Pacer } from '../../src/engine/pacing.js'
import { imagekitSearchQuery } from '../../src/providers/imagekit-list.js'
import { PROVIDER_NAMES, PROVIDERS, type ProviderName } from '../../src/providers/index.js'
import type { ListScope } from '../../src/providers/types.js'
import { selectFromListing, serverFilters } from '../../src/selection/filters.js'
import type { SelectionFilters } from '../../src/settings/selection-request.js'
import { KEY } from '../helpers/common.js'
import { virtualClock } from '../helpers/engine.js'
import { fakeProvider } from '../helpers/fake-provider.js'

/**
 * Properties of selection against the emulated providers: what the listing stage and the filters select equals a
 * brute-force filter of the provider's store, whether or not the server narrows; and no input value can make
 * ImageKit's searchQuery reach past what the client would select. FC_SEED=<n> explores another part of the space.
 */

const SEED = Number(process.env.FC_SEED ?? 20261202)
const START = Date.parse('2026-06-30T00:00:00Z')
const HOUR = 3_600_000

const NAME_UNITS = ['a', 'b', '-', '.', 'A', '*', '?']
/** Each provider's statuses as its listing documents them; one stands in where the provider has none. */
const STATUSES = (provider: ProviderName): readonly string[] => PROVIDERS[provider].list?.capabilities.statuses ?? []

/** A store of records a provider could hold: names, times (some equal, some missing), folders, tags, statuses. */
function records(provider: ProviderName): fc.Arbitrary<FileRecord[]> {
  const record = fc.record({
    name: fc.option(fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', 'A'), maxLength: 4 }), {
      nil: null,
      freq: 8
    }),
    hours: fc.option(fc.integer({ min: 0, max: 24 * 60 }), { nil: null, freq: 10 }),
    folder: fc.constantFrom('/p/', '/p/q/', '/r/', '/'),
    tags: fc.subarray(['t1', 't2', 't3']),
    aiTags: fc.subarray(['t1', 't2']),
    status: fc.constantFrom(...(STATUSES(provider).length > 0 ? STATUSES(provider) : ['completed'])),
    kind: provider === 'imagekit' ? fc.constantFrom('file', 'file', 'file', 'folder') : fc.constant('file'),
    locked: provider === 'delos' ? fc.boolean() : fc.constant(false),
    inScope: fc.boolean(),
    // Writer: attached to another graph as well (or, out of scope, to any graph at all).
    otherGraph: fc.boolean()
  })
  // AnyFormat knows a workflow by its files: the first one is always in the workflow listed.
  return fc.array(record, { minLength: provider === 'anyformat' ? 1 : 0, maxLength: 60 }).map(list =>
    list.map((r, i): FileRecord => {
      const id = `f${i}`
      const createdAt = r.hours === null ? null : new Date(START - r.hours * HOUR).toISOString()
      const base: FileRecord = { id, name: r.name, createdAt, status: r.status, locked: r.locked }
      if (provider === 'imagekit')
        return {
          ...base,
          kind: r.kind,
          path: `${r.folder}${r.name || id}`,
          tags: r.tags,
          aiTags: r.aiTags
        }
      if (provider === 'writer')
        return { ...base, graphIds: [...(r.inScope ? ['g'] : []), ...(r.otherGraph ? ['other'] : [])] }
      if (provider === 'anyformat') return { ...base, workflowId: r.inScope || i === 0 ? 'wf' : 'other' }
      return { ...base, customerId: r.inScope ? 'c1' : 'c2' }
    })
  )
}

/** Filters the provider can honour (docs/selection.md), and a scope. */
function filters(provider: ProviderName): fc.Arbitrary<{ filters: SelectionFilters; scope: ListScope }> {
  const capabilities = PROVIDERS[provider].list!.capabilities
  return fc
    .record({
      name: fc.option(fc.string({ unit: fc.constantFrom(...NAME_UNITS), minLength: 1, maxLength: 4 }), {
        nil: undefined
      }),
      path: capabilities.path
        ? fc.option(fc.record({ folder: fc.constantFrom('/p/', '/', '/r/'), subfolders: fc.boolean() }), {
            nil: undefined
          })
        : fc.constant(undefined),
      tags: capabilities.tags
        ? fc.option(fc.subarray(['t1', 't2'], { minLength: 1 }), { nil: undefined })
        : fc.constant(undefined),
      statuses: capabilities.statuses
        ? fc.option(fc.subarray([...capabilities.statuses], { minLength: 1 }), { nil: undefined })
        : fc.constant(undefined),
      olderHours: capabilities.age
        ? fc.option(fc.integer({ min: 1, max: 24 * 60 }), { nil: undefined })
        : fc.constant(undefined),
      keepNewest: capabilities.age
        ? fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined })
        : fc.constant(undefined),
      scoped: fc.boolean(),
      selectAttached: capabilities.graphs ? fc.boolean() : fc.constant(false)
    })
    .map(f => {
      const chosen: SelectionFilters = {}
      if (f.name !== undefined) chosen.name = f.name
      if (f.path) chosen.path = f.path
      if (f.tags) chosen.tags = f.tags
      if (f.statuses) chosen.statuses = f.statuses
      if (f.olderHours !== undefined) chosen.olderThan = { text: `${f.olderHours}h`, ms: f.olderHours * HOUR }
      if (f.keepNewest !== undefined) chosen.keepNewest = f.keepNewest
      if (f.selectAttached) chosen.selectAttached = true
      const scope: ListScope = {
        graphId: provider === 'writer' && f.scoped ? 'g' : '',
        workflowId: provider === 'anyformat' ? 'wf' : '',
        customerId: provider === 'delos' && f.scoped ? 'c1' : ''
      }
      return { filters: chosen, scope }
    })
}

const globRegex = (glob: string): RegExp =>
  new RegExp(
    `^${[...glob].map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.\-\\^$+()[\]{}|]/g, '\\$&'))).join('')}$`,
    's'
  )

/** The reference: the listing rules of docs/selection.md written out longhand over the provider's records. */
function bruteForce(provider: ProviderName, store: ListedRecord[], f: SelectionFilters, scope: ListScope): string[] {
  const { statuses, final } = PROVIDERS[provider].list!.capabilities
  const inScope = (r: ListedRecord) =>
    (scope.graphId === '' || (r.graphIds ?? []).includes(scope.graphId)) &&
    (scope.workflowId === '' || r.workflowId === scope.workflowId) &&
    (scope.customerId === '' || r.customerId === scope.customerId)
  const aged = f.olderThan !== undefined || f.keepNewest !== undefined
  const candidates = store.filter(
    r =>
      r.kind === 'file' &&
      !r.locked &&
      inScope(r) &&
      (f.statuses ? f.statuses.includes(r.status) : statuses === undefined || final.includes(r.status)) &&
      // An ImageKit path with ".", ".." or empty steps says nothing of where the file is: skipped.
      (provider !== 'imagekit' || !/(^|\/)\.{0,2}(\/|$)/.test(r.path.slice(1))) &&
      (f.name === undefined || (r.name !== null && globRegex(f.name).test(r.name))) &&
      (f.path === undefined ||
        (f.path.subfolders ? parent(r.path).startsWith(f.path.folder) : parent(r.path) === f.path.folder)) &&
      (f.tags === undefined || (r.tags ?? []).some(t => f.tags!.includes(t))) &&
      (!aged || r.createdAt !== null) &&
      // Writer: a file attached to a graph other than the one listed is in use.
      (provider !== 'writer' || f.selectAttached === true || (r.graphIds ?? []).every(g => g === scope.graphId))
  )
  const time = (r: ListedRecord) => Date.parse(r.createdAt ?? '')
  const newest = [...candidates].sort((a, b) => time(b) - time(a) || (a.id < b.id ? -1 : 1)).slice(0, f.keepNewest ?? 0)
  const cutoff = f.olderThan ? START - f.olderThan.ms : Infinity
  return candidates.filter(r => !newest.includes(r) && (f.olderThan === undefined || time(r) < cutoff)).map(r => r.id)
}

const parent = (path: string) => path.slice(0, path.lastIndexOf('/') + 1)

describe('selection against the emulated providers', () => {
  test.each(PROVIDER_NAMES)(
    '%s: the listing stage and the filters select what a brute-force filter of the store does, whether or not the server narrows',
    async provider => {
      await fc.assert(
        fc.asyncProperty(records(provider), filters(provider), fc.boolean(), async (store, chosen, narrowNothing) => {
          const clock = virtualClock()
          const fake = fakeProvider({
            provider,
            files: store,
            key: KEY,
            clock,
            // The graph exists whatever the store holds: an empty graph still passes the scope check.
            emulator: { ignoreListFilters: narrowNothing, customerId: 'c1', graphs: ['g'] }
          })
          const spec = PROVIDERS[provider]
          const listing = await listAll({
            list: spec.list!,
            filters: serverFilters(chosen.filters, START),
            scope: chosen.scope,
            context: { baseUrl: new URL('https://provider.test'), apiKey: KEY, customerId: chosen.scope.customerId },
            classify: (answer, now) => spec.classify(answer, now, ''),
            transport: { send: fake.send },
            pacer: new Pacer(1),
            maxRetries: 0,
            timeoutMs: 1000,
            secrets: [KEY],
            clock
          })
          if (!listing.complete) throw new Error(listing.reason)
          const chosenIds = selectFromListing(
            listing.items,
            chosen.filters,
            spec.list!.capabilities,
            START,
            chosen.scope
          ).selected.map(i => i.id)
          const expected = bruteForce(provider, fake.records(), chosen.filters, chosen.scope)
          expect(new Set(chosenIds)).toEqual(new Set(expected))
        }),
        { seed: SEED, numRuns: 150 }
      )
    }
  )
})

describe('imagekit searchQuery', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom('"', '\\', ' ', 'OR', 'AND', ']', '[', ',', '*', 'a', ':', '=', '\n'),
      maxLength: 8
    })
  )
  const anyFilters = fc.record({
    name: fc.option(hostile, { nil: undefined }),
    folder: fc.option(
      hostile.map(text => `/${text}/`),
      { nil: undefined }
    ),
    tags: fc.option(fc.array(hostile, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    olderHours: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined })
  })
  const file = fc.record({
    id: fc.constant('x'),
    name: hostile,
    path: hostile.map(text => `/${text}/f`),
    tags: fc.array(hostile, { maxLength: 3 }),
    aiTags: fc.array(hostile, { maxLength: 2 }),
    kind: fc.constantFrom('file' as const, 'folder' as const, 'file-version' as const),
    createdAt: fc.integer({ min: 0, max: 2000 }).map(h => new Date(START - h * HOUR).toISOString()),
    status: fc.constant('completed')
  })

  test('no input value makes the query reach past what the client selects: it always parses, only ever matches files, and never drops one the client would select', () => {
    fc.assert(
      fc.property(anyFilters, fc.array(file, { maxLength: 10 }), (given, stored) => {
        const f: SelectionFilters = {}
        if (given.name !== undefined) f.name = given.name
        if (given.folder !== undefined) f.path = { folder: given.folder, subfolders: true }
        if (given.tags !== undefined) f.tags = given.tags
        if (given.olderHours !== undefined) f.olderThan = { text: `${given.olderHours}h`, ms: given.olderHours * HOUR }
        const query = imagekitSearchQuery(serverFilters(f, START))
        const search = parseSearch(query)
        expect(search).toBeDefined()
        const capabilities = PROVIDERS.imagekit.list!.capabilities
        for (const record of stored) {
          const matches = search!(record)
          if (matches) expect(record.kind).toBe('file')
          const item = { ...record, status: null, locked: false, kind: record.kind }
          const clientSelects = selectFromListing([item], f, capabilities, START).selected.length === 1
          if (clientSelects) expect(matches).toBe(true)
        }
      }),
      { seed: SEED, numRuns: 3000 }
    )
  })
})
