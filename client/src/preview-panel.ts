// SPDX-License-Identifier: Apache-2.0
/**
 * The preview panel: a webview beside the editor that follows the policy under the cursor. After
 * the cursor or the text settles it asks each of its sections (`preview-sections.ts`: the
 * endpoints a policy selects, and whatever other features add) for their view of the document,
 * drops answers for an older document version, and posts the sections to `media/preview.js`,
 * which draws the frame and hands each body to the renderer its section registered
 * (`media/sections/<kind>.js`). Clicks come back as opaque target ids that this side resolves to
 * locations the sections handed out, or as actions it passes to the section that offered them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { plain } from '../../server/src/client-safe.js';
import type { WirePosition } from '../../server/src/protocol.js';
import { makeNonce, previewHtml } from './preview-html.js';
import {
  messageModel,
  parseWebviewMessage,
  PanelTargets,
  sectionIdPrefix,
  type PanelViewModel,
  type SectionView,
  type Target,
  type ToWebview,
  inventoryView,
} from './panel-model.js';
import type { PreviewSection } from './preview-sections.js';
import type { ServerLink } from './server-link.js';

/** The webview type, also the key a serializer would use. */
export const PREVIEW_VIEW_TYPE = 'ciliumPolicy.endpointPreview';

/** Quiet time after a keystroke or cursor move before the server is asked. */
export const PREVIEW_DELAY_MS = 150;

/** The documents the server handles (same as the client's document selector). */
function isPolicyCandidate(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'yaml' && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled');
}

function baseName(uri: vscode.Uri): string {
  return path.posix.basename(uri.path) || uri.toString();
}

