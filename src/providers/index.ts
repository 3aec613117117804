import { anyformat } from './anyformat.js'
import { delos } from './delos.js'
import { imagekit } from './imagekit.js'
import type { Provider, ProviderName } from './types.js'
import { writer } from './writer.js'

/** The registry: a new provider is one module and one line here. */
export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = { writer, imagekit, delos, anyformat }

export function findProvider(name: string): Provider | undefined {
  const key = name.trim().toLowerCase()
  return Object.hasOwn(PROVIDERS, key) ? PROVIDERS[key as ProviderName] : undefined
}

/**
 * Every form of the key worth hiding: as given, trimmed, each of its lines, and what the provider derives from it
 * for the wire (ImageKit's Basic value).
 */
export function secretForms(rawKey: string, providerName: string): string[] {
  const key = rawKey.trim()
  const provider = findProvider(providerName)
  const forms = [rawKey, key, ...rawKey.split(/\r?\n/).map(line => line.trim()), ...(provider && key !== '' ? provider.derivedSecrets(key) : [])]
  return [...new Set(forms.filter(form => form.length > 0))]
}

export type { Provider, ProviderName } from './types.js'
