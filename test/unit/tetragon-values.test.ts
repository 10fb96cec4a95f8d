// SPDX-License-Identifier: Apache-2.0
/**
 * The agent-exact value readers of core/tetragon: Go's strconv and netip grammars, and how each
 * operator reads its values for each argument type and release. Expectations are facts of the Go
 * standard library and of the agent's selector code, written out case by case.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { goAtoi, goParseBool, goParseInt, goParseUint } from '../../server/src/core/tetragon/go-strconv.js';
import { goParseAddr, parseAgentCidr } from '../../server/src/core/tetragon/addresses.js';
import {
  agentType,
  countsAsSubstrings,
  isRegisterName,
  operatorTypeProblem,
  parseFilter,
  parseMessageOrTag,
  parseNamespaceValue,
  parseRateLimit,
  parseResolvePath,
  tetragonRelease,
  utf8Bytes,
  type FilterContext,
  type ParsedFilter,
} from '../../server/src/core/tetragon/values.js';

const v = (s: string, base: number, bits: number) => {
  const r = goParseInt(s, base, bits);
  return r.ok ? r.value : r.error;
};
const u = (s: string, base: number, bits: number) => {
  const r = goParseUint(s, base, bits);
  return r.ok ? r.value : r.error;
};

test('Go ParseInt/ParseUint with base 0: prefixes, octal, underscores, signs, widths', () => {
  assert.equal(v('0x10', 0, 32), 16n);
  assert.equal(v('0X1f', 0, 32), 31n);
  assert.equal(v('0o17', 0, 32), 15n);
  assert.equal(v('0b101', 0, 32), 5n);
  assert.equal(v('017', 0, 32), 15n);
  assert.equal(v('0', 0, 32), 0n);
  assert.equal(v('1_000', 0, 32), 1000n);
  assert.equal(v('0x_1F', 0, 32), 31n);
  assert.equal(v('0_7', 0, 32), 7n);
  assert.equal(v('-0x10', 0, 32), -16n);
  assert.equal(v('+5', 0, 32), 5n);
  for (const bad of ['_1', '1__0', '1_', '0x', '08', '', ' 1', '1e3', '--1', '0x1g', '1.0'])
    assert.equal(v(bad, 0, 64), 'syntax', bad);
  assert.equal(v('2147483647', 0, 32), 2147483647n);
  assert.equal(v('2147483648', 0, 32), 'range');
  assert.equal(v('-2147483648', 0, 32), -2147483648n);
  assert.equal(v('-2147483649', 0, 32), 'range');
  assert.equal(v('9223372036854775807', 0, 64), 9223372036854775807n);
  assert.equal(v('9223372036854775808', 0, 64), 'range');
  assert.equal(u('-1', 0, 32), 'syntax');
  assert.equal(u('+1', 0, 32), 'syntax');
  assert.equal(u('4294967295', 0, 32), 4294967295n);
  assert.equal(u('4294967296', 0, 32), 'range');
  assert.equal(u('18446744073709551615', 0, 64), 18446744073709551615n);
  assert.equal(u('18446744073709551616', 0, 64), 'range');
  assert.equal(u('0xffffffffffffffff', 0, 64), 18446744073709551615n);
});

test('Go ParseInt with base 10 takes digits only; Atoi and ParseBool', () => {
  assert.equal(v('0x10', 10, 64), 'syntax');
  assert.equal(v('010', 10, 64), 10n);
  assert.equal(v('1_0', 10, 64), 'syntax');
  assert.equal(v('-7', 10, 64), -7n);
  assert.deepEqual(goAtoi('+5'), { ok: true, value: 5n });
  assert.deepEqual(goAtoi('007'), { ok: true, value: 7n });
  assert.equal(goAtoi('5 ').ok, false);
  for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(goParseBool(t), true);
  for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(goParseBool(f), false);
  for (const x of ['yes', 'tRUE', ' true', '']) assert.equal(goParseBool(x), undefined);
});

test('netip addresses: strict IPv4, IPv6 groups and ellipsis, embedded IPv4, zones', () => {
  assert.deepEqual(goParseAddr('10.0.0.1')?.bytes, [10, 0, 0, 1]);
  for (const bad of ['010.0.0.1', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.4:80', '', 'host', '%eth0', 'fe80::1%'])
    assert.equal(goParseAddr(bad), undefined, bad);
  assert.deepEqual(goParseAddr('::')?.bytes, new Array(16).fill(0));
  assert.equal(goParseAddr('::1')?.bytes[15], 1);
  assert.ok(goParseAddr('1:2:3:4:5:6:7:8'));
  assert.ok(goParseAddr('1:2:3:4:5:6:7::'));
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7', '12345::', ':1', '1:'])
    assert.equal(goParseAddr(bad), undefined, bad);
  assert.deepEqual(goParseAddr('::ffff:1.2.3.4')?.bytes.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(goParseAddr('1:2:3:4:5:6:1.2.3.4')?.bytes[15], 4);
  assert.equal(goParseAddr('1:2:3:4:5:1.2.3.4'), undefined);
  assert.equal(goParseAddr('fe80::1%eth0')?.zone, 'eth0');
});

test('SAddr/DAddr values per release: netip prefixes from 1.7, net.ParseCIDR before', () => {
  assert.deepEqual(parseAgentCidr('10.0.0.0/8', 8), { family: 4, bytes: [10, 0, 0, 0], bits: 8 });
  assert.equal(parseAgentCidr('10.0.0.1', 8)?.bits, 32);
  assert.equal(parseAgentCidr('fe80::1%eth0', 8)?.bits, 128);
  for (const bad of [
    '10.0.0.0/08',
    '10.0.0.0/33',
    '10.0.0.0/',
    'fe80::1%eth0/64',
    '10.0.0.0/8/8',
    ' 10.0.0.1',
    '::/129',
  ])
    assert.equal(parseAgentCidr(bad, 8), undefined, bad);
  assert.equal(parseAgentCidr('10.0.0.0/08', 6)?.bits, 8);
  assert.equal(parseAgentCidr('10.0.0.0/8/8', 6), undefined);
  assert.equal(parseAgentCidr('fe80::1%eth0', 4), undefined);
  assert.deepEqual(parseAgentCidr('::ffff:10.0.0.1/24', 4), { family: 4, bytes: [10, 0, 0, 1], bits: 24 });
  assert.equal(parseAgentCidr('::ffff:10.0.0.1/24', 8)?.family, 6);
});

test('types: CRD aliases, auto, and names selectors cannot read', () => {
  assert.equal(agentType('long'), 'int64');
  assert.equal(agentType('unsigned long'), 'uint64');
  assert.equal(agentType('sint16'), 'int16');
  assert.equal(agentType(undefined), 'auto');
  assert.equal(agentType('auto'), 'auto');
  assert.equal(agentType('bpf_cmd'), 'invalid');
  assert.equal(agentType('__proto__'), 'invalid');
  assert.equal(tetragonRelease('1.7'), 7);
  assert.equal(tetragonRelease('v1.5.2'), 5);
  assert.equal(tetragonRelease('1.2'), 4);
  assert.equal(tetragonRelease('1.12'), 8);
});

const ctx: FilterContext = { release: 8, tracepoint: false };
const codes = (f: ParsedFilter) =>
  f.values.map((x) => x.problems.map((p) => `${p.code}/${p.effect}`).join(',') || 'ok');

test('Equal and GT on integers: Go base 0 with the width of the type, at most 4 values', () => {
  const f = parseFilter('Equal', 'int', ['1', '0x10', '1_000', '4294967296'], ctx);
  assert.deepEqual(
    f.values.map((x) => (x.parsed?.kind === 'number' ? x.parsed.value : x.problems[0]!.code)),
    [1n, 16n, 1000n, 'number-out-of-range'],
  );
  assert.equal(f.countProblem, undefined);
  assert.equal(parseFilter('Equal', 'uint64', ['1', '2', '3', '4', '5'], ctx).countProblem?.code, 'too-many-values');
  assert.equal(parseFilter('NotEqual', 'string', ['a', 'b', 'c', 'd', 'e'], ctx).countProblem, undefined);
  assert.deepEqual(codes(parseFilter('GT', 'uint32', ['-1', '4294967295'], ctx)), ['not-a-number/rejects', 'ok']);
  // Tetragon 1.4 and 1.5 chose the base from the text: `0x10` fails, `010` is octal.
  const old = parseFilter('Equal', 'int', ['0x10', '010'], { ...ctx, release: 5 });
  assert.equal(old.values[0]!.problems[0]?.code, 'not-a-number');
  assert.deepEqual(old.values[1]!.parsed, { kind: 'number', value: 8n });
  // Unknown types (tracepoint formats): only what no type accepts.
  assert.deepEqual(codes(parseFilter('GT', 'auto', ['0x10', 'ten'], ctx)), ['ok', 'not-a-number/rejects']);
});

test('capability sets: masks and names for Equal, Mask, GT; names must be in the table', () => {
  const f = parseFilter('Mask', 'kernel_cap_t', ['CAP_SYS_ADMIN,cap_bpf', '0x200000', 'CAP_DAC_OVERRIDE'], ctx);
  assert.deepEqual(f.values[0]!.parsed, { kind: 'capabilities', mask: (1n << 21n) | (1n << 39n) });
  assert.deepEqual(f.values[1]!.parsed, { kind: 'capabilities', mask: 0x200000n });
  assert.match(f.values[2]!.problems[0]!.message, /DAC_OVERRIDE/);
  assert.equal(operatorTypeProblem('GT', 'cap_effective', 8, 'x'), undefined);
  assert.equal(operatorTypeProblem('GT', 'cap_effective', 4, 'x')?.effect, 'misbehaves');
  assert.equal(operatorTypeProblem('InMap', 'kernel_cap_t', 8, 'x')?.effect, 'rejects');
});

test('InRange: base 0 signed 64-bit bounds, 32-bit types capped, reversed ranges never match', () => {
  assert.deepEqual(codes(parseFilter('InRange', 'uint32', ['1:0x10', '10:1', '5', '0:5000000000'], ctx)), [
    'ok',
    'empty-range/misbehaves',
    'not-a-range/rejects',
    'range-bound-too-large/rejects',
  ]);
  assert.deepEqual(codes(parseFilter('InRange', 'uint64', ['0:5000000000'], ctx)), ['ok']);
  assert.equal(operatorTypeProblem('InRange', 'uint8', 7, 'x'), undefined);
  assert.equal(operatorTypeProblem('InRange', 'uint8', 6, 'x')?.effect, 'rejects');
  assert.equal(operatorTypeProblem('InRange', 'string', 8, 'x')?.effect, 'rejects');
});

test('InMap: base 10, ranges swapped and expanded, lists only on tracepoints for syscall64', () => {
  const f = parseFilter('InMap', 'int', ['0x10', '1:3', '5:1', '0:100000', '1:2:3'], ctx);
  assert.deepEqual(codes(f), ['not-a-number/rejects', 'ok', 'ok', 'huge-expansion/misbehaves', 'not-a-range/rejects']);
  assert.deepEqual(f.values[2]!.parsed, { kind: 'set', min: 1n, max: 5n, size: 5n });
  assert.equal(parseFilter('InMap', 'int', ['list:x'], ctx).values[0]!.problems[0]!.code, 'list-not-readable');
  const tp = { ...ctx, tracepoint: true };
  assert.equal(parseFilter('InMap', 'int64', ['list:x'], tp).values[0]!.problems[0]!.code, 'list-needs-syscall64');
  assert.deepEqual(parseFilter('InMap', 'syscall64', ['list:x'], tp).values[0]!.parsed, { kind: 'list', name: 'x' });
  assert.deepEqual(codes(parseFilter('InMap', 'uint64', ['-1', '18446744073709551615'], ctx)), [
    'not-a-number/rejects',
    'ok',
  ]);
});

test('ports, protocols, families, states: unsigned base 10, names exact, no 65535 check', () => {
  const p = parseFilter('DPort', 'sock', ['80', '8080:80', '70000', '0x50', '+80'], ctx);
  assert.deepEqual(codes(p), ['ok', 'ok', 'never-matches/misbehaves', 'not-a-number/rejects', 'not-a-number/rejects']);
  assert.deepEqual(p.values[1]!.parsed, { kind: 'set', min: 80n, max: 8080n, size: 8001n });
  const n = parseFilter('Protocol', 'sock', ['IPPROTO_TCP', 'ipproto_tcp', '6:17', 'IPPROTO_TCP:IPPROTO_UDP'], ctx);
  assert.deepEqual(codes(n), ['ok', 'unknown-name/rejects', 'ok', 'not-a-number/rejects']);
  assert.deepEqual(n.values[0]!.parsed, { kind: 'set', min: 6n, max: 6n, size: 1n });
  assert.deepEqual(parseFilter('Family', 'sockaddr_un', ['AF_UNIX'], ctx).values[0]!.parsed?.kind, 'set');
  assert.equal(operatorTypeProblem('DPort', 'sockaddr_un', 8, 'x')?.effect, 'rejects');
  assert.equal(operatorTypeProblem('DPort', 'sockaddr', 8, 'x')?.effect, 'rejects');
  assert.equal(operatorTypeProblem('SPort', 'sockaddr', 8, 'x'), undefined);
  assert.equal(operatorTypeProblem('Family', 'sockaddr_un', 6, 'x')?.effect, 'rejects');
  assert.equal(parseFilter('SPortPriv', 'sock', ['1'], ctx).countProblem?.code, 'values-ignored');
});

test('addresses, prefixes, postfixes, substrings and file types', () => {
  assert.deepEqual(codes(parseFilter('DAddr', 'sock', ['10.0.0.0/8', '10.0.0.0/33', ' 10.0.0.1'], ctx)), [
    'ok',
    'not-an-address/rejects',
    'not-an-address/rejects',
  ]);
  assert.equal(operatorTypeProblem('DAddr', 'sockaddr', 8, 'x')?.effect, 'rejects');
  assert.deepEqual(codes(parseFilter('Prefix', 'string', ['é'.repeat(128), 'a'.repeat(257)], ctx)), [
    'ok',
    'string-too-long/rejects',
  ]);
  assert.deepEqual(codes(parseFilter('Postfix', 'string', ['', '\0', 'a'.repeat(128), 'x\0'], ctx)), [
    'empty-postfix/crashes',
    'nul-only/crashes',
    'string-too-long/rejects',
    'ok',
  ]);
  assert.deepEqual(codes(parseFilter('Postfix', 'char_buf', [''], ctx)), ['ok']);
  assert.equal(operatorTypeProblem('Postfix', 'int', 8, 'x')?.effect, 'misbehaves');
  assert.deepEqual(codes(parseFilter('SubString', 'file', ['etc', 'x'.repeat(100)], ctx)), [
    'ok',
    'string-too-long/rejects',
  ]);
  assert.equal(operatorTypeProblem('SubString', 'file', 7, 'x')?.code, 'values-ignored');
  assert.equal(countsAsSubstrings('SubString', 'file', 8), true);
  assert.equal(countsAsSubstrings('SubString', 'file', 7), false);
  assert.deepEqual(codes(parseFilter('FileType', 'file', ['reg', 'REG'], ctx)), ['ok', 'unknown-name/rejects']);
  assert.equal(operatorTypeProblem('FileType', 'string', 8, 'x')?.effect, 'rejects');
});

test('Equal strings: trailing NULs trimmed on `string`, byte limits by kernel', () => {
  const f = parseFilter('Equal', 'string', ['abc\0\0', '\0', 'x'.repeat(5000), 'é'.repeat(300), 'x'.repeat(510)], ctx);
  assert.deepEqual(f.values[0]!.parsed, { kind: 'string', text: 'abc', bytes: 3 });
  assert.deepEqual(codes(f), [
    'ok',
    'nul-only/crashes',
    'string-too-long/rejects',
    'string-kernel-limit/depends',
    'ok',
  ]);
  assert.deepEqual(parseFilter('Equal', 'char_buf', ['ab\0'], ctx).values[0]!.parsed, {
    kind: 'string',
    text: 'ab\0',
    bytes: 3,
  });
  assert.equal(operatorTypeProblem('Equal', 'dentry', 8, 'x'), undefined);
  assert.equal(operatorTypeProblem('Equal', 'dentry', 7, 'x')?.effect, 'rejects');
  assert.equal(operatorTypeProblem('Equal', 'sock', 8, 'x')?.effect, 'rejects');
  assert.equal(operatorTypeProblem('Equal', 'invalid', 8, 'x')?.effect, 'rejects');
});

test('rate limits: units in either case, 32-bit numbers, clamped milliseconds, exact scopes', () => {
  assert.deepEqual(parseRateLimit('10M', undefined), { milliseconds: 600000, scope: 'thread', clamped: false });
  assert.deepEqual(parseRateLimit('2', 'global'), { milliseconds: 2000, scope: 'global', clamped: false });
  assert.deepEqual(parseRateLimit('1000000000m', ''), { milliseconds: 4294967295, scope: 'thread', clamped: true });
  for (const bad of ['4294967296', 'h', '10x', '-1s', ' 5s', '1.5h', '0x10'])
    assert.equal('code' in parseRateLimit(bad, undefined), true, bad);
  assert.equal('code' in parseRateLimit('1s', 'Process'), true);
});

test('namespaces, messages and tags, resolve paths, registers', () => {
  assert.deepEqual(parseNamespaceValue('4026531840'), { inode: 4026531840n });
  assert.deepEqual(parseNamespaceValue('host_ns'), { host: true });
  for (const bad of ['0x10', '4294967296', '-1', 'HOST_NS']) assert.ok('code' in parseNamespaceValue(bad), bad);
  assert.deepEqual(parseMessageOrTag('', 'message'), { text: '', truncated: false, bytes: 0 });
  assert.ok('code' in parseMessageOrTag('!', 'message'));
  assert.deepEqual(parseMessageOrTag('é', 'message'), { text: 'é', truncated: false, bytes: 2 });
  const long = parseMessageOrTag('é'.repeat(200), 'message');
  assert.ok(!('code' in long) && long.truncated && utf8Bytes(long.text) === 256);
  assert.ok('code' in parseMessageOrTag('', 'tag'));
  assert.deepEqual(parseResolvePath('[0]', 8), { steps: ['[0]'] });
  assert.deepEqual(parseResolvePath('a.b[2].c', 8), { steps: ['a', 'b', '[2]', 'c'] });
  for (const [bad, at] of [
    ['a..b', 2],
    ['a.[0]', 2],
    ['a[]', 2],
    ['a[0', 1],
    ['a]', 1],
    ['a[1.2]', 3],
  ] as const) {
    const r = parseResolvePath(bad, 8);
    assert.ok('code' in r && r.at === at, `${bad}: ${JSON.stringify(r)}`);
  }
  assert.ok('code' in parseResolvePath('a[0]', 6));
  assert.deepEqual(parseResolvePath('a.b', 6), { steps: ['a', 'b'] });
  assert.ok(isRegisterName('rax', 'x86_64') && isRegisterName('r10d', 'x86_64') && !isRegisterName('x0', 'x86_64'));
  assert.ok(isRegisterName('x31', 'arm64') && isRegisterName('w30', 'arm64') && !isRegisterName('w31', 'arm64'));
});
