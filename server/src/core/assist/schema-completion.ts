// SPDX-License-Identifier: Apache-2.0
/**
 * Value completions answered from our own parse: the allowed values of the key whose value is
 * being typed (`protocol: T|` offers `TCP`, `UDP`, …), read by walking the kind's bundled schema
 * along the path to the key's map (`schema-walk.ts`). yaml-language-server answers the same
 * question by parsing the document under the cursor again and validating all of it to collect the
 * schemas that match that map; that is most of a completion's cost.
 *
 * The items are the ones yaml-language-server builds at the same place (kind, label, insert text,
 * the value's description as documentation, an edit over the value being typed), in its order. The
 * walk answers only in the case it can be sure of:
 * - the cursor is at the end of a line, right after a scalar value (plain or quoted, on the key's
 *   line) of a block map or after `key: ` with no value yet, with no tag, anchor, alias, merge key
 *   or duplicate key on the way;
 * - exactly one schema that applies to the map for certain says what the key's value may be, and
 *   no schema a validator might pick (an `anyOf`/`oneOf` branch) says anything about it;
 * - that value schema offers enums and types only (no `const`, `default`, `examples`,
 *   `defaultSnippets` or `items`), whose values are written the same by any YAML writer.
 * Anything else gives undefined, and the caller asks yaml-language-server.
 * test/unit/schema-completion.test.ts holds both to the same answer at the end of every
 * `key: value` line of the examples and the upstream policies.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { keyText, type PolicyDocument } from '../document.js';
import type { SchemaFiles } from '../schema-validation.js';
import {
  MAX_APPLIED,
  PLAIN_ENUM,
  YAML_WORD,
  asRecord,
  expand,
  plainScalar,
  resolve,
  stepInto,
  type Located,
} from './schema-walk.js';

/** LSP's completion item kinds, as yaml-language-server picks them from a schema's `type`. */
const KIND_VALUE = 12;
const KIND_MODULE = 9;
const KIND_PROPERTY = 10;

/** One value offered, as yaml-language-server writes it. */
export interface SchemaValueItem {
  readonly kind: number;
  readonly label: string;
  /** Written over the value being typed (a snippet without placeholders). */
  readonly insertText: string;
  readonly documentation?: string;
}

/** The values offered, and the offsets of the value they replace. */
export interface SchemaValueCompletion {
  readonly items: readonly SchemaValueItem[];
  readonly start: number;
  readonly end: number;
}

/** Keywords whose items the walk does not build: where one is present in the value's schema, it declines. */
const UNBUILT = ['const', 'default', 'examples', 'defaultSnippets', 'items', 'markdownEnumDescriptions'] as const;

/** Labels longer than this are shortened by yaml-language-server: not worth following. */
const MAX_LABEL = 60;

/**
 * The values to offer at `offset` of `doc` (a document of the kind whose schema is `schemaPath`,
 * whose text is `text`), or undefined when the walk cannot be sure of yaml-language-server's answer.
 */
export function schemaValueCompletion(
  files: SchemaFiles,
  schemaPath: string,
  doc: PolicyDocument,
  text: string,
  offset: number,
): SchemaValueCompletion | undefined {
  const target = valueAt(doc, text, offset);
  if (!target) return undefined;
  const rootSchema = asRecord(files[schemaPath]);
  if (!rootSchema) return undefined;
  let applied = expand([{ schema: rootSchema, file: schemaPath, certain: true }], files);
  for (const step of target.mapPath) {
    if (!applied) return undefined;
    applied = stepInto(applied, step, files);
  }
  if (!applied) return undefined;
  // The schemas the map's matching schemas hand the key's value to: its property, or the map's
  // additional properties.
  const sources: Located[] = [];
  for (const a of applied) {
    const properties = asRecord(a.schema.properties);
    const own =
      properties && Object.prototype.hasOwnProperty.call(properties, target.key) ? properties[target.key] : undefined;
    const extra = a.schema.additionalProperties;
    for (const value of [own, extra]) {
      if (!value) continue;
      if (typeof value !== 'object') {
        // A boolean schema offers nothing; anything else is not a schema.
        if (typeof value === 'boolean') continue;
        return undefined;
      }
      if (!a.certain) return undefined;
      const schema = asRecord(value);
      if (!schema) return undefined;
      sources.push({ schema, file: a.file });
    }
  }
  // One source: the order of several would be the validator's.
  if (sources.length !== 1) return undefined;
  const items: SchemaValueItem[] = [];
  const types = new Set<string>();
  if (!collect(sources[0]!, files, items, types, 0)) return undefined;
  if (types.has('boolean')) {
    if (!add(items, { kind: KIND_VALUE, label: 'true', insertText: 'true', documentation: '' })) return undefined;
    if (!add(items, { kind: KIND_VALUE, label: 'false', insertText: 'false', documentation: '' })) return undefined;
  }
  if (types.has('null') && !add(items, { kind: KIND_VALUE, label: 'null', insertText: 'null', documentation: '' }))
    return undefined;
  if (items.length === 0) return undefined;
  return { items, start: target.start, end: target.end };
}

/**
 * yaml-language-server's value proposals for one schema: its enum, its types, then the same for
 * each `allOf`, `anyOf` and `oneOf` branch (every branch, whatever the data). False where it declines.
 */
