// SPDX-License-Identifier: Apache-2.0
/**
 * The workloads, namespaces, services and nodes a policy can be previewed against, and the
 * loaders that build them from Kubernetes manifests (YAML or JSON text) or from the JSON that
 * `kubectl get … -o json` prints. Loaders take text and return plain data; reading files or
 * running kubectl is the caller's business.
 */
import { parseAllDocuments, type Document } from 'yaml';
import { KUBERNETES_TAGS, MAX_ALIAS_COUNT, skipReason, type PolicyFile } from './document.js';
import { CODES } from './findings.js';
import { obj, type Obj } from './data.js';
import { DEFAULT_NAMESPACE } from './selectors.js';

/** Where an inventory entry came from, for navigation. */
export interface SourceRef {
  /** The file (or URI) it was read from. */
  readonly file?: string;
  /** UTF-16 offset of its document in that file. */
  readonly offset?: number;
  /** Where its `metadata.name` value is in that file (UTF-16 offsets), when it has one. */
  readonly name?: { readonly start: number; readonly end: number };
}

/** The span of a document's `metadata.name` value, for locations that land on the name. */
function nameSpan(doc: Document.Parsed): { start: number; end: number } | undefined {
  const node = doc.getIn(['metadata', 'name'], true) as { range?: [number, number, number] } | undefined;
  return node?.range ? { start: node.range[0], end: node.range[1] } : undefined;
}

/** A port a container declares (`ports[]`): what named ports in policies resolve to. */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** `TCP` (the Kubernetes default), `UDP` or `SCTP`. */
  readonly protocol: string;
}

/** One container of a workload (for Tetragon's `containerSelector`, and named ports for verdicts). */
export interface ContainerInfo {
  readonly name: string;
  readonly image?: string;
  /** The ports it declares; absent when it declares none. */
  readonly ports?: readonly ContainerPort[];
  /** An init container that runs to completion before the others (a native sidecar, `restartPolicy: Always`, is not). */
  readonly init?: true;
}

/**
 * A workload, standing for the pods it runs: the labels are those of its pod template, which is
 * what Cilium and Tetragon see on each pod.
 */
export interface Endpoint {
  /** A workload kind, or `CiliumEndpoint` for an agent endpoint with no matching pod in the snapshot. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The workload's own pod selector (`spec.selector.matchLabels` of a Deployment, StatefulSet,
   * DaemonSet, ReplicaSet or Job): the labels its controller finds its pods by, which stay the same
   * across releases. Absent for Pods and workloads without one.
   */
  readonly selector?: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly containers?: readonly ContainerInfo[];
  /** Identity labels the agent reported (`source:key=value`), when a CiliumEndpoint was seen. */
  readonly identityLabels?: readonly string[];
  /** The node its pods run on (`spec.nodeName`), when it is known and the same for all of them. */
  readonly nodeName?: string;
  /** Pod addresses (`status.podIPs` of a snapshot). */
  readonly ips?: readonly string[];
  /** True when its pods use the node's network (`hostNetwork: true`): they are the node to Cilium. */
  readonly hostNetwork?: boolean;
  readonly source: SourceRef;
}

/** A namespace and its labels. */
export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly source?: SourceRef;
}

/** One port of a Service. */
export interface ServicePort {
  readonly port: number;
  readonly protocol: string;
  readonly name?: string;
  readonly targetPort?: string;
}

/** A Service: its own labels (for `k8sServiceSelector`) and its pod selector (for SVC-2). */
export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pod selector; undefined for a service without one (its backends are then IPs). */
  readonly selector: Readonly<Record<string, string>> | undefined;
  readonly ports: readonly ServicePort[];
  /** `spec.type` (`ClusterIP` when not written). */
  readonly type?: string;
  /** `spec.clusterIPs` (or `spec.clusterIP`), when written. */
  readonly clusterIPs?: readonly string[];
  readonly source?: SourceRef;
}

