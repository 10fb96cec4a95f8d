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
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import { tetragonCompletions, tetragonHover } from '../core/tetragon-assist.js';
import { toCompletionList } from './convert.js';
import { withContributedCompletions } from './contributions.js';
import { forgetRequestViews, requestView, type RequestView } from './request-view.js';
import { checked, params } from './guard.js';
import { withBinaries } from '../io/binaries.js';
import type { AssistDocument, ClusterAssist } from './completion.js';
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
  /**
   * Whether it may answer inside this document (read from the request's view). Only then is the
   * whole file parsed for it: hover and completion in other documents never wait for that.
   */
  wants(doc: PolicyDocument | undefined): boolean;
  /** Completion, given the whole file's parse and the offset in the editor's document. */
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
  // What the request views kept of a document goes with it (`request-view.ts` is read only from here).
  session.documents.onDidClose((e) => forgetRequestViews(e.document.uri));
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
    return { doc, file, offset, tetragon, policy, view, positions, lineOf };
  };

  connection.onRequest(
    CompletionRequest.type,
    checked(
      CompletionRequest.method,
      params.position,
      async (params: TextDocumentPositionParams): Promise<CompletionList | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon, policy, lineOf } = at;
        if (policy && providers.some((p) => p.wants(policy))) {
          const whole = wholeFile(session, doc, params, at.view);
          if (whole.policy)
            for (const p of providers) {
              const list = p.complete(whole.file, whole.policy, whole.offset, doc);
              if (list) return list;
            }
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
          if (assist && assist.items.length > 0) return toCompletionList(at.positions, assist, offset);
        }
        if (cluster) return await cluster.complete(throughView(doc, at), file, offset);
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
        const { doc, file, offset, tetragon, policy, lineOf } = at;
        if (providers.some((p) => p.wants(policy))) {
          const whole = wholeFile(session, doc, params, at.view);
          for (const p of providers) {
            const hover = await p.hover(whole.file, whole.policy, whole.offset, doc);
            if (hover) return hover;
          }
        }
        if (tetragon) {
          const current = await session.settings.get(doc.uri);
          const binaries = session.binariesFor(doc.uri, current);
          const markdown = await withBinaries(binaries, () =>
            tetragonHover(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (markdown) return { contents: { kind: 'markdown', value: markdown } };
        }
        const label = await cluster?.hover(throughView(doc, at), file, offset);
        if (label) return label;
        const hover = await yaml.hover(file, offset, lineOf);
        return hover ?? null;
      },
      session.log,
    ),
  );
}

/** The parse of the whole current text, with the request's document offset and the document there. */
function wholeFile(
  session: Session,
  doc: TextDocument,
  at: TextDocumentPositionParams,
  view: RequestView,
): { file: PolicyFile; offset: number; policy: PolicyDocument | undefined } {
  const offset = doc.offsetAt(at.position);
  const file = view.kind === 'file' ? view.file : session.parse(doc);
  return { file, offset, policy: session.documentAt(file, offset) };
}

/**
 * The editor's document as the request's view sees it: the view's text, and positions of the view's
 * offsets mapped to the editor's (a view may be one YAML document of the file or an excerpt).
 */
function throughView(doc: TextDocument, at: { view: RequestView }): AssistDocument {
  const { view } = at;
  if (view.kind === 'file') return doc;
  return {
    uri: doc.uri,
    getText: () => view.file.text,
    positionAt: (o: number) => doc.positionAt(view.toDocument(o)),
  };
}
