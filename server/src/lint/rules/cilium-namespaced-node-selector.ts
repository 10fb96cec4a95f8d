// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/namespaced-node-selector
 *
 * Host policies (rules with `nodeSelector`) exist only as CiliumClusterwideNetworkPolicy. The CRD
 * of the namespaced kind shares the field, so admission accepts it, but the agent refuses the rule.
 */
import { type Fix } from '../../core/findings.js';
import { type Rule, type RuleFinding } from '../rule.js';
import { obj, policyRules } from '../../core/data.js';
import { removeEntry, replaceValue } from '../../core/yaml-edits.js';

export const rule: Rule = {
  id: 'cilium/namespaced-node-selector',
  kinds: ['CiliumNetworkPolicy'],
  defaultSeverity: 'error',
  summary:
    'A namespaced CiliumNetworkPolicy may not use `nodeSelector`; host policies must be CiliumClusterwideNetworkPolicy.',
  rationale:
    'The API server admits the field because both kinds share one schema, but the agent rejects the rule, so the host firewall you meant to write never applies. Make it a CiliumClusterwideNetworkPolicy (and drop `metadata.namespace`).',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: control-plane\n  namespace: kube-system\nspec:\n  nodeSelector:\n    matchLabels:\n      node-role.kubernetes.io/control-plane: ""\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: control-plane\nspec:\n  nodeSelector:\n    matchLabels:\n      node-role.kubernetes.io/control-plane: ""\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/k8s/apis/cilium.io/v2/cnp_types.go',
      func: 'CiliumNetworkPolicy.Parse (rule cannot have NodeSelector)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    // Worked out on the first finding only: most policies have none.
    let fixes: Fix[] | undefined;
    for (const r of policyRules(doc.data)) {
      if (r.rule['nodeSelector'] === undefined) continue;
      fixes ??= toClusterwide(doc, file);
      out.push({
        path: [...r.path, 'nodeSelector'],
        target: 'key',
        message:
          'A CiliumNetworkPolicy cannot select nodes: the agent rejects `nodeSelector` here. Host policies must be CiliumClusterwideNetworkPolicy.',
        fixes,
      });
    }
    return out;
  },
};

/**
 * The fix: change `kind` and drop `metadata.namespace` (a cluster-scoped object has none). Offered
 * only when both edits can be made; `endpointSelector` rules in `specs` then apply cluster-wide,
 * which the title says.
 */
function toClusterwide(doc: Parameters<Rule['check']>[0]['doc'], file: Parameters<Rule['check']>[0]['file']): Fix[] {
  const kind = replaceValue(file, doc, ['kind'], 'CiliumClusterwideNetworkPolicy');
  if (!kind) return [];
  const hasNamespace = obj(obj(doc.data)?.['metadata'])?.['namespace'] !== undefined;
  const ns = hasNamespace ? removeEntry(file, doc, ['metadata', 'namespace']) : undefined;
  if (hasNamespace && !ns) return [];
  return [{ title: 'Turn into a CiliumClusterwideNetworkPolicy', edits: ns ? [kind, ns] : [kind], preferred: true }];
}
