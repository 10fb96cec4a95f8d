// SPDX-License-Identifier: Apache-2.0
/**
 * Which data path sits under an offset of a parsed document: the key of a pair, or a value. Used by
 * completion and hover, which need to know "the cursor is on the value of spec.kprobes[0].call"
 * even when that value is still empty (`call: |`).
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import { keyText, type PolicyDocument } from './document.js';

export interface PathAt {
  /** Map keys and list indexes from the document root to the key or value under the offset. */
  readonly path: readonly (string | number)[];
  /** Whether the offset is on the key of the last path segment or on its value. */
  readonly position: 'key' | 'value';
  /** The scalar under the offset, if any (undefined for an empty value). */
  readonly node: Node | undefined;
  /** The span to replace when completing: the scalar's range, or an empty span at the offset. */
  readonly span: { readonly start: number; readonly end: number };
}

function contains(node: unknown, offset: number): boolean {
  const r = (node as Node | null | undefined)?.range;
  return !!r && r[0] <= offset && offset <= r[1];
}

/** True when nothing but spaces separates `from` and `to` on one line. */
function sameLineBlank(text: string, from: number, to: number): boolean {
  return from <= to && /^[ \t]*$/.test(text.slice(from, to));
}

/**
 * The path at `offset`, or undefined outside the document's data. `text` is the file text (needed to
 * tell an empty value `key: |` from a position on the next line).
 */
export function pathAt(doc: PolicyDocument, text: string, offset: number): PathAt | undefined {
  const path: (string | number)[] = [];
  let node = doc.yaml.contents as Node | null;
  for (let depth = 0; depth < 64 && node; depth++) {
    if (isMap(node)) {
      let next: Node | null = null;
      for (const pair of node.items as Pair[]) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        if (contains(pair.key, offset)) {
          const r = (pair.key as Node).range!;
          return { path: [...path, key], position: 'key', node: pair.key as Node, span: { start: r[0], end: r[1] } };
        }
        const value = pair.value as Node | null;
        const emptyValue =
          !value || (isScalar(value) && value.value === null && (!value.range || value.range[0] === value.range[1]));
        if (emptyValue) {
          const keyEnd = (pair.key as Node).range?.[1];
          // `key:` then spaces up to the cursor on the same line: the value being typed.
          if (keyEnd !== undefined && text[keyEnd] === ':' && sameLineBlank(text, keyEnd + 1, offset)) {
            return { path: [...path, key], position: 'value', node: undefined, span: { start: offset, end: offset } };
          }
          continue;
        }
        if (contains(value, offset)) {
          path.push(key);
          next = value;
          break;
        }
      }
      if (!next) return undefined;
      node = next;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => contains(it, offset));
      if (i < 0) return undefined;
      path.push(i);
      node = node.items[i] as Node;
    } else if (isScalar(node)) {
      const r = node.range!;
      return { path, position: 'value', node, span: { start: r[0], end: r[1] } };
    } else {
      return undefined;
    }
  }
  return undefined;
}
