// SPDX-License-Identifier: Apache-2.0
/**
 * One test per fact of the reference notes that the selector engine implements (SEL-x, LBL-x,
 * NS-x, ENT-2, SVC-1/2, TP-WL-1). Each builds the smallest inventory that tells the fact apart
 * from its obvious misreading, so each can fail on its own.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ciliumEndpointLabels,
  entitySelects,
  imageRepo,
  inIdentity,
  labelKey,
  matchesSelector,
  parseSelector,
  parseSelectorKey,
  reservedIdentity,
  scopeSelector,
  unscoped,
  type EndpointFacts,
  type ScopeContext,
  type SelectorOptions,
  type SelectorPlace,
} from '../../server/src/core/selectors.js';
import type { Endpoint, Inventory, NamespaceInfo, NodeInfo, ServiceInfo } from '../../server/src/core/inventory.js';
import { parseFile } from '../../server/src/core/document.js';
import { EndpointIndex, previewDocument, type Peer } from '../../server/src/core/preview.js';

function ep(namespace: string, name: string, labels: Record<string, string>, extra: Partial<Endpoint> = {}): Endpoint {
  return { kind: 'Deployment', namespace, name, labels, serviceAccount: 'default', source: {}, ...extra };
}

function inventory(
  endpoints: Endpoint[],
  more: { namespaces?: NamespaceInfo[]; services?: ServiceInfo[]; nodes?: NodeInfo[] } = {},
): Inventory {
  return {
    endpoints,
    namespaces: more.namespaces ?? [],
    services: more.services ?? [],
    nodes: more.nodes ?? [],
    origin: 'workspace',
    description: 'test',
  };
}

/** Does a selector, placed and scoped as in a policy, match the endpoint? */
function selects(
  selector: unknown,
  place: SelectorPlace,
  ctx: ScopeContext,
  endpoint: EndpointFacts,
  nsLabels?: Record<string, string>,
): boolean {
  const sel = scopeSelector(parseSelector(selector), place, ctx);
  return matchesSelector(sel, ciliumEndpointLabels(endpoint, nsLabels, ctx.options));
}

const CNP: ScopeContext = { clusterwide: false, namespace: 'shop' };
const CCNP: ScopeContext = { clusterwide: true };

/** The names a preview's subjects hold, and the endpoint names of each rule's peers. */
function namesOf(
  yaml: string,
  inv: Inventory,
  options?: SelectorOptions,
): { subjects: string[]; peers: string[][]; raw: Peer[][] } {
  const doc = parseFile(yaml).documents[0];
  assert.ok(doc);
  const p = previewDocument(doc, new EndpointIndex(inv, options));
  assert.ok(p, 'a preview');
  return {
    subjects: p.subjects.map((s) => `${s.namespace}/${s.name}`),
    peers: p.rules.map((r) =>
      r.peers.flatMap((x) => ('endpoint' in x ? [`${x.endpoint.namespace}/${x.endpoint.name}`] : [])),
    ),
    raw: p.rules.map((r) => [...r.peers]),
  };
}

// ---------------------------------------------------------------------------------------------
// A3: selector keys and operators

test('SEL-5: a key without a source is any: and matches k8s labels; k8s: matches only k8s-sourced labels', () => {
  assert.deepEqual(parseSelectorKey('app'), { source: 'any', key: 'app' });
  assert.deepEqual(parseSelectorKey('k8s:app'), { source: 'k8s', key: 'app' });
  const pod: EndpointFacts = { namespace: 'shop', labels: { app: 'web' } };
  assert.equal(selects({ matchLabels: { app: 'web' } }, 'endpointSelector', CCNP, pod), true);
  assert.equal(selects({ matchLabels: { 'k8s:app': 'web' } }, 'endpointSelector', CCNP, pod), true);
  // An identity whose `app` label has another source: any: still matches, k8s: does not.
  const other: EndpointFacts = {
    namespace: 'shop',
    labels: {},
    identityLabels: ['unspec:app=web', 'k8s:io.kubernetes.pod.namespace=shop'],
  };
  assert.equal(selects({ matchLabels: { app: 'web' } }, 'endpointSelector', CCNP, other), true);
  assert.equal(selects({ matchLabels: { 'k8s:app': 'web' } }, 'endpointSelector', CCNP, other), false);
});

