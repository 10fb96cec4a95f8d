// SPDX-License-Identifier: Apache-2.0
/**
 * One argument filter's comparison, operator by operator and type by type, as the agent's BPF
 * program compares (`bpf/process/types/basic.h`: `filter_64ty`, `filter_32ty`, `filter_16ty`,
 * `filter_8ty` and their `_selector_val`, `_map` and `_range` parts, `filter_char_buf`,
 * `filter_file_buf`, `filter_file_type`, `filter_inet`, `filter_addr_map`,
 * `filter_sockaddr_un`) on values the agent wrote into its maps (`pkg/selectors/kernel.go`),
 * parsed by the shared value parser (`core/tetragon/values.ts#parseFilter`). The agent's quirks
 * are kept, since they decide what an enforcing policy hits:
 *
 * - integers are compared at the width of the argument's type: a 32-bit value is compared with
 *   the low 32 bits (`size_t` too), 8- and 16-bit arguments with the value's 32 bits (so `-1` never
 *   equals an `int8`), `InMap` keys are the argument's bits zero-extended to 64 (so a negative
 *   32-bit argument is never in a map of negative numbers);
 * - `GT`, `LT` and `InRange` are signed only for `int`, `int32` and `int64`;
 * - `Prefix` looks at the first 255 bytes of the argument, `Postfix` at the last 127, and an
 *   empty argument never matches either (nor its `Not` form on a path);
 * - `SubString` stops at the first NUL of the argument, and `SubStringIgnCase` lower-cases bytes
 *   as the kernel does (ASCII and the Latin-1 capitals);
 * - `SAddr`/`DAddr` look the address up among the values of the socket's family only, and
 *   match neither way on a socket that is neither IPv4 nor IPv6; `State` never matches a packet.
 *
 * The dry run assumes a node where the policy loads with every feature it uses (large BPF
 * programs, `bpf_strnstr` for SubString): `cilium-policy lint` reports the nodes where it does not.
 */
import type { Obj } from '../core/data.js';
import { list, str } from '../core/data.js';
import type { EventArg, HookEvent } from '../core/tetragon/events.js';
import {
  parseFilter,
  isStringType,
  type AgentType,
  type ParsedFilter,
  type ParsedValue,
} from '../core/tetragon/values.js';
import type { ParsedCidr } from '../core/tetragon/addresses.js';
import { lookupSyscall, syscallByEntry, type KernelArch } from '../core/kernel/index.js';
import { no, TRUE, unknown, when, type Check } from './check.js';
import {
  addressBytes,
  CAP_ARGS,
  PATH_ARGS,
  recordedInt,
  recordedPath,
  recordedSocket,
  recordedText,
  showArg,
  type RecordedSocket,
} from './arg-values.js';

/** A prepared comparison: `refused` when the agent refuses the filter (the policy does not load). */
export interface Comparison {
  readonly refused?: string;
  run(arg: EventArg, event?: HookEvent): Check;
}

export interface CompareContext {
  readonly release: number;
  readonly tracepoint: boolean;
  /** How reasons name the filter. */
  readonly label: string;
  /** The hook's declaration of the argument (`maxData`, …). */
  readonly declared: Obj | undefined;
  /** The policy's `spec.lists`. */
  readonly lists: readonly Obj[];
}

// ---------------------------------------------------------------------------------------------
// Types

/** How many bits of an integer argument the agent's filter reads. */
const INT_WIDTH: Readonly<Record<string, 8 | 16 | 32 | 64>> = {
  int: 32,
  int32: 32,
  uint32: 32,
  size_t: 32,
  int16: 16,
  uint16: 16,
  int8: 8,
  uint8: 8,
  int64: 64,
  uint64: 64,
  syscall64: 64,
  kernel_cap_t: 64,
  cap_inheritable: 64,
  cap_permitted: 64,
  cap_effective: 64,
};

/** The types `is_signed_type` names: comparisons and ranges are signed only for these. */
const SIGNED: ReadonlySet<string> = new Set(['int', 'int32', 'int64']);

