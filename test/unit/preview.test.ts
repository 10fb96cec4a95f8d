// SPDX-License-Identifier: Apache-2.0
/**
 * Golden-style checks of the endpoint preview on the upstream demos. The expected names were
 * worked out by reading the manifests (labels of each workload against each selector), not by
 * running the preview.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { NO_SHARED, shared } from '../support/paths.js';
import { parseFile, type PolicyDocument } from '../../server/src/core/document.js';
import { inventoryFromManifests, type Endpoint, type Inventory } from '../../server/src/core/inventory.js';
import {
  EndpointIndex,
  policiesSelecting,
  previewDetails,
  previewDocument,
  selectionSummary,
  type PolicyPreview,
} from '../../server/src/core/preview.js';

const EXAMPLES = shared('upstream', 'examples', 'cilium');
const skip = EXAMPLES === undefined || !fs.existsSync(EXAMPLES) ? NO_SHARED : false;

function read(...parts: string[]): string {
  return fs.readFileSync(shared('upstream', 'examples', ...parts) as string, 'utf8');
}

function inv(...files: string[][]): Inventory {
  return inventoryFromManifests(files.map((p) => ({ uri: p.join('/'), text: read(...p) })));
}

function policy(parts: string[], which = 0): PolicyDocument {
  const docs = parseFile(read(...parts)).documents.filter((d) => d.kind !== undefined);
  const d = docs[which];
  assert.ok(d, `policy ${which} of ${parts.join('/')}`);
  return d;
}

/** `ns/name` of every subject, and for each rule its direction, endpoint peers, other peers and ports. */
function summary(p: PolicyPreview | undefined): { subjects: string[]; rules: string[] } {
  assert.ok(p);
  return {
    subjects: p.subjects.map((s) => `${s.namespace}/${s.name}`),
    rules: p.rules.map((r) => {
      const peers = r.peers.map((x) => {
        if ('endpoint' in x) return `${x.endpoint.namespace}/${x.endpoint.name}`;
        if ('entity' in x) return `entity:${x.entity}`;
        if ('fqdn' in x) return `fqdn:${x.fqdn}`;
        if ('cidr' in x) return `cidr:${x.cidr}`;
        if ('service' in x) return `service:${x.service.namespace ?? '*'}/${x.service.name ?? '?'}`;
        return JSON.stringify(x);
      });
      const ports = r.ports.map((pt) => ('port' in pt ? `${pt.port}/${pt.protocol}` : `icmp ${pt.icmpType}`));
      return `${r.direction}[${r.index}] ${peers.join(' ') || '-'} | ${ports.join(' ') || '-'}`;
    }),
  };
}

const SW_APP = ['cilium', 'minikube', 'http-sw-app.yaml'];

// ---------------------------------------------------------------------------------------------
// Star Wars demo: deathstar (Deployment; org=empire, class=deathstar), tiefighter (Pod; org=empire,
// class=tiefighter), xwing (Pod; org=alliance, class=xwing), all in `default`.

test('Star Wars L3/L4: rule1 selects the deathstar and admits empire ships on 80/TCP', { skip }, () => {
  const p = previewDocument(policy(['cilium', 'minikube', 'sw_l3_l4_policy.yaml']), inv(SW_APP), {
    file: 'sw_l3_l4_policy.yaml',
  });
  assert.deepEqual(summary(p), {
    subjects: ['default/deathstar'],
    rules: ['ingress[0] default/deathstar default/tiefighter | 80/TCP'],
  });
  assert.equal(p?.file, 'sw_l3_l4_policy.yaml');
  assert.equal(p?.kind, 'CiliumNetworkPolicy');
  assert.equal(p?.name, 'rule1');
  assert.equal(p?.namespace, 'default', 'a CNP without namespace lands in default');
});

test('Star Wars L7: the same selection, the HTTP rule does not change peers', { skip }, () => {
  const p = previewDocument(policy(['cilium', 'minikube', 'sw_l3_l4_l7_policy.yaml']), inv(SW_APP));
  assert.deepEqual(summary(p), {
    subjects: ['default/deathstar'],
    rules: ['ingress[0] default/deathstar default/tiefighter | 80/TCP'],
  });
});

