// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoint preview: which workloads a policy selects, and which peers each of its rules
 * admits, computed against an {@link Inventory}. Also the reverse question: which policies select
 * a given workload, and whether that makes it default-deny.
 *
 * The JSON shape of {@link PolicyPreview} is a public interface (the CLI prints it); editor data
 * with offsets lives beside it in {@link PreviewDetails}.
 */
import type { Span } from './findings.js';
import { locate, nodeSpan, type PolicyDocument } from './document.js';
import type { Endpoint, Inventory, NodeInfo, ServiceInfo } from './inventory.js';
import { DIRECTIONS, list, obj, policyRules, str, type Obj } from './data.js';
import {
  kubernetesDirections,
  kubernetesPeerSelector,
  kubernetesSubjectSelector,
} from './kubernetes/network-policy.js';
import {
  ciliumEndpointLabels,
  DEFAULT_NAMESPACE,
  describeSelector,
  hasReservedKey,
  labelKey,
  LABEL,
  matchesSelector,
  nodeLabels,
  parseSelector,
  PLAIN_SOURCE,
  scopeSelector,
  sourcesOf,
  tetragonContainerLabels,
  tetragonPodLabels,
  unscoped,
  type EffectiveSelector,
  type LabelMap,
  type Requirement,
  type ScopeContext,
  type SelectorOptions,
  type SelectorPlace,
} from './selectors.js';

// ---------------------------------------------------------------------------------------------
// The JSON contract

/** A workload as the preview reports it. */
export interface PreviewEndpoint {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A service a `toServices` entry refers to. */
export interface PreviewService {
  /** The service's namespace; null when the entry names none and no service was found (any namespace, SVC-1). */
  readonly namespace: string | null;
  /** The service name; null for a label-selector entry that found no service. */
  readonly name: string | null;
  /** The label selector of a `k8sServiceSelector` entry, as written. */
  readonly selector?: Readonly<Record<string, unknown>>;
  /** True when the service is in the inventory (its backends then follow as endpoint peers). */
  readonly found: boolean;
}

/** One peer a rule admits (or denies). */
export type Peer =
  | { readonly endpoint: PreviewEndpoint }
  | { readonly entity: string }
  | { readonly cidr: string; readonly except: readonly string[] }
  | { readonly fqdn: string }
  | { readonly service: PreviewService }
  | { readonly cidrGroup: string }
  | { readonly group: Readonly<Record<string, unknown>> };

/** A port (or ICMP type) a rule is limited to. */
export type PreviewPort =
  | { readonly port: string; readonly protocol: string; readonly endPort?: number }
  | { readonly icmpType: string; readonly protocol: 'ICMP' | 'ICMPv6' };

/** The four kinds of rule section. */
export type RuleDirection = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** One ingress/egress (allow or deny) item. */
export interface RulePreview {
  readonly direction: RuleDirection;
  /** Position of the item in its section (`ingress[index]`), within its `spec`/`specs[i]`. */
  readonly index: number;
  readonly peers: readonly Peer[];
  readonly ports: readonly PreviewPort[];
}

/** What a policy selects and admits. This is the JSON the CLI prints; keep its shape stable. */
export interface PolicyPreview {
  readonly file: string;
  readonly kind: string;
  readonly name: string | null;
  /** The effective namespace of a namespaced policy; null for cluster-wide kinds. */
  readonly namespace: string | null;
  readonly subjects: readonly PreviewEndpoint[];
  readonly rules: readonly RulePreview[];
}

// ---------------------------------------------------------------------------------------------
// Editor data

/** Which selector of a policy a {@link Selection} stands for. */
export type SelectionRole =
  | 'endpointSelector'
  | 'nodeSelector'
  | 'fromEndpoints'
  | 'toEndpoints'
  | 'fromNodes'
  | 'toNodes'
  | 'toServices'
  | 'podSelector'
  | 'containerSelector'
  | 'services'
  | 'backendServices';

/** One selector of a policy and what it matched: what a CodeLens shows. */
export interface Selection {
  readonly role: SelectionRole;
  /** Path of the selector in the document data, e.g. `['spec', 'ingress', 0, 'fromEndpoints', 1]`. */
  readonly path: readonly (string | number)[];
  /** From the key (when there is one) to the end of the value. */
  readonly span: Span;
  /** The matched workloads, with their sources for navigation. Nodes have kind `Node`. */
  readonly endpoints: readonly Endpoint[];
  /** The selector as the agent matches it, e.g. `any:app=web, k8s:io.kubernetes.pod.namespace=shop`. */
  readonly selector: string;
  /** Rewrites the agent applied, and why nothing matched when that is known. */
  readonly notes: readonly string[];
}

/** Where a {@link RulePreview} is in the document. */
export interface RuleLocation {
  readonly direction: RuleDirection;
  readonly index: number;
  readonly path: readonly (string | number)[];
  readonly span: Span;
}

/** The preview plus everything an editor needs to place it. */
export interface PreviewDetails {
  readonly preview: PolicyPreview;
  /** The policy document. */
  readonly span: Span;
  readonly selections: readonly Selection[];
  /** Parallel to `preview.rules`. */
  readonly rules: readonly RuleLocation[];
}

/** Options of a preview. */
export interface PreviewOptions {
  /** Written to {@link PolicyPreview.file}. */
  readonly file?: string;
}

// ---------------------------------------------------------------------------------------------
// Endpoint index: label sets computed once, matched many times

/** An endpoint of an {@link EndpointIndex}, with the objects the preview hands out for it. */
export interface IndexedEndpoint {
  /** Position in the index (endpoints are kept sorted by namespace, name and kind). */
  readonly id: number;
  readonly endpoint: Endpoint;
  /** The endpoint as the preview JSON shows it; shared, so large selections allocate nothing per match. */
  readonly out: PreviewEndpoint;
  readonly peer: Peer;
}

/** A set of endpoint ids, one bit each. */
type Bits = Uint32Array;

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * The endpoints of one kind (pods for Cilium, pods for Tetragon, nodes as hosts, nodes as remote
 * nodes) with inverted indexes from labels to ids. A selector is answered by intersecting one
 * bit set per requirement, so the cost does not grow with the number of matches.
 */
class Table {
  readonly entries: readonly IndexedEndpoint[];
  private readonly words: number;
  /** Ids by full key (`k8s:app`), then by value. */
  private readonly byValue = new Map<string, Map<string, number[]>>();
  /** Ids by full key. */
  private readonly byKey = new Map<string, number[]>();
  /** The label sources present, for `any:` requirements. */
  private readonly sources: string[] = [];
  /** Bit sets of requirements already answered. Belongs to this table, which belongs to one index. */
  private readonly cache = new Map<string, Bits>();
  private readonly full: Bits;

