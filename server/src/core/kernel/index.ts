// SPDX-License-Identifier: Apache-2.0
/**
 * Kernel facts for Tetragon policies: syscall tables per architecture, syscall and kernel-function
 * signatures, LSM hooks and tracepoint names. The JSON beside this file is generated from Debian's
 * kernel header packages by `scripts/gen-kernel-data.mjs` (see docs/kernel-data.md) and bundled, so
 * lookups are pure and offline. The data describes one kernel release; a node may run another, so
 * callers treat "unknown" as a strong hint rather than proof, except for syscalls, whose names and
 * signatures are part of the stable user-space ABI.
 */
import x86Data from './syscalls-x86_64.json';
import arm64Data from './syscalls-arm64.json';
import lsmData from './lsm-hooks.json';
import tracepointData from './tracepoints.json';
import functionData from './kernel-functions.json';
import { closest, editDistance } from '../text-distance.js';

export type KernelArch = 'x86_64' | 'arm64';
export const KERNEL_ARCHES: readonly KernelArch[] = ['x86_64', 'arm64'];
export const DEFAULT_KERNEL_ARCH: KernelArch = 'x86_64';

/** Where the bundled data comes from (kernel release and packages), for hovers and docs. */
export const KERNEL_DATA_SOURCE: string = lsmData.source;

/** One parameter of a kernel function, as declared in C. */
export interface KernelParam {
  readonly index: number;
  /** The C type without the parameter name: `const char __user *`. */
  readonly type: string;
  /** The parameter name, when the declaration gives one. */
  readonly name: string | undefined;
}

/** A function-like thing a hook attaches to: a syscall, a kernel function or an LSM hook. */
export interface KernelSignature {
  /** How a policy spells it: `sys_lseek`, `vfs_llseek`, `file_open`. */
  readonly name: string;
  readonly returns: string | undefined;
  readonly params: readonly KernelParam[];
}

interface SyscallTable {
  readonly arch: string;
  readonly source: string;
  /** Entry-function name (without `sys_`) → [number, parameters when known]. */
  readonly syscalls: Readonly<Record<string, readonly [number, string[]?] | readonly unknown[]>>;
  /** Table name → entry-function name where they differ (`fstat` → `newfstat`). */
  readonly aliases: Readonly<Record<string, string>>;
}

const TABLES: Readonly<Record<KernelArch, SyscallTable>> = {
  x86_64: x86Data as SyscallTable,
  arm64: arm64Data as SyscallTable,
};
const LSM_HOOKS = lsmData.hooks as Readonly<Record<string, readonly string[]>>;
const FUNCTIONS = functionData.functions as Readonly<Record<string, readonly string[]>>;
const SUBSYSTEMS = tracepointData.subsystems as Readonly<Record<string, readonly string[]>>;
/** Subsystems the kernel headers declare whose events we do not list. */
const OTHER_SUBSYSTEMS: readonly string[] = tracepointData.otherSubsystems;

const C_KEYWORDS = new Set([
  'int',
  'long',
  'short',
  'char',
  'unsigned',
  'signed',
  'void',
  'const',
  'struct',
  'union',
  'enum',
  'bool',
]);

/** Splits `char __user *buf` into type and name; `unsigned long` and `struct stat *` have no name. */
export function splitParam(text: string, index: number): KernelParam {
  const m = /^(.*?)([A-Za-z_]\w*)$/.exec(text);
  if (m) {
    const type = m[1]!.trim();
    const name = m[2]!;
    const typeWords = type.replace(/\*/g, ' ').trim().split(/\s+/).filter(Boolean);
    // The last word is a name only if something type-like precedes it and it is not itself a type keyword
    // (`struct stat` names a type, `struct stat *st` does not end in a type).
    const unnamed =
      !type ||
      C_KEYWORDS.has(name) ||
      (!type.includes('*') && /^(struct|union|enum)$/.test(typeWords[typeWords.length - 1] ?? '')) ||
      typeWords.every((w) => w === 'const' || w === 'unsigned' || w === 'signed');
    if (!unnamed) return { index, type: type.endsWith('*') ? type : type.trim(), name };
  }
  return { index, type: text.trim(), name: undefined };
}

function signature(name: string, returns: string | undefined, params: readonly string[]): KernelSignature {
  return { name, returns, params: params.map((p, i) => splitParam(p, i)) };
}

/**
 * Signatures already read, per entry of the bundled tables: rules look up the same few functions in
 * every policy of a file, and reading a prototype's parameters runs several regular expressions.
 */
