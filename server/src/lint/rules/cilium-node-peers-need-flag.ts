// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/node-peers-need-flag
 *
 * `fromNodes`/`toNodes` select nodes by their labels. The agent only supports that when it runs
 * with `enable-node-selector-labels` (off by default) and rejects the rule otherwise. The policy
 * cannot tell how the agents are configured, hence a warning that can be turned off.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { nonEmpty } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';

export const rule: Rule = {
  id: 'cilium/node-peers-need-flag',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: '`fromNodes`/`toNodes` work only when the agent runs with `enable-node-selector-labels`.',
  rationale:
    'Selecting nodes by label needs the agent option `enable-node-selector-labels`, which is off by default; without it the agent rejects the rule and the policy is not enforced. If your agents have the option on, turn this rule off; otherwise select nodes with `fromEntities: [host, remote-node]` or by CIDR.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: from-workers\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromNodes:\n        - matchLabels:\n            node-role.kubernetes.io/worker: ""\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: from-workers\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities:\n        - host\n        - remote-node\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      for (const field of ['fromNodes', 'toNodes']) {
        if (!nonEmpty(s.item[field])) continue;
        out.push({
          path: [...s.path, field],
          target: 'key',
          message: `\`${field}\` needs the agent option \`enable-node-selector-labels\` (off by default); without it the agent rejects this rule. Turn this check off if your agents have the option on.`,
        });
      }
    }
    return out;
  },
};
