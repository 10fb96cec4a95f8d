// SPDX-License-Identifier: Apache-2.0
/**
 * Replaying recorded Hubble flows against policies: each flow is judged as a connection (the
 * source's egress and the destination's ingress) by the same {@link VerdictEngine} that runs
 * PolicyTests, whatever end recorded it.
 *
 * A busy cluster records millions of flows but asks few distinct questions, so flows are grouped by
 * the question they ask (source identity labels; destination identity labels, or address and names
 * for the world; protocol and port or ICMP type; HTTP method and path, plus the host and the headers
 * only when some HTTP rule looks at them; the DNS name looked up), and each group is judged once
 * per engine. Cost grows with the number of distinct questions, not of flows; memory is bounded by
 * {@link ReplayOptions.maxGroups} (flows beyond it are judged one by one and not kept).
 *
 * The endpoint labels a flow carries are its identity: no inventory is needed for them. The
 * inventory, when there is one, gives the container ports of recorded workloads (for named ports).
 * A flow from or to another cluster (`cluster_name`, or the cluster label, differs from the agent's
 * `clusterName`) is unknown: the other cluster's agent enforces its own policies, which are not
 * among the inputs. Pure.
 */
import { LABEL, labelKey } from '../../core/selectors.js';
import type { AgentProfile } from '../agent.js';
import type { FlowEnd } from '../endpoints.js';
import type { Flow, FlowProtocol, FlowVerdict, VerdictEngine } from '../engine.js';
import type { HttpRequest } from '../http.js';
import type { RuleRef, SubjectRef, Verdict } from '../model.js';
import {
  droppedByPolicy,
  forwarded,
  readHubbleRecord,
  type RecordedEndpoint,
  type RecordedFlow,
  type SkipKind,
} from './hubble.js';

/** What changes for a flow: against the base revision (`--base`), or against what was recorded. */
export type ChangeKind = 'none' | 'newly-denied' | 'newly-allowed';

/** Why a replayed flow is unknown before the engine is asked. */
export type ReplayUnknownCode = 'other-cluster' | 'identity-not-recorded';

/** The answer to one question, from one engine. */
export interface Judgement {
  readonly verdict: Verdict;
  /** The engine's answer; undefined when the question could not be put to it (see `code`). */
  readonly result?: FlowVerdict;
  /** One sentence. */
  readonly reason: string;
  /** Set when the replay itself says unknown (a flow of another cluster, an identity without labels). */
  readonly code?: ReplayUnknownCode;
}

/** One end of a question, as recorded (for resolving against an engine). */
interface EndQuestion {
  /** Identity labels after completion (namespace and cluster labels Hubble may leave out). */
  readonly labels: readonly string[];
  readonly namespace: string;
  readonly ip: string;
  readonly names: readonly string[];
  /** The inventory workload (`Kind/ns/name`) whose container ports the end has, when found. */
  readonly workloadRef?: string;
  /** The node the end runs on, when a host end makes placement matter. */
  readonly node?: string;
  /** How sentences name it (`shop/frontend`): not part of the question. */
  readonly display: string;
}

/** A question a group of flows asks, in the engine's terms. */
interface Question {
  readonly from: EndQuestion;
  readonly to: EndQuestion;
  readonly protocol: FlowProtocol;
  readonly port?: number;
  readonly icmpType?: number;
  readonly http?: HttpRequest;
  readonly dns?: string;
}

/** Flows that ask the same question, with what they recorded. */
export interface FlowGroup {
  /** Small number, in order of first appearance. */
  readonly id: number;
  readonly key: string;
  /** The first record of the group (its labels, pods, names). */
  readonly sample: RecordedFlow;
  readonly firstLine: number;
  /** Records in the group. */
  flows: number;
  /** Records that went through (FORWARDED, REDIRECTED). */
  forwarded: number;
  /** Records policy dropped. */
  policyDropped: number;
  /** Records dropped for any reason (DROPPED, ERROR): the others went through (or would have, in audit mode). */
  dropped: number;
  firstTime: string;
  lastTime: string;
  /** Up to {@link SAMPLE_PODS} distinct pod names of each end. */
  readonly sourcePods: string[];
  readonly destinationPods: string[];
  /** The answer of the head policies, and of the base policies with `--base`. */
  head: Judgement;
  base?: Judgement;
  /** @internal */
  readonly question: Question | { readonly code: ReplayUnknownCode; readonly message: string };
  /**
   * @internal The length of `firstTime` and `lastTime` when both are RFC 3339 UTC times of that
   * length (which sort as text), else 0.
   */
  timeShape: number;
}

/** A flow as replayed. */
export interface ReplayedFlow {
  readonly line: number;
  readonly flow: RecordedFlow;
  readonly group: FlowGroup;
  /** Against the base when there is one, else against the recorded verdict. */
  readonly change: ChangeKind;
}

