// SPDX-License-Identifier: Apache-2.0
/**
 * Shared knowledge for the Tetragon rules: how to walk the hooks and selectors of a
 * TracingPolicy, what the agent's argument types are and which operator families they support,
 * and small total parsers for the values selectors hold (numbers, ranges, ports, addresses).
 * Everything here is pure and stateless; the tables are frozen constants.
 */
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import { locate, type PolicyDocument, type PolicyFile } from '../document.js';
import { replaceValue } from '../yaml-edits.js';
import type { DataPath } from '../data.js';
import type { Fix } from '../findings.js';
import { list, obj, str, type Obj } from '../data.js';

/** The spec sections that declare hooks. A policy may use only one of them (TP-LOAD-4). */
export const HOOK_SECTIONS = ['kprobes', 'fentries', 'tracepoints', 'uprobes', 'lsmhooks', 'usdts'] as const;
export type HookSection = (typeof HOOK_SECTIONS)[number];

/** A word for one hook of a section, for messages. */
export const HOOK_NOUN: Readonly<Record<HookSection, string>> = {
  kprobes: 'kprobe',
  fentries: 'fentry',
  tracepoints: 'tracepoint',
  uprobes: 'uprobe',
  lsmhooks: 'LSM hook',
  usdts: 'USDT probe',
};

export interface HookRef {
  readonly section: HookSection;
  readonly hook: Obj;
  readonly path: DataPath;
}

export function spec(data: unknown): Obj | undefined {
  return obj(obj(data)?.['spec']);
}

/** Every hook object of every hook section, in section order. */
export function hooks(data: unknown): HookRef[] {
  const s = spec(data);
  if (!s) return [];
  const out: HookRef[] = [];
  for (const section of HOOK_SECTIONS) {
    list(s[section]).forEach((h, i) => {
      const hook = obj(h);
      if (hook) out.push({ section, hook, path: ['spec', section, i] });
    });
  }
  return out;
}

export interface SelectorRef {
  readonly selector: Obj;
  readonly path: DataPath;
  readonly index: number;
  readonly hook: HookRef;
}

/** The selectors of one hook. */
export function selectorsOf(hook: HookRef): SelectorRef[] {
  const out: SelectorRef[] = [];
  list(hook.hook['selectors']).forEach((s, i) => {
    const selector = obj(s);
    if (selector) out.push({ selector, path: [...hook.path, 'selectors', i], index: i, hook });
  });
  return out;
}

/** Every selector of every hook. */
export function allSelectors(data: unknown): SelectorRef[] {
  return hooks(data).flatMap(selectorsOf);
}

export interface ItemRef {
  readonly item: Obj;
  readonly path: DataPath;
}

/** The object items of a list field of an object. */
export function items(parent: Obj, field: string, parentPath: DataPath): ItemRef[] {
  const out: ItemRef[] = [];
  list(parent[field]).forEach((v, i) => {
    const item = obj(v);
    if (item) out.push({ item, path: [...parentPath, field, i] });
  });
  return out;
}

/** The action blocks of a selector. */
export const ACTION_FIELDS = ['matchActions', 'matchReturnActions'] as const;
/** The argument filter blocks of a selector. */
export const ARG_FILTER_FIELDS = ['matchArgs', 'matchData', 'matchReturnArgs'] as const;

/** True for a kprobe that the agent treats as a syscall (the CRD default is `syscall: true`). */
export function isSyscallKprobe(hook: Obj): boolean {
  // `syscall` defaults to true; any other value is a schema error, and then we assume nothing.
  return hook['syscall'] === true || hook['syscall'] === undefined;
}

/** A plain integer as YAML gave it (a number, or an integer-looking string is NOT accepted here). */
export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Argument types

/** Operator families (D6): which kind of value an argument type holds as far as selectors care. */
export type TypeGroup = 'str' | 'num32' | 'num64' | 'cap' | 'sock' | 'sockaddr' | 'sockaddr_un' | 'other' | 'unknown';

