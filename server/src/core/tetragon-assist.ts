// SPDX-License-Identifier: Apache-2.0
/**
 * Editor help for Tetragon policies, independent of any editor protocol: what to complete at an
 * offset (syscalls, LSM hooks, tracepoints, argument types, the operators and actions that fit the
 * context, signals) and what to show on hover (signatures with argument indexes, operators). The
 * language server maps these plain results to LSP types.
 */
import type { PolicyDocument, PolicyFile } from './document.js';
import { pathAt } from './path-at.js';
import { obj, str, type Obj } from './data.js';
import {
  DEFAULT_KERNEL_ARCH,
  KERNEL_DATA_SOURCE,
  formatSignature,
  kernelFunction,
  lookupSyscall,
  lsmHook,
  lsmHookNames,
  preferredArgTypes,
  syscallByEntry,
  syscallNames,
  tracepointEvents,
  tracepointSubsystems,
  type KernelArch,
  type KernelSignature,
} from './kernel/index.js';
import { markdownCode, markdownText } from './display-text.js';
import { describeOperand, findProbes, type BinaryLookup, type ElfUsdtInfo, type UsdtProbe } from './elf.js';

export type AssistItemKind =
  | 'syscall'
  | 'lsm-hook'
  | 'tracepoint'
  | 'arg-type'
  | 'operator'
  | 'action'
  | 'signal'
  | 'usdt-probe'
  | 'usdt-operand'
  | 'function'
  // PolicyTest values from the inventory (semantics/policy-test-assist.ts).
  | 'workload'
  | 'service'
  | 'namespace'
  | 'node'
  | 'entity'
  | 'port'
  /** A value seen in recorded events (a binary, an argument), offered by the dry run. */
  | 'seen-value';

export interface AssistItem {
  readonly label: string;
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Text to insert when it differs from the label. */
  readonly insertText?: string;
  readonly kind: AssistItemKind;
}

export interface AssistCompletions {
  /** In the order they should be offered (the best fitting first). */
  readonly items: readonly AssistItem[];
  /** The text the chosen item replaces (the scalar being typed); absent means "insert at the offset". */
  readonly replaceSpan?: { readonly start: number; readonly end: number };
}

/** Data at a path, or undefined. */
function dataAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (obj(cur)) cur = (cur as Obj)[String(seg)];
    else return undefined;
  }
  return cur;
}

const HOOK_SECTIONS = ['kprobes', 'fentries', 'tracepoints', 'uprobes', 'lsmhooks', 'usdts'];

// ---------------------------------------------------------------------------------------------
// Tables

/** Argument types (D3), with a few words each. */
const ARG_TYPES: readonly [string, string][] = [
  ['int', '32-bit signed integer'],
  ['uint32', '32-bit unsigned integer'],
  ['int64', '64-bit signed integer'],
  ['uint64', '64-bit unsigned integer'],
  ['long', 'signed long (64-bit)'],
  ['ulong', 'unsigned long (64-bit)'],
  ['int8', '8-bit signed integer'],
  ['uint8', '8-bit unsigned integer'],
  ['int16', '16-bit signed integer'],
  ['uint16', '16-bit unsigned integer'],
  ['int32', '32-bit signed integer'],
  ['size_t', 'size'],
  ['fd', 'file descriptor, reported with its path'],
  ['string', 'NUL-terminated string'],
  ['char_buf', 'buffer; pair with sizeArgIndex or returnCopy'],
  ['char_iovec', 'iovec array; pair with sizeArgIndex'],
  ['const_buf', 'fixed-size buffer (sizeArgIndex gives the size)'],
  ['data_loc', 'tracepoint __data_loc string'],
  ['file', 'struct file *, reported as its path'],
  ['path', 'struct path *, reported as its path'],
  ['dentry', 'struct dentry *'],
  ['filename', 'struct filename *'],
  ['linux_binprm', 'struct linux_binprm *, reported as the executed path'],
  ['kiocb', 'struct kiocb *'],
  ['iov_iter', 'struct iov_iter *'],
  ['sock', 'struct sock *'],
  ['skb', 'struct sk_buff *'],
  ['socket', 'struct socket *'],
  ['sockaddr', 'struct sockaddr *'],
  ['sockaddr_un', 'struct sockaddr_un *'],
  ['net_device', 'struct net_device *'],
  ['cred', 'struct cred *'],
  ['user_namespace', 'struct user_namespace *'],
  ['capability', 'capability number'],
  ['kernel_cap_t', 'capability set'],
  ['cap_inheritable', 'inheritable capability set'],
  ['cap_permitted', 'permitted capability set'],
  ['cap_effective', 'effective capability set'],
  ['bpf_attr', 'union bpf_attr *'],
  ['bpf_map', 'struct bpf_map *'],
  ['bpf_prog', 'struct bpf_prog *'],
  ['perf_event', 'struct perf_event *'],
  ['load_info', 'struct load_info * (module loading)'],
  ['module', 'struct module *'],
  ['bpf_cmd', 'bpf() command, shown by name'],
  ['syscall64', 'syscall id (tracepoints; use with list: values)'],
  ['auto', 'type from the tracepoint format or BTF (not for kprobes and fentries)'],
  ['nop', 'placeholder: read nothing'],
];