test('SEL-6: a $ key is the reserved source ($host is reserved:host)', () => {
  assert.deepEqual(parseSelectorKey('$host'), { source: 'reserved', key: 'host' });
  const sel = unscoped(parseSelector({ matchLabels: { $host: '' } }));
  assert.equal(matchesSelector(sel, reservedIdentity('host')), true);
  assert.equal(matchesSelector(sel, reservedIdentity('world')), false);
});

test('SEL-7: {} selects every endpoint in a CCNP, and only the policy namespace in a CNP', () => {
  const a: EndpointFacts = { namespace: 'shop', labels: { app: 'web' } };
  const b: EndpointFacts = { namespace: 'other', labels: {} };
  assert.equal(selects({}, 'endpointSelector', CCNP, a), true);
  assert.equal(selects({}, 'endpointSelector', CCNP, b), true);
  assert.equal(selects({}, 'endpointSelector', CNP, a), true);
  assert.equal(selects({}, 'endpointSelector', CNP, b), false);
});

test('matchExpressions: In, NotIn, Exists and DoesNotExist', () => {
  const pod: EndpointFacts = { namespace: 'shop', labels: { tier: 'web' } };
  const m = (op: string, values?: string[]): boolean =>
    selects(
      { matchExpressions: [{ key: 'tier', operator: op, ...(values ? { values } : {}) }] },
      'endpointSelector',
      CCNP,
      pod,
    );
  assert.equal(m('In', ['web', 'api']), true);
  assert.equal(m('In', ['api']), false);
  assert.equal(m('NotIn', ['api']), true);
  assert.equal(m('NotIn', ['web']), false);
  assert.equal(m('Exists'), true);
  assert.equal(m('DoesNotExist'), false);
  // NotIn and DoesNotExist hold for a label the pod does not have at all.
  assert.equal(
    selects({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, 'endpointSelector', CCNP, pod),
    true,
  );
  assert.equal(
    selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, 'endpointSelector', CCNP, pod),
    true,
  );
});

test('SEL-1/SEL-2: a selector the agent rejects selects nothing', () => {
  const pod: EndpointFacts = { namespace: 'shop', labels: { tier: 'web' } };
  assert.equal(
    selects(
      { matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['web'] }] },
      'endpointSelector',
      CCNP,
      pod,
    ),
    false,
  );
  assert.equal(
    selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, 'endpointSelector', CCNP, pod),
    false,
  );
  assert.equal(
    selects(
      { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['web'] }] },
      'endpointSelector',
      CCNP,
      pod,
    ),
    false,
  );
  assert.equal(selects('app=web', 'endpointSelector', CCNP, pod), false);
});

// ---------------------------------------------------------------------------------------------
// A12: labels on endpoints

