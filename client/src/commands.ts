// SPDX-License-Identifier: Apache-2.0
/** Command ids contributed in package.json, and their handlers. */
import * as vscode from 'vscode';
import type { InventoryCommands } from './inventory-commands.js';
import type { NewPolicyWizard } from './new-policy.js';
import type { CheckConnectivity } from './check-connectivity.js';
import type { PolicyTests } from './policy-tests.js';
import type { WorkspaceLint } from './workspace-lint.js';

/** The command ids; `test/unit/manifest.test.ts` checks package.json declares exactly these. */
export const COMMANDS = {
  restartServer: 'ciliumPolicy.restartServer',
  showOutput: 'ciliumPolicy.showOutput',
  /** Also the command of the server's "selects N workloads" CodeLens: `(uri: string, position)`. */
  showPreview: 'ciliumPolicy.showPreview',
  pickInventory: 'ciliumPolicy.pickInventory',
  useWorkspaceInventory: 'ciliumPolicy.useWorkspaceInventory',
  useSnapshotInventory: 'ciliumPolicy.useSnapshotInventory',
  useClusterInventory: 'ciliumPolicy.useClusterInventory',
  refreshEndpoints: 'ciliumPolicy.refreshEndpoints',
  newPolicy: 'ciliumPolicy.newPolicy',
  /** From the explorer context menu on a YAML file: `(uri)`; the active editor's file from the palette. */
  newPolicyForWorkload: 'ciliumPolicy.newPolicyForWorkload',
  /** The walkthrough's first step. */
  openSample: 'ciliumPolicy.openSample',
  checkConnectivity: 'ciliumPolicy.checkConnectivity',
  /** From a test message's context menu in the Test Results: `({ test, message })`. */
  goToDecidingRule: 'ciliumPolicy.goToDecidingRule',
  /** Registered by `dryrun-section.ts`: `(uri?, eventsPath?)`. */
  dryRun: 'ciliumPolicy.dryRun',
  clearDryRun: 'ciliumPolicy.clearDryRun',
  lintWorkspace: 'ciliumPolicy.lintWorkspace',
  clearWorkspaceLint: 'ciliumPolicy.clearWorkspaceLint',
  /** Pick a Hubble flow log and replay it in the preview panel (`replay-section.ts`). */
  replayFlows: 'ciliumPolicy.replayFlows',
  /** Registered by `compare-connectivity.ts`: `(revision?: string)`; with one, no picker. */
  compareConnectivity: 'ciliumPolicy.compareConnectivity',
  /** The comparison's status bar item: the panel, scrolled to the compare section. */
  showComparison: 'ciliumPolicy.showComparison',
  stopComparing: 'ciliumPolicy.stopComparing',
  /** Registered by `generate-from-flows.ts`: `({ namespace, labels }?)`; with one, no picker. */
  generateFromFlows: 'ciliumPolicy.generateFromFlows',
  /** Registered by `replay-section.ts`: forgets the flow log (its warnings go). */
  closeFlowLog: 'ciliumPolicy.closeFlowLog',
} as const;

/** What the commands act on; supplied by `extension.ts` so this file stays free of client state. */
export interface CommandTargets {
  restart(): Promise<void>;
  readonly output: vscode.OutputChannel;
  /** Opens the endpoint preview; arguments as a CodeLens or a menu passes them. */
  showPreview(uri?: unknown, position?: unknown): Promise<void>;
  readonly inventory: InventoryCommands;
  refreshEndpoints(): void;
  readonly newPolicy: NewPolicyWizard;
  readonly checkConnectivity: CheckConnectivity;
  readonly policyTests: PolicyTests;
  readonly workspaceLint: WorkspaceLint;
  /** `(path?: string | Uri)`: with a path (a task, a keybinding), no file dialog. */
  replayFlows(arg?: unknown): Promise<void>;
}

/** Runs a command handler, reporting an unexpected failure instead of losing it. */
function guarded<A extends unknown[]>(
  output: vscode.OutputChannel,
  name: string,
  f: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await f(...args);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      output.appendLine(`${name} failed: ${message}`);
      void vscode.window.showErrorMessage(`Cilium Policy: ${name} failed (${message}).`);
    }
  };
}

/** Registers every command; the returned disposables belong in `context.subscriptions`. */
export function registerCommands(targets: CommandTargets): vscode.Disposable[] {
  const { output, inventory } = targets;
  return [
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      try {
        await targets.restart();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        targets.output.appendLine(`Restart failed: ${message}`);
        void vscode.window
          .showErrorMessage(`Cilium Policy: the language server could not be restarted (${message}).`, 'Show Output')
          .then((choice) => choice && targets.output.show(true));
      }
    }),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => targets.output.show(true)),
    vscode.commands.registerCommand(
      COMMANDS.showPreview,
      guarded(output, 'Endpoint preview', (uri?: unknown, position?: unknown) => targets.showPreview(uri, position)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.pickInventory,
      guarded(output, 'Choosing the inventory', () => inventory.pick()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.useWorkspaceInventory,
      guarded(output, 'Using the workspace manifests', () => inventory.useWorkspace()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.useSnapshotInventory,
      guarded(output, 'Using a snapshot file', () => inventory.useSnapshot()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.useClusterInventory,
      guarded(output, 'Using a live cluster', () => inventory.useCluster()),
    ),
    vscode.commands.registerCommand(COMMANDS.refreshEndpoints, () => targets.refreshEndpoints()),
    vscode.commands.registerCommand(
      COMMANDS.newPolicy,
      guarded(output, 'New policy', () => targets.newPolicy.run()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.newPolicyForWorkload,
      guarded(output, 'New policy for a workload', (uri?: unknown) => targets.newPolicy.forFile(uri)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.replayFlows,
      guarded(output, 'Replaying flows', (arg?: unknown) => targets.replayFlows(arg)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.openSample,
      guarded(output, 'Opening the sample policy', () => targets.newPolicy.openSample()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.checkConnectivity,
      guarded(output, 'Check Connectivity', () => targets.checkConnectivity.run()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.goToDecidingRule,
      guarded(output, 'Going to the deciding rule', (arg?: unknown) => targets.policyTests.goToRule(arg)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.lintWorkspace,
      guarded(output, 'Lint Workspace', () => targets.workspaceLint.run()),
    ),
    vscode.commands.registerCommand(
      COMMANDS.clearWorkspaceLint,
      guarded(output, 'Clear Workspace Lint Results', () => targets.workspaceLint.clear()),
    ),
  ];
}
