// SPDX-License-Identifier: Apache-2.0
// Completion from the inventory and where documents start (core/assist/cluster-completion.ts).
// Expectations are computed from the manifests below, not copied from a run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { KINDS } from '../../server/src/core/kinds.js';
import { EndpointIndex } from '../../server/src/core/preview.js';
import { clusterCompletions, type ClusterCompletions } from '../../server/src/core/assist/cluster-completion.js';
import { labelKeyHover } from '../../server/src/core/assist/label-hover.js';
import { expandSnippet, templatesFromSnippets } from '../../server/src/core/templates.js';
import { loadSnippetFiles } from '../../server/src/io/snippet-files.js';

const WORKLOADS = [
  { ns: 'shop', name: 'web', labels: { app: 'web', tier: 'front', version: 'v1' }, ports: [['http', 8080]], sa: 'web' },
  {
    ns: 'shop',
    name: 'api',
    labels: { app: 'api', tier: 'back' },
    ports: [
      ['grpc', 9090],
      [null, 8443],
    ],
    sa: 'api',
  },
  { ns: 'shop', name: 'api-canary', labels: { app: 'api', tier: 'back' }, ports: [['grpc', 9090]], sa: 'api' },
  { ns: 'jobs', name: 'worker', labels: { app: 'worker', queue: 'true' }, ports: [], sa: 'default' },
] as const;

