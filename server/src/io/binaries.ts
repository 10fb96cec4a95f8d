// SPDX-License-Identifier: Apache-2.0
/**
 * Reads the binaries a TracingPolicy's `usdts[].path` names, for the USDT checks
 * (`tetragon/usdt-probe`): the path is looked up below a root folder on this machine (`/` by
 * default: the machine the editor or CLI runs on; a folder such as an unpacked container image
 * otherwise). Only regular files are opened, only read (never executed), and only their ELF
 * headers and note sections. Results are cached per file and re-read when the file changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readUsdtProbes, type BinaryLookup, type BinaryLookupResult, type ByteSource } from '../core/usdt.js';

/** How long a cached answer is trusted before the file is looked at again. */
const RECHECK_MS = 1000;
const MAX_CACHED = 256;

interface Cached {
  readonly stamp: string;
  readonly checkedAt: number;
  readonly result: BinaryLookupResult | undefined;
}

/** How often a watched binary is polled for changes (see {@link LocalBinaries.constructor}). */
const WATCH_INTERVAL_MS = 2000;

/** A {@link BinaryLookup} over the files below `root`. */
export class LocalBinaries implements BinaryLookup {
  private readonly cache = new Map<string, Cached>();
  private readonly watched = new Set<string>();
  private readonly root: string;

  /**
   * `root`: an absolute folder; a policy path `/usr/bin/app` is read as `<root>/usr/bin/app`.
   * `onChange`, when given, is called after a binary that was read changes on disk (a rebuild),
   * so the language server can lint again; files are polled with `fs.watchFile`, which works the
   * same on every file system and never keeps the process alive.
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

  private watch(file: string): void {
    if (!this.onChange || this.watched.has(file)) return;
    this.watched.add(file);
    fs.watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, (now, before) => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
      this.cache.delete(file);
      this.onChange?.(file);
    });
  }

  /** The file on this machine that stands for a policy path, or undefined for a relative path. */
  localPath(policyPath: string): string | undefined {
    if (!policyPath.startsWith('/') || policyPath.includes('\0')) return undefined;
    // Normalising first keeps `..` from climbing out of the root.
    return path.join(this.root, path.posix.normalize(policyPath));
  }

  usdt(policyPath: string): BinaryLookupResult | undefined {
    const file = this.localPath(policyPath);
    if (!file) return undefined;
    const now = Date.now();
    const hit = this.cache.get(file);
    if (hit && now - hit.checkedAt < RECHECK_MS) return hit.result;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return this.remember(file, 'missing', now, undefined);
    }
    // Devices, FIFOs and folders are never opened: reading one could block or mean nothing.
    if (!stat.isFile()) return this.remember(file, 'not-a-file', now, undefined);
    if (this.root !== path.parse(this.root).root && !insideRoot(this.root, file)) return this.remember(file, 'outside', now, undefined);
    const stamp = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (hit && hit.stamp === stamp) return this.remember(file, stamp, now, hit.result);
    return this.remember(file, stamp, now, readFile(file, stat.size));
  }

  private remember(file: string, stamp: string, now: number, result: BinaryLookupResult | undefined): BinaryLookupResult | undefined {
    if (this.cache.size >= MAX_CACHED && !this.cache.has(file)) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
      if (this.watched.delete(oldest)) fs.unwatchFile(oldest);
    }
    this.cache.set(file, { stamp, checkedAt: now, result });
    // Watched also while missing: a binary that appears (the first build) is news too.
    this.watch(file);
    return result;
  }
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

function readFile(file: string, size: number): BinaryLookupResult {
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
    const info = readUsdtProbes(src);
    return 'error' in info ? { file, error: info.error } : { file, info };
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
