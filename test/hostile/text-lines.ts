// SPDX-License-Identifier: Apache-2.0
/**
 * Line bookkeeping the way LSP defines it (`\r\n`, `\r` and `\n` end a line; characters are
 * UTF-16 code units), computed independently of the server so that its ranges can be checked.
 */

/** Zero-based position. */
export interface Pos {
  readonly line: number;
  readonly character: number;
}

/** The offset at which each line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Lengths of every line, line breaks excluded. */
export function lineLengths(text: string): number[] {
  const starts = lineStarts(text);
  return starts.map((s, i) => {
    let end = i + 1 < starts.length ? starts[i + 1]! : text.length;
    if (end > s && text.charCodeAt(end - 1) === 10) end--;
    if (end > s && text.charCodeAt(end - 1) === 13) end--;
    return end - s;
  });
}

/** The position of an offset. */
export function positionAt(starts: readonly number[], offset: number): Pos {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

/** The offset of a position (clamped to its line, as LSP says). */
export function offsetAt(text: string, starts: readonly number[], pos: Pos): number {
  if (pos.line >= starts.length) return text.length;
  if (pos.line < 0) return 0;
  const start = starts[pos.line]!;
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! : text.length;
  let end = next;
  if (end > start && text.charCodeAt(end - 1) === 10) end--;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return Math.max(start, Math.min(start + pos.character, end));
}

/** Why a range does not fit the text, or undefined when it does. */
export function rangeProblem(lengths: readonly number[], range: { start: Pos; end: Pos }): string | undefined {
  for (const [what, p] of [
    ['start', range.start],
    ['end', range.end],
  ] as const) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0)
      return `${what} ${JSON.stringify(p)} is not a position`;
    if (p.line >= lengths.length) return `${what} line ${p.line} is past the last line (${lengths.length - 1})`;
    if (p.character > lengths[p.line]!)
      return `${what} ${p.line}:${p.character} is past the end of its line (${lengths[p.line]})`;
  }
  if (
    range.start.line > range.end.line ||
    (range.start.line === range.end.line && range.start.character > range.end.character)
  ) {
    return `start ${JSON.stringify(range.start)} is after end ${JSON.stringify(range.end)}`;
  }
  return undefined;
}
