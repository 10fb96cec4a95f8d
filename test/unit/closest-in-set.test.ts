// SPDX-License-Identifier: Apache-2.0
/** `closestInSet`: "did you mean" over a binary's functions costs a bounded number of comparisons, once per word. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestInSet } from '../../server/src/core/text-distance.js';

/** A set that counts how many names were taken from it. */
class CountingSet extends Set<string> {
  taken = 0;
  override *[Symbol.iterator](): SetIterator<string> {
    for (const v of super.values()) {
      this.taken++;
      yield v;
    }
    return undefined;
  }
}

test('at most maxCandidates names are compared, and a word is compared once per set', () => {
  const set = new CountingSet(Array.from({ length: 50_000 }, (_, i) => `fn_${i}`));
  set.add('place_order');
  assert.equal(closestInSet('place_ordr', set, 1000), undefined, 'the match lies beyond the first 1000 names');
  assert.ok(set.taken <= 1001, `${set.taken} names taken`);
  const fresh = new CountingSet(set);
  assert.equal(closestInSet('place_ordr', fresh), 'place_order');
  const taken = fresh.taken;
  assert.equal(closestInSet('place_ordr', fresh), 'place_order');
  assert.equal(fresh.taken, taken, 'the second lookup is remembered');
});
