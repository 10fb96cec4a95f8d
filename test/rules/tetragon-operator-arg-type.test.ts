// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/operator-arg-type';

test('flags operators the argument type does not support', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ops
spec:
  kprobes:
    - call: tcp_connect
      syscall: false
      return: true
      args:
        - index: 0
          type: int
        - index: 1
          type: string
        - index: 2
          type: sockaddr
        - index: 3
          type: file
      returnArg:
        index: 0
        type: sock
      selectors:
        - matchArgs:
            - index: 0
              operator: DAddr
#                       ^^^^^ error tetragon/operator-arg-type argument 0 of type \`int\`
              values: ["10.0.0.0/8"]
            - index: 1
              operator: GT
#                       ^^ error tetragon/operator-arg-type
              values: ["1"]
            - index: 3
              operator: Prefix
              values: ["/etc/"]
        - matchArgs:
            - index: 0
              operator: Prefix
#                       ^^^^^^ warning tetragon/operator-arg-type not match
              values: ["1"]
            - index: 2
              operator: DPort
#                       ^^^^^ error tetragon/operator-arg-type
              values: ["80"]
            - index: 2
              operator: SPort
              values: ["80"]
            - index: 1
              operator: FileType
#                       ^^^^^^^^ error tetragon/operator-arg-type
              values: ["reg"]
        - matchReturnArgs:
            - index: 0
              operator: Equal
#                       ^^^^^ error tetragon/operator-arg-type return value
              values: ["0"]
`,
    [ID],
  );
});

test('CapabilitiesGained needs two capability positions; auto and unknown arguments are skipped', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: caps
spec:
  kprobes:
    - call: commit_creds
      syscall: false
      args:
        - index: 0
          type: cred
        - index: 1
          type: kernel_cap_t
        - index: 2
          type: int
      selectors:
        - matchArgs:
            - args: [1, 2]
#                       ^ error tetragon/operator-arg-type position 2 has type \`int\`
              operator: CapabilitiesGained
        - matchArgs:
            - args: [1]
#             ^^^^ error tetragon/operator-arg-type exactly two
              operator: CapabilitiesGained
        - matchArgs:
            - index: 4
              operator: Mask
              values: ["1"]
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: caps-ok
spec:
  kprobes:
    - call: commit_creds
      syscall: false
      args:
        - index: 0
          type: cred
        - index: 1
          type: kernel_cap_t
        - index: 2
          type: cap_effective
      selectors:
        - matchArgs:
            - args: [1, 2]
              operator: CapabilitiesGained
`,
    [ID],
  );
});

test('capability sets take Mask, GT and LT; bpf_cmd and unsupported types are refused', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: caps-and-bpf
spec:
  kprobes:
    - call: sys_bpf
      args:
        - index: 0
          type: bpf_cmd
        - index: 1
          type: cap_effective
        - index: 2
          type: cred
        - index: 3
          type: net_device
      selectors:
        - matchArgs:
            - index: 0
              operator: Equal
#                       ^^^^^ error tetragon/operator-arg-type only changes how events print
              values: ["5"]
            - index: 0
              operator: Prefix
#                       ^^^^^^ warning tetragon/operator-arg-type not match
              values: ["5"]
            - index: 1
              operator: Mask
              values: ["CAP_SYS_ADMIN"]
            - index: 1
              operator: GT
              values: ["0"]
            - index: 1
              operator: InMap
#                       ^^^^^ error tetragon/operator-arg-type integers
              values: ["1"]
        - matchArgs:
            - index: 2
              operator: Equal
#                       ^^^^^ error tetragon/operator-arg-type \`cred\`
              values: ["1"]
            - index: 3
              operator: Equal
              values: ["eth0"]
            - index: 3
              operator: GT
#                       ^^ error tetragon/operator-arg-type
              values: ["1"]
`,
    [ID],
  );
});

test('sockaddr_un takes Family and string operators; SubString types follow the release', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: unix
spec:
  kprobes:
    - call: security_unix_stream_connect
      syscall: false
      args:
        - index: 0
          type: sockaddr_un
        - index: 1
          type: file
      selectors:
        - matchArgs:
            - index: 0
              operator: Family
              values: ["AF_UNIX"]
            - index: 0
              operator: Equal
              values: ["/run/x.sock"]
            - index: 0
              operator: DPort
#                       ^^^^^ error tetragon/operator-arg-type \`sockaddr_un\`
              values: ["1"]
            - index: 1
              operator: SubString
              values: ["etc"]
`;
  checkAnnotated(text, [ID]);
  checkAnnotated(
    text.replace(
      '              operator: SubString\n',
      '              operator: SubString\n#                       ^^^^^^^^^ warning tetragon/operator-arg-type 1.7\n',
    ),
    [ID],
    normalizeSettings({ tetragonVersion: '1.7' }),
  );
});

test('tracepoints: the field number is rewritten to a position the way the agent does it', () => {
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
          type: int64
        - index: 5
          type: string
      selectors:
        - matchArgs:
            - index: 4
              operator: GT
              values: ["1"]
            - index: 1
              operator: GT
#                       ^^ error tetragon/operator-arg-type \`string\`
              values: ["1"]
`,
    [ID],
  );
});
