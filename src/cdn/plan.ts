/**
 * Which purges cover the files a run deleted (pure): one per folder whose every listed file was deleted, where a
 * wildcard there is allowed and covers several files; then one per file left, `<url>*` where the wildcard rules
 * allow it, else its exact URL.
 */
import type { CdnAddress, CdnFile, ProviderCdn } from '../providers/types.js'

export interface PurgeTarget {
  /** What the purge names: a folder's URL or a file's with `*`, or a file's exact URL. */
  url: string
  kind: 'folder' | 'file' | 'exact'
  /** The deleted files it covers, in the order they were planned. */
  ids: string[]
}

/**
 * A folder ('/a/b/') the listing showed every file under, its subfolders' included, and those files: only a listing
 * narrowed by nothing but that folder and its subfolders shows them all.
 */
export interface FolderScope {
  folder: string
  files: ReadonlyArray<{ id: string; path: string }>
}

export interface PurgePlan {
  targets: PurgeTarget[]
  /** Deleted files no purge can name, with why. */
  unaddressed: Array<{ id: string; reason: string }>
}

type Rules = Pick<ProviderCdn, 'address' | 'wildcard'>

/** A folder of the scope: the files directly in it, and its subfolders by name. */
interface Folder {
  path: string
  files: string[]
  children: Map<string, Folder>
}

function folderTree(scope: FolderScope, extra: ReadonlyArray<{ id: string; path: string }>): Folder {
  const root: Folder = { path: scope.folder, files: [], children: new Map() }
  const seen = new Set<string>()
  for (const { id, path } of [...scope.files, ...extra]) {
    if (seen.has(id) || !path.startsWith(scope.folder)) continue
    seen.add(id)
    const steps = path.slice(scope.folder.length).split('/')
    let folder = root
    for (const step of steps.slice(0, -1)) {
      let child = folder.children.get(step)
      if (child === undefined) {
        child = { path: `${folder.path}${step}/`, files: [], children: new Map() }
        folder.children.set(step, child)
      }
      folder = child
    }
    folder.files.push(id)
  }
  return root
}

function everyFile(folder: Folder): string[] {
  return [...folder.files, ...[...folder.children.values()].flatMap(everyFile)]
}

/** The URL `folder` is served at, from each file's address: one, or undefined when they do not agree. */
function folderUrl(
  folder: string,
  ids: readonly string[],
  addresses: ReadonlyMap<string, CdnAddress>
): string | undefined {
  const depth = folder.split('/').filter(step => step !== '').length
  const urls = new Set<string>()
  for (const id of ids) {
    const address = addresses.get(id)
    if (address === undefined) return undefined
    urls.add(`${address.endpoint}/${address.steps.slice(0, depth).join('/')}${depth > 0 ? '/' : ''}`)
  }
  return urls.size === 1 ? [...urls][0] : undefined
}

/** Folder purges, top down: the highest folders that qualify, each covering every file under it. */
function folderTargets(
  scope: FolderScope,
  deleted: ReadonlySet<string>,
  addresses: ReadonlyMap<string, CdnAddress>,
  rules: Rules
): PurgeTarget[] {
  const extra = [...addresses].map(([id, address]) => ({ id, path: address.path }))
  const targets: PurgeTarget[] = []
  const visit = (folder: Folder): void => {
    const ids = everyFile(folder)
    const url = ids.length >= 2 && ids.every(id => deleted.has(id)) ? folderUrl(folder.path, ids, addresses) : undefined
    if (url !== undefined && rules.wildcard(folder.path)) targets.push({ url: `${url}*`, kind: 'folder', ids })
    else for (const child of folder.children.values()) visit(child)
  }
  visit(folderTree(scope, extra))
  return targets
}

/** The URL without its query and fragment, or undefined when it does not parse. */
function withoutQuery(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return undefined
  }
}

/**
 * The purges for the deleted files (`deleted`, in planned order), each one's URL from `files`. `scope`, when given,
 * lets a folder wildcard cover several files: never a folder with a listed file that was not deleted.
 */
export function planPurges(
  deleted: readonly string[],
  files: ReadonlyMap<string, CdnFile>,
  rules: Rules,
  scope?: FolderScope
): PurgePlan {
  const unaddressed: PurgePlan['unaddressed'] = []
  const addresses = new Map<string, CdnAddress>()
  for (const id of deleted) {
    const file = files.get(id)
    const address = file === undefined ? undefined : rules.address(file)
    if (address !== undefined) addresses.set(id, address)
  }
  const targets = scope ? folderTargets(scope, new Set(deleted), addresses, rules) : []
  const order = new Map(deleted.map((id, index) => [id, index]))
  for (const target of targets) target.ids.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
  const covered = new Set(targets.flatMap(target => target.ids))
  for (const id of deleted) {
    if (covered.has(id)) continue
    const file = files.get(id)
    const address = addresses.get(id)
    if (address !== undefined && rules.wildcard(address.path)) {
      targets.push({ url: `${address.url}*`, kind: 'file', ids: [id] })
      continue
    }
    const exact = file === undefined ? undefined : (address?.url ?? withoutQuery(file.url))
    if (exact === undefined)
      unaddressed.push({ id, reason: file ? 'its URL does not parse' : 'no URL is known for it' })
    else targets.push({ url: exact, kind: 'exact', ids: [id] })
  }
  return { targets: merged(targets), unaddressed }
}

/** Targets naming the same URL become one. */
function merged(targets: readonly PurgeTarget[]): PurgeTarget[] {
  const byUrl = new Map<string, PurgeTarget>()
  for (const target of targets) {
    const known = byUrl.get(target.url)
    if (known) known.ids.push(...target.ids)
    else byUrl.set(target.url, { ...target, ids: [...target.ids] })
  }
  return [...byUrl.values()]
}
