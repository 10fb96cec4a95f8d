// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry run in VS Code: the "Dry-Run Against Events…" command (a file picker; the
 * choice is remembered per policy file in the workspace state), the dry-run section of the preview
 * panel (`ciliumPolicy/dryRun`, body built by `dryrun-model.ts`, drawn by
 * `media/sections/dryrun.js`), and the event details a row opens (`ciliumPolicy/dryRunEvent`). The
 * server re-runs as the policy is edited and refreshes the selectors' CodeLenses itself; this side
 * only names the file, and asks again when a remembered document is shown so its lenses come back.
 */
import * as vscode from 'vscode';
import { DryRunEventRequest, DryRunRequest } from '../../server/src/protocol.js';
import { COMMANDS } from './commands.js';
import { buildDryRunBody, CLEAR_ACTION, EVENT_ACTION, noEventsBody, PICK_ACTION } from './dryrun-model.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';
import type { ServerLink } from './server-link.js';

export const DRY_RUN_COMMAND = COMMANDS.dryRun;
export const CLEAR_DRY_RUN_COMMAND = COMMANDS.clearDryRun;

/** Workspace-state keys: events file per document URI, and the folder last picked from. */
const STATE_KEY = 'ciliumPolicy.dryRun.events';
const FOLDER_KEY = 'ciliumPolicy.dryRun.lastFolder';
/** At most one re-run per this many milliseconds while the events file changes. */
const EVENTS_CHANGE_MS = 3000;

