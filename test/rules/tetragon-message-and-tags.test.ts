// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import { checkAnnotated } from '../support/annotations.js';

const ID = 'tetragon/message-and-tags';

test('flags short messages and tags, warns about long ones', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: tagged
spec:
  kprobes:
    - call: sys_write
      message: "!"
#              ^^^ error tetragon/message-and-tags at least 2
      tags: ["ok", "", "${'t'.repeat(129)}"]
#                  ^^ error tetragon/message-and-tags empty
#                      ${'^'.repeat(131)} warning tetragon/message-and-tags 128
    - call: sys_read
      message: "${'m'.repeat(257)}"
#              ${'^'.repeat(259)} warning tetragon/message-and-tags 256
`,
    [ID],
  );
});

test('lengths are bytes of UTF-8; an empty message is accepted', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: bytes
spec:
  lsmhooks:
    - hook: file_open
      message: ""
      tags: ["é", "ü${'€'.repeat(42)}", "${'€'.repeat(43)}"]
#${' '.repeat(64)}${'^'.repeat(45)} warning tetragon/message-and-tags 128 bytes
    - hook: bprm_check_security
      message: "${'é'.repeat(129)}"
#              ${'^'.repeat(131)} warning tetragon/message-and-tags 256 bytes
    - hook: file_permission
      message: "é"
`,
    [ID],
  );
});
