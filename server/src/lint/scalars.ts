// SPDX-License-Identifier: Apache-2.0
/** Helpers for rules that point inside string values or rewrite them in quick fixes. */
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import { locate, type PolicyDocument, type PolicyFile } from '../core/document.js';
import type { DataPath } from '../core/data.js';

function scalarAt(doc: PolicyDocument, path: DataPath): Scalar | undefined {
  const node = locate(doc.yaml, path).node;
  return isScalar(node) ? node : undefined;
}

/**
 * True when the characters of the string at `path` appear in the file exactly as its value (no
 * escapes, no folding), so an offset into the value is also an offset into the text. Positions
 * reported with `inString` are only precise then; otherwise rules underline the whole value.
 */
export function isVerbatim(file: PolicyFile, doc: PolicyDocument, path: DataPath): boolean {
  const node = scalarAt(doc, path);
  if (!node?.range || typeof node.value !== 'string') return false;
  const raw = file.text.slice(node.range[0], node.range[1]);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (node.type !== 'PLAIN' && !quoted) return false;
  return (quoted ? raw.slice(1, -1) : raw) === node.value;
}

/** `value` written with the same quotes as the scalar at `path` (plain stays plain). */
export function sameQuotes(doc: PolicyDocument, path: DataPath, value: string): string {
  const node = scalarAt(doc, path);
  if (node?.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (node?.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return value;
}
