// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon feature table and the per-target answers built on it: every fact has provenance,
 * every gate the policy walker uses exists, and the answers follow from the table's releases.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  feature,
  featureIds,
  featureOn,
  FEATURE_TABLE_SOURCE,
  gate,
  gateIds,
  TETRAGON_LIMITS,
} from '../../server/src/core/tetragon/features.js';
import { equalStringLimit } from '../../server/src/core/tetragon/values.js';
import {
  policySupport,
  requirements,
  elementSupport,
  supportMatrix,
  STATE_WORDS,
} from '../../server/src/core/tetragon/kernel-support.js';
import { declaredTarget, formatKernel, parseKernelVersion } from '../../server/src/core/tetragon/targets.js';

const target = (kernel: string, arch = 'x86_64', features: Record<string, boolean> = {}) =>
  declaredTarget({ name: `${arch}-${kernel}`, arch, kernel, features });

test('the table names its Tetragon tree, and every feature and gate its place in it', () => {
  assert.match(FEATURE_TABLE_SOURCE.commit, /^[0-9a-f]{40}$/);
  assert.ok(featureIds().length >= 20);
  for (const id of featureIds()) {
    const f = feature(id)!;
    assert.ok(f.sources.length > 0, `${id}: sources`);
    for (const s of f.sources) assert.ok(s.line > 0 && s.file.length > 3 && s.fact.length > 5, `${id}: ${s.file}`);
    if (f.minKernel) for (const v of Object.values(f.minKernel)) assert.ok(parseKernelVersion(v), `${id}: ${v}`);
  }
  for (const id of gateIds()) {
    const g = gate(id);
    assert.ok(g.sources.length > 0, `${id}: sources`);
    const named = JSON.stringify(g.needs).match(/"([a-z_0-9]+)"/g) ?? [];
    for (const n of named) {
      const name = n.slice(1, -1);
      if (['all', 'any', 'not'].includes(name)) continue;
      assert.ok(feature(name), `${id} needs an existing feature: ${name}`);
    }
  }
});

test('every `tetra probe` name is a feature id, so targets can be declared from its output', () => {
  const probes = featureIds()
    .map((id) => feature(id)!)
    .filter((f) => f.probe);
  assert.ok(probes.length >= 20, `${probes.length} probes`);
  for (const f of probes) assert.equal(f.id, f.probe);
});

test('a feature is missing below its release, present above it when the release decides, and depends otherwise', () => {
  for (const id of featureIds()) {
    const f = feature(id)!;
    if (!f.minKernel || f.all) continue;
    for (const arch of ['x86_64', 'arm64'] as const) {
      const min: readonly [number, number, number] = parseKernelVersion(f.minKernel[arch])!;
      const before: [number, number, number] = min[1] > 0 ? [min[0], min[1] - 1, 0] : [min[0] - 1, 99, 0];
      assert.equal(
        featureOn(target(formatKernel(before), arch), id).state,
        'no',
        `${id} on ${arch} ${before.join('.')}`,
      );
      const at = featureOn(target(formatKernel(min), arch), id);
      assert.equal(at.state, f.condition === 'version' ? 'yes' : 'depends', `${id} on ${arch} ${formatKernel(min)}`);
      // What the user declares wins over the release.
      assert.equal(featureOn(target(formatKernel(before), arch, { [id]: true }), id).state, 'yes');
      assert.equal(featureOn(target(formatKernel(min), arch, { [id]: false }), id).state, 'no');
    }
  }
  assert.equal(featureOn(target('not-a-kernel'), 'lsm').state, 'unknown');
  assert.equal(featureOn(declaredTarget({ name: 'z', arch: 's390x', kernel: '6.1' }), 'lsm').state, 'unknown');
});

test('string value limits (the value parser) step with the release as the table says', () => {
  const steps = TETRAGON_LIMITS.stringValueBytes.steps;
  for (const s of steps) {
    if (!s.minKernel) continue;
    assert.equal(equalStringLimit(target(s.minKernel).kernel), s.max);
  }
  const oldest = steps.find((s) => s.minKernel === null)!;
  assert.equal(equalStringLimit(target('4.19').kernel), oldest.max);
  assert.equal(equalStringLimit(target('?').kernel), undefined);
});

