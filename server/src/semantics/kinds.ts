// SPDX-License-Identifier: Apache-2.0
/**
 * The two document kinds the verdict engine reads besides Cilium's own: Kubernetes
 * `networking.k8s.io/v1` NetworkPolicy (Cilium enforces it too) and our `PolicyTest`.
 *
 * Recognition lives here, in one place, so that the kind registry can take it over: the core's
 * `kinds.ts` knows only the six kinds the editor validates and lints.
 */

/** The apiVersion of a Kubernetes NetworkPolicy. */
export const KNP_API_VERSION = 'networking.k8s.io/v1';

/** The apiVersion and kind of a PolicyTest. */
export const POLICY_TEST_API_VERSION = 'cilium-policy.io/v1alpha1';
export const POLICY_TEST_KIND = 'PolicyTest';

/** The network-policy kinds the verdict engine reads. */
export type VerdictPolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'NetworkPolicy';

/** The network-policy kind of a document, from its `apiVersion` and `kind`, or undefined. */
export function verdictPolicyKind(apiVersion: unknown, kind: unknown): VerdictPolicyKind | undefined {
  if (apiVersion === 'cilium.io/v2' && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy'))
    return kind;
  if (apiVersion === KNP_API_VERSION && kind === 'NetworkPolicy') return 'NetworkPolicy';
  return undefined;
}

/** True for a PolicyTest document. */
export function isPolicyTest(apiVersion: unknown, kind: unknown): boolean {
  return apiVersion === POLICY_TEST_API_VERSION && kind === POLICY_TEST_KIND;
}

/** True when a kind lives in a namespace (its selectors are limited to it). */
export function isNamespacedPolicyKind(kind: VerdictPolicyKind): boolean {
  return kind !== 'CiliumClusterwideNetworkPolicy';
}
