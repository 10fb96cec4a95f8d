// SPDX-License-Identifier: Apache-2.0
/**
 * Policy files as they were at a git revision, for `replay --base` and `diff`: the same paths the
 * user names (files and folders, relative to the working directory), read through `io/git.ts`
 * (argument arrays, refused revisions, read-only). Globs are not taken: git reads paths literally.
 */
import * as path from 'node:path';
import { parseFile, type PolicyFile } from '../core/document.js';
import { GitError, GitRepository } from '../io/git.js';
import { hasGlobSyntax } from './glob.js';
import { InputFailure } from './test-command.js';

/** The files of one revision: display path (relative to the working directory, `/`) → parsed file. */
export interface RevisionFiles {
  /** The revision as given. */
  readonly rev: string;
  /** Its commit. */
  readonly commit: string;
  readonly files: ReadonlyMap<string, PolicyFile>;
  /** Files left out, with the reason (symbolic links, files too large). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** Opens the repository holding `cwd`; a {@link GitError} becomes an {@link InputFailure} (exit 2). */
export async function openRepository(cwd: string): Promise<GitRepository> {
  try {
    return await GitRepository.open({ cwd });
  } catch (e) {
    throw asInputFailure(e);
  }
}

/** A git failure as a message for the user. */
export function asInputFailure(e: unknown): unknown {
  return e instanceof GitError ? new InputFailure(e.message) : e;
}

/** The YAML files below `paths` (relative to `cwd`) at revision `rev`. */
export async function readRevision(
  repo: GitRepository,
  rev: string,
  paths: readonly string[],
  cwd: string,
): Promise<RevisionFiles> {
  const inRepo: string[] = [];
  for (const p of paths) {
    if (p === '-') throw new InputFailure('standard input has no revision: name files or folders');
    if (hasGlobSyntax(p))
      throw new InputFailure(`"${p}" is a glob; at another revision only files and folders can be read`);
    const rel = repo.relative(path.resolve(cwd, p));
    if (rel === undefined) throw new InputFailure(`${p} is outside the git repository ${repo.root}`);
    inRepo.push(rel === '.' ? '' : rel);
  }
  const wanted = inRepo.some((p) => p === '') ? [] : inRepo;
  let read: Awaited<ReturnType<GitRepository['readFiles']>>;
  try {
    read = await repo.readFiles(rev, wanted);
  } catch (e) {
    throw asInputFailure(e);
  }
  const files = new Map<string, PolicyFile>();
  for (const [p, bytes] of read.files) {
    const abs = path.join(repo.root, ...p.split('/'));
    const shown = path.relative(repo.cwd, abs).split(path.sep).join('/');
    files.set(shown, parseFile(bytes.toString('utf8')));
  }
  return { rev, commit: read.commit, files, skipped: read.skipped };
}
