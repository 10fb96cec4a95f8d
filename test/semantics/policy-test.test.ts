// SPDX-License-Identifier: Apache-2.0
/**
 * The PolicyTest model: reading a document with positions (each problem at its line), resolving
 * case endpoints against an inventory, and running cases through the engine.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine } from '../../server/src/semantics/engine.js';
import { readPolicyTest, runCase, runPolicyTest, type PolicyTest } from '../../server/src/semantics/policy-test.js';

const INVENTORY = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web-db}}, spec: {containers: [{name: c}]}}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 80, targetPort: http}]}
`;

const POLICY = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: web}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: "/items.*"}]}}]
`;

function engine(): VerdictEngine {
  const e = new VerdictEngine({
    inventory: inventoryFromManifests([{ uri: 'inventory.yaml', text: INVENTORY }]),
    agent: resolveAgent([]),
  });
  e.setFile('policy.yaml', parseFile(POLICY));
  return e;
}

function read(text: string): PolicyTest {
  const doc = parseFile(text).documents[0];
  assert.ok(doc);
  const t = readPolicyTest(doc, 'test.yaml', text);
  assert.ok(t, 'recognised as a PolicyTest');
  return t;
}

const lineOf = (text: string, needle: string, from = 0): number =>
  text.slice(0, text.indexOf(needle, from)).split('\n').length;

const HEAD = `apiVersion: cilium-policy.io/v1alpha1
kind: PolicyTest
metadata: {name: shop}
spec:
  policies: [policy.yaml]
  inventory: [inventory.yaml]
  cases:
`;

test('a PolicyTest is read with every endpoint form, ports by number or name, ICMP and HTTP', () => {
  const text = `${HEAD}    - name: web to api by port name
      from: {workload: Deployment/shop/web}
      to: {workload: shop/api}
      port: http
      http: {method: GET, path: /items/1, headers: {X-Trace: "1"}}
      expect: allow
    - name: namespace and labels to a service
      from: {namespace: shop, labels: {app: web}}
      to: {service: shop/api}
      port: 80
      expect: allow
    - name: world to node, ICMP by name
      from: {entity: world}
      to: {node: n1}
      protocol: ICMP
      icmpType: EchoRequest
      expect: deny
    - name: ip to an fqdn
      from: {ip: 10.0.0.1}
      to: {fqdn: api.example.com, ip: 198.51.100.7}
      port: 443
      protocol: UDP
      expect: deny
`;
  const t = read(text);
  assert.deepEqual(t.problems, []);
  assert.equal(t.name, 'shop');
  assert.deepEqual(
    t.policies?.map((p) => p.value),
    ['policy.yaml'],
  );
  assert.deepEqual(
    t.inventory?.map((p) => [p.value, p.line]),
    [['inventory.yaml', 6]],
  );
  assert.deepEqual(
    t.cases.map((c) => [c.name, c.line, c.problems.length]),
    [
      ['web to api by port name', lineOf(text, '- name: web'), 0],
      ['namespace and labels to a service', lineOf(text, '- name: namespace'), 0],
      ['world to node, ICMP by name', lineOf(text, '- name: world'), 0],
      ['ip to an fqdn', lineOf(text, '- name: ip'), 0],
    ],
  );
  const [first, second, third, fourth] = t.cases;
  assert.deepEqual(first?.from, { workload: 'Deployment/shop/web' });
  assert.equal(first?.port, 'http');
  assert.equal(first?.protocol, 'TCP');
  assert.deepEqual(first?.http, { method: 'GET', path: '/items/1', headers: { 'X-Trace': '1' } });
  assert.deepEqual(second?.from, { namespace: 'shop', labels: { app: 'web' } });
  assert.deepEqual(second?.to, { service: 'shop/api' });
  assert.equal(third?.protocol, 'ICMP');
  assert.equal(third?.icmpType, 'EchoRequest');
  assert.deepEqual(fourth?.to, { fqdn: 'api.example.com', ip: '198.51.100.7' });
  assert.equal(fourth?.expect, 'deny');
});

test('each problem of a case is reported at its own line', () => {
  const text = `${HEAD}    - name: dup
      from: {workload: shop/web}
      to: {workload: shop/api}
      port: 8080
      expect: allow
    - name: dup
      from: {service: shop/api}
      to: {workload: shop/api}
      port: 70000
      expect: maybe
    - name: icmp with a port
      from: {entity: world}
      to: {entity: cluster}
      protocol: ICMP
      port: 80
      icmpType: NotAType
      expect: deny
    - name: missing things
      from: {workload: shop/web, colour: blue}
      to: {workload: "no-slash"}
`;
  const t = read(text);
  const found = t.cases.flatMap((c) => c.problems.map((p) => [c.name, p.code, p.line]));
  const at = (needle: string, from = 0): number => lineOf(text, needle, from);
  const second = text.indexOf('- name: dup', text.indexOf('- name: dup') + 1);
  for (const expected of [
    ['dup', 'policy-test/duplicate', at('- name: dup', second)],
    ['dup', 'policy-test/endpoint', at('service: shop/api')],
    ['dup', 'policy-test/port', at('port: 70000')],
    ['dup', 'policy-test/enum', at('expect: maybe')],
    ['icmp with a port', 'policy-test/port', at('port: 80\n')],
    ['icmp with a port', 'policy-test/icmp', at('icmpType: NotAType')],
    ['missing things', 'policy-test/unknown-field', at('colour')],
    ['missing things', 'policy-test/endpoint', at('no-slash')],
    ['missing things', 'policy-test/required', at('- name: missing')],
  ]) {
    assert.ok(
      found.some((f) => JSON.stringify(f) === JSON.stringify(expected)),
      `${JSON.stringify(expected)} among ${JSON.stringify(found)}`,
    );
  }
  assert.equal(t.cases[0]?.problems.length, 0, 'the first of two equal names is fine');
});

test('document problems: wrong spec fields, agent options and missing cases', () => {
  const text = `apiVersion: cilium-policy.io/v1alpha1
kind: PolicyTest
metadata: {name: x}
spec:
  policies: 42
  agent: {policyEnforcementMode: sometimes, enableHostFirewall: true}
  extra: 1
`;
  const t = read(text);
  const codes = t.problems.map((p) => [p.code, p.line]);
  for (const expected of [
    ['policy-test/type', 5],
    ['policy-test/agent', 6],
    ['policy-test/unknown-field', 7],
    ['policy-test/required', lineOf(text, 'policies')],
  ])
    assert.ok(
      codes.some((c) => JSON.stringify(c) === JSON.stringify(expected)),
      `${JSON.stringify(expected)} in ${JSON.stringify(codes)}`,
    );
  assert.equal(t.agent.enableHostFirewall, true, 'the valid options are kept');
});

test('other documents are not PolicyTests', () => {
  const doc = parseFile(POLICY).documents[0];
  assert.ok(doc);
  assert.equal(readPolicyTest(doc, 'p.yaml', POLICY), undefined);
});

test('an endpoint missing from the inventory is reported at its line, and the case does not run', () => {
  const text = `${HEAD}    - name: ghost
      from: {workload: shop/ghost}
      to: {workload: shop/api}
      port: 8080
      expect: allow
    - name: ambiguous
      from: {workload: shop/web}
      to: {workload: shop/api}
      port: 8080
      expect: allow
    - name: unknown port name
      from: {workload: Deployment/shop/web}
      to: {workload: shop/api}
      port: grpc
      expect: allow
`;
  const t = read(text);
  const [ghost, ambiguous, portName] = runPolicyTest(t, engine(), text);
  assert.equal(ghost?.outcome, 'unknown');
  assert.equal(ghost?.pass, false);
  assert.deepEqual(
    ghost?.problems.map((p) => [p.code, p.line]),
    [['policy-test/endpoint-not-found', lineOf(text, 'shop/ghost')]],
  );
  assert.match(ghost?.problems[0]?.message ?? '', /shop\/ghost is not in the inventory/);
  assert.match(ambiguous?.problems[0]?.message ?? '', /Kind\/shop\/web/);
  assert.equal(ambiguous?.problems[0]?.line, lineOf(text, 'shop/web'));
  assert.equal(portName?.problems[0]?.code, 'policy-test/invalid-case');
  assert.equal(portName?.problems[0]?.line, lineOf(text, '- name: unknown port'));
});

test('cases run through the engine: named ports, service ports, HTTP and the deciding rule', () => {
  const text = `${HEAD}    - name: GET items
      from: {workload: Deployment/shop/web}
      to: {workload: shop/api}
      port: http
      http: {method: GET, path: /items/1}
      expect: allow
    - name: POST is denied by the proxy
      from: {workload: Deployment/shop/web}
      to: {workload: shop/api}
      port: 8080
      http: {method: POST, path: /items/1}
      expect: deny
    - name: through the service port
      from: {workload: Deployment/shop/web}
      to: {service: shop/api}
      port: 80
      expect: allow
    - name: the statefulset is not selected
      from: {workload: StatefulSet/shop/web}
      to: {workload: shop/api}
      port: 8080
      expect: allow
`;
  const t = read(text);
  const e = engine();
  const results = runPolicyTest(t, e, text);
  assert.deepEqual(
    results.map((r) => [r.case.name, r.outcome, r.pass]),
    [
      ['GET items', 'allow', true],
      ['POST is denied by the proxy', 'deny', true],
      ['through the service port', 'allow', true],
      ['the statefulset is not selected', 'deny', false],
    ],
  );
  const by = results[0]?.verdict?.ingress.by[0];
  assert.equal(by?.kind, 'CiliumNetworkPolicy');
  assert.equal(by?.name, 'api');
  assert.equal(by?.file, 'policy.yaml');
  assert.equal(by?.line, lineOf(POLICY, '- fromEndpoints'));
  assert.equal(by?.direction, 'ingress');
  assert.equal(by?.rule, 0);
  const denied = results[3]?.verdict;
  assert.deepEqual(denied?.ingress.by, []);
  assert.match(denied?.ingress.reason ?? '', /api/);
  // A single case runs the same way.
  const c = t.cases[0];
  assert.ok(c);
  assert.equal(runCase(c, e, text).outcome, 'allow');
});
