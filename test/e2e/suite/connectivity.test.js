// SPDX-License-Identifier: Apache-2.0
// @ts-check
// PolicyTests in the Test Explorer, against `workspace/connectivity/` (a bank: the ledger's policy
// admits only the teller). The file is listed as a test item with its cases as children; the cases
// run through VS Code's own test commands (the Test Explorer's Run All, and Run Test at Cursor as
// the gutter does); the case that is wrong on purpose fails with expected and actual, both
// directions and the policy that made the ledger default-deny, and "Go to Deciding Rule" opens
// that policy; an edit to the policy that admits the auditor, saved, runs the tests again and the
// case passes. The controller is read through what the extension exports for its own tests.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
const YAML = require('yaml');
const { locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

const TEST_FILE = 'connectivity/bank-test.yaml';
const POLICIES = 'connectivity/policies.yaml';
const INVENTORY = 'connectivity/inventory.yaml';
/** The fixture marks the case it expects to fail in its name. */
const WRONG = /wrong on purpose/;

/**
 * What the extension exports of its Test Explorer controller (client/src/policy-tests.ts), as far
 * as this suite reads it.
 * @typedef {{ label: string, location: { uri: string, range: { start: { line: number } } } }} RuleLink
 * @typedef {{ state: 'passed' | 'failed' | 'errored', messages: readonly vscode.TestMessage[], rules: readonly RuleLink[] }} RecordedResult
 * @typedef {{
 *   controller: vscode.TestController,
 *   onDidRun: vscode.Event<void>,
 *   refreshFile(uri: string): Promise<void>,
 *   lastResults(): ReadonlyMap<string, RecordedResult>,
 * }} PolicyTestsApi
 */

/** @typedef {{ name: string, from: Record<string, string>, to: Record<string, string>, port: number | string, expect: string }} FixtureCase */

/** The cases of the fixture as written, in order. @returns {FixtureCase[]} */
function fixtureCases() {
  const text = fs.readFileSync(h.fileUri(TEST_FILE).fsPath, 'utf8');
  return YAML.parse(text).spec.cases;
}

/**
 * Resolves once `pred()` holds, checking now and every `ms` (the Testing API has no event for
 * items a controller adds; the interval is short and the timeout only a safety net).
 * @template T
 * @param {() => Promise<T | undefined> | T | undefined} probe
 * @param {string} what
 * @returns {Promise<T>}
 */
async function until(probe, what, ms = 250) {
  const deadline = Date.now() + h.WAIT_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${h.WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/**
 * Runs `start` and resolves after the next finished run of the controller.
 * @param {PolicyTestsApi} tests
 * @param {() => Thenable<unknown>} start
 * @param {string} what
 */
function afterRun(tests, start, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error(`timed out waiting for ${what}`))), h.WAIT_MS);
    const sub = tests.onDidRun(() => (clearTimeout(timer), sub.dispose(), resolve(undefined)));
    Promise.resolve(start()).catch((e) => (clearTimeout(timer), sub.dispose(), reject(e)));
  });
}

/** A message's text (Markdown or plain). @param {vscode.TestMessage} m */
function messageText(m) {
  return typeof m.message === 'string' ? m.message : m.message.value;
}

