// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  mergeSettings,
  parseProjectConfig,
  PROJECT_FILE_SETTINGS,
  TRUSTED_ONLY_KEYS,
  untrustedView,
} from '../../server/src/config.js';

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

test('an untrusted view of the file leaves out the keys that read other files, and says so', () => {
  const project = parseProjectConfig('ciliumVersion: "1.19"\ntetragon:\n  kernelArch: arm64\n  binaryRoot: ./rootfs\n');
  const view = untrustedView(project);
  const s = mergeSettings({ tetragon: { binaryRoot: '/' } }, view);
  assert.equal(s.tetragonBinaryRoot, '/', "the editor's root stands");
  assert.equal(s.tetragonKernelArch, 'arm64', 'the other tetragon keys still count');
  assert.equal(s.ciliumVersion, '1.19');
  assert.equal(view.problems.length, 1);
  assert.match(view.problems[0]!, /`tetragon\.binaryRoot` is ignored: the workspace is not trusted/);
  assert.deepEqual(
    project.raw['tetragon'],
    { kernelArch: 'arm64', binaryRoot: './rootfs' },
    'the original is untouched',
  );
  for (const keys of TRUSTED_ONLY_KEYS)
    assert.equal(PROJECT_FILE_SETTINGS[`ciliumPolicy.${keys.join('.')}`], 'trusted', keys.join('.'));
});

test('the file never turns binary reading back on when the editor turned it off', () => {
  const project = parseProjectConfig('tetragon:\n  binaryRoot: ./rootfs\n');
  assert.equal(mergeSettings({ tetragon: { binaryRoot: '' } }, project).tetragonBinaryRoot, '');
  assert.equal(mergeSettings({ tetragon: { binaryRoot: '/' } }, project).tetragonBinaryRoot, './rootfs');
});

test('PROJECT_FILE_SETTINGS (the README column) says exactly which settings the file can change', () => {
  // A value other than the default for every setting the server reads.
  const samples: Record<string, [string, unknown, (s: ReturnType<typeof mergeSettings>) => unknown]> = {
    'ciliumPolicy.validate.enable': ['validate:\n  enable: false\n', true, (s) => s.validateEnable],
    'ciliumPolicy.ciliumVersion': ['ciliumVersion: "1.16"\n', '1.20', (s) => s.ciliumVersion],
    'ciliumPolicy.tetragonVersion': ['tetragonVersion: "1.5"\n', '1.8', (s) => s.tetragonVersion],
    'ciliumPolicy.tetragon.kernelArch': ['tetragon:\n  kernelArch: arm64\n', 'x86_64', (s) => s.tetragonKernelArch],
    'ciliumPolicy.tetragon.binaryRoot': ['tetragon:\n  binaryRoot: ./x\n', '/', (s) => s.tetragonBinaryRoot],
    'ciliumPolicy.rules': ['rules:\n  a/b: "off"\n', undefined, (s) => s.rules['a/b']],
    'ciliumPolicy.lint.delay': ['lint:\n  delay: 1000\n', 250, (s) => s.lintDelayMs],
    'ciliumPolicy.lint.onSave': ['lint:\n  onSave: false\n', true, (s) => s.lintOnSave],
    'ciliumPolicy.preview.codeLens': ['preview:\n  codeLens: false\n', true, (s) => s.previewCodeLens],
    'ciliumPolicy.preview.snapshotFile': ['preview:\n  snapshotFile: x.json\n', '', (s) => s.previewSnapshotFile],
    'ciliumPolicy.agent': ['agent:\n  enableHostFirewall: true\n', undefined, (s) => s.agent['enableHostFirewall']],
  };
  for (const [key, [file, editorValue, read]] of Object.entries(samples)) {
    const project = parseProjectConfig(file);
    const trusted = read(mergeSettings({}, project)) !== editorValue;
    const untrusted = read(mergeSettings({}, untrustedView(project))) !== editorValue;
    const expected = PROJECT_FILE_SETTINGS[key];
    assert.equal(trusted, expected !== undefined, `${key}: the file ${trusted ? 'changes' : 'does not change'} it`);
    assert.equal(untrusted, expected === 'always', `${key} in an untrusted workspace`);
  }
});
