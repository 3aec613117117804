import { anyformat } from './anyformat.js'
import { delos } from './delos.js'
import { imagekit } from './imagekit.js'
import type {
  BulkClassification,
  ClassifiedAnswer,
  ProviderRequest,
  HttpAnswer,
  Provider,
  RateWindow,
  RequestContext
} from './types.js'
import { writer } from './writer.js'

/** The registry: a new provider is one module and one entry here. Every list of provider names derives from it. */
const REGISTRY = { writer, imagekit, delos, anyformat }

export type ProviderName = keyof typeof REGISTRY

export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = REGISTRY

export const PROVIDER_NAMES = Object.keys(REGISTRY) as readonly ProviderName[]

/** "writer, imagekit, delos or anyformat". */
export const PROVIDER_CHOICES = `${PROVIDER_NAMES.slice(0, -1).join(', ')} or ${PROVIDER_NAMES.at(-1)}`

export function findProvider(name: string): Provider | undefined {
  const key = name.trim().toLowerCase()
  return Object.hasOwn(PROVIDERS, key) ? PROVIDERS[key as ProviderName] : undefined
}
/** A provider's requests and readings with one run's context bound: what the engine sends and how it reads answers. */
export interface BoundProvider {
  request: (id: string) => ProviderRequest
  classify: (answer: HttpAnswer, now: number, id: string) => ClassifiedAnswer
  bulk?: {
    maxIds: number
    request: (ids: readonly string[]) => ProviderRequest
    classify: (
      answer: HttpAnswer,
      ids: readonly string[],
      now: number
    ) => { classification: BulkClassification; window?: RateWindow }
  }
}

/** Binds a provider to a run's context; its bulk endpoint only where it has one and `useBulk` asks for it. */
export function bindProvider(provider: Provider, context: RequestContext, useBulk: boolean): BoundProvider {
  const { bulk } = provider
  return {
    request: id => provider.request(id, context),
    classify: (answer, now, id) => provider.classify(answer, now, id),
    ...(useBulk && bulk
      ? {
          bulk: {
            maxIds: bulk.maxIds,
            request: ids => bulk.request(ids, context),
            classify: (answer, ids, now) => bulk.classify(answer, ids, now)
          }
        }
      : {})
  }
}

/**
 * Every form of the key worth hiding: as given, trimmed, each of its lines, and what the provider derives from it
 * for the wire (ImageKit's Basic value).
 */
export function secretForms(rawKey: string, providerName: string): string[] {
  const key = rawKey.trim()
  const provider = findProvider(providerName)
  const forms = [
    rawKey,
    key,
    ...rawKey.split(/\r?\n/).map(line => line.trim()),
    ...(provider && key !== '' ? provider.derivedSecrets(key) : [])
  ]
  return [...new Set(forms.filter(form => form.length > 0))]
}

export type { Provider } from './types.js'
