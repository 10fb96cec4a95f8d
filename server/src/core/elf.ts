// SPDX-License-Identifier: Apache-2.0
/**
 * What the agent reads from the ELF binaries TracingPolicies name, without any I/O of its own: the
 * caller hands over a {@link ByteSource} (the CLI and the language server read the file; tests may
 * pass bytes). USDT probes come from the SystemTap SDT notes (`.note.stapsdt`): only the ELF
 * header, the section headers and the note sections are read, so a large binary costs a few
 * kilobytes. Function symbols (for uprobes) come from `.symtab` and `.dynsym`.
 *
 * Each probe note holds the probe's provider, name and argument operands as the compiler wrote
 * them, e.g. `-4@-20(%rbp)`: a signed 4-byte value in memory at `%rbp - 20`. Tetragon's USDT
 * sensor reads these operands; its `Set` action writes through one, which it allows only for a
 * 4-byte memory operand. {@link classifyOperand} sorts operands the way the agent's parser does.
 *
 * Format references: the ELF specification (header and section header layout) and SystemTap's
 * "UserSpaceProbeImplementation" note format (note type 3, owner `stapsdt`; three addresses, then
 * three NUL-terminated strings: provider, name, arguments).
 */

/** Random access to the bytes of a file. `read` may return fewer bytes near the end. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/**
 * How an operand addresses its value, as Tetragon's USDT argument parser sorts them:
 * - `constant`: an immediate (`4@$5` on x86-64, `4@5` on arm64);
 * - `register`: a register's value (`-4@%edi`, `8@x0`);
 * - `memory`: memory at a register plus an offset (`-4@-20(%rbp)`, `4@[sp, 12]`);
 * - `indexed-memory`: memory at base + index × scale (`8@(%rax,%rdx,8)`, `4@[x0, x1]`);
 * - `other`: anything else (a symbol-relative address such as `4@counter(%rip)`), which the agent
 *   cannot read.
 */
export type UsdtOperandKind = 'constant' | 'register' | 'memory' | 'indexed-memory' | 'other';

export interface UsdtOperand {
  /** The operand as written in the note. */
  readonly text: string;
  /** Size in bytes (1, 2, 4 or 8); 0 when the note gives none the agent accepts. */
  readonly size: number;
  readonly signed: boolean;
  readonly kind: UsdtOperandKind;
}

export interface UsdtProbe {
  readonly provider: string;
  readonly name: string;
  readonly operands: readonly UsdtOperand[];
  /** True when the probe is guarded by a semaphore (the application enables it on demand). */
  readonly semaphore: boolean;
}

/** The architectures whose operand syntax we read. */
export type UsdtMachine = 'x86_64' | 'arm64' | 'other';

export interface ElfUsdtInfo {
  readonly machine: UsdtMachine;
  /** `e_machine` from the ELF header. */
  readonly machineCode: number;
  readonly probes: readonly UsdtProbe[];
}

/** Why a file's probes could not be read. */
export interface ElfUsdtError {
  readonly error: string;
}

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const SHT_NOTE = 7;
const NT_STAPSDT = 3;
/** More than any real binary has; bounds the work a hostile file can cause. */
const MAX_SECTIONS = 65_535;
const MAX_NOTE_BYTES = 16 * 1024 * 1024;
const MAX_PROBES = 100_000;

function machineOf(code: number): UsdtMachine {
  return code === EM_X86_64 ? 'x86_64' : code === EM_AARCH64 ? 'arm64' : 'other';
}

/** Reads the USDT probes of an ELF file. Never throws: a damaged or foreign file gives an error. */
export function readUsdtProbes(src: ByteSource): ElfUsdtInfo | ElfUsdtError {
  try {
    return readElf(src);
  } catch (e) {
    return { error: `unreadable ELF file (${(e as Error).message})` };
  }
}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {}
  private view = (): DataView => new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  u16(at: number): number {
    return this.view().getUint16(at, this.little);
  }
  u32(at: number): number {
    return this.view().getUint32(at, this.little);
  }
  /** A 64-bit value that must fit a JavaScript number (file offsets and sizes). */
  u64(at: number): number {
    const v = this.view().getBigUint64(at, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('offset out of range');
    return Number(v);
  }
  addr(at: number, is64: boolean): bigint {
    return is64 ? this.view().getBigUint64(at, this.little) : BigInt(this.u32(at));
  }
}

function readExactly(src: ByteSource, offset: number, length: number, what: string): Uint8Array {
  if (offset < 0 || length < 0 || offset + length > src.size) throw new Error(`${what} lies outside the file`);
  const b = src.read(offset, length);
  if (b.length < length) throw new Error(`${what} is cut short`);
  return b;
}

