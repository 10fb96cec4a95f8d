// SPDX-License-Identifier: Apache-2.0
/**
 * What the Test Explorer and "Check Connectivity…" show of a verdict the server computed: the
 * summary of a case (expected and actual), each direction with the rules that decided it as
 * links, and the pickers' items. Pure (no `vscode` import) so the wording and the escaping are
 * unit-tested; `policy-tests.ts` and `check-connectivity.ts` turn these into editor objects.
 * Every name and label comes from someone else's YAML: Markdown quotes it with `markdownText` or
 * `markdownCode`, plain text with `plain`.
 */
import { markdownText, plain } from '../../server/src/client-safe.js';
import type {
  ConnectivityEndpointsRequest,
  CoverageRequest,
  WireCaseResult,
  WireDirectionVerdict,
  WireFlow,
  WireFlowVerdict,
  WireLocation,
  WirePolicyRef,
  WireRuleRef,
  WireTestProblem,
  WireVerdictContext,
} from '../../server/src/protocol.js';

/** A rule or policy a verdict names, with where it is. */
export interface RuleLink {
  /** `ingress: CiliumNetworkPolicy shop/api ingress[0] (policies/api.yaml:13)`. */
  readonly label: string;
  readonly location: WireLocation;
}

/** What a case's result becomes in the Test Explorer. */
export interface CaseOutcome {
  readonly state: 'passed' | 'failed' | 'errored';
  /** Markdown: the verdict, both directions, the deciding rules as links. */
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /** One entry per deciding rule (and per policy that made a direction default-deny), to jump to. */
  readonly rules: readonly RuleLink[];
  /** Problems that kept the case from running, at their place in the test. */
  readonly problems: readonly WireTestProblem[];
}

/** `CiliumNetworkPolicy shop/api`. */
export function policyName(p: { kind: string; namespace: string | null; name: string }): string {
  return `${p.kind} ${p.namespace !== null ? `${p.namespace}/` : ''}${p.name}`;
}

/** `CiliumNetworkPolicy shop/api ingress[0] (policies/api.yaml:13)`. */
export function ruleName(r: WireRuleRef): string {
  const item = `${r.spec !== null ? `specs[${r.spec}].` : ''}${r.direction}[${r.rule}]`;
  return `${policyName(r)} ${item} (${r.file}:${r.line})`;
}

function subjectName(p: WirePolicyRef): string {
  return `${policyName(p)}${p.line !== undefined ? ` (${p.file}:${p.line})` : ''}`;
}

/** A Markdown link to a place, or the text alone when it has none. */
function link(text: string, location: WireLocation | undefined): string {
  const shown = markdownText(text);
  return location ? `[${shown}](${location.uri}#L${location.range.start.line + 1})` : shown;
}

/** The rules and policies a direction names, as links to jump to. */
export function directionLinks(which: 'egress' | 'ingress', d: WireDirectionVerdict): RuleLink[] {
  const out: RuleLink[] = [];
  for (const r of d.by)
    if (r.location) out.push({ label: `${which}: ${plain(ruleName(r), 300)}`, location: r.location });
  for (const p of d.defaultDenyBy)
    if (p.location)
      out.push({ label: `${which}: default-deny by ${plain(subjectName(p), 300)}`, location: p.location });
  return out;
}

/** One direction in Markdown: its verdict, its reason, and the rules that decided as links. */
export function directionMarkdown(title: string, d: WireDirectionVerdict): string {
  const rules = d.by.map((r) => link(ruleName(r), r.location));
  const policies = d.defaultDenyBy.map((p) => link(subjectName(p), p.location));
  const lines = [`- **${markdownText(title)}: ${d.verdict}** (${markdownText(d.state)}): ${markdownText(d.reason)}`];
  if (rules.length > 0) lines.push(`  - decided by ${rules.join(', ')}`);
  if (policies.length > 0) lines.push(`  - default-deny because of ${policies.join(', ')}`);
  for (const u of d.unknowns) lines.push(`  - unknown (${markdownText(u.code)}): ${markdownText(u.message)}`);
  return lines.join('\n');
}

/** A whole verdict in Markdown: the sentence, then the source's egress and the destination's ingress. */
export function verdictMarkdown(v: WireFlowVerdict): string {
  return [
    markdownText(v.reason),
    '',
    directionMarkdown(`Egress of ${v.source}`, v.egress),
    directionMarkdown(`Ingress of ${v.destination}`, v.ingress),
  ].join('\n');
}

