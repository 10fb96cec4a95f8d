// SPDX-License-Identifier: Apache-2.0
/**
 * Replaying recorded Hubble flows against policies (issue 16): reading flow records
 * ({@link readHubbleRecord}), judging them in groups of equal questions ({@link FlowReplay}),
 * the connectivity diff between two sets of policies, and rules generated from flows.
 */
export * from './hubble.js';
export * from './replay.js';
export * from './diff.js';
export * from './generate.js';
export * from './summary.js';
