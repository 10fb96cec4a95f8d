// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/label-key-typo
 *
 * The labels Cilium adds to every pod (namespace, service account, cluster, namespace labels) and
 * the reserved identities are matched by exact key. A near miss such as
 * `k8s:io.kubernetes.pod.namspace` is a valid key, so nothing rejects it, but no endpoint carries
 * it: the selector silently matches nothing. The same goes for an unknown label source
 * (`k8:app`) or an unknown reserved name (`reserved:hots`).
 */
import { editDistance } from '../../core/text-distance.js';
import { CILIUM_NETWORK_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { labelSelectors, selectorKeys, splitLabelKey } from '../../core/cilium/selector-refs.js';
import { replaceString } from '../edit-helpers.js';

/** Keys the agent puts on every pod (source `k8s`). */
const SPECIAL_KEYS = [
  'io.kubernetes.pod.namespace',
  'io.cilium.k8s.policy.serviceaccount',
  'io.cilium.k8s.policy.cluster',
];
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const SOURCES = ['k8s', 'any', 'reserved', 'unspec', 'cni', 'gen', 'cidr', 'cidrgroup', 'node', 'fqdn', 'directory'];
const RESERVED = [
  'host',
  'remote-node',
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'health',
  'init',
  'kube-apiserver',
  'ingress',
  'unmanaged',
  'none',
  'unknown',
];

/** The closest candidate within a budget that grows with length; undefined for an exact match. */
function nearMiss(word: string, candidates: readonly string[], minBudget: number): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) return undefined;
    const budget = Math.max(minBudget, Math.floor(c.length / 6));
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), budget);
    // Case-only differences count as a typo too: keys are case-sensitive.
    if (d <= budget && Math.max(d, 1) < bestDistance) {
      best = c;
      bestDistance = Math.max(d, 1);
    }
  }
  return best;
}

/** The corrected key proper (without source), or undefined when it does not look like a typo. */
function correctName(name: string): string | undefined {
  if (SPECIAL_KEYS.includes(name) || name.startsWith(NAMESPACE_LABELS_PREFIX)) return undefined;
  const special = nearMiss(name, SPECIAL_KEYS, 2);
  if (special) return special;
  // `io.cilium.k8s.namespace.label.team`: compare only the prefix part, of roughly its length.
  const p = NAMESPACE_LABELS_PREFIX.length;
  let best: { fixed: string; d: number } | undefined;
  for (let len = p - 3; len <= p + 3; len++) {
    if (len >= name.length) break;
    // Cut only after a dot, so the label part that follows the prefix is kept whole.
    if (name[len - 1] !== '.') continue;
    const d = editDistance(name.slice(0, len).toLowerCase(), NAMESPACE_LABELS_PREFIX, 3);
    if (d > 0 && d <= 3 && (!best || d < best.d)) best = { fixed: NAMESPACE_LABELS_PREFIX + name.slice(len), d };
  }
  return best?.fixed;
}

interface Suggestion {
  readonly key: string;
  readonly message: string;
}

function suggest(key: string, role: string): Suggestion | undefined {
  const k = splitLabelKey(key);
  const dollar = key.startsWith('$');
  if (k.source !== undefined && !dollar && !SOURCES.includes(k.source)) {
    const s = nearMiss(k.source, SOURCES, 1);
    const tail = 'so the key matches no endpoint.';
    return s
      ? {
          key: `${s}:${k.name}`,
          message: `\`${k.source}\` is not a Cilium label source (did you mean \`${s}\`?), ${tail}`,
        }
      : k.source.length > 0 && /^[A-Za-z0-9]+$/.test(k.source)
        ? {
            key: '',
            message: `\`${k.source}\` is not a Cilium label source (${SOURCES.map((x) => `\`${x}\``).join(', ')}), ${tail}`,
          }
        : undefined;
  }
  if (k.source === 'reserved') {
    if (RESERVED.includes(k.name)) return undefined;
    const s = nearMiss(k.name, RESERVED, 2);
    // The `$` shorthand is not accepted in selectors by current agents: suggest the spelled-out source.
    const written = `reserved:${s ?? ''}`;
    return s
      ? {
          key: written,
          message: `\`${k.name}\` is not a reserved identity; did you mean \`${s}\`? As written the key matches no endpoint.`,
        }
      : {
          key: '',
          message: `\`${k.name}\` is not a reserved identity (${RESERVED.map((x) => `\`${x}\``).join(', ')}), so the key matches no endpoint.`,
        };
  }
  if (k.source !== undefined && k.source !== 'k8s' && k.source !== 'any') return undefined;
  const fixed = correctName(k.name);
  if (fixed) {
    const full = key.slice(0, k.offset) + fixed;
    return {
      key: full,
      message: `\`${key}\` looks like a misspelling of \`${full}\`; no endpoint carries the key as written, so the selector matches nothing.`,
    };
  }
  // The namespace's own label is not a pod label; Cilium exposes it with a prefix.
  if (role !== 'nodes' && k.name === 'kubernetes.io/metadata.name') {
    const full = key.slice(0, k.offset) + NAMESPACE_LABELS_PREFIX + k.name;
    return {
      key: full,
      message: `\`${k.name}\` is a namespace label, not a pod label; pods see it as \`${full}\` (or use \`${key.slice(0, k.offset)}io.kubernetes.pod.namespace\`).`,
    };
  }
  return undefined;
}

export const rule: Rule = {
  id: 'cilium/label-key-typo',
  kinds: CILIUM_NETWORK_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary:
    'A selector key that is a near miss of a label Cilium sets (namespace, service account, cluster, namespace labels, reserved identities) or uses an unknown source.',
  rationale:
    'Keys like `k8s:io.kubernetes.pod.namespace` or `io.cilium.k8s.policy.serviceaccount` are matched exactly. A misspelt key is still a valid label key, so neither the API server nor the agent complains, but no endpoint carries it and the selector quietly matches nothing: an allow rule allows nothing, a deny rule denies nothing.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namspace: monitoring\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: web\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: monitoring\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of labelSelectors(doc.data)) {
      // Node, CIDR-group and service selectors match other objects' labels, where these keys mean nothing special.
      if (sel.role !== 'endpointSelector' && sel.role !== 'endpoints') continue;
      for (const k of selectorKeys(sel)) {
        const s = suggest(k.key, sel.role);
        if (!s) continue;
        const edit = s.key ? replaceString(doc, k.path, k.target, s.key) : undefined;
        out.push({
          path: k.path,
          target: k.target,
          message: s.message,
          data: s.key ? { suggestion: s.key } : {},
          ...(edit ? { fixes: [{ title: `Change to \`${s.key}\``, edits: [edit], preferred: true }] } : {}),
        });
      }
    }
    return out;
  },
};
