// SPDX-License-Identifier: Apache-2.0
/** The inventory loaders: workload manifests and kubectl JSON snapshots. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  InventoryIndex,
  inventoryFromKubectlJson,
  inventoryFromManifests,
  type Endpoint,
} from '../../server/src/core/inventory.js';

const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {owner: deployment-label-not-used}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      serviceAccountName: web-sa
      containers:
        - name: nginx
          image: nginx:1.27
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: report}
        spec:
          containers: [{name: report, image: busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    metadata: {labels: {app: migrate}}
    spec: {serviceAccount: legacy-sa, containers: [{name: m, image: tool}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {initContainers: [{name: init, image: busybox}], containers: [{name: pg, image: postgres}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: agent}}
    spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, labels: {run: debug}}
spec: {containers: [{name: sh, image: alpine}]}
`;

const byKey = (eps: readonly Endpoint[]): Record<string, Endpoint> =>
  Object.fromEntries(eps.map((e) => [`${e.kind}/${e.namespace}/${e.name}`, e]));

test('manifests: every workload kind becomes an endpoint with its pod template labels', () => {
  const inv = inventoryFromManifests([{ uri: 'file:///w.yaml', text: WORKLOADS }]);
  assert.equal(inv.origin, 'workspace');
  const eps = byKey(inv.endpoints);
  assert.deepEqual(Object.keys(eps).sort(), [
    'CronJob/default/nightly',
    'DaemonSet/kube-system/agent',
    'Deployment/shop/web',
    'Job/shop/migrate',
    'Pod/default/debug',
    'StatefulSet/shop/db',
  ]);
  assert.deepEqual(eps['Deployment/shop/web']?.labels, { app: 'web', tier: 'front' });
  assert.deepEqual(eps['CronJob/default/nightly']?.labels, { app: 'report' });
  assert.deepEqual(eps['Pod/default/debug']?.labels, { run: 'debug' });
  assert.deepEqual(
    eps['StatefulSet/shop/db']?.containers?.map((c) => c.name),
    ['init', 'pg'],
  );
  assert.deepEqual(eps['Deployment/shop/web']?.containers, [{ name: 'nginx', image: 'nginx:1.27' }]);
});

test('manifests: service accounts, with the API server default when none is named', () => {
  const eps = byKey(inventoryFromManifests([{ uri: 'w', text: WORKLOADS }]).endpoints);
  assert.equal(eps['Deployment/shop/web']?.serviceAccount, 'web-sa');
  assert.equal(eps['Job/shop/migrate']?.serviceAccount, 'legacy-sa');
  assert.equal(eps['Pod/default/debug']?.serviceAccount, 'default');
});

test('manifests: sources point at the document of each workload', () => {
  const inv = inventoryFromManifests([{ uri: 'file:///w.yaml', text: WORKLOADS }]);
  const job = inv.endpoints.find((e) => e.name === 'migrate');
  assert.equal(job?.source.file, 'file:///w.yaml');
  assert.ok(
    job?.source.offset !== undefined &&
      WORKLOADS.slice(job.source.offset)
        .trimStart()
        .replace(/^---\s*/, '')
        .startsWith('apiVersion: batch/v1\nkind: Job'),
  );
});

