// SPDX-License-Identifier: Apache-2.0
/**
 * Which processes a policy (its `podSelector`, `containerSelector`, `hostSelector`, the namespace
 * of a TracingPolicyNamespaced) or a selector's `matchWorkloads` applies to, as the agent's policy
 * filter decides: a process in a pod passes when its pod and container match; a process outside
 * any pod passes only with `hostSelector: {}`; with no selector at all (or all of them `{}`) every
 * process passes. The event's `process.pod` stands for the pod; a container process the event has
 * no pod for cannot be decided.
 */
import { isObj, type Obj } from '../core/data.js';
import {
  matchesSelector,
  parseSelector,
  PLAIN_SOURCE,
  tetragonContainerLabels,
  tetragonPodLabels,
  unscoped,
  type EffectiveSelector,
} from '../core/selectors.js';
import type { EventProcess } from '../core/tetragon/events.js';
import { no, TRUE, unknown, type Check } from './check.js';

/** A selector field: absent (`null` in Go), empty (`{}`: everything), or a real selector. */
type Sel =
  { readonly kind: 'nil' } | { readonly kind: 'all' } | { readonly kind: 'some'; readonly sel: EffectiveSelector };

function readSel(v: unknown): Sel {
  if (v === undefined || v === null) return { kind: 'nil' };
  if (isObj(v)) {
    const ml = v['matchLabels'];
    const me = v['matchExpressions'];
    const emptyLabels = ml === undefined || ml === null || (isObj(ml) && Object.keys(ml).length === 0);
    const emptyExpr = me === undefined || me === null || (Array.isArray(me) && me.length === 0);
    if (emptyLabels && emptyExpr) return { kind: 'all' };
  }
  return { kind: 'some', sel: unscoped(parseSelector(v, true)) };
}

/** The pod labels of an event's process, built once per process object (events are read once). */
const podLabelCache = new WeakMap<EventProcess, Map<string, string>>();
function podLabels(process: EventProcess, namespace: string): Map<string, string> {
  let labels = podLabelCache.get(process);
  if (!labels) {
    labels = tetragonPodLabels({ labels: process.pod?.labels ?? {}, namespace });
    podLabelCache.set(process, labels);
  }
  return labels;
}

/** A compiled workload filter; `undefined` filter means every process passes. */
export type WorkloadFilter = (process: EventProcess | undefined) => Check;

/**
 * Compiles the workload part of a policy or a selector. `namespace` is the namespace of a
 * TracingPolicyNamespaced ('' for a cluster-wide policy, undefined when a namespaced policy names
 * none). Returns undefined when no filtering applies.
 */
export function compileWorkloads(
  from: Obj | undefined,
  namespace: string | undefined,
  namespaced: boolean,
  where: string,
): WorkloadFilter | undefined {
  let pod = readSel(from?.['podSelector']);
  let container = readSel(from?.['containerSelector']);
  const host = readSel(from?.['hostSelector']);
  // A pod selector alone means every container of the pods; a container selector alone, every pod.
  if (pod.kind !== 'nil' && container.kind === 'nil') container = { kind: 'all' };
  if (container.kind !== 'nil' && pod.kind === 'nil') pod = { kind: 'all' };
  const allAll = pod.kind === 'all' && container.kind === 'all' && host.kind === 'all';
  const allNil = pod.kind === 'nil' && container.kind === 'nil' && host.kind === 'nil';
  if (!namespaced && (allAll || allNil)) return undefined;
  if (namespaced && pod.kind === 'nil' && container.kind === 'nil') {
    pod = { kind: 'all' };
    container = { kind: 'all' };
  }
  // The agent accepts only null or {} as a host selector.
  const hostAll = host.kind === 'all';
  const podSel = pod;
  const containerSel = container;
  return (process) => {
    if (!process) return unknown('the event carries no process');
    const p = process.pod;
    if (!p) {
      if (process.docker) return unknown(`the process runs in container ${process.docker}, but the event names no pod`);
      return hostAll ? TRUE : no(() => `${where} applies to pods, and the process runs on the host (outside any pod)`);
    }
    if (namespaced) {
      if (namespace === undefined)
        return unknown(
          `the policy names no namespace (it takes the one it is applied in); the pod is in ${p.namespace ?? '?'}`,
        );
      if (p.namespace !== namespace)
        return no(() => `the pod is in namespace ${p.namespace ?? '?'}, the policy in ${namespace}`);
    }
    if (podSel.kind === 'nil') return no(() => `${where} selects no pods`);
    if (podSel.kind === 'some') {
      if (p.namespace === undefined) return unknown('the event names the pod without its namespace');
      const labels = podLabels(process, p.namespace);
      if (!matchesSelector(podSel.sel, labels, [PLAIN_SOURCE]))
        return no(() => `pod ${p.namespace}/${p.name ?? '?'} does not match the podSelector of ${where}`);
    }
    if (containerSel.kind === 'nil') return no(() => `${where} selects no containers`);
    if (containerSel.kind === 'some') {
      const c = p.container;
      if (!c?.name) return unknown('the event does not name the container');
      const labels = tetragonContainerLabels(
        c.image !== undefined ? { name: c.name, image: c.image } : { name: c.name },
      );
      if (!matchesSelector(containerSel.sel, labels, [PLAIN_SOURCE]))
        return no(() => `container ${c.name} does not match the containerSelector of ${where}`);
    }
    return TRUE;
  };
}
