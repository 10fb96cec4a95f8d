// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/empty-section-without-default-deny
 *
 * `ingress: []` beside other, non-empty sections is admitted and accepted, and it reads like
 * "deny all ingress". It is not: the agent turns default deny on for a direction only when the
 * rule has at least one allow or deny item for it (unless `enableDefaultDeny` says otherwise), so
 * an empty list leaves that direction untouched. (A rule whose sections are all empty is
 * cilium/empty-rule-sections.)
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { DIRECTIONS, nonEmpty, obj, policyRules } from '../../core/data.js';

export const rule: Rule = {
  id: 'cilium/empty-section-without-default-deny',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary:
    'An empty `ingress: []`/`egress: []` next to other sections does not deny that direction unless `enableDefaultDeny` says so.',
  rationale:
    'Default deny for a direction defaults to on only when the rule has at least one allow or deny item in that direction. An empty list has none, so it neither denies nor allows anything: traffic in that direction is decided by other policies (or allowed when none selects the endpoint). To deny the direction, write `ingress: [{}]` or set `enableDefaultDeny.ingress: true`; otherwise drop the empty key.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress: []\n  egress:\n    - toEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  enableDefaultDeny:\n    ingress: true\n  ingress: []\n  egress:\n    - toEntities:\n        - cluster\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const r of policyRules(doc.data)) {
      // A rule with no item at all is rejected outright; cilium/empty-rule-sections reports it.
      if (!DIRECTIONS.some((d) => nonEmpty(r.rule[d]))) continue;
      for (const dir of ['ingress', 'egress'] as const) {
        const keys = [dir, `${dir}Deny`] as const;
        if (keys.some((k) => nonEmpty(r.rule[k]))) continue;
        if (typeof obj(r.rule['enableDefaultDeny'])?.[dir] === 'boolean') continue;
        for (const k of keys) {
          const v = r.rule[k];
          if (!Array.isArray(v) || v.length > 0) continue;
          out.push({
            path: [...r.path, k],
            target: 'key',
            message: `\`${k}: []\` has no effect: with no ${dir} item, default deny for ${dir} stays off and this rule leaves ${dir} traffic to other policies. To deny all ${dir}, write \`${dir}: [{}]\` or set \`enableDefaultDeny.${dir}: true\`; otherwise remove the key.`,
          });
        }
      }
    }
    return out;
  },
};
