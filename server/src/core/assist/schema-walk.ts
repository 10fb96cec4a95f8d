// SPDX-License-Identifier: Apache-2.0
/**
 * The walk that schema hovers and value completions share: which schemas of a kind's bundled
 * schema apply to a node of our own parse, found by following `properties`, `items`,
 * `additionalProperties`, `$ref`s and combinators along the node's path, without validating.
 * Every schema found says whether it applies for certain (reached through `properties`, `items`,
 * `additionalProperties` and `allOf`) or only when a validator picks it (an `anyOf`/`oneOf`
 * alternative, `if`/`then`/`else`). Where the walk cannot follow a keyword, it declines
 * (undefined), and the caller leaves the question to yaml-language-server.
 */
import { isScalar, type Node, type Scalar } from 'yaml';
import { YAML11_BOOLEAN } from '../document.js';
import type { SchemaFiles } from '../schema-validation.js';

export type Schema = Readonly<Record<string, unknown>>;

/** A schema with the file its relative `$ref`s resolve against. */
export interface Located {
  readonly schema: Schema;
  readonly file: string;
}

/**
 * A schema that applies to a node: `certain` when it applies whatever the data (reached through
 * `properties`, `items`, `additionalProperties` and `allOf`), not when a validator decides (reached
 * through an `anyOf`/`oneOf` alternative or `if`/`then`/`else`).
 */
export interface Applied extends Located {
  readonly certain: boolean;
}

/** Keywords that apply schemas the walk does not follow: where one is present, it declines. */
const UNFOLLOWED = [
  'patternProperties',
  'dependencies',
  'dependentSchemas',
  'prefixItems',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  '$dynamicRef',
  '$recursiveRef',
] as const;

/** Keys a `$ref` may sit beside without being a constraint (the annotations merged into the target). */
const REF_ANNOTATIONS = new Set([
  '$ref',
  '$schema',
  '$id',
  'id',
  '$comment',
  'title',
  'description',
  'markdownDescription',
  'examples',
  'default',
  'definitions',
  '$defs',
]);

/** `$ref`s followed for one schema, and schemas applied to one node, before giving up. */
const MAX_REF_HOPS = 32;
export const MAX_APPLIED = 64;

/**
 * The schemas that apply to a node, given those its parent's walk arrived with: each with its
 * `$ref`s followed, then its combinators' branches. Undefined where the walk declines.
 */
export function expand(start: readonly Applied[], files: SchemaFiles): Applied[] | undefined {
  const out: Applied[] = [];
  const queue = [...start];
  while (queue.length > 0) {
    if (out.length >= MAX_APPLIED) return undefined;
    const next = queue.shift()!;
    const resolved = resolve(next, files);
    if (!resolved) return undefined;
    const { schema, file } = resolved;
    if (UNFOLLOWED.some((k) => schema[k] !== undefined)) return undefined;
    out.push({ schema, file, certain: next.certain });
    const branches = (key: string, certain: boolean): boolean => {
      const value = schema[key];
      if (value === undefined) return true;
      const list = key === 'allOf' || key === 'anyOf' || key === 'oneOf' ? value : [value];
      if (!Array.isArray(list)) return false;
      for (const branch of list) {
        const b = asRecord(branch);
        if (!b) return false;
        queue.push({ schema: b, file, certain: next.certain && certain });
      }
      return true;
    };
    if (!branches('allOf', true)) return undefined;
    for (const key of ['anyOf', 'oneOf', 'if', 'then', 'else']) if (!branches(key, false)) return undefined;
  }
  return out;
}

/**
 * The schemas that apply to the child `step` (a map key or list index) of a node, given those
 * that apply to the node; undefined where the walk declines.
 */
export function stepInto(
  applied: readonly Applied[],
  step: string | number,
  files: SchemaFiles,
): Applied[] | undefined {
  const next: Applied[] = [];
  for (const a of applied) {
    const child = childSchema(a.schema, step);
    if (child === null) return undefined;
    if (child) next.push({ schema: child, file: a.file, certain: a.certain });
  }
  return expand(next, files);
}

/**
 * Follows `$ref`s the way yaml-language-server resolves them: the referenced schema's keywords
 * fill in what the referring schema does not say itself (its own description wins). Undefined for a
 * `$ref` beside constraints or one that does not resolve.
 */
export function resolve(start: Located, files: SchemaFiles): Located | undefined {
  let merged: Record<string, unknown> = { ...start.schema };
  let file = start.file;
  for (let hops = 0; typeof merged.$ref === 'string'; hops++) {
    if (hops >= MAX_REF_HOPS) return undefined;
    for (const key of Object.keys(merged)) if (!REF_ANNOTATIONS.has(key)) return undefined;
    const ref = merged.$ref as string;
    const hash = ref.indexOf('#');
    const target = hash < 0 ? ref : ref.slice(0, hash);
    const pointer = hash < 0 ? '' : ref.slice(hash + 1);
    if (target) file = new URL(target, `cilium-policy:///${file}`).pathname.slice(1);
    let section: unknown = files[file];
    if (pointer) {
      if (!pointer.startsWith('/')) return undefined;
      for (const part of pointer.slice(1).split('/'))
        section = asRecord(section)?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    const found = asRecord(section);
    if (!found) return undefined;
    delete merged.$ref;
    merged = { ...found, ...merged };
  }
  return { schema: merged, file };
}

/** True when `offset` is inside a node's text (its end excluded, as yaml-language-server finds nodes). */
export function inside(node: Node | null | undefined, offset: number): boolean {
  const r = node?.range;
  return !!r && r[0] <= offset && offset < r[1];
}

/** A scalar read the same by us and by yaml-language-server (no tag, anchor or YAML 1.1 boolean). */
export function plainScalar(node: unknown): node is Scalar {
  if (!isScalar(node) || node.tag || node.anchor || !node.range) return false;
  if (node.type === 'PLAIN' && typeof node.source === 'string' && YAML11_BOOLEAN.test(node.source)) return false;
  return true;
}

/**
 * The schema a map key or list index leads to: undefined when the schema does not say (nothing
 * applies), null where the walk declines (tuple `items`, a boolean schema).
 */
function childSchema(schema: Schema, step: string | number): Schema | undefined | null {
  if (typeof step === 'number') {
    const items = schema.items;
    if (items === undefined) return undefined;
    return asRecord(items) ?? null;
  }
  const properties = asRecord(schema.properties);
  if (properties && Object.prototype.hasOwnProperty.call(properties, step)) return asRecord(properties[step]) ?? null;
  const extra = schema.additionalProperties;
  if (extra === undefined || typeof extra === 'boolean') return undefined;
  return asRecord(extra) ?? null;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** An enum string that any YAML reader takes as the same plain string, written as is. */
export const PLAIN_ENUM = /^[A-Za-z][A-Za-z0-9._/-]*$/;
export const YAML_WORD = /^(?:on|off|true|false|yes|no|null|y|n)$/i;

/** An enum value as the hover lists it, or undefined when writing it needs quoting rules. */
export function enumText(value: unknown): string | undefined {
  if (typeof value === 'string') return PLAIN_ENUM.test(value) && !YAML_WORD.test(value) ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  return undefined;
}
