// SPDX-License-Identifier: Apache-2.0
/** Single addresses as prefixes, for CIDR containment. */
import { contains, parsePrefix, type Prefix } from '../core/cilium/cidr.js';

/** An address (`10.0.0.1`, `fd00::1`) as a full-length prefix; undefined when it is not one. */
export function parseAddress(text: string): Prefix | undefined {
  const t = text.trim();
  if (t.includes('/')) return undefined;
  // An IPv6 address would also parse with /32 (a valid IPv6 prefix length): the family decides.
  return t.includes(':') ? parsePrefix(`${t}/128`) : parsePrefix(`${t}/32`);
}

/** True when the address lies in the prefix. IPv4-mapped IPv6 addresses compare as IPv4. */
export function prefixContains(prefix: Prefix, address: Prefix): boolean {
  return contains(prefix, address) || (address.v4Mapped && contains(prefix, unmap(address)));
}

function unmap(p: Prefix): Prefix {
  return { family: 4, addr: p.addr & 0xffffffffn, bits: 32, v4Mapped: false };
}

/** True when the address lies in the CIDR (`cidr` with `except`). */
export function cidrAdmits(prefix: Prefix, except: readonly Prefix[], address: Prefix): boolean {
  return prefixContains(prefix, address) && !except.some((e) => prefixContains(e, address));
}
