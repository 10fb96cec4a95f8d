// SPDX-License-Identifier: Apache-2.0
/**
 * Code actions and CodeLenses: what the editor offers on a line.
 *
 * Quick fixes are computed by the lint rules with the findings (so the CLI and the tests see the
 * same edits); this adapter matches the editor's diagnostics back to findings and turns their
 * offset edits into a WorkspaceEdit. Every finding the API server does not reject also gets a
 * "disable for this line" action that inserts a suppression comment above it. The lenses say above each selector what it selects in
 * the inventory, from the endpoint preview.
 */
import {
  CodeActionKind,
  CodeActionRequest,
  CodeLensRequest,
  type CodeAction,
  type CodeActionParams,
  type CodeLensParams,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type ServerCapabilities,
  type TextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../core/findings.js';
import { selectionSummary } from '../core/preview.js';
import { DIAGNOSTIC_SOURCE, toRange } from './convert.js';
import { escapeControls } from '../core/display-text.js';
import { contributionsOf } from './contributions.js';
import { checked, describe, is, params } from './guard.js';
import type { LintScheduler } from './lint-scheduler.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';

/** A diagnostic the client sends back in a code action request: what matching it to a finding reads. */
const DIAGNOSTIC = is.object({ range: params.range, source: is.optional(is.string) });

/** The command a preview CodeLens runs; the VS Code client registers it. Arguments: `[uri, position]`. */
export const SHOW_PREVIEW_COMMAND = 'ciliumPolicy.showPreview';

/** Never more lenses than this per file: a generated policy with thousands of selectors stays usable. */
const MAX_LENSES = 500;

/** The capabilities code actions and lenses add to the `initialize` answer. */
export function codeActionCapabilities(): Pick<ServerCapabilities, 'codeActionProvider' | 'codeLensProvider'> {
  return {
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    codeLensProvider: { resolveProvider: false },
  };
}

/** Registers `textDocument/codeAction` (on the last lint's findings) and `textDocument/codeLens` (from the preview). */
export function registerCodeActions(
  connection: Connection,
  session: Session,
  lint: LintScheduler,
  preview: PreviewService,
): void {
  connection.onRequest(
    CodeActionRequest.type,
    checked(
      CodeActionRequest.method,
      is.object({
        textDocument: is.object({ uri: is.string }),
        range: params.range,
        context: is.object({ diagnostics: is.array(DIAGNOSTIC) }),
      }),
      (params: CodeActionParams): CodeAction[] | null => {
        const doc = session.documents.get(params.textDocument.uri);
        if (!doc) return null;
        const own = codeActionsFor(doc, lint.findings(doc), params.context.diagnostics);
        // Other features' fixes (the flow replay's admitting rule) follow.
        const more = contributionsOf(session).codeActions.flatMap((c) => c(doc, params.context.diagnostics));
        return [...own, ...more];
      },
      session.log,
    ),
  );
  // A failing lens is not worth an error in the editor: it is logged, and there are no lenses this time.
  connection.onRequest(
    CodeLensRequest.type,
    checked(
      CodeLensRequest.method,
      params.textDocument,
      async (params: CodeLensParams) => {
        try {
          const own = await codeLenses(session, preview, params.textDocument.uri);
          // Other features' lenses (the dry run's match counts) follow the preview's.
          const doc = session.documents.get(params.textDocument.uri);
          const more = doc ? contributionsOf(session).lenses.flatMap((contribute) => contribute(doc)) : [];
          return own === null && more.length === 0 ? null : [...(own ?? []), ...more];
        } catch (e) {
          session.log(`cilium-policy: textDocument/codeLens failed: ${describe(e)}`);
          return null;
        }
      },
      session.log,
    ),
  );
}

/** One lens above each selector of the document's policies: what it selects in the inventory. */
async function codeLenses(session: Session, preview: PreviewService, uri: string): Promise<CodeLens[] | null> {
  if (!session.documents.get(uri)) return null;
  const settings = await session.settings.get(uri);
  if (!settings.previewCodeLens || !preview.inventory.index()) return [];
  const current = session.documents.get(uri);
  if (!current) return null;
  const lenses: CodeLens[] = [];
  for (const d of preview.details(current)) {
    for (const s of d.selections) {
      if (lenses.length >= MAX_LENSES) return lenses;
      const start = current.positionAt(s.span.start);
      lenses.push({
        range: { start, end: start },
        command: { title: selectionSummary(s), command: SHOW_PREVIEW_COMMAND, arguments: [current.uri, start] },
      });
    }
  }
  return lenses;
}

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
    // A replayed flow log's warnings go with the log: a comment in the policy would outlive it.
    if (finding.code.startsWith('yaml/') || finding.code.startsWith('file/') || finding.code.startsWith('replay/'))
      continue;
    // The API server rejects a schema error whatever a comment says: hiding it would only postpone
    // the failure to `kubectl apply`, so there is nothing to disable.
    if (finding.code.startsWith('schema/') && finding.severity === 'error') continue;
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