test('Star Wars default deny: every empire workload, and an empty ingress item admits nobody', { skip }, () => {
  const p = previewDocument(policy(['cilium', 'minikube', 'sw_deny_policy.yaml']), inv(SW_APP));
  assert.deepEqual(summary(p), { subjects: ['default/deathstar', 'default/tiefighter'], rules: ['ingress[0] - | -'] });
});

test('Star Wars: the JSON has exactly the documented shape', { skip }, () => {
  const p = previewDocument(policy(['cilium', 'minikube', 'sw_l3_l4_policy.yaml']), inv(SW_APP), { file: 'f.yaml' });
  const json = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['file', 'kind', 'name', 'namespace', 'subjects', 'rules']);
  assert.deepEqual(json['subjects'], [
    {
      kind: 'Deployment',
      namespace: 'default',
      name: 'deathstar',
      labels: { org: 'empire', class: 'deathstar', 'app.kubernetes.io/name': 'deathstar' },
    },
  ]);
  const rule = (json['rules'] as Record<string, unknown>[])[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(rule), ['direction', 'index', 'peers', 'ports']);
  assert.deepEqual((rule['peers'] as unknown[])[1], {
    endpoint: {
      kind: 'Pod',
      namespace: 'default',
      name: 'tiefighter',
      labels: { org: 'empire', class: 'tiefighter', 'app.kubernetes.io/name': 'tiefighter' },
    },
  });
  assert.deepEqual(rule['ports'], [{ port: '80', protocol: 'TCP' }]);
});

test('Star Wars: selections carry spans and CodeLens summaries', { skip }, () => {
  const text = read('cilium', 'minikube', 'sw_l3_l4_policy.yaml');
  const doc = parseFile(text).documents[0] as PolicyDocument;
  const d = previewDetails(doc, inv(SW_APP));
  assert.ok(d);
  assert.deepEqual(
    d.selections.map((s) => [
      s.role,
      text.slice(s.span.start, s.span.end).split(/\r?\n/)[0]?.trim(),
      selectionSummary(s),
    ]),
    [
      ['endpointSelector', 'endpointSelector:', 'selects 1 workload: deathstar'],
      ['fromEndpoints', '- matchLabels:'.slice(2), 'matches 2 workloads: deathstar, tiefighter'],
    ],
  );
  assert.equal(d.rules.length, 1);
  assert.ok(text.slice(d.rules[0]?.span.start, d.rules[0]?.span.end).startsWith('fromEndpoints:'));
  assert.deepEqual(d.rules[0]?.path, ['spec', 'ingress', 0]);
  assert.equal(d.selections[0]?.endpoints[0]?.source.file, SW_APP.join('/'));
});

test('Star Wars: which policies select each ship, and default deny (RULE-3)', { skip }, () => {
  const inventory = inv(SW_APP);
  const docs = ['sw_deny_policy.yaml', 'sw_l3_l4_policy.yaml'].map((f) => ({
    doc: policy(['cilium', 'minikube', f]),
    file: f,
  }));
  const find = (name: string): Endpoint => inventory.endpoints.find((e) => e.name === name) as Endpoint;
  const names = (e: string): string[] => policiesSelecting(find(e), docs, inventory).policies.map((p) => p.name ?? '');
  assert.deepEqual(names('deathstar'), ['empire-default-deny', 'rule1']);
  assert.deepEqual(names('tiefighter'), ['empire-default-deny']);
  assert.deepEqual(names('xwing'), []);
  assert.deepEqual(policiesSelecting(find('tiefighter'), docs, inventory).defaultDeny, {
    ingress: true,
    egress: false,
  });
  assert.deepEqual(policiesSelecting(find('xwing'), docs, inventory).defaultDeny, { ingress: false, egress: false });
});

