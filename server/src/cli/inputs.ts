// SPDX-License-Identifier: Apache-2.0
/**
 * Turns the CLI's arguments (files, folders, globs, `-`) into the list of inputs to lint,
 * and reads an input's text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_FILE_BYTES, parseFile, type PolicyFile } from '../core/document.js';
import { combineInventories, inventoryFromKubectlJson, InventoryIndex, type Inventory } from '../core/inventory.js';
import { describeError, type CliIO } from './common.js';
import { errorLine } from './format.js';
import { compileGlob, expandBraces, hasGlobSyntax } from './glob.js';

/** What stdin is called in output. */
export const STDIN_NAME = '<stdin>';

/** Folders never entered by a folder walk or a glob: dependencies and version-control data. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);

/** The extensions a folder walk picks up. */
const YAML_FILE = /\.ya?ml$/i;

/** One thing to lint. */
export interface Input {
  /** The name shown in output: the path as given (or found below what was given), or `<stdin>`. */
  readonly display: string;
  /** The file to read; undefined for stdin. */
  readonly file: string | undefined;
}

/** The expanded inputs plus the problems met on the way (missing files, unreadable folders). */
export interface Expansion {
  readonly inputs: Input[];
  readonly errors: string[];
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'not a directory',
    EISDIR: 'is a directory',
    ELOOP: 'too many symbolic links',
  };
  return (err.code && reasons[err.code]) ?? err.message ?? String(e);
}

/** Joins a shown prefix and a relative path with `/`, keeping the prefix exactly as the user wrote it. */
function joinDisplay(prefix: string, rel: string): string {
  if (prefix === '' || prefix === '.') return rel;
  return prefix.endsWith('/') || prefix.endsWith(path.sep) ? prefix + rel : `${prefix}/${rel}`;
}

interface Walker {
  /** Folders already entered (by real path), so symbolic-link loops end. */
  readonly seen: Set<string>;
  readonly errors: string[];
}

/**
 * Lists every file below a folder as paths relative to it (with `/`), sorted, skipping `SKIPPED_DIRS`.
 * Symbolic links are followed; each real folder is entered once.
 */
