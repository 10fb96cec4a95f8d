// SPDX-License-Identifier: Apache-2.0
/** The ingress/egress sections and `toPorts` entries of a Cilium network policy, as untyped data. */
import type { DataPath } from '../data.js';

import { DIRECTIONS, list, obj, policyRules, type Direction, type Obj, type PolicyRuleRef } from '../data.js';

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
