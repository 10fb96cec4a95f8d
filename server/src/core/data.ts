// SPDX-License-Identifier: Apache-2.0
/**
 * Small, total helpers for reading untyped policy data (a YAML document as plain values): the
 * core's preview and inventory, the editor help and the rules all read it through these.
 */

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value as a list, or an empty list. */
export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The value as an object, or undefined. */
export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** True when the list exists and has at least one entry. */
export function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

/** One rule of a Cilium network policy: `spec`, or an entry of `specs`. */
export interface PolicyRuleRef {
  readonly rule: Obj;
  readonly path: readonly (string | number)[];
}

/** The rules of a CNP/CCNP: `spec` and every object in `specs`. */
export function policyRules(data: unknown): PolicyRuleRef[] {
  const root = obj(data);
  if (!root) return [];
  const out: PolicyRuleRef[] = [];
  const spec = obj(root['spec']);
  if (spec) out.push({ rule: spec, path: ['spec'] });
  list(root['specs']).forEach((s, i) => {
    const o = obj(s);
    if (o) out.push({ rule: o, path: ['specs', i] });
  });
  return out;
}

/** The four kinds of rule section of a network policy. */
export type Direction = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];

/** A path into a document's data: map keys and list indexes. */
export type DataPath = readonly (string | number)[];