type Group = 'str' | 'num' | 'cap' | 'sock' | 'sockaddr' | 'sockaddr_un' | 'file' | 'any';

/** Operator families of D6, by argument type. */
function groupOf(type: string | undefined): Group {
  if (type === undefined || type === 'auto') return 'any';
  if (type === 'file' || type === 'path') return 'file';
  if (['string', 'char_buf', 'fd', 'dentry', 'linux_binprm', 'data_loc', 'net_device'].includes(type)) return 'str';
  if (/^(u?int(8|16|32|64)?|sint(8|16|32|64)|long|ulong|size_t|syscall64|bpf_cmd)$/.test(type)) return 'num';
  if (['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective'].includes(type)) return 'cap';
  if (['sock', 'skb', 'socket'].includes(type)) return 'sock';
  if (type === 'sockaddr' || type === 'sockaddr_un') return type;
  return 'any';
}

interface OperatorDoc {
  readonly groups: readonly Group[];
  readonly text: string;
  readonly example: string;
}

const STRS: readonly Group[] = ['str', 'file', 'sockaddr_un'];
const NUMS: readonly Group[] = ['num'];
const SOCKS: readonly Group[] = ['sock'];

/** Operators (CRD spelling): where they apply, what they do, a one-line example. */
const OPERATORS: Readonly<Record<string, OperatorDoc>> = {
  Equal: {
    groups: [...STRS, 'num', 'cap'],
    text: 'The argument equals one of the values (strings exactly; numbers in any base; capability sets as masks or names).',
    example: 'values: ["/etc/shadow"]',
  },
  NotEqual: {
    groups: [...STRS, 'num', 'cap'],
    text: 'The argument equals none of the values.',
    example: 'values: ["0"]',
  },
  Prefix: {
    groups: STRS,
    text: 'The string starts with one of the values (each at most 256 bytes).',
    example: 'values: ["/etc/"]',
  },
  NotPrefix: { groups: STRS, text: 'The string starts with none of the values.', example: 'values: ["/tmp/"]' },
  Postfix: {
    groups: STRS,
    text: 'The string ends with one of the values (each at most 127 bytes).',
    example: 'values: [".so"]',
  },
  NotPostfix: { groups: STRS, text: 'The string ends with none of the values.', example: 'values: [".log"]' },
  SubString: {
    groups: STRS,
    text: 'The string contains one of the values (each under 100 characters).',
    example: 'values: ["passwd"]',
  },
  SubStringIgnCase: { groups: STRS, text: 'Like SubString, ignoring case.', example: 'values: ["Secret"]' },
  FileType: {
    groups: ['file'],
    text: 'The file is of one of the types (reg, dir, lnk, chr, blk, fifo, sock).',
    example: 'values: ["reg"]',
  },
  NotFileType: { groups: ['file'], text: 'The file is of none of the types.', example: 'values: ["dir"]' },
  GreaterThan: {
    groups: NUMS,
    text: 'The number is greater than the value (kernel ≥ 5.3).',
    example: 'values: ["1024"]',
  },
  LessThan: { groups: NUMS, text: 'The number is less than the value (kernel ≥ 5.3).', example: 'values: ["1024"]' },
  Mask: { groups: NUMS, text: 'The number has any bit of the mask set.', example: 'values: ["0x40"]  # O_CREAT' },
  InRange: { groups: NUMS, text: 'The number lies in one of the `min:max` ranges.', example: 'values: ["1000:1999"]' },
  NotInRange: { groups: NUMS, text: 'The number lies in none of the ranges.', example: 'values: ["0:999"]' },
  InMap: {
    groups: NUMS,
    text: 'The number is one of many values, ranges or `list:NAME` syscalls (no limit on the count).',
    example: 'values: ["list:dups"]',
  },
  NotInMap: { groups: NUMS, text: 'The number is none of the values.', example: 'values: ["0", "1:3"]' },
  CapabilitiesGained: {
    groups: ['cap'],
    text: 'The task gains capabilities: `args` lists the new and old capability sets.',
    example: 'args: [0, 1]',
  },
  SPort: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source port is one of the values or ranges.',
    example: 'values: ["22", "8000:8080"]',
  },
  NotSPort: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source port is none of the values.',
    example: 'values: ["22"]',
  },
  DPort: { groups: SOCKS, text: 'The destination port is one of the values or ranges.', example: 'values: ["443"]' },
  NotDPort: { groups: SOCKS, text: 'The destination port is none of the values.', example: 'values: ["53"]' },
  SAddr: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source address is in one of the addresses or CIDRs.',
    example: 'values: ["10.0.0.0/8"]',
  },
  NotSAddr: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source address is in none of them.',
    example: 'values: ["127.0.0.1"]',
  },
  DAddr: {
    groups: SOCKS,
    text: 'The destination address is in one of the addresses or CIDRs.',
    example: 'values: ["192.168.0.0/16"]',
  },
  NotDAddr: {
    groups: SOCKS,
    text: 'The destination address is in none of them.',
    example: 'values: ["127.0.0.1", "::1"]',
  },
  SPortPriv: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source port is privileged (below 1024); takes no values.',
    example: 'operator: SPortPriv',
  },
  NotSportPriv: {
    groups: [...SOCKS, 'sockaddr'],
    text: 'The source port is not privileged; takes no values.',
    example: 'operator: NotSportPriv',
  },
  DPortPriv: {
    groups: SOCKS,
    text: 'The destination port is privileged (below 1024); takes no values.',
    example: 'operator: DPortPriv',
  },
  NotDPortPriv: {
    groups: SOCKS,
    text: 'The destination port is not privileged; takes no values.',
    example: 'operator: NotDPortPriv',
  },
  Protocol: {
    groups: SOCKS,
    text: 'The socket protocol is one of the values (numbers or names).',
    example: 'values: ["IPPROTO_TCP"]',
  },
  Family: {
    groups: [...SOCKS, 'sockaddr', 'sockaddr_un'],
    text: 'The address family is one of the values (numbers or names).',
    example: 'values: ["AF_INET", "AF_INET6"]',
  },
  State: {
    groups: SOCKS,
    text: 'The TCP state is one of the values (numbers or names).',
    example: 'values: ["TCP_ESTABLISHED"]',
  },
  CelExpr: {
    groups: [...STRS, 'num', 'cap', 'sock', 'sockaddr'],
    text: 'A CEL expression over the arguments, compiled to BPF; exactly one value.',
    example: 'values: ["arg0 > 100"]',
  },
};

