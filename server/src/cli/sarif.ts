// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy lint --format sarif`: the findings as a SARIF 2.1.0 log, the format GitHub code
 * scanning (and most CI dashboards) import. Every code the CLI can report is described once in
 * `tool.driver.rules`, from the rule metadata for lint rules and from {@link CORE_CODE_HELP} for the
 * core's own codes, so a reader of the alert sees what it means and where it is documented.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CODES, Severity } from '../core/findings.js';
import { RULES } from '../lint/registry.js';
import { RULES_DOC_URL, ruleDocUrl } from '../lint/docs.js';
import type { Located } from './format.js';

/** Where users read about the tool. */
export const INFORMATION_URI = RULES_DOC_URL.replace(/\/blob\/.*$/, '');

/** The README section that lists the core codes. */
const CORE_CODES_DOC_URL = RULES_DOC_URL.replace(/docs\/rules\.md$/, 'README.md#diagnostic-codes');

/** The base every artifact URI is relative to: the working directory the CLI ran in. */
export const SRCROOT = '%SRCROOT%';

type CoreCode = (typeof CODES)[keyof typeof CODES];

/** One-line summary and a longer explanation of each core code (the README lists the same codes). */
export const CORE_CODE_HELP: Readonly<
  Record<CoreCode, { readonly short: string; readonly full: string; readonly level: Severity }>
> = {
  'yaml/syntax': {
    short: 'The text is not valid YAML.',
    full: 'The document could not be parsed as YAML; it is reported once, at the first problem, and not validated further.',
    level: 'error',
  },
  'yaml/duplicate-key': {
    short: 'A key appears twice in the same map.',
    full: 'Kubernetes keeps only one of the values, so one of them silently has no effect.',
    level: 'error',
  },
  'document/templated': {
    short: 'The document contains template markers or placeholders and was not (fully) validated.',
    full: 'Documents with Helm or Go template markers are skipped, and values holding ${VAR} placeholders (envsubst, Terraform) are not checked; lint the rendered output (helm template … | cilium-policy lint -, envsubst < file | cilium-policy lint -) instead.',
    level: 'information',
  },
  'file/skipped': {
    short: 'The file is too large or looks binary and was not read.',
    full: 'Files over 5 MB and binary files are skipped so that one odd file cannot stall a run.',
    level: 'information',
  },
  'document/api-version': {
    short: 'A Cilium or Tetragon kind with the wrong apiVersion.',
    full: 'The API server rejects the object, or serves it under a version the agent does not read.',
    level: 'error',
  },
  'schema/unknown-field': {
    short: 'A field the CRD does not have.',
    full: 'The API server rejects an unknown field under strict field validation (what kubectl asks for by default) and otherwise drops it from the stored object, so what it says never takes effect; often a typo of a known field.',
    level: 'error',
  },
  'schema/required': {
    short: 'A required field is missing.',
    full: 'The API server rejects the object without it.',
    level: 'error',
  },
  'schema/type': {
    short: 'A value of the wrong type.',
    full: 'For example a number where a string is expected; the API server rejects the object.',
    level: 'error',
  },
  'schema/enum': {
    short: 'A value outside the allowed set.',
    full: 'The field accepts only a fixed list of values.',
    level: 'error',
  },
  'schema/pattern': {
    short: 'A string that does not have the required form.',
    full: 'The field accepts only strings of a given form, such as a label value or a port name.',
    level: 'error',
  },
  'schema/format': {
    short: 'A value that is not a valid CIDR, integer size or date-time.',
    full: 'The value cannot be parsed in the form the field requires.',
    level: 'error',
  },
  'schema/limit': {
    short: 'A number, string, list or map outside its allowed size.',
    full: 'The value is too small, too large, too long or too short for the field.',
    level: 'error',
  },
  'schema/one-of': {
    short: 'A choice between fields made wrongly.',
    full: 'Exactly one of several alternative fields must be given; none or more than one was.',
    level: 'error',
  },
  'schema/invalid': {
    short: 'The document could not be validated.',
    full: 'The document is not an object the schema can check, such as a list or a scalar.',
    level: 'error',
  },
  'schema/null-value': {
    short: 'A key with no value, which the API server drops or fills with its default.',
    full: 'Since Kubernetes 1.20 the API server removes a null field that has no default (the object is stored as if the key were not written) and replaces a null with the default where the CRD has one.',
    level: 'warning',
  },
  'version/removed': {
    short: 'A field the target release no longer accepts.',
    full: 'The field was removed in or before the Cilium or Tetragon release you target (--cilium-version, --tetragon-version).',
    level: 'error',
  },
  'version/not-yet-available': {
    short: 'A field the target release does not know yet.',
    full: 'The field was added after the Cilium or Tetragon release you target (--cilium-version, --tetragon-version).',
    level: 'error',
  },
  'internal/rule-failed': {
    short: 'A lint rule failed on this document.',
    full: 'A bug in cilium-policy, not in the policy; please report it with the document that triggers it.',
    level: 'error',
  },
};

