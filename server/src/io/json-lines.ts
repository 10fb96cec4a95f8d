// SPDX-License-Identifier: Apache-2.0
/**
 * A streaming reader of JSON-lines files (Hubble flow logs, Tetragon event exports): one JSON value
 * per line, files of hundreds of megabytes, written by someone else. It reads the file in chunks and
 * keeps at most one line in memory, and at most {@link JsonLinesOptions.maxLineBytes} of it: a longer
 * line (a 1 GB line) is reported with its number and skipped, never buffered. Each line that cannot
 * be used is counted by kind and skipped, and the run goes on:
 *
 * - `too-long`: longer than `maxLineBytes`;
 * - `nul-byte`: holds a NUL byte (binary data, or a file being written);
 * - `invalid-utf8`: not valid UTF-8;
 * - `too-deep`: arrays and objects nested deeper than `maxDepth` (found by a scan before
 *   `JSON.parse`, so neither the parser nor the code that walks the value can run out of stack);
 * - `number-out-of-range`: a number beyond a double (`1e400`) or an integer beyond 2^53, which
 *   JSON.parse would silently turn into `Infinity` or round;
 * - `unparsable`: not JSON.
 *
 * Empty lines (and lines of blanks) are counted apart and are not problems. A file that grows
 * while it is read (a log still being written) is read up to the size it had when reading started,
 * and the summary says it grew. Progress is reported by callback, and an `AbortSignal` stops the
 * run between two lines.
 *
 * One thread: on the machines we measured, reading and `JSON.parse` run at about the speed the
 * file comes off the disk, and the consumers (grouping flows, matching events) cost more than
 * parsing; see docs/reliability.md for the figures.
 */
import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';

/** Why a line was skipped. */
export type JsonLineProblemKind =
  'too-long' | 'nul-byte' | 'invalid-utf8' | 'too-deep' | 'number-out-of-range' | 'unparsable';

/** The kinds, in the order summaries list them. */
export const JSON_LINE_PROBLEM_KINDS: readonly JsonLineProblemKind[] = [
  'too-long',
  'nul-byte',
  'invalid-utf8',
  'too-deep',
  'number-out-of-range',
  'unparsable',
];

/** One skipped line. The message never quotes the line. */
export interface JsonLineProblem {
  /** 1-based line number. */
  readonly line: number;
  readonly kind: JsonLineProblemKind;
  readonly message: string;
}

/** Where a run stands, for a progress bar. */
export interface JsonLinesProgress {
  readonly bytesRead: number;
  /** The bytes that will be read (the file's size when reading started); undefined for a stream. */
  readonly totalBytes: number | undefined;
  /** Lines seen so far. */
  readonly lines: number;
}

export interface JsonLinesOptions {
  /** Longest line kept, in bytes (default 16 MiB); longer lines are skipped as `too-long`. */
  readonly maxLineBytes?: number;
  /** Deepest nesting of arrays and objects accepted (default 128). */
  readonly maxDepth?: number;
  /** Stops the run between two lines; the summary then has `aborted: true`. */
  readonly signal?: AbortSignal;
  /** Called as the file is read (about every `progressEveryBytes`) and once at the end. */
  readonly onProgress?: (progress: JsonLinesProgress) => void;
  /** Default 4 MiB. */
  readonly progressEveryBytes?: number;
  /** Called for each skipped line (all of them are counted in the summary either way). */
  readonly onProblem?: (problem: JsonLineProblem) => void;
  /** Size of the chunks read (default 1 MiB). */
  readonly chunkBytes?: number;
}

/** What a run read. */
export interface JsonLinesSummary {
  /** Lines in the part of the file read (a last line without a line feed counts). */
  readonly lines: number;
  /** Lines parsed and handed to `onValue`. */
  readonly values: number;
  /** Empty lines and lines of blanks. */
  readonly empty: number;
  /** Skipped lines per kind. */
  readonly problems: Readonly<Record<JsonLineProblemKind, number>>;
  /** The first skipped lines (at most 100), with their numbers. */
  readonly firstProblems: readonly JsonLineProblem[];
  readonly bytesRead: number;
  /** The file's size when reading started (undefined for a stream). */
  readonly sizeAtStart: number | undefined;
  /** True when the file was larger once read than when reading started: the rest was not read. */
  readonly grew: boolean;
  /** True when the signal stopped the run. */
  readonly aborted: boolean;
}

