// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/cidr-host-bits
 *
 * `10.0.0.1/8` is accepted and means `10.0.0.0/8`: Cilium masks the address with the prefix
 * length. Nobody writes a host address with a short prefix on purpose, so this is usually either
 * a single address with the wrong length (`/32` meant) or a network written sloppily. Both quick
 * fixes are offered; the network one is preferred because it keeps what the policy does today.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { formatPrefix, hasHostBits, networkOf, parsePrefix } from '../../core/cilium/cidr.js';
import { cidrStrings } from '../../core/cilium/cidr-refs.js';
import { sameQuotes } from '../scalars.js';
import { replaceValue } from '../../core/yaml-edits.js';

export const rule: Rule = {
  id: 'cilium/cidr-host-bits',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: 'A CIDR whose address has bits set beyond its prefix length, such as `10.0.0.1/8`.',
  rationale:
    'Cilium clears the host bits, so `10.0.0.1/8` allows all of `10.0.0.0/8`. If a single address was meant, the prefix must be `/32` (IPv4) or `/128` (IPv6); if the network was meant, writing it as such makes the policy say what it does.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR:\n        - 10.0.0.1/8\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR:\n        - 10.0.0.0/8\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const ref of cidrStrings(doc.data)) {
      const p = parsePrefix(ref.text);
      if (!p || !hasHostBits(p)) continue;
      const net = formatPrefix(networkOf(p));
      const host = formatPrefix({ ...p, bits: p.family === 4 ? 32 : 128 });
      const fixes: Fix[] = [];
      const toNet = replaceValue(file, doc, ref.path, sameQuotes(doc, ref.path, net));
      if (toNet) fixes.push({ title: `Change to ${net}`, edits: [toNet], preferred: true });
      const toHost = replaceValue(file, doc, ref.path, sameQuotes(doc, ref.path, host));
      if (toHost) fixes.push({ title: `Change to ${host} (the single address)`, edits: [toHost] });
      out.push({
        path: ref.path,
        target: 'value',
        message: `\`${ref.text}\` has host bits set; Cilium treats it as ${net}. Did you mean ${net}, or ${host} for the single address?`,
        data: { network: net, host },
        fixes,
      });
    }
    return out;
  },
};
