// SPDX-License-Identifier: Apache-2.0
/**
 * The one lint entry point shared by the language server, the CLI and the tests:
 * YAML syntax, kind recognition, schema validation and release checks for every document of a file.
 */
import type { Node, Pair } from 'yaml';
import { isMap } from 'yaml';
import { CODES, type Finding, type Severity } from '../core/findings.js';
import {
  keyText,
  nodeSpan,
  placeholderScalars,
  runSteps,
  wrongApiVersion,
  type PolicyDocument,
  type PolicyFile,
} from '../core/document.js';
import { apiGroups, isValidated } from '../core/kinds.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import type { Settings } from '../settings.js';
import { RULES } from './registry.js';
import { runRule } from './engine.js';
import { lineEnding } from '../core/yaml-edits.js';
import type { Rule } from './rule.js';
import type { EndpointIndex } from '../core/preview.js';
import type { BinaryLookup } from '../core/elf.js';
import type { LintScope } from './scope.js';

/** Everything a lint run needs besides the text. */
export interface LintContext {
  readonly validator: SchemaValidator;
  readonly settings: Settings;
  /** The rules to run; all registered rules when omitted (tests pass a subset). */
  readonly rules?: readonly Rule[];
  /** The loaded inventory, for rules about what selectors match; undefined when none was loaded. */
  readonly inventory?: EndpointIndex;
  /** Reads the binaries policies name (USDT probes, uprobe functions); undefined when lookups are off. */
  readonly binaries?: BinaryLookup;
  /** Results of earlier lints of the same file, reused for documents that did not change. */
  readonly cache?: LintCache;
  /**
   * The policies of every file in scope, for cross-document rules: all inputs of a CLI run, the
   * workspace's policy files in the editor. Undefined lints the file on its own.
   */
  readonly scope?: LintScope;
  /** The linted file's name in the scope (its entries there are replaced by the text being linted). */
  readonly source?: string;
  /**
   * Findings another engine has about the file (the language server's PolicyTest problems that need
   * the inventory), given the lint's own findings so far; they get the severity overrides and the
   * suppression comments like every other finding.
   */
  readonly extra?: (file: PolicyFile, findings: readonly Finding[]) => readonly Finding[];
}

/** What a {@link LintCache} keeps for one document. */
interface CacheEntry {
  /** Target versions, kernel architecture and line ending the findings were computed for. */
  readonly key: string;
  readonly validator: SchemaValidator;
  readonly rules: readonly Rule[];
  /** Where the document started when the findings were computed (or last shifted). */
  start: number;
  /**
   * The document's findings in output order (schema findings, then rules in registry order): runs
   * of cached findings, and in between the rules that must run on every lint.
   */
  segments: readonly (readonly Finding[] | Rule)[];
}

/**
 * Per-document lint results kept between lints of one file (the language server keeps one per
 * open file), so that an edit costs the schema validation and rules of the edited document only.
 *
 * `parseFile` hands back the very same `yaml` document object for every document whose text did
 * not change (moved in place to its new offset), so that object is the key: the same object means
 * the same text. Findings are shifted when the document moved. Kept are the schema findings and
 * the findings of rules that look at the document alone; rules that read other documents of the
 * file, the inventory or binaries on disk run on every lint.
 */
export class LintCache {
  private readonly entries = new WeakMap<object, CacheEntry>();

  /** The entry of a document, shifted to where the document is now; undefined when stale. */
  get(doc: PolicyDocument, key: string, validator: SchemaValidator, rules: readonly Rule[]): CacheEntry | undefined {
    const e = this.entries.get(doc.yaml);
    if (!e || e.key !== key || e.validator !== validator || e.rules !== rules) return undefined;
    const delta = doc.span.start - e.start;
    if (delta !== 0) {
      // Most documents have no findings: keep their empty lists rather than copying them.
      const shift = (fs: readonly Finding[]): readonly Finding[] =>
        fs.length === 0 ? fs : fs.map((f) => shiftFinding(f, delta));
      e.segments = e.segments.map((x) => (Array.isArray(x) ? shift(x) : x));
      e.start = doc.span.start;
    }
    return e;
  }

  set(doc: PolicyDocument, entry: CacheEntry): void {
    this.entries.set(doc.yaml, entry);
  }
}

