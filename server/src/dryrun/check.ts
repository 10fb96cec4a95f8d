// SPDX-License-Identifier: Apache-2.0
/**
 * Three-valued answers of the dry run: a filter holds, does not hold, or cannot be decided from
 * what the event carries (with the reason). Filters of a selector are ANDed: one `false` decides,
 * otherwise one `unknown` leaves the selector unknown.
 */

/** The answer of one filter (or a selector) for one event. */
export type Check =
  | { readonly state: 'true' }
  | { readonly state: 'false'; readonly reason: string }
  | { readonly state: 'unknown'; readonly reason: string };

/** The one `true` (answers are compared by state, so one object is enough). */
export const TRUE: Check = { state: 'true' };

/**
 * A `false`; the reason may be given as a function, computed only when someone reads it (most
 * `false`s of a large dry run are counted, never shown).
 */
export function no(reason: string | (() => string)): Check {
  return typeof reason === 'string' ? { state: 'false', reason } : new LazyNo(reason);
}

/** A `false` whose reason is worded on first read. */
class LazyNo {
  readonly state = 'false' as const;
  #why: string | (() => string);
  constructor(why: () => string) {
    this.#why = why;
  }
  get reason(): string {
    if (typeof this.#why !== 'string') this.#why = this.#why();
    return this.#why;
  }
}

export function unknown(reason: string): Check {
  return { state: 'unknown', reason };
}

/** `true` when `ok`, otherwise a `false` whose reason is computed when read. */
export function when(ok: boolean, reasonIfNot: () => string): Check {
  return ok ? TRUE : no(reasonIfNot);
}

/** Negates an answer (NotIn from In); the reason for the new `false` is given. */
export function not(c: Check, reasonIfTrue: () => string): Check {
  if (c.state === 'true') return no(reasonIfTrue());
  if (c.state === 'false') return TRUE;
  return c;
}

/** ANDs answers computed lazily, stopping at the first `false`. */
export function all(checks: readonly (() => Check)[]): Check {
  let firstUnknown: Check | undefined;
  for (const c of checks) {
    const r = c();
    if (r.state === 'false') return r;
    if (r.state === 'unknown' && !firstUnknown) firstUnknown = r;
  }
  return firstUnknown ?? TRUE;
}

/** ORs answers: one `true` decides; otherwise one `unknown` leaves it unknown. */
export function any(checks: readonly Check[], reasonIfNone: () => string): Check {
  let firstUnknown: Check | undefined;
  for (const r of checks) {
    if (r.state === 'true') return r;
    if (r.state === 'unknown' && !firstUnknown) firstUnknown = r;
  }
  return firstUnknown ?? no(reasonIfNone());
}
