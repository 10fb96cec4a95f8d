// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/listener-placement
 *
 * `toPorts[].listener` hands the traffic to a listener of a CiliumEnvoyConfig. The agent supports
 * that only on egress, and only instead of Cilium's own L7 `rules` (the Envoy config then decides
 * what is allowed). The CRD admits both mistakes; the agent rejects the policy.
 */
import { hasL7Rules } from '../../core/cilium/l7.js';
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { isObj } from '../../core/data.js';
import { portRules } from '../../core/cilium/sections.js';

export const rule: Rule = {
  id: 'cilium/listener-placement',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `listener` on an ingress rule, or next to L7 `rules` in the same `toPorts` entry, is rejected by the agent.',
  rationale:
    "Redirecting to an Envoy listener from a policy is an egress feature. The listener replaces Cilium's L7 rules for those ports, so an entry cannot have both: the agent marks the policy invalid. Put the L7 logic into the Envoy config, or use separate entries.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          listener:\n            envoyConfig:\n              kind: CiliumEnvoyConfig\n              name: web-envoy\n            name: web-listener\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "80"\n              protocol: TCP\n          listener:\n            envoyConfig:\n              kind: CiliumEnvoyConfig\n              name: web-envoy\n            name: web-listener\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortRule.Validate (listener on ingress, listener with L7 rules)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      const p = pr.portRule;
      if (!isObj(p['listener'])) continue;
      const path = [...pr.path, 'listener'];
      if (pr.section.direction === 'ingress') {
        out.push({
          path,
          target: 'key',
          message:
            "`listener` is supported on egress only; the agent rejects it on ingress. Redirect ingress traffic with the Envoy config's `services` instead.",
        });
      }
      if (hasL7Rules(p['rules'])) {
        out.push({
          path: [...pr.path, 'rules'],
          target: 'key',
          message:
            "`rules` cannot be combined with `listener` in the same entry: the Envoy listener replaces Cilium's L7 rules. Remove one of them.",
        });
      }
    }
    return out;
  },
};
