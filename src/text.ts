/** Helpers that make untrusted text (IDs, input values, provider answers) safe to show. */
import { MAX_REASON_LENGTH } from './settings/constants.js'

/** Control characters (C0, DEL and C1: CR, LF and NEL among them) and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/**
 * Characters a culture-aware comparison passes over as if they were not there (soft hyphen, zero-width and
 * direction marks, the byte-order mark, variation selectors, tags). The runner compares command markers that way
 * where the system's ICU is used, so `#\u00ad#[` can count as `##[`: every marker check looks through them.
 */
const IGNORABLE = '[\\p{Default_Ignorable_Code_Point}\\p{Cf}]'

/**
 * The first '#' of a legacy command marker, which a runner acts on anywhere in a line: `##[` (GitHub's runner, its
 * older syntax) and `##vso[` (Azure Pipelines, where the command line may run too).
 */
const MARKER_HASH = new RegExp(`#(?=${IGNORABLE}*#${IGNORABLE}*(?:\\[|vso\\[))`, 'gu')

/** `::` at the start of a line, after white space or ignorable characters (the runner trims before it looks). */
const LEADING_COMMAND = new RegExp(`^((?:\\s|${IGNORABLE})*:)(?=${IGNORABLE}*:)`, 'u')

/** A quick look for anything `logSafe` would change. */
const MAYBE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029#]/

/**
 * One log line as it may be written: line breaks and other control characters as spaces, each legacy command marker
 * broken (`##[` → `# #[`), and a line that would start with `::` broken after its first colon. Text without any of
 * these is returned as it is. Every line the action and the command write goes through this, whatever built it.
 */
export function logSafe(line: string): string {
  if (!MAYBE_UNSAFE.test(line) && !LEADING_COMMAND.test(line)) return line
  return line.replace(CONTROL, ' ').replace(MARKER_HASH, '# ').replace(LEADING_COMMAND, '$1 ')
}

/** Characters JSON.stringify leaves as they are that a log or a reader could take for more than they are. */
const JSON_HIDDEN = /[\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}\p{Cf}]/gu

