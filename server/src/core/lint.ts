// SPDX-License-Identifier: Apache-2.0
/**
 * The one lint entry point shared by the language server, the CLI and the tests:
 * YAML syntax, kind recognition, schema validation and release checks for every document of a file.
 */
import type { Node, Pair } from 'yaml';
import { isMap } from 'yaml';
import { CODES, type Finding, type Severity } from './findings.js';
import { keyText, nodeSpan, parseFile, wrongApiVersion, type PolicyDocument, type PolicyFile } from './document.js';
import type { SchemaValidator } from './schema-validation.js';
import type { Settings } from '../settings.js';
import { LineIndex } from './line-index.js';
import { RULES } from '../rules/index.js';
import { runRules } from '../rules/engine.js';
import type { Rule } from '../rules/rule.js';
import type { EndpointIndex } from './preview.js';

/** Everything a lint run needs besides the text. */
export interface LintContext {
  readonly validator: SchemaValidator;
  readonly settings: Settings;
  /** The rules to run; all registered rules when omitted (tests pass a subset). */
  readonly rules?: readonly Rule[];
  /** The loaded inventory, for rules about what selectors match; undefined when none was loaded. */
  readonly inventory?: EndpointIndex;
}

/** Lints a parsed file. Never throws. */
export function lintFile(file: PolicyFile, ctx: LintContext): Finding[] {
  if (!ctx.settings.validateEnable) return [];
  if (file.skipped) return [file.skipped];
  const findings: Finding[] = [];
  for (const doc of file.documents) findings.push(...lintDocument(file, doc, ctx));
  return applySuppressions(file.text, applySeverityOverrides(findings, ctx.settings));
}

/** Parses and lints a text. */
export function lintText(text: string, ctx: LintContext): Finding[] {
  return lintFile(parseFile(text), ctx);
}

/** True when a document that is not (recognisably) ours should still get its syntax errors reported. */
function looksLikeOurs(file: PolicyFile, doc: PolicyDocument): boolean {
  return /\bcilium\.io\//.test(file.text.slice(doc.span.start, doc.span.end));
}

/** Lints one document. */
export function lintDocument(file: PolicyFile, doc: PolicyDocument, ctx: LintContext): Finding[] {
  const ours = doc.kind !== undefined;
  if (!ours) {
    const wrong = wrongApiVersion(doc);
    if (wrong && !doc.templated) {
      const span = topKeySpan(doc, 'apiVersion', true) ?? doc.span;
      return [
        {
          code: CODES.wrongApiVersion,
          severity: 'error',
          message: `${wrong.kind} is served as \`apiVersion: ${wrong.apiVersion}\`, not \`${doc.apiVersion ?? ''}\`.`,
          span,
          data: { expected: wrong.apiVersion },
        },
      ];
    }
    if (doc.syntaxErrors.length && !doc.templated && looksLikeOurs(file, doc)) return firstSyntaxErrors(doc);
    return [];
  }
  if (doc.templated) {
    return [
      {
        code: CODES.templated,
        severity: 'information',
        message: 'This document contains template markers ({{ … }}); it was not validated. Lint the rendered output (e.g. `helm template … | cilium-policy lint -`).',
        span: topKeySpan(doc, 'kind', false) ?? { start: doc.span.start, end: doc.span.start },
      },
    ];
  }
  if (doc.syntaxErrors.length) return firstSyntaxErrors(doc);
  if (doc.dataError) return [doc.dataError];
  const versions = { cilium: ctx.settings.ciliumVersion, tetragon: ctx.settings.tetragonVersion };
  const schemaFindings = ctx.validator.validate(doc, versions);
  const ruleFindings = runRules(ctx.rules ?? RULES, { doc, kind: doc.kind!, file, versions, kernelArch: ctx.settings.tetragonKernelArch, ...(ctx.inventory ? { inventory: ctx.inventory } : {}) });
  return [...schemaFindings, ...ruleFindings];
}

/** Duplicate keys are each worth a diagnostic; of other syntax errors only the first is meaningful. */
function firstSyntaxErrors(doc: PolicyDocument): Finding[] {
  const dup = doc.syntaxErrors.filter((f) => f.code === CODES.yamlDuplicateKey);
  const other = doc.syntaxErrors.find((f) => f.code !== CODES.yamlDuplicateKey);
  return other ? [...dup, other] : dup;
}

function topKeySpan(doc: PolicyDocument, key: string, value: boolean) {
  if (!isMap(doc.yaml.contents)) return undefined;
  const pair = doc.yaml.contents.items.find((p: Pair) => keyText(p.key) === key);
  if (!pair) return undefined;
  return value ? (nodeSpan(pair.value as Node) ?? nodeSpan(pair.key as Node)) : nodeSpan(pair.key as Node);
}

/** Applies `ciliumPolicy.rules` overrides: a code can be turned off or given another severity. */
export function applySeverityOverrides(findings: readonly Finding[], settings: Settings): Finding[] {
  const rules = settings.rules;
  if (Object.keys(rules).length === 0) return [...findings];
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = rules[f.code];
    if (setting === 'off') continue;
    out.push(setting ? { ...f, severity: setting as Severity } : f);
  }
  return out;
}

const SUPPRESSION = /#\s*cilium-policy\s+disable-(next-line|line)\b([^\n#]*)/g;

/**
 * Honours `# cilium-policy disable-next-line [id ...]` (on the line above a finding) and
 * `# cilium-policy disable-line [id ...]` (at the end of the finding's line). Without ids, every
 * finding on that line is suppressed. Ids are separated by spaces or commas.
 */
export function applySuppressions(text: string, findings: readonly Finding[]): Finding[] {
  if (!text.includes('cilium-policy')) return [...findings];
  const lines = new LineIndex(text);
  const byLine = new Map<number, Set<string> | 'all'>();
  for (const m of text.matchAll(SUPPRESSION)) {
    const commentLine = lines.positionAt(m.index ?? 0).line;
    const target = m[1] === 'next-line' ? commentLine + 1 : commentLine;
    const ids = (m[2] ?? '').split(/[\s,]+/).filter(Boolean);
    const prev = byLine.get(target);
    if (ids.length === 0 || prev === 'all') byLine.set(target, 'all');
    else byLine.set(target, new Set([...(prev ?? []), ...ids]));
  }
  if (byLine.size === 0) return [...findings];
  return findings.filter((f) => {
    const s = byLine.get(lines.positionAt(f.span.start).line);
    return !(s === 'all' || s?.has(f.code));
  });
}
