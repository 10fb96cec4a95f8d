// SPDX-License-Identifier: Apache-2.0
/**
 * The rule registry.
 *
 * Design: one rule per file, named after its id (`cilium/foo-bar` lives in `cilium-foo-bar.ts`),
 * each exporting a single `Rule`. This list is explicit and sorted by id, so adding a rule touches
 * three places: the rule file, its test in `test/rules/`, and one line here. All rules are always
 * registered; users turn one off with `ciliumPolicy.rules: { "<id>": "off" }` or a
 * `# cilium-policy disable-next-line <id>` comment, never through conditional registration.
 * `docs/rules.md` is generated from this list (`npm run docs:rules`); a test fails when it is stale.
 */
import type { Rule } from './rule.js';
import { rule as ciliumEmptyRuleSections } from './cilium-empty-rule-sections.js';
import { rule as ciliumMixedPeerTypes } from './cilium-mixed-peer-types.js';
import { rule as ciliumNamespacedNodeSelector } from './cilium-namespaced-node-selector.js';

export const RULES: readonly Rule[] = [ciliumEmptyRuleSections, ciliumMixedPeerTypes, ciliumNamespacedNodeSelector];

/** Looks a rule up by id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
