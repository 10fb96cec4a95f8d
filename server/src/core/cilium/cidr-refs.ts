// SPDX-License-Identifier: Apache-2.0
/** Where CIDR strings appear in a Cilium network policy. */
import { list, obj, str, type Obj } from '../data.js';
import { sectionItems } from './sections.js';
import type { DataPath } from '../data.js';

/** One CIDR string as written, with its path. */
export interface CidrRef {
  readonly text: string;
  readonly path: DataPath;
}

/** One `fromCIDRSet`/`toCIDRSet` entry. */
export interface CidrSetRef {
  readonly entry: Obj;
  readonly path: DataPath;
}

const PLAIN = ['fromCIDR', 'toCIDR'];
const SETS = ['fromCIDRSet', 'toCIDRSet'];

/** Every CIDR-set entry of every ingress/egress (allow and deny) item. */
export function cidrSetEntries(data: unknown): CidrSetRef[] {
  const out: CidrSetRef[] = [];
  for (const s of sectionItems(data)) {
    for (const key of SETS) {
      list(s.item[key]).forEach((e, i) => {
        const entry = obj(e);
        if (entry) out.push({ entry, path: [...s.path, key, i] });
      });
    }
  }
  return out;
}

/** Every CIDR string: `fromCIDR`/`toCIDR` items, and `cidr` and `except` of CIDR sets. */
export function cidrStrings(data: unknown): CidrRef[] {
  const out: CidrRef[] = [];
  for (const s of sectionItems(data)) {
    for (const key of PLAIN) {
      list(s.item[key]).forEach((c, i) => {
        const text = str(c);
        if (text !== undefined) out.push({ text, path: [...s.path, key, i] });
      });
    }
  }
  for (const set of cidrSetEntries(data)) {
    const cidr = str(set.entry['cidr']);
    if (cidr !== undefined) out.push({ text: cidr, path: [...set.path, 'cidr'] });
    list(set.entry['except']).forEach((c, i) => {
      const text = str(c);
      if (text !== undefined) out.push({ text, path: [...set.path, 'except', i] });
    });
  }
  return out;
}
