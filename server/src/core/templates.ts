// SPDX-License-Identifier: Apache-2.0
/**
 * Policy templates for the "New policy…" wizard, built from the editor snippets.
 *
 * The snippet files (`snippets/*.json`) are the single source of the starter bodies: the editor
 * offers them as completions, and the wizard offers the same bodies, optionally prefilled for a
 * real workload (its namespace and labels). Keeping one source means a template can never drift
 * from the snippet the user also sees. This module only takes data and returns text; the client
 * reads the files and the tests lint what it builds.
 */
import { parseFile } from './document.js';
import type { PolicyKindName } from './kinds.js';
import { selectorLabels } from './stable-labels.js';

/** One entry of a VS Code snippet file. */
export interface SnippetEntry {
  readonly prefix: string;
  readonly description: string;
  readonly body: string | readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Snippet syntax: tabstops, placeholders and choices (variables are not used by our starters)

/** A piece of parsed snippet syntax. */
export type SnippetPart =
  | { readonly t: 'text'; readonly value: string }
  | { readonly t: 'tabstop'; readonly index: number }
  | { readonly t: 'placeholder'; readonly index: number; readonly children: readonly SnippetPart[] }
  | { readonly t: 'choice'; readonly index: number; readonly options: readonly string[] };

/**
 * Parses snippet syntax. Variables (`$TM_FILENAME`…) are rejected: a starter must not depend on
 * the editor's state, or the wizard and the completion would insert different text.
 */
export function parseSnippet(src: string): SnippetPart[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i} of ${JSON.stringify(src.length > 80 ? `${src.slice(0, 80)}…` : src)}`);
  };
  const readInt = (): number => {
    const m = /^\d+/.exec(src.slice(i));
    if (!m) return fail('expected a tabstop number');
    i += m[0].length;
    return Number(m[0]);
  };
  const parse = (inside: boolean): SnippetPart[] => {
    const parts: SnippetPart[] = [];
    let text = '';
    const flush = (): void => {
      if (text) parts.push({ t: 'text', value: text });
      text = '';
    };
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\' && i + 1 < src.length && '$}\\'.includes(src[i + 1]!)) {
        text += src[i + 1];
        i += 2;
      } else if (c === '}' && inside) {
        flush();
        return parts;
      } else if (c === '$' && /\d/.test(src[i + 1] ?? '')) {
        flush();
        i += 1;
        parts.push({ t: 'tabstop', index: readInt() });
      } else if (c === '$' && src[i + 1] === '{') {
        flush();
        i += 2;
        if (!/\d/.test(src[i] ?? '')) fail('variables are not allowed in starter snippets');
        const index = readInt();
        const next = src[i];
        if (next === '}') {
          i += 1;
          parts.push({ t: 'tabstop', index });
        } else if (next === ':') {
          i += 1;
          const children = parse(true);
          if (src[i] !== '}') fail('unterminated placeholder');
          i += 1;
          parts.push({ t: 'placeholder', index, children });
        } else if (next === '|') {
          i += 1;
          const options: string[] = [];
          let opt = '';
          for (;;) {
            const d = src[i];
            if (d === undefined) fail('unterminated choice');
            if (d === '\\' && ',|\\'.includes(src[i + 1] ?? '')) {
              opt += src[i + 1];
              i += 2;
            } else if (d === ',') {
              options.push(opt);
              opt = '';
              i += 1;
            } else if (d === '|' && src[i + 1] === '}') {
              options.push(opt);
              i += 2;
              break;
            } else {
              opt += d;
              i += 1;
            }
          }
          parts.push({ t: 'choice', index, options });
        } else {
          fail('malformed tabstop');
        }
      } else if (c === '$' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
        fail('variables are not allowed in starter snippets');
      } else {
        text += c;
        i += 1;
      }
    }
    if (inside) fail('unterminated placeholder');
    flush();
    return parts;
  };
  return parse(false);
}

/**
 * The text the editor first inserts for a snippet: a placeholder shows its default, a choice its
 * first option, and a bare tabstop mirrors the placeholder of the same number elsewhere (or is empty).
 */
export function expandSnippet(src: string): string {
  const parts = parseSnippet(src);
  const defaults = new Map<number, SnippetPart>();
  const collect = (ps: readonly SnippetPart[]): void => {
    for (const p of ps) {
      if ((p.t === 'placeholder' || p.t === 'choice') && !defaults.has(p.index)) defaults.set(p.index, p);
      if (p.t === 'placeholder') collect(p.children);
    }
  };
  collect(parts);
  const render = (ps: readonly SnippetPart[], depth: number): string =>
    ps
      .map((p) => {
        if (depth > 20) throw new Error('snippet placeholders refer to themselves');
        if (p.t === 'text') return p.value;
        if (p.t === 'choice') return p.options[0] ?? '';
        if (p.t === 'placeholder') return render(p.children, depth + 1);
        const d = defaults.get(p.index);
        return d ? render([d], depth + 1) : '';
      })
      .join('');
  return render(parts, 0);
}

/** Every tabstop number a snippet uses, nested ones included. */
export function snippetTabstops(parts: readonly SnippetPart[], out = new Set<number>()): Set<number> {
  for (const p of parts) {
    if (p.t !== 'text') out.add(p.index);
    if (p.t === 'placeholder') snippetTabstops(p.children, out);
  }
  return out;
}

/** Escapes literal text for a snippet body: `$`, `}` and `\` are special there. */
export function escapeSnippetText(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Templates

/** What the wizard can prefill from a workload. */
export type SelectorTarget = 'endpointSelector' | 'podSelector';

/** A starter resource the wizard offers. */
export interface PolicyTemplate {
  /** The snippet prefix, e.g. `cnp-allow-from-pods`; stable, so it doubles as the template id. */
  readonly id: string;
  /** A short title for a picker, e.g. `allow from pods`. */
  readonly label: string;
  /** When to use it (the snippet description). */
  readonly description: string;
  /** The kind of the first document; the wizard groups templates by it. */
  readonly kind: PolicyKindName;
  /** Whether the kind lives in a namespace. */
  readonly namespaced: boolean;
  /** The snippet source, with tabstops. */
  readonly body: string;
  /**
   * The spec-level selector of the first document that names workloads by label, when the
   * template has one written out as `matchLabels`; `{}` selectors (a whole namespace) are left
   * alone, so a namespace-wide default deny stays namespace-wide when a workload is chosen.
   */
  readonly selector: SelectorTarget | undefined;
}

function bodyText(body: string | readonly string[]): string {
  return typeof body === 'string' ? body : body.join('\n');
}

/** The spec-level `endpointSelector:`/`podSelector:` line that opens a block (not `{}`), if any. */
function selectorLine(lines: readonly string[]): { index: number; target: SelectorTarget } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {2}(endpointSelector|podSelector):\s*$/.exec(lines[i]!);
    if (m && /^ {4}matchLabels:\s*$/.test(lines[i + 1] ?? '')) return { index: i, target: m[1] as SelectorTarget };
    // Stop at the end of the first document: later documents (an Envoy config next to a policy) are not the subject.
    if (i > 0 && /^---\s*$/.test(lines[i]!)) return undefined;
  }
  return undefined;
}

/**
 * Turns the entries of snippet files into templates, in the order given. An entry whose expanded
 * body is not one of our kinds is skipped (the snippet test reports it), so a bad entry cannot
 * break the wizard.
 */
export function templatesFromSnippets(files: readonly Readonly<Record<string, SnippetEntry>>[]): PolicyTemplate[] {
  const out: PolicyTemplate[] = [];
  for (const file of files) {
    for (const [name, entry] of Object.entries(file)) {
      const body = bodyText(entry.body);
      let kindDoc;
      try {
        kindDoc = parseFile(expandSnippet(body)).documents.find((d) => d.kind !== undefined);
      } catch {
        continue;
      }
      if (!kindDoc?.kind) continue;
      const colon = name.indexOf(': ');
      out.push({
        id: entry.prefix,
        label: colon >= 0 ? name.slice(colon + 2) : name,
        description: entry.description,
        kind: kindDoc.kind.kind,
        namespaced: kindDoc.kind.namespaced,
        body,
        selector: selectorLine(body.split('\n'))?.target,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Prefilling for a workload

/** A container port of a workload, for the ports a generated policy admits. */
export interface WorkloadPort {
  readonly port: number;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
  readonly name?: string;
}

/** The workload a policy is written for: what the inventory knows about it. */
export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The workload's own pod selector (`spec.selector.matchLabels`), when it has one: preferred to its labels. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Its containers' ports, in declaration order. */
  readonly ports?: readonly WorkloadPort[];
}

/** The label Cilium and Tetragon give every pod for its namespace. */
export const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Words YAML 1.1 readers (kubectl's among them) take for booleans or null. */
const YAML11_SPECIAL = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

/**
 * A string as a YAML scalar that reads back as exactly that string, in YAML 1.1 and 1.2 alike.
 * Label values such as `true`, `on`, `0123` or `1.10` must be quoted or they come back as a
 * boolean or a number, and the API server then rejects the selector (or it matches nothing).
 */
export function yamlString(value: string): string {
  // Plain only when it starts with a letter (no number, no indicator) and has no `: ` or trailing `:`.
  if (/^[A-Za-z_][A-Za-z0-9_.\-/:]*$/.test(value) && !value.endsWith(':') && !YAML11_SPECIAL.test(value)) return value;
  // A JSON string is a valid YAML double-quoted scalar, escapes included.
  return JSON.stringify(value);
}

/** Options of {@link buildPolicy}. */
export interface BuildOptions {
  /** The workload to prefill the namespace and selector from. */
  readonly workload?: WorkloadRef;
}

/** What {@link buildPolicy} returns. */
export interface BuiltPolicy {
  /** Snippet source for the editor's snippet insertion (tabstops kept where nothing was prefilled). */
  readonly snippet: string;
  /** The same with every tabstop at its default: the YAML a user gets before typing anything. */
  readonly text: string;
  /** What could not be prefilled, and why; shown to the user. */
  readonly notes: readonly string[];
}

/**
 * Rewrites every occurrence of one tabstop number in snippet source: `fill` replaces it with
 * literal text (the user has nothing left to choose), `default` keeps it as a placeholder whose
 * default is the text (the user may still change it, and mirrors stay linked).
 */
function rewriteTabstop(src: string, index: number, literal: string, mode: 'fill' | 'default'): string {
  const escaped = escapeSnippetText(literal);
  const render = (ps: readonly SnippetPart[]): string =>
    ps
      .map((p) => {
        if (p.t === 'text') return escapeSnippetText(p.value);
        if (p.index === index) return mode === 'fill' ? escaped : `\${${index}:${escaped}}`;
        if (p.t === 'tabstop') return `\${${p.index}}`;
        if (p.t === 'choice') return `\${${p.index}|${p.options.map((o) => o.replace(/[,|\\]/g, '\\$&')).join(',')}|}`;
        return `\${${p.index}:${render(p.children)}}`;
      })
      .join('');
  return render(parseSnippet(src));
}

/** The tabstop number that holds the whole value of a `key: ${n:…}` line, if that is how it is written. */
function tabstopOfLine(line: string, key: RegExp): number | undefined {
  const m = new RegExp(`^${key.source}\\s*(?:\\$\\{(\\d+)[:|]|\\$(\\d+))`).exec(line);
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/**
 * A DNS-subdomain friendly policy name for a workload: `<workload>-<what the template does>` (the
 * template id without its kind prefix: `api-allow-from-pods`), at most 63 characters.
 */
function nameFor(workload: string, templateId: string, fallback: string): string {
  const what = templateId.replace(/^[a-z]+-/, '');
  const joined = `${workload}-${what}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return (
    joined
      .slice(0, 63)
      .replace(/[^a-z0-9]+$/, '')
      .replace(/^[^a-z0-9]+/, '') || fallback
  );
}

