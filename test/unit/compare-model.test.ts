// SPDX-License-Identifier: Apache-2.0
/**
 * What "Compare Connectivity with…" and "Generate Policy from Flows…" show, from the server's
 * answers: the revision picker (HEAD first, kinds grouped), the status bar item ("+N −M flows",
 * hidden when nothing changes), the panel section (grouped by namespace, links to the deciding
 * rules, hostile text bounded) and the workload picker (busiest first).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CompareChange, CompareResult, FlowWorkloadItem, GitRevisionItem } from '../../server/src/protocol.js';
import {
  buildCompareBody,
  compareStatusView,
  revisionLabel,
  revisionPickItems,
  typedRevision,
  workloadPickItems,
} from '../../client/src/compare-model.js';

const range = { start: { line: 3, character: 2 }, end: { line: 5, character: 0 } };

function change(source: string, destination: string, after: 'allow' | 'deny' | 'unknown'): CompareChange {
  const before = after === 'allow' ? 'deny' : 'allow';
  return {
    source,
    destination,
    port: 'TCP/8080',
    before,
    after,
    egress: { verdict: 'allow', text: 'no policy selects shop/frontend', decidedBy: [] },
    ingress: {
      verdict: after,
      text:
        after === 'deny' ? 'default deny by CiliumNetworkPolicy shop/api' : 'CiliumNetworkPolicy shop/api ingress[0]',
      decidedBy: [{ text: 'CiliumNetworkPolicy shop/api ingress[0]', uri: 'file:///w/api.yaml', range }],
    },
    reason: 'because',
  };
}

function result(over: Partial<CompareResult> = {}): CompareResult {
  return {
    revision: 'HEAD',
    commit: 'a'.repeat(40),
    cells: 1234,
    newlyAllowed: 0,
    newlyDenied: 0,
    otherChanges: 0,
    namespaces: [],
    more: 0,
    newlyDefaultDeny: [],
    newlyUnprotected: [],
    skipped: [],
    ...over,
  };
}

test('revision picker: HEAD first (the default), then branches, tags and commits under separators', () => {
  const revisions: GitRevisionItem[] = [
    { rev: 'HEAD', kind: 'head', description: 'main · 1a2b3c4 Tighten the API', date: '2026-12-01T10:00:00Z' },
    { rev: 'main', kind: 'branch', description: '1a2b3c4', date: '2026-12-01T10:00:00Z', current: true },
    { rev: 'v1.0.0', kind: 'tag', description: '0f0f0f0', date: '' },
    { rev: 'origin/main', kind: 'remote', description: '9e9e9e9', date: '2026-11-30T09:00:00Z' },
    { rev: 'b'.repeat(40), kind: 'commit', description: 'The shop as deployed', date: '2026-11-29T08:00:00Z' },
  ];
  const items = revisionPickItems(revisions);
  assert.equal(items[0]!.rev, 'HEAD');
  assert.match(items[0]!.description, /Tighten the API/);
  const labels = items.map((i) => (i.separator ? `-- ${i.label}` : i.label));
  assert.deepEqual(labels, [
    '$(git-commit) HEAD',
    '-- Branches',
    '$(git-branch) main',
    '-- Remote branches',
    '$(git-branch) origin/main',
    '-- Tags',
    '$(tag) v1.0.0',
    '-- Recent commits',
    `$(git-commit) ${'b'.repeat(7)}`,
  ]);
  const main = items.find((i) => i.rev === 'main')!;
  assert.match(main.description, /^checked out · /);
  assert.equal(main.detail, '2026-12-01');
  assert.equal(items.find((i) => i.rev === 'v1.0.0')!.detail, undefined, 'no date, no detail');
  // Every selectable item is a revision that was offered; separators are not.
  assert.deepEqual(
    items
      .filter((i) => !i.separator)
      .map((i) => i.rev)
      .sort(),
    revisions.map((r) => r.rev).sort(),
  );
  // Without an answer for HEAD (an empty repository), HEAD is still offered first.
  assert.equal(revisionPickItems([])[0]!.rev, 'HEAD');
});

test('typed revisions and labels', () => {
  assert.equal(typedRevision('  main~2 '), 'main~2');
  assert.equal(typedRevision('   '), undefined);
  assert.equal(revisionLabel('c'.repeat(40)), 'ccccccc');
  assert.equal(revisionLabel('origin/main'), 'origin/main');
});

test('status bar: "+allowed −denied flows", hidden without a change or on an error', () => {
  assert.equal(compareStatusView(result()), undefined, 'no change: no item');
  assert.equal(compareStatusView(result({ newlyDenied: 3, error: 'boom' })), undefined);
  const v = compareStatusView(result({ newlyAllowed: 2, newlyDenied: 5 }))!;
  assert.equal(v.text, '$(git-compare) +2 −5 flows');
  assert.equal(v.warning, true);
  assert.match(v.tooltip, /against HEAD \(aaaaaaa\)/);
  assert.match(v.tooltip, /2 flows newly allowed, 5 flows newly denied/);
  assert.match(v.accessibilityLabel, /2 flows newly allowed, 5 newly denied/);
  const allowedOnly = compareStatusView(result({ newlyAllowed: 1 }))!;
  assert.equal(allowedOnly.text, '$(git-compare) +1 −0 flows');
  assert.equal(allowedOnly.warning, false);
  // A workload that only becomes default-deny (no cell moved) still shows the item.
  const dd = compareStatusView(
    result({ newlyDefaultDeny: [{ namespace: 'shop', kind: 'Deployment', name: 'api', directions: ['egress'] }] }),
  )!;
  assert.match(dd.tooltip, /1 workload newly default-deny/);
});

test('section: grouped by namespace, before → after, deciding rules as targets, workloads listed', () => {
  const r = result({
    newlyAllowed: 1,
    newlyDenied: 2,
    namespaces: [
      {
        namespace: '',
        changes: [change('world (198.51.100.7)', 'shop/frontend', 'allow')],
      },
      {
        namespace: 'shop',
        changes: [change('shop/worker', 'shop/api', 'deny'), change('shop/web', 'shop/api', 'deny')],
      },
    ],
    newlyDefaultDeny: [{ namespace: 'shop', kind: 'Deployment', name: 'api', directions: ['ingress', 'egress'] }],
    newlyUnprotected: [{ namespace: 'shop', kind: 'Deployment', name: 'db', directions: ['ingress'] }],
    more: 4,
    skipped: [{ path: 'big.yaml', reason: 'too large' }],
  });
  const { body, targets } = buildCompareBody(r, 's2-', 3);
  assert.equal(body.headline, 'Working tree against HEAD (aaaaaaa): 1 flow newly allowed, 2 newly denied.');
  assert.equal(body.headlineKind, 'denied');
  assert.match(body.summary, /^1,234 flows compared/);
  assert.match(body.summary, /big\.yaml \(too large\)/);
  assert.deepEqual(
    body.namespaces.map((n) => n.title),
    ['Outside namespaces', 'Namespace shop'],
  );
  const rows = body.namespaces.flatMap((n) => n.rows);
  assert.deepEqual(
    rows.map((x) => `${x.title} ${x.before}->${x.after} ${x.change}`),
    [
      'world (198.51.100.7) → shop/frontend:TCP/8080 deny->allow newly-allowed',
      'shop/worker → shop/api:TCP/8080 allow->deny newly-denied',
      'shop/web → shop/api:TCP/8080 allow->deny newly-denied',
    ],
  );
  // One target per deciding place, each id with the section's prefix, each leading to its place.
  const links = rows.flatMap((x) => [...x.egress.rules, ...x.ingress.rules]);
  assert.equal(links.length, 3);
  assert.equal(targets.size, 3);
  for (const l of links) {
    assert.ok(l.target.startsWith('s2-'));
    assert.deepEqual(targets.get(l.target), { uri: 'file:///w/api.yaml', range });
  }
  assert.equal(rows[1]!.egress.text, 'no policy selects shop/frontend');
  assert.deepEqual(body.newlyDefaultDeny, ['shop/api (Deployment; ingress, egress)']);
  assert.deepEqual(body.newlyUnprotected, ['shop/db (Deployment; ingress)']);
  assert.equal(body.more, '… and 4 more changes');
  assert.equal(body.reveal, 3);
  assert.deepEqual(
    body.actions.map((a) => a.id),
    ['change', 'stop'],
  );
});

test('section: no change, an error, and hostile text bounded', () => {
  const none = buildCompareBody(result(), 'p', 0).body;
  assert.equal(none.headline, 'Working tree against HEAD (aaaaaaa): no connectivity change.');
  assert.equal(none.headlineKind, 'ok');
  const failed = buildCompareBody(result({ commit: '', error: 'git is not installed' }), 'p').body;
  assert.equal(failed.headlineKind, 'error');
  assert.match(failed.headline, /^Cannot compare with HEAD: git is not installed/);
  const long = 'x'.repeat(100_000);
  const hostile = buildCompareBody(
    result({ newlyDenied: 1, namespaces: [{ namespace: long, changes: [change(long, '\u0000\u202e', 'deny')] }] }),
    'p',
  ).body;
  assert.ok(hostile.namespaces[0]!.title.length <= 300, 'namespace bounded');
  assert.ok(hostile.namespaces[0]!.rows[0]!.title.length <= 400, 'row bounded');
  assert.ok(!/[\u0000\u202e]/.test(hostile.namespaces[0]!.rows[0]!.title), 'control and bidi characters dropped');
});

test('workload picker: busiest first, with flow counts and labels', () => {
  const w = (namespace: string, name: string, flows: number, labels: Record<string, string>): FlowWorkloadItem => ({
    namespace,
    name,
    flows,
    labels,
  });
  const items = workloadPickItems([
    w('shop', 'web', 3, { app: 'web' }),
    w('shop', 'api', 12, { app: 'api', tier: 'backend' }),
    w('billing', 'ledger', 3, { app: 'ledger' }),
  ]);
  assert.deepEqual(
    items.map((i) => `${i.label} | ${i.description} | ${i.detail}`),
    [
      'shop/api | 12 recorded flows | app=api, tier=backend',
      'billing/ledger | 3 recorded flows | app=ledger',
      'shop/web | 3 recorded flows | app=web',
    ],
  );
  assert.equal(items[0]!.workload.name, 'api');
  assert.equal(workloadPickItems([w('a', 'b', 1, {})])[0]!.description, '1 recorded flow');
});
