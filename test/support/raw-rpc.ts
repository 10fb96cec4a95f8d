// SPDX-License-Identifier: Apache-2.0
/**
 * A JSON-RPC client without a library in between: it writes the exact JSON it is given (so a test
 * can send `"params": 42`, which a client library would wrap or refuse) to the bundled server's
 * stdin and reads the framed answers from its stdout. Requests from the server are answered
 * (settings with `{}`, registrations with null and recorded).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { REPO_ROOT } from './paths.js';
import { SERVER_JS, WAIT_MS } from './lsp-client.js';

/** A JSON-RPC response as received. */
export interface RawResponse {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { code: number; message: string; data?: unknown };
}

export class RawRpc {
  stderr = '';
  /** Methods the server registered dynamically. */
  readonly registrations: string[] = [];
  /** `window/logMessage` messages. */
  readonly logs: string[] = [];
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (r: RawResponse) => void>();

  private constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    proc.stdout.on('data', (chunk: Buffer) => this.read(chunk));
  }

  /** Spawns the server and runs `initialize`; resolves with the server and its capabilities. */
  static async start(): Promise<{ rpc: RawRpc; capabilities: Record<string, unknown> }> {
    const proc = spawn(process.execPath, [SERVER_JS, '--stdio'], { cwd: REPO_ROOT, stdio: 'pipe' });
    const rpc = new RawRpc(proc);
    const init = await rpc.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
        },
        textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
      },
    });
    rpc.notify('initialized', {});
    const capabilities = (init.result as { capabilities: Record<string, unknown> }).capabilities;
    return { rpc, capabilities };
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body) as { id?: number; method?: string; params?: unknown });
    }
  }

  private handle(message: { id?: number; method?: string; params?: unknown }): void {
    if (message.method === undefined && message.id !== undefined) {
      this.pending.get(message.id)?.(message as RawResponse);
      this.pending.delete(message.id);
      return;
    }
    if (message.method === 'window/logMessage') this.logs.push((message.params as { message: string }).message);
    if (message.method === 'client/registerCapability')
      for (const r of (message.params as { registrations: { method: string }[] }).registrations)
        this.registrations.push(r.method);
    if (message.id === undefined) return;
    const result =
      message.method === 'workspace/configuration'
        ? (message.params as { items: unknown[] }).items.map(() => ({}))
        : null;
    this.write({ jsonrpc: '2.0', id: message.id, result });
  }

  /** Writes one message exactly as given. */
  write(message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** A request with exactly these params (`undefined` leaves the member out). */
  request(method: string, params: unknown): Promise<RawResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${WAIT_MS} ms`)), WAIT_MS);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.write(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    });
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** `shutdown` and `exit`; the process is killed when it has not exited within 3 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    const within = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        void exited.then(() => clearTimeout(timer));
      });
    await Promise.race([
      this.request('shutdown', null).then(
        () => undefined,
        () => undefined,
      ),
      within(3000),
    ]);
    this.notify('exit', null);
    await Promise.race([exited, within(3000)]);
    if (this.alive) {
      this.proc.kill('SIGKILL');
      await exited;
    }
  }
}
