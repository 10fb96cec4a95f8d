// SPDX-License-Identifier: Apache-2.0
/**
 * Where a loaded flow log's newly dropped flows show in the editor: the places that drop recorded
 * FORWARDED flows (a rule that refuses them, such as an HTTP rule that does not match the recorded
 * request or a deny rule; or, for a default deny, the subject selector of each policy that makes
 * the direction default-deny), each with the groups of flows it drops and the warning's message
 * ("would drop 3 recorded flows (frontend → api:8080 POST /v1/orders)").
 *
 * A flow denied in both directions is dropped at both places, and both say so: fixing one alone
 * does not let it through, which is why the quick fix admits the other direction too. One policy
 * making both directions default-deny (a selector of both ends) is one place with both.
 * Pure: the language server's replay service turns sites into findings and code actions.
 */
import type { Span } from '../core/findings.js';
import type { RuleRef, SubjectRef } from '../semantics/model.js';
import { endpointDisplay, forwardedNowDenied, type FlowGroup } from '../semantics/replay/replay.js';

/** The diagnostic code of the warning. */
export const NEWLY_DROPPED_CODE = 'replay/newly-denied';

/** Entries a message lists before `…`. */
const LISTED = 3;

/** One place that drops recorded forwarded flows. */
export interface DropSite {
  /** `file|start|end`: the same place in two replays has the same key. */
  readonly key: string;
  /** The file as the engine knows it (the canonical URI in the language server). */
  readonly file: string;
  /** The rule item, or the policy's subject selector. */
  readonly span: Span;
  /** The directions the place drops the flows in (both for a selector of both ends), egress first. */
  readonly directions: readonly ('ingress' | 'egress')[];
  /** `default-deny`: the selector of a policy making the direction default-deny; `rule`: an allow rule whose L7 rules refuse; `deny-rule`: a deny rule. */
  readonly kind: 'default-deny' | 'rule' | 'deny-rule';
  /** The policy (and rule) at the place. */
  readonly ref: RuleRef | SubjectRef;
  /** The groups dropped there (head verdict deny, some records forwarded), biggest first. */
  readonly groups: readonly FlowGroup[];
  /** Recorded forwarded flows of those groups. */
  readonly flows: number;
}

/**
 * The places that drop recorded forwarded flows, judged as the groups' `head` says (call after the
 * replay judged them against the current policies), in a stable order: by file, then offset.
 */
export function dropSites(groups: readonly FlowGroup[]): DropSite[] {
  interface Building {
    readonly site: Omit<DropSite, 'groups' | 'flows' | 'directions'>;
    readonly directions: ('ingress' | 'egress')[];
    readonly groups: FlowGroup[];
    flows: number;
  }
  const sites = new Map<string, Building>();
  const add = (
    ref: RuleRef | SubjectRef,
    direction: 'ingress' | 'egress',
    kind: DropSite['kind'],
    g: FlowGroup,
    n: number,
  ): void => {
    const key = `${ref.file}|${ref.span.start}|${ref.span.end}`;
    let s = sites.get(key);
    if (!s) {
      s = { site: { key, file: ref.file, span: ref.span, kind, ref }, directions: [], groups: [], flows: 0 };
      sites.set(key, s);
    }
    if (!s.directions.includes(direction)) s.directions.push(direction);
    if (s.groups.includes(g)) return;
    s.groups.push(g);
    s.flows += n;
  };
  for (const g of groups) {
    const n = forwardedNowDenied(g);
    const r = g.head.result;
    if (n === 0 || !r) continue;
    for (const [direction, d] of [
      ['egress', r.egress],
      ['ingress', r.ingress],
    ] as const) {
      if (d.verdict !== 'deny') continue;
      if (d.state === 'default-deny') for (const p of d.defaultDenyBy) add(p, direction, 'default-deny', g, n);
      else for (const rule of d.by) add(rule, direction, rule.direction.endsWith('Deny') ? 'deny-rule' : 'rule', g, n);
    }
  }
  return [...sites.values()]
    .map(({ site, directions, groups: gs, flows }) => ({
      ...site,
      directions: [...directions].sort((a, b) => (a === b ? 0 : a === 'egress' ? -1 : 1)),
      groups: [...gs].sort((a, b) => forwardedNowDenied(b) - forwardedNowDenied(a) || a.id - b.id),
      flows,
    }))
    .sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || (a.key < b.key ? -1 : 1),
    );
}

/** An end as the message names it: without its namespace when that is the policy's. */
function shortEnd(display: string, namespace: string | null): string {
  return namespace !== null && display.startsWith(`${namespace}/`) ? display.slice(namespace.length + 1) : display;
}

/** What a group asks, in a few words: `frontend → api:8080 POST /v1/orders`. */
export function groupPhrase(g: FlowGroup, namespace: string | null): string {
  const f = g.sample;
  const from = shortEnd(endpointDisplay(f.source, f.sourceIp, []), namespace);
  const to = shortEnd(endpointDisplay(f.destination, f.destinationIp, f.destinationNames), namespace);
  const port =
    f.port !== undefined
      ? f.protocol === 'TCP'
        ? `:${f.port}`
        : `:${f.port}/${f.protocol}`
      : ` ${f.protocol} type ${f.icmpType ?? 0}`;
  const request = f.http
    ? ` ${f.http.method} ${f.http.path}`
    : f.dns !== undefined
      ? ` (DNS ${f.dns.replace(/\.$/, '')})`
      : '';
  return `${from} → ${to}${port}${request}`;
}

/** The warning of a site: `would drop 3 recorded flows (frontend → api:8080 POST /v1/orders, …)`. */
export function dropMessage(site: DropSite): string {
  // Groups reading alike (they differ in what the phrase leaves out) count as one entry.
  const counts = new Map<string, number>();
  for (const g of site.groups) {
    const p = groupPhrase(g, site.ref.namespace);
    counts.set(p, (counts.get(p) ?? 0) + forwardedNowDenied(g));
  }
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([p]) => p);
  const listed = entries.slice(0, LISTED).join(', ') + (entries.length > LISTED ? ', …' : '');
  return `would drop ${site.flows} recorded flow${site.flows === 1 ? '' : 's'} (${listed})`;
}
