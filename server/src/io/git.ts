// SPDX-License-Identifier: Apache-2.0
/**
 * Reading files as they were at a git revision, for `cilium-policy diff BASE [HEAD]` and
 * `replay --base`. The one place the tools run a program, so it is held to a few rules:
 *
 * - git is started with an argument array, never through a shell, and revisions and paths are
 *   passed where git cannot take them for options (`--end-of-options`, after `--`, literal pathspecs);
 * - a revision the user gives is checked first ({@link revisionProblem}): nothing starting with `-`,
 *   no ranges (`..`, `...`, `^!`, `^@`), no `:` (`REV:path`, `:/message`, pathspec magic), no blanks or
 *   control characters; it is refused with a message saying why;
 * - only commands that read are run (`rev-parse`, `ls-tree`, `cat-file`, `log`, `for-each-ref`), with `GIT_OPTIONAL_LOCKS=0`
 *   so git does not refresh the index either, no pager, no prompt, no fsmonitor: the repository is
 *   never written;
 * - every run has a time limit and an output limit;
 * - git missing, a folder that is not a repository, an unknown revision: a {@link GitError} with a
 *   `kind` and a message a person can act on (the CLI prints it and exits with status 2).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What went wrong, for callers that react differently (the CLI exits 2 for all of them). */
export type GitErrorKind =
  | 'git-missing'
  | 'not-a-repository'
  | 'unsafe-revision'
  | 'unknown-revision'
  | 'bad-path'
  | 'too-large'
  | 'timeout'
  | 'failed';

/** A failure of the git runner, with a message meant for the user. */
export class GitError extends Error {
  constructor(
    readonly kind: GitErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** The folder to run in (a repository or a folder inside one). */
  readonly cwd: string;
  /** The git program (default `git` from the PATH). */
  readonly git?: string;
  /** Time limit of each git run, in milliseconds (default 30 s). */
  readonly timeoutMs?: number;
  /** The most bytes one git run may print (default 64 MiB). */
  readonly maxOutputBytes?: number;
}

/** One file of a revision's tree. */
export interface GitTreeFile {
  /** Path relative to the repository root, with `/`. */
  readonly path: string;
  /** The blob's object name. */
  readonly object: string;
  /** Size in bytes. */
  readonly size: number;
  /** The git file mode (`100644`, `100755`, `120000` for a symbolic link). */
  readonly mode: string;
}

/** A commit of `recentCommits`. */
export interface GitCommitSummary {
  readonly commit: string;
  /** Committer date, ISO 8601. */
  readonly date: string;
  /** The first line of its message. */
  readonly subject: string;
}

/** A branch or tag of `refs`. */
export interface GitRef {
  /** Short name (`main`, `origin/main`, `v1.2.0`). */
  readonly name: string;
  readonly kind: 'branch' | 'remote' | 'tag';
  /** The object it points at. */
  readonly object: string;
  readonly date: string;
  /** The branch checked out. */
  readonly current: boolean;
}

/**
 * Why a revision given by a user is refused, or undefined when it may be passed to git. Allowed:
 * names (`main`, `origin/main`, `v1.2.0`), object names, and the suffixes `~N`, `^N`, `@{…}`.
 */
export function revisionProblem(rev: string): string | undefined {
  if (rev === '') return 'the revision is empty';
  if (rev.length > 256) return 'the revision is longer than 256 characters';
  if (rev.startsWith('-')) return `"${rev}" starts with "-", which git would read as an option`;
  if (rev.includes('..')) return `"${rev}" is a range; give one revision`;
  if (/\^[!@-]/.test(rev)) return `"${rev}" names a range ("^!", "^@" or "^-"); give one revision`;
  if (rev.includes(':'))
    return `"${rev}" holds ":" (a path inside a revision, a message search or pathspec magic); give a revision`;
  if (/[\s\u0000-\u001f\u007f]/.test(rev)) return `"${rev}" holds a blank or a control character`;
  if (!/^[A-Za-z0-9._/@{}~^+=,-]+$/.test(rev)) return `"${rev}" holds characters that do not belong in a revision name`;
  return undefined;
}

/**
 * Why a path inside the repository is refused, or undefined: it must be relative, with `/`, and stay
 * inside the repository (no `..` segment), without NUL or control characters.
 */
export function repositoryPathProblem(p: string): string | undefined {
  if (p === '' || p === '.') return undefined;
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p))
    return `"${p}" is an absolute path; give one relative to the repository`;
  if (/[\u0000-\u001f\u007f]/.test(p)) return `"${p}" holds a control character`;
  if (p.split('/').includes('..')) return `"${p}" leaves the repository ("..")`;
  return undefined;
}