/** A recorded end as a question, with its part of the group key. */
interface CachedEnd {
  readonly question: EndQuestion;
  /** The same for equal questions. */
  readonly id: number;
}

/** An end as a question, or why a record cannot be judged. */
type EndOrUnknown = CachedEnd | { readonly code: ReplayUnknownCode; readonly message: string };

/**
 * A recorded end with a numeric identity, as already seen: everything its question depends on but
 * the node (which only host ends take). Compared field by field, so the common record costs no
 * string building.
 */
interface SeenEnd {
  readonly word: 'source' | 'destination';
  readonly labels: readonly string[];
  readonly namespace: string;
  readonly cluster: string;
  /** The first workload's kind and name, or `Pod` and the pod name without one. */
  readonly kind: string;
  readonly name: string;
  /** World ends only (others are not told apart by them): the address and the names. */
  readonly ip: string;
  readonly names: readonly string[];
  /** {@link labelFlags} of the labels. */
  readonly flags: number;
  /** The question without a node, once made. */
  made?: EndOrUnknown;
  /** The questions with a node (host ends), by node. */
  byNode?: Map<string, EndOrUnknown>;
}

/** Seen ends kept per identity and name (or address) before the ends are looked up by their whole key instead. */
const SEEN_PER_BUCKET = 8;

/** Groups of one source end with one destination end and L4 part: without L7, and by L7 key. */
interface GroupSlot {
  plain?: FlowGroup;
  l7?: Map<string, FlowGroup>;
}

/** Protocols by index in the numeric L4 key. */
const PROTOCOL_INDEX: Readonly<Record<string, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3, ICMPv6: 4 };

/**
 * The L4 part of a question as a number below 2^20 (protocol, and port or ICMP type), -1 for what
 * does not fit (an unknown protocol, numbers out of range), which takes the string key instead.
 */
function l4Number(protocol: string, port: number | undefined, icmpType: number | undefined): number {
  const p = PROTOCOL_INDEX[protocol];
  if (p === undefined) return -1;
  if (port !== undefined) return Number.isInteger(port) && port >= 0 && port <= 0xffff ? p * 0x20000 + port : -1;
  if (icmpType === undefined) return p * 0x20000 + 0x1ffff;
  return Number.isInteger(icmpType) && icmpType >= 0 && icmpType < 0xffff ? p * 0x20000 + 0x10000 + icmpType : -1;
}

const NO_NAMES: readonly string[] = [];

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The length of an RFC 3339 UTC time (`Z`, `T` at 10), which sorts as text among times of its length; else 0. */
function utcShape(t: string): number {
  const n = t.length;
  return n > 10 && t.charCodeAt(n - 1) === 90 && t.charCodeAt(10) === 84 ? n : 0;
}

/** Options of a replay. */
export interface ReplayOptions {
  /** The policies as they are now (the working tree, the editor's documents). */
  readonly head: VerdictEngine;
  /** The policies at the base revision (`--base`, Compare Connectivity). */
  readonly base?: VerdictEngine;
  /** Distinct questions kept (default 200,000); flows asking new ones beyond it are judged alone. */
  readonly maxGroups?: number;
}

/** Pod names kept per end of a group. */
export const SAMPLE_PODS = 4;

/** Reserved identity numbers (pkg/identity/numericidentity.go of cilium/cilium) for records without labels. */
const RESERVED_IDENTITIES: Readonly<Record<number, string>> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
  9: 'world-ipv4',
  10: 'world-ipv6',
};

const CLUSTER_LABEL = labelKey('k8s', LABEL.cluster);
const NAMESPACE_LABEL = labelKey('k8s', LABEL.podNamespace);

/** A pod identity, as opposed to a reserved one (`reserved:*`, CIDR and FQDN identities). */
function isReserved(labels: readonly string[]): boolean {
  return labels.some((l) => l.startsWith('reserved:'));
}

/** True when a label is `reserved:host` or `reserved:remote-node` (with or without a value). */
function isHostLabel(l: string): boolean {
  if (!l.startsWith('reserved:')) return false;
  const role = l.indexOf('=') < 0 ? l.slice(9) : l.slice(9, l.indexOf('='));
  return role === 'host' || role === 'remote-node';
}

/** Bit of {@link labelFlags}: some label is `reserved:host` or `reserved:remote-node`. */
const HOST_ROLE = 1;
/** Bit of {@link labelFlags}: the end is the world (no labels, or a `reserved:world*` label). */
const WORLD = 2;

/** What a recorded end's labels say of its role, in one pass (called for every end of every record). */
function labelFlags(labels: readonly string[]): number {
  if (labels.length === 0) return WORLD;
  let flags = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    // 'r': most labels (`k8s:`, `cidr:`, `fqdn:`) are told apart by their first character.
    if (l.charCodeAt(0) !== 114 || !l.startsWith('reserved:')) continue;
    if (l.startsWith('reserved:world')) flags |= WORLD;
    if (isHostLabel(l)) flags |= HOST_ROLE;
  }
  return flags;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a === b || sameLabels(a, b);
}