/** A SARIF reporting descriptor (the part of one we fill). */
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
}

type SarifLevel = 'error' | 'warning' | 'note';

/** SARIF has no information or hint level; both are notes. */
export function sarifLevel(s: Severity): SarifLevel {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/** Every code the CLI can report: the core's, then the lint rules'. */
export function sarifRules(): SarifRule[] {
  const out: SarifRule[] = [];
  for (const [id, h] of Object.entries(CORE_CODE_HELP)) {
    out.push({
      id,
      shortDescription: { text: h.short },
      fullDescription: { text: h.full },
      help: {
        text: `${h.short} ${h.full}`,
        markdown: `${h.short} ${h.full}\n\n[Diagnostic codes](${CORE_CODES_DOC_URL})`,
      },
      helpUri: CORE_CODES_DOC_URL,
      defaultConfiguration: { level: sarifLevel(h.level) },
    });
  }
  for (const r of RULES) {
    const url = ruleDocUrl(r.id);
    out.push({
      id: r.id,
      shortDescription: { text: plain(r.summary) },
      fullDescription: { text: plain(r.rationale) },
      help: {
        text: `${plain(r.summary)} ${plain(r.rationale)}`,
        markdown: `${r.summary}\n\n${r.rationale}\n\n[\`${r.id}\`](${url})`,
      },
      helpUri: url,
      defaultConfiguration: { level: sarifLevel(r.defaultSeverity) },
    });
  }
  return out;
}

/** Rule texts are Markdown; the plain-text fields get them without backticks. */
function plain(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, '$1');
}

/** Where a display name's file is, for URIs; undefined for standard input. */
export type AbsolutePathOf = (display: string) => string | undefined;

/** Percent-encodes each segment of a relative path, keeping `/` as the separator. */
function relativeUri(rel: string): string {
  return rel.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** The artifact location of a file: relative to the working directory when inside it, else an absolute file URI. */
function artifactLocation(display: string, cwd: string, absoluteOf: AbsolutePathOf): Record<string, unknown> {
  const abs = absoluteOf(display);
  // Standard input has no URI; SARIF allows a location described in words instead.
  if (abs === undefined) return { description: { text: 'standard input' } };
  const rel = path.relative(cwd, abs);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    return { uri: relativeUri(rel), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(abs).href };
}

/** Options of {@link sarifLog}. */
export interface SarifOptions {
  readonly version: string;
  /** The working directory: artifact URIs are relative to it (`%SRCROOT%`). */
  readonly cwd: string;
  readonly absolutePathOf: AbsolutePathOf;
  /** False when an input could not be read. */
  readonly executionSuccessful: boolean;
}

/** The whole SARIF log, as text ending in a newline. */
export function sarifLog(findings: readonly Located[], opts: SarifOptions): string {
  const rules = sarifRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  // A code without metadata (none today) still gets a descriptor, so every result names a rule.
  for (const f of findings) {
    if (index.has(f.code)) continue;
    index.set(f.code, rules.length);
    rules.push({
      id: f.code,
      shortDescription: { text: f.code },
      fullDescription: { text: f.code },
      help: { text: f.code, markdown: f.code },
      helpUri: INFORMATION_URI,
      defaultConfiguration: { level: sarifLevel(f.severity) },
    });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'cilium-policy',
            version: opts.version,
            semanticVersion: /^\d+\.\d+\.\d+/.test(opts.version) ? opts.version : undefined,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [{ executionSuccessful: opts.executionSuccessful }],
        originalUriBaseIds: {
          [SRCROOT]: { uri: pathToFileURL(opts.cwd.endsWith(path.sep) ? opts.cwd : opts.cwd + path.sep).href },
        },
        // Our columns count UTF-16 code units, like LSP; say so rather than rely on the default.
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code)!,
          level: sarifLevel(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.file, opts.cwd, opts.absolutePathOf),
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
