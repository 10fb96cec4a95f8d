// SPDX-License-Identifier: Apache-2.0
/**
 * Selector values read exactly as the Tetragon agent reads them, once, for every engine.
 *
 * The CRD keeps every `matchArgs`/`matchData`/`matchReturnArgs` value as a string; the agent
 * parses it when it compiles the selector, and how depends on the operator and on the type of
 * the argument compared: numbers with Go's `strconv` (base 0, or base 10 for `InMap` and the
 * socket operators, with the bit width of the type), `min:max` ranges, ports, addresses and
 * prefixes, protocol/family/state names, capability masks, file types, `list:` references, and
 * strings held in fixed-size buffers. This module answers, for one filter, what each value
 * becomes ({@link ParsedValue}) or why the agent cannot use it ({@link ValueProblem}), so that
 * the lint rules report problems and the dry-run engine compares events with the very same
 * values. It also reads the other values the agent parses while loading a hook: rate limits,
 * namespace inodes, binary paths, messages, tags and `resolve` paths.
 *
 * Behaviour that changed between Tetragon releases takes the target release as a minor number
 * ({@link tetragonRelease}: `8` for 1.8); releases before 1.4 are read as 1.4 and releases after
 * the newest we know as the newest.
 *
 * Pure: no I/O, no state; everything returned is frozen data.
 */
import { goParseInt, goParseUint, type GoIntResult } from './go-strconv.js';
import { parseAgentCidr, type ParsedCidr } from './addresses.js';
import { CAPABILITIES, FAMILIES, FILE_TYPES, PROTOCOLS, TCP_STATES, capabilityNumber, lookup } from './names.js';
import { TETRAGON_LIMITS } from './features.js';
import { compareKernel, parseKernelVersion, type KernelVersion } from './targets.js';

// ---------------------------------------------------------------------------------------------
// Releases

/** The oldest and newest Tetragon minor releases whose agent code this module follows. */
export const OLDEST_RELEASE = 4;
export const NEWEST_RELEASE = 8;

/** The minor number of a Tetragon version (`1.7`, `v1.7.2`), clamped to the releases we know. */
export function tetragonRelease(version: string): number {
  const m = /^v?1\.(\d+)/.exec(version.trim());
  const minor = m ? Number(m[1]) : NEWEST_RELEASE;
  return Math.min(NEWEST_RELEASE, Math.max(OLDEST_RELEASE, minor));
}

// ---------------------------------------------------------------------------------------------
// Problems

/**
 * What the agent does with a value it cannot use as written: `rejects` the policy (an error
 * while loading it), `crashes` (the agent panics while loading it), loads it but the value
 * `misbehaves` (never matches, is ignored, is clamped, or costs a great deal), or refuses it only
 * on some kernels or configurations (`depends`).
 */
export type ProblemEffect = 'rejects' | 'crashes' | 'misbehaves' | 'depends';

/** A stable name for each kind of problem, for tests and for engines that act on them. */
export type ProblemCode =
  | 'type-mismatch'
  | 'values-ignored'
  | 'not-a-number'
  | 'number-out-of-range'
  | 'too-many-values'
  | 'not-a-range'
  | 'range-bound-too-large'
  | 'empty-range'
  | 'unknown-name'
  | 'not-an-address'
  | 'string-too-long'
  | 'string-kernel-limit'
  | 'empty-postfix'
  | 'nul-only'
  | 'list-not-readable'
  | 'list-needs-syscall64'
  | 'never-matches'
  | 'huge-expansion'
  | 'too-short'
  | 'bad-path';

/** Why one value (or one filter) is not what it says. Messages are complete sentences. */
export interface ValueProblem {
  readonly code: ProblemCode;
  readonly effect: ProblemEffect;
  readonly message: string;
}

function problem(code: ProblemCode, effect: ProblemEffect, message: string): ValueProblem {
  return { code, effect, message };
}

// ---------------------------------------------------------------------------------------------
// Argument types

/**
 * The agent's name for an argument type as a selector sees it: the CRD spellings `long`,
 * `ulong`, `unsigned long`, `sintN` map to `int64`, `uint64` and `intN`; `auto` (or no type)
 * is unknown until the hook resolves it (tracepoint formats, BTF), and names the agent's
 * selector code has no type for (`bpf_cmd`, a user-space pretty-printer type) are `invalid`.
 */
export type AgentType = string;
export const UNKNOWN_TYPE = 'auto';
export const INVALID_TYPE = 'invalid';

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  long: 'int64',
  sint64: 'int64',
  ulong: 'uint64',
  'unsigned long': 'uint64',
  sint32: 'int32',
  sint16: 'int16',
  sint8: 'int8',
};

const KNOWN_TYPES: ReadonlySet<string> = new Set([
  'string',
  'int',
  'uint64',
  'uint32',
  'int64',
  'int32',
  'skb',
  'sock',
  'size_t',
  'char_buf',
  'char_iovec',
  'filename',
  'file',
  'path',
  'fd',
  'cred',
  'const_buf',
  'nop',
  'bpf_attr',
  'perf_event',
  'bpf_map',
  'user_namespace',
  'capability',
  'kiocb',
  'iov_iter',
  'load_info',
  'module',
  'syscall64',
  'int16',
  'uint16',
  'int8',
  'uint8',
  'kernel_cap_t',
  'cap_inheritable',
  'cap_permitted',
  'cap_effective',
  'linux_binprm',
  'data_loc',
  'net_device',
  'sockaddr',
  'sockaddr_un',
  'socket',
  'dentry',
  'bpf_prog',
]);

/** Every argument type the agent's selector code knows, in its spelling. */
export const AGENT_TYPES: readonly AgentType[] = [...KNOWN_TYPES];

/** The agent's name for a CRD argument type (see {@link AgentType}). */
export function agentType(crdType: string | undefined): AgentType {
  if (crdType === undefined || crdType === 'auto' || crdType === '') return UNKNOWN_TYPE;
  const t = TYPE_ALIASES[crdType] ?? crdType;
  return KNOWN_TYPES.has(t) ? t : INVALID_TYPE;
}

/** How `Equal`, `GT`, `LT` and `Mask` read a number for a type: signed or unsigned, 32 or 64 bits. */
export type NumberClass = 's32' | 'u32' | 's64' | 'u64';

