// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/duplicate-kprobe-call';

test('flags repeated kprobe calls unless kprobe_multi is disabled', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: writes
spec:
  kprobes:
    - call: sys_write
    - call: sys_read
    - call: "sys_write"
#           ^^^^^^^^^^^ warning tetragon/duplicate-kprobe-call kprobe 1
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: writes-ok
spec:
  options:
    - name: disable-kprobe-multi
      value: "1"
  kprobes:
    - call: sys_write
    - call: sys_write
`,
    [ID],
  );
});
