// SPDX-License-Identifier: Apache-2.0
// Diagnostics pushed by the real server over JSON-RPC: one broken policy of each kind, a
// multi-document file, syntax errors, templated documents, edits and saves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENT, SAMPLES, VALID_CNP } from '../support/lsp-samples.js';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';

describe('language server diagnostics', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start();
  });
  after(async () => {
    await client?.stop();
  });

  for (const sample of SAMPLES) {
    it(`reports ${sample.code} on \`${sample.bad}\` in a ${sample.kind}`, async () => {
      const uri = testUri(`broken-${sample.kind}.yaml`);
      const version = await client.open(uri, sample.text);
      const published = await client.waitForDiagnostics(uri, version);
      assert.equal(published.version, version);
      const hit = published.diagnostics.find((d) => d.code === sample.code);
      assert.ok(hit, `no ${sample.code} among ${JSON.stringify(published.diagnostics.map((d) => d.code))}`);
      const start = positionOf(sample.text, sample.bad);
      assert.deepEqual(hit.range, { start, end: { line: start.line, character: start.character + sample.bad.length } });
      assert.equal(hit.source, 'cilium-policy');
      assert.equal(hit.severity, 1);
      const status = await client.waitForStatus(uri, version);
      assert.equal(status.policies.length, 1);
      assert.equal(status.policies[0]!.kind, sample.kind);
      assert.ok(status.policies[0]!.errors >= 1);
      await client.close(uri);
    });
  }

  it('reports nothing for a valid policy, and says so in the status', async () => {
    const uri = testUri('valid.yaml');
    const version = await client.open(uri, VALID_CNP);
    const published = await client.waitForDiagnostics(uri, version);
    assert.deepEqual(published.diagnostics, []);
    const status = await client.waitForStatus(uri, version);
    assert.deepEqual(
      status.policies.map((p) => [p.kind, p.name, p.errors, p.warnings]),
      [['CiliumNetworkPolicy', 'allow-web', 0, 0]],
    );
    await client.close(uri);
  });

  it('leaves a Deployment alone and reports on the policies beside it', async () => {
    const cnp = SAMPLES.find((s) => s.kind === 'CiliumNetworkPolicy')!;
    const tp = SAMPLES.find((s) => s.kind === 'TracingPolicy')!;
    const text = `${DEPLOYMENT}---\n${cnp.text}---\n${tp.text}`;
    const uri = testUri('mixed.yaml');
    const version = await client.open(uri, text);
    const published = await client.waitForDiagnostics(uri, version);
    const deploymentLines = DEPLOYMENT.split('\n').length - 1;
    assert.ok(published.diagnostics.length >= 2);
    for (const d of published.diagnostics)
      assert.ok(d.range.start.line > deploymentLines, `diagnostic inside the Deployment: ${JSON.stringify(d)}`);
    const cnpStart = positionOf(text, cnp.bad);
    const tpStart = positionOf(text, tp.bad);
    assert.ok(
      published.diagnostics.some(
        (d) =>
          d.code === cnp.code && d.range.start.line === cnpStart.line && d.range.start.character === cnpStart.character,
      ),
    );
    assert.ok(
      published.diagnostics.some(
        (d) =>
          d.code === tp.code && d.range.start.line === tpStart.line && d.range.start.character === tpStart.character,
      ),
    );
    const status = await client.waitForStatus(uri, version);
    assert.deepEqual(
      status.policies.map((p) => p.kind),
      ['CiliumNetworkPolicy', 'TracingPolicy'],
    );
    await client.close(uri);
  });

  it('counts in the status a finding at the very end of a document (an empty list item left last)', async () => {
    const text =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "443"\n              protocol: 6\n    - ';
    const uri = testUri('status-end.yaml');
    const version = await client.open(uri, text);
    const published = await client.waitForDiagnostics(uri, version);
    const errors = published.diagnostics.filter((d) => d.severity === 1);
    assert.equal(errors.length, 2, JSON.stringify(published.diagnostics));
    const lines = text.split('\n');
    assert.deepEqual(
      errors.map((d) => d.range.start).at(-1),
      { line: lines.length - 1, character: lines.at(-1)!.length },
      'the second error is at the end of the file',
    );
    const status = await client.waitForStatus(uri, version);
    assert.equal(status.policies[0]!.errors, 2, 'both errors count, the one at the end of the document too');
    await client.close(uri);
  });

  it('reports a YAML syntax error as one diagnostic at its position', async () => {
    const text =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\nspec:\n  endpointSelector: {}\n  egress: }\n';
    const uri = testUri('syntax.yaml');
    const version = await client.open(uri, text);
    const published = await client.waitForDiagnostics(uri, version);
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
    const d = published.diagnostics[0]!;
    assert.equal(d.code, 'yaml/syntax');
    assert.equal(d.severity, 1);
    const at = positionOf(text, '}', 0, 1);
    assert.deepEqual(d.range, { start: at, end: { line: at.line, character: at.character + 1 } });
    await client.close(uri);
  });

  it('gives a templated policy one information diagnostic', async () => {
    const text =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  endpointSelector: {}\n  bogus: true\n';
    const uri = testUri('templated.yaml');
    const version = await client.open(uri, text);
    const published = await client.waitForDiagnostics(uri, version);
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
    assert.equal(published.diagnostics[0]!.code, 'document/templated');
    assert.equal(published.diagnostics[0]!.severity, 3);
    const status = await client.waitForStatus(uri, version);
    assert.equal(status.policies[0]!.skipped, true);
    await client.close(uri);
  });

  it('re-lints after an edit (debounced) and drops the fixed diagnostic', async () => {
    const sample = SAMPLES.find((s) => s.kind === 'CiliumEnvoyConfig')!;
    const uri = testUri('edit.yaml');
    const v1 = await client.open(uri, sample.text);
    const first = await client.waitForDiagnostics(uri, v1);
    assert.ok(first.diagnostics.some((d) => d.code === 'schema/unknown-field'));
    const start = positionOf(sample.text, sample.bad);
    const v2 = await client.edit(
      uri,
      { start, end: { line: start.line, character: start.character + sample.bad.length } },
      'listener',
    );
    const second = await client.waitForDiagnostics(uri, v2);
    assert.equal(second.version, v2);
    assert.deepEqual(second.diagnostics, []);
    await client.close(uri);
  });

  it('lints on save', async () => {
    const uri = testUri('save.yaml');
    const v1 = await client.open(uri, VALID_CNP);
    await client.waitForDiagnostics(uri, v1);
    const next = client.nextDiagnostics(uri, () => true, 'diagnostics after save');
    await client.save(uri);
    const published = await next;
    assert.equal(published.version, v1);
    await client.close(uri);
  });

  it('clears diagnostics when a document is closed', async () => {
    const sample = SAMPLES[0]!;
    const uri = testUri('close.yaml');
    const v1 = await client.open(uri, sample.text);
    const first = await client.waitForDiagnostics(uri, v1);
    assert.ok(first.diagnostics.length > 0);
    const next = client.nextDiagnostics(uri, (d) => d.length === 0, 'empty diagnostics after close');
    await client.close(uri);
    await next;
  });
});
