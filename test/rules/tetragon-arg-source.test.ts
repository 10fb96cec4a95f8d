// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

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
#                      ^ error tetragon/arg-source step 2
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
          resolve: "regs[2]"
`,
    [ID],
  );
});
