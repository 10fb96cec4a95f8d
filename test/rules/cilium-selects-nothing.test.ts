// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseFile } from '../../server/src/core/document.js';
import type { Finding } from '../../server/src/core/findings.js';
import { inventoryFromKubectlJson, inventoryFromManifests } from '../../server/src/core/inventory.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { EndpointIndex } from '../../server/src/core/preview.js';
import { rule } from '../../server/src/lint/rules/cilium-selects-nothing.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { testValidator } from '../support/annotations.js';
import { NO_SHARED, shared, yamlFilesUnder } from '../support/paths.js';

const ID = 'cilium/selects-nothing';

/** Two workloads in `shop` and one node, built in the test. */
const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: web
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels:
    app: db
---
apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
    node-role.kubernetes.io/worker: ""
`;

function index(text = MANIFESTS): EndpointIndex {
  return new EndpointIndex(inventoryFromManifests([{ uri: 'inventory.yaml', text }]));
}

/** The selects-nothing findings as `line: message start` (1-based lines). */
function found(text: string, inventory: EndpointIndex | undefined): { line: number; message: string }[] {
  const findings: Finding[] = lintFile(parseFile(text), {
    validator: testValidator(),
    settings: DEFAULT_SETTINGS,
    ...(inventory ? { inventory } : {}),
  });
  const lines = new LineIndex(text);
  return findings
    .filter((f) => f.code === ID)
    .map((f) => ({ line: lines.positionAt(f.span.start).line + 1, message: f.message }));
}

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: frontend
        - matchLabels:
            app: db
  egress:
    - toEndpoints:
        - matchLabels:
            app: db
            k8s:io.kubernetes.pod.namespace: other
`;

test('flags the selectors that match no workload of the inventory, and only those', () => {
  const r = found(POLICY, index());
  // app=frontend does not exist; db exists in shop but the egress entry looks in namespace other.
  assert.deepEqual(
    r.map((x) => x.line),
    [12, 18],
  );
  assert.match(r[0]!.message, /`fromEndpoints` entry matches no workload/);
  assert.match(r[0]!.message, /app=frontend/);
  assert.match(r[1]!.message, /`toEndpoints` entry/);
  assert.ok(
    r.every((x) => x.message.includes('2 workloads')),
    'the message names the inventory',
  );
});

test('is silent without an inventory (as on every upstream example, which has none)', () => {
  assert.deepEqual(found(POLICY, undefined), []);
  const dir = shared('upstream', 'examples', 'cilium');
  if (dir === undefined || !fs.existsSync(dir)) return void console.log(NO_SHARED);
  let policies = 0;
  for (const file of yamlFilesUnder(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!/cilium\.io\//.test(text)) continue;
    policies++;
    assert.deepEqual(found(text, undefined), [], file);
  }
  assert.ok(policies > 10, `checked the upstream policies (${policies})`);
});

test('a wrong namespace is the usual cause: the subject selector of a policy in an empty namespace', () => {
  const text = POLICY.replace('namespace: shop', 'namespace: shpo');
  const r = found(text, index());
  assert.ok(
    r.some((x) => x.line === 7 && /`endpointSelector` selects no workload/.test(x.message)),
    JSON.stringify(r),
  );
});

test('node selectors are checked against nodes, and only when the inventory has nodes', () => {
  const ccnp = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: hosts
spec:
  nodeSelector:
    matchLabels:
      node-role.kubernetes.io/control-plane: ""
  ingress:
    - fromNodes:
        - matchLabels:
            node-role.kubernetes.io/worker: ""
`;
  assert.deepEqual(
    found(ccnp, index()).map((x) => x.line),
    [6],
  );
  const podsOnly = index(MANIFESTS.slice(0, MANIFESTS.lastIndexOf('---')));
  assert.deepEqual(found(ccnp, podsOnly), [], 'no node in the inventory: node selectors are not judged');
});

test('reserved identities and matching selectors are never flagged', () => {
  const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ok
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEndpoints:
        - matchLabels:
            reserved:host: ""
        - {}
  egress:
    - toEntities:
        - world
`;
  assert.deepEqual(found(text, index()), []);
});

test('a snapshot inventory works the same; an inventory without workloads or nodes judges nothing', () => {
  const snap = inventoryFromKubectlJson(
    JSON.stringify({
      kind: 'List',
      items: [
        {
          kind: 'Pod',
          metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' } },
          status: { phase: 'Running' },
        },
      ],
    }),
  );
  assert.ok(snap.ok);
  assert.deepEqual(
    found(POLICY, new EndpointIndex(snap.inventory)).map((x) => x.line),
    [7, 12, 18],
  );
  const empty = inventoryFromKubectlJson(JSON.stringify({ kind: 'List', items: [] }));
  assert.ok(empty.ok);
  assert.deepEqual(found(POLICY, new EndpointIndex(empty.inventory)), []);
});

test("the rule's own example is flagged when its manifests are the inventory", () => {
  assert.equal(rule.requiresInventory, true);
  const bad = found(rule.example.bad, index(rule.example.bad));
  assert.equal(bad.length, 1);
  assert.deepEqual(found(rule.example.good, index(rule.example.good)), []);
});
