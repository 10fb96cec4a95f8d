// SPDX-License-Identifier: Apache-2.0
/**
 * The verdict engine: given the policies in scope, an inventory and an agent profile, whether a
 * flow is allowed, denied, or cannot be decided from the inputs, for each direction the rules that
 * decided, and a sentence a person can read.
 *
 * It follows how the agent computes an endpoint's policy: the rules whose subject selects the
 * endpoint make a direction enforced, and default-deny unless every one of them turns default deny
 * off (then an allow-all is added, which also lets every L7 request through); deny rules win over
 * allow rules; an allow rule admits a flow when it selects the peer and covers the port; a port with
 * L7 rules goes through the proxy, which admits a request some rule's L7 part admits, or every
 * request when an L3/L4-only rule also covers the flow; the local node always reaches its pods
 * (`allow-localhost`); host policies count only with the host firewall.
 *
 * Policies are compiled once per file; each endpoint's rules are kept per identity (as the agent's
 * policy cache does) and each selector's answers per identity (as its selector cache does), so a
 * matrix evaluates each selector once per identity and an edit recompiles one file and re-matches
 * only that file's rules.
 */
import { parsePrefix, type Prefix } from '../core/cilium/cidr.js';
import type { PolicyFile } from '../core/document.js';
import { networkPolicyKind } from '../core/kinds.js';
import type { ContainerPort, Inventory, NodeInfo, ServiceInfo } from '../core/inventory.js';
import { LineIndex } from '../core/line-index.js';
import {
  entitySelects,
  type EffectiveSelector,
  LABEL,
  labelKey,
  matchesSelector,
  nodeLabels,
  sourcesOf,
  type LabelMap,
  type SelectorOptions,
} from '../core/selectors.js';
import { cidrAdmits, parseAddress } from './addresses.js';
import { DEFAULT_AGENT, type AgentProfile } from './agent.js';
import { compilePolicy } from './compile.js';
import { EndpointResolver, type EndpointSpec, type FlowEnd, type PodEnd, type Resolution } from './endpoints.js';
import { describeNameMatcher, nameMatcherAdmits, type NameMatcher } from './fqdn.js';
import { describeHttpRule, describeRequest, httpRuleAdmits, type HttpRequest } from './http.js';
import { echoRequest, icmpTypeNumber } from './icmp.js';
import type {
  CompiledItem,
  CompiledPolicy,
  CompiledRule,
  Peer,
  PeerMatch,
  PolicyRef,
  PortRuleSpec,
  RuleRef,
  SubjectRef,
  UnknownReason,
  Verdict,
} from './model.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** The protocols a flow may use. */
export type FlowProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** A flow to judge. Endpoints are specs (resolved against the inventory) or already-resolved ends. */
export interface Flow {
  readonly from: EndpointSpec | FlowEnd;
  readonly to: EndpointSpec | FlowEnd;
  /** A port number, a container port name of the destination, or (for a service) a service port. */
  readonly port?: number | string;
  /** TCP when omitted. */
  readonly protocol?: FlowProtocol;
  /** ICMP/ICMPv6 only: a number or a type name; the echo request when omitted. */
  readonly icmpType?: number | string;
  /** An HTTP request, judged by the HTTP rules of the port. */
  readonly http?: HttpRequest;
  /** A DNS lookup, judged by the DNS rules of the port. */
  readonly dns?: { readonly query: string };
}

/** How a direction was decided. */
export type DirectionState =
  'not-enforced' | 'not-an-endpoint' | 'allowed' | 'denied-by-rule' | 'default-deny' | 'proxy-denied' | 'unknown';

/** The verdict of one direction (the source's egress, or the destination's ingress). */
export interface DirectionVerdict {
  readonly verdict: Verdict;
  /** The rules that decided: the allowing rules, the deny rule, or the L7 rules that refused; empty for default deny. */
  readonly by: readonly RuleRef[];
  readonly reason: string;
  readonly state: DirectionState;
  /** The policies that make the direction default-deny (their subject selectors). */
  readonly defaultDenyBy: readonly SubjectRef[];
  readonly unknowns: readonly UnknownReason[];
  /** The proxy the flow goes through, when the deciding rules have L7 rules. */
  readonly proxy?: 'http' | 'dns' | 'tls' | 'listener';
}

/** The verdict of a flow. */
export interface FlowVerdict {
  readonly verdict: Verdict;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** One sentence a person can read. */
  readonly reason: string;
  /** Every reason the verdict is unknown (empty otherwise). */
  readonly unknowns: readonly UnknownReason[];
  /** The ends and port as judged, for display. */
  readonly source: string;
  readonly destination: string;
  readonly port: string;
}

/** What an endpoint's policy is in one direction (for coverage, hovers and the endpoints tree). */
export interface EndpointDirection {
  readonly state: 'default-deny' | 'allow-all' | 'audit';
  /** The policies selecting the endpoint in this direction. */
  readonly policies: readonly PolicyRef[];
  readonly defaultDenyBy: readonly SubjectRef[];
  /** Why, in a few words. */
  readonly reason: string;
}

/** The effective policy of an endpoint. */
export interface EffectivePolicy {
  readonly ingress: EndpointDirection;
  readonly egress: EndpointDirection;
  /** Every policy that selects the endpoint (either direction). */
  readonly policies: readonly PolicyRef[];
}