function labelValue(labels: readonly string[], key: string): string | undefined {
  const prefix = `${key}=`;
  const l = labels.find((x) => x.startsWith(prefix));
  return l === undefined ? undefined : l.slice(prefix.length);
}

/** `cluster/node` (as Hubble Relay writes it) → `node`. */
function nodeName(recorded: string): string {
  const slash = recorded.lastIndexOf('/');
  return slash >= 0 ? recorded.slice(slash + 1) : recorded;
}

/** A short name for an end, for people: `shop/frontend`, `api.stripe.com`, `world 1.2.3.4`, `host`. */
export function endpointDisplay(e: RecordedEndpoint, ip: string, names: readonly string[]): string {
  const reserved = e.labels.filter((l) => l.startsWith('reserved:')).map((l) => l.slice(9).replace(/=.*$/, ''));
  const world = reserved.find((r) => r.startsWith('world'));
  if (world !== undefined || (e.labels.length === 0 && (e.identity === 2 || e.identity === 9 || e.identity === 10)))
    return names[0] ?? (ip !== '' ? ip : 'world');
  const entity = reserved[0] ?? (e.labels.length === 0 ? RESERVED_IDENTITIES[e.identity] : undefined);
  if (entity !== undefined) return entity;
  const ns = e.namespace !== '' ? e.namespace : (labelValue(e.labels, NAMESPACE_LABEL) ?? '');
  const w = e.workloads[0];
  if (w && w.name !== '') return ns !== '' ? `${ns}/${w.name}` : w.name;
  if (e.pod !== '') return ns !== '' ? `${ns}/${e.pod}` : e.pod;
  const app = labelValue(e.labels, 'k8s:app') ?? labelValue(e.labels, 'k8s:app.kubernetes.io/name');
  if (app !== undefined) return ns !== '' ? `${ns}/app=${app}` : `app=${app}`;
  if (ip !== '') return ip;
  return ns !== '' ? `${ns} pod` : 'pod';
}

function pushSample(list: string[], name: string): void {
  const n = list.length;
  if (n >= SAMPLE_PODS || name === '') return;
  // Pod names of one workload share their length and prefix: the last character tells most apart
  // before a whole comparison.
  const last = name.charCodeAt(name.length - 1);
  for (let i = 0; i < n; i++) {
    const x = list[i]!;
    if (x.length === name.length && x.charCodeAt(x.length - 1) === last && x === name) return;
  }
  list.push(name);
}

/**
 * The labels and HTTP fields that change a verdict, from the policies of some engines: the header
 * names HTTP rules test and whether any tests the host. Other headers are left out of questions.
 */
export interface HttpRelevance {
  readonly headers: ReadonlySet<string>;
  readonly host: boolean;
}

/** What the HTTP rules of the engines' policies look at. */
export function httpRelevance(engines: readonly VerdictEngine[]): HttpRelevance {
  const headers = new Set<string>();
  let host = false;
  for (const engine of engines) {
    for (const p of engine.policies()) {
      for (const r of p.rules) {
        for (const dir of [r.ingress, r.egress]) {
          for (const item of [...dir.allow, ...dir.deny]) {
            if (item.l4.kind !== 'ports') continue;
            for (const pr of item.l4.portRules) {
              if (pr.l7?.kind !== 'http') continue;
              for (const rule of pr.l7.rules) {
                if (rule.host !== undefined) host = true;
                for (const h of rule.headers) headers.add(h.name.toLowerCase());
                for (const h of rule.headerMatches) headers.add(h.name.toLowerCase());
              }
            }
          }
        }
      }
    }
  }
  return { headers, host };
}

