// SPDX-License-Identifier: Apache-2.0
// @ts-check
// Editing features through VS Code's own command layer (the same path the editor UI takes):
// completion, hover, a quick fix applied as a workspace edit, and the starter snippets where a document starts.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { BROKEN, QUICK_FIX, locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

describe('completion, hover, quick fix and snippets', () => {
  it('completes the enum values of `protocol`', async () => {
    const { doc } = await h.openFixture('completion.yaml');
    const line = locate(doc.getText(), 'protocol: \n').line;
    const at = new vscode.Position(line, doc.lineAt(line).text.length);
    /** @type {vscode.CompletionList} */
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, at);
    const labels = h.completionLabels(list);
    for (const p of ['TCP', 'UDP', 'ANY']) assert.ok(labels.includes(p), `${p} missing from ${labels.join(', ')}`);
  });

  it('completes the keys of an egress rule', async () => {
    const { doc } = await h.openFixture('completion.yaml');
    const lines = doc.getText().split('\n');
    const line = lines.lastIndexOf('    - ');
    assert.ok(line > 0, 'the fixture ends with an empty egress item');
    /** @type {vscode.CompletionList} */
    const list = await vscode.commands.executeCommand(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      new vscode.Position(line, 6),
    );
    const labels = h.completionLabels(list);
    for (const k of ['toEndpoints', 'toFQDNs', 'toPorts', 'toCIDRSet'])
      assert.ok(labels.includes(k), `${k} missing from ${labels.join(', ')}`);
  });

  for (const fx of BROKEN.filter((b) => ['CiliumNetworkPolicy', 'TracingPolicy'].includes(b.kind))) {
    it(`hovers \`${fx.hoverKey}\` in a ${fx.kind} with the description from our schema`, async () => {
      const { doc } = await h.openFixture(fx.file);
      const at = locate(doc.getText(), `${fx.hoverKey}:`);
      /** @type {vscode.Hover[]} */
      const hovers = await vscode.commands.executeCommand(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(at.line, at.character + 2),
      );
      const text = h.words(h.hoverText(hovers));
      const expected = h.schemaDescriptions(fx.hoverKey).map(h.words);
      assert.ok(expected.length > 0, `our schemas describe ${fx.hoverKey}`);
      assert.ok(
        expected.some((e) => text.includes(e.slice(0, 40))),
        `hover ${JSON.stringify(text.slice(0, 300))} shows none of ${JSON.stringify(expected.map((e) => e.slice(0, 40)))}`,
      );
    });
  }

  it('applies the preferred quick fix and its diagnostic goes away', async () => {
    const { doc } = await h.openFixture(QUICK_FIX.file);
    const all = await h.waitForCode(doc.uri, QUICK_FIX.code);
    const start = locate(doc.getText(), QUICK_FIX.needle, QUICK_FIX.bad);
    const diag = all.find((d) => h.codeOf(d) === QUICK_FIX.code && d.range.start.line === start.line);
    assert.ok(diag, h.describeDiagnostics(all));
    /** @type {vscode.CodeAction[]} */
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === QUICK_FIX.title);
    assert.ok(fix, `no "${QUICK_FIX.title}" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(fix.edit, 'the fix carries its edit');
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applied');
    assert.equal(doc.lineAt(start.line).text.trim(), `${QUICK_FIX.fixed}: shop`);
    await h.waitForDiagnostics(
      doc.uri,
      (ds) => !ds.some((d) => d.source === h.SOURCE && h.codeOf(d) === QUICK_FIX.code),
      `the ${QUICK_FIX.code} diagnostic to go away`,
    );
    // Leave the scratch file as it was for anything that opens it later.
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('offers the starter snippets where a document starts, and only there', async () => {
    const snippets = JSON.parse(fs.readFileSync(path.join(h.REPO_ROOT, 'snippets', 'cilium.json'), 'utf8'));
    const name = Object.keys(snippets).find((k) => k.startsWith('CiliumNetworkPolicy'));
    assert.ok(name, 'snippets/cilium.json has a CiliumNetworkPolicy snippet');
    const { prefix } = snippets[name];
    const body = /** @type {string[]} */ ([].concat(snippets[name].body));
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: prefix.slice(0, 5) });
    const editor = await vscode.window.showTextDocument(doc);
    /** @type {vscode.CompletionList} */
    const list = await vscode.commands.executeCommand(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      new vscode.Position(0, 5),
    );
    const item = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === prefix);
    assert.ok(item, `${prefix} is offered at the start of a document`);
    const edit = /** @type {{ range: vscode.Range, newText: string } | undefined} */ (
      item.textEdit ?? (item.range ? { range: item.range, newText: String(item.insertText) } : undefined)
    );
    const insert = item.insertText instanceof vscode.SnippetString ? item.insertText.value : String(item.insertText);
    const range = item.range && 'replacing' in item.range ? item.range.replacing : (item.range ?? edit?.range);
    assert.ok(range, 'the item says what it replaces');
    // The typed prefix is replaced, not left in front of the document.
    assert.equal(doc.getText(/** @type {vscode.Range} */ (range)), prefix.slice(0, 5));
    await editor.insertSnippet(new vscode.SnippetString(insert), /** @type {vscode.Range} */ (range));
    const text = doc.getText();
    assert.match(text, /^apiVersion: cilium\.io\/v2$/m);
    assert.match(text, /^kind: CiliumNetworkPolicy$/m);
    assert.ok(!text.includes(`${prefix.slice(0, 5)}apiVersion`), 'no stray text before the document');
    // Every line of the body without a tab stop or variable comes out verbatim.
    for (const line of body.filter((l) => !l.includes('$')))
      assert.ok(text.split('\n').includes(line), `line ${JSON.stringify(line)} missing from:\n${text}`);
    // Inside the document, no whole-document starter is offered.
    const specLine = text.split('\n').findIndex((l) => l.startsWith('spec:'));
    /** @type {vscode.CompletionList} */
    const inside = await vscode.commands.executeCommand(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      new vscode.Position(specLine + 1, 2),
    );
    const starters = inside.items.filter((i) =>
      /^(cnp|ccnp|cec|ccec|tp)-/.test(String(typeof i.label === 'string' ? i.label : i.label.label)),
    );
    assert.deepEqual(
      starters.map((i) => i.label),
      [],
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