/** Actions (D8) and where they are not allowed. */
const ACTIONS: readonly [string, string][] = [
  ['Post', 'Send an event (optionally rate-limited, with stack traces).'],
  ['NoPost', 'Do not send an event for this match.'],
  ['Sigkill', 'Kill the task synchronously.'],
  ['Signal', 'Send the signal `argSig` to the task.'],
  ['Override', 'Make the function return `argError` without running it.'],
  ['GetUrl', 'Fetch the URL `argUrl` (to notify an external system).'],
  ['DnsLookup', 'Resolve `argFqdn` (to notify an external system).'],
  ['TrackSock', 'Track the socket at argument `argSock`.'],
  ['UntrackSock', 'Stop tracking the socket at argument `argSock`.'],
  ['NotifyEnforcer', 'Tell the enforcer to act (`argError`, `argSig`); needs `spec.enforcers`.'],
  ['CleanupEnforcerNotification', 'Clear a pending enforcer notification.'],
  ['Set', 'Write `argValue` to argument `argIndex`.'],
];

/** Whether an action may be used on a hook (D8 and the per-hook restrictions). */
function actionAllowed(action: string, section: string, hook: Obj, spec: Obj | undefined): boolean {
  const enforcement = ['Sigkill', 'Signal', 'NotifyEnforcer', 'Override', 'Set'];
  if (section === 'lsmhooks') return ['Post', 'NoPost', 'Sigkill', 'Signal', 'Override'].includes(action);
  if (section === 'fentries' && enforcement.includes(action)) return false;
  if ((section === 'uprobes' || section === 'usdts') && (action === 'GetUrl' || action === 'DnsLookup')) return false;
  if (action === 'Override' && section === 'kprobes') {
    const call = str(hook['call']) ?? '';
    return hook['syscall'] !== false || call.startsWith('security_');
  }
  if (action === 'Override' && section === 'tracepoints') return false;
  if (action === 'NotifyEnforcer')
    return Array.isArray(spec?.['enforcers']) && (spec!['enforcers'] as unknown[]).length > 0;
  return true;
}