interface Section {
  readonly name: number;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  /** The section this one refers to (a symbol table's string table). */
  readonly link: number;
}

/** What both readers need of an ELF file: its header fields and its section table. */
interface ElfLayout {
  readonly is64: boolean;
  readonly little: boolean;
  readonly machine: UsdtMachine;
  readonly machineCode: number;
  readonly sections: readonly Section[];
  /** A section's name ('' when the file has no section names). */
  sectionName(s: Section): string;
  readonly hasNames: boolean;
}

function readLayout(src: ByteSource): ElfLayout | ElfUsdtError {
  if (src.size < 52) return { error: 'not an ELF file (too short)' };
  const ident = src.read(0, 64 <= src.size ? 64 : 52);
  if (ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46)
    return { error: 'not an ELF file' };
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2))
    return { error: 'not an ELF file (unknown class or byte order)' };
  const is64 = cls === 2;
  const little = data === 1;
  const header = readExactly(src, 0, is64 ? 64 : 52, 'the ELF header');
  const h = new Reader(header, little);
  const machineCode = h.u16(18);
  const shoff = is64 ? h.u64(40) : h.u32(32);
  const shentsize = h.u16(is64 ? 58 : 46);
  const shnum = h.u16(is64 ? 60 : 48);
  const shstrndx = h.u16(is64 ? 62 : 50);
  const machine = machineOf(machineCode);
  const none = { is64, little, machine, machineCode, sections: [], sectionName: () => '', hasNames: false };
  if (shoff === 0 || shnum === 0) return none;
  if (shentsize < (is64 ? 64 : 40) || shnum > MAX_SECTIONS) throw new Error('bad section header table');
  const table = readExactly(src, shoff, shentsize * shnum, 'the section header table');
  const t = new Reader(table, little);
  const sections: Section[] = Array.from({ length: shnum }, (_, i) => {
    const at = i * shentsize;
    return {
      name: t.u32(at),
      type: t.u32(at + 4),
      offset: is64 ? t.u64(at + 24) : t.u32(at + 16),
      size: is64 ? t.u64(at + 32) : t.u32(at + 20),
      link: t.u32(is64 ? at + 40 : at + 24),
    };
  });
  const names = sections[shstrndx];
  const nameTable =
    names && names.size <= MAX_NOTE_BYTES ? readExactly(src, names.offset, names.size, 'the section names') : undefined;
  return {
    ...none,
    sections,
    sectionName: (s) => (nameTable ? cString(nameTable, s.name) : ''),
    hasNames: nameTable !== undefined,
  };
}

function readElf(src: ByteSource): ElfUsdtInfo | ElfUsdtError {
  const elf = readLayout(src);
  if ('error' in elf) return elf;
  const { is64, little, machine, machineCode } = elf;
  const probes: UsdtProbe[] = [];
  let noteBytes = 0;
  // SDT notes live in `.note.stapsdt`; without section names any note section is searched.
  for (const s of elf.sections) {
    if (s.type !== SHT_NOTE || s.size === 0) continue;
    const name = elf.sectionName(s);
    if (elf.hasNames && name !== '.note.stapsdt') continue;
    noteBytes += s.size;
    if (noteBytes > MAX_NOTE_BYTES) throw new Error('note sections too large');
    const notes = readExactly(src, s.offset, s.size, `section ${name || '(unnamed)'}`);
    readNotes(notes, little, is64, machine, probes);
    if (probes.length > MAX_PROBES) throw new Error('too many probes');
  }
  return { machine, machineCode, probes };
}

// ---------------------------------------------------------------------------------------------
// Function symbols (for uprobes)

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
/** Symbol and string tables larger than this are not read (no real binary comes close). */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

/** The function symbols of a binary, as a uprobe can attach to them. */
export interface ElfFunctions {
  readonly machine: UsdtMachine;
  /** Functions defined in the binary (`.symtab` and `.dynsym`): a uprobe can attach to them. */
  readonly defined: ReadonlySet<string>;
  /** Functions the binary imports from a shared library: a uprobe on them must name the library. */
  readonly imported: ReadonlySet<string>;
  /** True when the binary has a full symbol table (`.symtab`), false when it was stripped. */
  readonly hasSymtab: boolean;
}

/**
 * Reads the function symbols of an ELF file, as the agent's uprobe attachment finds them: symbols
 * of type FUNC from `.symtab` and `.dynsym`; those without a section (imports) cannot be attached
 * to in this binary. Never throws.
 */