function collect(
  start: Located,
  files: SchemaFiles,
  items: SchemaValueItem[],
  types: Set<string>,
  depth: number,
): boolean {
  if (depth > MAX_APPLIED) return false;
  const located = resolve(start, files);
  if (!located) return false;
  const { schema } = located;
  if (UNBUILT.some((k) => schema[k] !== undefined)) return false;
  const type = schema.type;
  const first = Array.isArray(type) ? (type[0] as unknown) : type;
  if (first !== undefined && typeof first !== 'string') return false;
  const kind = first === 'object' ? KIND_MODULE : first === 'property' ? KIND_PROPERTY : KIND_VALUE;
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  if (schema.description !== undefined && description === undefined) return false;
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum)) return false;
    const descriptions: unknown[] = Array.isArray(schema.enumDescriptions) ? schema.enumDescriptions : [];
    for (const [i, value] of schema.enum.entries()) {
      const written = valueText(value);
      if (written === undefined) return false;
      const documentation = i < descriptions.length ? descriptions[i] : description;
      if (documentation !== undefined && typeof documentation !== 'string') return false;
      if (
        !add(items, {
          kind,
          label: written,
          insertText: written,
          ...(documentation !== undefined ? { documentation } : {}),
        })
      )
        return false;
    }
  } else if (type !== undefined) {
    for (const t of Array.isArray(type) ? type : [type]) {
      if (typeof t !== 'string') return false;
      types.add(t);
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const branches = schema[key];
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) return false;
    for (const branch of branches) {
      const b = asRecord(branch);
      if (!b) return false;
      if (!collect({ schema: b, file: located.file }, files, items, types, depth + 1)) return false;
    }
  }
  return true;
}

/**
 * Adds an item as yaml-language-server's collector does: a label seen before is not added again
 * (its documentation filled in when it had none). False where the collector would merge two
 * different insert texts.
 */
function add(items: SchemaValueItem[], item: SchemaValueItem): boolean {
  const i = items.findIndex((x) => x.label === item.label);
  if (i < 0) {
    items.push(item);
    return true;
  }
  const existing = items[i]!;
  if (existing.insertText !== item.insertText) return false;
  if (!existing.documentation && item.documentation) items[i] = { ...existing, documentation: item.documentation };
  return true;
}

/** An enum value as label and insert text, or undefined when writing it takes quoting rules. */
function valueText(value: unknown): string | undefined {
  let written: string | undefined;
  if (typeof value === 'string') written = PLAIN_ENUM.test(value) && !YAML_WORD.test(value) ? value : undefined;
  else if (typeof value === 'number' && Number.isFinite(value)) written = String(value);
  else if (typeof value === 'boolean' || value === null) written = String(value);
  return written !== undefined && written.length <= MAX_LABEL ? written : undefined;
}

/** The value being typed: the path to the map that holds its key, the key, and the value's offsets. */
interface ValueTarget {
  readonly mapPath: readonly (string | number)[];
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** True when `offset` is in a node's text, its end included (where a cursor after the text stands). */
function reaches(node: Node | null | undefined, offset: number): boolean {
  const r = node?.range;
  return !!r && r[0] <= offset && offset <= r[1];
}

function valueAt(doc: PolicyDocument, text: string, offset: number): ValueTarget | undefined {
  // The cursor ends its line: nothing after it but the line break.
  const after = text.charCodeAt(offset);
  if (offset < text.length && after !== 10 && after !== 13) return undefined;
  const path: (string | number)[] = [];
  let node = doc.yaml.contents as Node | null;
  for (let depth = 0; depth < 64 && node; depth++) {
    if (!reaches(node, offset) || node.anchor || node.tag) return undefined;
    if (isMap(node)) {
      if (node.flow) return undefined;
      const seen = new Set<string>();
      let found: { key: string; value: Node } | undefined;
      for (const pair of node.items as Pair[]) {
        const key = keyText(pair.key);
        if (key === undefined || key === '<<' || !plainScalar(pair.key) || seen.has(key)) return undefined;
        seen.add(key);
        const value = pair.value as Node | null;
        if (!value || !reaches(value, offset) || (isScalar(value) && value.range![1] !== offset)) continue;
        // Two values that reach the cursor: which one yaml-language-server picks is its walk's business.
        if (found) return undefined;
        found = { key, value };
        if (!isScalar(value)) continue;
        if (!plainScalar(value) || value.type === 'BLOCK_FOLDED' || value.type === 'BLOCK_LITERAL') return undefined;
        // yaml-language-server replaces a truthy value, and inserts at the cursor after `key: `;
        // other values take other branches of its code.
        const empty = value.value === null && value.source === '' && value.type === 'PLAIN' && text[offset - 1] === ' ';
        if (!empty && (!value.value || value.value === 'null')) return undefined;
        const line = text.slice((pair.key as Node).range![0], offset);
        if (line.includes('\n') || line.includes('\r') || text[offset - 1] === ':') return undefined;
      }
      if (!found) return undefined;
      if (isScalar(found.value)) {
        const start = found.value.value === null ? offset : found.value.range![0];
        return { mapPath: path, key: found.key, start, end: offset };
      }
      path.push(found.key);
      node = found.value;
    } else if (isSeq(node)) {
      const items = node.items as (Node | null)[];
      const i = items.findIndex((item) => reaches(item, offset));
      if (i < 0 || items.findIndex((item, k) => k > i && reaches(item, offset)) >= 0) return undefined;
      path.push(i);
      node = items[i]!;
    } else return undefined;
  }
  return undefined;
}
