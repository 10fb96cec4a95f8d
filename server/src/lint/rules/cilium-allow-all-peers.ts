// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/allow-all-peers
 *
 * An empty endpoint selector `{}` and the entity `all` are legitimate, but they are also the
 * shortest way to ship an allow-all policy by accident. This rule says, as information, what such
 * a peer really allows, so a reviewer sees it in the editor.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';

export const rule: Rule = {
  id: 'cilium/allow-all-peers',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'information',
  summary:
    'Points out allow rules whose peers are everything: `fromEndpoints`/`toEndpoints: [{}]` or the entity `all`.',
  rationale:
    "In a CiliumNetworkPolicy an empty peer selector `{}` means every pod of the policy's namespace; in a CiliumClusterwideNetworkPolicy it means every Cilium-managed pod of every namespace. The entity `all` is broader still: every identity, including the world outside the cluster. Both are fine when intended; this note makes sure they are.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEntities:\n        - all\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  check({ doc, kind }) {
    const out: RuleFinding[] = [];
    const clusterwide = kind.kind === 'CiliumClusterwideNetworkPolicy';
    for (const s of sectionItems(doc.data)) {
      // Deny sections with a wide peer are deliberate lock-downs, not accidental openings.
      if (s.direction !== 'ingress' && s.direction !== 'egress') continue;
      const verb = s.direction === 'ingress' ? 'from' : 'to';
      const scope = clusterwide
        ? 'every Cilium-managed pod in every namespace'
        : doc.namespace
          ? `every pod of namespace \`${doc.namespace}\``
          : "every pod of the policy's namespace";
      list(s.item[`${verb}Endpoints`]).forEach((sel, i) => {
        const o = obj(sel);
        if (
          !o ||
          Object.values(o).some((v) =>
            Array.isArray(v) ? v.length > 0 : obj(v) !== undefined && Object.keys(obj(v)!).length > 0,
          )
        )
          return;
        out.push({
          path: [...s.path, `${verb}Endpoints`, i],
          message: `The empty selector \`{}\` allows traffic ${verb} ${scope}${s.item['toPorts'] === undefined ? ', on every port' : ''}.`,
        });
      });
      list(s.item[`${verb}Entities`]).forEach((e, i) => {
        if (e !== 'all') return;
        out.push({
          path: [...s.path, `${verb}Entities`, i],
          target: 'value',
          message: `The entity \`all\` allows traffic ${verb} everything: every pod, node and address inside and outside the cluster${s.item['toPorts'] === undefined ? ', on every port' : ''}.`,
        });
      });
    }
    return out;
  },
};