export function readFunctionSymbols(src: ByteSource): ElfFunctions | ElfUsdtError {
  try {
    const elf = readLayout(src);
    if ('error' in elf) return elf;
    const defined = new Set<string>();
    const imported = new Set<string>();
    let hasSymtab = false;
    for (const s of elf.sections) {
      if ((s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) || s.size === 0) continue;
      if (s.type === SHT_SYMTAB) hasSymtab = true;
      const strings = elf.sections[s.link];
      if (!strings || s.size > MAX_TABLE_BYTES || strings.size > MAX_TABLE_BYTES)
        throw new Error('symbol table too large');
      const table = readExactly(src, s.offset, s.size, 'a symbol table');
      const names = readExactly(src, strings.offset, strings.size, 'a string table');
      const r = new Reader(table, elf.little);
      const entry = elf.is64 ? 24 : 16;
      for (let at = entry; at + entry <= table.length; at += entry) {
        const info = table[at + (elf.is64 ? 4 : 12)]!;
        if ((info & 0xf) !== STT_FUNC) continue;
        const name = cString(names, r.u32(at));
        if (!name) continue;
        const shndx = r.u16(at + (elf.is64 ? 6 : 14));
        (shndx === 0 ? imported : defined).add(name);
      }
    }
    for (const n of defined) imported.delete(n);
    return { machine: elf.machine, defined, imported, hasSymtab };
  } catch (e) {
    return { error: `unreadable ELF file (${(e as Error).message})` };
  }
}

const align4 = (n: number): number => (n + 3) & ~3;

function readNotes(notes: Uint8Array, little: boolean, is64: boolean, machine: UsdtMachine, out: UsdtProbe[]): void {
  const r = new Reader(notes, little);
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = r.u32(at);
    const descsz = r.u32(at + 4);
    const type = r.u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    if (next > notes.length || next <= at) throw new Error('note runs past its section');
    const owner = cString(notes.subarray(nameAt, nameAt + namesz), 0);
    if (owner === 'stapsdt' && type === NT_STAPSDT) {
      const desc = notes.subarray(descAt, descAt + descsz);
      const addr = is64 ? 8 : 4;
      if (desc.length >= 3 * addr) {
        const semaphore = new Reader(desc, little).addr(2 * addr, is64) !== 0n;
        let p = 3 * addr;
        const provider = cString(desc, p);
        p += utf8Length(desc, p) + 1;
        const name = cString(desc, p);
        p += utf8Length(desc, p) + 1;
        const args = p < desc.length ? cString(desc, p) : '';
        const operands = splitOperands(args).map((o) => classifyOperand(o, machine));
        out.push({ provider, name, operands, semaphore });
      }
    }
    at = next;
  }
}

/**
 * The operands of a note's argument string: separated by blanks, except inside brackets, where
 * arm64 operands have them (`-4@[sp, 12]`), as the agent splits them. Each keeps its text.
 */
export function splitOperands(args: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of args) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (/\s/.test(ch) && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Bytes up to (not including) the next NUL. */
function utf8Length(b: Uint8Array, at: number): number {
  let end = at;
  while (end < b.length && b[end] !== 0) end++;
  return end - at;
}

function cString(b: Uint8Array, at: number): string {
  if (at >= b.length) return '';
  return new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(at, at + utf8Length(b, at)));
}

// ---------------------------------------------------------------------------------------------
// Operands

const X86_REGS = new Set(
  [
    ['rip', 'eip'],
    ['rax', 'eax', 'ax', 'al'],
    ['rbx', 'ebx', 'bx', 'bl'],
    ['rcx', 'ecx', 'cx', 'cl'],
    ['rdx', 'edx', 'dx', 'dl'],
    ['rsi', 'esi', 'si', 'sil'],
    ['rdi', 'edi', 'di', 'dil'],
    ['rbp', 'ebp', 'bp', 'bpl'],
    ['rsp', 'esp', 'sp', 'spl'],
    ...Array.from({ length: 8 }, (_, i) => [`r${i + 8}`, `r${i + 8}d`, `r${i + 8}w`, `r${i + 8}b`]),
  ].flat(),
);

function arm64Reg(name: string): boolean {
  if (name === 'sp' || name === 'pc' || name === 'lr' || name === 'fp') return true;
  const m = /^[xw](\d+)$/.exec(name);
  return m !== null && Number(m[1]) <= 30;
}

