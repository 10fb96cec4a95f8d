// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/unknown-syscall
 *
 * A `syscall: true` kprobe (the default) attaches to the syscall's entry function with the
 * architecture prefix added (`sys_open` → `__x64_sys_open`). A name that is not a syscall of the
 * target architecture makes the agent fail to load the whole policy. Syscall names are stable ABI,
 * so unlike plain kernel functions we can say this for sure. The same holds for the values of a
 * `syscalls` list and for `enforcers[].calls`.
 */
import type { Fix } from '../../core/findings.js';
import {
  kernelFunction,
  lookupSyscall,
  parseSyscallName,
  suggestSyscalls,
  syscallByEntry,
  type KernelArch,
} from '../../core/kernel/index.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { replaceValue } from '../../core/yaml-edits.js';
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type DataPath } from '../../core/data.js';
import { list, obj, str } from '../../core/data.js';
import { changeToFixes } from '../edit-helpers.js';
import { archOf } from '../kernel-targets.js';
import { hooks, ignoresMissingCall, isSyscallKprobe, spec } from '../../core/tetragon/policy.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

const SETTING = '`ciliumPolicy.tetragon.kernelArch`';

function orList(names: readonly string[]): string {
  const q = names.map((n) => `\`${n}\``);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

interface Site {
  readonly path: DataPath;
  /** The hook, for a kprobe `call` (enables the "set syscall: false" advice). */
  readonly hook?: Readonly<Record<string, unknown>>;
  readonly hookPath?: DataPath;
}

function check(
  file: PolicyFile,
  doc: PolicyDocument,
  call: string,
  site: Site,
  arch: KernelArch,
): RuleFinding | undefined {
  const r = lookupSyscall(call, arch);
  switch (r.kind) {
    case 'found':
      return undefined;
    case 'wrong-arch': {
      const base = parseSyscallName(call).base;
      const fixed = syscallByEntry(base, arch) ? [`sys_${base}`] : [];
      return {
        path: site.path,
        target: 'value',
        message: `\`${call}\` carries the ${r.prefixArch} prefix, but policies are checked for ${arch} (${SETTING}); the agent refuses another architecture's prefix. Write \`sys_${base}\` and let the agent add the prefix.`,
        fixes: changeToFixes(doc, site.path, fixed),
      };
    }
    case 'renamed': {
      const fixed = `${parseSyscallName(call).prefix}${r.entry}`;
      return {
        path: site.path,
        target: 'value',
        message: `On ${arch} this syscall enters the kernel as \`${fixed}\`; there is no \`${call}\` to attach to.`,
        fixes: changeToFixes(doc, site.path, [fixed]),
      };
    }
    case 'missing-prefix':
      return {
        path: site.path,
        target: 'value',
        message: `Syscalls are written with the \`sys_\` prefix (\`sys_${r.entry}\`): the agent only adds the architecture prefix, so \`${call}\` would not be found.`,
        fixes: changeToFixes(doc, site.path, [`sys_${r.entry}`]),
      };
    case 'other-arch':
    case 'unknown': {
      const suggestions = suggestSyscalls(call, arch);
      const parts = [
        r.kind === 'other-arch'
          ? `\`${call}\` exists on ${r.otherArch} but not on ${arch}, the architecture policies are checked for (${SETTING}).`
          : `\`${call}\` is not a syscall on ${arch}.`,
      ];
      if (suggestions.length)
        parts.push(
          r.kind === 'other-arch' ? `Use ${orList(suggestions)} instead.` : `Did you mean ${orList(suggestions)}?`,
        );
      const fixes = changeToFixes(doc, site.path, suggestions);
      if (site.hook && site.hookPath) {
        const fn = kernelFunction(call);
        if (fn || !suggestions.length) {
          parts.push(
            fn
              ? 'It is a kernel function: set `syscall: false` to probe it.'
              : 'If it is a kernel function, set `syscall: false`.',
          );
          const edit =
            site.hook['syscall'] === true ? replaceValue(file, doc, [...site.hookPath, 'syscall'], 'false') : undefined;
          if (edit) fixes.unshift({ title: 'Set `syscall: false`', edits: [edit], preferred: true });
        }
      }
      return {
        path: site.path,
        target: 'value',
        message: parts.join(' '),
        data: { suggestions },
        fixes: dedupePreferred(fixes),
      };
    }
  }
}

/** Only the first fix may be preferred. */
function dedupePreferred(fixes: Fix[]): Fix[] {
  return fixes.map((f, i) => (i === 0 ? f : { title: f.title, edits: f.edits }));
}

export const rule: Rule = {
  id: 'tetragon/unknown-syscall',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `syscall: true` kprobe, a `syscalls` list or an enforcer names a syscall the target architecture does not have.',
  rationale:
    'For syscall kprobes the agent adds the architecture prefix (`__x64_` or `__arm64_`) to `call` and attaches to that symbol; when it does not exist the whole policy fails to load. Syscall names are stable across kernel releases but differ between architectures (arm64 has no `open`, `stat` or `dup2`), so set `ciliumPolicy.tetragon.kernelArch` to the nodes you run on. To probe an ordinary kernel function, set `syscall: false`.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: sys_opn\n      syscall: true\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: sys_open\n      syscall: true\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'preValidateKprobe (btf.ValidateKprobeSpec: no such function, ValidationFailedError)',
      releases: 'Tetragon 1.4–1.8 (ignore.callNotFound skips the call from 1.5)',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/enforcer.go',
      func: 'enforcerPolicy.createEnforcerSensor',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/syscall_list.go',
      func: 'SyscallVal.Symbol, SyscallVal.ID',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check(ctx) {
    const { doc, file, versions } = ctx;
    const release = tetragonRelease(versions.tetragon);
    const arch = archOf(ctx);
    const out: RuleFinding[] = [];
    const push = (f: RuleFinding | undefined): void => {
      if (f) out.push(f);
    };
    for (const h of hooks(doc.data)) {
      if (h.section !== 'kprobes' || !isSyscallKprobe(h.hook)) continue;
      const call = str(h.hook['call']);
      // `list:NAME` calls are checked at the list's values below.
      if (!call || call.startsWith('list:')) continue;
      const f = check(file, doc, call, { path: [...h.path, 'call'], hook: h.hook, hookPath: h.path }, arch);
      // With ignore.callNotFound the agent skips a call it cannot find and loads the rest.
      push(
        f && ignoresMissingCall(h.hook, release)
          ? {
              ...f,
              severity: 'warning',
              message: `${f.message} With \`ignore.callNotFound\` the agent skips this kprobe without a word.`,
            }
          : f,
      );
    }
    const s = spec(doc.data);
    list(s?.['lists']).forEach((l, i) => {
      const lst = obj(l);
      if (!lst || str(lst['type']) !== 'syscalls') return;
      list(lst['values']).forEach((v, j) => {
        const name = str(v);
        if (name) push(check(file, doc, name, { path: ['spec', 'lists', i, 'values', j] }, arch));
      });
    });
    list(s?.['enforcers']).forEach((e, i) => {
      list(obj(e)?.['calls']).forEach((v, j) => {
        const name = str(v);
        if (!name || name.startsWith('list:') || name.startsWith('security_')) return;
        const path = ['spec', 'enforcers', i, 'calls', j];
        if (!name.startsWith('sys_') && !/^__(x64|arm64|ia32)_/.test(name)) {
          push({
            path,
            target: 'value',
            message: `Enforcers guard syscalls (\`sys_…\`) and \`security_*\` functions; the agent refuses \`${name}\`, which is neither.`,
          });
          return;
        }
        push(check(file, doc, name, { path }, arch));
      });
    });
    return out;
  },
};