function manifests(): string {
  const docs = WORKLOADS.map((w) =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: { name: ${w.name}, namespace: ${w.ns} }`,
      'spec:',
      `  selector: { matchLabels: { app: ${w.labels.app} } }`,
      '  template:',
      `    metadata: { labels: ${JSON.stringify(w.labels)} }`,
      '    spec:',
      `      serviceAccountName: ${w.sa}`,
      '      containers:',
      `        - name: c`,
      `          image: registry/${w.name}:1`,
      `          ports: ${JSON.stringify(w.ports.map(([n, p]) => (n ? { name: n, containerPort: p } : { containerPort: p })))}`,
    ].join('\n'),
  );
  docs.push(
    'apiVersion: v1\nkind: Service\nmetadata: { name: api, namespace: shop }\nspec: { selector: { app: api }, ports: [{ port: 80 }] }',
  );
  docs.push('apiVersion: v1\nkind: Node\nmetadata: { name: n1, labels: { kubernetes.io/os: linux, pool: edge } }');
  docs.push('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { team: pay } }');
  return docs.join('\n---\n');
}

const index = new EndpointIndex(inventoryFromManifests([{ uri: 'file:///apps.yaml', text: manifests() }]));
const templates = templatesFromSnippets(loadSnippetFiles());

function complete(textWithBar: string, withIndex = true): { result: ClusterCompletions | undefined; text: string } {
  const offset = textWithBar.indexOf('|');
  const text = textWithBar.slice(0, offset) + textWithBar.slice(offset + 1);
  const result = clusterCompletions({ file: parseFile(text), offset, index: withIndex ? index : undefined, templates });
  return { result, text };
}

const labels = (r: ClusterCompletions | undefined): string[] => (r?.items ?? []).map((i) => i.label);
const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\n';

describe('document starts', () => {
  it('offers every kind with a skeleton, and the whole-document templates, in an empty file', () => {
    const { result } = complete('|');
    assert.ok(result?.exclusive);
    for (const k of KINDS) assert.ok(labels(result).includes(k.kind), `${k.kind} offered`);
    for (const t of templates) assert.ok(labels(result).includes(t.id), `${t.id} offered`);
    // No label has a space: typing it must select it, not leave a word behind.
    for (const l of labels(result)) assert.doesNotMatch(l, /\s/);
    const cnp = result!.items.find((i) => i.label === 'CiliumNetworkPolicy')!;
    const doc = parse(expandSnippet(cnp.insertText)) as Record<string, unknown>;
    assert.equal(doc['apiVersion'], 'cilium.io/v2');
    assert.equal(doc['kind'], 'CiliumNetworkPolicy');
    // The namespace placeholder offers the inventory's namespaces, the fullest first.
    assert.match(cnp.insertText, /\$\{2\|shop,jobs\|\}/);
  });

  it('does the same after a `---` and replaces what was typed', () => {
    const { result, text } = complete(`${CNP}spec: {}\n---\ncnp-d|`);
    assert.ok(result?.exclusive);
    assert.equal(text.slice(result.replace.start, result.replace.end), 'cnp-d');
    assert.ok(labels(result).includes('cnp-default-deny'));
  });

  it('offers the skeleton below a bare apiVersion and kind, and never spec children at column 0', () => {
    const bare = complete('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n|').result;
    assert.deepEqual(labels(bare), ['skeleton', 'metadata', 'spec', 'specs']);
    const underSpec = complete(`${CNP}spec:\n|`).result;
    assert.ok(underSpec?.exclusive);
    assert.ok(!labels(underSpec).includes('endpointSelector'));
    assert.ok(!labels(underSpec).includes('status'));
    assert.deepEqual(labels(underSpec), ['specs']);
  });

  it('leaves documents of other kinds alone', () => {
    assert.equal(complete('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  namespace: |').result, undefined);
  });
});

describe('from the inventory', () => {
  it('completes namespaces for metadata.namespace, the fullest first', () => {
    const { result } = complete('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  namespace: |\n');
    assert.deepEqual(labels(result), ['shop', 'jobs']);
    assert.match(result!.items[0]!.detail!, /3 workloads/);
  });

  it('completes label keys of the workloads in scope first, without the keys already written', () => {
    const { result } = complete(`${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      app: web\n      |`);
    const got = labels(result);
    assert.equal(got[0], 'tier');
    assert.ok(!got.includes('app'), 'app is written already');
    assert.ok(!got.includes('queue'), 'queue only exists in another namespace');
    // A label that changes with every release comes after the lasting ones.
    assert.ok(got.indexOf('version') > got.indexOf('tier'));
  });

  it('completes label values with how many workloads carry each', () => {
    const { result } = complete(`${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      app: |`);
    const inShop = WORKLOADS.filter((w) => w.ns === 'shop');
    const apps = [...new Set(inShop.map((w) => w.labels.app))];
    assert.deepEqual([...labels(result)].sort(), apps.sort());
    const api = result!.items.find((i) => i.label === 'api')!;
    const carriers = inShop.filter((w) => w.labels.app === 'api').length;
    assert.match(api.detail!, new RegExp(`^${carriers} workloads of ${inShop.length} in shop`));
    assert.equal(labels(result)[0], 'api', 'the most carried value first');
  });

  it('follows a peer selector into the namespace it names', () => {
    const { result } = complete(
      `${CNP}spec:\n  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: jobs\n            app: |`,
    );
    assert.deepEqual(labels(result), ['worker']);
  });

  it('offers the namespace label and namespaces in peer selectors', () => {
    const keys = complete(
      `${CNP}spec:\n  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            |`,
    ).result;
    assert.ok(labels(keys).includes('k8s:io.kubernetes.pod.namespace'));
    assert.ok(labels(keys).includes('io.cilium.k8s.namespace.labels.team'));
    const values = complete(
      `${CNP}spec:\n  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: |`,
    ).result;
    assert.deepEqual(labels(values), ['shop', 'jobs']);
  });

  it('completes matchExpressions values for the expression’s key', () => {
    const { result } = complete(
      `${CNP}spec:\n  endpointSelector:\n    matchExpressions:\n      - key: tier\n        operator: In\n        values:\n          - |`,
    );
    assert.deepEqual([...labels(result)].sort(), ['back', 'front']);
  });

  it('completes quoted container ports of the selected workloads for ingress', () => {
    const { result } = complete(
      `${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      app: api\n  ingress:\n    - toPorts:\n        - ports:\n            - port: |`,
    );
    const expected = new Set<string>();
    for (const w of WORKLOADS.filter((x) => x.ns === 'shop' && x.labels.app === 'api'))
      for (const [n, p] of w.ports) {
        expected.add(JSON.stringify(String(p)));
        if (n) expected.add(JSON.stringify(n));
      }
    assert.deepEqual(new Set(labels(result)), expected);
    for (const i of result!.items) assert.match(i.insertText, /^".*"$/, 'ports are quoted');
  });

  it('completes the ports of the rule’s peers for egress', () => {
    const { result } = complete(
      `${CNP}spec:\n  endpointSelector: {}\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: web\n      toPorts:\n        - ports:\n            - port: |`,
    );
    assert.deepEqual(new Set(labels(result)), new Set(['"8080"', '"http"']));
  });

  it('completes service names in toServices and node labels in nodeSelector', () => {
    const svc = complete(
      `${CNP}spec:\n  endpointSelector: {}\n  egress:\n    - toServices:\n        - k8sService:\n            serviceName: |`,
    ).result;
    assert.deepEqual(labels(svc), ['api']);
    const nodes = complete(
      'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: h\nspec:\n  nodeSelector:\n    matchLabels:\n      |',
    ).result;
    assert.deepEqual([...labels(nodes)].sort(), ['kubernetes.io/os', 'pool']);
  });

  it('asks the schema to tidy metadata: user keys first, nothing the API server sets', () => {
    const { result } = complete('apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  |\n');
    assert.deepEqual(result!.schemaFirst.slice(0, 2), ['name', 'namespace']);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'])
      assert.ok(result!.dropSchema.has(k));
    assert.ok(result!.dropSchema.has('namespace'), 'a cluster-wide kind has no namespace');
  });

  it('offers nothing from the inventory when there is none', () => {
    const { result } = complete(`${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      app: |`, false);
    assert.deepEqual(labels(result), []);
  });
});

describe('hover on a label key', () => {
  it('describes the key, and who carries it, not the value’s format', () => {
    const text = `${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      k8s:io.kubernetes.pod.namespace: shop\n      tier: back\n`;
    const at = (needle: string) => labelKeyHover(parseFile(text), text.indexOf(needle) + 2, index);
    const ns = at('k8s:io.kubernetes.pod.namespace');
    assert.match(ns!.markdown, /namespace of the pod/);
    const tier = at('tier:');
    const backs = WORKLOADS.filter((w) => w.ns === 'shop' && w.labels.tier === 'back').length;
    assert.match(tier!.markdown, new RegExp(`\`back\` \\(${backs}\\)`));
    assert.equal(labelKeyHover(parseFile(text), text.indexOf('back') + 1, index), undefined, 'not on a value');
  });
});
