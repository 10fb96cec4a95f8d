// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/mixed-peer-types
 *
 * One ingress/egress item may name its peers in one way only: endpoints, CIDRs, CIDR sets,
 * entities, nodes, groups, services or FQDNs. The agent rejects an item that combines two of them;
 * the fix is one item per peer type (ports may be repeated in each).
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from './rule.js';
import { nonEmpty, sectionItems } from './data.js';

const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'];
const EGRESS_PEERS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'];

export const rule: Rule = {
  id: 'cilium/mixed-peer-types',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'An ingress or egress item that selects peers in two different ways (e.g. `toEndpoints` and `toCIDR`) is rejected by the agent.',
  rationale:
    'Cilium combines the fields of one item with AND semantics only for ports; for peers it requires a single kind per item and rejects the whole policy otherwise. Write one item per peer type.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: db\n      toCIDR:\n        - 10.0.0.0/8\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            app: db\n    - toCIDR:\n        - 10.0.0.0/8\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      const candidates = s.direction.startsWith('ingress') ? INGRESS_PEERS : EGRESS_PEERS;
      // In the order written, so the first peer field is the one kept and the later ones are flagged.
      const used = Object.keys(s.item).filter((k) => candidates.includes(k) && nonEmpty(s.item[k]));
      if (used.length < 2) continue;
      for (const k of used.slice(1)) {
        out.push({
          path: [...s.path, k],
          target: 'key',
          message: `This ${s.direction} item already selects peers with \`${used[0]}\`; the agent rejects an item that also uses \`${k}\`. Move \`${k}\` into its own item.`,
          data: { fields: used },
        });
      }
    }
    return out;
  },
};