const unicodeEscape = (char: string): string => {
  let out = ''
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

/**
 * JSON text made safe for a log line without changing what it means: C1 controls, the line and paragraph separators
 * and invisible format characters as \u escapes, and the '#' that would start a `##[` or `##vso[` marker as
 * \u0023. A JSON parser reads the same value; no line break, marker or look-alike survives. Only valid on whole JSON
 * texts (or whole string literals): '#' and those characters occur in JSON only inside strings.
 */
export function safeJson(json: string): string {
  return json.replace(JSON_HIDDEN, unicodeEscape).replace(/#(?=#\[|#vso\[)/g, '\\u0023')
}

/** A string as a JSON string literal, safe in a log line (see safeJson): how the action shows text it did not write. */
export function jsonText(value: string): string {
  return safeJson(JSON.stringify(value))
}

/** JSON-quotes a value and cuts it, so an error can name it without carrying control characters or megabytes. */
export function quote(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value
  const quoted = jsonText(cut)
  return value.length > max ? `${quoted} (${value.length} characters)` : quoted
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g
/** One pattern that finds any secret form, per list of forms: most text holds none, and is let through at once. */
const anySecret = new WeakMap<readonly string[], RegExp | null>()

function anySecretIn(secrets: readonly string[]): RegExp | null {
  let pattern = anySecret.get(secrets)
  if (pattern === undefined) {
    const forms = secrets.filter(s => s.length > 0).map(s => s.replace(REGEXP_SPECIAL, '\\$&'))
    pattern = forms.length === 0 ? null : new RegExp(forms.join('|'))
    anySecret.set(secrets, pattern)
  }
  return pattern
}

/** Replaces every secret form with ***. Longest first, so a derived form is not half-replaced by a shorter one. */
export function scrub(text: string, secrets: readonly string[]): string {
  const pattern = anySecretIn(secrets)
  if (pattern === null || !pattern.test(text)) return text
  let out = text
  for (const secret of [...secrets].filter(s => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***')
  }
  return out
}

/** The shortest beginning of a secret that is hidden where text was cut (`…`) right after it. */
const MIN_CUT_SECRET = 4

/**
 * scrub, and also a secret's beginning where the text was cut after it: `quote` cuts a value at 80 characters
 * before anything can scrub it, so an ID holding the key may show only the key's first characters, then `…`.
 */
export function scrubCut(text: string, secrets: readonly string[]): string {
  let out = scrub(text, secrets)
  if (!out.includes('…')) return out
  for (const secret of secrets) {
    for (let k = secret.length - 1; k >= MIN_CUT_SECRET; k--) {
      const cut = `${secret.slice(0, k)}…`
      if (out.includes(cut)) out = out.split(cut).join('***…')
    }
  }
  return out
}

/** A JSON string's inside: `\/` for '/' as some encoders write it, non-ASCII as \u escapes, or `< > &` as Go writes them. */
function jsonForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1)
  return [
    json,
    json.replace(/\//g, '\\/'),
    json.replace(/[^\u0000-\u007f]/g, unicodeEscape),
    json.replace(/[<>&\u2028\u2029]/g, unicodeEscape)
  ]
}

/** encodeURIComponent's form, upper- and lower-case hex; none for text it cannot encode (a lone surrogate). */
function percentForms(secret: string): string[] {
  try {
    const encoded = encodeURIComponent(secret)
    return [encoded, encoded.replace(/%[0-9A-F]{2}/g, hex => hex.toLowerCase())]
  } catch {
    return []
  }
}

/**
 * Every form a secret may come back in: as it is, JSON-escaped (as an API echoes it inside a JSON string) and
 * percent-encoded (as a URL or a form carries it), and JSON-escaped after that. The one place these forms are made:
 * whatever masks or scrubs a secret asks for all of them.
 */
export function secretVariants(secret: string): string[] {
  if (secret === '') return []
  const percent = percentForms(secret)
  return [...new Set([secret, ...jsonForms(secret), ...percent, ...percent.flatMap(jsonForms)])]
}

/** The breaks of `::` (anywhere) and of the legacy markers, looking through ignorable characters as the runner may. */
const COMMAND_COLON = new RegExp(`:(?=${IGNORABLE}*:)`, 'gu')

/**
 * One line of plain text: control characters and line breaks folded into spaces, the workflow-command markers
 * broken up ("::" anywhere, and the older "##[" that the runner reads anywhere in a line), cut to max characters.
 */
export function oneLine(text: string, max: number): string {
  const flat = text
    .replace(CONTROL, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(COMMAND_COLON, ': ')
    .replace(MARKER_HASH, '# ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/**
 * Text for a Markdown table cell (the job summary, the pull request comment), as a code span: inside one, nothing
 * is markup, so no link (`https://…`, `www.…`, an e-mail address), image, tag, mention or issue reference gets
 * through, and the text stays exactly as it was for copying (only line breaks folded into spaces, and cut). A '|'
 * is written `\|`, which a table cell reads as '|' even inside a code span; the fence is longer than any run of
 * backticks in the text.
 */
export function markdownCell(text: string, max: number): string {
  const flat = text.replace(CONTROL, ' ').trim()
  if (flat === '') return ''
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  const fence = '`'.repeat(Math.max(0, ...(cut.match(/`+/g) ?? []).map(run => run.length)) + 1)
  return `${fence} ${cut.replace(/\|/g, '\\|')} ${fence}`
}

/** Splits a list input on newlines, commas or white space and drops empties. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(item => item.length > 0)
}

/** A base URL as users wrote it: origin and path prefix, no trailing slash. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/$/, '')}`
}

/** "1 ID", "3 IDs". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** What went wrong, from anything thrown: an error's message (from any realm), else the value as text. */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' ? message : String(error)
}

/** A reason as it may be shown: no secret in it, one line, bounded. */
export function reasonCleaner(secrets: readonly string[]): (text: string) => string {
  return text => oneLine(scrub(text, secrets), MAX_REASON_LENGTH)
}
