// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/arg-type
 *
 * Argument types the CRD admits but the hook cannot read. `auto` (which is also what an entry
 * without `type` becomes: the CRD's default) means "take the type from the tracepoint format or
 * from BTF": kprobes and fentries refuse it (and `syscall64`) outright; LSM hooks and uprobes
 * only know a type from BTF when the entry has a `resolve` path; raw tracepoints have no format to
 * read it from; USDTs load but leave the argument unread. `bpf_cmd` is a kprobe display type
 * other hooks cannot read, and tracepoints refuse a user-written `const_buf`.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { obj, str, type Obj } from '../../core/data.js';
import { HOOK_NOUN, hooks, items, type HookRef } from '../../core/tetragon/policy.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

/** The type of an entry after the API server applied the CRD default. */
function typeOf(entry: Obj): string | undefined {
  return entry['type'] === undefined ? 'auto' : str(entry['type']);
}

function resolves(entry: Obj): boolean {
  return typeof entry['resolve'] === 'string' && entry['resolve'] !== '';
}

export const rule: Rule = {
  id: 'tetragon/arg-type',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'An argument type the hook cannot read: `auto` (or no `type`) on kprobes, fentries and raw tracepoints, and on LSM hooks and uprobes without `resolve`; `syscall64` on kprobes and fentries; `bpf_cmd` outside kprobes; `const_buf` on tracepoints.',
  rationale:
    "An `args`, `data` or `returnArg` entry without `type` gets `auto` from the CRD's default. `auto` only works where the agent can learn the type itself: from a tracepoint's format, or from BTF when the entry has a `resolve` path on an LSM hook or uprobe. Kprobes and fentries refuse `auto` and `syscall64` (meant for syscall ids read from tracepoints such as `raw_syscalls/sys_enter`); raw tracepoints, LSM hooks and uprobes refuse a type they cannot learn; USDTs load but leave such an argument out of their events.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      args:\n        - index: 0\n          type: auto\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      args:\n        - index: 0\n          type: file\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'validateKprobeType (preValidateKprobe, for kprobes and fentries), addKprobe (returnArg, data)',
      releases: 'Tetragon 1.4–1.8; fentries from 1.7',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'validateLsmArg (addLsm before 1.7)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericuprobe.go',
      func: 'getUprobeArgConfig, getUprobeReturnArg',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'genericTracepointArg.getGenericTypeId (buildArgsRaw for raw tracepoints)',
      releases: 'Tetragon 1.5–1.8',
    },
  ],
  check({ doc, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      for (const e of items(h.hook, 'args', h.path)) out.push(...checkEntry(h, 'args', e.item, e.path, release));
      for (const e of items(h.hook, 'data', h.path)) out.push(...checkEntry(h, 'data', e.item, e.path, release));
      const ret = obj(h.hook['returnArg']);
      if (
        ret &&
        h.hook['return'] === true &&
        (h.section === 'kprobes' || h.section === 'fentries' || h.section === 'uprobes')
      )
        out.push(...checkEntry(h, 'returnArg', ret, [...h.path, 'returnArg'], release));
    }
    return out;
  },
};

function checkEntry(
  h: HookRef,
  field: 'args' | 'data' | 'returnArg',
  entry: Obj,
  path: readonly (string | number)[],
  release: number,
): RuleFinding[] {
  const type = typeOf(entry);
  if (type === undefined) return [];
  const noun = HOOK_NOUN[h.section];
  const omitted = entry['type'] === undefined;
  const at = omitted ? { path } : { path: [...path, 'type'], target: 'value' as const };
  const a = h.section === 'lsmhooks' ? `an ${noun}` : `a ${noun}`;
  const auto = omitted ? "Without `type` the entry is `auto` (the CRD's default); " : 'This entry is `auto`; ';
  const finding = (message: string, warning = false): RuleFinding[] => [
    { ...at, message, ...(warning ? { severity: 'warning' as const } : {}) },
  ];
  const kprobeLike = h.section === 'kprobes' || (h.section === 'fentries' && release >= 7);
  const ptRegs = field === 'data' && entry['source'] === 'pt_regs';
  switch (h.section) {
    case 'kprobes':
    case 'fentries':
      if (!kprobeLike) return [];
      if (field === 'args' && type === 'auto')
        return finding(
          `${auto}and the agent does not infer argument types for a ${noun}: it refuses the policy. Name the type (e.g. \`int\`, \`string\`, \`file\`).`,
        );
      if (field === 'args' && type === 'syscall64')
        return finding(
          `${a[0]!.toUpperCase()}${a.slice(1)} refuses the \`syscall64\` type; it is meant for syscall ids read from a tracepoint (e.g. \`raw_syscalls/sys_enter\`). Use \`int64\` or \`uint64\` here.`,
        );
      if (field === 'returnArg' && type === 'auto')
        return finding(
          `${auto}which a ${noun} cannot read as a return value: the agent refuses the policy. Name the type (e.g. \`int\`).`,
        );
      if (ptRegs && (type === 'auto' || type === 'bpf_cmd'))
        return finding(
          `A register read through \`pt_regs\` has no type the agent could learn: ${omitted ? 'without `type` (`auto`)' : `\`${type}\``} it refuses the policy.`,
        );
      return [];
    case 'lsmhooks':
    case 'uprobes': {
      if (field === 'returnArg')
        return type === 'auto'
          ? finding(
              `${auto}a uprobe cannot read such a return value, and the agent refuses the policy. Name the type (e.g. \`int\`).`,
            )
          : [];
      if (ptRegs && (type === 'auto' || type === 'bpf_cmd'))
        return finding(
          `A register read through \`pt_regs\` has no type the agent could learn: ${omitted ? 'without `type` (`auto`)' : `\`${type}\``} it refuses the policy.`,
        );
      const learns = field === 'args' ? resolves(entry) : true;
      if ((type === 'auto' || type === 'bpf_cmd') && !learns)
        return finding(
          type === 'bpf_cmd'
            ? `\`bpf_cmd\` is a kprobe display type; ${a} cannot read it and the agent refuses the policy. Use \`int\`.`
            : `${auto}${a} learns such a type only from BTF through a \`resolve\` path, and without one the agent refuses the policy. Name the type.`,
        );
      return [];
    }
    case 'usdts':
      if ((type === 'auto' || type === 'bpf_cmd') && !resolves(entry))
        return finding(
          `${type === 'auto' ? auto : 'This entry is `bpf_cmd`; '}a USDT cannot read such an argument: the agent loads the policy but leaves it out of its events. Name the type (e.g. \`int32\`, \`uint64\`, \`string\`).`,
          true,
        );
      return [];
    case 'tracepoints':
      if (type === 'const_buf')
        return finding(
          '`const_buf` depends on the tracepoint format; the agent refuses it written by hand. Leave `type: auto`.',
        );
      if (h.hook['raw'] === true && type === 'auto' && release >= 5)
        return finding(
          `${auto}but a raw tracepoint has no format to learn it from: the agent refuses the policy. Name the type.`,
        );
      return [];
  }
}
