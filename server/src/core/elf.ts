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
 * Reading is linear and bounded, whatever the file holds: string lookups stay inside their table
 * and cost one scan for a table without a NUL, names are cached per offset, and the bytes, symbols,
 * notes and probes read are capped ({@link ELF_LIMITS}). The readers are generators of
 * {@link ElfStep}s, so a driver can read asynchronously, yield to other work and stop them at a
 * time budget (`io/binaries.ts`); {@link readUsdtProbes} and {@link readFunctionSymbols} drive them
 * synchronously.
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
  /**
   * True when the file is beyond what we read ({@link ElfLimits}, or the reader's time budget):
   * the file may be fine, it was not checked. False or absent when the file itself is damaged or
   * not ELF, which the agent's reader would refuse too.
   */
  readonly limit?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Limits

/**
 * What one binary may cost. A hostile binary (a 10 MB string table without a NUL, millions of
 * symbols, sections that overlap or point past the end of the file, note sections that repeat)
 * stays within these bounds, and a file beyond them gets an error with `limit: true` (our limit,
 * not a defect of the file: the rules say the binary was not checked rather than that the agent
 * would refuse it).
 */
export interface ElfLimits {
  /** Bytes of section data read from one binary (symbol, string and note tables together). */
  readonly maxBytes: number;
  /** Symbols read from one binary, over all its symbol tables. */
  readonly maxSymbols: number;
  /** Bytes of note sections read for USDT probes. */
  readonly maxNoteBytes: number;
  /** USDT probes read from one binary. */
  readonly maxProbes: number;
  /**
   * Bytes scanned while looking up names, on top of twice the string tables' own size (names that
   * share their ends, as linkers merge them, are scanned once per start; a hostile table whose
   * symbols all start inside one long name would otherwise be scanned once per symbol).
   */
  readonly maxNameScanBytes: number;
}

/** The limits the CLI and the language server use; every real binary we know of fits well inside. */
export const ELF_LIMITS: ElfLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxSymbols: 4_000_000,
  maxNoteBytes: 16 * 1024 * 1024,
  maxProbes: 100_000,
  maxNameScanBytes: 64 * 1024 * 1024,
};

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const SHT_NOTE = 7;
const NT_STAPSDT = 3;
/** The most sections an ELF header can count without extended numbering. */
const MAX_SECTIONS = 65_535;
/** The readers pause (see {@link ElfStep}) after this many symbols or notes. */
const PAUSE_EVERY = 16_384;

function machineOf(code: number): UsdtMachine {
  return code === EM_X86_64 ? 'x86_64' : code === EM_AARCH64 ? 'arm64' : 'other';
}

// ---------------------------------------------------------------------------------------------
// Steps: the readers never touch a file themselves

/**
 * What a reader asks of its driver: the bytes of a range of the file (the driver resumes the
 * reader with exactly `length` bytes, or fewer at the end of the file), or a pause, where the
 * driver may yield to other work, check its time budget, or stop the reader (`return()`).
 * {@link runElfSteps} drives a reader synchronously over a {@link ByteSource}; `io/binaries.ts`
 * drives it with asynchronous reads and yields to the event loop at pauses, so the language server
 * keeps answering while a large binary is read. Both see the same answer.
 */
export type ElfStep = { readonly offset: number; readonly length: number } | 'pause';

/** A reader: a generator of steps that returns what it read or why it could not. */
export type ElfSteps<T> = Generator<ElfStep, T | ElfUsdtError, Uint8Array | undefined>;

/** A reading error: the file's fault (`limit` false) or beyond {@link ElfLimits} (`limit` true). */
class ElfReadError extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

/** Reads up to the file's end; what each read costs is counted against the limits. */
class Budget {
  bytes = 0;
  symbols = 0;
  scanned = 0;
  /** Bytes of the string tables read so far: scanning each of them twice over is always allowed. */
  strings = 0;
  constructor(
    readonly size: number,
    readonly limits: ElfLimits,
  ) {}

  /** Throws unless the range lies inside the file. */
  inside(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
      throw new ElfReadError(`${what} lies outside the file`);
    if (offset + length > this.size) throw new ElfReadError(`${what} lies outside the file`);
  }

  *read(offset: number, length: number, what: string): Generator<ElfStep, Uint8Array, Uint8Array | undefined> {
    this.inside(offset, length, what);
    this.bytes += length;
    if (this.bytes > this.limits.maxBytes)
      throw new ElfReadError(`its tables are larger than ${mib(this.limits.maxBytes)} MiB in all`, true);
    if (length === 0) return new Uint8Array(0);
    const b = yield { offset, length };
    if (!b || b.length < length) throw new ElfReadError(`${what} is cut short`);
    return b.length === length ? b : b.subarray(0, length);
  }

