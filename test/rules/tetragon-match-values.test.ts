// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated } from '../support/annotations.js';
import { applyFix } from '../support/apply-fix.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/match-values';

test('numbers are read with Go base 0 and the width of the type; at most 4 for Equal/GT/Mask', () => {
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
              values: ["0x40", "1_000", "two", "-1", "4294967296"]
#             ^^^^^^ error tetragon/match-values at most 4
#                                       ^^^^^ error tetragon/match-values \`two\`
#                                              ^^^^ error tetragon/match-values unsigned 32-bit
#                                                    ^^^^^^^^^^^^ error tetragon/match-values does not fit
        - matchArgs:
            - index: 3
              operator: Equal
              values: ["CAP_SYS_ADMIN,cap_bpf", "CAP_DAC_OVERRIDE", "CAP_NOPE", "12"]
#                                               ^^^^^^^^^^^^^^^^^^ error tetragon/match-values DAC_OVERRIDE
#                                                                   ^^^^^^^^^^ error tetragon/match-values CAP_NOPE
            - index: 3
              operator: Mask
              values: ["CAP_SYS_ADMIN", "0x200000"]
            - index: 3
              operator: GT
              values: ["3"]
`,
    [ID],
  );
});

test('InRange: ranges min:max read in base 0; reversed ranges load but never match', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ranges
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 2
          type: uint32
        - index: 3
          type: uint64
      selectors:
        - matchArgs:
            - index: 2
              operator: InRange
              values: ["1:0x10", "10:1", "5", "0:5000000000"]
#                                ^^^^^^ warning tetragon/match-values empty
#                                        ^^^ error tetragon/match-values min:max
#                                             ^^^^^^^^^^^^^^ error tetragon/match-values 32 bits
            - index: 3
              operator: NotInRange
              values: ["0:5000000000"]
`,
    [ID],
  );
});

test('InMap: decimal values and ranges, lists only on tracepoints, huge ranges warned', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: maps
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 0
          type: int
        - index: 1
          type: uint32
      selectors:
        - matchArgs:
            - index: 0
              operator: NotInMap
              values: ["1", "2:3", "9:4", "list:x", "x", "0x10"]
#                                         ^^^^^^^^ error tetragon/match-values tracepoint
#                                                   ^^^ error tetragon/match-values
#                                                        ^^^^^^ error tetragon/match-values no \`0x\`
            - index: 1
              operator: InMap
              values: ["1000:4294967295", "1:2:3"]
#                      ^^^^^^^^^^^^^^^^^ warning tetragon/match-values one by one
#                                         ^^^^^^^ error tetragon/match-values low:high
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp-lists
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
        - index: 5
          type: uint64
      selectors:
        - matchArgs:
            - index: 4
              operator: InMap
              values: ["list:dups"]
            - index: 5
              operator: InMap
              values: ["list:dups"]
#                      ^^^^^^^^^^^ error tetragon/match-values \`syscall64\`
`,
    [ID],
  );
});

test('network values: unsigned decimal ports without a 65535 check, exact names, netip addresses', () => {
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
      selectors:
        - matchArgs:
            - index: 0
              operator: DAddr
              values: ["10.0.0.0/8", "::1", "2001:db8::/32", "10.0.0.0/33", "1.2.3", "fe80::1::2", "10.0.0.0/08", "\${PODCIDR}"]
#                                                            ^^^^^^^^^^^^^ error tetragon/match-values 10.0.0.0/33
#                                                                           ^^^^^^^ error tetragon/match-values
#                                                                                    ^^^^^^^^^^^^ error tetragon/match-values
#                                                                                                  ^^^^^^^^^^^^^ error tetragon/match-values
#                                                                                                                 ^^^^^^^^^^^^ information tetragon/match-values placeholder
            - index: 0
              operator: DPort
              values: ["80", "1024:2048", "70000", "9:1", "0x50"]
#                                         ^^^^^^^ warning tetragon/match-values never matches
#                                                         ^^^^^^ error tetragon/match-values
            - index: 0
              operator: Protocol
              values: ["IPPROTO_TCP", "17", "TCP", "ipproto_udp"]
#                                           ^^^^^ error tetragon/match-values IPPROTO_TCP
#                                                  ^^^^^^^^^^^^^ error tetragon/match-values spelt exactly
            - index: 0
              operator: SPortPriv
              values: ["1"]
#             ^^^^^^ warning tetragon/match-values no values
        - matchArgs:
            - index: 0
              operator: Family
              values: ["AF_INET", "AF_INET6", "10", "af_inet"]
#                                                   ^^^^^^^^^ error tetragon/match-values
            - index: 0
              operator: State
              values: ["TCP_ESTABLISHED", "1:3"]
`,
    [ID],
  );
});

