// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/action-parameters';

test('flags parameters that do not fit their action', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: params
spec:
  kprobes:
    - call: sys_write
      selectors:
        - matchActions:
            - action: Post
              rateLimit: "1m"
              rateLimitScope: process
              kernelStackTrace: true
            - action: Sigkill
              rateLimit: "5"
#             ^^^^^^^^^ error tetragon/action-parameters only applies to Post
              userStackTrace: true
#             ^^^^^^^^^^^^^^ error tetragon/action-parameters kprobes reject
            - action: Post
              rateLimit: "1 minute"
#                        ^^^^^^^^^^ error tetragon/action-parameters cannot parse
              rateLimitScope: node
#                             ^^^^ error tetragon/action-parameters \`node\`
        - matchActions:
            - action: Signal
#                     ^^^^^^ warning tetragon/action-parameters signal 0
            - action: Signal
              argSig: 99
#                     ^^ warning tetragon/action-parameters 1 to 64
            - action: Override
#                     ^^^^^^^^ warning tetragon/action-parameters argError
        - matchReturnActions:
            - action: GetUrl
#                     ^^^^^^ warning tetragon/action-parameters argUrl
            - action: Post
              rateLimit: "2000h"
#                        ^^^^^^^ error tetragon/action-parameters 32 bits
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: usdt
spec:
  usdts:
    - path: /usr/bin/app
      provider: app
      name: probe
      args:
        - index: 0
          type: int32
      selectors:
        - matchActions:
            - action: Set
              argIndex: 1
#                       ^ error tetragon/action-parameters 1 here
              argValue: 1
        - matchActions:
            - action: Set
              argIndex: 0
              argValue: 1
---
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: uprobe
spec:
  uprobes:
    - path: /bin/bash
      symbols: [readline]
      selectors:
        - matchActions:
            - action: Override
#                     ^^^^^^^^ warning tetragon/action-parameters argRegs
            - action: Override
              argRegs: ["rax=1"]
`,
    [ID],
  );
});
