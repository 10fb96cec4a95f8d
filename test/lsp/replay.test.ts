// SPDX-License-Identifier: Apache-2.0
/**
 * Flow replay over LSP, against the bundled server, on the shop example (copied to a temporary
 * workspace): the flow log loads with the same counts as the engine reads it, replays cleanly
 * against the shop's policies, and an unsaved edit (the proposed tightening of the API's policy)
 * shows the recorded flows it would drop, newly denied first, each with the rule that decided.
 * Expectations are computed with the engine from the same inputs, not written down.
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { agentOptionsFromConfigMap, resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { FlowReplay, forwardedNowDenied } from '../../server/src/semantics/replay/replay.js';
import type { AdmitFlowsRequest, FlowLogStatus, ReplayResult, WireRange } from '../../server/src/protocol.js';
import { LspClient } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');
let tmp: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-replay-'));
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const uriOf = (file: string): string => pathToFileURL(file).href;

/** The replay the engine gives for the shop's flows over its inventory and `policies` (file → text). */
function expected(policies: Record<string, string>): FlowReplay {
  const inventoryText = fs
    .readdirSync(path.join(SHOP, 'inventory'))
    .map((f) => fs.readFileSync(path.join(SHOP, 'inventory', f), 'utf8'))
    .join('\n---\n');
  const inventory = inventoryFromManifests([{ uri: 'inv.yaml', text: inventoryText }]);
  const cm = inventory.ciliumConfig;
  const agent = resolveAgent(
    cm ? [{ origin: 'cilium-config', values: agentOptionsFromConfigMap(cm.data).values }] : [],
  );
  const engine = new VerdictEngine({ inventory, agent });
  for (const [file, text] of Object.entries(policies)) engine.setFile(file, parseFile(text));
  const replay = new FlowReplay({ head: engine });
  fs.readFileSync(path.join(SHOP, 'flows', 'hubble-flows.jsonl'), 'utf8')
    .split('\n')
    .forEach((l, i) => {
      if (l.trim() !== '') replay.add(JSON.parse(l), i + 1);
    });
  return replay;
}

function shopPolicies(replace: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(path.join(SHOP, 'policies')))
    out[f] = replace[f] ?? fs.readFileSync(path.join(SHOP, 'policies', f), 'utf8');
  return out;
}

/** Applies LSP edits (non-overlapping, on one text) from the last to the first. */
function applyWireEdits(text: string, edits: readonly { range: WireRange; newText: string }[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => starts[p.line]! + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)))
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