/** A policy the agent rejects, and why. */
export interface RejectedPolicy {
  readonly policy: PolicyRef;
  readonly line: number;
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------
// Internal views

type FlowL4 =
  | { readonly proto: 'TCP' | 'UDP' | 'SCTP'; readonly port: number }
  | { readonly proto: 'ICMP' | 'ICMPv6'; readonly type: number };

/** An identity as the other end sees it. */
interface PeerView {
  readonly key: string;
  /** The key as a small number (interned by the engine). */
  readonly id: number;
  readonly kind: 'pod' | 'host' | 'remote-node' | 'world' | 'reserved';
  readonly labels: LabelMap;
  readonly sources: readonly string[];
  readonly display: string;
  readonly address?: Prefix;
  readonly names: readonly string[];
  readonly node?: NodeInfo;
  readonly entity?: string;
  /** A pod's container ports; undefined when not known. */
  readonly ports?: readonly ContainerPort[];
}

/** The endpoint whose policy applies in a direction. */
interface SubjectView {
  readonly kind: 'endpoint' | 'host' | 'none';
  readonly key: string;
  readonly labels: LabelMap;
  readonly sources: readonly string[];
  readonly display: string;
  readonly ports?: readonly ContainerPort[];
  /** For `none`: why no policy applies. */
  readonly none?: string;
}

/** A match: yes, no, or unknown with the reason. */
type Match = PeerMatch;

/** The items of a direction whose peers select one identity, with how (true, or unknown). */
interface PeerItems {
  readonly allow: readonly CompiledItem[];
  readonly allowHow: readonly Match[];
  readonly deny: readonly CompiledItem[];
  readonly denyHow: readonly Match[];
}

function toFlowL4(p: { port: number; protocol: FlowProtocol }): FlowL4 {
  return p.protocol === 'ICMP' || p.protocol === 'ICMPv6'
    ? { proto: p.protocol, type: p.port }
    : { proto: p.protocol, port: p.port };
}

/** Identity numbers below this have their item answers in arrays. */
const DENSE_IDS = 4_096;

/** An endpoint's policy in one direction. */
interface DirectionPolicy {
  readonly ingress: boolean;
  readonly subject: SubjectView;
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  readonly why: 'never' | 'always' | 'init' | 'selected' | 'not-selected' | 'host-firewall-off' | 'not-an-endpoint';
  readonly rules: readonly CompiledRule[];
  readonly defaultDenyRules: readonly CompiledRule[];
  readonly allow: readonly CompiledItem[];
  readonly deny: readonly CompiledItem[];
  readonly dnsRules: readonly NameMatcher[];
}

interface SubjectEntry {
  readonly subject: SubjectView;
  rules: CompiledRule[];
  /** The generation at which the rules selecting it last changed (or it was first seen). */
  changed: number;
  ingress?: DirectionPolicy;
  egress?: DirectionPolicy;
}

/** A decision of one direction, before it is put into words. */
interface Decision {
  readonly verdict: Verdict;
  readonly state: DirectionState;
  readonly by: readonly CompiledItem[];
  readonly unknowns: readonly UnknownReason[];
  readonly policy: DirectionPolicy;
  readonly peer: PeerView | undefined;
  readonly implicit?: 'localhost' | 'non-default-deny';
  readonly proxy?: DirectionVerdict['proxy'];
  /** Why the proxy refused, or what the L7 rules do to the connection. */
  readonly detail?: string;
}

interface Outcome {
  readonly verdict: Verdict;
  readonly egress: Decision;
  readonly ingress: Decision;
  readonly unknowns: readonly UnknownReason[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const NOT_AN_ENDPOINT_POLICY = (subject: SubjectView, ingress: boolean): DirectionPolicy => ({
  ingress,
  subject,
  enforced: false,
  defaultDeny: false,
  why: subject.kind === 'none' ? 'not-an-endpoint' : 'not-selected',
  rules: [],
  defaultDenyRules: [],
  allow: [],
  deny: [],
  dnsRules: [],
});

function labelsKey(labels: LabelMap): string {
  return [...labels.entries()]
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
}

const keyCache = new WeakMap<LabelMap, string>();
function cachedLabelsKey(labels: LabelMap): string {
  let k = keyCache.get(labels);
  if (k === undefined) {
    k = labelsKey(labels);
    keyCache.set(labels, k);
  }
  return k;
}

/** The namespace a rule's subject selector is limited to ('' for none): its bucket in the rule index. */
function bucketOf(r: CompiledRule): string {
  const nsReq = r.subject.selector.requirements.find(
    (q) => q.source === 'k8s' && q.key === LABEL.podNamespace && q.operator === 'In' && q.values.length === 1,
  );
  return nsReq ? (nsReq.values[0] as string) : '';
}

const ENTITY_CACHE_KEYS = new Map<string, string>();
/** The selector-cache key of an entity (made once per entity name). */
function entityCacheKey(entity: string): string {
  let k = ENTITY_CACHE_KEYS.get(entity);
  if (k === undefined) ENTITY_CACHE_KEYS.set(entity, (k = `entity:${entity}`));
  return k;
}

function reservedLabels(name: string): Map<string, string> {
  return new Map([[labelKey('reserved', name), '']]);
}

function isUnknown(m: unknown): m is UnknownReason {
  return typeof m === 'object' && m !== null && !Array.isArray(m) && 'code' in m;
}

/** `CiliumNetworkPolicy shop/api`. */
export function policyName(p: PolicyRef): string {
  return `${p.kind} ${p.namespace !== null ? `${p.namespace}/` : ''}${p.name}`;
}

/** `ingress[0]` or `specs[1].ingress[0]`. */
function itemName(r: RuleRef): string {
  return `${r.spec !== null ? `specs[${r.spec}].` : ''}${r.direction}[${r.rule}]`;
}

/** `CiliumNetworkPolicy shop/api ingress[0] (policies/api.yaml:14)`. */
export function ruleText(r: RuleRef): string {
  return `${policyName(r)} ${itemName(r)} (${r.file}:${r.line})`;
}

function subjectText(r: SubjectRef): string {
  return `${policyName(r)} (${r.file}:${r.line})`;
}

function l4Text(l4: FlowL4): string {
  return 'port' in l4 ? `${l4.proto}/${l4.port}` : `${l4.proto} type ${l4.type}`;
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function uniqReasons(rs: readonly UnknownReason[]): UnknownReason[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const k = `${r.code}\u0000${r.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The engine

/** Options of an engine. */
export interface EngineOptions {
  readonly inventory: Inventory;
  readonly agent?: AgentProfile;
}

/** Node placement of a scenario: the node each end runs on (host endpoints and pods). */
interface Scenario {
  readonly srcNode: NodeInfo | undefined;
  readonly dstNode: NodeInfo | undefined;
}

const MAX_SCENARIOS = 64;
const NO_PLACEMENT: Scenario = { srcNode: undefined, dstNode: undefined };
/** What matchL4 gives for an item that covers the flow without port rules (L3-only, ICMP). */
const NO_PORT_RULES: readonly PortRuleSpec[] = Object.freeze([]);

/** True when a parsed file holds a policy the engine reads (Cilium's, or a Kubernetes NetworkPolicy). */
export function holdsPolicies(file: PolicyFile): boolean {
  return file.documents.some((d) => networkPolicyKind(d.kind) !== undefined);
}

/**
 * The verdict engine over one inventory and one agent profile. Policies are added per file
 * ({@link setFile}); verdicts follow every change. Pure: it reads nothing and writes nothing.
 */
export class VerdictEngine {
  readonly agent: AgentProfile;
  readonly resolver: EndpointResolver;
  private readonly options: SelectorOptions;
  private readonly files = new Map<string, CompiledPolicy[]>();
  /** Endpoint rules by the namespace their subject is limited to ('' for any), and node rules. */
  private buckets: Map<string, CompiledRule[]> | undefined;
  private nodeRules: CompiledRule[] | undefined;
  private readonly subjects = new Map<string, SubjectEntry>();
  private gen = 0;
  /** The content of each policy's document, to tell an edited policy from one that only moved. */
  private readonly fingerprints = new WeakMap<CompiledPolicy, string>();
  /** Selector answers per identity, shared by every rule with an equal selector. */
  private readonly selectorCache = new Map<string, Map<number, boolean>>();
  /** Every declared container port number, by `name/protocol` (egress named ports resolve cluster-wide). */
  private readonly namedPorts = new Map<string, Set<number>>();
  /** Identity keys as small numbers, for the caches. */
  private readonly ids = new Map<string, number>();
  /** The views of pod ends, made once per end. */
  private readonly podPeers = new WeakMap<PodEnd, PeerView>();
  private readonly podSubjects = new WeakMap<PodEnd, SubjectView>();
  /** The services of each `toServices` peer. */
  private readonly serviceMatches = new WeakMap<Peer, readonly ServiceInfo[]>();
  /** Small numbers for container-port lists (part of a decision's cache key). */

  constructor(options: EngineOptions) {
    this.agent = options.agent ?? DEFAULT_AGENT;
    this.options = {
      clusterName: this.agent.clusterName,
      policyDefaultLocalCluster: this.agent.policyDefaultLocalCluster,
    };
    this.resolver = new EndpointResolver(options.inventory, this.options);
    for (const e of options.inventory.endpoints) {
      for (const c of e.containers ?? []) {
        for (const p of c.ports ?? []) {
          if (p.name === undefined) continue;
          const k = `${p.name.toLowerCase()}/${p.protocol}`;
          let set = this.namedPorts.get(k);
          if (!set) this.namedPorts.set(k, (set = new Set()));
          set.add(p.containerPort);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Policies

  /**
   * Sets the policies of one file (replacing what it held before). Documents that are not
   * CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy are ignored. Only the
   * endpoints this file's old or new rules select are recomputed.
   */
  setFile(file: string, parsed: PolicyFile): readonly CompiledPolicy[] {
    const lines = new LineIndex(parsed.text);
    const compiled: CompiledPolicy[] = [];
    for (const doc of parsed.documents) {
      const p = compilePolicy(doc, file, lines, this.agent);
      if (!p) continue;
      compiled.push(p);
      // What the document says, whatever its place in the file: an unchanged policy keeps its verdicts.
      if (doc.data !== undefined) this.fingerprints.set(p, JSON.stringify(doc.data));
    }
    this.replace(file, compiled);
    return compiled;
  }

  /** Forgets a file's policies. */
  removeFile(file: string): void {
    this.replace(file, []);
  }

  /** The files that hold policies. */
  fileNames(): string[] {
    return [...this.files.keys()].sort();
  }

  /** Every compiled policy, rejected ones included. */
  policies(): CompiledPolicy[] {
    return [...this.files.values()].flat();
  }

  /** The policies the agent would reject, with the reason. */
  rejected(): RejectedPolicy[] {
    return this.policies()
      .filter((p) => p.rejected !== undefined)
      .map((p) => ({ policy: p.ref, line: p.line, reason: p.rejected as string }));
  }

  /** A number that grows with every change of the policies (see {@link changedSince}). */
  get generation(): number {
    return this.gen;
  }

  /**
   * Whether the rules that apply to an end (its egress as a source, its ingress as a
   * destination) may have changed after `generation`: a cell of a matrix whose two ends did not
   * change keeps its verdict. True for ends the engine has not seen, and for ends other than pods.
   */
  changedSince(end: FlowEnd, generation: number): boolean {
    if (end.role !== 'pod') return true;
    const entry = this.subjects.get(this.podSubject(end).key);
    return entry === undefined || entry.changed > generation;
  }

  private replace(file: string, compiled: CompiledPolicy[]): void {
    this.gen++;
    const old = this.files.get(file) ?? [];
    if (compiled.length === 0) this.files.delete(file);
    else this.files.set(file, compiled);
    const oldRules = new Set(old.flatMap((p) => p.rules));
    const newRules = compiled.filter((p) => p.rejected === undefined).flatMap((p) => p.rules);
    // Keep the rule index current: take this file's old rules out of their buckets, put the new in.
    if (this.buckets && this.nodeRules) {
      const touched = new Set<string>();
      for (const r of oldRules) if (r.subject.kind !== 'nodes') touched.add(bucketOf(r));
      for (const k of touched) {
        const kept = (this.buckets.get(k) ?? []).filter((r) => !oldRules.has(r));
        if (kept.length > 0) this.buckets.set(k, kept);
        else this.buckets.delete(k);
      }
      this.nodeRules = this.nodeRules.filter((r) => !oldRules.has(r));
      for (const r of newRules) this.addToIndex(r, this.buckets, this.nodeRules);
    } else this.allRules();
    // A rule of a policy whose document did not change (moved, or beside the edited one) stands in
    // for its old self: the endpoints it selects get its new places but keep their verdicts.
    const same = new Map<CompiledRule, CompiledRule>();
    const replacing = new Set<CompiledRule>();
    const oldByContent = new Map<string, CompiledRule>();
    for (const p of old) {
      const fp = this.fingerprints.get(p);
      if (p.rejected === undefined && fp !== undefined) p.rules.forEach((r, i) => oldByContent.set(`${fp}#${i}`, r));
    }
    for (const p of compiled) {
      const fp = this.fingerprints.get(p);
      if (p.rejected !== undefined || fp === undefined) continue;
      p.rules.forEach((r, i) => {
        const o = oldByContent.get(`${fp}#${i}`);
        if (o && !same.has(o)) {
          same.set(o, r);
          replacing.add(r);
        }
      });
    }
    // Re-match only this file's rules against the endpoints already computed.
    for (const entry of this.subjects.values()) {
      let touched = false;
      let changed = false;
      const rules: CompiledRule[] = [];
      for (const r of entry.rules) {
        if (!oldRules.has(r)) {
          rules.push(r);
          continue;
        }
        touched = true;
        const stand = same.get(r);
        if (stand) rules.push(stand);
        else changed = true;
      }
      const id = this.intern(entry.subject.key);
      for (const r of newRules) {
        if (replacing.has(r) || !this.selects(r, entry.subject, id)) continue;
        rules.push(r);
        touched = changed = true;
      }
      if (!touched) continue;
      entry.rules = rules;
      entry.ingress = undefined;
      entry.egress = undefined;
      if (changed) entry.changed = this.gen;
    }
  }

  private allRules(): { buckets: Map<string, CompiledRule[]>; nodeRules: CompiledRule[] } {
    if (this.buckets && this.nodeRules) return { buckets: this.buckets, nodeRules: this.nodeRules };
    const buckets = new Map<string, CompiledRule[]>();
    const nodeRules: CompiledRule[] = [];
    for (const p of this.policies()) {
      if (p.rejected !== undefined) continue;
      for (const r of p.rules) this.addToIndex(r, buckets, nodeRules);
    }
    this.buckets = buckets;
    this.nodeRules = nodeRules;
    return { buckets, nodeRules };
  }

  private addToIndex(r: CompiledRule, buckets: Map<string, CompiledRule[]>, nodeRules: CompiledRule[]): void {
    if (r.subject.kind === 'nodes') {
      nodeRules.push(r);
      return;
    }
    const k = bucketOf(r);
    let list = buckets.get(k);
    if (!list) buckets.set(k, (list = []));
    list.push(r);
  }

  /** Whether a rule selects an endpoint (`id`: the subject's identity number), from the selector cache. */
  private selects(rule: CompiledRule, subject: SubjectView, id: number): boolean {
    if (subject.kind === 'none') return false;
    if ((rule.subject.kind === 'nodes') !== (subject.kind === 'host')) return false;
    let cache = this.selectorCache.get(rule.subject.key);
    if (!cache) this.selectorCache.set(rule.subject.key, (cache = new Map<number, boolean>()));
    let hit = cache.get(id);
    if (hit === undefined) {
      hit = matchesSelector(rule.subject.selector, subject.labels, subject.sources);
      cache.set(id, hit);
    }
    return hit;
  }

  private entryOf(subject: SubjectView): SubjectEntry {
    let entry = this.subjects.get(subject.key);
    if (entry) return entry;
    let candidates: CompiledRule[] = [];
    if (subject.kind === 'host') candidates = this.allRules().nodeRules;
    else if (subject.kind === 'endpoint') {
      const { buckets } = this.allRules();
      const ns = subject.labels.get(labelKey('k8s', LABEL.podNamespace));
      candidates = [...(ns !== undefined ? (buckets.get(ns) ?? []) : []), ...(buckets.get('') ?? [])];
    }
    const id = this.intern(subject.key);
    entry = { subject, rules: candidates.filter((r) => this.selects(r, subject, id)), changed: this.gen };
    if (this.subjects.size > 50_000) this.subjects.clear();
    this.subjects.set(subject.key, entry);
    return entry;
  }

  private directionPolicy(subject: SubjectView, ingress: boolean): DirectionPolicy {
    if (subject.kind === 'none') return NOT_AN_ENDPOINT_POLICY(subject, ingress);
    const entry = this.entryOf(subject);
    const cached = ingress ? entry.ingress : entry.egress;
    if (cached) return cached;
    const mode = this.agent.policyEnforcementMode;
    const rules = entry.rules.filter((r) => (ingress ? r.ingress : r.egress).present);
    const dir = (r: CompiledRule): CompiledRule['ingress'] => (ingress ? r.ingress : r.egress);
    const base = {
      ingress,
      subject,
      rules,
      allow: rules.flatMap((r) => dir(r).allow),
      deny: rules.flatMap((r) => dir(r).deny),
      dnsRules: ingress ? [] : rules.flatMap((r) => r.dnsRules),
    };
    let policy: DirectionPolicy;
    const isInit = subject.labels.has(labelKey('reserved', 'init'));
    if (subject.kind === 'host' && !this.agent.enableHostFirewall) {
      policy = { ...base, enforced: false, defaultDeny: false, why: 'host-firewall-off', defaultDenyRules: [] };
    } else if (mode === 'never') {
      policy = { ...base, enforced: false, defaultDeny: false, why: 'never', defaultDenyRules: [] };
    } else if (mode === 'always' || isInit) {
      policy = {
        ...base,
        enforced: true,
        defaultDeny: true,
        why: mode === 'always' ? 'always' : 'init',
        defaultDenyRules: rules,
      };
    } else if (rules.length === 0) {
      policy = { ...base, enforced: false, defaultDeny: false, why: 'not-selected', defaultDenyRules: [] };
    } else {
      const defaultDenyRules = rules.filter((r) => dir(r).defaultDeny);
      policy = { ...base, enforced: true, defaultDeny: defaultDenyRules.length > 0, why: 'selected', defaultDenyRules };
    }
    if (ingress) entry.ingress = policy;
    else entry.egress = policy;
    return policy;
  }

  // -------------------------------------------------------------------------------------------
  // Views of the ends

  private podSubject(p: PodEnd): SubjectView {
    let v = this.podSubjects.get(p);
    if (!v) {
      v = this.makePodSubject(p);
      this.podSubjects.set(p, v);
    }
    return v;
  }

  private makePodSubject(p: PodEnd): SubjectView {
    return {
      kind: 'endpoint',
      key: `p|${cachedLabelsKey(p.labels)}`,
      labels: p.labels,
      sources: sourcesOf(p.labels),
      display: p.display,
      ...(p.ports ? { ports: p.ports } : {}),
    };
  }

  private hostSubject(node: NodeInfo): SubjectView {
    const labels = nodeLabels(node.labels, 'host', this.options);
    return {
      kind: 'host',
      key: `h|${node.name}|${cachedLabelsKey(labels)}`,
      labels,
      sources: sourcesOf(labels),
      display: `node ${node.name}`,
    };
  }

  private subjectOf(end: FlowEnd, node: NodeInfo | undefined): SubjectView {
    switch (end.role) {
      case 'pod':
        return this.podSubject(end);
      case 'node':
        if (node) return this.hostSubject(node);
        return {
          kind: 'none',
          key: 'none',
          labels: new Map(),
          sources: [],
          display: end.display,
          none: 'its node is not known',
        };
      case 'reserved': {
        if (end.entity === 'kube-apiserver') {
          return {
            kind: 'none',
            key: 'none|kube-apiserver',
            labels: reservedLabels(end.entity),
            sources: ['reserved'],
            display: end.display,
            none: 'the kube-apiserver is not a Cilium endpoint',
          };
        }
        const labels = reservedLabels(end.entity);
        return { kind: 'endpoint', key: `x|${end.entity}`, labels, sources: ['reserved'], display: end.display };
      }
      case 'world':
        return {
          kind: 'none',
          key: 'none|world',
          labels: reservedLabels('world'),
          sources: ['reserved'],
          display: end.display,
          none: `${end.display} is outside the cluster`,
        };
      default:
        return { kind: 'none', key: 'none', labels: new Map(), sources: [], display: end.display, none: 'unknown' };
    }
  }

  private intern(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.ids.size));
    return id;
  }

