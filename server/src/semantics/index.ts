// SPDX-License-Identifier: Apache-2.0
/**
 * The semantics layer: connectivity verdicts for Cilium and Kubernetes network policies.
 *
 * - {@link VerdictEngine}: policies per file (`setFile`), an inventory and an agent profile in; a
 *   {@link FlowVerdict} per flow out (`evaluate`), `verdictOf` for matrices, `effectivePolicy`.
 * - {@link resolveAgent}: the agent profile from layers (ConfigMap, project file, PolicyTest).
 * - {@link readPolicyTest} / {@link runCase}: the PolicyTest document.
 * - {@link coverage} and {@link connectivityMatrix}.
 */
export * from './agent.js';
export * from './coverage.js';
export * from './endpoints.js';
export * from './engine.js';
export * from './matrix.js';
export * from './model.js';
export * from './policy-test.js';
export type { HttpRequest } from './http.js';
