// SPDX-License-Identifier: Apache-2.0
/**
 * "Lint Workspace" decisions that need no editor: which YAML files of a folder its `.gitignore`
 * files leave out (the `ignore` package reads them as git does, nested files included), the
 * batches sent to the server, and the words of the progress and the result. `files.exclude` is
 * applied by VS Code's own file search before this.
 */
import ignore, { type Ignore } from 'ignore';

/** A `.gitignore` file of a folder: `dir` is its directory relative to the folder (`''` at the root, `/`-separated). */
export interface GitignoreFile {
  readonly dir: string;
  readonly text: string;
}

/**
 * A test for paths relative to the folder (`/`-separated): true when some `.gitignore` above the
 * path ignores it (a nested file's patterns apply relative to its own directory).
 */
export function gitignoreFilter(files: readonly GitignoreFile[]): (relative: string) => boolean {
  const rules: { dir: string; ig: Ignore }[] = files
    .map((f) => ({ dir: f.dir.replace(/^\/+|\/+$/g, ''), ig: ignore().add(f.text) }))
    .sort((a, b) => a.dir.length - b.dir.length);
  return (relative: string): boolean => {
    const path = relative.replace(/^\/+/, '');
    for (const { dir, ig } of rules) {
      if (dir !== '' && !path.startsWith(`${dir}/`)) continue;
      const inner = dir === '' ? path : path.slice(dir.length + 1);
      if (inner !== '' && ig.ignores(inner)) return true;
    }
    return false;
  };
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
