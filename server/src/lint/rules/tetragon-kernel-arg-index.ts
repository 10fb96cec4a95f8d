// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/kernel-arg-index
 *
 * `args[].index` names a parameter of the probed function. When we know the function's signature
 * (every syscall, the LSM hooks, the common kernel functions of our bundled headers), an index past
 * its last parameter reads a register that holds nothing meaningful; the agent checks this against
 * BTF and refuses the policy. Syscall and LSM-hook signatures are stable, so that is an error;
 * other kernel functions change between releases, so there it is a warning. Syscall tracepoints
 * (`syscalls/sys_enter_*`) have a format derived from the same signatures.
 */
import { formatSignature, syscallTracepointMaxIndex } from '../../core/kernel/index.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { archOf, signedHooks, targetNoun } from '../kernel-targets.js';
import { hooks, int, items } from '../../core/tetragon/policy.js';
import { str } from '../../core/data.js';

export const rule: Rule = {
  id: 'tetragon/kernel-arg-index',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An `args[].index` beyond the last parameter of the syscall, LSM hook or known kernel function being probed, or beyond the fields of a syscall tracepoint.',
  rationale:
    "Argument indexes count the probed function's parameters from 0. The agent compares them with the kernel's type information and refuses a policy that reads a parameter the function does not have. Signatures come from the bundled kernel headers (see docs/kernel-data.md); for kernel functions other than syscalls and LSM hooks they can differ between releases, so those findings are warnings.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  kprobes:\n    - call: sys_lseek\n      syscall: true\n      args:\n        - index: 3\n          type: int\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  kprobes:\n    - call: sys_lseek\n      syscall: true\n      args:\n        - index: 2\n          type: int\n',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const s of signedHooks(ctx.doc.data, archOf(ctx))) {
      const arity = s.signature.params.length;
      for (const a of items(s.hook.hook, 'args', s.hook.path)) {
        const index = int(a.item['index']);
        if (index === undefined || index < arity) continue;
        out.push({
          path: [...a.path, 'index'],
          target: 'value',
          message: `${targetNoun(s, true)} takes ${arity === 0 ? 'no arguments' : arity === 1 ? '1 argument (index 0)' : `${arity} arguments (indexes 0–${arity - 1})`}; there is no argument ${index}. Signature: \`${formatSignature(s.signature)}\`.`,
          ...(s.kind === 'function' ? { severity: 'warning' as const } : {}),
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
          message: `The \`syscalls/${event}\` tracepoint has fields 0–${max} (four common fields and \`__syscall_nr\`, then ${event!.startsWith('sys_exit_') ? '`ret`' : 'the syscall arguments'}); there is no field ${index}.`,
          data: { max },
        });
      }
    }
    return out;
  },
};
