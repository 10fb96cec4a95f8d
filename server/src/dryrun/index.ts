// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry-run engine: a pure engine beside the lint engine (it imports only `core/`).
 * Adapters (the CLI, the language server) read event files and policy files and hand the text in.
 */
export { DryRun, enforces, type DryRunCounts, type DryRunResult, type MatchState } from './engine.js';
export {
  compilePolicy,
  eventKey,
  type CompiledHook,
  type CompiledPolicy,
  type CompiledSelector,
  type PolicyInput,
  type SkippedHook,
} from './compile.js';
export { ENFORCING_ACTIONS, MAX_ACTIONS, parseRateLimit, type ResultAction } from './actions.js';
export { compareArgument, type ArgFilterSpec } from './args.js';
export type { Check } from './check.js';
export type { AgentOptions } from './filters.js';