const CAP_TYPES: ReadonlySet<string> = new Set(['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective']);
const SOCKETS: ReadonlySet<string> = new Set(['sock', 'skb', 'socket', 'sockaddr']);

/** True for the four capability-set types. */
export function isCapabilityType(t: AgentType): boolean {
  return CAP_TYPES.has(t);
}

/** The number class of an integer type for `Equal`/`GT`/`LT`/`Mask`, in Tetragon 1.`release`. */
export function numberClass(t: AgentType, release: number): NumberClass | undefined {
  if (t === 'int' || t === 'int32' || t === 'size_t') return 's32';
  if (t === 'uint32') return 'u32';
  if (t === 'int64' || t === 'syscall64') return 's64';
  if (t === 'uint64') return 'u64';
  // 8- and 16-bit types joined the comparisons in 1.7.
  if (release >= 7 && (t === 'int16' || t === 'int8')) return 's32';
  if (release >= 7 && (t === 'uint16' || t === 'uint8')) return 'u32';
  return undefined;
}

/** The types whose `Equal`/`NotEqual` values are strings (looked up in the string maps). */
export function isStringType(t: AgentType, release: number): boolean {
  if (['fd', 'file', 'path', 'string', 'char_buf', 'linux_binprm', 'data_loc', 'net_device'].includes(t)) return true;
  if (t === 'sockaddr_un') return release >= 7;
  if (t === 'dentry') return release >= 8;
  return false;
}

/** The types `SubString`/`SubStringIgnCase` compare; on others the agent drops the values. */
export function isSubstringType(t: AgentType, release: number): boolean {
  if (release < 7) return false;
  if (release === 7) return t === 'string' || t === 'char_buf';
  return isStringType(t, release);
}

/** Whether `InMap` stores a type's values as signed or unsigned 64-bit numbers. */
export function mapClass(t: AgentType): 'signed' | 'unsigned' | undefined {
  if (['int', 'int64', 'int32', 'int16', 'int8', 'syscall64', 'size_t'].includes(t)) return 'signed';
  if (['uint64', 'uint32', 'uint16', 'uint8'].includes(t)) return 'unsigned';
  return undefined;
}

/** The width `InRange` bounds are checked against for a type. */
export function rangeWidth(t: AgentType, release: number): 32 | 64 | undefined {
  if (['int', 'int32', 'size_t', 'uint32'].includes(t)) return 32;
  if (release >= 7 && ['uint16', 'uint8', 'int16', 'int8'].includes(t)) return 32;
  if (['int64', 'syscall64', 'uint64'].includes(t)) return 64;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operators

/** The agent's operators (as the CRD spells them), grouped by how their values are read. */
export type OperatorKind =
  | 'equal'
  | 'compare'
  | 'range'
  | 'map'
  | 'prefix'
  | 'postfix'
  | 'substring'
  | 'port'
  | 'named'
  | 'address'
  | 'privileged-port'
  | 'file-type'
  | 'capabilities-gained'
  | 'cel';

const OPERATOR_KINDS: Readonly<Record<string, OperatorKind>> = {
  Equal: 'equal',
  NotEqual: 'equal',
  GreaterThan: 'compare',
  LessThan: 'compare',
  GT: 'compare',
  LT: 'compare',
  Mask: 'compare',
  InRange: 'range',
  NotInRange: 'range',
  InMap: 'map',
  NotInMap: 'map',
  Prefix: 'prefix',
  NotPrefix: 'prefix',
  Postfix: 'postfix',
  NotPostfix: 'postfix',
  SubString: 'substring',
  SubStringIgnCase: 'substring',
  SPort: 'port',
  NotSPort: 'port',
  DPort: 'port',
  NotDPort: 'port',
  Protocol: 'named',
  Family: 'named',
  State: 'named',
  SAddr: 'address',
  NotSAddr: 'address',
  DAddr: 'address',
  NotDAddr: 'address',
  SPortPriv: 'privileged-port',
  NotSportPriv: 'privileged-port',
  DPortPriv: 'privileged-port',
  NotDPortPriv: 'privileged-port',
  FileType: 'file-type',
  NotFileType: 'file-type',
  CapabilitiesGained: 'capabilities-gained',
  CelExpr: 'cel',
};

/** Every `matchArgs`/`matchData`/`matchReturnArgs` operator the agent knows, as the CRD spells it. */
export const OPERATORS: readonly string[] = Object.keys(OPERATOR_KINDS);

/** The kind of a `matchArgs`/`matchData`/`matchReturnArgs` operator, or undefined when unknown. */
export function operatorKind(op: string): OperatorKind | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATOR_KINDS, op) ? OPERATOR_KINDS[op] : undefined;
}

/** The operators that read socket destination fields, which a `sockaddr` does not have. */
const DESTINATION_OPS: ReadonlySet<string> = new Set([
  'DPort',
  'NotDPort',
  'DAddr',
  'NotDAddr',
  'DPortPriv',
  'NotDPortPriv',
  'Protocol',
  'State',
]);

function typeWord(t: AgentType): string {
  return t === INVALID_TYPE ? 'a type selectors cannot read' : `\`${t}\``;
}

/**
 * Whether the agent lets `op` compare an argument of type `t`, in Tetragon 1.`release`:
 * undefined when it does (or when the type is unknown), else the problem. `where` names the
 * argument in messages (e.g. "argument 1").
 */
