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
      return: true
      returnArg:
        index: 0
        type: int
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
#             ^^^^^^^^^^^^^^ error tetragon/action-parameters for kprobes
            - action: Post
              rateLimit: "1 minute"
#                        ^^^^^^^^^^ error tetragon/action-parameters decimal number
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
#                        ^^^^^^^ warning tetragon/action-parameters clamps
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
        - matchActions:
            - action: Override
              argRegs: ["rax=1"]
        - matchActions:
            - action: Override
              argError: 123
            - action: Override
#                     ^^^^^^^^ error tetragon/action-parameters one Override
              argError: 124
`,
    [ID],
  );
});

test('rate limits: units in either case, 32-bit numbers, scopes read only with a rate limit', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: rates
spec:
  fentries:
    - call: vfs_read
      selectors:
        - matchActions:
            - action: Post
              rateLimit: "10M"
              rateLimitScope: global
            - action: Post
              rateLimit: "4294967296"
#                        ^^^^^^^^^^^^ error tetragon/action-parameters 32 bits
            - action: Post
              rateLimitScope: process
#             ^^^^^^^^^^^^^^ warning tetragon/action-parameters ignores
        - matchActions:
            - action: Post
              rateLimit: "5H"
              rateLimitScope: Process
#                             ^^^^^^^ error tetragon/action-parameters lower case
            - action: NoPost
              kernelStackTrace: true
#             ^^^^^^^^^^^^^^^^ error tetragon/action-parameters for fentries
        - matchReturnActions:
            - action: Post
              rateLimit: "soon"
  tracepoints: []
`,
    [ID],
  );
});
