// SPDX-License-Identifier: Apache-2.0
/**
 * The "New policy…" wizard's pure part: templates read from the snippet files, prefilled for a
 * workload. What it builds must lint clean, select exactly the workload's labels (read back from
 * the YAML, so quoting mistakes show), and stay valid snippet syntax for the editor.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { KINDS } from '../../server/src/core/kinds.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { manifestPart, workloadPorts } from '../../server/src/core/inventory.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import {
  buildPolicy,
  escapeSnippetText,
  expandSnippet,
  NAMESPACE_LABEL,
  parseSnippet,
  templateKinds,
  templatesFromSnippets,
  yamlString,
  type SnippetEntry,
  type WorkloadRef,
} from '../../server/src/core/templates.js';
import { selectorLabels } from '../../server/src/core/stable-labels.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { REPO_ROOT } from '../support/paths.js';

const files = ['cilium.json', 'tetragon.json'].map(
  (f) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'snippets', f), 'utf8')) as Record<string, SnippetEntry>,
);
const templates = templatesFromSnippets(files);
const validator = new SchemaValidator(loadSchemaFiles());

function lint(text: string): string[] {
  return lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS })
    .filter((f) => f.severity === 'error' || f.severity === 'warning')
    .map((f) => `${f.severity} ${f.code}: ${f.message}`);
}

type Doc = {
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, { matchLabels?: Record<string, unknown> }>;
};

function docs(text: string): Doc[] {
  return text.split(/^---$/m).map((d) => parseYaml(d) as Doc);
}

/** Label values that YAML would read as something other than the string if left unquoted. */
const TRICKY: WorkloadRef = {
  kind: 'Deployment',
  name: 'web',
  namespace: 'shop',
  labels: {
    'app.kubernetes.io/name': 'web',
    tier: 'true',
    legacy: 'yes',
    switch: 'on',
    version: '1.10',
    build: '0123',
    hex: '0x1F',
    exp: '1e3',
    none: 'null',
    empty: '',
    'pod-template-hash': '5d4b8c9f7',
  },
};

test('every snippet becomes a template, grouped by kind', () => {
  const count = files.reduce((n, f) => n + Object.keys(f).length, 0);
  assert.equal(templates.length, count);
  assert.deepEqual(
    templates.map((t) => t.id),
    files.flatMap((f) => Object.values(f).map((s) => s.prefix)),
  );
  // The wizard offers every kind whose starters are in these files, the cluster-wide Envoy config included.
  assert.deepEqual(
    new Set(templateKinds(templates)),
    new Set(KINDS.filter((k) => k.snippets === 'cilium.json' || k.snippets === 'tetragon.json').map((k) => k.kind)),
  );
  const bySelector = templates.filter((t) => t.selector !== undefined);
  assert.ok(
    bySelector.some((t) => t.selector === 'endpointSelector'),
    'some templates select pods with endpointSelector',
  );
  assert.ok(
    bySelector.some((t) => t.selector === 'podSelector'),
    'some templates select pods with podSelector',
  );
  // A namespace-wide default deny stays namespace-wide: its `{}` selector is not a workload selector.
  assert.equal(templates.find((t) => t.id === 'cnp-default-deny')?.selector, undefined);
  for (const t of templates) assert.ok(t.label.length > 3 && !t.label.includes(':'), `${t.id}: label "${t.label}"`);
});

test('a broken snippet entry is skipped, not thrown', () => {
  const out = templatesFromSnippets([
    { 'X: bad': { prefix: 'cnp-bad', description: 'broken', body: ['name: ${1:open'] } },
    { 'Y: not ours': { prefix: 'cnp-pod', description: 'a pod', body: 'apiVersion: v1\nkind: Pod' } },
  ]);
  assert.deepEqual(out, []);
});

