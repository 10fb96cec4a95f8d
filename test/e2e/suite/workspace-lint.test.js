// SPDX-License-Identifier: Apache-2.0
// @ts-check
// "Cilium Policy: Lint Workspace" in the extension host: a policy file nobody opened gets its
// error in the Problems panel (vscode.languages.getDiagnostics), a file a .gitignore lists and a
// YAML file without a policy get nothing.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const h = require('./helpers.js');

const DIR = 'workspace-lint';

describe('Lint Workspace', () => {
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
});
