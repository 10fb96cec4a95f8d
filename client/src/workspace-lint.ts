// SPDX-License-Identifier: Apache-2.0
/**
 * `ciliumPolicy.lintWorkspace`: fills the Problems panel for every policy file of the workspace.
 * VS Code's file search finds the YAML files (honouring `files.exclude`), the folders'
 * `.gitignore` files leave out what git ignores, and the server lints the rest in batches
 * (`ciliumPolicy/lintFiles`), publishing diagnostics as each batch finishes, under a cancellable
 * progress notification.
 */
import * as vscode from 'vscode';
import { LintFilesRequest } from '../../server/src/protocol.js';
import type { ServerLink } from './server-link.js';
import { batches, gitignoreFilter, progressText, resultText, type LintTotals } from './workspace-lint-model.js';

/** Files per request: small enough that results show up while the rest is linted. */
const BATCH = 25;
/** Most YAML files one run looks at. */
const MAX_FILES = 20_000;

export class WorkspaceLint {
  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {}

  async run(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Cilium Policy: open a folder to lint its policy files.');
      return;
    }
    const totals: LintTotals = { scanned: 0, policyFiles: 0, errors: 0, warnings: 0, unreadable: 0 };
    let cancelled = false;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Cilium Policy: Lint Workspace', cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'finding YAML files…' });
        const files = await this.files(folders, token);
        for (const batch of batches(files, BATCH)) {
          if (token.isCancellationRequested) {
            cancelled = true;
            break;
          }
          const result = await this.link.request(LintFilesRequest.type, { uris: batch.map((u) => u.toString()) });
          totals.scanned += batch.length;
          totals.policyFiles += result.files.length;
          totals.errors += result.files.reduce((n, f) => n + f.errors, 0);
          totals.warnings += result.files.reduce((n, f) => n + f.warnings, 0);
          totals.unreadable += result.unreadable.length;
          for (const u of result.unreadable) this.output.appendLine(`Lint Workspace: could not read ${u}`);
          progress.report({
            increment: (100 * batch.length) / files.length,
            message: progressText(totals, files.length),
          });
        }
      },
    );
    const message = resultText(totals, cancelled);
    this.output.appendLine(message);
    // Not awaited: the command ends when the lint does, not when the notification is dismissed.
    void vscode.window.showInformationMessage(`Cilium Policy: ${message}`, 'Show Problems').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  }

  /** The YAML files of the folders, without what `files.exclude` or a `.gitignore` leaves out. */
  private async files(
    folders: readonly vscode.WorkspaceFolder[],
    token: vscode.CancellationToken,
  ): Promise<vscode.Uri[]> {
    const out: vscode.Uri[] = [];
    for (const folder of folders) {
      // `undefined` as the exclude applies `files.exclude`.
      const yaml = await vscode.workspace.findFiles(
        new vscode.RelativePattern(folder, '**/*.{yaml,yml}'),
        undefined,
        MAX_FILES,
        token,
      );
      const ignores = await vscode.workspace.findFiles(
        new vscode.RelativePattern(folder, '**/.gitignore'),
        undefined,
        1000,
        token,
      );
      const gitignores = [];
      for (const g of ignores) {
        try {
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(g));
          const rel = vscode.workspace.asRelativePath(g, false).replace(/\\/g, '/');
          gitignores.push({ dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', text });
        } catch {
          // An unreadable .gitignore ignores nothing.
        }
      }
      const ignored = gitignoreFilter(gitignores);
      for (const u of yaml) {
        const rel = vscode.workspace.asRelativePath(u, false).replace(/\\/g, '/');
        if (!ignored(rel)) out.push(u);
      }
    }
    return out.sort((a, b) => a.toString().localeCompare(b.toString()));
  }
}