for (const t of templates) {
  test(`template ${t.id} without a workload is the snippet as inserted, and lints clean`, () => {
    const built = buildPolicy(t);
    assert.equal(built.snippet, t.body);
    assert.equal(built.text, expandSnippet(t.body));
    assert.deepEqual(lint(built.text), []);
  });

  test(`template ${t.id} prefilled for a workload lints clean and selects exactly its labels`, () => {
    const built = buildPolicy(t, { workload: TRICKY });
    assert.deepEqual(lint(built.text), [], built.text);
    // Still valid snippet syntax whose defaults are the text.
    assert.doesNotThrow(() => parseSnippet(built.snippet));
    const [first] = docs(built.text);
    if (t.namespaced) {
      for (const d of docs(built.text))
        assert.equal(d.metadata?.namespace, 'shop', `${t.id}: every document moved to the workload's namespace`);
    }
    if (t.selector) {
      const expected: Record<string, string> = selectorLabels(TRICKY.labels);
      if (!t.namespaced) expected[NAMESPACE_LABEL] = 'shop';
      assert.deepEqual(first?.spec?.[t.selector]?.matchLabels, expected, built.text);
      assert.ok(
        !('pod-template-hash' in (first?.spec?.[t.selector]?.matchLabels ?? {})),
        'per-rollout labels are dropped',
      );
      assert.ok(
        !('version' in (first?.spec?.[t.selector]?.matchLabels ?? {})),
        'per-release labels are dropped: the next release would stop matching',
      );
    }
    if (t.selector || t.namespaced)
      assert.match(first?.metadata?.name ?? '', /^web-/, 'the policy is named after the workload');
    else assert.ok(built.notes.length > 0, 'a template that cannot use the workload says so');
  });
}

test('label values and keys are quoted so YAML 1.1 and 1.2 both read them back as the same string', () => {
  const values = [
    'web',
    'true',
    'True',
    'yes',
    'Y',
    'n',
    'off',
    'null',
    '~',
    '',
    '0',
    '0123',
    '1.10',
    '1e3',
    '0x1F',
    '.inf',
    '-',
    'a: b',
    '#x',
    '- x',
    '"q"',
    "it's",
    'k8s:io.kubernetes.pod.namespace',
    'ends:',
    '<<',
    '@x',
    'a\nb',
    'ünï',
  ];
  for (const v of values) {
    const line = `k: ${yamlString(v)}`;
    for (const version of ['1.1', '1.2'] as const) {
      assert.deepEqual(parseYaml(line, { version }), { k: v }, `${JSON.stringify(v)} as ${line} in YAML ${version}`);
    }
  }
  assert.equal(yamlString('web'), 'web', 'ordinary values stay plain');
  assert.equal(yamlString('app.kubernetes.io/name'), 'app.kubernetes.io/name');
});

test('hostile label text survives snippet escaping and YAML quoting unchanged', () => {
  const t = templates.find((x) => x.id === 'cnp-allow-from-pods')!;
  const labels = { a$1: '${2:x}', b: 'back\\slash}', c: 'quote"and\'', d: 'line\nbreak', e: '$0' };
  const built = buildPolicy(t, { workload: { kind: 'Pod', name: 'p', namespace: 'ns-$1', labels } });
  const [doc] = docs(built.text);
  assert.deepEqual(doc?.spec?.['endpointSelector']?.matchLabels, labels);
  assert.equal(doc?.metadata?.namespace, 'ns-$1');
  assert.equal(escapeSnippetText('$1}\\'), '\\$1\\}\\\\');
});

test('a workload without labels leaves the selector alone and says why', () => {
  const t = templates.find((x) => x.id === 'tp-namespaced')!;
  const built = buildPolicy(t, {
    workload: { kind: 'Pod', name: 'bare', namespace: 'ops', labels: { 'pod-template-hash': 'abc' } },
  });
  assert.deepEqual(
    docs(built.text)[0]?.spec?.['podSelector']?.matchLabels,
    docs(expandSnippet(t.body))[0]?.spec?.['podSelector']?.matchLabels,
  );
  assert.equal(docs(built.text)[0]?.metadata?.namespace, 'ops');
  assert.match(built.notes.join(' '), /no labels/);
});

