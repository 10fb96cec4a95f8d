// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/invalid-port
 *
 * `port` must be a whole decimal number from 0 to 65535 or a named port (an IANA-style service
 * name). The CRD pattern is anchored only at one end per alternative, so `"99999"` or `"80/tcp"`
 * pass admission and are rejected by the agent. A missing `port` is only accepted when the agent
 * runs with extended IP protocols (see cilium/extended-protocol). An `endPort` below `port` is
 * reported as a warning: it does not describe the range the author meant.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { str } from '../../core/data.js';
import { EXTENDED_PROTOCOLS, isServiceName, portEntries, portNumber, protocolOf } from '../../core/cilium/ports.js';

export const rule: Rule = {
  id: 'cilium/invalid-port',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `port` that is not a number from 0 to 65535 or a port name, a missing `port`, or an `endPort` below `port`.',
  rationale:
    'The CRD pattern for `port` only checks how the value starts or ends, so values like `"99999"`, `"8080-8090"` or `"80/tcp"` are admitted; the agent parses the whole string as a 16-bit number or an IANA service name (at most 15 letters, digits and hyphens) and rejects the policy otherwise. `port` may only be left out with the extended-IP-protocols agent option. For ranges, `port` is the lower bound and `endPort` the upper one.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080-8090"\n              protocol: TCP\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              endPort: 8090\n              protocol: TCP\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const p of portEntries(doc.data)) {
      const raw = p.port['port'];
      const proto = protocolOf(p.port);
      if (raw === undefined || raw === '') {
        // Extended protocols have no ports; cilium/extended-protocol speaks about them.
        if (EXTENDED_PROTOCOLS.includes(proto)) continue;
        out.push({
          path: raw === undefined ? p.path : [...p.path, 'port'],
          target: raw === undefined ? undefined : 'value',
          message:
            'This entry has no `port`; the agent rejects it unless it runs with `enable-extended-ip-protocols`. Write the port (`"0"` means every port).',
        });
        continue;
      }
      const s = str(raw);
      if (s === undefined) continue; // The schema reports the type.
      const n = portNumber(s);
      if (n === undefined && !isServiceName(s)) {
        const range = /^(\d+)\s*[-:]\s*(\d+)$/.exec(s);
        const hint = range
          ? ` For a range write \`port: "${range[1]}"\` and \`endPort: ${range[2]}\`.`
          : /^\d+$/.test(s)
            ? ' Port numbers go up to 65535.'
            : '';
        out.push({
          path: [...p.path, 'port'],
          target: 'value',
          message: `\`port: "${s}"\` is neither a port number (0–65535) nor a port name (up to 15 letters, digits and single hyphens); the agent rejects it.${hint}`,
        });
        continue;
      }
      const end = p.port['endPort'];
      if (n !== undefined && typeof end === 'number' && end > 0 && end < n) {
        out.push({
          path: [...p.path, 'endPort'],
          target: 'value',
          severity: 'warning',
          message: `\`endPort\` (${end}) is lower than \`port\` (${n}), so this is not the range ${end}–${n}; put the lower bound in \`port\` and the upper one in \`endPort\`.`,
        });
      }
    }
    return out;
  },
};
