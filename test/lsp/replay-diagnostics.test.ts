// SPDX-License-Identifier: Apache-2.0
/**
 * The flow replay's warnings over LSP, against the bundled server, on the shop example (copied to
 * a temporary workspace): with the flow log loaded, an unsaved tightening of a policy gets
 * "would drop N recorded flows (…)" on the rule, or the selector for a default deny, that drops
 * recorded forwarded flows; the quick fix adds the narrowest rule admitting them, and the engine,
 * asked independently over the same inputs, says those flows are then allowed and nothing else
 * that was denied is; unloading the log clears the warnings. The agent profile comes from the
 * workspace's `.cilium-policy.yaml` as for `cilium-policy replay`.
 * Expectations are computed with the engine from the same inputs, not written down.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { agentOptionsFromConfigMap, resolveAgent, type AgentLayer } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { FlowReplay, forwardedNowDenied, type FlowGroup } from '../../server/src/semantics/replay/replay.js';
import { dropMessage, dropSites, NEWLY_DROPPED_CODE } from '../../server/src/lsp/replay-diagnostics.js';
import type { AdmitFlowsRequest, FlowLogStatus, ReplayResult } from '../../server/src/protocol.js';
import { LspClient } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
const FLOWS = path.join(SHOP, 'flows', 'hubble-flows.jsonl');
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-replay-diag-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const uriOf = (file: string): string => pathToFileURL(file).href;

/** The shop's workspace copy: its policies and inventory (without the proposed change and the failing tests). */
function workspace(name: string): { dir: string; policy: (file: string) => string; uri: (file: string) => string } {
  const dir = path.join(tmp, name);
  fs.cpSync(SHOP, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'proposed'), { recursive: true });
  fs.rmSync(path.join(dir, 'failing'), { recursive: true });
  return {
    dir,
    policy: (file) => fs.readFileSync(path.join(dir, 'policies', file), 'utf8'),
    uri: (file) => uriOf(path.join(dir, 'policies', file)),
  };
}

/** The replay the engine gives for the shop's flows over its inventory, `policies` (URI → text) and extra agent layers. */
function expected(policies: ReadonlyMap<string, string>, agent: readonly AgentLayer[] = []): FlowReplay {
  const inventoryText = fs
    .readdirSync(path.join(SHOP, 'inventory'))
    .map((f) => fs.readFileSync(path.join(SHOP, 'inventory', f), 'utf8'))
    .join('\n---\n');
  const inventory = inventoryFromManifests([{ uri: 'inv.yaml', text: inventoryText }]);
  const cm = inventory.ciliumConfig;
  const layers = [
    ...(cm ? [{ origin: 'cilium-config', values: agentOptionsFromConfigMap(cm.data).values }] : []),
    ...agent,
  ];
  const engine = new VerdictEngine({ inventory, agent: resolveAgent(layers) });
  for (const [file, text] of policies) engine.setFile(file, parseFile(text));
  const replay = new FlowReplay({ head: engine });
  fs.readFileSync(FLOWS, 'utf8')
    .split('\n')
    .forEach((l, i) => {
      if (l.trim() !== '') replay.add(JSON.parse(l), i + 1);
    });
  return replay;
}

/** Every policy file of a workspace copy by URI, with some replaced. */
function policiesOf(w: ReturnType<typeof workspace>, replace: Record<string, string> = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(path.join(w.dir, 'policies'))) out.set(w.uri(f), replace[f] ?? w.policy(f));
  return out;
}

function replayWarnings(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.code === NEWLY_DROPPED_CODE);
}

/** The warnings the engine's replay puts on one document: message and start line, sorted. */
function expectedWarnings(replay: FlowReplay, uri: string, text: string): string[] {
  const doc = TextDocument.create(uri, 'yaml', 1, text);
  return dropSites(replay.groups())
    .filter((s) => s.file === uri)
    .map((s) => `${doc.positionAt(s.span.start).line}: ${dropMessage(s)}`)
    .sort();
}

function seen(ds: readonly Diagnostic[]): string[] {
  return replayWarnings(ds)
    .map((d) => `${d.range.start.line}: ${d.message}`)
    .sort();
}