/** A node and its labels (for `nodeSelector`, `fromNodes`, `toNodes`). */
export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `status.addresses[].address` (internal and external addresses), when known. */
  readonly addresses?: readonly string[];
  /** `spec.podCIDRs` (or `spec.podCIDR`), when known. */
  readonly podCIDRs?: readonly string[];
  readonly source?: SourceRef;
  /** `status.nodeInfo.kernelVersion` (`5.15.0-1057-aws`), when the node reports it (Tetragon kernel targets). */
  readonly kernelVersion?: string;
  /** `status.nodeInfo.architecture` (`amd64`, `arm64`). */
  readonly architecture?: string;
  /** `status.nodeInfo.osImage` (`Ubuntu 22.04.4 LTS`). */
  readonly osImage?: string;
}

/** A CiliumCIDRGroup: the CIDRs `cidrGroupRef` and `cidrGroupSelector` resolve to. */
export interface CidrGroupInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly cidrs: readonly string[];
  readonly source?: SourceRef;
}

/** The agent's `cilium-config` ConfigMap: its `data` keys as written. */
export interface CiliumConfigInfo {
  readonly namespace: string;
  readonly data: Readonly<Record<string, string>>;
  readonly source?: SourceRef;
  /** `status.nodeInfo.kernelVersion` (`5.15.0-1057-aws`), when the node reports it (Tetragon kernel targets). */
  readonly kernelVersion?: string;
  /** `status.nodeInfo.architecture` (`amd64`, `arm64`). */
  readonly architecture?: string;
  /** `status.nodeInfo.osImage` (`Ubuntu 22.04.4 LTS`). */
  readonly osImage?: string;
}

/** The kernel facts a Node object reports in `status.nodeInfo`, for {@link NodeInfo}. */
function nodeKernelInfo(o: Obj): Pick<NodeInfo, 'kernelVersion' | 'architecture' | 'osImage'> {
  const info = obj(obj(o['status'])?.['nodeInfo']);
  const kernelVersion = text(info?.['kernelVersion']);
  const architecture = text(info?.['architecture']);
  const osImage = text(info?.['osImage']);
  return {
    ...(kernelVersion !== undefined ? { kernelVersion } : {}),
    ...(architecture !== undefined ? { architecture } : {}),
    ...(osImage !== undefined ? { osImage } : {}),
  };
}

