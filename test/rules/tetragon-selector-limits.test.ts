// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'tetragon/selector-limits';

const sel = (n: number) =>
  `        - matchArgs: # selector ${n}\n            - index: 0\n              operator: Equal\n              values: ["${n}"]\n`;

test('flags the 6th selector, 6th filter, 4th action and extra namespace filters', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: limits
spec:
  kprobes:
    - call: sys_close
      args:
        - index: 0
          type: int
      selectors:
${sel(1)}${sel(2)}${sel(3)}${sel(4)}${sel(5)}        - matchArgs:
#         ^^^^^^^^^ error tetragon/selector-limits at most 5 selectors
            - index: 0
              operator: Equal
              values: ["6"]
          matchActions:
            - action: Post
            - action: Post
            - action: Post
            - action: Sigkill
#             ^^^^^^ error tetragon/selector-limits 3
          matchNamespaceChanges:
            - operator: In
              values: [Mnt]
            - operator: In
#             ^^^^^^^^ error tetragon/selector-limits 1
              values: [Net]
`,
    [ID],
  );
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: filters
spec:
  uprobes:
    - path: /bin/bash
      symbols: [readline]
      args:
        - index: 0
          type: int
      data:
        - index: 0
          type: string
          source: current_task
          resolve: comm
      selectors:
        - matchArgs:
            - { index: 0, operator: Equal, values: ["1"] }
            - { index: 0, operator: Equal, values: ["2"] }
            - { index: 0, operator: Equal, values: ["3"] }
            - { index: 0, operator: Equal, values: ["4"] }
          matchData:
            - { index: 0, operator: Equal, values: [a] }
            - { index: 0, operator: Equal, values: [b] }
#               ^^^^^ error tetragon/selector-limits 6
`,
    [ID],
  );
});

const SIX = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: close
spec:
  kprobes:
    - call: sys_close # watch closes
      args:
        - index: 0
          type: int
      selectors:
${sel(1)}${sel(2)}${sel(3)}${sel(4)}${sel(5)}${sel(6)}      message: "closing"
`;

test('quick fix: moves the 6th selector into a copy of the kprobe and disables kprobe_multi', () => {
  assert.equal(
    applyFix(SIX, ID),
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: close
spec:
  kprobes:
    - call: sys_close # watch closes
      args:
        - index: 0
          type: int
      selectors:
${sel(1)}${sel(2)}${sel(3)}${sel(4)}${sel(5)}      message: "closing"
    - call: sys_close # watch closes
      args:
        - index: 0
          type: int
      selectors:
${sel(6)}      message: "closing"
  options:
    - name: disable-kprobe-multi
      value: "true"
`,
  );
});

test('quick fix on a tracepoint copies the hook without adding options', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp
spec:
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: uint64
    selectors:
${[1, 2, 3, 4, 5, 6, 7].map((n) => `    - matchArgs:\n      - index: 0\n        operator: InMap\n        values: ["${n}"]\n`).join('')}  lists: []
`;
  const fixed = applyFix(text, ID);
  const head = text.slice(0, text.indexOf('    - matchArgs:'));
  const item = (n: number) => `    - matchArgs:\n      - index: 0\n        operator: InMap\n        values: ["${n}"]\n`;
  assert.equal(
    fixed,
    `${head}${[1, 2, 3, 4, 5].map(item).join('')}${head.slice(head.indexOf('  - subsystem'))}${[6, 7].map(item).join('')}  lists: []\n`,
  );
  checkAnnotated(fixed, [ID]);
});

test('return filters and actions count only when the hook reads its return value; 1.6 does not count selectors', () => {
  const filter = '            - index: 0\n              operator: GT\n              values: ["0"]\n';
  const sixth =
    '            - index: 0\n#             ^^^^^ error tetragon/selector-limits matchReturnArgs\n              operator: GT\n              values: ["0"]\n';
  const post = '            - action: Post\n';
  const fourth = '            - action: Post\n#             ^^^^^^ error tetragon/selector-limits matchReturnActions\n';
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: returns
spec:
  kprobes:
    - call: sys_openat
      return: true
      returnArg:
        index: 0
        type: int
      selectors:
        - matchReturnArgs:
${filter.repeat(5)}${sixth}          matchReturnActions:
${post.repeat(3)}${fourth}    - call: sys_close
      selectors:
        - matchReturnActions:
${post.repeat(4)}`,
    [ID],
  );
  const sixSelectors = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: many
spec:
  tracepoints:
    - subsystem: sched
      event: sched_process_exec
      selectors:
${'        - matchActions:\n            - action: Post\n'.repeat(6)}`;
  assert.deepEqual(
    lintForTest(sixSelectors)
      .filter((f) => f.code === ID)
      .map((f) => f.severity),
    ['error'],
  );
  assert.deepEqual(
    lintForTest(sixSelectors, normalizeSettings({ tetragonVersion: '1.6' }))
      .filter((f) => f.code === ID)
      .map((f) => f.severity),
    ['warning'],
  );
});
