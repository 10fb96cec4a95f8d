// SPDX-License-Identifier: Apache-2.0
/**
 * The Endpoints view (in the Cilium Policy view container of the activity bar): the inventory grouped by namespace, and for each workload
 * the policies that select it and whether it is default-deny. Rows are computed by
 * `endpoints-tree-model.ts`; this file only maps them onto tree items and asks the server.
 */
import * as vscode from 'vscode';
import { EndpointPoliciesRequest, InventoryRequest } from '../../server/src/protocol.js';
import {
  emptyInventoryMessage,
  groupInventory,
  policyRows,
  type EndpointRow,
  type NamespaceRow,
  type PolicyRow,
} from './endpoints-tree-model.js';
import type { ServerLink } from './server-link.js';
import { EndpointProtection } from './endpoint-protection.js';

/** The view id contributed in package.json. */
export const ENDPOINTS_VIEW_ID = 'ciliumPolicy.endpoints';

type Node =
  | { readonly type: 'namespace'; readonly row: NamespaceRow }
  | { readonly type: 'endpoint'; readonly row: EndpointRow }
  | { readonly type: 'policy'; readonly row: PolicyRow };

/** Codicon ids of the child rows. */
const POLICY_ICONS: Record<PolicyRow['icon'], string> = {
  policy: 'shield',
  deny: 'circle-slash',
  allow: 'pass',
  manifest: 'go-to-file',
  info: 'info',
};

function openCommand(target: { uri: string; range: { start: { line: number; character: number } } }): vscode.Command {
  const pos = new vscode.Position(target.range.start.line, target.range.start.character);
  const options: vscode.TextDocumentShowOptions = { selection: new vscode.Range(pos, pos), preview: true };
  return { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.parse(target.uri, true), options] };
}

export class EndpointsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private groups: Promise<NamespaceRow[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Each workload's effective policy, marking those no policy protects. */
  private readonly protection: EndpointProtection;

  constructor(private readonly link: ServerLink) {
    this.protection = new EndpointProtection(link);
    this.view = vscode.window.createTreeView(ENDPOINTS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      // Inventory notifications come in bursts while a workspace is indexed; refresh once.
      link.onDidChangeInventory(() => this.refreshSoon()),
      link.onDidChangeReady(() => this.refresh()),
      // Policies change as files are edited; re-asking on every keystroke would be wasteful, so
      // expanded workloads refresh on save.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.languageId === 'yaml') this.refreshSoon();
      }),
    );
    // Policy files created, changed or deleted on disk (a git checkout, another tool) change
    // which policies select a workload without any editor event.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refreshSoon()),
      watcher.onDidChange(() => this.refreshSoon()),
      watcher.onDidDelete(() => this.refreshSoon()),
    );
  }

  /** Forgets everything and asks the server again. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.groups = undefined;
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 300);
  }

  private load(): Promise<NamespaceRow[]> {
    if (!this.groups) {
      this.groups = (async () => {
        if (!this.link.ready) {
          this.view.message = 'The Cilium Policy language server is not running.';
          return [];
        }
        try {
          const r = await this.link.request(InventoryRequest.type, {});
          await this.protection.refresh();
          const groups = groupInventory(Array.isArray(r.endpoints) ? r.endpoints : []);
          this.view.message =
            groups.length === 0
              ? emptyInventoryMessage(r.status)
              : r.status.error
                ? `Last load failed: ${r.status.error}`
                : undefined;
          this.view.description = r.status.origin === 'none' ? undefined : r.status.origin;
          return groups;
        } catch (e) {
          this.view.message = `The inventory could not be listed: ${(e as Error)?.message ?? String(e)}`;
          return [];
        }
      })();
    }
    return this.groups;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (await this.load()).map((row) => ({ type: 'namespace', row }));
    if (node.type === 'namespace') return node.row.endpoints.map((row) => ({ type: 'endpoint', row }));
    if (node.type === 'endpoint') {
      let result: EndpointPoliciesRequest.Result;
      try {
        const params: EndpointPoliciesRequest.Params = { endpoint: node.row.key };
        result = await this.link.request(EndpointPoliciesRequest.type, params);
      } catch (e) {
        return [
          {
            type: 'policy',
            row: {
              label: 'Policies could not be listed',
              description: '',
              tooltip: (e as Error)?.message ?? String(e),
              icon: 'info',
            },
          },
        ];
      }
      return policyRows(node.row, result).map((row) => ({ type: 'policy', row }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.type) {
      case 'namespace': {
        const item = new vscode.TreeItem(node.row.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.row.description;
        item.iconPath = new vscode.ThemeIcon(node.row.label === 'nodes' ? 'server' : 'symbol-namespace');
        item.contextValue = 'namespace';
        item.id = `ns:${node.row.namespace}`;
        return item;
      }
      case 'endpoint': {
        const r = node.row;
        const item = new vscode.TreeItem(
          r.label,
          r.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = r.description;
        // A plain string: labels are data, never Markdown.
        item.tooltip = r.tooltip;
        item.iconPath = new vscode.ThemeIcon(r.key.kind === 'Node' ? 'server' : 'package');
        item.contextValue = r.location ? 'endpointWithManifest' : 'endpoint';
        // No id: a workspace may declare the same workload twice (overlays), and ids must be unique.
        if (!r.expandable && r.location) item.command = openCommand(r.location);
        if (r.key.kind !== 'Node') this.protection.decorate(item, r.key);
        return item;
      }
      case 'policy': {
        const r = node.row;
        const item = new vscode.TreeItem(r.label, vscode.TreeItemCollapsibleState.None);
        item.description = r.description;
        item.tooltip = r.tooltip;
        item.iconPath = new vscode.ThemeIcon(POLICY_ICONS[r.icon]);
        item.contextValue = r.icon;
        if (r.open) item.command = openCommand(r.open);
        return item;
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
