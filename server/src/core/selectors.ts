// SPDX-License-Identifier: Apache-2.0
/**
 * The selector engine behind the endpoint preview: which labels Cilium (and Tetragon) see on a
 * workload, how a selector written in a policy is rewritten before it is matched (sources,
 * namespace and cluster scoping), and whether a label set satisfies it.
 *
 * Everything here is plain data in, plain data out. The facts are those of the reference notes:
 * A3 (SEL-5, SEL-6, SEL-7), A10 (ENT-2, SVC-1, SVC-2), A11 (NS-1 … NS-9), A12 (LBL-1 … LBL-5) and,
 * for Tetragon, TP-WL-1.
 */
import { isObj } from './data.js';

/** The cluster name Cilium uses when none is configured. */
export const DEFAULT_CLUSTER_NAME = 'default';

/** The namespace `kubectl apply` puts a namespaced object in when the manifest names none. */
export const DEFAULT_NAMESPACE = 'default';

/** Label keys Cilium gives special meaning (A12). */
export const LABEL = {
  podNamespace: 'io.kubernetes.pod.namespace',
  serviceAccount: 'io.cilium.k8s.policy.serviceaccount',
  cluster: 'io.cilium.k8s.policy.cluster',
  namespaceLabelsPrefix: 'io.cilium.k8s.namespace.labels.',
  namespaceName: 'kubernetes.io/metadata.name',
} as const;

/** How selectors are interpreted; every field has the agent's default. */
export interface SelectorOptions {
  /** The local cluster name (`cluster-name`), used by NS-7 and the `cluster` entity. Default `default`. */
  readonly clusterName?: string;
  /** The agent option `policy-default-local-cluster` (NS-7). Default true. */
  readonly policyDefaultLocalCluster?: boolean;
  /** Namespace of a namespaced policy whose manifest names none. Default `default`. */
  readonly defaultNamespace?: string;
}

/** A `matchExpressions` operator (SEL-1). */
export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/**
 * The source used for Kubernetes/Tetragon selectors, whose keys are compared literally (no
 * `source:` prefix is parsed). Cilium never uses an empty source, so the two cannot collide.
 */
export const PLAIN_SOURCE = '';