/** Signal numbers as on x86_64 and arm64 (the same for 1–31). */
const SIGNALS: readonly [number, string, string][] = [
  [1, 'SIGHUP', 'hang-up'],
  [2, 'SIGINT', 'interrupt'],
  [3, 'SIGQUIT', 'quit with core dump'],
  [6, 'SIGABRT', 'abort'],
  [9, 'SIGKILL', 'kill (cannot be caught)'],
  [10, 'SIGUSR1', 'user-defined 1'],
  [12, 'SIGUSR2', 'user-defined 2'],
  [13, 'SIGPIPE', 'broken pipe'],
  [14, 'SIGALRM', 'alarm'],
  [15, 'SIGTERM', 'terminate'],
  [17, 'SIGCHLD', 'child status changed'],
  [18, 'SIGCONT', 'continue'],
  [19, 'SIGSTOP', 'stop (cannot be caught)'],
  [20, 'SIGTSTP', 'terminal stop'],
  [31, 'SIGSYS', 'bad syscall'],
];

// ---------------------------------------------------------------------------------------------
// Context

interface HookContext {
  readonly section: string;
  readonly hook: Obj;
  readonly hookPath: readonly (string | number)[];
  /** The rest of the path below the hook. */
  readonly rest: readonly (string | number)[];
}

function hookContext(data: unknown, path: readonly (string | number)[]): HookContext | undefined {
  if (
    path[0] !== 'spec' ||
    typeof path[1] !== 'string' ||
    !HOOK_SECTIONS.includes(path[1]) ||
    typeof path[2] !== 'number'
  )
    return undefined;
  const hook = obj(dataAt(data, path.slice(0, 3)));
  return hook ? { section: path[1], hook, hookPath: path.slice(0, 3), rest: path.slice(3) } : undefined;
}

function isTracingPolicy(doc: PolicyDocument): boolean {
  return doc.kind?.language === 'tetragon-tracing-policy';
}