const signatures = new WeakMap<object, KernelSignature>();

/** The signature of a table entry, read once. */
function signatureOf(entry: object, read: () => KernelSignature): KernelSignature {
  let sig = signatures.get(entry);
  if (!sig) signatures.set(entry, (sig = read()));
  return sig;
}

// ---------------------------------------------------------------------------------------------
// Syscalls

/**
 * Prefixes a kprobe call may carry in front of a syscall's entry-function name. The arch ones
 * (`__x64_`, `__arm64_`) tie the call to one architecture; the others name the same syscall through
 * another layer of the kernel's syscall wrappers.
 */
const ARCH_PREFIX: Readonly<Record<KernelArch, string>> = { x86_64: '__x64_sys_', arm64: '__arm64_sys_' };
const NEUTRAL_PREFIXES = [
  '__ia32_compat_sys_',
  '__x32_compat_sys_',
  '__ia32_sys_',
  '__se_sys_',
  '__do_sys_',
  '__sys_',
  'compat_sys_',
  'sys_',
] as const;

/** A call name taken apart: which prefix, which syscall, and which architecture the prefix insists on. */
export interface SyscallName {
  readonly prefix: string;
  readonly base: string;
  /** Set when the prefix is an architecture's (`__x64_sys_` → x86_64). */
  readonly arch: KernelArch | undefined;
}

/** Takes a call apart; a name without a known prefix has prefix `''`. */
export function parseSyscallName(call: string): SyscallName {
  for (const arch of KERNEL_ARCHES) {
    const p = ARCH_PREFIX[arch];
    if (call.startsWith(p)) return { prefix: p, base: call.slice(p.length), arch };
  }
  for (const p of NEUTRAL_PREFIXES)
    if (call.startsWith(p)) return { prefix: p, base: call.slice(p.length), arch: undefined };
  return { prefix: '', base: call, arch: undefined };
}

export interface SyscallInfo {
  /** The entry-function name without `sys_` (what kprobes attach to): `newfstat`. */
  readonly name: string;
  readonly nr: number;
  readonly signature: KernelSignature | undefined;
}

/** The syscall whose entry function is `base` (no prefix) on `arch`. */
export function syscallByEntry(base: string, arch: KernelArch): SyscallInfo | undefined {
  const raw = Object.prototype.hasOwnProperty.call(TABLES[arch].syscalls, base)
    ? TABLES[arch].syscalls[base]
    : undefined;
  if (!raw) return undefined;
  const params = raw[1] as string[] | undefined;
  return {
    name: base,
    nr: raw[0] as number,
    signature: params ? signatureOf(raw, () => signature(`sys_${base}`, 'long', params)) : undefined,
  };
}

/** Every syscall entry-function name (without `sys_`) of an architecture, sorted. */
export function syscallNames(arch: KernelArch): readonly string[] {
  return Object.keys(TABLES[arch].syscalls);
}

/** What a syscall-mode kprobe `call` resolves to. */
export type SyscallLookup =
  | { readonly kind: 'found'; readonly info: SyscallInfo }
  /** The arch prefix is another architecture's (`__x64_sys_read` on arm64): the agent refuses it. */
  | { readonly kind: 'wrong-arch'; readonly prefixArch: KernelArch; readonly info: SyscallInfo | undefined }
  /** The syscall exists but enters the kernel under another name (`sys_fstat` → `sys_newfstat`). */
  | { readonly kind: 'renamed'; readonly entry: string }
  /** A syscall name written without `sys_` (`open`): the agent would look for `__x64_open`. */
  | { readonly kind: 'missing-prefix'; readonly entry: string }
  /** Exists on the other architecture only (`sys_open` on arm64). */
  | { readonly kind: 'other-arch'; readonly otherArch: KernelArch }
  | { readonly kind: 'unknown' };

/** Resolves a `call` of a `syscall: true` kprobe (or a value of a `syscalls` list) on `arch`. */
export function lookupSyscall(call: string, arch: KernelArch): SyscallLookup {
  const parsed = parseSyscallName(call);
  if (parsed.arch && parsed.arch !== arch)
    return { kind: 'wrong-arch', prefixArch: parsed.arch, info: syscallByEntry(parsed.base, parsed.arch) };
  if (parsed.prefix) {
    const info = syscallByEntry(parsed.base, arch);
    if (info) return { kind: 'found', info };
    const alias = TABLES[arch].aliases[parsed.base];
    if (alias) return { kind: 'renamed', entry: alias };
  } else {
    const entry = syscallByEntry(parsed.base, arch) ? parsed.base : TABLES[arch].aliases[parsed.base];
    if (entry) return { kind: 'missing-prefix', entry };
  }
  const other: KernelArch = arch === 'x86_64' ? 'arm64' : 'x86_64';
  if (parsed.prefix && (syscallByEntry(parsed.base, other) || TABLES[other].aliases[parsed.base]))
    return { kind: 'other-arch', otherArch: other };
  return { kind: 'unknown' };
}

