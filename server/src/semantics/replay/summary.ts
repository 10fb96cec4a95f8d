// SPDX-License-Identifier: Apache-2.0
/**
 * The summary of what a replay did not judge, as `cilium-policy replay --format json` writes it
 * (`skipped`) and the editor's flow-log status shows it: one object for both, so they never drift.
 * Pure: the reader's line problems come in as plain counts by kind.
 */
import type { SkipKind } from './hubble.js';

/**
 * Counts of the lines the JSON-lines reader refused, by the reader's kind names (`unparsable`,
 * `too-long`, `nul-byte`, `invalid-utf8`, `too-deep`, `number-out-of-range`); a kind left out is 0.
 */
export type LineProblemCounts = Readonly<Record<string, number>>;

/**
 * The `skipped` object: the three keys first (`reply`, `notFlow` with the empty lines,
 * `unparsable`), then the other kinds in a fixed order, each only when some were seen.
 */
export function skippedSummary(
  skipped: Readonly<Record<SkipKind, number>>,
  emptyLines: number,
  lineProblems: LineProblemCounts,
): Record<string, number> {
  const count = (kind: string): number => lineProblems[kind] ?? 0;
  const out: Record<string, number> = {
    reply: skipped.reply,
    notFlow: skipped['not-flow'] + emptyLines,
    unparsable: count('unparsable'),
  };
  const more: [string, number][] = [
    ['incomplete', skipped.incomplete],
    ['otherL7', skipped['other-l7']],
    ['oversized', skipped.oversized],
    ['tooLong', count('too-long')],
    ['nulByte', count('nul-byte')],
    ['invalidUtf8', count('invalid-utf8')],
    ['tooDeep', count('too-deep')],
    ['numberOutOfRange', count('number-out-of-range')],
  ];
  for (const [k, n] of more) if (n > 0) out[k] = n;
  return out;
}
