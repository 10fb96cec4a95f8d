// SPDX-License-Identifier: Apache-2.0
/**
 * Argument filters of the dry run: every operator on every argument type the agent accepts it on
 * (the pairs come from the shared value parser, so a new operator or type fails this test until it
 * is covered), each with an event built to match and one built not to, in both JSON spellings of
 * the event; then the agent's quirks, each a fact read from its BPF filters (`basic.h`).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { lowerCamel } from '../../server/src/core/tetragon/events.js';
import { AGENT_TYPES, NEWEST_RELEASE, OPERATORS, operatorTypeProblem } from '../../server/src/core/tetragon/values.js';
import { DryRun, type DryRunResult } from '../../server/src/dryrun/index.js';

// ---------------------------------------------------------------------------------------------
// Building policies and events

function policy(type: string | undefined, op: string, values: readonly string[], extra = ''): string {
  const t = type === undefined ? '' : `, type: ${JSON.stringify(type)}`;
  return `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: matrix
spec:
  kprobes:
    - call: fn_under_test
      syscall: false
      args:
        - { index: 0${t}${extra} }
      selectors:
        - matchArgs:
            - index: 0
              operator: ${op}
              values: ${JSON.stringify(values)}
`;
}

/** The same JSON with protobuf's lowerCamelCase field names. */
function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [lowerCamel(k), camel(x)]));
}

function runOne(policyText: string, arg: object, spelling: 'snake' | 'camel' = 'snake'): DryRunResult {
  const file = parseFile(policyText);
  const dr = new DryRun(file.documents.map((doc) => ({ file: 'p.yaml', text: policyText, doc })));
  const event = {
    process_kprobe: { function_name: 'fn_under_test', process: { pid: 1, binary: '/bin/x' }, args: [arg] },
  };
  const rs = dr.feedLine(JSON.stringify(spelling === 'snake' ? event : camel(event)), 1);
  assert.equal(rs.length, 1);
  return rs[0]!;
}

function verdict(type: string | undefined, op: string, values: readonly string[], arg: object, extra = ''): string {
  const snake = runOne(policy(type, op, values, extra), arg, 'snake');
  const camelR = runOne(policy(type, op, values, extra), arg, 'camel');
  assert.equal(camelR.match, snake.match, `both spellings agree for ${op} on ${type ?? 'auto'} (${snake.reason})`);
  return snake.match;
}

const hex = (n: bigint) => n.toString(16).padStart(16, '0');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const INTS = ['int', 'int32', 'int16', 'int8'];
const UINTS = ['uint32', 'uint16', 'uint8'];
const CAPS = ['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective'];

/** An event argument of `type` holding the integer `n`. */
function intArg(type: string, n: bigint): object {
  if (INTS.includes(type)) return { int_arg: Number(n) };
  if (UINTS.includes(type)) return { uint_arg: Number(n) };
  if (type === 'int64') return { long_arg: n.toString() };
  if (type === 'uint64' || type === 'size_t') return { size_arg: n.toString() };
  if (type === 'syscall64') return { syscall_id: { id: Number(n), abi: 'x64' } };
  if (CAPS.includes(type)) return { [`${type}_arg`]: hex(n) };
  throw new Error(`no integer argument for ${type}`);
}

/** An event argument of `type` holding the text `s`. */
function textArg(type: string, s: string, permission = '-rw-r--r--'): object {
  switch (type) {
    case 'string':
    case 'data_loc':
      return { string_arg: s };
    case 'net_device':
      return { net_dev_arg: { name: s } };
    case 'sockaddr_un':
      return { sockaddrun_arg: { family: 'AF_UNIX', path: s } };
    case 'char_buf':
      return { bytes_arg: b64(s) };
    case 'fd':
    case 'file':
      return { file_arg: { path: s, permission } };
    case 'path':
    case 'dentry':
      return { path_arg: { path: s, permission } };
    case 'linux_binprm':
      return { linux_binprm_arg: { path: s, permission } };
    default:
      throw new Error(`no text argument for ${type}`);
  }
}

interface Sock {
  family?: string;
  saddr?: string;
  daddr?: string;
  sport?: number;
  dport?: number;
  protocol?: string;
  state?: string;
}
const BASE_SOCK: Sock = {
  family: 'AF_INET',
  saddr: '10.1.2.3',
  daddr: '192.168.0.9',
  sport: 40000,
  dport: 443,
  protocol: 'IPPROTO_TCP',
  state: 'TCP_ESTABLISHED',
};

