// SPDX-License-Identifier: Apache-2.0
/**
 * What an exported event argument holds, in the form the agent's BPF filters compare: the raw
 * bits of an integer, the bytes of a string, path or buffer (with a file's type from its mode),
 * the fields of a socket. Protobuf's JSON leaves out fields with their zero value (a port 0, a
 * mark 0), so an absent number inside a socket or file message is 0; an absent string that the
 * agent always fills (a family, an address) means the event cannot tell.
 */
import type { EventArg } from '../core/tetragon/events.js';
import { goParseAddr } from '../core/tetragon/addresses.js';
import { FAMILIES, PROTOCOLS, TCP_STATES, lookup } from '../core/tetragon/names.js';

type Json = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const U64 = (1n << 64n) - 1n;

/** A JSON integer (a number, or a decimal string as protobuf JSON writes 64-bit fields). */
export function jsonInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return BigInt(v);
  return undefined;
}

/** An unsigned field inside a message: absent is 0 (protobuf JSON leaves zero values out). */
function uintField(o: Json, name: string): number | undefined {
  const v = o[name];
  if (v === undefined) return 0;
  const n = jsonInteger(v);
  return n !== undefined && n >= 0n && n <= 0xffffffffn ? Number(n) : undefined;
}

/** The integer argument types of an event, with the width of what they recorded. */
const INT_ARGS: Readonly<Record<string, { readonly width: 32 | 64; readonly signed: boolean }>> = {
  int: { width: 32, signed: true },
  uint: { width: 32, signed: false },
  long: { width: 64, signed: true },
  size: { width: 64, signed: false },
};

/** The capability-set argument types (hexadecimal text of the 64-bit set). */
export const CAP_ARGS: ReadonlySet<string> = new Set([
  'kernel_cap_t',
  'cap_inheritable',
  'cap_permitted',
  'cap_effective',
]);

/** `syscall_id.abi` values of 32-bit system calls: the agent marks their ids with this bit. */
const COMPAT_ABIS: ReadonlySet<string> = new Set(['i386', 'arm32']);
const IS_32_BIT = 0x80000000n;

/** An integer as recorded: its bits (unsigned, `width` wide). */
export interface RecordedInt {
  readonly bits: bigint;
  readonly width: 32 | 64;
  /** How the event shows it, for reasons. */
  readonly shown: string;
}

/** The integer an argument recorded, or undefined when it is not an integer argument. */
export function recordedInt(arg: EventArg): RecordedInt | undefined {
  const t = INT_ARGS[arg.type];
  if (t) {
    const n = jsonInteger(arg.value);
    if (n === undefined) return undefined;
    const bits = BigInt.asUintN(t.width, n);
    return { bits, width: t.width, shown: n.toString() };
  }
  if (arg.type === 'syscall_id') {
    if (!isObj(arg.value)) return undefined;
    const id = uintField(arg.value, 'id');
    if (id === undefined) return undefined;
    const abi = typeof arg.value['abi'] === 'string' ? arg.value['abi'] : '';
    const bits = BigInt(id) | (COMPAT_ABIS.has(abi) ? IS_32_BIT : 0n);
    return { bits, width: 64, shown: `syscall ${id}${abi ? ` (${abi})` : ''}` };
  }
  if (CAP_ARGS.has(arg.type)) {
    if (typeof arg.value !== 'string' || !/^(0x)?[0-9a-fA-F]{1,16}$/.test(arg.value)) return undefined;
    const bits = BigInt(`0x${arg.value.replace(/^0x/, '')}`) & U64;
    return { bits, width: 64, shown: `0x${arg.value.replace(/^0x/, '')}` };
  }
  return undefined;
}

/** Text as the agent compares it: a string of the kernel, or the bytes of a buffer. */
export type RecordedText =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly truncatedFrom?: bigint };

/** A path argument (file, path, fd, linux_binprm): the path and the file's type bits, when known. */
export interface RecordedPath {
  readonly path: string;
  /** The `S_IFMT` bits of the file's mode, 0 when the mode names no type; undefined when not recorded. */
  readonly fileType: number | undefined;
}

/** The first character of a mode string (`drwxr-xr-x`) and the type it stands for. */
const MODE_TYPES: Readonly<Record<string, number>> = {
  '-': 0o100000,
  d: 0o040000,
  l: 0o120000,
  c: 0o020000,
  b: 0o060000,
  p: 0o010000,
  s: 0o140000,
};

/** The file type bits of a permission string as the agent prints it (`-rw-r--r--`). */
export function modeType(permission: string): number | undefined {
  // Nine characters: the agent printed no type letter (a mode whose type it does not name).
  if (permission.length === 9) return 0;
  if (permission.length !== 10) return undefined;
  return MODE_TYPES[permission[0]!];
}

/** The path arguments of an event. */
export const PATH_ARGS: ReadonlySet<string> = new Set(['file', 'path', 'linux_binprm']);

export function recordedPath(arg: EventArg): RecordedPath | undefined {
  if (!PATH_ARGS.has(arg.type) || !isObj(arg.value)) return undefined;
  const path = arg.value['path'];
  if (path !== undefined && typeof path !== 'string') return undefined;
  const perm = arg.value['permission'];
  return { path: path ?? '', fileType: typeof perm === 'string' ? modeType(perm) : undefined };
}

