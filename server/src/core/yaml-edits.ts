// SPDX-License-Identifier: Apache-2.0
/**
 * Text edits for quick fixes that change only what they target. Instead of re-serialising a
 * document (which would reflow comments, quotes and blank lines), each builder computes one
 * offset edit from the parsed nodes' source ranges and the surrounding indentation. A builder
 * returns undefined when it cannot edit safely (flow style, missing nodes); callers then offer
 * no fix rather than a risky one.
 */
import { isMap, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import { keyText, locate, type PolicyDocument, type PolicyFile } from './document.js';
import type { OffsetEdit } from './findings.js';

type Path = readonly (string | number)[];

/** Applies edits (non-overlapping, any order) to a text. */
export function applyEdits(text: string, edits: readonly OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The line ending the file uses (CRLF when its first line break is CRLF). */
export function lineEnding(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Offset of the start of the line holding `offset` (a line ends at `\n` or `\r`). */
export function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset just past the end of the line holding `offset` (after its line break, if any). */
function nextLineStart(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

/** Offset of the end of the line holding `offset` (before its line break). */
export function lineEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** The last offset of real content in [start, end): trailing blanks and line breaks excluded. */
function contentEnd(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && /\s/.test(text[i - 1]!)) i--;
  return i;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function range(node: unknown): [number, number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? [r[0], r[1], r[2]] : undefined;
}

/** Replaces the value at `path` with `newText` (written as-is, e.g. `TCP` or `"10.0.0.0/8"`). */
export function replaceValue(
  _file: PolicyFile,
  doc: PolicyDocument,
  path: Path,
  newText: string,
): OffsetEdit | undefined {
  const r = range(locate(doc.yaml, path).node);
  return r ? { start: r[0], end: r[1], newText } : undefined;
}

/** Renames the key at `path` (the last segment must be a map key). */
export function renameKey(_file: PolicyFile, doc: PolicyDocument, path: Path, newKey: string): OffsetEdit | undefined {
  const r = range(locate(doc.yaml, path).key);
  return r ? { start: r[0], end: r[1], newText: newKey } : undefined;
}

/**
 * Removes a map entry or a list item, as whole lines, in block style. Comments on the removed
 * lines go with them; everything else stays byte for byte.
 */
export function removeEntry(file: PolicyFile, doc: PolicyDocument, path: Path): OffsetEdit | undefined {
  if (path.length === 0) return undefined;
  const parent = locate(doc.yaml, path.slice(0, -1)).node;
  const last = path[path.length - 1]!;
  const text = file.text;
  if (isMap(parent) && !parent.flow) {
    const i = parent.items.findIndex((p: Pair) => keyText(p.key) === String(last));
    if (i < 0) return undefined;
    const pair = parent.items[i]!;
    const kr = range(pair.key);
    if (!kr) return undefined;
    const next = parent.items[i + 1];
    const nr = next ? range(next.key) : undefined;
    const start = lineStart(text, kr[0]);
    if (column(text, kr[0]) !== kr[0] - start && text.slice(start, kr[0]).trim() !== '') {
      // The key shares its line with something else (`- key: v` as a list item's first key).
      return undefined;
    }
    const vr = range(pair.value) ?? kr;
    const end = nr ? lineStart(text, nr[0]) : nextLineStart(text, contentEnd(text, kr[0], Math.max(vr[1], kr[1])));
    return { start, end, newText: '' };
  }
  if (isSeq(parent) && !parent.flow) {
    const i = typeof last === 'number' ? last : Number(last);
    const item = parent.items[i];
    const ir = range(item);
    if (!ir) return undefined;
    const start = lineStart(text, ir[0]);
    const next = parent.items[i + 1];
    const nr = range(next);
    const end = nr ? lineStart(text, nr[0]) : nextLineStart(text, contentEnd(text, ir[0], ir[1]));
    return { start, end, newText: '' };
  }
  return undefined;
}

/** Re-indents the lines of a block of YAML by `indent` spaces. */
function indentLines(yamlText: string, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return yamlText
    .replace(/\s+$/, '')
    .split(/\r?\n/)
    .map((l) => (l.trim().length ? pad + l.replace(/\s+$/, '') : ''));
}

/**
 * Appends `key: value` to the block map at `mapPath`. `valueYaml` is either a scalar written
 * inline (`TCP`) or block YAML (several lines, or a line starting with `- `), which is placed on
 * the following lines, indented under the key.
 */
export function insertEntry(
  file: PolicyFile,
  doc: PolicyDocument,
  mapPath: Path,
  key: string,
  valueYaml: string,
): OffsetEdit | undefined {
  const map = locate(doc.yaml, mapPath).node;
  if (!isMap(map) || map.flow || map.items.length === 0) return undefined;
  const text = file.text;
  const firstKey = range(map.items[0]!.key);
  const mr = range(map);
  if (!firstKey || !mr) return undefined;
  const indent = column(text, firstKey[0]);
  const eol = lineEnding(text);
  const at = lineEnd(text, contentEnd(text, mr[0], mr[1]));
  const block =
    valueYaml.includes('\n') || /^\s*- /.test(valueYaml) || /^[^"'{[]*:\s/.test(valueYaml.split('\n')[0] ?? '');
  const head = `${eol}${' '.repeat(indent)}${key}:`;
  const body = block ? eol + indentLines(valueYaml, indent + 2).join(eol) : ` ${valueYaml.trim()}`;
  return { start: at, end: at, newText: head + body };
}

/** Appends an item to the block list at `seqPath`, with the indentation of its existing items. */
export function appendItem(
  file: PolicyFile,
  doc: PolicyDocument,
  seqPath: Path,
  itemYaml: string,
): OffsetEdit | undefined {
  const seq = locate(doc.yaml, seqPath).node;
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) return undefined;
  const text = file.text;
  const first = range(seq.items[0]);
  const sr = range(seq);
  if (!first || !sr) return undefined;
  // The dash sits two columns before the item's content (`- item`); find it on the item's line.
  const ls = lineStart(text, first[0]);
  const dash = text.lastIndexOf('-', first[0]);
  if (dash < ls) return undefined;
  const dashIndent = column(text, dash);
  const eol = lineEnding(text);
  const lines = itemYaml.replace(/\s+$/, '').split(/\r?\n/);
  const itemIndent = dashIndent + (first[0] - dash);
  const rendered = [
    `${' '.repeat(dashIndent)}-${' '.repeat(first[0] - dash - 1)}${lines[0]}`,
    ...lines.slice(1).map((l) => (l.length ? ' '.repeat(itemIndent) + l : l)),
  ];
  const at = lineEnd(text, contentEnd(text, sr[0], sr[1]));
  return { start: at, end: at, newText: eol + rendered.join(eol) };
}
