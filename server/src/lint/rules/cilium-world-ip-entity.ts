// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/world-ip-entity
 *
 * The agent knows the entities `world-ipv4` and `world-ipv6`, and older docs mention them, but the
 * CRD's entity enum does not list them, so the API server refuses the policy. The schema already
 * reports the enum error; this rule adds what to write instead, with a quick fix.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { list, str } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';
import { sameQuotes } from '../scalars.js';
import { removeEntry, replaceValue } from '../../core/yaml-edits.js';

const FAMILY: Record<string, { readonly cidr: string }> = {
  'world-ipv4': { cidr: '0.0.0.0/0' },
  'world-ipv6': { cidr: '::/0' },
};

export const rule: Rule = {
  id: 'cilium/world-ip-entity',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'information',
  summary:
    'The entities `world-ipv4` and `world-ipv6`, which the CRD does not accept: use `world`, or a CIDR rule for one address family.',
  rationale:
    'Admission rejects a policy with `world-ipv4` or `world-ipv6` in `fromEntities`/`toEntities` (the schema error says so). `world` covers both families; to allow only one, use `toCIDR`/`fromCIDR` with `0.0.0.0/0` or `::/0`, which selects the same outside-the-cluster peers of that family.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toEntities:\n        - world-ipv4\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: out\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toCIDR:\n        - 0.0.0.0/0\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      for (const key of ['fromEntities', 'toEntities']) {
        const entities = list(s.item[key]);
        const hasWorld = entities.includes('world');
        entities.forEach((e, i) => {
          const name = str(e);
          const family = name !== undefined ? FAMILY[name] : undefined;
          if (!family) return;
          const path = [...s.path, key, i];
          const cidrKey = key === 'fromEntities' ? 'fromCIDR' : 'toCIDR';
          // With `world` already listed, the entry can simply go; otherwise it becomes `world`.
          const edit = hasWorld
            ? removeEntry(file, doc, path)
            : replaceValue(file, doc, path, sameQuotes(doc, path, 'world'));
          const fixes: Fix[] = edit
            ? [
                {
                  title: hasWorld
                    ? `Remove \`${name}\` (\`world\` is already listed)`
                    : 'Use `world` (both address families)',
                  edits: [edit],
                  preferred: true,
                },
              ]
            : [];
          out.push({
            path,
            target: 'value',
            message: `\`${name}\` is not accepted by the CiliumNetworkPolicy CRD although the agent knows it. Use \`world\` (IPv4 and IPv6), or \`${cidrKey}: [${family.cidr}]\` in a separate item for this family only.`,
            fixes,
          });
        });
      }
    }
    return out;
  },
};
