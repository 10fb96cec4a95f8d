// SPDX-License-Identifier: Apache-2.0
/**
 * What a label key in a selector means: the `source:` prefix Cilium reads (`k8s:`, `any:`,
 * `reserved:`…), and the keys the agent or Kubernetes set themselves (the pod's namespace, its
 * service account, the namespace's labels, per-rollout hashes). Used by hover on a selector key and
 * by the documentation of key completions. Facts from the agent's identity label code (see
 * `selectors.ts`, A12, LBL-1, LBL-2, LBL-5); the words are ours.
 */
import { inIdentity, LABEL, parseSelectorKey } from '../selectors.js';

/** Where a selector is, which decides how its keys are read. */
export type SelectorFlavour = 'cilium-pods' | 'cilium-nodes' | 'plain-pods' | 'containers';

const SOURCES: Readonly<Record<string, string>> = {
  any: 'No source prefix means `any:`: the key matches a label of that name from any source (in practice the Kubernetes labels of the pod).',
  k8s: '`k8s:` matches only labels that came from Kubernetes: the pod’s own labels and the ones the agent derives from its namespace and service account.',
  reserved:
    '`reserved:` names an identity the agent reserves for traffic that is not a pod (`host`, `remote-node`, `world`, `health`, `init`, `kube-apiserver`, `ingress`, `unmanaged`); entities (`fromEntities`, `toEntities`) are the usual way to write them.',
  container: '`container:` matches labels the container runtime reported for the pod.',
  unspec: '`unspec:` matches labels that came without a source.',
  cidr: '`cidr:` matches the identities the agent gives CIDRs; write CIDR peers with `toCIDR` or `toCIDRSet` instead.',
};

interface KnownKey {
  readonly match: (key: string) => boolean;
  readonly text: string;
}

const KNOWN_KEYS: readonly KnownKey[] = [
  {
    match: (k) => k === LABEL.podNamespace,
    text: 'The namespace of the pod. The agent gives every pod this label. In a namespaced policy, a peer selector that does not name it only matches pods of the policy’s own namespace; naming it reaches pods of that namespace instead.',
  },
  {
    match: (k) => k === LABEL.serviceAccount,
    text: 'The service account the pod runs as, added by the agent to every pod’s identity.',
  },
  {
    match: (k) => k === LABEL.cluster,
    text: 'The name of the cluster the pod runs in (Cluster Mesh); the agent adds it to every identity.',
  },
  {
    match: (k) => k.startsWith(LABEL.namespaceLabelsPrefix),
    text: 'A label of the pod’s namespace, copied into the identity of every pod of that namespace (the part after `io.cilium.k8s.namespace.labels.` is the namespace label’s key).',
  },
  {
    match: (k) => k === 'k8s-app' || k === 'app' || k === 'app.kubernetes.io/name',
    text: 'The application a pod belongs to, by convention.',
  },
  {
    match: (k) => k === 'app.kubernetes.io/instance',
    text: 'The instance (release) of an application, by convention; Helm sets it to the release name.',
  },
  {
    match: (k) => k === 'app.kubernetes.io/component' || k === 'component' || k === 'tier',
    text: 'The role of the pod within its application, by convention (`frontend`, `database`…).',
  },
  {
    match: (k) => k === 'app.kubernetes.io/version' || k === 'version' || k === 'helm.sh/chart',
    text: 'A version or chart label: it changes with every release, so a selector on it stops matching after the next upgrade.',
  },
  {
    match: (k) => k === 'kubernetes.io/hostname',
    text: 'The node’s host name (a node label).',
  },
  {
    match: (k) => k === 'kubernetes.io/os' || k === 'kubernetes.io/arch',
    text: 'The node’s operating system or CPU architecture (a node label set by the kubelet).',
  },
  {
    match: (k) => k.startsWith('node-role.kubernetes.io/'),
    text: 'A node role (control plane, worker…), set by the installer on nodes.',
  },
  {
    match: (k) => k.startsWith('topology.kubernetes.io/'),
    text: 'The zone or region of a node. The agent leaves topology labels out of pod identities.',
  },
];

/** A few sentences about a selector key, in Markdown (the key itself is not repeated). */
export function describeLabelKey(raw: string, flavour: SelectorFlavour): string {
  const out: string[] = [];
  if (flavour === 'cilium-pods' || flavour === 'cilium-nodes') {
    const parsed = parseSelectorKey(raw);
    const source = SOURCES[parsed.source];
    if (source) out.push(source);
    else out.push(`\`${parsed.source}:\` is not a label source the agent knows; this key matches nothing.`);
    const known = KNOWN_KEYS.find((k) => k.match(parsed.key));
    if (known) out.push(known.text);
    if (flavour === 'cilium-pods' && parsed.source !== 'reserved') {
      if (parsed.key.startsWith('io.cilium.k8s') && !parsed.key.startsWith('io.cilium.k8s.namespace.labels.')) {
        if (!known) out.push('Pod labels starting with `io.cilium.k8s` are ignored by the agent.');
      } else if (!inIdentity(parsed.key) && !known) {
        out.push(
          'The agent leaves this key out of pod identities (its label filter drops it), so no selector can match it.',
        );
      }
    }
  } else if (flavour === 'plain-pods') {
    out.push('Tetragon matches the pod’s Kubernetes labels literally: no `source:` prefix is read.');
    if (raw === `k8s:${LABEL.podNamespace}`)
      out.push('This key is the pod’s namespace, which Tetragon adds to the labels.');
    const known = KNOWN_KEYS.find((k) => k.match(raw));
    if (known) out.push(known.text);
  } else {
    if (raw === 'name') out.push('The container’s name, as in the pod spec.');
    else if (raw === 'repo') out.push('The container image without its tag or digest (`registry/app`).');
    else out.push('Tetragon’s container selector knows two keys: `name` and `repo`; this one matches nothing.');
  }
  return out.join('\n\n');
}
