// SPDX-License-Identifier: Apache-2.0
/** Turns core results (findings, outline entries, per-document counts) into LSP shapes. */
import {
  CompletionItemKind,
  DiagnosticSeverity,
  SymbolKind,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Range,
} from 'vscode-languageserver';
import type { AssistCompletions, AssistItemKind } from '../core/tetragon-assist.js';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity, Span } from '../core/findings.js';
import type { PolicyFile } from '../core/document.js';
import { isValidated } from '../core/kinds.js';
import type { OutlineKind, OutlineNode } from '../core/outline.js';
import type { DocumentStatusNotification, PolicyDocumentStatus } from '../protocol.js';
import { ruleById } from '../lint/registry.js';
import { escapeControls } from '../core/display-text.js';
import { ruleDocUrl } from '../lint/docs.js';

/** The `source` of every diagnostic we publish. */
export const DIAGNOSTIC_SOURCE = 'cilium-policy';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The LSP range of a span. */
export function toRange(doc: Pick<TextDocument, 'positionAt'>, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

/** One finding as an LSP diagnostic; `data` carries the finding's details for code actions. */
export function toDiagnostic(doc: TextDocument, f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: toRange(doc, f.span),
    severity: SEVERITY[f.severity],
    source: DIAGNOSTIC_SOURCE,
    code: f.code,
    // Messages quote the user's keys and values exactly; editors show them as plain text, where a
    // control or bidi character would act or reorder instead of being seen.
    message: escapeControls(f.message),
  };
  if (f.data) d.data = { ...f.data };
  // Rule findings link to their section of docs/rules.md.
  if (ruleById(f.code)) d.codeDescription = { href: ruleDocUrl(f.code) };
  return d;
}

const SYMBOL_KINDS: Record<OutlineKind, SymbolKind> = {
  policy: SymbolKind.Class,
  spec: SymbolKind.Namespace,
  rule: SymbolKind.Method,
  group: SymbolKind.Array,
  service: SymbolKind.Interface,
  resource: SymbolKind.Object,
  hook: SymbolKind.Function,
  selector: SymbolKind.Field,
  case: SymbolKind.Event,
};

/** An outline entry as a hierarchical document symbol. */
export function toDocumentSymbol(doc: TextDocument, node: OutlineNode): DocumentSymbol {
  const symbol: DocumentSymbol = {
    name: escapeControls(node.name) || '(unnamed)',
    kind: SYMBOL_KINDS[node.kind],
    range: toRange(doc, node.span),
    selectionRange: toRange(doc, node.selectionSpan),
    children: node.children.map((c) => toDocumentSymbol(doc, c)),
  };
  if (node.detail) symbol.detail = escapeControls(node.detail);
  return symbol;
}

/** The `ciliumPolicy/documentStatus` params for a linted file. */
export function documentStatus(
  doc: TextDocument,
  file: PolicyFile,
  findings: readonly Finding[],
): DocumentStatusNotification.Params {
  const policies: PolicyDocumentStatus[] = [];
  // Counts per document in one pass over the findings: documents are in file order, so each
  // finding's document is found by binary search (a long file has thousands of both).
  const docs = file.documents;
  const errors = new Array<number>(docs.length).fill(0);
  const warnings = new Array<number>(docs.length).fill(0);
  const inside = (i: number, at: number): boolean => {
    const d = docs[i];
    if (d === undefined || at < d.span.start) return false;
    if (at < Math.max(d.span.end, d.span.start + 1)) return true;
    // A finding at the very end of a document (an empty value left last, `- ` at the end of the
    // file) is its own, unless the next document starts right there.
    const next = docs[i + 1];
    return at === d.span.end && (next === undefined || next.span.start > at);
  };
  for (const f of findings) {
    if (f.severity !== 'error' && f.severity !== 'warning') continue;
    const at = f.span.start;
    let lo = 0;
    let hi = docs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (docs[mid]!.span.start <= at) lo = mid;
      else hi = mid - 1;
    }
    // Neighbours too: an empty document shares its offset with the next one.
    for (const i of [lo - 1, lo, lo + 1]) {
      if (!inside(i, at)) continue;
      if (f.severity === 'error') errors[i]!++;
      else warnings[i]!++;
    }
  }
  docs.forEach((d, i) => {
    // Kinds we only read (a Kubernetes NetworkPolicy) are not validated: the status bar does not vouch for them.
    if (!d.kind || !isValidated(d.kind)) return;
    const entry: PolicyDocumentStatus = {
      kind: d.kind.kind,
      range: toRange(doc, d.span),
      errors: errors[i]!,
      warnings: warnings[i]!,
      skipped: d.templated,
    };
    if (d.name !== undefined) entry.name = escapeControls(d.name);
    if (d.namespace !== undefined) entry.namespace = escapeControls(d.namespace);
    policies.push(entry);
  });
  const params: DocumentStatusNotification.Params = { uri: doc.uri, version: doc.version, policies };
  if (file.skipped) params.skippedReason = file.skipped.message;
  return params;
}

const COMPLETION_KINDS: Record<AssistItemKind, CompletionItemKind> = {
  syscall: CompletionItemKind.Function,
  'lsm-hook': CompletionItemKind.Event,
  tracepoint: CompletionItemKind.Event,
  'arg-type': CompletionItemKind.TypeParameter,
  operator: CompletionItemKind.Operator,
  action: CompletionItemKind.EnumMember,
  signal: CompletionItemKind.Constant,
  'usdt-probe': CompletionItemKind.Event,
  'usdt-operand': CompletionItemKind.Value,
  function: CompletionItemKind.Function,
  workload: CompletionItemKind.Module,
  service: CompletionItemKind.Interface,
  namespace: CompletionItemKind.Folder,
  node: CompletionItemKind.Struct,
  entity: CompletionItemKind.EnumMember,
  port: CompletionItemKind.Value,
  'seen-value': CompletionItemKind.Value,
};

/** Core completion items as an LSP list; items replace the scalar being typed, if any. */
export function toCompletionList(
  doc: Pick<TextDocument, 'positionAt'>,
  assist: AssistCompletions,
  offset: number,
): CompletionList {
  const span = assist.replaceSpan ?? { start: offset, end: offset };
  const range = toRange(doc, span);
  const items = assist.items.map((item, i): CompletionItem => {
    const c: CompletionItem = {
      label: item.label,
      kind: COMPLETION_KINDS[item.kind],
      // Keep the core's order (best fit first) rather than the client's alphabetical one.
      sortText: String(i).padStart(5, '0'),
      textEdit: { range, newText: item.insertText ?? item.label },
      filterText: item.label,
    };
    // Details can hold names read from a binary (probes, functions): plain text, like messages.
    if (item.detail) c.detail = escapeControls(item.detail);
    if (item.documentation) c.documentation = { kind: 'markdown', value: item.documentation };
    return c;
  });
  return { isIncomplete: false, items };
}
