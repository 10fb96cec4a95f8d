// SPDX-License-Identifier: Apache-2.0
/**
 * Completion that uses what the server knows, over LSP against the bundled server: a workspace
 * folder of manifests is the inventory; the expectations are computed from those manifests. Also
 * the order and noise of the schema's items (metadata first keys, no server-set fields, no
 * `status`, no duplicates, snippets only where a document starts, quoted ports, labels without
 * spaces) and hover on a label key.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { parseAllDocuments } from 'yaml';
import { LspClient, WAIT_MS } from '../support/lsp-client.js';
import type { InventoryRequest } from '../../server/src/protocol.js';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
        - name: web
          image: registry.example/web:1
          ports:
            - name: http
              containerPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
        tier: back
    spec:
      containers:
        - name: api
          image: registry.example/api:1
          ports:
            - containerPort: 9090
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
spec:
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
        tier: back
    spec:
      containers:
        - name: db
          image: registry.example/db:1
`;

/** `tier` values and how many workloads of `shop` carry each, read from the manifests. */
function tierCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of parseAllDocuments(MANIFESTS)) {
    const o = d.toJSON() as { kind: string; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
    const tier = o.spec?.template?.metadata?.labels?.['tier'];
    if (tier !== undefined) counts.set(tier, (counts.get(tier) ?? 0) + 1);
  }
  return counts;
}

const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\n';

let dir: string;
let client: LspClient;
let n = 0;

