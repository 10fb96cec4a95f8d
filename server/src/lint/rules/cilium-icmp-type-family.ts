// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/icmp-type-family
 *
 * ICMP type names differ between ICMPv4 and ICMPv6 (`Echo` vs `EchoRequest`, `Redirect` vs
 * `RedirectMessage`, …). The CRD pattern accepts a name from either list for any family; the
 * agent looks the name up in the list of the entry's `family` (IPv4 when absent) and rejects
 * the policy when it is not there.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';

const IPV4 = [
  'EchoReply',
  'DestinationUnreachable',
  'Redirect',
  'Echo',
  'EchoRequest',
  'RouterAdvertisement',
  'RouterSelection',
  'TimeExceeded',
  'ParameterProblem',
  'Timestamp',
  'TimestampReply',
  'Photuris',
  'ExtendedEchoRequest',
  'ExtendedEchoReply',
];
const IPV6 = [
  'DestinationUnreachable',
  'PacketTooBig',
  'TimeExceeded',
  'ParameterProblem',
  'EchoRequest',
  'EchoReply',
  'MulticastListenerQuery',
  'MulticastListenerReport',
  'MulticastListenerDone',
  'RouterSolicitation',
  'RouterAdvertisement',
  'NeighborSolicitation',
  'NeighborAdvertisement',
  'RedirectMessage',
  'RouterRenumbering',
  'ICMPNodeInformationQuery',
  'ICMPNodeInformationResponse',
  'InverseNeighborDiscoverySolicitation',
  'InverseNeighborDiscoveryAdvertisement',
  'HomeAgentAddressDiscoveryRequest',
  'HomeAgentAddressDiscoveryReply',
  'MobilePrefixSolicitation',
  'MobilePrefixAdvertisement',
  'DuplicateAddressRequestCodeSuffix',
  'DuplicateAddressConfirmationCodeSuffix',
  'ExtendedEchoRequest',
  'ExtendedEchoReply',
];
/** Names whose counterpart in the other family is spelled differently. */
const COUNTERPART: Readonly<Record<string, string>> = {
  Redirect: 'RedirectMessage',
  RedirectMessage: 'Redirect',
  RouterSelection: 'RouterSolicitation',
  RouterSolicitation: 'RouterSelection',
};

export const rule: Rule = {
  id: 'cilium/icmp-type-family',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: "An ICMP type name must exist for the entry's `family` (IPv4 unless `family: IPv6`).",
  rationale:
    "The CRD accepts every ICMPv4 and ICMPv6 type name for either family, but the agent resolves the name in the table of the entry's family only and rejects the policy if it is missing there, for example `PacketTooBig` or `NeighborSolicitation` without `family: IPv6`. Use the name of the right family, or the numeric type.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: pmtu\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - icmps:\n        - fields:\n            - type: PacketTooBig\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: pmtu\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - icmps:\n        - fields:\n            - family: IPv6\n              type: PacketTooBig\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/icmp.go',
      func: 'ICMPField.UnmarshalJSON (type name looked up in the table of the family)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      list(s.item['icmps']).forEach((icmp, i) => {
        list(obj(icmp)?.['fields']).forEach((f, j) => {
          const field = obj(f);
          const type = str(field?.['type']);
          // A numeric string is a number unless it reads as 0 (then the agent looks it up as a name).
          if (!field || type === undefined || (/^\d+$/.test(type) && !/^0+$/.test(type)) || type === '0') return;
          if (/^0+$/.test(type)) {
            out.push({
              path: [...s.path, 'icmps', i, 'fields', j, 'type'],
              target: 'value',
              message: `\`"${type}"\` is not read as the number 0: the agent takes a string that is not \`"0"\` and reads as zero for a type name, finds none, and rejects the policy. Write \`0\`.`,
            });
            return;
          }
          const family = str(field['family']) ?? 'IPv4';
          if (family !== 'IPv4' && family !== 'IPv6') return; // The schema reports unknown families.
          const own = family === 'IPv4' ? IPV4 : IPV6;
          const other = family === 'IPv4' ? IPV6 : IPV4;
          if (own.includes(type) || !other.includes(type)) return; // Unknown names are the schema's business.
          const otherFamily = family === 'IPv4' ? 'IPv6' : 'IPv4';
          const counterpart = COUNTERPART[type];
          const hint =
            counterpart && own.includes(counterpart)
              ? ` For ${family}, did you mean \`${counterpart}\`?`
              : ` Set \`family: ${otherFamily}\` if you meant ${otherFamily}.`;
          out.push({
            path: [...s.path, 'icmps', i, 'fields', j, 'type'],
            target: 'value',
            message: `\`${type}\` is an ${otherFamily} ICMP type, not an ${family} one${field['family'] === undefined ? ' (the family defaults to IPv4)' : ''}; the agent rejects it.${hint}`,
          });
        });
      });
    }
    return out;
  },
};
