// SPDX-License-Identifier: Apache-2.0
// @ts-check
// "Compare Connectivity with…" and "Generate Policy from Flows…" in the editor. The workspace copy
// is made a git repository here (the real git, everything committed). Comparing with the picker's
// default (HEAD) shows no change and no status bar item; an unsaved edit that takes the teller out
// of the ledger's policy makes the item say "+0 −N flows" with the teller → ledger connection
// newly denied and decided in the edited file; reverting the edit hides the item again. With the
// replay fixture's flow log loaded, the picker's first workload (the busiest) gets a generated
// policy and PolicyTest in a new untitled document that lints clean, and its cases run in the Test
// Explorer: the generated policy admits the API's side of every case; a case fails only where the
// workspace's own policies make the peer's egress default-deny (the LSP test runs it alone, where
// every case passes).
'use strict';

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const vscode = require('vscode');
const h = require('./helpers.js');

const POLICIES = 'connectivity/policies.yaml';
const FLOWS = 'replay/flows.jsonl';

/**
 * What the extension exports for its own tests, as far as this suite reads it.
 * @typedef {{ verdict: string, decidedBy: { uri: string }[] }} CompareDirection
 * @typedef {{ source: string, destination: string, before: string, after: string, egress: CompareDirection, ingress: CompareDirection }} CompareChange
 * @typedef {{ error?: string, commit: string, cells: number, newlyAllowed: number, newlyDenied: number, namespaces: { namespace: string, changes: CompareChange[] }[] }} CompareResult
 * @typedef {{ text: string, tooltip: string, warning: boolean }} StatusView
 * @typedef {{ revision: string | undefined, status: { result: CompareResult | undefined, view: StatusView | undefined, visible: boolean }, stop(): Promise<void> }} CompareApi
 * @typedef {{ state: 'passed' | 'failed' | 'errored', messages: readonly vscode.TestMessage[], rules: readonly { label: string }[] }} RecordedResult
 * @typedef {{ controller: vscode.TestController, refreshFile(uri: string): Promise<void>, run(request: vscode.TestRunRequest): Promise<void>, lastResults(): ReadonlyMap<string, RecordedResult> }} PolicyTestsApi
 */