  symbolsRead(count: number): void {
    this.symbols += count;
    if (this.symbols > this.limits.maxSymbols)
      throw new ElfReadError(`it has more than ${this.limits.maxSymbols.toLocaleString('en-US')} symbols`, true);
  }

  scan(bytes: number): void {
    this.scanned += bytes;
    if (this.scanned > this.limits.maxNameScanBytes + 2 * this.strings)
      throw new ElfReadError(
        `its symbol names overlap too much (more than ${mib(this.limits.maxNameScanBytes)} MiB scanned)`,
        true,
      );
  }
}

const mib = (n: number): number => Math.round(n / (1024 * 1024));

/** Runs a reader's body, turning a thrown reading error into an {@link ElfUsdtError}. */
function* guarded<T>(body: () => Generator<ElfStep, T | ElfUsdtError, Uint8Array | undefined>): ElfSteps<T> {
  try {
    return yield* body();
  } catch (e) {
    if (e instanceof ElfReadError)
      return e.limit
        ? { error: `too large to check (${e.message})`, limit: true }
        : { error: `unreadable ELF file (${e.message})` };
    return { error: `unreadable ELF file (${(e as Error)?.message ?? String(e)})` };
  }
}

/**
 * Drives a reader synchronously over a {@link ByteSource}. `onPause` is called at each pause; when
 * it returns a message the reader is stopped and that message is the error (with `limit: true`).
 * Never throws.
 */
export function runElfSteps<T>(
  steps: ElfSteps<T>,
  src: ByteSource,
  onPause?: () => string | undefined,
): T | ElfUsdtError {
  try {
    let input: Uint8Array | undefined;
    for (;;) {
      const r = steps.next(input);
      if (r.done) return r.value;
      input = undefined;
      if (r.value === 'pause') {
        const stop = onPause?.();
        if (stop !== undefined) {
          steps.return({ error: stop, limit: true });
          return { error: stop, limit: true };
        }
      } else input = src.read(r.value.offset, r.value.length);
    }
  } catch (e) {
    return { error: `could not be read (${(e as Error)?.message ?? String(e)})` };
  }
}

/** Reads the USDT probes of an ELF file. Never throws: a damaged or foreign file gives an error. */
export function readUsdtProbes(src: ByteSource, limits: ElfLimits = ELF_LIMITS): ElfUsdtInfo | ElfUsdtError {
  return runElfSteps(usdtProbeSteps(src.size, limits), src);
}

/**
 * Reads the function symbols of an ELF file, as the agent's uprobe attachment finds them: symbols
 * of type FUNC from `.symtab` and `.dynsym`; those without a section (imports) cannot be attached
 * to in this binary. Never throws.
 */
export function readFunctionSymbols(src: ByteSource, limits: ElfLimits = ELF_LIMITS): ElfFunctions | ElfUsdtError {
  return runElfSteps(functionSymbolSteps(src.size, limits), src);
}

// ---------------------------------------------------------------------------------------------
// Layout

class Reader {
  private readonly view: DataView;
  constructor(
    bytes: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.little);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.little);
  }
  /** A 64-bit value that must fit a JavaScript number (file offsets and sizes). */
  u64(at: number): number {
    const v = this.view.getBigUint64(at, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfReadError('offset out of range');
    return Number(v);
  }
  addr(at: number, is64: boolean): bigint {
    return is64 ? this.view.getBigUint64(at, this.little) : BigInt(this.u32(at));
  }
}

/**
 * An ELF string table, looked up as the agent's ELF reader (Go's `debug/elf`) does: a name runs
 * from its offset to the next NUL; an offset past the table, or one with no NUL after it, has no
 * name. The position of the last NUL is found once, so a table without a terminating NUL costs
 * one scan, not one per symbol; names are cached per offset; the bytes scanned are counted
 * against {@link ElfLimits.maxNameScanBytes}. Work is linear in the table plus the names looked up.
 */
