// SPDX-License-Identifier: Apache-2.0
/**
 * Where the editor warns about recorded flows the policies would drop (`lsp/replay-diagnostics.ts`):
 * the places come from the engine's verdicts (the rule whose HTTP rules refuse a request, the deny
 * rule, the selector of each policy that makes a direction default-deny, both directions when both
 * drop), only forwarded records count, and the message lists what is dropped, biggest first.
 * Expected places are found in the policy text; expected counts are summed from the flows written.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dropMessage, dropSites, groupPhrase, type DropSite } from '../../server/src/lsp/replay-diagnostics.js';
import { FlowReplay, type FlowGroup } from '../../server/src/semantics/replay/replay.js';
import { hubbleRecord, podLabels, type EndSpec, type FlowSpec } from '../support/hubble.js';
import { API, engineOf, FRONTEND, POLICIES } from '../semantics/replay-scenario.js';

/** The scenario's policies, and a deny rule refusing the worker on the API's port. */
const TEXT = `${POLICIES}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-deny, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingressDeny:
    - fromEndpoints: [{matchLabels: {app: worker}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
`;

const WORKER: EndSpec = {
  labels: podLabels('shop', { app: 'worker' }),
  namespace: 'shop',
  pod: 'worker-1',
  workload: { kind: 'Deployment', name: 'worker' },
  ip: '10.244.1.11',
};
const PAYMENTS: EndSpec = {
  labels: podLabels('billing', { app: 'payments' }),
  namespace: 'billing',
  pod: 'payments-1',
  workload: { kind: 'Deployment', name: 'payments' },
  ip: '10.244.2.5',
};

/** Flows to write, each `n` times. */
interface Written {
  readonly spec: FlowSpec;
  readonly n: number;
}

const POST: Written = {
  spec: { from: FRONTEND, to: API, port: 8080, http: { method: 'POST', url: 'http://api:8080/v1/orders' } },
  n: 3,
};
const GET: Written = {
  spec: { from: FRONTEND, to: API, port: 8080, http: { method: 'GET', url: 'http://api:8080/v1/items' } },
  n: 2,
};
const POST_DROPPED: Written = { spec: { ...POST.spec, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }, n: 4 };
const WORKER_API: Written = { spec: { from: WORKER, to: API, port: 8080 }, n: 2 };
const TO_PAYMENTS: Written = { spec: { from: FRONTEND, to: PAYMENTS, port: 8443 }, n: 5 };
/** Denied at both ends: the frontend's egress allows only 8080 to the API, and the API's ingress only its HTTP port. */
const API_9090: Written = { spec: { from: FRONTEND, to: API, port: 9090 }, n: 1 };
const REPLIES: Written = { spec: { from: FRONTEND, to: PAYMENTS, port: 8443, reply: true }, n: 7 };

function replayOf(written: readonly Written[]): FlowReplay {
  const replay = new FlowReplay({ head: engineOf(TEXT) });
  let line = 0;
  for (const w of written) for (let i = 0; i < w.n; i++) replay.add(hubbleRecord(w.spec), ++line);
  return replay;
}

/** The text of a site in the policies. */
function textAt(s: DropSite): string {
  return TEXT.slice(s.span.start, s.span.end);
}

test('drop sites: the refusing HTTP rule, the deny rule, and the default-deny selectors of both directions', () => {
  const replay = replayOf([POST, GET, POST_DROPPED, WORKER_API, TO_PAYMENTS, API_9090, REPLIES]);
  const sites = dropSites(replay.groups());
  const describe = (s: DropSite): string => `${s.kind} ${s.directions.join('+')} ${s.ref.name}`;
  assert.deepEqual(sites.map(describe).sort(), [
    'default-deny egress frontend',
    'default-deny ingress api',
    // A policy with deny rules only makes its direction default-deny too.
    'default-deny ingress api-deny',
    'deny-rule ingress api-deny',
    'rule ingress api',
  ]);
  const by = (d: string): DropSite => sites.find((s) => describe(s) === d)!;

  // The HTTP rule that refuses the POST: its item, and only the forwarded records count.
  const http = by('rule ingress api');
  assert.match(textAt(http), /^fromEndpoints: \[\{matchLabels: \{app: frontend\}\}\][\s\S]*method: GET/);
  assert.equal(http.flows, POST.n);
  assert.deepEqual(
    http.groups.map((g) => g.sample.http?.method),
    ['POST'],
  );

  const deny = by('deny-rule ingress api-deny');
  assert.match(textAt(deny), /app: worker/);
  assert.equal(deny.flows, WORKER_API.n);

  // The frontend's egress is default-deny for payments and for the API's 9090; the API's ingress for 9090.
  const egress = by('default-deny egress frontend');
  assert.match(textAt(egress), /app: frontend/);
  assert.equal(egress.flows, TO_PAYMENTS.n + API_9090.n);
  assert.deepEqual(
    egress.groups.map((g) => g.sample.port),
    [8443, 9090],
    'biggest first',
  );
  const ingress = by('default-deny ingress api');
  assert.match(textAt(ingress), /app: api/);
  assert.equal(ingress.flows, API_9090.n);
  assert.equal(by('default-deny ingress api-deny').flows, API_9090.n);
  // Both directions name the same group: fixing one does not let it through.
  assert.equal(
    ingress.groups[0],
    egress.groups.find((g) => g.sample.port === 9090),
  );

  // Sorted by place in the file, and keys are stable across replays of the same inputs.
  assert.deepEqual(
    sites.map((s) => s.span.start),
    [...sites.map((s) => s.span.start)].sort((a, b) => a - b),
  );
  assert.deepEqual(
    dropSites(replayOf([POST, GET, POST_DROPPED, WORKER_API, TO_PAYMENTS, API_9090, REPLIES]).groups()).map(
      (s) => s.key,
    ),
    sites.map((s) => s.key),
  );
});

