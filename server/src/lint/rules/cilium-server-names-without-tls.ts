// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/server-names-without-tls
 *
 * `serverNames` alone filters connections by the SNI of the TLS handshake, which the proxy can
 * read without decrypting. L7 `rules` next to it need the decrypted stream, so the agent insists
 * on `terminatingTLS` in that case and rejects the policy otherwise.
 */
import { hasL7Rules } from '../../core/cilium/l7.js';
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { nonEmpty } from '../../core/data.js';
import { portRules } from '../../core/cilium/sections.js';

export const rule: Rule = {
  id: 'cilium/server-names-without-tls',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'A `toPorts` entry with `serverNames` and L7 `rules` but no `terminatingTLS` is rejected by the agent.',
  rationale:
    'Matching on server names works on the TLS handshake. L7 rules on the same entry must see inside the connection, which requires the proxy to terminate TLS (`terminatingTLS`, usually with `originatingTLS` toward the server). Without it the agent rejects the policy.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: tls\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "443"\n              protocol: TCP\n          serverNames:\n            - api.example.com\n          rules:\n            http:\n              - method: GET\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: tls\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toPorts:\n        - ports:\n            - port: "443"\n              protocol: TCP\n          serverNames:\n            - api.example.com\n          terminatingTLS:\n            secret:\n              name: proxy-cert\n          originatingTLS:\n            secret:\n              name: ca-bundle\n          rules:\n            http:\n              - method: GET\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortRule.Validate (ServerNames with L7 rules without TLS termination)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      const p = pr.portRule;
      if (!nonEmpty(p['serverNames']) || !hasL7Rules(p['rules'])) continue;
      if (p['terminatingTLS'] !== undefined && p['terminatingTLS'] !== null) continue;
      out.push({
        path: [...pr.path, 'serverNames'],
        target: 'key',
        message:
          '`serverNames` together with L7 `rules` needs `terminatingTLS`: the proxy must decrypt the connection to apply the rules. Add `terminatingTLS` (and usually `originatingTLS`), or move the L7 rules to another entry.',
      });
    }
    return out;
  },
};
