// SPDX-License-Identifier: Apache-2.0
/** The Endpoints view's rows (`client/src/endpoints-tree-model.ts`), checked without an editor. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { EndpointPoliciesRequest, WireEndpoint } from '../../server/src/protocol.js';
import {
  emptyInventoryMessage,
  fileName,
  groupInventory,
  NODES_GROUP,
  policyRows,
  shortLabels,
} from '../../client/src/endpoints-tree-model.js';

const loc = {
  uri: 'file:///ws/apps.yaml',
  range: { start: { line: 4, character: 0 }, end: { line: 20, character: 0 } },
};
const ep = (
  kind: string,
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  extra: Partial<WireEndpoint> = {},
): WireEndpoint => ({ kind, namespace, name, labels, ...extra });

test('inventory grouped by namespace, sorted, nodes last', () => {
  const groups = groupInventory([
    ep('Deployment', 'shop', 'web', { app: 'web', tier: 'front' }, { location: loc }),
    ep('Node', '', 'worker-1', { 'kubernetes.io/os': 'linux' }),
    ep('StatefulSet', 'data', 'db', { app: 'db' }),
    ep('Deployment', 'shop', 'api', { app: 'api', b: '2', c: '3', d: '4' }, { serviceAccount: 'api-sa' }),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.label, g.description]),
    [
      ['data', '1 workload'],
      ['shop', '2 workloads'],
      ['nodes', '1 node'],
    ],
  );
  assert.equal(groups[2]!.namespace, NODES_GROUP);
  const shop = groups[1]!.endpoints;
  assert.deepEqual(
    shop.map((e) => e.label),
    ['api', 'web'],
  );
  assert.equal(shop[0]!.description, 'Deployment · app=api, b=2, c=3, +1');
  assert.match(
    shop[0]!.tooltip,
    /^Deployment shop\/api\nservice account: api-sa\n\napp=api\nb=2\nc=3\nd=4\n\nnot from a workspace manifest$/,
  );
  assert.deepEqual(shop[1]!.location, loc);
  assert.equal(shop[1]!.expandable, true);
  assert.equal(groups[2]!.endpoints[0]!.expandable, false, 'nodes are not looked up');
  assert.deepEqual(shop[1]!.key, { kind: 'Deployment', namespace: 'shop', name: 'web' });
});

test('hostile labels are plain and bounded', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const [g] = groupInventory([ep('Pod', evil, 'n'.repeat(10_000), { [evil]: 'v'.repeat(10_000) })]);
  const e = g!.endpoints[0]!;
  assert.ok(e.label.length <= 200 && e.label.endsWith('…'));
  assert.ok(e.description.length < 120);
  assert.ok(e.tooltip.includes(evil), 'kept literally (tooltips are plain strings, not Markdown)');
  assert.ok(e.tooltip.length < 1000);
  assert.equal(shortLabels(undefined), '');
});

test('policies of a workload, its manifest and default deny', () => {
  const [g] = groupInventory([ep('Deployment', 'shop', 'web', { app: 'web' }, { location: loc })]);
  const web = g!.endpoints[0]!;
  const result: EndpointPoliciesRequest.Result = {
    policies: [
      {
        uri: 'file:///ws/policies/my%20policy.yaml',
        kind: 'CiliumNetworkPolicy',
        name: 'allow-web',
        namespace: 'shop',
        range: { start: { line: 9, character: 0 }, end: { line: 20, character: 0 } },
        ingress: true,
        egress: false,
        defaultDeny: { ingress: true, egress: false },
      },
      {
        uri: 'file:///ws/ccnp.yaml',
        kind: 'CiliumClusterwideNetworkPolicy',
        name: null,
        namespace: null,
        range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } },
        ingress: false,
        egress: true,
        defaultDeny: { ingress: false, egress: true },
      },
    ],
    defaultDeny: { ingress: true, egress: true },
  };
  const rows = policyRows(web, result);
  assert.deepEqual(
    rows.map((r) => [r.label, r.description, r.icon]),
    [
      ['Open manifest', '', 'manifest'],
      ['shop/allow-web', 'CiliumNetworkPolicy · ingress', 'policy'],
      ['(no name)', 'CiliumClusterwideNetworkPolicy · egress', 'policy'],
      ['ingress: default deny', '', 'deny'],
      ['egress: default deny', '', 'deny'],
    ],
  );
  assert.deepEqual(rows[0]!.open, loc);
  assert.equal(rows[1]!.open?.uri, 'file:///ws/policies/my%20policy.yaml');
  assert.equal(rows[1]!.open?.range.start.line, 9);
  assert.match(rows[1]!.tooltip, /my policy\.yaml, line 10/);
  assert.equal(rows[3]!.open, undefined);

  const none = policyRows({ ...web, location: undefined } as typeof web, {
    policies: [],
    defaultDeny: { ingress: false, egress: false },
  });
  assert.deepEqual(
    none.map((r) => r.label),
    ['No policy selects this workload', 'ingress: allowed by default', 'egress: allowed by default'],
  );
  assert.deepEqual(
    policyRows(web, null).map((r) => r.icon),
    ['manifest', 'info', 'allow', 'allow'],
  );
  // A tracing policy says what it watches and does instead of "no rules".
  const tracing = policyRows(web, {
    policies: [
      {
        uri: 'file:///ws/t.yaml',
        kind: 'TracingPolicyNamespaced',
        name: 'files',
        namespace: 'shop',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        ingress: false,
        egress: false,
        defaultDeny: { ingress: false, egress: false },
        hooks: 'kprobe security_file_permission → Sigkill',
      },
    ],
    defaultDeny: { ingress: false, egress: false },
  });
  assert.equal(tracing[1]!.description, 'TracingPolicyNamespaced · kprobe security_file_permission → Sigkill');
});

test('empty inventory messages and file names', () => {
  assert.match(emptyInventoryMessage(undefined), /not reported/);
  assert.equal(emptyInventoryMessage({ origin: 'none', description: '', endpoints: 0 }), 'No inventory is loaded yet.');
  assert.equal(
    emptyInventoryMessage({ origin: 'cluster', description: 'kind: 0', endpoints: 0 }),
    'The cluster inventory holds no workload.',
  );
  assert.match(
    emptyInventoryMessage({ origin: 'snapshot', description: '', endpoints: 0, error: 'cut off' }),
    /could not be loaded: cut off/,
  );
  assert.equal(fileName('file:///a/b/c%20d.yaml'), 'c d.yaml');
  assert.equal(fileName('file:///a/%E0%A4%A.yaml'), '%E0%A4%A.yaml');
});