/** Replays flows: feed values (or records) in, get each flow's verdicts and the groups out. */
export class FlowReplay {
  private head: VerdictEngine;
  private base: VerdictEngine | undefined;
  private readonly maxGroups: number;
  /**
   * Groups by source end id, then by destination end id and L4 part (`to * 2^20 + l4Number`), then
   * by L7 part: what most records take, with no key string built.
   */
  private readonly bySource: (Map<number, GroupSlot> | undefined)[] = [];
  /** Groups the numbers above cannot key (unknown ends, unusual L4), by their key string. */
  private readonly byKey = new Map<string, FlowGroup>();
  private readonly list: FlowGroup[] = [];
  private relevance: HttpRelevance;
  private readonly agent: AgentProfile;
  /** Ids of the ends seen (the group keys name ends by id, which keeps them short). */
  private endIds = 0;
  private readonly endIdsByKey = new Map<string, number>();
  /**
   * Ends seen with a numeric identity: by identity, then by workload (or pod) name, or by address
   * for the world. Their labels are still compared, so a record that contradicts an earlier one
   * with the same identity is not given its answer.
   */
  private readonly seen = new Map<number, Map<string, SeenEnd[]>>();
  private seenCount = 0;
  /** Ends resolved per engine, as destinations and as sources (see {@link endOf}). */
  private readonly resolved = new WeakMap<VerdictEngine, [Map<EndQuestion, FlowEnd>, Map<EndQuestion, FlowEnd>]>();
  /** Recorded ends already turned into questions, by what the question depends on. */
  private readonly endCache = new Map<string, CachedEnd | { code: ReplayUnknownCode; message: string }>();
  /** Inventory workloads by recorded workload or pod, `null` when the inventory has none. */
  private readonly workloadRefs = new Map<string, string | null>();
  /** Skipped values by kind. */
  readonly skipped: Record<SkipKind, number> = {
    reply: 0,
    'not-flow': 0,
    incomplete: 0,
    'other-l7': 0,
    oversized: 0,
  };
  /** Flows judged (records that were not skipped). */
  flows = 0;
  /** Flows judged alone because {@link ReplayOptions.maxGroups} questions were already kept. */
  ungrouped = 0;

  constructor(options: ReplayOptions) {
    this.head = options.head;
    this.base = options.base;
    this.agent = options.head.agent;
    this.maxGroups = options.maxGroups ?? 200_000;
    this.relevance = httpRelevance(this.base ? [this.head, this.base] : [this.head]);
  }

  /** True when a base is compared against. */
  get hasBase(): boolean {
    return this.base !== undefined;
  }

  /** The groups, in order of first appearance. */
  groups(): readonly FlowGroup[] {
    return this.list;
  }

  /** Reads one value of a flow log (see {@link readHubbleRecord}); undefined when it was skipped (and counted). */
  add(value: unknown, line: number): ReplayedFlow | undefined {
    const r = readHubbleRecord(value);
    if (r.kind === 'skip') {
      this.skipped[r.skip]++;
      return undefined;
    }
    return this.addFlow(r.flow, line);
  }

  /** Judges one record (through its group). */
  addFlow(flow: RecordedFlow, line: number): ReplayedFlow {
    this.flows++;
    // The group is found from the ends' cached ids and the L4/L7 fields; the key string and the
    // question are only built for a new group (most records repeat a question already asked).
    const ends = this.endsOf(flow);
    const http = flow.http ? this.httpOf(flow.http) : undefined;
    const l4 = 'code' in ends ? -1 : l4Number(flow.protocol, flow.port, flow.icmpType);
    const l7 = http || flow.dns !== undefined ? l7Key(http, flow.dns) : '';
    const peer = l4 >= 0 && !('code' in ends) ? ends.to.id * 0x100000 + l4 : -1;
    let group: FlowGroup | undefined;
    if (peer >= 0) {
      const slot = this.bySource[(ends as { from: CachedEnd }).from.id]?.get(peer);
      group = slot === undefined ? undefined : l7 === '' ? slot.plain : slot.l7?.get(l7);
    } else group = this.byKey.get(this.groupKey(ends, flow, l7));
    if (!group) {
      const question: FlowGroup['question'] =
        'code' in ends
          ? ends
          : {
              from: ends.from.question,
              to: ends.to.question,
              protocol: flow.protocol,
              ...(flow.port !== undefined ? { port: flow.port } : {}),
              ...(flow.icmpType !== undefined ? { icmpType: flow.icmpType } : {}),
              ...(http ? { http } : flow.dns !== undefined ? { dns: flow.dns } : {}),
            };
      const key = this.groupKey(ends, flow, l7);
      group = this.newGroup(key, question, flow, line);
      if (this.list.length < this.maxGroups) {
        if (peer < 0) this.byKey.set(key, group);
        else {
          const from = (ends as { from: CachedEnd }).from.id;
          let byPeer = this.bySource[from];
          if (byPeer === undefined) this.bySource[from] = byPeer = new Map<number, GroupSlot>();
          let slot = byPeer.get(peer);
          if (slot === undefined) byPeer.set(peer, (slot = {}));
          if (l7 === '') slot.plain = group;
          else (slot.l7 ??= new Map<string, FlowGroup>()).set(l7, group);
        }
        this.list.push(group);
      } else this.ungrouped++;
    }
    group.flows++;
    if (forwarded(flow)) group.forwarded++;
    else if (droppedByPolicy(flow)) group.policyDropped++;
    if (flow.verdict === 'DROPPED' || flow.verdict === 'ERROR') group.dropped++;
    this.noteTime(group, flow.time);
    pushSample(group.sourcePods, flow.source.pod);
    pushSample(group.destinationPods, flow.destination.pod);
    return { line, flow, group, change: this.flowChange(flow, group) };
  }