  constructor(entries: readonly IndexedEndpoint[], labels: readonly LabelMap[]) {
    this.entries = entries;
    this.words = Math.ceil(entries.length / 32);
    labels.forEach((map, id) => {
      for (const [k, v] of map) {
        let values = this.byValue.get(k);
        if (values === undefined) {
          values = new Map();
          this.byValue.set(k, values);
          this.byKey.set(k, []);
          const source = k.slice(0, k.indexOf(':'));
          if (!this.sources.includes(source)) this.sources.push(source);
        }
        const ids = values.get(v);
        if (ids === undefined) values.set(v, [id]);
        else ids.push(id);
        (this.byKey.get(k) as number[]).push(id);
      }
    });
    this.full = new Uint32Array(this.words).fill(0xffffffff);
    const rest = entries.length % 32;
    if (rest !== 0) this.full[this.words - 1] = (2 ** rest - 1) >>> 0;
  }

  private fromIds(lists: readonly (readonly number[] | undefined)[]): Bits {
    const bits = new Uint32Array(this.words);
    for (const ids of lists)
      if (ids) for (const id of ids) bits[id >>> 5] = (bits[id >>> 5] as number) | (1 << (id & 31));
    return bits;
  }

  private invert(bits: Bits): Bits {
    const out = new Uint32Array(this.words);
    for (let w = 0; w < this.words; w++) out[w] = (this.full[w] as number) & ~(bits[w] as number);
    return out;
  }