class StringTable {
  private readonly lastNul: number;
  private readonly names = new Map<number, string>();
  private static readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    private readonly bytes: Uint8Array,
    private readonly budget: Budget,
  ) {
    this.lastNul = bytes.lastIndexOf(0);
    budget.strings += bytes.length;
  }

  /** The name at an offset, or undefined when there is none (out of range, or no NUL after it). */
  get(at: number): string | undefined {
    if (at < 0 || at > this.lastNul) return undefined;
    const cached = this.names.get(at);
    if (cached !== undefined) return cached;
    const end = this.bytes.indexOf(0, at);
    this.budget.scan(end - at + 1);
    const name = StringTable.decoder.decode(this.bytes.subarray(at, end));
    this.names.set(at, name);
    return name;
  }
}

interface Section {
  readonly name: number;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  /** The section this one refers to (a symbol table's string table). */
  readonly link: number;
}

/** What both readers need of an ELF file: its header fields, its section table and section names. */
interface ElfLayout {
  readonly is64: boolean;
  readonly little: boolean;
  readonly machine: UsdtMachine;
  readonly machineCode: number;
  readonly sections: readonly Section[];
  /** Section names by index ('' when the file has no section names). */
  readonly names: readonly string[];
  readonly hasNames: boolean;
}

function* readLayout(budget: Budget): Generator<ElfStep, ElfLayout | ElfUsdtError, Uint8Array | undefined> {
  if (budget.size < 52) return { error: 'not an ELF file (too short)' };
  const ident = yield* budget.read(0, 16, 'the ELF identification');
  if (ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46)
    return { error: 'not an ELF file' };
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2))
    return { error: 'not an ELF file (unknown class or byte order)' };
  const is64 = cls === 2;
  const little = data === 1;
  const header = yield* budget.read(0, is64 ? 64 : 52, 'the ELF header');
  const h = new Reader(header, little);
  const machineCode = h.u16(18);
  const shoff = is64 ? h.u64(40) : h.u32(32);
  const shentsize = h.u16(is64 ? 58 : 46);
  const shnum = h.u16(is64 ? 60 : 48);
  const shstrndx = h.u16(is64 ? 62 : 50);
  const machine = machineOf(machineCode);
  const none: ElfLayout = { is64, little, machine, machineCode, sections: [], names: [], hasNames: false };
  if (shoff === 0 || shnum === 0) return none;
  if (shentsize < (is64 ? 64 : 40) || shnum > MAX_SECTIONS) throw new ElfReadError('bad section header table');
  const table = yield* budget.read(shoff, shentsize * shnum, 'the section header table');
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
  if (shstrndx === 0) return { ...none, sections, names: sections.map(() => '') };
  const nameSection = sections[shstrndx];
  if (!nameSection) throw new ElfReadError('bad section name table index');
  if (nameSection.size > budget.limits.maxNoteBytes)
    throw new ElfReadError(`its section names take more than ${mib(budget.limits.maxNoteBytes)} MiB`, true);
  const strings = new StringTable(
    yield* budget.read(nameSection.offset, nameSection.size, 'the section names'),
    budget,
  );
  // As the agent's reader, a section name that cannot be read makes the whole file unreadable.
  const names = sections.map((s) => {
    const name = strings.get(s.name);
    if (name === undefined) throw new ElfReadError('bad section name index');
    return name;
  });
  return { ...none, sections, names, hasNames: true };
}

// ---------------------------------------------------------------------------------------------
// USDT probes

/** The steps that read the USDT probes of a file of `size` bytes. */
export function usdtProbeSteps(size: number, limits: ElfLimits = ELF_LIMITS): ElfSteps<ElfUsdtInfo> {
  return guarded(function* () {
    const budget = new Budget(size, limits);
    const elf = yield* readLayout(budget);
    if ('error' in elf) return elf;
    const { is64, little, machine, machineCode } = elf;
    const probes: UsdtProbe[] = [];
    let noteBytes = 0;
    // SDT notes live in `.note.stapsdt`; without section names any note section is searched.
    for (const [i, s] of elf.sections.entries()) {
      if (s.type !== SHT_NOTE || s.size === 0) continue;
      const name = elf.names[i] ?? '';
      if (elf.hasNames && name !== '.note.stapsdt') continue;
      noteBytes += s.size;
      if (noteBytes > limits.maxNoteBytes)
        throw new ElfReadError(`its note sections take more than ${mib(limits.maxNoteBytes)} MiB`, true);
      const notes = yield* budget.read(s.offset, s.size, `section ${name || '(unnamed)'}`);
      yield* readNotes(notes, little, is64, machine, probes, limits);
    }
    return { machine, machineCode, probes };
  });
}

/** Rounds up to a multiple of 4 without the 32-bit overflow of bit operations (sizes reach 2^32 - 1). */
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

