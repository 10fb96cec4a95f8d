// SPDX-License-Identifier: Apache-2.0
/**
 * The language server: wires LSP requests to the pure core. Diagnostics come from `lintFile`
 * (the same code the CLI runs), completion and hover from yaml-language-server over our bundled
 * schemas, document symbols from the core outline. Every handler is guarded: an exception is
 * logged and answered as an error, and the server keeps running.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentSymbol,
  ErrorCodes,
  ResponseError,
  SymbolInformation,
  TextDocuments,
  TextDocumentSyncKind,
  type TextDocumentsConfiguration,
  type CodeAction,
  type CompletionList,
  type Connection,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentPositionParams,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile, type PolicyDocument, type PolicyFile } from '../core/document.js';
import { KINDS } from '../core/kinds.js';
import { LintCache, lintFile } from '../lint/lint.js';
import { outlineFile } from '../core/outline.js';
import { SchemaValidator, type SchemaFiles } from '../core/schema-validation.js';
import { loadSchemaFiles } from '../io/schema-files.js';
import { DocumentStatusNotification, WorkspaceTrustNotification, type InitializationOptions } from '../protocol.js';
import { codeActionsFor } from './code-actions.js';
import { documentStatus, toCompletionList, toDiagnostic, toDocumentSymbol } from './convert.js';
import { tetragonCompletions, tetragonHover } from '../core/tetragon-assist.js';
import type { Finding } from '../core/findings.js';
import { CONFIG_SECTION, SettingsStore } from './settings-store.js';
import { ProjectConfigs } from './project-config.js';
import type { Settings } from '../settings.js';
import { CONFIG_FILE_NAME } from '../config.js';
import { YamlFeatures } from './yaml-service.js';
import { PreviewService } from './preview-service.js';
import { LocalBinaries, withBinaries } from '../io/binaries.js';
import type { BinaryLookup } from '../core/elf.js';
import * as path from 'node:path';

/** The server's name and version as reported in `initialize`. */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
}

/** Options mostly for tests: the schemas to serve (default: the bundled ones). */
export interface ServerOptions {
  readonly schemaFiles?: SchemaFiles;
  readonly info?: ServerInfo;
}

