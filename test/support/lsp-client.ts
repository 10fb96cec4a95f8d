// SPDX-License-Identifier: Apache-2.0
/**
 * A small LSP client for tests: spawns the bundled server (`dist/server.js --stdio`), talks real
 * JSON-RPC to it, records every notification, and lets a test wait for the one it expects.
 * Waits are event-driven with a generous timeout as a safety net, never fixed sleeps.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CompletionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type ConfigurationParams,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type InitializeResult,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type SymbolInformation,
} from 'vscode-languageserver-protocol/node';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT } from './paths.js';

/** The bundled server; tests need `npm run build` (or `npm run bundle`) first. */
export const SERVER_JS = path.join(REPO_ROOT, 'dist', 'server.js');

/** How long any single wait may take before the test fails (a safety net, not a delay). */
export const WAIT_MS = 15_000;

export interface StartOptions {
  /** Extra `node` arguments placed before the script, e.g. `['--require', trap]`. */
  readonly nodeArgs?: readonly string[];
  /** Answer `workspace/configuration` (pull mode). Default true. */
  readonly pullConfiguration?: boolean;
  /** The `ciliumPolicy` section returned to `workspace/configuration`. */
  readonly settings?: unknown;
  /** Extra environment for the server. */
  readonly env?: NodeJS.ProcessEnv;
  /** A workspace folder (file URI) to announce in `initialize`. */
  readonly workspaceFolder?: string;
  /** `initializationOptions` of `initialize` (e.g. `{ workspaceTrusted: true }`). */
  readonly initializationOptions?: unknown;
}

interface Waiter<T> {
  readonly predicate: (value: T) => boolean;
  readonly resolve: (value: T) => void;
}

/** A recorded stream of notifications of one kind that tests can wait on. */
class Recorder<T> {
  readonly all: T[] = [];
  private waiters: Waiter<T>[] = [];

  push(value: T): void {
    this.all.push(value);
    const ready = this.waiters.filter((w) => w.predicate(value));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(value);
  }