/** Runs the real git in the workspace, without the user's configuration. @param {string[]} args */
function git(...args) {
  const r = spawnSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], {
    cwd: h.workspaceRoot().fsPath,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Resolves with `probe()`'s first defined value, checking every `ms`.
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
 * Runs a command that opens a quick pick and accepts the item the picker selects first (what
 * pressing Enter does), retrying until the command has finished.
 * @param {string} command
 * @param {() => boolean} accepted
 * @param {string} what
 */
async function acceptDefault(command, accepted, what) {
  let finished = false;
  const running = Promise.resolve(vscode.commands.executeCommand(command)).finally(() => (finished = true));
  await until(
    async () => {
      if (finished || accepted()) return true;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return undefined;
    },
    what,
    400,
  );
  await running;
}

describe('Compare Connectivity with… and Generate Policy from Flows…', () => {
  /** @type {CompareApi} */
  let compare;
  /** @type {PolicyTestsApi} */
  let tests;

  before(async () => {
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    assert.ok(ext, `extension ${h.EXTENSION_ID} is installed`);
    const api = await ext.activate();
    assert.ok(api?.compare && api?.policyTests, 'the extension exports its comparison and its tests');
    compare = api.compare;
    tests = api.policyTests;
    // The server is up once it lists a file's PolicyTests.
    const bank = h.fileUri('connectivity/bank-test.yaml').toString();
    await until(async () => {
      await tests.refreshFile(bank);
      return tests.controller.items.get(bank) ? true : undefined;
    }, 'the language server');
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'e2e workspace');
  });

  after(async () => {
    await compare?.stop();
  });

  it('compares with HEAD from the picker: no change, no item; an unsaved edit shows "+0 −N flows"', async () => {
    const { doc, editor } = await h.openFixture(POLICIES);
    await acceptDefault(
      'ciliumPolicy.compareConnectivity',
      () => compare.revision === 'HEAD',
      'the revision picker to take HEAD',
    );
    assert.equal(compare.revision, 'HEAD', 'the picker’s default is HEAD');
    // Until the server has read the workspace, its working tree is empty: wait for the settled answer.
    const clean = await until(() => {
      const r = compare.status.result;
      return r && r.cells > 0 && r.newlyAllowed + r.newlyDenied === 0 ? r : undefined;
    }, 'a comparison without change');
    assert.equal(clean.error, undefined);
    assert.equal(clean.commit, git('rev-parse', 'HEAD').trim());
    assert.deepEqual([clean.newlyAllowed, clean.newlyDenied], [0, 0]);
    assert.equal(compare.status.visible, false, 'no item while nothing changes');

    // Take the teller out of the ledger's policy, without saving.
    const text = doc.getText();
    const at = text.indexOf('app: teller');
    assert.ok(at > 0, 'the fixture admits the teller');
    await editor.edit((e) =>
      e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'app: teller'.length)), 'app: nobody'),
    );
    const changed = await until(() => {
      const s = compare.status;
      return s.visible && s.result && s.result.newlyDenied > 0 ? s : undefined;
    }, 'the status bar item after the edit');
    const result = /** @type {CompareResult} */ (changed.result);
    assert.equal(changed.view?.text, `$(git-compare) +${result.newlyAllowed} −${result.newlyDenied} flows`);
    assert.equal(changed.view?.warning, true);
    const rows = result.namespaces.flatMap((n) => n.changes);
    const teller = rows.find((c) => /teller/.test(c.source) && /ledger/.test(c.destination));
    assert.ok(teller, `teller → ledger changed: ${rows.map((c) => `${c.source} -> ${c.destination}`).join(', ')}`);
    assert.deepEqual([teller.before, teller.after], ['allow', 'deny']);
    assert.equal(teller.ingress.verdict, 'deny');
    assert.ok(
      teller.ingress.decidedBy.some((p) => p.uri === doc.uri.toString()),
      'the ledger policy of the edited file decides',
    );
    assert.ok(result.namespaces.some((n) => n.namespace === 'vault'));
    // Clicking the item shows the panel on the comparison.
    await vscode.commands.executeCommand('ciliumPolicy.showComparison');

    // Reverting the edit: nothing changes any more, and the item goes away.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(() => {
      const r = compare.status.result;
      return r && r.newlyDenied === 0 && r.newlyAllowed === 0 && !compare.status.visible ? true : undefined;
    }, 'the item to go after the revert');
    assert.equal(doc.isDirty, false);
  });

  it('generates the policy and PolicyTest of the busiest recorded workload: lints clean, admits its side of every case', async () => {
    await vscode.commands.executeCommand('ciliumPolicy.replayFlows', h.fileUri(FLOWS).fsPath);
    const before = vscode.workspace.textDocuments.length;
    await acceptDefault(
      'ciliumPolicy.generateFromFlows',
      () => vscode.window.activeTextEditor?.document.uri.scheme === 'untitled',
      'the workload picker to take the busiest workload',
    );
    const editor = await until(() => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.scheme === 'untitled' ? e : undefined;
    }, 'the untitled document');
    assert.ok(vscode.workspace.textDocuments.length > before);
    const doc = editor.document;
    assert.equal(doc.languageId, 'yaml');
    const text = doc.getText();
    // The replay fixture's busiest workload is the API (the web and the worker call it).
    assert.match(text, /kind: CiliumNetworkPolicy\n/);
    assert.match(text, /name: api-from-flows\n/);
    assert.match(text, /kind: PolicyTest\n/);
    // Lints clean: a field the schema lacks is reported, and once it is undone nothing is left (an
    // empty list right after opening would not prove the lint ran).
    const spec = text.indexOf('spec:\n');
    await editor.edit((e) => e.insert(doc.positionAt(spec + 'spec:\n'.length), '  bogusField: 1\n'));
    await h.waitForDiagnostics(doc.uri, (all) => all.some((d) => d.source === h.SOURCE), 'the bogus field');
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), text);
    const diags = await h.waitForDiagnostics(
      doc.uri,
      (all) => !all.some((d) => d.source === h.SOURCE && /bogusField/.test(d.message)),
      'the lint after the undo',
    );
    assert.deepEqual(
      diags.filter((d) => d.source === h.SOURCE).map((d) => `${h.codeOf(d)}: ${d.message}`),
      [],
      'the generated document lints clean',
    );

    const uri = doc.uri.toString();
    const file = await until(async () => {
      await tests.refreshFile(uri);
      const item = tests.controller.items.get(uri);
      return item && item.children.size > 0 ? item : undefined;
    }, 'the generated PolicyTest in the Test Explorer');
    await tests.run(new vscode.TestRunRequest([file]));
    /** @type {vscode.TestItem[]} */
    const cases = [];
    file.children.forEach((c) => cases.push(c));
    // The API is each recorded flow's destination: the generated policy admits its ingress in
    // every case. The other end's egress is the workspace's business (its policies make the web's
    // and the worker's egress default-deny), so a case may fail there, and only there.
    const generated = /^ingress: CiliumNetworkPolicy shop\/api-from-flows ingress\[\d+\]/;
    for (const c of cases) {
      const r = tests.lastResults().get(c.id);
      assert.ok(r, `${c.label} has a result`);
      assert.match(c.label, / to shop\/api on TCP\/8080/);
      const said = r.messages.map((m) => (typeof m.message === 'string' ? m.message : m.message.value)).join('\n');
      assert.ok(
        r.rules.some((x) => generated.test(x.label)),
        `${c.label}: the generated policy admits the API's ingress\n${said}`,
      );
      assert.doesNotMatch(said, /\*\*Ingress of [^*]*: deny\*\*/, `${c.label}: the ingress is allowed`);
      if (r.state !== 'passed')
        assert.match(said, /\*\*Egress of [^*]*: deny\*\* \(default\\-deny\)/, `${c.label}: only the peer's egress`);
    }
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // Later suites see no flow log (its warnings would be among their diagnostics).
    await vscode.commands.executeCommand('ciliumPolicy.closeFlowLog');
  });
});
