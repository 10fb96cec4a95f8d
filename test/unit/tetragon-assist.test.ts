// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { tetragonCompletions, tetragonHover } from '../../server/src/core/tetragon-assist.js';
import type { KernelArch } from '../../server/src/core/kernel/index.js';

const head = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n';

/** Parses a policy with a `|` cursor marker and runs `fn` at the marker. */
function at<T>(body: string, fn: typeof tetragonCompletions | typeof tetragonHover, arch: KernelArch = 'x86_64'): T {
  const marked = head + body;
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const file = parseFile(text);
  return fn(file, file.documents[0]!, offset, arch) as T;
}
type C = ReturnType<typeof tetragonCompletions>;
const labels = (c: C): string[] => (c ? c.items.map((i) => i.label) : []);

test('syscall names after call: for syscall kprobes, per architecture, with signatures', () => {
  const c = at<C>('  kprobes:\n    - call: sys_op|\n', tetragonCompletions);
  assert.ok(labels(c).includes('sys_openat') && labels(c).includes('sys_open'));
  assert.match(c!.items.find((i) => i.label === 'sys_lseek')!.documentation!, /0: unsigned int fd/);
  assert.ok(c!.replaceSpan, 'replaces the typed text');
  assert.ok(!labels(at<C>('  kprobes:\n    - call: |\n', tetragonCompletions, 'arm64')).includes('sys_open'));
  assert.equal(at<C>('  kprobes:\n    - call: |\n      syscall: false\n', tetragonCompletions), undefined);
});

test('LSM hooks, tracepoint subsystems and events', () => {
  assert.ok(labels(at<C>('  lsmhooks:\n    - hook: |\n', tetragonCompletions)).includes('file_open'));
  assert.ok(labels(at<C>('  tracepoints:\n    - subsystem: |\n', tetragonCompletions)).includes('sched'));
  const ev = labels(at<C>('  tracepoints:\n    - subsystem: sched\n      event: |\n', tetragonCompletions));
  assert.ok(ev.includes('sched_process_exec') && !ev.includes('sys_enter'));
});

test('argument types, the ones fitting the parameter first', () => {
  const c = labels(
    at<C>(
      '  kprobes:\n    - call: sys_openat\n      args:\n        - index: 1\n          type: |\n',
      tetragonCompletions,
    ),
  );
  assert.equal(c[0], 'string');
  const f = labels(
    at<C>(
      '  kprobes:\n    - call: vfs_llseek\n      syscall: false\n      args:\n        - index: 0\n          type: |\n',
      tetragonCompletions,
    ),
  );
  assert.equal(f[0], 'file');
  assert.ok(f.includes('int'));
});

test('operators fit the argument type', () => {
  const base =
    '  kprobes:\n    - call: sys_openat\n      args:\n        - index: 1\n          type: string\n        - index: 2\n          type: int\n      selectors:\n        - matchArgs:\n            - index: ';
  const str = labels(at<C>(`${base}1\n              operator: |\n`, tetragonCompletions));
  assert.ok(str.includes('Prefix') && str.includes('Equal') && !str.includes('Mask') && !str.includes('DPort'));
  const num = labels(at<C>(`${base}2\n              operator: |\n`, tetragonCompletions));
  assert.ok(num.includes('Mask') && num.includes('InRange') && !num.includes('Prefix'));
});

test('actions fit the hook; signals come with names', () => {
  const lsm = labels(
    at<C>(
      '  lsmhooks:\n    - hook: file_open\n      selectors:\n        - matchActions:\n            - action: |\n',
      tetragonCompletions,
    ),
  );
  assert.deepEqual(lsm, ['Post', 'NoPost', 'Sigkill', 'Signal', 'Override']);
  const kp = labels(
    at<C>(
      '  kprobes:\n    - call: tcp_connect\n      syscall: false\n      selectors:\n        - matchActions:\n            - action: |\n',
      tetragonCompletions,
    ),
  );
  assert.ok(!kp.includes('Override') && !kp.includes('NotifyEnforcer') && kp.includes('GetUrl'));
  const sig = at<C>(
    '  kprobes:\n    - call: sys_kill\n      selectors:\n        - matchActions:\n            - action: Signal\n              argSig: |\n',
    tetragonCompletions,
  );
  assert.equal(sig!.items.find((i) => i.label === '9')!.detail, 'SIGKILL');
});

test('hover: syscall signature with indexes, kernel functions, unknown calls, operators', () => {
  const h = at<string>('  kprobes:\n    - call: sys_ls|eek\n', tetragonHover)!;
  assert.match(h, /syscall 8/);
  assert.match(h, /0: unsigned int fd, 1: off_t offset, 2: unsigned int whence/);
  assert.match(at<string>('  kprobes:\n    - call: sys_ls|eek\n', tetragonHover, 'arm64')!, /syscall 62\*\* on arm64/);
  assert.match(
    at<string>('  kprobes:\n    - call: vfs_ll|seek\n      syscall: false\n', tetragonHover)!,
    /struct file \*file/,
  );
  assert.match(
    at<string>('  kprobes:\n    - call: my_dri|ver_fn\n      syscall: false\n', tetragonHover)!,
    /ignore: \{ callNotFound: true \}/,
  );
  assert.match(at<string>('  lsmhooks:\n    - hook: file_op|en\n', tetragonHover)!, /bpf_lsm_file_open/);
  const op = at<string>(
    '  kprobes:\n    - call: sys_openat\n      args:\n        - index: 1\n          type: string\n      selectors:\n        - matchArgs:\n            - index: 1\n              operator: Pre|fix\n              values: ["/etc/"]\n',
    tetragonHover,
  )!;
  assert.match(op, /starts with/);
  assert.match(op, /Example/);
  assert.equal(at<string | undefined>('  kprobes:\n    - call: sys_nope|\n', tetragonHover), undefined);
});
