// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/http-needs-tcp
 *
 * HTTP rules are enforced by the Envoy proxy, which only sees TCP. The agent therefore requires
 * every port of a `toPorts` entry that carries `rules.http` to say `protocol: TCP` explicitly: a
 * missing protocol (which means ANY), `ANY`, `UDP` or `SCTP` makes the policy invalid. The fix sets
 * `protocol: TCP` (preferred when the protocol was missing or ANY).
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { nonEmpty, obj, str } from '../../core/data.js';
import { portRules } from '../../core/cilium/sections.js';
import { portsOf, protocolOf } from '../../core/cilium/ports.js';
import { insertEntry, replaceValue } from '../../core/yaml-edits.js';

export const rule: Rule = {
  id: 'cilium/http-needs-tcp',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'Every port of a `toPorts` entry with HTTP rules must say `protocol: TCP`.',
  rationale:
    'HTTP is parsed by the L7 proxy on TCP connections only. The agent does not assume TCP for you: if any port of the entry has no protocol, `ANY`, `UDP` or `SCTP`, it rejects the whole policy, although the CRD admits it.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n          rules:\n            http:\n              - method: GET\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n          rules:\n            http:\n              - method: GET\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'PortRule.Validate (L7 rules only on TCP, except DNS)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const pr of portRules(doc.data)) {
      if (!nonEmpty(obj(pr.portRule['rules'])?.['http'])) continue;
      for (const p of portsOf(pr)) {
        const written = str(p.port['protocol']);
        const proto = protocolOf(p.port);
        if (proto === 'TCP') continue;
        const missing = written === undefined || written === '';
        const edit = missing
          ? written === undefined
            ? insertEntry(file, doc, p.path, 'protocol', 'TCP')
            : replaceValue(file, doc, [...p.path, 'protocol'], 'TCP')
          : replaceValue(file, doc, [...p.path, 'protocol'], 'TCP');
        // HTTP only travels over TCP, so TCP is what an HTTP rule means; for UDP or SCTP the fix is
        // offered but not preferred, since the port might belong in an entry without HTTP rules.
        const preferred = missing || proto === 'ANY';
        out.push({
          path: written === undefined ? p.path : [...p.path, 'protocol'],
          target: written === undefined ? undefined : 'value',
          message: missing
            ? 'This entry has HTTP rules, so each of its ports needs `protocol: TCP`; without a protocol (ANY) the agent rejects the policy.'
            : `HTTP rules only apply to TCP; the agent rejects a port with \`protocol: ${written}\` in an entry that has HTTP rules.${proto === 'ANY' ? '' : ' Put the non-TCP ports in a separate `toPorts` entry without HTTP rules.'}`,
          ...(edit ? { fixes: [{ title: 'Set `protocol: TCP`', edits: [edit], preferred }] } : {}),
        });
      }
    }
    return out;
  },
};
