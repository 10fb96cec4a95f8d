// SPDX-License-Identifier: Apache-2.0
// @ts-check
// "Cilium Policy: Lint Workspace" in the extension host: a policy file nobody opened gets its
// error in the Problems panel (vscode.languages.getDiagnostics), a file a .gitignore lists and a
// YAML file without a policy get nothing. Then the results follow the files on disk (changed,
// deleted, created) through VS Code's file watcher, the user's global git excludes file
// ($XDG_CONFIG_HOME/git/ignore, which the runner points at a scratch directory) is honoured, and
// "Clear Workspace Lint Results" empties the Problems panel of them.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vscode = require('vscode');
const h = require('./helpers.js');

const DIR = 'workspace-lint';

describe('Lint Workspace', () => {
  before(async () => {
    // The command needs the running server: a diagnostic of an open broken file says it runs
    // (this file may run alone, E2E_ONLY=workspace-lint, before any other test started it).
    const { doc } = await h.openFixture('invalid-port.yaml');
    await h.waitForDiagnostics(doc.uri, (list) => list.some((d) => d.source === h.SOURCE), 'the server to lint');
  });

  it('publishes the errors of closed policy files, and skips ignored and non-policy files', async () => {
    const bad = h.fileUri(`${DIR}/closed-bad.yaml`);
    const ignored = h.fileUri(`${DIR}/ignored/ignored-bad.yaml`);
    const plain = h.fileUri(`${DIR}/plain-config.yaml`);
    // Control: before the command nothing is known about the closed file.
    assert.deepEqual(h.ours(bad), [], 'no diagnostics before Lint Workspace');
    await vscode.commands.executeCommand('ciliumPolicy.lintWorkspace');
    const found = await h.waitForDiagnostics(
      bad,
      (list) => list.some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      `an error for ${DIR}/closed-bad.yaml`,
    );
    assert.ok(
      found.some((d) => h.codeOf(d) === 'cilium/invalid-port'),
      h.describeDiagnostics(found),
    );
    assert.deepEqual(h.ours(ignored), [], 'the .gitignore-d file is left alone');
    assert.deepEqual(h.ours(plain), [], 'a YAML file without a policy gets nothing');
  });

  it('follows closed files on disk, honours the global git excludes file, and clears its results', async () => {
    const bad = h.fileUri(`${DIR}/closed-bad.yaml`);
    const badText = fs.readFileSync(bad.fsPath, 'utf8');
    const goodText = badText.replace('"80-90"', '"80"');
    /** A copy of closed-bad with its own name, so cross-document rules see no duplicates. @param {string} name @param {string} text */
    const policy = (name, text) => text.replace('name: closed-bad', `name: ${name}`);
    const follow = h.fileUri(`${DIR}/follow.yaml`);
    const created = h.fileUri(`${DIR}/created-later.yaml`);
    const globallyIgnored = h.fileUri(`${DIR}/scratch.global-ignored.yaml`);
    // git reads $XDG_CONFIG_HOME/git/ignore when no config names another excludes file.
    const xdg = process.env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config');
    const globalIgnore = path.join(xdg, 'git', 'ignore');
    const hadIgnore = fs.existsSync(globalIgnore) ? fs.readFileSync(globalIgnore, 'utf8') : undefined;
    const hasError = (/** @type {vscode.Diagnostic[]} */ list) =>
      list.some((d) => d.source === h.SOURCE && d.severity === vscode.DiagnosticSeverity.Error);
    try {
      fs.mkdirSync(path.dirname(globalIgnore), { recursive: true });
      fs.writeFileSync(globalIgnore, `${hadIgnore ?? ''}\n*.global-ignored.yaml\n`);
      fs.writeFileSync(globallyIgnored.fsPath, policy('global-ignored', badText));
      fs.writeFileSync(follow.fsPath, policy('follow', goodText));
      await vscode.commands.executeCommand('ciliumPolicy.lintWorkspace');
      await h.waitForDiagnostics(bad, hasError, 'the error of closed-bad.yaml');
      assert.deepEqual(h.ours(globallyIgnored), [], 'the file the global excludes file lists is left alone');
      assert.ok(!hasError(h.ours(follow)), h.describeDiagnostics(h.ours(follow)));

      // Changed on disk while closed: linted again.
      fs.writeFileSync(follow.fsPath, policy('follow', badText));
      await h.waitForDiagnostics(follow, hasError, 'follow.yaml linted again after it changed on disk');
      // Deleted: its results go.
      fs.rmSync(follow.fsPath);
      await h.waitForDiagnostics(
        follow,
        (list) => !list.some((d) => d.source === h.SOURCE),
        'follow.yaml results gone after it was deleted',
      );
      // Created after the run: it goes through the same filters and is linted.
      fs.writeFileSync(created.fsPath, policy('created-later', badText));
      await h.waitForDiagnostics(created, hasError, 'created-later.yaml linted once created');

      await vscode.commands.executeCommand('ciliumPolicy.clearWorkspaceLint');
      await h.waitForDiagnostics(bad, (list) => !list.some((d) => d.source === h.SOURCE), 'closed-bad.yaml cleared');
      await h.waitForDiagnostics(
        created,
        (list) => !list.some((d) => d.source === h.SOURCE),
        'created-later.yaml cleared',
      );
    } finally {
      for (const u of [follow, created, globallyIgnored]) fs.rmSync(u.fsPath, { force: true });
      if (hadIgnore === undefined) fs.rmSync(globalIgnore, { force: true });
      else fs.writeFileSync(globalIgnore, hadIgnore);
    }
  });
});
