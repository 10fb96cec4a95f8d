// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel-targets section of the preview panel and the status bar item: for the TracingPolicy
 * under the cursor, whether each hook loads on each kernel target (declared, or the node pools of
 * the inventory), from `ciliumPolicy/kernelTargets`; the body is built by `kernel-targets-model.ts`
 * and drawn by `media/sections/kernel-targets.js`.
 */
import * as vscode from 'vscode';
import { KernelTargetsRequest } from '../../server/src/protocol.js';
import { mayHoldTracingPolicy } from './dryrun-section.js';
import { buildKernelTargetsBody, kernelStatusText } from './kernel-targets-model.js';
import type { PreviewContext, PreviewSection, SectionResult } from './preview-sections.js';
import type { ServerLink } from './server-link.js';

/**
 * Settings changes arrive at the server as `workspace/didChangeConfiguration`, which the language
 * client sends from its own listener of the same VS Code event; asking after a short pause puts
 * the request behind that notification, so the server answers with the new targets.
 */
const SETTINGS_SETTLE_MS = 250;

export class KernelTargetsSection implements PreviewSection, vscode.Disposable {
  readonly kind = 'kernel-targets';
  private readonly changed = new vscode.EventEmitter<void>();
  /** The targets are settings: a change of them redraws the matrix. */
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('ciliumPolicy.tetragon')) setTimeout(() => this.changed.fire(), SETTINGS_SETTLE_MS);
  });

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  async provide(context: PreviewContext): Promise<SectionResult | undefined> {
    const { document, link, position, idPrefix } = context;
    if (!mayHoldTracingPolicy(document.getText())) return undefined;
    const version = document.version;
    const result = await link.request(KernelTargetsRequest.type, {
      textDocument: { uri: document.uri.toString() },
      ...(position ? { position } : {}),
    });
    if (context.token.isCancellationRequested || document.version !== version) return undefined;
    if (!result || (result.documentVersion !== null && result.documentVersion !== version)) return undefined;
    const built = buildKernelTargetsBody(result, idPrefix);
    return { section: { kind: this.kind, title: 'Kernel targets', body: built.body }, targets: built.targets };
  }
}

/** The status bar item: "Tetragon 2/3 targets" for the active TracingPolicy; opens the panel. */
export class KernelTargetsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'ciliumPolicy.kernelTargets',
    vscode.StatusBarAlignment.Right,
    99,
  );
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(private readonly link: ServerLink) {
    this.item.name = 'Cilium Policy: Tetragon kernel targets';
    this.item.command = 'ciliumPolicy.showPreview';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(500);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('ciliumPolicy')) this.schedule(500);
      }),
      link.onDidChangeReady(() => this.schedule(0)),
      link.onDidChangeInventory(() => this.schedule(0)),
    );
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), ms);
  }

  private async update(): Promise<void> {
    const seq = ++this.seq;
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !this.link.ready || !mayHoldTracingPolicy(doc.getText())) {
      this.item.hide();
      return;
    }
    let view: ReturnType<typeof kernelStatusText>;
    try {
      view = kernelStatusText(
        await this.link.request(KernelTargetsRequest.type, { textDocument: { uri: doc.uri.toString() } }),
      );
    } catch {
      view = undefined;
    }
    if (seq !== this.seq) return;
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.tooltip };
    this.item.backgroundColor =
      view.worst === 'no' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
