// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the binaries a TracingPolicy names (`usdts[].path`, `uprobes[].path`), for the checks that
 * need them (`tetragon/usdt-probe`, `tetragon/uprobe-symbol`): the path is looked up below a root
 * folder on this machine (`/` by default: the machine the editor or CLI runs on; a folder such as
 * an unpacked container image otherwise). Only regular files are opened, only read (never
 * executed), and only their ELF headers and the sections asked for. Results are cached per file
 * and re-read when the file changes.
 *
 * Reading is bounded: the ELF readers are linear and stop at {@link ELF_LIMITS}, and each binary
 * has a time budget ({@link READ_BUDGET_MS}). The CLI reads synchronously (it has nothing else to
 * do, and its output must not depend on timing). The language server reads in the background
 * (`background: true`): asynchronous reads, and the reader yields to the event loop every few
 * milliseconds, so requests are answered while a large or hostile binary is read; a lint or hover
 * that needs a binary waits for it with {@link withBinaries}, so what it publishes is what the CLI prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ELF_LIMITS,
  functionSymbolSteps,
  runElfSteps,
  usdtProbeSteps,
  type BinaryLookup,
  type BinaryLookupResult,
  type ByteSource,
  type ElfLimits,
  type ElfSteps,
  type ElfUsdtError,
  type FunctionsLookupResult,
} from '../core/elf.js';

/** How long a cached answer is trusted before the file is looked at again. */
const RECHECK_MS = 1000;
const MAX_CACHED = 256;
/** How often a watched binary is polled for changes (see {@link LocalBinaries.constructor}). */
const WATCH_INTERVAL_MS = 2000;

/** How long reading one binary may take before it is given up, with a `limit` error saying so. */
export const READ_BUDGET_MS = 10_000;
/** In the background, the reader yields to the event loop after this much work. */
const SLICE_MS = 8;

/** What is read from a file: its USDT probes, or its function symbols. */
type Reading = 'usdt' | 'functions';

/** How a {@link LocalBinaries} reads. */
export interface BinaryReadOptions {
  /**
   * Read in the background (the language server): a lookup of a binary not read yet starts the
   * read and answers undefined; {@link withBinaries} waits for it. Default false: read at once.
   */
  readonly background?: boolean;
  /** The time budget per binary, in milliseconds (default {@link READ_BUDGET_MS}). */
  readonly budgetMs?: number;
  /** The size limits per binary (default {@link ELF_LIMITS}). */
  readonly limits?: ElfLimits;
}

interface Cached {
  /** Identity of the file version read (device, inode, size, modification time), or why none was. */
  readonly stamp: string;
  /** The file's size, when it may be read. */
  readonly size?: number;
  readonly checkedAt: number;
  readonly usdt?: BinaryLookupResult | undefined;
  readonly functions?: FunctionsLookupResult | undefined;
}

/** A {@link BinaryLookup} over the files below `root`. */
export class LocalBinaries implements BinaryLookup {
  private readonly cache = new Map<string, Cached>();
  private readonly watched = new Set<string>();
  private readonly root: string;
  /** Background reads in flight, by `reading:file`. */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Background reads run one after another, so two large binaries never sit in memory at once. */
  private queue: Promise<void> = Promise.resolve();
  /** While {@link tracked} runs: the reads its lookups wait on. */
  private tracking: Promise<void>[] | undefined;
  private readonly background: boolean;
  private readonly budgetMs: number;
  private readonly limits: ElfLimits;

  /**
   * `root`: an absolute folder; a policy path `/usr/bin/app` is read as `<root>/usr/bin/app`.
   * `onChange`, when given, is called after a binary that was looked up changes on disk (a
   * rebuild, or a first build), so the language server can lint again; files are polled with
   * `fs.watchFile`, which works the same on every file system and never keeps the process alive.
   */
  constructor(
    root: string,
    private readonly onChange?: (file: string) => void,
    options: BinaryReadOptions = {},
  ) {
    this.root = path.resolve(root);
    this.background = options.background ?? false;
    this.budgetMs = options.budgetMs ?? READ_BUDGET_MS;
    this.limits = options.limits ?? ELF_LIMITS;
  }

