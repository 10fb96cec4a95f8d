// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/dns-rule-placement
 *
 * DNS rules (`toPorts[].rules.dns`) configure Cilium's DNS proxy for the lookups the selected
 * endpoints make. The agent accepts them only where that makes sense: on egress, on a `toPorts`
 * entry that lists its ports, and on single ports rather than ranges. The CRD admits all three
 * mistakes; the agent then rejects the whole policy.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { isHostRule, portRules } from '../../core/cilium/sections.js';
import { list, nonEmpty, obj, str } from '../../core/data.js';
import { portNumber } from '../../core/cilium/ports.js';

export const rule: Rule = {
  id: 'cilium/dns-rule-placement',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'DNS rules on ingress, on a `toPorts` entry without ports, or on a port range are rejected by the agent.',
  rationale:
    'The DNS proxy only sees lookups the endpoint sends, so DNS rules are egress-only. The agent also needs explicit ports to redirect (usually 53) and refuses a range (`endPort`) together with DNS rules. Any of these makes the whole policy invalid.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - rules:\n            dns:\n              - matchPattern: "*"\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: dns\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "53"\n              protocol: ANY\n          rules:\n            dns:\n              - matchPattern: "*"\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortRule.Validate (DNS rules on ingress)',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'L7Rules.Validate (DNS rules without ports)',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortProtocol.Validate (DNS rules with a port range)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      const rules = obj(pr.portRule['rules']);
      if (!rules || !nonEmpty(rules['dns'])) continue;
      const dnsPath = [...pr.path, 'rules', 'dns'];
      if (pr.section.direction === 'ingress') {
        // Host policies get their own L7 message from cilium/host-policy-l7.
        if (isHostRule(pr.section.rule.rule)) continue;
        out.push({
          path: dnsPath,
          target: 'key',
          message:
            'DNS rules are allowed on egress only: the DNS proxy filters the lookups an endpoint sends, not the ones it answers. Move this to an egress rule.',
        });
        continue;
      }
      const ports = list(pr.portRule['ports']);
      if (ports.length === 0) {
        out.push({
          path: dnsPath,
          target: 'key',
          message: 'DNS rules need the ports to intercept: add `ports` (usually `port: "53"` with `protocol: ANY`).',
        });
        continue;
      }
      ports.forEach((p, i) => {
        const port = obj(p);
        if (!port) return;
        // The agent compares `endPort` with the port as it parses it (base prefixes, `_`); names have no range.
        const written = str(port['port']);
        const start = written === undefined ? undefined : portNumber(written);
        const end = port['endPort'];
        if (typeof end === 'number' && start !== undefined && end > start) {
          out.push({
            path: [...pr.path, 'ports', i, 'endPort'],
            target: 'key',
            message: `DNS rules cannot be used with a port range (${start}-${end}); the agent rejects the policy. List single ports instead.`,
          });
        }
      });
    }
    return out;
  },
};
