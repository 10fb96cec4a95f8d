// SPDX-License-Identifier: Apache-2.0
/**
 * What the VS Code client shares with the server besides the wire contract (`protocol.ts`): the
 * kind registry, the wording of the endpoint preview (one formatter for the editor and the CLI),
 * the label rule of the New Policy wizard's workload picker, and the escaping of user text for
 * Markdown (test results, verdicts). Everything here is pure and
 * loads no YAML parser, so it adds little to `dist/extension.js`; `test/unit/layers.test.ts`
 * checks that the client reaches the server only through this module and `protocol.ts`, and that
 * nothing this module loads imports `yaml`, Node or an editor API.
 *
 * The types of the preview payload and of the wizard's templates are core's own, re-exported
 * here as types (erased from the bundle) so `protocol.ts` and the client name them once.
 */
export { kindNamed, KINDS, type KindInfo, type PolicyKindName, type PreviewRole } from './core/kinds.js';
export {
  endpointText,
  labelLines,
  MAX_LABELS,
  MAX_TEXT,
  peerText,
  plain,
  portText,
  qualifiedName,
  type PeerText,
  type PeerType,
} from './core/preview-text.js';
export { selectorLabels, stableLabels } from './core/stable-labels.js';
export { escapeControls, markdownCode, markdownText } from './core/display-text.js';
export type { InventoryOrigin } from './core/inventory.js';
export type {
  Peer,
  PolicyPreview,
  PreviewEndpoint,
  PreviewPort,
  PreviewService,
  RuleDirection,
  RulePreview,
  SelectionRole,
} from './core/preview.js';
export type {
  DirectionReading,
  PolicyReading,
  TracingHookReading,
  TracingSelectorReading,
} from './core/preview-readable.js';
export type { BuiltPolicy, PolicyTemplate, SelectorTarget, WorkloadRef } from './core/templates.js';
