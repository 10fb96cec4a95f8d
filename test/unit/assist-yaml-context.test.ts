// SPDX-License-Identifier: Apache-2.0
// The cursor's place in a half-typed YAML document, read by indentation (core/assist/yaml-context.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataPath, yamlContext } from '../../server/src/core/assist/yaml-context.js';

/** The context at `|` in a text (the bar is removed). */
function at(textWithBar: string) {
  const offset = textWithBar.indexOf('|');
  const text = textWithBar.slice(0, offset) + textWithBar.slice(offset + 1);
  return { ctx: yamlContext(text, 0, offset), text, offset };
}

describe('yamlContext', () => {
  it('reads a key being typed under a nested map', () => {
    const { ctx } = at('spec:\n  endpointSelector:\n    matchLabels:\n      ap|\n');
    assert.deepEqual(dataPath(ctx!.path), ['spec', 'endpointSelector', 'matchLabels']);
    assert.equal(ctx!.position, 'key');
    assert.equal(ctx!.typed, 'ap');
  });

  it('reads an empty line as the key position of the map it is indented under', () => {
    const { ctx, offset } = at('spec:\n  endpointSelector:\n    matchLabels:\n      |');
    assert.deepEqual(dataPath(ctx!.path), ['spec', 'endpointSelector', 'matchLabels']);
    assert.equal(ctx!.typed, '');
    assert.deepEqual(ctx!.replace, { start: offset, end: offset });
  });

  it('puts column 0 at the top level, whatever key opened above', () => {
    const { ctx } = at('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nspec:\n|');
    assert.deepEqual(ctx!.path, []);
    assert.deepEqual([...ctx!.siblings].sort(), ['apiVersion', 'kind', 'spec']);
  });

  it('reads a value being typed, with the span of the whole scalar', () => {
    const { ctx, text } = at('metadata:\n  namespace: sh|op # the shop\n');
    assert.equal(ctx!.position, 'value');
    assert.equal(ctx!.key, 'namespace');
    assert.equal(ctx!.typed, 'sh');
    assert.equal(text.slice(ctx!.replace.start, ctx!.replace.end), 'shop');
    assert.deepEqual(dataPath(ctx!.path), ['metadata']);
  });

  it('numbers list items, in both list styles', () => {
    const indented = at(
      'spec:\n  ingress:\n    - fromEndpoints: []\n    - toPorts:\n        - ports:\n            - port: "80"\n            - port: |',
    );
    assert.deepEqual(dataPath(indented.ctx!.path), ['spec', 'ingress', 1, 'toPorts', 0, 'ports', 1]);
    assert.equal(indented.ctx!.key, 'port');
    const compact = at('spec:\n  egress:\n  - toEndpoints: []\n  - toEndpoints:\n    - matchLabels:\n        |');
    assert.deepEqual(dataPath(compact.ctx!.path), ['spec', 'egress', 1, 'toEndpoints', 0, 'matchLabels']);
  });

  it('keeps sibling keys of the item the cursor is in', () => {
    const { ctx } = at('spec:\n  ingress:\n    - fromEndpoints: []\n      |\n      toPorts: []\n    - icmps: []\n');
    assert.deepEqual(dataPath(ctx!.path), ['spec', 'ingress', 0]);
    assert.deepEqual([...ctx!.siblings].sort(), ['fromEndpoints', 'toPorts']);
  });

  it('marks the first thing of a new list item', () => {
    const { ctx } = at(
      'spec:\n  endpointSelector:\n    matchExpressions:\n      - key: app\n        values:\n          - |',
    );
    assert.equal(ctx!.startsItem, true);
    assert.deepEqual(dataPath(ctx!.path), ['spec', 'endpointSelector', 'matchExpressions', 0, 'values', 0]);
  });

  it('lists the keys written below the cursor too', () => {
    const { ctx } = at('metadata:\n  |\n  name: web\n  labels: {}\nspec: {}\n');
    assert.deepEqual(dataPath(ctx!.path), ['metadata']);
    assert.deepEqual([...ctx!.siblings].sort(), ['labels', 'name']);
  });

  it('reads quoted keys and stops at block scalars and comments', () => {
    const quoted = at('spec:\n  endpointSelector:\n    matchLabels:\n      "k8s:app": |');
    assert.equal(quoted.ctx!.key, 'k8s:app');
    assert.equal(at('spec:\n  description: >\n    some text |').ctx, undefined);
    assert.equal(at('spec:\n  # a comment |').ctx, undefined);
    assert.equal(at('spec:\n  endpointSelector: {matchLabels: {|').ctx, undefined);
  });

  it('starts over at a document marker', () => {
    const text = 'kind: A\nspec:\n  x: 1\n---\n';
    const ctx = yamlContext(`${text}k`, text.length, text.length + 1);
    assert.deepEqual(ctx!.path, []);
    assert.deepEqual(ctx!.siblings, []);
  });
});