const KEPT_PROBLEMS = 100;
const MIB = 1024 * 1024;

/**
 * Reads a JSON-lines file (a path: regular files only, read up to their size at the start) or a
 * stream (standard input), calling `onValue` with each parsed value and its 1-based line number;
 * when `onValue` returns a promise it is awaited before the next line (back-pressure). Never throws
 * for bad content; rejects only when the file cannot be opened or read, or `onValue` throws.
 */
export async function readJsonLines(
  source: string | NodeJS.ReadableStream,
  onValue: (value: unknown, line: number) => void | Promise<void>,
  options: JsonLinesOptions = {},
): Promise<JsonLinesSummary> {
  const maxLineBytes = options.maxLineBytes ?? 16 * MIB;
  const maxDepth = options.maxDepth ?? 128;
  const progressEvery = options.progressEveryBytes ?? 4 * MIB;
  const signal = options.signal;

  let sizeAtStart: number | undefined;
  let stream: NodeJS.ReadableStream;
  let handle: fs.promises.FileHandle | undefined;
  if (typeof source === 'string') {
    handle = await fs.promises.open(source, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new Error(`${source} is not a regular file`);
    }
    sizeAtStart = stat.size;
    stream =
      sizeAtStart === 0
        ? Readable.from([])
        : handle.createReadStream({
            start: 0,
            end: sizeAtStart - 1,
            highWaterMark: options.chunkBytes ?? MIB,
            autoClose: false,
          });
  } else stream = source;

  const problems = Object.fromEntries(JSON_LINE_PROBLEM_KINDS.map((k) => [k, 0])) as Record<
    JsonLineProblemKind,
    number
  >;
  const firstProblems: JsonLineProblem[] = [];
  let lines = 0;
  let values = 0;
  let empty = 0;
  let bytesRead = 0;
  let lastProgress = 0;
  let aborted = false;

  // The line being gathered: its pieces (at most maxLineBytes in all), or, once too long, only its length.
  let pieces: Buffer[] = [];
  let pieceBytes = 0;
  let overlong = false;
  let overlongBytes = 0;

  const problem = (kind: JsonLineProblemKind, message: string): void => {
    problems[kind]++;
    const p = { line: lines, kind, message };
    if (firstProblems.length < KEPT_PROBLEMS) firstProblems.push(p);
    options.onProblem?.(p);
  };

  /** Handles one complete line (without its line feed). */
  const finishLine = async (): Promise<void> => {
    lines++;
    if (overlong) {
      problem('too-long', `line ${lines} is ${overlongBytes} bytes long, more than ${maxLineBytes}; skipped`);
      overlong = false;
      overlongBytes = 0;
      return;
    }
    let bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pieceBytes);
    pieces = [];
    pieceBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.indexOf(0) >= 0) return problem('nul-byte', `line ${lines} holds a NUL byte; skipped`);
    if (!isUtf8(bytes)) return problem('invalid-utf8', `line ${lines} is not valid UTF-8; skipped`);
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      empty++;
      return;
    }
    const scan = scanJson(text, maxDepth);
    if (scan === 'too-deep')
      return problem('too-deep', `line ${lines} nests arrays and objects deeper than ${maxDepth}; skipped`);
    if (scan === 'number-out-of-range')
      return problem(
        'number-out-of-range',
        `line ${lines} holds a number beyond what a double holds exactly (an integer beyond 2^53, or beyond 1.8e308); skipped`,
      );
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return problem('unparsable', `line ${lines} is not JSON (${shortError(e)}); skipped`);
    }
    values++;
    const r = onValue(value, lines);
    if (r && typeof (r as Promise<void>).then === 'function') await r;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytesRead += buf.length;
      let at = 0;
      while (at < buf.length) {
        if (signal?.aborted) {
          aborted = true;
          break;
        }
        const nl = buf.indexOf(0x0a, at);
        const end = nl < 0 ? buf.length : nl;
        const segment = end - at;
        if (overlong) overlongBytes += segment;
        else if (pieceBytes + segment > maxLineBytes) {
          // From here on only the length is kept: a 1 GB line costs no memory.
          overlong = true;
          overlongBytes = pieceBytes + segment;
          pieces = [];
          pieceBytes = 0;
        } else if (segment > 0) {
          pieces.push(buf.subarray(at, end));
          pieceBytes += segment;
        }
        if (nl < 0) break;
        await finishLine();
        at = nl + 1;
      }
      if (aborted) break;
      if (options.onProgress && bytesRead - lastProgress >= progressEvery) {
        lastProgress = bytesRead;
        options.onProgress({ bytesRead, totalBytes: sizeAtStart, lines });
      }
    }
    // A last line without a line feed.
    if (!aborted && (pieceBytes > 0 || overlong)) await finishLine();
  } finally {
    if (aborted && 'destroy' in stream) (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    await handle?.close();
  }

  let grew = false;
  if (typeof source === 'string' && sizeAtStart !== undefined) {
    try {
      grew = (await fs.promises.stat(source)).size > sizeAtStart;
    } catch {
      // Gone since: nothing more was there to read.
    }
  }
  options.onProgress?.({ bytesRead, totalBytes: sizeAtStart, lines });
  return { lines, values, empty, problems, firstProblems, bytesRead, sizeAtStart, grew, aborted };
}