test('drop sites: nothing when every forwarded flow passes, or only dropped records are denied', () => {
  assert.deepEqual(dropSites(replayOf([GET]).groups()), []);
  assert.deepEqual(dropSites(replayOf([POST_DROPPED, GET]).groups()), []);
  assert.deepEqual(dropSites([] as FlowGroup[]), []);
});

test('drop messages: counts, what is dropped in the policy namespace short, biggest first, at most three listed', () => {
  const replay = replayOf([POST, TO_PAYMENTS, API_9090]);
  const sites = dropSites(replay.groups());
  const http = sites.find((s) => s.kind === 'rule')!;
  assert.equal(dropMessage(http), `would drop ${POST.n} recorded flows (frontend → api:8080 POST /v1/orders)`);
  const egress = sites.find((s) => s.kind === 'default-deny' && s.directions.includes('egress'))!;
  // Another namespace keeps its name; the policy's own is left out.
  assert.equal(
    dropMessage(egress),
    `would drop ${TO_PAYMENTS.n + API_9090.n} recorded flows (frontend → billing/payments:8443, frontend → api:9090)`,
  );
  const single = sites.find((s) => s.kind === 'default-deny' && s.directions.includes('ingress'))!;
  assert.equal(dropMessage(single), 'would drop 1 recorded flow (frontend → api:9090)');

  // Four kinds of flow: three listed, then an ellipsis; the smallest is the one left out.
  const many = [9091, 9092, 9093, 9094].map((port, i) => ({ spec: { from: FRONTEND, to: PAYMENTS, port }, n: 4 - i }));
  const manySite = dropSites(replayOf(many).groups()).find((s) => s.directions.includes('egress'))!;
  const message = dropMessage(manySite);
  assert.equal(
    message,
    'would drop 10 recorded flows (frontend → billing/payments:9091, frontend → billing/payments:9092, frontend → billing/payments:9093, …)',
  );
});

test('group phrases: other protocols name themselves, DNS lookups and world names read as such', () => {
  const udp = replayOf([{ spec: { from: FRONTEND, to: PAYMENTS, port: 5353, protocol: 'UDP' }, n: 1 }]).groups()[0]!;
  assert.equal(groupPhrase(udp, 'shop'), 'frontend → billing/payments:5353/UDP');
  assert.equal(groupPhrase(udp, null), 'shop/frontend → billing/payments:5353/UDP');
  const world: EndSpec = { labels: ['reserved:world'], identity: 2, ip: '54.187.174.169' };
  const named = replayOf([
    { spec: { from: FRONTEND, to: world, port: 443, names: ['api.stripe.com.'] }, n: 1 },
  ]).groups()[0]!;
  assert.match(groupPhrase(named, 'shop'), /^frontend → api\.stripe\.com\.?:443$/);
  const dnsServer: EndSpec = {
    labels: podLabels('kube-system', { 'k8s-app': 'kube-dns' }),
    namespace: 'kube-system',
    pod: 'coredns-1',
    workload: { kind: 'Deployment', name: 'coredns' },
    ip: '10.96.0.10',
  };
  const lookup = replayOf([
    { spec: { from: FRONTEND, to: dnsServer, port: 53, protocol: 'UDP', dns: 'api.stripe.com.' }, n: 1 },
  ]).groups()[0]!;
  assert.equal(groupPhrase(lookup, 'shop'), 'frontend → kube-system/coredns:53/UDP (DNS api.stripe.com)');
});

test('drop sites: one policy closing both ends of a flow is one place, with both directions', () => {
  // Every pod of the shop is default-deny both ways; only the frontend may call the API.
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: all, namespace: shop}
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints: [{matchLabels: {app: frontend}}]
  egress:
    - toEndpoints: [{matchLabels: {app: api}}]
`;
  const replay = new FlowReplay({ head: engineOf(text) });
  const written: Written[] = [
    { spec: { from: FRONTEND, to: API, port: 8080 }, n: 2 },
    { spec: { from: API, to: FRONTEND, port: 3000 }, n: 3 },
  ];
  let line = 0;
  for (const w of written) for (let i = 0; i < w.n; i++) replay.add(hubbleRecord(w.spec), ++line);
  const sites = dropSites(replay.groups());
  assert.equal(sites.length, 1, JSON.stringify(sites.map((s) => s.key)));
  const site = sites[0]!;
  assert.deepEqual(site.directions, ['egress', 'ingress']);
  assert.equal(site.ref.name, 'all');
  assert.equal(site.flows, 3, 'the API calling the frontend, once: not once per direction');
  assert.equal(dropMessage(site), 'would drop 3 recorded flows (api → frontend:3000)');
});
