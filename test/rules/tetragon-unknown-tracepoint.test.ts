// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/unknown-tracepoint';
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('unknown events of covered subsystems are warnings; known subsystems we do not list are not judged; unknown subsystem names are', () => {
  checkAnnotated(
    `${head}  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
    - subsystem: syscalls
      event: sys_enter_lseek
    - subsystem: sched
      event: sched_process_exec
    - subsystem: sched
      event: sched_process_exex
#            ^^^^^^^^^^^^^^^^^^ warning tetragon/unknown-tracepoint Did you mean \`sched_process_exec\`
    - subsystem: syscalls
      event: sys_enter_fstat
#            ^^^^^^^^^^^^^^^ warning tetragon/unknown-tracepoint sys_enter_newfstat
    - subsystem: block
      event: block_rq_issue_anything
    - subsystem: schde
#                ^^^^^ warning tetragon/unknown-tracepoint Did you mean \`sched\`
      event: sched_process_exec
`,
    [ID],
  );
});
