// SPDX-License-Identifier: Apache-2.0
/**
 * Wording of the inventory status bar item and of the inventory source picker. Pure (no
 * `vscode` import) so it is unit-tested; `status-bar.ts` and `inventory-commands.ts` use it.
 */
import type { InventoryStatus } from '../../server/src/protocol.js';
import { plain } from '../../server/src/client-safe.js';

/** The status bar view of the inventory. */
export interface InventoryStatusView {
  /** `$(server) workspace · 12`. */
  readonly text: string;
  /** Plain-text tooltip. */
  readonly tooltip: string;
  readonly accessibilityLabel: string;
  /** True when the last load failed (the previous inventory is still in use). */
  readonly warning: boolean;
}

const ORIGIN_WORD: Record<InventoryStatus['origin'], string> = {
  workspace: 'workspace',
  snapshot: 'snapshot',
  cluster: 'cluster',
  none: 'no inventory',
};

/** Builds the status bar view; `undefined` status means the server has not said yet. */
export function inventoryStatusView(status: InventoryStatus | undefined): InventoryStatusView {
  // Until the first walk of the workspace ends there is no answer yet, not "no inventory".
  if (!status || (status.loading === true && status.origin === 'none' && !status.error)) {
    return {
      text: '$(loading~spin) inventory',
      tooltip: 'Cilium Policy: loading the endpoint inventory…',
      accessibilityLabel: 'Cilium Policy inventory loading',
      warning: false,
    };
  }
  const origin = ORIGIN_WORD[status.origin] ?? 'no inventory';
  const count = Number.isFinite(status.endpoints) ? status.endpoints : 0;
  const icon = status.error ? '$(warning)' : '$(server)';
  const text = status.origin === 'none' ? `${icon} ${origin}` : `${icon} ${origin} · ${count}`;
  const lines = [
    `Cilium Policy endpoint inventory: ${plain(status.description || origin, 300)}`,
    ...(status.error
      ? ['', `Last load failed (the previous inventory stays in use): ${plain(status.error, 400)}`]
      : []),
    '',
    'Click to choose where endpoints come from.',
  ];
  return {
    text,
    tooltip: lines.join('\n'),
    accessibilityLabel: `Cilium Policy inventory: ${origin}${status.origin === 'none' ? '' : `, ${count} endpoint${count === 1 ? '' : 's'}`}${status.error ? ', last load failed' : ''}`,
    warning: status.error !== undefined,
  };
}

/** The choices of the inventory picker, in order. */
export type InventoryChoice = 'workspace' | 'snapshot' | 'cluster';

/** One row of the picker. */
export interface InventoryChoiceItem {
  readonly choice: InventoryChoice;
  readonly label: string;
  readonly description: string;
  readonly detail: string;
}

/** The picker rows: the current source is marked, and the cluster row says when trust is missing. */
export function inventoryChoices(
  current: InventoryStatus['origin'] | undefined,
  trusted: boolean,
): InventoryChoiceItem[] {
  const mark = (c: InventoryChoice): string => (current === c ? 'in use' : '');
  return [
    {
      choice: 'workspace',
      label: '$(folder) Use workspace manifests',
      description: mark('workspace'),
      detail: 'Match selectors against the Deployments, Pods and other workloads in the workspace YAML files.',
    },
    {
      choice: 'snapshot',
      label: '$(file) Use kubectl snapshot file…',
      description: mark('snapshot'),
      detail: 'Read a file saved with kubectl get pods,namespaces,services -A -o json.',
    },
    {
      choice: 'cluster',
      label: '$(cloud) Use live cluster…',
      description: trusted ? mark('cluster') : 'requires a trusted workspace',
      detail: trusted
        ? 'Run kubectl get (read-only) against a context you choose.'
        : 'kubectl is never run in an untrusted workspace; trust the workspace first.',
    },
  ];
}
