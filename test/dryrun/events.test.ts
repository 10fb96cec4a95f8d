// SPDX-License-Identifier: Apache-2.0
/** Reading one line of Tetragon's JSON export: event types, both spellings, typed arguments. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { lowerCamel, parseEventLine, readArg, snake } from '../../server/src/core/tetragon/events.js';

const KPROBE = {
  process_kprobe: {
    process: {
      exec_id: 'a2luZC1jb250cm9sLXBsYW5lOjEyMzQ1',
      pid: 4242,
      tid: 4243,
      binary: '/usr/bin/cat',
      arguments: '/etc/shadow',
      parent_exec_id: 'cGFyZW50',
      pod: {
        namespace: 'shop',
        name: 'api-5c4b',
        container: { id: 'containerd://abc', name: 'api', image: { name: 'ghcr.io/shop/api:1.2' } },
        pod_labels: { app: 'api', 'app.kubernetes.io/part-of': 'shop' },
        workload: 'api',
        workload_kind: 'Deployment',
      },
      ns: { mnt: { inum: 4026532000 }, pid: { inum: 4026531836, is_host: true } },
      cap: { permitted: ['CAP_CHOWN'], effective: ['CAP_CHOWN'] },
      some_future_field: { whatever: true },
    },
    parent: { pid: 4000, binary: '/bin/sh' },
    function_name: '__x64_sys_openat',
    args: [
      { int_arg: -100 },
      { string_arg: '/etc/shadow' },
      { size_arg: '18446744073709551615' },
      { file_arg: { mount: '/', path: '/etc/shadow', permission: '-rw-r-----' } },
      { sock_arg: { family: 'AF_INET', daddr: '10.0.0.1', dport: 443 } },
      { cap_effective_arg: '000001ffffffffff' },
      { truncated_bytes_arg: { bytes_arg: 'aGVsbG8=', orig_size: '9000' } },
      { syscall_id: { id: 257, abi: 'x64' } },
      { label: 'named', long_arg: '-5' },
      { brand_new_arg: 1 },
    ],
    return: { int_arg: 3 },
    action: 'KPROBE_ACTION_POST',
    policy_name: 'record-opens',
  },
  node_name: 'worker-1',
  time: '2026-08-21T10:00:00.123456789Z',
  node_labels: { 'kubernetes.io/arch': 'amd64' },
};

function camel(v: unknown, dataMap = false): unknown {
  if (Array.isArray(v)) return v.map((x) => camel(x));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      dataMap ? k : lowerCamel(k),
      camel(x, k === 'pod_labels' || k === 'node_labels'),
    ]),
  );
}

test('a kprobe event reads the same in snake_case and lowerCamelCase', () => {
  const a = parseEventLine(JSON.stringify(KPROBE));
  const b = parseEventLine(JSON.stringify(camel(KPROBE)));
  assert.equal(a.kind, 'hook');
  assert.deepEqual(b, a);
  if (a.kind !== 'hook') return;
  const e = a.event;
  assert.deepEqual(e.hook, { kind: 'kprobe', name: '__x64_sys_openat' });
  assert.equal(e.node, 'worker-1');
  assert.equal(e.policyName, 'record-opens');
  assert.equal(e.process?.pid, 4242);
  assert.equal(e.process?.pod?.container?.image, 'ghcr.io/shop/api:1.2');
  assert.deepEqual(e.process?.pod?.labels, KPROBE.process_kprobe.process.pod.pod_labels);
  assert.deepEqual(e.process?.ns?.pid, { inum: 4026531836, isHost: true });
  assert.deepEqual(e.process?.ns?.mnt, { inum: 4026532000, isHost: false });
  assert.deepEqual(e.process?.caps?.inheritable, []);
  assert.equal(e.parent?.binary, '/bin/sh');
  assert.deepEqual(
    e.args?.map((x) => x.type),
    ['int', 'string', 'size', 'file', 'sock', 'cap_effective', 'truncated_bytes', 'syscall_id', 'long', 'brand_new'],
  );
  assert.equal(e.args?.[8]?.label, 'named');
  assert.deepEqual(e.returnArg, { type: 'int', value: 3 });
  assert.deepEqual(e.nodeLabels, KPROBE.node_labels);
});

test('every hook event type names its hook', () => {
  const line = (o: unknown) => parseEventLine(JSON.stringify(o));
  assert.deepEqual(line({ process_tracepoint: { subsys: 'syscalls', event: 'sys_enter_lseek' } }), {
    kind: 'hook',
    event: { type: 'process_tracepoint', hook: { kind: 'tracepoint', name: 'syscalls/sys_enter_lseek' } },
  });
  const up = line({ process_uprobe: { path: '/usr/bin/bash', symbol: 'readline', offset: '1234' } });
  assert.equal(up.kind === 'hook' && up.event.hook.name, 'readline');
  assert.equal(up.kind === 'hook' && up.event.hook.path, '/usr/bin/bash');
  const lsm = line({ processLsm: { functionName: 'file_open' } });
  assert.equal(lsm.kind === 'hook' && lsm.event.hook.kind, 'lsm');
  const usdt = line({ process_usdt: { path: '/usr/bin/python3', provider: 'python', name: 'gc__start' } });
  assert.equal(usdt.kind === 'hook' && usdt.event.hook.name, 'python:gc__start');
});

test('other, unknown and broken lines are told apart', () => {
  assert.deepEqual(parseEventLine('{"process_exec":{"process":{}},"node_name":"n"}'), {
    kind: 'other',
    type: 'process_exec',
  });
  assert.deepEqual(parseEventLine('{"processExit":{}}'), { kind: 'other', type: 'process_exit' });
  assert.deepEqual(parseEventLine('{"process_quantum":{},"time":"x"}'), {
    kind: 'unknown-type',
    type: 'process_quantum',
  });
  assert.deepEqual(parseEventLine('   '), { kind: 'blank' });
  for (const bad of ['{', '[1,2]', '"text"', '{"node_name":"n"}', '{"process_kprobe":[]}', '{"process_kprobe":{}}']) {
    assert.equal(parseEventLine(bad).kind, 'unparsable', bad);
  }
});

test('spellings convert both ways', () => {
  assert.equal(lowerCamel('function_name'), 'functionName');
  assert.equal(lowerCamel('pid_for_children'), 'pidForChildren');
  assert.equal(snake('functionName'), 'function_name');
  assert.equal(snake('cap_effective_arg'), 'cap_effective_arg');
  assert.deepEqual(readArg({ capEffectiveArg: 'ff' }), { type: 'cap_effective', value: 'ff' });
  assert.deepEqual(readArg('nonsense'), { type: 'unknown', value: 'nonsense' });
});

test('a hostile line is read without throwing', () => {
  const deep = `${'{"nested_value":'.repeat(5000)}1${'}'.repeat(5000)}`;
  const line = `{"process_kprobe":{"function_name":"f","args":[{"sock_arg":${deep}}]}}`;
  const r = parseEventLine(line);
  assert.equal(r.kind, 'hook');
  assert.equal(parseEventLine('['.repeat(100000)).kind, 'unparsable');
  assert.equal(parseEventLine(`{"process_kprobe":{"function_name":${'1'.repeat(10)}}}`).kind, 'unparsable');
});
