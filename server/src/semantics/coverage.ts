// SPDX-License-Identifier: Apache-2.0
/**
 * Coverage: every workload of the inventory with the state of its ingress and egress
 * (`default-deny`, `allow-all`, `audit`) and the policies that select it. The JSON shape of
 * {@link CoverageEntry} is what `cilium-policy coverage --format json` prints.
 */
import type { Endpoint } from '../core/inventory.js';
import type { VerdictEngine } from './engine.js';

/** A policy as coverage lists it. */
export interface CoveragePolicy {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
}

/** One workload's coverage. Keep the key order: it is the CLI's JSON. */
export interface CoverageEntry {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly ingress: 'default-deny' | 'allow-all' | 'audit';
  readonly egress: 'default-deny' | 'allow-all' | 'audit';
  readonly policies: readonly CoveragePolicy[];
}

/** Coverage with the reasons, for text output and editors. */
export interface CoverageDetail {
  readonly entry: CoverageEntry;
  readonly workload: Endpoint;
  readonly ingressReason: string;
  readonly egressReason: string;
}

function compare(a: Endpoint, b: Endpoint): number {
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
}

/** The coverage of every workload of the engine's inventory, sorted by namespace, name and kind. */
export function coverage(engine: VerdictEngine): CoverageDetail[] {
  const out: CoverageDetail[] = [];
  for (const w of [...engine.resolver.inventory.endpoints].sort(compare)) {
    const r = engine.resolve({ workload: `${w.kind}/${w.namespace}/${w.name}` });
    if (!r.ok) continue;
    const eff = engine.effectivePolicy(r.end);
    out.push({
      entry: {
        namespace: w.namespace,
        kind: w.kind,
        name: w.name,
        ingress: eff.ingress.state,
        egress: eff.egress.state,
        policies: eff.policies.map((p) => ({ kind: p.kind, namespace: p.namespace, name: p.name })),
      },
      workload: w,
      ingressReason: eff.ingress.reason,
      egressReason: eff.egress.reason,
    });
  }
  return out;
}

/** True when no policy makes either direction default-deny (audit does not protect). */
export function unprotected(e: CoverageEntry): boolean {
  return e.ingress !== 'default-deny' && e.egress !== 'default-deny';
}
