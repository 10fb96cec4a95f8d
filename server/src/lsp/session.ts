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
import { parseFileSteps, type PolicyDocument, type PolicyFile } from '../core/document.js';
import type { BinaryLookup } from '../core/elf.js';
import { LocalBinaries } from '../io/binaries.js';
import type { Settings } from '../settings.js';
import type { Log } from './guard.js';
import { ProjectConfigs } from './project-config.js';
import { SettingsStore } from './settings-store.js';
import { runInSlices, SteppedJob, type InputActivity } from './slices.js';

/** Documents whose text holds a CR (checked on create, and after an update that may have changed it). */
const holdsCr = new WeakSet<TextDocument>();

/**
 * `TextDocument`, except that a document holding a CR is rebuilt from its text after an
 * incremental change. The library updates line offsets from the inserted text alone, so an edit
 * that joins a CR and an LF into one line break at its edges (typing `\r` before `\n`, deleting
 * what stood between them) leaves a line too many, and every position after it is off.
 * Whether a document holds a CR is remembered, so an edit of one without CR, inserting none, costs
 * no scan of the whole text.
 */
const CRLF_SAFE_DOCUMENTS: TextDocumentsConfiguration<TextDocument> = {
  create: (uri, languageId, version, content) => {
    const doc = TextDocument.create(uri, languageId, version, content);
    if (content.includes('\r')) holdsCr.add(doc);
    return doc;
  },
  update: (doc, changes, version) => {
    if (!holdsCr.has(doc) && !changes.some((c) => c.text.includes('\r')))
      return TextDocument.update(doc, changes, version);
    // One change at a time: the line offsets each change is placed by must be right (merged edits
    // of `edit-coalescer.ts` arrive as several changes at once).
    let current = doc;
    for (const change of changes) {
      const updated = TextDocument.update(current, [change], version);
      const text = updated.getText();
      if (!text.includes('\r')) {
        holdsCr.delete(updated);
        current = updated;
        continue;
      }
      current = TextDocument.create(updated.uri, updated.languageId, version, text);
      holdsCr.add(current);
    }
    return current;
  },
};

/** What the server knows of the input: the connection's message strategy (`edit-coalescer.ts`). */
export interface InputMonitor extends InputActivity {
  /** True while edits of the document are held back to be merged with the next ones. */
  holds(uri: string): boolean;
  /** True once the client asked the server to shut down (background work stops). */
  readonly shutdownRequested?: boolean;
}

/** For a server without a coalescer (tests that build one directly). */
const NO_INPUT: InputMonitor = { activity: 0, holds: () => false };

export class Session {
  readonly documents = new TextDocuments(CRLF_SAFE_DOCUMENTS);
  readonly log: Log;
  readonly projectConfigs: ProjectConfigs;
  /** Replaced in `initialize` once it is known whether the client answers `workspace/configuration`. */
  settings: SettingsStore;
  /** Parsed files per URI: the latest parse, valid for the version (and text) it was made of. */
  private readonly parsed = new Map<string, { version: number; file: PolicyFile; ms: number }>();
  /** A parse in slices per URI; at most one, so each parse takes over the one before it. */
  private readonly parsing = new Map<
    string,
    { version: number; text: string; job: SteppedJob<PolicyFile>; done: Promise<PolicyFile> }
  >();
  /** One cached binary lookup per root folder (`ciliumPolicy.tetragon.binaryRoot`). */
  private readonly binaryLookups = new Map<string, LocalBinaries>();
  private readonly binaryListeners: (() => void)[] = [];

  constructor(
    readonly connection: Connection,
    readonly input: InputMonitor = NO_INPUT,
  ) {
    this.log = (message) => connection.console.error(message);
    // A notification, not `showWarningMessage` (a request a client may not answer).
    this.projectConfigs = new ProjectConfigs(this.log, (message) => {
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
    });
    this.settings = new SettingsStore(undefined, this.log, (uri) => this.projectConfigs.lookup(uri));
    // Registered first, so every other module's close handler finds the parse already dropped.
    this.documents.onDidClose((e) => {
      this.parsed.delete(e.document.uri);
      this.parsing.delete(e.document.uri);
      this.settings.forget(e.document.uri);
    });
  }

  /** The parse of an open document's current version; the previous version's documents are reused. */
  parse(doc: TextDocument): PolicyFile {
    const text = doc.getText();
    const hit = this.parsed.get(doc.uri);
    if (hit && hit.version === doc.version && hit.file.text === text) return hit.file;
    // A parse in slices holds the previous one: it is finished first, then (if it was of another
    // version) taken over.
    const running = this.parsing.get(doc.uri);
    if (running) {
      const file = this.settle(doc.uri, running);
      if (running.version === doc.version && file.text === text) return file;
    }
    const previous = this.parsed.get(doc.uri);
    const job = new SteppedJob(parseFileSteps(text, previous?.file));
    const file = job.finish();
    this.parsed.set(doc.uri, { version: doc.version, file, ms: job.busyMs });
    return file;
  }

  /** The parse of the current version if it is at hand (nothing is parsed). */
  parsedNow(doc: TextDocument): PolicyFile | undefined {
    const hit = this.parsed.get(doc.uri);
    return hit && hit.version === doc.version && hit.file.text === doc.getText() ? hit.file : undefined;
  }

  /** How long the latest parse of the document took, in milliseconds of work (0 when never parsed). */
  parseCost(uri: string): number {
    return this.parsed.get(uri)?.ms ?? 0;
  }

  /**
   * The parse of the document's current version, made in slices that let other requests through:
   * what the lint scheduler waits for, so a long document never holds the server up for the
   * whole of its parse. A parse already under way for an older version is finished first (its
   * documents are reused), never thrown away half done.
   */
  async parseInSlices(doc: TextDocument): Promise<PolicyFile> {
    for (;;) {
      const text = doc.getText();
      const hit = this.parsed.get(doc.uri);
      if (hit && hit.version === doc.version && hit.file.text === text) return hit.file;
      const running = this.parsing.get(doc.uri);
      if (running) {
        const file = await running.done;
        if (running.version === doc.version && file.text === text) return file;
        if (!this.documents.get(doc.uri)) return file;
        continue;
      }
      const job = new SteppedJob(parseFileSteps(text, hit?.file));
      const entry = { version: doc.version, text, job, done: Promise.resolve(undefined as unknown as PolicyFile) };
      // A parse not yet begun gives way to a newer text (edits keep coming); once begun, it is
      // finished, so its work serves the next parse.
      const superseded = (): boolean => job.busyMs === 0 && doc.getText() !== text;
      entry.done = runInSlices(job, { input: this.input, cancelled: superseded }).then((file) =>
        file === undefined ? this.abandon(doc.uri, entry, doc) : this.settle(doc.uri, entry),
      );
      this.parsing.set(doc.uri, entry);
      return entry.done;
    }
  }

  /** A parse that gave way before it began: the parse of the newer text is what the caller gets. */
  private abandon(uri: string, entry: { version: number }, doc: TextDocument): Promise<PolicyFile> {
    if (this.parsing.get(uri) === entry) this.parsing.delete(uri);
    return this.parseInSlices(doc);
  }

  /** Finishes a parse in slices now, and keeps its result as the document's latest parse. */
  private settle(uri: string, entry: { version: number; job: SteppedJob<PolicyFile> }): PolicyFile {
    const file = entry.job.finish();
    if (this.parsing.get(uri) === entry) {
      this.parsing.delete(uri);
      // Closed meanwhile: nothing to keep.
      if (this.documents.get(uri)) this.parsed.set(uri, { version: entry.version, file, ms: entry.job.busyMs });
    }
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