/** One requirement of a selector, after key parsing. */
export interface Requirement {
  /** `any`, `k8s`, `reserved`, … for Cilium; {@link PLAIN_SOURCE} for plain Kubernetes semantics. */
  readonly source: string;
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** A selector as the agent will match it: the requirements are ANDed. */
export interface EffectiveSelector {
  readonly requirements: readonly Requirement[];
  /** Set when the selector is malformed; it then selects nothing. */
  readonly invalid?: string;
  /** Rewrites the agent applied (namespace injected, namespace overwritten, …), in our words. */
  readonly notes: readonly string[];
}

/** The labels of one identity, keyed by `source:key` (see {@link labelKey}). */
export type LabelMap = ReadonlyMap<string, string>;

/** The map key of a label: `k8s:app`, `reserved:host`, or `:app` for plain labels. */
export function labelKey(source: string, key: string): string {
  return `${source}:${key}`;
}

// ---------------------------------------------------------------------------------------------
// Key parsing (SEL-5, SEL-6)

/** A selector key split into its source and the label key proper. */
export interface ParsedKey {
  readonly source: string;
  readonly key: string;
}

/**
 * Splits a selector key the way the agent does: `$host` is `reserved:host` (SEL-6), `k8s:app`
 * has source `k8s`, and a key without a source is `any:` (SEL-5), matching every source.
 */
export function parseSelectorKey(raw: string): ParsedKey {
  if (raw.startsWith('$')) return { source: 'reserved', key: raw.slice(1) };
  const colon = raw.indexOf(':');
  if (colon < 0) return { source: 'any', key: raw };
  return { source: raw.slice(0, colon), key: raw.slice(colon + 1) };
}

// ---------------------------------------------------------------------------------------------
// Parsing selectors from policy data

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * A selector read from policy data, before scoping. `matchLabels` keeps map semantics (one value
 * per full key) because NS-1 overwrites an entry of it rather than adding a requirement.
 */
export interface ParsedSelector {
  readonly matchLabels: ReadonlyMap<string, { readonly source: string; readonly key: string; readonly value: string }>;
  readonly expressions: readonly Requirement[];
  readonly invalid?: string;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  return undefined;
}

/**
 * Reads a label selector (`matchLabels`, `matchExpressions`). With `plain`, keys are taken
 * literally (Kubernetes and Tetragon selectors); otherwise they are parsed as Cilium keys.
 * Never throws: a malformed selector comes back with `invalid` set and selects nothing.
 */
export function parseSelector(value: unknown, plain = false): ParsedSelector {
  const matchLabels = new Map<string, { source: string; key: string; value: string }>();
  const expressions: Requirement[] = [];
  if (value === null || value === undefined) return { matchLabels, expressions };
  if (!isObj(value)) return { matchLabels, expressions, invalid: 'the selector is not a map' };
  const split = (raw: string): ParsedKey => (plain ? { source: PLAIN_SOURCE, key: raw } : parseSelectorKey(raw));
  const ml = value['matchLabels'];
  if (ml !== undefined && ml !== null) {
    if (!isObj(ml)) return { matchLabels, expressions, invalid: 'matchLabels is not a map' };
    for (const [raw, v] of Object.entries(ml)) {
      const text = scalarText(v);
      if (text === undefined)
        return { matchLabels, expressions, invalid: `matchLabels value of "${raw}" is not a string` };
      const k = split(raw);
      matchLabels.set(labelKey(k.source, k.key), { ...k, value: text });
    }
  }
  const me = value['matchExpressions'];
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return { matchLabels, expressions, invalid: 'matchExpressions is not a list' };
    for (const e of me) {
      if (!isObj(e) || typeof e['key'] !== 'string')
        return { matchLabels, expressions, invalid: 'a matchExpressions entry has no key' };
      const op = e['operator'];
      if (typeof op !== 'string' || !OPERATORS.has(op)) {
        return {
          matchLabels,
          expressions,
          invalid: `operator ${JSON.stringify(op)} is not In, NotIn, Exists or DoesNotExist`,
        };
      }
      const values: string[] = [];
      if (Array.isArray(e['values'])) {
        for (const v of e['values']) {
          const t = scalarText(v);
          if (t !== undefined) values.push(t);
        }
      }
      // SEL-2: the agent rejects these, so the rule never takes effect.
      if ((op === 'In' || op === 'NotIn') && values.length === 0)
        return { matchLabels, expressions, invalid: `${op} needs at least one value` };
      if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0)
        return { matchLabels, expressions, invalid: `${op} takes no values` };
      expressions.push({ ...split(e['key']), operator: op as Operator, values });
    }
  }
  return { matchLabels, expressions };
}

function requirementsOf(parsed: ParsedSelector): Requirement[] {
  const out: Requirement[] = [];
  for (const m of parsed.matchLabels.values())
    out.push({ source: m.source, key: m.key, operator: 'In', values: [m.value] });
  out.push(...parsed.expressions);
  return out;
}

/** A selector taken as written, without any scoping (CCNP `endpointSelector`, NS-2; `nodeSelector`, NS-3). */
export function unscoped(parsed: ParsedSelector): EffectiveSelector {
  return parsed.invalid !== undefined
    ? { requirements: [], invalid: parsed.invalid, notes: [] }
    : { requirements: requirementsOf(parsed), notes: [] };
}

// ---------------------------------------------------------------------------------------------
// Namespace and cluster scoping (A11)

/** Where a selector sits in a Cilium network policy. */
export type SelectorPlace = 'endpointSelector' | 'nodeSelector' | 'endpoints' | 'nodes';

/** What scoping needs to know about the policy around a selector. */
export interface ScopeContext {
  /** True for a CiliumClusterwideNetworkPolicy. */
  readonly clusterwide: boolean;
  /** The policy namespace (CNP only). */
  readonly namespace?: string;
  /** True when the rule's own `endpointSelector` has a `reserved:init` key (the NS-5 exception). */
  readonly subjectSelectsInit?: boolean;
  readonly options?: SelectorOptions;
}

function hasKey(parsed: ParsedSelector, test: (source: string, key: string) => boolean): boolean {
  for (const m of parsed.matchLabels.values()) if (test(m.source, m.key)) return true;
  return parsed.expressions.some((e) => test(e.source, e.key));
}

