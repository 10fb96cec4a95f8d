// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-type
 *
 * Argument types the CRD admits but the agent refuses for the hook they are used on (D3):
 * `auto` means "take the type from BTF or the tracepoint format", which the kprobe and fentry
 * loaders don't do, so they reject it; `syscall64` only makes sense where the value is a syscall
 * id read from a tracepoint, and kprobes reject it.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { obj, str } from '../../core/data.js';
import { HOOK_NOUN, hooks, items } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/arg-type',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary: 'An argument type the agent rejects for this hook: `auto` on kprobes and fentries, `syscall64` on kprobes.',
  rationale:
    'Kprobes and fentries need every argument type spelled out; `auto` only works where the agent can read the type from a tracepoint format or BTF (tracepoints, LSM hooks). `syscall64` is for syscall ids read from tracepoints such as `raw_syscalls/sys_enter`. The CRD admits both everywhere, but the agent refuses to load the policy.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      args:\n        - index: 0\n          type: auto\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      args:\n        - index: 0\n          type: file\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      if (h.section !== 'kprobes' && h.section !== 'fentries') continue;
      const entries = [...items(h.hook, 'args', h.path), ...items(h.hook, 'data', h.path)];
      const ret = obj(h.hook['returnArg']);
      if (ret) entries.push({ item: ret, path: [...h.path, 'returnArg'] });
      for (const e of entries) {
        const type = str(e.item['type']);
        if (type === 'auto') {
          out.push({
            path: [...e.path, 'type'],
            target: 'value',
            message: `The agent does not infer argument types for a ${HOOK_NOUN[h.section]}: \`auto\` is rejected here. Name the type (e.g. \`int\`, \`string\`, \`file\`).`,
          });
        } else if (type === 'syscall64' && h.section === 'kprobes') {
          out.push({
            path: [...e.path, 'type'],
            target: 'value',
            message:
              'Kprobes reject the `syscall64` type; it is meant for syscall ids read from a tracepoint (e.g. `raw_syscalls/sys_enter`). Use `int64` or `uint64` here.',
          });
        }
      }
    }
    return out;
  },
};
