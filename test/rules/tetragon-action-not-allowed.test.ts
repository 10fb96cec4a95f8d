// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/action-not-allowed';

test('flags actions per hook type', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm
spec:
  lsmhooks:
    - hook: bprm_check_security
      selectors:
        - matchActions:
            - action: Override
              argError: -1
            - action: GetUrl
#                     ^^^^^^ error tetragon/action-not-allowed LSM hooks run only
              argUrl: http://example.com
            - action: Post
              kernelStackTrace: true
#             ^^^^^^^^^^^^^^^^ error tetragon/action-not-allowed stack traces
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fentry
spec:
  fentries:
    - call: security_file_open
      syscall: false
      selectors:
        - matchActions:
            - action: Sigkill
#                     ^^^^^^^ error tetragon/action-not-allowed cannot enforce
            - action: Post
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: uprobe
spec:
  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: DnsLookup
#                     ^^^^^^^^^ error tetragon/action-not-allowed uprobes
              argFqdn: example.com
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kprobes
spec:
  kprobes:
    - call: sys_linkat
      selectors:
        - matchActions:
            - action: Override
              argError: -1
    - call: security_path_link
      syscall: false
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ warning tetragon/action-not-allowed disable-kprobe-multi
              argError: -1
    - call: vfs_link
      syscall: false
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ error tetragon/action-not-allowed \`vfs_link\`
              argError: -1
        - matchReturnActions:
            - action: Override
              argError: -1
`,
    [ID],
  );
});

test('Override on security_ functions is fine with kprobe_multi disabled or on arm64; 1.6 leaves the rest to the kernel', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: override
spec:
  options:
    - name: disable-kprobe-multi
      value: "1"
  kprobes:
    - call: security_path_link
      syscall: false
      selectors:
        - matchActions:
            - action: Override
              argError: -1
`;
  checkAnnotated(text, [ID]);
  checkAnnotated(
    text.replace('value: "1"', 'value: "false"'),
    [ID],
    normalizeSettings({ tetragon: { kernelArch: 'arm64' } }),
  );
  const vfs = text.replace('security_path_link', 'vfs_link');
  checkAnnotated(
    vfs.replace(
      '            - action: Override\n',
      '            - action: Override\n#                     ^^^^^^^^ warning tetragon/action-not-allowed 1.7 refuses\n',
    ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.6' }),
  );
});

const NOTIFY = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-on-write
spec:
  kprobes:
    - call: "sys_write" # the syscall
      selectors:
        - matchActions:
            - action: NotifyEnforcer
              argSig: 9
`;

test('NotifyEnforcer needs spec.enforcers; quick fix declares it for the syscall', () => {
  checkAnnotated(
    `${NOTIFY.replace('            - action: NotifyEnforcer\n', '            - action: NotifyEnforcer\n#                     ^^^^^^^^^^^^^^ error tetragon/action-not-allowed spec.enforcers\n')}`,
    [ID],
  );
  const fixed = applyFix(NOTIFY, ID);
  assert.equal(fixed, `${NOTIFY}  enforcers:\n    - calls:\n        - "sys_write"\n`);
  checkAnnotated(fixed, [ID]);
});

test('quick fix for a raw_syscalls tracepoint uses its list', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-syscalls
spec:
  lists:
  - name: dups
    type: syscalls
    values: [sys_dup, sys_dup2]
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 0
        operator: InMap
        values: ["list:dups"]
      matchActions:
      - action: NotifyEnforcer
        argSig: 9
`;
  assert.equal(applyFix(text, ID), `${text}  enforcers:\n    - calls:\n        - "list:dups"\n`);
});
