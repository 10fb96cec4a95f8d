// SPDX-License-Identifier: Apache-2.0
// @ts-check
// Crash recovery: the language server process is killed with SIGKILL under a real VS Code. The
// client starts a new one, which lints the next edit; after one crash more than the restart
// budget allows, the client stops restarting (its diagnostics go away with it), and the Restart
// Language Server command brings a server back. The server is found as the child process of this
// extension host running the extension's `dist/server.js --node-ipc`, so the extension's API need
// not expose anything for the test.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { BROKEN, locate } = require('../lib/expectations.js');
const h = require('./helpers.js');

/** The restart budget, read from the client's source so the test follows a change of the limit. */
const MAX_RESTARTS = (() => {
  const src = fs.readFileSync(path.join(h.REPO_ROOT, 'client', 'src', 'crash-policy.ts'), 'utf8');
  const m = /export const MAX_RESTARTS = (\d+);/.exec(src);
  if (!m) throw new Error('client/src/crash-policy.ts declares no MAX_RESTARTS');
  return Number(m[1]);
})();

/** The language server processes this extension host started (normally exactly one). */
function serverPids() {
  const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
  if (!ext) throw new Error(`${h.EXTENSION_ID} is not loaded`);
  const module = path.join(ext.extensionPath, 'dist', 'server.js');
  /** @type {number[]} */
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of stat is the parent pid; the command name before it may hold spaces and parentheses.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(module) && argv.includes('--node-ipc')) pids.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}

/** The one running server, or a failure naming what was found. */
function theServer() {
  const pids = serverPids();
  assert.equal(
    pids.length,
    1,
    `one language server child of the extension host (pid ${process.pid}), found ${JSON.stringify(pids)}`,
  );
  return /** @type {number} */ (pids[0]);
}

describe('crash recovery', () => {
  const fx = /** @type {import('../lib/expectations.js').BrokenFixture} */ (BROKEN[0]);
  /** Crashes caused so far: the budget belongs to the client and survives between these tests. */
  let crashes = 0;
  /** @type {vscode.TextDocument} */
  let doc;

  before(async () => {
    ({ doc } = await h.openFixture(fx.file));
    await h.waitForCode(doc.uri, fx.code);
  });

  after(async () => {
    // Leave the scratch file as it was for anything that opens it later.
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('starts a new server after a SIGKILL, and the new one lints the next edit', async () => {
    const before = theServer();
    process.kill(before, 'SIGKILL');
    crashes++;
    // Edit at once, while the client is noticing the crash: the change must reach the new server
    // (through its didOpen of the current text), not be lost with the old one.
    const last = doc.lineAt(doc.lineCount - 1);
    // An egress section (in `spec`, so the schema checks it, unlike what sits under the unknown `ingres`)
    // with an invalid protocol: a finding the old server never saw.
    const block = `${last.text === '' ? '' : '\n'}  egress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCPP\n`;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, last.range.end, block);
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applied');
    const at = locate(doc.getText(), 'protocol: TCPP', 'TCPP');
    const all = await h.waitForDiagnostics(
      doc.uri,
      (ds) =>
        ds.some(
          (d) =>
            d.source === h.SOURCE &&
            h.codeOf(d) === 'schema/enum' &&
            d.range.start.line === at.line &&
            d.range.start.character === at.character,
        ),
      'schema/enum on the new TCPP from the restarted server',
    );
    // The old finding is still reported: the new server linted the whole current text.
    assert.ok(
      all.some((d) => h.codeOf(d) === fx.code),
      h.describeDiagnostics(all),
    );
    const after = theServer();
    assert.notEqual(after, before, 'the diagnostics came from a new server process');
    assert.equal(
      fs.existsSync(`/proc/${before}/cmdline`) && fs.readFileSync(`/proc/${before}/cmdline`, 'utf8') !== '',
      false,
      `the killed server ${before} is gone`,
    );
  });

  it(`gives up after ${MAX_RESTARTS} restarts in a row, and the Restart command brings the server back`, async () => {
    const present = (/** @type {vscode.Diagnostic[]} */ ds) =>
      ds.some((d) => d.source === h.SOURCE && h.codeOf(d) === fx.code);
    /** @type {string[]} */
    const outcomes = [];
    while (crashes <= MAX_RESTARTS) {
      const killed = theServer();
      // Subscribed (by waitForDiagnostics' first check) only after the kill: the diagnostics present
      // now are the old server's and must not count.
      process.kill(killed, 'SIGKILL');
      crashes++;
      // Either the client restarted (a new process published again: diagnostics are kept over a
      // restart, so they are present), or it gave up (it disposes its diagnostics and starts nothing).
      let outcome = '';
      await h.waitForDiagnostics(
        doc.uri,
        (ds) => {
          const pids = serverPids();
          if (present(ds) && pids.length === 1 && pids[0] !== killed) outcome = 'restarted';
          else if (!ds.some((d) => d.source === h.SOURCE) && pids.length === 0) outcome = 'gave up';
          return outcome !== '';
        },
        `crash ${crashes}: a new server's diagnostics or the client giving up`,
      );
      outcomes.push(outcome);
    }
    const expected = [...Array(MAX_RESTARTS - 1).fill('restarted'), 'gave up'];
    assert.deepEqual(outcomes, expected, `crashes 2 to ${crashes} (the first was the test before)`);
    assert.deepEqual(serverPids(), [], 'no server is started after giving up');

    await vscode.commands.executeCommand('ciliumPolicy.restartServer');
    await h.waitForDiagnostics(
      doc.uri,
      (ds) => present(ds) && serverPids().length === 1,
      `${fx.code} again once the Restart command started a server`,
    );
    theServer();
  });
});
