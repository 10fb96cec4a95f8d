// SPDX-License-Identifier: Apache-2.0
/**
 * The readable preview: L7 rows on each rule, what a policy does to each direction in words
 * (default deny, `enableDefaultDeny`, a direction it leaves alone), a tracing policy's hooks with
 * their filters and actions, and the banner that replaces the picture of a document with errors.
 * Policies go through the real core (parse, preview, reading) and the client's view model.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { previewDetails } from '../../server/src/core/preview.js';
import { hooksSummary, l7Rows } from '../../server/src/core/preview-readable.js';
import { readingOf } from '../../server/src/lsp/preview-reading.js';
import type { PolicyPreviewEntry, WireRange } from '../../server/src/protocol.js';
import { buildPreviewModel, type PolicyView } from '../../client/src/preview-model.js';
import type { DocumentError } from '../../client/src/preview-reading.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { KNOWN_RELEASES } from '../../server/src/core/versions.js';

const MANIFESTS = [
  ['web', 'app: web'],
  ['api', 'app: api'],
  ['api-2', 'app: api'],
  ['db', 'app: db'],
]
  .map(
    ([name, labels]) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels: {${labels}}\n`,
  )
  .join('---\n');
const inventory = inventoryFromManifests([{ uri: 'file:///ws/apps.yaml', text: MANIFESTS }]);
const INVENTORY = { origin: 'workspace' as const, description: 'workspace', endpoints: 4 };
const validator = new SchemaValidator(loadSchemaFiles());

/** The panel's view of the first policy of `text`, computed as the server and the client do; errors from the real lint. */
function view(text: string, options: { errors?: boolean } = {}): PolicyView {
  const file = parseFile(text);
  const doc = file.documents.find((d) => d.kind)!;
  const details = previewDetails(doc, inventory, { file: 'file:///ws/p.yaml' })!;
  const lines = new LineIndex(text);
  const r = (s: { start: number; end: number }): WireRange => ({
    start: lines.positionAt(s.start),
    end: lines.positionAt(s.end),
  });
  const entry: PolicyPreviewEntry = {
    preview: details.preview as unknown as PolicyPreviewEntry['preview'],
    range: r(details.span),
    selections: details.selections.map((s) => ({
      role: s.role,
      path: [...s.path],
      range: r(s.span),
      selector: s.selector,
      notes: [...s.notes],
      endpoints: s.endpoints.map((e) => ({
        kind: e.kind,
        namespace: e.namespace,
        name: e.name,
        labels: { ...e.labels },
      })),
    })),
    rules: details.rules.map((x) => ({ direction: x.direction, index: x.index, path: [...x.path], range: r(x.span) })),
    ...readingOf(file.documents, details),
  };
  const errors: DocumentError[] = options.errors
    ? lintFile(file, { validator, settings: DEFAULT_SETTINGS })
        .filter((f) => f.severity === 'error')
        .map((f) => ({ message: f.message, code: f.code, range: r(f.span) }))
    : [];
  const { model } = buildPreviewModel(
    { uri: 'file:///ws/p.yaml', documentVersion: 1, inventory: INVENTORY, policies: [entry] },
    'p.yaml',
    'endpoints:',
    errors,
  );
  return model.policies[0]!;
}

const CNP = (spec: string[]): string =>
  [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata: {name: p, namespace: shop}',
    'spec:',
    '  endpointSelector: {matchLabels: {app: api}}',
    ...spec,
    '',
  ].join('\n');