  /** True while background reads are in flight. */
  get pending(): boolean {
    return this.inflight.size > 0;
  }

  /** Resolves once no background read is in flight. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight.values());
  }

  /**
   * Runs `compute` and returns its result with the background reads its lookups started or found
   * in flight (none when every binary it named was already read).
   */
  tracked<T>(compute: () => T): { result: T; reads: Promise<void>[] } {
    const outer = this.tracking;
    const reads: Promise<void>[] = [];
    this.tracking = reads;
    try {
      return { result: compute(), reads };
    } finally {
      this.tracking = outer;
    }
  }

  /** Stops watching every file. */
  dispose(): void {
    for (const f of this.watched) fs.unwatchFile(f);
    this.watched.clear();
  }

  /** The file on this machine that stands for a policy path, or undefined for a relative path. */
  localPath(policyPath: string): string | undefined {
    if (!policyPath.startsWith('/') || policyPath.includes('\0')) return undefined;
    // Normalising first keeps `..` from climbing out of the root.
    return path.join(this.root, path.posix.normalize(policyPath));
  }

  usdt(policyPath: string): BinaryLookupResult | undefined {
    return this.lookup(policyPath, 'usdt');
  }

  functions(policyPath: string): FunctionsLookupResult | undefined {
    return this.lookup(policyPath, 'functions');
  }

  private lookup<R extends Reading>(policyPath: string, reading: R): Cached[R] {
    const file = this.localPath(policyPath);
    if (!file) return undefined;
    const now = Date.now();
    let entry = this.cache.get(file);
    if (!entry || now - entry.checkedAt >= RECHECK_MS) {
      const seen = look(file, this.root);
      // The same file as before keeps what was read of it; another one starts afresh.
      entry = entry && entry.stamp === seen.stamp ? { ...entry, checkedAt: now } : { ...seen, checkedAt: now };
      this.remember(file, entry);
    }
    if (!(reading in entry)) {
      const size = entry.size;
      if (size !== undefined && this.background) {
        this.readLater(file, entry.stamp, size, reading);
        return undefined;
      }
      const result = size === undefined ? undefined : readNow(file, size, reading, this.budgetMs, this.limits);
      entry = { ...entry, [reading]: result } as Cached;
      this.remember(file, entry);
    }
    return entry[reading];
  }

  /** Starts (or joins) a background read; its result is cached if the file is still the same version. */
  private readLater(file: string, stamp: string, size: number, reading: Reading): void {
    const key = `${reading}:${file}`;
    let read = this.inflight.get(key);
    if (!read) {
      const job = async (): Promise<void> => {
        const result = await readInBackground(file, size, reading, this.budgetMs, this.limits);
        const entry = this.cache.get(file);
        if (entry && entry.stamp === stamp) this.remember(file, { ...entry, [reading]: result } as Cached);
      };
      read = this.queue.then(job).finally(() => this.inflight.delete(key));
      this.queue = read.catch(() => undefined);
      this.inflight.set(key, read);
    }
    this.tracking?.push(read);
  }

  private remember(file: string, entry: Cached): void {
    if (this.cache.size >= MAX_CACHED && !this.cache.has(file)) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
      if (this.watched.delete(oldest)) fs.unwatchFile(oldest);
    }
    this.cache.set(file, entry);
    // Watched also while missing: a binary that appears (the first build) is news too.
    this.watch(file);
  }

  private watch(file: string): void {
    if (!this.onChange || this.watched.has(file)) return;
    this.watched.add(file);
    fs.watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
      this.cache.delete(file);
      this.onChange?.(file);
    });
  }
}

/**
 * A regular file that may be read: its stamp `dev:ino:size:mtime` and its size. Otherwise a stamp
 * saying why not and no size: devices, FIFOs and folders are never opened (reading one could
 * block or mean nothing), nor is a file whose real location leaves a root other than `/`.
 */
function look(file: string, root: string): { stamp: string; size?: number } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { stamp: 'missing' };
  }
  if (!stat.isFile()) return { stamp: 'not-a-file' };
  if (root !== path.parse(root).root && !insideRoot(root, file)) return { stamp: 'outside' };
  return { stamp: `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`, size: stat.size };
}

