// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/kernel-arg-type
 *
 * An argument type tells the agent how to read a parameter: `string` follows a character pointer,
 * `file` walks a `struct file *` to its path, `int` takes the register as a number. When the C type
 * of the parameter is known, a type that cannot describe it produces garbage or an empty value, and
 * the agent only warns about the mismatch when it loads the policy. We warn in the editor instead.
 */
import { argTypesForCType, describeCType, preferredArgTypes } from '../../core/kernel/index.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { replaceString } from '../edit-helpers.js';
import { str } from '../../core/data.js';
import { archOf, signedHooks, targetNoun } from '../kernel-targets.js';
import { int, items } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/kernel-arg-type',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'warning',
  summary:
    "An argument `type` that cannot describe the C type of the probed function's parameter (a `string` for an `int`, an `int` for a `char __user *`).",
  rationale:
    'The agent reads each argument the way its `type` says. A `string` on an integer parameter dereferences a number, an `int` on a string pointer reports an address, a `file` on anything but a `struct file *` walks memory that is not a file. The agent only logs a warning when the kernel type information disagrees, so events silently carry wrong values. Arguments with `resolve` are not checked: their type describes the resolved field.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  kprobes:\n    - call: sys_lseek\n      syscall: true\n      args:\n        - index: 0\n          type: string\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lseek\nspec:\n  kprobes:\n    - call: sys_lseek\n      syscall: true\n      args:\n        - index: 0\n          type: int\n',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const s of signedHooks(ctx.doc.data, archOf(ctx))) {
      for (const a of items(s.hook.hook, 'args', s.hook.path)) {
        const index = int(a.item['index']);
        const type = str(a.item['type']);
        if (index === undefined || type === undefined || a.item['resolve'] !== undefined) continue;
        const param = s.signature.params[index];
        if (!param) continue;
        const allowed = argTypesForCType(param.type);
        if (!allowed || allowed.includes(type)) continue;
        const better = preferredArgTypes(param.type);
        const fixes = better.slice(0, 2).flatMap((t, i) => {
          const edit = replaceString(ctx.doc, [...a.path, 'type'], 'value', t);
          return edit
            ? [{ title: `Change the type to \`${t}\``, edits: [edit], ...(i === 0 ? { preferred: true } : {}) }]
            : [];
        });
        out.push({
          path: [...a.path, 'type'],
          target: 'value',
          message: `Argument ${index} of ${targetNoun(s)} is ${describeCType(param.type) ?? 'a'} \`${param.type}\`${param.name ? ` (\`${param.name}\`)` : ''}; type \`${type}\` cannot read it.${better.length ? ` Use ${better.map((t) => `\`${t}\``).join(' or ')}.` : ''}`,
          data: { cType: param.type, allowed },
          fixes,
        });
      }
    }
    return out;
  },
};
