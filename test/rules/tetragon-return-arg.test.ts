// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/return-arg';

test('return selectors without a return probe are ignored; LSM hooks refuse them; returnArgAction; syscall returns', () => {
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
#         ^^^^^^^^^^^^^^^ warning tetragon/return-arg ignores this filter
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

test('a return filter names the returnArg by its index; return: false ignores the filters; old releases', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: indexes
spec:
  kprobes:
    - call: sys_openat
      return: true
      returnArg:
        index: 0
        type: int
      returnArgAction: untracksock
      selectors:
        - matchReturnArgs:
            - index: 1
#                    ^ error tetragon/return-arg index 1
              operator: LT
              values: ["0"]
            - operator: GT
              values: ["0"]
            - args: [1]
#                    ^ error tetragon/return-arg position 1
              operator: GT
              values: ["0"]
    - call: sys_close
      return: false
      returnArg:
        index: 0
        type: int
      selectors:
        - matchReturnActions:
#         ^^^^^^^^^^^^^^^^^^ warning tetragon/return-arg ignores
            - action: Post
    - call: tcp_close
      syscall: false
      returnArgAction: Sigkill
#                      ^^^^^^^ error tetragon/return-arg TrackSock
    - call: tcp_close
      syscall: false
      returnArgAction: Kill
#                      ^^^^ error tetragon/return-arg not an action
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp
spec:
  tracepoints:
    - subsystem: syscalls
      event: sys_exit_openat
      selectors:
        - matchReturnArgs:
#         ^^^^^^^^^^^^^^^ warning tetragon/return-arg no return value
            - index: 0
              operator: LT
              values: ["0"]
`;
  checkAnnotated(text, [ID]);
  checkAnnotated(
    text.replace(
      '#                      ^^^^^^^ error tetragon/return-arg TrackSock',
      '#                      ^^^^^^^ warning tetragon/return-arg 1.7 refuses',
    ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.6' }),
  );
  // With a returnArg already there, the fix only flips `return`.
  const fixed = applyFix(text, ID, 'Read the return value: set `return: true`', 2);
  assert.ok(fixed.includes('    - call: sys_close\n      return: true\n'));
});
