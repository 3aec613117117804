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

export type { Provider, ProviderName } from './types.js'
