// SPDX-License-Identifier: Apache-2.0
/** Where things are, seen from the compiled tests in `out/test/...`. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schemas'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`repository root not found above ${start}`);
    dir = parent;
  }
}

/** The repository root. */
export const REPO_ROOT = findRoot(__dirname);

/** The `../shared` folder beside the repository, when it exists (upstream CRDs, examples, reference). */
export const SHARED_DIR: string | undefined = (() => {
  const candidates = [process.env['CILIUM_POLICY_SHARED'], path.resolve(REPO_ROOT, '..', 'shared')];
  return candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'upstream')));
})();

/** The message every test prints when it cannot run for lack of `../shared`. */
export const NO_SHARED = `../shared not found next to ${REPO_ROOT} (set CILIUM_POLICY_SHARED to point at it): upstream-data tests are skipped`;

/** A path inside `../shared`, or undefined when the folder is absent. */
export function shared(...parts: string[]): string | undefined {
  return SHARED_DIR ? path.join(SHARED_DIR, ...parts) : undefined;
}

/** Every `.yaml`/`.yml` file below a folder, sorted. */
export function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
