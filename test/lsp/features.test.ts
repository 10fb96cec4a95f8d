// SPDX-License-Identifier: Apache-2.0
// Completion, hover and document symbols from the real server, on single policies and on a file
// that mixes a Deployment with policies (the Deployment must get nothing from us).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionItem, DocumentSymbol, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { DEPLOYMENT, SAMPLES, VALID_CNP, VALID_TP } from '../support/lsp-samples.js';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

/** Every description our bundled schemas give a property of this name (plain and markdown). */
function schemaDescriptions(property: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const props = obj['properties'];
    if (props && typeof props === 'object' && property in props) {
      const p = (props as Record<string, Record<string, unknown>>)[property]!;
      for (const k of ['description', 'markdownDescription']) if (typeof p[k] === 'string') out.push(p[k] as string);
    }
    Object.values(obj).forEach(walk);
  };
  const dir = path.join(REPO_ROOT, 'schemas');
  const files = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith('.json') ? [path.join(d, e.name)] : [],
      );
  for (const f of files(dir)) walk(JSON.parse(fs.readFileSync(f, 'utf8')));
  return out;
}

function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return (c as MarkupContent).value;
}

function docText(item: CompletionItem): string {
  const d = item.documentation;
  return typeof d === 'string' ? d : (d?.value ?? '');
}

/** Markdown escapes punctuation; compare on letters and digits only. */
function words(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, ' ').trim();
}