/** The container ports of a workload, each number and protocol once, in declaration order (init containers' left out). */
export function workloadPorts(e: Pick<Endpoint, 'containers'>): { port: number; protocol: string; name?: string }[] {
  const out: { port: number; protocol: string; name?: string }[] = [];
  const seen = new Set<string>();
  for (const c of e.containers ?? []) {
    if (c.init) continue;
    for (const p of c.ports ?? []) {
      const key = `${p.containerPort}/${p.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ port: p.containerPort, protocol: p.protocol, ...(p.name !== undefined ? { name: p.name } : {}) });
    }
  }
  return out;
}

/** Where an inventory was built from. */
export type InventoryOrigin = 'workspace' | 'snapshot' | 'cluster';

/** Everything a preview is computed against. Plain data. */
export interface Inventory {
  readonly endpoints: readonly Endpoint[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly services: readonly ServiceInfo[];
  readonly nodes: readonly NodeInfo[];
  /** CiliumCIDRGroups, when any were read. */
  readonly cidrGroups?: readonly CidrGroupInfo[];
  /** The `cilium-config` ConfigMap, when one was read (the first one wins). */
  readonly ciliumConfig?: CiliumConfigInfo;
  readonly origin: InventoryOrigin;
  /** One line for status bars and CLI headers, e.g. "4 workloads, 1 service from 2 files". */
  readonly description: string;
}

/** An empty inventory. */
export function emptyInventory(origin: InventoryOrigin = 'workspace', description = 'no workloads'): Inventory {
  return { endpoints: [], namespaces: [], services: [], nodes: [], origin, description };
}

// ---------------------------------------------------------------------------------------------
// Reading Kubernetes objects (shared by both loaders)

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string map (labels, selectors); non-string values are turned into text, others dropped. */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = obj(v);
  if (!r) return out;
  for (const [k, val] of Object.entries(r)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
]);

/** The parts of one file (or snapshot) that end up in an inventory. */
export interface InventoryPart {
  readonly endpoints: readonly Endpoint[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly services: readonly ServiceInfo[];
  readonly nodes: readonly NodeInfo[];
  readonly cidrGroups?: readonly CidrGroupInfo[];
  readonly ciliumConfigs?: readonly CiliumConfigInfo[];
}

interface MutablePart {
  endpoints: Endpoint[];
  namespaces: NamespaceInfo[];
  services: ServiceInfo[];
  nodes: NodeInfo[];
  cidrGroups: CidrGroupInfo[];
  ciliumConfigs: CiliumConfigInfo[];
}

function newPart(): MutablePart {
  return { endpoints: [], namespaces: [], services: [], nodes: [], cidrGroups: [], ciliumConfigs: [] };
}

/** True when a part holds nothing for an inventory. */
function partIsEmpty(part: InventoryPart): boolean {
  return (
    part.endpoints.length +
      part.namespaces.length +
      part.services.length +
      part.nodes.length +
      (part.cidrGroups?.length ?? 0) +
      (part.ciliumConfigs?.length ?? 0) ===
    0
  );
}

/** The pod template of a workload object: the pod spec and labels its pods get. */
function podTemplate(kind: string, object: Obj): { metadata: Obj | undefined; spec: Obj | undefined } | undefined {
  const spec = obj(object['spec']);
  if (kind === 'Pod') return { metadata: obj(object['metadata']), spec };
  const template =
    kind === 'CronJob' ? obj(obj(obj(obj(spec?.['jobTemplate'])?.['spec'])?.['template'])) : obj(spec?.['template']);
  if (!template) return undefined;
  return { metadata: obj(template['metadata']), spec: obj(template['spec']) };
}

function containerPorts(v: unknown): ContainerPort[] {
  const out: ContainerPort[] = [];
  if (!Array.isArray(v)) return out;
  for (const p of v) {
    const r = obj(p);
    const n = typeof r?.['containerPort'] === 'number' ? r['containerPort'] : Number(r?.['containerPort']);
    if (!r || !Number.isInteger(n) || n < 1 || n > 65535) continue;
    const name = text(r['name']);
    out.push({
      ...(name !== undefined ? { name } : {}),
      containerPort: n,
      protocol: (text(r['protocol']) ?? 'TCP').toUpperCase(),
    });
  }
  return out;
}

function containersOf(podSpec: Obj | undefined): ContainerInfo[] {
  const out: ContainerInfo[] = [];
  for (const field of ['initContainers', 'containers']) {
    const list = podSpec?.[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const name = text(obj(c)?.['name']);
      if (name === undefined) continue;
      const image = text(obj(c)?.['image']);
      const ports = containerPorts(obj(c)?.['ports']);
      // Init containers exit before the pod serves; a native sidecar keeps running beside the others.
      const init = field === 'initContainers' && text(obj(c)?.['restartPolicy']) !== 'Always';
      out.push({
        name,
        ...(image !== undefined ? { image } : {}),
        ...(ports.length > 0 ? { ports } : {}),
        ...(init ? { init: true as const } : {}),
      });
    }
  }
  return out;
}

/** The strings of a list (addresses, CIDRs). */
function textList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** A node's addresses (`status.addresses[].address`) and pod CIDRs (`spec.podCIDRs`, `spec.podCIDR`). */
function nodeFacts(o: Obj): { addresses?: string[]; podCIDRs?: string[] } {
  const addresses: string[] = [];
  const list = obj(o['status'])?.['addresses'];
  if (Array.isArray(list)) {
    for (const a of list) {
      const r = obj(a);
      const address = text(r?.['address']);
      const type = text(r?.['type']);
      // Host names are not addresses; every other type (InternalIP, ExternalIP) is.
      if (address !== undefined && type !== 'Hostname' && type !== 'InternalDNS' && type !== 'ExternalDNS')
        addresses.push(address);
    }
  }
  const spec = obj(o['spec']);
  const cidrs = textList(spec?.['podCIDRs']);
  const single = text(spec?.['podCIDR']);
  if (single !== undefined && !cidrs.includes(single)) cidrs.push(single);
  return { ...(addresses.length > 0 ? { addresses } : {}), ...(cidrs.length > 0 ? { podCIDRs: cidrs } : {}) };
}

function servicePorts(v: unknown): ServicePort[] {
  const out: ServicePort[] = [];
  if (!Array.isArray(v)) return out;
  for (const p of v) {
    const r = obj(p);
    const port = typeof r?.['port'] === 'number' ? r['port'] : Number(r?.['port']);
    if (!r || !Number.isInteger(port)) continue;
    const name = text(r['name']);
    const target = r['targetPort'];
    out.push({
      port,
      protocol: text(r['protocol']) ?? 'TCP',
      ...(name !== undefined ? { name } : {}),
      ...(typeof target === 'string' || typeof target === 'number' ? { targetPort: String(target) } : {}),
    });
  }
  return out;
}

/**
 * Adds one Kubernetes object to a part. Unknown kinds and our own policy kinds are ignored;
 * `List` objects are unpacked. Never throws.
 */
function addObject(part: MutablePart, value: unknown, source: SourceRef, depth = 0): void {
  const o = obj(value);
  if (!o) return;
  const kind = text(o['kind']);
  if (kind === undefined) return;
  if (kind === 'List' || kind.endsWith('List')) {
    if (depth > 2 || !Array.isArray(o['items'])) return;
    // Items of a List have no kind of their own when the List is typed (e.g. PodList).
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    for (const item of o['items']) {
      const r = obj(item);
      if (r) addObject(part, itemKind && r['kind'] === undefined ? { ...r, kind: itemKind } : r, source, depth + 1);
    }
    return;
  }
  const metadata = obj(o['metadata']);
  const name = text(metadata?.['name']);
  const namespace = text(metadata?.['namespace']) ?? DEFAULT_NAMESPACE;
  if (kind === 'Namespace') {
    if (name !== undefined) part.namespaces.push({ name, labels: stringMap(metadata?.['labels']), source });
    return;
  }
  if (kind === 'Node') {
    if (name !== undefined)
      part.nodes.push({ name, labels: stringMap(metadata?.['labels']), ...nodeFacts(o), source, ...nodeKernelInfo(o) });
    return;
  }
  if (kind === 'Service') {
    if (name === undefined) return;
    const spec = obj(o['spec']);
    const selector = obj(spec?.['selector']) ? stringMap(spec?.['selector']) : undefined;
    const clusterIPs = textList(spec?.['clusterIPs']);
    const clusterIP = text(spec?.['clusterIP']);
    if (clusterIP !== undefined && clusterIP !== 'None' && !clusterIPs.includes(clusterIP)) clusterIPs.push(clusterIP);
    const type = text(spec?.['type']);
    part.services.push({
      namespace,
      name,
      labels: stringMap(metadata?.['labels']),
      selector: selector && Object.keys(selector).length > 0 ? selector : undefined,
      ports: servicePorts(spec?.['ports']),
      ...(type !== undefined ? { type } : {}),
      ...(clusterIPs.length > 0 ? { clusterIPs: clusterIPs.filter((ip) => ip !== 'None') } : {}),
      source,
    });
    return;
  }
  if (kind === 'CiliumCIDRGroup') {
    if (name === undefined) return;
    const cidrs = textList(obj(o['spec'])?.['externalCIDRs']);
    part.cidrGroups.push({ name, labels: stringMap(metadata?.['labels']), cidrs, source });
    return;
  }
  if (kind === 'ConfigMap') {
    // Only the agent's own configuration matters here (verdicts read its policy options).
    if (name === 'cilium-config') part.ciliumConfigs.push({ namespace, data: stringMap(o['data']), source });
    return;
  }
  if (!WORKLOAD_KINDS.has(kind) || name === undefined) return;
  const template = podTemplate(kind, o);
  if (!template) return;
  const podSpec = template.spec;
  // The API server gives every pod a service account; `default` when the manifest names none.
  const serviceAccount = text(podSpec?.['serviceAccountName']) ?? text(podSpec?.['serviceAccount']) ?? 'default';
  const nodeName = text(podSpec?.['nodeName']);
  const selectorSpec = kind === 'CronJob' ? obj(obj(obj(o['spec'])?.['jobTemplate'])?.['spec']) : obj(o['spec']);
  const selector = kind === 'Pod' ? {} : stringMap(obj(selectorSpec?.['selector'])?.['matchLabels']);
  part.endpoints.push({
    kind,
    namespace,
    name,
    labels: stringMap(template.metadata?.['labels']),
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    serviceAccount,
    containers: containersOf(podSpec),
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(podSpec?.['hostNetwork'] === true ? { hostNetwork: true } : {}),
    source,
  });
}

/** A quick test that lets files with no object we care about skip YAML parsing altogether. */
const INTERESTING_KIND =
  /["']?kind["']?\s*:\s*["']?(Pod|Deployment|ReplicaSet|StatefulSet|DaemonSet|Job|CronJob|ReplicationController|Namespace|Service|Node|CiliumCIDRGroup|ConfigMap|\w*List)\b/;

/** False when a text names no kind the inventory reads (its part is empty without parsing it). */
export function mayHoldInventory(text: string): boolean {
  return INTERESTING_KIND.test(text);
}

/**
 * The inventory part of one manifest file (multi-document YAML or JSON). Policy kinds, unknown
 * kinds, templated and broken documents are skipped. Never throws.
 */
export function manifestPart(uri: string, text: string): InventoryPart {
  const part = newPart();
  if (!INTERESTING_KIND.test(text) || skipReason(text) !== undefined) return part;
  // Parsed here rather than with parseFile: only data and document offsets are needed, and one
  // broken document must not cost the others.
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, {
      merge: true,
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'silent',
      customTags: KUBERNETES_TAGS,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch {
    return part;
  }
  for (const doc of docs) {
    try {
      if (doc.errors.length > 0) continue;
      const [start, , end] = doc.range;
      if (TEMPLATE_MARKER.test(text.slice(start, end))) continue; // Helm and friends: not real objects yet
      const name = nameSpan(doc);
      addObject(part, doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), {
        file: uri,
        offset: start,
        ...(name ? { name } : {}),
      });
    } catch {
      // Too many aliases, or anything else odd: this document is skipped, the rest still count.
    }
  }
  return part;
}

const TEMPLATE_MARKER = /\{\{[\s\S]*?\}\}/;

/**
 * {@link manifestPart} of a file already parsed with `parseFile` (an open editor document): the
 * documents' data is reused, so an edit costs no second parse of the whole file. Gives what
 * `manifestPart` gives for the same text. The one difference in parsing, duplicate keys (an error
 * for `parseFile`, the last one wins for `manifestPart`), is handled by reading such a document
 * again on its own.
 */
export function manifestPartOfFile(uri: string, file: PolicyFile): InventoryPart {
  const part = newPart();
  if (file.skipped || !INTERESTING_KIND.test(file.text)) return part;
  for (const doc of file.documents) {
    if (doc.templated) continue;
    if (doc.syntaxErrors.length === 0) {
      const name = nameSpan(doc.yaml);
      if (doc.data !== undefined && doc.dataError === undefined)
        addObject(part, doc.data, { file: uri, offset: doc.span.start, ...(name ? { name } : {}) });
      continue;
    }
    if (!doc.syntaxErrors.every((f) => f.code === CODES.yamlDuplicateKey)) continue;
    const again = manifestPart(uri, file.text.slice(doc.span.start, doc.span.end));
    const shift = doc.span.start;
    const at = (src: SourceRef): SourceRef => ({
      ...src,
      offset: shift + (src.offset ?? 0),
      ...(src.name ? { name: { start: shift + src.name.start, end: shift + src.name.end } } : {}),
    });
    part.endpoints.push(...again.endpoints.map((e) => ({ ...e, source: at(e.source) })));
    part.namespaces.push(...again.namespaces.map((n) => (n.source ? { ...n, source: at(n.source) } : n)));
    part.services.push(...again.services.map((x) => (x.source ? { ...x, source: at(x.source) } : x)));
    part.nodes.push(...again.nodes.map((n) => (n.source ? { ...n, source: at(n.source) } : n)));
    part.cidrGroups.push(...(again.cidrGroups ?? []).map((g) => (g.source ? { ...g, source: at(g.source) } : g)));
    part.ciliumConfigs.push(...(again.ciliumConfigs ?? []).map((c) => (c.source ? { ...c, source: at(c.source) } : c)));
  }
  return part;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(part: InventoryPart, tail: string): string {
  const bits = [plural(part.endpoints.length, 'workload')];
  if (part.services.length > 0) bits.push(plural(part.services.length, 'service'));
  if (part.namespaces.length > 0) bits.push(plural(part.namespaces.length, 'namespace'));
  if (part.nodes.length > 0) bits.push(plural(part.nodes.length, 'node'));
  return `${bits.join(', ')} ${tail}`;
}

/**
 * The inventory fields of a merged part: CIDR groups only when there are some, and the first
 * `cilium-config` ConfigMap (an agent has one configuration).
 */
function inventoryFields(
  m: MutablePart,
): Pick<Inventory, 'endpoints' | 'namespaces' | 'services' | 'nodes' | 'cidrGroups' | 'ciliumConfig'> {
  const config = m.ciliumConfigs[0];
  return {
    endpoints: m.endpoints,
    namespaces: m.namespaces,
    services: m.services,
    nodes: m.nodes,
    ...(m.cidrGroups.length > 0 ? { cidrGroups: m.cidrGroups } : {}),
    ...(config !== undefined ? { ciliumConfig: config } : {}),
  };
}

function merge(parts: Iterable<InventoryPart>): MutablePart {
  const out = newPart();
  const seenNs = new Set<string>();
  for (const p of parts) {
    out.endpoints.push(...p.endpoints);
    out.services.push(...p.services);
    out.nodes.push(...p.nodes);
    out.cidrGroups.push(...(p.cidrGroups ?? []));
    out.ciliumConfigs.push(...(p.ciliumConfigs ?? []));
    // A namespace declared in two files is one namespace; the first declaration wins.
    for (const n of p.namespaces) {
      if (seenNs.has(n.name)) continue;
      seenNs.add(n.name);
      out.namespaces.push(n);
    }
  }
  return out;
}

/** Builds an inventory from manifest files. Never throws. */
export function inventoryFromManifests(files: readonly { readonly uri: string; readonly text: string }[]): Inventory {
  const index = new InventoryIndex();
  for (const f of files) index.update(f.uri, f.text);
  return index.snapshot();
}

/**
 * An inventory kept per file, so an editor can re-read only the file that changed. Holds no file
 * system access: callers pass texts in.
 */
export class InventoryIndex {
  private readonly parts = new Map<string, InventoryPart>();
  private cached: Inventory | undefined;

  /**
   * Re-reads one file. Returns true when the file holds anything for the inventory. A caller that
   * already has the file's {@link manifestPart} passes it, so the file is not parsed twice.
   */
  update(uri: string, text: string, part: InventoryPart = manifestPart(uri, text)): boolean {
    const empty = partIsEmpty(part);
    if (empty && !this.parts.has(uri)) return false;
    if (empty) this.parts.delete(uri);
    else this.parts.set(uri, part);
    this.cached = undefined;
    return !empty;
  }

  /** Forgets a file (deleted or closed). */
  remove(uri: string): void {
    if (this.parts.delete(uri)) this.cached = undefined;
  }

  /** The files that currently contribute something. */
  uris(): string[] {
    return [...this.parts.keys()].sort();
  }

  /** The current inventory as plain data; the same object until something changes. */
  snapshot(): Inventory {
    if (this.cached) return this.cached;
    const uris = this.uris();
    const merged = merge(uris.map((u) => this.parts.get(u) as InventoryPart));
    this.cached = {
      ...inventoryFields(merged),
      origin: 'workspace',
      description: describe(merged, `from ${plural(uris.length, 'file')}`),
    };
    return this.cached;
  }
}

// ---------------------------------------------------------------------------------------------
// kubectl snapshots

/** The result of reading a snapshot: an inventory, or why there is none. */
export type SnapshotResult =
  | { readonly ok: true; readonly inventory: Inventory; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** The workload a pod belongs to, from its owner references (a ReplicaSet's pods belong to its Deployment). */
function owner(pod: Obj): { kind: string; name: string } | undefined {
  const refs = obj(pod['metadata'])?.['ownerReferences'];
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.map((r) => obj(r)).find((r) => r?.['controller'] === true) ?? obj(refs[0]);
  const kind = text(ref?.['kind']);
  const name = text(ref?.['name']);
  if (!kind || !name) return undefined;
  const hash = stringMap(obj(pod['metadata'])?.['labels'])['pod-template-hash'];
  if (kind === 'ReplicaSet' && hash !== undefined && name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: name.slice(0, -(hash.length + 1)) };
  }
  return WORKLOAD_KINDS.has(kind) ? { kind, name } : undefined;
}

/**
 * Reads the JSON that `kubectl get pods,namespaces,services -A -o json` prints (a `List`), plus
 * `CiliumEndpoint` and `Node` items when present. Pods are grouped by the workload that owns
 * them (a Deployment's pods become one endpoint); a CiliumEndpoint attaches the agent's identity
 * labels to its pod. Truncated or invalid JSON gives an error result.
 */
export function inventoryFromKubectlJson(jsonText: string, origin: InventoryOrigin = 'snapshot'): SnapshotResult {
  let data: unknown;
  try {
    data = JSON.parse(jsonText);
  } catch (e) {
    const trimmed = jsonText.trim();
    const hint =
      trimmed === ''
        ? 'the text is empty'
        : !trimmed.startsWith('{') && !trimmed.startsWith('[')
          ? 'it does not look like JSON (use `kubectl get … -o json`)'
          : `it is not valid JSON, or it was cut off (${(e as Error).message})`;
    return { ok: false, error: `The snapshot could not be read: ${hint}.` };
  }
  const root = obj(data) ?? (Array.isArray(data) ? { kind: 'List', items: data } : undefined);
  if (!root) return { ok: false, error: 'The snapshot could not be read: expected a JSON object (a kubectl List).' };
  const items: Obj[] = [];
  const collect = (o: Obj, depth: number): void => {
    const kind = text(o['kind']);
    if (Array.isArray(o['items']) && depth < 3) {
      const itemKind = kind && kind !== 'List' && kind.endsWith('List') ? kind.slice(0, -4) : undefined;
      for (const it of o['items']) {
        const r = obj(it);
        if (r) collect(itemKind && r['kind'] === undefined ? { ...r, kind: itemKind } : r, depth + 1);
      }
    } else if (kind !== undefined) items.push(o);
  };
  collect(root, 0);
  const warnings: string[] = [];
  const part = newPart();
  const cepLabels = new Map<string, string[]>();
  const endpoints = new Map<string, Endpoint>();
  // Which endpoint each pod was folded into, so CiliumEndpoints (named like their pods) find it.
  const endpointOfPod = new Map<string, string>();
  const source = (o: Obj): SourceRef => {
    const md = obj(o['metadata']);
    return { file: `${text(o['kind']) ?? ''}/${text(md?.['namespace']) ?? ''}/${text(md?.['name']) ?? ''}` };
  };
  for (const o of items) {
    const kind = text(o['kind']);
    const md = obj(o['metadata']);
    const name = text(md?.['name']);
    const ns = text(md?.['namespace']) ?? DEFAULT_NAMESPACE;
    if (kind === 'CiliumEndpoint') {
      const labels = obj(obj(o['status'])?.['identity'])?.['labels'];
      if (name !== undefined && Array.isArray(labels))
        cepLabels.set(
          `${ns}/${name}`,
          labels.filter((l): l is string => typeof l === 'string'),
        );
      continue;
    }
    if (kind !== 'Pod') {
      addObject(part, o, source(o));
      continue;
    }
    if (name === undefined) continue;
    const phase = text(obj(o['status'])?.['phase']);
    if (phase === 'Succeeded' || phase === 'Failed') continue; // finished pods have no endpoint
    const spec = obj(o['spec']);
    // Host-network pods share the node's identity, so no policy selects them as pods.
    if (spec?.['hostNetwork'] === true) continue;
    const own = owner(o) ?? { kind: 'Pod', name };
    const key = `${own.kind}/${ns}/${own.name}`;
    endpointOfPod.set(`${ns}/${name}`, key);
    const status = obj(o['status']);
    const podIPs = (Array.isArray(status?.['podIPs']) ? status['podIPs'] : [])
      .map((p) => text(obj(p)?.['ip']))
      .filter((ip): ip is string => ip !== undefined);
    const podIP = text(status?.['podIP']);
    if (podIP !== undefined && !podIPs.includes(podIP)) podIPs.push(podIP);
    const nodeName = text(spec?.['nodeName']);
    const seen = endpoints.get(key);
    if (seen) {
      // Another pod of the same workload: its addresses join, and the node stays only when shared.
      const ips = [...(seen.ips ?? []), ...podIPs.filter((ip) => !(seen.ips ?? []).includes(ip))];
      const { nodeName: seenNode, ...rest } = seen;
      endpoints.set(key, {
        ...rest,
        ...(ips.length > 0 ? { ips } : {}),
        ...(seenNode !== undefined && seenNode === nodeName ? { nodeName } : {}),
      });
      continue;
    }
    const serviceAccount = text(spec?.['serviceAccountName']) ?? text(spec?.['serviceAccount']);
    endpoints.set(key, {
      kind: own.kind,
      namespace: ns,
      name: own.name,
      labels: stringMap(md?.['labels']),
      ...(serviceAccount !== undefined ? { serviceAccount } : {}),
      containers: containersOf(spec),
      ...(nodeName !== undefined ? { nodeName } : {}),
      ...(podIPs.length > 0 ? { ips: podIPs } : {}),
      source: { file: `Pod/${ns}/${name}` },
    });
  }
  for (const [podKey, labels] of cepLabels) {
    const epKey = endpointOfPod.get(podKey);
    const ep = epKey !== undefined ? endpoints.get(epKey) : undefined;
    if (epKey !== undefined && ep) {
      if (!ep.identityLabels) endpoints.set(epKey, { ...ep, identityLabels: labels });
      continue;
    }
    // An agent endpoint whose pod is not in the snapshot still counts; its k8s labels stand in
    // for the pod labels (minus the ones Cilium adds itself).
    const slash = podKey.indexOf('/');
    const plainLabels: Record<string, string> = {};
    for (const l of labels) {
      const m = /^k8s:([^=]+)=(.*)$/.exec(l);
      if (
        m &&
        m[1] !== undefined &&
        m[2] !== undefined &&
        !m[1].startsWith('io.kubernetes.') &&
        !m[1].startsWith('io.cilium.k8s')
      )
        plainLabels[m[1]] = m[2];
    }
    endpoints.set(`CiliumEndpoint/${podKey}`, {
      kind: 'CiliumEndpoint',
      namespace: podKey.slice(0, slash),
      name: podKey.slice(slash + 1),
      labels: plainLabels,
      identityLabels: labels,
      source: { file: `CiliumEndpoint/${podKey}` },
    });
  }
  part.endpoints.push(...endpoints.values());
  if (items.length === 0) warnings.push('The snapshot holds no Kubernetes objects.');
  else if (part.endpoints.length === 0) warnings.push('The snapshot holds no running pods or CiliumEndpoints.');
  const merged = merge([part]);
  return {
    ok: true,
    inventory: {
      ...inventoryFields(merged),
      origin,
      description: describe(merged, origin === 'cluster' ? 'in the cluster' : 'in the snapshot'),
    },
    warnings,
  };
}

/** Joins inventories: an object found twice counts once, the first one wins. */
export function combineInventories(parts: readonly Inventory[], description: string): Inventory {
  const firstOf = <T>(items: readonly T[], key: (t: T) => string): T[] => {
    const seen = new Set<string>();
    return items.filter((t) => {
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  const origin: InventoryOrigin = parts.some((p) => p.origin === 'snapshot') ? 'snapshot' : 'workspace';
  const cidrGroups = firstOf(
    parts.flatMap((p) => p.cidrGroups ?? []),
    (g) => g.name,
  );
  const ciliumConfig = parts.find((p) => p.ciliumConfig)?.ciliumConfig;
  return {
    endpoints: firstOf(
      parts.flatMap((p) => p.endpoints),
      (e) => `${e.kind}/${e.namespace}/${e.name}`,
    ),
    services: firstOf(
      parts.flatMap((p) => p.services),
      (s) => `${s.namespace}/${s.name}`,
    ),
    nodes: firstOf(
      parts.flatMap((p) => p.nodes),
      (n) => n.name,
    ),
    namespaces: firstOf(
      parts.flatMap((p) => p.namespaces),
      (n) => n.name,
    ),
    ...(cidrGroups.length > 0 ? { cidrGroups } : {}),
    ...(ciliumConfig ? { ciliumConfig } : {}),
    origin,
    description,
  };
}
