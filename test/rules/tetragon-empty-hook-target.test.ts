// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/empty-hook-target';

test('flags empty attach targets', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tp
spec:
  tracepoints:
    - subsystem: ""
#                ^^ error tetragon/empty-hook-target \`subsystem\`
      event: sys_enter
    - subsystem: syscalls
      event: " "
#            ^^^ error tetragon/empty-hook-target \`event\`
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lsm
spec:
  lsmhooks:
    - hook: ''
#           ^^ error tetragon/empty-hook-target LSM hook
    - hook: file_open
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: usdt
spec:
  usdts:
    - path: /usr/bin/app
      provider: ""
#               ^^ error tetragon/empty-hook-target
      name: probe
`,
    [ID],
  );
});

test('a kprobe that ignores missing calls skips an empty call instead of failing', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: skip
spec:
  kprobes:
    - call: ""
#           ^^ warning tetragon/empty-hook-target skips it
      ignore:
        callNotFound: true
    - call: " "
#           ^^^ error tetragon/empty-hook-target refuses
    - call: sys_write
`,
    [ID],
  );
});