const GROUP_OF: Readonly<Record<string, TypeGroup>> = {
  string: 'str',
  char_buf: 'str',
  file: 'str',
  path: 'str',
  fd: 'str',
  dentry: 'str',
  linux_binprm: 'str',
  data_loc: 'str',
  net_device: 'str',
  sockaddr_un: 'sockaddr_un',
  int: 'num32',
  int32: 'num32',
  sint32: 'num32',
  int16: 'num32',
  sint16: 'num32',
  int8: 'num32',
  sint8: 'num32',
  size_t: 'num32',
  uint32: 'num32',
  uint16: 'num32',
  uint8: 'num32',
  bpf_cmd: 'num32',
  int64: 'num64',
  sint64: 'num64',
  long: 'num64',
  uint64: 'num64',
  ulong: 'num64',
  syscall64: 'num64',
  kernel_cap_t: 'cap',
  cap_inheritable: 'cap',
  cap_permitted: 'cap',
  cap_effective: 'cap',
  sock: 'sock',
  skb: 'sock',
  socket: 'sock',
  sockaddr: 'sockaddr',
};

/** The operator family of an argument type; `unknown` for `auto`, a missing type or a name we don't know. */
export function typeGroup(type: string | undefined): TypeGroup {
  if (type === undefined || type === 'auto') return 'unknown';
  return GROUP_OF[type] ?? (KNOWN_OTHER_TYPES.has(type) ? 'other' : 'unknown');
}

/** Types the agent knows that no comparison operator applies to (D3). */
const KNOWN_OTHER_TYPES: ReadonlySet<string> = new Set([
  'char_iovec',
  'const_buf',
  'filename',
  'kiocb',
  'iov_iter',
  'cred',
  'capability',
  'user_namespace',
  'bpf_attr',
  'bpf_map',
  'bpf_prog',
  'perf_event',
  'load_info',
  'module',
  'nop',
]);

/** Whether `type` is integer-like (for return values of syscalls, sizes, indexes). */
export function isIntegerType(type: string | undefined): boolean {
  const g = typeGroup(type);
  return g === 'num32' || g === 'num64';
}

/**
 * The type of the argument a matchArgs/matchData/matchReturnArgs entry looks at, or undefined
 * when it can't be told (no such argument, `auto`, the filter names positions through `args`).
 * For tracepoints upstream examples use `index` both as the field number and as the position in
 * `args`, so a type is returned only when both readings agree (or only one exists).
 */
export function filterArgType(
  hook: HookRef,
  field: (typeof ARG_FILTER_FIELDS)[number],
  filter: Obj,
): string | undefined {
  const h = hook.hook;
  if (field === 'matchReturnArgs') return str(obj(h['returnArg'])?.['type']);
  const idx = int(filter['index']);
  if (idx === undefined || filter['args'] !== undefined) return undefined;
  if (field === 'matchData') return str(obj(list(h['data'])[idx])?.['type']);
  const byIndex = declaredArg(h, idx);
  if (hook.section !== 'tracepoints') return byIndex ? str(byIndex['type']) : undefined;
  const types = [byIndex, obj(list(h['args'])[idx])]
    .filter((a): a is Obj => a !== undefined)
    .map((a) => str(a['type']));
  return types.length && types.every((t) => t === types[0]) ? types[0] : undefined;
}

/** The `args` entry whose `index` is `idx`. */
export function declaredArg(hook: Obj, idx: number): Obj | undefined {
  for (const a of list(hook['args'])) {
    const arg = obj(a);
    if (arg && int(arg['index']) === idx) return arg;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * Parses an integer the way the agent's Go parser does with base 0: decimal, `0x` hex, `0o` or
 * leading-zero octal, `0b` binary, optional sign, underscores only after a base prefix.
 * Numbers given as YAML numbers are accepted too. Returns undefined for anything else.
 */
export function parseInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7]*|[1-9][0-9]*)$/.exec(v.trim());
  if (!m) return undefined;
  let body = m[2]!;
  if (/_/.test(body)) {
    if (!/^0[xXbBoO]/.test(body) || /__|_$/.test(body)) return undefined;
    body = body.replace(/_/g, '');
  }
  let n: bigint;
  if (/^0[oO]/.test(body)) n = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  return m[1] === '-' ? -n : n;
}