test('mirrors of the namespace tabstop follow the workload (Envoy clusters are named namespace/service)', () => {
  const t = templates.find((x) => x.id === 'cec-canary')!;
  const built = buildPolicy(t, { workload: TRICKY });
  assert.ok(!/\bdefault\//.test(built.text), built.text);
  assert.match(built.text, /name: shop\/shop-v1/);
  assert.deepEqual(lint(built.text), []);
});

test('the first workload of a manifest file prefills a policy ("Create policy for this workload")', () => {
  const manifest = [
    'apiVersion: v1',
    'kind: Service',
    'metadata: { name: api, namespace: payments }',
    'spec: { selector: { app: api } }',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    '  namespace: payments',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: api',
    '        "version": "2"',
    '    spec:',
    '      containers: [{ name: api, image: api:2 }]',
  ].join('\n');
  const w = manifestPart('file:///m.yaml', manifest).endpoints[0]!;
  const t = templates.find((x) => x.id === 'cnp-l7-http')!;
  const built = buildPolicy(t, { workload: w });
  // `version` changes with each release: a selector on it would stop matching after the next one.
  assert.deepEqual(docs(built.text)[0]?.spec?.['endpointSelector']?.matchLabels, { app: 'api' });
  assert.equal(docs(built.text)[0]?.metadata?.namespace, 'payments');
  assert.deepEqual(lint(built.text), []);
});

test("the workload's own selector, its container ports and its name shape the policy", () => {
  const manifest = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: { name: checkout, namespace: shop }',
    'spec:',
    '  selector:',
    '    matchLabels: { app: checkout, tier: backend }',
    '  template:',
    '    metadata:',
    '      labels: { app: checkout, tier: backend, team: payments, version: v7 }',
    '    spec:',
    '      initContainers: [{ name: init, image: i, ports: [{ containerPort: 1111 }] }]',
    '      containers:',
    '        - name: app',
    '          image: checkout:7',
    '          ports: [{ name: http, containerPort: 8443 }, { name: metrics, containerPort: 9102 }]',
    '        - name: sidecar',
    '          image: s',
    '          ports: [{ containerPort: 8443 }, { containerPort: 5353, protocol: UDP }]',
  ].join('\n');
  const w = manifestPart('file:///m.yaml', manifest).endpoints[0]!;
  assert.deepEqual(w.selector, { app: 'checkout', tier: 'backend' });
  const ports = workloadPorts(w);
  assert.deepEqual(
    ports.map((p) => `${p.port}/${p.protocol}`),
    ['8443/TCP', '9102/TCP', '5353/UDP'],
    'each port once, init containers left out',
  );
  const ref: WorkloadRef = { ...w, ports };
  const t = templates.find((x) => x.id === 'cnp-allow-from-pods')!;
  const built = buildPolicy(t, { workload: ref });
  const [doc] = docs(built.text) as [
    Doc & { spec: { ingress: { toPorts: { ports: { port: string }[] }[]; fromEndpoints: unknown[] }[] } },
  ];
  // Only the selector's labels: `team` is on the pods but the controller does not select by it.
  assert.deepEqual(doc.spec['endpointSelector']?.matchLabels, { app: 'checkout', tier: 'backend' });
  assert.equal(doc.spec.ingress[0]!.toPorts[0]!.ports[0]!.port, '8443', 'the first container port is the default');
  assert.match(built.snippet, /\$\{\d+\|8443,9102,5353\|\}/, 'every container port is a choice');
  assert.equal(doc.metadata?.name, 'checkout-allow-from-pods');
  // The peers' labels in fromEndpoints are the template's placeholders, not the workload's ports or labels.
  const plain = docs(expandSnippet(t.body))[0] as typeof doc;
  assert.deepEqual(doc.spec.ingress[0]!.fromEndpoints, plain.spec.ingress[0]!.fromEndpoints);
  assert.deepEqual(lint(built.text), []);

  // Egress ports belong to the peer: an egress template keeps its own.
  const egress = templates.find((x) => x.id === 'cnp-egress-cidr')!;
  const out = buildPolicy(egress, { workload: ref });
  assert.doesNotMatch(out.text, /8443|9102/);
  assert.equal(docs(out.text)[0]?.metadata?.name, 'checkout-egress-cidr');

  // A single port is a plain default, not a one-item choice.
  const one = buildPolicy(t, { workload: { ...ref, ports: [{ port: 80, protocol: 'TCP' }] } });
  assert.match(one.snippet, /port: "\$\{\d+:80\}"/);
});

test('a generated name stays a valid DNS subdomain for long or odd workload names', () => {
  const t = templates.find((x) => x.id === 'cnp-l7-http')!;
  const long = buildPolicy(t, {
    workload: { kind: 'Pod', name: `-${'x'.repeat(70)}`, namespace: 'a', labels: { app: 'x' } },
  });
  const name = docs(long.text)[0]?.metadata?.name ?? '';
  assert.ok(name.length <= 63 && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(name), name);
});
