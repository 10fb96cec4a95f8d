// SPDX-License-Identifier: Apache-2.0
/**
 * Reading Hubble flow records: both wrappers (GetFlowsResponse and bare flows), both field
 * spellings (snake_case and camelCase), enums as names and numbers, and every kind of value that is
 * skipped rather than judged.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  droppedByPolicy,
  forwarded,
  readHubbleRecord,
  RECORD_LIMITS,
  splitUrl,
  type RecordedFlow,
} from '../../server/src/semantics/replay/hubble.js';
import { bare, camelCased, hubbleRecord, podLabels, type FlowSpec } from '../support/hubble.js';

const FRONTEND = { labels: podLabels('shop', { app: 'frontend' }), namespace: 'shop', pod: 'frontend-7d9f-x2' };
const API = {
  labels: podLabels('shop', { app: 'api' }),
  namespace: 'shop',
  pod: 'api-5c4b-q1',
  workload: { kind: 'Deployment', name: 'api' },
  ip: '10.244.1.9',
};

function flowOf(value: unknown): RecordedFlow {
  const r = readHubbleRecord(value);
  assert.equal(r.kind, 'flow', `read as a flow: ${JSON.stringify(r)}`);
  return (r as { flow: RecordedFlow }).flow;
}

function skipOf(value: unknown): string {
  const r = readHubbleRecord(value);
  assert.equal(r.kind, 'skip', `skipped: ${JSON.stringify(value).slice(0, 200)}`);
  return (r as { skip: string }).skip;
}

const SPECS: FlowSpec[] = [
  { from: FRONTEND, to: API, port: 8080, verdict: 'FORWARDED', node: 'kind-worker', time: '2026-11-30T10:00:01Z' },
  {
    from: FRONTEND,
    to: API,
    port: 8080,
    http: { method: 'POST', url: 'http://api.shop:8080/v1/orders?x=1', headers: { 'X-Debug': '1' } },
    direction: 'INGRESS',
  },
  {
    from: FRONTEND,
    to: { labels: ['reserved:kube-dns'], namespace: 'kube-system' },
    protocol: 'UDP',
    port: 53,
    dns: 'api.stripe.com.',
  },
  { from: FRONTEND, to: { labels: ['reserved:world'], ip: '54.187.174.169' }, port: 443, names: ['api.stripe.com'] },
  { from: FRONTEND, to: API, protocol: 'ICMPv4', icmpType: 8, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' },
  { from: FRONTEND, to: API, protocol: 'ICMPv6', icmpType: 128 },
  { from: FRONTEND, to: API, protocol: 'SCTP', port: 9000 },
];

test('a GetFlowsResponse and a bare flow read the same, in both field spellings', () => {
  for (const spec of SPECS) {
    const record = hubbleRecord(spec);
    const expected = flowOf(record);
    assert.deepEqual(flowOf(bare(record)), expected, 'bare flow');
    assert.deepEqual(flowOf(camelCased(record)), expected, 'camelCase');
    assert.deepEqual(flowOf(camelCased(bare(record))), expected, 'bare camelCase');
  }
});

test('what a flow gives: ends, addresses, transport, L7, names, verdict, direction, node and time', () => {
  const [plain, http, dns, world, icmp, icmp6, sctp] = SPECS.map((s) => flowOf(hubbleRecord(s)));
  assert.ok(plain && http && dns && world && icmp && icmp6 && sctp);
  assert.equal(plain.protocol, 'TCP');
  assert.equal(plain.port, 8080);
  assert.equal(plain.verdict, 'FORWARDED');
  assert.equal(plain.node, 'kind-worker');
  assert.equal(plain.time, '2026-11-30T10:00:01Z');
  assert.deepEqual(plain.source.labels, FRONTEND.labels);
  assert.equal(plain.source.pod, FRONTEND.pod);
  assert.equal(plain.destination.namespace, 'shop');
  assert.deepEqual(plain.destination.workloads, [API.workload]);
  assert.equal(plain.destinationIp, API.ip);
  assert.equal(plain.direction, 'EGRESS');
  assert.equal(http.direction, 'INGRESS');
  assert.deepEqual(
    { method: http.http?.method, path: http.http?.path, host: http.http?.host },
    { method: 'POST', path: '/v1/orders?x=1', host: 'api.shop:8080' },
  );
  assert.deepEqual(http.http?.headers, [{ key: 'X-Debug', value: '1' }]);
  assert.equal(dns.dns, 'api.stripe.com.');
  assert.equal(dns.protocol, 'UDP');
  assert.deepEqual(world.destinationNames, ['api.stripe.com']);
  assert.deepEqual([icmp.protocol, icmp.icmpType, icmp.port], ['ICMP', 8, undefined]);
  assert.deepEqual([icmp6.protocol, icmp6.icmpType], ['ICMPv6', 128]);
  assert.equal(sctp.protocol, 'SCTP');
  assert.ok(droppedByPolicy(icmp) && !forwarded(icmp));
  assert.ok(forwarded(plain) && !droppedByPolicy(plain));
});

test('enums written as numbers read as their names', () => {
  const record = hubbleRecord({ from: FRONTEND, to: API, port: 8080 });
  const f = bare(record);
  const numeric = { ...f, verdict: 2, Type: 1, traffic_direction: 1, drop_reason_desc: 133 };
  const got = flowOf(numeric);
  assert.deepEqual(
    [got.verdict, got.type, got.direction, got.dropReason],
    ['DROPPED', 'L3_L4', 'INGRESS', 'POLICY_DENIED'],
  );
  assert.ok(droppedByPolicy(got));
  assert.equal(flowOf({ ...f, verdict: 5 }).verdict, 'REDIRECTED');
  assert.ok(forwarded(flowOf({ ...f, verdict: 5 })), 'redirected to the proxy: admitted by policy');
  assert.ok(!droppedByPolicy(flowOf({ ...f, verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' })));
  assert.equal(
    flowOf({ ...f, destination: { ...(f['destination'] as object), identity: '12345' } }).destination.identity,
    12345,
  );
});

test('replies are skipped: is_reply, the deprecated reply, and L7 responses', () => {
  assert.equal(skipOf(hubbleRecord({ from: API, to: FRONTEND, port: 43000, reply: true })), 'reply');
  assert.equal(skipOf(camelCased(hubbleRecord({ from: API, to: FRONTEND, port: 43000, reply: true }))), 'reply');
  const old = bare(hubbleRecord({ from: API, to: FRONTEND, port: 43000 }));
  delete old['is_reply'];
  assert.equal(skipOf({ ...old, reply: true }), 'reply');
  assert.equal(readHubbleRecord(old).kind, 'flow', 'is_reply absent: not known to be a reply, judged');
  assert.equal(
    skipOf(
      hubbleRecord({ from: FRONTEND, to: API, port: 8080, http: { method: 'GET', url: '/' }, l7Type: 'RESPONSE' }),
    ),
    'reply',
  );
});

test('values that are not flows are skipped as not-flow', () => {
  const notFlows: unknown[] = [
    {
      node_status: { state_change: 'NODE_CONNECTED', node_names: ['kind-worker'] },
      node_name: 'kind-worker',
      time: '2026-11-30T10:00:00Z',
    },
    { lost_events: { source: 'PERF_EVENT_RING_BUFFER', num_events_lost: '12', cpu: 1 }, node_name: 'kind-worker' },
    { lostEvents: { source: 'HUBBLE_RING_BUFFER', numEventsLost: '3' } },
    { agent_event: { type: 'POLICY_UPDATED' } },
    { debug_event: { type: 'DBG_GENERIC' } },
    { flow: 'not an object' },
    {},
    [],
    42,
    'text',
    null,
  ];
  for (const v of notFlows) assert.equal(skipOf(v), 'not-flow', JSON.stringify(v));
});

test('flows that cannot be judged are skipped as incomplete, other L7 protocols as other-l7', () => {
  const f = bare(hubbleRecord({ from: FRONTEND, to: API, port: 8080 }));
  const without = (k: string): Record<string, unknown> => {
    const copy = { ...f };
    delete copy[k];
    return copy;
  };
  assert.equal(skipOf(without('l4')), 'incomplete', 'no transport layer (ARP, for one)');
  assert.equal(skipOf(without('source')), 'incomplete');
  assert.equal(skipOf(without('destination')), 'incomplete');
  assert.equal(skipOf({ ...f, l4: { TCP: { source_port: 1, destination_port: 0 } } }), 'incomplete', 'port 0');
  assert.equal(skipOf({ ...f, l4: { TCP: { destination_port: 70000 } } }), 'incomplete', 'port out of range');
  assert.equal(skipOf({ ...f, Type: 'SOCK' }), 'incomplete', 'socket translation traces');
  assert.equal(
    skipOf({ ...f, Type: 'L7', l7: { type: 'REQUEST', kafka: { api_key: 'produce', topic: 't' } } }),
    'other-l7',
  );
  assert.equal(skipOf({ ...f, Type: 'L7', l7: { type: 'REQUEST', dns: { query: '' } } }), 'incomplete');
});

test('records larger than any real one are skipped as oversized', () => {
  const f = bare(hubbleRecord({ from: FRONTEND, to: API, port: 8080 }));
  const src = f['source'] as Record<string, unknown>;
  const many = Array.from({ length: RECORD_LIMITS.labels + 1 }, (_, i) => `k8s:l${i}=v`);
  assert.equal(skipOf({ ...f, source: { ...src, labels: many } }), 'oversized');
  assert.equal(
    skipOf({ ...f, source: { ...src, labels: [`k8s:app=${'x'.repeat(RECORD_LIMITS.text)}`] } }),
    'oversized',
  );
  const l7 = { type: 'REQUEST', http: { method: 'GET', url: `http://a/${'x'.repeat(RECORD_LIMITS.url)}` } };
  assert.equal(skipOf({ ...f, Type: 'L7', l7 }), 'oversized');
  assert.equal(
    skipOf({ ...f, destination_names: Array.from({ length: RECORD_LIMITS.names + 1 }, (_, i) => `n${i}.example`) }),
    'oversized',
  );
  // Within the limits, the record is read.
  assert.equal(
    readHubbleRecord({ ...f, source: { ...src, labels: many.slice(0, RECORD_LIMITS.labels) } }).kind,
    'flow',
  );
});

test('wrong types in fields are ignored, never thrown on', () => {
  const f = bare(hubbleRecord({ from: FRONTEND, to: API, port: 8080 }));
  const odd = {
    ...f,
    time: 7,
    node_name: ['x'],
    verdict: { x: 1 },
    IP: 'nope',
    destination_names: 'api',
    source: { ...(f['source'] as object), labels: [1, null, 'k8s:app=frontend'], workloads: 'x', pod_name: 3 },
  };
  const got = flowOf(odd);
  assert.deepEqual(got.source.labels, ['k8s:app=frontend']);
  assert.deepEqual(
    [got.time, got.node, got.verdict, got.sourceIp, got.destinationNames],
    ['', '', 'VERDICT_UNKNOWN', '', []],
  );
});

test('URLs split into path (with the query) and authority', () => {
  assert.deepEqual(splitUrl('http://api.shop:8080/v1/items?page=2#top'), {
    path: '/v1/items?page=2',
    host: 'api.shop:8080',
  });
  assert.deepEqual(splitUrl('https://user:HUBBLE_REDACTED@api.shop'), { path: '/', host: 'api.shop' });
  assert.deepEqual(splitUrl('http://api.shop?x=1'), { path: '/?x=1', host: 'api.shop' });
  assert.deepEqual(splitUrl('/healthz'), { path: '/healthz', host: '' });
  assert.deepEqual(splitUrl(''), { path: '/', host: '' });
});