  /** A group's key: the ends' ids (or why they cannot be judged), the L4 part and the L7 part. */
  private groupKey(ends: ReturnType<FlowReplay['endsOf']>, flow: RecordedFlow, l7: string): string {
    return 'code' in ends
      ? `!${ends.code}|${ends.message}`
      : `${ends.from.id}\u0004${ends.to.id}\u0004${l4Key(flow.protocol, flow.port, flow.icmpType)}\u0004${l7}`;
  }

  /**
   * Judges every kept group again with other engines (policies edited, another base): the
   * recorded flows need not be read again.
   */
  rejudge(head: VerdictEngine, base?: VerdictEngine): void {
    this.head = head;
    this.base = base;
    this.relevance = httpRelevance(base ? [head, base] : [head]);
    for (const g of this.list) {
      g.head = this.judge(head, g.question);
      if (base) g.base = this.judge(base, g.question);
      else delete g.base;
    }
  }

  /**
   * Widens a group's first and last times. RFC 3339 times with different fractions do not sort as
   * text, so instants are compared; two UTC times of the same shape (Hubble writes them all alike)
   * sort as text, which spares parsing every record's time.
   */
  private noteTime(group: FlowGroup, time: string): void {
    if (time === '') return;
    const shape = group.timeShape;
    if (shape !== 0 && time.length === shape && time.charCodeAt(shape - 1) === 90 && time.charCodeAt(10) === 84) {
      if (time < group.firstTime) group.firstTime = time;
      if (time > group.lastTime) group.lastTime = time;
      return;
    }
    const first = group.firstTime;
    const last = group.lastTime;
    const t = Date.parse(time);
    if (Number.isNaN(t)) return;
    if (first === '' || t < Date.parse(first)) group.firstTime = time;
    if (last === '' || t > Date.parse(last)) group.lastTime = time;
    const a = utcShape(group.firstTime);
    group.timeShape = a !== 0 && a === utcShape(group.lastTime) ? a : 0;
  }

  /** The answer of another engine to a kept group's question (the group is left as it is). */
  judgeGroup(engine: VerdictEngine, g: FlowGroup): Judgement {
    return this.judge(engine, g.question);
  }

  /** What changes for one record of a group. */
  private flowChange(flow: RecordedFlow, g: FlowGroup): ChangeKind {
    if (g.base) return groupChangeKind(g.base.verdict, g.head.verdict);
    if (forwarded(flow) && g.head.verdict === 'deny') return 'newly-denied';
    if (droppedByPolicy(flow) && g.head.verdict === 'allow') return 'newly-allowed';
    return 'none';
  }

  private newGroup(key: string, question: FlowGroup['question'], flow: RecordedFlow, line: number): FlowGroup {
    const group: FlowGroup = {
      id: this.list.length,
      key,
      sample: flow,
      firstLine: line,
      flows: 0,
      forwarded: 0,
      policyDropped: 0,
      dropped: 0,
      firstTime: '',
      lastTime: '',
      timeShape: 0,
      sourcePods: [],
      destinationPods: [],
      head: this.judge(this.head, question),
      question,
    };
    if (this.base) group.base = this.judge(this.base, question);
    return group;
  }

  // -------------------------------------------------------------------------------------------
  // Questions

  /** The two ends of a record as questions (cached), or why it cannot be judged. */
  private endsOf(
    flow: RecordedFlow,
  ): { from: CachedEnd; to: CachedEnd } | { code: ReplayUnknownCode; message: string } {
    const sourceFlags = labelFlags(flow.source.labels);
    const destinationFlags = labelFlags(flow.destination.labels);
    // The node is part of a question only when a host end makes placement matter.
    const hostEnd = ((sourceFlags | destinationFlags) & HOST_ROLE) !== 0;
    const recordedAt = hostEnd && flow.node !== '' ? nodeName(flow.node) : undefined;
    const from = this.cachedEnd(
      flow.source,
      'source',
      flow.sourceIp,
      NO_NAMES,
      hostEnd && flow.direction === 'EGRESS' ? recordedAt : undefined,
      sourceFlags,
    );
    if ('code' in from) return from;
    const to = this.cachedEnd(
      flow.destination,
      'destination',
      flow.destinationIp,
      flow.destinationNames,
      hostEnd && flow.direction === 'INGRESS' ? recordedAt : undefined,
      destinationFlags,
    );
    if ('code' in to) return to;
    return { from, to };
  }

