// SPDX-License-Identifier: Apache-2.0
/**
 * Real git repositories made by tests: a `git` runner that ignores the machine's configuration
 * (no global or system file, a fixed author), and a snapshot of `.git` to prove a repository was
 * never written.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

/** Whether `git` runs here. */
export const HAVE_GIT = spawnSync('git', ['--version']).status === 0;

/** The `skip` option of a suite that needs git. */
export const SKIP_WITHOUT_GIT: false | string = HAVE_GIT ? false : 'git is not installed';

/** Runs git in `cwd` and returns its trimmed output; throws with git's message when it fails. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Every file under `dir/.git` with its size, modification time and content hash. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        const hash = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        out.set(path.relative(dir, p), `${st.size}:${st.mtimeMs}:${hash}`);
      }
    }
  };
  walk(path.join(dir, '.git'));
  return out;
}
