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

/**
 * Diagnostic codes the editor reports beside the lint's, from the policy-semantics features: a
 * PolicyTest's own problems and the flow replay's warnings. `ciliumPolicy.rules` sets them as it
 * sets a rule (`lint/settings-schema.ts` completes them); `test/unit/settings-schema.test.ts` checks
 * that every such code the server reports is listed.
 */
export const FEATURE_CODES: Readonly<Record<string, string>> = {
  'policy-test/agent': 'A PolicyTest `agent:` option that is unknown or has a value the agent would not take.',
  'policy-test/duplicate': 'Two cases of a PolicyTest with the same name.',
  'policy-test/endpoint': 'A PolicyTest endpoint written in none (or more than one) of its forms.',
  'policy-test/endpoint-not-found': 'A PolicyTest endpoint that names no workload or service of the inventory.',
  'policy-test/enum': 'A PolicyTest `protocol` or `expect` outside its allowed values.',
  'policy-test/http': 'An `http` request on a PolicyTest case that is not TCP.',
  'policy-test/icmp': 'A PolicyTest `icmpType` that is not a type of its protocol, or without ICMP.',
  'policy-test/invalid-case': 'A PolicyTest case the verdict engine cannot ask (it says why).',
  'policy-test/path': 'A PolicyTest `policies` or `inventory` path that cannot be read.',
  'policy-test/port': 'A PolicyTest port outside 1–65535, or a port on an ICMP case.',
  'policy-test/required': 'A PolicyTest or case without a field it needs.',
  'policy-test/type': 'A PolicyTest field of the wrong type.',
  'policy-test/unknown-field': 'A PolicyTest field the format does not know.',
  'replay/newly-denied': 'A rule or selector that would drop flows of the loaded Hubble flow log.',
};

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
