// SPDX-License-Identifier: Apache-2.0
/**
 * What the kernel-aware Tetragon rules share: the architecture to check against, and for each
 * kprobe, fentry and LSM hook the kernel signature its `args` index into (when we know it).
 */
import {
  DEFAULT_KERNEL_ARCH,
  kernelFunction,
  lsmHook,
  syscallSignature,
  type KernelArch,
  type KernelSignature,
} from '../core/kernel/index.js';
import type { RuleContext } from './rule.js';
import { str } from '../core/data.js';
import { hooks, isSyscallKprobe, type HookRef } from '../core/tetragon/policy.js';

export function archOf(ctx: Pick<RuleContext, 'kernelArch'>): KernelArch {
  return ctx.kernelArch ?? DEFAULT_KERNEL_ARCH;
}

/** Where a signature comes from; syscalls and LSM hooks are stable ABI, kernel functions are not. */
export type TargetKind = 'syscall' | 'function' | 'lsm-hook';

export interface SignedHook {
  readonly hook: HookRef;
  readonly kind: TargetKind;
  readonly signature: KernelSignature;
}

/** The hooks whose target we can name and whose signature we know. `list:` calls are skipped. */
export function signedHooks(data: unknown, arch: KernelArch): SignedHook[] {
  const out: SignedHook[] = [];
  for (const h of hooks(data)) {
    if (h.section === 'kprobes' || h.section === 'fentries') {
      const call = str(h.hook['call']);
      if (!call || call.startsWith('list:')) continue;
      const syscall = h.section === 'kprobes' && isSyscallKprobe(h.hook);
      const signature = syscall ? syscallSignature(call, arch) : kernelFunction(call);
      if (signature) out.push({ hook: h, kind: syscall ? 'syscall' : 'function', signature });
    } else if (h.section === 'lsmhooks') {
      const name = str(h.hook['hook']);
      const signature = name ? lsmHook(name) : undefined;
      if (signature) out.push({ hook: h, kind: 'lsm-hook', signature });
    }
  }
  return out;
}

/** "the syscall `sys_lseek`", "the kernel function `vfs_llseek`", "the LSM hook `file_open`". */
export function targetNoun(s: SignedHook, capital = false): string {
  const noun =
    s.kind === 'syscall'
      ? `the syscall \`${s.signature.name}\``
      : s.kind === 'function'
        ? `the kernel function \`${s.signature.name}\``
        : `the LSM hook \`${s.signature.name}\``;
  return capital ? noun[0]!.toUpperCase() + noun.slice(1) : noun;
}