describe('policy tests in the Test Explorer', () => {
  /** @type {PolicyTestsApi} */
  let tests;
  /** @type {vscode.TestItem} */
  let file;
  /** @type {FixtureCase[]} */
  let cases;
  /** @type {vscode.TextDocument} */
  let doc;

  /** The recorded result of the case named `name`. @param {string} name */
  function resultOf(name) {
    /** @type {vscode.TestItem[]} */
    const children = [];
    file.children.forEach((c) => children.push(c));
    const item = children.find((c) => c.label === name);
    assert.ok(item, `no test item for the case ${name}`);
    return tests.lastResults().get(item.id);
  }

  before(async () => {
    cases = fixtureCases();
    assert.ok(cases.filter((c) => WRONG.test(c.name)).length === 1, 'the fixture has one case wrong on purpose');
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    assert.ok(ext, `extension ${h.EXTENSION_ID} is installed`);
    const api = await ext.activate();
    assert.ok(api?.policyTests, 'the extension exports its Test Explorer controller');
    tests = api.policyTests;
    ({ doc } = await h.openFixture(TEST_FILE));
    const uri = doc.uri.toString();
    // Listed once the server is up (the file's own listing answers then).
    file = await until(async () => {
      await tests.refreshFile(uri);
      const item = tests.controller.items.get(uri);
      return item && item.children.size === cases.length ? item : undefined;
    }, `the test items of ${TEST_FILE}`);
  });

  it('lists the file as a test item and every case as a child at its line', () => {
    assert.equal(file.uri?.toString(), doc.uri.toString());
    const text = doc.getText();
    /** @type {vscode.TestItem[]} */
    const children = [];
    file.children.forEach((c) => children.push(c));
    assert.deepEqual(
      children.map((c) => c.label),
      cases.map((c) => c.name),
    );
    for (const c of children) {
      const at = locate(text, `- name: ${c.label}`);
      assert.equal(c.range?.start.line, at.line, `the case ${c.label} sits on its "- name:" line`);
    }
  });

  it('runs every case from the Test Explorer: the wrong one fails with both directions and its rule', async () => {
    await afterRun(tests, () => vscode.commands.executeCommand('testing.runAll'), 'the run of all tests');
    for (const c of cases) {
      const r = resultOf(c.name);
      assert.ok(r, `the case ${c.name} has a result`);
      assert.equal(r.state, WRONG.test(c.name) ? 'failed' : 'passed', `${c.name}: ${r.messages.map(messageText)}`);
    }
    const wrong = /** @type {FixtureCase} */ (cases.find((c) => WRONG.test(c.name)));
    const r = resultOf(wrong.name);
    assert.ok(r);
    const [main] = r.messages;
    assert.ok(main, 'a failing case carries a message');
    // Shown as a diff of the expected and the actual verdict.
    assert.equal(main.expectedOutput, wrong.expect);
    assert.equal(main.actualOutput, wrong.expect === 'allow' ? 'deny' : 'allow');
    assert.equal(main.location?.uri.toString(), doc.uri.toString());
    assert.equal(main.location?.range.start.line, locate(doc.getText(), `- name: ${wrong.name}`).line);
    const text = messageText(main);
    assert.match(text, /Egress of/);
    assert.match(text, /Ingress of/);
    assert.match(text, /CiliumNetworkPolicy vault\/ledger/, text);
    // The ledger's policy made its ingress default-deny: that is the rule to follow.
    const policies = h.fileUri(POLICIES).toString();
    const link = r.rules.find((l) => l.location.uri === policies && /default-deny/.test(l.label));
    assert.ok(link, `a link to the default-deny policy in ${POLICIES}: ${JSON.stringify(r.rules)}`);
    assert.match(link.label, /^ingress: /);
  });

  it('links a passing case to the rule that allowed it', () => {
    const policiesText = fs.readFileSync(h.fileUri(POLICIES).fsPath, 'utf8');
    // The case through the teller's Kubernetes NetworkPolicy: its ingress[0] decided.
    const viaKnp = cases.find((c) => c.to.workload === 'vault/teller');
    assert.ok(viaKnp);
    const r = resultOf(viaKnp.name);
    const rule = r?.rules.find((l) => /NetworkPolicy vault\/teller ingress\[0\]/.test(l.label));
    assert.ok(rule, JSON.stringify(r?.rules));
    const teller = locate(policiesText, 'name: teller').line;
    assert.ok(rule.location.range.start.line > teller, `the rule lies in the teller's policy (line ${teller})`);
  });

  it('goes to the deciding rule from a failing case', async () => {
    const wrong = /** @type {FixtureCase} */ (cases.find((c) => WRONG.test(c.name)));
    const r = resultOf(wrong.name);
    assert.ok(r);
    const message = r.messages.find((m) => m.contextValue === 'decidingRule' && /default-deny/.test(messageText(m)));
    assert.ok(message, 'a deciding-rule message');
    await vscode.commands.executeCommand('ciliumPolicy.goToDecidingRule', { message });
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), h.fileUri(POLICIES).toString());
    const ledger = locate(editor.document.getText(), 'name: ledger').line;
    const knp = locate(editor.document.getText(), 'kind: NetworkPolicy').line;
    const line = editor.selection.start.line;
    // The selection is the place the message names: in the ledger's policy, before the teller's.
    assert.equal(line, message.location?.range.start.line);
    assert.ok(ledger <= line && line < knp, `the cursor is in the ledger's policy (line ${line})`);
    await h.openFixture(TEST_FILE);
  });

  it('runs the case under the cursor as the gutter does', async () => {
    const first = cases[0];
    assert.ok(first);
    const { editor } = await h.openFixture(TEST_FILE);
    const at = locate(editor.document.getText(), `- name: ${first.name}`);
    editor.selection = new vscode.Selection(at.line, at.character + 2, at.line, at.character + 2);
    await afterRun(tests, () => vscode.commands.executeCommand('testing.runAtCursor'), 'the run at the cursor');
    assert.equal(resultOf(first.name)?.state, 'passed');
  });

  it('follows a saved edit of the policy: the auditor admitted, the wrong case passes', async () => {
    const wrong = /** @type {FixtureCase} */ (cases.find((c) => WRONG.test(c.name)));
    const { doc: policyDoc } = await h.openFixture(POLICIES);
    const original = policyDoc.getText();
    // Admit the auditor beside the teller in the ledger's ingress (the first fromEndpoints).
    const at = locate(original, '        - matchLabels:\n            app: teller\n');
    const insert = '        - matchLabels:\n            app: auditor\n';
    const edit = new vscode.WorkspaceEdit();
    edit.insert(policyDoc.uri, new vscode.Position(at.line, 0), insert);
    try {
      assert.ok(await vscode.workspace.applyEdit(edit));
      await afterRun(tests, () => policyDoc.save(), 'the run after saving the policy');
      assert.equal(
        resultOf(wrong.name)?.state,
        'passed',
        JSON.stringify(resultOf(wrong.name)?.messages.map(messageText)),
      );
    } finally {
      const undo = new vscode.WorkspaceEdit();
      undo.replace(policyDoc.uri, new vscode.Range(0, 0, policyDoc.lineCount, 0), original);
      await vscode.workspace.applyEdit(undo);
      await afterRun(tests, () => policyDoc.save(), 'the run after restoring the policy');
    }
    assert.equal(resultOf(wrong.name)?.state, 'failed');
  });
});

