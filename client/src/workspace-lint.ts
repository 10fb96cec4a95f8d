// SPDX-License-Identifier: Apache-2.0
/**
 * `ciliumPolicy.lintWorkspace`: fills the Problems panel for every policy file of the workspace.
 * VS Code's file search finds the YAML files (honouring `files.exclude`), the folders'
 * `.gitignore` files, the repository's `.git/info/exclude` and the user's global excludes file
 * (`core.excludesFile`, read from the git config files: git is never run) leave out what git
 * ignores, and the server lints the rest in batches (`ciliumPolicy/lintFiles`), publishing
 * diagnostics as each batch finishes, under a cancellable progress notification.
 *
 * The results then stay current: the server lints a covered file again when it changes on disk or
 * is closed, and drops it when it is deleted; a YAML file created afterwards goes through the same
 * filters and is linted; a later run drops the results of files it no longer covers; and
 * `ciliumPolicy.clearWorkspaceLint` removes them all (`ciliumPolicy/clearLintFiles`).
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClearLintFilesRequest, LintFilesRequest } from '../../server/src/protocol.js';
import type { ServerLink } from './server-link.js';
import {
  batches,
  excludesFilePath,
  excludesFileSetting,
  gitignoreFilter,
  progressText,
  resultText,
  staleUris,
  type GitignoreFile,
  type LintTotals,
  type RepositoryExcludes,
} from './workspace-lint-model.js';

/** Files per request: small enough that results show up while the rest is linted. */
const BATCH = 25;
/** Most YAML files one run looks at. */
const MAX_FILES = 20_000;
/** Git config and ignore files larger than this are not read (they are a few lines). */
const MAX_GIT_FILE = 1024 * 1024;