const POLICY = parse(`
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: { name: matrix }
spec:
  kprobes:
    - call: sys_openat
      syscall: true
      selectors:
        - matchActions: [{ action: Sigkill }]
    - call: security_file_open
      syscall: false
      selectors:
        - matchActions: [{ action: Override, argError: -1 }]
  lsmhooks:
    - hook: bprm_check_security
`) as unknown;

test('the matrix answers per pool and hook, and the policy fails where one hook cannot load', () => {
  const reqs = requirements(POLICY);
  assert.deepEqual(
    reqs.map((r) => r.gate),
    ['action-sigkill-kprobe', 'action-override-security', 'action-override-security-multi', 'hook-lsm'],
  );
  const large = feature('large_progs')!.minKernel!.x86_64;
  const fmod = feature('fmodret')!.minKernel!.x86_64;
  const old = target('4.19');
  const mid = target(fmod, 'x86_64', { kprobe_multi: false, lsm: false });
  const m = supportMatrix(POLICY, [old, mid]);
  assert.deepEqual(
    m.hooks.map((h) => h.label),
    ['kprobe `sys_openat`', 'kprobe `security_file_open`', 'LSM hook `bprm_check_security`'],
  );
  // 4.19 is older than large programs: Sigkill on a kprobe is refused.
  assert.ok(parseKernelVersion(large)![0] > 4);
  assert.deepEqual(
    m.cells[0]!.map((c) => c.state),
    ['no', 'no', 'no'],
  );
  assert.deepEqual(
    m.cells[1]!.map((c) => c.state),
    ['loads', 'loads', 'no'],
  );
  assert.equal(m.targets[1]!.state, 'no');
  assert.ok(m.cells[1]![2]!.reasons[0]!.includes('declared absent'));
  const fine = policySupport(POLICY, target('6.6', 'x86_64', { kprobe_multi: false, lsm: true }));
  assert.equal(fine.state, 'loads');
  assert.equal(STATE_WORDS[fine.state], 'loads');
});

test('the enforcer of spec.enforcers follows the override-method option', () => {
  const policy = (method?: string) =>
    parse(`
spec:
  ${method ? `options: [{ name: override-method, value: ${method} }]` : ''}
  enforcers: [{ calls: [sys_openat] }]
  kprobes:
    - call: sys_openat
      selectors: [{ matchActions: [{ action: NotifyEnforcer, argError: -1 }] }]
`) as unknown;
  const t = target('6.1', 'x86_64', { override_return: false, fmodret_syscall: true });
  const row = (p: unknown) => policySupport(p, t).hooks.find((h) => h.section === 'enforcers')!;
  assert.equal(row(policy()).state, 'loads');
  assert.equal(row(policy('fmod-ret')).state, 'loads');
  assert.equal(row(policy('override-return')).state, 'no');
});

test('the string-length gate takes its lengths from the value parser: NULs trimmed on strings only, string types of the release', () => {
  const policy = (type: string, value: string, op = 'Equal') =>
    parse(`
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata: { name: s }
spec:
  kprobes:
    - call: fd_install
      syscall: false
      args: [{ index: 0, type: ${type} }]
      selectors:
        - matchArgs: [{ index: 0, operator: ${op}, values: [${JSON.stringify(value)}] }]
`) as unknown;
  const gateBytes = (data: unknown, release?: number) =>
    requirements(data, release)
      .filter((r) => r.gate === 'string-length')
      .map((r) => r.stringBytes);
  const long = `${'a'.repeat(600)}\0\0`;
  assert.deepEqual(gateBytes(policy('string', long)), [600], 'trailing NULs do not count on a string');
  assert.deepEqual(gateBytes(policy('char_buf', long)), [602], 'they do on a buffer');
  assert.deepEqual(gateBytes(policy('int', '7')), [], 'numbers have no string gate');
  assert.deepEqual(gateBytes(policy('string', long, 'Prefix')), [], 'only Equal and NotEqual use the string maps');
  // sockaddr_un strings joined the string maps in Tetragon 1.7.
  assert.deepEqual(gateBytes(policy('sockaddr_un', long), 6), []);
  assert.deepEqual(gateBytes(policy('sockaddr_un', long), 7), [602]);
  const r = requirements(policy('string', long)).find((x) => x.gate === 'string-length')!;
  assert.equal(elementSupport(r, declaredTarget({ name: 'old', arch: 'x86_64', kernel: '5.10' }))?.state, 'no');
  assert.equal(elementSupport(r, declaredTarget({ name: 'new', arch: 'x86_64', kernel: '5.15' })), undefined);
});
