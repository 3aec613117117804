/**
 * The part of the runner's protocol this action speaks, written as @actions/core writes it: inputs from INPUT_*
 * variables, workflow commands on stdout, outputs and the job summary in the files the runner names. Kept small
 * and dependency-free because @actions/core loads an HTTP client (for OIDC) that this action never uses, and that
 * load is most of a run's start-up time and memory. The tests hold every function against @actions/core.
 *
 * Unlike @actions/core, the log is guarded here, for every caller: a line of text (`info`) and the message of an
 * annotation or a debug line are made one safe line first (`logSafe`), so nothing in them can end the line, start a
 * `::command`, or hold a `##[command]` the runner would act on. Only the data of `add-mask` and `set-output` is
 * written exactly (escaped as @actions/core escapes it): it must be, and the runner reads such a line as that
 * command, never as the `##[` form, because a `::name::` line is parsed first.
 */
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs'
import { EOL } from 'node:os'
import { logSafe } from '../text.js'

/** The variable the runner passes an input in: INPUT_<NAME>, upper case, spaces as underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** An input as the runner passes it (inputVariable); not trimmed. */
export function getInput(name: string): string {
  return process.env[inputVariable(name)] ?? ''
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::name key=value,…::message`, escaped so that no text can end the command or start another. */
export function command(name: string, message: string, properties: Record<string, string> = {}): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
  return `::${name}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(message)}`
}

function issue(name: string, message: string, properties?: Record<string, string>): void {
  process.stdout.write(`${command(name, message, properties)}${EOL}`)
}

/** One line of the log, made safe (see logSafe). */
export function info(message: string): void {
  process.stdout.write(`${logSafe(message)}${EOL}`)
}

export function debug(message: string): void {
  issue('debug', logSafe(message))
}

/** Hides the value from every log line the runner prints after this. */
export function setSecret(secret: string): void {
  issue('add-mask', secret)
}

export function warning(message: string, properties: { title?: string } = {}): void {
  issue('warning', logSafe(message), properties.title === undefined ? {} : { title: properties.title })
}

export function error(message: string, properties: { title?: string } = {}): void {
  issue('error', logSafe(message), properties.title === undefined ? {} : { title: properties.title })
}

/** An error annotation, and the step's exit code 1. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

/**
 * A heredoc delimiter that neither the name nor the value holds, so no value can end its own output early. It is
 * checked, not trusted to chance, so Math.random serves: node:crypto would cost every run some 3 MB to load.
 */
function delimiterFor(name: string, value: string): string {
  for (;;) {
    const random = `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
    const delimiter = `ghadelimiter_${random}`
    if (!name.includes(delimiter) && !value.includes(delimiter)) return delimiter
  }
}

/**
 * An output, into GITHUB_OUTPUT as `name<<delimiter` lines with a delimiter that neither the name nor the value
 * holds; without GITHUB_OUTPUT (an old runner), the set-output command.
 */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT ?? ''
  if (file === '') {
    process.stdout.write(EOL)
    return issue('set-output', value, { name })
  }
  const delimiter = delimiterFor(name, value)
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`)
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' })
}

/** Appends Markdown to the job summary; false when the runner gave no summary file. */
export function appendSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY ?? ''
  if (file === '') return false
  try {
    accessSync(file, constants.R_OK | constants.W_OK)
  } catch {
    throw new Error(`Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`)
  }
  appendFileSync(file, markdown, { encoding: 'utf8' })
  return true
}