test('each rule lists its HTTP, DNS and Kafka rules', () => {
  const p = view(
    CNP([
      '  ingress:',
      '  - fromEndpoints: [{matchLabels: {app: web}}]',
      '    toPorts:',
      '    - ports: [{port: "8080", protocol: TCP}]',
      '      rules:',
      '        http:',
      '        - {method: GET, path: "/api/v1/.*", headers: ["X-Team: a"]}',
      '        - {method: POST, path: /orders, host: shop.example}',
      '  egress:',
      '  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]',
      '    toPorts:',
      '    - ports: [{port: "53", protocol: ANY}]',
      '      rules:',
      '        dns:',
      '        - matchName: db.example.com',
      '        - matchPattern: "*.example.org"',
      '  - toEndpoints: [{matchLabels: {app: db}}]',
      '    toPorts:',
      '    - ports: [{port: "9092", protocol: TCP}]',
      '      rules:',
      '        kafka:',
      '        - {role: produce, topic: orders}',
    ]),
  );
  const rows = p.sections.flatMap((s) => s.rules.map((r) => `${r.title}: ${r.l7.join(' | ')}`));
  assert.deepEqual(rows, [
    'Ingress rule 1: HTTP GET /api/v1/.* headers X-Team: a | HTTP POST /orders host shop.example',
    'Egress rule 1: DNS matchName db.example.com | DNS matchPattern *.example.org',
    'Egress rule 2: Kafka role produce topic orders',
  ]);
  // A rule without L7 has no rows, and a missing method or path reads as "any".
  assert.deepEqual(l7Rows({ toPorts: [{ ports: [{ port: '80' }] }] }), []);
  assert.deepEqual(l7Rows({ toPorts: [{ rules: { http: [{}] } }] }), ['HTTP any method any path']);
  assert.deepEqual(l7Rows({ toPorts: [{ rules: { l7proto: 'envoy.kafka', l7: [{ action: 'x' }] } }] }), [
    'L7 envoy.kafka: action=x',
  ]);
});

test('default deny is said in words, with how many workloads it covers and what it admits', () => {
  const p = view(CNP(['  ingress:', '  - {}']));
  assert.deepEqual(
    p.directions?.map((d) => d.text),
    [
      'This policy makes ingress default-deny for these 2 workloads and admits nothing.',
      'Egress: not restricted by this policy (it has no egress rule); other policies decide.',
    ],
  );
  assert.match(p.graph!.summary, /egress not restricted by this policy/);
  assert.doesNotMatch(p.graph!.summary, /egress to 0 peers/);

  const admits = view(CNP(['  egress:', '  - toEndpoints: [{matchLabels: {app: db}}]', '  - toEntities: [world]']));
  assert.equal(
    admits.directions?.[1]?.text,
    'This policy makes egress default-deny for these 2 workloads and admits 2 peers.',
  );

  const off = view(
    CNP([
      '  enableDefaultDeny: {ingress: false}',
      '  ingress:',
      '  - fromEndpoints: [{matchLabels: {app: web}}]',
      '  ingressDeny:',
      '  - fromEntities: [world]',
    ]),
  );
  assert.equal(
    off.directions?.[0]?.text,
    'Ingress stays open to whatever other policies allow: enableDefaultDeny.ingress is false, so this policy only adds what it allows (1 peer); its 1 deny rule wins over any allow.',
  );
  assert.equal(off.directions?.[0]?.defaultDeny, false);
});

test('a tracing policy lists its hooks, filters and actions', () => {
  const tracing = [
    'apiVersion: cilium.io/v1alpha1',
    'kind: TracingPolicyNamespaced',
    'metadata: {name: t, namespace: shop}',
    'spec:',
    '  podSelector: {matchLabels: {app: api}}',
    '  kprobes:',
    '  - call: security_file_permission',
    '    syscall: false',
    '    args: [{index: 0, type: file}, {index: 1, type: int}]',
    '    selectors:',
    '    - matchArgs: [{index: 0, operator: Prefix, values: [/etc/shadow]}]',
    '      matchActions: [{action: Sigkill}]',
    '    - matchBinaries: [{operator: In, values: [/usr/bin/cat]}]',
    '  - call: tcp_connect',
    '    syscall: false',
    '',
  ].join('\n');
  const p = view(tracing);
  assert.deepEqual(
    p.hooks?.map((h) => [h.hook, h.summary, h.selectors.map((s) => [...s.filters, ...s.actions.map((a) => `! ${a}`)])]),
    [
      [
        'kprobe security_file_permission',
        '2 selectors, actions: Sigkill',
        [['matchArgs: arg 0 Prefix /etc/shadow', '! Sigkill'], ['matchBinaries: In /usr/bin/cat']],
      ],
      ['kprobe tcp_connect', 'reports every call (no selector)', []],
    ],
  );
  assert.equal(p.graph, undefined);
  // The Endpoints tree's one-line summary of the same policy.
  assert.equal(
    hooksSummary(parseFile(tracing).documents.find((d) => d.kind)!),
    'kprobe security_file_permission → Sigkill; kprobe tcp_connect → reports',
  );
});