export function operatorTypeProblem(
  op: string,
  t: AgentType,
  release: number,
  where: string,
): ValueProblem | undefined {
  const kind = operatorKind(op);
  if (!kind || t === UNKNOWN_TYPE || kind === 'cel' || kind === 'capabilities-gained') return undefined;
  const reject = (what: string) =>
    problem(
      'type-mismatch',
      'rejects',
      `\`${op}\` works on ${what}, not on ${where} of type ${typeWord(t)}; the agent refuses to load the policy.`,
    );
  const sockets = (withUnix: boolean) => SOCKETS.has(t) || (withUnix && release >= 7 && t === 'sockaddr_un');
  switch (kind) {
    case 'equal':
    case 'compare': {
      if (kind === 'equal' && isStringType(t, release)) return undefined;
      if (numberClass(t, release) || (isCapabilityType(t) && release >= 5)) return undefined;
      const what = kind === 'equal' ? 'strings, paths, integers and capability sets' : 'integers and capability sets';
      if (release <= 4 && !sockets(false) && t !== 'net_device' && t !== 'char_iovec')
        return problem(
          'values-ignored',
          'misbehaves',
          `\`${op}\` works on ${what}; Tetragon 1.4 loads it on ${where} of type ${typeWord(t)} but ignores its values.`,
        );
      return reject(what);
    }
    case 'range':
      return rangeWidth(t, release) ? undefined : reject('integers');
    case 'map':
      return mapClass(t) ? undefined : reject('integers');
    case 'prefix':
    case 'postfix':
      if (isStringType(t, release)) return undefined;
      return problem(
        'values-ignored',
        'misbehaves',
        `\`${op}\` compares strings and paths, but ${where} has type ${typeWord(t)}; the agent does not check this and the filter will not match as intended.`,
      );
    case 'substring':
      if (isSubstringType(t, release)) return undefined;
      return problem(
        'values-ignored',
        'misbehaves',
        release < 7
          ? `\`${op}\` needs Tetragon 1.7 or newer.`
          : `\`${op}\` compares ${release === 7 ? '`string` and `char_buf` arguments (in Tetragon 1.7)' : 'strings and paths'}; on ${where} of type ${typeWord(t)} the agent drops its values and the filter does not do what it says.`,
      );
    case 'port':
    case 'named': {
      const unixOk = op === 'Family';
      if (!sockets(true))
        return reject(
          `socket arguments (\`sock\`, \`skb\`, \`socket\`, \`sockaddr\`${unixOk ? ', `sockaddr_un`' : ''})`,
        );
      if (t === 'sockaddr_un' && !unixOk)
        return reject('socket arguments; on `sockaddr_un` only `Family` and string operators');
      if (t === 'sockaddr' && DESTINATION_OPS.has(op))
        return reject('sockets with a destination; a `sockaddr` has only source fields (SAddr, SPort, Family)');
      return undefined;
    }
    case 'address':
    case 'privileged-port':
      if (!sockets(false)) return reject('socket arguments (`sock`, `skb`, `socket`, `sockaddr`)');
      if (t === 'sockaddr' && DESTINATION_OPS.has(op))
        return reject('sockets with a destination; a `sockaddr` has only source fields (SAddr, SPort, Family)');
      return undefined;
    case 'file-type':
      return t === 'file' || t === 'path' ? undefined : reject('`file` and `path` arguments');
  }
}

// ---------------------------------------------------------------------------------------------
// Parsed values

/**
 * What one value becomes in the agent's tables:
 * - `number`: an integer compared by `Equal`/`NotEqual`/`GT`/`LT`/`Mask`;
 * - `capabilities`: a capability bit mask;
 * - `range`: an `InRange`/`NotInRange` interval as written (`min` may exceed `max`);
 * - `set`: the inclusive interval of values an `InMap`, port, protocol, family or state value
 *   adds to the agent's value map (bounds already swapped when written high:low), and its size;
 * - `list`: an `InMap` `list:NAME` reference (the list's syscall ids are added);
 * - `string`: a string compared as bytes (after the agent trims trailing NULs where it does);
 * - `address`: an address prefix (a plain address is a full-length prefix);
 * - `file-type`: the `S_IF*` mode bits of a file type name.
 */
export type ParsedValue =
  | { readonly kind: 'number'; readonly value: bigint }
  | { readonly kind: 'capabilities'; readonly mask: bigint }
  | { readonly kind: 'range'; readonly min: bigint; readonly max: bigint }
  | { readonly kind: 'set'; readonly min: bigint; readonly max: bigint; readonly size: bigint }
  | { readonly kind: 'list'; readonly name: string }
  | { readonly kind: 'string'; readonly text: string; readonly bytes: number }
  | { readonly kind: 'address'; readonly cidr: ParsedCidr }
  | { readonly kind: 'file-type'; readonly mode: number };

/** One value of a filter: what it became, and any problems with it. */
export interface FilterValue {
  readonly index: number;
  readonly text: string;
  readonly parsed?: ParsedValue;
  readonly problems: readonly ValueProblem[];
}

/** A filter read as the agent reads it. */
export interface ParsedFilter {
  readonly operator: string;
  readonly kind: OperatorKind | undefined;
  readonly type: AgentType;
  /** The operator cannot compare this type (values are then not read). */
  readonly typeProblem?: ValueProblem;
  /** A problem with the values taken together (too many of them). */
  readonly countProblem?: ValueProblem;
  readonly values: readonly FilterValue[];
}

/** Where a filter sits, for the parts of value parsing that depend on it. */
export interface FilterContext {
  /** The Tetragon minor release (see {@link tetragonRelease}). */
  readonly release: number;
  /** True on tracepoints: only their selectors can read `list:` values. */
  readonly tracepoint: boolean;
  /** How messages name the compared argument ("argument 1", "the return value"). */
  readonly where?: string;
}

/** Values per filter for `Equal` on numbers, `GT`, `LT`, `Mask`, `InRange` and `FileType`. */
export const MAX_NUMERIC_VALUES = 4;
/** Longest `Prefix` value, in bytes. */
export const MAX_PREFIX_BYTES = 256;
/** Longest `Postfix` value, in bytes (the agent refuses 128 and more). */
export const MAX_POSTFIX_BYTES = 127;
/** `SubString` values are shorter than this many bytes. */
export const SUBSTRING_LIMIT_BYTES = 100;
/** At most this many `SubString` values per hook (all its selectors together). */
export const MAX_SUBSTRINGS_PER_HOOK = 100;
/** The steps of the `Equal` string limit by kernel release, newest first (from the feature table). */
const STRING_STEPS = TETRAGON_LIMITS.stringValueBytes.steps;
/** Longest `Equal` string value on the newest kernels (5.11 and newer), in bytes. */
export const MAX_EQUAL_STRING_BYTES: number = STRING_STEPS[0]!.max;
/** Longest `Equal` string value on the kernels of the next step down (5.4 to 5.10), in bytes. */
export const MAX_EQUAL_STRING_BYTES_OLD_KERNELS: number = STRING_STEPS[1]!.max;
/** The release from which the newest limit holds (`5.11`). */
const NEWEST_STRING_KERNEL: string = STRING_STEPS[0]!.minKernel ?? '';

