// SPDX-License-Identifier: Apache-2.0
/**
 * Part D10 of the semantic-rules reference: the invalid inputs Tetragon's own tests feed the
 * agent, one fixture each (written here, not copied), with the finding expected at the right
 * place. Cases that need kernel data (does this function/tracepoint/hook exist, how many
 * parameters, which types) belong to the kernel-data rules; cases that need the traced binary
 * (USDT operand sizes) cannot be checked from the YAML. Both are counted, as not flagged here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';

type Owner = 'schema' | 'tetragon' | 'kernel-data' | 'binary';

interface Case {
  readonly name: string;
  readonly ref: string;
  readonly owner: Owner;
  /** The codes whose findings the annotations describe exactly (empty for unchecked cases). */
  readonly codes: readonly string[];
  readonly text: string;
}

const TP = (name: string, spec: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ${name}
spec:
${spec}`;

const CASES: readonly Case[] = [
  {
    name: 'kprobe return: true without returnArg',
    ref: 'TP-CRD-1',
    owner: 'schema',
    codes: ['schema/required'],
    text: TP('ret', `  kprobes:
    - call: sys_openat
      return: true
#     ^^^^^^ error schema/required returnArg
`),
  },
  {
    name: 'uprobe with symbols and addrs',
    ref: 'TP-CRD-2',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP('up', `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      addrs: [4096]
#     ^^^^^ error schema/one-of
`),
  },
  {
    name: 'uprobe with symbols and offsets',
    ref: 'TP-CRD-2',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP('up', `  uprobes:
    - path: /bin/bash
      offsets: [16]
      symbols: [readline]
#     ^^^^^^^ error schema/one-of
`),
  },
  {
    name: 'Override with argNewSymbol and argNewAddr',
    ref: 'TP-CRD-3',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP('ov', `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: Override
              argNewSymbol: other
              argNewAddr: 4096
#             ^^^^^^^^^^ error schema/one-of
`),
  },
  {
    name: 'Override with argNewSymbol, argNewAddr and argNewOffset',
    ref: 'TP-CRD-3',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP('ov', `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: Override
              argNewSymbol: other
              argNewAddr: 4096
#             ^^^^^^^^^^ error schema/one-of
              argNewOffset: 16
`),
  },
  {
    name: 'returnArgAction: Post',
    ref: 'TP-ARG-9',
    owner: 'tetragon',
    codes: ['tetragon/return-arg'],
    text: TP('raa', `  kprobes:
    - call: tcp_close
      syscall: false
      returnArgAction: Post
#                      ^^^^ error tetragon/return-arg
`),
  },
  {
    name: 'returnArgAction: Bogus',
    ref: 'TP-ARG-9',
    owner: 'tetragon',
    codes: ['tetragon/return-arg'],
    text: TP('raa', `  kprobes:
    - call: tcp_close
      syscall: false
      returnArgAction: Bogus
#                      ^^^^^ error tetragon/return-arg
`),
  },
  {
    name: 'Override on a function that is neither a syscall nor security_*',
    ref: 'D8 Override',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP('ovr', `  kprobes:
    - call: wake_up_new_task
      syscall: false
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ warning tetragon/action-not-allowed
              argError: -1
`),
  },
  {
    name: 'kprobe call: list:X with an unknown list',
    ref: 'TP-KP-1',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP('lst', `  kprobes:
    - call: "list:nosuchlist"
#           ^^^^^^^^^^^^^^^^^ error tetragon/list-references
`),
  },
  {
    name: 'generated list with values',
    ref: 'TP-LIST-2',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP('lst', `  lists:
    - name: all
      type: generated_syscalls
      values: [sys_dup]
#     ^^^^^^ error tetragon/list-references
  kprobes:
    - call: "list:all"
`),
  },
  {
    name: 'generated_ftrace list without pattern',
    ref: 'TP-LIST-2',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP('lst', `  lists:
    - name: ksys
      type: generated_ftrace
#           ^^^^^^^^^^^^^^^^ error tetragon/list-references
  kprobes:
    - call: "list:ksys"
`),
  },
  {
    name: 'tracepoint with an empty subsystem',
    ref: 'TP-TPT-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP('tp', `  tracepoints:
    - subsystem: ""
#                ^^ error tetragon/empty-hook-target
      event: sys_enter
`),
  },
  {
    name: 'tracepoint with an empty event',
    ref: 'TP-TPT-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP('tp', `  tracepoints:
    - subsystem: raw_syscalls
      event: ""
#            ^^ error tetragon/empty-hook-target
`),
  },
  {
    name: 'tracepoint with an unknown subsystem',
    ref: 'TP-TPT-1',
    owner: 'kernel-data',
    codes: [],
    text: TP('tp', `  tracepoints:
    - subsystem: nosuchsubsystem
      event: sys_enter
`),
  },
  {
    name: 'tracepoint with an unknown event',
    ref: 'TP-TPT-1',
    owner: 'kernel-data',
    codes: [],
    text: TP('tp', `  tracepoints:
    - subsystem: syscalls
      event: sys_enter_nosuchevent
`),
  },
  {
    name: 'tracepoint arg index beyond the format fields',
    ref: 'TP-ARG-4',
    owner: 'kernel-data',
    codes: [],
    text: TP('tp', `  tracepoints:
    - subsystem: syscalls
      event: sys_enter_lseek
      args:
        - index: 42
          type: int
`),
  },
  {
    name: 'raw tracepoint arg index above 5',
    ref: 'TP-ARG-4',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP('tp', `  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      raw: true
      args:
        - index: 6
#                ^ error tetragon/arg-limits
          type: uint64
`),
  },
  {
    name: 'NotifyEnforcer without spec.enforcers',
    ref: 'D8 NotifyEnforcer',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP('ne', `  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      selectors:
        - matchActions:
            - action: NotifyEnforcer
#                     ^^^^^^^^^^^^^^ error tetragon/action-not-allowed
              argSig: 9
`),
  },
  {
    name: 'LSM hook with an empty hook name',
    ref: 'TP-LSM-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP('lsm', `  lsmhooks:
    - hook: ""
#           ^^ error tetragon/empty-hook-target
`),
  },
  {
    name: 'LSM hook with an unknown hook name',
    ref: 'TP-LSM-1',
    owner: 'kernel-data',
    codes: [],
    text: TP('lsm', `  lsmhooks:
    - hook: no_such_lsm_hook
`),
  },
  {
    name: 'LSM hook with an action LSM programs cannot run',
    ref: 'D8',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP('lsm', `  lsmhooks:
    - hook: file_open
      selectors:
        - matchActions:
            - action: TrackSock
#                     ^^^^^^^^^ error tetragon/action-not-allowed
`),
  },
  {
    name: 'LSM hook arg index above 4',
    ref: 'TP-ARG-2',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP('lsm', `  lsmhooks:
    - hook: file_open
      args:
        - index: 5
#                ^ error tetragon/arg-limits
          type: file
`),
  },
  {
    name: 'LSM hook with an unknown arg type',
    ref: 'TP-ARG-8',
    owner: 'schema',
    codes: ['schema/enum'],
    text: TP('lsm', `  lsmhooks:
    - hook: file_open
      args:
        - index: 0
          type: no_such_type
#               ^^^^^^^^^^^^ error schema/enum
`),
  },
  {
    name: 'USDT Set on a 1-byte operand',
    ref: 'D8 Set',
    owner: 'binary',
    codes: [],
    text: TP('usdt', `  usdts:
    - path: /usr/bin/app
      provider: app
      name: one_byte_probe
      args:
        - index: 0
          type: int8
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
`),
  },
  {
    name: 'USDT Set on an 8-byte operand',
    ref: 'D8 Set',
    owner: 'binary',
    codes: [],
    text: TP('usdt', `  usdts:
    - path: /usr/bin/app
      provider: app
      name: eight_byte_probe
      args:
        - index: 0
          type: int64
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
`),
  },
  {
    name: 'spec: wrong arg type for the kernel function',
    ref: 'TP-ARG-3',
    owner: 'kernel-data',
    codes: [],
    text: TP('lseek', `  kprobes:
    - call: vfs_llseek
      syscall: false
      args:
        - index: 0
          type: string
`),
  },
  {
    name: 'spec: arg index beyond what a kprobe can read',
    ref: 'TP-ARG-2 / TP-ARG-3',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP('lseek', `  kprobes:
    - call: vfs_llseek
      syscall: false
      args:
        - index: 100
#                ^^^ error tetragon/arg-limits
          type: int
`),
  },
  {
    name: 'spec: no such call',
    ref: 'TP-LOAD-5',
    owner: 'kernel-data',
    codes: [],
    text: TP('nosuch', `  kprobes:
    - call: this_call_does_not_exist
      syscall: false
`),
  },
  {
    name: 'spec: not a syscall',
    ref: 'TP-KP-2',
    owner: 'kernel-data',
    codes: [],
    text: TP('notsys', `  kprobes:
    - call: vfs_llseek
      syscall: true
`),
  },
];

for (const c of CASES) {
  if (c.codes.length === 0) continue;
  test(`D10 ${c.ref}: ${c.name}`, () => {
    const findings = checkAnnotated(c.text, c.codes);
    assert.ok(findings.some((f) => c.codes.includes(f.code)), 'flagged');
  });
}

test('Part D10 summary', () => {
  const mine = CASES.filter((c) => c.owner === 'schema' || c.owner === 'tetragon');
  const kernel = CASES.filter((c) => c.owner === 'kernel-data');
  const binary = CASES.filter((c) => c.owner === 'binary');
  // Informational only: whether the kernel-data rules (another engineer's) currently flag theirs.
  const kernelFlagged = kernel.filter((c) => lintForTest(c.text).some((f) => f.code.startsWith('tetragon/') && f.severity !== 'information')).length;
  const line = `Part D10: ${mine.length}/${CASES.length} flagged (schema ${mine.filter((c) => c.owner === 'schema').length}, Tetragon rules ${mine.filter((c) => c.owner === 'tetragon').length}); not flagged here: ${kernel.length} need kernel data (kernel-data rules flag ${kernelFlagged} of them), ${binary.length} need the traced binary`;
  console.log(line);
  assert.equal(mine.length + kernel.length + binary.length, CASES.length);
});
