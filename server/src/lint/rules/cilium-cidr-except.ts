// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/cidr-except
 *
 * `except` carves sub-prefixes out of a CIDR-set entry. Next to `cidr`, the agent requires each
 * exception to lie inside `cidr` (so of the same family) and, since Cilium 1.20, to be at least as
 * long; otherwise it rejects the policy (`CIDRRule.Validate` in pkg/policy/api/rule_validation.go).
 * Releases before 1.20 only checked that the exception's address is inside `cidr`: a broader
 * exception loads there and, matched as "in `cidr` and not in the exception", selects nothing.
 * Next to `cidrGroupRef` or `cidrGroupSelector`, `except` is applied to the group's addresses since
 * Cilium 1.17 (CIDR selection by labels: `GetAsEndpointSelectors`, now `newCIDRRuleSelector` in
 * pkg/policy/types/selector.go); Cilium 1.16 patch releases reject `except` next to `cidrGroupRef`
 * (cilium/cilium#36561), older 1.16 patches ignored it.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, nonEmpty, str } from '../../core/data.js';
import { compareVersions } from '../../core/versions.js';
import { contains, formatPrefix, networkOf, parsePrefix } from '../../core/cilium/cidr.js';
import { cidrSetEntries } from '../../core/cilium/cidr-refs.js';

export const rule: Rule = {
  id: 'cilium/cidr-except',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `except` prefix that is of another address family than its `cidr`, outside it, or broader than it; or, for Cilium 1.16, `except` next to `cidrGroupRef`.',
  rationale:
    "The agent validates every exception against the entry's `cidr` and rejects the policy when one is not inside it, and since Cilium 1.20 also when it is broader (older releases load a broader exception, which then excludes everything the entry allows). Since Cilium 1.17 `except` also applies to the addresses of a `cidrGroupRef` or `cidrGroupSelector`; Cilium 1.16 rejects it next to `cidrGroupRef`.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/24\n          except:\n            - 10.1.0.0/24\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDRSet:\n        - cidr: 10.0.0.0/16\n          except:\n            - 10.0.1.0/24\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/policy/api/rule_validation.go',
      func: 'CIDRRule.Validate (exception outside cidr: Cilium 1.16–1.20; broader than cidr: Cilium 1.20)',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'cilium/cilium',
      file: 'CNP/CCNP validation added by cilium/cilium#36561 (v1.16 branch)',
      func: 'rejects except next to cidrGroupRef',
      releases: 'Cilium 1.16',
    },
  ],
  check({ doc, versions }) {
    const out: RuleFinding[] = [];
    const before120 = compareVersions(versions.cilium, '1.20') < 0;
    const release116 = compareVersions(versions.cilium, '1.17') < 0;
    for (const set of cidrSetEntries(doc.data)) {
      const excepts = list(set.entry['except']);
      if (excepts.length === 0) continue;
      const cidrText = str(set.entry['cidr']);
      if (cidrText === undefined) {
        // From 1.17 on, exceptions apply to a group's addresses too; 1.16 rejects them next to a group reference.
        if (release116 && set.entry['cidrGroupRef'] !== undefined && nonEmpty(excepts)) {
          out.push({
            path: [...set.path, 'except'],
            target: 'key',
            message: `Cilium ${versions.cilium} rejects \`except\` next to \`cidrGroupRef\` (its patch releases validate it; older ones ignored it). Exclude the addresses in the CiliumCIDRGroup, or use \`cidr\` entries; Cilium 1.17 and later apply \`except\` to groups.`,
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
        } else if (!contains(outer, { ...inner, bits: inner.family === 4 ? 32 : 128 })) {
          // The agent tests the exception's address, as written, against `cidr` (every release).
          message = `\`${text}\` is not inside \`cidr\` ${outerNet}; an exception must be a sub-prefix of it.`;
        } else if (inner.bits < outer.bits) {
          if (before120) {
            out.push({
              path,
              target: 'value',
              severity: 'warning',
              message: `\`${text}\` is broader than \`cidr\` ${outerNet}: Cilium ${versions.cilium} loads it, and then excludes every address this entry allows (Cilium 1.20 rejects it). Use a sub-prefix (length /${outer.bits} or longer).`,
            });
            return;
          }
          message = `\`${text}\` is broader than \`cidr\` ${outerNet}; an exception must be a sub-prefix (length /${outer.bits} or longer).`;
        }
        if (message) out.push({ path, target: 'value', message: `${message} The agent rejects the policy.` });
      });
    }
    return out;
  },
};
