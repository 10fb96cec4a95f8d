// SPDX-License-Identifier: Apache-2.0
/**
 * Which labels of a workload are worth selecting it by. Controllers stamp some labels on each pod
 * (or revision) that change on every rollout; a policy selecting on them would stop matching after
 * the next deployment. Imports nothing, so the VS Code client may use it (the New Policy wizard's
 * workload picker shows the labels a generated selector will use).
 */

/** The per-rollout labels of Deployments, StatefulSets, DaemonSets and Jobs. */
const VOLATILE_LABELS: ReadonlySet<string> = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
]);

/** The labels worth selecting on: the workload's labels without the per-rollout ones. */
export function stableLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !VOLATILE_LABELS.has(k)));
}
