// SPDX-License-Identifier: Apache-2.0
// The nearest valid CIDR a schema/format finding offers to change a malformed one to.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isCidr, nearestCidr } from '../../server/src/core/schema-validation.js';

test('a CIDR with a bad prefix gets the nearest valid one', () => {
  const cases: [string, string | undefined][] = [
    ['10.0.0.0/33', '10.0.0.0/32'],
    ['10.0.0.0/', '10.0.0.0/32'],
    ['10.0.0.0/8/', '10.0.0.0/8'],
    ['10.0.0.0 /8', '10.0.0.0/8'],
    ['10.0.0.7', '10.0.0.7/32'],
    ['2001:db8::/129', '2001:db8::/128'],
    ['2001:db8::', '2001:db8::/128'],
    ['10.0.0.0/08', '10.0.0.0/8'],
    // The address itself is broken: nothing is near enough to offer.
    ['10.0.0.256/8', undefined],
    ['example.com/8', undefined],
    ['10.0.0.0/8', undefined],
  ];
  for (const [input, expected] of cases) {
    assert.equal(nearestCidr(input), expected, input);
    if (expected !== undefined) assert.ok(isCidr(expected), `${expected} is valid`);
  }
});
