// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/one-hook-section
 *
 * The CRD lets a spec list kprobes, tracepoints, LSM hooks, uprobes, USDTs and fentries side by
 * side, but the agent builds one sensor per policy and refuses a policy that fills more than one
 * of these sections (TP-LOAD-4). The first non-empty section is kept; every later one is flagged.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { nonEmpty } from '../../core/data.js';
import { HOOK_SECTIONS, spec } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/one-hook-section',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A tracing policy that uses more than one hook section (e.g. `kprobes` and `tracepoints`) is rejected by the agent.',
  rationale:
    "The CRD admits the policy, but each node's agent refuses to load it and logs the error: one policy may hold only one of `kprobes`, `tracepoints`, `lsmhooks`, `uprobes`, `usdts` or `fentries`. Put each kind of hook into its own TracingPolicy.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: mixed\nspec:\n  kprobes:\n    - call: sys_write\n  tracepoints:\n    - subsystem: syscalls\n      event: sys_enter_write\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: writes\nspec:\n  kprobes:\n    - call: sys_write\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/policyhandler_linux.go',
      func: 'policyHandler.PolicyHandler (counts the non-empty hook sections)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc }) {
    const s = spec(doc.data);
    if (!s) return [];
    // In the order written, so the first section is the one kept and the others are flagged.
    const used = Object.keys(s).filter((k) => (HOOK_SECTIONS as readonly string[]).includes(k) && nonEmpty(s[k]));
    const out: RuleFinding[] = [];
    for (const k of used.slice(1)) {
      out.push({
        path: ['spec', k],
        target: 'key',
        message: `This policy already hooks through \`${used[0]}\`; the agent loads only one hook section per policy and rejects this one with \`${k}\` too. Move \`${k}\` into a separate TracingPolicy.`,
        data: { sections: used },
      });
    }
    return out;
  },
};
