import type { ProxyVariable } from '../transport/proxy.js'
import type { InputName } from './constants.js'

/** One reason the run must not send anything, naming the input (or the proxy variable) it is about. */
export interface PolicyViolation {
  /** 'selection' for what the listing gave: an ID it listed that could not be sent. */
  input: InputName | ProxyVariable | 'selection'
  message: string
}
