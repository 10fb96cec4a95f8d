// SPDX-License-Identifier: Apache-2.0
// @ts-check
// The Tetragon dry run and kernel targets in the extension host: "Dry-Run Against Events…" (run
// with an events path, as a keybinding can; the UI check goes through the file dialog) puts a
// match count on the selectors as CodeLenses; an edit re-runs it; a declared kernel target that
// cannot load an LSM hook gets the tetragon/kernel-targets diagnostic. The expected counts are
// worked out here from the fixture's events and the policy's selector, not taken from the server.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
const YAML = require('yaml');
const { locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

const POLICY = 'dryrun/block-readers.yaml';
const EVENTS = 'dryrun/events.jsonl';
const LSM = 'dryrun/lsm-policy.yaml';

/**
 * The recorded kprobe events that the first selector (matchBinaries In, in pods of the policy's
 * podSelector) matches: every event of the fixture is on sys_openat, the policy's only hook.
 * @param {string} policyText @param {string} eventsText
 */
function firstSelectorMatches(policyText, eventsText) {
  const spec = YAML.parse(policyText).spec;
  const binaries = spec.kprobes[0].selectors[0].matchBinaries[0].values;
  const labels = spec.podSelector.matchLabels;
  return eventsText
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).process_kprobe)
    .filter(Boolean)
    .filter((e) => /sys_openat$/.test(e.function_name))
    .filter((e) => binaries.includes(e.process.binary))
    .filter((e) => Object.entries(labels).every(([k, v]) => e.process.pod?.pod_labels?.[k] === v)).length;
}

/**
 * Polls the CodeLens provider (the server pushes no event a test can wait on) until a lens on
 * `line` has a title matching `re`.
 * @param {vscode.Uri} uri @param {number} line @param {RegExp} re
 */
async function waitForLens(uri, line, re) {
  const until = Date.now() + h.WAIT_MS;
  /** @type {vscode.CodeLens[]} */
  let lenses = [];
  while (Date.now() < until) {
    lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100);
    const hit = lenses.find((l) => l.range.start.line === line && re.test(l.command?.title ?? ''));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no lens ${re} on line ${line}: ${JSON.stringify(lenses.map((l) => [l.range.start.line, l.command?.title]))}`,
  );
}

describe('Tetragon dry run and kernel targets', () => {
  it('registers the dry-run commands', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of ['ciliumPolicy.dryRun', 'ciliumPolicy.clearDryRun']) assert.ok(registered.has(id), id);
  });

  it('puts match counts on the selectors after "Dry-Run Against Events…", and re-runs as the policy is edited', async () => {
    const { doc, editor } = await h.openFixture(POLICY);
    const events = h.fileUri(EVENTS).fsPath;
    const eventsText = fs.readFileSync(events, 'utf8');
    const expected = firstSelectorMatches(doc.getText(), eventsText);
    assert.ok(expected >= 2, `the fixture's Sigkill selector matches several events (${expected})`);
    await vscode.commands.executeCommand('ciliumPolicy.dryRun', doc.uri, events);
    const selectorLine = locate(doc.getText(), '- matchBinaries:').line;
    const lens = await waitForLens(doc.uri, selectorLine, /^Dry run: /);
    assert.equal(lens.command?.title, `Dry run: ${expected} matches (Sigkill)`);
    assert.equal(lens.command?.command, 'ciliumPolicy.showPreview');

    // Drop one binary from the Sigkill selector: the count follows without asking again.
    const lessAt = locate(doc.getText(), '- /usr/bin/less');
    await editor.edit((b) => b.delete(new vscode.Range(lessAt.line, 0, lessAt.line + 1, 0)));
    const after = firstSelectorMatches(doc.getText(), eventsText);
    assert.ok(after < expected, `fewer matches after the edit (${after} < ${expected})`);
    const again = await waitForLens(doc.uri, selectorLine, new RegExp(`^Dry run: ${after} match`));
    assert.equal(again.command?.title, `Dry run: ${after} match${after === 1 ? '' : 'es'} (Sigkill)`);
    // Revert acts on the active editor: the dry run's panel may have taken the focus meanwhile.
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(!doc.isDirty, 'the edit was reverted');

    // The recording grows (a live export): the open panel runs again and the count follows.
    const kill = eventsText.split('\n')[1];
    fs.appendFileSync(events, `${kill}\n`);
    const grown = firstSelectorMatches(doc.getText(), fs.readFileSync(events, 'utf8'));
    assert.equal(grown, expected + 1);
    await waitForLens(doc.uri, selectorLine, new RegExp(`^Dry run: ${grown} matches`));
    await vscode.commands.executeCommand('ciliumPolicy.clearDryRun', doc.uri);
  });

  describe('with a declared kernel target', () => {
    const config = () => vscode.workspace.getConfiguration('ciliumPolicy');
    before(async () => {
      await config().update(
        'tetragon.targets',
        [{ name: 'edge-arm', arch: 'arm64', kernel: '5.4.0' }],
        vscode.ConfigurationTarget.Workspace,
      );
    });
    after(async () => {
      await config().update('tetragon.targets', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('reports the LSM hook the target cannot load, on the hook', async () => {
      const { doc } = await h.openFixture(LSM);
      const all = await h.waitForCode(doc.uri, 'tetragon/kernel-targets');
      const hits = all.filter((d) => h.codeOf(d) === 'tetragon/kernel-targets');
      assert.ok(
        hits.some((d) => /edge-arm/.test(d.message) && d.severity === vscode.DiagnosticSeverity.Error),
        h.describeDiagnostics(hits) + hits.map((d) => d.message).join(' | '),
      );
      const hookLine = locate(doc.getText(), 'hook: file_open').line;
      assert.ok(
        hits.some((d) => d.range.start.line === hookLine),
        `a finding on the hook (line ${hookLine}): ${h.describeDiagnostics(hits)}`,
      );
    });
  });
});
