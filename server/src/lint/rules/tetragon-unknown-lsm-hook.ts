// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/unknown-lsm-hook
 *
 * The agent attaches an LSM hook to `bpf_lsm_<hook>` and fails the policy when the kernel has no
 * such hook. Hooks are added over releases, so a name missing from our bundled list may still exist
 * on a newer kernel: a warning, with the nearest known names.
 */
import { lsmHook, lsmHookNames, rankedNeighbours } from '../../core/kernel/index.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { changeToFixes } from '../edit-helpers.js';
import { str } from '../../core/data.js';
import { hooks } from '../../core/tetragon/policy.js';

/** Prefixes people carry over from the kernel's own symbols; the policy wants the bare hook name. */
const SYMBOL_PREFIXES = ['bpf_lsm_', 'security_'];

export const rule: Rule = {
  id: 'tetragon/unknown-lsm-hook',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary: 'An `lsmhooks[].hook` that is not an LSM hook of the bundled kernel headers.',
  rationale:
    'The agent looks the hook up as `bpf_lsm_<hook>` in the kernel and refuses the policy when it is missing. The hook is named without prefix (`file_open`, not `security_file_open` or `bpf_lsm_file_open`). The list comes from the bundled kernel headers (docs/kernel-data.md); a hook added in a newer kernel is flagged too, hence a warning.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lsm\nspec:\n  lsmhooks:\n    - hook: file_opn\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lsm\nspec:\n  lsmhooks:\n    - hook: file_open\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      if (h.section !== 'lsmhooks') continue;
      const name = str(h.hook['hook']);
      if (!name || lsmHook(name)) continue;
      const path = [...h.path, 'hook'];
      const prefix = SYMBOL_PREFIXES.find((p) => name.startsWith(p) && lsmHook(name.slice(p.length)));
      const suggestions = prefix ? [name.slice(prefix.length)] : rankedNeighbours(name, lsmHookNames(), 3);
      const fixes = changeToFixes(doc, path, suggestions);
      const hint = prefix
        ? ` Hooks are named without the \`${prefix}\` prefix: \`${suggestions[0]}\`.`
        : suggestions.length
          ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?`
          : '';
      out.push({
        path,
        target: 'value',
        message: `\`${name}\` is not a known LSM hook; the agent fails to load the policy if the kernel lacks \`bpf_lsm_${name}\`.${hint}`,
        data: { suggestions },
        fixes,
      });
    }
    return out;
  },
};
