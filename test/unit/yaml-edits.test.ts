// SPDX-License-Identifier: Apache-2.0
/** Quick-fix edits change only what they target: comments, blank lines, quotes and line endings survive. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import {
  appendItem,
  applyEdits,
  insertEntry,
  removeEntry,
  renameKey,
  replaceValue,
} from '../../server/src/core/yaml-edits.js';
import type { OffsetEdit } from '../../server/src/core/findings.js';

const TEXT = `# leading comment
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web   # trailing comment
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web

  egress:
    - toEndpoints:
        - matchLabels:
            app: db
      toPorts:
        - ports:
            - port: '5432'
    # a comment between items
    - toCIDR:
        - 10.0.0.1/8
`;

function edit(text: string, make: (file: ReturnType<typeof parseFile>) => OffsetEdit | undefined): string {
  const file = parseFile(text);
  const e = make(file);
  assert.ok(e, 'an edit was produced');
  return applyEdits(text, [e]);
}

test('replaceValue changes only the value', () => {
  const out = edit(TEXT, (f) => replaceValue(f, f.documents[0]!, ['spec', 'egress', 1, 'toCIDR', 0], '10.0.0.0/8'));
  assert.equal(out, TEXT.replace('10.0.0.1/8', '10.0.0.0/8'));
});

test('renameKey changes only the key', () => {
  const out = edit(TEXT, (f) => renameKey(f, f.documents[0]!, ['kind'], 'kind'));
  assert.equal(out, TEXT);
  const out2 = edit(TEXT, (f) => renameKey(f, f.documents[0]!, ['metadata', 'namespace'], 'nameSpace'));
  assert.equal(out2, TEXT.replace('  namespace: shop', '  nameSpace: shop'));
});

test('removeEntry removes whole lines of a pair or an item', () => {
  const out = edit(TEXT, (f) => removeEntry(f, f.documents[0]!, ['metadata', 'namespace']));
  assert.equal(out, TEXT.replace('  namespace: shop\n', ''));
  const out2 = edit(TEXT, (f) => removeEntry(f, f.documents[0]!, ['spec', 'egress', 0, 'toPorts']));
  assert.equal(out2, TEXT.replace("      toPorts:\n        - ports:\n            - port: '5432'\n", ''));
  const out3 = edit(TEXT, (f) => removeEntry(f, f.documents[0]!, ['spec', 'egress', 1]));
  assert.equal(out3, TEXT.replace('    - toCIDR:\n        - 10.0.0.1/8\n', ''));
});

test('insertEntry appends a scalar or a block under a map, with its indentation', () => {
  const out = edit(TEXT, (f) =>
    insertEntry(f, f.documents[0]!, ['spec', 'egress', 0, 'toPorts', 0, 'ports', 0], 'protocol', 'TCP'),
  );
  assert.equal(
    out,
    TEXT.replace("            - port: '5432'\n", "            - port: '5432'\n              protocol: TCP\n"),
  );
  const out2 = edit(TEXT, (f) =>
    insertEntry(f, f.documents[0]!, ['spec'], 'ingress', '- fromEntities:\n    - cluster'),
  );
  assert.equal(out2, TEXT + '  ingress:\n    - fromEntities:\n        - cluster\n');
});

test('appendItem adds a list item after the last one', () => {
  const out = edit(TEXT, (f) => appendItem(f, f.documents[0]!, ['spec', 'egress'], 'toEntities:\n  - kube-apiserver'));
  assert.equal(out, TEXT + '    - toEntities:\n        - kube-apiserver\n');
});

test('CRLF files keep CRLF', () => {
  const crlf = TEXT.replace(/\n/g, '\r\n');
  const out = edit(crlf, (f) => appendItem(f, f.documents[0]!, ['spec', 'egress'], 'toEntities:\n  - world'));
  assert.equal(out, crlf + '    - toEntities:\r\n        - world\r\n');
  assert.ok(!/[^\r]\n/.test(out), 'no bare LF was introduced');
});

test('flow style is not edited', () => {
  const text = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, namespace: b}\n';
  const file = parseFile(text);
  assert.equal(removeEntry(file, file.documents[0]!, ['metadata', 'namespace']), undefined);
  assert.equal(insertEntry(file, file.documents[0]!, ['metadata'], 'x', 'y'), undefined);
});
