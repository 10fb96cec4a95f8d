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

/** Syscall list values may name an ABI: `x64/sys_dup`, `i386/sys_dup`, `arm64/sys_dup`, `arm32/sys_dup`. */
const ABI_ARCH: Readonly<Record<string, KernelArch | undefined>> = {
  x64: 'x86_64',
  arm64: 'arm64',
  i386: undefined,
  arm32: undefined,
};
const PREFIX_ABIS: Readonly<Record<string, readonly string[]>> = {
  __x64_: ['x64', 'i386'],
  __ia32_: ['i386'],
  __arm64_: ['arm64', 'arm32'],
};

/**
 * How the agent reads a `syscalls` list value (`parseSyscallValue`): an optional `ABI/` before the
 * name, which must agree with an architecture prefix on the name. `arch` is the architecture
 * whose kernel has that ABI's entry points, undefined for the 32-bit ABIs we have no table for
 * (and for a plain name, which takes the nodes' own ABI); `checkable` says whether the name can
 * be looked up in our tables.
 */
function listValueAbi(
  value: string,
): { abi: string; name: string; arch: KernelArch | undefined; checkable: boolean } | { problem: string } {
  const parts = value.split('/');
  if (parts.length === 1) return { abi: '', name: value, arch: undefined, checkable: !value.startsWith('__ia32_') };
  if (parts.length > 2)
    return { problem: `\`${value}\` is not a syscall list value (at most one \`ABI/\` part); the agent refuses it.` };
  const [abi, name] = parts as [string, string];
  if (!Object.prototype.hasOwnProperty.call(ABI_ARCH, abi))
    return {
      problem: `\`${abi}\` is not an ABI the agent knows (\`x64\`, \`i386\`, \`arm64\`, \`arm32\`); it refuses \`${value}\`.`,
    };
  const prefix = Object.keys(PREFIX_ABIS).find((p) => name.startsWith(p));
  if (prefix && !PREFIX_ABIS[prefix]!.includes(abi))
    return {
      problem: `\`${value}\`: the prefix \`${prefix}\` does not belong to the ${abi} ABI; the agent refuses it.`,
    };
  const target = ABI_ARCH[abi];
  return { abi, name, arch: target, checkable: target !== undefined };
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
      releases: 'Tetragon 1.4–1.8; ignore.callNotFound skips the call from 1.5',
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
        if (!name) return;
        const path = ['spec', 'lists', i, 'values', j];
        const abi = listValueAbi(name);
        if ('problem' in abi) push({ path, target: 'value', message: abi.problem });
        else if (abi.arch && abi.arch !== arch)
          push({
            path,
            target: 'value',
            message: `\`${name}\` names the ${abi.abi} ABI's entry point, which ${arch} nodes do not have (${SETTING}); the agent refuses the policy there.`,
          });
        else if (abi.checkable) {
          const f = check(file, doc, abi.name, { path }, arch);
          // The fixes rewrite the whole value; with an ABI part they would drop it.
          push(f && abi.abi ? { path: f.path, target: 'value', message: f.message } : f);
        }
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