const k8sOrAny = (source: string): boolean => source === 'k8s' || source === 'any';

/** True when the selector has a key with the `reserved` source (NS-6; also the NS-5 exception). */
export function hasReservedKey(parsed: ParsedSelector, key?: string): boolean {
  return hasKey(parsed, (s, k) => s === 'reserved' && (key === undefined || k === key));
}

/**
 * Rewrites a selector of a Cilium network policy the way the agent does before matching it
 * (NS-1 … NS-8), and records what it did.
 */
export function scopeSelector(parsed: ParsedSelector, place: SelectorPlace, ctx: ScopeContext): EffectiveSelector {
  if (parsed.invalid !== undefined) return { requirements: [], invalid: parsed.invalid, notes: [] };
  const notes: string[] = [];
  const clusterName = ctx.options?.clusterName ?? DEFAULT_CLUSTER_NAME;
  const localCluster = ctx.options?.policyDefaultLocalCluster ?? true;
  const ns = ctx.namespace ?? ctx.options?.defaultNamespace ?? DEFAULT_NAMESPACE;
  const nsKey = labelKey('k8s', LABEL.podNamespace);
  if (place === 'endpointSelector') {
    if (ctx.clusterwide) return { requirements: requirementsOf(parsed), notes }; // NS-2
    // NS-1: the injected namespace replaces a k8s-sourced one in matchLabels; an any-sourced
    // namespace key is a different map entry, so both requirements stay.
    const labels = new Map(parsed.matchLabels);
    const written = labels.get(nsKey);
    if (written !== undefined && written.value !== ns) {
      notes.push(`the namespace "${written.value}" is replaced by the policy namespace "${ns}"`);
    }
    labels.set(nsKey, { source: 'k8s', key: LABEL.podNamespace, value: ns });
    notes.push(`limited to namespace "${ns}"`);
    return { requirements: requirementsOf({ matchLabels: labels, expressions: parsed.expressions }), notes };
  }
  if (place === 'nodeSelector') return { requirements: requirementsOf(parsed), notes }; // NS-3
  // Peer selectors.
  if (hasReservedKey(parsed)) {
    notes.push('has a reserved: key, so no namespace or cluster is added');
    return { requirements: requirementsOf(parsed), notes }; // NS-6
  }
  const extra: Requirement[] = [];
  if (place === 'nodes') {
    // NS-8: node peers are remote nodes; no namespace.
    extra.push({ source: 'reserved', key: 'remote-node', operator: 'Exists', values: [] });
  } else {
    const namesNamespace = hasKey(parsed, (s, k) => k8sOrAny(s) && k === LABEL.podNamespace);
    if (!ctx.clusterwide) {
      const namesNamespaceLabels = hasKey(parsed, (s, k) => k8sOrAny(s) && k.startsWith(LABEL.namespaceLabelsPrefix));
      if (!namesNamespace && !namesNamespaceLabels) {
        extra.push({ source: 'k8s', key: LABEL.podNamespace, operator: 'In', values: [ns] }); // NS-4
        notes.push(`limited to namespace "${ns}"`);
      }
    } else if (!namesNamespace && !ctx.subjectSelectsInit) {
      extra.push({ source: 'k8s', key: LABEL.podNamespace, operator: 'Exists', values: [] }); // NS-5
      notes.push('limited to pods (any namespace)');
    }
  }
  if (localCluster && !hasKey(parsed, (s, k) => k8sOrAny(s) && k === LABEL.cluster)) {
    extra.push({ source: 'k8s', key: LABEL.cluster, operator: 'In', values: [clusterName] }); // NS-7
  }
  return { requirements: [...requirementsOf(parsed), ...extra], notes };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Every source present in a label map (a handful at most). */
export function sourcesOf(labels: LabelMap): string[] {
  const out: string[] = [];
  for (const k of labels.keys()) {
    const s = k.slice(0, k.indexOf(':'));
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The values a requirement key has in a label map: one per matching source (`any` matches all). */
function valuesFor(labels: LabelMap, sources: readonly string[], r: Requirement): string[] {
  if (r.source !== 'any') {
    const v = labels.get(labelKey(r.source, r.key));
    return v === undefined ? [] : [v];
  }
  const out: string[] = [];
  for (const s of sources) {
    if (s === PLAIN_SOURCE) continue;
    const v = labels.get(labelKey(s, r.key));
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Whether a label map satisfies one requirement. */
export function matchesRequirement(labels: LabelMap, sources: readonly string[], r: Requirement): boolean {
  const vs = valuesFor(labels, sources, r);
  switch (r.operator) {
    case 'In':
      return vs.some((v) => r.values.includes(v));
    case 'NotIn':
      return !vs.some((v) => r.values.includes(v));
    case 'Exists':
      return vs.length > 0;
    case 'DoesNotExist':
      return vs.length === 0;
  }
}

/**
 * Whether a label map satisfies a selector. An empty selector matches everything (SEL-7); an
 * invalid one matches nothing. `sources` may be passed when already known (see {@link sourcesOf}).
 */
export function matchesSelector(
  selector: EffectiveSelector,
  labels: LabelMap,
  sources: readonly string[] = sourcesOf(labels),
): boolean {
  if (selector.invalid !== undefined) return false;
  for (const r of selector.requirements) if (!matchesRequirement(labels, sources, r)) return false;
  return true;
}

/** A short text of an effective selector, e.g. `any:app=web, k8s:io.kubernetes.pod.namespace=shop`. */
export function describeSelector(selector: EffectiveSelector): string {
  if (selector.invalid !== undefined) return `invalid (${selector.invalid})`;
  if (selector.requirements.length === 0) return 'everything';
  return selector.requirements
    .map((r) => {
      const k = r.source === PLAIN_SOURCE ? r.key : `${r.source}:${r.key}`;
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} in (${r.values.join(', ')})`;
        case 'NotIn':
          return `${k} notin (${r.values.join(', ')})`;
        case 'Exists':
          return k;
        case 'DoesNotExist':
          return `!${k}`;
      }
    })
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Labels Cilium puts on endpoints (A12)

/** The identity label filter (LBL-5): keys always kept, checked before the exclusions. */
function keptByFilter(key: string): boolean {
  return (
    key === LABEL.podNamespace ||
    key.startsWith('io.cilium.k8s.namespace.labels') ||
    key.startsWith('app.kubernetes.io') ||
    key === LABEL.cluster ||
    key === LABEL.serviceAccount
  );
}

const EXCLUDED_PREFIXES = [
  'io.kubernetes',
  'kubernetes.io',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/job-completion-index',
  'batch.kubernetes.io/controller-uid',
  'k8s.io',
  'pod-template-generation',
  'pod-template-hash',
  'controller-revision-hash',
  'controller-uid',
  'annotation',
  'etcd_node',
  'topology.kubernetes.io',
];

/**
 * True when the default identity label filter keeps a Kubernetes label key (LBL-5). Excluded
 * labels are not part of the security identity, so no selector can match them.
 */
export function inIdentity(key: string): boolean {
  if (keptByFilter(key)) return true;
  if (key.includes('beta.kubernetes.io')) return false;
  return !EXCLUDED_PREFIXES.some((p) => key.startsWith(p));
}

/** What the label builder needs to know about a workload. */
export interface EndpointFacts {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  /**
   * Identity labels reported by the agent (`source:key=value`, from a CiliumEndpoint). When set,
   * they are used as they are instead of being derived.
   */
  readonly identityLabels?: readonly string[];
}

/**
 * The security-identity labels Cilium gives a pod (A12): its labels with source `k8s` minus
 * `io.cilium.k8s*` keys (LBL-1) and minus keys the identity filter drops (LBL-5), the namespace,
 * service account and cluster labels, and one `io.cilium.k8s.namespace.labels.<k>` per label of
 * the namespace (LBL-2). `kubernetes.io/metadata.name` is always among the namespace labels
 * because the API server sets it on every namespace.
 */
export function ciliumEndpointLabels(
  facts: EndpointFacts,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
  options?: SelectorOptions,
): Map<string, string> {
  const out = new Map<string, string>();
  if (facts.identityLabels) {
    for (const l of facts.identityLabels) {
      const eq = l.indexOf('=');
      const k = parseSelectorKey(eq < 0 ? l : l.slice(0, eq));
      out.set(labelKey(k.source === 'any' ? 'unspec' : k.source, k.key), eq < 0 ? '' : l.slice(eq + 1));
    }
    return out;
  }
  for (const [k, v] of Object.entries(facts.labels)) {
    if (k.startsWith('io.cilium.k8s')) continue; // LBL-1: cannot be spoofed from pod labels
    if (!inIdentity(k)) continue; // LBL-5
    out.set(labelKey('k8s', k), v);
  }
  out.set(labelKey('k8s', LABEL.podNamespace), facts.namespace);
  if (facts.serviceAccount) out.set(labelKey('k8s', LABEL.serviceAccount), facts.serviceAccount);
  out.set(labelKey('k8s', LABEL.cluster), options?.clusterName ?? DEFAULT_CLUSTER_NAME);
  const nsLabels: Record<string, string> = { [LABEL.namespaceName]: facts.namespace, ...(namespaceLabels ?? {}) };
  for (const [k, v] of Object.entries(nsLabels)) out.set(labelKey('k8s', LABEL.namespaceLabelsPrefix + k), v);
  return out;
}

/**
 * The labels a Tetragon pod selector sees (TP-WL-1): the pod's labels as they are, plus the
 * namespace under the literal key `k8s:io.kubernetes.pod.namespace`. Keys are plain.
 */
export function tetragonPodLabels(facts: EndpointFacts): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(facts.labels)) out.set(labelKey(PLAIN_SOURCE, k), v);
  out.set(labelKey(PLAIN_SOURCE, `k8s:${LABEL.podNamespace}`), facts.namespace);
  return out;
}

/**
 * The labels a Tetragon container selector sees for one container (TP-WL-1): `name` and `repo`
 * (the image without tag or digest).
 */
export function tetragonContainerLabels(container: {
  readonly name: string;
  readonly image?: string;
}): Map<string, string> {
  const out = new Map<string, string>([[labelKey(PLAIN_SOURCE, 'name'), container.name]]);
  if (container.image !== undefined) out.set(labelKey(PLAIN_SOURCE, 'repo'), imageRepo(container.image));
  return out;
}

/** The repository part of an image reference: `quay.io/a/b:v1@sha256:…` → `quay.io/a/b`. */
export function imageRepo(image: string): string {
  let s = image;
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  // A colon after the last slash is a tag; one before it belongs to a registry port.
  if (colon > slash) s = s.slice(0, colon);
  return s;
}

/**
 * The labels of a node as a host or remote-node endpoint: node labels with source `k8s`, the
 * reserved label of its role and the cluster label (so NS-7-scoped node peers can match it).
 */
export function nodeLabels(
  labels: Readonly<Record<string, string>>,
  role: 'host' | 'remote-node',
  options?: SelectorOptions,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(labels)) out.set(labelKey('k8s', k), v);
  out.set(labelKey('reserved', role), '');
  out.set(labelKey('k8s', LABEL.cluster), options?.clusterName ?? DEFAULT_CLUSTER_NAME);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entities (ENT-2)

const RESERVED_IN_CLUSTER = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];

/** The label map of a reserved identity (`reserved:<name>`), for matching entities and `reserved:` selectors. */
export function reservedIdentity(name: string): Map<string, string> {
  return new Map([[labelKey('reserved', name), '']]);
}

/** Whether an entity selects an identity with these labels (ENT-2). Unknown entities select nothing. */
export function entitySelects(entity: string, labels: LabelMap, options?: SelectorOptions): boolean {
  const has = (name: string): boolean => labels.has(labelKey('reserved', name));
  switch (entity) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'world':
      return has('world') || has('world-ipv4') || has('world-ipv6');
    case 'cluster':
      return (
        RESERVED_IN_CLUSTER.some(has) ||
        labels.get(labelKey('k8s', LABEL.cluster)) === (options?.clusterName ?? DEFAULT_CLUSTER_NAME)
      );
    case 'host':
    case 'remote-node':
    case 'init':
    case 'ingress':
    case 'health':
    case 'unmanaged':
    case 'kube-apiserver':
      return has(entity);
    default:
      return false;
  }
}
