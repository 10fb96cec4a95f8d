// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-limits
 *
 * Numeric limits of the agent's argument handling that the CRD does not encode: events carry at
 * most five argument slots (on tracepoints the fields an argument's `sizeArgIndex` pulls in take
 * slots too), function arguments (and `data` entries) are indexed 0–4, raw tracepoints 0–5, and
 * `sizeArgIndex` fits four bits. Kprobes, fentries, tracepoints and USDTs refuse more than five
 * arguments; LSM hooks and uprobes do not check and crash the agent (index out of range).
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { aHook, hooks, int, items } from '../../core/tetragon/policy.js';

const MAX_ARGS = 5;
const MAX_INDEX = 4;
const MAX_RAW_TP_INDEX = 5;
const MAX_SIZE_ARG_INDEX = 15;

export const rule: Rule = {
  id: 'tetragon/arg-limits',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'More than 5 `args` and `data` entries on a hook, an `args` or `data` `index` above 4 (above 5 on raw tracepoints), or a `sizeArgIndex` above 15.',
  rationale:
    'Tetragon events carry at most five arguments, and function arguments are read from the first five registers, so kprobes, fentries, uprobes and LSM hooks accept `index` 0 to 4 only, for `data` entries too. `sizeArgIndex` is stored in four bits. The CRD admits larger numbers; the agent refuses the policy, or, for a sixth argument of an LSM hook or uprobe, crashes while loading it.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: mmap\nspec:\n  kprobes:\n    - call: sys_mmap\n      args:\n        - index: 5\n          type: uint64\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: mmap\nspec:\n  kprobes:\n    - call: sys_mmap\n      args:\n        - index: 4\n          type: uint64\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'addKprobe (argument count, index of args and data)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'validateLsmArg (index), addLsm (a sixth argument indexes past the event config: panic)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go',
      func: 'getUprobeArgConfig (index; a sixth argument indexes past its arrays: panic)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'genericTracepoint.EventConfig (count), validateRawTracepointArg (raw index)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericusdt.go',
      func: 'addUsdt (count)',
      releases: 'Tetragon 1.6–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/args_linux.go',
      func: 'getMetaValue (sizeArgIndex)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const args = items(h.hook, 'args', h.path);
      const data = items(h.hook, 'data', h.path);
      const withData = [...args, ...data];
      // The fields a tracepoint argument's size lives in are read too, in slots after the arguments.
      let extra = 0;
      if (h.section === 'tracepoints' && h.hook['raw'] !== true) {
        const declared = new Set(args.map((a) => int(a.item['index'])));
        const pulled = new Set(
          args.map((a) => int(a.item['sizeArgIndex'])).filter((n): n is number => n !== undefined && n > 0),
        );
        extra = [...pulled].filter((n) => !declared.has(n - 1)).length;
      }
      const total = withData.length + extra;
      if (total > MAX_ARGS) {
        const crashes = h.section === 'lsmhooks' || h.section === 'uprobes';
        const what = data.length ? '`args` and `data` entries' : '`args` entries';
        const slots = Math.max(0, MAX_ARGS - extra);
        withData.slice(slots).forEach((e) =>
          out.push({
            path: e.path,
            message: `${aHook(h.section)} carries at most ${MAX_ARGS} ${what}${extra ? ` (with the ${extra} size field${extra === 1 ? '' : 's'} \`sizeArgIndex\` adds)` : ''}; this one has ${total} and the agent ${crashes ? 'crashes (index out of range) while loading the policy' : 'refuses the policy'}. Split the hook or drop arguments you don't need.`,
          }),
        );
      }
      for (const a of withData) {
        const idx = int(a.item['index']);
        if (idx === undefined) continue;
        if (h.section === 'tracepoints') {
          if (h.hook['raw'] === true && idx > MAX_RAW_TP_INDEX) {
            out.push({
              path: [...a.path, 'index'],
              target: 'value',
              message: `A raw tracepoint has at most ${MAX_RAW_TP_INDEX + 1} arguments (index 0–${MAX_RAW_TP_INDEX}); the agent refuses index ${idx}.`,
            });
          }
        } else if (h.section !== 'usdts' && idx > MAX_INDEX) {
          out.push({
            path: [...a.path, 'index'],
            target: 'value',
            message: `${aHook(h.section)} reads ${a.path.includes('data') ? '`data` entries' : 'arguments'} 0 to ${MAX_INDEX} only; the agent refuses index ${idx}.`,
          });
        }
      }
      if (h.section === 'tracepoints') continue; // the size field is checked against the format instead
      for (const a of withData) {
        const size = int(a.item['sizeArgIndex']);
        if (size !== undefined && size > MAX_SIZE_ARG_INDEX) {
          out.push({
            path: [...a.path, 'sizeArgIndex'],
            target: 'value',
            message: `\`sizeArgIndex\` is stored in 4 bits, so at most ${MAX_SIZE_ARG_INDEX}; the agent refuses ${size}.`,
          });
        }
      }
    }
    return out;
  },
};