test('LBL-1: pod labels get source k8s, and pod labels starting with io.cilium.k8s are dropped', () => {
  const labels = ciliumEndpointLabels(
    {
      namespace: 'shop',
      labels: { app: 'web', 'io.cilium.k8s.policy.serviceaccount': 'admin' },
      serviceAccount: 'web-sa',
    },
    undefined,
  );
  assert.equal(labels.get(labelKey('k8s', 'app')), 'web');
  assert.equal(labels.get(labelKey('k8s', 'io.cilium.k8s.policy.serviceaccount')), 'web-sa');
  const spoof = { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' } };
  assert.equal(
    selects(spoof, 'endpointSelector', CCNP, {
      namespace: 'shop',
      labels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' },
      serviceAccount: 'web-sa',
    }),
    false,
  );
  // Without a service account nothing overwrites the spoofed label: it must be dropped anyway.
  assert.equal(
    selects(spoof, 'endpointSelector', CCNP, {
      namespace: 'shop',
      labels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' },
    }),
    false,
  );
  assert.equal(
    selects({ matchLabels: { 'io.cilium.k8s.policy.name': 'x' } }, 'endpointSelector', CCNP, {
      namespace: 'shop',
      labels: { 'io.cilium.k8s.policy.name': 'x' },
    }),
    false,
  );
});

test('LBL-2: namespace, service account, cluster and namespace-label labels are added', () => {
  const labels = ciliumEndpointLabels(
    { namespace: 'shop', labels: {}, serviceAccount: 'web-sa' },
    { team: 'blue' },
    { clusterName: 'east' },
  );
  assert.equal(labels.get('k8s:io.kubernetes.pod.namespace'), 'shop');
  assert.equal(labels.get('k8s:io.cilium.k8s.policy.serviceaccount'), 'web-sa');
  assert.equal(labels.get('k8s:io.cilium.k8s.policy.cluster'), 'east');
  assert.equal(labels.get('k8s:io.cilium.k8s.namespace.labels.team'), 'blue');
  assert.equal(labels.get('k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name'), 'shop');
  // No service account, no label.
  assert.equal(
    ciliumEndpointLabels({ namespace: 'shop', labels: {} }, undefined).has('k8s:io.cilium.k8s.policy.serviceaccount'),
    false,
  );
});

test('LBL-5: labels excluded from the identity never match; kept prefixes still do', () => {
  const pod: EndpointFacts = {
    namespace: 'shop',
    labels: {
      'pod-template-hash': 'abc',
      'statefulset.kubernetes.io/pod-name': 'db-0',
      'kubernetes.io/hostname': 'n1',
      'topology.kubernetes.io/zone': 'z1',
      'beta.kubernetes.io/arch': 'amd64',
      'controller-revision-hash': 'r1',
      'app.kubernetes.io/name': 'db',
      'io.kubernetes.container.name': 'x',
    },
  };
  for (const [k, v] of Object.entries(pod.labels)) {
    const kept = k === 'app.kubernetes.io/name';
    assert.equal(inIdentity(k), kept, k);
    assert.equal(selects({ matchLabels: { [k]: v } }, 'endpointSelector', CCNP, pod), kept, k);
  }
  assert.equal(inIdentity('io.kubernetes.pod.namespace'), true);
  assert.equal(inIdentity('io.cilium.k8s.namespace.labels.team'), true);
});

// ---------------------------------------------------------------------------------------------
// A11: namespace and cluster scoping

test('NS-1: a CNP endpointSelector is pinned to the policy namespace; a k8s: namespace key is overwritten', () => {
  const inShop: EndpointFacts = { namespace: 'shop', labels: { app: 'web' } };
  const inOther: EndpointFacts = { namespace: 'other', labels: { app: 'web' } };
  assert.equal(selects({ matchLabels: { app: 'web' } }, 'endpointSelector', CNP, inOther), false);
  const k8sNs = { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'other' } };
  assert.equal(selects(k8sNs, 'endpointSelector', CNP, inOther), false, 'cannot reach another namespace');
  assert.equal(selects(k8sNs, 'endpointSelector', CNP, inShop), true, 'the written namespace was replaced');
  const note = scopeSelector(parseSelector(k8sNs), 'endpointSelector', CNP).notes.join(' ');
  assert.match(note, /replaced/);
});

test('NS-1: an any: namespace key stays beside the injected one, so another namespace selects nothing', () => {
  const inShop: EndpointFacts = { namespace: 'shop', labels: { app: 'web' } };
  const inOther: EndpointFacts = { namespace: 'other', labels: { app: 'web' } };
  const anyNs = { matchLabels: { app: 'web', 'io.kubernetes.pod.namespace': 'other' } };
  assert.equal(selects(anyNs, 'endpointSelector', CNP, inShop), false);
  assert.equal(selects(anyNs, 'endpointSelector', CNP, inOther), false);
  assert.equal(
    selects({ matchLabels: { 'io.kubernetes.pod.namespace': 'shop' } }, 'endpointSelector', CNP, inShop),
    true,
  );
});

