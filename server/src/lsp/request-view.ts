// SPDX-License-Identifier: Apache-2.0
/**
 * What hover and completion read: a parse of the text around the request, made from the latest
 * text without waiting for (or doing) a parse of the whole file.
 *
 * - When the parse of the current version is at hand and the YAML document under the cursor is of
 *   ordinary size, that parse is the view (what every other feature reads too).
 * - Otherwise (edits arrived since the last parse, which a lint in slices is still catching up
 *   with) only the YAML document under the cursor is parsed, from the current text: one document
 *   of a long file costs a millisecond, where the file would cost hundreds.
 * - A YAML document of thousands of lines (a generated allow-list of CIDRs or FQDNs) is cut down
 *   to an excerpt first: the lines around the cursor, and above them the lines that open each
 *   enclosing map and list (by indentation) and the top-level keys. Completion and hover only look
 *   at the path to the cursor and its neighbourhood; parsing (and having yaml-language-server
 *   match) 20,000 lines for each request would take a second. An excerpt that does not read as the
 *   document does (a flow list spanning the cut, say: a syntax error away from the cursor) is
 *   dropped for the whole document.
 *
 * Views have their own offsets; `toDocument` maps them back to the editor's document.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver';
import { parseFile, splitDocuments, type Chunk, type PolicyFile } from '../core/document.js';
import { LineIndex } from '../core/line-index.js';
import type { Session } from './session.js';

/** A YAML document longer than this many lines is answered from an excerpt. */
export const EXCERPT_FROM_LINES = 1000;
/** Lines kept verbatim on each side of the cursor line in an excerpt. */
const EXCERPT_WINDOW = 50;
/** An excerpt's window grows upward to a line that opens a node, but not by more than this. */
const MAX_WINDOW_GROWTH = 2000;

export interface RequestView {
  /** The parsed text of the view (the file, one of its documents, or an excerpt of one). */
  readonly file: PolicyFile;
  /** The request's offset, in the view. */
  readonly offset: number;
  /** An offset of the view as an offset of the editor's document. */
  toDocument(offset: number): number;
  /** How the view was made. */
  readonly kind: 'file' | 'document' | 'excerpt';
}

/** What the last views of a text were made from: its documents, and the line index of a long one. */
interface TextIndex {
  readonly text: string;
  readonly chunks: readonly Chunk[];
  readonly lines: Map<number, LineDepths>;
}

/**
 * The index of the text requests were last made on, per document: a burst of hovers and
 * completions on the same text (or the same long document) splits and indexes it once.
 */
const indexes = new Map<string, TextIndex>();

function indexOf(uri: string, text: string): TextIndex {
  const hit = indexes.get(uri);
  if (hit && hit.text === text) return hit;
  const index = { text, chunks: splitDocuments(text), lines: new Map<number, LineDepths>() };
  indexes.set(uri, index);
  return index;
}

/** Forgets what was kept for a document (it was closed). */
export function forgetRequestViews(uri: string): void {
  indexes.delete(uri);
}

/** The view to answer a request at `position` of an open document from. */
export function requestView(session: Session, doc: TextDocument, position: Position): RequestView {
  const offset = doc.offsetAt(position);
  const whole = session.parsedNow(doc);
  if (whole) {
    const at = session.documentAt(whole, offset);
    if (!at || lineCount(whole.text, at.span.start, at.span.end, EXCERPT_FROM_LINES) < EXCERPT_FROM_LINES)
      return { file: whole, offset, toDocument: (o) => o, kind: 'file' };
  }
  const text = doc.getText();
  const index = indexOf(doc.uri, text);
  // The document a position belongs to: a position on a `---` line opens the next one.
  let chunk = index.chunks[0] ?? { start: 0, end: text.length };
  for (const c of index.chunks) if (c.start <= offset) chunk = c;
  const chunkText = text.slice(chunk.start, chunk.end);
  const local = offset - chunk.start;
  if (lineCount(chunkText, 0, chunkText.length, EXCERPT_FROM_LINES) >= EXCERPT_FROM_LINES) {
    let lines = index.lines.get(chunk.start);
    if (!lines) index.lines.set(chunk.start, (lines = new LineDepths(chunkText)));
    const cut = excerpt(lines, local);
    if (cut) {
      const file = parseFile(cut.text);
      const viewOffset = cut.toView(local);
      if (readsAsDocument(file, cut.text, viewOffset)) {
        return { file, offset: viewOffset, toDocument: (o) => chunk.start + cut.toSource(o), kind: 'excerpt' };
      }
    }
  }
  return { file: parseFile(chunkText), offset: local, toDocument: (o) => chunk.start + o, kind: 'document' };
}