function toRange(r: Target['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** Owns at most one panel; `show` creates or reveals it. */
export class PreviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private document: vscode.TextDocument | undefined;
  /** The position to preview; follows the cursor of the document's editor. */
  private position: WirePosition | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Sequence number of the newest request; older answers are dropped. */
  private seq = 0;
  private model: PanelViewModel = messageModel('Open a YAML file that holds a Cilium policy.');
  private targets = new PanelTargets();
  private webviewReady = false;
  /** Cancels the sections' work for a refresh that a newer one replaced. */
  private pending: vscode.CancellationTokenSource | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
    private readonly sections: readonly PreviewSection[],
  ) {
    for (const section of sections)
      if (section.onDidChange) this.disposables.push(section.onDidChange(() => this.schedule(0)));
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !editor || !isPolicyCandidate(editor.document)) return;
        this.track(editor.document, editor.selection.active);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (!this.panel || !isPolicyCandidate(e.textEditor.document)) return;
        // Only the focused editor's cursor is followed; a second editor on another file that
        // scrolls does not steal the preview.
        if (e.textEditor !== vscode.window.activeTextEditor) return;
        this.track(e.textEditor.document, e.selections[0]?.active ?? e.textEditor.selection.active);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document && e.contentChanges.length > 0) this.schedule();
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc !== this.document) return;
        this.document = undefined;
        this.position = undefined;
        this.post(
          messageModel('The previewed file was closed. Open a policy file to preview it.', this.link.inventory),
        );
      }),
      link.onDidChangeInventory(() => this.schedule()),
      link.onDidChangeReady(() => this.schedule()),
    );
  }

  /**
   * Shows the panel for a document (the active editor's when none is given), at a position (the
   * cursor's when none is given). Accepts what a CodeLens passes (a URI string and an LSP
   * position) and what a menu passes (a `vscode.Uri`).
   */
  async show(uriArg?: unknown, positionArg?: unknown): Promise<void> {
    const doc = await this.documentFor(uriArg);
    const position = isWirePosition(positionArg) ? positionArg : undefined;
    this.ensurePanel();
    if (doc) {
      const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
      this.track(doc, position ?? editor?.selection.active, true);
    } else {
      this.schedule(0);
    }
  }

  private async documentFor(uriArg: unknown): Promise<vscode.TextDocument | undefined> {
    let uri: vscode.Uri | undefined;
    if (uriArg instanceof vscode.Uri) uri = uriArg;
    else if (typeof uriArg === 'string' && uriArg !== '') {
      try {
        uri = vscode.Uri.parse(uriArg, true);
      } catch {
        uri = undefined;
      }
    }
    if (!uri) {
      const active = vscode.window.activeTextEditor?.document;
      return active && isPolicyCandidate(active) ? active : this.document;
    }
    const key = uri.toString();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (open) return open;
    try {
      return await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      this.output.appendLine(`Endpoint preview: cannot open ${key}: ${(e as Error)?.message ?? String(e)}`);
      return undefined;
    }
  }

  private track(doc: vscode.TextDocument, position: vscode.Position | WirePosition | undefined, now = false): void {
    const changed = doc !== this.document;
    this.document = doc;
    if (position) this.position = { line: position.line, character: position.character };
    else if (changed) this.position = undefined;
    if (this.panel) this.panel.title = `Endpoint Preview: ${baseName(doc.uri)}`;
    this.schedule(now ? 0 : PREVIEW_DELAY_MS);
  }

  private ensurePanel(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(
      PREVIEW_VIEW_TYPE,
      'Endpoint Preview',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableForms: false,
        localResourceRoots: [media],
        retainContextWhenHidden: false,
      },
    );
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
    this.panel = panel;
    this.webviewReady = false;
    this.setHtml(panel);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((data: unknown) => this.received(data)),
      panel.onDidChangeViewState((e) => {
        // A hidden webview is discarded (no retainContextWhenHidden); it says `ready` again.
        if (!e.webviewPanel.visible) this.webviewReady = false;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.webviewReady = false;
        if (this.timer) clearTimeout(this.timer);
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    ];
  }

  private setHtml(panel: vscode.WebviewPanel): void {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const uri = (...parts: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(media, ...parts)).toString();
    // The frame first, then one renderer per section kind (each registers itself with the frame).
    const kinds = [...new Set(this.sections.map((s) => s.kind))];
    panel.webview.html = previewHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUris: [uri('preview.js'), ...kinds.map((k) => uri('sections', `${k}.js`))],
      styleUri: uri('preview.css'),
    });
  }

  private schedule(delay = PREVIEW_DELAY_MS): void {
    if (!this.panel) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  private async refresh(): Promise<void> {
    const doc = this.document;
    const seq = ++this.seq;
    this.pending?.cancel();
    this.pending?.dispose();
    this.pending = undefined;
    if (!doc) {
      this.post(
        messageModel('Open a YAML file that holds a Cilium policy, then put the cursor in it.', this.link.inventory),
      );
      return;
    }
    const file = baseName(doc.uri);
    if (!this.link.ready) {
      this.post(messageModel('Waiting for the Cilium Policy language server…', this.link.inventory, file));
      return;
    }
    const version = doc.version;
    const source = new vscode.CancellationTokenSource();
    this.pending = source;
    const answers = await Promise.allSettled(
      this.sections.map((section, index) =>
        section.provide({
          document: doc,
          position: this.position,
          fileName: file,
          link: this.link,
          idPrefix: sectionIdPrefix(index),
          token: source.token,
        }),
      ),
    );
    // A newer refresh started meanwhile, or the text moved on: a fresher answer is coming.
    if (seq !== this.seq || doc !== this.document || doc.version !== version) return;
    const targets = new PanelTargets();
    const views: SectionView[] = [];
    answers.forEach((answer, index) => {
      const kind = this.sections[index]!.kind;
      if (answer.status === 'rejected') {
        const reason = answer.reason as Error | undefined;
        this.output.appendLine(`Preview section ${kind} failed: ${reason?.message ?? String(answer.reason)}`);
        views.push({
          kind: 'note',
          body: { text: plain(`The ${kind} section is not available right now (see the Cilium Policy output).`, 200) },
        });
        return;
      }
      if (!answer.value) return;
      views.push(answer.value.section);
      if (answer.value.targets) targets.add(answer.value.targets);
    });
    this.targets = targets;
    const inventory = inventoryView(this.link.inventory);
    this.post({ file: plain(file), sections: views, ...(inventory ? { inventory } : {}) });
  }

  private post(model: PanelViewModel): void {
    this.model = model;
    if (!this.panel || !this.webviewReady) return;
    const message: ToWebview = { type: 'render', model };
    void this.panel.webview.postMessage(message);
  }

  private received(data: unknown): void {
    const m = parseWebviewMessage(data);
    if (!m) return;
    if (m.type === 'ready') {
      this.webviewReady = true;
      this.post(this.model);
      return;
    }
    if (m.type === 'act') {
      const section = this.sections.find((s) => s.kind === m.section);
      Promise.resolve(section?.act?.(m.action)).catch((e: unknown) =>
        this.output.appendLine(`Preview section ${m.section}: ${(e as Error)?.message ?? String(e)}`),
      );
      return;
    }
    const target = this.targets.get(m.target);
    if (target) void this.open(target);
  }

  /** Opens a target in the editor showing it, or in the first column. */
  private async open(target: Target): Promise<void> {
    try {
      const uri = vscode.Uri.parse(target.uri, true);
      const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
      const column =
        shown?.viewColumn ??
        vscode.window.visibleTextEditors.find((e) => e.document === this.document)?.viewColumn ??
        vscode.ViewColumn.One;
      const range = toRange(target.range);
      const editor = await vscode.window.showTextDocument(uri, {
        viewColumn: column,
        selection: new vscode.Range(range.start, range.start),
        preserveFocus: false,
      });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } catch (e) {
      void vscode.window.showWarningMessage(
        `Cilium Policy: cannot open ${target.uri}: ${(e as Error)?.message ?? String(e)}`,
      );
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending?.cancel();
    this.pending?.dispose();
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isWirePosition(v: unknown): v is WirePosition {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    Number.isInteger(p['line']) &&
    Number.isInteger(p['character']) &&
    (p['line'] as number) >= 0 &&
    (p['character'] as number) >= 0
  );
}
