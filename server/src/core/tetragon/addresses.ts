// SPDX-License-Identifier: Apache-2.0
/**
 * IP addresses and prefixes read the way the Tetragon agent reads `SAddr`/`DAddr` values.
 *
 * The agent relies on Go's `net/netip` (and, before Tetragon 1.7, on `net.ParseCIDR` or
 * `net.ParseIP`), whose grammar is stricter than most: IPv4 octets without leading zeros, IPv6
 * groups of one to four hex digits with at most one `::` that must stand for at least one group,
 * an embedded IPv4 address only in the last 32 bits, a `%zone` only on a plain IPv6 address.
 * The parsers below follow that grammar; they return the address bytes so that a later matcher
 * can compare addresses, not just accept them.
 */

/** A parsed address: 4 or 16 bytes, and the zone of an IPv6 address (`fe80::1%eth0`). */
export interface ParsedIp {
  readonly bytes: readonly number[];
  readonly zone: string;
}

/** An address or prefix as the agent stores it: the address bytes and the prefix length in bits. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  readonly bytes: readonly number[];
  readonly bits: number;
}

/** Go's IPv4 grammar: four decimal octets, no leading zeros, each at most 255. */
function parseIPv4Fields(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** Go's IPv6 grammar (with an optional non-empty `%zone`). */
function parseIPv6(input: string): ParsedIp | undefined {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return undefined;
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    while (off < s.length && isHex(s[off])) {
      acc = acc * 16 + parseInt(s[off]!, 16);
      if (off > 3) return undefined;
      off++;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4Fields(s);
      if (!v4) return undefined;
      v4.forEach((b, k) => (ip[i + k] = b));
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis; j < ellipsis + n; j++) ip[j] = 0;
  } else if (ellipsis >= 0) return undefined;
  return { bytes: ip, zone };
}

/** `netip.ParseAddr`: an IPv4 address, or an IPv6 address with an optional zone. */
export function goParseAddr(s: string): ParsedIp | undefined {
  for (const c of s) {
    if (c === '.') {
      const v4 = parseIPv4Fields(s);
      return v4 ? { bytes: v4, zone: '' } : undefined;
    }
    if (c === ':') return parseIPv6(s);
    if (c === '%') return undefined;
  }
  return undefined;
}

/** True for `::ffff:a.b.c.d`, which Go's old `net` package treats as IPv4. */
function isV4Mapped(bytes: readonly number[]): boolean {
  return bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function cidr(ip: ParsedIp, bits: number): ParsedCidr {
  return { family: ip.bytes.length === 4 ? 4 : 6, bytes: ip.bytes, bits };
}

/**
 * A `SAddr`/`DAddr` value as the agent of Tetragon 1.`release` reads it: an address (a host
 * prefix) or `address/bits`. Undefined when the agent refuses it.
 */
export function parseAgentCidr(v: string, release: number): ParsedCidr | undefined {
  const slash = v.includes('/');
  if (release <= 4) {
    // net.ParseIP, or ADDR/LEN with the length read by ParseUint(…, 10, 32).
    if (!slash) {
      const ip = goParseAddr(v);
      if (!ip || ip.zone) return undefined;
      return isV4Mapped(ip.bytes) ? cidr({ bytes: ip.bytes.slice(12), zone: '' }, 32) : cidr(ip, ip.bytes.length * 8);
    }
    const parts = v.split('/');
    if (parts.length !== 2 || !/^[0-9]+$/.test(parts[1]!)) return undefined;
    const ip = goParseAddr(parts[0]!);
    if (!ip || ip.zone) return undefined;
    const bits = Number(parts[1]);
    const asV4 = ip.bytes.length === 4 || isV4Mapped(ip.bytes);
    if (bits > (asV4 ? 32 : 128)) return undefined;
    return asV4 ? cidr({ bytes: ip.bytes.slice(-4), zone: '' }, bits) : cidr(ip, bits);
  }
  if (!slash) {
    const ip = goParseAddr(v);
    return ip ? cidr(ip, ip.bytes.length * 8) : undefined;
  }
  if (release <= 6) {
    // net.ParseCIDR: cut at the first slash, no zone, a decimal length (leading zeros allowed).
    const at = v.indexOf('/');
    const ip = goParseAddr(v.slice(0, at));
    const mask = v.slice(at + 1);
    if (!ip || ip.zone || !/^[0-9]+$/.test(mask)) return undefined;
    const bits = Number(mask);
    return bits <= ip.bytes.length * 8 ? cidr(ip, bits) : undefined;
  }
  // netip.ParsePrefix: cut at the last slash, no zone, a decimal length without leading zeros.
  const at = v.lastIndexOf('/');
  const ip = goParseAddr(v.slice(0, at));
  const mask = v.slice(at + 1);
  if (!ip || ip.zone || !/^(0|[1-9][0-9]*)$/.test(mask)) return undefined;
  const bits = Number(mask);
  return bits <= ip.bytes.length * 8 ? cidr(ip, bits) : undefined;
}