/**
 * One summary line of a run's counts, e.g. `120,000 lines: 119,990 read, 3 empty, 5 unparsable,
 * 2 too long; the file grew while it was read (the first 52,428,800 bytes were read)`.
 */
export function describeJsonLinesSummary(s: JsonLinesSummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [`${n(s.values)} read`];
  if (s.empty) parts.push(`${n(s.empty)} empty`);
  for (const k of JSON_LINE_PROBLEM_KINDS) if (s.problems[k]) parts.push(`${n(s.problems[k])} ${k.replace(/-/g, ' ')}`);
  let text = `${n(s.lines)} line${s.lines === 1 ? '' : 's'}: ${parts.join(', ')}`;
  if (s.grew && s.sizeAtStart !== undefined)
    text += `; the file grew while it was read (the first ${n(s.sizeAtStart)} bytes were read)`;
  if (s.aborted) text += '; stopped before the end';
  return text;
}

function shortError(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.length > 120 ? `${m.slice(0, 117)}...` : m;
}

/** 2^53: integers beyond it are not held exactly by a double. */
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * One pass over a line's text outside strings: the nesting depth of arrays and objects, and each
 * number token. Returns what makes the line unusable, or undefined. Linear in the line, no
 * recursion; malformed JSON is left to `JSON.parse` to report.
 */
export function scanJson(text: string, maxDepth: number): 'too-deep' | 'number-out-of-range' | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote (one not escaped by an odd run of backslashes).
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return undefined; // unterminated: JSON.parse says so
        let b = q - 1;
        while (b > i && text.charCodeAt(b) === 0x5c) b--;
        if ((q - 1 - b) % 2 === 0) {
          i = q;
          break;
        }
        from = q + 1;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return 'too-deep';
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      let integer = true;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d >= 0x30 && d <= 0x39) continue;
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          integer = false;
          continue;
        }
        break;
      }
      // Short tokens cannot be out of range; only longer ones are converted.
      if (j - i > 15) {
        const v = Number(text.slice(i, j));
        if (!Number.isFinite(v) || (integer && Math.abs(v) > SAFE)) return 'number-out-of-range';
      } else if (!integer && /[eE]/.test(text.slice(i, j))) {
        const v = Number(text.slice(i, j));
        if (!Number.isFinite(v) && !Number.isNaN(v)) return 'number-out-of-range';
      }
      i = j - 1;
    }
  }
  return undefined;
}
