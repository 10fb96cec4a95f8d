// SPDX-License-Identifier: Apache-2.0
/**
 * The grouped replay against flows judged one by one: a seeded sample of records (pods with and
 * without workloads, ends that share a numeric identity but not their labels, host ends on
 * several nodes, world addresses with and without names, other clusters, records without an
 * identity, HTTP with headers some rule tests, DNS lookups, ICMP, times of several shapes) is
 * replayed once through {@link FlowReplay}'s groups, and each record again alone in a replay of its
 * own. Every record must get the same answer both ways, and each group's counts, times and sample
 * pods must be what its records say.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { VerdictEngine } from '../../server/src/semantics/engine.js';
import { FlowReplay, SAMPLE_PODS, type FlowGroup, type Judgement } from '../../server/src/semantics/replay/replay.js';
import { hubbleRecord, podLabels, type EndSpec, type FlowSpec } from '../support/hubble.js';
import { engineOf, POLICIES } from './replay-scenario.js';

/** A rule on a header, so headers are part of the questions. */
const HEADERS = `
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: admin, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: admin}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: frontend}}]
      toPorts:
        - ports: [{port: "80", protocol: TCP}]
          rules:
            http: [{method: GET, path: "/admin/.*", headers: ["X-Token: t1"]}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: host}
spec:
  nodeSelector: {}
  ingress:
    - fromEntities: [cluster]
      toPorts: [{ports: [{port: "10250", protocol: TCP}]}]
`;

/** The base drops the frontend's DNS rule and adds nothing: some answers change. */
const BASE = POLICIES.replace(
  /\n {4}- toEndpoints:\n {8}- matchLabels: \{k8s:io.kubernetes.pod.namespace: kube-system[\s\S]*?matchPattern: "\*.stripe.com"\}\]\n/,
  '\n',
);

let seed = 7;
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

function pod(ns: string, app: string, opts: { workload?: boolean; identity?: number; cluster?: string } = {}): EndSpec {
  const n = Math.floor(rand() * 6);
  return {
    labels: podLabels(ns, { app }, opts.cluster ?? 'default'),
    namespace: ns,
    pod: `${app}-7d9f8c6b5-${'abcdef'[n]}${n}`,
    ...(opts.workload === false ? {} : { workload: { kind: 'Deployment', name: app } }),
    // Every pod of this sample shares one identity number unless told otherwise: the replay must
    // still tell them apart by their labels.
    identity: opts.identity ?? 12345,
    ...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}),
    ip: `10.244.${app.length}.${n + 2}`,
  };
}

const WORLD_IPS = ['54.187.174.169', '1.1.1.1', '8.8.8.8', '140.82.121.4'];
const NAMES = [undefined, ['api.stripe.com'], ['checkout.stripe.com'], ['example.com']];

function end(): EndSpec {
  const r = rand();
  if (r < 0.22) return pod('shop', 'frontend');
  // A record that contradicts the others with its identity and workload (an identity number
  // reused for other labels): its labels decide.
  if (r < 0.25) return { ...pod('shop', 'frontend'), labels: podLabels('shop', { app: 'api' }) };
  if (r < 0.4) return pod('shop', 'api');
  if (r < 0.47) return pod('shop', 'admin', { workload: false, identity: 30001 });
  if (r < 0.52) return pod('kube-system', 'kube-dns', { identity: 30002 });
  // The same workload name in many namespaces under one identity: more than a bucket keeps.
  if (r < 0.62) return pod(`team${Math.floor(rand() * 12)}`, 'worker');
  if (r < 0.66) return pod('shop', 'api', { cluster: 'east' });
  if (r < 0.69) return pod('shop', 'frontend', { identity: 0 });
  if (r < 0.72) return { labels: [], identity: pick([0, 2, 6, 4242]), ip: pick(WORLD_IPS) };
  if (r < 0.8) return { labels: ['reserved:world'], identity: 2, ip: pick(WORLD_IPS) };
  if (r < 0.87) return { labels: ['reserved:host'], identity: 1, ip: '172.18.0.2' };
  if (r < 0.9) return { labels: ['reserved:remote-node'], identity: 6, ip: '172.18.0.3' };
  return { labels: ['reserved:kube-apiserver', 'reserved:world'], identity: 7, ip: '172.18.0.4' };
}

const TIMES = [
  (k: number) => new Date(Date.UTC(2026, 10, 30, 10, 0, 0) + k * 997).toISOString(),
  (k: number) => `2026-11-30T10:${String(k % 60).padStart(2, '0')}:00.${String(k % 1000).padStart(9, '0')}Z`,
  (k: number) => `2026-11-30T11:${String((k * 7) % 60).padStart(2, '0')}:00+01:00`,
  () => '',
  () => 'not a time',
];