function walk(root: string, shown: string, w: Walker, maxDepth: number, accept: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const visit = (rel: string, depth: number): void => {
    const abs = rel ? path.join(root, rel) : root;
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync(abs);
      if (w.seen.has(real)) return;
      w.seen.add(real);
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      w.errors.push(`cannot read directory ${joinDisplay(shown, rel) || '.'}: ${errorText(e)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(path.join(root, childRel));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          // A dangling link is not a file to lint.
          continue;
        }
      }
      if (isDir) {
        if (!SKIPPED_DIRS.has(entry.name) && depth < maxDepth) visit(childRel, depth + 1);
      } else if (isFile && accept(childRel)) {
        out.push(childRel);
      }
    }
  };
  visit('', 0);
  return out;
}

/**
 * Expands the arguments in order. A path that exists is taken literally (a file as is, a folder
 * walked for `.yaml`/`.yml` files); otherwise an argument with glob syntax is matched; `-` is stdin.
 * Each file is listed once even when several arguments name it.
 */
export function expandInputs(args: readonly string[], cwd: string): Expansion {
  const inputs: Input[] = [];
  const errors: string[] = [];
  const listed = new Set<string>();
  let stdin = false;
  const add = (display: string, file: string): void => {
    const key = path.resolve(cwd, file);
    if (listed.has(key)) return;
    listed.add(key);
    inputs.push({ display, file: key });
  };
  for (const arg of args) {
    if (arg === '-') {
      if (!stdin) inputs.push({ display: STDIN_NAME, file: undefined });
      stdin = true;
      continue;
    }
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(abs);
    } catch (e) {
      if (!hasGlobSyntax(arg)) {
        errors.push(`cannot read ${arg}: ${errorText(e)}`);
        continue;
      }
    }
    if (stat?.isDirectory()) {
      const w: Walker = { seen: new Set(), errors };
      for (const rel of walk(abs, arg, w, Infinity, (r) => YAML_FILE.test(r)))
        add(joinDisplay(arg, rel), path.join(abs, rel));
    } else if (stat) {
      add(arg, abs);
    } else {
      let matched = 0;
      for (const pattern of expandBraces(arg)) {
        const glob = compileGlob(pattern);
        const baseAbs = path.resolve(cwd, glob.base || '.');
        let baseStat: fs.Stats | undefined;
        try {
          baseStat = fs.statSync(baseAbs);
        } catch {
          // A brace alternative whose folder does not exist simply matches nothing.
          continue;
        }
        if (!baseStat.isDirectory()) continue;
        const w: Walker = { seen: new Set(), errors };
        for (const rel of walk(baseAbs, glob.base, w, glob.maxDepth, (r) => glob.regex.test(r))) {
          matched++;
          add(joinDisplay(glob.base, rel), path.join(baseAbs, rel));
        }
      }
      if (matched === 0) errors.push(`no files match ${arg}`);
    }
  }
  return { inputs, errors };
}

/**
 * Reads a file's text the way an editor would show it: UTF-8, a byte-order mark dropped, bad bytes
 * replaced. Files far beyond the size limit are read only in part: the prefix is already longer than
 * the limit, so the core skips it exactly as it skips any oversized text.
 */
export function readInputFile(file: string): string {
  const limit = MAX_FILE_BYTES * 3 + 16;
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > limit) {
      const buf = Buffer.alloc(limit);
      const n = fs.readSync(fd, buf, 0, limit, 0);
      return decode(buf.subarray(0, n));
    }
    return decode(fs.readFileSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads all of stdin. */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return decode(Buffer.concat(chunks));
}

const decoder = new TextDecoder('utf-8');

function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// Inputs of the commands that judge policies (test, replay, coverage, diff, lint's inventory)

/** A failure that ends the run with status 2. */
export class InputFailure extends Error {}

/** `/`-separated path relative to the working directory (or absolute when outside it). */
export function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === '' ? '.' : rel.startsWith('..') ? abs : rel).split(path.sep).join('/');
}

/** Files read during a run, parsed once. */
export class FileCache {
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, PolicyFile>();
  constructor(private readonly cwd: string) {}

  text(abs: string): string {
    let t = this.texts.get(abs);
    if (t === undefined) {
      try {
        // A PolicyTest can name any path: a device (`/dev/zero`), a FIFO or a socket would block the
        // run or never end, so only regular files are read (stat does not open, so it cannot block).
        if (!fs.statSync(abs).isFile())
          throw new InputFailure(
            `cannot read ${displayPath(this.cwd, abs)}: not a regular file (a device, pipe or socket)`,
          );
        t = readInputFile(abs);
      } catch (e) {
        if (e instanceof InputFailure) throw e;
        throw new InputFailure(`cannot read ${displayPath(this.cwd, abs)}: ${describeError(e)}`);
      }
      this.texts.set(abs, t);
    }
    return t;
  }

  file(abs: string): PolicyFile {
    let p = this.parsed.get(abs);
    if (!p) {
      p = parseFile(this.text(abs));
      this.parsed.set(abs, p);
    }
    return p;
  }
}

/** The files named by paths (files, folders, globs) resolved against `base`; a path that matches nothing fails. */
export function filesOf(paths: readonly string[], base: string, what: string): string[] {
  const found = expandInputs(paths, base);
  if (found.errors.length > 0) throw new InputFailure(found.errors.map((e) => `${what}: ${e}`).join('\n'));
  return found.inputs.filter((i) => i.file !== undefined).map((i) => i.file as string);
}

/** An inventory from paths: `.json` files are kubectl snapshots, everything else manifests. */
export function loadInventory(paths: readonly string[], base: string, cache: FileCache, io: CliIO): Inventory {
  const manifests = new InventoryIndex();
  const parts: Inventory[] = [];
  for (const p of paths) {
    for (const file of filesOfAny(p, base)) {
      const text = cache.text(file);
      if (/\.json$/i.test(file)) {
        const r = inventoryFromKubectlJson(text, 'snapshot');
        if (!r.ok) throw new InputFailure(`${displayPath(io.cwd, file)}: ${r.error}`);
        for (const w of r.warnings) io.stderr(errorLine(`warning: ${displayPath(io.cwd, file)}: ${w}`));
        parts.push(r.inventory);
      } else manifests.update(displayPath(io.cwd, file), text);
    }
  }
  const inv = manifests.snapshot();
  return combineInventories([inv, ...parts], `${paths.join(', ')}`);
}

/** Like {@link filesOf}, but a `.json` file is taken even though folder walks only pick YAML. */
function filesOfAny(p: string, base: string): string[] {
  const abs = path.resolve(base, p);
  try {
    if (fs.statSync(abs).isFile()) return [abs];
  } catch {
    // a folder or a glob
  }
  const found = expandInputs([p], base);
  if (found.errors.length > 0) throw new InputFailure(found.errors.map((e) => `inventory: ${e}`).join('\n'));
  const out = found.inputs.filter((i) => i.file !== undefined).map((i) => i.file as string);
  // A folder walk lists YAML files; snapshots saved as JSON beside them count too.
  try {
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) if (/\.json$/i.test(name)) out.push(path.join(abs, name));
    }
  } catch {
    // not a folder
  }
  return out;
}

/**
 * The inventory of a command that reads policy paths: the `--inventory` paths when given, else the
 * manifests among the files read (`files`, absolute), named as shown.
 */
export function commandInventory(
  inventoryPaths: readonly string[],
  files: readonly string[],
  cache: FileCache,
  io: CliIO,
): Inventory {
  if (inventoryPaths.length > 0) return loadInventory(inventoryPaths, io.cwd, cache, io);
  const index = new InventoryIndex();
  for (const f of files) index.update(displayPath(io.cwd, f), cache.text(f));
  return index.snapshot();
}