/**
 * The tabstops of the `port` values in the first document's `ingress` rules: the ports traffic
 * reaches the selected workload on, which its container ports fill in. Egress ports belong to the
 * peers, so they are left alone.
 */
function ingressPortTabstops(src: string): number[] {
  const out: number[] = [];
  let inIngress = false;
  for (const line of src.split('\n')) {
    if (/^---/.test(line)) break;
    if (/^ {2}\S/.test(line)) inIngress = /^ {2}ingress:\s*$/.test(line);
    if (!inIngress) continue;
    const m = /^\s+(?:- )?port:\s*"?\$\{(\d+)[:|]/.exec(line);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** Rewrites a tabstop as a choice (several options) or a placeholder (one). */
function rewriteAsChoice(src: string, index: number, options: readonly string[]): string {
  if (options.length === 1) return rewriteTabstop(src, index, options[0]!, 'default');
  const render = (ps: readonly SnippetPart[]): string =>
    ps
      .map((p) => {
        if (p.t === 'text') return escapeSnippetText(p.value);
        if (p.index === index) return `\${${index}|${options.map((o) => o.replace(/[,|\\]/g, '\\$&')).join(',')}|}`;
        if (p.t === 'tabstop') return `\${${p.index}}`;
        if (p.t === 'choice') return `\${${p.index}|${p.options.map((o) => o.replace(/[,|\\]/g, '\\$&')).join(',')}|}`;
        return `\${${p.index}:${render(p.children)}}`;
      })
      .join('');
  return render(parseSnippet(src));
}

/**
 * Builds a template's text, optionally prefilled for a workload: `metadata.namespace` of every
 * namespaced document becomes the workload's namespace (mirrors of that tabstop too, such as an
 * Envoy cluster named `namespace/service`), the subject selector becomes the workload's stable
 * labels (plus the namespace label for cluster-wide kinds), and the policy name starts with the
 * workload's name. Never throws for odd labels: every key and value is quoted as needed.
 */
export function buildPolicy(template: PolicyTemplate, options: BuildOptions = {}): BuiltPolicy {
  const notes: string[] = [];
  const w = options.workload;
  let src = template.body;
  if (w) {
    // The first document's metadata: the name and namespace lines, when they hold one tabstop each.
    const lines = src.split('\n');
    const nsTab = lines.map((l) => tabstopOfLine(l, / {2}namespace:/)).find((n) => n !== undefined);
    const nameLine = lines.findIndex((l) => /^ {2}name:/.test(l));
    const nameTab = nameLine >= 0 ? tabstopOfLine(lines[nameLine]!, / {2}name:/) : undefined;
    let used = false;
    if (template.namespaced) {
      if (nsTab !== undefined) {
        src = rewriteTabstop(src, nsTab, w.namespace, 'fill');
        used = true;
      } else notes.push('The template has no namespace field to fill in.');
    }
    // The workload's own selector when it has one: what its controller relies on, minus labels
    // that change with each rollout or release (`version`), which would stop matching later.
    const labels = selectorLabels(w.labels, w.selector);
    if (template.selector === undefined) {
      if (!template.namespaced)
        notes.push(`The ${template.kind} template selects no workload by label; the workload was not used.`);
    } else if (Object.keys(labels).length === 0) {
      notes.push(
        `${w.kind} ${w.namespace}/${w.name} has no labels to select it by; the selector was left as in the template.`,
      );
    } else if (selectorLine(src.split('\n')) === undefined) {
      // Only a hand-made template whose selector was rewritten away can get here; say so rather than guess.
      notes.push(`The ${template.kind} template has no label selector to fill in.`);
    } else {
      const selected: [string, string][] = Object.entries(labels);
      // Cluster-wide kinds see pods of every namespace; the namespace label keeps the policy on this one.
      if (!template.namespaced) selected.push([NAMESPACE_LABEL, w.namespace]);
      const body = src.split('\n');
      const at = selectorLine(body)?.index ?? 0;
      let end = at + 1;
      while (end < body.length && /^ {3,}\S/.test(body[end]!)) end++;
      const block = [
        `  ${template.selector}:`,
        '    matchLabels:',
        ...selected.map(([k, v]) => `      ${yamlString(k)}: ${yamlString(v)}`),
      ];
      body.splice(at, end - at, ...block.map(escapeSnippetText));
      src = body.join('\n');
      used = true;
    }
    // The ports the workload listens on, where the template admits traffic to it.
    const ports = [...new Set((w.ports ?? []).map((p) => String(p.port)))];
    if (ports.length > 0 && template.selector !== undefined) {
      for (const tab of ingressPortTabstops(src)) {
        src = rewriteAsChoice(src, tab, ports.slice(0, 10));
        used = true;
      }
    }
    if (used && nameTab !== undefined) {
      // Named after the workload, so several generated policies do not collide; still a placeholder to edit.
      const current = expandSnippet(lines[nameLine]!)
        .replace(/^ {2}name:\s*/, '')
        .replace(/^"|"$/g, '');
      src = rewriteTabstop(src, nameTab, nameFor(w.name, template.id, current), 'default');
    }
  }
  return { snippet: src, text: expandSnippet(src), notes };
}

/** The kinds that have at least one template, in the order of the templates. */
export function templateKinds(templates: readonly PolicyTemplate[]): PolicyKindName[] {
  return [...new Set(templates.map((t) => t.kind))];
}