/** Applies LSP edits of one document from the last to the first. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const doc = TextDocument.create('x:', 'yaml', 1, text);
  return TextDocument.applyEdits(doc, [...edits]);
}

/** The verdict of each group (by key) in a replay. */
function verdicts(replay: FlowReplay): Map<string, FlowGroup['head']['verdict']> {
  return new Map(replay.groups().map((g) => [g.key, g.head.verdict]));
}

test('replay warnings over LSP: on the rule and the selector that drop recorded flows, with a quick fix checked through the engine', async () => {
  const w = workspace('shop');
  const client = await LspClient.start({ workspaceFolder: uriOf(w.dir) });
  try {
    const apiUri = w.uri('api.yaml');
    const paymentsUri = w.uri('payments.yaml');
    const v1 = await client.open(apiUri, w.policy('api.yaml'));
    await client.waitForDiagnostics(apiUri, v1);
    const status = (await client.request('ciliumPolicy/loadFlows', { path: FLOWS })) as FlowLogStatus;
    assert.equal(status.error, undefined);

    // The shop as it is replays cleanly: no warning.
    const clean = expected(policiesOf(w));
    assert.equal(
      clean.groups().reduce((n, g) => n + forwardedNowDenied(g), 0),
      0,
      'the example replays cleanly',
    );

    // The proposed tightening, typed and not saved: warnings where the engine says flows are dropped.
    const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
    const tightened = expected(policiesOf(w, { 'api.yaml': proposed }));
    const want = expectedWarnings(tightened, apiUri, proposed);
    assert.ok(want.length >= 2, `an HTTP rule and a default deny drop flows: ${want.join('; ')}`);
    const v2 = await client.change(apiUri, proposed);
    const published = await client.waitForDiagnostics(apiUri, v2, (ds) => seen(ds).join('\n') === want.join('\n'));
    const warnings = replayWarnings(published.diagnostics);
    for (const d of warnings) {
      assert.equal(d.severity, 2, 'a warning');
      assert.match(d.message, /^would drop \d+ recorded flows? \(.+ → .+\)$/);
    }
    // The HTTP rule that refuses the storefront's orders (the recorded POST), as the flows say.
    assert.ok(
      warnings.some((d) => / → api:8080 POST \/v1\/orders/.test(d.message)),
      JSON.stringify(warnings),
    );

    // The quick fix of each warning: edits that, applied, make its flows allowed and nothing else that was denied.
    let text = proposed;
    let before = tightened;
    let current = warnings;
    for (let round = 0; ; round++) {
      if (current.length === 0) break;
      assert.ok(round < 5, 'each fix removes a warning');
      const target = current[0]!;
      const actions = (await client.request('textDocument/codeAction', {
        textDocument: { uri: apiUri },
        range: target.range,
        context: { diagnostics: [target] },
      })) as CodeAction[];
      const fix = actions.find((a) => a.edit !== undefined && a.diagnostics?.[0]?.code === NEWLY_DROPPED_CODE);
      assert.ok(fix, `a fix for "${target.message}": ${JSON.stringify(actions)}`);
      assert.equal(fix.isPreferred, true);
      assert.match(
        fix.title,
        /^Add a rule admitting \d+ recorded flows? to CiliumNetworkPolicy shop\/api \((ingress|egress)\)/,
      );
      assert.ok(
        !actions.some((a) => a.title.startsWith('Disable replay/')),
        'no suppression comment for a warning of the log',
      );
      const changes = fix.edit!.changes!;
      assert.deepEqual(Object.keys(changes), [apiUri], 'the example is fixed in the API policy');
      const next = applyEdits(text, changes[apiUri]!);
      // Through the engine: the warned flows become allowed; no other denied group is allowed; no allowed one denied.
      const afterReplay = expected(policiesOf(w, { 'api.yaml': next }));
      const now = verdicts(afterReplay);
      const site = dropSites(before.groups()).find((s) => s.file === apiUri && dropMessage(s) === target.message);
      assert.ok(site, 'the warning is a site of the engine');
      const admitted = new Set(site.groups.map((g) => g.key));
      for (const g of before.groups()) {
        const verdict = now.get(g.key);
        if (admitted.has(g.key)) assert.equal(verdict, 'allow', `${fix.title}: ${g.key}\n${next}`);
        else assert.equal(verdict, g.head.verdict, `${fix.title} changes only the warned flows: ${g.key}`);
      }
      text = next;
      before = afterReplay;
      const version = await client.change(apiUri, text);
      const wantNow = expectedWarnings(afterReplay, apiUri, text);
      const p = await client.waitForDiagnostics(apiUri, version, (ds) => seen(ds).join('\n') === wantNow.join('\n'));
      current = replayWarnings(p.diagnostics);
    }
    assert.equal(
      before.groups().reduce((n, g) => n + forwardedNowDenied(g), 0),
      0,
      'every recorded forwarded flow passes again',
    );

    // A flow to a name: payments without its toFQDNs rule drops the calls to the card processor;
    // the fix adds toFQDNs for the recorded name on the recorded port (its lookups are allowed already).
    const payments = w.policy('payments.yaml');
    const withoutFqdn = payments.slice(0, payments.indexOf('    - toFQDNs:'));
    assert.ok(withoutFqdn.length > 0 && withoutFqdn.length < payments.length);
    await client.open(paymentsUri, payments);
    const pv = await client.change(paymentsUri, withoutFqdn);
    const fqdnReplay = expected(policiesOf(w, { 'api.yaml': text, 'payments.yaml': withoutFqdn }));
    const wantFqdn = expectedWarnings(fqdnReplay, paymentsUri, withoutFqdn);
    assert.equal(wantFqdn.length, 1, wantFqdn.join('; '));
    const fqdnDiags = await client.waitForDiagnostics(
      paymentsUri,
      pv,
      (ds) => seen(ds).join('\n') === wantFqdn.join('\n'),
    );
    const fqdnWarning = replayWarnings(fqdnDiags.diagnostics)[0]!;
    const names = fqdnReplay
      .groups()
      .filter((g) => forwardedNowDenied(g) > 0)
      .flatMap((g) => g.sample.destinationNames);
    assert.ok(names.length > 0, 'the dropped flows have destination names');
    assert.ok(fqdnWarning.message.includes(names[0]!.replace(/\.$/, '')), fqdnWarning.message);
    const fqdnActions = (await client.request('textDocument/codeAction', {
      textDocument: { uri: paymentsUri },
      range: fqdnWarning.range,
      context: { diagnostics: [fqdnWarning] },
    })) as CodeAction[];
    const fqdnFix = fqdnActions.find((a) => a.edit !== undefined)!;
    assert.ok(fqdnFix, JSON.stringify(fqdnActions));
    const fixedPayments = applyEdits(withoutFqdn, fqdnFix.edit!.changes![paymentsUri]!);
    assert.match(fixedPayments, /toFQDNs:\n\s+- matchName: api\.stripe\.com/);
    // The panel's "Add Rule" for the same flows writes the same rule: no DNS rule either, since
    // the recorded lookups are allowed already.
    const panel = (await client.request('ciliumPolicy/replay', {})) as ReplayResult;
    const stripe = panel.groups.find((g) => g.verdict === 'deny' && g.destination.includes('api.stripe.com'));
    assert.ok(stripe, JSON.stringify(panel.groups.map((g) => `${g.verdict} ${g.destination}`)));
    const admit = (await client.request('ciliumPolicy/admitFlows', { group: stripe.id })) as AdmitFlowsRequest.Result;
    assert.equal(admit.error, undefined);
    assert.deepEqual(
      [...new Set(admit.edits.map((e) => e.uri))],
      [paymentsUri],
      'the panel adds the rule to the payments policy',
    );
    assert.equal(applyEdits(withoutFqdn, admit.edits), fixedPayments);
    const fqdnAfter = verdicts(expected(policiesOf(w, { 'api.yaml': text, 'payments.yaml': fixedPayments })));
    for (const g of fqdnReplay.groups())
      assert.equal(
        fqdnAfter.get(g.key),
        forwardedNowDenied(g) > 0 ? 'allow' : g.head.verdict,
        `the FQDN fix admits exactly the dropped flows: ${g.key}`,
      );

    // Unloading the log clears the warnings.
    // Counted from before the request: the lint it starts may publish before the answer arrives.
    const from = client.diagnostics.all.length;
    await client.request('ciliumPolicy/loadFlows', { path: null });
    await client.diagnostics.wait(
      (p) => p.uri === paymentsUri && replayWarnings(p.diagnostics).length === 0,
      'warnings cleared',
      from,
    );
  } finally {
    await client.stop();
  }
});

