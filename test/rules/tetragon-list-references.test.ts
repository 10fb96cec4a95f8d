// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'tetragon/list-references';

test('flags unknown and mistyped references, generated lists with values, ftrace without pattern, unused lists', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lists
spec:
  lists:
    - name: dups
      type: syscalls
      values: [sys_dup, sys_dup2]
    - name: all
      type: generated_syscalls
      values: [sys_read]
#     ^^^^^^ error tetragon/list-references filled by the agent
    - name: sec
      type: generated_ftrace
#           ^^^^^^^^^^^^^^^^ error tetragon/list-references pattern
    - name: spare
#           ^^^^^ warning tetragon/list-references not referred to
      type: syscalls
      values: [sys_close]
  kprobes:
    - call: "list:dup"
#           ^^^^^^^^^^ error tetragon/list-references Did you mean \`dups\`
    - call: "list:dups"
    - call: "list:all"
    - call: "list:sec"
      selectors:
        - matchArgs:
            - index: 0
              operator: InMap
              values: ["list:sec", "list:nothere"]
#                      ^^^^^^^^^^ error tetragon/list-references list of syscalls
#                                  ^^^^^^^^^^^^^^ error tetragon/list-references no list
`,
    [ID],
  );
});

const TYPO = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-syscalls
spec:
  lists:
  - name: "dups"
    type: "syscalls"
    values: ["sys_dup", "sys_dup2"]
  enforcers:
  - calls:
    - list:dupz # enforcer calls
  tracepoints:
  - subsystem: "raw_syscalls"
    event: "sys_enter"
    args:
    - index: 4
      type: "syscall64"
    selectors:
    - matchArgs:
      - index: 0
        operator: "InMap"
        values: ["list:dups"]
`;

test('quick fix: renames a misspelt list reference', () => {
  assert.equal(applyFix(TYPO, ID), TYPO.replace('list:dupz', 'list:dups'));
});

test('fentry calls name lists too', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fentry-lists
spec:
  lists:
    - name: opens
      type: syscalls
      values: [sys_open, sys_openat]
  fentries:
    - call: "list:opens"
    - call: "list:open"
#           ^^^^^^^^^^^ error tetragon/list-references \`opens\`
`,
    [ID],
  );
});
