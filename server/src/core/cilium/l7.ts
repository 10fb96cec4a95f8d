// SPDX-License-Identifier: Apache-2.0
/** Small questions about `toPorts[].rules` shared by the L7, TLS and listener rules. */
import { obj } from '../data.js';

/**
 * True when `rules` holds at least one L7 rule. The agent treats `rules: {}` and empty lists as
 * "no L7 rules", so only non-empty lists (or a proxylib `l7proto` name) count.
 */
export function hasL7Rules(rules: unknown): boolean {
  const r = obj(rules);
  if (!r) return false;
  return Object.values(r).some((v) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.length > 0 : false));
}
