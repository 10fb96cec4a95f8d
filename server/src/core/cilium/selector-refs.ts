// SPDX-License-Identifier: Apache-2.0
/**
 * Where label selectors sit in a Cilium network policy, and what Cilium makes of their keys.
 * Several rules (requirement values, key syntax, special-key typos, namespace pins) look at the
 * same selectors, so they are enumerated once here with their role: the agent treats an
 * `endpointSelector` differently from a peer selector (it injects the namespace into the former).
 */
import type { DataPath } from '../data.js';
import { list, obj, policyRules, str, type Direction, type Obj, type PolicyRuleRef } from '../data.js';
import { sectionItems } from './sections.js';

export type SelectorRole =
  'endpointSelector' | 'nodeSelector' | 'endpoints' | 'nodes' | 'cidrGroupSelector' | 'serviceSelector';

/** One label selector of a policy. */
export interface SelectorRef {
  readonly selector: Obj;
  readonly path: DataPath;
  readonly role: SelectorRole;
  readonly rule: PolicyRuleRef;
  /** For peer selectors: the section the item belongs to. */
  readonly direction?: Direction;
}

const PEER_SELECTOR_FIELDS: readonly [string, SelectorRole][] = [
  ['fromEndpoints', 'endpoints'],
  ['toEndpoints', 'endpoints'],
  ['fromNodes', 'nodes'],
  ['toNodes', 'nodes'],
];

/** Every label selector of every rule of a CNP/CCNP, in document order per rule. */
export function labelSelectors(data: unknown): SelectorRef[] {
  const out: SelectorRef[] = [];
  for (const rule of policyRules(data)) {
    for (const role of ['endpointSelector', 'nodeSelector'] as const) {
      const s = obj(rule.rule[role]);
      if (s) out.push({ selector: s, path: [...rule.path, role], role, rule });
    }
  }
  for (const sec of sectionItems(data)) {
    for (const [field, role] of PEER_SELECTOR_FIELDS) {
      list(sec.item[field]).forEach((s, i) => {
        const o = obj(s);
        if (o) out.push({ selector: o, path: [...sec.path, field, i], role, rule: sec.rule, direction: sec.direction });
      });
    }
    for (const field of ['fromCIDRSet', 'toCIDRSet']) {
      list(sec.item[field]).forEach((c, i) => {
        const o = obj(obj(c)?.['cidrGroupSelector']);
        if (o)
          out.push({
            selector: o,
            path: [...sec.path, field, i, 'cidrGroupSelector'],
            role: 'cidrGroupSelector',
            rule: sec.rule,
            direction: sec.direction,
          });
      });
    }
    list(sec.item['toServices']).forEach((svc, i) => {
      const o = obj(obj(obj(svc)?.['k8sServiceSelector'])?.['selector']);
      if (o)
        out.push({
          selector: o,
          path: [...sec.path, 'toServices', i, 'k8sServiceSelector', 'selector'],
          role: 'serviceSelector',
          rule: sec.rule,
          direction: sec.direction,
        });
    });
  }
  return out;
}

/** One label key of a selector: a `matchLabels` key or a `matchExpressions[].key`. */
export interface SelectorKeyRef {
  readonly key: string;
  /** Path of the key itself: the matchLabels entry (underline its key), or the expression's `key` value. */
  readonly path: DataPath;
  readonly target: 'key' | 'value';
  readonly from: 'matchLabels' | 'matchExpressions';
  /** The matchLabels value, or the expression. */
  readonly value: unknown;
}

/** The label keys a selector mentions. */
export function selectorKeys(sel: SelectorRef): SelectorKeyRef[] {
  const out: SelectorKeyRef[] = [];
  const labels = obj(sel.selector['matchLabels']);
  if (labels) {
    for (const [key, value] of Object.entries(labels))
      out.push({ key, path: [...sel.path, 'matchLabels', key], target: 'key', from: 'matchLabels', value });
  }
  list(sel.selector['matchExpressions']).forEach((e, i) => {
    const key = str(obj(e)?.['key']);
    if (key !== undefined)
      out.push({
        key,
        path: [...sel.path, 'matchExpressions', i, 'key'],
        target: 'value',
        from: 'matchExpressions',
        value: e,
      });
  });
  return out;
}

/** A Cilium label key split into its source (`k8s`, `any`, `reserved`, … or undefined) and the key proper. */
export interface CiliumLabelKey {
  readonly source: string | undefined;
  readonly name: string;
  /** Offset of `name` within the written key. */
  readonly offset: number;
}

/** Splits `k8s:app` / `$host` / `app`. A `$` prefix is the agent's shorthand for the reserved source. */
export function splitLabelKey(key: string): CiliumLabelKey {
  if (key.startsWith('$')) return { source: 'reserved', name: key.slice(1), offset: 1 };
  const i = key.indexOf(':');
  if (i < 0) return { source: undefined, name: key, offset: 0 };
  return { source: key.slice(0, i), name: key.slice(i + 1), offset: i + 1 };
}

/** The pod-namespace label the agent matches namespaces with. */
export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

/** True for a key that names the pod namespace label with the `k8s` source, `any` source or none. */
export function isNamespaceKey(key: string): boolean {
  const k = splitLabelKey(key);
  return k.name === NAMESPACE_LABEL && (k.source === undefined || k.source === 'k8s' || k.source === 'any');
}
