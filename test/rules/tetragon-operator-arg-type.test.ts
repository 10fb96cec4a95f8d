// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

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