/**
 * The longest `Equal`/`NotEqual` string value (in bytes) the agent accepts on a kernel release:
 * the string maps it creates grow with the release (`writeMatchStrings`, `StringMapsSizes`).
 * Undefined when the release is unknown.
 */
export function equalStringLimit(kernel: KernelVersion | undefined): number | undefined {
  if (!kernel) return undefined;
  for (const step of STRING_STEPS) {
    const min = step.minKernel ? parseKernelVersion(step.minKernel) : undefined;
    if (!min || compareKernel(kernel, min) >= 0) return step.max;
  }
  return undefined;
}

/** The smallest `Equal` string limit of any kernel: longer values are refused somewhere. */
export const MIN_EQUAL_STRING_LIMIT: number = Math.min(...STRING_STEPS.map((s) => s.max));

/**
 * The byte length, as the agent stores it, of each `Equal`/`NotEqual` string value of a filter
 * (after the NULs it trims), for the kernel-release gate; empty for other operators and types.
 */
export function equalStringLengths(
  op: string,
  type: AgentType,
  values: readonly string[],
  ctx: FilterContext,
): readonly { readonly index: number; readonly bytes: number }[] {
  if ((op !== 'Equal' && op !== 'NotEqual') || !isStringType(type, ctx.release)) return [];
  const out: { index: number; bytes: number }[] = [];
  for (const v of parseFilter(op, type, values, ctx).values) {
    if (v.parsed?.kind === 'string') out.push({ index: v.index, bytes: v.parsed.bytes });
    else if (v.problems.some((p) => p.code === 'string-too-long'))
      // Refused on every kernel; the gate reports its length too.
      out.push({ index: v.index, bytes: utf8Bytes(type === 'string' ? trimNuls(v.text) : v.text) });
  }
  return out;
}
/** `InMap` ranges larger than this are reported: the agent stores every value of the range. */
export const LARGE_EXPANSION = 65536n;
/** At most this many `CelExpr` filters per hook. */
export const MAX_CEL_EXPRESSIONS = 8;

const UINT32_MAX = (1n << 32n) - 1n;

/** Length of a string in UTF-8 bytes (what Go's `len` counts). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** The string with trailing NUL characters removed (the agent does this for some types). */
function trimNuls(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return s.slice(0, end);
}

/** Tetragon 1.4 and 1.5 picked the base from the value's first characters (`0x` hex, `0` octal). */
function legacyBase(v: string): number {
  if (v.startsWith('0x')) return 16;
  if (v.startsWith('0')) return 8;
  return 10;
}

/** Reads an integer as `writeMatchValues` does for a number class. */
export function parseNumber(v: string, cls: NumberClass, release: number): GoIntResult {
  const base = release >= 6 ? 0 : legacyBase(v);
  switch (cls) {
    case 's32':
      return goParseInt(v, base, 32);
    case 'u32':
      return goParseUint(v, base, 32);
    case 's64':
      return goParseInt(v, base, 64);
    case 'u64':
      return goParseUint(v, base, 64);
  }
}

const NUMBER_WORDS: Readonly<Record<NumberClass, string>> = {
  s32: 'a signed 32-bit integer',
  u32: 'an unsigned 32-bit integer',
  s64: 'a signed 64-bit integer',
  u64: 'an unsigned 64-bit integer',
};

function numberSyntax(release: number): string {
  return release >= 6
    ? 'decimal, or with a `0x`, `0o` or `0b` prefix (a leading `0` means octal; `_` may separate digits)'
    : 'decimal, or octal with a leading `0` (Tetragon 1.4 and 1.5 do not read `0x`)';
}

function numberProblem(v: string, cls: NumberClass, r: GoIntResult, release: number, op: string): ValueProblem {
  if (!r.ok && r.error === 'range')
    return problem(
      'number-out-of-range',
      'rejects',
      `\`${v}\` does not fit ${NUMBER_WORDS[cls]}; the agent refuses \`${op}\` with it.`,
    );
  return problem(
    'not-a-number',
    'rejects',
    `\`${op}\` compares ${NUMBER_WORDS[cls]}, written ${numberSyntax(release)}; the agent cannot read \`${v}\`.`,
  );
}

/**
 * A capability value of `Equal`/`GT`/`LT`/`Mask`: a number (the mask itself) or a comma-separated
 * list of capability names. Returns the mask, or the first name the agent does not know.
 */
export function parseCapabilityMask(v: string, release: number): { mask: bigint } | { unknown: string } {
  const n = goParseUint(v, release >= 6 ? 0 : legacyBase(v), 64);
  if (n.ok) return { mask: n.value };
  let mask = 0n;
  for (const part of v.split(',')) {
    const bit = capabilityNumber(part);
    if (bit === undefined) return { unknown: part.trim().toUpperCase() };
    mask |= 1n << BigInt(bit);
  }
  return { mask };
}

/** The message for a capability name the agent's table does not have. */
export function unknownCapabilityMessage(name: string): string {
  if (name === 'CAP_DAC_OVERRIDE')
    return "The agent's capability table spells this one `DAC_OVERRIDE` (without `CAP_`); `CAP_DAC_OVERRIDE` is not found and the policy is rejected.";
  return `\`${name}\` is not a capability name the agent knows (e.g. \`CAP_SYS_ADMIN\`); it refuses the policy.`;
}

/** True when `InMap` reads `v` as a number of some integer type (base 10, 64 bits). */
export function isMapNumber(v: string): boolean {
  return goParseInt(v, 10, 64).ok || goParseUint(v, 10, 64).ok;
}

/** Reads one bound or value as the value-map code does: base 10, 64 bits, signed or unsigned. */
function parseMapNumber(v: string, cls: 'signed' | 'unsigned'): GoIntResult {
  return cls === 'signed' ? goParseInt(v, 10, 64) : goParseUint(v, 10, 64);
}

function expansionProblem(size: bigint, v: string): ValueProblem | undefined {
  if (size <= LARGE_EXPANSION) return undefined;
  return problem(
    'huge-expansion',
    'misbehaves',
    `The agent adds every value of \`${v}\` to its map, one by one (${size} values): expect a slow load and a large map, or an agent that runs out of memory. Narrow the range or compare with \`InRange\`.`,
  );
}

