// SPDX-License-Identifier: Apache-2.0
/**
 * Quick fixes. The fixes themselves are computed by the core with the findings (so the CLI and the
 * tests see the same edits); this adapter matches the editor's diagnostics back to findings and
 * turns their offset edits into a WorkspaceEdit. Every finding also gets a "disable for this line"
 * action that inserts a suppression comment above it.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../core/findings.js';
import { DIAGNOSTIC_SOURCE, toRange } from './convert.js';
import { escapeControls } from '../core/display-text.js';

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** The code actions for the diagnostics the editor asks about. */
export function codeActionsFor(
  doc: TextDocument,
  findings: readonly Finding[],
  diagnostics: readonly Diagnostic[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  const text = doc.getText();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
    const finding = findings.find(
      (f) => f.code === diagnostic.code && sameRange(toRange(doc, f.span), diagnostic.range),
    );
    if (!finding) continue;
    for (const fix of finding.fixes ?? []) {
      const edits: TextEdit[] = fix.edits.map((e) => ({ range: toRange(doc, e), newText: e.newText }));
      actions.push({
        // Titles can quote names from the inputs (a symbol read from a binary): plain text, like messages.
        title: escapeControls(fix.title),
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred === true,
        edit: { changes: { [doc.uri]: edits } },
      });
    }
    if (finding.code.startsWith('yaml/') || finding.code.startsWith('file/')) continue;
    const line = diagnostic.range.start.line;
    const lineStart = doc.offsetAt({ line, character: 0 });
    const indent = /^[ \t]*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? '';
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    actions.push({
      title: `Disable ${finding.code} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: {
        changes: {
          [doc.uri]: [
            {
              range: { start: { line, character: 0 }, end: { line, character: 0 } },
              newText: `${indent}# cilium-policy disable-next-line ${finding.code}${eol}`,
            },
          ],
        },
      },
    });
  }
  return actions;
}