/** Text from a string-like argument; undefined for other arguments. */
export function recordedText(arg: EventArg): RecordedText | undefined {
  switch (arg.type) {
    case 'string':
      return typeof arg.value === 'string' ? { kind: 'text', text: arg.value } : undefined;
    case 'net_dev':
      return isObj(arg.value) && (arg.value['name'] === undefined || typeof arg.value['name'] === 'string')
        ? { kind: 'text', text: (arg.value['name'] as string | undefined) ?? '' }
        : undefined;
    case 'sockaddrun': {
      if (!isObj(arg.value) || (arg.value['path'] !== undefined && typeof arg.value['path'] !== 'string'))
        return undefined;
      const path = (arg.value['path'] as string | undefined) ?? '';
      if (!path.startsWith('@')) return { kind: 'text', text: path };
      // An abstract name: the agent compares the whole buffer after the leading NUL (107 bytes),
      // and prints the name with `@` and without NULs; the rest of the buffer is taken as NULs.
      const name = Buffer.from(path.slice(1), 'utf8');
      const bytes = Buffer.alloc(ABSTRACT_NAME_BYTES);
      name.copy(bytes, 0, 0, Math.min(name.length, ABSTRACT_NAME_BYTES));
      return { kind: 'bytes', bytes };
    }
    case 'bytes':
      return typeof arg.value === 'string' && isBase64(arg.value)
        ? { kind: 'bytes', bytes: Buffer.from(arg.value, 'base64') }
        : undefined;
    case 'truncated_bytes': {
      if (!isObj(arg.value)) return undefined;
      const b = arg.value['bytes_arg'] ?? '';
      const orig = jsonInteger(arg.value['orig_size'] ?? 0);
      if (typeof b !== 'string' || !isBase64(b) || orig === undefined) return undefined;
      return { kind: 'bytes', bytes: Buffer.from(b, 'base64'), truncatedFrom: orig };
    }
    default:
      return undefined;
  }
}

/** The bytes the agent keeps of an abstract unix socket's name (`UNIX_SOCKET_PATH_MAX - 1`). */
const ABSTRACT_NAME_BYTES = 107;

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) || /^[A-Za-z0-9_-]*={0,2}$/.test(s);
}

/** A socket, a packet or a socket address, as the agent's `filter_inet` reads it. */
export interface RecordedSocket {
  readonly kind: 'sock' | 'skb' | 'sockaddr' | 'sockaddrun';
  /** The address family number, undefined when the event does not say. */
  readonly family: number | undefined;
  readonly saddr: string | undefined;
  readonly daddr: string | undefined;
  readonly sport: number | undefined;
  readonly dport: number | undefined;
  readonly protocol: number | undefined;
  /** The TCP state (sockets only). */
  readonly state: number | undefined;
}

/** A name from one of the agent's tables, or the decimal number it prints for names it lacks. */
function nameOrNumber(table: Readonly<Record<string, number>>, v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const n = lookup(table, v);
  if (n !== undefined) return n;
  return /^\d{1,10}$/.test(v) ? Number(v) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function recordedSocket(arg: EventArg): RecordedSocket | undefined {
  if (!isObj(arg.value)) return undefined;
  const o = arg.value;
  switch (arg.type) {
    case 'sock':
      return {
        kind: 'sock',
        family: nameOrNumber(FAMILIES, o['family']),
        saddr: text(o['saddr']),
        daddr: text(o['daddr']),
        sport: uintField(o, 'sport'),
        dport: uintField(o, 'dport'),
        protocol: nameOrNumber(PROTOCOLS, o['protocol']),
        state: nameOrNumber(TCP_STATES, o['state']),
      };
    case 'skb': {
      // `proto` is the number; `protocol` its name (older agents print only the name).
      const proto = o['proto'] !== undefined || o['protocol'] === undefined ? uintField(o, 'proto') : undefined;
      return {
        kind: 'skb',
        family: nameOrNumber(FAMILIES, o['family']),
        saddr: text(o['saddr']),
        daddr: text(o['daddr']),
        sport: uintField(o, 'sport'),
        dport: uintField(o, 'dport'),
        protocol: proto ?? nameOrNumber(PROTOCOLS, o['protocol']),
        state: undefined,
      };
    }
    case 'sockaddr':
      return {
        kind: 'sockaddr',
        family: nameOrNumber(FAMILIES, o['family']),
        saddr: text(o['addr']),
        daddr: undefined,
        sport: uintField(o, 'port'),
        dport: undefined,
        protocol: undefined,
        state: undefined,
      };
    case 'sockaddrun':
      return {
        kind: 'sockaddrun',
        family: nameOrNumber(FAMILIES, o['family']),
        saddr: undefined,
        daddr: undefined,
        sport: undefined,
        dport: undefined,
        protocol: undefined,
        state: undefined,
      };
    default:
      return undefined;
  }
}

/** The bytes of an address as the event prints it (`10.0.0.1`, `::1`), or undefined. */
export function addressBytes(text: string): readonly number[] | undefined {
  const ip = goParseAddr(text);
  return ip && !ip.zone ? ip.bytes : undefined;
}

/** A short rendering of an argument for reasons (strings quoted, long ones cut). */
export function showArg(arg: EventArg): string {
  const t = recordedText(arg);
  if (t) return t.kind === 'text' ? quote(t.text) : `${t.bytes.length} bytes ${quote(t.bytes.toString('latin1'))}`;
  const p = recordedPath(arg);
  if (p) return quote(p.path);
  const n = recordedInt(arg);
  if (n) return n.shown;
  const s = recordedSocket(arg);
  if (s) {
    const parts: string[] = [];
    if (s.saddr !== undefined) parts.push(`${s.saddr}:${s.sport ?? 0}`);
    if (s.daddr !== undefined) parts.push(`→ ${s.daddr}:${s.dport ?? 0}`);
    return `${arg.type} ${parts.join(' ')}`.trim();
  }
  return `a \`${arg.type}\` argument`;
}

function quote(s: string): string {
  const cut = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  return JSON.stringify(cut);
}
