// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoint preview panel: a webview beside the editor that follows the policy under the
 * cursor. It asks the server (`ciliumPolicy/endpointPreview`) after the cursor or the text
 * settles, drops answers for an older document version, turns the answer into a view model
 * (`preview-model.ts`) and posts it to `media/preview.js`, which only renders. Clicks come back
 * as opaque target ids that this side resolves to locations it handed out itself.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EndpointPreviewRequest, type WirePosition } from '../../server/src/protocol.js';
import { makeNonce, previewHtml } from './preview-html.js';
import {
  buildPreviewModel,
  messageModel,
  parseWebviewMessage,
  type PreviewViewModel,
  type Target,
  type TargetId,
  type ToWebview,
} from './preview-model.js';
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
  private model: PreviewViewModel = messageModel('Open a YAML file that holds a Cilium policy.');
  private targets: ReadonlyMap<TargetId, Target> = new Map();
  private webviewReady = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {
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
    panel.webview.html = previewHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'preview.css')).toString(),
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
    const params: EndpointPreviewRequest.Params = {
      textDocument: { uri: doc.uri.toString() },
      ...(this.position ? { position: this.position } : {}),
    };
    let result: EndpointPreviewRequest.Result;
    try {
      result = await this.link.request(EndpointPreviewRequest.type, params);
    } catch (e) {
      if (seq !== this.seq) return;
      this.output.appendLine(`Endpoint preview failed: ${(e as Error)?.message ?? String(e)}`);
      this.post(
        messageModel(
          'The endpoint preview is not available right now (see the Cilium Policy output).',
          this.link.inventory,
          file,
        ),
      );
      return;
    }
    // A newer request was sent meanwhile, or the text moved on: a fresher answer is coming.
    if (seq !== this.seq || doc !== this.document) return;
    if (result && result.documentVersion !== null && result.documentVersion !== doc.version) return;
    if (doc.version !== version) return;
    if (!result) {
      this.post(
        messageModel(
          'This file holds no Cilium network policy, tracing policy or Envoy config.',
          this.link.inventory,
          file,
        ),
      );
      return;
    }
    const built = buildPreviewModel(result, file);
    this.targets = built.targets;
    this.post(built.model);
  }

  private post(model: PreviewViewModel): void {
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
