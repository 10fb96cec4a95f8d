// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest, testValidator } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { parseFile } from '../../server/src/core/document.js';
import { EndpointIndex } from '../../server/src/core/preview.js';
import { inventoryFromKubectlJson } from '../../server/src/core/inventory.js';
import { feature } from '../../server/src/core/tetragon/features.js';

const ID = 'tetragon/kernel-targets';

function withTargets(...targets: object[]) {
  return normalizeSettings({ tetragon: { targets } });
}

const LSM = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm
spec:
  lsmhooks:
    - hook: file_open
#     ^^^^ error tetragon/kernel-targets not on target edge-arm
      args:
        - index: 0
          type: file
      selectors:
        - matchActions:
            - action: Sigkill
`;

test('an LSM hook does not load on an arm64 kernel without BPF trampolines', () => {
  const arm = feature('lsm')!.minKernel!.arm64;
  // The fixture's kernel must be older than the table's arm64 minimum for the expectation to hold.
  assert.ok(Number(arm.split('.')[0]) * 100 + Number(arm.split('.')[1]) > 510);
  checkAnnotated(LSM, [ID], withTargets({ name: 'edge-arm', arch: 'arm64', kernel: '5.10.0' }));
});

test('on a new enough kernel an LSM hook depends on the boot configuration, unless the feature is declared', () => {
  const findings = lintForTest(LSM, withTargets({ name: 'web', arch: 'x86_64', kernel: '6.1.0' })).filter(
    (f) => f.code === ID,
  );
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.severity, 'information');
  assert.match(findings[0]!.message, /lsm=bpf/);
  assert.match(findings[0]!.message, /tetra probe/);
  assert.match(findings[0]!.message, /boot configuration/);
  const declared = lintForTest(
    LSM,
    withTargets({ name: 'web', arch: 'x86_64', kernel: '6.1.0', features: { lsm: true } }),
  ).filter((f) => f.code === ID);
  assert.deepEqual(declared, []);
  const absent = lintForTest(
    LSM,
    withTargets({ name: 'web', arch: 'x86_64', kernel: '6.1.0', features: { lsm: false } }),
  ).filter((f) => f.code === ID);
  assert.equal(absent.length, 1);
  assert.equal(absent[0]!.severity, 'error');
  assert.match(absent[0]!.message, /declared absent/);
});

test('Override needs the override helper on syscalls and fmod_ret on security_ functions', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: override
spec:
  kprobes:
    - call: sys_openat
      syscall: true
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ error tetragon/kernel-targets the override helper
              argError: -1
    - call: security_file_open
      syscall: false
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ error tetragon/kernel-targets fmod_ret
              argError: -1
`,
    [ID],
    withTargets({ name: 'old', arch: 'x86_64', kernel: '5.4.0', features: { override_return: false } }),
  );
});

test('Override on a security_ function cannot use kprobe.multi on x86_64, unless the policy turns it off', () => {
  const text = (options: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: override
spec:
${options}  kprobes:
    - call: security_file_open
      syscall: false
      selectors:
        - matchActions:
            - action: Override
              argError: -1
`;
  const x86 = withTargets({ name: 'new', arch: 'x86_64', kernel: '6.6.0', features: { kprobe_multi: true } });
  const on = lintForTest(text(''), x86).filter((f) => f.code === ID);
  assert.equal(on.length, 1);
  assert.equal(on[0]!.severity, 'error');
  assert.match(on[0]!.message, /disable-kprobe-multi/);
  const off = lintForTest(text('  options:\n    - name: disable-kprobe-multi\n      value: "true"\n'), x86).filter(
    (f) => f.code === ID,
  );
  assert.deepEqual(off, []);
  // arm64 keeps such policies off kprobe.multi by itself.
  const arm = lintForTest(
    text(''),
    withTargets({ name: 'arm', arch: 'arm64', kernel: '6.6.0', features: { kprobe_multi: true } }),
  ).filter((f) => f.code === ID);
  assert.deepEqual(arm, []);
});

test('SubString loads but never matches without the kfunc; Equal strings are limited per kernel', () => {
  const long = 'a'.repeat(600);
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: strings
spec:
  kprobes:
    - call: sys_openat
      syscall: true
      args:
        - index: 1
          type: string
      selectors:
        - matchArgs:
            - index: 1
              operator: SubString
#                       ^^^^^^^^^ warning tetragon/kernel-targets never matches
              values:
                - shadow
        - matchArgs:
            - index: 1
              operator: Equal
              values:
                - ${long}
#                 ${'^'.repeat(600)} error tetragon/kernel-targets 510 bytes
`,
    [ID],
    withTargets({ name: 'lts', arch: 'x86_64', kernel: '5.10.0' }),
  );
  const newer = lintForTest(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: strings
spec:
  kprobes:
    - call: sys_openat
      syscall: true
      args:
        - index: 1
          type: string
      selectors:
        - matchArgs:
            - index: 1
              operator: Equal
              values:
                - ${long}
`,
    withTargets({ name: 'new', arch: 'x86_64', kernel: '5.11.0' }),
  ).filter((f) => f.code === ID);
  assert.deepEqual(newer, []);
});

test('node pools of a kubectl snapshot are targets too; without any target the rule is silent', () => {
  const node = (name: string) => ({
    kind: 'Node',
    metadata: { name },
    status: { nodeInfo: { kernelVersion: '5.10.0-28-cloud-arm64', architecture: 'arm64', osImage: 'Debian 11' } },
  });
  const snap = inventoryFromKubectlJson(JSON.stringify({ kind: 'List', items: [node('a'), node('b'), node('c')] }));
  assert.ok(snap.ok);
  const text = LSM.replace(/^#.*\n/m, '');
  const withPools = lintFile(parseFile(text), {
    validator: testValidator(),
    settings: normalizeSettings({}),
    inventory: new EndpointIndex(snap.inventory),
  }).filter((f) => f.code === ID);
  assert.equal(withPools.length, 1);
  assert.match(withPools[0]!.message, /pool arm64-5\.10 \(3 nodes\)/);
  assert.deepEqual(
    lintForTest(text).filter((f) => f.code === ID),
    [],
  );
});