test('NS-2: a CCNP endpointSelector applies to all namespaces', () => {
  assert.equal(
    selects({ matchLabels: { app: 'web' } }, 'endpointSelector', CCNP, { namespace: 'a', labels: { app: 'web' } }),
    true,
  );
  assert.equal(
    selects({ matchLabels: { app: 'web' } }, 'endpointSelector', CCNP, { namespace: 'b', labels: { app: 'web' } }),
    true,
  );
});

test('NS-3: nodeSelector matches node labels, not pods', () => {
  const inv = inventory([ep('default', 'web', { role: 'infra' })], {
    nodes: [
      { name: 'n1', labels: { role: 'infra' } },
      { name: 'n2', labels: { role: 'worker' } },
    ],
  });
  const r = namesOf(
    'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: h}\nspec:\n  nodeSelector: {matchLabels: {role: infra}}\n  ingress: [{fromEntities: [cluster]}]\n',
    inv,
  );
  assert.deepEqual(r.subjects, ['/n1']);
});

test('NS-4: a CNP peer without namespace information means the policy namespace', () => {
  const same: EndpointFacts = { namespace: 'shop', labels: { app: 'db' } };
  const other: EndpointFacts = { namespace: 'other', labels: { app: 'db' } };
  const sel = { matchLabels: { app: 'db' } };
  assert.equal(selects(sel, 'endpoints', CNP, same), true);
  assert.equal(selects(sel, 'endpoints', CNP, other), false);
  assert.equal(selects({}, 'endpoints', CNP, other), false);
});

test('NS-4: a CNP peer that names a namespace (any source, matchLabels or matchExpressions) reaches it', () => {
  const other: EndpointFacts = { namespace: 'other', labels: { app: 'db' } };
  assert.equal(
    selects({ matchLabels: { app: 'db', 'k8s:io.kubernetes.pod.namespace': 'other' } }, 'endpoints', CNP, other),
    true,
  );
  assert.equal(
    selects({ matchLabels: { app: 'db', 'io.kubernetes.pod.namespace': 'other' } }, 'endpoints', CNP, other),
    true,
  );
  assert.equal(
    selects(
      { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'Exists' }] },
      'endpoints',
      CNP,
      other,
    ),
    true,
  );
});

test('NS-4: a CNP peer on namespace labels means pods of any namespace with those labels', () => {
  const sel = { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'blue' } };
  assert.equal(selects(sel, 'endpoints', CNP, { namespace: 'other', labels: {} }, { team: 'blue' }), true);
  assert.equal(selects(sel, 'endpoints', CNP, { namespace: 'shop', labels: {} }, { team: 'red' }), false);
  const byName = { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'other' } };
  assert.equal(selects(byName, 'endpoints', CNP, { namespace: 'other', labels: {} }), true);
});

test('NS-5: a CCNP peer {} means every pod in any namespace, but no reserved identity', () => {
  assert.equal(selects({}, 'endpoints', CCNP, { namespace: 'a', labels: {} }), true);
  const sel = scopeSelector(parseSelector({}), 'endpoints', CCNP);
  assert.equal(matchesSelector(sel, reservedIdentity('host')), false);
  assert.equal(matchesSelector(sel, reservedIdentity('init')), false);
});

test('NS-5: with reserved:init in the endpointSelector, the namespace requirement is not added', () => {
  const withInit = scopeSelector(parseSelector({}), 'endpoints', {
    clusterwide: true,
    subjectSelectsInit: true,
    options: { policyDefaultLocalCluster: false },
  });
  assert.equal(matchesSelector(withInit, reservedIdentity('init')), true);
  const without = scopeSelector(parseSelector({}), 'endpoints', {
    clusterwide: true,
    options: { policyDefaultLocalCluster: false },
  });
  assert.equal(matchesSelector(without, reservedIdentity('init')), false);
});

