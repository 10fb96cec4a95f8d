// SPDX-License-Identifier: Apache-2.0
/**
 * Choosing where the preview's endpoints come from: the workspace manifests, a kubectl snapshot
 * file, or a live cluster read with the user's own kubectl. The server does the loading
 * (`ciliumPolicy/setInventory`); for a live cluster this side runs `kubectl get` (trusted
 * workspaces only, see `kubectl.ts`) and hands the JSON over.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SetInventoryRequest, type InventoryStatus } from '../../server/src/protocol.js';
import { inventoryChoices, type InventoryChoice } from './inventory-text.js';
import {
  combineInventoryJson,
  kubectlCommand,
  orderContexts,
  runKubectl,
  timeoutMs,
  type KubectlRunOptions,
} from './kubectl.js';
import type { ServerLink } from './server-link.js';

/** The settings this file reads. */
const KUBECTL_PATH = 'kubectlPath';
const KUBECTL_TIMEOUT = 'kubectl.timeout';
const SNAPSHOT_SETTING = 'preview.snapshotFile';

/** The handlers behind the inventory commands. */
export class InventoryCommands {
  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** The picker behind the status bar item. */
  async pick(): Promise<void> {
    const trusted = vscode.workspace.isTrusted;
    type Item = vscode.QuickPickItem & { choice: InventoryChoice };
    const items: Item[] = inventoryChoices(this.link.inventory?.origin, trusted).map((c) => ({
      label: c.label,
      description: c.description,
      detail: c.detail,
      choice: c.choice,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Cilium Policy: endpoint inventory',
      placeHolder: 'Where should the endpoint preview find workloads?',
    });
    if (!picked) return;
    if (picked.choice === 'workspace') await this.useWorkspace();
    else if (picked.choice === 'snapshot') await this.useSnapshot();
    else await this.useCluster();
  }

  /** `setInventory {source: 'workspace'}`. */
  async useWorkspace(): Promise<void> {
    const status = await this.set({ source: 'workspace' });
    if (!status) return;
    const setting = vscode.workspace.getConfiguration('ciliumPolicy').get<string>(SNAPSHOT_SETTING, '');
    if (setting) {
      // The server loads the setting's file again whenever the configuration changes.
      const clear = 'Clear Setting';
      const choice = await vscode.window.showInformationMessage(
        `Cilium Policy: using the workspace manifests. ciliumPolicy.preview.snapshotFile is still set to "${setting}" and is read again when settings change.`,
        clear,
      );
      if (choice === clear) await this.updateSnapshotSetting(undefined);
    }
  }

  /** Asks for a snapshot file, then `setInventory {source: 'snapshot', path}`. */
  async useSnapshot(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uris = await vscode.window.showOpenDialog({
      title: 'Cilium Policy: kubectl snapshot',
      openLabel: 'Use Snapshot',
      canSelectMany: false,
      canSelectFolders: false,
      filters: { 'kubectl JSON': ['json'], 'All files': ['*'] },
      ...(folder ? { defaultUri: folder } : {}),
    });
    const uri = uris?.[0];
    if (!uri) return;
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(
        'Cilium Policy: the language server can only read snapshot files on the local disk.',
      );
      return;
    }
    const status = await this.set({ source: 'snapshot', path: uri.fsPath });
    if (!status || status.error || status.origin !== 'snapshot') return;
    const remember = 'Remember in Workspace Settings';
    const choice = await vscode.window.showInformationMessage(`Cilium Policy: ${status.description}.`, remember);
    if (choice === remember) await this.updateSnapshotSetting(uri);
  }

  /** Lists the kubectl contexts, runs `kubectl get` for the chosen one and hands the JSON over. */
  async useCluster(): Promise<void> {
    const config = vscode.workspace.getConfiguration('ciliumPolicy');
    const command = kubectlCommand(config.get<string>(KUBECTL_PATH), vscode.workspace.isTrusted);
    if (!command) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'Cilium Policy does not run kubectl in an untrusted workspace. Validation keeps working; trust the workspace to preview against a live cluster.',
        manage,
      );
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    if (!this.link.ready) {
      void vscode.window.showWarningMessage('Cilium Policy: the language server is not running.');
      return;
    }
    const seconds = config.get<number>(KUBECTL_TIMEOUT);
    const base: KubectlRunOptions = { command, timeoutMs: timeoutMs(seconds) };

