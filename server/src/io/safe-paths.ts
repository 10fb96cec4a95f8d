// SPDX-License-Identifier: Apache-2.0
/**
 * Paths named inside workspace files (a PolicyTest's `policies` and `inventory`, paths in
 * `.cilium-policy.yaml`): someone else wrote them, so before anything is read:
 *
 * - in an untrusted workspace a path must be relative and stay inside the workspace folder: no
 *   absolute path, no `..` that climbs out, no symbolic link whose target leaves it (checked on the
 *   real path, and again on the opened file, so a link swapped in meanwhile is caught);
 * - in a trusted workspace (and in the CLI, which is trusted) any path is allowed;
 * - either way only regular files are opened (devices, FIFOs, sockets and folders never: reading
 *   one could block or never end), files over a size limit are refused before reading, and the file
 *   is opened without following a final symbolic link once checked;
 * - messages name the path as written and the reason, never the file's content; a caller that
 *   reports a problem inside the file quotes at most the line that failed ({@link lineForMessage}).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SafePathOptions {
  /** The workspace folder (absolute). */
  readonly workspace: string;
  /** True in a trusted workspace and in the CLI; false confines paths to the workspace. */
  readonly trusted: boolean;
  /** Largest file accepted, in bytes (default 5 MiB, the limit for policy files). */
  readonly maxBytes?: number;
}

/** A path that may be read: where it is, and the identity of the file that was checked. */
export interface SafePath {
  readonly ok: true;
  /** The file's real path. */
  readonly file: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
}

/** A path that may not be read, with the reason (for a message: the path is not repeated here). */
export interface RefusedPath {
  readonly ok: false;
  readonly reason: string;
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Checks a path written in a workspace file, relative to `base` (the folder of the file that names
 * it). Does not open the file; {@link readSafePath} does, and checks again.
 */
export function resolveSafePath(named: string, base: string, options: SafePathOptions): SafePath | RefusedPath {
  if (named === '') return { ok: false, reason: 'the path is empty' };
  if (named.includes('\0')) return { ok: false, reason: 'the path holds a NUL character' };
  const absolute = path.isAbsolute(named) || /^[A-Za-z]:[\\/]/.test(named) || named.startsWith('\\\\');
  if (!options.trusted) {
    if (absolute) return { ok: false, reason: 'absolute paths are not allowed in an untrusted workspace' };
    if (named.startsWith('~'))
      return { ok: false, reason: 'home-folder paths are not allowed in an untrusted workspace' };
  }
  const workspace = path.resolve(options.workspace);
  const candidate = path.resolve(base, named);
  if (!options.trusted && !inside(workspace, candidate))
    return { ok: false, reason: 'it leaves the workspace folder, which an untrusted workspace may not do' };
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync.native(candidate);
    st = fs.statSync(real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason:
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'ELOOP'
              ? 'too many symbolic links'
              : `it cannot be read (${code ?? (e as Error).message})`,
    };
  }
  if (!options.trusted) {
    let realWorkspace: string;
    try {
      realWorkspace = fs.realpathSync.native(workspace);
    } catch {
      return { ok: false, reason: 'the workspace folder cannot be read' };
    }
    if (!inside(realWorkspace, real))
      return {
        ok: false,
        reason: 'a symbolic link leads out of the workspace folder, which an untrusted workspace may not do',
      };
  }
  if (!st.isFile()) return { ok: false, reason: `it is ${kindOf(st)}, not a file` };
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (st.size > max) return { ok: false, reason: `it is ${st.size} bytes, more than the ${max} allowed` };
  return { ok: true, file: real, size: st.size, dev: st.dev, ino: st.ino };
}

/**
 * Checks and reads a path named in a workspace file (see {@link resolveSafePath}): opened without
 * blocking and without following a final symbolic link, then checked again on the open file (still a
 * regular file, the same one, still within the size limit), and read as UTF-8 with a byte-order
 * mark dropped. Never throws.
 */
export async function readSafePath(
  named: string,
  base: string,
  options: SafePathOptions,
): Promise<{ ok: true; file: string; text: string } | RefusedPath> {
  const checked = resolveSafePath(named, base, options);
  if (!checked.ok) return checked;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(
      checked.file,
      fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0),
    );
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, reason: `it is ${kindOf(st)}, not a file` };
    if (st.dev !== checked.dev || st.ino !== checked.ino)
      return { ok: false, reason: 'the file changed while it was being checked' };
    const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (st.size > max) return { ok: false, reason: `it is ${st.size} bytes, more than the ${max} allowed` };
    // Read at most the limit (plus one byte, to notice a file that grew meanwhile).
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await handle.read(buf, done, buf.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done > max) return { ok: false, reason: `it grew beyond the ${max} bytes allowed while it was read` };
    const text = new TextDecoder('utf-8').decode(buf.subarray(0, done));
    return { ok: true, file: checked.file, text };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason:
        code === 'ELOOP' ? 'it was replaced by a symbolic link' : `it cannot be read (${code ?? (e as Error).message})`,
    };
  } finally {
    await handle?.close();
  }
}

/**
 * The one line of a file's text that a message about it may quote: the 1-based line, cut to
 * `maxChars` with `…`. File contents never appear in messages beyond this.
 */
export function lineForMessage(text: string, line: number, maxChars = 200): string {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const whole = text.slice(start, end).replace(/\r$/, '');
  return whole.length > maxChars ? `${whole.slice(0, maxChars - 1)}…` : whole;
}

/**
 * Reads a small text file the user did not name on the command line (a project file found by
 * walking up, `.cilium-policy.yaml`, which a repository can commit as a symbolic link to
 * `/dev/zero` or a FIFO): opened without blocking, refused unless it is a regular file of at most
 * `maxBytes` (default 5 MiB), read as UTF-8 with a byte-order mark dropped. Throws an `Error`
 * whose message says why (`it is a device, not a file`), for the caller's usual report.
 */
export function readRegularTextFileSync(file: string, maxBytes = DEFAULT_MAX_BYTES): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`it is ${kindOf(st)}, not a file`);
    if (st.size > maxBytes) throw new Error(`it is ${st.size} bytes, more than the ${maxBytes} allowed`);
    const buf = Buffer.alloc(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return new TextDecoder('utf-8').decode(buf.subarray(0, done));
  } finally {
    fs.closeSync(fd);
  }
}