const INT = String.raw`[-+]?\d+`;
const X86_REG = String.raw`%([a-z0-9]+)`;
const X86_SIB = new RegExp(String.raw`^(?:(${INT}))?\(${X86_REG},${X86_REG}(?:,(\d+))?\)$`);
const X86_DEREF = new RegExp(String.raw`^(?:(${INT}))?\(${X86_REG}\)$`);
const X86_REGISTER = new RegExp(String.raw`^${X86_REG}$`);
const X86_CONST = new RegExp(String.raw`^\$(${INT})$`);
const ARM_MEM = /^\[\s*([a-z0-9]+)\s*(?:,\s*(?:([-+]?\d+)|([a-z0-9]+))\s*)?\]$/;
const ARM_REGISTER = /^([a-z][a-z0-9]*)$/;
const ARM_CONST = new RegExp(String.raw`^#?(${INT})$`);

/**
 * Sorts one operand (`<size>@<location>`) by how it addresses its value, for the machine the binary
 * was built for. An unrecognised location, register or size gives `other`.
 */
export function classifyOperand(text: string, machine: UsdtMachine): UsdtOperand {
  const at = text.indexOf('@');
  const sizeText = at > 0 ? text.slice(0, at) : '';
  const loc = at > 0 ? text.slice(at + 1) : text;
  const n = /^[-+]?\d+$/.test(sizeText) ? Number(sizeText) : NaN;
  const abs = Math.abs(n);
  const size = abs === 1 || abs === 2 || abs === 4 || abs === 8 ? abs : 0;
  const signed = n < 0;
  const kind = size === 0 ? 'other' : locationKind(loc, machine);
  return { text, size, signed, kind };
}

function locationKind(loc: string, machine: UsdtMachine): UsdtOperandKind {
  if (machine === 'x86_64') {
    let m = X86_SIB.exec(loc);
    if (m)
      return X86_REGS.has(m[2]!) && X86_REGS.has(m[3]!) && (m[4] === undefined || ['1', '2', '4', '8'].includes(m[4]))
        ? 'indexed-memory'
        : 'other';
    m = X86_DEREF.exec(loc);
    if (m) return X86_REGS.has(m[2]!) ? 'memory' : 'other';
    m = X86_REGISTER.exec(loc);
    if (m) return X86_REGS.has(m[1]!) ? 'register' : 'other';
    return X86_CONST.test(loc) ? 'constant' : 'other';
  }
  if (machine === 'arm64') {
    if (ARM_CONST.test(loc)) return 'constant';
    const m = ARM_MEM.exec(loc);
    if (m) {
      if (!arm64Reg(m[1]!)) return 'other';
      if (m[3] !== undefined) return arm64Reg(m[3]) ? 'indexed-memory' : 'other';
      return 'memory';
    }
    const r = ARM_REGISTER.exec(loc);
    return r && arm64Reg(r[1]!) ? 'register' : 'other';
  }
  return 'other';
}

/** A short phrase for an operand, e.g. "a signed 4-byte value in memory". */
export function describeOperand(o: UsdtOperand): string {
  const width = o.size ? `${o.signed ? 'signed' : 'unsigned'} ${o.size}-byte` : 'unsized';
  switch (o.kind) {
    case 'constant':
      return `a ${width} constant`;
    case 'register':
      return `a ${width} value in a register`;
    case 'memory':
      return `a ${width} value in memory`;
    case 'indexed-memory':
      return `a ${width} value in memory at an indexed address`;
    default:
      return `a ${width} operand the agent cannot read`;
  }
}

/** The probes with a provider and name, in file order (a probe may be compiled in several places). */
export function findProbes(info: ElfUsdtInfo, provider: string, name: string): UsdtProbe[] {
  return info.probes.filter((p) => p.provider === provider && p.name === name);
}

// ---------------------------------------------------------------------------------------------
// Lookup

/** What a lookup of one policy `path` found on this machine. */
export type BinaryLookupResult =
  { readonly file: string; readonly info: ElfUsdtInfo } | { readonly file: string; readonly error: string };

/**
 * Finds the binary a policy names. Implemented by the adapters (they read files); undefined when
 * the binary is not available here (lookups turned off, not found, a relative path), in which case
 * rules stay silent. Called synchronously while linting: implementations cache.
 */
export interface BinaryLookup {
  usdt(path: string): BinaryLookupResult | undefined;
  /** The function symbols of the binary at a policy path; undefined as for {@link usdt}. */
  functions(path: string): FunctionsLookupResult | undefined;
}

/** What a lookup of a binary's function symbols found. */
export type FunctionsLookupResult =
  { readonly file: string; readonly functions: ElfFunctions } | { readonly file: string; readonly error: string };