/** The signature behind a hook, if known. */
function hookSignature(ctx: HookContext, arch: KernelArch): KernelSignature | undefined {
  if (ctx.section === 'lsmhooks') {
    const name = str(ctx.hook['hook']);
    return name ? lsmHook(name) : undefined;
  }
  if (ctx.section !== 'kprobes' && ctx.section !== 'fentries') return undefined;
  const call = str(ctx.hook['call']);
  if (!call || call.startsWith('list:')) return undefined;
  if (ctx.section === 'kprobes' && ctx.hook['syscall'] !== false) {
    const r = lookupSyscall(call, arch);
    return r.kind === 'found' ? r.info.signature : undefined;
  }
  return kernelFunction(call);
}

/** The declared type of the argument a matchArgs/matchData/matchReturnArgs entry looks at. */
function filterType(ctx: HookContext, field: string, filter: Obj | undefined): string | undefined {
  if (field === 'matchReturnArgs') return str(obj(ctx.hook['returnArg'])?.['type']);
  const index = filter?.['index'];
  if (typeof index !== 'number' || filter?.['args'] !== undefined) return undefined;
  if (field === 'matchData') return str(obj((ctx.hook['data'] as unknown[] | undefined)?.[index])?.['type']);
  const args = Array.isArray(ctx.hook['args']) ? (ctx.hook['args'] as unknown[]) : [];
  return str(args.map(obj).find((a) => a?.['index'] === index)?.['type']);
}

