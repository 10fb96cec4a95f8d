// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/arg-type';

test('flags auto on kprobes and syscall64 on kprobes, including data and returnArg', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: types
spec:
  kprobes:
    - call: sys_openat
      return: true
      args:
        - index: 0
          type: auto
#               ^^^^ error tetragon/arg-type infer
        - index: 1
          type: syscall64
#               ^^^^^^^^^ error tetragon/arg-type syscall ids
      returnArg:
        index: 0
        type: "auto"
#             ^^^^^^ error tetragon/arg-type
`,
    [ID],
  );
});

test('flags auto and syscall64 on fentries; both are fine on tracepoints', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fentry
spec:
  fentries:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: auto
#               ^^^^ error tetragon/arg-type
        - index: 1
          type: syscall64
#               ^^^^^^^^^ error tetragon/arg-type syscall ids
`,
    [ID],
  );
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
          type: syscall64
        - index: 5
          type: auto
`,
    [ID],
  );
});

test('an omitted type is auto; LSM hooks and uprobes read it only through resolve', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm
spec:
  lsmhooks:
    - hook: file_open
      args:
        - index: 0
#         ^^^^^ error tetragon/arg-type CRD's default
        - index: 0
          type: auto
          resolve: f_path.dentry
        - index: 0
          type: bpf_cmd
#               ^^^^^^^ error tetragon/arg-type display type
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: up
spec:
  uprobes:
    - path: /bin/bash
      symbols: [readline]
      return: true
      args:
        - index: 0
          type: auto
#               ^^^^ error tetragon/arg-type resolve
      data:
        - index: 0
#         ^^^^^ error tetragon/arg-type pt_regs
          source: pt_regs
          resolve: rax
        - index: 1
          source: current_task
          resolve: pid
      returnArg:
#     ^^^^^^^^^ error tetragon/arg-type return value
        index: 0
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: usdt
spec:
  usdts:
    - path: /usr/bin/app
      provider: app
      name: probe
      args:
        - index: 0
#         ^^^^^ warning tetragon/arg-type out of its events
        - index: 1
          type: int32
`,
    [ID],
  );
});

test('kprobes: an omitted type is refused too; raw tracepoints need a type; const_buf comes from the format', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kp
spec:
  kprobes:
    - call: sys_openat
      args:
        - index: 0
#         ^^^^^ error tetragon/arg-type CRD's default
        - index: 1
          type: bpf_cmd
      returnArg:
        index: 0
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: raw
spec:
  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      raw: true
      args:
        - index: 1
#         ^^^^^ error tetragon/arg-type raw tracepoint
        - index: 2
          type: uint64
    - subsystem: syscalls
      event: sys_enter_read
      args:
        - index: 6
          type: const_buf
#               ^^^^^^^^^ error tetragon/arg-type by hand
        - index: 7
`,
    [ID],
  );
});

test('fentries are checked from Tetragon 1.7, where they appeared', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: fentry
spec:
  fentries:
    - call: security_file_open
      args:
        - index: 0
          type: syscall64
#               ^^^^^^^^^ error tetragon/arg-type fentry refuses
`;
  checkAnnotated(text, [ID]);
});
