// SPDX-License-Identifier: Apache-2.0
// @ts-check
// The extension as the workbench sees it: active, every command of the manifest registered, and
// a settings change (a rule turned off through `ciliumPolicy.rules`) taking effect without reload.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');
const { RULE_OFF, locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

describe('activation, commands and settings', () => {
  it('activates and registers every command its manifest contributes', async () => {
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    assert.ok(ext, `${h.EXTENSION_ID} is loaded`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    /** @type {{ command: string }[]} */
    const contributed = ext.packageJSON.contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'the manifest contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed commands without a handler');
  });

  it('turns a rule off through ciliumPolicy.rules and back on', async () => {
    const config = () => vscode.workspace.getConfiguration('ciliumPolicy', h.workspaceRoot());
    const { doc } = await h.openFixture(RULE_OFF.file);
    const line = locate(doc.getText(), RULE_OFF.needle).line;
    const present = (/** @type {vscode.Diagnostic[]} */ ds) =>
      ds.some((d) => d.source === h.SOURCE && h.codeOf(d) === RULE_OFF.code && d.range.start.line === line);
    await h.waitForDiagnostics(doc.uri, present, `${RULE_OFF.code} on line ${line}`);
    try {
      await config().update('rules', { [RULE_OFF.code]: 'off' }, vscode.ConfigurationTarget.Workspace);
      await h.waitForDiagnostics(doc.uri, (ds) => !present(ds), `${RULE_OFF.code} to disappear once the rule is off`);
    } finally {
      await config().update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await h.waitForDiagnostics(doc.uri, present, `${RULE_OFF.code} to come back once the override is removed`);
  });

  it('opens the walkthrough sample in an untitled editor, flags its typo, and the quick fix clears it', async () => {
    await vscode.commands.executeCommand('ciliumPolicy.openSample');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is active');
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'untitled', 'nothing on disk is written');
    assert.equal(doc.languageId, 'yaml');
    const errors = (/** @type {vscode.Diagnostic[]} */ ds) =>
      ds.filter((d) => d.source === h.SOURCE && d.severity === vscode.DiagnosticSeverity.Error);
    const seen = await h.waitForDiagnostics(
      doc.uri,
      (ds) => errors(ds).length > 0,
      'the sample policy to get its error',
    );
    const target = errors(seen)[0];
    assert.ok(target);
    /** @type {vscode.CodeAction[]} */
    const actions =
      (await vscode.commands.executeCommand(
        'vscode.executeCodeActionProvider',
        doc.uri,
        target.range,
        vscode.CodeActionKind.QuickFix.value,
      )) ?? [];
    const preferred = actions.find((a) => a.isPreferred && a.edit);
    assert.ok(preferred, `a preferred quick fix is offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(/** @type {vscode.WorkspaceEdit} */ (preferred.edit)));
    await h.waitForDiagnostics(doc.uri, (ds) => errors(ds).length === 0, 'no error after the quick fix');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