// ---------------------------------------------------------------------------------------------
// DNS demo: mediabot (Pod; org=empire, class=mediabot) in `default`. Its DNS peers live in
// kube-system, which the demo does not ship; a small CoreDNS stand-in is added for them.

const COREDNS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: kube-dns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics, namespace: kube-system}
spec:
  template:
    metadata: {labels: {k8s-app: metrics-server}}
---
apiVersion: v1
kind: Pod
metadata: {name: dns-default, namespace: openshift-dns, labels: {dns.operator.openshift.io/daemonset-dns: default}}
`;

function dnsInventory(): Inventory {
  return inventoryFromManifests([
    { uri: 'dns-sw-app.yaml', text: read('cilium', 'kubernetes-dns', 'dns-sw-app.yaml') },
    { uri: 'sw', text: read(...SW_APP) },
    { uri: 'coredns.yaml', text: COREDNS },
  ]);
}

test('DNS matchName: mediabot may reach api.github.com and kube-dns on 53', { skip }, () => {
  const p = previewDocument(policy(['cilium', 'kubernetes-dns', 'dns-matchname.yaml']), dnsInventory());
  assert.deepEqual(summary(p), {
    subjects: ['default/mediabot'],
    rules: ['egress[0] fqdn:api.github.com | -', 'egress[1] kube-system/coredns | 53/ANY'],
  });
});

test('DNS pattern and port: the pattern is a peer, with its own port', { skip }, () => {
  assert.deepEqual(summary(previewDocument(policy(['cilium', 'kubernetes-dns', 'dns-port.yaml']), dnsInventory())), {
    subjects: ['default/mediabot'],
    rules: ['egress[0] fqdn:*.github.com | 443/TCP', 'egress[1] kube-system/coredns | 53/ANY'],
  });
});

test('DNS on OpenShift: a namespace-only peer admits every pod of that namespace', { skip }, () => {
  assert.deepEqual(
    summary(previewDocument(policy(['cilium', 'kubernetes-dns', 'dns-matchname-openshift.yaml']), dnsInventory())),
    {
      subjects: ['default/mediabot'],
      rules: ['egress[0] fqdn:api.github.com | -', 'egress[1] openshift-dns/dns-default | 5353/ANY'],
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Service mesh: client (kind=client, name=client), client2 (kind=client, name=client2,
// other=client), echo-service-1 (kind=echo, name=echo-service-1, other=echo), echo-service-2
// (kind=echo, name=echo-service-2), all Deployments in `default`; Services echo-service-1/2
// select name=echo-service-1/2.

const MESH = ['cilium', 'kubernetes', 'servicemesh', 'envoy'];

test('Service mesh: client-egress-only-dns selects both clients; no kube-dns pods are in the demo', { skip }, () => {
  const p = previewDocument(policy([...MESH, 'client-egress-only-dns.yaml']), inv([...MESH, 'test-application.yaml']));
  assert.deepEqual(summary(p), { subjects: ['default/client', 'default/client2'], rules: ['egress[0] - | 53/ANY'] });
});

test('Service mesh: client-egress-l7-http lets client2 reach the echo pods and one.one.one.one', { skip }, () => {
  const p = previewDocument(policy([...MESH, 'client-egress-l7-http.yaml']), inv([...MESH, 'test-application.yaml']));
  assert.deepEqual(summary(p), {
    subjects: ['default/client2'],
    rules: [
      'egress[0] default/echo-service-1 default/echo-service-2 | 8080/TCP',
      'egress[1] fqdn:one.one.one.one | 80/TCP',
    ],
  });
});

test('Service mesh: a CiliumClusterwideEnvoyConfig covers the pods behind its services', { skip }, () => {
  const d = previewDetails(
    policy([...MESH, 'envoy-traffic-management-test.yaml']),
    inv([...MESH, 'test-application.yaml']),
  );
  assert.deepEqual(summary(d?.preview), { subjects: ['default/echo-service-1', 'default/echo-service-2'], rules: [] });
  assert.equal(d?.preview.namespace, null);
  assert.deepEqual(
    d?.selections.map((s) => [s.role, s.selector, s.endpoints.map((e) => e.name)]),
    [
      ['services', 'service default/echo-service-1', ['echo-service-1']],
      ['services', 'service default/echo-service-2', ['echo-service-2']],
    ],
  );
});

test('Service mesh: a CiliumEnvoyConfig lists frontend and backend services', { skip }, () => {
  const inventory = inventoryFromManifests([
    { uri: 'a', text: read(...MESH, 'client-helloworld.yaml') },
    { uri: 'b', text: read(...MESH, 'helloworld-service-v1-v2.yaml') },
  ]);
  const d = previewDetails(policy([...MESH, 'envoy-helloworld-v1-90-v2-10.yaml']), inventory);
  assert.deepEqual(summary(d?.preview).subjects, ['default/helloworld-v1', 'default/helloworld-v2']);
  assert.deepEqual(
    d?.selections.map((s) => [s.role, s.endpoints.map((e) => e.name)]),
    [
      ['services', ['helloworld-v1', 'helloworld-v2']],
      ['backendServices', ['helloworld-v1']],
      ['backendServices', ['helloworld-v2']],
    ],
  );
});

test('Tetragon: the bigsecret demo policy selects the bigsecret pod', { skip }, () => {
  const parts = ['tetragon-other', 'examples', 'other', 'file-block-kubectl-exec-access.yaml'];
  const text = read(...parts);
  const doc = parseFile(text).documents.find((d) => d.kind !== undefined) as PolicyDocument;
  const p = previewDocument(doc, inventoryFromManifests([{ uri: 'x', text }]));
  assert.deepEqual(summary(p), { subjects: ['default/bigsecret'], rules: [] });
});

// ---------------------------------------------------------------------------------------------
// Synthetic cases

test('an item with ports but no peer admits everyone on those ports (PEER-7)', () => {
  const doc = parseFile(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {}
  ingress:
    - toPorts: [{ports: [{port: "8080", endPort: 8090, protocol: TCP}]}]
    - icmps: [{fields: [{type: 8}, {family: IPv6, type: EchoRequest}]}]
    - fromEndpoints: [{matchLabels: {app: nobody}}]
      toPorts: [{ports: [{port: "443"}]}]
`).documents[0] as PolicyDocument;
  const p = previewDocument(doc, inventoryFromManifests([]));
  assert.deepEqual(
    p?.rules.map((r) => [r.peers, r.ports]),
    [
      [[{ entity: 'all' }], [{ port: '8080', protocol: 'TCP', endPort: 8090 }]],
      [
        [{ entity: 'all' }],
        [
          { icmpType: '8', protocol: 'ICMP' },
          { icmpType: 'EchoRequest', protocol: 'ICMPv6' },
        ],
      ],
      [[], [{ port: '443', protocol: 'ANY' }]],
    ],
  );
});

