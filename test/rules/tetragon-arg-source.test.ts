// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/arg-source';

test('flags source on args, missing/unknown source and resolve on data, bad and deep paths', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: sources
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: file
          source: current_task
#         ^^^^^^ error tetragon/arg-source Move the entry
      data:
        - index: 0
#         ^^^^^ error tetragon/arg-source source: current_task
          type: string
          resolve: comm
        - index: 1
#         ^^^^^ error tetragon/arg-source non-empty
          type: string
          source: registers
#                 ^^^^^^^^^ error tetragon/arg-source registers
        - index: 2
          type: string
          source: current_task
          resolve: "mm..owner"
#                      ^ error tetragon/arg-source right after another
        - index: 3
          type: string
          source: current_task
          resolve: a.b.c.d.e.f.g.h.i.j.k
#                  ^^^^^^^^^^^^^^^^^^^^^ error tetragon/arg-source 11
`,
    [ID],
  );
});

test('well-formed data entries are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ok
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      args:
        - index: 0
          type: file
      data:
        - index: 0
          type: string
          source: current_task
          resolve: "mm.owner.real_parent.real_parent.comm"
        - index: 1
          type: uint64
          source: pt_regs
          resolve: "rax"
        - index: 2
          type: string
          source: current_task
          resolve: "[0].mm.owner.comm"
`,
    [ID],
  );
});

test('resolve paths are cut as the agent does: every [N] is a step, names are identifiers', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: paths
spec:
  kprobes:
    - call: security_bprm_check
      syscall: false
      args:
        - index: 0
          type: string
          resolve: "[0]"
        - index: 1
          type: string
          resolve: "a[0][1][2][3][4].b[5][6][7].c"
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error tetragon/arg-source has 11
        - index: 2
          type: int
          resolve: "file.f-path"
#                        ^^^^^^ error tetragon/arg-source C identifiers
        - index: 3
          type: int
          resolve: "file[x]"
#                       ^^^ error tetragon/arg-source decimal
        - index: 4
          type: int
          resolve: "."
#                  ^^^ error tetragon/arg-source crashes
      data:
        - index: 0
          type: uint64
          source: pt_regs
          resolve: x0
#                  ^^ error tetragon/arg-source x86_64
`,
    [ID],
  );
});

test('args sources: refused on kprobes, fentries and uprobes, ignored on tracepoints and USDTs; uprobe BTF', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp
spec:
  tracepoints:
    - subsystem: sched
      event: sched_process_exec
      args:
        - index: 0
          source: current_task
#         ^^^^^^ warning tetragon/arg-source ignores
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: up
spec:
  uprobes:
    - path: /usr/bin/app
      symbols: [handle]
      args:
        - index: 0
          type: int
          resolve: "req.id"
#         ^^^^^^^ error tetragon/arg-source \`btfPath\` and \`btfType\`
        - index: 1
          type: int
          source: pt_regs
#         ^^^^^^ error tetragon/arg-source uprobe
`,
    [ID],
  );
});

test('on arm64 the pt_regs registers are x0-x31, w0-w30, sp and pc', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: regs
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      data:
        - index: 0
          type: uint64
          source: pt_regs
          resolve: x0
        - index: 1
          type: uint64
          source: pt_regs
          resolve: rax
#                  ^^^ error tetragon/arg-source arm64
`,
    [ID],
    normalizeSettings({ tetragon: { kernelArch: 'arm64' } }),
  );
});

test('Tetragon 1.6 splits resolve on dots only and has no pt_regs source', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: old
spec:
  kprobes:
    - call: security_file_open
      syscall: false
      data:
        - index: 0
          type: string
          source: current_task
          resolve: "mm.arr[0]"
#                         ^^^ error tetragon/arg-source 1.7
        - index: 1
          type: uint64
          source: pt_regs
#                 ^^^^^^^ error tetragon/arg-source before Tetragon 1.7
          resolve: rax
`,
    [ID],
    normalizeSettings({ tetragonVersion: '1.6' }),
  );
});