async function readSmall(file: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile() || st.size > MAX_GIT_FILE) return undefined;
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The repository a folder is in: its work tree root and the directory holding `config` and `info/`. */
async function repositoryOf(folder: string): Promise<{ root: string; commonDir: string } | undefined> {
  for (let dir = folder; ;) {
    const dotGit = path.join(dir, '.git');
    try {
      const st = await fs.stat(dotGit);
      if (st.isDirectory()) return { root: dir, commonDir: dotGit };
      // A linked work tree or a submodule: `.git` is a file naming the git directory.
      const link = /^gitdir:\s*(.+)$/m.exec((await readSmall(dotGit)) ?? '');
      if (link) {
        const gitDir = path.resolve(dir, link[1]!.trim());
        const common = (await readSmall(path.join(gitDir, 'commondir')))?.trim();
        return { root: dir, commonDir: common ? path.resolve(gitDir, common) : gitDir };
      }
    } catch {
      // No `.git` here: look further up.
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The patterns git applies besides `.gitignore` files: the global excludes file (named by
 * `core.excludesFile` in the system, global or repository config, else the XDG default) and
 * `.git/info/exclude`. The global file is honoured outside a repository too, like `.gitignore`.
 */
export async function repositoryExcludes(folder: string): Promise<RepositoryExcludes> {
  const home = os.homedir();
  const xdg = process.env['XDG_CONFIG_HOME'];
  const repo = await repositoryOf(folder);
  const globalConfigs = process.env['GIT_CONFIG_GLOBAL']
    ? [process.env['GIT_CONFIG_GLOBAL']]
    : [path.join(xdg ? xdg : path.join(home, '.config'), 'git', 'config'), path.join(home, '.gitconfig')];
  const configFiles = [
    ...(process.env['GIT_CONFIG_NOSYSTEM'] ? [] : ['/etc/gitconfig']),
    ...globalConfigs,
    ...(repo ? [path.join(repo.commonDir, 'config')] : []),
  ];
  const configs: string[] = [];
  for (const f of configFiles) {
    const text = await readSmall(f);
    if (text !== undefined) configs.push(text);
  }
  let globalFile = excludesFilePath(excludesFileSetting(configs), { home, ...(xdg ? { xdgConfigHome: xdg } : {}) });
  if (!path.isAbsolute(globalFile)) globalFile = path.resolve(repo?.root ?? folder, globalFile);
  const texts: string[] = [];
  const global = await readSmall(globalFile);
  if (global !== undefined) texts.push(global);
  const info = repo ? await readSmall(path.join(repo.commonDir, 'info', 'exclude')) : undefined;
  if (info !== undefined) texts.push(info);
  const prefix = repo ? path.relative(repo.root, folder).split(path.sep).join('/') : '';
  return { prefix: prefix.startsWith('..') ? '' : prefix, texts };
}

export class WorkspaceLint implements vscode.Disposable {
  /** URIs the last runs covered (the server follows them until they are cleared). */
  private covered = new Set<string>();
  /** Per folder, the ignore test of the last run (for files created afterwards). */
  private readonly filters = new Map<string, (relative: string) => boolean>();
  private watcher: vscode.Disposable | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {
    // A restarted server knows nothing of the files it linted: it lints them again, quietly.
    this.disposables.push(
      link.onDidChangeReady((ready) => {
        if (ready && this.covered.size > 0) void this.relint([...this.covered]);
      }),
    );
  }

  async run(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Cilium Policy: open a folder to lint its policy files.');
      return;
    }
    const totals: LintTotals = { scanned: 0, policyFiles: 0, errors: 0, warnings: 0, unreadable: 0 };
    let cancelled = false;
    const sent: string[] = [];
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
          const uris = batch.map((u) => u.toString());
          const result = await this.link.request(LintFilesRequest.type, { uris });
          sent.push(...uris);
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
        if (token.isCancellationRequested) cancelled = true;
      },
    );
    if (cancelled) {
      for (const u of sent) this.covered.add(u);
    } else {
      // Files the previous run covered that this one does not (deleted, now ignored): their results go.
      const stale = staleUris(this.covered, sent);
      this.covered = new Set(sent);
      for (const uris of batches(stale, 200)) await this.link.request(ClearLintFilesRequest.type, { uris });
    }
    this.follow();
    const message = resultText(totals, cancelled);
    this.output.appendLine(message);
    // Not awaited: the command ends when the lint does, not when the notification is dismissed.
    void vscode.window
      .showInformationMessage(`Cilium Policy: ${message}`, 'Show Problems', 'Clear Results')
      .then((choice) => {
        if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        else if (choice === 'Clear Results') void this.clear();
      });
  }

  /** `ciliumPolicy.clearWorkspaceLint`: removes every result of Lint Workspace from the Problems panel. */
  async clear(): Promise<void> {
    this.watcher?.dispose();
    this.watcher = undefined;
    this.covered.clear();
    this.filters.clear();
    const result = await this.link.request(ClearLintFilesRequest.type, {});
    this.output.appendLine(`Lint Workspace: cleared the results of ${result.cleared} file(s).`);
  }

  /** After a run: YAML files created later go through the run's filters and are linted. */
  private follow(): void {
    if (this.watcher) return;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}', false, true, true);
    watcher.onDidCreate((uri) => {
      this.created(uri).catch((e: unknown) =>
        this.output.appendLine(
          `Lint Workspace: linting ${uri.toString()} failed: ${(e as Error)?.message ?? String(e)}`,
        ),
      );
    });
    this.watcher = watcher;
  }

  private async created(uri: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const ignored = folder ? this.filters.get(folder.uri.toString()) : undefined;
    if (!folder || !ignored || !this.link.ready) return;
    const rel = path.posix.relative(folder.uri.path, uri.path);
    if (ignored(rel)) return;
    // `files.exclude`: the file search of that one path says whether it is excluded.
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, rel), undefined, 1);
    if (found.length === 0) return;
    this.covered.add(uri.toString());
    await this.link.request(LintFilesRequest.type, { uris: [uri.toString()] });
  }

  private async relint(uris: string[]): Promise<void> {
    try {
      for (const batch of batches(uris, BATCH)) await this.link.request(LintFilesRequest.type, { uris: batch });
    } catch (e) {
      this.output.appendLine(
        `Lint Workspace: linting again after a restart failed: ${(e as Error)?.message ?? String(e)}`,
      );
    }
  }

  /** The YAML files of the folders, without what `files.exclude`, a `.gitignore` or git's excludes leave out. */
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
      const gitignores: GitignoreFile[] = [];
      for (const g of ignores) {
        try {
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(g));
          const rel = path.posix.relative(folder.uri.path, g.path);
          gitignores.push({ dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', text });
        } catch {
          // An unreadable .gitignore ignores nothing.
        }
      }
      const excludes = folder.uri.scheme === 'file' ? await repositoryExcludes(folder.uri.fsPath) : undefined;
      const ignored = gitignoreFilter(gitignores, excludes);
      this.filters.set(folder.uri.toString(), ignored);
      for (const u of yaml) {
        if (!ignored(path.posix.relative(folder.uri.path, u.path))) out.push(u);
      }
    }
    return out.sort((a, b) => a.toString().localeCompare(b.toString()));
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
