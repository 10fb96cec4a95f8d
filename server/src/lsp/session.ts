// SPDX-License-Identifier: Apache-2.0
/**
 * What every handler module of the language server shares: the open documents and their parse
 * (one parse per document version, reused by linting, completion, symbols and the preview), the
 * settings, the project configuration files, the binaries Tetragon policies name, and the log.
 * The handler modules (`lint-scheduler.ts`, `assist.ts`, `symbols.ts`, `code-actions.ts`,
 * `preview-service.ts`, `templates.ts`, `lifecycle.ts`) each take the session and what else they
 * need, and register their own handlers on the connection.
 */
import * as path from 'node:path';
import {
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  type Connection,
  type TextDocumentsConfiguration,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile, type PolicyDocument, type PolicyFile } from '../core/document.js';
import type { BinaryLookup } from '../core/elf.js';
import { LocalBinaries } from '../io/binaries.js';
import type { Settings } from '../settings.js';
import type { Log } from './guard.js';
import { ProjectConfigs } from './project-config.js';
import { SettingsStore } from './settings-store.js';

/**
 * `TextDocument`, except that a document holding a CR is rebuilt from its text after an
 * incremental change. The library updates line offsets from the inserted text alone, so an edit
 * that joins a CR and an LF into one line break at its edges (typing `\r` before `\n`, deleting
 * what stood between them) leaves a line too many, and every position after it is off.
 */
const CRLF_SAFE_DOCUMENTS: TextDocumentsConfiguration<TextDocument> = {
  create: TextDocument.create,
  update: (doc, changes, version) => {
    const updated = TextDocument.update(doc, changes, version);
    const text = updated.getText();
    return text.includes('\r') ? TextDocument.create(updated.uri, updated.languageId, version, text) : updated;
  },
};

export class Session {
  readonly documents = new TextDocuments(CRLF_SAFE_DOCUMENTS);
  readonly log: Log;
  readonly projectConfigs: ProjectConfigs;
  /** Replaced in `initialize` once it is known whether the client answers `workspace/configuration`. */
  settings: SettingsStore;
  /** Parsed files per URI, valid for one document version. */
  private readonly parsed = new Map<string, { version: number; file: PolicyFile }>();
  /** One cached binary lookup per root folder (`ciliumPolicy.tetragon.binaryRoot`). */
  private readonly binaryLookups = new Map<string, LocalBinaries>();
  private readonly binaryListeners: (() => void)[] = [];

  constructor(readonly connection: Connection) {
    this.log = (message) => connection.console.error(message);
    // A notification, not `showWarningMessage` (a request a client may not answer).
    this.projectConfigs = new ProjectConfigs(this.log, (message) => {
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
    });
    this.settings = new SettingsStore(undefined, this.log, (uri) => this.projectConfigs.lookup(uri));
    // Registered first, so every other module's close handler finds the parse already dropped.
    this.documents.onDidClose((e) => {
      this.parsed.delete(e.document.uri);
      this.settings.forget(e.document.uri);
    });
  }

  /** The parse of an open document's current version; the previous version's documents are reused. */
  parse(doc: TextDocument): PolicyFile {
    const hit = this.parsed.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.file;
    const file = parseFile(doc.getText(), hit?.file);
    this.parsed.set(doc.uri, { version: doc.version, file });
    return file;
  }

  /** The policy document of a file that holds an offset. */
  documentAt(file: PolicyFile, offset: number): PolicyDocument | undefined {
    return file.documents.find((d) => offset >= d.span.start && offset <= d.span.end);
  }

  /**
   * Reads the binaries USDT hooks and uprobes name, below `ciliumPolicy.tetragon.binaryRoot`. A
   * relative root starts at the document's workspace folder; '' means no lookups.
   */
  binariesFor(uri: string, current: Settings): BinaryLookup | undefined {
    const setting = current.tetragonBinaryRoot;
    if (setting === '') return undefined;
    const base = this.projectConfigs.folderOf(uri) ?? this.projectConfigs.firstFolder;
    if (!path.isAbsolute(setting) && base === undefined) return undefined;
    const root = path.resolve(base ?? '/', setting);
    let lookup = this.binaryLookups.get(root);
    if (!lookup) {
      // Binaries are read in the background, so a large or hostile one never holds up other requests.
      lookup = new LocalBinaries(
        root,
        () => {
          for (const listener of this.binaryListeners) listener();
        },
        { background: true },
      );
      this.binaryLookups.set(root, lookup);
    }
    return lookup;
  }

  /** Calls `listener` when a binary a policy names changed on disk (rebuilt), so what depends on it is redone. */
  onDidChangeBinaries(listener: () => void): void {
    this.binaryListeners.push(listener);
  }
}
