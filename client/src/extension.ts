// SPDX-License-Identifier: Apache-2.0
/**
 * VS Code entry point. Deliberately thin: everything that understands policies lives in the
 * language server, reached through the requests of `server/src/protocol.ts`; this file starts it,
 * wires the status bar to its notification, and connects the endpoint preview (panel, Endpoints
 * view, inventory item and commands) and the New Policy wizard through a {@link ServerLink} that
 * survives restarts.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { DocumentStatusNotification, WorkspaceTrustNotification } from '../../server/src/protocol.js';
import { createClient } from './client.js';
import { registerCommands } from './commands.js';
import { EndpointsTree } from './endpoints-tree.js';
import { InventoryCommands } from './inventory-commands.js';
import { NewPolicyWizard } from './new-policy.js';
import { CheckConnectivity } from './check-connectivity.js';
import { PolicyTests } from './policy-tests.js';
import { ConnectivitySection } from './connectivity-section.js';
import { PreviewPanel } from './preview-panel.js';
import type { PreviewSection } from './preview-sections.js';
import { EndpointsSection } from './endpoints-section.js';
import { DryRunSection } from './dryrun-section.js';
import { KernelTargetsSection, KernelTargetsStatusBar } from './kernel-targets-section.js';
import { ReplaySection } from './replay-section.js';
import { CompareConnectivity } from './compare-connectivity.js';
import { GenerateFromFlows } from './generate-from-flows.js';
import { ServerLink } from './server-link.js';
import { WorkspaceLint } from './workspace-lint.js';
import { InventoryStatusBar, PolicyStatusBar } from './status-bar.js';

/** Context key for `enablement` clauses: `starting`, `running` or `stopped`. */
const STATE_KEY = 'ciliumPolicy.serverState';

type ServerState = 'starting' | 'running' | 'stopped';

function setState(state: ServerState): void {
  void vscode.commands.executeCommand('setContext', STATE_KEY, state);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Owns the current language client. A client whose start failed cannot be started again
 * (vscode-languageclient keeps the failed start), so a restart then builds a fresh one.
 */
class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly statusBar: PolicyStatusBar,
    private readonly link: ServerLink,
  ) {}

  /** Starts a fresh client. Never throws: failures are logged and leave the commands usable. */
  async start(): Promise<void> {
    setState('starting');
    try {
      // Inside the try: the client's constructor throws too (e.g. on an unsupported VS Code).
      const lc = createClient(this.context, this.output);
      this.client = lc;
      this.clientSubscriptions = [
        // Registered before start so the first lint's status is not missed.
        lc.onNotification(DocumentStatusNotification.type, (params) => this.statusBar.update(params)),
        this.link.listen(lc),
        vscode.workspace.onDidGrantWorkspaceTrust(() => {
          if (lc.isRunning())
            void lc.sendNotification(WorkspaceTrustNotification.type, { trusted: true }).catch(() => undefined);
        }),
        lc.onDidChangeState((e) => {
          if (e.newState === State.Running) {
            setState('running');
            this.link.attach(lc);
          } else if (e.newState === State.Starting) setState('starting');
          else {
            setState('stopped');
            // Stale counts would mislead once nothing keeps them current.
            this.statusBar.clear();
            this.link.detach();
          }
        }),
      ];
      await lc.start();
      // The capabilities are known once start() resolved; attach is idempotent.
      if (this.client === lc && lc.isRunning()) this.link.attach(lc);
    } catch (err) {
      setState('stopped');
      this.output.appendLine(`The language server did not start: ${message(err)}`);
    }
  }

  /** Restarts a running server in place, or replaces a client that stopped or never came up. */
  async restart(): Promise<void> {
    this.output.appendLine('Restarting the language server…');
    this.statusBar.clear();
    const lc = this.client;
    if (lc?.isRunning()) {
      await lc.restart();
      return;
    }
    await this.stop();
    await this.start();
  }

  /** Stops and forgets the current client. */
  async stop(): Promise<void> {
    const lc = this.client;
    this.client = undefined;
    try {
      if (lc) await lc.dispose();
    } catch (err) {
      // A client that never started cannot be stopped cleanly; there is nothing left to clean.
      this.output.appendLine(`Stopping the language server: ${message(err)}`);
    } finally {
      // After the stop, so the state listener still reports it (and clears the status bar).
      for (const d of this.clientSubscriptions.splice(0)) d.dispose();
      setState('stopped');
      this.link.detach();
    }
  }

  dispose(): void {
    void this.stop();
  }
}

let server: Server | undefined;

/** Called by VS Code on the first YAML document (or the first use of a command). */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const output = vscode.window.createOutputChannel('Cilium Policy');
  const statusBar = new PolicyStatusBar();
  const link = new ServerLink();
  const inventoryBar = new InventoryStatusBar(link);
  // The preview panel's sections, in the order they are drawn (docs/panel-sections.md).
  const connectivitySection = new ConnectivitySection();
  // The dry run needs the panel to show itself, and the panel its sections: it is handed a late-bound show.
  let showPreview: (uri: vscode.Uri) => Promise<void> = () => Promise.resolve();
  const dryRun = new DryRunSection(context.workspaceState, link, output, (uri) => showPreview(uri));
  const kernelTargets = new KernelTargetsSection();
  const replay = new ReplaySection(context.workspaceState, link, output, () => preview.show());
  const compare = new CompareConnectivity(context.workspaceState, link, output, (uri) => preview.show(uri));
  const previewSections: PreviewSection[] = [
    new EndpointsSection(),
    connectivitySection,
    compare,
    replay,
    dryRun,
    kernelTargets,
  ];
  const preview = new PreviewPanel(context.extensionUri, link, output, previewSections);
  showPreview = (uri) => preview.show(uri);
  const kernelBar = new KernelTargetsStatusBar(link);
  const endpoints = new EndpointsTree(link);
  const inventory = new InventoryCommands(link, output);
  const policyTests = new PolicyTests(link, output);
  const s = new Server(context, output, statusBar, link);
  server = s;
  const wizard = new NewPolicyWizard(context.extensionUri, link, output);
  const workspaceLint = new WorkspaceLint(link, output);
  context.subscriptions.push(
    output,
    workspaceLint,
    statusBar,
    inventoryBar,
    preview,
    dryRun,
    kernelTargets,
    kernelBar,
    replay,
    compare,
    new GenerateFromFlows(link, output),
    endpoints,
    link,
    policyTests,
    connectivitySection,
    ...registerCommands({
      output,
      restart: () => s.restart(),
      // The walkthrough's button runs with the walkthrough focused: preview its sample then.
      showPreview: (uri, position) =>
        preview.show(uri ?? (vscode.window.activeTextEditor ? undefined : wizard.sampleUri()), position),
      inventory,
      refreshEndpoints: () => endpoints.refresh(),
      newPolicy: wizard,
      checkConnectivity: new CheckConnectivity(link, output),
      policyTests,
      workspaceLint,
      replayFlows: (arg) => replay.pickAndLoad(arg),
    }),
  );
  // Not awaited: activation returns at once and the server starts in the background (start() never
  // throws; its failures go to the output channel).
  void s.start();
  return { policyTests, compare };
}

/**
 * What the extension exports (for its own end-to-end tests; not a stable API): the Test
 * Explorer's controller and the last outcome of each case.
 */
export interface ExtensionApi {
  readonly policyTests: PolicyTests;
  /** The connectivity comparison (its last result and status bar view). */
  readonly compare: CompareConnectivity;
}

/** Stops the server so its process does not outlive the window. */
export async function deactivate(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await s.stop();
}