/** Starts serving on a connection. Returns once the handlers are registered; call `listen` is done here. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(CRLF_SAFE_DOCUMENTS);
  const log = (message: string): void => connection.console.error(message);

  // One validator and one yaml-language-server per process; schemas are loaded once at start.
  let schemaFiles: SchemaFiles;
  try {
    schemaFiles = options.schemaFiles ?? loadSchemaFiles();
  } catch (e) {
    schemaFiles = {};
    // Logged once the connection is listening (console messages before listen are dropped).
    setImmediate(() => log(`cilium-policy: bundled schemas could not be loaded: ${(e as Error).message}`));
  }
  const validator = new SchemaValidator(schemaFiles);
  const yaml = new YamlFeatures(schemaFiles);

  const projectConfigs = new ProjectConfigs(log);
  const lookupProject = (uri: string) => projectConfigs.lookup(uri);

  /**
   * Reads the binaries USDT hooks and uprobes name (`ciliumPolicy.tetragon.binaryRoot`), one cached lookup per
   * root folder. A relative root starts at the document's workspace folder; '' means no lookups.
   */
  const binaryLookups = new Map<string, LocalBinaries>();
  const binariesFor = (uri: string, current: Settings): BinaryLookup | undefined => {
    const setting = current.tetragonBinaryRoot;
    if (setting === '') return undefined;
    const base = projectConfigs.folderOf(uri) ?? projectConfigs.firstFolder;
    if (!path.isAbsolute(setting) && base === undefined) return undefined;
    const root = path.resolve(base ?? '/', setting);
    let lookup = binaryLookups.get(root);
    // A rebuilt binary changes what its policies' USDT hooks and uprobes may do: lint the open documents again.
    // Binaries are read in the background, so a large or hostile one never holds up other requests.
    if (!lookup) binaryLookups.set(root, (lookup = new LocalBinaries(root, () => lintAll(), { background: true })));
    return lookup;
  };
  let settings = new SettingsStore(undefined, log, lookupProject);
  let watchConfigFiles = false;
  let hierarchicalSymbols = true;

  /** Parsed files per URI, valid for one document version; completion, hover and symbols reuse it. */
  const parsed = new Map<string, { version: number; file: PolicyFile }>();
  const parse = (doc: TextDocument): PolicyFile => {
    const hit = parsed.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.file;
    // The previous version's parse is handed over: unchanged documents are reused, not re-parsed.
    const file = parseFile(doc.getText(), hit?.file);
    parsed.set(doc.uri, { version: doc.version, file });
    return file;
  };

  // The endpoint preview: inventory, custom requests, CodeLenses; its inventory feeds `cilium/selects-nothing`.
  const preview = new PreviewService(connection, documents, {
    parse,
    settings: (uri) => settings.get(uri),
    relintAll: () => lintAll(),
    log,
  });

  /** The findings of the last lint per URI, for code actions on the same version. */
  const linted = new Map<string, { version: number; findings: readonly Finding[] }>();
  /** Per-document lint results per URI: an edit re-validates the edited YAML document only. */
  const lintCaches = new Map<string, LintCache>();
  const lintCache = (uri: string): LintCache => {
    let c = lintCaches.get(uri);
    if (!c) lintCaches.set(uri, (c = new LintCache()));
    return c;
  };
  /**
   * The latest lint started per URI. A lint that finds a newer one started while it waited for
   * settings gives up, so diagnostics of an older text are never published after newer ones.
   */
  const lintGeneration = new Map<string, number>();

  const timers = new Map<string, NodeJS.Timeout>();
  const cancel = (uri: string): void => {
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    timers.delete(uri);
  };

  /** The one way this server lints a parsed document: with the inventory and the document's cache. */
  const lintParsed = (doc: TextDocument, file: PolicyFile, current: Settings): Finding[] =>
    lintFile(file, {
      validator,
      settings: current,
      inventory: preview.lintInventory(),
      binaries: binariesFor(doc.uri, current),
      cache: lintCache(doc.uri),
    });

  /** Lints the current version of a document and publishes diagnostics and status. */
  const lint = async (uri: string): Promise<void> => {
    cancel(uri);
    const before = documents.get(uri);
    if (!before) return;
    const generation = (lintGeneration.get(uri) ?? 0) + 1;
    lintGeneration.set(uri, generation);
    const current = await settings.get(uri);
    if (lintGeneration.get(uri) !== generation) return; // a newer lint is on its way
    const doc = documents.get(uri);
    if (!doc) return; // closed while settings were fetched
    const file = parse(doc);
    // Waits (without blocking other requests) for the binaries the document names that are not read yet.
    const findings = await withBinaries(binariesFor(doc.uri, current), () => lintParsed(doc, file, current));
    if (lintGeneration.get(uri) !== generation || !documents.get(uri)) return;
    linted.set(uri, { version: doc.version, findings });
    await connection.sendDiagnostics({
      uri,
      version: doc.version,
      diagnostics: findings.map((f) => toDiagnostic(doc, f)),
    });
    if (lintGeneration.get(uri) !== generation) return; // a newer lint published meanwhile; its status follows
    await connection.sendNotification(
      DocumentStatusNotification.method,
      documentStatus(doc, file, current.validateEnable ? findings : []),
    );
  };
  const lintNow = (uri: string): void => {
    lint(uri).catch((e: unknown) => log(`cilium-policy: linting ${uri} failed: ${describe(e)}`));
  };
  const lintLater = (uri: string): void => {
    cancel(uri);
    const delay = settings.peek(uri).lintDelayMs;
    timers.set(
      uri,
      setTimeout(() => lintNow(uri), delay),
    );
  };
  const lintAll = (): void => {
    for (const doc of documents.all()) lintNow(doc.uri);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const caps = params.capabilities;
    if (caps.workspace?.configuration) {
      settings = new SettingsStore(
        async (uri) => {
          const [section] = await connection.workspace.getConfiguration([{ scopeUri: uri, section: CONFIG_SECTION }]);
          return section as unknown;
        },
        log,
        lookupProject,
      );
    }
    const init = params.initializationOptions as InitializationOptions | null | undefined;
    const pushed = init?.settings;
    if (pushed !== undefined) settings.changed({ settings: pushed });
    projectConfigs.setTrusted(init?.workspaceTrusted === true);
    hierarchicalSymbols = caps.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    projectConfigs.setRoots(folders);
    watchConfigFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    preview.initialize(params);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: [':', ' ', '-', '"'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: { label: 'Cilium policies' },
        ...preview.capabilities(),
      },
      serverInfo: options.info ?? { name: 'cilium-policy-language-server', version: '0.0.0' },
    };
  });

  /**
   * Compiles the validators and resolves the completion schemas while the editor is still starting,
   * one kind per turn of the event loop: a `didOpen` arriving meanwhile is linted between two steps
   * (compiling on demand only the kinds its file holds) instead of waiting for every schema.
   */
  const warmUp = (): void => {
    const steps: (() => void | Promise<void>)[] = [
      ...KINDS.map((kind) => () => {
        const doc = parseFile(`apiVersion: ${kind.apiVersion}\nkind: ${kind.kind}\n`).documents[0];
        if (doc) validator.validate(doc);
      }),
      ...yaml.warmSteps(),
    ];
    const next = (): void => {
      const step = steps.shift();
      if (!step) return;
      setImmediate(() => {
        Promise.resolve()
          .then(step)
          .catch((e: unknown) => log(`cilium-policy: warm-up failed: ${describe(e)}`))
          .finally(next);
      });
    };
    next();
  };

  connection.onInitialized(() => {
    warmUp();
    if (watchConfigFiles) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, ...preview.watchers()],
        })
        .catch(() => {
          /* no file watching: the file is read once per folder */
        });
    }
    preview.initialized();
    // VS Code only sends didChangeConfiguration to servers that register for it.
    const dynamic = settings.pulls;
    if (dynamic) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }).catch(() => {
        /* the client cannot register dynamically; pushed settings still arrive */
      });
    }
  });

  connection.onDidChangeConfiguration(
    notify(
      'workspace/didChangeConfiguration',
      (params) => {
        settings.changed(params);
        lintAll();
        void preview.configurationChanged();
      },
      log,
    ),
  );

  connection.onNotification(
    WorkspaceTrustNotification.method,
    notify(
      WorkspaceTrustNotification.method,
      (params: WorkspaceTrustNotification.Params | null) => {
        if (!projectConfigs.setTrusted(params?.trusted === true)) return;
        settings.invalidate();
        lintAll();
      },
      log,
    ),
  );

  connection.onDidChangeWatchedFiles(
    notify(
      'workspace/didChangeWatchedFiles',
      (params) => {
        preview.filesChanged(params.changes);
        if (!params.changes.some((c) => c.uri.endsWith(CONFIG_FILE_NAME))) return;
        projectConfigs.reset();
        settings.invalidate();
        lintAll();
      },
      log,
    ),
  );

  // didOpen is followed by a content-change event for the same text; the open handler lints at once.
  const justOpened = new Set<string>();
  documents.onDidOpen(
    notify(
      'textDocument/didOpen',
      (e) => {
        justOpened.add(e.document.uri);
        lintNow(e.document.uri);
      },
      log,
    ),
  );
  documents.onDidChangeContent(
    notify(
      'textDocument/didChange',
      (e) => {
        if (justOpened.delete(e.document.uri)) return;
        lintLater(e.document.uri);
      },
      log,
    ),
  );
  documents.onDidSave(
    notify(
      'textDocument/didSave',
      (e) => {
        if (settings.peek(e.document.uri).lintOnSave) lintNow(e.document.uri);
      },
      log,
    ),
  );
  documents.onDidClose(
    notify(
      'textDocument/didClose',
      (e) => {
        const uri = e.document.uri;
        cancel(uri);
        justOpened.delete(uri);
        parsed.delete(uri);
        linted.delete(uri);
        lintCaches.delete(uri);
        lintGeneration.delete(uri);
        settings.forget(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      },
      log,
    ),
  );

  /** The open document, its parse and the offset of a request; `tetragon` when it is inside a (non-templated) Tetragon policy. */
  const positionContext = (params: TextDocumentPositionParams) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return undefined;
    const file = parse(doc);
    const offset = doc.offsetAt(params.position);
    const policy = documentAt(file, offset);
    const tetragon = policy?.kind?.family === 'tetragon' && !policy.templated ? policy : undefined;
    return { doc, file, offset, tetragon };
  };

  connection.onCompletion(
    guardAsync(
      'textDocument/completion',
      async (params): Promise<CompletionList | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon } = at;
        // Tetragon values that need kernel knowledge (syscalls, hooks, operators per arg type) come
        // from the core; keys and schema enums from yaml-language-server.
        if (tetragon) {
          const current = await settings.get(doc.uri);
          const binaries = binariesFor(doc.uri, current);
          const assist = await withBinaries(binaries, () =>
            tetragonCompletions(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (assist && assist.items.length > 0) return toCompletionList(doc, assist, offset);
        }
        const list = await yaml.complete(file, offset, (o) => doc.positionAt(o).line);
        return list ?? null;
      },
      log,
    ),
  );

  connection.onHover(
    guardAsync(
      'textDocument/hover',
      async (params): Promise<Hover | null> => {
        const at = positionContext(params);
        if (!at) return null;
        const { doc, file, offset, tetragon } = at;
        if (tetragon) {
          const current = await settings.get(doc.uri);
          const binaries = binariesFor(doc.uri, current);
          const markdown = await withBinaries(binaries, () =>
            tetragonHover(file, tetragon, offset, current.tetragonKernelArch, binaries),
          );
          if (markdown) return { contents: { kind: 'markdown', value: markdown } };
        }
        const hover = await yaml.hover(file, offset, (o) => doc.positionAt(o).line);
        return hover ?? null;
      },
      log,
    ),
  );

  connection.onCodeAction(
    guard(
      'textDocument/codeAction',
      (params): CodeAction[] | null => {
        const doc = documents.get(params.textDocument.uri);
        if (!doc) return null;
        let hit = linted.get(doc.uri);
        if (!hit || hit.version !== doc.version) {
          hit = { version: doc.version, findings: lintParsed(doc, parse(doc), settings.peek(doc.uri)) };
          linted.set(doc.uri, hit);
        }
        return codeActionsFor(doc, hit.findings, params.context.diagnostics);
      },
      log,
    ),
  );

  connection.onDocumentSymbol(
    guard(
      'textDocument/documentSymbol',
      (params): DocumentSymbol[] | SymbolInformation[] | null => {
        const doc = documents.get(params.textDocument.uri);
        if (!doc) return null;
        const symbols = outlineFile(parse(doc)).map((n) => toDocumentSymbol(doc, n));
        return hierarchicalSymbols ? symbols : flatten(doc.uri, symbols);
      },
      log,
    ),
  );

  preview.listen();
  documents.listen(connection);
  connection.listen();
}

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

