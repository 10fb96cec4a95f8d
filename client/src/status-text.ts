// SPDX-License-Identifier: Apache-2.0
/**
 * What the status bar item says for one document, computed from the server's
 * `ciliumPolicy/documentStatus` notification. Kept free of `vscode` imports so unit tests can
 * check the wording without an editor.
 */
import { kindNamed } from '../../server/src/client-safe.js';
import type { DocumentStatusNotification, PolicyDocumentStatus } from '../../server/src/protocol.js';

/** The rendered status: `undefined` from {@link statusView} means "hide the item". */
export interface StatusView {
  /** Status bar text, with `$(icon)` codicons. */
  readonly text: string;
  /** Markdown tooltip: one line per policy document. */
  readonly tooltip: string;
  /** The worst thing in the file, for colouring and accessibility. */
  readonly level: 'ok' | 'warning' | 'error' | 'skipped';
  /** Plain-words summary for screen readers (codicons are not read out). */
  readonly accessibilityLabel: string;
}

/** The short name of a kind (`CNP`, `TP`…), or the kind itself when it is not one we know. */
export function shortKind(kind: string): string {
  return kindNamed(kind)?.shortName ?? kind;
}

/** `CNP`, `CNP ×2, CEC`: kinds in file order of first appearance, with a count when repeated. */
export function kindSummary(policies: readonly PolicyDocumentStatus[]): string {
  const counts = new Map<string, number>();
  for (const p of policies) {
    const k = shortKind(p.kind);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Escapes the characters that would otherwise turn a policy name into Markdown markup. */
function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

function describe(p: PolicyDocumentStatus): string {
  const where = p.name ? ` \`${p.namespace ? `${p.namespace}/` : ''}${p.name}\`` : '';
  const line = `line ${p.range.start.line + 1}`;
  let verdict: string;
  if (p.skipped) verdict = '$(circle-slash) not validated (templated)';
  else if (p.errors > 0)
    verdict = `$(error) ${plural(p.errors, 'error')}${p.warnings ? `, ${plural(p.warnings, 'warning')}` : ''}`;
  else if (p.warnings > 0) verdict = `$(warning) ${plural(p.warnings, 'warning')}`;
  else verdict = '$(check) valid';
  return `- **${md(p.kind)}**${where} (${line}): ${verdict}`;
}

/**
 * Builds the status bar view for one document, or `undefined` when the document holds no policy
 * (the item is hidden for ordinary YAML so it never adds noise to unrelated files).
 */
export function statusView(params: DocumentStatusNotification.Params | undefined): StatusView | undefined {
  if (!params || params.policies.length === 0) return undefined;
  const { policies } = params;
  const errors = policies.reduce((n, p) => n + p.errors, 0);
  const warnings = policies.reduce((n, p) => n + p.warnings, 0);
  const allSkipped = params.skippedReason !== undefined || policies.every((p) => p.skipped);
  const kinds = kindSummary(policies);

  let level: StatusView['level'];
  let verdict: string;
  let spoken: string;
  if (errors > 0) {
    level = 'error';
    verdict = `$(error) ${errors}`;
    spoken = plural(errors, 'error');
  } else if (allSkipped) {
    level = 'skipped';
    verdict = '$(circle-slash)';
    spoken = 'not validated';
  } else if (warnings > 0) {
    level = 'warning';
    verdict = `$(warning) ${warnings}`;
    spoken = plural(warnings, 'warning');
  } else {
    level = 'ok';
    verdict = '$(check)';
    spoken = 'valid';
  }

  const header = `**Cilium Policy** — ${plural(policies.length, 'policy document')}`;
  const lines = [header, '', ...policies.map(describe)];
  if (params.skippedReason) lines.push('', `$(info) ${md(params.skippedReason)}`);
  lines.push('', 'Click to open the Problems panel.');
  return {
    text: `$(shield) ${kinds} ${verdict}`,
    tooltip: lines.join('\n'),
    level,
    accessibilityLabel: `Cilium Policy: ${kinds.replace(/×/g, 'times ')}, ${spoken}`,
  };
}
