// SPDX-License-Identifier: Apache-2.0
/**
 * The kind registry: every resource kind cilium-policy understands, declared once, and how a YAML
 * document is recognised as one. Everything else (a Deployment beside a policy, a ConfigMap) is
 * left alone.
 *
 * Every place that treats kinds differently reads this table instead of naming kinds: the parser
 * (recognition, the wrong-apiVersion hint), schema validation and completion (`schemaPath`), the
 * outline and the endpoint preview (`language`, `preview`), the lint rule sets (`language`), the
 * New Policy wizard (`summary`, `snippets`), the status bar (`shortName`), the CLI's help, and the
 * connectivity engine (`networkPolicyKind`: the network policies it reads, Kubernetes' included).
 * Adding a kind is one entry here plus what its language needs (CONTRIBUTING.md, "Add a resource
 * kind"). The module imports nothing, so the VS Code client may read it too.
 */

/** Which program consumes the resource: an agent (whose release the user targets), or cilium-policy itself. */
export type PolicyFamily = 'cilium' | 'tetragon' | 'cilium-policy';

/**
 * The language a kind's `spec` is written in. Kinds that share one (a namespaced and a clusterwide
 * variant) share the readers, the outline, the preview and the lint rules written for it.
 */
export type PolicyLanguage =
  | 'cilium-network-policy'
  | 'cilium-envoy-config'
  | 'tetragon-tracing-policy'
  | 'kubernetes-network-policy'
  | 'policy-test';

/**
 * What the endpoint preview shows for a kind: the workloads it selects and the peers each rule
 * admits (`rules`); only the workloads it selects (`subjects`); the backends of the services it
 * names (`backends`); nothing (`none`: a PolicyTest selects no workload). Kinds with `rules` or
 * `subjects` select workloads themselves, so the reverse question (which policies select this
 * workload) looks at them.
 */
export type PreviewRole = 'rules' | 'subjects' | 'backends' | 'none';

/** The kind names we handle. */
export type PolicyKindName =
  | 'CiliumNetworkPolicy'
  | 'CiliumClusterwideNetworkPolicy'
  | 'CiliumEnvoyConfig'
  | 'CiliumClusterwideEnvoyConfig'
  | 'TracingPolicy'
  | 'TracingPolicyNamespaced'
  | 'NetworkPolicy'
  | 'PolicyTest';

/** Everything that differs between kinds. */
export interface KindInfo {
  readonly kind: PolicyKindName;
  readonly apiVersion: string;
  readonly family: PolicyFamily;
  readonly language: PolicyLanguage;
  /** True when the object lives in a namespace. */
  readonly namespaced: boolean;
  /**
   * Path of the kind's schema below `schemas/`; null for a kind we read but do not validate (a
   * Kubernetes NetworkPolicy: the API server's own schema, which general Kubernetes YAML tooling
   * serves, is the reference, and we lint nothing of it). Only kinds with a schema are linted,
   * completed from a schema and listed in the status bar.
   */
  readonly schemaPath: string | null;
  /** Short name used in messages and the status bar. */
  readonly shortName: string;
  /** One line for pickers (the New Policy wizard): what the kind is for. */
  readonly summary: string;
  /** The snippet file below `snippets/` that holds the kind's starters (completions and wizard templates); null for none. */
  readonly snippets: string | null;
  readonly preview: PreviewRole;
  /** Reference documentation for the kind. */
  readonly docsUrl: string;
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'CiliumNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    language: 'cilium-network-policy',
    namespaced: true,
    schemaPath: 'cilium.io/ciliumnetworkpolicy_v2.json',
    shortName: 'CNP',
    summary: 'L3–L7 allow and deny rules for pods of one namespace',
    snippets: 'cilium.json',
    preview: 'rules',
    docsUrl: 'https://docs.cilium.io/en/stable/security/policy/',
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    language: 'cilium-network-policy',
    namespaced: false,
    schemaPath: 'cilium.io/ciliumclusterwidenetworkpolicy_v2.json',
    shortName: 'CCNP',
    summary: 'Cluster-wide rules, host firewall (nodeSelector)',
    snippets: 'cilium.json',
    preview: 'rules',
    docsUrl: 'https://docs.cilium.io/en/stable/security/policy/',
  },
  {
    kind: 'CiliumEnvoyConfig',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    language: 'cilium-envoy-config',
    namespaced: true,
    schemaPath: 'cilium.io/ciliumenvoyconfig_v2.json',
    shortName: 'CEC',
    summary: 'Envoy listeners, L7 load balancing and traffic splitting in a namespace',
    snippets: 'cilium.json',
    preview: 'backends',
    docsUrl: 'https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/',
  },
  {
    kind: 'CiliumClusterwideEnvoyConfig',
    apiVersion: 'cilium.io/v2',
    family: 'cilium',
    language: 'cilium-envoy-config',
    namespaced: false,
    schemaPath: 'cilium.io/ciliumclusterwideenvoyconfig_v2.json',
    shortName: 'CCEC',
    summary: 'Envoy listeners and L7 load balancing for services of any namespace, cluster-scoped',
    snippets: 'cilium.json',
    preview: 'backends',
    docsUrl: 'https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/',
  },
  {
    kind: 'TracingPolicy',
    apiVersion: 'cilium.io/v1alpha1',
    family: 'tetragon',
    language: 'tetragon-tracing-policy',
    namespaced: false,
    schemaPath: 'cilium.io/tracingpolicy_v1alpha1.json',
    shortName: 'TP',
    summary: 'Tetragon: observe or enforce kernel and user-space events, cluster-wide',
    snippets: 'tetragon.json',
    preview: 'subjects',
    docsUrl: 'https://tetragon.io/docs/concepts/tracing-policy/',
  },
  {
    kind: 'TracingPolicyNamespaced',
    apiVersion: 'cilium.io/v1alpha1',
    family: 'tetragon',
    language: 'tetragon-tracing-policy',
    namespaced: true,
    schemaPath: 'cilium.io/tracingpolicynamespaced_v1alpha1.json',
    shortName: 'TPN',
    summary: 'Tetragon: observe or enforce kernel and user-space events of the pods of one namespace',
    snippets: 'tetragon.json',
    preview: 'subjects',
    docsUrl: 'https://tetragon.io/docs/concepts/tracing-policy/',
  },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    family: 'cilium',
    language: 'kubernetes-network-policy',
    namespaced: true,
    schemaPath: null,
    shortName: 'KNP',
    summary: 'Kubernetes NetworkPolicy, which Cilium enforces beside its own policies',
    snippets: null,
    preview: 'rules',
    docsUrl: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  },
  {
    kind: 'PolicyTest',
    apiVersion: 'cilium-policy.io/v1alpha1',
    family: 'cilium-policy',
    language: 'policy-test',
    namespaced: false,
    schemaPath: 'cilium-policy.io/policytest_v1alpha1.json',
    shortName: 'PT',
    summary: 'Connectivity cases that pin down what the policies allow and deny',
    snippets: 'policy-test.json',
    preview: 'none',
    docsUrl: 'https://github.com/cilium-policy/cilium-policy/blob/main/docs/policy-test.md',
  },
];

