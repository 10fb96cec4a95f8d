// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';

const ID = 'tetragon/match-values';

test('numbers: parseable, at most 4 for Equal/GT/Mask, ranges well-formed', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: numbers
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 0
          type: int
        - index: 2
          type: uint32
        - index: 3
          type: kernel_cap_t
      selectors:
        - matchArgs:
            - index: 0
              operator: Equal
              values: ["1", "0x10", "0o7", "-3", "0b11"]
#             ^^^^^^ error tetragon/match-values \`InMap\` takes any number
            - index: 2
              operator: Mask
              values: ["0x40", "two"]
#                              ^^^^^ error tetragon/match-values \`two\`
            - index: 2
              operator: InRange
              values: ["1:10", "10:1", "5", "0:5000000000"]
#                              ^^^^^^ error tetragon/match-values empty
#                                      ^^^ error tetragon/match-values min:max
#                                           ^^^^^^^^^^^^^^ error tetragon/match-values 32 bits
            - index: 0
              operator: NotInMap
              values: ["1", "2:3", "list:x", "x"]
#                                            ^^^ error tetragon/match-values
        - matchArgs:
            - index: 3
              operator: Equal
              values: ["CAP_SYS_ADMIN,cap_bpf", "CAP_DAC_OVERRIDE", "CAP_NOPE", "12"]
#                                               ^^^^^^^^^^^^^^^^^^ error tetragon/match-values DAC_OVERRIDE
#                                                                   ^^^^^^^^^^ error tetragon/match-values CAP_NOPE
`,
    [ID],
  );
});

test('network, strings and file types', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: net
spec:
  kprobes:
    - call: tcp_connect
      syscall: false
      args:
        - index: 0
          type: sock
        - index: 1
          type: file
      selectors:
        - matchArgs:
            - index: 0
              operator: DAddr
              values: ["10.0.0.0/8", "::1", "2001:db8::/32", "10.0.0.0/33", "1.2.3", "fe80::1::2", "\${PODCIDR}"]
#                                                            ^^^^^^^^^^^^^ error tetragon/match-values 10.0.0.0/33
#                                                                           ^^^^^^^ error tetragon/match-values
#                                                                                    ^^^^^^^^^^^^ error tetragon/match-values
#                                                                                                  ^^^^^^^^^^^^ information tetragon/match-values placeholder
            - index: 0
              operator: DPort
              values: ["80", "1024:2048", "70000", "9:1"]
#                                         ^^^^^^^ error tetragon/match-values 0–65535
#                                                  ^^^^^ error tetragon/match-values
            - index: 0
              operator: Protocol
              values: ["IPPROTO_TCP", "17", "TCP"]
#                                           ^^^^^ error tetragon/match-values IPPROTO_TCP
            - index: 0
              operator: SPortPriv
              values: ["1"]
#             ^^^^^^ warning tetragon/match-values no values
        - matchArgs:
            - index: 1
              operator: Prefix
              values: ["/etc/", "${'a'.repeat(257)}"]
#                               ${'^'.repeat(259)} error tetragon/match-values 256 bytes
            - index: 1
              operator: Postfix
              values: ["${'é'.repeat(64)}"]
#                      ${'^'.repeat(66)} error tetragon/match-values 128
            - index: 1
              operator: FileType
              values: ["reg", "dir", "symlink"]
#                                    ^^^^^^^^^ error tetragon/match-values symlink
            - index: 1
              operator: CelExpr
              values: ["a", "b"]
#             ^^^^^^ error tetragon/match-values exactly one
`,
    [ID],
  );
});

test('strings take any number of Equal values; unknown types are left alone', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ok
spec:
  tracepoints:
    - subsystem: syscalls
      event: sys_enter_lseek
      args:
        - index: 7
          type: auto
      selectors:
        - matchArgs:
            - index: 7
              operator: Equal
              values: ["1", "2", "3", "4", "5", "x"]
  `,
    [ID],
  );
});

const LONG_EQUAL = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fds
spec:
  kprobes:
    - call: sys_close
      args:
        - index: 0
          type: int
      selectors:
        - matchArgs:
            - index: 0
              operator: "NotEqual" # stdio and a few more
              values: ["0", "1", "2", "3", "4:9"]
`;

test('quick fix: a long NotEqual list becomes NotInMap, keeping quotes and comments', () => {
  // Finding 0 is the range, which NotEqual cannot parse; finding 1 is the count, whose fix solves both.
  assert.equal(applyFix(LONG_EQUAL, ID, undefined, 1), LONG_EQUAL.replace('"NotEqual"', '"NotInMap"'));
  // Equal with a non-number value gets no map fix (InMap would not parse it either).
  const mixed = LONG_EQUAL.replace('"4:9"', '"x"');
  const f = checkAnnotated(mixed, []).filter((x) => x.code === ID && x.message.includes('at most 4'));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.fixes, undefined);
});
