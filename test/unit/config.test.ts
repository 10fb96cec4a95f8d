// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mergeSettings, parseProjectConfig } from '../../server/src/config.js';

test('the project file sets versions and rule severities', () => {
  const cfg = parseProjectConfig(
    'ciliumVersion: "1.19"\nrules:\n  cilium/mixed-peer-types: warning\n  schema/unknown-field: "off"\n',
  );
  assert.deepEqual(cfg.problems, []);
  const s = mergeSettings({}, cfg);
  assert.equal(s.ciliumVersion, '1.19');
  assert.deepEqual(s.rules, { 'cilium/mixed-peer-types': 'warning', 'schema/unknown-field': 'off' });
});

test('editor rule settings apply on top of the file; file versions win', () => {
  const cfg = parseProjectConfig('ciliumVersion: 1.18\nrules: {cilium/a: error, cilium/b: warning}\n');
  const s = mergeSettings({ ciliumVersion: '1.20', rules: { 'cilium/b': 'off' } }, cfg);
  assert.equal(s.ciliumVersion, '1.18');
  assert.deepEqual(s.rules, { 'cilium/a': 'error', 'cilium/b': 'off' });
});

test('bad files give problems, not exceptions', () => {
  assert.match(parseProjectConfig('rules: [').problems[0] ?? '', /not valid YAML/);
  assert.match(parseProjectConfig('- a\n- b\n').problems[0] ?? '', /must be a map/);
  assert.match(parseProjectConfig('ciliumVerison: 1.19\n').problems[0] ?? '', /unknown setting `ciliumVerison`/);
  assert.deepEqual(parseProjectConfig('').problems, []);
});

test("the file's tetragon section (the nodes' architecture, where their binaries are) wins over the editor", () => {
  const project = parseProjectConfig('tetragon:\n  kernelArch: arm64\n  binaryRoot: ./node-image\n');
  const s = mergeSettings({ tetragon: { kernelArch: 'x86_64', binaryRoot: '/' } }, project);
  assert.equal(s.tetragonKernelArch, 'arm64');
  assert.equal(s.tetragonBinaryRoot, './node-image');
  // Without those keys in the file, the editor's values stand.
  const editorOnly = mergeSettings(
    { tetragon: { kernelArch: 'arm64', binaryRoot: '' } },
    parseProjectConfig('ciliumVersion: "1.19"\n'),
  );
  assert.deepEqual([editorOnly.tetragonKernelArch, editorOnly.tetragonBinaryRoot], ['arm64', '']);
});