/** Line breaks in `text` between two offsets, counted up to `limit`. */
function lineCount(text: string, start: number, end: number, limit: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', start); i >= 0 && i < end && n < limit; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * True when the excerpt's syntax errors are all within two lines of the cursor: those are the
 * user's (a key being typed); one further away means the cut changed how the text reads.
 */
function readsAsDocument(file: PolicyFile, text: string, offset: number): boolean {
  if (file.skipped) return false;
  const near = (at: number): boolean => {
    const lo = Math.min(at, offset);
    const hi = Math.max(at, offset);
    return lineCount(text, lo, hi, 3) <= 2;
  };
  return file.documents.every((d) => d.syntaxErrors.every((e) => near(e.span.start)));
}

/** An excerpt of a text and the maps between its offsets and the text's. */
export interface Excerpt {
  readonly text: string;
  /** An offset of the excerpt as an offset of the source text. */
  toSource(offset: number): number;
  /** An offset of the source text (inside a kept line) as an offset of the excerpt. */
  toView(offset: number): number;
}

/** Kept runs of whole lines: where each starts in the excerpt and in the source. */
interface Run {
  readonly view: number;
  readonly source: number;
  readonly length: number;
}

/**
 * A text's lines with how deep each one is in the YAML block structure: its indentation, plus a
 * half for a list item (`- `), which is deeper than a key at the same column and shallower than
 * the item's content; undefined (NaN) for blank and comment lines.
 */
export class LineDepths {
  readonly starts: readonly number[];
  private readonly index: LineIndex;
  private readonly depths: Float64Array;

  constructor(readonly text: string) {
    this.index = new LineIndex(text);
    this.starts = this.index.starts;
    this.depths = new Float64Array(this.starts.length).fill(-1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Where line `i` ends (its line break included). */
  end(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1]! : this.text.length;
  }

  /** The line holding an offset. */
  lineAt(offset: number): number {
    return this.index.lineAt(offset);
  }

  /** The depth of line `i`; undefined for a blank or comment line. */
  depth(i: number): number | undefined {
    let d = this.depths[i]!;
    if (d === -1) {
      d = this.measure(i);
      this.depths[i] = d;
    }
    return Number.isNaN(d) ? undefined : d;
  }

  private measure(i: number): number {
    const text = this.text;
    const start = this.starts[i]!;
    const stop = this.end(i);
    let j = start;
    while (j < stop && text.charCodeAt(j) === 32) j++;
    const c = text.charCodeAt(j);
    // Blank (a line break, the end) or a comment.
    if (j >= stop || c === 10 || c === 13 || c === 35) return NaN;
    const indent = j - start;
    if (c !== 45) return indent; // not `-`
    const next = text.charCodeAt(j + 1);
    const item = next === 32 || next === 10 || next === 13 || Number.isNaN(next);
    return item ? indent + 0.5 : indent;
  }
}

/**
 * The lines of a YAML document that a request at `offset` needs: a window of lines around it
 * (grown upward to a line that opens a node at the window's shallowest depth, so no multi-line
 * node is cut at the top), the lines that open each enclosing node (scanning upward, each less
 * deep than the last), and every top-level line above. Undefined when it would keep most of the
 * text.
 */
export function excerpt(lines: LineDepths, offset: number, window = EXCERPT_WINDOW): Excerpt | undefined {
  const { text, starts } = lines;
  const n = lines.count;
  const cursor = lines.lineAt(offset);
  let a = Math.max(0, cursor - window);
  const b = Math.min(n - 1, cursor + window);
  let shallowest = Infinity;
  for (let i = a; i <= b; i++) shallowest = Math.min(shallowest, lines.depth(i) ?? Infinity);
  for (let grown = 0; a > 0; grown++) {
    const d = lines.depth(a);
    if (d !== undefined && d <= shallowest) break;
    if (grown >= MAX_WINDOW_GROWTH) return undefined;
    a--;
    const up = lines.depth(a);
    if (up !== undefined) shallowest = Math.min(shallowest, up);
  }
  const kept: number[] = [];
  let threshold = lines.depth(a) ?? 0;
  for (let i = a - 1; i >= 0; i--) {
    const d = lines.depth(i);
    if (d === undefined) continue;
    if (d < threshold || d === 0) {
      kept.push(i);
      threshold = Math.min(threshold, d);
    }
  }
  kept.reverse();
  for (let i = a; i <= b; i++) kept.push(i);
  if (kept.length * 2 > n) return undefined;
  const runs: Run[] = [];
  const parts: string[] = [];
  let viewLength = 0;
  for (const i of kept) {
    const source = starts[i]!;
    const length = lines.end(i) - source;
    const last = runs[runs.length - 1];
    if (last && last.source + last.length === source) runs[runs.length - 1] = { ...last, length: last.length + length };
    else runs.push({ view: viewLength, source, length });
    parts.push(text.slice(source, source + length));
    viewLength += length;
  }
  const find = (o: number, key: 'view' | 'source'): Run => {
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid]![key] <= o) lo = mid;
      else hi = mid - 1;
    }
    return runs[lo]!;
  };
  return {
    text: parts.join(''),
    toSource: (o) => {
      const r = find(o, 'view');
      return r.source + (o - r.view);
    },
    toView: (o) => {
      const r = find(o, 'source');
      return r.view + Math.min(o - r.source, r.length);
    },
  };
}