const CAP_TYPES: ReadonlySet<string> = new Set(['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective']);
const PATH_TYPES: ReadonlySet<string> = new Set(['fd', 'file', 'path', 'dentry', 'linux_binprm', 'kiocb']);
const BYTE_TYPES: ReadonlySet<string> = new Set(['char_buf', 'char_iovec', 'iov_iter', 'const_buf']);
const SOCKET_TYPES: ReadonlySet<string> = new Set(['sock', 'socket', 'skb', 'sockaddr']);

/** The event argument types a candidate type can be read from. */
function accepts(type: AgentType, argType: string): boolean {
  if (CAP_TYPES.has(type)) return CAP_ARGS.has(argType);
  if (INT_WIDTH[type] !== undefined)
    return (
      argType === 'int' || argType === 'uint' || argType === 'long' || argType === 'size' || argType === 'syscall_id'
    );
  if (PATH_TYPES.has(type)) return PATH_ARGS.has(argType);
  if (BYTE_TYPES.has(type)) return argType === 'bytes' || argType === 'truncated_bytes';
  switch (type) {
    case 'string':
    case 'data_loc':
    case 'filename':
      return argType === 'string';
    case 'net_device':
      return argType === 'net_dev' || argType === 'string';
    case 'sock':
    case 'socket':
      return argType === 'sock';
    case 'skb':
      return argType === 'skb';
    case 'sockaddr':
      return argType === 'sockaddr';
    case 'sockaddr_un':
      return argType === 'sockaddrun';
    default:
      return false;
  }
}

/**
 * The candidate types an event argument can stand for when the policy leaves the type to the hook
 * (`auto`, or no `type`): the answer stands only when all of them give it.
 */
export function inferredTypes(argType: string): readonly AgentType[] {
  switch (argType) {
    case 'int':
      return ['int', 'int16', 'int8'];
    case 'uint':
      return ['uint32', 'uint16', 'uint8'];
    case 'long':
      return ['int64'];
    case 'size':
      return ['uint64', 'size_t'];
    case 'syscall_id':
      return ['syscall64'];
    case 'string':
      return ['string'];
    case 'bytes':
    case 'truncated_bytes':
      return ['char_buf'];
    case 'file':
      return ['file'];
    case 'path':
      return ['path'];
    case 'linux_binprm':
      return ['linux_binprm'];
    case 'sock':
      return ['sock'];
    case 'skb':
      return ['skb'];
    case 'sockaddr':
      return ['sockaddr'];
    case 'sockaddrun':
      return ['sockaddr_un'];
    case 'net_dev':
      return ['net_device'];
    default:
      return CAP_ARGS.has(argType) ? ['kernel_cap_t'] : [];
  }
}

// ---------------------------------------------------------------------------------------------
// Preparing

function refusedComparison(label: string, why: string): Comparison {
  const text = `${label}: ${why}`;
  return { refused: text, run: () => unknown(`${text}; the agent refuses the policy`) };
}

function fixed(check: Check): Comparison {
  return { run: () => check };
}

/** The types the agent's first filter stage reads (`is_filter_arg_1`). */
function isIntegerStage(type: AgentType): boolean {
  return INT_WIDTH[type] !== undefined;
}

/**
 * What the BPF program does with a filter whose operator its code for the type does not handle
 * (the agent loads such a filter without its values): the integer and socket filters answer
 * "no", a type the program has no filter for answers "yes" (`filter_arg_2`'s default).
 */
function unhandled(label: string, op: string, type: AgentType): Comparison {
  if (isIntegerStage(type) || SOCKET_TYPES.has(type) || type === 'sockaddr_un')
    return fixed(
      no(`${label}: the agent's program does not compare \`${op}\` on a \`${type}\` argument, so it never matches`),
    );
  if (isStringType(type, 99) || BYTE_TYPES.has(type))
    return fixed(
      unknown(
        `${label}: the agent loads \`${op}\` on a \`${type}\` argument without its values; what its program then compares is not defined`,
      ),
    );
  return fixed(TRUE);
}

