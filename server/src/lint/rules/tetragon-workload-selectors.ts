// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/workload-selectors
 *
 * `podSelector` and `containerSelector` (spec level and in `matchWorkloads`) are ordinary label
 * selectors to the CRD, but the agent matches containers on two fields only, `name` and
 * `repo` (TP-WL-1), so any other key never matches and the policy silently applies to no
 * container. A TracingPolicyNamespaced only ever sees pods of its own namespace, so a pod
 * selector asking for another namespace through `k8s:io.kubernetes.pod.namespace` never matches.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import type { DataPath } from '../../core/data.js';
import { list, obj, str } from '../../core/data.js';
import { allSelectors, spec } from '../../core/tetragon/policy.js';

const CONTAINER_KEYS = ['name', 'repo'];
const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

export const rule: Rule = {
  id: 'tetragon/workload-selectors',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary:
    'A `containerSelector` on a key other than `name` or `repo`, or a TracingPolicyNamespaced `podSelector` that asks for another namespace.',
  rationale:
    'The agent matches containers only by their `name` and image `repo`; a selector on any other key matches no container, so the policy silently does nothing. A TracingPolicyNamespaced applies only to pods in its own namespace, so selecting another one (through the `k8s:io.kubernetes.pod.namespace` label) also matches nothing.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: nginx\nspec:\n  containerSelector:\n    matchLabels:\n      image: nginx\n  kprobes:\n    - call: sys_write\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: nginx\nspec:\n  containerSelector:\n    matchLabels:\n      name: nginx\n  kprobes:\n    - call: sys_write\n',
  },
  check({ doc, kind }) {
    const out: RuleFinding[] = [];
    const places: DataPath[] = [['spec']];
    for (const sel of allSelectors(doc.data)) places.push([...sel.path, 'matchWorkloads']);
    const ns = kind.kind === 'TracingPolicyNamespaced' ? doc.namespace : undefined;
    for (const base of places) {
      const holder = base.length === 1 ? spec(doc.data) : obj(getPath(doc.data, base));
      if (!holder) continue;
      const container = obj(holder['containerSelector']);
      if (container) {
        for (const k of Object.keys(obj(container['matchLabels']) ?? {})) {
          if (!CONTAINER_KEYS.includes(k))
            out.push({
              path: [...base, 'containerSelector', 'matchLabels', k],
              target: 'key',
              message: `Containers are matched only on \`name\` and \`repo\`; \`${k}\` matches no container.`,
            });
        }
        list(container['matchExpressions']).forEach((e, i) => {
          const k = str(obj(e)?.['key']);
          if (k !== undefined && !CONTAINER_KEYS.includes(k))
            out.push({
              path: [...base, 'containerSelector', 'matchExpressions', i, 'key'],
              target: 'value',
              message: `Containers are matched only on \`name\` and \`repo\`; \`${k}\` matches no container.`,
            });
        });
      }
      const pod = obj(holder['podSelector']);
      if (pod && ns) {
        const v = str(obj(pod['matchLabels'])?.[NAMESPACE_LABEL]);
        if (v !== undefined && v !== ns) {
          out.push({
            path: [...base, 'podSelector', 'matchLabels', NAMESPACE_LABEL],
            target: 'value',
            message: `This TracingPolicyNamespaced lives in \`${ns}\` and only sees pods there; selecting namespace \`${v}\` matches nothing. Use a TracingPolicy, or a policy in \`${v}\`.`,
          });
        }
      }
    }
    return out;
  },
};

function getPath(data: unknown, path: DataPath): unknown {
  let cur: unknown = data;
  for (const seg of path) cur = typeof seg === 'number' ? list(cur)[seg] : obj(cur)?.[seg];
  return cur;
}
