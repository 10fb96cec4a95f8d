// SPDX-License-Identifier: Apache-2.0
/**
 * Matching DNS names against `matchName` and `matchPattern` (FQDN-2, FQDN-4): names compare without
 * case and without the trailing dot; in a pattern `*` stands for any run of DNS characters inside
 * one label, a leading `**.` for one or more whole labels, and a lone `*` for every name.
 */

/** A name in the form the DNS proxy compares: lower case, no trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const compiled = new Map<string, RegExp | undefined>();

/** The pattern as a regular expression over a normalised name; undefined when it is not a valid pattern. */
function patternRegex(pattern: string): RegExp | undefined {
  const key = pattern;
  if (compiled.has(key)) return compiled.get(key);
  let p = normalizeName(pattern);
  let re: RegExp | undefined;
  if (!/^[a-z0-9_.*-]*$/.test(p) || p === '') re = undefined;
  else if (p === '*') re = /^[a-z0-9_.-]+$/;
  else {
    let prefix = '';
    if (p.startsWith('**.')) {
      prefix = '(?:[a-z0-9_-]+\\.)+';
      p = p.slice(3);
    }
    const body = p
      .split('')
      .map((c) => (c === '*' ? '[a-z0-9_-]*' : c === '.' ? '\\.' : c))
      .join('');
    re = new RegExp(`^${prefix}${body}$`);
  }
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(key, re);
  return re;
}

/** True when `name` is the `matchName`. */
export function matchesName(matchName: string, name: string): boolean {
  return normalizeName(matchName) === normalizeName(name);
}

/** True when `name` matches the `matchPattern`. */
export function matchesPattern(matchPattern: string, name: string): boolean {
  const re = patternRegex(matchPattern);
  return re !== undefined && re.test(normalizeName(name));
}

/** A `toFQDNs` entry or a DNS rule: one of `matchName` and `matchPattern`. */
export interface NameMatcher {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** True when the entry admits the name. */
export function nameMatcherAdmits(m: NameMatcher, name: string): boolean {
  if (m.matchName !== undefined) return matchesName(m.matchName, name);
  if (m.matchPattern !== undefined) return matchesPattern(m.matchPattern, name);
  return false;
}

/** The entry as written, for sentences. */
export function describeNameMatcher(m: NameMatcher): string {
  return m.matchName !== undefined ? m.matchName : `pattern ${m.matchPattern ?? ''}`;
}
