// SPDX-License-Identifier: Apache-2.0
/**
 * "Cilium Policy: Compare Connectivity with…": the user picks a git revision (HEAD first, then
 * branches, tags and recent commits; any revision can be typed), and the connectivity diff between
 * it and the working tree (unsaved editor contents included) is shown in the preview panel's
 * compare section and summed up by a status bar item ("+2 −5 flows": newly allowed, newly denied)
 * while the working tree changes anything. The item follows edits as they settle; clicking it
 * shows the section. The server reads git (`ciliumPolicy/gitRevisions`,
 * `ciliumPolicy/compareConnectivity`), only in a trusted workspace. `compare-model.ts` builds what
 * is shown; `media/sections/compare.js` draws the section.
 */
import * as vscode from 'vscode';
import { CompareConnectivityRequest, GitRevisionsRequest, type CompareResult } from '../../server/src/protocol.js';
import { COMMANDS } from './commands.js';
import {
  buildCompareBody,
  COMPARE_ACTIONS,
  compareStatusView,
  revisionLabel,
  revisionPickItems,
  typedRevision,
  type CompareStatusView,
  type RevisionPickItem,
} from './compare-model.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';
import type { ServerLink } from './server-link.js';

/** Where the revision compared with is remembered (per workspace). */
const STATE_KEY = 'ciliumPolicy.compare.revision';
/** Context key for `when` clauses: a comparison is on. */
const COMPARING_KEY = 'ciliumPolicy.comparing';
/** How long edits settle before the comparison runs again. */
const EDIT_DELAY_MS = 600;
/** The longest wait, however slow comparisons are. */
const MAX_DELAY_MS = 10_000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Opens the preview panel on a document (the active policy editor's when none is given). */
export type ShowPreview = (uri?: vscode.Uri) => Promise<void>;

type PickItem = vscode.QuickPickItem & { rev?: string };

export class CompareConnectivity implements PreviewSection, vscode.Disposable {
  readonly kind = 'compare';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped by every edit of a YAML document: a result of an older generation is stale. */
  private generation = 0;
  private last: { generation: number; revision: string; result: CompareResult } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped when the user asks to see the section; the renderer scrolls to it. */
  private reveal = 0;
  private running: Promise<void> | undefined;
  /** How long the last comparison after an edit took. */
  private lastDurationMs = 0;

  constructor(
    private readonly state: vscode.Memento,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
    private readonly showPreview: ShowPreview,
  ) {
    // Right of the inventory item.
    this.item = vscode.window.createStatusBarItem('ciliumPolicy.compare', vscode.StatusBarAlignment.Left, 48);
    this.item.name = 'Cilium Policy Connectivity Comparison';
    this.item.command = COMMANDS.showComparison;
    const yamlEdited = (doc: vscode.TextDocument): boolean => doc.languageId === 'yaml';
    this.disposables.push(
      this.item,
      this.changed,
      vscode.commands.registerCommand(COMMANDS.compareConnectivity, (arg?: unknown) =>
        this.guarded('Compare Connectivity', () => this.pick(arg)),
      ),
      vscode.commands.registerCommand(COMMANDS.showComparison, () =>
        this.guarded('Showing the comparison', () => this.show()),
      ),
      vscode.commands.registerCommand(COMMANDS.stopComparing, () => this.guarded('Stop Comparing', () => this.stop())),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && yamlEdited(e.document)) this.edited();
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => yamlEdited(doc) && this.edited()),
      vscode.workspace.onDidCloseTextDocument((doc) => yamlEdited(doc) && this.edited()),
      link.onDidChangeInventory(() => this.edited()),
      link.onDidChangeReady(() => this.edited()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.edited()),
      // Files changed outside the editor (a checkout, a pull) and commits move either side.
      ...this.watch('**/*.{yaml,yml}'),
      ...this.watch('.git/{HEAD,refs/**,packed-refs}'),
      vscode.window.onDidChangeWindowState((s) => s.focused && this.edited()),
    );
    void vscode.commands.executeCommand('setContext', COMPARING_KEY, this.revision !== undefined);
  }

  /** A watcher of `glob` in every workspace folder whose events count as edits. */
  private watch(glob: string): vscode.Disposable[] {
    const out: vscode.Disposable[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
      out.push(
        w,
        w.onDidChange(() => this.edited()),
        w.onDidCreate(() => this.edited()),
        w.onDidDelete(() => this.edited()),
      );
    }
    return out;
  }

  /** The revision compared with, if any. */
  get revision(): string | undefined {
    const v = this.state.get<unknown>(STATE_KEY);
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  /** The last comparison and the status bar view it gave (for the extension's own tests). */
  get status(): { result: CompareResult | undefined; view: CompareStatusView | undefined; visible: boolean } {
    const result = this.last?.result;
    return { result, view: result ? compareStatusView(result) : undefined, visible: this.visible };
  }

  private visible = false;

  private async guarded(name: string, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.output.appendLine(`${name} failed: ${message(e)}`);
      void vscode.window.showErrorMessage(`Cilium Policy: ${name} failed (${message(e)}).`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The command

  /** Why the command cannot run here, or undefined. */
  private blocked(): string | undefined {
    if (!vscode.workspace.isTrusted)
      return 'Compare Connectivity reads git revisions, which only runs in a trusted workspace: a repository’s own git configuration can run programs. Trust the workspace first.';
    if (!vscode.workspace.workspaceFolders?.length) return 'Compare Connectivity needs a workspace folder in git.';
    if (!this.link.ready) return 'the Cilium Policy language server is not running.';
    return undefined;
  }

  /** "Compare Connectivity with…": a revision from the picker (or the one given), then the panel. */
  async pick(arg?: unknown): Promise<void> {
    const why = this.blocked();
    if (why) {
      // Not awaited: the command is done; the message stays until the user closes it.
      if (vscode.workspace.isTrusted) void vscode.window.showWarningMessage(`Cilium Policy: ${why}`);
      else
        void vscode.window
          .showWarningMessage(`Cilium Policy: ${why}`, 'Manage Workspace Trust')
          .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
      return;
    }
    const given = typeof arg === 'string' ? typedRevision(arg) : undefined;
    const revision = given ?? (await this.choose());
    if (revision === undefined) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Comparing connectivity with ${revisionLabel(revision)}…` },
      () => this.request(revision),
    );
    if (result.error !== undefined) {
      void vscode.window.showErrorMessage(
        `Cilium Policy: cannot compare with ${revisionLabel(revision)}: ${result.error}`,
      );
      return;
    }
    await this.state.update(STATE_KEY, revision);
    void vscode.commands.executeCommand('setContext', COMPARING_KEY, true);
    this.last = { generation: this.generation, revision, result };
    this.render();
    await this.show();
  }

  private folder(): string | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.toString();
  }

  /** The picker: HEAD first and selected; typing a revision offers it as the first item. */
  private async choose(): Promise<string | undefined> {
    const folder = this.folder();
    const revs = await this.link.request(GitRevisionsRequest.type, folder ? { folder } : {});
    if (revs.error !== undefined) {
      void vscode.window.showErrorMessage(`Cilium Policy: cannot compare connectivity: ${revs.error}`);
      return undefined;
    }
    const items: PickItem[] = revisionPickItems(revs.revisions).map((i: RevisionPickItem) =>
      i.separator
        ? { label: i.label, kind: vscode.QuickPickItemKind.Separator }
        : { label: i.label, description: i.description, ...(i.detail ? { detail: i.detail } : {}), rev: i.rev },
    );
    const qp = vscode.window.createQuickPick<PickItem>();
    qp.title = 'Compare Connectivity with…';
    qp.placeholder = 'A revision to compare the working tree with (HEAD, a branch, a tag, a commit; type any revision)';
    qp.matchOnDescription = true;
    qp.items = items;
    const typedItem = (value: string): PickItem | undefined => {
      const rev = typedRevision(value);
      if (rev === undefined || items.some((i) => i.rev === rev)) return undefined;
      return { label: `$(edit) ${rev}`, description: 'the revision typed', alwaysShow: true, rev };
    };
    return new Promise<string | undefined>((resolve) => {
      let done = false;
      const finish = (rev: string | undefined): void => {
        if (done) return;
        done = true;
        resolve(rev);
        qp.dispose();
      };
      qp.onDidChangeValue((value) => {
        const typed = typedItem(value);
        qp.items = typed ? [typed, ...items] : items;
      });
      qp.onDidAccept(() => {
        const picked = qp.selectedItems[0] ?? qp.activeItems[0];
        finish(picked?.rev ?? typedRevision(qp.value));
      });
      qp.onDidHide(() => finish(undefined));
      qp.show();
    });
  }

  private async request(revision: string): Promise<CompareResult> {
    const folder = this.folder();
    return this.link.request(CompareConnectivityRequest.type, { revision, ...(folder ? { folder } : {}) });
  }

  /** Shows the panel, scrolled to the section (on a policy file when none is being previewed). */
  async show(): Promise<void> {
    if (this.revision === undefined) {
      await vscode.commands.executeCommand(COMMANDS.compareConnectivity);
      return;
    }
    this.reveal++;
    const active = vscode.window.activeTextEditor?.document;
    const uri =
      active && active.languageId === 'yaml' ? undefined : (this.firstDecidingUri() ?? (await this.anyPolicyFile()));
    await this.showPreview(uri);
    this.changed.fire();
  }

  private firstDecidingUri(): vscode.Uri | undefined {
    for (const n of this.last?.result.namespaces ?? [])
      for (const c of n.changes)
        for (const p of [...c.egress.decidedBy, ...c.ingress.decidedBy]) return vscode.Uri.parse(p.uri);
    return undefined;
  }

  private async anyPolicyFile(): Promise<vscode.Uri | undefined> {
    const found = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 1);
    return found[0];
  }

  async stop(): Promise<void> {
    await this.state.update(STATE_KEY, undefined);
    void vscode.commands.executeCommand('setContext', COMPARING_KEY, false);
    this.last = undefined;
    this.render();
    this.changed.fire();
  }

  // -------------------------------------------------------------------------------------------
  // Following edits

  private edited(): void {
    this.generation++;
    if (this.revision === undefined) return;
    if (this.timer) clearTimeout(this.timer);
    // A big inventory makes a comparison take a while (every workload pair, twice): wait twice as
    // long as the last one took, so typing is never queued behind comparisons.
    const delay = Math.min(MAX_DELAY_MS, Math.max(EDIT_DELAY_MS, 2 * this.lastDurationMs));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.recompute();
    }, delay);
  }

  /** Compares again after edits settled; the panel refreshes when the counts moved. */
  private async recompute(): Promise<void> {
    if (this.running) {
      // One at a time; a later edit schedules another run.
      await this.running;
    }
    const revision = this.revision;
    if (revision === undefined || !this.link.ready || !vscode.workspace.isTrusted) {
      this.render();
      return;
    }
    const generation = this.generation;
    const run = (async () => {
      let result: CompareResult;
      const started = Date.now();
      try {
        result = await this.request(revision);
        this.lastDurationMs = Date.now() - started;
      } catch (e) {
        this.output.appendLine(`Compare Connectivity: ${message(e)}`);
        return;
      }
      const before = this.last ? summary(this.last.result) : '';
      this.last = { generation, revision, result };
      this.render();
      if (summary(result) !== before) this.changed.fire();
    })();
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private render(): void {
    const result = this.revision !== undefined && this.link.ready ? this.last?.result : undefined;
    const view = result ? compareStatusView(result) : undefined;
    this.visible = view !== undefined;
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  // -------------------------------------------------------------------------------------------
  // The panel section

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const revision = this.revision;
    if (revision === undefined || !this.link.ready) return undefined;
    let result: CompareResult;
    const last = this.last;
    if (last && last.revision === revision && last.generation === this.generation) result = last.result;
    else {
      if (!vscode.workspace.isTrusted) return undefined;
      const generation = this.generation;
      result = await this.request(revision);
      this.last = { generation, revision, result };
      this.render();
    }
    if (context.token.isCancellationRequested) return undefined;
    const { body, targets } = buildCompareBody(result, context.idPrefix, this.reveal);
    return {
      section: { kind: this.kind, title: `Connectivity against ${revisionLabel(revision)}`, body },
      targets,
    };
  }

  async act(action: string): Promise<void> {
    if (action === COMPARE_ACTIONS.change) await vscode.commands.executeCommand(COMMANDS.compareConnectivity);
    else if (action === COMPARE_ACTIONS.stop) await this.stop();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** What the status bar and the section show of a result (and where its links lead), to tell whether it moved. */
function summary(r: CompareResult): string {
  return JSON.stringify(r);
}
