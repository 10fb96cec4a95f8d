// SPDX-License-Identifier: Apache-2.0
/**
 * Rules generated from recorded flows, tested through the engine: the items added for dropped flows
 * make exactly those flows allowed (and nothing else that was denied, among the recorded flows and
 * in the connectivity matrix of the inventory); the policy generated for a workload lints clean,
 * admits its recorded flows and no others, and its PolicyTest passes.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { readPolicyTest, runPolicyTest } from '../../server/src/semantics/policy-test.js';
import { connectivityDiff } from '../../server/src/semantics/replay/diff.js';
import {
  admittingItems,
  appendItemsEdit,
  exactRegex,
  flowWorkloads,
  podOwnLabels,
  policyFromFlows,
  verifyAdmission,
} from '../../server/src/semantics/replay/generate.js';
import { FlowReplay, type FlowGroup } from '../../server/src/semantics/replay/replay.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { hubbleRecord, podLabels, type EndSpec, type FlowSpec } from '../support/hubble.js';
import { REPO_ROOT } from '../support/paths.js';
import { API, FRONTEND, INVENTORY, POLICIES } from './replay-scenario.js';

const INVENTORY_MORE = `${INVENTORY}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, ports: [{containerPort: 8000}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: ops}
spec:
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: c}]}
`;

function engineOver(text: string, inventory = INVENTORY_MORE): VerdictEngine {
  const e = new VerdictEngine({
    inventory: inventoryFromManifests([{ uri: 'inventory.yaml', text: inventory }]),
    agent: resolveAgent([]),
  });
  e.setFile('policies.yaml', parseFile(text));
  return e;
}

const ADMIN: EndSpec = {
  labels: [...podLabels('shop', { app: 'admin' }), 'k8s:pod-template-hash=7d9f8c6b5'].sort(),
  namespace: 'shop',
  pod: 'admin-7d9f8c6b5-abcde',
  workload: { kind: 'Deployment', name: 'admin' },
};
const BATCH: EndSpec = { labels: podLabels('ops', { app: 'batch' }), namespace: 'ops', pod: 'batch-1' };
const STRIPE: EndSpec = { labels: ['reserved:world'], identity: 2, ip: '54.187.174.169' };

function replayOf(engine: VerdictEngine, specs: readonly FlowSpec[]): FlowReplay {
  const r = new FlowReplay({ head: engine });
  specs.forEach((s, i) => r.add(hubbleRecord(s), i + 1));
  return r;
}

/** The policy text with items appended to a section of the named policy, and the new engine. */
function withItems(
  text: string,
  policy: string,
  section: 'ingress' | 'egress',
  items: readonly Record<string, unknown>[],
): { text: string; engine: VerdictEngine } {
  const file = parseFile(text);
  const doc = file.documents.find((d) => d.name === policy)!;
  const edit = appendItemsEdit(file, doc, null, section, items);
  assert.ok(edit, 'the items can be appended');
  const next = applyEdits(text, [edit]);
  return { text: next, engine: engineOver(next) };
}

function check(replay: FlowReplay, before: VerdictEngine, after: VerdictEngine, targets: readonly FlowGroup[]): void {
  const result = verifyAdmission(
    replay.groups(),
    new Set(targets),
    (g) => replay.judgeGroup(before, g).verdict,
    (g) => replay.judgeGroup(after, g).verdict,
  );
  assert.deepEqual(
    result.notAdmitted.map((g) => g.key),
    [],
    'every target is allowed',
  );
  assert.deepEqual(
    result.alsoAdmitted.map((g) => g.key),
    [],
    'nothing else recorded that was denied is allowed',
  );
}

