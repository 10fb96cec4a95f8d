// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace": lints files that are not open, as `ciliumPolicy/lintFiles` names them, and
 * publishes their diagnostics so the Problems panel lists every policy file of the workspace.
 * Linting is `lintFile` with what an open document's lint sees (settings of its folder, the
 * inventory, the policies in scope, the binaries it names); files without a policy get nothing,
 * so other YAML files are never touched. An open document is skipped: the lint scheduler owns it.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile } from '../core/document.js';
import type { EndpointIndex } from '../core/preview.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { withBinaries } from '../io/binaries.js';
import { readTextFile } from '../io/workspace-files.js';
import { lintFile } from '../lint/lint.js';
import type { LintScope } from '../lint/scope.js';
import { LintFilesRequest } from '../protocol.js';
import { toDiagnostic } from './convert.js';
import { checked, is } from './guard.js';
import { canonicalUri } from './inventory-manager.js';
import type { Session } from './session.js';

/** Most URIs one request may name: the client sends batches, so one request stays short. */
export const MAX_LINT_FILES = 200;

/** What a workspace lint reads besides the file. */
export interface WorkspaceLintInputs {
  inventory(): EndpointIndex | undefined;
  scope(uri: string): { scope: LintScope; source: string };
}

/** Registers `ciliumPolicy/lintFiles`. */
export function registerWorkspaceLint(
  connection: Connection,
  session: Session,
  validator: SchemaValidator,
  inputs: WorkspaceLintInputs,
): void {
  connection.onRequest(
    LintFilesRequest.type,
    checked(
      LintFilesRequest.method,
      is.object({ uris: is.array(is.string) }),
      async (params: LintFilesRequest.Params): Promise<LintFilesRequest.Result> => {
        const result: LintFilesRequest.Result = { files: [], unreadable: [] };
        const uris = Array.isArray(params?.uris) ? params.uris.filter((u) => typeof u === 'string') : [];
        const open = new Set(session.documents.all().map((d) => canonicalUri(d.uri)));
        for (const uri of uris.slice(0, MAX_LINT_FILES)) {
          if (open.has(canonicalUri(uri))) continue;
          let path: string;
          try {
            path = fileURLToPath(uri);
          } catch {
            result.unreadable.push(uri);
            continue;
          }
          const text = await readTextFile(path);
          if (text === undefined) {
            result.unreadable.push(uri);
            continue;
          }
          const file = parseFile(text);
          if (!file.documents.some((d) => d.kind)) continue;
          const current = await session.settings.get(uri);
          const findings = await withBinaries(session.binariesFor(uri, current), () =>
            lintFile(file, {
              validator,
              settings: current,
              inventory: inputs.inventory(),
              ...inputs.scope(uri),
              binaries: session.binariesFor(uri, current),
            }),
          );
          // Opened meanwhile: the scheduler's diagnostics for the live text win.
          if (session.documents.get(uri)) continue;
          const doc = TextDocument.create(uri, 'yaml', 0, text);
          await connection.sendDiagnostics({ uri, diagnostics: findings.map((f) => toDiagnostic(doc, f)) });
          result.files.push({
            uri,
            errors: findings.filter((f) => f.severity === 'error').length,
            warnings: findings.filter((f) => f.severity === 'warning').length,
            other: findings.filter((f) => f.severity !== 'error' && f.severity !== 'warning').length,
          });
        }
        return result;
      },
      session.log,
    ),
  );
}
