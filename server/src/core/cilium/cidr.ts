// SPDX-License-Identifier: Apache-2.0
/**
 * IPv4/IPv6 prefixes as numbers, for the CIDR rules. Parsing is strict in the way Go's
 * `netip.ParsePrefix` is (no zone, decimal prefix length in range) but never throws: anything it
 * cannot read comes back undefined, and the schema's `format: cidr` reports those.
 */

export type Family = 4 | 6;

/** A parsed `address/length`. */
export interface Prefix {
  readonly family: Family;
  /** The address as written, as an unsigned number of 32 or 128 bits. */
  readonly addr: bigint;
  readonly bits: number;
  /** True for an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
  readonly v4Mapped: boolean;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let tail: bigint[] = [];
  let text = s;
  if (s.includes('.')) {
    // An embedded IPv4 address takes the place of the last two groups.
    const colon = s.lastIndexOf(':');
    const v4 = parseV4(s.slice(colon + 1));
    if (v4 === undefined || colon < 0) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = s.slice(0, colon + 1);
    // Keep a `::` right before the IPv4 part; drop a single separating colon.
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const all = halves.length === 2 ? [...head, ...rest, ...tail] : [...head, ...tail];
  let filled: bigint[];
  if (halves.length === 2) {
    if (all.length > 7) return undefined;
    filled = [...head, ...Array<bigint>(8 - all.length).fill(0n), ...rest, ...tail];
  } else {
    if (all.length !== 8) return undefined;
    filled = all;
  }
  return filled.reduce((n, g) => (n << 16n) | g, 0n);
}

/** Parses `address/length`; undefined when it is not one. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = text.slice(0, slash);
  const len = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(len)) return undefined;
  const bits = Number(len);
  const v4 = parseV4(ip);
  if (v4 !== undefined) return bits <= 32 ? { family: 4, addr: v4, bits, v4Mapped: false } : undefined;
  const v6 = parseV6(ip);
  if (v6 === undefined || bits > 128) return undefined;
  return { family: 6, addr: v6, bits, v4Mapped: v6 >> 32n === 0xffffn };
}

function width(f: Family): bigint {
  return f === 4 ? 32n : 128n;
}

/** The network mask of a prefix. */
function mask(p: Pick<Prefix, 'family' | 'bits'>): bigint {
  const w = width(p.family);
  const all = (1n << w) - 1n;
  return all ^ ((1n << (w - BigInt(p.bits))) - 1n);
}

/** The prefix with its host bits cleared. */
export function networkOf(p: Prefix): Prefix {
  return { ...p, addr: p.addr & mask(p) };
}

/** True when the address has bits set beyond the prefix length (`10.0.0.1/8`). */
export function hasHostBits(p: Prefix): boolean {
  return (p.addr & mask(p)) !== p.addr;
}

/** True when `inner` lies within `outer` (same family, at least as long, same network bits). */
export function contains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.bits < outer.bits) return false;
  const m = mask(outer);
  return (outer.addr & m) === (inner.addr & m);
}

/** Formats a prefix the way Go prints it (IPv6 with the longest zero run compressed). */
export function formatPrefix(p: Prefix): string {
  return `${formatAddr(p)}/${p.bits}`;
}

function formatAddr(p: Prefix): string {
  if (p.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((p.addr >> s) & 0xffn)).join('.');
  }
  if (p.v4Mapped) {
    const v4 = p.addr & 0xffffffffn;
    return `::ffff:${formatAddr({ family: 4, addr: v4, bits: 32, v4Mapped: false })}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((p.addr >> BigInt(i * 16)) & 0xffffn));
  // The longest run of two or more zero groups becomes `::` (the first one on ties).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
