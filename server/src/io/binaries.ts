// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the binaries a TracingPolicy names (`usdts[].path`, `uprobes[].path`), for the checks that
 * need them (`tetragon/usdt-probe`, `tetragon/uprobe-symbol`): the path is looked up below a root
 * folder on this machine (`/` by default: the machine the editor or CLI runs on; a folder such as
 * an unpacked container image otherwise). Only regular files are opened, only read (never
 * executed), and only their ELF headers and the sections asked for. Results are cached per file
 * and re-read when the file changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  readFunctionSymbols,
  readUsdtProbes,
  type BinaryLookup,
  type BinaryLookupResult,
  type ByteSource,
  type FunctionsLookupResult,
} from '../core/elf.js';

/** How long a cached answer is trusted before the file is looked at again. */
const RECHECK_MS = 1000;
const MAX_CACHED = 256;
/** How often a watched binary is polled for changes (see {@link LocalBinaries.constructor}). */
const WATCH_INTERVAL_MS = 2000;

/** What is read from a file: its USDT probes, or its function symbols. */
type Reading = 'usdt' | 'functions';

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

  /**
   * `root`: an absolute folder; a policy path `/usr/bin/app` is read as `<root>/usr/bin/app`.
   * `onChange`, when given, is called after a binary that was looked up changes on disk (a
   * rebuild, or a first build), so the language server can lint again; files are polled with
   * `fs.watchFile`, which works the same on every file system and never keeps the process alive.
   */
  constructor(
    root: string,
    private readonly onChange?: (file: string) => void,
  ) {
    this.root = path.resolve(root);
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
      const result =
        size === undefined
          ? undefined
          : reading === 'usdt'
            ? readWith(file, size, usdtOf)
            : readWith(file, size, functionsOf);
      entry = { ...entry, [reading]: result };
      this.remember(file, entry);
    }
    return entry[reading];
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

const usdtOf = (file: string, src: ByteSource): BinaryLookupResult => {
  const info = readUsdtProbes(src);
  return 'error' in info ? { file, error: info.error } : { file, info };
};

const functionsOf = (file: string, src: ByteSource): FunctionsLookupResult => {
  const functions = readFunctionSymbols(src);
  return 'error' in functions ? { file, error: functions.error } : { file, functions };
};

/** Opens a file, hands a {@link ByteSource} over it to `read`, and closes it. */
function readWith<T>(
  file: string,
  size: number,
  read: (file: string, src: ByteSource) => T | { file: string; error: string },
): T | { file: string; error: string } {
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
    return read(file, src);
  } catch (e) {
    return { file, error: `could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A lookup for a `binaryRoot` setting: undefined (no lookups) for an empty setting. */
export function binaryLookupFor(root: string): LocalBinaries | undefined {
  return root === '' ? undefined : new LocalBinaries(root);
}
