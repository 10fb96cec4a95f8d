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

test('flags auto on fentries; syscall64 is fine there and auto is fine on tracepoints', () => {
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