test('specs: every rule has its own subjects; the union is reported', () => {
  const doc = parseFile(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
specs:
  - endpointSelector: {matchLabels: {app: a}}
    egress: [{toEntities: [world]}]
  - endpointSelector: {matchLabels: {app: b}}
    ingressDeny: [{fromEntities: [world]}]
`).documents[0] as PolicyDocument;
  const inventory = inventoryFromManifests([
    {
      uri: 'w',
      text: 'kind: Pod\nmetadata: {name: a, namespace: shop, labels: {app: a}}\n---\nkind: Pod\nmetadata: {name: b, namespace: shop, labels: {app: b}}\n',
    },
  ]);
  const d = previewDetails(doc, inventory);
  assert.deepEqual(
    d?.preview.subjects.map((s) => s.name),
    ['a', 'b'],
  );
  assert.deepEqual(
    d?.rules.map((r) => r.path),
    [
      ['specs', 0, 'egress', 0],
      ['specs', 1, 'ingressDeny', 0],
    ],
  );
});

test('non-policy documents and unreadable policies have no preview', () => {
  const inventory = inventoryFromManifests([]);
  const pod = parseFile('kind: Pod\nmetadata: {name: a}\n').documents[0] as PolicyDocument;
  assert.equal(previewDocument(pod, inventory), undefined);
  const templated = parseFile(
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: "{{ .Values.name }}"\nspec:\n  endpointSelector: {}\n',
  ).documents[0] as PolicyDocument;
  assert.equal(templated.templated, true);
  assert.equal(previewDocument(templated, inventory), undefined);
});

test('hostile label values pass through as plain data', () => {
  const long = 'x'.repeat(20_000);
  const weird = {
    app: '<script>alert(1)</script>',
    quote: `he said "hi" and 'bye'`,
    long,
    unicode: 'ünï\u202ecode\u0000',
    __proto__x: 'constructor',
  };
  const workload: Endpoint = {
    kind: 'Pod',
    namespace: 'shop',
    name: '<img src=x onerror=alert(1)>',
    labels: weird,
    source: {},
  };
  const inventory: Inventory = {
    endpoints: [workload],
    namespaces: [],
    services: [],
    nodes: [],
    origin: 'snapshot',
    description: '',
  };
  const doc = parseFile(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: "<script>alert(1)</script>"}}
  ingress: [{fromEndpoints: [{matchLabels: {quote: "he said \\"hi\\" and 'bye'"}}]}]
`).documents[0] as PolicyDocument;
  const d = previewDetails(doc, inventory);
  assert.ok(d);
  assert.deepEqual(d.preview.subjects, [
    { kind: 'Pod', namespace: 'shop', name: '<img src=x onerror=alert(1)>', labels: weird },
  ]);
  assert.deepEqual((JSON.parse(JSON.stringify(d.preview)) as typeof d.preview).subjects[0]!.labels, weird);
  assert.equal(d.preview.rules[0]?.peers.length, 1);
  assert.equal(selectionSummary(d.selections[0] as never), 'selects 1 workload: <img src=x onerror=alert(1)>');
  assert.match(d.selections[0]?.selector ?? '', /any:app=<script>alert\(1\)<\/script>/);
});