/** The kinds written in one language, in registry order (the kinds of a lint rule, for example). */
export function kindsOf(language: PolicyLanguage): PolicyKindName[] {
  return KINDS.filter((k) => k.language === language).map((k) => k.kind);
}

/** The registry entry of a kind name, whatever its apiVersion (a status line naming a kind, say). */
export function kindNamed(kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind);
}

/** Looks up the kind of a document from its `apiVersion` and `kind` values. */
export function kindOf(apiVersion: unknown, kind: unknown): KindInfo | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  return KINDS.find((k) => k.kind === kind && k.apiVersion === apiVersion);
}

/** True for a kind we validate and lint (one with a schema); false for one we only read. */
export function isValidated(kind: KindInfo): kind is KindInfo & { readonly schemaPath: string } {
  return kind.schemaPath !== null;
}

/** The network-policy kinds the connectivity engine reads: Cilium's own and Kubernetes'. */
export type NetworkPolicyKindName = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'NetworkPolicy';

/** The kind name of a network policy the connectivity engine reads, or undefined for any other kind. */
export function networkPolicyKind(kind: KindInfo | undefined): NetworkPolicyKindName | undefined {
  if (!kind) return undefined;
  return kind.language === 'cilium-network-policy' || kind.language === 'kubernetes-network-policy'
    ? (kind.kind as NetworkPolicyKindName)
    : undefined;
}

/** The API group of an apiVersion: `cilium.io` of `cilium.io/v2`. */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The API groups of the kinds we validate, each once (`cilium.io`, `cilium-policy.io`): a document
 * that mentions one gets its syntax errors reported. `networking.k8s.io` is not among them: an
 * Ingress with a syntax error is another tool's business.
 */
export function apiGroups(): string[] {
  return [...new Set(KINDS.filter(isValidated).map((k) => apiGroup(k.apiVersion)))];
}

/**
 * True when the kind name is ours but the apiVersion is not, e.g. `cilium.io/v1` for a CNP.
 * Such a document gets one diagnostic on its apiVersion instead of silence. An apiVersion of
 * another group (a CRD of the same name elsewhere) is somebody else's kind and is left alone.
 */
export function kindWithWrongApiVersion(apiVersion: unknown, kind: unknown): KindInfo | undefined {
  if (typeof kind !== 'string') return undefined;
  const info = kindNamed(kind);
  if (!info || !isValidated(info) || apiVersion === info.apiVersion) return undefined;
  if (typeof apiVersion === 'string' && !apiVersion.startsWith(`${apiGroup(info.apiVersion)}/`)) return undefined;
  return info;
}
