// SPDX-License-Identifier: Apache-2.0
/**
 * "Cilium Policy: Generate Policy from Flows…": with a flow log loaded ("Replay Hubble Flows…"),
 * the user picks a workload of the log (busiest first, with its recorded flow count), and a new
 * untitled YAML document opens with the least-privilege CiliumNetworkPolicy (ingress and egress)
 * admitting exactly its recorded non-reply flows and a PolicyTest with one case per distinct flow
 * (`ciliumPolicy/flowWorkloads`, `ciliumPolicy/generateFromFlows`). Nothing is written to disk: the
 * user reviews and saves it.
 */
import * as vscode from 'vscode';
import { FlowWorkloadsRequest, GenerateFromFlowsRequest, type FlowWorkloadItem } from '../../server/src/protocol.js';
import { COMMANDS } from './commands.js';
import { workloadPickItems } from './compare-model.js';
import type { ServerLink } from './server-link.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isWorkloadArg(v: unknown): v is Pick<FlowWorkloadItem, 'namespace' | 'labels'> {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['namespace'] === 'string' && typeof o['labels'] === 'object' && o['labels'] !== null;
}

export class GenerateFromFlows implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand(COMMANDS.generateFromFlows, async (arg?: unknown) => {
        try {
          await this.run(arg);
        } catch (e) {
          this.output.appendLine(`Generate Policy from Flows failed: ${message(e)}`);
          void vscode.window.showErrorMessage(`Cilium Policy: Generate Policy from Flows failed (${message(e)}).`);
        }
      }),
    );
  }

  /**
   * Picks a workload (or takes `{ namespace, labels }` as an argument, for a keybinding or a
   * test) and opens the generated policy and test in a new untitled document.
   */
  async run(arg?: unknown): Promise<vscode.TextEditor | undefined> {
    if (!this.link.ready) {
      void vscode.window.showWarningMessage('Cilium Policy: the language server is not running.');
      return undefined;
    }
    const listed = await this.link.request(FlowWorkloadsRequest.type, {});
    if (listed === null) {
      const replay = 'Replay Hubble Flows…';
      // Not awaited: the command is done; the button starts the replay when the user wants it.
      void vscode.window
        .showInformationMessage(
          'Cilium Policy: Generate Policy from Flows needs a flow log. Load one with "Replay Hubble Flows…" first.',
          replay,
        )
        .then((choice) => choice === replay && vscode.commands.executeCommand(COMMANDS.replayFlows));
      return undefined;
    }
    if (listed.workloads.length === 0) {
      void vscode.window.showInformationMessage(
        'Cilium Policy: the flow log records no workload with labels and a namespace to write a policy for.',
      );
      return undefined;
    }
    let workload: Pick<FlowWorkloadItem, 'namespace' | 'labels'> | undefined = isWorkloadArg(arg) ? arg : undefined;
    if (!workload) {
      const picked = await vscode.window.showQuickPick(workloadPickItems(listed.workloads), {
        title: 'Generate Policy from Flows',
        placeHolder: 'The workload whose recorded flows the policy admits (busiest first)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      workload = picked?.workload;
    }
    if (!workload) return undefined;
    const g = await this.link.request(GenerateFromFlowsRequest.type, {
      namespace: workload.namespace,
      labels: { ...workload.labels },
    });
    if (g.error !== undefined) {
      void vscode.window.showErrorMessage(`Cilium Policy: no policy generated: ${g.error}`);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: g.yaml });
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    void vscode.window.showInformationMessage(
      `Cilium Policy: ${g.name} admits ${g.flows.toLocaleString('en-US')} recorded flows; its PolicyTest has ${g.cases} case${g.cases === 1 ? '' : 's'}. Review it, then save it with your policies.`,
    );
    return editor;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
