// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/icmps-with-to-ports
 *
 * An ingress/egress item may restrict traffic by ports or by ICMP type, not both: the agent
 * rejects an item that has non-empty `icmps` and `toPorts`. Writing them as two items (with the
 * same peers) expresses "these ports or these ICMP messages".
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { nonEmpty } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';

export const rule: Rule = {
  id: 'cilium/icmps-with-to-ports',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'An ingress or egress item may not have both `icmps` and `toPorts`.',
  rationale:
    'The CRD allows both fields on one item, but the agent refuses the combination and marks the policy invalid. Put the ICMP rule and the port rule in two items, repeating the peers in each.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities:\n        - cluster\n      toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n      icmps:\n        - fields:\n            - type: 8\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities:\n        - cluster\n      toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n    - fromEntities:\n        - cluster\n      icmps:\n        - fields:\n            - type: 8\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'IngressRule/EgressRule (and deny) Validate: errUnsupportedICMPWithToPorts',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      if (!nonEmpty(s.item['icmps']) || !nonEmpty(s.item['toPorts'])) continue;
      out.push({
        path: [...s.path, 'icmps'],
        target: 'key',
        message: `This ${s.direction} item also has \`toPorts\`; the agent rejects an item with both. Move \`icmps\` into a separate item with the same peers.`,
      });
    }
    return out;
  },
};
