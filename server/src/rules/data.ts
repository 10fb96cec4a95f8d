// SPDX-License-Identifier: Apache-2.0
/** Small, total helpers for reading untyped policy data in rules. */
import type { DataPath } from './rule.js';

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
  readonly path: DataPath;
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

export type Direction = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];

/** One item of an ingress/ingressDeny/egress/egressDeny list. */
export interface SectionItemRef {
  readonly direction: Direction;
  readonly item: Obj;
  readonly path: DataPath;
  readonly rule: PolicyRuleRef;
}

/** Every ingress/egress (allow and deny) item of every rule of a policy. */
export function sectionItems(data: unknown): SectionItemRef[] {
  const out: SectionItemRef[] = [];
  for (const rule of policyRules(data)) {
    for (const direction of DIRECTIONS) {
      list(rule.rule[direction]).forEach((it, i) => {
        const item = obj(it);
        if (item) out.push({ direction, item, path: [...rule.path, direction, i], rule });
      });
    }
  }
  return out;
}

/** One `toPorts` entry of a section item. */
export interface PortRuleRef {
  readonly portRule: Obj;
  readonly path: DataPath;
  readonly section: SectionItemRef;
}

/** Every `toPorts[]` entry of every section item. */
export function portRules(data: unknown): PortRuleRef[] {
  const out: PortRuleRef[] = [];
  for (const section of sectionItems(data)) {
    list(section.item['toPorts']).forEach((p, i) => {
      const portRule = obj(p);
      if (portRule) out.push({ portRule, path: [...section.path, 'toPorts', i], section });
    });
  }
  return out;
}

/** True for a CNP/CCNP rule that is a host policy (selects nodes). */
export function isHostRule(rule: Obj): boolean {
  return rule['nodeSelector'] !== undefined && rule['nodeSelector'] !== null;
}
