import type { ProviderName } from '../types.js'
import { anyformat } from './anyformat.js'
import { delos } from './delos.js'
import { imagekit } from './imagekit.js'
import type { Provider, ProviderContext } from './provider.js'
import { writer } from './writer.js'

export type { ApiRequest, Provider, Route } from './provider.js'

/** One emulated provider per provider the client knows: the type requires an entry for every one. */
const EMULATED: Record<ProviderName, (context: ProviderContext) => Provider> = { writer, imagekit, delos, anyformat }

export function createProvider(name: ProviderName, context: ProviderContext): Provider {
  const make = EMULATED[name]
  if (make === undefined) throw new RangeError(`unknown provider ${JSON.stringify(name)}`)
  return make(context)
}
