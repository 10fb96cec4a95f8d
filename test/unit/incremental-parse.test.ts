// SPDX-License-Identifier: Apache-2.0
/** Incremental parsing: reusing unchanged documents gives exactly what a fresh parse gives. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { visit, isPair } from 'yaml';
import { parseFile, splitDocuments, type PolicyFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { testValidator } from '../support/annotations.js';

const DOC = (name: string, extra = '') => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: ${name}
  egress:
    - toEndpoints:
        - matchLabels:
            app: db${extra}
`;

/** Every node range and error position of a file, in order, for comparison. */
function fingerprint(file: PolicyFile): string[] {
  const out: string[] = [];
  for (const d of file.documents) {
    out.push(`doc ${d.index} ${d.span.start}-${d.span.end} ${d.kind?.kind ?? '-'} ${d.name ?? '-'}`);
    visit(d.yaml, (_k, node) => {
      if (!isPair(node)) out.push(String((node as { range?: number[] }).range));
    });
    for (const e of d.syntaxErrors) out.push(`err ${e.span.start}-${e.span.end} ${e.message}`);
    out.push(JSON.stringify(d.data));
  }
  return out;
}

const BASE = [
  '# a header comment\n',
  DOC('a'),
  DOC('b'),
  '---\napiVersion: apps/v1\nkind: Deployment\n',
  DOC('c'),
  DOC('d', '\n  bogus: ['),
].join('');

test('splitting follows document markers', () => {
  const chunks = splitDocuments(BASE);
  assert.equal(chunks.length, 6);
  assert.equal(chunks.map((c) => BASE.slice(c.start, c.end)).join(''), BASE);
  const directive = '%YAML 1.2\n---\na: 1\n';
  assert.deepEqual(splitDocuments(directive), [{ start: 0, end: directive.length }]);
  assert.equal(splitDocuments('a: 1\n...\nb: 2\n').length, 2);
  assert.equal(splitDocuments('text: |\n  ---not a marker\nb: 2\n').length, 1);
});

test('edits anywhere give the same documents as a fresh parse', () => {
  const edits: [string, string][] = [
    ['app: a\n', 'app: aaaa\n'], // longer: later documents shift
    ['app: b\n', 'app: \n'], // shorter
    ['kind: Deployment', 'kind: StatefulSet'],
    ['app: c\n', 'app: c\n    foo: bar\n'], // introduces an error
    [
      '---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c',
      '---\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c',
    ], // new empty document
  ];
  let prevText = BASE;
  let prev = parseFile(BASE);
  for (const [from, to] of edits) {
    assert.ok(prevText.includes(from), from);
    const text = prevText.replace(from, to);
    const incremental = parseFile(text, prev);
    const fresh = parseFile(text);
    assert.deepEqual(fingerprint(incremental), fingerprint(fresh), `after replacing ${JSON.stringify(from)}`);
    const ctx = { validator: testValidator(), settings: DEFAULT_SETTINGS };
    assert.deepEqual(lintFile(incremental, ctx), lintFile(parseFile(text), ctx));
    prevText = text;
    prev = incremental;
  }
});

test('unchanged documents are reused, not parsed again', () => {
  const first = parseFile(BASE);
  const yamlDocs = first.documents.map((d) => d.yaml);
  const second = parseFile(BASE.replace('app: b\n', 'app: bb\n'), first);
  const reused = second.documents.filter((d) => yamlDocs.includes(d.yaml)).length;
  assert.equal(reused, second.documents.length - 1, 'all but the edited document are reused');
});

test('documents with null keys or values, and templates, parse without failing the file', () => {
  const text =
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ x }}}\n---\na:\n? \n: b\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ok\n';
  const file = parseFile(text);
  assert.equal(file.skipped, undefined);
  assert.equal(file.documents.length, 3);
  assert.equal(file.documents[2]!.kind?.kind, 'CiliumNetworkPolicy');
});
