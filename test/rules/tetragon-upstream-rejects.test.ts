// SPDX-License-Identifier: Apache-2.0
/**
 * Part D10 of the semantic-rules reference: the invalid inputs Tetragon's own tests feed the
 * agent, one fixture each (written here, not copied), with the finding expected at the right
 * place: by the schema, by the Tetragon rules, or by the rules that use the bundled kernel data
 * (does this function/tracepoint/hook exist, how many parameters, which types), or by the rule
 * that reads the traced binary (USDT operand sizes), here a binary compiled for the test.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { LocalBinaries } from '../../server/src/io/binaries.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { requireUsdtFixture, SHOP_PATH, usdtSkip } from '../support/usdt-binary.js';

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
    text: TP(
      'ret',
      `  kprobes:
    - call: sys_openat
      return: true
#     ^^^^^^ error schema/required returnArg
`,
    ),
  },
  {
    name: 'uprobe with symbols and addrs',
    ref: 'TP-CRD-2',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP(
      'up',
      `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      addrs: [4096]
#     ^^^^^ error schema/one-of
`,
    ),
  },
  {
    name: 'uprobe with symbols and offsets',
    ref: 'TP-CRD-2',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP(
      'up',
      `  uprobes:
    - path: /bin/bash
      offsets: [16]
      symbols: [readline]
#     ^^^^^^^ error schema/one-of
`,
    ),
  },
  {
    name: 'Override with argNewSymbol and argNewAddr',
    ref: 'TP-CRD-3',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP(
      'ov',
      `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: Override
              argNewSymbol: other
              argNewAddr: 4096
#             ^^^^^^^^^^ error schema/one-of
`,
    ),
  },
  {
    name: 'Override with argNewSymbol, argNewAddr and argNewOffset',
    ref: 'TP-CRD-3',
    owner: 'schema',
    codes: ['schema/one-of'],
    text: TP(
      'ov',
      `  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: Override
              argNewSymbol: other
              argNewAddr: 4096
#             ^^^^^^^^^^ error schema/one-of
              argNewOffset: 16
`,
    ),
  },
  {
    name: 'returnArgAction: Post',
    ref: 'TP-ARG-9',
    owner: 'tetragon',
    codes: ['tetragon/return-arg'],
    text: TP(
      'raa',
      `  kprobes:
    - call: tcp_close
      syscall: false
      returnArgAction: Post
#                      ^^^^ error tetragon/return-arg
`,
    ),
  },
  {
    name: 'returnArgAction: Bogus',
    ref: 'TP-ARG-9',
    owner: 'tetragon',
    codes: ['tetragon/return-arg'],
    text: TP(
      'raa',
      `  kprobes:
    - call: tcp_close
      syscall: false
      returnArgAction: Bogus
#                      ^^^^^ error tetragon/return-arg
`,
    ),
  },
  {
    name: 'Override on a function that is neither a syscall nor security_*',
    ref: 'D8 Override',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP(
      'ovr',
      `  kprobes:
    - call: wake_up_new_task
      syscall: false
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ error tetragon/action-not-allowed
              argError: -1
`,
    ),
  },
  {
    name: 'kprobe call: list:X with an unknown list',
    ref: 'TP-KP-1',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP(
      'lst',
      `  kprobes:
    - call: "list:nosuchlist"
#           ^^^^^^^^^^^^^^^^^ error tetragon/list-references
`,
    ),
  },
  {
    name: 'generated list with values',
    ref: 'TP-LIST-2',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP(
      'lst',
      `  lists:
    - name: all
      type: generated_syscalls
      values: [sys_dup]
#     ^^^^^^ error tetragon/list-references
  kprobes:
    - call: "list:all"
`,
    ),
  },
  {
    name: 'generated_ftrace list without pattern',
    ref: 'TP-LIST-2',
    owner: 'tetragon',
    codes: ['tetragon/list-references'],
    text: TP(
      'lst',
      `  lists:
    - name: ksys
      type: generated_ftrace
#           ^^^^^^^^^^^^^^^^ error tetragon/list-references
  kprobes:
    - call: "list:ksys"
`,
    ),
  },
  {
    name: 'tracepoint with an empty subsystem',
    ref: 'TP-TPT-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: ""
#                ^^ error tetragon/empty-hook-target
      event: sys_enter
`,
    ),
  },
  {
    name: 'tracepoint with an empty event',
    ref: 'TP-TPT-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: raw_syscalls
      event: ""
#            ^^ error tetragon/empty-hook-target
`,
    ),
  },
  {
    name: 'tracepoint with an unknown subsystem',
    ref: 'TP-TPT-1',
    owner: 'kernel-data',
    codes: ['tetragon/unknown-tracepoint'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: nosuchsubsystem
#                ^^^^^^^^^^^^^^^ warning tetragon/unknown-tracepoint not a tracepoint subsystem
      event: sys_enter
`,
    ),
  },
  {
    name: 'tracepoint with an unknown event',
    ref: 'TP-TPT-1',
    owner: 'kernel-data',
    codes: ['tetragon/unknown-tracepoint'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: syscalls
      event: sys_enter_nosuchevent
#            ^^^^^^^^^^^^^^^^^^^^^ warning tetragon/unknown-tracepoint
`,
    ),
  },
  {
    name: 'tracepoint arg index beyond the format fields',
    ref: 'TP-ARG-4',
    owner: 'kernel-data',
    codes: ['tetragon/kernel-arg-index'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: syscalls
      event: sys_enter_lseek
      args:
        - index: 42
#                ^^ error tetragon/kernel-arg-index fields 0–7
          type: int
`,
    ),
  },
  {
    name: 'raw tracepoint arg index above 5',
    ref: 'TP-ARG-4',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP(
      'tp',
      `  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      raw: true
      args:
        - index: 6
#                ^ error tetragon/arg-limits
          type: uint64
`,
    ),
  },
  {
    name: 'NotifyEnforcer without spec.enforcers',
    ref: 'D8 NotifyEnforcer',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP(
      'ne',
      `  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      selectors:
        - matchActions:
            - action: NotifyEnforcer
#                     ^^^^^^^^^^^^^^ error tetragon/action-not-allowed
              argSig: 9
`,
    ),
  },
  {
    name: 'LSM hook with an empty hook name',
    ref: 'TP-LSM-1',
    owner: 'tetragon',
    codes: ['tetragon/empty-hook-target'],
    text: TP(
      'lsm',
      `  lsmhooks:
    - hook: ""
#           ^^ error tetragon/empty-hook-target
`,
    ),
  },
  {
    name: 'LSM hook with an unknown hook name',
    ref: 'TP-LSM-1',
    owner: 'kernel-data',
    codes: ['tetragon/unknown-lsm-hook'],
    text: TP(
      'lsm',
      `  lsmhooks:
    - hook: no_such_lsm_hook
#           ^^^^^^^^^^^^^^^^ warning tetragon/unknown-lsm-hook
`,
    ),
  },
  {
    name: 'LSM hook with an action LSM programs cannot run',
    ref: 'D8',
    owner: 'tetragon',
    codes: ['tetragon/action-not-allowed'],
    text: TP(
      'lsm',
      `  lsmhooks:
    - hook: file_open
      selectors:
        - matchActions:
            - action: TrackSock
#                     ^^^^^^^^^ error tetragon/action-not-allowed
`,
    ),
  },
  {
    name: 'LSM hook arg index above 4',
    ref: 'TP-ARG-2',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP(
      'lsm',
      `  lsmhooks:
    - hook: file_open
      args:
        - index: 5
#                ^ error tetragon/arg-limits
          type: file
`,
    ),
  },
  {
    name: 'LSM hook with an unknown arg type',
    ref: 'TP-ARG-8',
    owner: 'schema',
    codes: ['schema/enum'],
    text: TP(
      'lsm',
      `  lsmhooks:
    - hook: file_open
      args:
        - index: 0
          type: no_such_type
#               ^^^^^^^^^^^^ error schema/enum
`,
    ),
  },
  {
    name: 'USDT Set on a 1-byte operand',
    ref: 'D8 Set',
    owner: 'binary',
    codes: ['tetragon/usdt-probe'],
    text: TP(
      'usdt',
      `  usdts:
    - path: ${SHOP_PATH}
      provider: shop
      name: order_byte
      args:
        - index: 0
          type: int8
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
#                       ^ error tetragon/usdt-probe 1-byte
              argValue: 1
`,
    ),
  },
  {
    name: 'USDT Set on an 8-byte operand',
    ref: 'D8 Set',
    owner: 'binary',
    codes: ['tetragon/usdt-probe'],
    text: TP(
      'usdt',
      `  usdts:
    - path: ${SHOP_PATH}
      provider: shop
      name: order_quad
      args:
        - index: 0
          type: int64
      selectors:
        - matchActions:
            - action: Set
              argIndex: 0
#                       ^ error tetragon/usdt-probe 8-byte
              argValue: 1
`,
    ),
  },
  {
    name: 'spec: wrong arg type for the kernel function',
    ref: 'TP-ARG-3',
    owner: 'kernel-data',
    codes: ['tetragon/kernel-arg-type'],
    text: TP(
      'lseek',
      `  kprobes:
    - call: vfs_llseek
      syscall: false
      args:
        - index: 0
          type: string
#               ^^^^^^ warning tetragon/kernel-arg-type
`,
    ),
  },
  {
    name: 'spec: arg index beyond what a kprobe can read',
    ref: 'TP-ARG-2 / TP-ARG-3',
    owner: 'tetragon',
    codes: ['tetragon/arg-limits'],
    text: TP(
      'lseek',
      `  kprobes:
    - call: vfs_llseek
      syscall: false
      args:
        - index: 100
#                ^^^ error tetragon/arg-limits
          type: int
`,
    ),
  },
  {
    name: 'spec: no such call (syscall is true by default)',
    ref: 'TP-LOAD-5',
    owner: 'kernel-data',
    codes: ['tetragon/unknown-syscall'],
    text: TP(
      'nosuch',
      `  kprobes:
    - call: this_call_does_not_exist
#           ^^^^^^^^^^^^^^^^^^^^^^^^ error tetragon/unknown-syscall
`,
    ),
  },
  {
    name: 'spec: not a syscall',
    ref: 'TP-KP-2',
    owner: 'kernel-data',
    codes: ['tetragon/unknown-syscall'],
    text: TP(
      'notsys',
      `  kprobes:
    - call: vfs_llseek
#           ^^^^^^^^^^ error tetragon/unknown-syscall not a syscall
      syscall: true
`,
    ),
  },
];

const binarySkip = usdtSkip();

for (const c of CASES) {
  // Cases about the traced binary run against a real one (test/fixtures/usdt/probes.c, compiled).
  const skip = c.owner === 'binary' ? binarySkip : false;
  test(`D10 ${c.ref}: ${c.name}`, { skip }, () => {
    const extras = c.owner === 'binary' ? { binaries: new LocalBinaries(requireUsdtFixture().root) } : {};
    const findings = checkAnnotated(c.text, c.codes, DEFAULT_SETTINGS, extras);
    assert.ok(
      findings.some((f) => c.codes.includes(f.code)),
      'flagged',
    );
  });
}

test('Part D10 summary', () => {
  const flagged = CASES.filter((c) => c.owner !== 'binary' || binarySkip === false);
  const by = (o: Owner) => flagged.filter((c) => c.owner === o).length;
  // Every case we claim is asserted above, at its line.
  for (const c of CASES) assert.ok(c.codes.length > 0, `${c.name} has expectations`);
  const line = `Part D10: ${flagged.length}/${CASES.length} flagged (schema ${by('schema')}, Tetragon rules ${by('tetragon')}, kernel-data rules ${by('kernel-data')}, against a compiled USDT binary ${by('binary')})${binarySkip === false ? '' : `; not run: ${binarySkip}`}`;
  console.log(line);
});