/** An annotation line with carets under `needle` (the `nth` occurrence) of `line`. */
function under(line: string, needle: string, rest: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = line.indexOf(needle, at + 1);
  assert.ok(at > 0, `${needle} in ${line}`);
  return `#${' '.repeat(at - 1)}${'^'.repeat(needle.length)} ${rest}`;
}

test('strings: byte limits, NUL trimming, empty Postfix, file types, CelExpr', () => {
  const prefix = `              values: ["/etc/", "${'é'.repeat(128)}", "${'a'.repeat(257)}"]`;
  const postfix = `              values: ["${'é'.repeat(64)}", ""]`;
  const equal = `              values: ["ok", "${'x'.repeat(4097)}", "${'y'.repeat(600)}", "\\0"]`;
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: strings
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: file
        - index: 1
          type: string
        - index: 2
          type: char_buf
      selectors:
        - matchArgs:
            - index: 0
              operator: Prefix
${prefix}
${under(prefix, `"${'a'.repeat(257)}"`, 'error tetragon/match-values 256 bytes')}
            - index: 0
              operator: Postfix
${postfix}
${under(postfix, `"${'é'.repeat(64)}"`, 'error tetragon/match-values 127')}
${under(postfix, '""', 'error tetragon/match-values crash')}
            - index: 2
              operator: Postfix
              values: [""]
            - index: 0
              operator: FileType
              values: ["reg", "dir", "symlink", "REG"]
#                                    ^^^^^^^^^ error tetragon/match-values symlink
#                                               ^^^^^ error tetragon/match-values lower case
            - index: 0
              operator: CelExpr
              values: ["a", "b"]
#             ^^^^^^ error tetragon/match-values exactly one
        - matchArgs:
            - index: 1
              operator: Equal
${equal}
${under(equal, `"${'x'.repeat(4097)}"`, 'error tetragon/match-values 4096 bytes')}
${under(equal, `"${'y'.repeat(600)}"`, 'warning tetragon/match-values 5.11')}
${under(equal, '"\\0"', 'error tetragon/match-values crash')}
`,
    [ID],
  );
});

test('SubString: under 100 bytes per value, at most 100 values per hook over all its selectors', () => {
  const vals = (n: number, from: number) => Array.from({ length: n }, (_, i) => `"s${from + i}"`).join(', ');
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: substrings
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: file
        - index: 1
          type: int
      selectors:
        - matchArgs:
            - index: 0
              operator: SubString
              values: [${vals(60, 0)}]
        - matchArgs:
            - index: 0
              operator: SubStringIgnCase
              values: [${vals(40, 60)}, "x", "${'z'.repeat(100)}"]
        - matchArgs:
            - index: 1
              operator: SubString
              values: [${vals(5, 200)}]
`;
  const line = text.split('\n').find((l) => l.includes('"x"'))!;
  const at = (needle: string) => ' '.repeat(line.indexOf(needle) - 1);
  checkAnnotated(
    text.replace(
      line,
      `${line}\n#${at('"x"')}^^^ error tetragon/match-values number 101\n#${at('"zz')}${'^'.repeat(102)} error tetragon/match-values 100 bytes`,
    ),
    [ID],
  );
});

test('strings take any number of Equal values; unknown types only get what no type accepts', () => {
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
            - index: 7
              operator: GT
              values: ["ten"]
#                      ^^^^^ error tetragon/match-values
  `,
    [ID],
  );
});

test('return filters are read only when the hook reads its return value', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: returns
spec:
  kprobes:
    - call: sys_openat
      returnArg:
        index: 0
        type: int
      selectors:
        - matchReturnArgs:
            - index: 0
              operator: Equal
              values: ["x"]
    - call: sys_close
      return: true
      returnArg:
        index: 0
        type: int
      selectors:
        - matchReturnArgs:
            - index: 0
              operator: Equal
              values: ["x"]
#                      ^^^ error tetragon/match-values
`,
    [ID],
  );
});

test('older releases: Tetragon 1.5 does not read 0x; 1.6 has no 8-bit InRange', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: old
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 0
          type: int
      selectors:
        - matchArgs:
            - index: 0
              operator: Equal
              values: ["0x10", "010"]
`;
  checkAnnotated(text, [ID]);
  checkAnnotated(
    text.replace(
      'values: ["0x10", "010"]',
      'values: ["0x10", "010"]\n#                      ^^^^^^ error tetragon/match-values 0x',
    ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.5' }),
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
  // Equal with a non-number value gets no map fix (InMap would not parse it either), nor with 0x.
  for (const bad of ['"x"', '"0x9"']) {
    const mixed = LONG_EQUAL.replace('"4:9"', bad);
    const f = checkAnnotated(mixed, []).filter((x) => x.code === ID && x.message.includes('at most 4'));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.fixes, undefined);
  }
});