/** The signature of the syscall a call names, when the call resolves on `arch`. */
export function syscallSignature(call: string, arch: KernelArch): KernelSignature | undefined {
  const r = lookupSyscall(call, arch);
  return r.kind === 'found' ? r.info.signature : undefined;
}

/**
 * Up to `max` syscall spellings close to `call`, written with the call's own prefix (`sys_` when it
 * had none), best first: `sys_opn` → `sys_open`, `sys_openat`. Distances are measured on the whole
 * spelled name so short names still get neighbours that differ by a suffix.
 */
export function suggestSyscalls(call: string, arch: KernelArch, max = 3): string[] {
  const key = `${arch}|${max}|${call}`;
  let found = suggestionsMade.get(key);
  if (!found) {
    // Bounded: a file full of distinct misspellings must not grow the process.
    if (suggestionsMade.size >= 512) suggestionsMade.clear();
    suggestionsMade.set(key, (found = computeSuggestions(call, arch, max)));
  }
  return [...found];
}

/** {@link suggestSyscalls} already worked out (ranking every syscall name costs about a millisecond). */
const suggestionsMade = new Map<string, readonly string[]>();

function computeSuggestions(call: string, arch: KernelArch, max: number): string[] {
  const parsed = parseSyscallName(call);
  const prefix = parsed.prefix && (!parsed.arch || parsed.arch === arch) ? parsed.prefix : 'sys_';
  const names = [...syscallNames(arch), ...Object.keys(TABLES[arch].aliases)];
  const spelled = `${prefix}${parsed.base}`;
  return rankedNeighbours(
    spelled,
    names.map((n) => `${prefix}${n}`),
    max,
  )
    .map((n) => {
      const base = n.slice(prefix.length);
      return `${prefix}${TABLES[arch].aliases[base] ?? base}`;
    })
    .filter((v, i, a) => a.indexOf(v) === i);
}

/**
 * The candidates within typo distance of `word`, `closest`'s pick first. Beyond it we keep only
 * names as close as the best one, or that contain the typed letters in order (`opn` → `openat`):
 * a plain edit-distance ranking would offer unrelated short names (`bpf`) before them.
 */
export function rankedNeighbours(word: string, candidates: readonly string[], max: number): string[] {
  const best = closest(word, candidates);
  if (best === undefined) return [];
  const lower = word.toLowerCase();
  const bestDistance = editDistance(lower, best.toLowerCase());
  const scored: [string, number][] = [];
  for (const c of candidates) {
    if (c === best) continue;
    const limit = Math.max(1, Math.floor(Math.max(word.length, c.length) / 3));
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d <= limit && (d <= bestDistance || isSubsequence(lower, c.toLowerCase()))) scored.push([c, d]);
  }
  // Typos rarely hit the first letters: a longer shared start ranks first, then the distance.
  const shared = (c: string): number => {
    let i = 0;
    while (i < c.length && c[i]!.toLowerCase() === lower[i]) i++;
    return i;
  };
  scored.sort((a, b) => shared(b[0]) - shared(a[0]) || a[1] - b[1] || a[0].localeCompare(b[0]));
  return [best, ...scored.map(([c]) => c)].slice(0, max);
}

function isSubsequence(needle: string, hay: string): boolean {
  let i = 0;
  for (const ch of hay) if (ch === needle[i]) i++;
  return i === needle.length;
}

