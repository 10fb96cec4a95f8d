// SPDX-License-Identifier: Apache-2.0
/**
 * The preview features' handle on the language server. The client object changes on every
 * restart, so the panel, the tree, the status bar and the commands talk to this link instead:
 * it knows whether the running server offers the endpoint preview (`experimental.
 * endpointPreviewProvider`), sets the `ciliumPolicy.serverReady` context key accordingly, and
 * relays `ciliumPolicy/inventoryChanged`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ResponseError, WorkDoneProgress, type RequestType } from 'vscode-languageclient/node';
import { InventoryChangedNotification, InventoryRequest, type InventoryStatus } from '../../server/src/protocol.js';

/** Context key for `when` clauses: the running server answers the preview requests. */
export const READY_KEY = 'ciliumPolicy.serverReady';

/** Whether an `initialize` answer offers the endpoint preview. */
export function offersPreview(capabilities: unknown): boolean {
  const experimental = (capabilities as { experimental?: unknown } | undefined)?.experimental;
  return (
    typeof experimental === 'object' &&
    experimental !== null &&
    (experimental as Record<string, unknown>)['endpointPreviewProvider'] === true
  );
}

export class ServerLink implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private status: InventoryStatus | undefined;
  private progressTokens = 0;
  private readonly readyEmitter = new vscode.EventEmitter<boolean>();
  private readonly inventoryEmitter = new vscode.EventEmitter<InventoryStatus | undefined>();

  /** Fires when the server becomes ready or goes away. */
  readonly onDidChangeReady = this.readyEmitter.event;
  /** Fires with the new status when the inventory changed (or was forgotten: `undefined`). */
  readonly onDidChangeInventory = this.inventoryEmitter.event;

  constructor() {
    void vscode.commands.executeCommand('setContext', READY_KEY, false);
  }

  /** True while a running server offers the preview. */
  get ready(): boolean {
    return this.client !== undefined;
  }

  /** The last inventory status the server reported. */
  get inventory(): InventoryStatus | undefined {
    return this.status;
  }

  /**
   * Registers the notification handler on a new client; call before `start()` so no
   * notification is missed.
   */
  listen(client: LanguageClient): vscode.Disposable {
    return client.onNotification(InventoryChangedNotification.type, (status) => {
      if (this.client === client || this.client === undefined) this.setInventory(status);
    });
  }

  /** Called when a client reached the running state: checks the capability and announces readiness. */
  attach(client: LanguageClient): void {
    // Both the state listener and the end of start() call this; once is enough.
    if (this.client === client) return;
    const offers = offersPreview(client.initializeResult?.capabilities);
    const was = this.client;
    this.client = offers ? client : undefined;
    void vscode.commands.executeCommand('setContext', READY_KEY, offers);
    if (was !== this.client) this.readyEmitter.fire(offers);
    if (offers) {
      // The server may have announced its inventory before the client was ready; ask.
      this.request(InventoryRequest.type, {}).then(
        (r) => this.setInventory(r.status),
        () => undefined,
      );
    }
  }

  /** Called when the client stopped. */
  detach(): void {
    const was = this.client;
    this.client = undefined;
    void vscode.commands.executeCommand('setContext', READY_KEY, false);
    if (was) {
      this.readyEmitter.fire(false);
      this.setInventory(undefined);
    }
  }

  /** Records a status (from a notification or a `setInventory` answer) and tells the listeners. */
  setInventory(status: InventoryStatus | undefined): void {
    this.status = status;
    this.inventoryEmitter.fire(status);
  }

  /** Sends one of `protocol.ts`'s requests; rejects when no preview-capable server runs. */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R> {
    const c = this.client;
    if (!c) throw new Error('The Cilium Policy language server is not running.');
    return await c.sendRequest(type, params);
  }

  /**
   * Sends a request that reads a big log, under a cancellable progress notification: the server's
   * work-done progress (lines and bytes read) shows in it, and Cancel cancels the request (the
   * server stops reading). Resolves with the result, or `cancelled` with the server's message.
   */
  async requestWithProgress<P extends object, R>(
    type: RequestType<P, R, void>,
    params: P,
    title: string,
  ): Promise<{ result: R } | { cancelled: string }> {
    const c = this.client;
    if (!c) throw new Error('The Cilium Policy language server is not running.');
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const workDoneToken = `cilium-policy-read-${++this.progressTokens}-${Date.now()}`;
        let shown = 0;
        const sub = c.onProgress(WorkDoneProgress.type, workDoneToken, (p) => {
          if (p.kind === 'end') return;
          const pct = typeof p.percentage === 'number' ? p.percentage : shown;
          progress.report({ ...(p.message ? { message: p.message } : {}), increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        });
        try {
          const result = await c.sendRequest(type, { ...params, workDoneToken }, token);
          if (token.isCancellationRequested) return { cancelled: 'Cancelled.' };
          return { result };
        } catch (e) {
          if (!token.isCancellationRequested) throw e;
          return { cancelled: e instanceof ResponseError ? e.message : 'Cancelled.' };
        } finally {
          sub.dispose();
        }
      },
    );
  }

  dispose(): void {
    this.readyEmitter.dispose();
    this.inventoryEmitter.dispose();
  }
}
