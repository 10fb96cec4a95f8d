// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoints section of the preview panel: which workloads the policy under the cursor selects
 * and which peers each rule admits, from `ciliumPolicy/endpointPreview`, laid out by
 * `preview-model.ts` and drawn by `media/sections/endpoints.js`.
 */
import * as vscode from 'vscode';
import { EndpointPreviewRequest } from '../../server/src/protocol.js';
import { buildPreviewModel } from './preview-model.js';
import type { DocumentError } from './preview-reading.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';

/** The body `media/sections/endpoints.js` draws: a note, or the policies of the document. */
export interface EndpointsSectionBody {
  readonly message?: string;
  readonly policies: ReturnType<typeof buildPreviewModel>['model']['policies'];
}

/** The `source` of the server's diagnostics: only its errors mean "the agent rejects this". */
const DIAGNOSTIC_SOURCE = 'cilium-policy';

/** The server's error diagnostics of a document, as the banner lists them. */
function documentErrors(uri: vscode.Uri): DocumentError[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.source === DIAGNOSTIC_SOURCE)
    .map((d) => {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      return {
        message: d.message,
        range: {
          start: { line: d.range.start.line, character: d.range.start.character },
          end: { line: d.range.end.line, character: d.range.end.character },
        },
        ...(code !== undefined ? { code: String(code) } : {}),
      };
    });
}

export class EndpointsSection implements PreviewSection {
  readonly kind = 'endpoints';
  private readonly changed = new vscode.EventEmitter<void>();
  /** The diagnostics of the previewed document changed: the banner follows them. */
  readonly onDidChange = this.changed.event;
  private watched: string | undefined;

  constructor() {
    vscode.languages.onDidChangeDiagnostics((e) => {
      if (this.watched !== undefined && e.uris.some((u) => u.toString() === this.watched)) this.changed.fire();
    });
  }

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const { document, position, link, fileName, idPrefix } = context;
    const version = document.version;
    this.watched = document.uri.toString();
    const result = await link.request(EndpointPreviewRequest.type, {
      textDocument: { uri: document.uri.toString() },
      ...(position ? { position } : {}),
    });
    // An answer for an older text is dropped; the panel asks again for the new one.
    if (context.token.isCancellationRequested || document.version !== version) return undefined;
    if (result && result.documentVersion !== null && result.documentVersion !== version) return undefined;
    if (!result) {
      const body: EndpointsSectionBody = {
        message: 'This file holds no Cilium network policy, tracing policy or Envoy config.',
        policies: [],
      };
      return { section: { kind: this.kind, body } };
    }
    const built = buildPreviewModel(result, fileName, idPrefix, documentErrors(document.uri));
    const body: EndpointsSectionBody = {
      policies: built.model.policies,
      ...(built.model.message ? { message: built.model.message } : {}),
    };
    return { section: { kind: this.kind, body }, targets: built.targets };
  }
}
