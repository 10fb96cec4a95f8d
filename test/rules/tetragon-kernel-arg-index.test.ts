// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/kernel-arg-index';
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('an index past a syscall signature reads garbage: the agent logs it and loads', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_lseek
      args:
        - index: 2
          type: int
        - index: 3
#                ^ warning tetragon/kernel-arg-index indexes 0–2
          type: int
        - index: 7
          type: int
`,
    [ID],
  );
});

test('kernel functions and LSM hooks get a warning, unless the LSM argument is resolved', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: vfs_llseek
      syscall: false
      args:
        - index: 3
#                ^ warning tetragon/kernel-arg-index vfs_llseek
          type: int
    - call: not_a_function_we_know
      syscall: false
      args:
        - index: 4
          type: int
`,
    [ID],
  );
  checkAnnotated(
    `${head}  lsmhooks:
    - hook: file_open
      args:
        - index: 1
#                ^ warning tetragon/kernel-arg-index The LSM hook \`file_open\` takes 1 argument
          type: file
        - index: 2
#                ^ error tetragon/kernel-arg-index walks \`resolve\`
          type: string
          resolve: f_path.dentry
        - index: 0
          type: string
          resolve: f_path.dentry
`,
    [ID],
  );
});

test('a syscall tracepoint has a fixed list of fields, and the agent refuses an index past them', () => {
  checkAnnotated(
    `${head}  tracepoints:
    - subsystem: syscalls
      event: sys_enter_lseek
      args:
        - index: 7
          type: int
        - index: 8
#                ^ error tetragon/kernel-arg-index no field 8
          type: int
`,
    [ID],
  );
});