test('a new client: one item with its stable labels and the recorded port admits it, and nothing else', () => {
  const before = engineOver(POLICIES);
  const replay = replayOf(before, [
    { from: ADMIN, to: API, port: 8080 },
    { from: ADMIN, to: API, port: 8080, direction: 'INGRESS' },
    { from: BATCH, to: API, port: 8080, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' },
    { from: ADMIN, to: API, port: 9090, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' },
  ]);
  const target = replay.groups().find((g) => g.sample.port === 8080 && g.sample.source.pod.startsWith('admin'))!;
  assert.equal(target.head.verdict, 'deny');
  const gen = admittingItems([target], 'ingress', 'shop');
  assert.deepEqual(gen.items, [
    {
      fromEndpoints: [{ matchLabels: { app: 'admin' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    },
  ]);
  assert.deepEqual(podOwnLabels(target.sample.source), { app: 'admin' }, 'pod-template-hash is left out');
  const { engine: after } = withItems(POLICIES, 'api', 'ingress', gen.items);
  check(replay, before, after, [target]);
  // And in the matrix of the inventory: only admin → api on 8080 changes.
  const changes = connectivityDiff(before, after).changes.map(
    (c) => `${c.sourceText} -> ${c.destinationText} ${c.protocol}/${c.port}: ${c.before} -> ${c.after}`,
  );
  assert.deepEqual(changes, ['shop/admin -> shop/api TCP/8080: deny -> allow']);
});

test('a client in another namespace is selected with its namespace', () => {
  const before = engineOver(POLICIES);
  const replay = replayOf(before, [{ from: BATCH, to: API, port: 8080 }]);
  const gen = admittingItems(replay.groups(), 'ingress', 'shop');
  assert.deepEqual(gen.items[0]?.['fromEndpoints'], [
    { matchLabels: { app: 'batch', 'k8s:io.kubernetes.pod.namespace': 'ops' } },
  ]);
  const { engine: after } = withItems(POLICIES, 'api', 'ingress', gen.items);
  check(replay, before, after, replay.groups());
});

test('requests the proxy refused: HTTP rules for exactly the recorded requests', () => {
  const before = engineOver(POLICIES);
  const url = (p: string): string => `http://api.shop:8080${p}`;
  const replay = replayOf(before, [
    { from: FRONTEND, to: API, port: 8080, http: { method: 'POST', url: url('/v1/orders?dry=1') } },
    { from: FRONTEND, to: API, port: 8080, http: { method: 'DELETE', url: url('/v1/orders/7') }, verdict: 'DROPPED' },
    { from: FRONTEND, to: API, port: 8080, http: { method: 'GET', url: url('/v1/items') } },
  ]);
  const post = replay.groups().find((g) => g.sample.http?.method === 'POST')!;
  assert.equal(post.head.verdict, 'deny');
  assert.equal(post.head.result?.ingress.state, 'proxy-denied');
  const gen = admittingItems([post], 'ingress', 'shop');
  assert.deepEqual(gen.items, [
    {
      fromEndpoints: [{ matchLabels: { app: 'frontend' } }],
      toPorts: [
        {
          ports: [{ port: '8080', protocol: 'TCP' }],
          rules: { http: [{ method: 'POST', path: '/v1/orders\\?dry=1' }] },
        },
      ],
    },
  ]);
  const { engine: after } = withItems(POLICIES, 'api', 'ingress', gen.items);
  check(replay, before, after, [post]);
  const del = replay.groups().find((g) => g.sample.http?.method === 'DELETE')!;
  assert.equal(replay.judgeGroup(after, del).verdict, 'deny', 'DELETE stays refused');
  assert.equal(exactRegex('/a.b*(c)'), '/a\\.b\\*\\(c\\)');
});

test('an address reached by name: toFQDNs with the recorded name, and the DNS rule it needs', () => {
  const before = engineOver(POLICIES);
  const replay = replayOf(before, [
    { from: ADMIN, to: STRIPE, port: 443, names: ['api.stripe.com'] },
    { from: ADMIN, to: { ...STRIPE, ip: '198.51.100.9' }, port: 443, names: ['evil.example'], verdict: 'DROPPED' },
    { from: ADMIN, to: { ...STRIPE, ip: '198.51.100.10' }, port: 22, verdict: 'DROPPED' },
  ]);
  // The admin is not selected by any egress policy yet; make it default-deny first.
  const base = `${POLICIES}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: admin, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: admin}}
  egress:
    - toEndpoints: [{matchLabels: {app: api}}]
`;
  const closed = engineOver(base);
  replay.rejudge(closed);
  const target = replay.groups().find((g) => g.sample.destinationNames[0] === 'api.stripe.com')!;
  assert.equal(target.head.verdict, 'deny');
  const gen = admittingItems([target], 'egress', 'shop');
  assert.deepEqual(gen.items, [
    { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'api.stripe.com' }] } }],
    },
  ]);
  const { engine: after } = withItems(base, 'admin', 'egress', gen.items);
  check(replay, closed, after, [target]);
  assert.ok(before);
});

test('the generated rule keeps a policy clean for lint', () => {
  const validator = new SchemaValidator(loadSchemaFiles());
  const before = engineOver(POLICIES);
  const replay = replayOf(before, [
    { from: ADMIN, to: API, port: 8080 },
    { from: ADMIN, to: API, protocol: 'ICMPv4', icmpType: 8 },
    { from: FRONTEND, to: API, port: 8080, http: { method: 'PUT', url: 'http://api/v1/items/1' } },
  ]);
  const gen = admittingItems(replay.groups(), 'ingress', 'shop');
  const { text } = withItems(POLICIES, 'api', 'ingress', gen.items);
  const findings = lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS });
  assert.deepEqual(
    findings.map((f) => `${f.code}: ${f.message}`),
    [],
  );
  assert.ok(
    gen.items.some((i) => 'icmps' in i && !('toPorts' in i)),
    'ICMP in an item of its own',
  );
});