/** The document of a file that holds an offset. */
function documentAt(file: PolicyFile, offset: number): PolicyDocument | undefined {
  return file.documents.find((d) => offset >= d.span.start && offset <= d.span.end);
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

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Wraps a request handler: a throw is logged and answered with a `ResponseError`. */
function guard<P, R>(
  method: string,
  handler: (params: P) => R,
  log: (m: string) => void,
): (params: P) => R | ResponseError<void> {
  return (params: P) => {
    try {
      return handler(params);
    } catch (e) {
      log(`cilium-policy: ${method} failed: ${describe(e)}`);
      return new ResponseError(
        ErrorCodes.InternalError,
        `cilium-policy: ${method} failed: ${(e as Error)?.message ?? String(e)}`,
      );
    }
  };
}

/** `guard` for async handlers: a rejection is logged and answered with a `ResponseError`. */
function guardAsync<P, R>(
  method: string,
  handler: (params: P) => Promise<R>,
  log: (m: string) => void,
): (params: P) => Promise<R | ResponseError<void>> {
  return async (params: P) => {
    try {
      return await handler(params);
    } catch (e) {
      log(`cilium-policy: ${method} failed: ${describe(e)}`);
      return new ResponseError(
        ErrorCodes.InternalError,
        `cilium-policy: ${method} failed: ${(e as Error)?.message ?? String(e)}`,
      );
    }
  };
}

/** Wraps a notification handler: a throw is logged and swallowed. */
function notify<P>(method: string, handler: (params: P) => void, log: (m: string) => void): (params: P) => void {
  return (params: P) => {
    try {
      handler(params);
    } catch (e) {
      log(`cilium-policy: ${method} failed: ${describe(e)}`);
    }
  };
}
