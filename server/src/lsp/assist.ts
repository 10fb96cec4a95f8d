// SPDX-License-Identifier: Apache-2.0
/**
 * Completion and hover. Inside a Tetragon policy, values that need kernel knowledge (syscalls,
 * hooks, operators per argument type, USDT probes of the named binary) come from the core's
 * Tetragon assist; keys, schema enums and snippets come from yaml-language-server over our bundled
 * schemas (`yaml-service.ts`). Other Kubernetes objects of a file get nothing from us.
 */
import {
  CompletionRequest,
  HoverRequest,
  type CompletionList,
  type Connection,
  type Hover,
  type ServerCapabilities,
  type TextDocumentPositionParams,
} from 'vscode-languageserver';
import { tetragonCompletions, tetragonHover } from '../core/tetragon-assist.js';
import { toCompletionList } from './convert.js';
import { requestView } from './request-view.js';
import { checked, params } from './guard.js';
import { withBinaries } from '../io/binaries.js';
import type { Session } from './session.js';
import type { YamlFeatures } from './yaml-service.js';

/** The capabilities completion and hover add to the `initialize` answer. */
export function assistCapabilities(): Pick<ServerCapabilities, 'completionProvider' | 'hoverProvider'> {
  return {
    completionProvider: { triggerCharacters: [':', ' ', '-', '"'], resolveProvider: false },
    hoverProvider: true,
  };
}

/** Registers `textDocument/completion` and `textDocument/hover`. */
export function registerAssist(connection: Connection, session: Session, yaml: YamlFeatures): void {
  /**
   * The open document, the parse to answer from (`request-view.ts`: the latest text, without
   * waiting for a parse of the whole file) and the request's offset in it, with `positions` mapping the
   * view's offsets to the editor's positions; `tetragon` when it is inside a (non-templated)
   * Tetragon policy.
   */
  const positionContext = (params: TextDocumentPositionParams) => {
    const doc = session.documents.get(params.textDocument.uri);
    if (!doc) return undefined;
    const view = requestView(session, doc, params.position);
    const { file, offset } = view;
    const positions = { positionAt: (o: number) => doc.positionAt(view.toDocument(o)) };
    const lineOf = (o: number) => positions.positionAt(o).line;
    const policy = session.documentAt(file, offset);
    const tetragon = policy?.kind?.language === 'tetragon-tracing-policy' && !policy.templated ? policy : undefined;
    return { doc, file, offset, tetragon, positions, lineOf };
  };

  connection.onRequest(
    CompletionRequest.type,
    checked(
      CompletionRequest.method,
      params.position,
      async (params: TextDocumentPositionParams): Promise<CompletionList | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon, lineOf } = at;
        if (tetragon) {
          const current = await session.settings.get(doc.uri);
          const binaries = session.binariesFor(doc.uri, current);
          // Waits (without blocking other requests) for the binaries the document names that are not read yet.
          const assist = await withBinaries(binaries, () =>
            tetragonCompletions(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (assist && assist.items.length > 0) return toCompletionList(at.positions, assist, offset);
        }
        const list = await yaml.complete(file, offset, lineOf);
        return list ?? null;
      },
      session.log,
    ),
  );

  connection.onRequest(
    HoverRequest.type,
    checked(
      HoverRequest.method,
      params.position,
      async (params: TextDocumentPositionParams): Promise<Hover | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon, lineOf } = at;
        if (tetragon) {
          const current = await session.settings.get(doc.uri);
          const binaries = session.binariesFor(doc.uri, current);
          const markdown = await withBinaries(binaries, () =>
            tetragonHover(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (markdown) return { contents: { kind: 'markdown', value: markdown } };
        }
        const hover = await yaml.hover(file, offset, lineOf);
        return hover ?? null;
      },
      session.log,
    ),
  );
}