/** True when the real location of `file` (symbolic links followed) is below `root`. */
function insideRoot(root: string, file: string): boolean {
  try {
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(root);
    return real === realRoot || real.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}

type ReadResult = BinaryLookupResult | FunctionsLookupResult;

function stepsFor(reading: Reading, size: number, limits: ElfLimits): ElfSteps<unknown> {
  return reading === 'usdt' ? usdtProbeSteps(size, limits) : functionSymbolSteps(size, limits);
}

function resultOf(file: string, reading: Reading, r: unknown): ReadResult {
  if (r !== null && typeof r === 'object' && 'error' in r) {
    const e = r as ElfUsdtError;
    return { file, error: e.error, ...(e.limit ? { limit: true } : {}) };
  }
  return reading === 'usdt'
    ? ({ file, info: r } as BinaryLookupResult)
    : ({ file, functions: r } as FunctionsLookupResult);
}

const tooSlow = (budgetMs: number): string => `too slow to read (more than ${budgetMs / 1000} s)`;

const openError = (file: string, e: unknown): ReadResult => ({
  file,
  error: `could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
});

/** Reads a binary at once (the CLI): synchronous reads, stopped at the time budget. */
function readNow(file: string, size: number, reading: Reading, budgetMs: number, limits: ElfLimits): ReadResult {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const handle = fd;
    const src: ByteSource = {
      size,
      read(offset, length) {
        const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        let done = 0;
        while (done < buf.length) {
          const n = fs.readSync(handle, buf, done, buf.length - done, offset + done);
          if (n === 0) break;
          done += n;
        }
        return buf.subarray(0, done);
      },
    };
    const started = Date.now();
    const r = runElfSteps(stepsFor(reading, size, limits), src, () =>
      Date.now() - started > budgetMs ? tooSlow(budgetMs) : undefined,
    );
    return resultOf(file, reading, r);
  } catch (e) {
    return openError(file, e);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Reads a binary without holding the event loop (the language server): asynchronous reads, and a
 * turn of the event loop whenever the reader has worked for {@link SLICE_MS}; stopped at the time budget.
 */
async function readInBackground(
  file: string,
  size: number,
  reading: Reading,
  budgetMs: number,
  limits: ElfLimits,
): Promise<ReadResult> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const steps = stepsFor(reading, size, limits);
    const started = Date.now();
    let slice = started;
    let input: Uint8Array | undefined;
    for (;;) {
      const r = steps.next(input);
      if (r.done) return resultOf(file, reading, r.value);
      input = undefined;
      if (r.value !== 'pause') {
        const { offset, length } = r.value;
        const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        let done = 0;
        while (done < buf.length) {
          const { bytesRead } = await handle.read(buf, done, buf.length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        input = buf.subarray(0, done);
        slice = Date.now();
      } else if (Date.now() - slice >= SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
      if (Date.now() - started > budgetMs) {
        steps.return({ error: tooSlow(budgetMs), limit: true });
        return { file, error: tooSlow(budgetMs), limit: true };
      }
    }
  } catch (e) {
    return openError(file, e);
  } finally {
    await handle?.close();
  }
}

/**
 * Runs `compute` (a lint, a hover, a completion that may look binaries up) and, when it named a
 * binary that a background {@link LocalBinaries} has not read yet, waits for those reads and runs
 * it again, so the answer is the one the CLI gives. Other requests are answered meanwhile. With
 * any other lookup (or none) `compute` runs once.
 */
export async function withBinaries<T>(lookup: BinaryLookup | undefined, compute: () => T): Promise<T> {
  if (!(lookup instanceof LocalBinaries)) return compute();
  let { result, reads } = lookup.tracked(compute);
  // A second round only meets binaries named by what the first one read; a few rounds suffice.
  for (let round = 0; round < 4 && reads.length > 0; round++) {
    await Promise.all(reads);
    ({ result, reads } = lookup.tracked(compute));
  }
  return result;
}

/** A lookup for a `binaryRoot` setting: undefined (no lookups) for an empty setting. */
export function binaryLookupFor(root: string): LocalBinaries | undefined {
  return root === '' ? undefined : new LocalBinaries(root);
}
