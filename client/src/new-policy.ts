// SPDX-License-Identifier: Apache-2.0
/**
 * The "New policy…" wizard and "Create policy for this workload": pick a kind, a template (the
 * bodies of our snippets), and a workload whose namespace and labels prefill the selector; the
 * result opens in a new untitled YAML editor or goes in at the cursor of the current YAML file.
 * The language server provides the templates, builds the text and reads the workloads of a
 * manifest (`ciliumPolicy/policyTemplates`, `buildPolicy`, `manifestWorkloads`); it lints open
 * YAML documents, so the new policy is validated at once.
 */
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-languageclient/node';
import type { PolicyTemplate, WorkloadRef } from '../../server/src/client-safe.js';
import {
  BuildPolicyRequest,
  InventoryRequest,
  ManifestWorkloadsRequest,
  PolicyTemplatesRequest,
} from '../../server/src/protocol.js';
import {
  insertionPrefix,
  insertionSuffix,
  kindChoices,
  labelSummary,
  templateWantsWorkload,
  workloadChoices,
  workloadRef,
} from './new-policy-model.js';
import type { ServerLink } from './server-link.js';

/** The bundled sample the walkthrough opens: a policy with a mistake to fix, and the workloads it selects. */
const SAMPLE = ['media', 'walkthrough', 'sample-policy.yaml'];

const TITLE = 'Cilium Policy: New Policy';

export class NewPolicyWizard {
  private templates: PolicyTemplate[] | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {}

  /**
   * The server's templates, asked for once (they come from the snippet files shipped with it);
   * undefined, after telling the user, while no server runs.
   */
  private async loadTemplates(): Promise<PolicyTemplate[] | undefined> {
    if (this.templates) return this.templates;
    const answer = await this.ask(PolicyTemplatesRequest.type, {}, 'read the templates');
    if (!answer) return undefined;
    if (answer.templates.length === 0) {
      // The server could not read its snippet files; it logged why in the output channel.
      void vscode.window.showErrorMessage(
        'Cilium Policy: the language server has no templates; see the Cilium Policy output.',
      );
      return undefined;
    }
    this.templates = answer.templates;
    return this.templates;
  }

  /**
   * Sends a wizard request; undefined (after a message) when the server is not running or fails.
   * The wizard cannot do without the server: it owns the templates.
   */
  private async ask<P, R>(type: RequestType<P, R, void>, params: P, what: string): Promise<R | undefined> {
    if (!this.link.ready) {
      void vscode.window.showWarningMessage(
        'Cilium Policy: the language server is not running yet; try again in a moment, or run "Cilium Policy: Restart Language Server".',
      );
      return undefined;
    }
    try {
      return await this.link.request(type, params);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.appendLine(`New policy: could not ${what} (${message}).`);
      void vscode.window.showErrorMessage(`Cilium Policy: could not ${what}: ${message}`);
      return undefined;
    }
  }

