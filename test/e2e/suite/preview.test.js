// SPDX-License-Identifier: Apache-2.0
// @ts-check
// The endpoint preview against the workspace inventory (the workloads of `apps.yaml`): the
// CodeLens above the endpoint selector names the workloads it selects, its command exists, and the
// client's exported preview API (when the extension exports one) returns the same workloads.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
const YAML = require('yaml');
const { PREVIEW, locate, workloadsMatching } = require('../lib/expectations.js');
const h = require('./helpers.js');

describe('endpoint preview', () => {
  /** @type {string[]} */
  let expected = [];
  /** @type {vscode.TextDocument} */
  let doc;

  before(async () => {
    const manifests = fs.readFileSync(h.fileUri(PREVIEW.workloads).fsPath, 'utf8');
    expected = workloadsMatching(manifests, PREVIEW.selectorLabel, (t) =>
      YAML.parseAllDocuments(t).map((d) => d.toJS()),
    );
    assert.ok(expected.length >= 2, `the fixture selects several workloads: ${expected.join(', ')}`);
    ({ doc } = await h.openFixture(PREVIEW.file));
    // The selects-nothing finding only exists once the workspace inventory is loaded: waiting for
    // it is waiting for the inventory, on an event rather than a clock.
    await h.waitForCode(doc.uri, PREVIEW.nothingCode);
  });

  it('reports the peer that matches no workload', () => {
    const at = locate(doc.getText(), PREVIEW.nothingNeedle);
    const hits = h.ours(doc.uri).filter((d) => h.codeOf(d) === PREVIEW.nothingCode);
    assert.equal(hits.length, 1, h.describeDiagnostics(hits));
    // The finding sits on the selector item that holds the label (the line above it, or the label itself).
    assert.ok(
      Math.abs(hits[0].range.start.line - at.line) <= 1,
      `${h.describeDiagnostics(hits)} vs label on line ${at.line}`,
    );
    assert.equal(hits[0].severity, vscode.DiagnosticSeverity.Warning);
  });

  it('shows a CodeLens above the endpoint selector naming the workloads it selects', async () => {
    /** @type {vscode.CodeLens[]} */
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    const selectorLine = locate(doc.getText(), 'endpointSelector:').line;
    const lens = lenses.find((l) => l.range.start.line === selectorLine);
    assert.ok(
      lens?.command,
      `no CodeLens on line ${selectorLine}: ${JSON.stringify(lenses.map((l) => [l.range.start.line, l.command?.title]))}`,
    );
    assert.equal(lens.command.title, `selects ${expected.length} workloads: ${expected.join(', ')}`);
  });

  it('registers the command the CodeLens runs', async () => {
    /** @type {vscode.CodeLens[]} */
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    const ids = new Set(lenses.map((l) => l.command?.command).filter(Boolean));
    assert.ok(ids.size > 0, 'the lenses carry a command');
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of ids)
      assert.ok(
        registered.has(/** @type {string} */ (id)),
        `the CodeLens command ${id} is not registered by the extension`,
      );
  });

  it('opens the preview panel for the policy through the command the CodeLens runs', async () => {
    const at = locate(doc.getText(), 'endpointSelector:');
    const previewTab = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && /Endpoint Preview/.test(t.label));
    /** @type {Promise<vscode.Tab>} */
    const opened = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => (sub.dispose(), reject(new Error('timed out waiting for the Endpoint Preview tab'))),
        h.WAIT_MS,
      );
      const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
        const tab = previewTab();
        if (tab) (clearTimeout(timer), sub.dispose(), resolve(tab));
      });
    });
    /** @type {vscode.CodeLens[]} */
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    const lens = lenses.find((l) => l.range.start.line === at.line);
    assert.ok(lens?.command, 'a CodeLens on the endpoint selector');
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
    const tab = previewTab() ?? (await opened);
    assert.ok(tab.input instanceof vscode.TabInputWebview);
    // The panel's content lives in a webview the extension host cannot read; the UI check reads it.
  });
});