const NAME_TABLES: Readonly<Record<string, { table: Readonly<Record<string, number>>; example: string }>> = {
  Protocol: { table: PROTOCOLS, example: '`IPPROTO_TCP`' },
  Family: { table: FAMILIES, example: '`AF_INET`' },
  State: { table: TCP_STATES, example: '`TCP_ESTABLISHED`' },
};

/**
 * A value of the value-map operators (`InMap`, and with `forceUnsigned` the port, protocol,
 * family and state operators, which the agent reads as unsigned 64-bit numbers): a number or a
 * `low:high` range, for the named operators a name from the agent's table.
 */
function parseMapValue(
  v: string,
  op: string,
  cls: 'signed' | 'unsigned',
  names: boolean,
): { parsed?: ParsedValue; problems: ValueProblem[] } {
  const parts = v.split(':');
  if (parts.length > 2)
    return {
      problems: [
        problem(
          'not-a-range',
          'rejects',
          `\`${op}\` values are a number or a range \`low:high\`; the agent refuses \`${v}\`.`,
        ),
      ],
    };
  const table = names ? NAME_TABLES[op] : undefined;
  let bounds = parts.length === 1 ? [v, v] : parts;
  if (parts.length === 1 && table) {
    const named = lookup(table.table, v);
    if (named !== undefined) bounds = [String(named), String(named)];
  }
  const nums: bigint[] = [];
  for (const b of bounds) {
    const r = parseMapNumber(b, cls);
    if (!r.ok) {
      const what =
        op === 'InMap' || op === 'NotInMap'
          ? 'decimal integers or ranges `low:high` (no `0x` here), or `list:NAME`'
          : table
            ? `names such as ${table.example} (spelt exactly), decimal numbers or ranges \`low:high\``
            : 'decimal numbers (0–65535) or ranges `low:high`';
      return {
        problems: [
          problem(
            r.error === 'range' ? 'number-out-of-range' : table && parts.length === 1 ? 'unknown-name' : 'not-a-number',
            'rejects',
            `\`${op}\` values are ${what}; the agent refuses \`${v}\`.`,
          ),
        ],
      };
    }
    nums.push(r.value);
  }
  let [min, max] = nums as [bigint, bigint];
  if (min > max) [min, max] = [max, min];
  const size = max - min + 1n;
  const problems: ValueProblem[] = [];
  const big = expansionProblem(size, v);
  if (big) problems.push(big);
  return { parsed: { kind: 'set', min, max, size }, problems };
}