/** Prepares the comparison of one filter for an argument of `type` (never `auto`). */
export function prepareComparison(
  op: string,
  type: AgentType,
  values: readonly string[],
  ctx: CompareContext,
): Comparison {
  const label = ctx.label;
  const parsed = parseFilter(op, type, values, {
    release: ctx.release,
    tracepoint: ctx.tracepoint,
    where: 'the argument',
  });
  if (!parsed.kind) return refusedComparison(label, `the agent does not know the operator \`${op}\``);
  if (parsed.kind === 'cel' || parsed.kind === 'capabilities-gained') return fixed(TRUE);
  if (parsed.typeProblem) {
    if (parsed.typeProblem.effect === 'rejects') return refusedComparison(label, parsed.typeProblem.message);
    return unhandled(label, op, type);
  }
  if (parsed.countProblem && (parsed.countProblem.effect === 'rejects' || parsed.countProblem.effect === 'crashes'))
    return refusedComparison(label, parsed.countProblem.message);
  for (const v of parsed.values)
    for (const p of v.problems)
      if (p.effect === 'rejects' || p.effect === 'crashes')
        return refusedComparison(label, `value ${JSON.stringify(v.text)}: ${p.message}`);
  const compare = build(parsed, type, ctx);
  return {
    run(arg, event) {
      if (!accepts(type, arg.type))
        return unknown(
          `${label}: the candidate reads the argument as \`${type}\`; the recording captured it as a \`${arg.type}\` argument`,
        );
      return compare(arg, event);
    },
  };
}

type Run = (arg: EventArg, event?: HookEvent) => Check;

function valuesOfKind<K extends ParsedValue['kind']>(
  parsed: ParsedFilter,
  kind: K,
): Extract<ParsedValue, { kind: K }>[] {
  return parsed.values
    .map((v) => v.parsed)
    .filter((p): p is Extract<ParsedValue, { kind: K }> => p !== undefined && p.kind === kind);
}

function build(parsed: ParsedFilter, type: AgentType, ctx: CompareContext): Run {
  const op = parsed.operator;
  const label = ctx.label;
  switch (parsed.kind) {
    case 'equal':
    case 'compare':
      if (parsed.kind === 'equal' && (isStringType(type, ctx.release) || BYTE_TYPES.has(type)))
        return textFilter(op, type, parsed, ctx);
      return integerFilter(op, type, parsed, label);
    case 'range':
      return rangeFilter(op, type, parsed, label);
    case 'map':
      return mapFilter(op, type, parsed, ctx);
    case 'prefix':
    case 'postfix':
    case 'substring':
      return textFilter(op, type, parsed, ctx);
    case 'file-type':
      return fileTypeFilter(op, parsed, label);
    case 'port':
    case 'named':
    case 'privileged-port':
      return socketNumberFilter(op, parsed, label);
    case 'address':
      return addressFilter(op, parsed, label);
    default:
      return () => unknown(`${label}: the dry run does not compare \`${op}\``);
  }
}

// ---------------------------------------------------------------------------------------------
// Integers

/** The argument's bits at the width the candidate's type reads, or why they are not known. */
function argBits(arg: EventArg, type: AgentType, label: string): bigint | Check {
  const r = recordedInt(arg);
  if (!r) return unknown(`${label}: the event's \`${arg.type}\` argument holds no integer the dry run can read`);
  const width = INT_WIDTH[type]!;
  if (width > r.width)
    return unknown(
      `${label}: the recording kept ${r.width} bits of the argument (${r.shown}); the candidate's \`${type}\` reads ${width}`,
    );
  return BigInt.asUintN(width, r.bits);
}

function signedAt(width: number, bits: bigint): bigint {
  return BigInt.asIntN(width, bits);
}

