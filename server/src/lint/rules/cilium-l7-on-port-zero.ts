// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/l7-on-port-zero
 *
 * `port: "0"` means "every port". The L7 proxy needs a concrete port to redirect, so the agent
 * rejects a `toPorts` entry that has L7 rules when any of its ports is `"0"`.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { portRules } from '../../core/cilium/sections.js';
import { str } from '../../core/data.js';
import { hasL7Rules, portNumber, portsOf } from '../../core/cilium/ports.js';

export const rule: Rule = {
  id: 'cilium/l7-on-port-zero',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'L7 rules cannot be combined with `port: "0"` (all ports) in the same `toPorts` entry.',
  rationale:
    'Port 0 stands for every port, but L7 enforcement redirects one port at a time to the proxy. The agent rejects an entry that has L7 (`http`, `dns`, …) rules and a zero port; list the ports the application really uses.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "0"\n              protocol: TCP\n          rules:\n            http:\n              - method: GET\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n          rules:\n            http:\n              - method: GET\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortRule.Validate (L7 rules with a zero port)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      if (!hasL7Rules(pr.portRule)) continue;
      for (const p of portsOf(pr)) {
        const s = str(p.port['port']);
        if (s === undefined || portNumber(s) !== 0) continue;
        out.push({
          path: [...p.path, 'port'],
          target: 'value',
          message:
            '`port: "0"` (all ports) cannot carry L7 rules; the agent rejects this entry. Name the port(s) the L7 traffic uses.',
        });
      }
    }
    return out;
  },
};
