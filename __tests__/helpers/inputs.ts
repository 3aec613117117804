import type { InputName } from '../../src/settings/constants.js'
import { readSettings, type InputSources } from '../../src/settings/inputs.js'
import { preflight } from '../../src/selection/policy.js'

/** Reads settings from a plain map of inputs, as the runner would pass them. */
export function settingsFrom(inputs: Partial<Record<InputName, string>>, sources: Partial<InputSources> = {}) {
  const reading = readSettings({
    getInput: name => inputs[name] ?? '',
    readFile: () => {
      throw new Error('no such file')
    },
    workspace: '/workspace',
    env: {},
    ...sources
  })
  return { ...reading, all: preflight(reading.settings, reading.violations) }
}
