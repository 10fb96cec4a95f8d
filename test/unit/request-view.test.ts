// SPDX-License-Identifier: Apache-2.0
/**
 * The excerpt hover and completion read in a YAML document of thousands of lines
 * (`server/src/lsp/request-view.ts`): the lines around the cursor and those that open each
 * enclosing node, with offsets mapped both ways. At every sampled key and value of a generated
 * allow-list policy, the excerpt's parse puts the same path under the cursor as the whole
 * document's, and its offsets map back to the same text.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { pathAt } from '../../server/src/core/path-at.js';
import { excerpt, LineDepths, EXCERPT_FROM_LINES } from '../../server/src/lsp/request-view.js';

/** A CNP whose egress holds a long toCIDR list and a long toFQDNs list, CRLF line ends when asked. */
function allowList(entries: number, eol = '\n'): string {
  const lines = [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    '  name: allow-list',
    '  namespace: shop',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    '      app: web',
    '  egress:',
    '  - toCIDR:',
  ];
  for (let i = 0; i < entries; i++) lines.push(`    - 10.0.${(i >> 8) & 255}.${i & 255}/32`);
  lines.push('  - toFQDNs:');
  for (let i = 0; i < entries; i++) lines.push(`    - matchName: host-${i}.example.com`);
  lines.push('    toPorts:', '    - ports:', '      - port: "443"', '        protocol: TCP', '');
  return lines.join(eol);
}

for (const eol of ['\n', '\r\n']) {
  test(`an excerpt reads as the document does around the cursor (${JSON.stringify(eol)} line ends)`, () => {
    const text = allowList(1500, eol);
    const whole = parseFile(text);
    const doc = whole.documents[0]!;
    const lines = new LineDepths(text);
    assert.ok(lines.count > EXCERPT_FROM_LINES, `${lines.count} lines`);
    let compared = 0;
    for (const needle of ['10.0.1.7/32', '10.0.5.100/32', 'host-700.example.com', 'host-1200.example.com']) {
      const offset = text.indexOf(needle) + 1;
      const cut = excerpt(lines, offset);
      assert.ok(cut, `an excerpt at ${needle}`);
      assert.ok(cut.text.length < text.length / 4, `the excerpt of ${needle} is short: ${cut.text.length}`);
      // The top-level keys and the keys that open the enclosing nodes are kept.
      for (const key of ['apiVersion:', 'kind:', 'spec:', '  egress:']) assert.ok(cut.text.includes(key), key);
      const view = cut.toView(offset);
      assert.equal(cut.toSource(view), offset);
      assert.equal(cut.text.slice(view, view + needle.length - 1), text.slice(offset, offset + needle.length - 1));
      const part = parseFile(cut.text);
      assert.deepEqual(part.documents[0]!.syntaxErrors, [], `the excerpt of ${needle} parses`);
      const want = pathAt(doc, text, offset);
      const got = pathAt(part.documents[0]!, cut.text, view);
      assert.ok(want && got);
      // List indexes differ (lines were left out); keys and the key/value position do not.
      assert.deepEqual(
        got.path.filter((p) => typeof p === 'string'),
        want.path.filter((p) => typeof p === 'string'),
        needle,
      );
      assert.equal(got.position, want.position);
      compared++;
    }
    assert.equal(compared, 4);
    // Near where one list ends and the next key begins, the window would reach back through a whole
    // list: an excerpt would keep most of the document, so there is none (the document is parsed).
    for (const needle of ['host-3.example.com', 'protocol'])
      assert.equal(excerpt(lines, text.indexOf(needle) + 1), undefined, needle);
  });
}

test('line depths: indentation, a half more for a list item, none for blank and comment lines', () => {
  const lines = new LineDepths('a:\n  - b: 1\n\n  # note\n    c: 2\r\nd: 3');
  assert.deepEqual(
    Array.from({ length: lines.count }, (_, i) => lines.depth(i)),
    [0, 2.5, undefined, undefined, 4, 0],
  );
  assert.equal(lines.lineAt(0), 0);
  assert.equal(lines.lineAt('a:\n  - b: 1\n\n  # note\n    c: 2\r\n'.length), 5);
  assert.equal(lines.end(4), 'a:\n  - b: 1\n\n  # note\n    c: 2\r\n'.length);
});
