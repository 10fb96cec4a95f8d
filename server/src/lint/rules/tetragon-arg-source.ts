// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-source
 *
 * `args` and `data` share one schema in the CRD, but the agent reads them differently
 * (TP-ARG-6, TP-ARG-7): `args` come from the hooked function, so `source` makes no sense there;
 * `data` entries come from elsewhere, so they need a `source` (`current_task` or `pt_regs`) and a
 * `resolve` path. `resolve` paths are walked through BTF one step at a time, at most 10 steps,
 * each a field name optionally followed by `[N]`.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { str } from '../../core/data.js';
import { hooks, items } from '../../core/tetragon/policy.js';

const DATA_SOURCES = ['current_task', 'pt_regs'];
const MAX_RESOLVE_STEPS = 10;
const STEP = /^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*$/;

export const rule: Rule = {
  id: 'tetragon/arg-source',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `args` entry with `source`, a `data` entry without `source` (`current_task` or `pt_regs`) or `resolve`, or a malformed or too deep `resolve` path.',
  rationale:
    'The agent reads `args` from the hooked function and refuses a `source` there; `data` entries are read from the current task or the saved registers and are only meaningful with a `resolve` path into that structure. Paths are followed through BTF, at most 10 steps of `field` or `field[N]`. The CRD admits all of these, the agent does not.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: comm\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      data:\n        - index: 0\n          type: string\n          resolve: comm\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: comm\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      data:\n        - index: 0\n          type: string\n          source: current_task\n          resolve: comm\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      for (const a of items(h.hook, 'args', h.path)) {
        if (a.item['source'] !== undefined) {
          out.push({
            path: [...a.path, 'source'],
            target: 'key',
            message:
              '`args` are read from the hooked function itself; the agent rejects `source` here. Move the entry to `data` to read from the current task or the registers.',
          });
        }
        out.push(...resolveProblems(a.item['resolve'], [...a.path, 'resolve']));
      }
      for (const d of items(h.hook, 'data', h.path)) {
        const source = str(d.item['source']);
        if (d.item['source'] === undefined) {
          out.push({
            path: d.path,
            message:
              'A `data` entry needs `source: current_task` or `source: pt_regs`; the agent rejects it without one.',
          });
        } else if (source !== undefined && !DATA_SOURCES.includes(source)) {
          out.push({
            path: [...d.path, 'source'],
            target: 'value',
            message: `\`source\` must be \`current_task\` or \`pt_regs\`; the agent rejects \`${source}\`.`,
          });
        }
        const resolve = d.item['resolve'];
        if (resolve === undefined || resolve === '') {
          out.push({
            path: resolve === undefined ? d.path : [...d.path, 'resolve'],
            ...(resolve === undefined ? {} : { target: 'value' as const }),
            message:
              'A `data` entry needs a non-empty `resolve` path (e.g. `comm` or `mm.owner.comm`) saying what to read from its source.',
          });
        }
        out.push(...resolveProblems(resolve, [...d.path, 'resolve']));
      }
    }
    return out;
  },
};

function resolveProblems(v: unknown, path: readonly (string | number)[]): RuleFinding[] {
  if (typeof v !== 'string' || v === '') return [];
  const steps = v.split('.');
  const bad = steps.findIndex((s) => !STEP.test(s));
  if (bad >= 0) {
    const start = steps.slice(0, bad).reduce((n, s) => n + s.length + 1, 0);
    return [
      {
        path,
        inString: { start, end: start + Math.max(steps[bad]!.length, 1) },
        message: `\`resolve\` is a dot-separated path of field names, each optionally followed by \`[N]\`; the agent cannot parse step ${bad + 1} (\`${steps[bad]}\`).`,
      },
    ];
  }
  if (steps.length > MAX_RESOLVE_STEPS) {
    return [
      {
        path,
        target: 'value',
        message: `\`resolve\` follows at most ${MAX_RESOLVE_STEPS} steps; this path has ${steps.length} and the agent rejects it.`,
      },
    ];
  }
  return [];
}