  /** `ciliumPolicy.newPolicy`: the whole flow; `workload` skips the workload step. */
  async run(workload?: WorkloadRef): Promise<void> {
    const templates = await this.loadTemplates();
    if (!templates) return;
    const kinds = kindChoices(templates).filter((k) => !workload || k.templates.some(templateWantsWorkload));
    const kind = await vscode.window.showQuickPick(
      kinds.map((k) => ({ label: k.label, description: k.description, choice: k })),
      {
        title: workload ? `${TITLE} for ${workload.namespace}/${workload.name}` : TITLE,
        placeHolder: 'Which kind of resource?',
        matchOnDescription: true,
      },
    );
    if (!kind) return;
    const candidates = kind.choice.templates.filter((t) => !workload || templateWantsWorkload(t));
    const picked = await vscode.window.showQuickPick(
      candidates.map((t) => ({ label: t.label, description: t.id, detail: t.description, template: t })),
      {
        title: `${TITLE}: ${kind.choice.kind}`,
        placeHolder: 'Which template?',
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    if (!picked) return;
    const template = picked.template;
    let chosen = workload;
    if (!chosen && templateWantsWorkload(template)) {
      const step = await this.pickWorkload(template);
      if (step === 'cancelled') return;
      chosen = step;
    }
    const built = await this.ask(
      BuildPolicyRequest.type,
      chosen ? { template: template.id, workload: chosen } : { template: template.id },
      'build the policy',
    );
    if (!built) return;
    await this.place(built.snippet);
    for (const note of built.notes) void vscode.window.showInformationMessage(`Cilium Policy: ${note}`);
  }

  /**
   * Lets the user pick a workload of the current inventory; `undefined` keeps the template's
   * placeholders (also when no server runs, or the inventory is empty).
   */
  private async pickWorkload(template: PolicyTemplate): Promise<WorkloadRef | undefined | 'cancelled'> {
    let endpoints: InventoryRequest.Result['endpoints'] = [];
    if (this.link.ready) {
      try {
        endpoints = (await this.link.request(InventoryRequest.type, {})).endpoints;
      } catch (err) {
        this.output.appendLine(
          `New policy: could not read the inventory (${err instanceof Error ? err.message : String(err)}); using placeholders.`,
        );
      }
    }
    const choices = workloadChoices(endpoints, template);
    if (choices.length === 0) return undefined;
    type Item = vscode.QuickPickItem & { workload?: WorkloadRef };
    const none: Item = {
      label: '$(edit) No workload',
      description: 'keep the placeholders',
      detail: 'Fill in the namespace and labels yourself.',
    };
    const items: Item[] = [
      none,
      ...choices.map((c) => ({ label: c.label, description: c.description, detail: c.detail, workload: c.workload })),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: `${TITLE}: ${template.label}`,
      placeHolder: template.selector
        ? `Which workload should the ${template.selector} select?`
        : "Which workload's namespace?",
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pick) return 'cancelled';
    return pick.workload;
  }

  /**
   * Opens the snippet in a new untitled YAML editor, or inserts it at the cursor of the active
   * YAML editor when the user prefers that (asked only when there is one).
   */
  private async place(snippet: string): Promise<void> {
    const active = vscode.window.activeTextEditor;
    let target: vscode.TextEditor | undefined;
    if (active && active.document.languageId === 'yaml') {
      const name = active.document.isUntitled
        ? 'the current editor'
        : vscode.workspace.asRelativePath(active.document.uri);
      const where = await vscode.window.showQuickPick(
        [
          { label: '$(new-file) New untitled document', inEditor: false },
          {
            label: `$(insert) Insert at the cursor in ${name}`,
            description: 'as a separate YAML document',
            inEditor: true,
          },
        ],
        { title: TITLE, placeHolder: 'Where should the policy go?' },
      );
      if (!where) return;
      if (where.inEditor) target = active;
    }
    if (!target) {
      const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
      target = await vscode.window.showTextDocument(doc);
    }
    const text = target.document.getText();
    const offset = target.document.offsetAt(target.selection.active);
    // The separators are blank lines and `---`: nothing in them is snippet syntax.
    const prefix = insertionPrefix(text, offset);
    const suffix = insertionSuffix(text, offset);
    await target.insertSnippet(new vscode.SnippetString(prefix + snippet + suffix), target.selection.active);
  }

  /** "Create policy for this workload": the first workload of a manifest file prefills the wizard. */
  async forFile(uri: unknown): Promise<void> {
    const fileUri = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!fileUri) {
      void vscode.window.showWarningMessage(
        'Cilium Policy: open or select a YAML file with a workload (a Deployment, Pod, StatefulSet…) first.',
      );
      return;
    }
    // An open editor may hold unsaved changes; prefer its text to the file on disk.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === fileUri.toString());
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(fileUri));
    const found = await this.ask(
      ManifestWorkloadsRequest.type,
      { uri: fileUri.toString(), text },
      `read the workloads of ${vscode.workspace.asRelativePath(fileUri)}`,
    );
    if (!found) return;
    const endpoint = found.workloads[0];
    if (!endpoint) {
      void vscode.window.showWarningMessage(
        `Cilium Policy: ${vscode.workspace.asRelativePath(fileUri)} holds no workload (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet).`,
      );
      return;
    }
    this.output.appendLine(
      `New policy for ${endpoint.kind} ${endpoint.namespace}/${endpoint.name} (${labelSummary(endpoint.labels) || 'no labels'}).`,
    );
    await this.run(workloadRef(endpoint));
  }

  /** `ciliumPolicy.openSample`: the walkthrough's sample policy, in an untitled editor so nothing on disk changes. */
  async openSample(): Promise<void> {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.extensionUri, ...SAMPLE));
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: new TextDecoder().decode(bytes) });
    this.sample = doc;
    await vscode.window.showTextDocument(doc);
  }

  private sample: vscode.TextDocument | undefined;

  /** The sample the walkthrough opened, while it is still open. */
  sampleUri(): vscode.Uri | undefined {
    return this.sample && !this.sample.isClosed ? this.sample.uri : undefined;
  }
}
