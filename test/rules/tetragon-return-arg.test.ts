// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'tetragon/return-arg';

test('flags return selectors without a return probe, on LSM hooks, bad returnArgAction, non-integer syscall returns', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: returns
spec:
  kprobes:
    - call: sys_openat
      selectors:
        - matchReturnArgs:
#         ^^^^^^^^^^^^^^^ error tetragon/return-arg only read with
            - index: 0
              operator: LT
              values: ["0"]
    - call: tcp_close
      syscall: false
      returnArgAction: Post
#                      ^^^^ error tetragon/return-arg \`Post\`
    - call: sys_read
      return: true
      returnArg:
        index: 0
        type: string
#             ^^^^^^ warning tetragon/return-arg integer
      returnArgAction: TrackSock
      selectors:
        - matchReturnArgs:
            - index: 0
              operator: GT
              values: ["0"]
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm
spec:
  lsmhooks:
    - hook: file_open
      args:
        - index: 0
          type: file
      selectors:
        - matchReturnArgs:
#         ^^^^^^^^^^^^^^^ error tetragon/return-arg LSM hooks
            - index: 0
              operator: Equal
              values: ["0"]
`,
    [ID],
  );
});

const NO_RETURN = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: failed-opens
spec:
  kprobes:
    - call: sys_openat # the syscall
      selectors:
        - matchReturnArgs:
            - index: 0
              operator: LT
              values: ["0"]
  # trailing comment
`;

test('quick fix: adds return: true and returnArg at the end of the hook', () => {
  assert.equal(
    applyFix(NO_RETURN, ID),
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: failed-opens
spec:
  kprobes:
    - call: sys_openat # the syscall
      selectors:
        - matchReturnArgs:
            - index: 0
              operator: LT
              values: ["0"]
      return: true
      returnArg:
        index: 0
        type: int
  # trailing comment
`,
  );
});

test('quick fix: flips return: false', () => {
  const text = NO_RETURN.replace(
    '    - call: sys_openat # the syscall\n',
    '    - call: sys_openat # the syscall\n      return: false\n',
  );
  const fixed = applyFix(text, ID);
  assert.equal(
    fixed,
    text
      .replace('return: false', 'return: true')
      .replace('values: ["0"]\n', 'values: ["0"]\n      returnArg:\n        index: 0\n        type: int\n'),
  );
  checkAnnotated(fixed, [ID]);
});
