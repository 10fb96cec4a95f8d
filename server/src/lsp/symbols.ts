// SPDX-License-Identifier: Apache-2.0
/**
 * Document symbols: the core's outline of each policy document (its rules, services, resources or
 * hooks), hierarchical when the client supports it, flat otherwise.
 */
import {
  DocumentSymbolRequest,
  SymbolInformation,
  type Connection,
  type DocumentSymbolParams,
  type DocumentSymbol,
  type InitializeParams,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { outlineFile } from '../core/outline.js';
import { toDocumentSymbol } from './convert.js';
import { checked, params } from './guard.js';
import type { Session } from './session.js';

export class Symbols {
  private hierarchical = true;

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
  ) {}

  /** Reads whether the client nests symbols, and answers the capability. Call from `onInitialize`. */
  initialize(params: InitializeParams): Pick<ServerCapabilities, 'documentSymbolProvider'> {
    this.hierarchical = params.capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    return { documentSymbolProvider: { label: 'Cilium policies' } };
  }

  /** Registers `textDocument/documentSymbol`. */
  register(): void {
    this.connection.onRequest(
      DocumentSymbolRequest.type,
      checked(
        DocumentSymbolRequest.method,
        params.textDocument,
        (params: DocumentSymbolParams): DocumentSymbol[] | SymbolInformation[] | null => {
          const doc = this.session.documents.get(params.textDocument.uri);
          if (!doc) return null;
          const symbols = outlineFile(this.session.parse(doc)).map((n) => toDocumentSymbol(doc, n));
          return this.hierarchical ? symbols : flatten(doc.uri, symbols);
        },
        this.session.log,
      ),
    );
  }
}

/** Flat symbols for clients without hierarchical support; containers named by their parent. */
function flatten(uri: string, symbols: DocumentSymbol[], container?: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of symbols) {
    out.push(SymbolInformation.create(s.name, s.kind, s.range, uri, container));
    if (s.children?.length) out.push(...flatten(uri, s.children, s.name));
  }
  return out;
}
