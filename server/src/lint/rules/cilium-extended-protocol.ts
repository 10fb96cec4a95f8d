// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/extended-protocol
 *
 * VRRP, IGMP, GRE, IPIP, IPV6, ESP and AH are IP protocols without ports. The agent accepts them
 * only with its `enable-extended-ip-protocols` option (off by default), and only with an empty
 * `port` or `"0"`. The flag is not visible from the policy, so its absence is a warning; a real
 * port number is rejected either way.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { str } from '../../core/data.js';
import { EXTENDED_PROTOCOLS, isServiceName, portEntries, protocolOf } from '../../core/cilium/ports.js';

export const rule: Rule = {
  id: 'cilium/extended-protocol',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: 'Extended IP protocols (VRRP, IGMP, GRE, IPIP, IPV6, ESP, AH) need an agent option and take no port.',
  rationale:
    'These protocols have no port numbers. The agent accepts them only when it runs with `enable-extended-ip-protocols` (off by default) and rejects the policy otherwise; it also rejects any `port` other than empty or `"0"`, whatever the option says. Turn this rule off if your agents run with the option.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: vrrp\n  namespace: net\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "112"\n              protocol: VRRP\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: vrrp\n  namespace: net\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromCIDR:\n        - 192.0.2.10/32\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const p of portEntries(doc.data)) {
      const proto = protocolOf(p.port);
      if (!EXTENDED_PROTOCOLS.includes(proto)) continue;
      const port = str(p.port['port']);
      // A name-shaped port skips the agent's check (it tests for a service name first).
      if (port !== undefined && port !== '' && port !== '0' && !isServiceName(port)) {
        out.push({
          path: [...p.path, 'port'],
          target: 'value',
          severity: 'error',
          message: `${proto} has no ports: the agent rejects \`port: "${port}"\` with it. Leave \`port\` empty or write \`"0"\`.`,
        });
        continue;
      }
      out.push({
        path: [...p.path, 'protocol'],
        target: 'value',
        message: `${proto} is an extended IP protocol: the agent accepts it only with \`enable-extended-ip-protocols\` (off by default) and rejects the policy otherwise.`,
      });
    }
    return out;
  },
};