/** The environment git runs with: read-only, quiet, no prompts, literal paths. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Settings from the caller's environment that would change what git reads or where.
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  return {
    ...env,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    LC_ALL: 'C',
  };
}

/** Options every git run gets: no fsmonitor hook, no replace refs, no lazy fetch of missing objects. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.untrackedCache=false', '--no-replace-objects'];

interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
}

/** Runs git with an argument array (never a shell), bounded in time and output. */
function run(options: GitOptions, args: readonly string[], cwd = options.cwd): Promise<RunResult> {
  const git = options.git ?? 'git';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(git, [...SAFE_CONFIG, ...args], {
        cwd,
        env: gitEnv(),
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      reject(spawnError(git, e));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: GitError | undefined;
    const timer = setTimeout(() => {
      failure = new GitError('timeout', `git ${args[0]} did not finish within ${Math.round(timeoutMs / 1000)} s`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > maxOutput) {
        failure ??= new GitError('too-large', `git ${args[0]} printed more than ${maxOutput} bytes`);
        child.kill('SIGKILL');
        return;
      }
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(spawnError(git, e));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(out, Math.min(outBytes, maxOutput)), stderr: err.trim(), code });
    });
  });
}

function spawnError(git: string, e: unknown): GitError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new GitError(
      'git-missing',
      `git is not installed (or "${git}" is not on the PATH); it is needed to read other revisions`,
    );
  return new GitError('failed', `git could not be started: ${(e as Error).message}`);
}

/** The first line of git's complaint, for messages. */
function firstLine(stderr: string): string {
  return stderr.split('\n')[0]?.replace(/^(fatal|error): /, '') ?? '';
}

/** A git repository opened for reading. */
export class GitRepository {
  private constructor(
    private readonly options: GitOptions,
    /** The repository's top folder. */
    readonly root: string,
    /** The folder the repository was opened from. */
    readonly cwd: string,
  ) {}

  /**
   * Finds the repository that holds `options.cwd`. Rejects with a {@link GitError}: `git-missing`
   * when git cannot be run, `not-a-repository` outside a repository (or one git refuses, such as a
   * repository owned by another user).
   */
  static async open(options: GitOptions): Promise<GitRepository> {
    const r = await run(options, ['rev-parse', '--show-toplevel']);
    if (r.code !== 0) {
      const why = firstLine(r.stderr);
      throw new GitError(
        'not-a-repository',
        `${options.cwd} is not in a git repository${why && !/not a git repository/i.test(why) ? ` (${why})` : ''}`,
      );
    }
    const root = r.stdout.toString('utf8').trim();
    let cwd = options.cwd;
    try {
      // git prints the real path of the top folder; compare like with like.
      cwd = fs.realpathSync.native(options.cwd);
    } catch {
      // Keep the folder as given.
    }
    return new GitRepository({ ...options, cwd: root }, root, cwd);
  }

