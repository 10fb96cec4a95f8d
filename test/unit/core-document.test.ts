// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile, locate, MAX_FILE_BYTES } from '../../server/src/core/document.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { kindOf, KINDS } from '../../server/src/core/kinds.js';

const MULTI = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
apiVersion: cilium.io/v2
kind: CiliumEnvoyConfig
metadata:
  name: envoy
  namespace: prod
spec:
  resources: []
---
# only a comment
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: trace
`;

test('every document of a multi-document file is recognised on its own', () => {
  const file = parseFile(MULTI);
  assert.equal(file.documents.length, 4);
  const [deploy, cec, comment, tp] = file.documents;
  assert.equal(deploy!.kind, undefined);
  assert.equal(deploy!.kindName, 'Deployment');
  assert.equal(cec!.kind?.kind, 'CiliumEnvoyConfig');
  assert.equal(cec!.name, 'envoy');
  assert.equal(cec!.namespace, 'prod');
  assert.equal(comment!.kind, undefined);
  assert.equal(comment!.empty, true);
  assert.equal(tp!.kind?.kind, 'TracingPolicy');
  // Spans are offsets into the whole file.
  assert.equal(MULTI.slice(cec!.span.start, cec!.span.start + 15), '---\napiVersion:');
});

test('kinds are matched on apiVersion and kind together', () => {
  assert.equal(kindOf('cilium.io/v2', 'CiliumNetworkPolicy')?.shortName, 'CNP');
  assert.equal(kindOf('cilium.io/v1alpha1', 'CiliumNetworkPolicy'), undefined);
  assert.equal(kindOf('cilium.io/v1alpha1', 'TracingPolicyNamespaced')?.namespaced, true);
  assert.equal(KINDS.length, 8);
});

test('locate finds keys and list items and stops at the deepest existing node', () => {
  const file = parseFile('spec:\n  services:\n    - name: a\n    - name: b\n');
  const doc = file.documents[0]!.yaml;
  const b = locate(doc, ['spec', 'services', 1, 'name']);
  assert.equal((b.node as { value?: unknown }).value, 'b');
  const missing = locate(doc, ['spec', 'services', 5, 'name']);
  assert.equal(missing.node, undefined);
  assert.ok(missing.nearest);
});

test('syntax errors are collected per document with positions', () => {
  const text = 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: {name: x\n';
  const file = parseFile(text);
  const doc = file.documents[0]!;
  assert.ok(doc.syntaxErrors.length >= 1);
  assert.equal(doc.data, undefined);
  const line = new LineIndex(text).positionAt(doc.syntaxErrors[0]!.span.start).line;
  assert.ok(line >= 2, `error on line ${line + 1}`);
});

test('templates, huge files and binary content are recognised', () => {
  const templated = parseFile(
    'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: {{ .Values.name }}\n',
  );
  assert.equal(templated.documents[0]!.templated, true);
  const huge = parseFile('a'.repeat(MAX_FILE_BYTES + 1));
  assert.equal(huge.skipped?.code, 'file/skipped');
  const binary = parseFile('kind: x\u0000\u0001');
  assert.match(binary.skipped?.message ?? '', /binary/);
});

test('alias bombs do not expand without bound', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++) {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    lines.push(
      `${next}: &${next} [${Array(9)
        .fill('*' + prev)
        .join(',')}]`,
    );
  }
  const text =
    'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: x\n' +
    lines
      .map((l) => 'x' + l)
      .join('\n')
      .replace(/^x/gm, '') +
    '\n';
  const file = parseFile(text);
  const doc = file.documents[0]!;
  assert.ok(doc.dataError, 'conversion stopped with a finding');
});

test('line index handles LF, CRLF and lone CR', () => {
  const idx = new LineIndex('a\r\nb\nc\rd');
  assert.deepEqual(idx.positionAt(3), { line: 1, character: 0 });
  assert.deepEqual(idx.positionAt(5), { line: 2, character: 0 });
  assert.deepEqual(idx.positionAt(7), { line: 3, character: 0 });
  assert.equal(idx.lineCount, 4);
});
