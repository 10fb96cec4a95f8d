// SPDX-License-Identifier: Apache-2.0
/**
 * Completion and hover. Inside a Tetragon policy, values that need kernel knowledge (syscalls,
 * hooks, operators per argument type, USDT probes of the named binary) come from the core's
 * Tetragon assist; keys, schema enums and snippets come from yaml-language-server over our bundled
 * schemas (`yaml-service.ts`). Other Kubernetes objects of a file get nothing from us.
 */
import type {
  CompletionList,
  Connection,
  Hover,
  ServerCapabilities,
  TextDocumentPositionParams,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import { tetragonCompletions, tetragonHover } from '../core/tetragon-assist.js';
import { toCompletionList } from './convert.js';
import { withContributedCompletions } from './contributions.js';
import { guardAsync } from './guard.js';
import { withBinaries } from '../io/binaries.js';
import type { ClusterAssist } from './completion.js';
import type { Session } from './session.js';
import type { YamlFeatures } from './yaml-service.js';

/** The capabilities completion and hover add to the `initialize` answer. */
export function assistCapabilities(): Pick<ServerCapabilities, 'completionProvider' | 'hoverProvider'> {
  return {
    completionProvider: { triggerCharacters: [':', ' ', '-', '"'], resolveProvider: false },
    hoverProvider: true,
  };
}

/**
 * Completion and hover from another module (connectivity: inventory names inside PolicyTests, a
 * workload's effective policy), asked before the schema's; undefined lets the next one answer.
 */
export interface AssistProvider {
  complete(file: PolicyFile, doc: PolicyDocument, offset: number, text: TextDocument): CompletionList | undefined;
  hover(
    file: PolicyFile,
    doc: PolicyDocument | undefined,
    offset: number,
    text: TextDocument,
  ): Promise<Hover | undefined>;
}

/** Registers `textDocument/completion` and `textDocument/hover`. */
export function registerAssist(
  connection: Connection,
  session: Session,
  yaml: YamlFeatures,
  providers: readonly AssistProvider[] = [],
  cluster?: ClusterAssist,
): void {
  /** The open document, its parse and the offset of a request; `tetragon` when it is inside a (non-templated) Tetragon policy. */
  const positionContext = (params: TextDocumentPositionParams) => {
    const doc = session.documents.get(params.textDocument.uri);
    if (!doc) return undefined;
    const file = session.parse(doc);
    const offset = doc.offsetAt(params.position);
    const policy = session.documentAt(file, offset);
    const tetragon = policy?.kind?.language === 'tetragon-tracing-policy' && !policy.templated ? policy : undefined;
    return { doc, file, offset, tetragon, policy };
  };

  connection.onCompletion(
    guardAsync(
      'textDocument/completion',
      async (params): Promise<CompletionList | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon, policy } = at;
        if (policy)
          for (const p of providers) {
            const list = p.complete(file, policy, offset, doc);
            if (list) return list;
          }
        if (tetragon) {
          const current = await session.settings.get(doc.uri);
          const binaries = session.binariesFor(doc.uri, current);
          // Waits (without blocking other requests) for the binaries the document names that are not read yet.
          const own = await withBinaries(binaries, () =>
            tetragonCompletions(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          // Other features' items (values seen in recorded events) come first.
          const assist = withContributedCompletions(session, { doc, file, policy: tetragon, offset }, own);
          if (assist && assist.items.length > 0) return toCompletionList(doc, assist, offset);
        }
        if (cluster) return await cluster.complete(doc, file, offset);
        const list = await yaml.complete(file, offset, (o) => doc.positionAt(o).line);
        return list ?? null;
      },
      session.log,
    ),
  );

  connection.onHover(
    guardAsync(
      'textDocument/hover',
      async (params): Promise<Hover | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon, policy } = at;
        for (const p of providers) {
          const hover = await p.hover(file, policy, offset, doc);
          if (hover) return hover;
        }
        if (tetragon) {
          const current = await session.settings.get(doc.uri);
          const binaries = session.binariesFor(doc.uri, current);
          const markdown = await withBinaries(binaries, () =>
            tetragonHover(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (markdown) return { contents: { kind: 'markdown', value: markdown } };
        }
        const label = await cluster?.hover(doc, file, offset);
        if (label) return label;
        const hover = await yaml.hover(file, offset, (o) => doc.positionAt(o).line);
        return hover ?? null;
      },
      session.log,
    ),
  );
}