function shiftFinding(f: Finding, delta: number): Finding {
  const span = { start: f.span.start + delta, end: f.span.end + delta };
  if (!f.fixes) return { ...f, span };
  const fixes = f.fixes.map((fix) => ({
    ...fix,
    edits: fix.edits.map((e) => ({ ...e, start: e.start + delta, end: e.end + delta })),
  }));
  return { ...f, span, fixes };
}

/** Rules whose findings depend on the document alone (and so may be cached with it). */
function documentLocal(rule: Rule): boolean {
  return rule.crossDocument !== true && rule.requiresInventory !== true && rule.readsBinaries !== true;
}

/** Lints a parsed file. Never throws. */
export function lintFile(file: PolicyFile, ctx: LintContext): Finding[] {
  return runSteps(lintFileSteps(file, ctx));
}

/**
 * {@link lintFile} as a generator that pauses (yields) between documents and between the rules of
 * a document, so an adapter can spread the lint of a large file over several turns of its event
 * loop. Its result is exactly `lintFile`'s; the cache is only updated with complete entries.
 */
export function* lintFileSteps(file: PolicyFile, ctx: LintContext): Generator<void, Finding[], void> {
  if (!ctx.settings.validateEnable) return [];
  if (file.skipped) return [file.skipped];
  const findings: Finding[] = [];
  for (const doc of file.documents) {
    findings.push(...(yield* lintDocumentSteps(file, doc, ctx)));
    yield;
  }
  if (ctx.extra) findings.push(...ctx.extra(file, findings));
  return applySuppressions(file.text, applySeverityOverrides(findings, ctx.settings));
}

/** `cilium.io/` and the other API groups of the kind registry, as written in an apiVersion. */
const OUR_API_GROUPS = new RegExp(
  `\\b(${apiGroups()
    .map((g) => g.replace(/[.]/g, '\\.'))
    .join('|')})/`,
);

/** True when a document that is not (recognisably) ours should still get its syntax errors reported. */
function looksLikeOurs(file: PolicyFile, doc: PolicyDocument): boolean {
  return OUR_API_GROUPS.test(file.text.slice(doc.span.start, doc.span.end));
}

/** Lints one document. */
export function lintDocument(file: PolicyFile, doc: PolicyDocument, ctx: LintContext): Finding[] {
  return runSteps(lintDocumentSteps(file, doc, ctx));
}

/** {@link lintDocument} with a pause after the schema validation and after each rule. */
function* lintDocumentSteps(file: PolicyFile, doc: PolicyDocument, ctx: LintContext): Generator<void, Finding[], void> {
  // Kinds we only read (a Kubernetes NetworkPolicy, for verdicts) are left to other tools, like any other object.
  if (doc.kind && !isValidated(doc.kind)) return [];
  const ours = doc.kind !== undefined;
  if (!ours) {
    const wrong = wrongApiVersion(doc);
    if (wrong && !doc.templated) return [apiVersionFinding(file, doc, wrong.kind, wrong.apiVersion)];
    // A template whose YAML does not parse as written (`{{ if … }}` before the keys) but whose lines name one of our kinds.
    if (doc.templated && doc.templatedKind && isValidated(doc.templatedKind)) return [templatedFinding(file, doc)];
    if (doc.syntaxErrors.length && !doc.templated && looksLikeOurs(file, doc)) return firstSyntaxErrors(doc);
    return [];
  }
  if (doc.templated) return [templatedFinding(file, doc)];
  if (doc.syntaxErrors.length) return firstSyntaxErrors(doc);
  if (doc.dataError) return [doc.dataError];
  const versions = { cilium: ctx.settings.ciliumVersion, tetragon: ctx.settings.tetragonVersion };
  const kind = doc.kind!;
  const rules = ctx.rules ?? RULES;
  const ruleCtx = {
    doc,
    kind,
    file,
    versions,
    kernelArch: ctx.settings.tetragonKernelArch,
    ...(ctx.inventory ? { inventory: ctx.inventory } : {}),
    ...(ctx.binaries ? { binaries: ctx.binaries } : {}),
    ...(ctx.scope ? { scope: ctx.scope } : {}),
    ...(ctx.source !== undefined ? { source: ctx.source } : {}),
    ...(ctx.settings.tetragonTargets.length ? { tetragonTargets: ctx.settings.tetragonTargets } : {}),
  };
  // Quick fixes insert lines with the file's line ending (taken from its first line), so it is part of the key.
  const key = `${versions.cilium}|${versions.tetragon}|${ctx.settings.tetragonKernelArch}|${lineEnding(file.text)}`;
  let entry = ctx.cache?.get(doc, key, ctx.validator, rules);
  if (!entry) {
    const segments: (readonly Finding[] | Rule)[] = [];
    let run: Finding[] = ctx.validator.validate(doc, versions);
    yield;
    for (const r of rules) {
      if (!r.kinds.includes(kind.kind)) continue;
      if (documentLocal(r)) {
        run.push(...runRule(r, ruleCtx));
        yield;
        continue;
      }
      segments.push(run, r);
      run = [];
    }
    segments.push(run);
    entry = {
      key,
      validator: ctx.validator,
      rules,
      start: doc.span.start,
      segments: segments.filter((x) => !Array.isArray(x) || x.length > 0),
    };
    ctx.cache?.set(doc, entry);
  }
  const out: Finding[] = [];
  for (const x of entry.segments) {
    if (Array.isArray(x)) out.push(...(x as Finding[]));
    else {
      out.push(...runRule(x as Rule, ruleCtx));
      yield;
    }
  }
  return withPlaceholders(file, doc, out);
}