function integerFilter(op: string, type: AgentType, parsed: ParsedFilter, label: string): Run {
  const width = INT_WIDTH[type];
  if (width === undefined)
    return () => unknown(`${label}: the dry run does not compare \`${op}\` on a \`${type}\` argument`);
  // Values are 64 bits wide for 64-bit types and capability sets, else 32 (filter_*ty_selector_val).
  const valueWidth = width === 64 ? 64 : 32;
  const ws = parsed.values.map((v) => {
    const p = v.parsed;
    const n = p?.kind === 'number' ? p.value : p?.kind === 'capabilities' ? p.mask : 0n;
    return BigInt.asUintN(valueWidth, n);
  });
  const signed = SIGNED.has(type);
  const greater = op === 'GT' || op === 'GreaterThan';
  const less = op === 'LT' || op === 'LessThan';
  return (arg) => {
    const a = argBits(arg, type, label);
    if (typeof a !== 'bigint') return a;
    let hit: boolean;
    if (op === 'Equal' || op === 'NotEqual') hit = ws.some((w) => w === a);
    else if (op === 'Mask') hit = ws.some((w) => (a & w) !== 0n);
    else if (greater || less) {
      const av = signed ? signedAt(width, a) : a;
      hit = ws.some((w) => {
        const wv = signed ? signedAt(valueWidth, w) : w;
        return greater ? av > wv : av < wv;
      });
    } else return unknown(`${label}: the dry run does not compare \`${op}\` on integers`);
    const ok = op === 'NotEqual' ? !hit : hit;
    return when(ok, () => `${label}: the argument is ${showArg(arg)}`);
  };
}

function rangeFilter(op: string, type: AgentType, parsed: ParsedFilter, label: string): Run {
  const width = INT_WIDTH[type];
  if (width === undefined)
    return () => unknown(`${label}: the dry run does not compare \`${op}\` on a \`${type}\` argument`);
  // Bounds are kept in 32 bits for the narrow types, 64 for the wide ones (writeMatchValuesRange).
  const boundWidth = width === 64 ? 64 : 32;
  const signed = SIGNED.has(type);
  const ranges = valuesOfKind(parsed, 'range').map((r) => {
    const lo = BigInt.asUintN(boundWidth, r.min);
    const hi = BigInt.asUintN(boundWidth, r.max);
    return signed ? [signedAt(boundWidth, lo), signedAt(boundWidth, hi)] : [lo, hi];
  });
  return (arg) => {
    const a = argBits(arg, type, label);
    if (typeof a !== 'bigint') return a;
    const av = signed ? signedAt(width, a) : a;
    const hit = ranges.some(([lo, hi]) => lo! <= av && av <= hi!);
    return when(op === 'InRange' ? hit : !hit, () => `${label}: the argument is ${showArg(arg)}`);
  };
}

const TWO_64 = 1n << 64n;

/** Whether a value map written from `sets` holds `key` (values are stored as 64-bit words). */
function setsHold(sets: readonly { min: bigint; max: bigint }[], key: bigint): boolean {
  return sets.some((s) => (s.min <= key && key <= s.max) || (s.min <= key - TWO_64 && key - TWO_64 <= s.max));
}

function mapFilter(op: string, type: AgentType, parsed: ParsedFilter, ctx: CompareContext): Run {
  const label = ctx.label;
  const width = INT_WIDTH[type];
  if (width === undefined)
    return () => unknown(`${label}: the dry run does not compare \`${op}\` on a \`${type}\` argument`);
  const sets = valuesOfKind(parsed, 'set');
  const lists = valuesOfKind(parsed, 'list').map((l) => l.name);
  const listIds = new Map<KernelArch, bigint[] | string>();
  return (arg) => {
    const a = argBits(arg, type, label);
    if (typeof a !== 'bigint') return a;
    let hit = setsHold(sets, a);
    if (!hit && lists.length) {
      const arch = archOf(arg);
      if (!arch)
        return unknown(
          `${label}: \`list:\` values are syscall numbers of the node's architecture, which the event does not tell`,
        );
      let ids = listIds.get(arch);
      if (ids === undefined) listIds.set(arch, (ids = resolveLists(lists, ctx.lists, arch)));
      if (typeof ids === 'string') return unknown(`${label}: ${ids}`);
      hit = ids.includes(a);
    }
    return when(op === 'InMap' ? hit : !hit, () => `${label}: the argument is ${showArg(arg)}`);
  };
}

function archOf(arg: EventArg): KernelArch | undefined {
  if (arg.type !== 'syscall_id') return undefined;
  const abi = (arg.value as Obj | undefined)?.['abi'];
  return abi === 'x64' || abi === 'i386' ? 'x86_64' : abi === 'arm64' || abi === 'arm32' ? 'arm64' : undefined;
}