  /**
   * One end as a question, cached by everything the question and its key depend on: the labels
   * (or the identity number when there are none), namespace and cluster, the workload or pod the
   * inventory is searched for, the node, and for a world end its address and names.
   */
  private cachedEnd(
    e: RecordedEndpoint,
    word: 'source' | 'destination',
    ip: string,
    names: readonly string[],
    node: string | undefined,
    flags: number,
  ): EndOrUnknown {
    const w = e.workloads[0];
    const world = (flags & WORLD) !== 0;
    // Fast path: the numeric identity stands for its labels, so it finds the end with no key
    // string built; the other fields and the labels are compared.
    if (e.identity === 0) return this.slowEnd(e, word, ip, names, node, world, w);
    const kind = w ? w.kind : 'Pod';
    const name = w ? w.name : e.pod;
    let byName = this.seen.get(e.identity);
    if (byName === undefined) this.seen.set(e.identity, (byName = new Map<string, SeenEnd[]>()));
    const bucketKey = world ? ip : name;
    let bucket = byName.get(bucketKey);
    let hit: SeenEnd | undefined;
    if (bucket !== undefined)
      for (let i = 0; i < bucket.length; i++) {
        const x = bucket[i]!;
        if (
          x.word === word &&
          x.namespace === e.namespace &&
          x.cluster === e.cluster &&
          x.kind === kind &&
          x.name === name &&
          sameStrings(x.labels, e.labels) &&
          (!world || (x.ip === ip && sameStrings(x.names, names)))
        ) {
          hit = x;
          break;
        }
      }
    if (hit === undefined) {
      if (bucket !== undefined && bucket.length >= SEEN_PER_BUCKET)
        return this.slowEnd(e, word, ip, names, node, world, w);
      if (this.seenCount > 100_000) {
        this.seen.clear();
        this.seenCount = 0;
        this.seen.set(e.identity, (byName = new Map<string, SeenEnd[]>()));
        bucket = undefined;
      }
      hit = {
        word,
        labels: e.labels,
        namespace: e.namespace,
        cluster: e.cluster,
        kind,
        name,
        ip: world ? ip : '',
        names: world ? names : NO_NAMES,
        flags,
      };
      if (bucket === undefined) byName.set(bucketKey, (bucket = []));
      bucket.push(hit);
      this.seenCount++;
    }
    if (node === undefined) return (hit.made ??= this.slowEnd(e, word, ip, names, undefined, world, w));
    let made = (hit.byNode ??= new Map<string, EndOrUnknown>()).get(node);
    if (made === undefined) {
      made = this.slowEnd(e, word, ip, names, node, world, w);
      if (hit.byNode.size < 1_000) hit.byNode.set(node, made);
    }
    return made;
  }

  private slowEnd(
    e: RecordedEndpoint,
    word: 'source' | 'destination',
    ip: string,
    names: readonly string[],
    node: string | undefined,
    world: boolean,
    w: RecordedEndpoint['workloads'][number] | undefined,
  ): CachedEnd | { code: ReplayUnknownCode; message: string } {
    const labels = e.labels.join('\u0001');
    const cacheKey = `${word}\u0002${labels}\u0002${e.labels.length === 0 ? e.identity : ''}\u0002${e.namespace}\u0002${e.cluster}\u0002${w ? `${w.kind}/${w.name}` : `Pod/${e.pod}`}\u0002${node ?? ''}\u0002${world ? `${ip}\u0002${names.join('\u0001')}` : ''}`;
    const hit = this.endCache.get(cacheKey);
    if (hit) return hit;
    let made: CachedEnd | { code: ReplayUnknownCode; message: string };
    const local = this.agent.clusterName;
    const cluster = e.cluster !== '' ? e.cluster : labelValue(e.labels, CLUSTER_LABEL);
    if (cluster !== undefined && cluster !== local)
      made = {
        code: 'other-cluster',
        message: `the ${word} is in cluster ${cluster}, not ${local} (the agent's clusterName): that cluster's agent enforces its own policies, which are not among the inputs`,
      };
    else if (e.labels.length === 0 && RESERVED_IDENTITIES[e.identity] === undefined)
      made = {
        code: 'identity-not-recorded',
        message: `the record gives no labels for the ${word}${e.identity !== 0 ? ` (identity ${e.identity})` : ''}, so its identity is not known`,
      };
    else {
      const question = this.endQuestion(e, ip, names, node);
      const key = endKey(question);
      // Equal questions share an id (two cache entries can describe one end: a pod with and without its workload).
      let id = this.endIdsByKey.get(key);
      if (id === undefined) this.endIdsByKey.set(key, (id = this.endIds++));
      made = { question, id };
    }
    // Bounded: a log of ever-new pods without workloads must not grow it without end (the ids
    // stay: group keys hold them).
    if (this.endCache.size > 100_000) this.endCache.clear();
    this.endCache.set(cacheKey, made);
    return made;
  }