test('manifests: namespaces, services and nodes are read; policies, other kinds and broken documents are skipped', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: blue}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {tier: front}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, name: http}, {port: 53, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: external}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {role: infra}}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p}
spec: {endpointSelector: {}, ingress: [{}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Values.name }}}
spec: {template: {metadata: {labels: {app: x}}}}
---
kind: Pod
metadata: {name: [unclosed
---
apiVersion: v1
kind: Pod
metadata: {name: survivor}
`;
  const inv = inventoryFromManifests([{ uri: 'a', text }]);
  assert.deepEqual(
    inv.namespaces.map((n) => [n.name, n.labels]),
    [['shop', { team: 'blue' }]],
  );
  assert.deepEqual(
    inv.services.map((s) => [s.namespace, s.name, s.selector, s.ports]),
    [
      [
        'shop',
        'web',
        { app: 'web' },
        [
          { port: 80, protocol: 'TCP', name: 'http', targetPort: '8080' },
          { port: 53, protocol: 'UDP' },
        ],
      ],
      ['default', 'external', undefined, []],
    ],
  );
  assert.deepEqual(inv.services[0]?.labels, { tier: 'front' });
  assert.deepEqual(
    inv.nodes.map((n) => n.name),
    ['n1'],
  );
  assert.deepEqual(
    inv.endpoints.map((e) => e.name),
    ['survivor'],
  );
});

test('manifests: never throw, whatever the text', () => {
  for (const text of [
    '',
    ':::',
    '\u0000\u0001binary',
    'kind: Pod\n- a\n  b: [',
    'kind: List\nitems: 7',
    '{"kind":"Pod","metadata":{"name":"j"}}',
    'kind: Pod\nmetadata: &a {name: *a}',
  ]) {
    assert.doesNotThrow(() => inventoryFromManifests([{ uri: 'x', text }]), JSON.stringify(text));
  }
  assert.deepEqual(
    inventoryFromManifests([{ uri: 'x', text: '{"kind":"Pod","metadata":{"name":"j"}}' }]).endpoints.map((e) => e.name),
    ['j'],
  );
});

test('manifests: a List of objects is unpacked', () => {
  const text =
    'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: x}}\n  - {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n';
  const inv = inventoryFromManifests([{ uri: 'l', text }]);
  assert.deepEqual(
    inv.endpoints.map((e) => `${e.namespace}/${e.name}`),
    ['x/a'],
  );
  assert.deepEqual(
    inv.namespaces.map((n) => n.name),
    ['x'],
  );
});

test('InventoryIndex: files are added, replaced and removed one at a time', () => {
  const index = new InventoryIndex();
  assert.equal(index.update('a.yaml', 'kind: Pod\nmetadata: {name: one}\n'), true);
  assert.equal(index.update('b.yaml', 'kind: ConfigMap\nmetadata: {name: c}\n'), false);
  index.update('c.yaml', 'kind: Pod\nmetadata: {name: two, namespace: x}\n');
  const first = index.snapshot();
  assert.equal(index.snapshot(), first, 'unchanged snapshot is reused');
  assert.deepEqual(
    first.endpoints.map((e) => e.name),
    ['one', 'two'],
  );
  assert.match(first.description, /2 workloads from 2 files/);
  index.update('a.yaml', 'kind: Pod\nmetadata: {name: uno}\n');
  assert.deepEqual(
    index.snapshot().endpoints.map((e) => e.name),
    ['uno', 'two'],
  );
  index.update('c.yaml', '# emptied');
  index.remove('a.yaml');
  assert.deepEqual(index.snapshot().endpoints, []);
  assert.deepEqual(index.uris(), []);
  assert.deepEqual(
    first.endpoints.map((e) => e.name),
    ['one', 'two'],
    'old snapshots are not mutated',
  );
});

// ---------------------------------------------------------------------------------------------
// kubectl snapshots

const SNAPSHOT = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'blue' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-5d8f9c7b6-abcde',
        namespace: 'shop',
        labels: { app: 'web', 'pod-template-hash': '5d8f9c7b6' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8f9c7b6', controller: true }],
      },
      spec: { serviceAccountName: 'web-sa', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: { phase: 'Running' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-5d8f9c7b6-fghij',
        namespace: 'shop',
        labels: { app: 'web', 'pod-template-hash': '5d8f9c7b6' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8f9c7b6', controller: true }],
      },
      spec: { serviceAccountName: 'web-sa', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: { phase: 'Running' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'db-0',
        namespace: 'shop',
        labels: { app: 'db' },
        ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }],
      },
      spec: { serviceAccountName: 'default', containers: [{ name: 'pg', image: 'postgres' }] },
      status: { phase: 'Running' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'done', namespace: 'shop', labels: {} },
      spec: {},
      status: { phase: 'Succeeded' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hostnet', namespace: 'kube-system', labels: {} },
      spec: { hostNetwork: true },
      status: { phase: 'Running' },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop', labels: {} },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEndpoint',
      metadata: { name: 'db-0', namespace: 'shop' },
      status: { identity: { id: 1234, labels: ['k8s:app=db', 'k8s:io.kubernetes.pod.namespace=shop'] } },
    },
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumEndpoint',
      metadata: { name: 'orphan', namespace: 'edge' },
      status: {
        identity: {
          id: 99,
          labels: ['k8s:app=gw', 'k8s:io.kubernetes.pod.namespace=edge', 'k8s:io.cilium.k8s.policy.cluster=default'],
        },
      },
    },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } },
  ],
};

test('snapshot: pods fold into their workloads; finished and host-network pods are left out', () => {
  const r = inventoryFromKubectlJson(JSON.stringify(SNAPSHOT));
  assert.ok(r.ok);
  const eps = byKey(r.inventory.endpoints);
  assert.deepEqual(Object.keys(eps).sort(), [
    'CiliumEndpoint/edge/orphan',
    'Deployment/shop/web',
    'StatefulSet/shop/db',
  ]);
  assert.equal(eps['Deployment/shop/web']?.serviceAccount, 'web-sa');
  assert.equal(r.inventory.origin, 'snapshot');
  assert.deepEqual(
    r.inventory.namespaces.map((n) => n.labels['team']),
    ['blue'],
  );
  assert.deepEqual(
    r.inventory.services.map((s) => s.name),
    ['web'],
  );
  assert.deepEqual(
    r.inventory.nodes.map((n) => n.name),
    ['n1'],
  );
});

test('snapshot: CiliumEndpoints attach the agent identity labels; orphans become endpoints of their own', () => {
  const r = inventoryFromKubectlJson(JSON.stringify(SNAPSHOT), 'cluster');
  assert.ok(r.ok);
  assert.equal(r.inventory.origin, 'cluster');
  const eps = byKey(r.inventory.endpoints);
  assert.deepEqual(eps['StatefulSet/shop/db']?.identityLabels, ['k8s:app=db', 'k8s:io.kubernetes.pod.namespace=shop']);
  assert.equal(eps['Deployment/shop/web']?.identityLabels, undefined);
  assert.deepEqual(eps['CiliumEndpoint/edge/orphan']?.labels, { app: 'gw' });
});

test('snapshot: truncated, empty or non-JSON text gives an error result, not an exception', () => {
  const full = JSON.stringify(SNAPSHOT);
  for (const text of [full.slice(0, full.length / 2), '', 'apiVersion: v1\nkind: List\n', '[1, 2', 'null', '42']) {
    const r = inventoryFromKubectlJson(text);
    assert.equal(r.ok, false, JSON.stringify(text.slice(0, 20)));
    if (!r.ok) assert.match(r.error, /^The snapshot could not be read: /);
  }
  const cut = inventoryFromKubectlJson(full.slice(0, 200));
  assert.ok(!cut.ok && /cut off/.test(cut.error));
  const yaml = inventoryFromKubectlJson('apiVersion: v1');
  assert.ok(!yaml.ok && /-o json/.test(yaml.error));
});

test('snapshot: an empty List is fine, with a warning', () => {
  const r = inventoryFromKubectlJson('{"apiVersion":"v1","kind":"List","items":[]}');
  assert.ok(r.ok);
  assert.deepEqual(r.inventory.endpoints, []);
  assert.equal(r.warnings.length, 1);
});

test('snapshot: a typed list (kubectl get pods -o json) without item kinds is read', () => {
  const r = inventoryFromKubectlJson(
    JSON.stringify({
      kind: 'PodList',
      items: [{ metadata: { name: 'p', namespace: 'x', labels: { a: 'b' } }, spec: {}, status: { phase: 'Running' } }],
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.inventory.endpoints.map((e) => `${e.kind}/${e.namespace}/${e.name}`),
    ['Pod/x/p'],
  );
});
