// SPDX-License-Identifier: Apache-2.0
/**
 * Replaying recorded flows: verdicts through the engine (L3/L4, HTTP, DNS lookups, toFQDNs with the
 * recorded names), grouping by question (each evaluated once), flows of other clusters, records of
 * both ends, named ports from the inventory, changes against a base and against what was recorded.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { VerdictEngine } from '../../server/src/semantics/engine.js';
import { FlowReplay, groupChanges, type ReplayedFlow } from '../../server/src/semantics/replay/replay.js';
import { hubbleRecord, podLabels, type EndSpec, type FlowSpec } from '../support/hubble.js';
import { API, engineOf, FRONTEND, INVENTORY, POLICIES } from './replay-scenario.js';

const ADMIN: EndSpec = { labels: podLabels('shop', { app: 'admin' }), namespace: 'shop', pod: 'admin-1' };
const DNS: EndSpec = {
  labels: podLabels('kube-system', { 'k8s-app': 'kube-dns' }),
  namespace: 'kube-system',
  pod: 'coredns-1',
  ip: '10.96.0.10',
};
const WORLD: EndSpec = { labels: ['reserved:world'], ip: '54.187.174.169', identity: 2 };

function replayOf(
  engine: VerdictEngine,
  specs: readonly FlowSpec[],
  base?: VerdictEngine,
): { replay: FlowReplay; out: ReplayedFlow[] } {
  const replay = new FlowReplay({ head: engine, ...(base ? { base } : {}) });
  const out: ReplayedFlow[] = [];
  specs.forEach((s, i) => {
    const r = replay.add(hubbleRecord(s), i + 1);
    if (r) out.push(r);
  });
  return { replay, out };
}

function verdictOf(
  engine: VerdictEngine,
  spec: FlowSpec,
): { verdict: string; reason: string; code?: string; unknowns: string[] } {
  const { out } = replayOf(engine, [spec]);
  assert.equal(out.length, 1, 'judged');
  const j = out[0]!.group.head;
  return {
    verdict: j.verdict,
    reason: j.reason,
    ...(j.code !== undefined ? { code: j.code } : {}),
    unknowns: (j.result?.unknowns ?? []).map((u) => u.code),
  };
}

test('L3/L4 records, HTTP requests and DNS lookups get the verdicts the policies give', () => {
  const e = engineOf(POLICIES);
  const cases: { spec: FlowSpec; expect: string; why: string }[] = [
    { spec: { from: FRONTEND, to: API, port: 8080 }, expect: 'allow', why: 'the connection: the proxy admits it' },
    {
      spec: { from: FRONTEND, to: API, port: 8080, http: { method: 'GET', url: 'http://api.shop:8080/v1/items' } },
      expect: 'allow',
      why: 'GET /v1/items matches the HTTP rule',
    },
    {
      spec: { from: FRONTEND, to: API, port: 8080, http: { method: 'POST', url: 'http://api.shop:8080/v1/orders' } },
      expect: 'deny',
      why: 'no HTTP rule admits POST',
    },
    { spec: { from: ADMIN, to: API, port: 8080 }, expect: 'deny', why: 'api ingress is default-deny' },
    {
      spec: { from: FRONTEND, to: DNS, protocol: 'UDP', port: 53, dns: 'api.stripe.com.' },
      expect: 'allow',
      why: 'the DNS rule admits the lookup',
    },
    {
      spec: { from: FRONTEND, to: DNS, protocol: 'UDP', port: 53, dns: 'evil.example.' },
      expect: 'deny',
      why: 'the DNS proxy refuses',
    },
    {
      spec: { from: FRONTEND, to: WORLD, port: 443, names: ['api.stripe.com'] },
      expect: 'allow',
      why: 'toFQDNs with the name the DNS proxy saw',
    },
    { spec: { from: FRONTEND, to: WORLD, port: 443, names: ['www.example.com'] }, expect: 'deny', why: 'another name' },
    { spec: { from: FRONTEND, to: API, port: 9999 }, expect: 'deny', why: 'egress allows 8080 only' },
  ];
  for (const c of cases) {
    const got = verdictOf(e, c.spec);
    assert.equal(got.verdict, c.expect, `${c.why}: ${got.reason}`);
  }
  const noName = verdictOf(e, { from: FRONTEND, to: WORLD, port: 443 });
  assert.equal(noName.verdict, 'unknown', 'an address without names may be one toFQDNs selects');
  assert.deepEqual(noName.unknowns, ['address-may-match-fqdn']);
});

test('the deciding rules and the recorded direction: an INGRESS record is judged as the whole connection', () => {
  const e = engineOf(POLICIES);
  const egress = replayOf(e, [{ from: FRONTEND, to: API, port: 9999, direction: 'EGRESS' }]).out[0]!;
  const ingress = replayOf(e, [{ from: FRONTEND, to: API, port: 9999, direction: 'INGRESS' }]).out[0]!;
  assert.equal(egress.group.head.verdict, 'deny');
  assert.equal(ingress.group.head.verdict, 'deny', 'the source egress denies it, whichever end recorded it');
  assert.equal(egress.group.head.result?.egress.state, 'default-deny');
  assert.deepEqual(
    egress.group.head.result?.egress.defaultDenyBy.map((s) => s.name),
    ['frontend'],
  );
  const post = replayOf(e, [
    { from: FRONTEND, to: API, port: 8080, http: { method: 'POST', url: 'http://api:8080/v1/orders' } },
  ]).out[0]!;
  assert.deepEqual(
    post.group.head.result?.ingress.by.map((r) => `${r.name} ${r.direction}[${r.rule}]`),
    ['api ingress[0]'],
    'the HTTP rules that refused',
  );
});

test('named ports come from the inventory workload of the record; without one they are unknown', () => {
  const withInventory = engineOf(POLICIES);
  assert.equal(verdictOf(withInventory, { from: FRONTEND, to: API, port: 8080 }).verdict, 'allow');
  const noInventory = engineOf(POLICIES, '');
  const got = verdictOf(noInventory, { from: FRONTEND, to: API, port: 8080 });
  assert.equal(got.verdict, 'unknown');
  assert.deepEqual(got.unknowns, ['named-port-unknown']);
});

test('flows are grouped by question: each distinct question is evaluated once', () => {
  const e = engineOf(POLICIES);
  let evaluations = 0;
  const evaluate = e.evaluate.bind(e);
  e.evaluate = (f) => {
    evaluations++;
    return evaluate(f);
  };
  const specs: FlowSpec[] = [];
  for (let i = 0; i < 1000; i++) {
    const pick = i % 4;
    if (pick === 0)
      specs.push({
        from: { ...FRONTEND, pod: `frontend-${i % 7}` },
        to: API,
        port: 8080,
        time: `2026-11-30T10:${String(i % 60).padStart(2, '0')}:00Z`,
      });
    else if (pick === 1)
      specs.push({ from: ADMIN, to: API, port: 8080, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' });
    else if (pick === 2)
      specs.push({ from: FRONTEND, to: API, port: 8080, http: { method: 'GET', url: `http://api/v1/items` } });
    else specs.push({ from: FRONTEND, to: API, port: 8080, direction: 'INGRESS', node: 'kind-worker2' }); // the other end's record
  }
  const { replay, out } = replayOf(e, specs);
  assert.equal(out.length, 1000);
  assert.equal(replay.flows, 1000);
  const groups = replay.groups();
  assert.equal(groups.length, 3, 'three distinct questions (both ends of one connection ask the same)');
  assert.equal(evaluations, 3, 'one evaluation per question');
  const plain = groups.find((g) => g.sample.http === undefined && g.sample.source.pod.startsWith('frontend'))!;
  assert.equal(plain.flows, 500);
  assert.equal(plain.forwarded, 500);
  const times = specs
    .filter((s) => s.from.pod !== 'admin-1' && s.http === undefined)
    .map((s) => s.time ?? '2026-11-30T10:00:00.000000000Z');
  const byInstant = [...times].sort((a, b) => Date.parse(a) - Date.parse(b));
  assert.equal(Date.parse(plain.firstTime), Date.parse(byInstant[0]!));
  assert.equal(plain.lastTime, byInstant[byInstant.length - 1]);
  assert.ok(plain.sourcePods.length <= 4 && plain.sourcePods.length >= 2, `pods kept: ${plain.sourcePods.join(', ')}`);
  const admin = groups.find((g) => g.sample.source.pod === 'admin-1')!;
  assert.equal(admin.policyDropped, 250);
  assert.equal(admin.head.verdict, 'deny');
});

test('more distinct questions than kept: the rest are judged alone and counted', () => {
  const e = engineOf(POLICIES);
  const replay = new FlowReplay({ head: e, maxGroups: 2 });
  const verdicts: string[] = [];
  for (let port = 9000; port < 9005; port++)
    verdicts.push(replay.add(hubbleRecord({ from: FRONTEND, to: API, port }), port)!.group.head.verdict);
  assert.deepEqual(verdicts, ['deny', 'deny', 'deny', 'deny', 'deny']);
  assert.equal(replay.groups().length, 2);
  assert.equal(replay.ungrouped, 3);
});

test('flows of another cluster are unknown, with the reason; records without labels too', () => {
  const e = engineOf(POLICIES);
  const remote = verdictOf(e, { from: { ...FRONTEND, cluster: 'east' }, to: API, port: 8080 });
  assert.equal(remote.verdict, 'unknown');
  assert.equal(remote.code, 'other-cluster');
  assert.match(remote.reason, /cluster east, not default/);
  const labelled = verdictOf(e, {
    from: { ...FRONTEND, labels: podLabels('shop', { app: 'frontend' }, 'east') },
    to: API,
    port: 8080,
  });
  assert.equal(labelled.code, 'other-cluster', 'the cluster label says so too');
  const local = verdictOf(engineOf(POLICIES, INVENTORY, { clusterName: 'east' }), {
    from: { ...FRONTEND, cluster: 'east', labels: podLabels('shop', { app: 'frontend' }, 'east') },
    to: { ...API, labels: podLabels('shop', { app: 'api' }, 'east') },
    port: 8080,
  });
  assert.equal(local.verdict, 'allow', 'the local cluster is the agent profile’s clusterName');
  const bare = verdictOf(e, { from: { ...FRONTEND, labels: [], identity: 48213 }, to: API, port: 8080 });
  assert.equal(bare.code, 'identity-not-recorded');
  const host = verdictOf(e, { from: { labels: [], identity: 1 }, to: API, port: 8080, direction: 'INGRESS' });
  assert.equal(host.verdict, 'allow', 'identity 1 is the host: the local node reaches its pods');
});

test('labels Hubble leaves out (namespace, cluster) are completed from the record', () => {
  const e = engineOf(POLICIES);
  const trimmed: EndSpec = { ...FRONTEND, labels: ['k8s:app=frontend'] };
  assert.equal(verdictOf(e, { from: trimmed, to: API, port: 8080 }).verdict, 'allow');
});

test('changes against what was recorded, and against a base', () => {
  const head = engineOf(POLICIES.replace('port: "8080", protocol: TCP', 'port: "8443", protocol: TCP'));
  const specs: FlowSpec[] = [
    { from: FRONTEND, to: API, port: 8080 },
    { from: FRONTEND, to: API, port: 8080 },
    { from: ADMIN, to: API, port: 8080, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' },
  ];
  const alone = replayOf(head, specs);
  assert.deepEqual(
    alone.out.map((r) => r.change),
    ['newly-denied', 'newly-denied', 'none'],
  );
  assert.deepEqual(groupChanges(alone.replay.groups()[0]!), { newlyDenied: 2, newlyAllowed: 0 });
  const base = engineOf(POLICIES);
  const compared = replayOf(head, specs, base);
  assert.deepEqual(
    compared.out.map((r) => [r.group.base?.verdict, r.group.head.verdict, r.change]),
    [
      ['allow', 'deny', 'newly-denied'],
      ['allow', 'deny', 'newly-denied'],
      ['deny', 'deny', 'none'],
    ],
  );
  // Opening the admin's way: newly allowed against the recording and against the base.
  const opened = engineOf(
    POLICIES.replace(
      'matchLabels: {app: frontend}}]\n      toPorts:\n        - ports: [{port: http',
      'matchExpressions: [{key: app, operator: In, values: [frontend, admin]}]}]\n      toPorts:\n        - ports: [{port: http',
    ),
  );
  const admin = replayOf(opened, [specs[2]!], base).out[0]!;
  assert.equal(admin.change, 'newly-allowed');
  assert.equal(replayOf(opened, [specs[2]!]).out[0]!.change, 'newly-allowed');
});

test('rejudge: kept groups are judged again after an edit, without reading the flows again', () => {
  const { replay } = replayOf(engineOf(POLICIES), [
    { from: FRONTEND, to: API, port: 8080 },
    { from: ADMIN, to: API, port: 8080 },
  ]);
  assert.deepEqual(
    replay.groups().map((g) => g.head.verdict),
    ['allow', 'deny'],
  );
  replay.rejudge(engineOf(POLICIES.replace('{app: frontend}}]\n      toPorts', '{app: admin}}]\n      toPorts')));
  assert.deepEqual(
    replay.groups().map((g) => g.head.verdict),
    ['deny', 'allow'],
  );
});

test('HTTP headers and hosts are part of the question only when an HTTP rule looks at them', () => {
  const plain = engineOf(POLICIES);
  const spec = (debug: string): FlowSpec => ({
    from: FRONTEND,
    to: API,
    port: 8080,
    http: { method: 'GET', url: 'http://api/v1/items', headers: { 'X-Request-Id': debug, 'X-Debug': debug } },
  });
  const a = replayOf(plain, [spec('1'), spec('2'), spec('3')]);
  assert.equal(a.replay.groups().length, 1, 'request ids do not split the question');
  const headerRule = engineOf(
    POLICIES.replace(
      'http: [{method: GET, path: "/v1/.*"}]',
      'http: [{method: GET, path: "/v1/.*", headers: ["X-Debug: 1"]}]',
    ),
  );
  const b = replayOf(headerRule, [spec('1'), spec('2'), spec('3')]);
  assert.equal(b.replay.groups().length, 3, 'X-Debug is part of the question');
  assert.deepEqual(
    b.out.map((r) => r.group.head.verdict),
    ['allow', 'deny', 'deny'],
  );
});

test('skipped values are counted by kind', () => {
  const e = engineOf(POLICIES);
  const replay = new FlowReplay({ head: e });
  replay.add(hubbleRecord({ from: API, to: FRONTEND, port: 40000, reply: true }), 1);
  replay.add({ node_status: {} }, 2);
  replay.add({ lost_events: {} }, 3);
  replay.add({ ...hubbleRecord({ from: FRONTEND, to: API, port: 8080 }), flow: { source: {}, destination: {} } }, 4);
  replay.add(hubbleRecord({ from: FRONTEND, to: API, port: 8080 }), 5);
  assert.deepEqual(replay.skipped, { reply: 1, 'not-flow': 2, incomplete: 1, 'other-l7': 0, oversized: 0 });
  assert.equal(replay.flows, 1);
});