/** `min:max` with integer bounds (as the agent splits ranges), or undefined. */
export function parseRange(v: unknown): [bigint, bigint] | undefined {
  if (typeof v !== 'string') return undefined;
  const parts = v.split(':');
  if (parts.length !== 2) return undefined;
  const lo = parseInteger(parts[0]);
  const hi = parseInteger(parts[1]);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** The value as text for messages and byte counting (numbers become their decimal text). */
export function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** UTF-8 length of a string, without Buffer (the core runs in browsers too). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const parts = halves.map(groups);
  let count = 0;
  for (const [hi, p] of parts.entries()) {
    if (!p) return false;
    for (const [i, g] of p.entries()) {
      const lastOfAll = hi === parts.length - 1 && i === p.length - 1;
      if (lastOfAll && g.includes('.')) {
        if (!isIPv4(g)) return false;
        count += 2;
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) count += 1;
      else return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** An IPv4/IPv6 address or CIDR; returns the address family or undefined when malformed. */
export function parseAddress(v: string): 4 | 6 | undefined {
  const [addr, prefix, ...rest] = v.trim().split('/');
  if (rest.length || addr === undefined) return undefined;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
  if (!family) return undefined;
  if (prefix !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return undefined;
  }
  return family;
}

/** A port number (0–65535). */
export function isPort(n: bigint): boolean {
  return n >= 0n && n <= 65535n;
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Capability names the agent looks up (TP-CAP-2). One quirk: the agent's table spells
 * DAC_OVERRIDE without the `CAP_` prefix, so `CAP_DAC_OVERRIDE` is not found.
 */
export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Namespace type names (TP-NS-1), in the CRD spelling. */
export const NAMESPACE_NAMES: readonly string[] = [
  'Uts',
  'Ipc',
  'Mnt',
  'Pid',
  'PidForChildren',
  'Net',
  'Time',
  'TimeForChildren',
  'Cgroup',
  'User',
];

/** File type names FileType/NotFileType take (D6), as the agent spells them (lower case). */
export const FILE_TYPE_NAMES: readonly string[] = [
  'sock',
  'socket',
  'lnk',
  'link',
  'reg',
  'regular',
  'blk',
  'block',
  'dir',
  'chr',
  'char',
  'fifo',
  'pipe',
];

// ---------------------------------------------------------------------------------------------
// Operators of matchArgs / matchData / matchReturnArgs (D6)

export interface OperatorInfo {
  /** The type groups the operator works on. */
  readonly groups: readonly TypeGroup[];
  /**
   * What the agent does with another type: `reject` (the policy fails to load) or `ignore` (it
   * loads but the filter never does what it says).
   */
  readonly otherwise: 'reject' | 'ignore';
  /** A phrase for messages: what the operator works on. */
  readonly meantFor: string;
}

const NUMS: readonly TypeGroup[] = ['num32', 'num64'];
const STRS: readonly TypeGroup[] = ['str', 'sockaddr_un'];

export const OPERATORS: Readonly<Record<string, OperatorInfo>> = {
  Equal: {
    groups: [...STRS, ...NUMS, 'cap'],
    otherwise: 'reject',
    meantFor: 'strings, paths, numbers and capability sets',
  },
  NotEqual: {
    groups: [...STRS, ...NUMS, 'cap'],
    otherwise: 'reject',
    meantFor: 'strings, paths, numbers and capability sets',
  },
  GreaterThan: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  LessThan: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  GT: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  LT: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  Mask: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  InRange: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  NotInRange: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  InMap: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  NotInMap: { groups: NUMS, otherwise: 'reject', meantFor: 'integers' },
  Prefix: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  NotPrefix: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  Postfix: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  NotPostfix: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  SubString: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  SubStringIgnCase: { groups: STRS, otherwise: 'ignore', meantFor: 'strings and paths' },
  SPort: { groups: ['sock', 'sockaddr'], otherwise: 'reject', meantFor: '`sock`, `skb`, `socket` and `sockaddr`' },
  NotSPort: { groups: ['sock', 'sockaddr'], otherwise: 'reject', meantFor: '`sock`, `skb`, `socket` and `sockaddr`' },
  SPortPriv: { groups: ['sock', 'sockaddr'], otherwise: 'reject', meantFor: '`sock`, `skb`, `socket` and `sockaddr`' },
  NotSportPriv: {
    groups: ['sock', 'sockaddr'],
    otherwise: 'reject',
    meantFor: '`sock`, `skb`, `socket` and `sockaddr`',
  },
  SAddr: { groups: ['sock', 'sockaddr'], otherwise: 'reject', meantFor: '`sock`, `skb`, `socket` and `sockaddr`' },
  NotSAddr: { groups: ['sock', 'sockaddr'], otherwise: 'reject', meantFor: '`sock`, `skb`, `socket` and `sockaddr`' },
  DPort: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  NotDPort: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  DPortPriv: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  NotDPortPriv: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  DAddr: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  NotDAddr: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  Protocol: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  State: { groups: ['sock'], otherwise: 'reject', meantFor: '`sock`, `skb` and `socket`' },
  Family: {
    groups: ['sock', 'sockaddr', 'sockaddr_un'],
    otherwise: 'reject',
    meantFor: '`sock`, `skb`, `socket`, `sockaddr` and `sockaddr_un`',
  },
  FileType: { groups: [], otherwise: 'reject', meantFor: '`file` and `path`' },
  NotFileType: { groups: [], otherwise: 'reject', meantFor: '`file` and `path`' },
};

/** FileType works on two specific types rather than a group. */
export function operatorApplies(op: string, type: string): boolean | undefined {
  const info = OPERATORS[op];
  if (!info) return undefined;
  if (op === 'FileType' || op === 'NotFileType') return type === 'file' || type === 'path';
  return info.groups.includes(typeGroup(type));
}

/** Operators whose values are numbers, limited to 4 per filter. */
export const FOUR_NUMBER_OPS: ReadonlySet<string> = new Set(['GreaterThan', 'LessThan', 'GT', 'LT', 'Mask']);
/** Port operators. */
export const PORT_OPS: ReadonlySet<string> = new Set(['SPort', 'NotSPort', 'DPort', 'NotDPort']);
/** Address operators. */
export const ADDR_OPS: ReadonlySet<string> = new Set(['SAddr', 'NotSAddr', 'DAddr', 'NotDAddr']);
/** Operators that take no values. */
export const NO_VALUE_OPS: ReadonlySet<string> = new Set([
  'SPortPriv',
  'NotSportPriv',
  'DPortPriv',
  'NotDPortPriv',
  'CapabilitiesGained',
]);

// ---------------------------------------------------------------------------------------------
// Fixes

/**
 * A fix that rewrites the scalar at `path` to `value`, keeping the quoting style the author used
 * (`"Equal"` becomes `"InMap"`, `Equal` becomes `InMap`). Undefined when the node is not a scalar.
 */
export function replaceScalarFix(
  file: PolicyFile,
  doc: PolicyDocument,
  path: DataPath,
  value: string,
  title: string,
  preferred = true,
): Fix | undefined {
  const node = locate(doc.yaml, path).node;
  if (!isScalar(node)) return undefined;
  const type = (node as Scalar).type;
  const text =
    type === 'QUOTE_DOUBLE'
      ? JSON.stringify(value)
      : type === 'QUOTE_SINGLE'
        ? `'${value.replace(/'/g, "''")}'`
        : value;
  const edit = replaceValue(file, doc, path, text);
  return edit ? { title, edits: [edit], ...(preferred ? { preferred } : {}) } : undefined;
}

/**
 * How the rules that read binaries name the file they read for a policy `path`: the path itself
 * on this machine, or the file below the binary root that stands for it.
 */
export function binaryWhere(file: string, policyPath: string): string {
  return file === policyPath ? `\`${policyPath}\` on this machine` : `\`${file}\` (for \`${policyPath}\`)`;
}