/** An event argument of socket `type` (sock, socket, skb, sockaddr). */
function sockArg(type: string, s: Sock): object {
  const v = { ...BASE_SOCK, ...s };
  if (type === 'sock' || type === 'socket') return { sock_arg: v };
  if (type === 'skb') {
    const proto = v.protocol === 'IPPROTO_UDP' ? 17 : 6;
    return {
      skb_arg: {
        family: v.family,
        saddr: v.saddr,
        daddr: v.daddr,
        sport: v.sport,
        dport: v.dport,
        proto,
        protocol: v.protocol,
      },
    };
  }
  if (type === 'sockaddr') return { sockaddr_arg: { family: v.family, addr: v.saddr, port: v.sport } };
  throw new Error(`no socket argument for ${type}`);
}

interface Case {
  values: string[];
  hit: object;
  miss: object;
  /** The agent accepts the pair, but its program never matches it (both events miss). */
  never?: true;
}

/**
 * For one operator on one type: values and an event argument built to meet them and one built
 * not to. Undefined when this test has no case for the pair (the matrix check then fails).
 */
function caseFor(op: string, type: string): Case | undefined {
  const negated = op.startsWith('Not');
  const flip = (c: Case): Case => (negated ? { values: c.values, hit: c.miss, miss: c.hit } : c);
  const isInt =
    INTS.includes(type) || UINTS.includes(type) || ['int64', 'uint64', 'size_t', 'syscall64'].includes(type);
  const isCap = CAPS.includes(type);
  const isText = [
    'string',
    'data_loc',
    'net_device',
    'sockaddr_un',
    'char_buf',
    'fd',
    'file',
    'path',
    'dentry',
    'linux_binprm',
  ].includes(type);
  const isSock = ['sock', 'socket', 'skb', 'sockaddr'].includes(type);
  const n = (x: number) => intArg(type, BigInt(x));
  switch (op) {
    case 'Equal':
    case 'NotEqual':
      if (isInt) return flip({ values: ['7'], hit: n(7), miss: n(8) });
      if (isCap) return flip({ values: ['CAP_CHOWN,CAP_KILL'], hit: n(0b100001), miss: n(0b1) });
      if (isText)
        return flip({
          values: ['/etc/passwd'],
          hit: textArg(type, '/etc/passwd'),
          miss: textArg(type, '/etc/passwd2'),
        });
      return undefined;
    case 'GT':
    case 'GreaterThan':
      if (isInt || isCap) return { values: ['7'], hit: n(8), miss: n(7) };
      return undefined;
    case 'LT':
    case 'LessThan':
      if (isInt || isCap) return { values: ['7'], hit: n(6), miss: n(7) };
      return undefined;
    case 'Mask':
      if (isInt || isCap) return { values: ['4'], hit: n(6), miss: n(3) };
      return undefined;
    case 'InRange':
    case 'NotInRange':
      if (isInt) return flip({ values: ['5:9', '30:40'], hit: n(35), miss: n(10) });
      return undefined;
    case 'InMap':
    case 'NotInMap':
      if (isInt) return flip({ values: ['5:9', '20'], hit: n(20), miss: n(10) });
      return undefined;
    case 'Prefix':
    case 'NotPrefix':
      if (isText)
        return flip({ values: ['/etc/'], hit: textArg(type, '/etc/passwd'), miss: textArg(type, '/tmp/etc/') });
      return undefined;
    case 'Postfix':
    case 'NotPostfix':
      if (isText)
        return flip({ values: ['.conf'], hit: textArg(type, '/etc/a.conf'), miss: textArg(type, '/etc/a.conf.bak') });
      return undefined;
    case 'SubString':
      if (isText) return { values: ['pass'], hit: textArg(type, '/etc/passwd'), miss: textArg(type, '/etc/shadow') };
      return undefined;
    case 'SubStringIgnCase':
      if (isText) return { values: ['PaSs'], hit: textArg(type, '/etc/PASSWD'), miss: textArg(type, '/etc/shadow') };
      return undefined;
    case 'FileType':
    case 'NotFileType':
      if (isText)
        return flip({ values: ['dir'], hit: textArg(type, '/etc', 'drwxr-xr-x'), miss: textArg(type, '/etc/passwd') });
      return undefined;
    case 'SPort':
    case 'NotSPort':
      if (isSock)
        return flip({
          values: ['8000:8080'],
          hit: sockArg(type, { sport: 8080 }),
          miss: sockArg(type, { sport: 9000 }),
        });
      return undefined;
    case 'DPort':
    case 'NotDPort':
      if (isSock)
        return flip({ values: ['443', '80'], hit: sockArg(type, { dport: 80 }), miss: sockArg(type, { dport: 8443 }) });
      return undefined;
    case 'SPortPriv':
    case 'NotSportPriv':
      if (isSock)
        return flip({ values: [], hit: sockArg(type, { sport: 1023 }), miss: sockArg(type, { sport: 1024 }) });
      return undefined;
    case 'DPortPriv':
    case 'NotDPortPriv':
      if (isSock) return flip({ values: [], hit: sockArg(type, { dport: 22 }), miss: sockArg(type, { dport: 2222 }) });
      return undefined;
    case 'Protocol':
      if (isSock)
        return {
          values: ['IPPROTO_TCP'],
          hit: sockArg(type, { protocol: 'IPPROTO_TCP' }),
          miss: sockArg(type, { protocol: 'IPPROTO_UDP' }),
        };
      return undefined;
    case 'Family':
      if (isSock)
        return {
          values: ['AF_INET6'],
          hit: sockArg(type, { family: 'AF_INET6', saddr: '2001:db8::1', daddr: '2001:db8::2' }),
          miss: sockArg(type, {}),
        };
      if (type === 'sockaddr_un')
        return {
          values: ['AF_UNIX'],
          hit: { sockaddrun_arg: { family: 'AF_UNIX', path: '/run/x' } },
          miss: { sockaddrun_arg: { family: 'AF_INET', path: '/run/x' } },
        };
      return undefined;
    case 'State':
      if (type === 'sock' || type === 'socket')
        return { values: ['TCP_ESTABLISHED'], hit: sockArg(type, {}), miss: sockArg(type, { state: 'TCP_CLOSE' }) };
      // filter_inet reads a state from sockets only: on a packet the filter never matches.
      if (type === 'skb')
        return { values: ['TCP_ESTABLISHED'], hit: sockArg(type, {}), miss: sockArg(type, {}), never: true };
      return undefined;
    case 'SAddr':
    case 'NotSAddr':
      if (isSock)
        return flip({
          values: ['10.0.0.0/8', '2001:db8::/32'],
          hit: sockArg(type, { saddr: '10.200.0.1' }),
          miss: sockArg(type, { saddr: '11.0.0.1' }),
        });
      return undefined;
    case 'DAddr':
    case 'NotDAddr':
      if (isSock)
        return flip({
          values: ['192.168.0.0/16'],
          hit: sockArg(type, { daddr: '192.168.7.7' }),
          miss: sockArg(type, { daddr: '192.169.0.1' }),
        });
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The matrix

/** Operators the matrix leaves to tests of their own (they do not compare one argument with values). */
const ELSEWHERE = new Set(['CelExpr', 'CapabilitiesGained']);

test('every operator on every argument type the agent accepts it on matches and misses as built', (t) => {
  const missing: string[] = [];
  const wrong: string[] = [];
  let pairs = 0;
  for (const op of OPERATORS) {
    if (ELSEWHERE.has(op)) continue;
    for (const type of AGENT_TYPES) {
      if (operatorTypeProblem(op, type, NEWEST_RELEASE, 'the argument') !== undefined) continue;
      // Types no event argument stands for (the agent reads them for selectors only, or not at all).
      if (
        [
          'filename',
          'nop',
          'cred',
          'const_buf',
          'bpf_attr',
          'perf_event',
          'bpf_map',
          'user_namespace',
          'capability',
          'kiocb',
          'iov_iter',
          'load_info',
          'module',
          'char_iovec',
          'bpf_prog',
        ].includes(type)
      )
        continue;
      const c = caseFor(op, type);
      if (!c) {
        missing.push(`${op} on ${type}`);
        continue;
      }
      pairs++;
      const hit = verdict(type, op, c.values, c.hit);
      const miss = verdict(type, op, c.values, c.miss);
      if (hit !== (c.never ? 'no-match' : 'match') || miss !== 'no-match')
        wrong.push(`${op} on ${type}: ${hit}/${miss}`);
    }
  }
  assert.deepEqual(missing, [], 'pairs without a case');
  assert.deepEqual(wrong, []);
  t.diagnostic(`${pairs} operator × type pairs, each with a matching and a missing event, in both spellings`);
  assert.ok(pairs >= 200, `${pairs} operator × type pairs`);
});

test('a type left to the hook (auto) is taken from the event argument, and decided when every reading agrees', () => {
  assert.equal(verdict(undefined, 'Equal', ['7'], { int_arg: 7 }), 'match');
  assert.equal(verdict('auto', 'Prefix', ['/etc'], { string_arg: '/etc/x' }), 'match');
  // -1 as int32 equals -1; as int8 or int16 the agent compares 0xff with 0xffffffff: the readings differ.
  const r = runOne(policy(undefined, 'Equal', ['-1']), { int_arg: -1 });
  assert.equal(r.match, 'unknown');
  assert.match(r.reason, /answers differ/);
});

// ---------------------------------------------------------------------------------------------
// The agent's quirks (facts from bpf/process/types/basic.h and pkg/selectors/kernel.go)

test('integers are compared at the width the type reads', () => {
  // filter_8ty_selector_val: *(u8 *)arg == w, with w the value's 32 bits: -1 never equals an int8.
  assert.equal(verdict('int8', 'Equal', ['-1'], { int_arg: -1 }), 'no-match');
  assert.equal(verdict('int8', 'Equal', ['255'], { int_arg: -1 }), 'match');
  assert.equal(verdict('int32', 'Equal', ['-1'], { int_arg: -1 }), 'match');
  assert.equal(verdict('uint32', 'Equal', ['0xffffffff'], { uint_arg: 4294967295 }), 'match');
  // size_t goes through filter_32ty: the low 32 bits of the 64-bit value.
  assert.equal(verdict('size_t', 'Equal', ['1'], { size_arg: String(2 ** 32 + 1) }), 'match');
  // int64 recorded in 64 bits; a candidate reading 64 bits of a 32-bit recording cannot tell.
  assert.equal(verdict('int64', 'Equal', ['-5'], { long_arg: '-5' }), 'match');
  const wide = runOne(policy('int64', 'Equal', ['5']), { int_arg: 5 });
  assert.equal(wide.match, 'unknown');
  assert.match(wide.reason, /kept 32 bits/);
});

test('GT, LT and InRange are signed only for int, int32 and int64', () => {
  assert.equal(verdict('int', 'LT', ['0'], { int_arg: -3 }), 'match');
  assert.equal(verdict('int64', 'LT', ['0'], { long_arg: '-3' }), 'match');
  // uint32: -3 is 0xfffffffd, not less than 0.
  assert.equal(verdict('uint32', 'LT', ['0'], { uint_arg: 4294967293 }), 'no-match');
  // int16 compares unsigned (s16_ty is not a signed type for is_signed_type): 0xfffd > 0.
  assert.equal(verdict('int16', 'GT', ['0'], { int_arg: -3 }), 'match');
  assert.equal(verdict('int', 'InRange', ['-10:-1'], { int_arg: -3 }), 'match');
  assert.equal(verdict('int16', 'InRange', ['-10:-1'], { int_arg: -3 }), 'no-match');
  assert.equal(verdict('int', 'NotInRange', ['-10:-1'], { int_arg: 3 }), 'match');
  // A range written high:low is empty for InRange (the agent does not swap InRange bounds).
  assert.equal(verdict('int', 'InRange', ['9:5'], { int_arg: 7 }), 'no-match');
});

test('InMap keys are the argument bits zero-extended: negative 32-bit arguments are never in a map', () => {
  assert.equal(verdict('int', 'InMap', ['-1'], { int_arg: -1 }), 'no-match');
  assert.equal(verdict('int', 'NotInMap', ['-1'], { int_arg: -1 }), 'match');
  assert.equal(verdict('int64', 'InMap', ['-1'], { long_arg: '-1' }), 'match');
  // Ranges in InMap are swapped when written high:low (writeRangeInMap).
  assert.equal(verdict('uint32', 'InMap', ['9:5'], { uint_arg: 7 }), 'match');
});

test('Mask and capability sets', () => {
  assert.equal(verdict('uint64', 'Mask', ['0x10'], { size_arg: '48' }), 'match');
  assert.equal(verdict('cap_effective', 'Mask', ['CAP_SYS_ADMIN'], { cap_effective_arg: hex(1n << 21n) }), 'match');
  assert.equal(
    verdict('cap_effective', 'Equal', ['CAP_SYS_ADMIN'], { cap_effective_arg: hex((1n << 21n) | 1n) }),
    'no-match',
  );
});

test('InMap list: values resolve to syscall numbers of the event ABI (tracepoints)', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: lists
spec:
  lists:
    - name: opens
      type: syscalls
      values: [sys_openat, sys_open]
  tracepoints:
    - subsystem: raw_syscalls
      event: sys_enter
      args:
        - { index: 4, type: syscall64 }
      selectors:
        - matchArgs:
            - { index: 4, operator: InMap, values: ['list:opens'] }
`;
  const dr = new DryRun(parseFile(text).documents.map((doc) => ({ file: 'p.yaml', text, doc })));
  const ev = (id: number, abi: string) =>
    JSON.stringify({
      process_tracepoint: {
        subsys: 'raw_syscalls',
        event: 'sys_enter',
        process: { pid: 1 },
        args: [{ syscall_id: { id, abi } }],
      },
    });
  // openat is 257 on x86_64 and 56 on arm64; open is 2 on x86_64 and does not exist on arm64.
  const [x, arm, read, compat] = [ev(257, 'x64'), ev(56, 'arm64'), ev(0, 'x64'), ev(257, 'i386')].map(
    (l, i) => dr.feedLine(l, i + 1)[0]!,
  );
  assert.equal(x.match, 'match');
  assert.equal(arm.match, 'unknown', 'arm64 lacks sys_open, which the agent cannot resolve');
  assert.equal(read.match, 'no-match');
  assert.equal(compat.match, 'no-match', '32-bit ids carry the compat bit');
});

test('strings: prefix and postfix limits, empty arguments, NUL and case rules of SubString', () => {
  const long = `/${'a'.repeat(300)}`;
  // Prefix reads at most the first 255 bytes: a 256-byte prefix never matches.
  assert.equal(verdict('string', 'Prefix', [long.slice(0, 256)], { string_arg: long }), 'no-match');
  assert.equal(verdict('string', 'Prefix', [long.slice(0, 255)], { string_arg: long }), 'match');
  assert.equal(verdict('string', 'Prefix', [''], { string_arg: '' }), 'no-match');
  assert.equal(
    verdict('string', 'NotPrefix', ['/etc'], { string_arg: '' }),
    'match',
    'an empty string is not prefixed',
  );
  assert.equal(verdict('file', 'NotPrefix', ['/etc'], { file_arg: {} }), 'no-match', 'an empty path matches nothing');
  assert.equal(
    verdict('char_buf', 'SubString', ['abc'], { bytes_arg: Buffer.from('xx\0abc').toString('base64') }),
    'no-match',
  );
  assert.equal(
    verdict('char_buf', 'SubString', ['abc'], { bytes_arg: Buffer.from('xxabc\0').toString('base64') }),
    'match',
  );
  // The kernel's tolower lowers the Latin-1 capitals byte by byte: UTF-8 "É" (c3 89) becomes e3 89.
  assert.equal(verdict('string', 'SubStringIgnCase', ['ã'], { string_arg: 'É' }), 'no-match');
  assert.equal(
    verdict('string', 'Equal', ['/etc/x\0\0'], { string_arg: '/etc/x' }),
    'match',
    'NULs trimmed on strings',
  );
  assert.equal(verdict('char_buf', 'Equal', ['ab\0'], { bytes_arg: Buffer.from('ab').toString('base64') }), 'no-match');
});

test('paths: `/` may stand for a path the agent could not walk; file types come from the mode', () => {
  const root = runOne(policy('file', 'Prefix', ['/']), { file_arg: { path: '/' } });
  assert.equal(root.match, 'unknown');
  assert.match(root.reason, /could not walk/);
  assert.equal(verdict('file', 'Equal', ['/etc'], { file_arg: { path: '/' } }), 'no-match');
  assert.equal(verdict('file', 'FileType', ['reg'], { file_arg: { path: '/x', permission: 'rw-r--r--' } }), 'no-match');
  assert.equal(verdict('file', 'NotFileType', ['reg'], { file_arg: { path: '/x', permission: 'rw-r--r--' } }), 'match');
  const noMode = runOne(policy('path', 'FileType', ['dir']), { path_arg: { path: '/x' } });
  assert.equal(noMode.match, 'unknown');
});

test('sockets: addresses by family, IPv4-mapped IPv6, State on packets, zero fields left out', () => {
  // An IPv6 socket's IPv4-mapped address prints as IPv4; the agent looks it up among IPv6 values.
  const mapped = sockArg('sock', { family: 'AF_INET6', saddr: '10.0.0.1' });
  assert.equal(verdict('sock', 'SAddr', ['10.0.0.0/8'], mapped), 'no-match');
  assert.equal(verdict('sock', 'SAddr', ['::ffff:10.0.0.0/104'], mapped), 'match');
  // No IPv6 value at all: SAddr misses, NotSAddr matches.
  const v6 = sockArg('sock', { family: 'AF_INET6', saddr: '2001:db8::1' });
  assert.equal(verdict('sock', 'NotSAddr', ['10.0.0.0/8'], v6), 'match');
  // A socket that is neither IPv4 nor IPv6: neither SAddr nor NotSAddr matches.
  assert.equal(verdict('sock', 'NotSAddr', ['10.0.0.0/8'], sockArg('sock', { family: 'AF_UNIX' })), 'no-match');
  assert.equal(verdict('skb', 'State', ['TCP_ESTABLISHED'], sockArg('skb', {})), 'no-match');
  // protobuf JSON leaves out a zero port.
  assert.equal(verdict('sock', 'SPort', ['0'], { sock_arg: { family: 'AF_INET', saddr: '1.2.3.4' } }), 'match');
  // Names the agent lacks print as numbers.
  assert.equal(verdict('sock', 'Protocol', ['132'], sockArg('sock', { protocol: 'IPPROTO_SCTP' })), 'match');
  assert.equal(verdict('sock', 'Protocol', ['250'], sockArg('sock', { protocol: '250' })), 'match');
});

test('a filter the agent refuses, or one it loads without its values, says so', () => {
  const refused = runOne(policy('int', 'Equal', ['abc']), { int_arg: 1 });
  assert.equal(refused.match, 'unknown');
  assert.match(refused.reason, /refuses the policy/);
  // Prefix on an integer: the agent loads it, its integer filter answers no (Not form too).
  assert.equal(verdict('int', 'Prefix', ['1'], { int_arg: 1 }), 'no-match');
  assert.equal(verdict('int', 'NotPrefix', ['1'], { int_arg: 1 }), 'no-match');
  const mismatch = runOne(policy('string', 'Equal', ['x']), { int_arg: 1 });
  assert.equal(mismatch.match, 'unknown');
  assert.match(mismatch.reason, /captured it as a `int` argument/);
  const cel = runOne(policy('int', 'CelExpr', ['arg0 > 1']), { int_arg: 1 });
  assert.equal(cel.match, 'unknown');
});

test('CapabilitiesGained compares two capability arguments of the call', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: caps
spec:
  kprobes:
    - call: commit_creds_like
      syscall: false
      args:
        - { index: 0, type: cap_effective }
        - { index: 1, type: cap_effective }
      selectors:
        - matchArgs:
            - { args: [0, 1], operator: CapabilitiesGained }
`;
  const dr = new DryRun(parseFile(text).documents.map((doc) => ({ file: 'p.yaml', text, doc })));
  const ev = (a: bigint, b: bigint) =>
    JSON.stringify({
      process_kprobe: {
        function_name: 'commit_creds_like',
        process: { pid: 1 },
        args: [{ cap_effective_arg: hex(a) }, { cap_effective_arg: hex(b) }],
      },
    });
  assert.equal(dr.feedLine(ev(1n, 3n), 1)[0]!.match, 'match');
  assert.equal(dr.feedLine(ev(3n, 1n), 2)[0]!.match, 'no-match');
});

test('matchData is lined up by position, matchReturnArgs with the return value', () => {
  const text = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: data
spec:
  kprobes:
    - call: fn_data
      syscall: false
      return: true
      returnArg: { index: 0, type: int }
      data:
        - { index: 7, type: string, source: current_task, resolve: comm }
      selectors:
        - matchData:
            - { index: 0, operator: Equal, values: [bash] }
          matchReturnArgs:
            - { index: 0, operator: LT, values: ['0'] }
`;
  const dr = new DryRun(parseFile(text).documents.map((doc) => ({ file: 'p.yaml', text, doc })));
  const ev = (comm: string, ret: number) =>
    JSON.stringify({
      process_kprobe: {
        function_name: 'fn_data',
        process: { pid: 1 },
        data: [{ string_arg: comm }],
        return: { int_arg: ret },
      },
    });
  assert.equal(dr.feedLine(ev('bash', -2), 1)[0]!.match, 'match');
  assert.equal(dr.feedLine(ev('bash', 0), 2)[0]!.match, 'no-match');
  assert.equal(dr.feedLine(ev('zsh', -2), 3)[0]!.match, 'no-match');
});
