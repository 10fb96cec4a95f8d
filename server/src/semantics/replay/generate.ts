// SPDX-License-Identifier: Apache-2.0
/**
 * Rules from recorded flows:
 *
 * - {@link admittingItems}: the narrowest rule items that admit some dropped flows in one direction
 *   of one endpoint: the peer as Hubble recorded it (a pod's own labels without the ones that change
 *   every rollout, such as `pod-template-hash`; an entity; the recorded address as a /32 or /128;
 *   `toFQDNs` with the names the DNS proxy saw, plus the DNS rule that lookup needs), the recorded
 *   ports and protocols (ICMP types in an item of their own, as the agent requires), and, where the
 *   proxy refused requests, HTTP or DNS rules for exactly the recorded requests;
 * - {@link policyFromFlows}: the least-privilege CiliumNetworkPolicy for one workload that admits its
 *   recorded flows (ingress and egress), and a PolicyTest with one case per distinct flow.
 *
 * Both are pure and return data and YAML text; {@link verifyAdmission} checks a change through the
 * engine (the admitted flows become allowed, nothing else that was denied does).
 */
import { isSeq, stringify } from 'yaml';
import { locate, type PolicyDocument, type PolicyFile } from '../../core/document.js';
import type { OffsetEdit } from '../../core/findings.js';
import { LABEL } from '../../core/selectors.js';
import { stableLabels } from '../../core/stable-labels.js';
import { appendItem, insertEntry } from '../../core/yaml-edits.js';
import type { Verdict } from '../model.js';
import type { RecordedEndpoint, RecordedFlow } from './hubble.js';
import type { FlowGroup } from './replay.js';

type Data = Record<string, unknown>;

/** The DNS server of a cluster when no recorded lookup names it: kube-dns in kube-system. */
export const DEFAULT_DNS_SELECTOR: Readonly<Record<string, string>> = {
  [`k8s:${LABEL.podNamespace}`]: 'kube-system',
  'k8s:k8s-app': 'kube-dns',
};

/** Label keys of an identity that are not the pod's own labels (namespace, service account, cluster). */
function isPodLabel(key: string): boolean {
  return !key.startsWith('io.cilium.k8s.') && key !== LABEL.podNamespace && !key.startsWith('io.kubernetes.');
}

