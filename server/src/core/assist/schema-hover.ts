// SPDX-License-Identifier: Apache-2.0
/**
 * Schema hovers answered from our own parse: the description of the key or value under the cursor,
 * read by walking the kind's bundled schema along the path to it. yaml-language-server answers the
 * same question by parsing the YAML document again and validating all of it against the schema to
 * collect the schemas that apply under the cursor; on a long file that parse is most of a hover's
 * cost, and we have parsed the file already.
 *
 * The answer is the Markdown yaml-language-server writes for the same position (a `####` title,
 * the description, the allowed values, examples), so a hover reads the same whichever of the two
 * answers it. The walk only answers where the schemas that apply are certain without validating:
 * plain `properties`, `additionalProperties`, `items` and `$ref`s without constraint siblings, a
 * scalar key or value strictly under the cursor. Anything else (`anyOf`/`oneOf`/`allOf`/`if`,
 * whose branches a validator picks; tags, anchors, YAML 1.1 booleans, enum values that need
 * quoting, edges of a node) gives undefined, and the caller asks yaml-language-server.
 * test/unit/schema-hover.test.ts holds both to the same answer over every key and value of the
 * examples and the upstream policies.
 */
import { isAlias, isMap, isScalar, isSeq, stringify, type Node, type Pair, type Scalar } from 'yaml';
import { keyText, type PolicyDocument } from '../document.js';
import type { SchemaFiles } from '../schema-validation.js';
import { asRecord, enumText, expand, inside, plainScalar, stepInto, type Schema } from './schema-walk.js';

/** A hover's Markdown and the offsets of the key or value it is about. */
export interface SchemaHover {
  readonly markdown: string;
  readonly start: number;
  readonly end: number;
}

/** Keywords the hover reads: two schemas with any of them at one node would need yaml-language-server's ordering. */
const ANNOTATIONS = [
  'title',
  'description',
  'markdownDescription',
  'enum',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'examples',
] as const;

/**
 * The hover at `offset` of `doc` (a document of the kind whose schema is `schemaPath`), or
 * undefined when the walk cannot be sure of the answer.
 *
 * yaml-language-server shows, of the schemas that matched the node under the cursor, the first
 * title and the first description, and every enum. The walk collects every schema that can apply
 * to the node (the main path and the branches of combinators along it; `not` branches never show)
 * and answers when at most one of them says anything a hover shows and that one applies for
 * certain: then the order and the validator's choices cannot change the answer.
 */
export function schemaHover(
  files: SchemaFiles,
  schemaPath: string,
  doc: PolicyDocument,
  offset: number,
): SchemaHover | undefined {
  const target = scalarAt(doc, offset);
  if (!target) return undefined;
  const rootSchema = asRecord(files[schemaPath]);
  if (!rootSchema) return undefined;
  const title = stringOf(rootSchema.title);
  let applied = expand([{ schema: rootSchema, file: schemaPath, certain: true }], files);
  // Only the root's own title heads a hover here: a titled branch would head what lies below it.
  if (!applied || applied.some((a, i) => i > 0 && a.schema.title !== undefined)) return undefined;
  for (const step of target.path) {
    applied = stepInto(applied, step, files);
    // A title below the root would change the heading: not worth following.
    if (!applied || applied.some((a) => a.schema.title !== undefined)) return undefined;
  }
  if (applied.length === 0 || applied.some((a) => a.schema.anyOf !== undefined)) return undefined;
  const annotated = applied.filter((a) => ANNOTATIONS.some((k) => a.schema[k] !== undefined));
  if (annotated.length > 1 || annotated.some((a) => !a.certain)) return undefined;
  const markdown = render(annotated[0]?.schema ?? {}, title, target.value);
  if (markdown === undefined || markdown.length === 0) return undefined;
  return { markdown, start: target.start, end: target.end };
}

/** The scalar under the cursor: the path to the value it names (a key names its value), and that value. */
interface ScalarTarget {
  readonly path: readonly (string | number)[];
  readonly start: number;
  readonly end: number;
  /** The value node whose schema is shown (a key's value, or the scalar itself). */
  readonly value: Node;
}

