// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';
import { normalizeSettings } from '../../server/src/settings.js';

const ID = 'tetragon/selector-macros';

test('flags unknown macros, nested macros and fields set twice', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: macros
spec:
  selectorsMacros:
    notSudo:
      matchBinaries:
        - operator: NotIn
          values: [/usr/bin/sudo]
    alsoBinaries:
      matchBinaries:
        - operator: In
          values: [/usr/bin/bash]
    post:
      macros: [notSudo]
#     ^^^^^^ error tetragon/selector-macros nest
      matchActions:
        - action: Post
  kprobes:
    - call: sys_write
      selectors:
        - macros: [notSudo, notsudo2, alsoBinaries]
#                           ^^^^^^^^ error tetragon/selector-macros Did you mean \`notSudo\`
#                                     ^^^^^^^^^^^^ error tetragon/selector-macros macro \`notSudo\` already
        - macros: [notSudo]
#                  ^^^^^^^ error tetragon/selector-macros the selector already
          matchBinaries:
            - operator: In
              values: [/usr/bin/bash]
        - macros: [notSudo, post]
          matchArgs:
            - index: 0
              operator: Equal
              values: ["1"]
`,
    [ID],
  );
});

test('nesting is refused only when the nesting macro is used; empty lists collide with nothing', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: macros
spec:
  selectorsMacros:
    base:
      matchBinaries:
        - operator: NotIn
          values: [/usr/bin/sudo]
    unusedNesting:
      macros: [base]
    emptyNesting:
      macros: []
      matchActions:
        - action: Post
    workloads:
      matchWorkloads:
        podSelector:
          matchLabels:
            app: web
  kprobes:
    - call: sys_write
      selectors:
        - macros: [base, emptyNesting]
          matchBinaries: []
          matchActions: []
        - macros: [workloads]
#                  ^^^^^^^^^ warning tetragon/selector-macros matchWorkloads
`,
    [ID],
  );
});

test('before Tetragon 1.7 macros do not exist and are left to the schema', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: macros
spec:
  kprobes:
    - call: sys_write
      selectors:
        - macros: [nowhere]
`,
    [ID],
    normalizeSettings({ tetragonVersion: '1.6' }),
  );
});
