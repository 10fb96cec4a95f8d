// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { pathAt } from '../../server/src/core/path-at.js';

/** The path at the `|` marker of a text (the marker is removed before parsing). */
function at(marked: string) {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const file = parseFile(text);
  return pathAt(file.documents[0]!, text, offset);
}

test('values and keys in nested maps and lists', () => {
  assert.deepEqual(at('spec:\n  kprobes:\n    - call: sys_o|pen\n')?.path, ['spec', 'kprobes', 0, 'call']);
  assert.equal(at('spec:\n  kprobes:\n    - call: sys_o|pen\n')?.position, 'value');
  const k = at('spec:\n  kprobes:\n    - ca|ll: sys_open\n');
  assert.deepEqual([k?.path, k?.position], [['spec', 'kprobes', 0, 'call'], 'key']);
  assert.deepEqual(at('a: 1\nspec:\n  kprobes:\n    - call: x\n    - call: "y|"\n')?.path, [
    'spec',
    'kprobes',
    1,
    'call',
  ]);
});

test('the span covers the scalar, quotes included', () => {
  const text = 'spec:\n  hook: "file_o"\n';
  const r = at('spec:\n  hook: "file|_o"\n')!;
  assert.equal(text.slice(r.span.start, r.span.end), '"file_o"');
});

test('an empty value being typed', () => {
  const r = at('spec:\n  kprobes:\n    - call: |\n      syscall: true\n');
  assert.deepEqual([r?.path, r?.position, r?.node], [['spec', 'kprobes', 0, 'call'], 'value', undefined]);
  assert.deepEqual(at('spec:\n  kprobes:\n    - call:|\n')?.path, ['spec', 'kprobes', 0, 'call']);
});

test('outside any node', () => {
  assert.equal(at('spec:\n  a: 1\n|\n'), undefined);
  assert.equal(at('a: 1   |\n'), undefined);
});