test('NS-6: a peer selector with a reserved: key gets no namespace and no cluster', () => {
  const sel = scopeSelector(parseSelector({ matchLabels: { 'reserved:host': '' } }), 'endpoints', CNP);
  assert.deepEqual(
    sel.requirements.map((r) => `${r.source}:${r.key}`),
    ['reserved:host'],
  );
  assert.equal(matchesSelector(sel, reservedIdentity('host')), true);
});

test('NS-7: peers are limited to the local cluster unless they name a cluster or the option is off', () => {
  const remote: EndpointFacts = {
    namespace: 'shop',
    labels: { app: 'db' },
    identityLabels: ['k8s:app=db', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=west'],
  };
  const local: EndpointFacts = { namespace: 'shop', labels: { app: 'db' } };
  const sel = { matchLabels: { app: 'db' } };
  assert.equal(selects(sel, 'endpoints', CNP, local), true);
  assert.equal(selects(sel, 'endpoints', CNP, remote), false);
  assert.equal(selects(sel, 'endpoints', { ...CNP, options: { policyDefaultLocalCluster: false } }, remote), true);
  assert.equal(
    selects({ matchLabels: { app: 'db', 'io.cilium.k8s.policy.cluster': 'west' } }, 'endpoints', CNP, remote),
    true,
  );
  // The configured cluster name is the one injected and the one endpoints carry.
  assert.equal(selects(sel, 'endpoints', { ...CNP, options: { clusterName: 'west' } }, remote), true);
  // The endpointSelector itself is not cluster-scoped.
  assert.equal(selects(sel, 'endpointSelector', CNP, remote), true);
});

test('NS-8: node peers are remote nodes: reserved:remote-node is required, no namespace is added', () => {
  const sel = scopeSelector(parseSelector({ matchLabels: { role: 'infra' } }), 'nodes', CNP);
  const keys = sel.requirements.map((r) => `${r.source}:${r.key}`);
  assert.ok(keys.includes('reserved:remote-node'));
  assert.ok(!keys.includes('k8s:io.kubernetes.pod.namespace'));
  assert.ok(keys.includes('k8s:io.cilium.k8s.policy.cluster'));
  const inv = inventory([ep('shop', 'web', { role: 'infra' })], { nodes: [{ name: 'n1', labels: { role: 'infra' } }] });
  const r = namesOf(
    'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {}\n  ingress: [{fromNodes: [{matchLabels: {role: infra}}]}]\n',
    inv,
  );
  assert.deepEqual(r.peers, [['/n1']]);
});

test('NS-9: entities, CIDRs, FQDNs and services are peers of their own kind, not namespace-scoped', () => {
  const inv = inventory([ep('shop', 'web', { app: 'web' })]);
  const r = namesOf(
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {}
  egress:
    - toEntities: [world]
    - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]
    - toCIDR: [192.0.2.0/24]
    - toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.example.org"}]
    - toServices: [{k8sService: {serviceName: db}}]
`,
    inv,
  );
  assert.deepEqual(r.raw, [
    [{ entity: 'world' }],
    [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }],
    [{ cidr: '192.0.2.0/24', except: [] }],
    [{ fqdn: 'api.example.com' }, { fqdn: '*.example.org' }],
    [{ service: { namespace: null, name: 'db', found: false } }],
  ]);
});

// ---------------------------------------------------------------------------------------------
// A10: entities and services

const podIdentity = ciliumEndpointLabels({ namespace: 'shop', labels: { app: 'web' } }, undefined);

for (const [entity, expected] of [
  ['all', { pod: true, world: true, host: true }],
  ['world', { pod: false, world: true, host: false }],
  ['cluster', { pod: true, world: false, host: true }],
  ['host', { pod: false, world: false, host: true }],
  ['none', { pod: false, world: false, host: false }],
] as const) {
  test(`ENT-2: ${entity}`, () => {
    assert.equal(entitySelects(entity, podIdentity), expected.pod, 'pod');
    assert.equal(entitySelects(entity, reservedIdentity('world')), expected.world, 'world');
    assert.equal(entitySelects(entity, reservedIdentity('host')), expected.host, 'host');
  });
}

test('ENT-2: world covers world-ipv4 and world-ipv6', () => {
  assert.equal(entitySelects('world', reservedIdentity('world-ipv4')), true);
  assert.equal(entitySelects('world', reservedIdentity('world-ipv6')), true);
});

for (const name of ['remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver']) {
  test(`ENT-2: ${name} selects reserved:${name} only, and is part of cluster`, () => {
    assert.equal(entitySelects(name, reservedIdentity(name)), true);
    assert.equal(entitySelects(name, reservedIdentity('world')), false);
    assert.equal(entitySelects(name, podIdentity), false);
    assert.equal(entitySelects('cluster', reservedIdentity(name)), true);
  });
}

test('ENT-2: cluster means pods of the local cluster only', () => {
  const remote = ciliumEndpointLabels({ namespace: 'shop', labels: {} }, undefined, { clusterName: 'west' });
  assert.equal(entitySelects('cluster', remote), false);
  assert.equal(entitySelects('cluster', remote, { clusterName: 'west' }), true);
  assert.equal(entitySelects('galaxy', podIdentity), false, 'unknown entity');
});

const SVC_POLICY = (entry: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {}
  egress:
    - toServices: [${entry}]
`;

test('SVC-1: a toServices entry without namespace matches the service in any namespace', () => {
  const inv = inventory([ep('a', 'db-a', { app: 'db' }), ep('b', 'db-b', { app: 'db' })], {
    services: [
      { namespace: 'a', name: 'db', labels: {}, selector: { app: 'db' }, ports: [] },
      { namespace: 'b', name: 'db', labels: {}, selector: { app: 'db' }, ports: [] },
    ],
  });
  assert.deepEqual(namesOf(SVC_POLICY('{k8sService: {serviceName: db}}'), inv).peers, [['a/db-a', 'b/db-b']]);
  assert.deepEqual(namesOf(SVC_POLICY('{k8sService: {serviceName: db, namespace: b}}'), inv).peers, [['b/db-b']]);
});

test('SVC-1: k8sServiceSelector matches service labels, optionally in one namespace', () => {
  const inv = inventory([ep('a', 'db-a', { app: 'db' })], {
    services: [{ namespace: 'a', name: 'db', labels: { tier: 'data' }, selector: { app: 'db' }, ports: [] }],
  });
  const r = namesOf(SVC_POLICY('{k8sServiceSelector: {selector: {matchLabels: {tier: data}}}}'), inv);
  assert.deepEqual(r.peers, [['a/db-a']]);
  assert.deepEqual(r.raw[0]?.[0], {
    service: { namespace: 'a', name: 'db', selector: { matchLabels: { tier: 'data' } }, found: true },
  });
  assert.deepEqual(
    namesOf(SVC_POLICY('{k8sServiceSelector: {namespace: z, selector: {matchLabels: {tier: data}}}}'), inv).peers,
    [[]],
  );
});

test('SVC-2: a service with a selector stands for its pods in its namespace; one without has no endpoint peers', () => {
  const inv = inventory([ep('a', 'db', { app: 'db' }), ep('b', 'db-elsewhere', { app: 'db' })], {
    services: [
      { namespace: 'a', name: 'db', labels: {}, selector: { app: 'db' }, ports: [] },
      { namespace: 'a', name: 'external', labels: {}, selector: undefined, ports: [] },
    ],
  });
  assert.deepEqual(namesOf(SVC_POLICY('{k8sService: {serviceName: db, namespace: a}}'), inv).peers, [['a/db']]);
  const ext = namesOf(SVC_POLICY('{k8sService: {serviceName: external}}'), inv);
  assert.deepEqual(ext.raw, [[{ service: { namespace: 'a', name: 'external', found: true } }]]);
});

// ---------------------------------------------------------------------------------------------
// Tetragon (TP-WL-1, TP-SPEC-1)

const TP = (kind: string, spec: string, ns = ''): string =>
  `apiVersion: cilium.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: t\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n${spec}  kprobes: []\n`;

const tetragonInv = inventory([
  ep(
    'a',
    'web',
    { app: 'web' },
    {
      containers: [
        { name: 'nginx', image: 'docker.io/library/nginx:1.27' },
        { name: 'sidecar', image: 'quay.io/x/proxy@sha256:00' },
      ],
    },
  ),
  ep('b', 'web', { app: 'web' }, { containers: [{ name: 'nginx', image: 'nginx' }] }),
  ep('b', 'db', { app: 'db' }, { containers: [{ name: 'pg', image: 'postgres:16' }] }),
]);

test('TP-WL-1: podSelector uses plain label keys and sees the namespace as k8s:io.kubernetes.pod.namespace', () => {
  assert.deepEqual(namesOf(TP('TracingPolicy', '  podSelector: {matchLabels: {app: web}}\n'), tetragonInv).subjects, [
    'a/web',
    'b/web',
  ]);
  assert.deepEqual(
    namesOf(TP('TracingPolicy', '  podSelector: {matchLabels: {"k8s:io.kubernetes.pod.namespace": b}}\n'), tetragonInv)
      .subjects,
    ['b/db', 'b/web'],
  );
  // A Cilium-style source prefix is not parsed: `k8s:app` is a different label.
  assert.deepEqual(
    namesOf(TP('TracingPolicy', '  podSelector: {matchLabels: {"k8s:app": web}}\n'), tetragonInv).subjects,
    [],
  );
  assert.deepEqual(
    namesOf(
      TP('TracingPolicy', '  podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}\n'),
      tetragonInv,
    ).subjects,
    ['b/db'],
  );
});

test('TP-SPEC-1: a tracing policy without podSelector, or with {}, covers every pod', () => {
  assert.deepEqual(namesOf(TP('TracingPolicy', ''), tetragonInv).subjects, ['a/web', 'b/db', 'b/web']);
  assert.deepEqual(namesOf(TP('TracingPolicy', '  podSelector: {matchLabels: {}}\n'), tetragonInv).subjects, [
    'a/web',
    'b/db',
    'b/web',
  ]);
});

test('TP-WL-1: a TracingPolicyNamespaced only matches pods of its own namespace', () => {
  assert.deepEqual(
    namesOf(TP('TracingPolicyNamespaced', '  podSelector: {matchLabels: {app: web}}\n', 'b'), tetragonInv).subjects,
    ['b/web'],
  );
  assert.deepEqual(namesOf(TP('TracingPolicyNamespaced', '', 'a'), tetragonInv).subjects, ['a/web']);
  assert.deepEqual(namesOf(TP('TracingPolicyNamespaced', '', 'missing'), tetragonInv).subjects, []);
});

test('TP-WL-1: containerSelector matches a container name or image repository', () => {
  assert.deepEqual(
    namesOf(TP('TracingPolicy', '  containerSelector: {matchLabels: {name: nginx}}\n'), tetragonInv).subjects,
    ['a/web', 'b/web'],
  );
  assert.deepEqual(
    namesOf(TP('TracingPolicy', '  containerSelector: {matchLabels: {repo: quay.io/x/proxy}}\n'), tetragonInv).subjects,
    ['a/web'],
  );
  assert.deepEqual(
    namesOf(TP('TracingPolicy', '  containerSelector: {matchLabels: {repo: postgres}}\n'), tetragonInv).subjects,
    ['b/db'],
  );
  assert.equal(imageRepo('localhost:5000/team/app:v1'), 'localhost:5000/team/app');
  assert.equal(imageRepo('localhost:5000/team/app'), 'localhost:5000/team/app');
});
