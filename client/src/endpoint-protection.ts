// SPDX-License-Identifier: Apache-2.0
/**
 * The effective policy of each workload in the Cilium Endpoints view: ingress and egress each
 * `default-deny` (and because of which policy), `allow-all` (nothing selects it) or `audit`, from
 * one `ciliumPolicy/coverage` answer per refresh; a workload no policy protects is marked. Kept
 * apart from `endpoints-tree.ts`, which asks it to decorate its rows.
 */
import * as vscode from 'vscode';
import { CoverageRequest } from '../../server/src/protocol.js';
import type { ServerLink } from './server-link.js';
import { protectionView } from './connectivity-model.js';

type Entry = CoverageRequest.Result['workloads'][number];

export class EndpointProtection {
  private byKey = new Map<string, Entry>();

  constructor(private readonly link: ServerLink) {}

  private static key(k: { kind: string; namespace: string; name: string }): string {
    return JSON.stringify([k.kind, k.namespace, k.name]);
  }

  /** Asks the server again (on every refresh of the view). Never rejects: the marks are left out. */
  async refresh(): Promise<void> {
    try {
      const r = await this.link.request(CoverageRequest.type, {});
      this.byKey = new Map(r.workloads.map((w) => [EndpointProtection.key(w), w]));
    } catch {
      this.byKey = new Map();
    }
  }

  /** Adds the workload's effective policy to its row (and a warning icon when nothing protects it). */
  decorate(item: vscode.TreeItem, key: { kind: string; namespace: string; name: string }): void {
    const e = this.byKey.get(EndpointProtection.key(key));
    if (!e) return;
    const view = protectionView(e);
    item.description = [item.description, view.description].filter(Boolean).join(' · ');
    item.tooltip = [typeof item.tooltip === 'string' ? item.tooltip : '', '', ...view.tooltip].join('\n').trim();
    if (view.unprotected) {
      item.iconPath = new vscode.ThemeIcon('unlock', new vscode.ThemeColor('list.warningForeground'));
    } else item.iconPath = new vscode.ThemeIcon('shield');
  }
}
