// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/kernel-arg-index
 *
 * `args[].index` names a parameter of the probed function. When we know the function's signature
 * (every syscall, the LSM hooks, the common kernel functions of our bundled headers), an index past
 * its last parameter reads a register that holds nothing meaningful. The agent compares kprobe
 * indexes with BTF (or its syscall tables) but only logs the mismatch and loads the policy, and
 * does not compare LSM indexes at all: a warning, "reads garbage". Two cases are refused: an
 * argument with `resolve` on an LSM hook (the agent looks the parameter up in BTF to walk the
 * path), and an index past the fields of a syscall tracepoint. Indexes above 4 are refused on
 * every hook; tetragon/arg-limits reports those.
 */
import { formatSignature, syscallTracepointMaxIndex } from '../../core/kernel/index.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { archOf, signedHooks, targetNoun } from '../kernel-targets.js';
import { hooks, int, items } from '../../core/tetragon/policy.js';
import { str } from '../../core/data.js';

/** Indexes above this are refused whatever the function (tetragon/arg-limits). */
const MAX_INDEX = 4;

export const rule: Rule = {
  id: 'tetragon/kernel-arg-index',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `args[].index` beyond the fields of a syscall tracepoint (refused), or beyond the last parameter of the syscall, LSM hook or known kernel function being probed (read as garbage).',
  rationale:
    "Argument indexes count the probed function's parameters from 0. For kprobes and fentries the agent compares them with the kernel's type information, but only logs a mismatch and loads the policy; for LSM hooks it does not compare them at all. Either way the argument reads a register that holds nothing meaningful, so these are warnings, unless the argument has a `resolve` path on an LSM hook, which the agent walks from the parameter's BTF type and refuses when there is none. A syscall tracepoint has a fixed list of fields, and the agent refuses an index past them. Signatures come from the bundled kernel headers (see docs/kernel-data.md). Indexes above 4 are refused on every hook (tetragon/arg-limits).",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  tracepoints:\n    - subsystem: syscalls\n      event: sys_enter_lseek\n      args:\n        - index: 8\n          type: int\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  tracepoints:\n    - subsystem: syscalls\n      event: sys_enter_lseek\n      args:\n        - index: 7\n          type: int\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'validateTracepointArg (preValidateTracepoint, buildArgs)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generic.go',
      func: 'resolveBTFArg (btf.FindBTFFuncParamFromHook), from addLsm',
      releases: 'Tetragon 1.5–1.8',
    },
  ],
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const s of signedHooks(ctx.doc.data, archOf(ctx))) {
      const arity = s.signature.params.length;
      for (const a of items(s.hook.hook, 'args', s.hook.path)) {
        const index = int(a.item['index']);
        if (index === undefined || index < arity || index > MAX_INDEX) continue;
        const resolved = s.kind === 'lsm-hook' && typeof a.item['resolve'] === 'string' && a.item['resolve'] !== '';
        const takes = `${targetNoun(s, true)} takes ${arity === 0 ? 'no arguments' : arity === 1 ? '1 argument (index 0)' : `${arity} arguments (indexes 0–${arity - 1})`}`;
        out.push({
          path: [...a.path, 'index'],
          target: 'value',
          message: resolved
            ? `${takes}; the agent walks \`resolve\` from the type of argument ${index}, finds none, and refuses the policy. Signature: \`${formatSignature(s.signature)}\`.`
            : `${takes}; argument ${index} reads garbage (the agent ${s.kind === 'lsm-hook' ? 'does not check LSM indexes' : 'only logs the mismatch'} and loads the policy). Signature: \`${formatSignature(s.signature)}\`.`,
          ...(resolved ? {} : { severity: 'warning' as const }),
          data: { arity },
        });
      }
    }
    // Syscall tracepoints: the format's fields are known from the syscall's signature.
    for (const h of hooks(ctx.doc.data)) {
      if (h.section !== 'tracepoints' || str(h.hook['subsystem']) !== 'syscalls' || h.hook['raw'] === true) continue;
      const event = str(h.hook['event']);
      const max = event ? syscallTracepointMaxIndex(event, archOf(ctx)) : undefined;
      if (max === undefined) continue;
      for (const a of items(h.hook, 'args', h.path)) {
        const index = int(a.item['index']);
        if (index === undefined || index <= max) continue;
        out.push({
          path: [...a.path, 'index'],
          target: 'value',
          message: `The \`syscalls/${event}\` tracepoint has fields 0–${max} (four common fields and \`__syscall_nr\`, then ${event!.startsWith('sys_exit_') ? '`ret`' : 'the syscall arguments'}); there is no field ${index} and the agent refuses the policy.`,
          data: { max },
        });
      }
    }
    return out;
  },
};