/** Reads every value of one filter as the agent does; see {@link ParsedFilter}. */
export function parseFilter(op: string, type: AgentType, values: readonly string[], ctx: FilterContext): ParsedFilter {
  const release = ctx.release;
  const kind = operatorKind(op);
  const base = { operator: op, kind, type };
  const typeProblem = operatorTypeProblem(op, type, release, ctx.where ?? 'the argument');
  if (!kind || kind === 'cel' || kind === 'capabilities-gained')
    return { ...base, values: values.map((text, index) => ({ index, text, problems: [] })) };
  if (typeProblem) {
    // A rejected pairing stops the agent before it reads the values; an ignored one never reads them.
    return { ...base, typeProblem, values: values.map((text, index) => ({ index, text, problems: [] })) };
  }
  const unknown = type === UNKNOWN_TYPE;
  const read = (fn: (v: string) => { parsed?: ParsedValue; problems: ValueProblem[] }): FilterValue[] =>
    values.map((text, index) => ({ index, text, ...fn(text) }));
  const tooMany = (max: number, hint: string): ValueProblem | undefined =>
    release >= 5 && values.length > max
      ? problem(
          'too-many-values',
          'rejects',
          `\`${op}\` holds at most ${max} values in one filter (this one has ${values.length}); the agent refuses the policy.${hint}`,
        )
      : undefined;

  switch (kind) {
    case 'equal':
    case 'compare': {
      if (kind === 'equal' && isStringType(type, release))
        return { ...base, values: read((v) => readEqualString(v, type)) };
      const mapHint =
        op === 'Equal'
          ? ' `InMap` takes any number of values.'
          : op === 'NotEqual'
            ? ' `NotInMap` takes any number of values.'
            : ' Split the values over several filters or selectors.';
      if (unknown) {
        // The type is resolved by the hook (tracepoint format, BTF): report only what no type accepts.
        const vals = read((v) => {
          if (
            goParseInt(v, release >= 6 ? 0 : legacyBase(v), 64).ok ||
            goParseUint(v, release >= 6 ? 0 : legacyBase(v), 64).ok
          )
            return { problems: [] };
          if (kind === 'equal' || 'mask' in parseCapabilityMask(v, release)) return { problems: [] };
          return {
            problems: [
              problem(
                'not-a-number',
                'rejects',
                `\`${op}\` compares integers (${numberSyntax(release)}) or capability sets; the agent cannot read \`${v}\`.`,
              ),
            ],
          };
        });
        const count = kind === 'compare' ? tooMany(MAX_NUMERIC_VALUES, mapHint) : undefined;
        return { ...base, values: vals, ...(count ? { countProblem: count } : {}) };
      }
      const count = tooMany(MAX_NUMERIC_VALUES, mapHint);
      const cls = numberClass(type, release);
      const vals = read((v) => {
        if (cls) {
          const r = parseNumber(v, cls, release);
          return r.ok
            ? { parsed: { kind: 'number', value: r.value }, problems: [] }
            : { problems: [numberProblem(v, cls, r, release, op)] };
        }
        const m = parseCapabilityMask(v, release);
        return 'mask' in m
          ? { parsed: { kind: 'capabilities', mask: m.mask }, problems: [] }
          : { problems: [problem('unknown-name', 'rejects', unknownCapabilityMessage(m.unknown))] };
      });
      return { ...base, values: vals, ...(count ? { countProblem: count } : {}) };
    }
    case 'range': {
      const width = unknown ? undefined : rangeWidth(type, release);
      const count = tooMany(MAX_NUMERIC_VALUES, ' Split the ranges over several filters or selectors, or use `InMap`.');
      const vals = read((v) => {
        const parts = v.split(':');
        if (parts.length !== 2)
          return {
            problems: [
              problem(
                'not-a-range',
                'rejects',
                `\`${op}\` values are ranges written \`min:max\`; the agent refuses \`${v}\`.`,
              ),
            ],
          };
        const bounds: bigint[] = [];
        for (const p of parts) {
          const r = goParseInt(p, 0, 64);
          if (!r.ok)
            return {
              problems: [
                problem(
                  r.error === 'range' ? 'number-out-of-range' : 'not-a-number',
                  'rejects',
                  `\`${op}\` bounds are signed 64-bit integers (${numberSyntax(6)}); the agent refuses \`${v}\`.`,
                ),
              ],
            };
          bounds.push(r.value);
        }
        const [min, max] = bounds as [bigint, bigint];
        if (width === 32 && (min > UINT32_MAX || max > UINT32_MAX))
          return {
            problems: [
              problem(
                'range-bound-too-large',
                'rejects',
                `The argument is 32 bits wide; the agent refuses the bound above ${UINT32_MAX} in \`${v}\`.`,
              ),
            ],
          };
        const problems =
          min > max
            ? [
                problem(
                  'empty-range',
                  'misbehaves',
                  `The range \`${v}\` is empty (its minimum is above its maximum): \`${op}\` ${op === 'InRange' ? 'never matches' : 'matches every value'}. Write it \`${parts[1]}:${parts[0]}\`.`,
                ),
              ]
            : [];
        return { parsed: { kind: 'range', min, max }, problems };
      });
      return { ...base, values: vals, ...(count ? { countProblem: count } : {}) };
    }
    case 'map': {
      const cls = unknown ? undefined : mapClass(type);
      const vals = read((v) => {
        if (v.startsWith('list:')) {
          const name = v.slice('list:'.length);
          if (!ctx.tracepoint)
            return {
              problems: [
                problem(
                  'list-not-readable',
                  'rejects',
                  `Only tracepoint selectors read \`list:\` values; on this hook the agent refuses \`${v}\`. Write the values out, or hook the \`raw_syscalls\` tracepoints.`,
                ),
              ],
            };
          if (!unknown && type !== 'syscall64')
            return {
              problems: [
                problem(
                  'list-needs-syscall64',
                  'rejects',
                  `A \`list:\` value compares syscall ids, so the argument must have type \`syscall64\`; the agent refuses it on type ${typeWord(type)}.`,
                ),
              ],
            };
          return { parsed: { kind: 'list', name }, problems: [] };
        }
        if (cls) return parseMapValue(v, op, cls, false);
        // Unknown type: accept what either class accepts.
        const signed = parseMapValue(v, op, 'signed', false);
        return signed.parsed ? signed : parseMapValue(v, op, 'unsigned', false);
      });
      return { ...base, values: vals };
    }
    case 'port':
    case 'named': {
      const vals = read((v) => {
        const r = parseMapValue(v, op, 'unsigned', kind === 'named');
        if (kind === 'port' && r.parsed?.kind === 'set' && r.parsed.min > 65535n)
          r.problems.push(
            problem(
              'never-matches',
              'misbehaves',
              `Ports are 16-bit numbers (0–65535): \`${v}\` never matches, though the agent accepts it.`,
            ),
          );
        return r;
      });
      return { ...base, values: vals };
    }
    case 'address':
      return {
        ...base,
        values: read((v) => {
          const c = parseAgentCidr(v, release);
          return c
            ? { parsed: { kind: 'address', cidr: c }, problems: [] }
            : {
                problems: [
                  problem(
                    'not-an-address',
                    'rejects',
                    `\`${op}\` values are IPv4/IPv6 addresses or prefixes (e.g. \`10.0.0.0/8\`, \`2001:db8::/32\`); the agent cannot read \`${v}\`.`,
                  ),
                ],
              };
        }),
      };
    case 'privileged-port':
      return {
        ...base,
        values: read(() => ({ problems: [] })),
        ...(values.length
          ? {
              countProblem: problem(
                'values-ignored',
                'misbehaves',
                `\`${op}\` takes no values; the agent ignores these.`,
              ),
            }
          : {}),
      };
    case 'prefix':
      return {
        ...base,
        values: read((v) => {
          const n = utf8Bytes(v);
          return n > MAX_PREFIX_BYTES
            ? {
                problems: [
                  problem(
                    'string-too-long',
                    'rejects',
                    `\`${op}\` values are at most ${MAX_PREFIX_BYTES} bytes; this one has ${n} and the agent refuses it.`,
                  ),
                ],
              }
            : { parsed: { kind: 'string', text: v, bytes: n }, problems: [] };
        }),
      };
    case 'postfix':
      return { ...base, values: read((v) => readPostfix(v, op, type !== 'char_buf')) };
    case 'substring': {
      if (!unknown && !isSubstringType(type, release)) return { ...base, values: read(() => ({ problems: [] })) };
      return {
        ...base,
        values: read((v) => {
          const n = utf8Bytes(v);
          return n >= SUBSTRING_LIMIT_BYTES
            ? {
                problems: [
                  problem(
                    'string-too-long',
                    'rejects',
                    `\`${op}\` values are shorter than ${SUBSTRING_LIMIT_BYTES} bytes; this one has ${n} and the agent refuses it.`,
                  ),
                ],
              }
            : { parsed: { kind: 'string', text: v, bytes: n }, problems: [] };
        }),
      };
    }
    case 'file-type': {
      const count = tooMany(MAX_NUMERIC_VALUES, ' Split the values over several filters.');
      const vals = read((v) => {
        const mode = lookup(FILE_TYPES, v);
        return mode !== undefined
          ? { parsed: { kind: 'file-type', mode }, problems: [] }
          : {
              problems: [
                problem(
                  'unknown-name',
                  'rejects',
                  `\`${op}\` values are file types, spelt in lower case: ${Object.keys(FILE_TYPES)
                    .map((n) => `\`${n}\``)
                    .join(', ')}; the agent does not know \`${v}\`.`,
                ),
              ],
            };
      });
      return { ...base, values: vals, ...(count ? { countProblem: count } : {}) };
    }
  }
}