/**
 * Replays the proposed tightening in a workspace whose agent runs with `enable-policy: always`
 * (every pod is default-deny, selected or not), said by `setup`, and checks the panel's answer and
 * the warnings against the engine given that option.
 */
async function agentCase(name: string, setup: (dir: string) => { settings?: unknown }): Promise<void> {
  const w = workspace(name);
  const { settings } = setup(w.dir);
  const client = await LspClient.start({ workspaceFolder: uriOf(w.dir), ...(settings ? { settings } : {}) });
  try {
    const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
    const withOption = expected(policiesOf(w, { 'api.yaml': proposed }), [
      { origin: 'test', values: { policyEnforcementMode: 'always' } },
    ]);
    const without = expected(policiesOf(w, { 'api.yaml': proposed }));
    const count = (r: FlowReplay): number => r.groups().reduce((n, g) => n + forwardedNowDenied(g), 0);
    assert.ok(count(withOption) > 0, 'flows are dropped with the option');
    assert.notEqual(count(withOption), count(without), 'the option changes the replay');
    const apiUri = w.uri('api.yaml');
    await client.open(apiUri, proposed);
    const status = (await client.request('ciliumPolicy/loadFlows', {
      path: path.join(w.dir, 'flows', 'hubble-flows.jsonl'),
    })) as FlowLogStatus;
    assert.equal(status.error, undefined);
    // The workspace is indexed in the background: ask until the answer has every policy.
    const deadline = Date.now() + 15_000;
    let r: ReplayResult | null = null;
    for (;;) {
      r = (await client.request('ciliumPolicy/replay', {})) as ReplayResult | null;
      if (r?.newlyDenied === count(withOption) || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(r);
    assert.equal(r.newlyDenied, count(withOption));
    const warnings = expectedWarnings(withOption, apiUri, proposed);
    assert.ok(warnings.length > 0);
    const d = await client.waitForDiagnostics(apiUri, undefined, (ds) => seen(ds).join('\n') === warnings.join('\n'));
    assert.deepEqual(seen(d.diagnostics), warnings);
  } finally {
    await client.stop();
  }
}

test("replay in the editor reads the agent profile of the workspace's .cilium-policy.yaml, untrusted too", async () => {
  await agentCase('shop-project-agent', (dir) => {
    fs.writeFileSync(path.join(dir, '.cilium-policy.yaml'), 'agent:\n  policyEnforcementMode: always\n');
    return {};
  });
});

test('replay in the editor reads the agent options of the ciliumPolicy.agent setting', async () => {
  await agentCase('shop-setting-agent', () => ({ settings: { agent: { policyEnforcementMode: 'always' } } }));
});

test('replay quick fixes over LSP: both directions across files when both drop the flows; none over a deny rule', async () => {
  const w = workspace('shop-both');
  const client = await LspClient.start({ workspaceFolder: uriOf(w.dir) });
  try {
    const apiUri = w.uri('api.yaml');
    const paymentsUri = w.uri('payments.yaml');
    // The API no longer calls payments (egress), and payments no longer admits the API (ingress):
    // the recorded calls are dropped at both ends.
    const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
    const payments = w.policy('payments.yaml');
    const closed = payments.replace(
      / {8}- matchLabels:\n {12}app: api\n/,
      '        - matchLabels:\n            app: nobody\n',
    );
    assert.notEqual(closed, payments);
    await client.open(apiUri, proposed);
    await client.open(paymentsUri, closed);
    const status = (await client.request('ciliumPolicy/loadFlows', { path: FLOWS })) as FlowLogStatus;
    assert.equal(status.error, undefined);
    const replay = expected(policiesOf(w, { 'api.yaml': proposed, 'payments.yaml': closed }));
    const wantApi = expectedWarnings(replay, apiUri, proposed);
    const wantPayments = expectedWarnings(replay, paymentsUri, closed);
    assert.equal(wantPayments.length, 1, wantPayments.join('; '));
    const onApi = await client.waitForDiagnostics(
      apiUri,
      undefined,
      (ds) => seen(ds).join('\n') === wantApi.join('\n'),
    );
    await client.waitForDiagnostics(paymentsUri, undefined, (ds) => seen(ds).join('\n') === wantPayments.join('\n'));
    // The API's warning of the calls to payments (its egress default deny), fixed in both policies.
    const site = dropSites(replay.groups()).find(
      (s) => s.file === apiUri && s.directions.includes('egress') && s.kind === 'default-deny',
    )!;
    assert.ok(site, 'the egress default deny of the API drops the calls');
    const target = replayWarnings(onApi.diagnostics).find((d) => d.message === dropMessage(site))!;
    const actions = (await client.request('textDocument/codeAction', {
      textDocument: { uri: apiUri },
      range: target.range,
      context: { diagnostics: [target] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.edit !== undefined);
    assert.ok(fix, JSON.stringify(actions));
    const changes = fix.edit!.changes!;
    assert.deepEqual(Object.keys(changes).sort(), [apiUri, paymentsUri].sort(), fix.title);
    assert.match(fix.title, /shop\/api \(egress\) and .*shop\/payments \(ingress\)/);
    const fixedApi = applyEdits(proposed, changes[apiUri]!);
    const fixedPayments = applyEdits(closed, changes[paymentsUri]!);
    const after = verdicts(expected(policiesOf(w, { 'api.yaml': fixedApi, 'payments.yaml': fixedPayments })));
    const admitted = new Set(site.groups.map((g) => g.key));
    for (const g of replay.groups())
      assert.equal(after.get(g.key), admitted.has(g.key) ? 'allow' : g.head.verdict, g.key);

    // A deny rule dropping the storefront's calls: the warning is on it, and its fix is offered disabled, with why.
    const denied = proposed.replace(
      '  ingressDeny:\n',
      '  ingressDeny:\n    - fromEndpoints:\n        - matchLabels:\n            app: frontend\n',
    );
    assert.notEqual(denied, proposed);
    const v = await client.change(apiUri, denied);
    const deniedReplay = expected(policiesOf(w, { 'api.yaml': denied, 'payments.yaml': closed }));
    const denySite = dropSites(deniedReplay.groups()).find((s) => s.file === apiUri && s.kind === 'deny-rule');
    assert.ok(denySite, 'the deny rule drops flows');
    const wantDenied = expectedWarnings(deniedReplay, apiUri, denied);
    const onDenied = await client.waitForDiagnostics(apiUri, v, (ds) => seen(ds).join('\n') === wantDenied.join('\n'));
    const denyWarning = replayWarnings(onDenied.diagnostics).find((d) => d.message === dropMessage(denySite))!;
    assert.ok(denied.split('\n')[denyWarning.range.start.line]!.includes('fromEndpoints'), 'on the deny rule');
    const denyActions = (await client.request('textDocument/codeAction', {
      textDocument: { uri: apiUri },
      range: denyWarning.range,
      context: { diagnostics: [denyWarning] },
    })) as CodeAction[];
    assert.equal(denyActions.length, 1, JSON.stringify(denyActions));
    assert.equal(denyActions[0]!.edit, undefined);
    assert.match(denyActions[0]!.disabled?.reason ?? '', /deny rule/);
  } finally {
    await client.stop();
  }
});

test('replay warnings reach closed files Lint Workspace covers, and go with the log', async () => {
  const w = workspace('closed');
  // The proposed tightening saved to disk; no editor opens it.
  const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
  fs.writeFileSync(path.join(w.dir, 'policies', 'api.yaml'), proposed);
  const apiUri = w.uri('api.yaml');
  const want = expectedWarnings(expected(policiesOf(w)), apiUri, proposed);
  assert.ok(want.length >= 2, want.join('; '));
  const client = await LspClient.start({ workspaceFolder: uriOf(w.dir) });
  try {
    const status = (await client.request('ciliumPolicy/loadFlows', { path: FLOWS })) as FlowLogStatus;
    assert.equal(status.error, undefined);
    // The inventory and the workspace's policies load in the background: lint until they are in.
    for (let attempt = 0; ; attempt++) {
      const next = client.nextDiagnostics(apiUri, () => true, 'api.yaml linted');
      await client.request('ciliumPolicy/lintFiles', { uris: [apiUri] });
      if (seen((await next).diagnostics).join('\n') === want.join('\n')) break;
      assert.ok(attempt < 50, 'the replay warnings never reached the closed file');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Closing the log lints the covered files again, without its warnings.
    const cleared = client.nextDiagnostics(apiUri, (ds) => seen(ds).length === 0, 'api.yaml without replay warnings');
    await client.request('ciliumPolicy/loadFlows', { path: null });
    await cleared;
  } finally {
    await client.stop();
  }
});
