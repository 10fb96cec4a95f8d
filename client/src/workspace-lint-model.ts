// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace" decisions that need no editor: which YAML files of a folder its `.gitignore`
 * files leave out (the `ignore` package reads them as git does, nested files included), what the
 * repository's `.git/info/exclude` and the user's global excludes file (`core.excludesFile`, read
 * from the git config files, never by running git) leave out, the batches sent to the server,
 * and the words of the progress and the result. `files.exclude` is applied by VS Code's own file
 * search before this.
 */
import ignore, { type Ignore } from 'ignore';

/** A `.gitignore` file of a folder: `dir` is its directory relative to the folder (`''` at the root, `/`-separated). */
export interface GitignoreFile {
  readonly dir: string;
  readonly text: string;
}

/**
 * Patterns that apply to a whole repository, with less weight than its `.gitignore` files: the
 * user's global excludes file, then `.git/info/exclude` (later texts win over earlier ones).
 * `prefix` is the folder's path below the repository root (`''` when the folder is the root).
 */
export interface RepositoryExcludes {
  readonly prefix: string;
  readonly texts: readonly string[];
}

/**
 * A test for paths relative to the folder (`/`-separated): true when some `.gitignore` above the
 * path ignores it (a nested file's patterns apply relative to its own directory), or, when no
 * `.gitignore` re-includes it with a `!` pattern, the repository's excludes do.
 */
export function gitignoreFilter(
  files: readonly GitignoreFile[],
  excludes?: RepositoryExcludes,
): (relative: string) => boolean {
  const rules: { dir: string; ig: Ignore }[] = files
    .map((f) => ({ dir: f.dir.replace(/^\/+|\/+$/g, ''), ig: ignore().add(f.text) }))
    .sort((a, b) => a.dir.length - b.dir.length);
  // Highest precedence first: `.git/info/exclude` over the global file.
  const repo = (excludes?.texts ?? []).map((t) => ignore().add(t)).reverse();
  const prefix = (excludes?.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return (relative: string): boolean => {
    const path = relative.replace(/^\/+/, '');
    let reincluded = false;
    for (const { dir, ig } of rules) {
      if (dir !== '' && !path.startsWith(`${dir}/`)) continue;
      const inner = dir === '' ? path : path.slice(dir.length + 1);
      if (inner === '') continue;
      const r = verdict(ig, inner);
      if (r === 'ignored') return true;
      if (r === 'unignored') reincluded = true;
    }
    if (reincluded || path === '') return false;
    const inRepo = prefix === '' ? path : `${prefix}/${path}`;
    for (const ig of repo) {
      const r = verdict(ig, inRepo);
      if (r === 'ignored') return true;
      if (r === 'unignored') return false;
    }
    return false;
  };
}

/**
 * What one set of patterns says of a path: ignored (itself or a directory above it), re-included
 * by a `!` pattern (itself or a directory above it), or nothing.
 */
function verdict(ig: Ignore, path: string): 'ignored' | 'unignored' | undefined {
  if (ig.test(path).ignored) return 'ignored';
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = i < parts.length ? `${parts.slice(0, i).join('/')}/` : path;
    if (ig.test(p).unignored) return 'unignored';
  }
  return undefined;
}

/**
 * The value of `core.excludesFile` in git config files given in the order git reads them (system,
 * global, repository: the last one set wins), or undefined when none sets it. Reads the INI form
 * git writes (`[core]` then `excludesFile = …`, keys case-insensitive, `#`/`;` comments, quoted
 * values with `\"` and `\\`); `[include]` files are not followed.
 */
export function excludesFileSetting(configTexts: readonly string[]): string | undefined {
  let found: string | undefined;
  for (const text of configTexts) {
    let section = '';
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\](.*)$/.exec(line);
      if (header) {
        section = header[1]!.toLowerCase();
        // `[core] excludesFile = x` on one line is valid git config too.
        line = header[2]!.trim();
        if (line === '') continue;
      }
      if (section !== 'core') continue;
      const entry = /^excludesfile\s*=\s*(.*)$/i.exec(line);
      if (entry) found = configValue(entry[1]!);
    }
  }
  return found === '' ? undefined : found;
}

/** A git config value: quotes removed, escapes read, a comment outside quotes cut. */
function configValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i]!;
      out += n === 't' ? '\t' : n === 'n' ? '\n' : n;
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return out.trim();
}

/**
 * The global excludes file git reads: `core.excludesFile` (a leading `~` is the home directory),
 * else `$XDG_CONFIG_HOME/git/ignore`, else `~/.config/git/ignore`. Paths are `/`-joined.
 */
export function excludesFilePath(setting: string | undefined, env: { home: string; xdgConfigHome?: string }): string {
  if (setting !== undefined) {
    if (setting === '~') return env.home;
    if (setting.startsWith('~/')) return `${env.home.replace(/\/+$/, '')}/${setting.slice(2)}`;
    return setting;
  }
  const xdg = env.xdgConfigHome !== undefined && env.xdgConfigHome !== '' ? env.xdgConfigHome : `${env.home}/.config`;
  return `${xdg.replace(/\/+$/, '')}/git/ignore`;
}

/** URIs of `previous` that `current` no longer holds: the results a finished run leaves stale. */
export function staleUris(previous: Iterable<string>, current: Iterable<string>): string[] {
  const now = new Set(current);
  return [...previous].filter((u) => !now.has(u)).sort();
}

/** `items` in consecutive batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

/** Running totals of a workspace lint. */
export interface LintTotals {
  scanned: number;
  policyFiles: number;
  errors: number;
  warnings: number;
  unreadable: number;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The progress line: `120/400 files · 12 policy files · 3 errors`. */
export function progressText(t: LintTotals, total: number): string {
  return `${t.scanned}/${total} files · ${count(t.policyFiles, 'policy file')} · ${count(t.errors, 'error')}`;
}

/** The closing message. */
export function resultText(t: LintTotals, cancelled: boolean): string {
  const head = cancelled
    ? `Lint Workspace stopped after ${count(t.scanned, 'file')}`
    : `Linted ${count(t.scanned, 'YAML file')}`;
  const unreadable = t.unreadable > 0 ? `; ${count(t.unreadable, 'file')} could not be read` : '';
  return `${head}: ${count(t.policyFiles, 'policy file')} with ${count(t.errors, 'error')} and ${count(t.warnings, 'warning')} (open files are linted as you edit them)${unreadable}.`;
}