/** The entry-function name of a syscall table name on any architecture (`fstat` → `newfstat`). */
export function syscallEntryAlias(name: string): string | undefined {
  for (const arch of KERNEL_ARCHES) {
    const alias = TABLES[arch].aliases[name];
    if (alias) return alias;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Kernel functions and LSM hooks

/** The prototype of a kernel function from the headers we bundle (common kprobe targets only). */
export function kernelFunction(name: string): KernelSignature | undefined {
  const raw = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  return raw ? signatureOf(raw, () => signature(name, raw[0], raw.slice(1))) : undefined;
}

/** An LSM hook (`file_open`), with its arguments. */
export function lsmHook(name: string): KernelSignature | undefined {
  const raw = Object.prototype.hasOwnProperty.call(LSM_HOOKS, name) ? LSM_HOOKS[name] : undefined;
  return raw ? signatureOf(raw, () => signature(name, raw[0], raw.slice(1))) : undefined;
}

export function lsmHookNames(): readonly string[] {
  return Object.keys(LSM_HOOKS);
}

// ---------------------------------------------------------------------------------------------
// Tracepoints

/** The subsystems whose events we list completely. */
export function tracepointSubsystems(): readonly string[] {
  return Object.keys(SUBSYSTEMS);
}

/** Every subsystem the bundled kernel headers declare (covered or not); drivers may add more. */
export function knownTracepointSubsystems(): readonly string[] {
  return [...Object.keys(SUBSYSTEMS), ...OTHER_SUBSYSTEMS];
}

/**
 * The highest `args[].index` a `syscalls` tracepoint has: its format lists four common fields and
 * `__syscall_nr` (indexes 0–4), then the syscall's parameters (enter) or `ret` (exit). Undefined
 * when the event or the syscall's signature is unknown.
 */
export function syscallTracepointMaxIndex(event: string, arch: KernelArch): number | undefined {
  const m = /^sys_(enter|exit)_(\w+)$/.exec(event);
  if (!m) return undefined;
  if (!(SUBSYSTEMS['syscalls'] ?? []).includes(event)) return undefined;
  if (m[1] === 'exit') return 5;
  const sig = syscallSignature(`sys_${m[2]}`, arch);
  return sig ? 4 + sig.params.length : undefined;
}

/** The events of a covered subsystem, or undefined when we don't cover it. */
export function tracepointEvents(subsystem: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(SUBSYSTEMS, subsystem) ? SUBSYSTEMS[subsystem] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** `0: unsigned int fd` for hovers and messages. */
export function formatParam(p: KernelParam): string {
  const sep = p.type.endsWith('*') ? '' : ' ';
  return `${p.index}: ${p.name ? `${p.type}${sep}${p.name}` : p.type}`;
}

/** `long sys_lseek(0: unsigned int fd, 1: off_t offset, 2: unsigned int whence)`. */
export function formatSignature(sig: KernelSignature): string {
  const params = sig.params.length ? sig.params.map(formatParam).join(', ') : 'void';
  return `${sig.returns ? `${sig.returns} ` : ''}${sig.name}(${params})`;
}

// ---------------------------------------------------------------------------------------------
// C types and Tetragon argument types

const INT_ARG_TYPES = [
  'int',
  'int8',
  'sint8',
  'uint8',
  'int16',
  'sint16',
  'uint16',
  'int32',
  'sint32',
  'uint32',
  'int64',
  'sint64',
  'uint64',
  'long',
  'ulong',
  'size_t',
  'fd',
  'bpf_cmd',
  'capability',
  'syscall64',
];
/** Integer types wide enough to hold a pointer: reading the address itself is legitimate. */
const ADDRESS_ARG_TYPES = ['int64', 'sint64', 'uint64', 'long', 'ulong'];
const ANY = ['nop', 'auto'];

/** Pointer targets Tetragon has a dedicated reader for. */
const STRUCT_ARG_TYPES: Readonly<Record<string, readonly string[]>> = {
  'struct file': ['file'],
  'struct path': ['path'],
  'struct dentry': ['dentry'],
  'struct linux_binprm': ['linux_binprm'],
  'struct sock': ['sock'],
  'struct sk_buff': ['skb'],
  'struct socket': ['socket'],
  'struct sockaddr': ['sockaddr', 'sockaddr_un'],
  'struct sockaddr_un': ['sockaddr_un'],
  'struct net_device': ['net_device'],
  'struct cred': ['cred'],
  'struct user_namespace': ['user_namespace'],
  'union bpf_attr': ['bpf_attr'],
  'struct bpf_map': ['bpf_map'],
  'struct bpf_prog': ['bpf_prog'],
  'struct perf_event': ['perf_event'],
  'struct load_info': ['load_info'],
  'struct module': ['module'],
  'struct kiocb': ['kiocb'],
  'struct iov_iter': ['iov_iter'],
  'struct filename': ['filename'],
  'struct iovec': ['char_iovec'],
  kernel_cap_t: ['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective'],
};

/** Typedefs ending in `_t` that are structures, not integers. */
const STRUCT_TYPEDEFS = new Set([
  'kernel_cap_t',
  'sigset_t',
  'siginfo_t',
  'stack_t',
  'cpumask_t',
  'nodemask_t',
  'fd_set',
  'cap_user_header_t',
  'cap_user_data_t',
  'kuid_t',
  'kgid_t',
  'kprojid_t',
  'atomic_t',
  'atomic64_t',
  'refcount_t',
  'spinlock_t',
  'wait_queue_head_t',
  'bpfptr_t',
  'sockptr_t',
]);

const INTEGER_WORDS =
  /^(?:(?:unsigned|signed)\s+)?(?:int|long|long int|long long|short|char|unsigned|signed|bool|_Bool)$|^(?:unsigned|signed)$|^(?:__)?[us](?:8|16|32|64)$|^__(?:be|le)(?:16|32|64)$/;

/**
 * Which Tetragon argument types can describe a parameter of C type `cType`, or undefined when we
 * cannot judge (unknown structures, `void *` in the kernel, pointers to pointers). `auto` and `nop`
 * are always acceptable: they take the type from the kernel or read nothing.
 */
export function argTypesForCType(cType: string): readonly string[] | undefined {
  // The rules ask about the same few prototypes' parameters in every policy; the answer takes
  // several regular expressions. A bounded table of the answers (C types are short and few).
  if (argTypesAnswered.has(cType)) return argTypesAnswered.get(cType);
  const answer = computeArgTypes(cType);
  if (argTypesAnswered.size >= 1024) argTypesAnswered.clear();
  argTypesAnswered.set(cType, answer);
  return answer;
}

/** {@link argTypesForCType}'s answers so far. */
const argTypesAnswered = new Map<string, readonly string[] | undefined>();

function computeArgTypes(cType: string): readonly string[] | undefined {
  const user = /\b__user\b/.test(cType);
  const stars = (cType.match(/\*/g) ?? []).length;
  const base = cType
    .replace(/\*/g, ' ')
    .replace(/\b(const|volatile|restrict|__user|__rcu|__force|__percpu|__iomem|__kernel)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (stars === 0) {
    if (
      INTEGER_WORDS.test(base) ||
      /^enum \w+$/.test(base) ||
      (/^\w+_t$/.test(base) && !STRUCT_TYPEDEFS.has(base)) ||
      /^(umode|mode|loff|off|pid|uid|gid|dev|size|ssize|qid|key_serial|rwf|gfp|fmode|ino)_t$/.test(base)
    ) {
      return [...INT_ARG_TYPES, ...ANY];
    }
    return undefined;
  }
  if (stars > 1) return undefined;
  if (/^(?:unsigned |signed )?char$|^u8$|^__u8$/.test(base)) {
    return ['string', 'char_buf', 'const_buf', 'data_loc', 'filename', ...ADDRESS_ARG_TYPES, ...ANY];
  }
  if (base === 'void') {
    // A user buffer could be anything a buffer type reads; a kernel `void *` could point at any object.
    return user
      ? ['string', 'char_buf', 'const_buf', 'char_iovec', 'sockaddr', 'sockaddr_un', ...ADDRESS_ARG_TYPES, ...ANY]
      : undefined;
  }
  const known = STRUCT_ARG_TYPES[base];
  return known ? [...known, ...ADDRESS_ARG_TYPES, ...ANY] : undefined;
}

/** What kind of value a C type holds, for messages ("an integer"), or undefined for other types. */
export function describeCType(cType: string): string | undefined {
  const types = argTypesForCType(cType);
  if (!types) return undefined;
  if (types.includes('int')) return 'an integer';
  if (types.includes('string')) return /__user/.test(cType) ? 'a user-space pointer' : 'a kernel character pointer';
  return undefined;
}

/** The argument types we would suggest first for a C type (the dedicated reader, not the fallbacks). */
export function preferredArgTypes(cType: string): readonly string[] {
  const types = argTypesForCType(cType);
  if (!types) return [];
  if (types.includes('int')) {
    const words = cType.replace(/\bconst\b/g, '').trim();
    if (/\bfd\b/.test(cType)) return ['int', 'fd'];
    if (/^(unsigned long|size_t|u64|__u64|loff_t|off_t)$/.test(words)) return ['uint64', 'int64', 'size_t', 'int'];
    return ['int', 'uint32', 'int64'];
  }
  return types.filter((t) => !ADDRESS_ARG_TYPES.includes(t) && !ANY.includes(t)).slice(0, 3);
}
