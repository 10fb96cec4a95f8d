// SPDX-License-Identifier: Apache-2.0
/**
 * Go's `strconv` integer and boolean parsers, reimplemented so that a value is accepted or
 * refused exactly where the Tetragon agent (written in Go) accepts or refuses it.
 *
 * The rules are those of the Go language specification and standard library documentation:
 * base 0 reads a `0x`/`0o`/`0b` prefix (or a bare leading `0` as octal) and then allows `_`
 * between digits; any other base takes digits only; `ParseInt` takes one optional sign, `ParseUint`
 * none; a value that does not fit the bit size is a range error, not a truncation.
 * Results are `bigint` so that 64-bit values stay exact.
 */

/** Why Go refuses a number: `syntax` (not a number in that base) or `range` (too large for the bit size). */
export type GoNumError = 'syntax' | 'range';

/** The outcome of a Go integer parse. */
export type GoIntResult =
  { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly error: GoNumError };

const MAX_UINT64 = (1n << 64n) - 1n;

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 122) return lower - 97 + 10;
  return 99;
}

/** Underscores must sit between digits, or between a base prefix and a digit (Go's rule). */
function underscoreOK(s0: string): boolean {
  let s = s0;
  let saw: '^' | '0' | '_' | '!' = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && c.toLowerCase() >= 'a' && c.toLowerCase() <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/**
 * `strconv.ParseUint(s, base, bitSize)`. `base` is 0 or 2–36, `bitSize` 1–64 (0 means 64, the
 * size of Go's `uint` on the 64-bit platforms Tetragon runs on).
 */
export function goParseUint(s: string, base: number, bitSize: number): GoIntResult {
  if (s === '') return { ok: false, error: 'syntax' };
  const base0 = base === 0;
  const s0 = s;
  let b = base;
  if (base === 0) {
    b = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1]!.toLowerCase() : '';
      if (p === 'b') [b, s] = [2, s.slice(2)];
      else if (p === 'o') [b, s] = [8, s.slice(2)];
      else if (p === 'x') [b, s] = [16, s.slice(2)];
      else [b, s] = [8, s.slice(1)];
    }
  } else if (base < 2 || base > 36) return { ok: false, error: 'syntax' };
  const bits = bitSize === 0 ? 64 : bitSize;
  const maxVal = (1n << BigInt(bits)) - 1n;
  const bigBase = BigInt(b);
  const cutoff = MAX_UINT64 / bigBase + 1n;
  let underscores = false;
  let n = 0n;
  for (const c of s) {
    if (c === '_' && base0) {
      underscores = true;
      continue;
    }
    const d = digitValue(c);
    if (d >= b) return { ok: false, error: 'syntax' };
    if (n >= cutoff) return { ok: false, error: 'range' };
    n *= bigBase;
    const n1 = n + BigInt(d);
    if (n1 > maxVal) return { ok: false, error: 'range' };
    n = n1;
  }
  if (underscores && !underscoreOK(s0)) return { ok: false, error: 'syntax' };
  return { ok: true, value: n };
}

/** `strconv.ParseInt(s, base, bitSize)`: one optional sign, then {@link goParseUint}'s rules. */
export function goParseInt(s: string, base: number, bitSize: number): GoIntResult {
  if (s === '') return { ok: false, error: 'syntax' };
  let body = s;
  let neg = false;
  if (s[0] === '+') body = s.slice(1);
  else if (s[0] === '-') {
    neg = true;
    body = s.slice(1);
  }
  const u = goParseUint(body, base, bitSize);
  // Go reports a syntax error before a range error, and a range error of the unsigned parse
  // stays a range error here.
  if (!u.ok && u.error === 'syntax') return u;
  const bits = bitSize === 0 ? 64 : bitSize;
  const cutoff = 1n << BigInt(bits - 1);
  if (!u.ok) return { ok: false, error: 'range' };
  if (!neg && u.value >= cutoff) return { ok: false, error: 'range' };
  if (neg && u.value > cutoff) return { ok: false, error: 'range' };
  return { ok: true, value: neg ? -u.value : u.value };
}

/** `strconv.Atoi(s)`: base 10, 64 bits, one optional sign. */
export function goAtoi(s: string): GoIntResult {
  return goParseInt(s, 10, 64);
}

/** `strconv.ParseBool(s)`: the twelve spellings Go accepts, or undefined. */
export function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** A Go-style quoted rendering of a number error, for messages. */
export function goNumErrorText(e: GoNumError): string {
  return e === 'range' ? 'out of range' : 'not a number';
}
