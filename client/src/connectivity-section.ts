// SPDX-License-Identifier: Apache-2.0
/**
 * The connectivity section of the preview panel: for the network policy under the cursor, a grid
 * of allow, deny and unknown for the workloads of its namespace and the peers its rules name, per
 * destination port (`ciliumPolicy/connectivityMatrix`, recomputed by the server only where an edit
 * can change it). A click on a cell asks the server to explain it (`ciliumPolicy/checkFlow`): the
 * reason, both directions and the deciding rules, which open in the editor. The body is built by
 * `connectivity-section-model.ts` and drawn by `media/sections/connectivity.js`.
 */
import * as vscode from 'vscode';
import { CheckFlowRequest, ConnectivityMatrixRequest, type WireFlowVerdict } from '../../server/src/protocol.js';
import { buildConnectivitySection, parseCellAction, type CellKey } from './connectivity-section-model.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';

type Matrix = NonNullable<ConnectivityMatrixRequest.Result>;

export class ConnectivitySection implements PreviewSection, vscode.Disposable {
  readonly kind = 'connectivity';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The last matrix drawn, for the cell a click names. */
  private last: { uri: string; matrix: Matrix } | undefined;
  /** The cell the user asked about: its flow by workload references, so it survives a reordering. */
  private selected: { uri: string; from: string; to: string; port: number; protocol: string } | undefined;

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const { document, position, link, idPrefix } = context;
    const version = document.version;
    const uri = document.uri.toString();
    const matrix = await link.request(ConnectivityMatrixRequest.type, {
      textDocument: { uri },
      ...(position ? { position } : {}),
    });
    if (context.token.isCancellationRequested || document.version !== version) return undefined;
    if (!matrix || (matrix.documentVersion !== null && matrix.documentVersion !== version)) {
      if (!matrix) this.last = undefined;
      return undefined;
    }
    this.last = { uri, matrix };
    // The explained cell follows edits too: asked again with the current text.
    let explained: { key: CellKey; verdict: WireFlowVerdict | null; problem?: string } | undefined;
    const sel = this.selected?.uri === uri ? this.selected : undefined;
    if (sel) {
      const from = matrix.endpoints.findIndex((e) => e.ref === sel.from);
      const to = matrix.endpoints.findIndex((e) => e.ref === sel.to);
      if (from >= 0 && to >= 0) {
        const r = await link.request(CheckFlowRequest.type, {
          flow: {
            from: { workload: sel.from },
            to: { workload: sel.to },
            port: sel.port,
            protocol: sel.protocol as 'TCP' | 'UDP' | 'SCTP',
          },
          textDocument: { uri },
        });
        if (context.token.isCancellationRequested) return undefined;
        explained = {
          key: { from, to, port: sel.port, protocol: sel.protocol },
          verdict: r.verdict,
          ...(r.problem !== undefined ? { problem: r.problem } : {}),
        };
      }
    }
    const { body, targets } = buildConnectivitySection(matrix, idPrefix, explained);
    return { section: { kind: this.kind, title: 'Connectivity', body }, targets };
  }

  /** A cell was clicked: explain it (the panel refreshes and draws the explanation under the grid). */
  act(action: string): void {
    const key = parseCellAction(action);
    const last = this.last;
    if (!key || !last) return;
    const from = last.matrix.endpoints[key.from];
    const to = last.matrix.endpoints[key.to];
    if (!from || !to) return;
    this.selected = { uri: last.uri, from: from.ref, to: to.ref, port: key.port, protocol: key.protocol };
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
