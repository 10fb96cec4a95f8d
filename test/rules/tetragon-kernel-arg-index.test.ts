// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/kernel-arg-index';
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('an index past a syscall signature is an error', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_lseek
      args:
        - index: 2
          type: int
        - index: 3
#                ^ error tetragon/kernel-arg-index indexes 0–2
          type: int
`,
    [ID],
  );
});

test('kernel functions get a warning, LSM hooks an error, unknown functions nothing', () => {
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
#                ^ error tetragon/kernel-arg-index The LSM hook \`file_open\` takes 1 argument
          type: file
`,
    [ID],
  );
});