/** The one finding of a Helm/Go or Terraform template document, on its `kind` key. */
function templatedFinding(file: PolicyFile, doc: PolicyDocument): Finding {
  let span = topKeySpan(doc, 'kind', false);
  if (!span) {
    // The YAML did not parse as written: find the `kind:` line in the text.
    const from = doc.span.start;
    const text = file.text.slice(from, Math.max(doc.span.end, doc.chunk.end));
    const m = /^([ \t]*)kind:/m.exec(text);
    span = m ? { start: from + m.index + m[1]!.length, end: from + m.index + m[1]!.length + 4 } : undefined;
  }
  return {
    code: CODES.templated,
    severity: 'information',
    message:
      'This document contains template markers ({{ … }}); it was not validated. Lint the rendered output (e.g. `helm template … | cilium-policy lint -`).',
    span: span ?? { start: doc.span.start, end: doc.span.start },
  };
}

/**
 * `${NAME}` placeholders (envsubst, Terraform templates) are filled in before the policy is applied,
 * so what the schema and rules say about a value that holds one is about the template, not the policy:
 * those findings give way to one information finding. Everything else in the document is checked as
 * usual, and a `${…}` inside a value that is fine as written (an Envoy setting, a regex) changes
 * nothing: the note only appears when a finding was left out or a value is nothing but a placeholder.
 */
function withPlaceholders(file: PolicyFile, doc: PolicyDocument, findings: Finding[]): Finding[] {
  const scalars = placeholderScalars(file, doc);
  if (scalars.length === 0) return findings;
  const at = (f: Finding) => scalars.find((p) => f.span.start >= p.span.start && f.span.start < p.span.end);
  // A rule's own note about a placeholder (what the value must become) says more than ours: it stays.
  const on = (f: Finding) => (f.severity === 'information' && !f.code.startsWith('schema/') ? undefined : at(f));
  const kept = findings.filter((f) => on(f) === undefined);
  const dropped = findings.length - kept.length;
  const whole = scalars.filter((p) => p.whole);
  if (dropped === 0 && whole.length === 0) return findings;
  const first = scalars.find((p) => p.whole || findings.some((f) => on(f) === p)) ?? scalars[0]!;
  const names = [...new Set(scalars.map((p) => p.token))];
  const listed = names
    .slice(0, 3)
    .map((n) => `\`${n}\``)
    .join(', ');
  const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
  return [
    {
      code: CODES.templated,
      severity: 'information',
      message: `This document holds placeholders (${listed}${more}) for envsubst or a template engine such as Terraform's; the values that hold them were not checked${dropped ? ` (${dropped} finding${dropped === 1 ? '' : 's'} left out)` : ''}. Lint the rendered output (e.g. \`envsubst < policy.yaml | cilium-policy lint -\`).`,
      span: first.span,
      data: { placeholders: names },
    },
    ...kept,
  ];
}

/**
 * One of our kinds with a wrong or missing `apiVersion`: kubectl and the API server refuse a document
 * without one, and serve our kinds under one version only. The fix writes the right one in.
 */
