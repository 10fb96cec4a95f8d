// SPDX-License-Identifier: Apache-2.0
/**
 * The replay section of the preview panel and the "Cilium Policy: Replay Hubble Flows…" command:
 * the user picks a flow log (remembered per workspace; the folder of the kubectl snapshot the
 * preview reads is offered first), the server streams it in (`ciliumPolicy/loadFlows`), and on every
 * refresh of the panel (after an edit or a cursor move settles) the section asks for the replay
 * against the policies as they stand (`ciliumPolicy/replay`). `replay-model.ts` builds the body,
 * `media/sections/replay.js` draws it. While a log is loaded the server also warns on the policies
 * that drop its recorded flows (with a quick fix), so a started server gets the remembered log at
 * once, panel open or not; "Close Flow Log" forgets it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AdmitFlowsRequest, LoadFlowsRequest, ReplayRequest, type FlowLogStatus } from '../../server/src/protocol.js';
import { COMMANDS } from './commands.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';
import { admitGroup, buildReplayBody, REPLAY_ACTIONS } from './replay-model.js';
import type { ServerLink } from './server-link.js';

/** Where the chosen flow log is remembered (workspace state, not settings: it is a local file). */
const STATE_KEY = 'ciliumPolicy.replay.flowLog';
/** Context key: a flow log is loaded (Close Flow Log is offered). */
const LOADED_KEY = 'ciliumPolicy.flowLogLoaded';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ReplaySection implements PreviewSection, vscode.Disposable {
  readonly kind = 'replay';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** True once the running server was sent the log; a restarted server is sent it again. */
  private sent = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly state: vscode.Memento,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
    private readonly showPreview: () => Promise<void>,
  ) {
    this.subscriptions = [
      link.onDidChangeReady(() => {
        this.sent = false;
        if (!this.link.ready) return;
        // The server's warnings on the policies need the log loaded, panel open or not: a
        // (re)started server gets the remembered log at once.
        const file = this.flowLog;
        void vscode.commands.executeCommand('setContext', LOADED_KEY, file !== undefined);
        if (file) void this.reload(file);
      }),
      vscode.commands.registerCommand(COMMANDS.closeFlowLog, () => this.close()),
    ];
  }

  /** Sends the remembered log to a started server, quietly: a log that is gone is only reported in the output. */
  private async reload(file: string): Promise<void> {
    try {
      this.sent = true;
      const status = await this.link.request(LoadFlowsRequest.type, { path: file });
      if (status.error !== undefined) this.output.appendLine(`Replay: ${status.error}`);
      else this.changed.fire();
    } catch (e) {
      this.output.appendLine(`Replay: ${message(e)}`);
    }
  }

  /** The remembered flow log, if any. */
  get flowLog(): string | undefined {
    const v = this.state.get<unknown>(STATE_KEY);
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const file = this.flowLog;
    if (!file || !this.link.ready) return undefined;
    let result = await this.link.request(ReplayRequest.type, {});
    if (result === null) {
      // A restarted server has forgotten the log: load it again, once per server.
      if (this.sent) return undefined;
      this.sent = true;
      const status = await this.link.request(LoadFlowsRequest.type, { path: file });
      if (status.error !== undefined) {
        this.output.appendLine(`Replay: ${status.error}`);
        return undefined;
      }
      result = await this.link.request(ReplayRequest.type, {});
    }
    if (!result || context.token.isCancellationRequested) return undefined;
    const { body, targets } = buildReplayBody(result, context.idPrefix);
    return { section: { kind: this.kind, title: 'Recorded flows', body }, targets };
  }

  async act(action: string): Promise<void> {
    if (action === REPLAY_ACTIONS.pick) await this.pickAndLoad();
    else if (action === REPLAY_ACTIONS.reload && this.flowLog) await this.load(this.flowLog);
    else if (action === REPLAY_ACTIONS.close) await this.close();
    else {
      const group = admitGroup(action);
      if (group !== undefined) await this.admit(group);
    }
  }

  /** Adds the narrowest rule admitting a newly denied group (checked by the server through the engine). */
  async admit(group: number): Promise<void> {
    if (!this.link.ready) return;
    const r = await this.link.request(AdmitFlowsRequest.type, { group });
    if (r.error !== undefined || r.edits.length === 0) {
      void vscode.window.showWarningMessage(`Cilium Policy: no rule added: ${r.error ?? 'nothing to add'}.`);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of r.edits)
      edit.replace(
        vscode.Uri.parse(e.uri),
        new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character),
        e.newText,
      );
    // The panel stays where it is: the edit shows in the policy's editor (and in the panel's refresh).
    if (await vscode.workspace.applyEdit(edit, { isRefactoring: false }))
      void vscode.window.showInformationMessage(`Cilium Policy: ${r.title}.`);
    else void vscode.window.showWarningMessage('Cilium Policy: the rule could not be added (the file changed?).');
  }

  /** "Replay Hubble Flows…": pick a flow log (or take the one given), load it, show the panel. */
  async pickAndLoad(arg?: unknown): Promise<void> {
    const given =
      typeof arg === 'string' && arg !== '' ? vscode.Uri.file(arg) : arg instanceof vscode.Uri ? arg : undefined;
    const picked = given
      ? [given]
      : await vscode.window.showOpenDialog({
          title: 'Replay Hubble Flows',
          openLabel: 'Replay',
          canSelectMany: false,
          defaultUri: this.defaultFolder(),
          filters: { 'Flow logs (JSON lines)': ['json', 'jsonl', 'ndjson', 'log'], 'All files': ['*'] },
        });
    const uri = picked?.[0];
    if (!uri) return;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Cilium Policy: the flow log must be a local file.');
      return;
    }
    if (await this.load(uri.fsPath)) await this.showPreview();
  }

  /** Loads a flow log on the server and remembers it; false when it could not be read. */
  async load(file: string): Promise<boolean> {
    if (!this.link.ready) {
      void vscode.window.showWarningMessage('Cilium Policy: the language server is not running.');
      return false;
    }
    let status: FlowLogStatus;
    try {
      status = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Reading flow log…' },
        () => this.link.request(LoadFlowsRequest.type, { path: file }),
      );
    } catch (e) {
      this.output.appendLine(`Replay: ${message(e)}`);
      void vscode.window.showErrorMessage(`Cilium Policy: the flow log could not be read: ${message(e)}`);
      return false;
    }
    if (status.error !== undefined) {
      void vscode.window.showErrorMessage(`Cilium Policy: ${status.error}`);
      return false;
    }
    this.sent = true;
    await this.state.update(STATE_KEY, file);
    void vscode.commands.executeCommand('setContext', LOADED_KEY, true);
    for (const p of status.problems) this.output.appendLine(`Replay: ${file}:${p.line}: ${p.message}`);
    this.changed.fire();
    return true;
  }

  /** Forgets the flow log: the section and the warnings on the policies go. */
  async close(): Promise<void> {
    await this.state.update(STATE_KEY, undefined);
    void vscode.commands.executeCommand('setContext', LOADED_KEY, false);
    if (this.link.ready) await this.link.request(LoadFlowsRequest.type, { path: null });
    this.changed.fire();
  }

  /** The folder of the preview's snapshot file, else of the last flow log, else the workspace. */
  private defaultFolder(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const snapshot = vscode.workspace.getConfiguration('ciliumPolicy').get<string>('preview.snapshotFile', '');
    if (snapshot) {
      const abs = path.isAbsolute(snapshot) || !folder ? snapshot : path.join(folder.fsPath, snapshot);
      return vscode.Uri.file(path.dirname(abs));
    }
    if (this.flowLog) return vscode.Uri.file(path.dirname(this.flowLog));
    return folder;
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
