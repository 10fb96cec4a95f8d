// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/host-policy-l7
 *
 * Host policies (rules with `nodeSelector`) protect the node itself, where the L7 proxy cannot
 * intercept ingress traffic. The agent rejects any L7 rule on a host policy's ingress. On egress,
 * Cilium 1.17 added DNS rules for the host (cilium/cilium#34024) and rejects HTTP and Kafka rules;
 * generic `l7proto` rules are not counted there (Cilium 1.17–1.19). Cilium 1.16 rejects every L7
 * rule of a host policy, DNS included.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { isHostRule, portRules } from '../../core/cilium/sections.js';
import { nonEmpty, obj } from '../../core/data.js';
import { compareVersions } from '../../core/versions.js';

const L7_FIELDS = ['http', 'dns', 'kafka', 'l7proto', 'l7'];

export const rule: Rule = {
  id: 'cilium/host-policy-l7',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'Host policies (`nodeSelector`) may not have L7 rules on ingress, and only DNS rules on egress.',
  rationale:
    'L7 enforcement for the host endpoint is limited: the agent refuses a host policy with HTTP (or any L7) rules on ingress, and with anything but DNS rules on egress, and marks the policy invalid. Enforce HTTP at the pods instead, with an `endpointSelector` rule.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: node-api\nspec:\n  nodeSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n          rules:\n            http:\n              - method: GET\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: node-api\nspec:\n  nodeSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'IngressRule.Validate / EgressRule.Validate (hostPolicy)',
      releases: 'Cilium 1.16–1.20 (DNS on host egress: rejected in 1.16, allowed since 1.17)',
    },
  ],
  check({ doc, versions }) {
    const out: RuleFinding[] = [];
    // Before 1.17 every L7 rule of a host policy is refused; from 1.17 egress accepts DNS, and the
    // egress check counts only DNS, HTTP and Kafka rules.
    const dnsOnHostEgress = compareVersions(versions.cilium, '1.17') >= 0;
    for (const pr of portRules(doc.data)) {
      if (!isHostRule(pr.section.rule.rule)) continue;
      const rules = obj(pr.portRule['rules']);
      if (!rules) continue;
      const ingress = pr.section.direction.startsWith('ingress');
      for (const f of L7_FIELDS) {
        const v = rules[f];
        if (v === undefined || (Array.isArray(v) && !nonEmpty(v)) || v === '') continue;
        if (!ingress && dnsOnHostEgress && f !== 'http' && f !== 'kafka') continue;
        out.push({
          path: [...pr.path, 'rules', f],
          target: 'key',
          message: ingress
            ? `Host policies (\`nodeSelector\`) cannot have L7 rules on ingress; the agent rejects this \`${f}\` rule.`
            : dnsOnHostEgress
              ? `Host policies (\`nodeSelector\`) allow only DNS rules on egress; the agent rejects this \`${f}\` rule.`
              : `Cilium ${versions.cilium} rejects every L7 rule in a host policy (\`nodeSelector\`), this \`${f}\` rule included; DNS rules on host egress need Cilium 1.17.`,
        });
      }
    }
    return out;
  },
};
