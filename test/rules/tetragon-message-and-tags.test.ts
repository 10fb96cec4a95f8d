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
