// SPDX-License-Identifier: Apache-2.0
/** Port strings read the way the Cilium agent reads them (`iana.IsSvcName`, then Go's `ParseUint(port, 0, 16)`). */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { agentPort, parseGoUint } from '../../server/src/core/cilium/ports.js';

test('base prefixes, octal leading zeros and digit separators follow Go', () => {
  // Each case: the text and the value Go's strconv.ParseUint(s, 0, 16) gives (from the Go language spec's integer literals).
  const cases: [string, number][] = [
    ['0', 0],
    ['00', 0],
    ['80', 80],
    ['65535', 65535],
    ['010', 0o10],
    ['0o17', 0o17],
    ['0O17', 0o17],
    ['0b101', 0b101],
    ['0x1F', 0x1f],
    ['1_000', 1000],
    ['0_7', 7],
    ['0x_1f', 0x1f],
    ['0b1_0', 2],
  ];
  for (const [s, v] of cases) assert.deepEqual(parseGoUint(s), { value: v }, s);
});

test('what Go refuses: bad digits, misplaced underscores, signs, overflow', () => {
  for (const s of [
    '',
    '08',
    '09',
    '0b2',
    '0o8',
    '1__0',
    '_1',
    '1_',
    '0x',
    '+80',
    '-1',
    ' 80',
    '80 ',
    '1e3',
    '8.0',
    '0x_',
  ]) {
    assert.deepEqual(parseGoUint(s), { error: 'syntax' }, JSON.stringify(s));
  }
  for (const s of ['65536', '99999', '0x10000', '0o200000']) assert.deepEqual(parseGoUint(s), { error: 'range' }, s);
  assert.deepEqual(parseGoUint('65536', 32), { value: 65536 });
});

test('a name-shaped port is a name before it is a number', () => {
  assert.equal(agentPort('http').kind, 'name');
  assert.equal(agentPort('0x50').kind, 'name'); // has a letter and no `_`: IsSvcName wins
  assert.deepEqual(agentPort('0x5_0'), { kind: 'number', value: 0x50 }); // `_` is not allowed in names
  assert.deepEqual(agentPort('1_000'), { kind: 'number', value: 1000 });
  assert.deepEqual(agentPort('99999'), { kind: 'invalid', reason: 'range' });
  assert.deepEqual(agentPort('80/tcp'), { kind: 'invalid', reason: 'syntax' });
  assert.equal(agentPort('a-very-long-port-name').kind, 'invalid'); // 21 characters: not a name, not a number
});
