// SPDX-License-Identifier: Apache-2.0
/**
 * The CLI's output formats. Both are interfaces users' scripts parse: the text line
 * `path:line:column: severity code message` and the JSON record keys must not change.
 */
import { escapeControls } from '../core/display-text.js';
import type { Severity } from '../core/findings.js';

/**
 * Every string from the inputs that a CLI command prints as text (file names, key names, values,
 * messages quoting them, names read from binaries) goes through this function, and only text output
 * does: control and bidirectional characters become visible escapes (`\x1b`, `\n`, `\u202e`), so a
 * policy or a file name cannot move the cursor, retitle the terminal, add a hyperlink, forge an
 * output line or reorder what is shown. JSON and SARIF output carry the exact text instead.
 * New commands use it for their text output too (see CONTRIBUTING.md, "Printing text").
 */
export const printable: (text: string) => string = escapeControls;

/** A line for stderr, `cilium-policy: <message>`, with the message made {@link printable}. */
export function errorLine(message: string): string {
  return `cilium-policy: ${printable(message)}\n`;
}

/** The `source` of every record, the same as the language server's diagnostics. */
export const SOURCE = 'cilium-policy';

/** One finding placed in a file, 1-based; `endColumn` is the column just after the last character. */
export interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Severity;
  readonly code: string;
  readonly source: typeof SOURCE;
  readonly message: string;
}

/**
 * One line of text output. The file name, code and message are {@link printable}: a line break in
 * any of them shows as `\n`, so each finding stays on its own line and no line can be forged.
 */
export function textLine(f: Located): string {
  return `${printable(f.file)}:${f.line}:${f.column}: ${f.severity} ${printable(f.code)} ${printable(f.message)}`;
}

/** The JSON output: an array of records with keys in a fixed order. */
export function jsonOutput(findings: readonly Located[]): string {
  const records = findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    severity: f.severity,
    code: f.code,
    source: SOURCE,
    message: f.message,
  }));
  return `${JSON.stringify(records, null, 2)}\n`;
}

/** Counts for the summary line. */
export interface Totals {
  readonly files: number;
  readonly policyDocuments: number;
  readonly filesWithFindings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
}

function count(n: number, one: string, many: string = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The summary printed on stderr after text output, e.g.
 * `3 errors, 1 warning in 2 files (12 files, 20 policy documents checked)`.
 * Information and hint counts are added only when there are some.
 */
export function summaryLine(t: Totals): string {
  const parts = [count(t.bySeverity.error, 'error'), count(t.bySeverity.warning, 'warning')];
  if (t.bySeverity.information) parts.push(count(t.bySeverity.information, 'information', 'information'));
  if (t.bySeverity.hint) parts.push(count(t.bySeverity.hint, 'hint'));
  return `${parts.join(', ')} in ${count(t.filesWithFindings, 'file')} (${count(t.files, 'file')}, ${count(t.policyDocuments, 'policy document')} checked)`;
}
