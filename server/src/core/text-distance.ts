// SPDX-License-Identifier: Apache-2.0
/** Small string-similarity helpers for "did you mean" suggestions. */

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so `TPC` is one edit from
 * `TCP`, as a typist would count it. Bounded: returns `limit + 1` once the distance exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, before[j - 2]! + 1);
      }
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidates closest to `word` (case-insensitive first), if any is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    const limit = Math.max(1, Math.floor(Math.max(word.length, c.length) / 3));
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Answers of {@link closestInSet}, per set; a set is dropped with its binary. */
const answers = new WeakMap<ReadonlySet<string>, Map<string, string | null>>();

/**
 * {@link closest} over a large set that does not change (the functions of a binary, which a hostile
 * file can make millions of): at most `maxCandidates` names are compared, in the set's order, so
 * one lookup costs a bounded time whatever the binary holds; answers are remembered per set, so a
 * lint on every keystroke compares a word once.
 */
export function closestInSet(word: string, set: ReadonlySet<string>, maxCandidates = 100_000): string | undefined {
  let known = answers.get(set);
  if (!known) answers.set(set, (known = new Map<string, string | null>()));
  const hit = known.get(word);
  if (hit !== undefined) return hit ?? undefined;
  const limited = function* (): Generator<string> {
    let n = 0;
    for (const c of set) {
      if (++n > maxCandidates) return;
      yield c;
    }
  };
  const found = closest(word, limited());
  // Bounded too: a policy cannot make the memory grow without end by listing ever new symbols.
  if (known.size > 10_000) known.clear();
  known.set(word, found ?? null);
  return found;
}