describe('language server completion, hover and symbols', () => {
  let client: LspClient;
  const cnp = SAMPLES.find((s) => s.kind === 'CiliumNetworkPolicy')!;
  const tp = SAMPLES.find((s) => s.kind === 'TracingPolicy')!;
  const mixed = `${DEPLOYMENT}---\n${VALID_CNP}---\n${VALID_TP}`;
  const mixedUri = testUri('features-mixed.yaml');

  before(async () => {
    client = await LspClient.start();
    await client.waitForDiagnostics(mixedUri, await client.open(mixedUri, mixed));
  });
  after(async () => {
    await client?.stop();
  });

  it('completes enum values for `protocol`', async () => {
    const text = VALID_CNP.replace('        protocol: TCP\n      rules', '        protocol: \n      rules');
    const uri = testUri('complete-protocol.yaml');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, 'protocol: ', 'protocol: '.length));
    const labels = items.map((i) => i.label);
    for (const p of ['TCP', 'UDP', 'ANY']) assert.ok(labels.includes(p), `${p} missing from ${labels.join(', ')}`);
    assert.ok(!labels.includes('nginx'), 'completion leaked values from elsewhere');
    await client.close(uri);
  });

  it('completes keys of an egress rule with our documentation', async () => {
    const text = `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: a\nspec:\n  endpointSelector: {}\n  egress:\n  - \n`;
    const uri = testUri('complete-keys.yaml');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, '  - \n', 4));
    const byLabel = new Map(items.map((i) => [i.label, i]));
    for (const k of ['toEndpoints', 'toFQDNs', 'toPorts', 'toCIDRSet'])
      assert.ok(byLabel.has(k), `${k} missing from ${[...byLabel.keys()].join(', ')}`);
    const fqdn = byLabel.get('toFQDNs')!;
    const expected = schemaDescriptions('toFQDNs').map(words);
    assert.ok(expected.length > 0, 'the schema describes toFQDNs');
    assert.ok(
      expected.some((e) => words(docText(fqdn)).includes(e.slice(0, 40))),
      `toFQDNs documentation ${JSON.stringify(docText(fqdn))}`,
    );
    await client.close(uri);
  });

  it('offers defaultSnippets from our schemas', async () => {
    const text = `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: a\nspec:\n  kprobes:\n  - \n`;
    const uri = testUri('complete-snippets.yaml');
    await client.open(uri, text);
    const items = await client.completion(uri, positionOf(text, '  - \n', 4));
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('call'), labels.join(', '));
    // A snippet's label is its schema `label`, not a property name; it inserts several lines.
    const snippets = items.filter(
      (i) =>
        i.insertTextFormat === 2 &&
        /\n/.test(i.insertText ?? i.textEdit?.newText ?? '') &&
        !/^[a-zA-Z]+$/.test(String(i.label)),
    );
    assert.ok(snippets.length > 0, `no snippet among ${labels.join(', ')}`);
    await client.close(uri);
  });

  for (const sample of SAMPLES) {
    it(`hovers \`${sample.hoverKey}\` in a ${sample.kind} with our description`, async () => {
      const uri = testUri(`hover-${sample.kind}.yaml`);
      await client.open(uri, sample.text);
      const h = await client.hover(uri, positionOf(sample.text, `${sample.hoverKey}:`, 2));
      const text = words(hoverText(h));
      const expected = schemaDescriptions(sample.hoverKey).map(words);
      assert.ok(
        expected.some((e) => text.includes(e.slice(0, 40))),
        `hover ${JSON.stringify(text)} shows none of ${JSON.stringify(expected.map((e) => e.slice(0, 40)))}`,
      );
      await client.close(uri);
    });
  }

  it('gives no completion and no hover inside a Deployment of a mixed file', async () => {
    const replicas = positionOf(mixed, 'replicas', 2);
    assert.equal(await client.hover(mixedUri, replicas), null);
    assert.equal(hoverText(await client.hover(mixedUri, positionOf(mixed, 'protocol: TCP', 2))), '');
    assert.deepEqual(await client.completion(mixedUri, positionOf(mixed, '  replicas')), []);
    assert.deepEqual(await client.completion(mixedUri, positionOf(mixed, 'protocol: TCP', 'protocol: '.length)), []);
  });

  it('gives completion and hover in the policies of the same mixed file', async () => {
    // `protocol: TCP` occurs in the Deployment first; the second occurrence is in the CNP.
    const inCnp = positionOf(mixed, 'protocol: TCP', 'protocol: '.length, 1);
    const labels = (await client.completion(mixedUri, inCnp)).map((i) => i.label);
    assert.ok(labels.includes('UDP'), labels.join(', '));
    assert.ok(hoverText(await client.hover(mixedUri, positionOf(mixed, 'endpointSelector', 2))).length > 0);
    const kprobes = hoverText(await client.hover(mixedUri, positionOf(mixed, 'kprobes', 2)));
    assert.ok(
      schemaDescriptions('kprobes')
        .map(words)
        .some((e) => words(kprobes).includes(e.slice(0, 40))),
      kprobes,
    );
  });

  it('ignores modelines that point yaml-language-server at another schema', async () => {
    const text = `# yaml-language-server: $schema=https://example.invalid/deployment.json\n${cnp.text}`;
    const uri = testUri('modeline.yaml');
    await client.open(uri, text);
    const h = await client.hover(uri, positionOf(text, 'endpointSelector', 2));
    assert.ok(hoverText(h).length > 0, 'the modeline replaced our schema');
    await client.close(uri);
  });

  it('outlines policies and their rules, not the Deployment', async () => {
    const symbols = await client.symbols(mixedUri);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['CiliumNetworkPolicy allow-web', 'TracingPolicy watch-files'],
    );
    const cnpSym = symbols[0]!;
    assert.equal(cnpSym.range.start.line, positionOf(mixed, 'apiVersion: cilium.io/v2').line);
    const spec = cnpSym.children![0]!;
    assert.equal(spec.name, 'spec');
    assert.match(spec.detail ?? '', /app=web/);
    const rules = spec.children!.map((c: DocumentSymbol) => [c.name, c.detail]);
    assert.deepEqual(rules, [
      ['ingress[0]', 'endpoints app=frontend · 80/TCP +HTTP'],
      ['egress[0]', 'FQDN api.example.com · 443/TCP'],
      ['egress[1]', 'endpoints k8s:io.kubernetes.pod.namespace=kube-system, k8s:k8s-app=kube-dns · 53/ANY +DNS'],
    ]);
    assert.equal(spec.children![1]!.selectionRange.start.line, positionOf(mixed, 'toFQDNs').line);
    const hooks = symbols[1]!.children!;
    assert.deepEqual(
      hooks.map((h) => h.name),
      ['security_file_permission'],
    );
    assert.deepEqual(
      hooks[0]!.children!.map((c) => c.detail),
      ['matchArgs · action Sigkill', 'matchBinaries'],
    );
  });

  it('outlines a broken document as far as it parses', async () => {
    const uri = testUri('symbols-broken.yaml');
    await client.open(uri, tp.text);
    const symbols = await client.symbols(uri);
    assert.equal(symbols.length, 1);
    assert.equal(symbols[0]!.name, 'TracingPolicy fd-install');
    assert.deepEqual(
      symbols[0]!.children!.map((c) => c.name),
      ['fd_install'],
    );
    await client.close(uri);
  });
});
