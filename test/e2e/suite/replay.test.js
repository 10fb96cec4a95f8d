// SPDX-License-Identifier: Apache-2.0
// @ts-check
// Flow replay in the editor, with the example's flow log (examples/shop/flows/hubble-flows.jsonl):
// "Cilium Policy: Replay Hubble Flows…" given the log's path loads it; a policy typed into an
// untitled editor that closes the payments service's egress gets a warning on its selector
// saying how many recorded flows it would drop and to where; Close Flow Log clears it and
// loading the log again brings it back; the quick fix adds the rule admitting them (toFQDNs for
// the name the DNS proxy saw, on the recorded port) and the warning goes. The expected count and
// name are read from the log itself.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const h = require('./helpers.js');

const FLOWS = path.join(h.REPO_ROOT, 'examples', 'shop', 'flows', 'hubble-flows.jsonl');
const CODE = 'replay/newly-denied';

/** Payments may look names up, and nothing else: its calls to the card processor are dropped. */
const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: payments-e2e-replay
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: payments
  egress:
    - toEndpoints:
        - matchLabels:
            k8s:io.kubernetes.pod.namespace: kube-system
            k8s:k8s-app: kube-dns
      toPorts:
        - ports:
            - port: "53"
              protocol: ANY
          rules:
            dns:
              - matchPattern: "*"
`;

/**
 * The recorded forwarded requests (not replies) of the payments pods to a named address on TCP/443,
 * read from the log as Hubble wrote it.
 * @returns {{ count: number, names: string[] }}
 */
function recordedCalls() {
  let count = 0;
  /** @type {Set<string>} */
  const names = new Set();
  for (const line of fs.readFileSync(FLOWS, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    const f = record.flow ?? record;
    const labels = f.source?.labels ?? [];
    const destinationNames = f.destination_names ?? f.destinationNames ?? [];
    const port = f.l4?.TCP?.destination_port ?? f.l4?.TCP?.destinationPort;
    const reply = f.is_reply ?? f.isReply ?? false;
    if (f.verdict !== 'FORWARDED' || reply || !labels.includes('k8s:app=payments')) continue;
    if (port !== 443 || destinationNames.length === 0) continue;
    count++;
    for (const n of destinationNames) names.add(String(n).replace(/\.$/, ''));
  }
  return { count, names: [...names] };
}

/** @param {vscode.Diagnostic[]} all */
function warnings(all) {
  return all.filter((d) => d.source === h.SOURCE && h.codeOf(d) === CODE);
}

/**
 * Runs "Replay Hubble Flows…" with the log's path until the warning shows: the command does
 * nothing while the language server is still starting (this file may run first).
 * @param {vscode.Uri} uri @param {string} expected
 */
async function loadUntil(uri, expected) {
  for (let attempt = 1; ; attempt++) {
    await vscode.commands.executeCommand('ciliumPolicy.replayFlows', FLOWS);
    try {
      return await h.waitForDiagnostics(
        uri,
        (all) => warnings(all).some((d) => d.message === expected),
        `the replay warning "${expected}"`,
        15_000,
      );
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
}

describe('flow replay in the editor', function () {
  /** @type {vscode.TextDocument | undefined} */
  let doc;

  after(async () => {
    await vscode.commands.executeCommand('ciliumPolicy.closeFlowLog');
    if (doc) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('warns on the selector that drops recorded flows, clears with the log, and the quick fix admits them', async () => {
    const calls = recordedCalls();
    assert.ok(
      calls.count > 0 && calls.names.length === 1,
      `the log records calls to one name: ${JSON.stringify(calls)}`,
    );
    const name = calls.names[0];

    doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: POLICY });
    const current = doc;
    await vscode.window.showTextDocument(current, { preview: false });
    const expected = `would drop ${calls.count} recorded flow${calls.count === 1 ? '' : 's'} (payments → ${name}:443)`;
    const seen = await loadUntil(current.uri, expected);
    const warning = warnings(seen).find((d) => d.message === expected);
    assert.ok(warning);
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warnings(seen).length, 1, h.describeDiagnostics(seen));
    // On the policy's selector (what makes the egress default-deny).
    const lines = POLICY.split('\n');
    const selector = lines.findIndex((l) => l.startsWith('  endpointSelector:'));
    const egress = lines.findIndex((l) => l.startsWith('  egress:'));
    assert.ok(
      warning.range.start.line >= selector && warning.range.start.line < egress,
      `on the selector: line ${warning.range.start.line}`,
    );

    // Close Flow Log clears the warning; loading the log again brings it back.
    await vscode.commands.executeCommand('ciliumPolicy.closeFlowLog');
    await h.waitForDiagnostics(current.uri, (all) => warnings(all).length === 0, 'the warnings cleared');
    const again = await loadUntil(current.uri, expected);
    const back = warnings(again).find((d) => d.message === expected);
    assert.ok(back);

    // The lightbulb's quick fix: the narrowest rule admitting the recorded calls.
    /** @type {vscode.CodeAction[]} */
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      current.uri,
      back.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title.startsWith('Add a rule admitting') && a.edit);
    assert.ok(fix?.edit, `a quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(
      fix.title.includes(`${calls.count} recorded flow`) && fix.title.includes('payments-e2e-replay (egress)'),
      fix.title,
    );
    assert.ok(!actions.some((a) => a.title.startsWith(`Disable ${CODE}`)), 'no suppression comment for the log');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const text = current.getText();
    assert.match(text, new RegExp(`toFQDNs:\\n\\s+- matchName: ${name.replace(/\./g, '\\.')}`), text);
    assert.match(text, /port: "443"/, text);
    await h.waitForDiagnostics(current.uri, (all) => warnings(all).length === 0, 'the warning gone after the fix');
    // The added rule is valid: no error of ours on the policy.
    const errors = h.ours(current.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors, [], h.describeDiagnostics(errors));
  });
});