  /** The HTTP request of a record as the question asks it (host and headers only when rules look at them). */
  private httpOf(h: NonNullable<RecordedFlow['http']>): HttpRequest {
    let headers: Record<string, string> | undefined;
    if (this.relevance.headers.size > 0)
      for (const x of h.headers) {
        const name = x.key.toLowerCase();
        if (this.relevance.headers.has(name) && headers?.[name] === undefined) (headers ??= {})[name] = x.value;
      }
    return {
      method: h.method,
      path: h.path,
      ...(this.relevance.host && h.host !== '' ? { host: h.host } : {}),
      ...(headers ? { headers } : {}),
    };
  }

  private endQuestion(
    e: RecordedEndpoint,
    ip: string,
    names: readonly string[],
    node: string | undefined,
  ): EndQuestion {
    let labels = e.labels.length > 0 ? e.labels : [`reserved:${RESERVED_IDENTITIES[e.identity] ?? 'world'}`];
    const namespace = e.namespace !== '' ? e.namespace : (labelValue(labels, NAMESPACE_LABEL) ?? '');
    let workloadRef: string | undefined;
    if (!isReserved(labels)) {
      // Every pod identity carries its namespace and cluster; complete what the exporter left out.
      const extra: string[] = [];
      if (namespace !== '' && labelValue(labels, NAMESPACE_LABEL) === undefined)
        extra.push(`${NAMESPACE_LABEL}=${namespace}`);
      if (labelValue(labels, CLUSTER_LABEL) === undefined) extra.push(`${CLUSTER_LABEL}=${this.agent.clusterName}`);
      if (extra.length > 0) labels = [...labels, ...extra];
      workloadRef = this.workloadRef(e, namespace);
    }
    return {
      labels,
      namespace,
      ip,
      names,
      display: endpointDisplay(e, ip, names),
      ...(workloadRef !== undefined ? { workloadRef } : {}),
      ...(node !== undefined ? { node } : {}),
    };
  }