function apiVersionFinding(file: PolicyFile, doc: PolicyDocument, kind: string, expected: string): Finding {
  const keySpan = topKeySpan(doc, 'apiVersion', false);
  if (keySpan) {
    const valueSpan = topKeySpan(doc, 'apiVersion', true);
    const hasValue = valueSpan !== undefined && valueSpan.start !== keySpan.start && valueSpan.end > valueSpan.start;
    const written = doc.apiVersion ?? (hasValue ? file.text.slice(valueSpan.start, valueSpan.end) : undefined);
    if (written === undefined || written === '' || !valueSpan || !hasValue) {
      return {
        code: CODES.wrongApiVersion,
        severity: 'error',
        message: `${kind} is served as \`apiVersion: ${expected}\`; this \`apiVersion\` has no version written.`,
        span: keySpan,
        data: { expected },
      };
    }
    return {
      code: CODES.wrongApiVersion,
      severity: 'error',
      message: `${kind} is served as \`apiVersion: ${expected}\`, not \`${written}\`.`,
      span: valueSpan,
      data: { expected },
      fixes: [
        {
          title: `Change to \`${expected}\``,
          edits: [{ start: valueSpan.start, end: valueSpan.end, newText: expected }],
          preferred: true,
        },
      ],
    };
  }
  const kindKey = topKeySpan(doc, 'kind', false) ?? { start: doc.span.start, end: doc.span.start };
  // The new line goes where the `kind` line starts, with its indentation.
  let lineStart = kindKey.start;
  while (lineStart > 0 && file.text[lineStart - 1] !== '\n' && file.text[lineStart - 1] !== '\r') lineStart--;
  const indent = file.text.slice(lineStart, kindKey.start);
  const eol = lineEnding(file.text);
  return {
    code: CODES.wrongApiVersion,
    severity: 'error',
    message: `${kind} needs \`apiVersion: ${expected}\`; this document has no \`apiVersion\`, which kubectl and the API server refuse.`,
    span: kindKey,
    data: { expected },
    ...(/^[ \t]*$/.test(indent)
      ? {
          fixes: [
            {
              title: `Add \`apiVersion: ${expected}\``,
              edits: [{ start: kindKey.start, end: kindKey.start, newText: `apiVersion: ${expected}${eol}${indent}` }],
              preferred: true,
            },
          ],
        }
      : {}),
  };
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

// Ids end at the line end: a lone CR ends a line too, so the next line is not read as ids.
const SUPPRESSION = /#\s*cilium-policy\s+disable-(next-line|line)\b([^\r\n#]*)/g;

/**
 * Honours `# cilium-policy disable-next-line [id ...]` (on the line above a finding) and
 * `# cilium-policy disable-line [id ...]` (at the end of the finding's line). Without ids, every
 * finding on that line is suppressed. Ids are separated by spaces or commas.
 */
export function applySuppressions(text: string, findings: readonly Finding[]): Finding[] {
  if (!text.includes('cilium-policy')) return [...findings];
  // The lines a comment targets, as offset ranges: no line index of the whole file is built, since
  // a large file has a few comments at most and this runs on every lint.
  const targets: { start: number; end: number; ids: Set<string> | 'all' }[] = [];
  for (const m of text.matchAll(SUPPRESSION)) {
    let start = lineStartAt(text, m.index ?? 0);
    if (m[1] === 'next-line') {
      start = nextLineStart(text, start);
      if (start < 0) continue;
    }
    const next = nextLineStart(text, start);
    const ids = (m[2] ?? '').split(/[\s,]+/).filter(Boolean);
    targets.push({ start, end: next < 0 ? text.length + 1 : next, ids: ids.length === 0 ? 'all' : new Set(ids) });
  }
  if (targets.length === 0) return [...findings];
  return findings.filter((f) => {
    const at = Math.max(0, Math.min(f.span.start, text.length));
    return !targets.some((t) => at >= t.start && at < t.end && (t.ids === 'all' || t.ids.has(f.code)));
  });
}

/** The offset where the line holding `offset` starts (a line ends at LF, CRLF or a lone CR). */
function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** The offset where the line after the one starting at `start` begins; -1 when it is the last line. */
function nextLineStart(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return -1;
}
