// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

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