  /** The inventory workload of a recorded pod (by its workload, else by its pod name), cached. */
  private workloadRef(e: RecordedEndpoint, namespace: string): string | undefined {
    const inventory = this.head.resolver.inventory;
    if (inventory.endpoints.length === 0 || namespace === '') return undefined;
    const w = e.workloads[0];
    const key = w ? `${namespace}/${w.kind}/${w.name}` : `${namespace}/Pod/${e.pod}`;
    let ref = this.workloadRefs.get(key);
    if (ref === undefined) {
      const found = w
        ? (this.head.resolver.findWorkloads(`${w.kind}/${namespace}/${w.name}`)[0] ??
          this.head.resolver.findWorkloads(`${namespace}/${w.name}`)[0])
        : e.pod !== ''
          ? this.head.resolver.findWorkloads(`Pod/${namespace}/${e.pod}`)[0]
          : undefined;
      ref = found ? `${found.kind}/${found.namespace}/${found.name}` : null;
      if (this.workloadRefs.size > 100_000) this.workloadRefs.clear();
      this.workloadRefs.set(key, ref);
    }
    return ref ?? undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Judging

  private judge(engine: VerdictEngine, q: FlowGroup['question']): Judgement {
    if ('code' in q) return { verdict: 'unknown', reason: `${capitalize(q.message)}.`, code: q.code };
    const from = this.endOf(engine, q.from, true);
    const to = this.endOf(engine, q.to, false);
    const flow: Flow = {
      from,
      to,
      protocol: q.protocol,
      ...(q.port !== undefined ? { port: q.port } : {}),
      ...(q.icmpType !== undefined ? { icmpType: q.icmpType } : {}),
      ...(q.http ? { http: q.http } : {}),
      ...(q.dns !== undefined ? { dns: { query: q.dns } } : {}),
    };
    const result = engine.evaluate(flow);
    return { verdict: result.verdict, result, reason: result.reason };
  }

  /**
   * An end resolved against an engine's inventory, made once per end, engine and role: groups
   * that share an end then hand the engine the same end, whose views it has already made.
   * Resolution reads only the inventory, which an engine never changes, so edits to the policies
   * leave these valid.
   */
  private endOf(engine: VerdictEngine, e: EndQuestion, asSource: boolean): FlowEnd {
    let ends = this.resolved.get(engine);
    if (ends === undefined)
      this.resolved.set(engine, (ends = [new Map<EndQuestion, FlowEnd>(), new Map<EndQuestion, FlowEnd>()]));
    const byEnd = ends[asSource ? 0 : 1];
    let end = byEnd.get(e);
    if (end === undefined) {
      end = this.resolveEnd(engine, e, asSource);
      if (byEnd.size > 100_000) byEnd.clear();
      byEnd.set(e, end);
    }
    return end;
  }

  private resolveEnd(engine: VerdictEngine, e: EndQuestion, asSource: boolean): FlowEnd {
    const r = engine.resolve(
      {
        identityLabels: e.labels,
        ...(e.namespace !== '' ? { namespace: e.namespace } : {}),
        ...(e.ip !== '' ? { ip: e.ip } : {}),
        ...(e.names.length > 0 ? { names: e.names } : {}),
      },
      asSource,
    );
    if (!r.ok)
      return {
        role: 'unknown',
        display: e.ip || 'endpoint',
        reason: { code: 'world-address-unknown', message: r.message },
      };
    let end = r.end;
    if (end.role === 'pod') {
      const w = e.workloadRef !== undefined ? engine.resolver.findWorkloads(e.workloadRef)[0] : undefined;
      const ports = w ? engine.resolver.podOf(w).ports : undefined;
      end = {
        ...end,
        display: e.display,
        ...(ports ? { ports } : {}),
        ...(e.node !== undefined ? { nodeName: e.node } : {}),
      };
    }
    return end;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The change from a base verdict to a head verdict (unknown on either side is no change). */
export function groupChangeKind(base: Verdict, head: Verdict): ChangeKind {
  if (base === 'allow' && head === 'deny') return 'newly-denied';
  if (base === 'deny' && head === 'allow') return 'newly-allowed';
  return 'none';
}

/**
 * How many records of a group change: against the base (every record), or against what was
 * recorded (forwarded records now denied, policy-dropped records now allowed).
 */
export function groupChanges(g: FlowGroup): { newlyDenied: number; newlyAllowed: number } {
  if (g.base) {
    const kind = groupChangeKind(g.base.verdict, g.head.verdict);
    return { newlyDenied: kind === 'newly-denied' ? g.flows : 0, newlyAllowed: kind === 'newly-allowed' ? g.flows : 0 };
  }
  return {
    newlyDenied: g.head.verdict === 'deny' ? g.forwarded : 0,
    newlyAllowed: g.head.verdict === 'allow' ? g.policyDropped : 0,
  };
}

/** Forwarded records of a group that the head policies deny (what makes `replay` exit 1). */
export function forwardedNowDenied(g: FlowGroup): number {
  return g.head.verdict === 'deny' ? g.forwarded : 0;
}

function endKey(e: EndQuestion): string {
  // World ends are told apart by address and names; identities by their labels.
  const world = e.labels.some((l) => l.startsWith('reserved:world'));
  return `${e.labels.join('\u0001')}\u0002${world ? `${e.ip}\u0002${e.names.join('\u0001')}` : ''}\u0002${e.workloadRef ?? ''}\u0002${e.node ?? ''}`;
}

/** The L4 part of a question's key. */
function l4Key(protocol: FlowProtocol, port: number | undefined, icmpType: number | undefined): string {
  return port !== undefined ? `${protocol}/${port}` : `${protocol}#${icmpType ?? ''}`;
}

/** The L7 part of a question's key ('' for none). */
function l7Key(http: HttpRequest | undefined, dns: string | undefined): string {
  let l7 = '';
  if (http) {
    l7 = `H\u0003${http.method ?? ''}\u0003${http.path ?? ''}\u0003${http.host ?? ''}`;
    if (http.headers)
      for (const [k, v] of Object.entries(http.headers).sort((a, b) => (a[0] < b[0] ? -1 : 1))) l7 += `\u0003${k}:${v}`;
  } else if (dns !== undefined) l7 = `D\u0003${dns}`;
  return l7;
}

/** What decided a denial: the rules (deny rules, or HTTP/DNS rules that refused), or default deny by some policies. */
export type DenialCause =
  | { readonly kind: 'rules'; readonly direction: 'egress' | 'ingress'; readonly rules: readonly RuleRef[] }
  | {
      readonly kind: 'default-deny';
      readonly direction: 'egress' | 'ingress';
      readonly policies: readonly SubjectRef[];
    };

/** Why a judgement is a deny (the source's egress first, as the datapath checks it first); undefined otherwise. */
export function denialCause(j: Judgement): DenialCause | undefined {
  const r = j.result;
  if (j.verdict !== 'deny' || !r) return undefined;
  for (const [direction, d] of [
    ['egress', r.egress],
    ['ingress', r.ingress],
  ] as const) {
    if (d.verdict !== 'deny') continue;
    if (d.state === 'default-deny') return { kind: 'default-deny', direction, policies: d.defaultDenyBy };
    return { kind: 'rules', direction, rules: d.by };
  }
  return undefined;
}

/** The ends and port of a group as people read them: `shop/frontend`, `shop/api`, `TCP/8080`. */
export function groupDisplay(g: FlowGroup): { source: string; destination: string; port: string } {
  const f = g.sample;
  return {
    source: endpointDisplay(f.source, f.sourceIp, []),
    destination: endpointDisplay(f.destination, f.destinationIp, f.destinationNames),
    port: f.port !== undefined ? `${f.protocol}/${f.port}` : `${f.protocol} type ${f.icmpType ?? 0}`,
  };
}
