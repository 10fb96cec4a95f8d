// SPDX-License-Identifier: Apache-2.0
/**
 * The connectivity diff between two sets of policies: changed cells among workloads, to the
 * entities, CIDRs and FQDNs the policies name, workloads that become default-deny or unprotected,
 * and nothing when nothing changes.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parsePrefix, type Prefix } from '../../server/src/core/cilium/cidr.js';
import { cidrAdmits, parseAddress } from '../../server/src/semantics/addresses.js';
import {
  addressInside,
  connectivityDiff,
  diffChanged,
  type DiffChange,
  type DiffEnd,
} from '../../server/src/semantics/replay/diff.js';
import { engineOf, INVENTORY, POLICIES } from './replay-scenario.js';

function endText(e: DiffEnd): string {
  if ('kind' in e) return `${e.namespace}/${e.name}`;
  if ('entity' in e) return e.entity;
  if ('cidr' in e) return `cidr ${e.cidr}`;
  return `fqdn ${e.fqdn}`;
}

function changeText(c: DiffChange): string {
  return `${endText(c.source)} -> ${endText(c.destination)} ${c.protocol}/${c.port}: ${c.before} -> ${c.after}`;
}

const INVENTORY_WITH_DB = `${INVENTORY}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, ports: [{containerPort: 5432}]}]}
`;

test('nothing changes: no change and diffChanged is false', () => {
  const d = connectivityDiff(engineOf(POLICIES), engineOf(POLICIES));
  assert.deepEqual(d.changes.map(changeText), []);
  assert.equal(diffChanged(d), false);
  assert.ok(d.cells > 0);
});

test('a removed egress rule: the one cell it allowed becomes deny, with the deciding state after', () => {
  const before = engineOf(POLICIES);
  const after = engineOf(
    POLICIES.replace(
      '    - toEndpoints: [{matchLabels: {app: api}}]\n      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]\n',
      '',
    ),
  );
  const d = connectivityDiff(before, after);
  assert.deepEqual(d.changes.map(changeText), ['shop/frontend -> shop/api TCP/8080: allow -> deny']);
  const c = d.changes[0]!;
  assert.equal(c.egress.state, 'default-deny');
  assert.equal(c.beforeEgress.verdict, 'allow');
  assert.equal(c.namespace, 'shop');
  assert.ok(diffChanged(d));
});

test('a new policy: its workload becomes default-deny and the flows it no longer admits change', () => {
  const before = engineOf(POLICIES, INVENTORY_WITH_DB);
  const after = engineOf(
    `${POLICIES}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: api}}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`,
    INVENTORY_WITH_DB,
  );
  const d = connectivityDiff(before, after);
  assert.deepEqual(d.newlyDefaultDeny, [
    { namespace: 'shop', kind: 'StatefulSet', name: 'db', directions: ['ingress'] },
  ]);
  const texts = d.changes.map(changeText);
  // frontend's egress is default-deny already, so only sources whose egress allows 5432 lose it.
  assert.ok(texts.includes('shop/db -> shop/db TCP/5432: allow -> deny'), texts.join('\n'));
  assert.ok(!texts.some((t) => t.startsWith('shop/api -> shop/db')), 'api is still admitted');
  assert.ok(!texts.some((t) => t.startsWith('shop/frontend -> shop/db')), 'frontend was denied before (its egress)');
  assert.deepEqual(d.newlyUnprotected, []);
});

test('a deleted policy: its workload is newly unprotected', () => {
  const before = engineOf(POLICIES);
  const after = engineOf(POLICIES.slice(POLICIES.indexOf('---') + 4));
  const d = connectivityDiff(before, after);
  assert.deepEqual(d.newlyUnprotected, [
    { namespace: 'shop', kind: 'Deployment', name: 'api', directions: ['ingress'] },
  ]);
  assert.ok(d.changes.some((c) => changeText(c) === 'shop/api -> shop/api TCP/8080: deny -> allow'));
});

test('CIDRs, entities and FQDNs the policies name are ends of the matrix', () => {
  const extra = `
    - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.0.0.0/16]}]
      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
    - toEntities: [kube-apiserver]
      toPorts: [{ports: [{port: "6443", protocol: TCP}]}]
`;
  const before = engineOf(POLICIES);
  const after = engineOf(POLICIES.replace('  egress:\n', `  egress:${extra}`));
  const texts = connectivityDiff(before, after).changes.map(changeText);
  assert.ok(texts.includes('shop/frontend -> cidr 10.0.0.0/8 TCP/5432: deny -> allow'), texts.join('\n'));
  assert.ok(texts.includes('shop/frontend -> kube-apiserver TCP/6443: deny -> allow'), texts.join('\n'));
  // The FQDN the policies name is an end too: dropping the toFQDNs rule changes it.
  const noFqdn = engineOf(POLICIES.replace(/ {4}- toFQDNs[\s\S]*$/, ''));
  const fq = connectivityDiff(before, noFqdn).changes.map(changeText);
  assert.deepEqual(fq, ['shop/frontend -> fqdn api.stripe.com TCP/443: allow -> deny']);
});

test('an address inside a CIDR and outside its except blocks', () => {
  const p = (s: string): Prefix => parsePrefix(s) as Prefix;
  const cases: [string, string[]][] = [
    ['10.0.0.0/8', []],
    ['10.0.0.0/8', ['10.0.0.0/16']],
    ['10.0.0.0/8', ['10.0.0.0/9']],
    ['192.0.2.1/32', []],
    ['fd00::/64', ['fd00::/120']],
  ];
  for (const [cidr, except] of cases) {
    const ip = addressInside(p(cidr), except.map(p));
    assert.ok(ip !== undefined, `${cidr} except ${except.join(',')}`);
    assert.ok(cidrAdmits(p(cidr), except.map(p), parseAddress(ip)!), `${ip} in ${cidr} except ${except.join(',')}`);
  }
  assert.equal(addressInside(p('10.0.0.0/16'), [p('10.0.0.0/8')]), undefined, 'everything excepted');
});