function scalarAt(doc: PolicyDocument, offset: number): ScalarTarget | undefined {
  const path: (string | number)[] = [];
  let node = doc.yaml.contents as Node | null;
  for (let depth = 0; depth < 64 && node; depth++) {
    if (!inside(node, offset) || node.anchor || node.tag) return undefined;
    if (isMap(node)) {
      const pairs = node.items as Pair[];
      let next: Node | null = null;
      const seen = new Set<string>();
      for (const pair of pairs) {
        const key = keyText(pair.key);
        if (key === undefined || !plainScalar(pair.key) || seen.has(key)) return undefined;
        seen.add(key);
        const value = pair.value as Node | null;
        if (inside(pair.key as Node, offset)) {
          // A key with no value (`key:`) has nothing yaml-language-server would describe.
          if (
            !value ||
            isAlias(value) ||
            (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1])
          )
            return undefined;
          const r = (pair.key as Scalar).range!;
          return { path: [...path, key], start: r[0], end: r[1], value };
        }
        if (value && inside(value, offset)) {
          path.push(key);
          next = value;
        }
      }
      node = next;
    } else if (isSeq(node)) {
      const items = node.items as (Node | null)[];
      const i = items.findIndex((item) => inside(item, offset));
      if (i < 0) return undefined;
      path.push(i);
      node = items[i]!;
    } else if (plainScalar(node)) {
      const r = node.range!;
      return { path, start: r[0], end: r[1], value: node };
    } else return undefined;
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** yaml-language-server's plain-text-to-Markdown step: paragraphs for single line breaks, Markdown characters escaped. */
function toMarkdown(plain: unknown): string | undefined {
  if (typeof plain !== 'string' || plain.length === 0) return undefined;
  return plain.replace(/([^\n\r])(\r?\n)([^\n\r])/gm, '$1\n\n$3').replace(/[\\`*_{}[\]#+!]/g, '\\$&');
}

/** Two line breaks after non-empty text (one when it already ends with one). */
function paragraph(text: string): string {
  if (text.length === 0) return text;
  return (text.endsWith('\n') ? text : `${text}\n`) + '\n';
}

/** The value of a node as yaml-language-server compares it with an enum. */
function nodeValue(node: Node): unknown {
  return isScalar(node) ? node.value : node;
}

/** The hover's Markdown for a value described by `schema`, in yaml-language-server's layout. */
function render(schema: Schema, title: string | undefined, value: Node): string | undefined {
  let out = title ? `#### ${toMarkdown(title)}` : '';
  const description = stringOf(schema.markdownDescription) ?? toMarkdown(schema.description);
  if (description) out = paragraph(out) + description;
  if (Array.isArray(schema.enum)) {
    const descriptions: unknown[] = Array.isArray(schema.markdownEnumDescriptions)
      ? schema.markdownEnumDescriptions
      : Array.isArray(schema.enumDescriptions)
        ? schema.enumDescriptions.map(toMarkdown)
        : [];
    const rows: { text: string; description: unknown }[] = [];
    for (const [i, v] of schema.enum.entries()) {
      const text = enumText(v);
      if (text === undefined) return undefined;
      const same = rows.find((r) => r.text === text);
      if (!same) rows.push({ text, description: descriptions[i] });
      else same.description ||= descriptions[i];
    }
    // Repeated values would misalign the reordering below with the schema's indexes.
    if (rows.length !== schema.enum.length) return undefined;
    if (rows.length > 0) {
      // The hovered value comes first; so does the last value when the hovered one is none of
      // them (yaml-language-server tests the index for truthiness, and -1 is true).
      const at = schema.enum.indexOf(nodeValue(value));
      if (at !== 0) rows.unshift(rows.splice(at, 1)[0]!);
      out = paragraph(out) + 'Allowed Values:\n\n';
      for (const r of rows)
        out += r.description ? `* \`${code(r.text)}\`: ${String(r.description)}\n` : `* \`${code(r.text)}\`\n`;
    }
  }
  if (Array.isArray(schema.examples))
    for (const example of schema.examples)
      out = `${paragraph(out)}Example:\n\n\`\`\`yaml\n${stringify(example, null, 2)}\`\`\`\n`;
  return out;
}

/** Text inside a Markdown code span: padded double backticks when it holds a backtick. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : text;
}
