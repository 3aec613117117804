/**
 * A dry run's report read back as a plan (docs/guardrails.md): what it planned, and the inputs it planned with, so a
 * later run can apply it as it was reviewed. Pure: the shell reads the file.
 */
import { createHash } from 'node:crypto'
import { Input, type InputName } from './constants.js'

/** A plan: a dry run's report that passed, read back. */
export interface PlanFile {
  /** Where it was read from (absolute). */
  file: string
  /** SHA-256 (hex) of the file as read. */
  sha256: string
  provider: string
  /** The base URL its dry run went to (origin and path prefix). */
  baseUrl: string
  /** When its dry run ended (ISO 8601). */
  endedAt: string
  /** The scope and the filters it selected with, as the inputs that set them (none for a plan of given IDs). */
  inputs: Partial<Record<InputName, string>>
  /** The IDs it planned that were given (file-ids, file-ids-file), in its order. */
  given: string[]
  /** The IDs it planned that its selection chose, in its order. */
  chosen: string[]
}

/** How the report's selection filters and scope map back to the inputs that set them. */
type FilterField = readonly [key: string, input: InputName, kind: 'text' | 'list' | 'words' | 'count' | 'switch']
const FILTER_INPUTS: readonly FilterField[] = [
  ['name', Input.SelectName, 'text'],
  ['path', Input.SelectPath, 'text'],
  ['tags', Input.SelectTags, 'words'],
  ['status', Input.SelectStatus, 'words'],
  ['olderThan', Input.OlderThan, 'text'],
  ['keepNewest', Input.KeepNewest, 'count'],
  ['excludeName', Input.ExcludeName, 'list'],
  ['excludePath', Input.ExcludePath, 'list'],
  ['excludeTags', Input.ExcludeTags, 'list'],
  ['selectAttached', Input.SelectAttached, 'switch']
]
const SCOPE_INPUTS: readonly FilterField[] = [
  ['graphId', Input.GraphId, 'text'],
  ['workflowId', Input.WorkflowId, 'text'],
  ['customerId', Input.CustomerId, 'text']
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isIso = (value: unknown): value is string =>
  typeof value === 'string' &&
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) &&
  !Number.isNaN(Date.parse(value))

/** Why a report is no plan, or the plan. */
class NotAPlan extends Error {}

const NOT_OURS = 'is not a report file of this action'

/** The report's field, or NotAPlan naming it when it is not what `test` wants. */
function need<T>(record: Record<string, unknown>, key: string, test: (value: unknown) => value is T, where = ''): T {
  const value = record[key]
  if (!test(value)) throw new NotAPlan(`${NOT_OURS} (${where}${key} is missing or not as this action writes it)`)
  return value
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean'
const isArray = (value: unknown): value is unknown[] => Array.isArray(value)
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string'

/** One filter or scope field of the report, as the text its input would hold; '' when it was not set. */
function inputText(record: Record<string, unknown>, [key, , kind]: FilterField, where: string): string {
  const value = record[key]
  const wrong = (): never => {
    throw new NotAPlan(`${NOT_OURS} (${where}${key} is not as this action writes it)`)
  }
  if (value === null || value === undefined) return kind === 'switch' || value === null ? '' : wrong()
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? value : wrong()
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : wrong()
    case 'switch':
      return typeof value === 'boolean' ? String(value) : wrong()
    case 'words':
    case 'list':
      if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) return wrong()
      return value.join(kind === 'words' ? ',' : '\n')
  }
}

/** The inputs the plan's selection and scope were set by. */
function planInputs(report: Record<string, unknown>): Partial<Record<InputName, string>> {
  const inputs: Partial<Record<InputName, string>> = {}
  const customerId = need(report, 'customerId', isStringOrNull)
  if (customerId) inputs[Input.CustomerId] = customerId
  const selection = report.selection
  if (selection === null) return inputs
  if (!isRecord(selection)) throw new NotAPlan(`${NOT_OURS} (selection is not as this action writes it)`)
  if (selection.complete !== true) throw new NotAPlan('is the report of a dry run whose listing did not finish')
  const filters = need(selection, 'filters', isRecord, 'selection.')
  const scope = need(selection, 'scope', isRecord, 'selection.')
  for (const field of FILTER_INPUTS) {
    const text = inputText(filters, field, 'selection.filters.')
    if (text !== '' && text !== 'false') inputs[field[1]] = text
  }
  for (const field of SCOPE_INPUTS) {
    const text = inputText(scope, field, 'selection.scope.')
    if (text !== '') inputs[field[1]] = text
  }
  return inputs
}

/** The planned IDs, given and chosen, from the report's entries: every one must be a dry run's "planned". */
function plannedIds(report: Record<string, unknown>): { given: string[]; chosen: string[] } {
  const given: string[] = []
  const chosen: string[] = []
  for (const entry of need(report, 'entries', isArray)) {
    if (!isRecord(entry) || typeof entry.id !== 'string') throw new NotAPlan(`${NOT_OURS} (an entry has no "id")`)
    if (entry.outcome !== 'planned')
      throw new NotAPlan('holds an entry that is not planned: it is no dry run of a plan')
    if (entry.source === 'input') given.push(entry.id)
    else if (entry.source === 'selected') chosen.push(entry.id)
    else throw new NotAPlan(`${NOT_OURS} (an entry's "source" is neither "input" nor "selected")`)
  }
  return { given, chosen }
}

/**
 * The plan a report file holds, or why it holds none: it is not JSON, not this action's report, not a dry run's, or
 * the dry run failed. `file` is where it was read from, `text` its contents.
 */
export function readPlan(file: string, text: string): PlanFile | string {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex')
  let report: unknown
  try {
    report = JSON.parse(text)
  } catch {
    return `${NOT_OURS} (it is not JSON)`
  }
  try {
    if (!isRecord(report)) throw new NotAPlan(`${NOT_OURS} (it is not a JSON object)`)
    const provider = need(report, 'provider', isString)
    const baseUrl = need(report, 'baseUrl', isString)
    need(report, 'startedAt', isIso)
    const endedAt = need(report, 'endedAt', isIso)
    need(report, 'context', isRecord)
    need(report, 'totals', isRecord)
    const verdict = need(report, 'verdict', isRecord)
    const violations = need(report, 'violations', isArray)
    if (!need(report, 'dryRun', isBoolean))
      return 'is the report of a run that was sent, not of a dry run: only a dry run plans'
    if (verdict.failed !== false || violations.length > 0)
      return 'is the report of a dry run that failed: it planned nothing'
    return { file, sha256, provider, baseUrl, endedAt, inputs: planInputs(report), ...plannedIds(report) }
  } catch (error) {
    if (error instanceof NotAPlan) return error.message
    throw error
  }
}