    const contexts = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Cilium Policy: listing kubectl contexts' },
      async () => {
        const [list, current] = await Promise.all([
          runKubectl({ op: 'contexts' }, base),
          runKubectl({ op: 'currentContext' }, base),
        ]);
        if (!list.ok) return list;
        return {
          ok: true as const,
          names: orderContexts(list.stdout, current.ok ? current.stdout : undefined),
          current: current.ok ? current.stdout.trim() : undefined,
        };
      },
    );
    if (!contexts.ok) {
      this.fail(contexts.failure.message, contexts.failure.reason === 'notFound');
      return;
    }
    if (contexts.names.length === 0) {
      void vscode.window.showWarningMessage(
        'Cilium Policy: kubectl lists no context; configure one with kubectl config.',
      );
      return;
    }
    const picked = await vscode.window.showQuickPick(
      contexts.names.map((name) => ({ label: name, description: name === contexts.current ? 'current context' : '' })),
      {
        title: 'Cilium Policy: live cluster',
        placeHolder: 'The kubectl context to read pods, namespaces and services from (read-only)',
      },
    );
    if (!picked) return;
    const context = picked.label;

    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Cilium Policy: reading workloads from ${context}`,
        cancellable: true,
      },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          const opts: KubectlRunOptions = { ...base, signal: abort.signal };
          // CiliumEndpoints carry the identity labels; the CRD may be absent or forbidden, so
          // that run's failure is only logged.
          // Nodes give the kernel targets of TracingPolicies; listing them may be forbidden too.
          const [workloads, ceps, nodes] = await Promise.all([
            runKubectl({ op: 'workloads', context }, opts),
            runKubectl({ op: 'ciliumEndpoints', context }, opts),
            runKubectl({ op: 'nodes', context }, opts),
          ]);
          if (token.isCancellationRequested) return { cancelled: true as const };
          if (!ceps.ok)
            this.output.appendLine(
              `kubectl get ciliumendpoints (${context}) failed, continuing without: ${ceps.failure.message}`,
            );
          if (!workloads.ok)
            return {
              cancelled: false as const,
              error: workloads.failure.message,
              notFound: workloads.failure.reason === 'notFound',
            };
          if (!nodes.ok)
            this.output.appendLine(
              `kubectl get nodes (${context}) failed, continuing without: ${nodes.failure.message}`,
            );
          const json = combineInventoryJson(
            workloads.stdout,
            ceps.ok ? ceps.stdout : undefined,
            nodes.ok ? nodes.stdout : undefined,
          );
          const status = await this.set({ source: 'cluster', json, context });
          return { cancelled: false as const, status };
        } finally {
          sub.dispose();
        }
      },
    );
    if (outcome.cancelled) return;
    if ('error' in outcome) {
      this.fail(outcome.error ?? 'kubectl failed', outcome.notFound === true);
      return;
    }
    if (outcome.status && !outcome.status.error)
      void vscode.window.showInformationMessage(`Cilium Policy: ${outcome.status.description}.`);
  }

  /** Sends `setInventory`, records the answer, and reports a load error. */
  private async set(params: SetInventoryRequest.Params): Promise<InventoryStatus | undefined> {
    if (!this.link.ready) {
      void vscode.window.showWarningMessage('Cilium Policy: the language server is not running.');
      return undefined;
    }
    try {
      const status = await this.link.request(SetInventoryRequest.type, params);
      this.link.setInventory(status);
      if (status.error) void vscode.window.showErrorMessage(`Cilium Policy: ${status.error}`);
      return status;
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      this.output.appendLine(`setInventory failed: ${message}`);
      void vscode.window.showErrorMessage(`Cilium Policy: the inventory could not be changed (${message}).`);
      return undefined;
    }
  }

  private fail(message: string, offerSetting: boolean): void {
    this.output.appendLine(message);
    const open = 'Open Settings';
    const actions = offerSetting ? [open] : [];
    void vscode.window.showErrorMessage(`Cilium Policy: ${message}`, ...actions).then((choice) => {
      if (choice === open)
        void vscode.commands.executeCommand('workbench.action.openSettings', 'ciliumPolicy.kubectlPath');
    });
  }

  /** Writes (or clears) `ciliumPolicy.preview.snapshotFile`, relative to the workspace folder when inside it. */
  private async updateSnapshotSetting(uri: vscode.Uri | undefined): Promise<void> {
    let value: string | undefined;
    if (uri) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      value = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
    }
    try {
      await vscode.workspace
        .getConfiguration('ciliumPolicy')
        .update(SNAPSHOT_SETTING, value, vscode.ConfigurationTarget.Workspace);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Cilium Policy: the setting could not be saved (${(e as Error)?.message ?? String(e)}).`,
      );
    }
  }
}
