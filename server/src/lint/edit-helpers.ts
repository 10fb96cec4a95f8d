// SPDX-License-Identifier: Apache-2.0
/** Small edit builders on top of `core/yaml-edits.ts` that the Cilium rules share. */
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import { locate, type PolicyDocument } from '../core/document.js';
import type { Fix, OffsetEdit } from '../core/findings.js';
import type { DataPath } from '../core/data.js';

/**
 * Replaces a plain-string key or value with another string, keeping the quoting style the user
 * chose (a plain scalar stays plain only when the new text is safe unquoted).
 */
export function replaceString(
  doc: PolicyDocument,
  path: DataPath,
  target: 'key' | 'value',
  newString: string,
): OffsetEdit | undefined {
  const loc = locate(doc.yaml, path);
  const node = target === 'key' ? loc.key : loc.node;
  if (!isScalar(node)) return undefined;
  const scalar = node as Scalar;
  const r = scalar.range;
  if (!r) return undefined;
  let text: string;
  if (scalar.type === 'QUOTE_DOUBLE') text = JSON.stringify(newString);
  else if (scalar.type === 'QUOTE_SINGLE') text = `'${newString.replace(/'/g, "''")}'`;
  else if (scalar.type === 'PLAIN' || scalar.type === undefined)
    text =
      /^[A-Za-z0-9$][-A-Za-z0-9_.:/$]*$/.test(newString) && !newString.includes(': ')
        ? newString
        : JSON.stringify(newString);
  else return undefined;
  return { start: r[0], end: r[1], newText: text };
}

/**
 * Replaces the value of the map entry at `path` with a one-line flow value (`{}`, `[]`), also when
 * the current value is a block on the following lines: the key stays, the block goes.
 */
export function replaceWithFlow(
  text: string,
  doc: PolicyDocument,
  path: DataPath,
  flowText: string,
): OffsetEdit | undefined {
  const loc = locate(doc.yaml, path);
  const k = loc.key?.range;
  const v = (loc.node as { range?: [number, number, number] } | null | undefined)?.range;
  if (!k || !v) return undefined;
  const colon = text.indexOf(':', k[1]);
  if (colon < 0 || colon > v[0]) return undefined;
  let end = v[1];
  while (end > v[0] && /\s/.test(text[end - 1]!)) end--;
  return { start: colon + 1, end, newText: ` ${flowText}` };
}

/**
 * One "Change to `name`" fix per suggestion for the string at `path`, the first preferred (the
 * "did you mean" fixes of the rules that know the valid names).
 */
export function changeToFixes(doc: PolicyDocument, path: DataPath, names: readonly string[]): Fix[] {
  const out: Fix[] = [];
  names.forEach((n, i) => {
    const edit = replaceString(doc, path, 'value', n);
    if (edit) out.push({ title: `Change to \`${n}\``, edits: [edit], ...(i === 0 ? { preferred: true } : {}) });
  });
  return out;
}
