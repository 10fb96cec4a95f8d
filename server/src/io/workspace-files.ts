// SPDX-License-Identifier: Apache-2.0
/**
 * Asynchronous file access for the language server's inventory: finding the YAML files of a
 * workspace folder and reading one file's text. Asynchronous so a large workspace never blocks
 * requests, and bounded so a huge one cannot exhaust the server.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { MAX_FILE_BYTES } from '../core/document.js';

/** Folders never entered: dependencies and version-control data. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['node_modules', '.git', '.hg', '.svn']);

/** Bounds of one walk. */
export interface WalkLimits {
  /** Stop after this many files (default 10 000). */
  readonly maxFiles?: number;
  /** Do not go deeper than this many folders below the root (default 25). */
  readonly maxDepth?: number;
  /** Skip files larger than this many bytes (default: the core's 5 MB limit). */
  readonly maxBytes?: number;
}

/** What a walk found. */
export interface WalkResult {
  /** Absolute paths of `.yaml`/`.yml` files, sorted per folder. */
  readonly files: string[];
  /** True when `maxFiles` cut the walk short. */
  readonly truncated: boolean;
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * Lists the YAML files below a folder, skipping {@link SKIPPED_DIRECTORIES} and files over the
 * size limit. Symbolic links to folders are not followed (they can loop); unreadable folders are
 * skipped silently. Never rejects.
 */
export async function findYamlFiles(root: string, limits: WalkLimits = {}): Promise<WalkResult> {
  const maxFiles = limits.maxFiles ?? 10_000;
  const maxDepth = limits.maxDepth ?? 25;
  const maxBytes = limits.maxBytes ?? MAX_FILE_BYTES;
  const files: string[] = [];
  let truncated = false;
  const visit = async (dir: string, depth: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (files.length >= maxFiles) {
        truncated = true;
        return;
      }
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(e.name) && depth < maxDepth) await visit(full, depth + 1);
        continue;
      }
      if (!YAML_FILE.test(e.name) || !(e.isFile() || e.isSymbolicLink())) continue;
      try {
        const st = await fsp.stat(full);
        if (st.isFile() && st.size <= maxBytes) files.push(full);
      } catch {
        // A dangling link or a file that vanished meanwhile.
      }
    }
  };
  await visit(root, 0);
  return { files, truncated };
}

const decoder = new TextDecoder('utf-8');

/**
 * Reads a file as UTF-8 (byte-order mark dropped, bad bytes replaced). Resolves to undefined when
 * the file is missing, unreadable, not a file, or larger than `maxBytes`.
 */
export async function readTextFile(file: string, maxBytes: number = MAX_FILE_BYTES): Promise<string | undefined> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    return decoder.decode(await fsp.readFile(file));
  } catch {
    return undefined;
  }
}

/** Why a file could not be read, in words (for error statuses). */
export async function describeUnreadable(file: string, maxBytes: number): Promise<string> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return `${file} is not a file`;
    if (st.size > maxBytes) return `${file} is larger than ${Math.round(maxBytes / (1024 * 1024))} MB`;
    return `${file} could not be read`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${file} does not exist`;
    if (code === 'EACCES' || code === 'EPERM') return `${file} cannot be read (permission denied)`;
    return `${file} could not be read (${(e as Error).message})`;
  }
}