/** The syscall ids of `list:` values on an architecture, as the agent's list reader gives them. */
function resolveLists(names: readonly string[], lists: readonly Obj[], arch: KernelArch): bigint[] | string {
  const out: bigint[] = [];
  for (const name of names) {
    const l = lists.find((x) => str(x['name']) === name);
    if (!l) return `the list \`${name}\` is not in spec.lists`;
    if (str(l['type']) !== 'syscalls' && str(l['type']) !== 'generated_syscalls')
      return `the list \`${name}\` is not a syscall list`;
    if (str(l['type']) === 'generated_syscalls') return `the list \`${name}\` is generated by the agent`;
    for (const v of list(l['values'])) {
      const text = str(v);
      if (text === undefined) return `the list \`${name}\` holds a value that is not a name`;
      const slash = text.split('/');
      if (slash.length === 2 && slash[0] !== (arch === 'x86_64' ? 'x64' : 'arm64'))
        return `the list \`${name}\` names \`${text}\`, a syscall of another ABI, whose number the dry run does not know`;
      const call = slash[slash.length - 1]!;
      const r = lookupSyscall(call.startsWith('sys_') || call.startsWith('__') ? call : `sys_${call}`, arch);
      const info = r.kind === 'found' ? r.info : r.kind === 'renamed' ? syscallByEntry(r.entry, arch) : undefined;
      if (!info) return `the list \`${name}\` names \`${text}\`, which is not a syscall on ${arch}`;
      out.push(BigInt(info.nr));
    }
  }
  return out;
}