/**
 * The policies of the fixture that make a workload's ingress default-deny: those with ingress rules
 * whose selector (`endpointSelector` or `podSelector`) asks for the workload's `app` label, in its
 * namespace. Read from the fixture, not written down.
 * @param {string} app @param {string} namespace
 */
function ingressPoliciesOf(app, namespace) {
  const text = fs.readFileSync(h.fileUri(POLICIES).fsPath, 'utf8');
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((p) => {
      const selector = p.spec?.endpointSelector ?? p.spec?.podSelector;
      return (
        p.metadata?.namespace === namespace && selector?.matchLabels?.app === app && Array.isArray(p.spec?.ingress)
      );
    })
    .map((p) => `${p.kind} ${namespace}/${p.metadata.name}`);
}

describe('effective policy on a workload manifest', () => {
  it('hovers a Deployment name with its effective policy and the policies behind it', async () => {
    const { doc } = await h.openFixture(INVENTORY);
    for (const name of ['ledger', 'teller']) {
      const want = ingressPoliciesOf(name, 'vault');
      assert.equal(want.length, 1, `one policy makes ${name}'s ingress default-deny: ${want.join(', ')}`);
      const at = locate(doc.getText(), `name: ${name}\n  namespace: vault`, name);
      // The workspace's inventory is read in the background: hover until the workload is in it.
      const text = await until(async () => {
        /** @type {vscode.Hover[]} */
        const hovers = await vscode.commands.executeCommand(
          'vscode.executeHoverProvider',
          doc.uri,
          new vscode.Position(at.line, at.character + 1),
        );
        const t = h.hoverText(hovers);
        return /Effective policy/.test(t) && !/Not in the current inventory/.test(t) ? t : undefined;
      }, `the effective-policy hover of ${name}`);
      assert.ok(text.includes(`\`Deployment\` \`vault/${name}\``), text);
      assert.match(text, /Ingress: \*\*default-deny\*\*, because of \[/);
      assert.ok(text.includes(`[${want[0]}](`), `${want[0]} linked: ${text}`);
      assert.match(text, /Egress: \*\*allow-all\*\*/);
    }
  });
});
