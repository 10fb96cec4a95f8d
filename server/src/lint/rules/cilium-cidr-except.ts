// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/cidr-except
 *
 * `except` carves sub-prefixes out of a CIDR-set entry's `cidr`. The agent requires each exception
 * to be of the same address family, to lie inside `cidr`, and to be at least as long; otherwise
 * it rejects the policy. With `cidrGroupRef` or `cidrGroupSelector` instead of `cidr`, `except`
 * is not supported and is not applied, which silently allows more than intended.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, nonEmpty, str } from '../../core/data.js';
import { contains, formatPrefix, networkOf, parsePrefix } from '../../core/cilium/cidr.js';
import { cidrSetEntries } from '../../core/cilium/cidr-refs.js';

export const rule: Rule = {
  id: 'cilium/cidr-except',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `except` prefix that is of another address family, outside its `cidr`, or broader than it; or `except` without `cidr`.',
  rationale:
    "The agent validates every exception against the entry's `cidr` and rejects the policy when one is not a sub-prefix of it. `except` next to `cidrGroupRef` or `cidrGroupSelector` passes validation but is ignored, so the addresses meant to be excluded are allowed.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/24\n          except:\n            - 10.1.0.0/24\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/16\n          except:\n            - 10.0.1.0/24\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const set of cidrSetEntries(doc.data)) {
      const excepts = list(set.entry['except']);
      if (excepts.length === 0) continue;
      const cidrText = str(set.entry['cidr']);
      if (cidrText === undefined) {
        const group =
          set.entry['cidrGroupRef'] !== undefined
            ? 'cidrGroupRef'
            : set.entry['cidrGroupSelector'] !== undefined
              ? 'cidrGroupSelector'
              : undefined;
        if (group && nonEmpty(excepts)) {
          out.push({
            path: [...set.path, 'except'],
            target: 'key',
            severity: 'warning',
            message: `\`except\` only works together with \`cidr\`; next to \`${group}\` it is ignored and the addresses are not excluded. Exclude them in the CiliumCIDRGroup instead, or use \`cidr\` entries.`,
          });
        }
        continue;
      }
      const outer = parsePrefix(cidrText);
      if (!outer) continue; // The schema reports a malformed `cidr`.
      const outerNet = formatPrefix(networkOf(outer));
      excepts.forEach((e, i) => {
        const text = str(e);
        const inner = text !== undefined ? parsePrefix(text) : undefined;
        if (!inner) return;
        const path = [...set.path, 'except', i];
        let message: string | undefined;
        if (inner.family !== outer.family) {
          message = `\`${text}\` is an IPv${inner.family} prefix but \`cidr\` is IPv${outer.family}; an exception must be of the same family.`;
        } else if (inner.bits < outer.bits) {
          message = `\`${text}\` is broader than \`cidr\` ${outerNet}; an exception must be a sub-prefix (length /${outer.bits} or longer).`;
        } else if (!contains(outer, inner)) {
          message = `\`${text}\` is not inside \`cidr\` ${outerNet}; an exception must be a sub-prefix of it.`;
        }
        if (message) out.push({ path, target: 'value', message: `${message} The agent rejects the policy.` });
      });
    }
    return out;
  },
};
