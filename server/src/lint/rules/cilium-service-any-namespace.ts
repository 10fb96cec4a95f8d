// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/service-any-namespace
 *
 * A `toServices` entry is not scoped to the policy's namespace: without `namespace`, every service
 * of that name (or with those labels) in any namespace matches. That is easy to miss in a
 * namespaced policy, where peer selectors do default to the policy's namespace.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { list, obj, str } from '../../core/data.js';
import { sectionItems } from '../../core/cilium/sections.js';
import { insertEntry } from '../../core/yaml-edits.js';

export const rule: Rule = {
  id: 'cilium/service-any-namespace',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'information',
  summary: 'A `toServices` entry without `namespace`, which matches services in every namespace.',
  rationale:
    "Unlike `toEndpoints` in a CiliumNetworkPolicy, `toServices` is not limited to the policy's namespace. `k8sService` without `namespace` matches a service of that name in any namespace, and `k8sServiceSelector` without `namespace` matches labelled services anywhere. Name the namespace to allow only the service you mean.",
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toServices:\n        - k8sService:\n            serviceName: db\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  egress:\n    - toServices:\n        - k8sService:\n            serviceName: db\n            namespace: shop\n',
  },
  check({ doc, file, kind }) {
    const out: RuleFinding[] = [];
    for (const s of sectionItems(doc.data)) {
      list(s.item['toServices']).forEach((e, i) => {
        const entry = obj(e);
        if (!entry) return;
        for (const key of ['k8sService', 'k8sServiceSelector']) {
          const ref = obj(entry[key]);
          if (!ref || (str(ref['namespace']) ?? '') !== '') continue;
          const path = [...s.path, 'toServices', i, key];
          const what =
            key === 'k8sService'
              ? `any service named \`${str(ref['serviceName']) ?? ''}\``
              : 'services with these labels';
          const fixes: Fix[] = [];
          if (kind.kind === 'CiliumNetworkPolicy' && doc.namespace) {
            const edit = insertEntry(file, doc, path, 'namespace', doc.namespace);
            if (edit) fixes.push({ title: `Limit to namespace \`${doc.namespace}\``, edits: [edit], preferred: true });
          }
          out.push({
            path,
            target: 'key',
            message: `Without \`namespace\`, this matches ${what} in every namespace, not only this policy's. Add \`namespace\` to restrict it.`,
            fixes,
          });
        }
      });
    }
    return out;
  },
};