/** CapabilitiesGained: a capability in the new set that the old set lacks. */
export function capabilitiesGained(label: string, oldArg: EventArg, newArg: EventArg): Check {
  if (!CAP_ARGS.has(oldArg.type) || !CAP_ARGS.has(newArg.type))
    return unknown(`${label}: the event's arguments are not capability sets`);
  const o = recordedInt(oldArg);
  const n = recordedInt(newArg);
  if (!o || !n) return unknown(`${label}: the capability sets cannot be read`);
  return when(
    ((o.bits ^ n.bits) & n.bits) !== 0n,
    () => `${label}: no capability in ${n.shown} is new (was ${o.shown})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Strings, paths and buffers

const PREFIX_MAX = 255;

/** The bytes the kernel's `tolower` makes of a byte: ASCII and the Latin-1 capitals. */
function kernelLower(b: number): number {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0xc0 && b <= 0xde && b !== 0xd7) ? b + 32 : b;
}

function lowerBytes(buf: Buffer): Buffer {
  const out = Buffer.allocUnsafe(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = kernelLower(buf[i]!);
  return out;
}

/** The argument as bytes, up to where `bpf_strnstr` stops (the first NUL). */
function untilNul(buf: Buffer): Buffer {
  const z = buf.indexOf(0);
  return z < 0 ? buf : buf.subarray(0, z);
}

interface TextValue {
  readonly text: string;
  readonly buf: Buffer;
}

function textFilter(op: string, type: AgentType, parsed: ParsedFilter, ctx: CompareContext): Run {
  const label = ctx.label;
  const vs: TextValue[] = valuesOfKind(parsed, 'string').map((s) => ({
    text: s.text,
    buf: Buffer.from(s.text, 'utf8'),
  }));
  const lowered = op === 'SubStringIgnCase' ? vs.map((v) => lowerBytes(v.buf)) : [];
  const negated = op.startsWith('Not');
  const isPath = PATH_TYPES.has(type);
  const maxData = ctx.declared?.['maxData'] === true;
  // Values that are well-formed text can be compared as strings (NULs included: both sides keep them).
  const textValues = vs.every((v) => wellFormed(v.text));

  /** Whether the operator (without its negation) holds for the argument's bytes. */
  const holds = (buf: Buffer): boolean => {
    switch (op) {
      case 'Equal':
      case 'NotEqual':
        return vs.some((v) => v.buf.equals(buf));
      case 'Prefix':
      case 'NotPrefix': {
        if (buf.length === 0) return false;
        const head = buf.length > PREFIX_MAX ? buf.subarray(0, PREFIX_MAX) : buf;
        return vs.some((v) => v.buf.length <= head.length && head.subarray(0, v.buf.length).equals(v.buf));
      }
      case 'Postfix':
      case 'NotPostfix':
        if (buf.length === 0) return false;
        return vs.some((v) => v.buf.length <= buf.length && buf.subarray(buf.length - v.buf.length).equals(v.buf));
      case 'SubString':
        return vs.some((v) => untilNul(buf).indexOf(v.buf) >= 0);
      case 'SubStringIgnCase': {
        const hay = lowerBytes(untilNul(buf));
        return lowered.some((v) => hay.indexOf(v) >= 0);
      }
      default:
        return false;
    }
  };

  return (arg) => {
    let buf: Buffer;
    let shown: string;
    if (isPath) {
      const p = recordedPath(arg);
      if (!p) return unknown(`${label}: the event's \`${arg.type}\` argument has no path the dry run can read`);
      buf = utf8Of(p.path);
      shown = JSON.stringify(p.path);
      // An empty path (the agent could not walk it) matches no string operator, negated or not.
      if (buf.length === 0) return no(() => `${label}: the argument has no path`);
      const r = holds(buf) !== negated;
      if (r && p.path === '/')
        return unknown(
          `${label}: the event shows the path \`/\`, which the agent also prints for a file whose path it could not walk (and then matches nothing)`,
        );
      return when(r, () => `${label}: the path is ${shown}`);
    }
    const t = recordedText(arg);
    if (!t) return unknown(`${label}: the event's \`${arg.type}\` argument has no text the dry run can read`);
    if (t.kind === 'bytes') {
      if (maxData && t.truncatedFrom !== undefined && t.truncatedFrom >= 4096n)
        return unknown(
          `${label}: the buffer was sent apart from the event (\`maxData\`), and the agent does not filter on it`,
        );
      buf = t.bytes;
    } else {
      const fast = holdsText(t.text);
      if (fast !== undefined) return when(fast !== negated, () => `${label}: the argument is ${showArg(arg)}`);
      buf = utf8Of(t.text);
    }
    const r = holds(buf) !== negated;
    return when(r, () => `${label}: the argument is ${showArg(arg)}`);
  };

  /**
   * The same on a string, without encoding it, where strings compare as their UTF-8 bytes do
   * (well-formed text, short enough for the prefix limit); undefined where the bytes must decide.
   */
  function holdsText(text: string): boolean | undefined {
    if (!textValues) return undefined;
    switch (op) {
      case 'Equal':
      case 'NotEqual':
        return wellFormed(text) ? vs.some((v) => v.text === text) : undefined;
      case 'Prefix':
      case 'NotPrefix':
        // Three bytes per UTF-16 unit at most: within the 255 bytes the agent reads.
        if (text.length * 3 > PREFIX_MAX || !wellFormed(text)) return undefined;
        return text.length > 0 && vs.some((v) => text.startsWith(v.text));
      case 'Postfix':
      case 'NotPostfix':
        return wellFormed(text) ? text.length > 0 && vs.some((v) => text.endsWith(v.text)) : undefined;
      default:
        return undefined;
    }
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PAIRED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** True when the string has no lone surrogate (its UTF-8 bytes then compare as it does). */
function wellFormed(text: string): boolean {
  return !SURROGATE.test(text) || PAIRED.test(text);
}

/** UTF-8 bytes of argument strings, kept while several filters compare the same string. */
let lastText = '';
let lastBytes = Buffer.alloc(0);
function utf8Of(text: string): Buffer {
  if (text !== lastText) {
    lastText = text;
    lastBytes = Buffer.from(text, 'utf8');
  }
  return lastBytes;
}

function fileTypeFilter(op: string, parsed: ParsedFilter, label: string): Run {
  const modes = valuesOfKind(parsed, 'file-type').map((f) => f.mode);
  const negated = op === 'NotFileType';
  return (arg) => {
    const p = recordedPath(arg);
    if (!p) return unknown(`${label}: the event's \`${arg.type}\` argument has no path the dry run can read`);
    if (p.fileType === undefined) return unknown(`${label}: the event does not carry the file's mode (\`permission\`)`);
    const hit = modes.includes(p.fileType);
    return when(hit !== negated, () => `${label}: ${JSON.stringify(p.path)} is ${fileTypeName(p.fileType!)}`);
  };
}

function fileTypeName(mode: number): string {
  const names: Readonly<Record<number, string>> = {
    0o140000: 'a socket',
    0o120000: 'a symbolic link',
    0o100000: 'a regular file',
    0o060000: 'a block device',
    0o040000: 'a directory',
    0o020000: 'a character device',
    0o010000: 'a FIFO',
  };
  return names[mode] ?? 'of no type the agent names';
}

// ---------------------------------------------------------------------------------------------
// Sockets

const AF_INET = 2;
const AF_INET6 = 10;

function socketOf(arg: EventArg, label: string): { readonly sock: RecordedSocket } | { readonly check: Check } {
  const sock = recordedSocket(arg);
  return sock
    ? { sock }
    : { check: unknown(`${label}: the event's \`${arg.type}\` argument is not a socket the dry run can read`) };
}

function socketNumberFilter(op: string, parsed: ParsedFilter, label: string): Run {
  const sets = valuesOfKind(parsed, 'set');
  return (arg) => {
    const got = socketOf(arg, label);
    if ('check' in got) return got.check;
    const sock = got.sock;
    let value: number | undefined;
    let what: string;
    switch (op) {
      case 'SPort':
      case 'NotSPort':
      case 'SPortPriv':
      case 'NotSportPriv':
        value = sock.sport;
        what = 'source port';
        break;
      case 'DPort':
      case 'NotDPort':
      case 'DPortPriv':
      case 'NotDPortPriv':
        value = sock.dport;
        what = 'destination port';
        break;
      case 'Protocol':
        value = sock.protocol;
        what = 'protocol';
        break;
      case 'Family':
        value = sock.family;
        what = 'family';
        break;
      case 'State':
        // Only sockets have a state; on a packet the agent's program answers no.
        if (sock.kind === 'skb') return no(() => `${label}: a packet has no TCP state`);
        value = sock.state;
        what = 'TCP state';
        break;
      default:
        return unknown(`${label}: the dry run does not compare \`${op}\` on sockets`);
    }
    if (value === undefined) return unknown(`${label}: the event does not carry the socket's ${what}`);
    const v = value;
    if (op.endsWith('Priv')) {
      const privileged = v < 1024;
      return when(op.startsWith('Not') ? !privileged : privileged, () => `${label}: the ${what} is ${v}`);
    }
    const hit = setsHold(sets, BigInt(v));
    return when(op.startsWith('Not') ? !hit : hit, () => `${label}: the ${what} is ${v}`);
  };
}

function inCidr(c: ParsedCidr, bytes: readonly number[]): boolean {
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((c.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

function addressFilter(op: string, parsed: ParsedFilter, label: string): Run {
  const cidrs = valuesOfKind(parsed, 'address').map((a) => a.cidr);
  const v4 = cidrs.filter((c) => c.family === 4);
  const v6 = cidrs.filter((c) => c.family === 6);
  const source = op === 'SAddr' || op === 'NotSAddr';
  const negated = op.startsWith('Not');
  return (arg) => {
    const got = socketOf(arg, label);
    if ('check' in got) return got.check;
    const s = got.sock;
    const text = source ? s.saddr : s.daddr;
    const what = source ? 'source address' : 'destination address';
    if (s.family === undefined) return unknown(`${label}: the event does not carry the socket's family`);
    if (s.family !== AF_INET && s.family !== AF_INET6)
      return no(
        () => `${label}: the socket is neither IPv4 nor IPv6, and the agent's program then matches neither way`,
      );
    if (text === undefined) return unknown(`${label}: the event does not carry the socket's ${what}`);
    let bytes = addressBytes(text);
    if (!bytes) return unknown(`${label}: the ${what} \`${text}\` cannot be read`);
    // An IPv6 socket's IPv4-mapped address prints as IPv4; the program looks it up as IPv6.
    if (s.family === AF_INET6 && bytes.length === 4) bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes];
    if (s.family === AF_INET && bytes.length !== 4)
      return unknown(`${label}: an IPv4 socket with the address \`${text}\``);
    const table = s.family === AF_INET ? v4 : v6;
    const b = bytes;
    const hit = table.some((c) => inCidr(c, b));
    return when(hit !== negated, () => `${label}: the ${what} is ${text}`);
  };
}
