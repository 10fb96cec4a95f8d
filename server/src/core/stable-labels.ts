// SPDX-License-Identifier: Apache-2.0
/**
 * Which labels of a workload are worth selecting it by. Controllers stamp some labels on each pod
 * (or revision) that change on every rollout, and release tooling stamps others that change with
 * every release (`version`, `helm.sh/chart`); a policy selecting on either would stop matching
 * after the next deployment or upgrade. Imports nothing, so the VS Code client may use it (the New
 * Policy wizard's workload picker shows the labels a generated selector will use).
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

/** Labels whose value is a release: the application's version or the chart that installed it. */
const RELEASE_LABELS: ReadonlySet<string> = new Set([
  'version',
  'app.kubernetes.io/version',
  'helm.sh/chart',
  'chart',
  'release-version',
]);

/** True for a label that changes on every rollout (`pod-template-hash`). */
export function isRolloutLabel(key: string): boolean {
  return VOLATILE_LABELS.has(key);
}

/** True for a label that changes with every release (`version`, `helm.sh/chart`). */
export function isReleaseLabel(key: string): boolean {
  return RELEASE_LABELS.has(key);
}

/** The labels worth selecting on: the workload's labels without the per-rollout ones. */
export function stableLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !VOLATILE_LABELS.has(k)));
}

/**
 * The labels a generated selector should use: the per-rollout and per-release ones left out. When
 * the workload's own selector is known (`spec.selector.matchLabels` of a Deployment), only its
 * labels are used: they are what the controller itself relies on to find its pods.
 */
export function selectorLabels(
  labels: Readonly<Record<string, string>>,
  selector?: Readonly<Record<string, string>>,
): Record<string, string> {
  const source = selector && Object.keys(selector).length > 0 ? selector : labels;
  return Object.fromEntries(Object.entries(source).filter(([k]) => !VOLATILE_LABELS.has(k) && !RELEASE_LABELS.has(k)));
}
