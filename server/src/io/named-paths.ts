// SPDX-License-Identifier: Apache-2.0
/**
 * The files a list of paths written in a workspace file names (a PolicyTest's `policies` and
 * `inventory`): each path is a file, a folder (walked for `.yaml`/`.yml`, plus `.json` snapshots
 * directly in it when asked) or a glob, relative to the folder of the file that names it, as the
 * CLI reads them. In the language server the paths are someone else's words: in an untrusted
 * workspace they must stay inside the workspace folder (see `safe-paths.ts`); files are then read
 * with {@link readSafePath}, which checks each one again.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { compileGlob, expandBraces, hasGlobSyntax } from '../core/glob.js';
import { resolveSafePath, type SafePathOptions } from './safe-paths.js';
import { findYamlFiles } from './workspace-files.js';

/** What a list of written paths names. */
export interface NamedFiles {
  /** Absolute paths, each once, in the order the paths name them. */
  readonly files: string[];
  /** One entry per written path that names nothing (or may not be read), by its index in the list. */
  readonly problems: { readonly index: number; readonly message: string }[];
}

export interface NamedPathOptions extends SafePathOptions {
  /** Also take `.json` files directly inside a named folder (kubectl snapshots beside manifests). */
  readonly json?: boolean;
  /** At most this many files per written path (default 2 000). */
  readonly maxFiles?: number;
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Whether an untrusted workspace may look at a folder (no absolute path, no climbing out, no link out). */
async function folderAllowed(named: string, abs: string, options: SafePathOptions): Promise<string | undefined> {
  if (options.trusted) return undefined;
  if (path.isAbsolute(named) || named.startsWith('~'))
    return 'absolute paths are not allowed in an untrusted workspace';
  const workspace = path.resolve(options.workspace);
  if (!inside(workspace, abs)) return 'it leaves the workspace folder, which an untrusted workspace may not do';
  try {
    const real = await fsp.realpath(abs);
    const realWorkspace = await fsp.realpath(workspace);
    if (!inside(realWorkspace, real))
      return 'a symbolic link leads out of the workspace folder, which an untrusted workspace may not do';
  } catch {
    // A missing folder is reported by the caller.
  }
  return undefined;
}

/** The YAML files below a folder (and its `.json` files when asked), sorted. */
async function folderFiles(abs: string, options: NamedPathOptions): Promise<string[]> {
  const found = await findYamlFiles(abs, { maxFiles: options.maxFiles ?? 2000 });
  const out = [...found.files];
  if (options.json) {
    try {
      for (const e of (await fsp.readdir(abs, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      ))
        if (e.isFile() && /\.json$/i.test(e.name)) out.push(path.join(abs, e.name));
    } catch {
      // An unreadable folder names no files.
    }
  }
  return out;
}

/**
 * Expands written paths into files. A path that exists is a file or a folder; otherwise a path with
 * glob syntax is matched below its literal folder. Never rejects.
 */
export async function expandNamedPaths(
  written: readonly string[],
  base: string,
  options: NamedPathOptions,
): Promise<NamedFiles> {
  const files: string[] = [];
  const seen = new Set<string>();
  const problems: { index: number; message: string }[] = [];
  const add = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    files.push(f);
  };
  for (const [index, named] of written.entries()) {
    const abs = path.resolve(base, named);
    let stat: import('node:fs').Stats | undefined;
    try {
      stat = await fsp.stat(abs);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const refused = await folderAllowed(named, abs, options);
      if (refused) problems.push({ index, message: `${named}: ${refused}` });
      else {
        const found = await folderFiles(abs, options);
        if (found.length === 0) problems.push({ index, message: `no YAML files in ${named}` });
        found.forEach(add);
      }
      continue;
    }
    if (stat) {
      const checked = resolveSafePath(named, base, options);
      if (!checked.ok) problems.push({ index, message: `${named}: ${checked.reason}` });
      else add(abs);
      continue;
    }
    if (!hasGlobSyntax(named)) {
      problems.push({ index, message: `${named}: no such file or folder` });
      continue;
    }
    let matched = 0;
    for (const pattern of expandBraces(named)) {
      const glob = compileGlob(pattern);
      const root = path.resolve(base, glob.base || '.');
      const refused = await folderAllowed(glob.base || '.', root, options);
      if (refused) {
        problems.push({ index, message: `${named}: ${refused}` });
        matched = -1;
        break;
      }
      const walked = await findYamlFiles(root, {
        maxFiles: options.maxFiles ?? 2000,
        ...(Number.isFinite(glob.maxDepth) ? { maxDepth: glob.maxDepth } : {}),
      });
      for (const f of walked.files) {
        const rel = path.relative(root, f).split(path.sep).join('/');
        if (!glob.regex.test(rel)) continue;
        matched++;
        add(f);
      }
    }
    if (matched === 0) problems.push({ index, message: `no files match ${named}` });
  }
  return { files, problems };
}
