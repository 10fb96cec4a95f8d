// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/arg-limits';

test('flags a 6th args/data entry, index above 4 and sizeArgIndex above 15', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: limits
spec:
  kprobes:
    - call: sys_write
      args:
        - index: 0
          type: int
        - index: 1
          type: char_buf
          sizeArgIndex: 16
#                       ^^ error tetragon/arg-limits 4 bits
        - index: 2
          type: size_t
        - index: 3
          type: int
        - index: 7
#                ^ error tetragon/arg-limits 0 to 4
          type: int
      data:
        - index: 0
#         ^^^^^ error tetragon/arg-limits has 6
          type: string
          source: current_task
          resolve: comm
`,
    [ID],
  );
});

test('raw tracepoints take index up to 5; plain tracepoint field numbers are not limited here', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: raw
spec:
  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      raw: true
      args:
        - index: 5
          type: uint64
        - index: 6
#                ^ error tetragon/arg-limits raw tracepoint
          type: uint64
    - subsystem: syscalls
      event: sys_enter_lseek
      args:
        - index: 7
          type: auto
`,
    [ID],
  );
});

test('data indexes, LSM and uprobe argument counts (a crash), tracepoint size fields take slots', () => {
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
          type: file
        - index: 0
          type: file
        - index: 0
          type: file
        - index: 0
          type: file
        - index: 0
          type: file
        - index: 0
#         ^^^^^ error tetragon/arg-limits crashes
          type: file
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: data
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      data:
        - index: 4
          type: string
          source: current_task
          resolve: comm
        - index: 5
#                ^ error tetragon/arg-limits \`data\` entries 0 to 4
          type: string
          source: current_task
          resolve: comm
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp
spec:
  tracepoints:
    - subsystem: syscalls
      event: sys_enter_write
      args:
        - index: 5
        - index: 6
          sizeArgIndex: 9
        - index: 6
        - index: 5
        - index: 7
#         ^^^^^ error tetragon/arg-limits size field
    - subsystem: syscalls
      event: sys_enter_read
      args:
        - index: 5
        - index: 6
          sizeArgIndex: 8
        - index: 7
          sizeArgIndex: 30
`,
    [ID],
  );
});
