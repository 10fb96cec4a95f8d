// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';

const ID = 'tetragon/kernel-arg-type';
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('a string for an int and an int for a user string are flagged', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_openat
      args:
        - index: 0
          type: string
#               ^^^^^^ warning tetragon/kernel-arg-type an integer
        - index: 1
          type: int
#               ^^^ warning tetragon/kernel-arg-type a user-space pointer
        - index: 2
          type: uint32
`,
    [ID],
  );
});

test('matching types, addresses, resolve and unknown structures are fine', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_openat
      args:
        - index: 0
          type: fd
        - index: 1
          type: string
        - index: 2
          type: int
    - call: sys_write
      args:
        - index: 1
          type: char_buf
          sizeArgIndex: 3
        - index: 2
          type: size_t
    - call: vfs_llseek
      syscall: false
      args:
        - index: 0
          type: file
    - call: security_file_permission
      syscall: false
      args:
        - index: 0
          type: string
          resolve: f_path.dentry.d_name.name
    - call: sys_newfstat
      args:
        - index: 1
          type: string
`,
    [ID],
  );
});

test('a struct pointer read as a string gets a fix to the dedicated type (LSM hooks too)', () => {
  const text = `${head}  lsmhooks:\n    - hook: file_open\n      args:\n        - index: 0\n          type: "string"\n`;
  const f = lintForTest(text).find((x) => x.code === ID)!;
  assert.match(f.message, /struct file \*/);
  assert.equal(applyEdits(text, f.fixes![0]!.edits), text.replace('"string"', '"file"'));
});
