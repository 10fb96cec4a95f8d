// SPDX-License-Identifier: Apache-2.0
/**
 * Checks that a string compiles as a Go (RE2) regular expression. re2js parses with RE2's own
 * grammar and never backtracks, so user-written patterns are safe to look at; a JavaScript RegExp
 * would both accept things Go rejects (look-arounds, back-references) and risk catastrophic
 * backtracking.
 */
import { RE2JS } from 're2js';

/** Why a pattern does not compile, and where (offsets into the pattern), when re2js says. */
export interface RegexProblem {
  readonly reason: string;
  /** The offending part of the pattern, as re2js reports it. */
  readonly fragment: string | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

/**
 * Results of earlier checks. Compiling is linear but not cheap: a repeat such as `a{1000}` expands
 * to a thousand instructions, so a hostile pattern can take a second to check. The server lints
 * every document again after each keystroke; remembering the answer keeps that cost to once per
 * pattern. Bounded by total pattern length, oldest entries go first.
 */
const checked = new Map<string, RegexProblem | undefined>();
let checkedChars = 0;
const MAX_CHECKED_CHARS = 4 * 1024 * 1024;

/** Returns undefined when the pattern compiles as an RE2 regular expression. */
export function re2Problem(pattern: string): RegexProblem | undefined {
  if (checked.has(pattern)) return checked.get(pattern);
  const problem = compileProblem(pattern);
  if (pattern.length <= MAX_CHECKED_CHARS) {
    while (checkedChars + pattern.length > MAX_CHECKED_CHARS) {
      const oldest = checked.keys().next().value as string;
      checked.delete(oldest);
      checkedChars -= oldest.length;
    }
    checked.set(pattern, problem);
    checkedChars += pattern.length;
  }
  return problem;
}

function compileProblem(pattern: string): RegexProblem | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    const err = e as { error?: unknown; input?: unknown; message?: unknown };
    const reason = typeof err.error === 'string' ? err.error : String(err.message ?? e);
    const fragment = typeof err.input === 'string' && err.input.length > 0 ? err.input : undefined;
    const at = fragment !== undefined ? pattern.indexOf(fragment) : -1;
    return at >= 0
      ? { reason, fragment, start: at, end: at + fragment!.length }
      : { reason, fragment, start: undefined, end: undefined };
  }
}