test('Generate Policy from Flows: least privilege for a workload, clean for lint, its PolicyTest passes', () => {
  const shop = path.join(REPO_ROOT, 'examples', 'shop');
  const inventoryText = ['namespaces.yaml', 'workloads.yaml', 'services.yaml']
    .map((f) => fs.readFileSync(path.join(shop, 'inventory', f), 'utf8'))
    .join('\n---\n');
  const inventory = inventoryFromManifests([{ uri: 'inventory.yaml', text: inventoryText }]);
  // Record against no policies at all: everything is allowed, as before the first policy.
  const open = new VerdictEngine({ inventory });
  const replay = new FlowReplay({ head: open });
  const lines = fs.readFileSync(path.join(shop, 'flows', 'hubble-flows.jsonl'), 'utf8').split('\n');
  lines.forEach((l, i) => {
    if (l.trim() !== '') replay.add(JSON.parse(l), i + 1);
  });
  const workloads = flowWorkloads(replay.groups());
  assert.deepEqual(
    workloads.map((w) => `${w.namespace}/${w.name}`),
    ['kube-system/coredns', 'shop/api', 'shop/frontend', 'shop/orders-db', 'shop/payments'],
  );
  const validator = new SchemaValidator(loadSchemaFiles());
  for (const w of workloads) {
    const gen = policyFromFlows(replay.groups(), w);
    const file = parseFile(gen.yaml);
    const findings = lintFile(file, { validator, settings: DEFAULT_SETTINGS });
    assert.deepEqual(
      findings.map((f) => `${f.code}: ${f.message}`),
      [],
      `${w.name}: lints clean\n${gen.yaml}`,
    );
    // The policy alone, over the inventory.
    const engine = new VerdictEngine({ inventory });
    engine.setFile('generated.yaml', file);
    assert.deepEqual(engine.rejected(), []);
    const testDoc = file.documents.find((d) => d.kindName === 'PolicyTest')!;
    const policyTest = readPolicyTest(testDoc, 'generated.yaml', gen.yaml)!;
    assert.deepEqual(policyTest.problems, []);
    const results = runPolicyTest(policyTest, engine, gen.yaml);
    assert.equal(results.length, gen.cases);
    assert.ok(gen.cases > 0, `${w.name} has cases`);
    for (const r of results)
      assert.ok(r.pass, `${w.name}: ${r.case.name}: ${r.verdict?.reason ?? JSON.stringify(r.problems)}`);
    // Every recorded flow of the workload is allowed by the generated policy …
    for (const g of replay.groups()) {
      const involved = flowWorkloads([g]).some(
        (x) => x.namespace === w.namespace && JSON.stringify(x.labels) === JSON.stringify(w.labels),
      );
      if (!involved || 'code' in g.question) continue;
      // What went through is admitted; attempts that were only ever dropped stay denied.
      const expected = g.flows > g.dropped ? 'allow' : 'deny';
      assert.equal(replay.judgeGroup(engine, g).verdict, expected, `${w.name}: ${g.key}`);
    }
  }
  // … and nothing else: the frontend's policy denies what was not recorded.
  const frontend = workloads.find((w) => w.name === 'frontend')!;
  const gen = policyFromFlows(replay.groups(), frontend);
  const engine = new VerdictEngine({ inventory });
  engine.setFile('generated.yaml', parseFile(gen.yaml));
  const probe = (from: object, to: object, port: number, http?: { method: string; path: string }): string =>
    engine.evaluate({
      from: from as { workload: string },
      to: to as { workload: string },
      port,
      ...(http ? { http } : {}),
    }).verdict;
  assert.equal(probe({ workload: 'shop/frontend' }, { workload: 'shop/api' }, 8080), 'allow');
  assert.equal(probe({ workload: 'shop/frontend' }, { workload: 'shop/api' }, 9090), 'deny', 'an unrecorded port');
  assert.equal(probe({ workload: 'shop/frontend' }, { workload: 'shop/payments' }, 8443), 'deny', 'an unrecorded peer');
  assert.equal(
    probe({ workload: 'shop/api' }, { workload: 'shop/frontend' }, 8080),
    'deny',
    'not recorded inbound from the API',
  );
  assert.equal(
    probe({ workload: 'shop/frontend' }, { workload: 'shop/api' }, 8080, { method: 'DELETE', path: '/v1/orders/1' }),
    'deny',
    'an unrecorded request',
  );
  assert.equal(
    probe({ workload: 'shop/frontend' }, { workload: 'shop/api' }, 8080, { method: 'GET', path: '/v1/items' }),
    'allow',
  );
  assert.equal(probe({ ip: '203.0.113.24' }, { workload: 'shop/frontend' }, 8080), 'allow', 'a recorded client');
  assert.equal(probe({ ip: '203.0.113.99' }, { workload: 'shop/frontend' }, 8080), 'deny', 'an unrecorded client');
  assert.ok(/^# Generated from \d+ recorded flows of shop\/frontend/.test(gen.yaml));
});