  /** The commit a revision names (its full object name). Refuses unsafe revisions; rejects unknown ones. */
  async resolve(rev: string): Promise<string> {
    const problem = revisionProblem(rev);
    if (problem) throw new GitError('unsafe-revision', `cannot use revision: ${problem}`);
    const r = await run(this.options, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    const sha = r.stdout.toString('utf8').trim();
    if (r.code !== 0 || !/^[0-9a-f]{40,64}$/.test(sha))
      throw new GitError('unknown-revision', `"${rev}" is not a commit in ${this.root}`);
    return sha;
  }

  /**
   * The files of a commit below the given paths (relative to the repository root; none or `.` for
   * all), sorted by path. Paths are taken literally (no glob or pathspec magic).
   */
  async listFiles(commit: string, paths: readonly string[] = []): Promise<GitTreeFile[]> {
    if (!/^[0-9a-f]{40,64}$/.test(commit))
      throw new GitError('unsafe-revision', 'listFiles takes a commit name from resolve()');
    for (const p of paths) {
      const problem = repositoryPathProblem(p);
      if (problem) throw new GitError('bad-path', `cannot read path: ${problem}`);
    }
    const r = await run(this.options, ['ls-tree', '-r', '-z', '--long', '--full-tree', commit, '--', ...paths]);
    if (r.code !== 0) throw new GitError('failed', `git ls-tree failed: ${firstLine(r.stderr)}`);
    const files: GitTreeFile[] = [];
    for (const entry of r.stdout.toString('utf8').split('\0')) {
      // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
      const m = /^(\d{6}) (\w+) ([0-9a-f]{40,64}) +(\d+|-)\t([\s\S]+)$/.exec(entry);
      if (!m || m[2] !== 'blob') continue;
      files.push({ path: m[5]!, object: m[3]!, size: m[4] === '-' ? 0 : Number(m[4]), mode: m[1]! });
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A blob's bytes; rejects with `too-large` beyond `maxBytes` (default 5 MiB) without reading it. */
  async readBlob(file: GitTreeFile, maxBytes = 5 * 1024 * 1024): Promise<Buffer> {
    if (file.size > maxBytes)
      throw new GitError('too-large', `${file.path} is ${file.size} bytes at that revision, more than ${maxBytes}`);
    if (!/^[0-9a-f]{40,64}$/.test(file.object)) throw new GitError('failed', 'not an object name');
    const r = await run({ ...this.options, maxOutputBytes: maxBytes + 1 }, ['cat-file', 'blob', file.object]);
    if (r.code !== 0) throw new GitError('failed', `git cat-file failed: ${firstLine(r.stderr)}`);
    return r.stdout;
  }

  /**
   * The files of a revision below `paths` whose path passes `accept` (default: `.yaml` and `.yml`),
   * read whole. Symbolic links are left out (their target is not a file of the revision); files over
   * `maxBytes` are listed in `skipped` with the reason instead of being read.
   */
  async readFiles(
    rev: string,
    paths: readonly string[] = [],
    options: { accept?: (path: string) => boolean; maxBytes?: number } = {},
  ): Promise<{ commit: string; files: Map<string, Buffer>; skipped: { path: string; reason: string }[] }> {
    const commit = await this.resolve(rev);
    const accept = options.accept ?? ((p: string) => /\.ya?ml$/i.test(p));
    const files = new Map<string, Buffer>();
    const skipped: { path: string; reason: string }[] = [];
    for (const f of await this.listFiles(commit, paths)) {
      if (!accept(f.path)) continue;
      if (f.mode === '120000') {
        skipped.push({ path: f.path, reason: 'a symbolic link' });
        continue;
      }
      try {
        files.set(f.path, await this.readBlob(f, options.maxBytes));
      } catch (e) {
        if (!(e instanceof GitError) || e.kind !== 'too-large') throw e;
        skipped.push({ path: f.path, reason: e.message });
      }
    }
    return { commit, files, skipped };
  }

  /**
   * The latest commits reachable from HEAD, newest first (none in a repository without commits).
   * Signatures are not checked (`--no-show-signature`): that would run the configured GPG program.
   */
  async recentCommits(limit: number): Promise<GitCommitSummary[]> {
    const n = Math.max(1, Math.min(Math.floor(limit), 200));
    const r = await run(this.options, [
      '-c',
      'log.showSignature=false',
      'log',
      '--no-show-signature',
      '--no-color',
      '--no-decorate',
      '--no-mailmap',
      '-z',
      `--max-count=${n}`,
      // The name and the date hold no blank; the subject (one line) is the rest.
      '--format=%H %cI %s',
      'HEAD',
      '--',
    ]);
    if (r.code !== 0) return [];
    const out: GitCommitSummary[] = [];
    for (const entry of r.stdout.toString('utf8').split('\0')) {
      const m = /^([0-9a-f]{40,64}) (\S*) ([\s\S]*)$/.exec(entry);
      if (!m) continue;
      out.push({ commit: m[1]!, date: m[2]!, subject: m[3]! });
    }
    return out;
  }

  /**
   * Branches (local, then remote-tracking) and tags, most recently committed first, whose names
   * pass {@link revisionProblem}; the current branch is marked.
   */
  async refs(limit: number): Promise<GitRef[]> {
    const n = Math.max(1, Math.min(Math.floor(limit), 500));
    const r = await run(this.options, [
      'for-each-ref',
      '--sort=-committerdate',
      `--count=${n}`,
      '--format=%(refname)%01%(refname:short)%01%(objectname)%01%(committerdate:iso-strict)%01%(HEAD)',
      'refs/heads',
      'refs/remotes',
      'refs/tags',
    ]);
    if (r.code !== 0) throw new GitError('failed', `git for-each-ref failed: ${firstLine(r.stderr)}`);
    const out: GitRef[] = [];
    // Ref names cannot hold control characters (git refuses them), so \x01 separates the fields.
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const [full, name, object, date, head] = line.split('\x01');
      if (full === undefined || name === undefined || object === undefined) continue;
      if (full.endsWith('/HEAD') || revisionProblem(name) !== undefined) continue;
      const kind = full.startsWith('refs/heads/') ? 'branch' : full.startsWith('refs/remotes/') ? 'remote' : 'tag';
      out.push({ name, kind, object, date: date ?? '', current: head === '*' });
    }
    return out;
  }

  /** A path on disk as a path relative to the repository root (for `listFiles`), or undefined when outside. */
  relative(file: string): string | undefined {
    const rel = path.relative(this.root, path.resolve(this.cwd, file));
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/') || '.';
  }
}
