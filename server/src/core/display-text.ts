// SPDX-License-Identifier: Apache-2.0
/**
 * Making text from the inputs (key names, values, file paths, names read from binaries) safe to
 * show to a person. Two places need it:
 *
 * - plain text that a terminal or an editor renders as it comes (the CLI's text output, diagnostic
 *   messages): a control character there acts instead of being seen (`ESC [ 1 A` moves the cursor
 *   up, `ESC ] 8` makes a hyperlink, a line feed in a file name forges a whole finding line), and a
 *   bidirectional override shows characters in another order than they are. {@link escapeControls}
 *   turns each such character into a visible escape (`\x1b`, `\n`, `\u202e`);
 * - Markdown (hovers, completion documentation): user text there could add links, images, HTML or
 *   `command:` links. {@link markdownCode} shows it as an inline code span, where Markdown does not
 *   apply, after the same escaping.
 *
 * JSON and SARIF output carry the exact text (their readers are programs) and never pass through here.
 */

/**
 * The characters {@link escapeControls} replaces: C0 controls (with TAB, LF, CR), DEL, C1 controls
 * (U+0080–U+009F: U+009B and U+009D start escape sequences on their own in some terminals), the
 * line and paragraph separators (line breaks for some renderers), and the bidirectional formatting
 * characters: ALM, LRM, RLM, the embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const UNSAFE_ONE = new RegExp(UNSAFE.source);

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every control and bidirectional formatting character replaced by a visible escape:
 * `\n`, `\r`, `\t`, `\xHH` for the other C0 and C1 controls and DEL, `\uHHHH` for the rest.
 * Everything else (letters of every script, emoji, a backslash) is left as it is, so ordinary
 * text is unchanged. Use it for every string from the inputs that is printed as plain text.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** True when {@link escapeControls} would change the text. */
export function hasControls(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/**
 * User text as a Markdown inline code span: controls escaped, then fenced with one backtick more
 * than the longest run of backticks inside (with a space inside the fence when the text starts or
 * ends with a backtick, as CommonMark requires). `tableCell` also escapes `|` for a GFM table cell. Inside a code span Markdown does not apply: no
 * link, image, HTML, emphasis or `command:` URI in the text is rendered. An empty text gives `` ` ` ``.
 */
export function markdownCode(text: string, options: { readonly tableCell?: boolean } = {}): string {
  // In a table cell a pipe ends the cell even inside a code span, unless it is escaped (GFM).
  const safe = options.tableCell ? escapeControls(text).replace(/\|/g, '\\|') : escapeControls(text);
  if (safe === '') return '` `';
  let longest = 0;
  for (const run of safe.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = safe.startsWith('`') || safe.endsWith('`') || /^ .* $/.test(safe) ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/**
 * User text as Markdown prose: controls escaped, and every character Markdown gives a meaning to
 * (`\ * _ [ ] ( ) < > # ! | ~ & {` and backticks, among others) backslash-escaped, so that it reads
 * as the characters it is. `&` is escaped as well, so an entity (`&lt;`) shows as typed.
 */
export function markdownText(text: string): string {
  return escapeControls(text).replace(/[\\`*_{}[\]()<>#+\-.!|~&:]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}