  /** How `end` (on `endNode`) looks to an observer on `observerNode`. */
  private peerOf(end: FlowEnd, endNode: NodeInfo | undefined, observerNode: NodeInfo | undefined): PeerView {
    if (end.role === 'pod') {
      let v = this.podPeers.get(end);
      if (!v) {
        const view = this.peerViewOf(end, endNode, observerNode);
        v = { ...view, id: this.intern(view.key) };
        this.podPeers.set(end, v);
      }
      return v;
    }
    const view = this.peerViewOf(end, endNode, observerNode);
    return { ...view, id: this.intern(view.key) };
  }

  private peerViewOf(
    end: FlowEnd,
    endNode: NodeInfo | undefined,
    observerNode: NodeInfo | undefined,
  ): Omit<PeerView, 'id'> {
    switch (end.role) {
      case 'pod':
        return {
          key: `p|${cachedLabelsKey(end.labels)}`,
          kind: 'pod',
          labels: end.labels,
          sources: sourcesOf(end.labels),
          display: end.display,
          ...(end.address ? { address: end.address } : {}),
          names: [],
          ...(end.ports ? { ports: end.ports } : {}),
        };
      case 'node': {
        const local = endNode !== undefined && observerNode !== undefined && endNode.name === observerNode.name;
        const role = local ? 'host' : 'remote-node';
        const labels =
          this.agent.enableNodeSelectorLabels && endNode
            ? nodeLabels(endNode.labels, role, this.options)
            : reservedLabels(role);
        return {
          key: `${role === 'host' ? 'h' : 'r'}|${endNode?.name ?? '?'}|${end.address ? String(end.address.addr) : ''}`,
          kind: role,
          labels,
          sources: sourcesOf(labels),
          display: local ? `${end.display} (the local node: host)` : `${end.display} (remote-node)`,
          ...(end.address ? { address: end.address } : {}),
          names: [],
          ...(endNode ? { node: endNode } : {}),
        };
      }
      case 'reserved': {
        const labels = reservedLabels(end.entity);
        return {
          key: `x|${end.entity}`,
          kind: 'reserved',
          labels,
          sources: ['reserved'],
          display: end.display,
          names: [],
          entity: end.entity,
        };
      }
      case 'world': {
        const labels = reservedLabels('world');
        return {
          key: `w|${end.addressText ?? ''}|${end.names.join(',')}`,
          kind: 'world',
          labels,
          sources: ['reserved'],
          display: end.display,
          ...(end.address ? { address: end.address } : {}),
          names: end.names,
        };
      }
      default:
        return { key: 'unknown', kind: 'world', labels: new Map(), sources: [], display: end.display, names: [] };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Matching

  /** The services a `toServices` peer names (once per peer). */
  private servicesOf(peer: Extract<Peer, { type: 'service' }>): readonly ServiceInfo[] {
    let found = this.serviceMatches.get(peer);
    if (!found) {
      found = this.resolver.inventory.services.filter((s) => {
        if (peer.namespace !== undefined && s.namespace !== peer.namespace) return false;
        if (peer.name !== undefined) return s.name === peer.name;
        if (peer.selector) {
          const labels = new Map(Object.entries(s.labels).map(([k, v]) => [labelKey('k8s', k), v] as const));
          return matchesSelector(peer.selector, labels, ['k8s']);
        }
        return false;
      });
      this.serviceMatches.set(peer, found);
    }
    return found;
  }

  /** Whether a selector selects an identity, from the selector cache (computed on a miss). */
  private selectorSelects(key: string, selector: EffectiveSelector, peer: PeerView): boolean {
    let cache = this.selectorCache.get(key);
    if (!cache) this.selectorCache.set(key, (cache = new Map<number, boolean>()));
    let hit = cache.get(peer.id);
    if (hit === undefined) {
      hit = matchesSelector(selector, peer.labels, peer.sources);
      cache.set(peer.id, hit);
    }
    return hit;
  }

  /** Whether an entity selects an identity, from the selector cache (computed on a miss). */
  private entitySelectsCached(entity: string, peer: PeerView): boolean {
    const key = entityCacheKey(entity);
    let cache = this.selectorCache.get(key);
    if (!cache) this.selectorCache.set(key, (cache = new Map<number, boolean>()));
    let hit = cache.get(peer.id);
    if (hit === undefined) {
      hit = entitySelects(entity, peer.labels, this.options);
      cache.set(peer.id, hit);
    }
    return hit;
  }

  private cidrMatch(contains: (a: Prefix) => boolean, text: string, peer: PeerView): Match {
    switch (peer.kind) {
      case 'world':
        if (!peer.address)
          return {
            code: 'world-address-unknown',
            message: `CIDR ${text} may or may not cover ${peer.display}: no address is given`,
          };
        return contains(peer.address);
      case 'host':
      case 'remote-node': {
        const addresses = peer.address ? [peer.address] : this.nodeAddresses(peer.node);
        const nodesMode = this.agent.policyCIDRMatchMode.includes('nodes');
        const stated = this.agent.stated.policyCIDRMatchMode !== undefined;
        if (!nodesMode && stated) return false;
        if (addresses.length === 0) {
          return nodesMode
            ? {
                code: 'node-address-unknown',
                message: `CIDR ${text} selects nodes by address (policyCIDRMatchMode: [nodes]), and the address of ${peer.display} is not known`,
              }
            : {
                code: 'cidr-node-match-mode',
                message: `CIDR ${text} may cover ${peer.display}, whose address is not known, and policyCIDRMatchMode is not stated (with [nodes] CIDR rules select nodes)`,
              };
        }
        const inside = addresses.map(contains);
        if (inside.every((x) => !x)) return false;
        if (!inside.every((x) => x))
          return {
            code: 'node-address-unknown',
            message: `CIDR ${text} covers some addresses of ${peer.display} and not others`,
          };
        if (nodesMode) return true;
        return {
          code: 'cidr-node-match-mode',
          message: `CIDR ${text} covers the address of ${peer.display}; it selects the node only with policyCIDRMatchMode: [nodes], which is not stated`,
        };
      }
      case 'reserved':
        return peer.entity === 'kube-apiserver'
          ? {
              code: 'kube-apiserver-address',
              message: `CIDR ${text} may cover the kube-apiserver, whose address is not known`,
            }
          : false;
      default:
        return false; // pods have identities of their own; CIDR rules do not select them
    }
  }

  private nodeAddresses(node: NodeInfo | undefined): Prefix[] {
    const out: Prefix[] = [];
    for (const a of node?.addresses ?? []) {
      const p = parseAddress(a);
      if (p) out.push(p);
    }
    return out;
  }

  private matchPeer(peer: Peer, view: PeerView, policy: DirectionPolicy): Match {
    switch (peer.type) {
      case 'selector': {
        if (view.kind === 'world' && view.labels.size === 0) return false;
        const hit = this.selectorSelects(peer.key, peer.selector, view);
        if (hit && peer.doubt) return peer.doubt;
        return hit;
      }
      case 'nodes':
        if (view.kind !== 'host' && view.kind !== 'remote-node') return false;
        return this.selectorSelects(peer.key, peer.selector, view);
      case 'entity': {
        if (peer.entity === 'world-ipv4' || peer.entity === 'world-ipv6') {
          if (view.kind !== 'world') return false;
          if (!view.address)
            return {
              code: 'world-address-unknown',
              message: `entity ${peer.entity} depends on the address family of ${view.display}, which is not given`,
            };
          return view.address.family === (peer.entity === 'world-ipv4' ? 4 : 6);
        }
        return this.entitySelectsCached(peer.entity, view);
      }
      case 'cidr':
        return this.cidrMatch((a) => cidrAdmits(peer.prefix, peer.except, a), peer.text, view);
      case 'cidrGroupRef': {
        const group = (this.resolver.inventory.cidrGroups ?? []).find((g) => g.name === peer.name);
        if (!group)
          return {
            code: 'cidr-group-unresolved',
            message: `CiliumCIDRGroup ${peer.name} is not in the inventory, so its CIDRs are not known`,
          };
        return this.groupMatch([group.cidrs], peer.except, `group ${peer.name}`, view);
      }
      case 'cidrGroupSelector': {
        const groups = this.resolver.inventory.cidrGroups ?? [];
        if (groups.length === 0)
          return {
            code: 'cidr-group-unresolved',
            message: `the inventory holds no CiliumCIDRGroup, so the groups ${peer.text} selects are not known`,
          };
        const matched = groups.filter((g) => {
          const labels = new Map(Object.entries(g.labels).map(([k, v]) => [labelKey('cidrgroup', k), v] as const));
          return matchesSelector(peer.selector, labels, ['cidrgroup']);
        });
        return this.groupMatch(
          matched.map((g) => g.cidrs),
          peer.except,
          `groups ${peer.text}`,
          view,
        );
      }
      case 'fqdn': {
        if (view.kind !== 'world') return false;
        if (view.names.length === 0) {
          return {
            code: 'address-may-match-fqdn',
            message: `${view.display} may be an address DNS gives for ${describeNameMatcher(peer.matcher)} (toFQDNs), and no name is given`,
          };
        }
        const name = view.names.find((n) => nameMatcherAdmits(peer.matcher, n));
        if (name === undefined) return false;
        // The address is known to the rule only if the DNS proxy saw the lookup.
        return policy.dnsRules.some((d) => nameMatcherAdmits(d, name));
      }
      case 'service': {
        const services = this.servicesOf(peer);
        if (services.length === 0)
          return {
            code: 'service-not-in-inventory',
            message: `toServices ${peer.text} names no service of the inventory, so what it selects is not known`,
          };
        let unknown: UnknownReason | undefined;
        for (const svc of services) {
          if (svc.selector) {
            if (view.kind !== 'pod') continue;
            // SVC-2: a service with a selector stands for its pods (that selector, in its namespace).
            const ok = Object.entries(svc.selector).every(([k, v]) => view.labels.get(labelKey('k8s', k)) === v);
            if (ok && view.labels.get(labelKey('k8s', LABEL.podNamespace)) === svc.namespace) return true;
          } else if (view.kind === 'world' || view.kind === 'host' || view.kind === 'remote-node') {
            unknown ??= {
              code: 'service-without-endpoints',
              message: `service ${svc.namespace}/${svc.name} has no selector: its backends are the addresses of its EndpointSlices, which the inventory does not hold`,
            };
          }
        }
        return unknown ?? false;
      }
      case 'cloud-group':
        return view.kind === 'pod'
          ? false
          : {
              code: 'cloud-groups',
              message: `${peer.text} (toGroups/fromGroups) is resolved by the operator from the cloud provider at run time`,
            };
    }
  }

  private groupMatch(
    cidrLists: readonly (readonly string[])[],
    except: readonly Prefix[],
    text: string,
    view: PeerView,
  ): Match {
    let result: Match = false;
    for (const cidrs of cidrLists) {
      for (const c of cidrs) {
        const prefix = parsePrefix(c.trim());
        if (!prefix) continue;
        const m = this.cidrMatch((a) => cidrAdmits(prefix, except, a), `${c} (${text})`, view);
        if (m === true) return true;
        if (isUnknown(m)) result = m;
      }
    }
    return result;
  }

  /** Whether an item's peers select an identity (kept per item and identity, except toFQDNs items). */
  private itemMatch(item: CompiledItem, view: PeerView, policy: DirectionPolicy): Match {
    if (item.peers === 'wildcard') return true;
    const cache = item.cache;
    const id = view.id;
    if (cache.shared) {
      const hit = id < DENSE_IDS ? cache.dense[id] : cache.sparse.get(id);
      if (hit !== undefined) return hit;
    }
    let unknown: UnknownReason | undefined;
    let result: Match = false;
    for (const p of item.peers) {
      const m = this.matchPeer(p, view, policy);
      if (m === true) {
        result = true;
        break;
      }
      if (isUnknown(m)) unknown ??= m;
    }
    if (result !== true) result = unknown ?? false;
    if (cache.shared) {
      if (id < DENSE_IDS) {
        // Grow without holes, so the array stays a fast one.
        while (cache.dense.length < id) cache.dense.push(undefined);
        cache.dense[id] = result;
      } else {
        if (cache.sparse.size > 50_000) cache.sparse.clear();
        cache.sparse.set(id, result);
      }
    }
    return result;
  }

  /** The items of a direction whose peers select an identity. */
  private peerItems(policy: DirectionPolicy, view: PeerView): PeerItems {
    const allow: CompiledItem[] = [];
    const allowHow: Match[] = [];
    const deny: CompiledItem[] = [];
    const denyHow: Match[] = [];
    for (const item of policy.allow) {
      const m = this.itemMatch(item, view, policy);
      if (m === false) continue;
      allow.push(item);
      allowHow.push(m);
    }
    for (const item of policy.deny) {
      const m = this.itemMatch(item, view, policy);
      if (m === false) continue;
      deny.push(item);
      denyHow.push(m);
    }
    return { allow, allowHow, deny, denyHow };
  }

  /** A named port's number for this flow, 'none', or unknown. */
  private namedPort(
    name: string,
    proto: string,
    ingress: boolean,
    destinationPorts: readonly ContainerPort[] | undefined,
    destination: string,
    flowPort: number,
  ): number | 'none' | UnknownReason {
    const own = destinationPorts?.find((p) => p.name?.toLowerCase() === name && p.protocol === proto);
    if (ingress) {
      if (destinationPorts === undefined)
        return {
          code: 'named-port-unknown',
          message: `the rule names port "${name}", and the container ports of ${destination} are not known`,
        };
      return own ? own.containerPort : 'none';
    }
    // Egress named ports resolve against every pod's ports.
    const all = this.namedPorts.get(`${name}/${proto}`);
    if (!all || all.size === 0) return 'none';
    if (all.size > 1)
      return {
        code: 'named-port-ambiguous',
        message: `port name "${name}" stands for ${[...all].sort((a, b) => a - b).join(' and ')} in different pods; the agent resolves egress named ports across the cluster`,
      };
    const n = [...all][0] as number;
    if (n !== flowPort) return 'none';
    if (own) return n;
    return {
      code: 'named-port-ambiguous',
      message: `port name "${name}" is ${n} in other pods but ${destination} does not declare it; whether the rule covers ${destination} depends on the agent's resolution of egress named ports`,
    };
  }

  /** The `toPorts` entries of an item that cover the flow ([] for an L3-only item), false, or unknown. */
  private matchL4(
    item: CompiledItem,
    l4: FlowL4,
    destinationPorts: readonly ContainerPort[] | undefined,
    destination: string,
  ): readonly PortRuleSpec[] | false | UnknownReason {
    if (item.l4.kind === 'any') return NO_PORT_RULES;
    if (!('port' in l4)) {
      const family = l4.proto === 'ICMP' ? 4 : 6;
      return item.l4.icmps.some((i) => i.family === family && i.type === l4.type) ? NO_PORT_RULES : false;
    }
    const matched: PortRuleSpec[] = [];
    let unknown: UnknownReason | undefined;
    for (const pr of item.l4.portRules) {
      for (const p of pr.ports) {
        if (p.protocol !== 'ANY' && p.protocol !== l4.proto) continue;
        if (p.name !== undefined) {
          const n = this.namedPort(p.name, l4.proto, item.ingress, destinationPorts, destination, l4.port);
          if (isUnknown(n)) {
            unknown ??= n;
            continue;
          }
          if (n === l4.port) {
            matched.push(pr);
            break;
          }
          continue;
        }
        const covers =
          p.port === 0 || (p.endPort !== undefined ? l4.port >= p.port && l4.port <= p.endPort : l4.port === p.port);
        if (covers) {
          matched.push(pr);
          break;
        }
      }
    }
    if (matched.length > 0) return matched;
    return unknown ?? false;
  }

  // -------------------------------------------------------------------------------------------
  // Deciding one direction

  private decide(
    policy: DirectionPolicy,
    peer: PeerView | undefined,
    l4: FlowL4,
    destinationPorts: readonly ContainerPort[] | undefined,
    destination: string,
    req: HttpRequest | undefined,
    dns: string | undefined,
    matched?: PeerItems,
  ): Decision {
    if (!policy.enforced || peer === undefined) {
      return {
        verdict: 'allow',
        state: policy.why === 'not-an-endpoint' ? 'not-an-endpoint' : 'not-enforced',
        by: [],
        unknowns: [],
        policy,
        peer,
      };
    }
    const items = matched ?? this.peerItems(policy, peer);
    const unknowns: UnknownReason[] = [];
    // Deny rules first: they win over any allow.
    const denyBy: CompiledItem[] = [];
    const denyUnknown: UnknownReason[] = [];
    for (let k = 0; k < items.deny.length; k++) {
      const item = items.deny[k] as CompiledItem;
      const m = items.denyHow[k] as Match;
      const ports = this.matchL4(item, l4, destinationPorts, destination);
      if (ports === false) continue;
      if (isUnknown(ports)) denyUnknown.push(ports);
      else if (isUnknown(m)) denyUnknown.push(m);
      else denyBy.push(item);
    }
    if (denyBy.length > 0)
      return this.audited({ verdict: 'deny', state: 'denied-by-rule', by: denyBy, unknowns: [], policy, peer });

    const full: CompiledItem[] = [];
    const admitted: CompiledItem[] = [];
    const connect: CompiledItem[] = [];
    const refused: CompiledItem[] = [];
    let proxy: DirectionVerdict['proxy'];
    const refusals: string[] = [];
    // The L7 parsers the allow items put on this port (two kinds cannot be merged; see below).
    let httpParser = false;
    let dnsParser = false;
    for (let k = 0; k < items.allow.length; k++) {
      const item = items.allow[k] as CompiledItem;
      const m = items.allowHow[k] as Match;
      const ports = this.matchL4(item, l4, destinationPorts, destination);
      if (ports === false) continue;
      if (isUnknown(ports)) {
        unknowns.push(ports);
        continue;
      }
      for (const pr of ports) {
        if (pr.l7?.kind === 'http') httpParser = true;
        else if (pr.l7?.kind === 'dns') dnsParser = true;
      }
      if (isUnknown(m)) {
        unknowns.push(m);
        continue;
      }
      if (item.auth === 'test-always-fail') continue;
      if (item.auth === 'required') {
        unknowns.push({
          code: 'authentication',
          message: `${ruleText(item.ref)} requires mutual authentication, which succeeds or fails at run time`,
        });
        continue;
      }
      if (ports.length === 0 || ports.some((pr) => pr.l7 === undefined)) {
        full.push(item);
        continue;
      }
      let itemAdmits = false;
      let itemConnect = false;
      let itemRefused = false;
      for (const pr of ports) {
        const l7 = pr.l7!;
        switch (l7.kind) {
          case 'http': {
            proxy ??= 'http';
            if (!req) {
              itemConnect = true;
              break;
            }
            let why: string | undefined;
            for (const rule of l7.rules) {
              const o = httpRuleAdmits(rule, req);
              if (o.admits === true) {
                itemAdmits = true;
                break;
              }
              if (o.admits === 'unknown') {
                unknowns.push({ code: 'http-undecidable', message: `${ruleText(item.ref)}: ${o.why}` });
              } else why ??= `${describeHttpRule(rule)}: ${o.why}`;
            }
            if (!itemAdmits) {
              itemRefused = true;
              if (why) refusals.push(why);
            }
            break;
          }
          case 'dns': {
            proxy ??= 'dns';
            if (dns === undefined) {
              itemConnect = true;
              break;
            }
            if (l7.rules.some((r) => nameMatcherAdmits(r, dns))) itemAdmits = true;
            else {
              itemRefused = true;
              refusals.push(`no DNS rule admits ${dns}`);
            }
            break;
          }
          case 'sni':
            proxy ??= 'tls';
            unknowns.push({
              code: 'tls-server-name',
              message: `${ruleText(item.ref)} admits TLS only to the server names ${l7.serverNames.join(', ')}, and the flow gives none`,
            });
            break;
          case 'listener':
            proxy ??= 'listener';
            unknowns.push({
              code: 'envoy-listener',
              message: `${ruleText(item.ref)} hands the traffic to Envoy listener ${l7.name}, whose configuration decides`,
            });
            break;
        }
      }
      if (itemAdmits) admitted.push(item);
      else if (itemConnect) connect.push(item);
      else if (itemRefused) refused.push(item);
    }
    // Two L7 parsers on one port (HTTP and DNS rules for the same port) make the agent fail to
    // compute the endpoint's policy; what the datapath then does is not for us to say.
    if (httpParser && dnsParser) {
      return {
        verdict: 'unknown',
        state: 'unknown',
        by: [],
        unknowns: [
          {
            code: 'l7-parser-conflict',
            message: `rules of ${policy.subject.display} put both HTTP and DNS rules on ${l4Text(l4)}; the agent refuses to merge conflicting L7 parsers and fails to compute the endpoint's policy`,
          },
        ],
        policy,
        peer,
      };
    }
    // Implicit allows: the local node reaches its pods, and a direction without a default-deny
    // policy gets an allow-all (which also admits every L7 request).
    let implicit: Decision['implicit'];
    if (policy.ingress && peer.kind === 'host' && this.agent.allowLocalhost === 'always') implicit = 'localhost';
    else if (!policy.defaultDeny) implicit = 'non-default-deny';

    let result: Decision;
    if (full.length > 0 || admitted.length > 0 || implicit) {
      result = {
        verdict: 'allow',
        state: 'allowed',
        by: [...full, ...admitted],
        unknowns: [],
        policy,
        peer,
        ...(implicit && full.length + admitted.length === 0 ? { implicit } : {}),
        ...(admitted.length > 0 && proxy ? { proxy } : {}),
        ...(admitted.length > 0 && req ? { detail: `the HTTP rules admit ${describeRequest(req)}` } : {}),
        ...(admitted.length > 0 && dns !== undefined ? { detail: `the DNS rules admit ${dns}` } : {}),
      };
    } else if (unknowns.length > 0) {
      result = { verdict: 'unknown', state: 'unknown', by: [], unknowns: uniqReasons(unknowns), policy, peer };
    } else if (refused.length > 0) {
      result = {
        verdict: 'deny',
        state: 'proxy-denied',
        by: refused,
        unknowns: [],
        policy,
        peer,
        ...(proxy ? { proxy } : {}),
        detail:
          req !== undefined
            ? `the proxy refuses ${describeRequest(req)}: no HTTP rule admits it (${refusals.join('; ')})`
            : `the proxy refuses the lookup: ${refusals.join('; ')}`,
      };
    } else if (connect.length > 0) {
      result = {
        verdict: 'allow',
        state: 'allowed',
        by: connect,
        unknowns: [],
        policy,
        peer,
        ...(proxy ? { proxy } : {}),
        detail:
          proxy === 'dns'
            ? 'the DNS proxy then admits only the names its rules allow'
            : 'the connection is admitted and the proxy then admits only the requests the HTTP rules allow',
      };
    } else {
      result = { verdict: 'deny', state: 'default-deny', by: [], unknowns: [], policy, peer };
    }
    if (denyUnknown.length > 0 && result.verdict !== 'deny') {
      return {
        ...result,
        verdict: 'unknown',
        state: 'unknown',
        unknowns: uniqReasons([...result.unknowns, ...denyUnknown]),
      };
    }
    return this.audited(result);
  }

  /** In audit mode a drop is only logged: the verdict is not a deny, and not an allow either. */
  private audited(d: Decision): Decision {
    if (d.verdict !== 'deny' || !this.agent.policyAuditMode) return d;
    return {
      ...d,
      verdict: 'unknown',
      state: 'unknown',
      unknowns: [
        {
          code: 'audit-mode',
          message: `policy would drop this flow, but policy-audit-mode is on, so the agent only logs it`,
        },
      ],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Flows

  /** Resolves an endpoint spec against the inventory. */
  resolve(spec: EndpointSpec, asSource = false): Resolution {
    return this.resolver.resolve(spec, asSource);
  }

  private endOf(e: EndpointSpec | FlowEnd, asSource: boolean): Resolution {
    return 'role' in e ? { ok: true, end: e } : this.resolver.resolve(e, asSource);
  }

  /**
   * The port of a flow to a destination: a number, a container port name of the destination, or
   * (for a service) a service port. Undefined with a message when it cannot be read.
   */
  private flowL4(flow: Flow, dst: FlowEnd): { ok: true; l4: FlowL4 } | { ok: false; message: string } {
    const proto = flow.protocol ?? 'TCP';
    if (proto === 'ICMP' || proto === 'ICMPv6') {
      const family = proto === 'ICMP' ? 4 : 6;
      if (flow.icmpType === undefined) return { ok: true, l4: { proto, type: echoRequest(family) } };
      const type = icmpTypeNumber(flow.icmpType, family);
      if (type === undefined)
        return { ok: false, message: `icmpType ${JSON.stringify(flow.icmpType)} is not an ${proto} type` };
      return { ok: true, l4: { proto, type } };
    }
    const port = flow.port;
    if (port === undefined) return { ok: false, message: `a ${proto} flow needs a port` };
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return { ok: false, message: `port ${port} is not between 1 and 65535` };
      return { ok: true, l4: { proto, port } };
    }
    if (/^[0-9]+$/.test(port)) return this.flowL4({ ...flow, port: Number(port) }, dst);
    if (dst.role === 'pod') {
      if (dst.ports === undefined)
        return {
          ok: false,
          message: `port "${port}" is a name, and the container ports of ${dst.display} are not known`,
        };
      const p = dst.ports.find((x) => x.name === port && x.protocol === proto);
      if (!p) return { ok: false, message: `${dst.display} has no ${proto} container port named "${port}"` };
      return { ok: true, l4: { proto, port: p.containerPort } };
    }
    return { ok: false, message: `port "${port}" is a name, and ${dst.display} has no container ports` };
  }

  private candidates(exclude?: NodeInfo): NodeInfo[] {
    const nodes = this.resolver.nodes.length > 0 ? [...this.resolver.nodes] : [ANON_A, ANON_B];
    const out = exclude ? nodes.filter((n) => n.name !== exclude.name) : nodes;
    return out.length > 0 ? out : [exclude?.name === ANON_A.name ? ANON_B : ANON_A];
  }

  private nodeNamed(name: string): NodeInfo {
    return this.resolver.node(name) ?? { name, labels: {} };
  }

  /** The node placements to consider: fixed ones, and every choice where the flow depends on it. */
  private scenarios(src: FlowEnd, dst: FlowEnd): Scenario[] | undefined {
    const needsNode = (end: FlowEnd, other: FlowEnd): boolean => end.role === 'pod' && other.role === 'node';
    const podNodes = (end: FlowEnd, other: FlowEnd): (NodeInfo | undefined)[] => {
      if (end.role === 'pod') {
        if (end.nodeName !== undefined) return [this.nodeNamed(end.nodeName)];
        return needsNode(end, other) ? this.candidates() : [undefined];
      }
      if (end.role === 'node' && end.placement === 'fixed') return [end.node];
      if (end.role === 'node' && end.placement === 'unknown') return this.candidates();
      return [undefined];
    };
    const out: Scenario[] = [];
    const srcChoices =
      src.role === 'node' && (src.placement === 'host' || src.placement === 'remote-node')
        ? [null]
        : podNodes(src, dst);
    const dstChoices =
      dst.role === 'node' && (dst.placement === 'host' || dst.placement === 'remote-node')
        ? [null]
        : podNodes(dst, src);
    for (const s of srcChoices) {
      for (const d of dstChoices) {
        // `host` is the other end's node; `remote-node` any other node.
        const resolveRelative = (end: FlowEnd, other: NodeInfo | null | undefined): (NodeInfo | undefined)[] => {
          if (end.role !== 'node') return [undefined];
          if (end.placement === 'host') return other ? [other] : this.candidates();
          return this.candidates(other ?? undefined);
        };
        const srcNodes = s === null ? resolveRelative(src, d) : [s];
        for (const sn of srcNodes) {
          const dstNodes = d === null ? resolveRelative(dst, sn ?? null) : [d];
          for (const dn of dstNodes) {
            out.push({ srcNode: sn, dstNode: dn });
            if (out.length > MAX_SCENARIOS) return undefined;
          }
        }
      }
    }
    return out;
  }

  private outcome(
    src: FlowEnd,
    dst: FlowEnd,
    sc: Scenario,
    l4: FlowL4,
    req: HttpRequest | undefined,
    dns: string | undefined,
  ): Outcome {
    const srcSubject = this.subjectOf(src, sc.srcNode);
    const dstSubject = this.subjectOf(dst, sc.dstNode);
    const dstPorts = dst.role === 'pod' ? dst.ports : [];
    const egressPolicy = this.directionPolicy(srcSubject, false);
    const ingressPolicy = this.directionPolicy(dstSubject, true);
    const egress = this.decide(
      egressPolicy,
      srcSubject.kind === 'none' ? undefined : this.peerOf(dst, sc.dstNode, sc.srcNode),
      l4,
      dstPorts,
      dst.display,
      req,
      dns,
    );
    const ingress = this.decide(
      ingressPolicy,
      dstSubject.kind === 'none' ? undefined : this.peerOf(src, sc.srcNode, sc.dstNode),
      l4,
      dstPorts,
      dst.display,
      req,
      dns,
    );
    const verdict: Verdict =
      egress.verdict === 'deny' || ingress.verdict === 'deny'
        ? 'deny'
        : egress.verdict === 'allow' && ingress.verdict === 'allow'
          ? 'allow'
          : 'unknown';
    return { verdict, egress, ingress, unknowns: uniqReasons([...egress.unknowns, ...ingress.unknowns]) };
  }

  /** The verdict of a flow between two resolved ends (the fast path a matrix uses: no sentences). */
  private judge(
    src: FlowEnd,
    dst: FlowEnd,
    l4: FlowL4,
    req: HttpRequest | undefined,
    dns: string | undefined,
  ): { outcome: Outcome; scenario: string; others: string[] } | { unknown: UnknownReason } {
    if (src.role === 'unknown') return { unknown: src.reason };
    if (dst.role === 'unknown') return { unknown: dst.reason };
    if (src.role === 'service')
      return { unknown: { code: 'service-without-endpoints', message: 'a service cannot send traffic' } };
    if (dst.role === 'service') throw new Error('services are expanded by the caller');
    // Pods look the same from every node: only flows with a host end depend on placement.
    const scenarios = src.role === 'pod' && dst.role === 'pod' ? [NO_PLACEMENT] : this.scenarios(src, dst);
    if (!scenarios)
      return {
        unknown: {
          code: 'node-placement',
          message: `the verdict depends on which nodes ${src.display} and ${dst.display} run on, and there are too many placements to try`,
        },
      };
    const results = scenarios.map((sc) => ({ sc, o: this.outcome(src, dst, sc, l4, req, dns) }));
    const first = results[0]!;
    const verdicts = uniq(results.map((r) => r.o.verdict));
    if (verdicts.length === 1) return { outcome: first.o, scenario: '', others: [] };
    const describe = (sc: Scenario): string =>
      [
        sc.srcNode ? `${src.display} on ${sc.srcNode.name}` : '',
        sc.dstNode ? `${dst.display} on ${sc.dstNode.name}` : '',
      ]
        .filter((x) => x !== '')
        .join(', ');
    const parts = results.slice(0, 4).map((r) => `${r.o.verdict} with ${describe(r.sc)}`);
    return {
      unknown: {
        code: 'node-placement',
        message: `the verdict depends on which node each end runs on (${parts.join('; ')}${results.length > 4 ? '; …' : ''}), which the inventory does not say`,
      },
    };
  }

  /** Judges a flow: the verdict, each direction's deciding rules, and a sentence. Never throws for bad input. */
  evaluate(flow: Flow): FlowVerdict {
    const src = this.endOf(flow.from, true);
    const dst = this.endOf(flow.to, false);
    const proto = flow.protocol ?? 'TCP';
    const portText =
      proto === 'ICMP' || proto === 'ICMPv6'
        ? `${proto}${flow.icmpType !== undefined ? ` type ${flow.icmpType}` : ''}`
        : `${proto}/${flow.port ?? '?'}`;
    if (!src.ok || !dst.ok) {
      const message = !src.ok ? src.message : (dst as { message: string }).message;
      return errorVerdict(message, 'from' in flow ? displayOf(flow.from) : '', displayOf(flow.to), portText);
    }
    if (dst.end.role === 'service') return this.evaluateService(flow, src.end, dst.end);
    const l4 = this.flowL4(flow, dst.end);
    if (!l4.ok) return errorVerdict(l4.message, src.end.display, dst.end.display, portText);
    return this.explainJudgement(src.end, dst.end, l4.l4, flow);
  }

  private explainJudgement(src: FlowEnd, dst: FlowEnd, l4: FlowL4, flow: Flow): FlowVerdict {
    const j = this.judge(src, dst, l4, flow.http, flow.dns?.query);
    const port = l4Text(l4);
    if ('unknown' in j) return unknownVerdict([j.unknown], src.display, dst.display, port);
    const o = j.outcome;
    const egress = explainDirection(o.egress, false);
    const ingress = explainDirection(o.ingress, true);
    return {
      verdict: o.verdict,
      egress,
      ingress,
      reason: flowSentence(o.verdict, src.display, dst.display, port, egress, ingress),
      unknowns: o.unknowns,
      source: src.display,
      destination: dst.display,
      port,
    };
  }

  private evaluateService(flow: Flow, src: FlowEnd, dst: Extract<FlowEnd, { role: 'service' }>): FlowVerdict {
    const svc = dst.service;
    const proto = flow.protocol ?? 'TCP';
    const portText = `${proto}/${flow.port ?? '?'}`;
    if (dst.backends.length === 0) {
      return unknownVerdict(
        [
          {
            code: 'service-without-endpoints',
            message: svc.selector
              ? `service ${svc.namespace}/${svc.name} selects no pod of the inventory, so it has no backend to judge`
              : `service ${svc.namespace}/${svc.name} has no selector, so its backends are not in the inventory`,
          },
        ],
        src.display,
        dst.display,
        portText,
      );
    }
    // A service port is translated to its target port on every backend.
    const sp = svc.ports.find(
      (p) =>
        (typeof flow.port === 'number' ? p.port === flow.port : p.name === flow.port || String(p.port) === flow.port) &&
        p.protocol.toUpperCase() === proto,
    );
    const results: { backend: PodEnd; v: FlowVerdict }[] = [];
    for (const b of dst.backends) {
      const target = sp ? (sp.targetPort ?? String(sp.port)) : flow.port;
      const port = target !== undefined && /^[0-9]+$/.test(String(target)) ? Number(target) : target;
      results.push({
        backend: b,
        v: this.evaluate({ ...flow, from: src, to: b, ...(port !== undefined ? { port } : {}) }),
      });
    }
    const verdicts = uniq(results.map((r) => r.v.verdict));
    const first = results[0]!;
    if (verdicts.length === 1) {
      return {
        ...first.v,
        destination: `${dst.display} (backend ${first.backend.display}${results.length > 1 ? ` and ${results.length - 1} more` : ''})`,
        reason: first.v.reason,
      };
    }
    const summary = results
      .slice(0, 6)
      .map((r) => `${r.v.verdict} to ${r.backend.display}`)
      .join(', ');
    return unknownVerdict(
      [
        {
          code: 'service-backends-disagree',
          message: `the backends of service ${svc.namespace}/${svc.name} get different verdicts (${summary}), so the answer depends on which backend serves the connection`,
        },
      ],
      src.display,
      dst.display,
      portText,
    );
  }

  /**
   * The verdict alone, for matrices: no sentences are built. Ends must be resolved and the port a
   * number (or an ICMP type).
   */
  verdictOf(src: FlowEnd, dst: FlowEnd, port: number, protocol: FlowProtocol = 'TCP', icmpType?: number): Verdict {
    const l4: FlowL4 =
      protocol === 'ICMP' || protocol === 'ICMPv6'
        ? { proto: protocol, type: icmpType ?? echoRequest(protocol === 'ICMP' ? 4 : 6) }
        : { proto: protocol, port };
    if (dst.role === 'service') {
      const vs = uniq(dst.backends.map((b) => this.verdictOf(src, b, port, protocol, icmpType)));
      return vs.length === 1 ? (vs[0] as Verdict) : 'unknown';
    }
    if (src.role === 'pod' && dst.role === 'pod') return this.podVerdicts(src, dst, [l4])[0] as Verdict;
    const j = this.judge(src, dst, l4, undefined, undefined);
    return 'unknown' in j ? 'unknown' : j.outcome.verdict;
  }

  /**
   * The verdicts of one source and destination for several ports at once (a matrix row's cell):
   * the rules selecting each end are matched once for all of them. For ICMP, `port` is the type.
   */
  verdictsOf(src: FlowEnd, dst: FlowEnd, ports: readonly { port: number; protocol: FlowProtocol }[]): Verdict[] {
    if (src.role === 'pod' && dst.role === 'pod') return this.podVerdicts(src, dst, ports.map(toFlowL4));
    return ports.map((p) => this.verdictOf(src, dst, p.port, p.protocol));
  }

  /** Pod to pod, without sentences or placements (pods look the same from every node). */
  private podVerdicts(src: PodEnd, dst: PodEnd, l4s: readonly FlowL4[]): Verdict[] {
    const egressPolicy = this.directionPolicy(this.podSubject(src), false);
    const ingressPolicy = this.directionPolicy(this.podSubject(dst), true);
    const dstView = this.peerOf(dst, undefined, undefined);
    const srcView = this.peerOf(src, undefined, undefined);
    const egressItems = egressPolicy.enforced ? this.peerItems(egressPolicy, dstView) : undefined;
    let ingressItems: PeerItems | undefined;
    const out: Verdict[] = [];
    for (const l4 of l4s) {
      const egress = this.decide(
        egressPolicy,
        dstView,
        l4,
        dst.ports,
        dst.display,
        undefined,
        undefined,
        egressItems,
      ).verdict;
      if (egress === 'deny') {
        out.push('deny');
        continue;
      }
      if (ingressPolicy.enforced) ingressItems ??= this.peerItems(ingressPolicy, srcView);
      const ingress = this.decide(
        ingressPolicy,
        srcView,
        l4,
        dst.ports,
        dst.display,
        undefined,
        undefined,
        ingressItems,
      ).verdict;
      out.push(ingress === 'deny' ? 'deny' : egress === 'allow' && ingress === 'allow' ? 'allow' : 'unknown');
    }
    return out;
  }

  /** The effective policy of an endpoint: each direction default-deny, allow-all or audit, and why. */
  effectivePolicy(end: FlowEnd): EffectivePolicy {
    const node = end.role === 'node' ? end.node : undefined;
    const subject = this.subjectOf(end, node);
    const dir = (ingress: boolean): EndpointDirection => {
      const p = this.directionPolicy(subject, ingress);
      const policies = uniqRefs(p.rules.map((r) => r.policy.ref));
      const defaultDenyBy = p.defaultDenyRules.map((r) => r.subjectRef);
      const word = ingress ? 'ingress' : 'egress';
      if (!p.enforced) {
        const reason =
          p.why === 'host-firewall-off'
            ? 'the host firewall is off'
            : p.why === 'never'
              ? 'policy enforcement is never'
              : p.why === 'not-an-endpoint'
                ? (subject.none ?? 'not a Cilium endpoint')
                : `no policy selects it for ${word}`;
        return { state: 'allow-all', policies, defaultDenyBy: [], reason };
      }
      if (!p.defaultDeny) {
        return {
          state: this.agent.policyAuditMode ? 'audit' : 'allow-all',
          policies,
          defaultDenyBy: [],
          reason: `only policies with enableDefaultDeny.${word}: false select it; everything not denied is allowed`,
        };
      }
      const reason =
        p.why === 'always'
          ? 'policy enforcement is always'
          : p.why === 'init'
            ? 'it has no identity yet (reserved:init)'
            : `selected by ${defaultDenyBy.map(subjectText).join(', ')}`;
      return { state: this.agent.policyAuditMode ? 'audit' : 'default-deny', policies, defaultDenyBy, reason };
    };
    const ingress = dir(true);
    const egress = dir(false);
    return { ingress, egress, policies: uniqRefs([...ingress.policies, ...egress.policies]) };
  }
}

const ANON_A: NodeInfo = { name: '(a node)', labels: {} };
const ANON_B: NodeInfo = { name: '(another node)', labels: {} };

function uniqRefs(refs: readonly PolicyRef[]): PolicyRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.kind}|${r.namespace}|${r.name}|${r.file}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function displayOf(e: EndpointSpec | FlowEnd): string {
  if ('role' in e) return e.display;
  return Object.values(e)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Sentences

function explainDirection(d: Decision, ingress: boolean): DirectionVerdict {
  const p = d.policy;
  const word = ingress ? 'ingress' : 'egress';
  const who = p.subject.display;
  const peer = d.peer?.display ?? '';
  const defaultDenyBy = p.defaultDenyRules.map((r) => r.subjectRef);
  const by = d.by.map((i) => i.ref);
  const base = {
    verdict: d.verdict,
    by,
    state: d.state,
    defaultDenyBy,
    unknowns: d.unknowns,
    ...(d.proxy ? { proxy: d.proxy } : {}),
  };
  let reason: string;
  switch (d.state) {
    case 'not-an-endpoint':
      reason = `no ${word} policy applies to ${who}: ${p.subject.none ?? 'it is not a Cilium endpoint'}`;
      break;
    case 'not-enforced':
      reason =
        p.why === 'host-firewall-off'
          ? `the host firewall is off (enableHostFirewall: false), so ${who} allows all ${word}`
          : p.why === 'never'
            ? `policy enforcement is never, so ${who} allows all ${word}`
            : `no policy selects ${who} for ${word}, so all ${word} is allowed`;
      break;
    case 'allowed':
      if (d.implicit === 'localhost') reason = `${who} allows ${word} from its own node (allow-localhost)`;
      else if (d.implicit === 'non-default-deny')
        reason = `only policies with enableDefaultDeny.${word}: false select ${who}, so ${word} not denied is allowed`;
      else
        reason = `${word} of ${who} ${ingress ? 'from' : 'to'} ${peer} is allowed by ${by.map(ruleText).join(' and ')}${d.detail ? `; ${d.detail}` : ''}`;
      break;
    case 'denied-by-rule':
      reason = `${word} of ${who} ${ingress ? 'from' : 'to'} ${peer} is denied by ${by.map(ruleText).join(' and ')} (deny rules win over allow rules)`;
      break;
    case 'proxy-denied':
      reason = `${d.detail ?? 'the proxy refuses the request'} (rules ${by.map(ruleText).join(', ')})`;
      break;
    case 'default-deny': {
      const selectedBy =
        p.why === 'always'
          ? 'policy enforcement is always'
          : p.why === 'init'
            ? `${who} has no identity yet`
            : `${defaultDenyBy.map(subjectText).join(' and ')} select${defaultDenyBy.length === 1 ? 's' : ''} ${who} for ${word}`;
      reason = `denied by default: ${selectedBy}, and no rule allows ${ingress ? 'this traffic from' : 'this traffic to'} ${peer}`;
      break;
    }
    default:
      reason = d.unknowns.map((u) => u.message).join('; ');
  }
  return { ...base, reason };
}

function flowSentence(
  verdict: Verdict,
  src: string,
  dst: string,
  port: string,
  egress: DirectionVerdict,
  ingress: DirectionVerdict,
): string {
  if (verdict === 'allow') return `${src} can reach ${dst} on ${port}: ${egress.reason}; ${ingress.reason}.`;
  if (verdict === 'deny') {
    const deciding = egress.verdict === 'deny' ? egress : ingress;
    return `${src} cannot reach ${dst} on ${port}: ${deciding.reason}.`;
  }
  const reasons = uniq([...egress.unknowns, ...ingress.unknowns].map((u) => u.message));
  return `Whether ${src} can reach ${dst} on ${port} cannot be decided: ${reasons.join('; ')}.`;
}

function unknownDirection(reasons: readonly UnknownReason[]): DirectionVerdict {
  return {
    verdict: 'unknown',
    by: [],
    reason: reasons.map((r) => r.message).join('; '),
    state: 'unknown',
    defaultDenyBy: [],
    unknowns: reasons,
  };
}

function unknownVerdict(reasons: UnknownReason[], src: string, dst: string, port: string): FlowVerdict {
  const d = unknownDirection(reasons);
  return {
    verdict: 'unknown',
    egress: d,
    ingress: d,
    reason: `Whether ${src} can reach ${dst} on ${port} cannot be decided: ${reasons.map((r) => r.message).join('; ')}.`,
    unknowns: reasons,
    source: src,
    destination: dst,
    port,
  };
}

/** A flow that could not be judged because an input is wrong (an endpoint that does not exist). */
function errorVerdict(message: string, src: string, dst: string, port: string): FlowVerdict {
  const d: DirectionVerdict = {
    verdict: 'unknown',
    by: [],
    reason: message,
    state: 'unknown',
    defaultDenyBy: [],
    unknowns: [],
  };
  return {
    verdict: 'unknown',
    egress: d,
    ingress: d,
    reason: message,
    unknowns: [],
    source: src,
    destination: dst,
    port,
  };
}

/** True when a verdict came from an input error rather than from the policies. */
export function isInputError(v: FlowVerdict): boolean {
  return v.verdict === 'unknown' && v.unknowns.length === 0;
}