function sample(n: number): FlowSpec[] {
  const out: FlowSpec[] = [];
  for (let k = 0; k < n; k++) {
    const from = end();
    const to = end();
    const kind = rand();
    const l4: Partial<FlowSpec> =
      kind < 0.5
        ? { port: pick([8080, 80, 443, 10250]) }
        : kind < 0.65
          ? {
              port: pick([8080, 80]),
              http: {
                method: pick(['GET', 'POST']),
                url: pick(['http://api.shop:8080/v1/items', 'http://admin/admin/x', '/admin/y?q=1', 'http://h/other']),
                ...(rand() < 0.5 ? { headers: { 'X-Token': pick(['t1', 't2']), 'X-Other': String(k % 3) } } : {}),
              },
            }
          : kind < 0.8
            ? { protocol: 'UDP', port: 53, dns: pick(['api.stripe.com.', 'evil.example.', 'x.stripe.com.']) }
            : kind < 0.9
              ? { protocol: pick(['ICMPv4', 'ICMPv6'] as const), icmpType: pick([0, 8, 128]) }
              : { protocol: pick(['UDP', 'SCTP'] as const), port: pick([53, 9999]) };
    const names = pick(NAMES);
    out.push({
      from,
      to,
      ...l4,
      ...(names ? { names } : {}),
      verdict: pick(['FORWARDED', 'FORWARDED', 'FORWARDED', 'DROPPED', 'AUDIT', 'REDIRECTED']),
      ...(rand() < 0.2 ? { dropReason: pick(['POLICY_DENIED', 'CT_MAP_INSERTION_FAILED']) } : {}),
      direction: pick(['INGRESS', 'EGRESS'] as const),
      node: pick(['kind-worker', 'kind-worker2', 'default/kind-control-plane']),
      time: pick(TIMES)(k),
    });
  }
  return out;
}

/**
 * What a judgement says, as data (the engine's answer included). A group, and the engine's
 * explanations, name a pod without a workload as the first record of it did, so the pod part of
 * the sample's pod names is left out before comparing.
 */
function answer(j: Judgement | undefined): unknown {
  return j === undefined ? undefined : JSON.parse(JSON.stringify(j).replace(/-7d9f8c6b5-[a-f][0-9]/g, '-7d9f8c6b5-*'));
}

function compare(
  head: VerdictEngine,
  base: VerdictEngine | undefined,
  specs: readonly FlowSpec[],
  maxGroups?: number,
): FlowGroup[] {
  const options = { head, ...(base ? { base } : {}), ...(maxGroups !== undefined ? { maxGroups } : {}) };
  const grouped = new FlowReplay(options);
  const members = new Map<FlowGroup, FlowSpec[]>();
  let judged = 0;
  specs.forEach((spec, i) => {
    const together = grouped.add(hubbleRecord(spec), i + 1);
    const alone = new FlowReplay({ head, ...(base ? { base } : {}) }).add(hubbleRecord(spec), i + 1);
    assert.equal(together === undefined, alone === undefined, `record ${i + 1}: skipped alike`);
    if (!together || !alone) return;
    judged++;
    const what = `record ${i + 1} (${JSON.stringify(spec)})`;
    assert.deepEqual(answer(together.group.head), answer(alone.group.head), `${what}: head`);
    assert.deepEqual(answer(together.group.base), answer(alone.group.base), `${what}: base`);
    assert.equal(together.change, alone.change, `${what}: change`);
    let list = members.get(together.group);
    if (!list) members.set(together.group, (list = []));
    list.push(spec);
  });
  assert.equal(grouped.flows, judged);
  // Each kept group holds exactly the records that landed in it, with their times and pods.
  for (const g of grouped.groups()) {
    const list = members.get(g) ?? [];
    assert.equal(g.flows, list.length, `group ${g.id}: flows`);
    const times = list.map((s) => s.time ?? '').filter((t) => t !== '' && !Number.isNaN(Date.parse(t)));
    const first = times.reduce<string>((a, t) => (a === '' || Date.parse(t) < Date.parse(a) ? t : a), '');
    const last = times.reduce<string>((a, t) => (a === '' || Date.parse(t) > Date.parse(a) ? t : a), '');
    assert.equal(Date.parse(g.firstTime || 'x'), Date.parse(first || 'x'), `group ${g.id}: first time`);
    assert.equal(Date.parse(g.lastTime || 'x'), Date.parse(last || 'x'), `group ${g.id}: last time`);
    const pods = (xs: (string | undefined)[]): string[] =>
      [...new Set(xs.filter((x): x is string => x !== undefined && x !== ''))].slice(0, SAMPLE_PODS);
    assert.deepEqual(g.sourcePods, pods(list.map((s) => s.from.pod)), `group ${g.id}: source pods`);
    assert.deepEqual(g.destinationPods, pods(list.map((s) => s.to.pod)), `group ${g.id}: destination pods`);
    assert.equal(
      g.forwarded,
      list.filter((s) => s.verdict === 'FORWARDED' || s.verdict === 'REDIRECTED').length,
      `group ${g.id}: forwarded`,
    );
  }
  return [...grouped.groups()];
}

test('grouped replay: every record gets the answer it gets alone, and groups hold what their records say', () => {
  const specs = sample(1500);
  const head = engineOf(POLICIES + HEADERS);
  const groups = compare(head, engineOf(BASE + HEADERS), specs);
  // The sample must exercise grouping: far fewer groups than records, some with many records,
  // and some answers of each kind.
  assert.ok(groups.length < (specs.length * 3) / 4, `${groups.length} groups for ${specs.length} records`);
  assert.ok(groups.some((g) => g.flows >= 5));
  const verdicts = new Set(groups.map((g) => g.head.verdict));
  assert.deepEqual([...verdicts].sort(), ['allow', 'deny', 'unknown']);
  assert.ok(
    groups.some((g) => g.base !== undefined && g.base.verdict !== g.head.verdict),
    'the base changes some',
  );
});

test('grouped replay without a base, and past the group limit (records then judged alone), agrees too', () => {
  const specs = sample(600);
  const head = engineOf(POLICIES + HEADERS);
  compare(head, undefined, specs);
  const kept = compare(head, undefined, specs, 25);
  assert.equal(kept.length, 25);
});