  /** The first value, already recorded or still to come, that satisfies the predicate. */
  wait(predicate: (value: T) => boolean, what: string, fromIndex = 0): Promise<T> {
    const found = this.all.slice(fromIndex).find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`));
      }, WAIT_MS);
      const done = (v: T): void => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }
}

/** Status notification params as sent by the server (see server/src/protocol.ts). */
export interface StatusParams {
  uri: string;
  version: number | null;
  policies: { kind: string; name?: string; errors: number; warnings: number; skipped: boolean }[];
  skippedReason?: string;
}

export class LspClient {
  readonly diagnostics = new Recorder<PublishDiagnosticsParams>();
  readonly statuses = new Recorder<StatusParams>();
  readonly configurationRequests: ConfigurationParams[] = [];
  /** The methods the server registered dynamically (`client/registerCapability`). */
  readonly registrations: string[] = [];
  /** What `workspace/configuration` answers for the `ciliumPolicy` section. */
  settings: unknown;
  stderr = '';
  initializeResult: InitializeResult | undefined;
  private readonly versions = new Map<string, number>();
  private exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    settings: unknown,
  ) {
    this.settings = settings;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => this.diagnostics.push(p));
    connection.onNotification('ciliumPolicy/documentStatus', (p: StatusParams) => this.statuses.push(p));
    connection.onNotification('window/logMessage', (p: { message: string }) => (this.stderr += `[log] ${p.message}\n`));
    connection.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p);
      return p.items.map((item) => (item.section === 'ciliumPolicy' ? this.settings : null));
    });
    connection.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations.map((r) => r.method));
      return null;
    });
    connection.listen();
  }

  /** Spawns the server and runs the initialize handshake. */
  static async start(options: StartOptions = {}): Promise<LspClient> {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`npm run build\` first`);
    const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_JS, '--stdio'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: 'pipe',
    });
    const connection = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const client = new LspClient(proc, connection, options.settings ?? {});
    try {
      const pull = options.pullConfiguration ?? true;
      const capabilities: ClientCapabilities = {
        workspace: { configuration: pull, didChangeConfiguration: { dynamicRegistration: pull } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          synchronization: { didSave: true, dynamicRegistration: false },
        },
      };
      client.initializeResult = await withTimeout(
        connection.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          rootUri: options.workspaceFolder ?? null,
          capabilities,
          workspaceFolders: options.workspaceFolder ? [{ uri: options.workspaceFolder, name: 'workspace' }] : null,
          ...(options.initializationOptions !== undefined
            ? { initializationOptions: options.initializationOptions }
            : {}),
        }),
        'initialize',
      );
      await connection.sendNotification(InitializedNotification.type, {});
    } catch (e) {
      client.kill();
      throw new Error(`server did not start: ${(e as Error).message}\n${client.stderr}`, { cause: e });
    }
    return client;
  }

  /** Opens a document and returns its version. */
  async open(uri: string, text: string): Promise<number> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'yaml', version: 1, text },
    });
    return 1;
  }

  /** Replaces a document's text (a full-text change) and returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  /** Applies one incremental edit and returns the new version. */
  async edit(uri: string, range: { start: Position; end: Position }, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
    return version;
  }

  async save(uri: string): Promise<void> {
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Pushes settings the way Neovim/Helix do: `{ settings: { ciliumPolicy: … } }`. */
  async pushSettings(section: unknown): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { ciliumPolicy: section },
    });
  }

  /** Pull mode: changes what the client answers and tells the server to ask again. */
  async setSettings(section: unknown): Promise<void> {
    this.settings = section;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  /** The first diagnostics published for a URI at (or after) a version. */
  waitForDiagnostics(
    uri: string,
    version?: number,
    predicate: (d: Diagnostic[]) => boolean = () => true,
  ): Promise<PublishDiagnosticsParams> {
    return this.diagnostics.wait(
      (p) => p.uri === uri && (version === undefined || (p.version ?? 0) >= version) && predicate(p.diagnostics),
      `diagnostics for ${uri}${version !== undefined ? ` v${version}` : ''}`,
    );
  }

  /** The next diagnostics for a URI published from now on (already recorded ones are ignored). */
  nextDiagnostics(
    uri: string,
    predicate: (d: Diagnostic[]) => boolean,
    what: string,
  ): Promise<PublishDiagnosticsParams> {
    return this.diagnostics.wait((p) => p.uri === uri && predicate(p.diagnostics), what, this.diagnostics.all.length);
  }

  waitForStatus(uri: string, version?: number): Promise<StatusParams> {
    return this.statuses.wait(
      (p) => p.uri === uri && (version === undefined || (p.version ?? 0) >= version),
      `documentStatus for ${uri}`,
    );
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r = (await withTimeout(
      this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position }),
      'completion',
    )) as CompletionList | CompletionItem[] | null;
    if (!r) return [];
    return Array.isArray(r) ? r : r.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return withTimeout(this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }), 'hover');
  }

  async symbols(uri: string): Promise<DocumentSymbol[]> {
    const r = (await withTimeout(
      this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }),
      'documentSymbol',
    )) as DocumentSymbol[] | SymbolInformation[] | null;
    return (r ?? []) as DocumentSymbol[];
  }

  /** Sends any request (used to send malformed ones). */
  /** Sends a notification by method name (custom `ciliumPolicy/*` ones). */
  async notify(method: string, params: unknown): Promise<void> {
    await this.connection.sendNotification(method, params);
  }

  request(method: string, params: unknown): Promise<unknown> {
    return withTimeout(this.connection.sendRequest(method, params), method);
  }

  /** True while the server process runs. */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Polite shutdown, then a kill if the server does not exit promptly. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.alive) return this.dispose();
    try {
      await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 'shutdown', 3000);
      await this.connection.sendNotification(ExitNotification.type);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000).unref())]);
    } catch {
      // fall through to the kill
    }
    this.kill();
  }

  /** Kills the server at once. */
  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
    this.dispose();
  }

  private dispose(): void {
    try {
      this.connection.dispose();
    } catch {
      // already disposed
    }
  }
}

function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Line/character of the n-th occurrence of `needle` in `text`, shifted by `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): Position {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${JSON.stringify(needle)} not found in test text`);
  }
  offset += delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** A `file://` URI for a test document name (never read from disk). */
export function testUri(name: string): string {
  return `file:///cilium-policy-tests/${name}`;
}