test('a document with errors gets a banner with its errors instead of a picture, its lists below', () => {
  const text = CNP([
    '  ingress:',
    '  - fromEndpoints: [{matchLabels: {app: web}}]',
    '    toPorts: [{ports: [{port: "80-90", protocol: TCP}]}]',
  ]);
  const p = view(text, { errors: true });
  assert.ok(p.invalid, 'a banner');
  assert.match(p.invalid.text, /^1 error: the API server or the agent rejects this policy/);
  assert.equal(p.invalid.errors.length, 1);
  assert.ok(p.invalid.errors[0]!.target?.startsWith('endpoints:'), 'each error links to its place');
  assert.equal(p.graph, undefined, 'no graph drawn from what it might mean');
  assert.equal(p.directions, undefined, 'no sentence about what it would do');
  // Control: the same policy without the mistake is drawn.
  const fixed = view(text.replace('"80-90"', '"80"'), { errors: true });
  assert.equal(fixed.invalid, undefined);
  assert.ok(fixed.graph);
});

test('Kafka and generic L7 rows follow the target release: deprecated, then not enforced where the lint refuses them', () => {
  const text = [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata: {name: brokers, namespace: shop}',
    'spec:',
    '  endpointSelector: {matchLabels: {app: db}}',
    '  ingress:',
    '  - toPorts:',
    '    - ports: [{port: "9092", protocol: TCP}]',
    '      rules:',
    '        kafka:',
    '        - {role: produce, topic: orders}',
    '  - toPorts:',
    '    - ports: [{port: "7000", protocol: TCP}]',
    '      rules:',
    '        l7proto: r2d2',
    '        l7:',
    '        - {cmd: READ}',
  ].join('\n');
  const file = parseFile(text);
  const doc = file.documents.find((d) => d.kind)!;
  const details = previewDetails(doc, inventory, { file: 'file:///ws/p.yaml' })!;
  const kafkaAt = text.indexOf('kafka:');
  const l7protoAt = text.indexOf('l7proto:');
  for (const cilium of KNOWN_RELEASES.cilium) {
    const rows = readingOf(file.documents, details, cilium).reading!.l7!;
    const [kafka, generic] = [rows[0]![0]!, rows[1]![0]!];
    assert.match(kafka, /^Kafka role produce topic orders/);
    assert.match(generic, /^L7 r2d2: cmd=READ/);
    // What the lint (the API server's view of the release's CRD) refuses is never shown as enforced.
    const errors = lintFile(file, { validator, settings: { ...DEFAULT_SETTINGS, ciliumVersion: cilium } }).filter(
      (f) => f.severity === 'error',
    );
    const refused = (at: number): boolean => errors.some((f) => f.span.start <= at + 6 && at <= f.span.end);
    assert.equal(/not enforced/.test(kafka), refused(kafkaAt), `${cilium}: ${kafka}`);
    assert.equal(/not enforced/.test(generic), refused(l7protoAt), `${cilium}: ${generic}`);
    // Deprecations: Kafka policy in 1.19 (cilium/cilium#40967), proxylib parsers from 1.18 (cilium/cilium#39419).
    const minor = Number(cilium.split('.')[1]);
    assert.equal(/deprecated/.test(kafka), minor === 19, `${cilium}: ${kafka}`);
    assert.equal(/deprecated/.test(generic), minor === 18 || minor === 19, `${cilium}: ${generic}`);
  }
  // Without a target release the rows carry no note (the CLI's reading, unit callers).
  assert.deepEqual(readingOf(file.documents, details).reading!.l7, [
    ['Kafka role produce topic orders'],
    ['L7 r2d2: cmd=READ'],
  ]);
});
