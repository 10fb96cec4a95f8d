// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/one-hook-section';

test('flags every hook section after the first', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: mixed
  namespace: apps
spec:
  lsmhooks:
    - hook: file_open
  kprobes:
# ^^^^^^^ error tetragon/one-hook-section lsmhooks
    - call: sys_write
  fentries: []
  uprobes:
# ^^^^^^^ error tetragon/one-hook-section
    - path: /bin/bash
      symbols: [readline]
`,
    [ID],
  );
});

test('one section, or empty extra sections, are fine', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ok
spec:
  tracepoints:
    - subsystem: syscalls
      event: sys_enter_write
  kprobes: []
`,
    [ID],
  );
});
