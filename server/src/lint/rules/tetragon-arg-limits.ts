// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-limits
 *
 * Numeric limits of the agent's argument handling that the CRD does not encode (TP-ARG-1, -2,
 * -4, -5): the BPF programs carry at most five argument slots per event, read arguments from
 * the first five registers (index 0–4) of functions, at most six raw tracepoint arguments, and
 * encode `sizeArgIndex` in four bits.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { HOOK_NOUN, hooks, int, items } from '../../core/tetragon/policy.js';

const MAX_ARGS = 5;
const MAX_INDEX = 4;
const MAX_RAW_TP_INDEX = 5;
const MAX_SIZE_ARG_INDEX = 15;

export const rule: Rule = {
  id: 'tetragon/arg-limits',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'More than 5 `args` and `data` entries on a hook, an argument `index` above 4 (above 5 on raw tracepoints), or a `sizeArgIndex` above 15.',
  rationale:
    'Tetragon events carry at most five arguments, and function arguments are read from the first five registers, so kprobes, fentries, uprobes and LSM hooks accept `index` 0 to 4 only. `sizeArgIndex` is stored in four bits. The CRD admits larger numbers, but the agent refuses to load the policy.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: mmap\nspec:\n  kprobes:\n    - call: sys_mmap\n      args:\n        - index: 5\n          type: uint64\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: mmap\nspec:\n  kprobes:\n    - call: sys_mmap\n      args:\n        - index: 4\n          type: uint64\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const noun = HOOK_NOUN[h.section];
      const args = items(h.hook, 'args', h.path);
      const counted = h.section === 'kprobes' || h.section === 'fentries' || h.section === 'uprobes';
      const withData = counted ? [...args, ...items(h.hook, 'data', h.path)] : args;
      if (counted || h.section === 'tracepoints' || h.section === 'usdts') {
        const what = counted ? '`args` and `data` entries' : '`args` entries';
        withData.slice(MAX_ARGS).forEach((e) =>
          out.push({
            path: e.path,
            message: `A ${noun} carries at most ${MAX_ARGS} ${what} (this one has ${withData.length}); the agent rejects the policy. Split the hook or drop arguments you don't need.`,
          }),
        );
      }
      for (const a of args) {
        const idx = int(a.item['index']);
        if (idx === undefined) continue;
        if (h.section === 'tracepoints') {
          if (h.hook['raw'] === true && idx > MAX_RAW_TP_INDEX) {
            out.push({
              path: [...a.path, 'index'],
              target: 'value',
              message: `A raw tracepoint has at most ${MAX_RAW_TP_INDEX + 1} arguments (index 0–${MAX_RAW_TP_INDEX}); the agent rejects index ${idx}.`,
            });
          }
        } else if (h.section !== 'usdts' && idx > MAX_INDEX) {
          out.push({
            path: [...a.path, 'index'],
            target: 'value',
            message: `A ${noun} reads arguments 0 to ${MAX_INDEX} only; the agent rejects index ${idx}.`,
          });
        }
      }
      for (const a of [...args, ...items(h.hook, 'data', h.path)]) {
        const size = int(a.item['sizeArgIndex']);
        if (size !== undefined && size > MAX_SIZE_ARG_INDEX) {
          out.push({
            path: [...a.path, 'sizeArgIndex'],
            target: 'value',
            message: `\`sizeArgIndex\` is stored in 4 bits, so at most ${MAX_SIZE_ARG_INDEX}; the agent rejects ${size}.`,
          });
        }
      }
    }
    return out;
  },
};