  /** The endpoints satisfying one requirement. The result is shared: never modify it. */
  private requirement(r: Requirement): Bits {
    const cacheKey = `${r.operator}\u0000${r.source}\u0000${r.key}\u0000${r.values.join('\u0000')}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const sources = r.source === 'any' ? this.sources.filter((s) => s !== PLAIN_SOURCE) : [r.source];
    const keys = sources.map((s) => labelKey(s, r.key));
    let bits: Bits;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      const lists: (readonly number[] | undefined)[] = [];
      for (const k of keys) for (const v of r.values) lists.push(this.byValue.get(k)?.get(v));
      bits = this.fromIds(lists);
      if (r.operator === 'NotIn') bits = this.invert(bits);
    } else {
      bits = this.fromIds(keys.map((k) => this.byKey.get(k)));
      if (r.operator === 'DoesNotExist') bits = this.invert(bits);
    }
    this.cache.set(cacheKey, bits);
    return bits;
  }

  /** The endpoints a selector matches (a new bit set the caller owns). */
  select(selector: EffectiveSelector): Bits {
    if (selector.invalid !== undefined) return new Uint32Array(this.words);
    const out = this.full.slice();
    for (const r of selector.requirements) {
      const bits = this.requirement(r);
      for (let w = 0; w < this.words; w++) out[w] = (out[w] as number) & (bits[w] as number);
    }
    return out;
  }

  /** The entries of a bit set, in id order (which is namespace, name, kind order). */
  list(bits: Bits): IndexedEndpoint[] {
    // Sized up front: selections of thousands of endpoints are common, and growing arrays
    // element by element is what the garbage collector would otherwise spend its time on.
    let n = 0;
    for (let w = 0; w < bits.length; w++) n += popcount(bits[w] as number);
    const out = new Array<IndexedEndpoint>(n);
    let i = 0;
    for (let w = 0; w < bits.length; w++) {
      let x = bits[w] as number;
      while (x !== 0) {
        const low = x & -x;
        out[i++] = this.entries[w * 32 + 31 - Math.clz32(low)] as IndexedEndpoint;
        x ^= low;
      }
    }
    return out;
  }
}

/** Endpoints matched by a selector: a bit set over one table. */
export interface Hits {
  readonly table: unknown;
  readonly bits: Uint32Array;
  /** The matched endpoints, sorted by namespace, name and kind. */
  readonly entries: readonly IndexedEndpoint[];
}

function hits(table: Table, bits: Bits): Hits {
  return { table, bits, entries: table.list(bits) };
}

/** A union of hits, each endpoint once, in sorted order per table. */
class HitSet {
  private readonly byTable = new Map<unknown, { table: Table; bits: Bits; only: Hits | undefined }>();
  add(h: Hits): void {
    const cur = this.byTable.get(h.table);
    if (!cur) {
      // Most unions have one member: keep its list instead of listing the same bits again.
      this.byTable.set(h.table, { table: h.table as Table, bits: h.bits, only: h });
      return;
    }
    const bits = cur.only ? cur.bits.slice() : cur.bits;
    for (let w = 0; w < bits.length; w++) bits[w] = (bits[w] as number) | (h.bits[w] as number);
    cur.bits = bits;
    cur.only = undefined;
  }
  get list(): IndexedEndpoint[] {
    const lists = [...this.byTable.values()].map(({ table, bits, only }) =>
      only ? (only.entries as IndexedEndpoint[]) : table.list(bits),
    );
    return lists.length === 1 ? (lists[0] as IndexedEndpoint[]) : ([] as IndexedEndpoint[]).concat(...lists);
  }
}

function nodeEndpoint(n: NodeInfo): Endpoint {
  return { kind: 'Node', namespace: '', name: n.name, labels: n.labels, source: n.source ?? {} };
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return a.namespace < b.namespace
    ? -1
    : a.namespace > b.namespace
      ? 1
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : a.kind < b.kind
            ? -1
            : a.kind > b.kind
              ? 1
              : 0;
}

function indexed(endpoints: readonly Endpoint[]): IndexedEndpoint[] {
  return [...endpoints].sort(compareEndpoints).map((endpoint, id) => {
    const out: PreviewEndpoint = {
      kind: endpoint.kind,
      namespace: endpoint.namespace,
      name: endpoint.name,
      labels: endpoint.labels,
    };
    return { id, endpoint, out, peer: { endpoint: out } };
  });
}

/**
 * An inventory with every endpoint's label sets computed once (Cilium identity labels, Tetragon
 * pod labels, host and remote-node labels of nodes) and inverted indexes to match selectors
 * against them quickly. Build one per inventory and reuse it for every preview; it is immutable
 * apart from caches of answers it has already given.
 */
export class EndpointIndex {
  readonly inventory: Inventory;
  readonly options: SelectorOptions;
  private readonly pods: readonly IndexedEndpoint[];
  private readonly nodes: readonly IndexedEndpoint[];
  private readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  private readonly tables = new Map<string, Table>();

  constructor(inventory: Inventory, options: SelectorOptions = {}) {
    this.inventory = inventory;
    this.options = options;
    const nsLabels = new Map<string, Readonly<Record<string, string>>>();
    for (const n of inventory.namespaces) if (!nsLabels.has(n.name)) nsLabels.set(n.name, n.labels);
    this.namespaceLabels = nsLabels;
    this.pods = indexed(inventory.endpoints);
    this.nodes = indexed(inventory.nodes.map(nodeEndpoint));
    this.table('cilium');
  }

  /** The table of one kind of label set, built on first use (most workspaces never need Tetragon's or the nodes'). */
  private table(kind: 'cilium' | 'tetragon' | 'host' | 'remote-node'): Table {
    let t = this.tables.get(kind);
    if (t) return t;
    switch (kind) {
      case 'cilium':
        t = new Table(
          this.pods,
          this.pods.map((e) => this.labelsOf(e.endpoint)),
        );
        break;
      case 'tetragon':
        t = new Table(
          this.pods,
          this.pods.map((e) => tetragonPodLabels(e.endpoint)),
        );
        break;
      default:
        t = new Table(
          this.nodes,
          this.nodes.map((e) => nodeLabels(e.endpoint.labels, kind, this.options)),
        );
    }
    this.tables.set(kind, t);
    return t;
  }

  /** The Cilium identity labels of an endpoint (A12), whether or not it is in the inventory. */
  labelsOf(endpoint: Endpoint): Map<string, string> {
    return ciliumEndpointLabels(endpoint, this.namespaceLabels.get(endpoint.namespace), this.options);
  }

  /** Pod endpoints matching a Cilium selector. */
  selectEndpoints(selector: EffectiveSelector): Hits {
    const t = this.table('cilium');
    return hits(t, t.select(selector));
  }

  /** Pod endpoints matching a plain (Tetragon/Kubernetes) selector. */
  selectPods(selector: EffectiveSelector): Hits {
    const t = this.table('tetragon');
    return hits(t, t.select(selector));
  }

  /** Nodes matching a selector, seen as host endpoints (`nodeSelector`) or remote nodes (`from/toNodes`). */
  selectNodes(selector: EffectiveSelector, as: 'host' | 'remote-node'): Hits {
    const t = this.table(as);
    return hits(t, t.select(selector));
  }

  /** Keeps only the hits that pass a test (used for container selectors). */
  filter(h: Hits, keep: (e: IndexedEndpoint) => boolean): Hits {
    const t = h.table as Table;
    const bits = new Uint32Array(h.bits.length);
    for (const e of h.entries) {
      if (!keep(e)) continue;
      const id = e.id;
      bits[id >>> 5] = (bits[id >>> 5] as number) | (1 << (id & 31));
    }
    return hits(t, bits);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers over untyped data

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function spanAt(doc: PolicyDocument, path: readonly (string | number)[]): Span {
  const at = locate(doc.yaml, path);
  const value = nodeSpan(at.node ?? undefined) ?? nodeSpan(at.nearest) ?? doc.span;
  const key = nodeSpan(at.key);
  return key ? { start: key.start, end: Math.max(key.end, value.end) } : value;
}

// ---------------------------------------------------------------------------------------------
// Cilium network policies

function ports(item: Obj): PreviewPort[] {
  const out: PreviewPort[] = [];
  for (const pr of list(item['toPorts'])) {
    for (const p of list(obj(pr)?.['ports'])) {
      const r = obj(p);
      if (!r) continue;
      const endPort = typeof r['endPort'] === 'number' && r['endPort'] > 0 ? r['endPort'] : undefined;
      const protocol = str(r['protocol']) || 'ANY';
      out.push(
        endPort !== undefined
          ? { port: scalar(r['port']) ?? '0', protocol, endPort }
          : { port: scalar(r['port']) ?? '0', protocol },
      );
    }
  }
  for (const icmp of list(item['icmps'])) {
    for (const f of list(obj(icmp)?.['fields'])) {
      const r = obj(f);
      const type = scalar(r?.['type']);
      if (type !== undefined) out.push({ icmpType: type, protocol: str(r?.['family']) === 'IPv6' ? 'ICMPv6' : 'ICMP' });
    }
  }
  return out;
}

/** The backends of a service (SVC-2): pods in its namespace matching its selector. */
function serviceBackends(index: EndpointIndex, svc: ServiceInfo, plain: boolean): Hits | undefined {
  if (!svc.selector) return undefined;
  const source = plain ? PLAIN_SOURCE : 'any';
  const requirements: Requirement[] = Object.entries(svc.selector).map(([key, v]) => ({
    source,
    key,
    operator: 'In',
    values: [v],
  }));
  requirements.push(
    plain
      ? { source: PLAIN_SOURCE, key: `k8s:${LABEL.podNamespace}`, operator: 'In', values: [svc.namespace] }
      : { source: 'k8s', key: LABEL.podNamespace, operator: 'In', values: [svc.namespace] },
  );
  const sel: EffectiveSelector = { requirements, notes: [] };
  return plain ? index.selectPods(sel) : index.selectEndpoints(sel);
}

/** Services a `toServices` entry refers to (SVC-1): no namespace means any namespace. */
function servicesOf(index: EndpointIndex, entry: Obj): { services: ServiceInfo[]; written: PreviewService } {
  const byName = obj(entry['k8sService']);
  const bySelector = obj(entry['k8sServiceSelector']);
  const all = index.inventory.services;
  if (byName) {
    const name = str(byName['serviceName']) ?? null;
    const ns = str(byName['namespace']) || null;
    return {
      services: all.filter((s) => s.name === name && (ns === null || s.namespace === ns)),
      written: { namespace: ns, name, found: false },
    };
  }
  if (bySelector) {
    const ns = str(bySelector['namespace']) || null;
    const sel = unscoped(parseSelector(bySelector['selector']));
    const selectorData = obj(bySelector['selector']) ?? {};
    // Service labels are Kubernetes labels, so `any:` and `k8s:` keys both reach them.
    const services = all.filter((s) => {
      if (ns !== null && s.namespace !== ns) return false;
      const labels = new Map(Object.entries(s.labels).map(([k, v]) => [labelKey('k8s', k), v] as const));
      return matchesSelector(sel, labels, ['k8s']);
    });
    return { services, written: { namespace: ns, name: null, selector: selectorData, found: false } };
  }
  return { services: [], written: { namespace: null, name: null, found: false } };
}

interface Builder {
  readonly doc: PolicyDocument;
  readonly index: EndpointIndex;
  readonly selections: Selection[];
}

function addSelection(
  b: Builder,
  role: SelectionRole,
  path: (string | number)[],
  selector: EffectiveSelector,
  found: Hits,
  extraNotes: string[] = [],
): void {
  const notes = [...selector.notes, ...extraNotes];
  if (selector.invalid !== undefined) notes.push(`selects nothing: ${selector.invalid}`);
  b.selections.push({
    role,
    path,
    span: spanAt(b.doc, path),
    endpoints: found.entries.map((e) => e.endpoint),
    selector: describeSelector(selector),
    notes,
  });
}

function networkPolicy(
  b: Builder,
  clusterwide: boolean,
  namespace: string | undefined,
): { subjects: IndexedEndpoint[]; rules: { preview: RulePreview; location: RuleLocation }[] } {
  const subjects = new HitSet();
  const rules: { preview: RulePreview; location: RuleLocation }[] = [];
  const options = b.index.options;
  for (const { rule, path } of policyRules(b.doc.data)) {
    const endpointSelector = rule['endpointSelector'];
    const nodeSelector = rule['nodeSelector'];
    const parsedSubject = parseSelector(endpointSelector);
    const ctx: ScopeContext = {
      clusterwide,
      ...(namespace !== undefined ? { namespace } : {}),
      subjectSelectsInit: endpointSelector !== undefined && hasReservedKey(parsedSubject, 'init'),
      options,
    };
    if (endpointSelector !== undefined && endpointSelector !== null) {
      const sel = scopeSelector(parsedSubject, 'endpointSelector', ctx);
      const found = b.index.selectEndpoints(sel);
      subjects.add(found);
      addSelection(b, 'endpointSelector', [...path, 'endpointSelector'], sel, found);
    } else if (nodeSelector !== undefined && nodeSelector !== null) {
      const sel = scopeSelector(parseSelector(nodeSelector), 'nodeSelector', ctx);
      const found = b.index.selectNodes(sel, 'host');
      subjects.add(found);
      const notes = clusterwide ? [] : ['a namespaced policy may not use nodeSelector; the agent rejects it'];
      addSelection(b, 'nodeSelector', [...path, 'nodeSelector'], sel, found, notes);
    }
    for (const direction of DIRECTIONS) {
      const ingress = direction.startsWith('ingress');
      list(rule[direction]).forEach((raw, i) => {
        const item = obj(raw);
        if (!item) return;
        const itemPath = [...path, direction, i];
        const peerEndpoints = new HitSet();
        const endpointPeers = (field: string, place: SelectorPlace, role: SelectionRole): void => {
          list(item[field]).forEach((s, j) => {
            const sel = scopeSelector(parseSelector(s), place, ctx);
            const found = place === 'nodes' ? b.index.selectNodes(sel, 'remote-node') : b.index.selectEndpoints(sel);
            peerEndpoints.add(found);
            addSelection(b, role, [...itemPath, field, j], sel, found);
          });
        };
        if (ingress) {
          endpointPeers('fromEndpoints', 'endpoints', 'fromEndpoints');
          endpointPeers('fromNodes', 'nodes', 'fromNodes');
        } else {
          endpointPeers('toEndpoints', 'endpoints', 'toEndpoints');
          endpointPeers('toNodes', 'nodes', 'toNodes');
        }
        const peers: Peer[] = peerEndpoints.list.map((e) => e.peer);
        const entities = new Set<string>();
        for (const e of list(item[ingress ? 'fromEntities' : 'toEntities'])) if (typeof e === 'string') entities.add(e);
        for (const e of entities) peers.push({ entity: e });
        for (const c of list(item[ingress ? 'fromCIDR' : 'toCIDR']))
          if (typeof c === 'string') peers.push({ cidr: c, except: [] });
        for (const c of list(item[ingress ? 'fromCIDRSet' : 'toCIDRSet'])) {
          const r = obj(c);
          if (!r) continue;
          if (typeof r['cidr'] === 'string')
            peers.push({
              cidr: r['cidr'],
              except: list(r['except']).filter((x): x is string => typeof x === 'string'),
            });
          else if (typeof r['cidrGroupRef'] === 'string') peers.push({ cidrGroup: r['cidrGroupRef'] });
          else if (r['cidrGroupSelector'] !== undefined)
            peers.push({ cidrGroup: describeSelector(unscoped(parseSelector(r['cidrGroupSelector']))) });
        }
        if (!ingress) {
          for (const f of list(item['toFQDNs'])) {
            const r = obj(f);
            const name = str(r?.['matchName']) ?? str(r?.['matchPattern']);
            if (name !== undefined) peers.push({ fqdn: name });
          }
          list(item['toServices']).forEach((s, j) => {
            const r = obj(s);
            if (!r) return;
            const { services, written } = servicesOf(b.index, r);
            const backends = new HitSet();
            if (services.length === 0) peers.push({ service: written });
            for (const svc of services) {
              peers.push({
                service: {
                  namespace: svc.namespace,
                  name: svc.name,
                  ...(written.selector ? { selector: written.selector } : {}),
                  found: true,
                },
              });
              const found = serviceBackends(b.index, svc, false);
              if (found) backends.add(found);
            }
            const backendList = backends.list;
            for (const e of backendList) peers.push(e.peer);
            const sPath = [...itemPath, 'toServices', j];
            const notes =
              services.length === 0
                ? ['no such service in the inventory']
                : services.map(
                    (svc) =>
                      `service ${svc.namespace}/${svc.name}${svc.selector ? '' : ' has no selector; its backends are addresses'}`,
                  );
            b.selections.push({
              role: 'toServices',
              path: sPath,
              span: spanAt(b.doc, sPath),
              endpoints: backendList.map((e) => e.endpoint),
              selector: written.name ?? describeSelector(unscoped(parseSelector(written.selector))),
              notes,
            });
          });
        }
        for (const g of list(item[ingress ? 'fromGroups' : 'toGroups'])) {
          const r = obj(g);
          if (r) peers.push({ group: r });
        }
        const portList = ports(item);
        // PEER-7: an item with ports but no peer field allows those ports from or to any peer.
        if (peers.length === 0 && portList.length > 0 && !hasPeerField(item, ingress)) peers.push({ entity: 'all' });
        rules.push({
          preview: { direction, index: i, peers, ports: portList },
          location: { direction, index: i, path: itemPath, span: spanAt(b.doc, itemPath) },
        });
      });
    }
  }
  return { subjects: subjects.list, rules };
}

const INGRESS_PEER_FIELDS = [
  'fromEndpoints',
  'fromNodes',
  'fromEntities',
  'fromCIDR',
  'fromCIDRSet',
  'fromGroups',
  'fromRequires',
];
const EGRESS_PEER_FIELDS = [
  'toEndpoints',
  'toNodes',
  'toEntities',
  'toCIDR',
  'toCIDRSet',
  'toFQDNs',
  'toServices',
  'toGroups',
  'toRequires',
];

/** True when the item names a peer of any kind (even one the inventory cannot resolve). */
function hasPeerField(item: Obj, ingress: boolean): boolean {
  return (ingress ? INGRESS_PEER_FIELDS : EGRESS_PEER_FIELDS).some((f) => list(item[f]).length > 0);
}

// ---------------------------------------------------------------------------------------------
// Kubernetes NetworkPolicies

function kubernetesPorts(item: Obj): PreviewPort[] {
  const out: PreviewPort[] = [];
  for (const p of list(item['ports'])) {
    const r = obj(p);
    if (!r) continue;
    const endPort = typeof r['endPort'] === 'number' && r['endPort'] > 0 ? r['endPort'] : undefined;
    const protocol = str(r['protocol']) || 'TCP';
    const port = scalar(r['port']) ?? '0';
    out.push(endPort !== undefined ? { port, protocol, endPort } : { port, protocol });
  }
  return out;
}

function kubernetesPolicy(
  b: Builder,
  namespace: string,
): { subjects: IndexedEndpoint[]; rules: { preview: RulePreview; location: RuleLocation }[] } {
  const spec = obj(obj(b.doc.data)?.['spec']) ?? {};
  const rules: { preview: RulePreview; location: RuleLocation }[] = [];
  const subject = kubernetesSubjectSelector(spec['podSelector'], namespace);
  const subjectSel: EffectiveSelector = subject.ok
    ? subject.selector
    : { requirements: [], invalid: subject.message, notes: [] };
  const found = b.index.selectEndpoints(subjectSel);
  addSelection(b, 'podSelector', ['spec', 'podSelector'], subjectSel, found);
  for (const [direction, field] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    list(spec[direction]).forEach((raw, i) => {
      const item = obj(raw) ?? {};
      const itemPath = ['spec', direction, i];
      const peerEndpoints = new HitSet();
      const peers: Peer[] = [];
      const written = list(item[field]);
      written.forEach((p, j) => {
        const peer = obj(p) ?? {};
        const hasLabels =
          (peer['podSelector'] !== undefined && peer['podSelector'] !== null) ||
          (peer['namespaceSelector'] !== undefined && peer['namespaceSelector'] !== null);
        if (hasLabels) {
          const what = `spec.${direction}[${i}].${field}[${j}]`;
          const r = kubernetesPeerSelector(peer, namespace, b.index.options, what);
          const sel: EffectiveSelector | undefined =
            r && (r.ok ? r.selector : { requirements: [], invalid: r.message, notes: [] });
          if (sel) {
            const hits = b.index.selectEndpoints(sel);
            peerEndpoints.add(hits);
            addSelection(
              b,
              direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints',
              [...itemPath, field, j],
              sel,
              hits,
            );
          }
        }
        const block = obj(peer['ipBlock']);
        if (block && typeof block['cidr'] === 'string')
          peers.push({
            cidr: block['cidr'],
            except: list(block['except']).filter((x): x is string => typeof x === 'string'),
          });
      });
      peers.unshift(...peerEndpoints.list.map((e) => e.peer));
      // No `from`/`to`: every source or destination, outside the cluster included.
      if (written.length === 0) peers.push({ entity: 'all' });
      rules.push({
        preview: { direction, index: i, peers, ports: kubernetesPorts(item) },
        location: { direction, index: i, path: itemPath, span: spanAt(b.doc, itemPath) },
      });
    });
  }
  return { subjects: [...found.entries], rules };
}

// ---------------------------------------------------------------------------------------------
// Tetragon tracing policies

function plainNamespace(ns: string): Requirement {
  return { source: PLAIN_SOURCE, key: `k8s:${LABEL.podNamespace}`, operator: 'In', values: [ns] };
}

function tracingPolicy(b: Builder, namespace: string | undefined): IndexedEndpoint[] {
  const spec = obj(obj(b.doc.data)?.['spec']);
  const podSel = unscoped(parseSelector(spec?.['podSelector'], true));
  // TP-WL-1: a namespaced tracing policy only sees pods of its own namespace.
  const sel: EffectiveSelector =
    namespace === undefined
      ? podSel
      : {
          ...podSel,
          requirements: [...podSel.requirements, plainNamespace(namespace)],
          notes: [`limited to namespace "${namespace}"`],
        };
  let found = b.index.selectPods(sel);
  if (spec?.['podSelector'] !== undefined && spec['podSelector'] !== null)
    addSelection(b, 'podSelector', ['spec', 'podSelector'], sel, found);
  const containerSelector = spec?.['containerSelector'];
  if (containerSelector !== undefined && containerSelector !== null) {
    const csel = unscoped(parseSelector(containerSelector, true));
    found = b.index.filter(found, (e) =>
      (e.endpoint.containers ?? []).some((c) => matchesSelector(csel, tetragonContainerLabels(c), [PLAIN_SOURCE])),
    );
    addSelection(b, 'containerSelector', ['spec', 'containerSelector'], csel, found, [
      'matched against each container’s name and image repository',
    ]);
  }
  return [...found.entries];
}

// ---------------------------------------------------------------------------------------------
// Envoy configs

function envoyConfig(b: Builder, namespace: string | undefined): IndexedEndpoint[] {
  const spec = obj(obj(b.doc.data)?.['spec']);
  const subjects = new HitSet();
  for (const field of ['services', 'backendServices'] as const) {
    list(spec?.[field]).forEach((s, i) => {
      const r = obj(s);
      const name = str(r?.['name']);
      if (!r || name === undefined) return;
      // CEC-9: a CEC's services live in its own namespace; a CCEC's default to `default`.
      const ns =
        field === 'services' && namespace !== undefined
          ? namespace
          : str(r['namespace']) || namespace || DEFAULT_NAMESPACE;
      const svc = b.index.inventory.services.find((x) => x.name === name && x.namespace === ns);
      const found = svc ? serviceBackends(b.index, svc, true) : undefined;
      if (found) subjects.add(found);
      const path = ['spec', field, i];
      const notes = svc
        ? svc.selector
          ? []
          : [`service ${ns}/${name} has no selector`]
        : [`service ${ns}/${name} is not in the inventory`];
      b.selections.push({
        role: field,
        path,
        span: spanAt(b.doc, path),
        endpoints: (found?.entries ?? []).map((e) => e.endpoint),
        selector: `service ${ns}/${name}`,
        notes,
      });
    });
  }
  return subjects.list;
}

// ---------------------------------------------------------------------------------------------
// Entry points

function asIndex(source: Inventory | EndpointIndex): EndpointIndex {
  return source instanceof EndpointIndex ? source : new EndpointIndex(source);
}

/** The namespace a policy document takes effect in, or undefined for cluster-wide kinds. */
export function effectiveNamespace(doc: PolicyDocument, options?: SelectorOptions): string | undefined {
  if (!doc.kind?.namespaced) return undefined;
  return doc.namespace || options?.defaultNamespace || DEFAULT_NAMESPACE;
}

/**
 * The preview of one document with editor offsets, or undefined when the document is not one of
 * our kinds or could not be read. Pass an {@link EndpointIndex} when previewing many documents.
 */
export function previewDetails(
  doc: PolicyDocument,
  source: Inventory | EndpointIndex,
  options: PreviewOptions = {},
): PreviewDetails | undefined {
  if (!doc.kind || doc.data === undefined) return undefined;
  const index = asIndex(source);
  const namespace = effectiveNamespace(doc, index.options);
  const b: Builder = { doc, index, selections: [] };
  let subjects: IndexedEndpoint[] = [];
  let rules: { preview: RulePreview; location: RuleLocation }[] = [];
  switch (doc.kind.language) {
    case 'cilium-network-policy':
      ({ subjects, rules } = networkPolicy(b, !doc.kind.namespaced, namespace));
      break;
    case 'tetragon-tracing-policy':
      subjects = tracingPolicy(b, namespace);
      break;
    case 'cilium-envoy-config':
      subjects = envoyConfig(b, namespace);
      break;
    case 'kubernetes-network-policy':
      ({ subjects, rules } = kubernetesPolicy(b, namespace ?? DEFAULT_NAMESPACE));
      break;
    case 'policy-test':
      // A PolicyTest selects nothing; its cases are run, not previewed.
      return undefined;
  }
  const preview: PolicyPreview = {
    file: options.file ?? '',
    kind: doc.kind.kind,
    name: doc.name ?? null,
    namespace: namespace ?? null,
    subjects: subjects.map((e) => e.out),
    rules: rules.map((r) => r.preview),
  };
  return { preview, span: doc.span, selections: b.selections, rules: rules.map((r) => r.location) };
}

/** The preview of one document (the CLI's JSON), or undefined when it is not one of our kinds. */
export function previewDocument(
  doc: PolicyDocument,
  source: Inventory | EndpointIndex,
  options: PreviewOptions = {},
): PolicyPreview | undefined {
  return previewDetails(doc, source, options)?.preview;
}

/**
 * A one-line summary of a selection for a CodeLens, e.g. `selects 3 workloads: web, api, worker`
 * (at most `max` names, then "…").
 */
export function selectionSummary(selection: Selection, max = 3): string {
  const names = selection.endpoints.map((e) => e.name);
  const verb =
    selection.role === 'endpointSelector' ||
    selection.role === 'nodeSelector' ||
    selection.role === 'podSelector' ||
    selection.role === 'containerSelector'
      ? 'selects'
      : 'matches';
  const noun =
    selection.endpoints.length > 0 && selection.endpoints.every((e) => e.kind === 'Node') ? 'node' : 'workload';
  if (names.length === 0) return `${verb} no ${noun}s`;
  const shown = names.slice(0, max).join(', ') + (names.length > max ? ', …' : '');
  return `${verb} ${names.length} ${noun}${names.length === 1 ? '' : 's'}: ${shown}`;
}

// ---------------------------------------------------------------------------------------------
// The reverse question

/** A policy document to check, and the file it came from. */
export interface PolicyInput {
  readonly doc: PolicyDocument;
  readonly file?: string;
}

/** One policy that selects a workload. */
export interface SelectingPolicy {
  readonly file: string;
  readonly kind: string;
  readonly name: string | null;
  readonly namespace: string | null;
  /** Where the selecting `endpointSelector` (or `podSelector`) is. */
  readonly span: Span;
  /** True when a selecting rule has ingress (allow or deny) items. */
  readonly ingress: boolean;
  readonly egress: boolean;
  /** Whether the selecting rules make the workload default-deny in each direction (RULE-3). */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
}

/** Which policies select a workload, and whether it ends up default-deny. */
export interface EndpointPolicies {
  readonly endpoint: PreviewEndpoint;
  readonly policies: readonly SelectingPolicy[];
  /** True when some selecting network policy enables default deny for the direction. */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
}

/**
 * The policies among `docs` that select a workload: network policies through their
 * `endpointSelector` (node-selecting host rules never select pods), tracing policies through
 * their pod and container selectors. RULE-3: a rule enables default deny for a direction that
 * has allow or deny items, unless `enableDefaultDeny` says otherwise.
 */
export function policiesSelecting(
  endpoint: Endpoint,
  docs: readonly PolicyInput[],
  source: Inventory | EndpointIndex,
): EndpointPolicies {
  const index = asIndex(source);
  const labels = index.labelsOf(endpoint);
  const sources = sourcesOf(labels);
  const podLabels = tetragonPodLabels(endpoint);
  const policies: SelectingPolicy[] = [];
  let denyIn = false;
  let denyOut = false;
  for (const { doc, file } of docs) {
    if (!doc.kind || doc.data === undefined) continue;
    const namespace = effectiveNamespace(doc, index.options);
    const base = { file: file ?? '', kind: doc.kind.kind, name: doc.name ?? null, namespace: namespace ?? null };
    if (doc.kind.language === 'cilium-network-policy') {
      const clusterwide = !doc.kind.namespaced;
      let hit: { span: Span } | undefined;
      let ingress = false;
      let egress = false;
      let dIn = false;
      let dOut = false;
      for (const { rule, path } of policyRules(doc.data)) {
        const es = rule['endpointSelector'];
        if (es === undefined || es === null) continue;
        const sel = scopeSelector(parseSelector(es), 'endpointSelector', {
          clusterwide,
          ...(namespace !== undefined ? { namespace } : {}),
          options: index.options,
        });
        if (!matchesSelector(sel, labels, sources)) continue;
        hit ??= { span: spanAt(doc, [...path, 'endpointSelector']) };
        const hasIn = list(rule['ingress']).length > 0 || list(rule['ingressDeny']).length > 0;
        const hasOut = list(rule['egress']).length > 0 || list(rule['egressDeny']).length > 0;
        ingress ||= hasIn;
        egress ||= hasOut;
        const dd = obj(rule['enableDefaultDeny']);
        dIn ||= typeof dd?.['ingress'] === 'boolean' ? dd['ingress'] && hasIn : hasIn;
        dOut ||= typeof dd?.['egress'] === 'boolean' ? dd['egress'] && hasOut : hasOut;
      }
      if (!hit) continue;
      denyIn ||= dIn;
      denyOut ||= dOut;
      policies.push({ ...base, span: hit.span, ingress, egress, defaultDeny: { ingress: dIn, egress: dOut } });
    } else if (doc.kind.language === 'kubernetes-network-policy') {
      const spec = obj(obj(doc.data)?.['spec']) ?? {};
      const subject = kubernetesSubjectSelector(spec['podSelector'], namespace ?? DEFAULT_NAMESPACE);
      if (!subject.ok || !matchesSelector(subject.selector, labels, sources)) continue;
      const enforced = kubernetesDirections(spec);
      denyIn ||= enforced.ingress;
      denyOut ||= enforced.egress;
      policies.push({
        ...base,
        span: spanAt(doc, ['spec', 'podSelector']),
        ingress: enforced.ingress,
        egress: enforced.egress,
        defaultDeny: { ingress: enforced.ingress, egress: enforced.egress },
      });
    } else if (doc.kind.language === 'tetragon-tracing-policy') {
      const spec = obj(obj(doc.data)?.['spec']);
      if (namespace !== undefined && endpoint.namespace !== namespace) continue;
      if (!matchesSelector(unscoped(parseSelector(spec?.['podSelector'], true)), podLabels, [PLAIN_SOURCE])) continue;
      const cs = spec?.['containerSelector'];
      if (cs !== undefined && cs !== null) {
        const csel = unscoped(parseSelector(cs, true));
        if (!(endpoint.containers ?? []).some((c) => matchesSelector(csel, tetragonContainerLabels(c), [PLAIN_SOURCE])))
          continue;
      }
      const at = spec?.['podSelector'] !== undefined ? ['spec', 'podSelector'] : ['kind'];
      policies.push({
        ...base,
        span: spanAt(doc, at),
        ingress: false,
        egress: false,
        defaultDeny: { ingress: false, egress: false },
      });
    }
  }
  return {
    endpoint: { kind: endpoint.kind, namespace: endpoint.namespace, name: endpoint.name, labels: endpoint.labels },
    policies,
    defaultDeny: { ingress: denyIn, egress: denyOut },
  };
}