test('the index is reusable and gives the same answer as a plain inventory', () => {
  const inventory = inventoryFromManifests([{ uri: 'w', text: 'kind: Pod\nmetadata: {name: a, labels: {app: a}}\n' }]);
  const doc = parseFile(
    'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {}\n  egress: [{toEndpoints: [{}]}]\n',
  ).documents[0] as PolicyDocument;
  const index = new EndpointIndex(inventory);
  assert.deepEqual(previewDocument(doc, index), previewDocument(doc, inventory));
  assert.deepEqual(summary(previewDocument(doc, index)), {
    subjects: ['default/a'],
    rules: ['egress[0] default/a | -'],
  });
});

test('RULE-3: enableDefaultDeny turns default deny off per direction; deny items count as rules', () => {
  const inventory = inventoryFromManifests([
    { uri: 'w', text: 'kind: Pod\nmetadata: {name: a, namespace: shop, labels: {app: a}}\n' },
  ]);
  const docs = parseFile(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: audit, namespace: shop}
spec:
  endpointSelector: {}
  enableDefaultDeny: {ingress: false}
  ingress: [{fromEntities: [world]}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: deny-world}
spec:
  endpointSelector: {matchLabels: {app: a}}
  egressDeny: [{toEntities: [world]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: elsewhere, namespace: other}
spec:
  endpointSelector: {}
  ingress: [{}]
`).documents.map((doc) => ({ doc, file: 'p.yaml' }));
  const r = policiesSelecting(inventory.endpoints[0] as Endpoint, docs, inventory);
  assert.deepEqual(
    r.policies.map((p) => [p.name, p.ingress, p.egress, p.defaultDeny]),
    [
      ['audit', true, false, { ingress: false, egress: false }],
      ['deny-world', false, true, { ingress: false, egress: true }],
    ],
  );
  assert.deepEqual(r.defaultDeny, { ingress: false, egress: true });
});