/** An `Equal` string: trailing NULs trimmed for `string` arguments, and the length limits. */
function readEqualString(v: string, type: AgentType): { parsed?: ParsedValue; problems: ValueProblem[] } {
  const trim = type === 'string';
  if (trim && v.length > 0 && trimNuls(v) === '')
    return {
      problems: [
        problem(
          'nul-only',
          'crashes',
          'A value made only of NUL characters makes the agent crash (index out of range) while it trims them.',
        ),
      ],
    };
  const text = trim ? trimNuls(v) : v;
  const n = utf8Bytes(text);
  if (n > MAX_EQUAL_STRING_BYTES)
    return {
      problems: [
        problem(
          'string-too-long',
          'rejects',
          `String values are at most ${MAX_EQUAL_STRING_BYTES} bytes; this one has ${n} and the agent refuses it.`,
        ),
      ],
    };
  const problems =
    n > MAX_EQUAL_STRING_BYTES_OLD_KERNELS
      ? [
          problem(
            'string-kernel-limit',
            'depends',
            `This value has ${n} bytes: kernels older than ${NEWEST_STRING_KERNEL} keep at most ${MAX_EQUAL_STRING_BYTES_OLD_KERNELS}, and the agent refuses the policy on those nodes.`,
          ),
        ]
      : [];
  return { parsed: { kind: 'string', text, bytes: n }, problems };
}

/** A `Postfix` value: trailing NULs trimmed except on `char_buf`, and the length limit. */
function readPostfix(v: string, op: string, trim: boolean): { parsed?: ParsedValue; problems: ValueProblem[] } {
  if (trim && trimNuls(v) === '')
    return {
      problems: [
        problem(
          v === '' ? 'empty-postfix' : 'nul-only',
          'crashes',
          `An ${v === '' ? 'empty' : 'all-NUL'} \`${op}\` value makes the agent crash (index out of range) while it trims trailing NULs; only \`char_buf\` arguments skip that step.`,
        ),
      ],
    };
  const text = trim ? trimNuls(v) : v;
  const n = utf8Bytes(text);
  if (n > MAX_POSTFIX_BYTES)
    return {
      problems: [
        problem(
          'string-too-long',
          'rejects',
          `\`${op}\` values are at most ${MAX_POSTFIX_BYTES} bytes; this one has ${n} and the agent refuses it.`,
        ),
      ],
    };
  return { parsed: { kind: 'string', text, bytes: n }, problems: [] };
}

/** Whether a filter's values count towards the hook's {@link MAX_SUBSTRINGS_PER_HOOK}. */
export function countsAsSubstrings(op: string, type: AgentType, release: number): boolean {
  return operatorKind(op) === 'substring' && isSubstringType(type, release);
}

// ---------------------------------------------------------------------------------------------
// Other values the agent parses while loading a hook

/** A `rateLimit` read as the agent reads it: milliseconds kept in 32 bits, and the scope. */
export interface RateLimit {
  readonly milliseconds: number;
  readonly scope: 'thread' | 'process' | 'global';
  /** True when the product did not fit 32 bits and the agent clamped it (about 49.7 days). */
  readonly clamped: boolean;
}

const RATE_SCOPES = ['thread', 'process', 'global'] as const;

/**
 * `rateLimit` (a number of seconds, or a number with `s`, `m` or `h`, in either case) and
 * `rateLimitScope` (read only next to a rate limit; `thread`, `process` or `global`, exactly).
 */
export function parseRateLimit(rate: string, scope: string | undefined): RateLimit | ValueProblem {
  const last = rate.slice(-1);
  const unit = ({ s: 1, S: 1, m: 60, M: 60, h: 3600, H: 3600 } as Record<string, number>)[last];
  const digits = unit ? rate.slice(0, -1) : rate;
  const n = rate.length > (unit ? 1 : 0) ? goParseUint(digits, 10, 32) : ({ ok: false, error: 'syntax' } as const);
  if (!n.ok)
    return problem(
      n.error === 'range' ? 'number-out-of-range' : 'not-a-number',
      'rejects',
      n.error === 'range'
        ? `The number in \`rateLimit\` must fit 32 bits (at most 4294967295); the agent refuses \`${rate}\`.`
        : `\`rateLimit\` is a decimal number of seconds, optionally followed by \`s\`, \`m\` or \`h\` (e.g. \`30s\`, \`5m\`); the agent refuses \`${rate}\`.`,
    );
  let s: RateLimit['scope'] = 'thread';
  if (scope !== undefined && scope !== '') {
    const found = RATE_SCOPES.find((x) => x === scope);
    if (!found)
      return problem(
        'unknown-name',
        'rejects',
        `\`rateLimitScope\` is \`thread\`, \`process\` or \`global\` (lower case); the agent refuses \`${scope}\`.`,
      );
    s = found;
  }
  const ms = n.value * BigInt(unit ?? 1) * 1000n;
  const clamped = ms > UINT32_MAX;
  return { milliseconds: Number(clamped ? UINT32_MAX : ms), scope: s, clamped };
}

/** The problem with a `rateLimitScope` (read only next to a `rateLimit`), if any. */
export function rateLimitScopeProblem(scope: string): ValueProblem | undefined {
  if (scope === '' || RATE_SCOPES.some((x) => x === scope)) return undefined;
  return problem(
    'unknown-name',
    'rejects',
    `\`rateLimitScope\` is \`thread\`, \`process\` or \`global\` (lower case); the agent refuses \`${scope}\`.`,
  );
}

/** A `matchNamespaces` value: an inode number in base 10 that fits 32 bits, or `host_ns`. */
export function parseNamespaceValue(v: string): { inode: bigint } | { host: true } | ValueProblem {
  const n = goParseUint(v, 10, 32);
  if (n.ok) return { inode: n.value };
  if (v === 'host_ns') return { host: true };
  return problem(
    n.error === 'range' ? 'number-out-of-range' : 'not-a-number',
    'rejects',
    `Namespaces are matched by their inode number, in decimal and within 32 bits (e.g. \`4026531840\`), or \`host_ns\` for the host's; the agent refuses \`${v}\`.`,
  );
}

/** At most this many values in one `matchNamespaces` filter. */
export const MAX_NAMESPACE_VALUES = 4;

/** Longest `matchBinaries` path for `In`/`NotIn`, in bytes. */
export const MAX_BINARY_PATH_BYTES = 255;

