// SPDX-License-Identifier: Apache-2.0
/**
 * The CLI's output formats. Both are interfaces users' scripts parse: the text line
 * `path:line:column: severity code message` and the JSON record keys must not change.
 */
import type { Severity } from '../core/findings.js';

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

/** One line of text output. Line breaks inside a message are flattened so each finding stays on one line. */
export function textLine(f: Located): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message.replace(/\s*[\r\n]+\s*/g, ' ')}`;
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
