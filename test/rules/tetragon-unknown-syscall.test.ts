// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkAnnotated, lintForTest } from '../support/annotations.js';
import { applyEdits } from '../../server/src/core/yaml-edits.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';

const ID = 'tetragon/unknown-syscall';
const ARM64 = { ...DEFAULT_SETTINGS, tetragonKernelArch: 'arm64' as const };
const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

test('an unknown syscall is an error with suggestions', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_opn
#           ^^^^^^^ error tetragon/unknown-syscall Did you mean \`sys_open\`, \`sys_openat\`
    - call: "thiscalldoesnotexist"
#           ^^^^^^^^^^^^^^^^^^^^^^ error tetragon/unknown-syscall If it is a kernel function
`,
    [ID],
  );
});

test('the quick fix puts in the best suggestion and keeps the quotes', () => {
  const text = `${head}  kprobes:\n    - call: "sys_opn"\n`;
  const f = lintForTest(text).find((x) => x.code === ID)!;
  assert.equal(applyEdits(text, f.fixes![0]!.edits), `${head}  kprobes:\n    - call: "sys_open"\n`);
  assert.equal(f.fixes![0]!.preferred, true);
});

test('a kernel function probed as a syscall: advice and a fix to set syscall: false', () => {
  const text = `${head}  kprobes:\n    - call: vfs_llseek\n      syscall: true\n`;
  const f = lintForTest(text).find((x) => x.code === ID)!;
  assert.match(f.message, /kernel function/);
  assert.equal(
    applyEdits(text, f.fixes![0]!.edits),
    `${head}  kprobes:\n    - call: vfs_llseek\n      syscall: false\n`,
  );
});

test('arch prefixes, wrapper prefixes and syscall: false', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: __x64_sys_openat
    - call: sys_lseek
    - call: __se_sys_read
    - call: __arm64_sys_read
#           ^^^^^^^^^^^^^^^^ error tetragon/unknown-syscall arm64 prefix
    - call: sys_fstat
#           ^^^^^^^^^ error tetragon/unknown-syscall sys_newfstat
    - call: open
#           ^^^^ error tetragon/unknown-syscall \`sys_open\`
    - call: some_kernel_function
      syscall: false
`,
    [ID],
  );
});

test('kernelArch arm64: sys_open does not exist there', () => {
  checkAnnotated(
    `${head}  kprobes:
    - call: sys_open
#           ^^^^^^^^ error tetragon/unknown-syscall exists on x86_64 but not on arm64
    - call: sys_openat
    - call: __arm64_sys_read
`,
    [ID],
    ARM64,
  );
});

test('list:NAME calls are checked through the list values, and enforcer calls too', () => {
  checkAnnotated(
    `${head}  lists:
    - name: dups
      type: syscalls
      values:
        - sys_dup
        - sys_dupp
#         ^^^^^^^^ error tetragon/unknown-syscall \`sys_dup\`
        - __ia32_sys_dup
    - name: others
      type: generated_ftrace
      pattern: "^ksys_*"
  enforcers:
    - calls:
        - list:dups
        - sys_kil
#         ^^^^^^^ error tetragon/unknown-syscall \`sys_kill\`
  kprobes:
    - call: list:dups
`,
    [ID],
  );
});

test('ignore.callNotFound makes a missing syscall a warning; enforcers take security_ functions too', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: skip
spec:
  enforcers:
    - calls:
        - sys_write
        - security_file_open
        - vfs_write
#         ^^^^^^^^^ error tetragon/unknown-syscall neither
  kprobes:
    - call: sys_opn
#           ^^^^^^^ warning tetragon/unknown-syscall callNotFound
      ignore:
        callNotFound: true
    - call: sys_opn
#           ^^^^^^^ error tetragon/unknown-syscall
`,
    [ID],
  );
});

test('syscall list values may name an ABI, as the agent reads them', () => {
  checkAnnotated(
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: abis
spec:
  lists:
    - name: dups
      type: syscalls
      values: ["sys_dup", "i386/sys_dup", "__ia32_sys_dup", "x64/sys_dup", "__x64_sys_dup", "x64/sys_dupp", "arm64/sys_dup", "mips/sys_dup", "i386/__arm64_sys_dup"]
#                                                                                           ^^^^^^^^^^^^^^ error tetragon/unknown-syscall sys_dup
#                                                                                                           ^^^^^^^^^^^^^^^ error tetragon/unknown-syscall arm64 ABI
#                                                                                                                            ^^^^^^^^^^^^^^ error tetragon/unknown-syscall ABI the agent knows
#                                                                                                                                            ^^^^^^^^^^^^^^^^^^^^^^ error tetragon/unknown-syscall prefix
  kprobes:
    - call: "list:dups"
`,
    [ID],
  );
});
