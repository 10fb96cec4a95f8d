// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/empty-rule-sections
 *
 * A policy rule must have at least one ingress, ingressDeny, egress or egressDeny item. The CRD
 * only checks that one of the keys is present, so `ingress: []` is admitted, but the agent rejects
 * the rule when every section it has is an empty list (`Rule.Validate` in
 * pkg/policy/api/rule_validation.go). The check is not in the 1.16 and 1.17 agents, which load
 * such a rule: it then selects endpoints and enforces nothing (an empty list puts no direction in
 * default deny), so for those releases it is a warning.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { DIRECTIONS, policyRules } from '../../core/data.js';
import { compareVersions } from '../../core/versions.js';

export const rule: Rule = {
  id: 'cilium/empty-rule-sections',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'A rule whose ingress/egress sections are all empty lists is rejected by the agent (Cilium 1.18 and later).',
  rationale:
    'The CRD accepts `ingress: []` because the key is present, but the agent requires at least one item in some section and marks the policy invalid. To deny all traffic in a direction, use `enableDefaultDeny` with an empty-selector-free rule, or a rule with `ingress: [{}]`.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress: []\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: frontend\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'Rule.Validate (no ingress, ingressDeny, egress or egressDeny item)',
      releases: 'Cilium 1.18–1.20 (1.16 and 1.17 load the rule)',
    },
  ],
  check({ doc, versions }) {
    const out: RuleFinding[] = [];
    const rejected = compareVersions(versions.cilium, '1.18') >= 0;
    for (const r of policyRules(doc.data)) {
      const present = DIRECTIONS.filter((d) => r.rule[d] !== undefined);
      if (present.length === 0) continue; // The schema reports missing sections.
      const lists = present.map((d) => r.rule[d]);
      if (!lists.every((l) => Array.isArray(l) && l.length === 0)) continue;
      for (const d of present) {
        out.push({
          path: [...r.path, d],
          target: 'key',
          ...(rejected
            ? {
                message: `\`${d}\` is empty and this rule has no other items; the agent rejects a rule without any ingress or egress item. Add an item, or use \`enableDefaultDeny\` to express default deny.`,
              }
            : {
                severity: 'warning' as const,
                message: `\`${d}\` is empty and this rule has no other items: Cilium ${versions.cilium} loads the rule, which then enforces nothing (an empty list puts no direction in default deny); Cilium 1.18 and later reject it. Add an item, e.g. \`${d}: [{}]\` to deny this direction.`,
              }),
        });
      }
    }
    return out;
  },
};