/** What the Test Explorer shows for one case. */
export function caseOutcome(r: WireCaseResult, context?: WireVerdictContext): CaseOutcome {
  const against = context
    ? `\n\n_${markdownText(`Policies: ${context.policies}. Inventory: ${context.inventory}. Agent: ${context.agent}.`)}_`
    : '';
  if (!r.verdict) {
    const problems = r.problems.length > 0 ? r.problems : [];
    return {
      state: 'errored',
      message: `The case could not run: ${problems.map((p) => markdownText(p.message)).join('; ') || 'it is incomplete'}.${against}`,
      rules: [],
      problems,
    };
  }
  const v = r.verdict;
  const rules = [...directionLinks('egress', v.egress), ...directionLinks('ingress', v.ingress)];
  const head = r.pass
    ? `**${v.verdict}**, as expected.`
    : v.verdict === 'unknown'
      ? `**unknown**: the inputs cannot decide, and an unknown never passes (expected ${r.expect ?? 'a verdict'}).`
      : `**Expected ${r.expect ?? '?'}, got ${v.verdict}.**`;
  return {
    state: r.pass ? 'passed' : 'failed',
    message: `${head}\n\n${verdictMarkdown(v)}${against}`,
    ...(r.expect ? { expected: r.expect } : {}),
    actual: r.outcome,
    rules,
    problems: r.problems,
  };
}

/** One line per direction, in plain text, for a QuickPick. */
export function directionLine(title: string, d: WireDirectionVerdict): string {
  return plain(`${title}: ${d.verdict} · ${d.reason}`, 400);
}

/** An endpoint spec in a few words: `shop/api`, `entity world`, `10.0.0.1`. */
export function endpointText(e: WireFlow['from']): string {
  const r = e as Record<string, unknown>;
  if (typeof r['workload'] === 'string') return r['workload'];
  if (typeof r['service'] === 'string') return `service ${r['service']}`;
  if (typeof r['entity'] === 'string') return `entity ${r['entity']}`;
  if (typeof r['node'] === 'string') return `node ${r['node']}`;
  if (typeof r['fqdn'] === 'string') return `${r['fqdn']}${typeof r['ip'] === 'string' ? ` (${r['ip']})` : ''}`;
  if (typeof r['ip'] === 'string') return r['ip'];
  if (typeof r['namespace'] === 'string') return `a pod of ${r['namespace']}`;
  return '?';
}

/** `frontend reaches api on 8080`: the default name of a case made from a checked flow. */
export function caseName(flow: WireFlow, verdict: 'allow' | 'deny' | 'unknown'): string {
  const short = (e: WireFlow['from']): string => endpointText(e).replace(/^[^/ ]+\//, '');
  const port =
    flow.protocol === 'ICMP' || flow.protocol === 'ICMPv6'
      ? `${flow.protocol}`
      : `${flow.protocol && flow.protocol !== 'TCP' ? `${flow.protocol}/` : ''}${String(flow.port ?? '')}`;
  const verb = verdict === 'deny' ? 'does not reach' : 'reaches';
  return plain(`${short(flow.from)} ${verb} ${short(flow.to)} on ${port}`, 120);
}

/** A workload of the pickers: its reference, and its kind and labels in a few words. */
export function workloadDescription(w: ConnectivityEndpointsRequest.Result['workloads'][number]): string {
  const labels = Object.keys(w.labels)
    .sort()
    .slice(0, 3)
    .map((k) => `${k}=${w.labels[k]}`)
    .join(', ');
  return plain(labels ? `${w.kind} · ${labels}` : w.kind, 120);
}

/** The port choices of a destination: `8080/TCP http`, names first as a PolicyTest prefers them. */
export function portChoices(
  ports: readonly { port: number; protocol: string; name?: string }[],
): { label: string; description: string; port: number | string; protocol: 'TCP' | 'UDP' | 'SCTP' }[] {
  return ports.map((p) => ({
    label: `${p.port}/${p.protocol}`,
    description: p.name ? plain(p.name, 60) : '',
    port: p.name ?? p.port,
    protocol: p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP',
  }));
}

type CoverageEntry = CoverageRequest.Result['workloads'][number];

/** What a workload row gets: a description suffix, tooltip lines and whether it is unprotected. */
export interface ProtectionView {
  readonly unprotected: boolean;
  /** `unprotected`, `ingress and egress default-deny`, `ingress default-deny`… */
  readonly description: string;
  readonly tooltip: readonly string[];
}

/** The wording of a workload's effective policy (pure: unit-tested). */
export function protectionView(e: CoverageEntry): ProtectionView {
  const dir = (name: string, state: CoverageEntry['ingress'], reason: string): string =>
    plain(`${name}: ${state} (${reason})`, 400);
  const denied = [e.ingress === 'default-deny' ? 'ingress' : '', e.egress === 'default-deny' ? 'egress' : ''].filter(
    Boolean,
  );
  const audit = e.ingress === 'audit' || e.egress === 'audit';
  const description = e.unprotected
    ? audit
      ? 'unprotected (audit only)'
      : 'unprotected'
    : `${denied.join(' and ')} default-deny`;
  return {
    unprotected: e.unprotected,
    description,
    tooltip: [
      'Effective policy:',
      dir('ingress', e.ingress, e.ingressReason),
      dir('egress', e.egress, e.egressReason),
      ...(e.unprotected ? ['No policy makes either direction default-deny: everything not denied is allowed.'] : []),
    ],
  };
}
