// SPDX-License-Identifier: Apache-2.0
/**
 * Kubernetes NetworkPolicy as a kind of the registry: recognised and outlined, previewed (which
 * pods it selects, which peers each rule admits) and found by the reverse lookup, but never
 * validated or linted by us. The expected names were worked out by reading the manifests below
 * (each pod's labels against each selector), and the preview is checked against the verdict
 * engine on the same inputs: a peer the preview lists is one the engine lets in.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { outlineFile } from '../../server/src/core/outline.js';
import { policiesSelecting, previewDetails } from '../../server/src/core/preview.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';

const WORKLOADS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {team: ops}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, ports: [{containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: monitor, namespace: ops, labels: {app: monitor}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ops, labels: {app: web}}
spec: {containers: [{name: c}]}
`;

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-ingress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: web
        - namespaceSelector:
            matchLabels:
              team: ops
          podSelector:
            matchLabels:
              app: monitor
        - ipBlock:
            cidr: 10.0.0.0/8
            except: [10.1.0.0/16]
      ports:
        - port: 9090
          protocol: TCP
    - ports:
        - port: 9100
`;

const inventory = inventoryFromManifests([{ uri: 'workloads.yaml', text: WORKLOADS }]);
const file = parseFile(POLICY);
const doc = file.documents[0]!;

test('a Kubernetes NetworkPolicy is a kind of the registry that is read, not linted', () => {
  assert.equal(doc.kind?.kind, 'NetworkPolicy');
  assert.equal(doc.kind?.language, 'kubernetes-network-policy');
  const validator = new SchemaValidator(loadSchemaFiles());
  // Even a field the API server would refuse is not ours to report.
  const odd = parseFile(POLICY.replace('policyTypes: [Ingress]', 'policyTypes: [Ingress]\n  bogus: 1'));
  assert.deepEqual(lintFile(odd, { validator, settings: DEFAULT_SETTINGS }), []);
  assert.deepEqual(validator.validate(odd.documents[0]!), []);
});

test('the outline lists a NetworkPolicy with its ingress rules, peers and ports', () => {
  const [node] = outlineFile(file);
  assert.equal(node?.name, 'NetworkPolicy api-ingress');
  assert.deepEqual(
    node?.children.map((c) => c.name),
    ['ingress[0]', 'ingress[1]'],
  );
  const first = node!.children[0]!.detail;
  for (const part of ['pods app=web', 'namespaces team=ops pods app=monitor', 'CIDR 10.0.0.0/8', '9090/TCP'])
    assert.ok(first.includes(part), `${first} names ${part}`);
  assert.ok(node!.children[1]!.detail.includes('every source') && node!.children[1]!.detail.includes('9100/TCP'));
});

test('the preview of a NetworkPolicy: its subjects within its namespace, and each rule’s peers', () => {
  const d = previewDetails(doc, inventory, { file: 'policy.yaml' });
  assert.ok(d);
  // podSelector app=api in shop: only shop/api (no other pod has app=api).
  assert.deepEqual(
    d.preview.subjects.map((s) => `${s.namespace}/${s.name}`),
    ['shop/api'],
  );
  const [r0, r1] = d.preview.rules;
  // A podSelector alone means the policy's namespace: shop/web, not ops/web; the namespace and pod
  // selector together: ops/monitor only.
  assert.deepEqual(
    r0?.peers.map((p) => ('endpoint' in p ? `${p.endpoint.namespace}/${p.endpoint.name}` : JSON.stringify(p))),
    ['ops/monitor', 'shop/web', JSON.stringify({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] })],
  );
  assert.deepEqual(r0?.ports, [{ port: '9090', protocol: 'TCP' }]);
  assert.deepEqual(r1?.peers, [{ entity: 'all' }], 'a rule without from admits every source');
  assert.deepEqual(r1?.ports, [{ port: '9100', protocol: 'TCP' }], 'the protocol defaults to TCP');
  assert.deepEqual(
    d.selections.map((s) => `${s.role} ${s.path.join('.')} ${s.endpoints.map((e) => e.name).join(',')}`),
    [
      'podSelector spec.podSelector api',
      'fromEndpoints spec.ingress.0.from.0 web',
      'fromEndpoints spec.ingress.0.from.1 monitor',
    ],
  );
});

test('the preview agrees with the verdict engine on the peers it lists', () => {
  const engine = new VerdictEngine({ inventory });
  engine.setFile('policy.yaml', file);
  const d = previewDetails(doc, inventory)!;
  const listed = new Set(
    d.preview.rules[0]!.peers.flatMap((p) => ('endpoint' in p ? [`${p.endpoint.namespace}/${p.endpoint.name}`] : [])),
  );
  for (const e of inventory.endpoints) {
    const v = engine.evaluate({
      from: { workload: `${e.namespace}/${e.name}` },
      to: { workload: 'shop/api' },
      port: 9090,
    });
    const name = `${e.namespace}/${e.name}`;
    if (listed.has(name)) assert.equal(v.verdict, 'allow', name);
    // Not listed: denied, or (a pod of the policy's namespace, which the agent's selector for the
    // ipBlock-only peer also names) unknown for that stated reason.
    else if (v.verdict === 'unknown')
      assert.deepEqual([e.namespace, v.unknowns.map((u) => u.code)], ['shop', ['knp-ipblock-peer']]);
    else assert.equal(v.verdict, 'deny', name);
  }
});

test('the reverse lookup finds the NetworkPolicy that selects a pod and makes its ingress default-deny', () => {
  const api = inventory.endpoints.find((e) => e.name === 'api')!;
  const web = inventory.endpoints.find((e) => e.name === 'web' && e.namespace === 'shop')!;
  const found = policiesSelecting(api, [{ doc, file: 'policy.yaml' }], inventory);
  assert.deepEqual(
    found.policies.map((p) => [p.kind, p.name, p.ingress, p.egress]),
    [['NetworkPolicy', 'api-ingress', true, false]],
  );
  assert.deepEqual(found.defaultDeny, { ingress: true, egress: false });
  assert.deepEqual(policiesSelecting(web, [{ doc, file: 'policy.yaml' }], inventory).policies, []);
  // Without policyTypes, egress rules make egress enforced too.
  const both = parseFile(POLICY.replace('policyTypes: [Ingress]', 'egress: [{}]')).documents[0]!;
  assert.deepEqual(policiesSelecting(api, [{ doc: both }], inventory).defaultDeny, { ingress: true, egress: true });
});