/** A recorded pod's own labels (the `k8s:` ones, without the per-rollout ones), plain keys. */
export function podOwnLabels(e: RecordedEndpoint): Record<string, string> {
  const own: Record<string, string> = {};
  for (const l of e.labels) {
    if (!l.startsWith('k8s:')) continue;
    const eq = l.indexOf('=');
    const key = eq < 0 ? l.slice(4) : l.slice(4, eq);
    if (isPodLabel(key)) own[key] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return stableLabels(own);
}

function labelOf(e: RecordedEndpoint, key: string): string | undefined {
  const prefix = `k8s:${key}=`;
  const l = e.labels.find((x) => x.startsWith(prefix));
  return l === undefined ? undefined : l.slice(prefix.length);
}

function reservedOf(e: RecordedEndpoint): string | undefined {
  const r = e.labels.find((l) => l.startsWith('reserved:'));
  if (r !== undefined) return r.slice(9).replace(/=.*$/, '');
  const byIdentity: Record<number, string> = {
    1: 'host',
    2: 'world',
    4: 'health',
    6: 'remote-node',
    7: 'kube-apiserver',
    8: 'ingress',
    9: 'world',
    10: 'world',
  };
  return e.labels.length === 0 ? byIdentity[e.identity] : undefined;
}

/** A regular expression matching exactly `text` (HTTP rules match the whole path). */
export function exactRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function hostPrefix(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The peer of a rule item for one end of a flow, keyed so equal peers share an item. */
interface PeerPart {
  readonly key: string;
  /** `fromEndpoints` / `toEndpoints` selector, entities, CIDRs or FQDNs. */
  readonly kind: 'endpoints' | 'entities' | 'cidr' | 'fqdn';
  readonly value: Data | string;
}

/**
 * The peer for an end. `policyNamespace` is the namespace of the policy the rule goes into (null for
 * a clusterwide policy): a selector of a pod in another namespace names that namespace.
 */
function peerOf(e: RecordedEndpoint, ip: string, names: readonly string[], policyNamespace: string | null): PeerPart {
  const reserved = reservedOf(e);
  if (reserved === 'world' || reserved === 'world-ipv4' || reserved === 'world-ipv6') {
    const fqdn = names.map(normalizeName).find((n) => n !== '');
    if (fqdn !== undefined) return { key: `fqdn|${fqdn}`, kind: 'fqdn', value: fqdn };
    if (ip !== '') return { key: `cidr|${ip}`, kind: 'cidr', value: hostPrefix(ip) };
    return { key: 'entity|world', kind: 'entities', value: 'world' };
  }
  if (reserved !== undefined) return { key: `entity|${reserved}`, kind: 'entities', value: reserved };
  const namespace = e.namespace !== '' ? e.namespace : (labelOf(e, LABEL.podNamespace) ?? '');
  let labels: Record<string, string> = podOwnLabels(e);
  if (Object.keys(labels).length === 0) {
    // No label of its own worth selecting: its service account names it.
    const sa = labelOf(e, LABEL.serviceAccount);
    if (sa !== undefined) labels = { [`k8s:${LABEL.serviceAccount}`]: sa };
  }
  const selector: Record<string, string> = { ...labels };
  if (namespace !== '' && namespace !== policyNamespace) selector[`k8s:${LABEL.podNamespace}`] = namespace;
  const sorted = Object.fromEntries(Object.entries(selector).sort((a, b) => a[0].localeCompare(b[0])));
  return { key: `ep|${JSON.stringify(sorted)}`, kind: 'endpoints', value: { matchLabels: sorted } };
}

interface PortNeeds {
  readonly port: number;
  readonly protocol: string;
  /** HTTP requests to admit exactly (empty: the whole port). */
  readonly http: Map<string, { method: string; path: string }>;
  /** DNS names to let through (empty: the whole port). */
  readonly dns: Set<string>;
  /** True when a record on this port needs the whole port (an L3/L4 record with no L7 records to narrow it). */
  whole: boolean;
}

interface PeerNeeds {
  readonly peer: PeerPart;
  readonly ports: Map<string, PortNeeds>;
  readonly icmp: Map<string, { family: 'IPv4' | 'IPv6'; type: number }>;
}

/** What one section of a policy needs, peer by peer. */
class Needs {
  constructor(private readonly section: 'ingress' | 'egress') {}
  readonly peers = new Map<string, PeerNeeds>();
  /** Names `toFQDNs` items need a DNS rule for. */
  readonly fqdnNames = new Set<string>();

  add(peer: PeerPart, f: RecordedFlow): void {
    let p = this.peers.get(peer.key);
    if (!p) this.peers.set(peer.key, (p = { peer, ports: new Map(), icmp: new Map() }));
    if (peer.kind === 'fqdn') this.fqdnNames.add(peer.value as string);
    if (f.icmpType !== undefined) {
      const family = f.protocol === 'ICMPv6' ? 'IPv6' : 'IPv4';
      p.icmp.set(`${family}/${f.icmpType}`, { family, type: f.icmpType });
      return;
    }
    if (f.port === undefined) return;
    const k = `${f.port}/${f.protocol}`;
    let n = p.ports.get(k);
    if (!n) p.ports.set(k, (n = { port: f.port, protocol: f.protocol, http: new Map(), dns: new Set(), whole: false }));
    // Recorded requests narrow the port to themselves; a connection alone needs the port.
    if (f.http) n.http.set(`${f.http.method} ${f.http.path}`, { method: f.http.method, path: f.http.path });
    // DNS rules belong to egress only (the proxy filters the lookups an endpoint sends).
    else if (f.dns !== undefined && this.section === 'egress') n.dns.add(normalizeName(f.dns));
    else n.whole = true;
  }
}

function portRule(n: PortNeeds): Data {
  const ports = [{ port: String(n.port), protocol: n.protocol }];
  // A port some record needs whole takes no L7 rules: they would narrow it.
  if (n.whole && n.http.size === 0 && n.dns.size === 0) return { ports };
  if (n.http.size > 0)
    return {
      ports,
      rules: {
        http: [...n.http.values()]
          .sort((a, b) => a.method.localeCompare(b.method) || a.path.localeCompare(b.path))
          .map((r) => ({ method: exactRegex(r.method), path: exactRegex(r.path) })),
      },
    };
  if (n.dns.size > 0) return { ports, rules: { dns: [...n.dns].sort().map((matchName) => ({ matchName })) } };
  return { ports };
}

function peerField(section: 'ingress' | 'egress', peer: PeerPart): Data {
  const from = section === 'ingress';
  switch (peer.kind) {
    case 'endpoints':
      return { [from ? 'fromEndpoints' : 'toEndpoints']: [peer.value] };
    case 'entities':
      return { [from ? 'fromEntities' : 'toEntities']: [peer.value] };
    case 'cidr':
      return { [from ? 'fromCIDR' : 'toCIDR']: [peer.value] };
    case 'fqdn':
      return { toFQDNs: [{ matchName: peer.value }] };
  }
}

/** The items of a section, one per peer (and one more for its ICMP types), in a stable order. */
function itemsOf(section: 'ingress' | 'egress', needs: Needs): Data[] {
  const out: Data[] = [];
  const peers = [...needs.peers.values()].sort((a, b) => a.peer.key.localeCompare(b.peer.key));
  // CIDR peers with the same ports share an item.
  for (const p of peers) {
    const ports = [...p.ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
    if (ports.length > 0) out.push({ ...peerField(section, p.peer), toPorts: ports.map(portRule) });
    if (p.icmp.size > 0)
      out.push({
        ...peerField(section, p.peer),
        icmps: [
          {
            fields: [...p.icmp.values()]
              .sort((a, b) => a.family.localeCompare(b.family) || a.type - b.type)
              .map((i) => ({ type: i.type, family: i.family })),
          },
        ],
      });
  }
  return out;
}

/** The DNS rule item `toFQDNs` items need: lookups of their names through the DNS proxy. */
function dnsItem(names: readonly string[], server: Readonly<Record<string, string>>): Data {
  return {
    toEndpoints: [{ matchLabels: { ...server } }],
    toPorts: [
      {
        ports: [{ port: '53', protocol: 'ANY' }],
        rules: { dns: [...names].sort().map((matchName) => ({ matchName })) },
      },
    ],
  };
}

/** The labels of the DNS server the recorded lookups went to, as a selector (default kube-dns). */
export function dnsServerSelector(groups: readonly FlowGroup[]): Record<string, string> {
  for (const g of groups) {
    if (g.sample.dns === undefined) continue;
    const own = podOwnLabels(g.sample.destination);
    const ns = g.sample.destination.namespace || labelOf(g.sample.destination, LABEL.podNamespace);
    if (Object.keys(own).length > 0 && ns)
      return {
        [`k8s:${LABEL.podNamespace}`]: ns,
        ...Object.fromEntries(Object.entries(own).map(([k, v]) => [`k8s:${k}`, v])),
      };
  }
  return { ...DEFAULT_DNS_SELECTOR };
}

/** Rule items as YAML blocks (one per item, without the leading `- `), for an edit that appends them. */
export function itemYaml(item: Data): string {
  return stringify(item, { lineWidth: 0 }).replace(/\n+$/, '');
}

// ---------------------------------------------------------------------------------------------
// The quick fix: items admitting dropped flows

/** Items that admit some flows in one section of one policy. */
export interface AdmittingItems {
  readonly section: 'ingress' | 'egress';
  readonly items: readonly Data[];
  /** The groups they admit. */
  readonly groups: readonly FlowGroup[];
}

/**
 * The narrowest items admitting the flows of `groups` in `section` of a policy of `policyNamespace`
 * (null for clusterwide): one item per peer with the recorded ports; where requests were recorded
 * on a port (HTTP, DNS lookups), rules for exactly those requests. A `toFQDNs` item brings the DNS
 * rule its lookups need, unless `dnsAllowed` says the endpoint's egress lets them through already.
 */
export function admittingItems(
  groups: readonly FlowGroup[],
  section: 'ingress' | 'egress',
  policyNamespace: string | null,
  options: {
    readonly dnsServer?: Readonly<Record<string, string>>;
    readonly dnsAllowed?: (name: string) => boolean;
  } = {},
): AdmittingItems {
  const needs = new Needs(section);
  for (const g of groups) {
    const f = g.sample;
    const peer =
      section === 'ingress'
        ? peerOf(f.source, f.sourceIp, [], policyNamespace)
        : peerOf(f.destination, f.destinationIp, f.destinationNames, policyNamespace);
    needs.add(peer, f);
  }
  const items = itemsOf(section, needs);
  const names = [...needs.fqdnNames].filter((n) => !(options.dnsAllowed?.(n) ?? false));
  if (section === 'egress' && names.length > 0) items.push(dnsItem(names, options.dnsServer ?? DEFAULT_DNS_SELECTOR));
  return { section, items, groups };
}

// ---------------------------------------------------------------------------------------------
// Generate Policy from Flows

/** The workload a policy is generated for: its namespace and identity labels as recorded. */
export interface FlowWorkload {
  readonly namespace: string;
  /** Its own labels (plain keys), what the policy selects it by. */
  readonly labels: Readonly<Record<string, string>>;
  /** A name for the policy and the test (the recorded workload's name). */
  readonly name: string;
}

/** The workloads the flows of a replay know, with how many flows each sent and received. */
export function flowWorkloads(groups: readonly FlowGroup[]): (FlowWorkload & { flows: number })[] {
  const found = new Map<string, FlowWorkload & { flows: number }>();
  for (const g of groups) {
    for (const e of [g.sample.source, g.sample.destination]) {
      if (reservedOf(e) !== undefined) continue;
      const ns = e.namespace || labelOf(e, LABEL.podNamespace) || '';
      const labels = podOwnLabels(e);
      if (ns === '' || Object.keys(labels).length === 0) continue;
      const key = `${ns}|${JSON.stringify(Object.entries(labels).sort())}`;
      let w = found.get(key);
      if (!w) {
        const name = e.workloads[0]?.name || labels['app'] || labels['app.kubernetes.io/name'] || e.pod || 'workload';
        found.set(key, (w = { namespace: ns, labels, name, flows: 0 }));
      }
      w.flows += g.flows;
    }
  }
  return [...found.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** True when a recorded end is this workload. */
function isWorkload(e: RecordedEndpoint, w: FlowWorkload): boolean {
  if (reservedOf(e) !== undefined) return false;
  const ns = e.namespace || labelOf(e, LABEL.podNamespace) || '';
  if (ns !== w.namespace) return false;
  const own = podOwnLabels(e);
  return (
    Object.entries(w.labels).every(([k, v]) => own[k] === v) && Object.keys(own).length === Object.keys(w.labels).length
  );
}

/** A generated policy and its test. */
export interface GeneratedPolicy {
  /** The CiliumNetworkPolicy and the PolicyTest, as one YAML file of two documents. */
  readonly yaml: string;
  readonly policy: Data;
  readonly test: Data;
  /** Distinct flows (questions) the test has a case for. */
  readonly cases: number;
  /** Recorded flows admitted. */
  readonly flows: number;
}

function dnsName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
}

/** The PolicyTest endpoint of a recorded end. */
function testEndpoint(e: RecordedEndpoint, ip: string, names: readonly string[]): Data | undefined {
  const reserved = reservedOf(e);
  if (reserved === 'world' || reserved === 'world-ipv4' || reserved === 'world-ipv6') {
    if (ip === '') return undefined;
    const name = names.map(normalizeName).find((n) => n !== '');
    return name !== undefined ? { fqdn: name, ip } : { ip };
  }
  if (reserved !== undefined)
    return ['host', 'remote-node', 'kube-apiserver', 'health', 'ingress'].includes(reserved)
      ? { entity: reserved }
      : undefined;
  const ns = e.namespace || labelOf(e, LABEL.podNamespace) || '';
  if (ns === '') return undefined;
  const own = podOwnLabels(e);
  return { namespace: ns, labels: own };
}

/**
 * The least-privilege CiliumNetworkPolicy for a workload admitting exactly its recorded non-reply
 * flows that went through (FORWARDED, REDIRECTED, AUDIT, ...: not the attempts that were DROPPED),
 * ingress and egress, with the DNS rules its `toFQDNs` items need; and a PolicyTest with one case
 * (`expect: allow`) per distinct flow.
 */
export function policyFromFlows(groups: readonly FlowGroup[], workload: FlowWorkload): GeneratedPolicy {
  const ingress = new Needs('ingress');
  const egress = new Needs('egress');
  const cases: Data[] = [];
  let flows = 0;
  const dnsServer = dnsServerSelector(groups);
  for (const g of groups) {
    const f = g.sample;
    const asSource = isWorkload(f.source, workload);
    const asDestination = isWorkload(f.destination, workload);
    if (!asSource && !asDestination) continue;
    if ('code' in g.question) continue; // another cluster, or no identity: nothing to select
    // What went through (forwarded, or audited in audit mode); attempts that were dropped stay out.
    const passed = g.flows - g.dropped;
    if (passed === 0) continue;
    flows += passed;
    // A connection to itself needs both directions.
    if (asDestination) ingress.add(peerOf(f.source, f.sourceIp, [], workload.namespace), f);
    if (asSource) egress.add(peerOf(f.destination, f.destinationIp, f.destinationNames, workload.namespace), f);
    const from = testEndpoint(f.source, f.sourceIp, []);
    const to = testEndpoint(f.destination, f.destinationIp, f.destinationNames);
    if (!from || !to) continue;
    const l4 =
      f.icmpType !== undefined
        ? { protocol: f.protocol, icmpType: f.icmpType }
        : { port: f.port, ...(f.protocol !== 'TCP' ? { protocol: f.protocol } : {}) };
    const what = f.http
      ? ` ${f.http.method} ${f.http.path}`
      : f.dns !== undefined
        ? ` (DNS ${normalizeName(f.dns)})`
        : '';
    const port = f.icmpType !== undefined ? `${f.protocol} type ${f.icmpType}` : `${f.protocol}/${f.port}`;
    cases.push({
      name: `${describe(f.source, f.sourceIp, [])} to ${describe(f.destination, f.destinationIp, f.destinationNames)} on ${port}${what} (${passed} recorded)`,
      from,
      to,
      ...l4,
      ...(f.http ? { http: { method: f.http.method, path: f.http.path } } : {}),
      expect: 'allow',
    });
  }
  // Make names unique (two questions may read alike).
  const seen = new Map<string, number>();
  for (const c of cases) {
    const n = c['name'] as string;
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k > 1) c['name'] = `${n} #${k}`;
  }
  const ingressItems = itemsOf('ingress', ingress);
  const egressItems = itemsOf('egress', egress);
  const names = [...egress.fqdnNames];
  // Lookups the workload made are in its egress already (a DNS item with those names); toFQDNs names need theirs too.
  if (names.length > 0) {
    const dnsPeer = [...egress.peers.values()].find((p) => [...p.ports.values()].some((n) => n.dns.size > 0));
    const covered = new Set(dnsPeer ? [...dnsPeer.ports.values()].flatMap((n) => [...n.dns]) : []);
    const missing = names.filter((n) => !covered.has(n));
    if (missing.length > 0) egressItems.push(dnsItem(missing, dnsServer));
  }
  const name = `${dnsName(workload.name) || 'workload'}-from-flows`;
  const policy: Data = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: workload.namespace },
    spec: {
      endpointSelector: { matchLabels: { ...workload.labels } },
      // An empty section still makes its direction default-deny.
      ingress: ingressItems.length > 0 ? ingressItems : [{}],
      egress: egressItems.length > 0 ? egressItems : [{}],
    },
  };
  const test: Data = {
    apiVersion: 'cilium-policy.io/v1alpha1',
    kind: 'PolicyTest',
    metadata: { name: `${name}-test` },
    spec: { cases },
  };
  const header = `# Generated from ${flows} recorded flows of ${workload.namespace}/${workload.name}: a CiliumNetworkPolicy that\n# admits exactly what was recorded (replies are admitted by connection tracking), and a\n# PolicyTest with one case per distinct flow. Review before applying: paths and names are\n# the recorded ones, exactly.\n`;
  const yaml = `${header}${stringify(policy, { lineWidth: 0 })}---\n${stringify(test, { lineWidth: 0 })}`;
  return { yaml, policy, test, cases: cases.length, flows };
}

function describe(e: RecordedEndpoint, ip: string, names: readonly string[]): string {
  const reserved = reservedOf(e);
  if (reserved === 'world' || reserved === 'world-ipv4' || reserved === 'world-ipv6')
    return names[0] ? normalizeName(names[0]) : ip || 'world';
  if (reserved !== undefined) return reserved;
  const ns = e.namespace || labelOf(e, LABEL.podNamespace) || '';
  const n = e.workloads[0]?.name || podOwnLabels(e)['app'] || e.pod || 'pod';
  return ns !== '' ? `${ns}/${n}` : n;
}

// ---------------------------------------------------------------------------------------------
// Verification

/** What a change of policies does to some groups: the targets must be allowed, nothing else newly. */
export interface AdmissionCheck {
  readonly ok: boolean;
  /** Targets still not allowed. */
  readonly notAdmitted: readonly FlowGroup[];
  /** Other groups that were denied and are not any more. */
  readonly alsoAdmitted: readonly FlowGroup[];
}

/**
 * Checks through the engine that `after` (the policies with the generated items) allows every
 * target group and allows no other group that `before` denied.
 */
export function verifyAdmission(
  groups: readonly FlowGroup[],
  targets: ReadonlySet<FlowGroup>,
  before: (g: FlowGroup) => Verdict,
  after: (g: FlowGroup) => Verdict,
): AdmissionCheck {
  const notAdmitted: FlowGroup[] = [];
  const alsoAdmitted: FlowGroup[] = [];
  for (const g of groups) {
    const now = after(g);
    if (targets.has(g)) {
      if (now !== 'allow') notAdmitted.push(g);
    } else if (before(g) === 'deny' && now !== 'deny') alsoAdmitted.push(g);
  }
  return { ok: notAdmitted.length === 0 && alsoAdmitted.length === 0, notAdmitted, alsoAdmitted };
}

// ---------------------------------------------------------------------------------------------
// Editing a policy

/**
 * The edit that appends items to `section` of a rule (`spec`, or `specs[i]`) of a policy document:
 * after the section's last item when it is a block list, or as a new section after the rule's last
 * key. Undefined when that cannot be done without rewriting the document (a flow-style section such
 * as `ingress: [{}]`).
 */
export function appendItemsEdit(
  file: PolicyFile,
  doc: PolicyDocument,
  spec: number | null,
  section: 'ingress' | 'egress',
  items: readonly Data[],
): OffsetEdit | undefined {
  if (items.length === 0) return undefined;
  const base = spec === null ? ['spec'] : ['specs', spec];
  const existing = locate(doc.yaml, [...base, section]).node;
  if (existing !== undefined && existing !== null) {
    if (!isSeq(existing) || existing.flow || existing.items.length === 0) return undefined;
    let combined: OffsetEdit | undefined;
    for (const item of items) {
      const e = appendItem(file, doc, [...base, section], itemYaml(item));
      if (!e) return undefined;
      combined = combined ? { ...combined, newText: combined.newText + e.newText } : e;
    }
    return combined;
  }
  const block = items.map((item) => `- ${itemYaml(item).split('\n').join('\n  ')}`).join('\n');
  return insertEntry(file, doc, base, section, block);
}
