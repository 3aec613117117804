/** Helpers that make untrusted text (IDs, input values, provider answers) safe to show. */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** JSON-quotes a value and cuts it, so an error can name it without carrying control characters or megabytes. */
export function quote(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value
  const quoted = JSON.stringify(cut)
  return value.length > max ? `${quoted} (${value.length} characters)` : quoted
}

/** Replaces every secret form with ***. Longest first, so a derived form is not half-replaced by a shorter one. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of [...secrets].filter(s => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***')
  }
  return out
}

/**
 * One line of plain text: control characters and line breaks folded into spaces, the workflow-command markers
 * broken up ("::" anywhere, and the older "##[" that the runner reads anywhere in a line), cut to max characters.
 */
export function oneLine(text: string, max: number): string {
  const flat = text
    .replace(CONTROL, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/:(?=:)/g, ': ')
    .replace(/#(?=#\[)/g, '# ')
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