async function replayWhenReady(client: LspClient, pred: (r: ReplayResult) => boolean): Promise<ReplayResult> {
  // The workspace is indexed in the background: ask until the answer reflects it.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = (await client.request('ciliumPolicy/replay', {})) as ReplayResult | null;
    assert.ok(r, 'a log is loaded');
    if (pred(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

test('replay over LSP: loads the shop flows, replays cleanly, and an unsaved tightening shows the flows it drops', async () => {
  const dir = path.join(tmp, 'shop');
  fs.cpSync(SHOP, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'proposed'), { recursive: true });
  fs.rmSync(path.join(dir, 'failing'), { recursive: true });
  const client = await LspClient.start({ workspaceFolder: uriOf(dir) });
  try {
    assert.equal(await client.request('ciliumPolicy/replay', {}), null, 'nothing loaded yet');
    const clean = expected(shopPolicies());
    const status = (await client.request('ciliumPolicy/loadFlows', {
      path: path.join(dir, 'flows', 'hubble-flows.jsonl'),
    })) as FlowLogStatus;
    assert.equal(status.error, undefined);
    assert.equal(status.flows, clean.flows);
    assert.equal(status.questions, clean.groups().length);
    assert.equal(status.skipped['reply'], clean.skipped.reply);

    const cleanDenied = clean.groups().reduce((n, g) => n + forwardedNowDenied(g), 0);
    const before = await replayWhenReady(client, (r) => r.newlyDenied === cleanDenied);
    assert.equal(before.newlyDenied, cleanDenied);
    assert.equal(before.groups.length + before.more, clean.groups().length);

    // The proposed change, typed into the open API policy and not saved.
    const proposed = fs.readFileSync(path.join(SHOP, 'proposed', 'api.yaml'), 'utf8');
    const changed = expected(shopPolicies({ 'api.yaml': proposed }));
    const denied = changed.groups().reduce((n, g) => n + forwardedNowDenied(g), 0);
    assert.ok(denied > 0, 'the proposed change drops recorded flows');
    const apiUri = uriOf(path.join(dir, 'policies', 'api.yaml'));
    await client.open(apiUri, fs.readFileSync(path.join(dir, 'policies', 'api.yaml'), 'utf8'));
    await client.change(apiUri, proposed);
    const after = await replayWhenReady(client, (r) => r.newlyDenied === denied);
    assert.equal(after.newlyDenied, denied);
    const first = after.groups[0]!;
    assert.equal(first.change, 'newly-denied', 'newly denied first');
    assert.equal(first.verdict, 'deny');
    const deniedGroups = after.groups.filter((g) => g.change === 'newly-denied');
    assert.equal(
      deniedGroups.reduce((n, g) => n + g.changed, 0),
      denied,
    );
    for (const g of deniedGroups) {
      assert.ok(g.decidedBy.length > 0, `${g.source} -> ${g.destination}: a deciding rule`);
      assert.ok(g.firstTime !== '' && g.sourcePods.length > 0, 'time and pods of the recorded flows');
    }
    // Every deciding place is a policy of the workspace, in range of its text; the edited one among them.
    const places = deniedGroups.flatMap((g) => g.decidedBy);
    for (const d of places) {
      const file = path.basename(new URL(d.uri).pathname);
      const text = d.uri === apiUri ? proposed : fs.readFileSync(path.join(dir, 'policies', file), 'utf8');
      assert.ok(d.range.start.line < text.split('\n').length, `${d.text} in range`);
    }
    assert.ok(places.some((d) => d.uri === apiUri));

    // The fix for each newly denied group: edits that, applied, make exactly that group allowed;
    // none where a deny rule decides (an allow rule cannot win over it).
    let text = proposed;
    let remaining = after.newlyDenied;
    let fixed = 0;
    let unfixable = 0;
    for (const g of deniedGroups) {
      const fix = (await client.request('ciliumPolicy/admitFlows', { group: g.id })) as AdmitFlowsRequest.Result;
      if (fix.error !== undefined && /denied by a deny rule \(.*Deny\[\d+\]/.test(fix.error)) {
        unfixable += g.changed;
        continue;
      }
      assert.equal(fix.error, undefined, `${g.source} -> ${g.destination}: ${fix.error}`);
      fixed++;
      assert.ok(fix.edits.length > 0);
      assert.match(fix.title, /^Admit /);
      // Every edit of this example lands in the API policy (its egress default deny, its HTTP rules).
      for (const e of fix.edits) assert.equal(e.uri, apiUri, fix.title);
      text = applyWireEdits(text, fix.edits);
      await client.change(apiUri, text);
      remaining -= g.changed;
      const now = await replayWhenReady(client, (r) => r.newlyDenied === remaining);
      assert.equal(now.newlyDenied, remaining, fix.title);
      const same = now.groups.find((x) => x.id === g.id)!;
      assert.equal(same.verdict, 'allow', `${fix.title}\n${text}`);
    }
    assert.ok(fixed > 0, 'some group got a fix');
    assert.equal(remaining, unfixable);
    // A group that is allowed has no fix.
    const current = (await client.request('ciliumPolicy/replay', {})) as ReplayResult;
    const allowed = current.groups.find((x) => x.verdict === 'allow')!;
    const none = (await client.request('ciliumPolicy/admitFlows', { group: allowed.id })) as AdmitFlowsRequest.Result;
    assert.match(none.error ?? '', /not denied/);

    // Bad input: an unreadable path is a message, and the loaded log stays.
    const missing = (await client.request('ciliumPolicy/loadFlows', {
      path: path.join(dir, 'no-such.jsonl'),
    })) as FlowLogStatus;
    assert.match(missing.error ?? '', /no such file/);
    assert.ok(await client.request('ciliumPolicy/replay', {}));
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"flow": {"verdict": "FORWARDED"\nnot json\n{"node_status": {}}\n\n');
    const partial = (await client.request('ciliumPolicy/loadFlows', { path: bad })) as FlowLogStatus;
    assert.equal(partial.error, undefined);
    assert.equal(partial.flows, 0);
    assert.equal(partial.skipped['unparsable'], 2);
    assert.deepEqual(
      partial.problems.map((p) => p.line),
      [1, 2],
    );
    const forgotten = (await client.request('ciliumPolicy/loadFlows', { path: null })) as FlowLogStatus;
    assert.equal(forgotten.path, null);
    assert.equal(await client.request('ciliumPolicy/replay', {}), null);
  } finally {
    await client.stop();
  }
});
