// SPDX-License-Identifier: Apache-2.0
/** Findings are what every check in the core returns: plain data with offsets, no LSP types. */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/** A half-open span of UTF-16 offsets into the file text (the encoding LSP uses by default). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A text edit in file offsets (UTF-16). */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** A quick fix: a title and the edits that make it. Edits keep comments and formatting around them. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly OffsetEdit[];
  /** True for the fix an editor may offer as the preferred one. */
  readonly preferred?: boolean;
}

/** One problem found in a file. */
export interface Finding {
  /** Stable identifier, e.g. `schema/unknown-field` or `cilium/fqdn-without-dns-rule`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** Machine-readable details a quick fix can use. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Quick fixes for the problem, if any. */
  readonly fixes?: readonly Fix[];
}

/** Diagnostic codes produced by the core itself (rules bring their own). */
export const CODES = {
  yamlSyntax: 'yaml/syntax',
  yamlDuplicateKey: 'yaml/duplicate-key',
  templated: 'document/templated',
  fileSkipped: 'file/skipped',
  wrongApiVersion: 'document/api-version',
  schemaUnknownField: 'schema/unknown-field',
  schemaRequired: 'schema/required',
  schemaType: 'schema/type',
  schemaEnum: 'schema/enum',
  schemaPattern: 'schema/pattern',
  schemaFormat: 'schema/format',
  schemaLimit: 'schema/limit',
  schemaOneOf: 'schema/one-of',
  schemaInvalid: 'schema/invalid',
  schemaNullValue: 'schema/null-value',
  versionRemoved: 'version/removed',
  versionAdded: 'version/not-yet-available',
  ruleFailed: 'internal/rule-failed',
} as const;