/** Completion at `|` in a new document of the workspace; items sorted as an editor sorts them. */
async function complete(textWithBar: string): Promise<CompletionItem[]> {
  const offset = textWithBar.indexOf('|');
  const text = textWithBar.slice(0, offset) + textWithBar.slice(offset + 1);
  const lines = text.slice(0, offset).split('\n');
  const uri = pathToFileURL(path.join(dir, `policy-${++n}.yaml`)).href;
  await client.open(uri, text);
  const items = await client.completion(uri, { line: lines.length - 1, character: lines.at(-1)!.length });
  await client.close(uri);
  return items.sort((a, b) => ((a.sortText ?? a.label) < (b.sortText ?? b.label) ? -1 : 1));
}

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
const insert = (i: CompletionItem): string =>
  i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : (i.insertText ?? i.label);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-completion-'));
  fs.writeFileSync(path.join(dir, 'apps.yaml'), MANIFESTS);
  client = await LspClient.start({ workspaceFolder: pathToFileURL(dir).href });
  // Wait until the workspace is indexed.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const r = (await client.connection.sendRequest('ciliumPolicy/inventory', {})) as InventoryRequest.Result;
    if (r.endpoints.length >= 3) break;
    if (Date.now() > deadline) throw new Error('the workspace inventory never loaded');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(async () => {
  await client?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('completion from the inventory', () => {
  it('completes a label value with how many workloads carry it, before the schema’s items', async () => {
    const items = await complete(`${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      tier: |`);
    const counts = tierCounts();
    const expected = [...counts].sort((a, b) => b[1] - a[1]).map(([v]) => v);
    assert.deepEqual(labels(items).slice(0, expected.length), expected);
    for (const [value, count] of counts) {
      const item = items.find((i) => i.label === value)!;
      assert.match(item.detail ?? '', new RegExp(`^${count} workloads? of 3 in shop`));
    }
  });

  it('completes container ports in toPorts, quoted', async () => {
    const items = await complete(
      `${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - toPorts:\n        - ports:\n            - port: |`,
    );
    assert.deepEqual(labels(items).slice(0, 2), ['"8080"', '"http"']);
  });
});

describe('order and noise', () => {
  it('starts a document with our kinds and the starters, and nothing else', async () => {
    const items = await complete('|');
    for (const k of ['CiliumNetworkPolicy', 'TracingPolicyNamespaced', 'cnp-default-deny', 'tp-lsm'])
      assert.ok(labels(items).includes(k), `${k} offered`);
    const cnp = items.find((i) => i.label === 'CiliumNetworkPolicy')!;
    assert.match(insert(cnp), /^apiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\nmetadata:/);
  });

  it('never offers spec’s children at column 0', async () => {
    const items = await complete(`${CNP}spec:\n|`);
    for (const wrong of ['endpointSelector', 'ingress', 'status']) assert.ok(!labels(items).includes(wrong), wrong);
  });

  it('puts name, namespace, labels and annotations first under metadata, and no server-set field', async () => {
    const items = await complete('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  |\n');
    assert.deepEqual(labels(items).slice(0, 4), ['name', 'namespace', 'labels', 'annotations']);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink'])
      assert.ok(!labels(items).includes(k), `${k} is set by the API server`);
  });

  it('offers no duplicate, no whole-document starter inside a document, no label with a space, and quoted ports', async () => {
    const places = [
      `${CNP}spec:\n  endpointSelector: {}\n  ingress:\n    - |`,
      `${CNP}spec:\n  endpointSelector: {}\n  egress:\n    - |`,
      `${CNP}spec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - |`,
      `${CNP}spec:\n  |`,
      'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n  kprobes:\n    - |',
    ];
    for (const place of places) {
      const items = await complete(place);
      assert.ok(items.length > 0, place);
      assert.equal(new Set(labels(items)).size, items.length, `duplicates at ${JSON.stringify(place)}`);
      for (const i of items) {
        assert.doesNotMatch(i.label, /\s/, `${i.label}: typing a label with a space would leave stray text`);
        assert.doesNotMatch(i.label, /^(cnp|ccnp|cec|ccec|tp)-/, `${i.label}: a whole document inside a document`);
        assert.doesNotMatch(insert(i), /port: \$\{\d+:\d+\}|port: \d+/, `${i.label}: unquoted port`);
      }
    }
  });
});

describe('.cilium-policy.yaml', () => {
  it('completes rule ids, severities and the supported releases', async () => {
    const uri = pathToFileURL(path.join(dir, '.cilium-policy.yaml')).href;
    const at = async (textWithBar: string): Promise<string[]> => {
      const offset = textWithBar.indexOf('|');
      const text = textWithBar.slice(0, offset) + textWithBar.slice(offset + 1);
      const lines = text.slice(0, offset).split('\n');
      await client.open(uri, text);
      const items = await client.completion(uri, { line: lines.length - 1, character: lines.at(-1)!.length });
      await client.close(uri);
      return labels(items);
    };
    const ids = await at('rules:\n  |');
    for (const id of ['cilium/invalid-port', 'tetragon/unknown-syscall', 'schema/unknown-field'])
      assert.ok(ids.includes(id), `${id} among ${ids.length} ids`);
    // `off` comes quoted: unquoted, YAML 1.1 (and kubectl) would read it as the boolean false.
    const severities = await at('rules:\n  cilium/invalid-port: |');
    assert.ok(severities.includes('"off"'), severities.join(', '));
    assert.deepEqual(severities.map((v) => v.replace(/"/g, '')).sort(), ['error', 'information', 'off', 'warning']);
    const releases = await at('ciliumVersion: |');
    assert.deepEqual(releases.map((r) => r.replace(/"/g, '')).sort(), ['1.16', '1.17', '1.18', '1.19', '1.20']);
  });
});

describe('hover on a label key', () => {
  it('describes the key, not the value’s format', async () => {
    const text = `${CNP}spec:\n  endpointSelector:\n    matchLabels:\n      k8s:io.kubernetes.pod.namespace: shop\n`;
    const uri = pathToFileURL(path.join(dir, 'hover.yaml')).href;
    await client.open(uri, text);
    const line = text.split('\n').findIndex((l) => l.includes('k8s:io.kubernetes.pod.namespace'));
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 10 },
    })) as Hover | null;
    await client.close(uri);
    const value = (hover?.contents as MarkupContent | undefined)?.value ?? '';
    assert.match(value, /namespace of the pod/);
    assert.doesNotMatch(value, /label value/i);
  });
});
