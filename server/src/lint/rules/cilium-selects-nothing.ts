// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/selects-nothing
 *
 * A selector that matches no workload of the loaded inventory: a policy that protects nothing, or
 * a peer that admits nobody. Usually a typo in a label or a namespace. The rule needs an
 * inventory (workspace manifests, a kubectl snapshot, or the cluster) and is silent without one.
 */
import type { Rule, RuleFinding } from '../rule.js';
import { previewDetails, type Selection, type SelectionRole } from '../../core/preview.js';

/** The selector roles this rule speaks about; services and Tetragon selectors are left to others. */
const ENDPOINT_ROLES: ReadonlySet<SelectionRole> = new Set(['endpointSelector', 'fromEndpoints', 'toEndpoints']);
const NODE_ROLES: ReadonlySet<SelectionRole> = new Set(['nodeSelector', 'fromNodes', 'toNodes']);

const WHAT: Partial<Record<SelectionRole, string>> = {
  endpointSelector: 'This `endpointSelector` selects no workload',
  nodeSelector: 'This `nodeSelector` selects no node',
  fromEndpoints: 'This `fromEndpoints` entry matches no workload',
  toEndpoints: 'This `toEndpoints` entry matches no workload',
  fromNodes: 'This `fromNodes` entry matches no node',
  toNodes: 'This `toNodes` entry matches no node',
};

export const rule: Rule = {
  id: 'cilium/selects-nothing',
  kinds: ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'],
  defaultSeverity: 'warning',
  requiresInventory: true,
  summary:
    'A selector that matches no workload (or node) of the loaded inventory; off until an inventory has been loaded.',
  rationale:
    'The agent accepts a selector that matches nothing without complaint: the policy then protects no workload, or the rule admits no peer, and traffic you meant to allow is dropped by default deny. A misspelt label value or the wrong namespace is the usual cause. The inventory is the workspace manifests, a kubectl snapshot or the cluster, as chosen in the editor; selectors of reserved identities are not checked.',
  example: {
    bad: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: wbe\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  check({ doc, inventory }) {
    if (!inventory) return [];
    const inv = inventory.inventory;
    // An inventory without pods (or without nodes) says nothing about pod (or node) selectors.
    const havePods = inv.endpoints.length > 0;
    const haveNodes = inv.nodes.length > 0;
    if (!havePods && !haveNodes) return [];
    const details = previewDetails(doc, inventory);
    if (!details) return [];
    const out: RuleFinding[] = [];
    for (const s of details.selections) {
      if (s.endpoints.length > 0) continue;
      if (ENDPOINT_ROLES.has(s.role) ? !havePods : NODE_ROLES.has(s.role) ? !haveNodes : true) continue;
      // Reserved identities (host, world, health, …) are never workloads of an inventory.
      if (s.selector.includes('reserved:')) continue;
      out.push({ path: s.path, message: message(s, inv.description) });
    }
    return out;
  },
};

function message(s: Selection, description: string): string {
  const head = WHAT[s.role] ?? 'This selector matches nothing';
  const notes = s.notes.length > 0 ? ` (${s.notes.join('; ')})` : '';
  return `${head} in the inventory (${description}). The agent matches it as \`${s.selector || '{}'}\`${notes}.`;
}
