// SPDX-License-Identifier: Apache-2.0
/**
 * The status bar items: which policy kinds the active file holds and whether they validate, and
 * which endpoint inventory the preview uses. They only mirror what the server reports
 * (`ciliumPolicy/documentStatus`, `ciliumPolicy/inventoryChanged`); they never parse.
 */
import * as vscode from 'vscode';
import type { DocumentStatusNotification } from '../../server/src/protocol.js';
import { COMMANDS } from './commands.js';
import { inventoryStatusView } from './inventory-text.js';
import type { ServerLink } from './server-link.js';
import { statusView } from './status-text.js';

/** Context key for menus: the file the policy item describes holds a policy document. */
const HAS_POLICY_KEY = 'ciliumPolicy.editorHasPolicy';

/** Opens the Problems panel, where the findings behind the counts are listed. */
const SHOW_PROBLEMS = 'workbench.actions.view.problems';

/** Owns the status bar item and the last status the server sent for each open document. */
export class PolicyStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly byUri = new Map<string, DocumentStatusNotification.Params>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The document the item describes; kept while focus is in a panel (no active editor). */
  private shownUri: string | undefined = activeUri();
  private hasPolicy: boolean | undefined;

  constructor() {
    // Left side, near the problem counters, which is what the item summarises.
    this.item = vscode.window.createStatusBarItem('ciliumPolicy.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Cilium Policy';
    this.item.command = SHOW_PROBLEMS;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Focusing the Problems or Output panel clears the active editor; keep describing the
        // file the user was in rather than flickering the item away.
        if (editor) this.shownUri = editor.document.uri.toString();
        else if (vscode.window.visibleTextEditors.length === 0) this.shownUri = undefined;
        this.render();
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const uri = doc.uri.toString();
        this.byUri.delete(uri);
        if (uri === this.shownUri) this.shownUri = activeUri();
        this.render();
      }),
    );
  }

  /** Records a status from the server and refreshes the item if it concerns the active editor. */
  update(params: DocumentStatusNotification.Params): void {
    this.byUri.set(params.uri, params);
    if (params.uri === this.shownUri) this.render();
  }

  /** Forgets everything, e.g. when the server stops: stale counts would mislead. */
  clear(): void {
    this.byUri.clear();
    this.render();
  }

  private render(): void {
    const uri = this.shownUri;
    const view = statusView(uri === undefined ? undefined : this.byUri.get(uri));
    // Only report changes: the preview's editor-title button follows this key.
    if (this.hasPolicy !== (view !== undefined)) {
      this.hasPolicy = view !== undefined;
      void vscode.commands.executeCommand('setContext', HAS_POLICY_KEY, this.hasPolicy);
    }
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor =
      view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function activeUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/**
 * The inventory item: `$(server) workspace · 12`. Shown while a preview-capable server runs;
 * clicking it opens the inventory source picker.
 */
export class InventoryStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly link: ServerLink) {
    // Just right of the policy item (a lower priority is further right on the left side).
    this.item = vscode.window.createStatusBarItem('ciliumPolicy.inventory', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Cilium Policy Inventory';
    this.item.command = COMMANDS.pickInventory;
    this.disposables.push(
      this.item,
      link.onDidChangeInventory(() => this.render()),
      link.onDidChangeReady(() => this.render()),
    );
    this.render();
  }

  private render(): void {
    if (!this.link.ready) {
      this.item.hide();
      return;
    }
    const view = inventoryStatusView(this.link.inventory);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
