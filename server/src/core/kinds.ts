// SPDX-License-Identifier: Apache-2.0
/**
 * The six resource kinds cilium-policy understands, and how a YAML document is recognised as one.
 * Everything else (a Deployment beside a policy, a ConfigMap) is left alone.
 */

/** Which agent consumes the resource. */
export type PolicyFamily = 'cilium' | 'tetragon';

/** The kind names we handle. */
export type PolicyKindName =
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'CiliumEnvoyConfig'
  | 'CiliumClusterwideEnvoyConfig'
  | 'TracingPolicy'
  | 'TracingPolicyNamespaced';

/** Static facts about one kind. */
export interface KindInfo {
  readonly kind: PolicyKindName;
  readonly apiVersion: string;
  readonly family: PolicyFamily;
  /** True when the object lives in a namespace. */
  readonly namespaced: boolean;
  /** Path of the kind's schema below `schemas/`. */
  readonly schemaPath: string;
  /** Short name used in messages and the status bar. */
  readonly shortName: string;
  /** Reference documentation for the kind. */
  readonly docsUrl: string;
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'CiliumNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    namespaced: true,
    schemaPath: 'cilium.io/ciliumnetworkpolicy_v2.json',
    shortName: 'CNP',
    docsUrl: 'https://docs.cilium.io/en/stable/security/policy/',
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    namespaced: false,
    schemaPath: 'cilium.io/ciliumclusterwidenetworkpolicy_v2.json',
    shortName: 'CCNP',
    docsUrl: 'https://docs.cilium.io/en/stable/security/policy/',
  },
  {
    kind: 'CiliumEnvoyConfig',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    namespaced: true,
    schemaPath: 'cilium.io/ciliumenvoyconfig_v2.json',
    shortName: 'CEC',
    docsUrl: 'https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/',
  },
  {
    kind: 'CiliumClusterwideEnvoyConfig',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    namespaced: false,
    schemaPath: 'cilium.io/ciliumclusterwideenvoyconfig_v2.json',
    shortName: 'CCEC',
    docsUrl: 'https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/',
  },
  {
    kind: 'TracingPolicy',
    apiVersion: 'cilium.io/v1alpha1',
    family: 'tetragon',
    namespaced: false,
    schemaPath: 'cilium.io/tracingpolicy_v1alpha1.json',
    shortName: 'TP',
    docsUrl: 'https://tetragon.io/docs/concepts/tracing-policy/',
  },
  {
    kind: 'TracingPolicyNamespaced',
    apiVersion: 'cilium.io/v1alpha1',
    family: 'tetragon',
    namespaced: true,
    schemaPath: 'cilium.io/tracingpolicynamespaced_v1alpha1.json',
    shortName: 'TPN',
    docsUrl: 'https://tetragon.io/docs/concepts/tracing-policy/',
  },
];

/** Looks up the kind of a document from its `apiVersion` and `kind` values. */
export function kindOf(apiVersion: unknown, kind: unknown): KindInfo | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return KINDS.find((k) => k.kind === kind && k.apiVersion === apiVersion);
}

/**
 * True when the kind name is ours but the apiVersion is not, e.g. `cilium.io/v1` for a CNP.
 * Such a document gets one diagnostic on its apiVersion instead of silence.
 */
export function kindWithWrongApiVersion(apiVersion: unknown, kind: unknown): KindInfo | undefined {
  if (typeof kind !== 'string') return undefined;
  const info = KINDS.find((k) => k.kind === kind);
  if (!info || apiVersion === info.apiVersion) return undefined;
  if (typeof apiVersion === 'string' && !apiVersion.startsWith('cilium.io/')) return undefined;
  return info;
}