function signatureDoc(sig: KernelSignature, note?: string): string {
  const lines = ['```c', formatSignature(sig), '```'];
  if (sig.params.length)
    lines.push('', ...sig.params.map((p) => `- \`${p.index}\`: \`${p.type}\`${p.name ? ` ${p.name}` : ''}`));
  if (note) lines.push('', note);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Completion

/** Completion items for the position, or undefined when the position is not one we help with. */
export function tetragonCompletions(
  file: PolicyFile,
  doc: PolicyDocument,
  offset: number,
  arch: KernelArch = DEFAULT_KERNEL_ARCH,
  binaries?: BinaryLookup,
): AssistCompletions | undefined {
  if (!isTracingPolicy(doc)) return undefined;
  const at = pathAt(doc, file.text, offset);
  if (!at || at.position !== 'value') return undefined;
  const ctx = hookContext(doc.data, at.path);
  if (!ctx) return undefined;
  const replaceSpan = at.node ? at.span : undefined;
  const done = (items: AssistItem[]): AssistCompletions | undefined =>
    items.length ? { items, ...(replaceSpan ? { replaceSpan } : {}) } : undefined;
  const rest = ctx.rest;
  const last = rest[rest.length - 1];

  if (rest.length === 1 && last === 'call' && ctx.section === 'kprobes' && ctx.hook['syscall'] !== false) {
    return done(
      syscallNames(arch).map((name) => {
        const info = syscallByEntry(name, arch)!;
        return {
          label: `sys_${name}`,
          detail: `syscall ${info.nr} (${arch})`,
          kind: 'syscall' as const,
          ...(info.signature ? { documentation: signatureDoc(info.signature) } : {}),
        };
      }),
    );
  }
  if (ctx.section === 'usdts') {
    const items = usdtCompletions(ctx, binaries);
    if (items) return done(items);
  }
  if (ctx.section === 'uprobes' && rest.length === 2 && rest[0] === 'symbols') {
    const items = uprobeSymbolCompletions(ctx, binaries);
    if (items) return done(items);
  }
  if (rest.length === 1 && last === 'hook' && ctx.section === 'lsmhooks') {
    return done(
      lsmHookNames().map((name) => ({
        label: name,
        detail: 'LSM hook',
        documentation: signatureDoc(lsmHook(name)!),
        kind: 'lsm-hook' as const,
      })),
    );
  }
  if (rest.length === 1 && last === 'subsystem' && ctx.section === 'tracepoints') {
    return done(
      tracepointSubsystems().map((s) => ({
        label: s,
        detail: `${tracepointEvents(s)!.length} events`,
        kind: 'tracepoint' as const,
      })),
    );
  }
  if (rest.length === 1 && last === 'event' && ctx.section === 'tracepoints') {
    const subsystem = str(ctx.hook['subsystem']);
    const events = subsystem ? tracepointEvents(subsystem) : undefined;
    return events
      ? done(events.map((e) => ({ label: e, detail: `${subsystem}/${e}`, kind: 'tracepoint' as const })))
      : undefined;
  }
  if (
    last === 'type' &&
    ((rest.length === 3 && (rest[0] === 'args' || rest[0] === 'data')) ||
      (rest.length === 2 && rest[0] === 'returnArg'))
  ) {
    // For an argument of a known signature, the types that fit its C type come first.
    let first: readonly string[] = [];
    let cType: string | undefined;
    if (rest[0] === 'args') {
      const index = obj(dataAt(ctx.hook, rest.slice(0, 2)))?.['index'];
      const param = typeof index === 'number' ? hookSignature(ctx, arch)?.params[index] : undefined;
      if (param) {
        first = preferredArgTypes(param.type);
        cType = param.type;
      }
    }
    const ordered = [
      ...first.map((t) => ARG_TYPES.find(([n]) => n === t)!).filter(Boolean),
      ...ARG_TYPES.filter(([n]) => !first.includes(n)),
    ];
    return done(
      ordered.map(([label, detail]) => ({
        label,
        detail,
        kind: 'arg-type' as const,
        ...(cType && first.includes(label) ? { documentation: `Fits the parameter's C type \`${cType}\`.` } : {}),
      })),
    );
  }
  // spec.<section>[i].selectors[j].<field>[k].operator / .action / .argSig
  if (rest.length === 5 && rest[0] === 'selectors') {
    const field = String(rest[2]);
    const entry = obj(dataAt(ctx.hook, rest.slice(0, 4)));
    if (last === 'operator' && (field === 'matchArgs' || field === 'matchData' || field === 'matchReturnArgs')) {
      const group = groupOf(filterType(ctx, field, entry));
      return done(
        Object.entries(OPERATORS)
          .filter(([, d]) => group === 'any' || d.groups.includes(group))
          .map(([label, d]) => ({
            label,
            detail: 'operator',
            documentation: `${d.text}\n\n\`${d.example}\``,
            kind: 'operator' as const,
          })),
      );
    }
    if (last === 'action' && (field === 'matchActions' || field === 'matchReturnActions')) {
      const spec = obj(dataAt(doc.data, ['spec']));
      return done(
        ACTIONS.filter(([a]) => actionAllowed(a, ctx.section, ctx.hook, spec)).map(([label, text]) => ({
          label,
          detail: 'action',
          documentation: text,
          kind: 'action' as const,
        })),
      );
    }
    if (last === 'argSig' && (field === 'matchActions' || field === 'matchReturnActions')) {
      return done(
        SIGNALS.map(([n, name, text]) => ({
          label: String(n),
          detail: name,
          documentation: `${name}: ${text}`,
          kind: 'signal' as const,
        })),
      );
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Hover

/** Markdown for a hover at the position, or undefined. */
export function tetragonHover(
  file: PolicyFile,
  doc: PolicyDocument,
  offset: number,
  arch: KernelArch = DEFAULT_KERNEL_ARCH,
  binaries?: BinaryLookup,
): string | undefined {
  if (!isTracingPolicy(doc)) return undefined;
  const at = pathAt(doc, file.text, offset);
  if (!at || at.position !== 'value' || !at.node) return undefined;
  const ctx = hookContext(doc.data, at.path);
  if (!ctx) return undefined;
  const rest = ctx.rest;
  const last = rest[rest.length - 1];
  const source = `_Signatures from ${KERNEL_DATA_SOURCE}._`;

  if (rest.length === 1 && last === 'call' && (ctx.section === 'kprobes' || ctx.section === 'fentries')) {
    const call = str(ctx.hook['call']);
    if (!call || call.startsWith('list:')) return undefined;
    if (ctx.section === 'kprobes' && ctx.hook['syscall'] !== false) {
      const r = lookupSyscall(call, arch);
      if (r.kind !== 'found') return undefined;
      const head = `**syscall ${r.info.nr}** on ${arch}; the agent attaches to \`${arch === 'x86_64' ? '__x64_' : '__arm64_'}sys_${r.info.name}\`.`;
      return r.info.signature ? `${head}\n\n${signatureDoc(r.info.signature, source)}` : head;
    }
    const fn = kernelFunction(call);
    if (fn)
      return `**kernel function**\n\n${signatureDoc(fn, `${source} Kernel-internal signatures can differ on other releases.`)}`;
    return [
      `**kernel function ${markdownCode(call)}** (not among the functions whose prototypes we bundle).`,
      '',
      "The agent looks the symbol up in the node's kernel when it loads the policy; if it does not exist there, loading fails.",
      'Set `ignore: { callNotFound: true }` on this kprobe to have the agent skip a missing call instead, e.g. for a policy that spans kernel versions.',
    ].join('\n');
  }
  if (ctx.section === 'usdts') {
    const markdown = usdtHover(ctx, binaries);
    if (markdown) return markdown;
  }
  if (rest.length === 1 && last === 'hook' && ctx.section === 'lsmhooks') {
    const sig = lsmHook(str(ctx.hook['hook']) ?? '');
    return sig ? `**LSM hook**, attached as \`bpf_lsm_${sig.name}\`\n\n${signatureDoc(sig, source)}` : undefined;
  }
  if (rest.length === 3 && rest[0] === 'args' && last === 'index') {
    const index = dataAt(ctx.hook, rest);
    const sig = hookSignature(ctx, arch);
    const param = typeof index === 'number' ? sig?.params[index] : undefined;
    return param && sig
      ? `Argument ${param.index} of \`${sig.name}\`: \`${param.type}\`${param.name ? ` ${param.name}` : ''}`
      : undefined;
  }
  if (rest.length === 5 && rest[0] === 'selectors' && last === 'operator') {
    const op = str(dataAt(ctx.hook, rest));
    const d = op ? OPERATORS[op] : undefined;
    return d && op ? `**${op}**: ${d.text}\n\nExample: \`${d.example}\`` : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// USDT probes, from the binary a hook names (when it can be read on this machine)

/** The probes of the binary a USDT hook names, or undefined when it cannot be read here. */
function usdtBinary(
  ctx: HookContext,
  binaries: BinaryLookup | undefined,
): { file: string; info: ElfUsdtInfo } | undefined {
  const path = str(ctx.hook['path']);
  const found = path && binaries ? binaries.usdt(path) : undefined;
  return found && 'info' in found ? found : undefined;
}

function operandLines(p: UsdtProbe): string {
  if (p.operands.length === 0) return 'No operands.';
  return [
    '| index | operand | what it is |',
    '| --- | --- | --- |',
    ...p.operands.map((o, i) => `| ${i} | ${markdownCode(o.text, { tableCell: true })} | ${describeOperand(o)} |`),
  ].join('\n');
}

function usdtCompletions(ctx: HookContext, binaries: BinaryLookup | undefined): AssistItem[] | undefined {
  const rest = ctx.rest;
  const bin = usdtBinary(ctx, binaries);
  if (!bin) return undefined;
  if (rest.length === 1 && rest[0] === 'provider') {
    const providers = [...new Set(bin.info.probes.map((p) => p.provider))];
    return providers.map((provider) => ({
      label: provider,
      detail: `${bin.info.probes.filter((p) => p.provider === provider).length} probes in ${bin.file}`,
      kind: 'usdt-probe' as const,
    }));
  }
  if (rest.length === 1 && rest[0] === 'name') {
    const provider = str(ctx.hook['provider']);
    const seen = new Set<string>();
    return bin.info.probes
      .filter(
        (p) =>
          (provider === undefined || p.provider === provider) &&
          !seen.has(`${p.provider}:${p.name}`) &&
          seen.add(`${p.provider}:${p.name}`),
      )
      .map((p) => ({
        label: p.name,
        detail: `${p.provider}:${p.name}, ${p.operands.length} operand${p.operands.length === 1 ? '' : 's'}`,
        documentation: operandLines(p),
        kind: 'usdt-probe' as const,
      }));
  }
  if (rest.length === 3 && rest[0] === 'args' && rest[2] === 'index') {
    const probe = findProbes(bin.info, str(ctx.hook['provider']) ?? '', str(ctx.hook['name']) ?? '')[0];
    return probe?.operands.map((o, i) => ({
      label: String(i),
      detail: o.text,
      documentation: `Operand ${i} of ${markdownCode(`${probe.provider}:${probe.name}`)}: ${describeOperand(o)}.`,
      kind: 'usdt-operand' as const,
    }));
  }
  return undefined;
}

function usdtHover(ctx: HookContext, binaries: BinaryLookup | undefined): string | undefined {
  const rest = ctx.rest;
  const path = str(ctx.hook['path']);
  if (rest.length === 1 && rest[0] === 'path' && path) {
    const found = binaries?.usdt(path);
    if (!binaries)
      return 'USDT checks are off (`ciliumPolicy.tetragon.binaryRoot` is empty): the probe and its operands are not compared with the binary.';
    if (!found)
      return `Not found on this machine, so the probe and its operands are not checked. Point \`ciliumPolicy.tetragon.binaryRoot\` (CLI: \`--binary-root\`) at a folder that holds ${markdownCode(path)} (e.g. an unpacked image) to check them.`;
    if ('error' in found) return `${markdownCode(found.file)} is ${markdownText(found.error)}.`;
    const providers = new Set(found.info.probes.map((p) => p.provider));
    return `Read from ${markdownCode(found.file)} (${found.info.machine === 'other' ? `ELF machine ${found.info.machineCode}` : found.info.machine}): ${found.info.probes.length} USDT probe${found.info.probes.length === 1 ? '' : 's'} from ${providers.size} provider${providers.size === 1 ? '' : 's'}.`;
  }
  const bin = usdtBinary(ctx, binaries);
  if (!bin) return undefined;
  const probes = findProbes(bin.info, str(ctx.hook['provider']) ?? '', str(ctx.hook['name']) ?? '');
  const probe = probes[0];
  if (!probe) return undefined;
  if (rest.length === 1 && (rest[0] === 'name' || rest[0] === 'provider')) {
    const places = probes.length > 1 ? ` (compiled in ${probes.length} places; the first is shown)` : '';
    const sema = probe.semaphore
      ? '\n\nGuarded by a semaphore: the application evaluates the arguments only while a tracer is attached.'
      : '';
    return `**USDT probe ${markdownCode(`${probe.provider}:${probe.name}`)}** in ${markdownCode(bin.file)}${places}\n\n${operandLines(probe)}\n\n\`Set\` can write only through a 4-byte operand in memory.${sema}`;
  }
  if (rest.length === 3 && rest[0] === 'args' && rest[2] === 'index') {
    const index = dataAt(ctx.hook, rest);
    const o = typeof index === 'number' ? probe.operands[index] : undefined;
    return o
      ? `Operand ${index as number} of ${markdownCode(`${probe.provider}:${probe.name}`)}: ${markdownCode(o.text)}, ${describeOperand(o)}.`
      : undefined;
  }
  return undefined;
}

/** Sorted function names per symbol set, so a large binary is sorted once, not per request. */
const sortedNames = new WeakMap<ReadonlySet<string>, string[]>();

/** At most this many function names are offered; the editor filters them as the user types. */
const MAX_FUNCTION_ITEMS = 5000;

/** The functions a uprobe can attach to in the binary it names, when it can be read here. */
function uprobeSymbolCompletions(ctx: HookContext, binaries: BinaryLookup | undefined): AssistItem[] | undefined {
  const path = str(ctx.hook['path']);
  const found = path && binaries ? binaries.functions(path) : undefined;
  if (!found || 'error' in found) return undefined;
  let names = sortedNames.get(found.functions.defined);
  if (!names) sortedNames.set(found.functions.defined, (names = [...found.functions.defined].sort()));
  return names
    .slice(0, MAX_FUNCTION_ITEMS)
    .map((name) => ({ label: name, detail: `function in ${found.file}`, kind: 'function' as const }));
}
