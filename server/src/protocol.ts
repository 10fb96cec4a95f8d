// SPDX-License-Identifier: Apache-2.0
/**
 * The wire contract between the cilium-policy language server and its clients: every custom
 * LSP message, declared once, with its direction and purpose. The VS Code client imports this
 * file; other editors can ignore the messages (they are optional extras on top of standard LSP).
 * `docs/lsp-extensions.md` documents each message; keep the two in step.
 *
 * This module is type-only apart from the method names, so it stays free of runtime dependencies.
 */

/** Who sends a message. Mirrors `MessageDirection` of vscode-languageserver-protocol. */
export type MessageDirection = 'clientToServer' | 'serverToClient' | 'both';

/** Zero-based line and UTF-16 character, as in LSP. */
export interface WirePosition {
  line: number;
  character: number;
}

/** A range in a text document, as in LSP. */
export interface WireRange {
  start: WirePosition;
  end: WirePosition;
}

/** One policy document of a file, as summarised for the status bar. */
export interface PolicyDocumentStatus {
  /** The resource kind, e.g. `CiliumNetworkPolicy`. */
  kind: string;
  /** `metadata.name`, when set. */
  name?: string;
  /** `metadata.namespace`, when set. */
  namespace?: string;
  /** The document's range in the file. */
  range: WireRange;
  /** Number of error-severity findings in this document. */
  errors: number;
  /** Number of warning-severity findings in this document. */
  warnings: number;
  /** True when the document was skipped (templated) rather than validated. */
  skipped: boolean;
}

/**
 * `ciliumPolicy/documentStatus` — server → client notification, sent after every lint of a
 * document (as you type, on save, on settings changes). It tells the client which policy kinds
 * the file holds and whether each validates, so the status bar can show it without re-parsing.
 * Sent with an empty `policies` list when a file holds no policy (so the client can hide itself).
 */
export namespace DocumentStatusNotification {
  export const method = 'ciliumPolicy/documentStatus' as const;
  export const messageDirection: MessageDirection = 'serverToClient';
  export interface Params {
    /** The document's URI. */
    uri: string;
    /** The document version that was linted. */
    version: number | null;
    /** One entry per policy document, in file order. Other Kubernetes objects are not listed. */
    policies: PolicyDocumentStatus[];
    /** Set when the whole file was skipped (too large, binary), with the reason. */
    skippedReason?: string;
  }
}