/** The problem with one `matchBinaries`/`matchParentBinaries` value, if any. */
export function binaryValueProblem(op: string, v: string): ValueProblem | undefined {
  const n = utf8Bytes(v);
  const [limit, what] =
    op === 'Prefix' || op === 'NotPrefix'
      ? [MAX_PREFIX_BYTES, `\`${op}\` binary paths`]
      : op === 'Postfix' || op === 'NotPostfix'
        ? [MAX_POSTFIX_BYTES, `\`${op}\` binary paths`]
        : [MAX_BINARY_PATH_BYTES, 'Binary paths'];
  return n > limit
    ? problem(
        'string-too-long',
        'rejects',
        `${what} are at most ${limit} bytes; this one has ${n} and the agent refuses it.`,
      )
    : undefined;
}

/** Message and tag length limits, in bytes. */
export const MIN_MESSAGE_BYTES = 2;
export const MAX_MESSAGE_BYTES = 256;
export const MIN_TAG_BYTES = 2;
export const MAX_TAG_BYTES = 128;
export const MAX_TAGS = 16;

/**
 * A hook `message` or one of its `tags` as events will carry it: empty messages are accepted (no
 * message), one byte is refused, longer than the limit is cut (byte-wise, so a multi-byte
 * character at the cut is split). Tags may not be empty.
 */
export function parseMessageOrTag(
  v: string,
  what: 'message' | 'tag',
): { text: string; truncated: boolean; bytes: number } | ValueProblem {
  const n = utf8Bytes(v);
  if (what === 'message' && n === 0) return { text: '', truncated: false, bytes: 0 };
  const [min, max] = what === 'message' ? [MIN_MESSAGE_BYTES, MAX_MESSAGE_BYTES] : [MIN_TAG_BYTES, MAX_TAG_BYTES];
  if (n < min)
    return problem(
      'too-short',
      'rejects',
      `A ${what} needs at least ${min} bytes; the agent refuses ${n === 0 ? 'an empty one' : `\`${v}\``}.`,
    );
  if (n <= max) return { text: v, truncated: false, bytes: n };
  let text = '';
  let used = 0;
  for (const ch of v) {
    const b = utf8Bytes(ch);
    if (used + b > max) break;
    text += ch;
    used += b;
  }
  return { text, truncated: true, bytes: n };
}

/** The deepest `resolve` path the agent follows, in steps (`[N]` steps included). */
export const MAX_RESOLVE_DEPTH = 10;

/**
 * A `resolve` path cut into steps as the agent does (Tetragon 1.7 and newer): field names
 * separated by `.`, and `[N]` array or pointer indexes as steps of their own (`a.b[2].c` is
 * `a`, `b`, `[2]`, `c`; a leading `[0]` is allowed). Before 1.7 the agent split on `.` only and
 * knew no indexes. Returns the steps, or a problem with the offset of the first bad character.
 */
export function parseResolvePath(
  path: string,
  release: number,
): { steps: readonly string[] } | (ValueProblem & { at: number; length: number }) {
  const bad = (at: number, length: number, message: string) => ({
    ...problem('bad-path', 'rejects', message),
    at,
    length: Math.max(length, 1),
  });
  if (release < 7) {
    const steps = path.split('.');
    const b = steps.findIndex((s) => s.includes('['));
    if (b >= 0) {
      const at = steps.slice(0, b).reduce((n, s) => n + s.length + 1, 0) + steps[b]!.indexOf('[');
      return bad(
        at,
        steps[b]!.length - steps[b]!.indexOf('['),
        'Array indexes in `resolve` (`[N]`) need Tetragon 1.7 or newer; this release looks the whole step up as a field name and refuses the policy.',
      );
    }
    return { steps };
  }
  const steps: string[] = [];
  let buf = '';
  let bufStart = 0;
  let inBracket = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const prev = i > 0 ? path[i - 1] : undefined;
    if (c === '.') {
      if (inBracket || prev === '.')
        return bad(
          i,
          1,
          `\`resolve\` cannot parse \`${path}\`: a \`.\` ${inBracket ? 'inside `[…]`' : 'right after another'}.`,
        );
      if (buf) steps.push(buf);
      buf = '';
      bufStart = i + 1;
    } else if (c === '[') {
      if (inBracket || prev === '.')
        return bad(
          i,
          1,
          `\`resolve\` cannot parse \`${path}\`: \`[\` ${inBracket ? 'inside `[…]`' : 'right after `.`'}.`,
        );
      if (buf) steps.push(buf);
      buf = '[';
      bufStart = i;
      inBracket = true;
    } else if (c === ']') {
      if (!inBracket || prev === '[')
        return bad(i, 1, `\`resolve\` cannot parse \`${path}\`: ${inBracket ? 'empty `[]`' : 'a `]` without `[`'}.`);
      buf += c;
      inBracket = false;
      steps.push(buf);
      buf = '';
      bufStart = i + 1;
    } else buf += c;
  }
  if (inBracket)
    return bad(bufStart, path.length - bufStart, `\`resolve\` cannot parse \`${path}\`: \`[\` is never closed.`);
  if (buf) steps.push(buf);
  return { steps };
}

/** True when a `resolve` step is `[N]` with decimal digits (the only index the agent reads). */
export function isIndexStep(step: string): boolean {
  return /^\[[0-9]+\]$/.test(step);
}

/** Register names a `pt_regs` source reads, by architecture (what the agent's tables hold). */
export function isRegisterName(name: string, arch: 'x86_64' | 'arm64'): boolean {
  if (arch === 'arm64') {
    if (name === 'sp' || name === 'pc') return true;
    const m = /^([xw])([0-9]+)$/.exec(name);
    return !!m && Number(m[2]) <= (m[1] === 'x' ? 31 : 30);
  }
  return X86_REGISTERS.has(name);
}

const X86_REGISTERS: ReadonlySet<string> = new Set(
  [
    'rip eip',
    'rax eax ax al',
    'rbx ebx bx bl',
    'rcx ecx cx cl',
    'rdx edx dx dl',
    'rsi esi si sil',
    'rdi edi di dil',
    'rbp ebp bp bpl',
    'rsp esp sp spl',
    ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => `r${n} r${n}d r${n}w r${n}b`),
  ].flatMap((l) => l.split(' ')),
);

/** Names, for completions and messages: capability names as the agent's table spells them. */
export const CAPABILITY_NAMES: readonly string[] = Object.keys(CAPABILITIES);