/** A document that may hold a TracingPolicy (the server decides; this only avoids asking for nothing). */
export function mayHoldTracingPolicy(text: string): boolean {
  return /^\s*kind:\s*["']?TracingPolicy(Namespaced)?["']?\s*(#.*)?$/m.test(text);
}

export class DryRunSection implements PreviewSection, vscode.Disposable {
  readonly kind = 'dryrun';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** The document the section last showed (act() gets no document). */
  private current: vscode.Uri | undefined;
  /** Watches the events file of the document shown: a recording that grows is run again. */
  private watcher: { path: string; watcher: vscode.FileSystemWatcher; timer?: NodeJS.Timeout } | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
    private readonly showPreview: (uri: vscode.Uri) => Promise<void>,
  ) {
    this.disposables.push(
      this.changed,
      // `(uri?, events?)`: with an events path (tests, keybindings), no file picker.
      vscode.commands.registerCommand(DRY_RUN_COMMAND, (uri?: unknown, events?: unknown) =>
        this.guard(() => this.pick(uri, events)),
      ),
      vscode.commands.registerCommand(CLEAR_DRY_RUN_COMMAND, (uri?: unknown) => this.guard(() => this.clear(uri))),
      // The release decides some comparisons: the server runs again when asked after a change
      // (after a pause, so the language client's didChangeConfiguration is ahead of the request).
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ciliumPolicy.tetragonVersion')) setTimeout(() => this.changed.fire(), 250);
      }),
      // Lenses come from the server's last run: ask for one when a remembered document is shown.
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.warm(e.document)),
      link.onDidChangeReady(() => {
        const doc = vscode.window.activeTextEditor?.document;
        if (doc) this.warm(doc);
      }),
    );
  }

  dispose(): void {
    this.watch(undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Follows one events file (the shown document's); a change redraws the section, which runs again. */
  private watch(path: string | undefined): void {
    if (this.watcher?.path === path) return;
    if (this.watcher) {
      clearTimeout(this.watcher.timer);
      this.watcher.watcher.dispose();
      this.watcher = undefined;
    }
    if (!path) return;
    const file = vscode.Uri.file(path);
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), file.path.split('/').pop() ?? ''),
    );
    const state: { path: string; watcher: vscode.FileSystemWatcher; timer?: NodeJS.Timeout } = { path, watcher: w };
    // Throttled, not debounced: a recording that keeps growing is still run again every few seconds.
    const changed = () => {
      if (state.timer) return;
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.changed.fire();
      }, EVENTS_CHANGE_MS);
    };
    w.onDidChange(changed);
    w.onDidCreate(changed);
    w.onDidDelete(changed);
    this.watcher = state;
  }

  /** The events file chosen for a document, if any. */
  eventsFor(uri: vscode.Uri): string | undefined {
    return this.state.get<Record<string, string>>(STATE_KEY, {})[uri.toString()];
  }

  private async remember(uri: vscode.Uri, events: string | undefined): Promise<void> {
    const all = { ...this.state.get<Record<string, string>>(STATE_KEY, {}) };
    if (events === undefined) delete all[uri.toString()];
    else all[uri.toString()] = events;
    await this.state.update(STATE_KEY, all);
    this.changed.fire();
  }

  private async guard(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      const text = (e as Error)?.message ?? String(e);
      this.output.appendLine(`Dry run: ${text}`);
      void vscode.window.showErrorMessage(`Cilium Policy dry run: ${text}`);
    }
  }

  private documentUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg, true);
    return vscode.window.activeTextEditor?.document.uri ?? this.current;
  }

  /** "Dry-Run Against Events…": choose the file, run, show the panel. */
  async pick(arg?: unknown, events?: unknown): Promise<void> {
    const uri = this.documentUri(arg);
    if (!uri) {
      void vscode.window.showInformationMessage('Open a TracingPolicy first, then dry-run it against recorded events.');
      return;
    }
    if (typeof events === 'string' && events !== '') return this.use(uri, events);
    const previous = this.eventsFor(uri);
    const folder = this.state.get<string>(FOLDER_KEY);
    const defaultUri = previous
      ? vscode.Uri.file(previous)
      : folder
        ? vscode.Uri.file(folder)
        : vscode.workspace.getWorkspaceFolder(uri)?.uri;
    const picked = await vscode.window.showOpenDialog({
      title: 'Dry-run against Tetragon events (tetra getevents -o json)',
      openLabel: 'Dry Run',
      canSelectMany: false,
      filters: { 'Tetragon events': ['jsonl', 'json', 'log', 'ndjson'], 'All files': ['*'] },
      ...(defaultUri ? { defaultUri } : {}),
    });
    const file = picked?.[0];
    if (!file) return;
    await this.state.update(FOLDER_KEY, vscode.Uri.joinPath(file, '..').fsPath);
    await this.use(uri, file.fsPath);
  }

  /** Uses an events file for a document (also for tests and the walkthrough). */
  async use(uri: vscode.Uri, events: string): Promise<void> {
    // Read under a cancellable progress first; the panel then shows the finished run. Cancelled:
    // the server stops, and the document keeps its previous events file and dry run.
    if (this.link.ready) {
      const r = await this.link.requestWithProgress(
        DryRunRequest.type,
        { textDocument: { uri: uri.toString() }, events },
        `Cilium Policy: dry run against ${events.replace(/^.*[\\/]/, '')}`,
      );
      if ('cancelled' in r) {
        this.output.appendLine(`Dry run: ${r.cancelled}`);
        const previous = this.eventsFor(uri);
        void vscode.window.showInformationMessage(
          `Cilium Policy: the dry run was cancelled; ${previous ? `the dry run against ${previous.replace(/^.*[\\/]/, '')} stays` : 'no events file is used'}.`,
        );
        return;
      }
    }
    await this.remember(uri, events);
    await this.showPreview(uri);
  }

  private async clear(arg?: unknown): Promise<void> {
    const uri = this.documentUri(arg);
    if (uri) await this.remember(uri, undefined);
  }

  private warm(doc: vscode.TextDocument): void {
    const events = this.eventsFor(doc.uri);
    if (!events || !this.link.ready) return;
    this.link
      .request(DryRunRequest.type, { textDocument: { uri: doc.uri.toString() }, events })
      .catch((e: unknown) => this.output.appendLine(`Dry run: ${(e as Error)?.message ?? String(e)}`));
  }

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const { document, link, idPrefix } = context;
    if (!mayHoldTracingPolicy(document.getText())) return undefined;
    this.current = document.uri;
    const events = this.eventsFor(document.uri);
    this.watch(events);
    if (!events) return { section: { kind: this.kind, title: 'Dry run', body: noEventsBody() } };
    const version = document.version;
    const report = await link.request(DryRunRequest.type, { textDocument: { uri: document.uri.toString() }, events });
    if (context.token.isCancellationRequested || document.version !== version) return undefined;
    if (!report || (report.documentVersion !== null && report.documentVersion !== version)) return undefined;
    const built = buildDryRunBody(report, idPrefix);
    return { section: { kind: this.kind, title: 'Dry run', body: built.body }, targets: built.targets };
  }

  async act(action: string): Promise<void> {
    const uri = this.current;
    if (action === PICK_ACTION) return this.guard(() => this.pick(uri));
    if (action === CLEAR_ACTION) return this.guard(() => this.clear(uri));
    if (!action.startsWith(EVENT_ACTION) || !uri) return;
    const id = Number(action.slice(EVENT_ACTION.length));
    if (!Number.isSafeInteger(id)) return;
    const details = await this.link.request(DryRunEventRequest.type, { textDocument: { uri: uri.toString() }, id });
    if (!details) {
      void vscode.window.showInformationMessage(
        'That dry run is gone (the policy changed); the panel shows the new one.',
      );
      return;
    }
    const doc = await vscode.workspace.openTextDocument({
      language: 'jsonc',
      content: `// ${details.events.replace(/[\r\n]/g, ' ')}, line ${details.line}\n${details.text}\n`,
    });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}