function* readNotes(
  notes: Uint8Array,
  little: boolean,
  is64: boolean,
  machine: UsdtMachine,
  out: UsdtProbe[],
  limits: ElfLimits,
): Generator<ElfStep, void, Uint8Array | undefined> {
  const r = new Reader(notes, little);
  let at = 0;
  let count = 0;
  while (at + 12 <= notes.length) {
    if (++count % PAUSE_EVERY === 0) yield 'pause';
    const namesz = r.u32(at);
    const descsz = r.u32(at + 4);
    const type = r.u32(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    const next = descAt + align4(descsz);
    // Every note moves forward by at least its 12-byte header, so the loop ends.
    if (next > notes.length) throw new ElfReadError('note runs past its section');
    const owner = cString(notes.subarray(nameAt, nameAt + namesz), 0);
    if (owner === 'stapsdt' && type === NT_STAPSDT) {
      const desc = notes.subarray(descAt, descAt + descsz);
      const addr = is64 ? 8 : 4;
      if (desc.length >= 3 * addr) {
        const semaphore = new Reader(desc, little).addr(2 * addr, is64) !== 0n;
        let p = 3 * addr;
        const provider = cString(desc, p);
        p = nulAfter(desc, p) + 1;
        const name = cString(desc, p);
        p = nulAfter(desc, p) + 1;
        const args = p < desc.length ? cString(desc, p) : '';
        const operands = splitOperands(args).map((o) => classifyOperand(o, machine));
        out.push({ provider, name, operands, semaphore });
        if (out.length > limits.maxProbes)
          throw new ElfReadError(`it has more than ${limits.maxProbes.toLocaleString('en-US')} USDT probes`, true);
      }
    }
    at = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Function symbols (for uprobes)

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;

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

/** The steps that read the function symbols of a file of `size` bytes (see {@link readFunctionSymbols}). */
export function functionSymbolSteps(size: number, limits: ElfLimits = ELF_LIMITS): ElfSteps<ElfFunctions> {
  return guarded(function* () {
    const budget = new Budget(size, limits);
    const elf = yield* readLayout(budget);
    if ('error' in elf) return elf;
    const defined = new Set<string>();
    const imported = new Set<string>();
    let hasSymtab = false;
    const entry = elf.is64 ? 24 : 16;
    for (const s of elf.sections) {
      if ((s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) || s.size === 0) continue;
      if (s.type === SHT_SYMTAB) hasSymtab = true;
      const stringSection = elf.sections[s.link];
      if (!stringSection || s.link === 0) throw new ElfReadError('a symbol table has no string table');
      // Counted before anything is read: a table claiming too many symbols costs nothing.
      budget.inside(s.offset, s.size, 'a symbol table');
      budget.symbolsRead(Math.floor(s.size / entry));
      const table = yield* budget.read(s.offset, s.size, 'a symbol table');
      const names = new StringTable(
        yield* budget.read(stringSection.offset, stringSection.size, 'a string table'),
        budget,
      );
      const r = new Reader(table, elf.little);
      let count = 0;
      for (let at = entry; at + entry <= table.length; at += entry) {
        if (++count % PAUSE_EVERY === 0) yield 'pause';
        const info = table[at + (elf.is64 ? 4 : 12)]!;
        if ((info & 0xf) !== STT_FUNC) continue;
        const name = names.get(r.u32(at));
        if (!name) continue;
        const shndx = r.u16(at + (elf.is64 ? 6 : 14));
        (shndx === 0 ? imported : defined).add(name);
      }
    }
    // Imports are few; the defined functions may be millions.
    for (const n of imported) if (defined.has(n)) imported.delete(n);
    return { machine: elf.machine, defined, imported, hasSymtab };
  });
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

/** The index of the first NUL at or after `at`, or the end of the bytes when there is none. */
function nulAfter(b: Uint8Array, at: number): number {
  const i = b.indexOf(0, at);
  return i < 0 ? b.length : i;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** The text from `at` to the next NUL (or the end of the bytes); '' past the end. */
function cString(b: Uint8Array, at: number): string {
  if (at >= b.length) return '';
  return decoder.decode(b.subarray(at, nulAfter(b, at)));
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
  | { readonly file: string; readonly info: ElfUsdtInfo }
  | { readonly file: string; readonly error: string; readonly limit?: boolean };

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
  | { readonly file: string; readonly functions: ElfFunctions }
  | { readonly file: string; readonly error: string; readonly limit?: boolean };
