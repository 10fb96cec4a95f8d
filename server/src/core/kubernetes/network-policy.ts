// SPDX-License-Identifier: Apache-2.0
/**
 * Reading a Kubernetes `networking.k8s.io/v1` NetworkPolicy as the Cilium agent does: its
 * `podSelector` and its peers' pod and namespace selectors become Cilium label selectors (keys with
 * the `k8s` source, the namespace as the `io.kubernetes.pod.namespace` label, namespace labels under
 * `io.cilium.k8s.namespace.labels.`, and the local cluster when `policy-default-local-cluster` is
 * on). The endpoint preview and the connectivity engine both read policies through this module.
 */
import type { Obj } from '../data.js';
import {
  DEFAULT_CLUSTER_NAME,
  LABEL,
  parseSelector,
  type EffectiveSelector,
  type ParsedSelector,
  type Requirement,
  type SelectorOptions,
} from '../selectors.js';

/** A selector, or why the agent refuses it (the message names `what`, e.g. `spec.ingress[0].from[1].podSelector`). */
export type KubernetesSelector =
  | { readonly ok: true; readonly selector: EffectiveSelector }
  | {
      readonly ok: false;
      readonly message: string;
    };

interface Sourced {
  labels: Map<string, string>;
  expressions: Requirement[];
}

/** A plain Kubernetes selector with every key given the `k8s` source, as the agent reads it. */
function k8sSourced(parsed: ParsedSelector): Sourced {
  const labels = new Map<string, string>();
  for (const m of parsed.matchLabels.values()) labels.set(m.key, m.value);
  return { labels, expressions: parsed.expressions.map((e) => ({ ...e, source: 'k8s' })) };
}

function requirements(labels: ReadonlyMap<string, string>, expressions: readonly Requirement[]): Requirement[] {
  const out: Requirement[] = [];
  for (const [key, value] of labels) out.push({ source: 'k8s', key, operator: 'In', values: [value] });
  out.push(...expressions);
  return out;
}

function parsed(value: unknown, what: string): Sourced | string {
  const p = parseSelector(value ?? {}, true);
  return p.invalid !== undefined ? `${what}: ${p.invalid}` : k8sSourced(p);
}

/** The selector of the pods a NetworkPolicy applies to: its `podSelector` within its namespace. */
export function kubernetesSubjectSelector(podSelector: unknown, namespace: string): KubernetesSelector {
  const pod = parsed(podSelector, 'spec.podSelector');
  if (typeof pod === 'string') return { ok: false, message: pod };
  pod.labels.set(LABEL.podNamespace, namespace);
  return { ok: true, selector: { requirements: requirements(pod.labels, pod.expressions), notes: [] } };
}

/**
 * The label selector of a NetworkPolicyPeer (its pod and namespace selectors), or undefined for a
 * peer with neither (an ipBlock-only peer). A namespace selector alone selects every pod of the
 * namespaces it matches (an empty one, every namespace); a pod selector alone selects pods of the
 * policy's namespace.
 */
export function kubernetesPeerSelector(
  peer: Obj,
  namespace: string,
  options: SelectorOptions,
  what: string,
): KubernetesSelector | undefined {
  let pod: Sourced | undefined;
  if (peer['podSelector'] !== undefined && peer['podSelector'] !== null) {
    const p = parsed(peer['podSelector'], `${what}.podSelector`);
    if (typeof p === 'string') return { ok: false, message: p };
    pod = p;
  }
  const namesCluster =
    pod !== undefined && (pod.labels.has(LABEL.cluster) || pod.expressions.some((e) => e.key === LABEL.cluster));
  if ((options.policyDefaultLocalCluster ?? true) && !namesCluster) {
    pod ??= { labels: new Map(), expressions: [] };
    pod.labels.set(LABEL.cluster, options.clusterName ?? DEFAULT_CLUSTER_NAME);
  }
  const nsValue = peer['namespaceSelector'];
  if (nsValue !== undefined && nsValue !== null) {
    const ns = parsed(nsValue, `${what}.namespaceSelector`);
    if (typeof ns === 'string') return { ok: false, message: ns };
    const nsLabels = new Map<string, string>();
    for (const [k, v] of ns.labels) nsLabels.set(LABEL.namespaceLabelsPrefix + k, v);
    const nsExpr = ns.expressions.map((e) => ({ ...e, key: LABEL.namespaceLabelsPrefix + e.key }));
    const reqs = requirements(nsLabels, nsExpr);
    // An empty namespace selector means every namespace: a pod namespace exists.
    if (reqs.length === 0) reqs.push({ source: 'k8s', key: LABEL.podNamespace, operator: 'Exists', values: [] });
    if (pod) reqs.push(...requirements(pod.labels, pod.expressions));
    return { ok: true, selector: { requirements: reqs, notes: [] } };
  }
  // A pod selector, or (for an ipBlock-only peer) just the local-cluster label: the agent makes either
  // a selector of the policy's own namespace's pods; the caller decides what to make of the second.
  if (!pod) return undefined;
  pod.labels.set(LABEL.podNamespace, namespace);
  return { ok: true, selector: { requirements: requirements(pod.labels, pod.expressions), notes: [] } };
}

/**
 * Whether a NetworkPolicy enforces each direction on the pods it selects: a direction with rules,
 * or one `policyTypes` names (absent `policyTypes`: Ingress always, Egress when it has rules).
 */
export function kubernetesDirections(spec: Obj): { readonly ingress: boolean; readonly egress: boolean } {
  const types = Array.isArray(spec['policyTypes'])
    ? (spec['policyTypes'] as unknown[]).filter((t): t is string => typeof t === 'string')
    : [];
  const has = (section: string): boolean => Array.isArray(spec[section]) && spec[section].length > 0;
  return {
    ingress: has('ingress') || types.includes('Ingress') || !types.includes('Egress'),
    egress: has('egress') || types.includes('Egress'),
  };
}
