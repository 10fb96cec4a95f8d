// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'tetragon/match-arg-index';

test('flags undeclared matchArgs indexes, args positions and matchData indexes', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: indexes
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 1
          type: string
        - index: 2
          type: int
      data:
        - index: 0
          type: string
          source: current_task
          resolve: comm
      selectors:
        - matchArgs:
            - index: 1
              operator: Prefix
              values: [/etc/]
            - index: 0
#                    ^ error tetragon/match-arg-index Declared: 1, 2
              operator: Equal
              values: ["3"]
            - args: [0, 2]
#                       ^ error tetragon/match-arg-index 2 entries
              operator: CapabilitiesGained
          matchData:
            - index: 0
              operator: Equal
              values: [bash]
            - index: 1
#                    ^ error tetragon/match-arg-index data
              operator: Equal
              values: [bash]
`,
    [ID],
  );
});

test('tracepoints accept the args index or the position', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
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
        - matchArgs:
            - index: 0
              operator: InMap
              values: ["1"]
            - index: 4
              operator: InMap
              values: ["1"]
            - index: 2
#                    ^ error tetragon/match-arg-index tracepoint
              operator: InMap
              values: ["1"]
`,
    [ID],
  );
});

const MISSING = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: open
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 0 # dirfd
          type: int
      selectors:
        - matchArgs:
            - index: 1
              operator: Prefix
              values: [/etc/]
`;

test('quick fix: declares the missing argument with a type for the operator', () => {
  assert.equal(
    applyFix(MISSING, ID),
    MISSING.replace('          type: int\n', '          type: int\n        - index: 1\n          type: string\n'),
  );
  const noArgs = MISSING.replace('      args:\n        - index: 0 # dirfd\n          type: int\n', '');
  const fixed = applyFix(noArgs.replace('Prefix', 'GT').replace('/etc/', '"1"'), ID);
  assert.equal(
    fixed,
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: open
spec:
  kprobes:
    - call: sys_openat
      selectors:
        - matchArgs:
            - index: 1
              operator: GT
              values: ["1"]
      args:
        - index: 1
          type: int
`,
  );
  checkAnnotated(fixed, [ID]);
});

test('args positions: only the first (two for CapabilitiesGained) are read; an empty list falls back to index', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: positions
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: file
      data:
        - index: 0
          type: string
          source: current_task
          resolve: comm
      selectors:
        - matchArgs:
            - args: [0, 7]
#                       ^ warning tetragon/match-arg-index ignored
              operator: Prefix
              values: ["/etc"]
            - args: []
              index: 3
#                    ^ error tetragon/match-arg-index no argument with index 3
              operator: Prefix
              values: ["/etc"]
          matchData:
            - args: [1]
#                    ^ error tetragon/match-arg-index \`data\` list
              operator: Equal
              values: ["bash"]
            - index: 0
              operator: Equal
              values: ["bash"]
`,
    [ID],
  );
});
