// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/missing-policy-name
 *
 * The agent refuses a policy without a name. The schema requires `metadata` but cannot require
 * `metadata.name`, because `generateName` is a legitimate alternative at creation time.
 */
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { obj } from '../../core/data.js';

export const rule: Rule = {
  id: 'cilium/missing-policy-name',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'A Cilium network policy needs `metadata.name`.',
  rationale:
    'Policies are identified by name: the agent derives rule labels from it and refuses a policy without one, and `kubectl apply` cannot apply a nameless object. Only `kubectl create` with `metadata.generateName` fills the name in for you.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities:\n        - cluster\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromEntities:\n        - cluster\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/k8s/apis/cilium.io/v2/cnp_types.go',
      func: 'CiliumNetworkPolicy.Parse (must have name)',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'kubernetes/kubernetes',
      file: 'staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go',
      func: 'ValidateObjectMetaAccessor (name or generateName is required)',
      releases: 'Kubernetes 1.16+',
    },
  ],
  check({ doc }) {
    const meta = obj(obj(doc.data)?.['metadata']);
    // No metadata at all is a schema error; an empty name is the schema's minLength.
    if (!meta || meta['name'] !== undefined || meta['generateName'] !== undefined) return [];
    const out: RuleFinding[] = [
      {
        path: ['metadata'],
        target: 'key',
        message: '`metadata` has no `name`; the agent refuses a policy without a name (and `kubectl apply` needs one).',
      },
    ];
    return out;
  },
};
