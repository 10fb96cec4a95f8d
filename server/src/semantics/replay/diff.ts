// SPDX-License-Identifier: Apache-2.0
/**
 * The connectivity diff between two sets of policies (two git revisions, or a revision and the
 * working tree) over one inventory and agent profile: the verdict matrix before and after, and what
 * changed.
 *
 * The matrix covers every workload of the inventory as source and destination (on each
 * destination's declared container ports), plus the ends the policies name that are not workloads:
 * the entities (`world`, `host`, `remote-node`, `kube-apiserver`, `health`, `ingress`), one address
 * inside each CIDR (outside its `except` blocks), and each `toFQDNs` name with an address, on the
 * ports the rules naming such peers give (TCP/443 stands for "any port" when a rule names none).
 * `world` stands for a documentation address (RFC 5737) outside every CIDR the policies name, where
 * there is one. Besides the cells, workloads that become default-deny in a direction, and
 * workloads that lose all protection, are listed. Pure.
 */
import { formatPrefix, parsePrefix, type Prefix } from '../../core/cilium/cidr.js';
import { runSteps } from '../../core/document.js';
import type { Endpoint } from '../../core/inventory.js';
import { cidrAdmits, parseAddress } from '../addresses.js';
import type { EndpointSpec, FlowEnd } from '../endpoints.js';
import type { DirectionVerdict, FlowProtocol, VerdictEngine } from '../engine.js';
import { portsOf, type MatrixPort } from '../matrix.js';
import type { CompiledItem, Peer, Verdict } from '../model.js';

/** An end of the diff, as the CLI's JSON shows it. */
export type DiffEnd =
  | { readonly namespace: string; readonly kind: string; readonly name: string }
  | { readonly entity: string }
  | { readonly cidr: string; readonly ip: string }
  | { readonly fqdn: string; readonly ip: string };

/** A workload in the lists of the diff. */
export interface DiffWorkload {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  /** The directions concerned (`ingress`, `egress`). */
  readonly directions: readonly ('ingress' | 'egress')[];
}

/** One cell whose verdict changed. */
export interface DiffChange {
  readonly source: DiffEnd;
  readonly destination: DiffEnd;
  readonly port: number;
  readonly protocol: FlowProtocol;
  readonly before: Verdict;
  readonly after: Verdict;
  /** Each direction after the change (the rules that now decide). */
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** The sentence of the verdict after the change. */
  readonly reason: string;
  /** Each direction before the change. */
  readonly beforeEgress: DirectionVerdict;
  readonly beforeIngress: DirectionVerdict;
  /** Short names of the ends, for text and Markdown. */
  readonly sourceText: string;
  readonly destinationText: string;
  /** The namespace the change is filed under (the destination's, else the source's, else ''). */
  readonly namespace: string;
}

/** The whole diff. */
export interface ConnectivityDiff {
  readonly changes: readonly DiffChange[];
  readonly newlyDefaultDeny: readonly DiffWorkload[];
  readonly newlyUnprotected: readonly DiffWorkload[];
  /** Cells compared. */
  readonly cells: number;
}

interface End {
  readonly end: FlowEnd;
  readonly json: DiffEnd;
  readonly text: string;
  readonly namespace: string;
  /** Ports it is reached on as a destination. */
  readonly ports: readonly MatrixPort[];
}

/** Addresses for `world`: documentation ranges (RFC 5737, RFC 3849). */
const WORLD_CANDIDATES = ['198.51.100.7', '203.0.113.7', '192.0.2.7', '2001:db8::7'];
/** Addresses for FQDNs: another documentation range, one address per name. */
const FQDN_BASE = 0xc0000280n; // 192.0.2.128
/** Ports cap for non-workload destinations. */
const MAX_EXTRA_PORTS = 32;
const ANY_PORT: MatrixPort = { port: 443, protocol: 'TCP' };

function addressText(p: Prefix, addr: bigint): string {
  return formatPrefix({ ...p, addr, bits: p.family === 4 ? 32 : 128 }).replace(/\/\d+$/, '');
}

/** An address inside a CIDR and outside its `except` blocks (the network's second address first). */
export function addressInside(prefix: Prefix, except: readonly Prefix[]): string | undefined {
  const width = prefix.family === 4 ? 32 : 128;
  const size = 1n << BigInt(width - prefix.bits);
  const mask = ((1n << BigInt(width)) - 1n) ^ (size - 1n);
  const network = prefix.addr & mask;
  const candidates = [size > 2n ? network + 1n : network, network];
  // After each except block: its end + 1.
  for (const e of except) {
    const eSize = 1n << BigInt(width - e.bits);
    candidates.push((e.addr & (((1n << BigInt(width)) - 1n) ^ (eSize - 1n))) + eSize);
  }
  for (const c of candidates) {
    if (c < network || c >= network + size) continue;
    const text = addressText(prefix, c);
    const a = parseAddress(text);
    if (a && cidrAdmits(prefix, except, a)) return text;
  }
  return undefined;
}

/** A name a `matchPattern` matches (`*.stripe.com` → `x.stripe.com`); undefined for `*`. */
function nameFor(pattern: string): string | undefined {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  if (p === '*' || p === '') return undefined;
  return p.replace(/^\*\*\./, 'a.').replace(/\*/g, 'x');
}

interface Named {
  readonly entities: Set<string>;
  readonly cidrs: Map<string, { prefix: Prefix; except: readonly Prefix[] }>;
  readonly fqdns: Set<string>;
  readonly ports: Map<string, MatrixPort>;
  anyPort: boolean;
}

function collect(engines: readonly VerdictEngine[]): Named {
  const named: Named = { entities: new Set(), cidrs: new Map(), fqdns: new Set(), ports: new Map(), anyPort: false };
  const addPorts = (item: CompiledItem): void => {
    if (item.l4.kind === 'any') {
      named.anyPort = true;
      return;
    }
    for (const pr of item.l4.portRules) {
      for (const p of pr.ports) {
        if (p.name !== undefined || p.port === 0) {
          named.anyPort = true;
          continue;
        }
        const protocols: FlowProtocol[] = p.protocol === 'ANY' ? ['TCP', 'UDP'] : [p.protocol];
        for (const protocol of protocols)
          for (const port of p.endPort !== undefined && p.endPort > p.port ? [p.port, p.endPort] : [p.port])
            if (named.ports.size < MAX_EXTRA_PORTS) named.ports.set(`${port}/${protocol}`, { port, protocol });
      }
    }
  };
  const visit = (peer: Peer): boolean => {
    switch (peer.type) {
      case 'entity':
        named.entities.add(peer.entity);
        return true;
      case 'cidr':
        named.cidrs.set(peer.text, { prefix: peer.prefix, except: peer.except });
        return true;
      case 'fqdn':
        if (peer.matcher.matchName !== undefined)
          named.fqdns.add(peer.matcher.matchName.toLowerCase().replace(/\.$/, ''));
        else if (peer.matcher.matchPattern !== undefined) {
          const n = nameFor(peer.matcher.matchPattern);
          if (n !== undefined) named.fqdns.add(n);
        }
        return true;
      case 'cidrGroupRef':
      case 'cidrGroupSelector':
      case 'cloud-group':
        return true;
      default:
        return false;
    }
  };
  for (const engine of engines) {
    for (const p of engine.policies()) {
      if (p.rejected !== undefined) continue;
      for (const r of p.rules) {
        for (const dir of [r.ingress, r.egress]) {
          for (const item of [...dir.allow, ...dir.deny]) {
            if (item.peers === 'wildcard') continue;
            let external = false;
            for (const peer of item.peers) if (visit(peer)) external = true;
            if (external && !item.ingress) addPorts(item);
          }
        }
      }
    }
  }
  return named;
}

function workloadEnds(engine: VerdictEngine): End[] {
  const out: End[] = [];
  const sorted = [...engine.resolver.inventory.endpoints].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind),
  );
  for (const w of sorted) {
    // Pods directly (a hostile name may hold "/"); host-network workloads are their node.
    const r: { ok: true; end: FlowEnd } | { ok: false } = w.hostNetwork
      ? engine.resolve({ workload: `${w.kind}/${w.namespace}/${w.name}` })
      : { ok: true, end: engine.resolver.podOf(w) };
    if (!r.ok) continue;
    out.push({
      end: r.end,
      json: { namespace: w.namespace, kind: w.kind, name: w.name },
      text: `${w.namespace}/${w.name}`,
      namespace: w.namespace,
      ports: portsOf(r.end),
    });
  }
  return out;
}

function extraEnds(engine: VerdictEngine, named: Named): End[] {
  const ports = [...named.ports.values()];
  if (named.anyPort || ports.length === 0) ports.push(ANY_PORT);
  const out: End[] = [];
  const add = (spec: EndpointSpec, json: DiffEnd, text: string): void => {
    const r = engine.resolve(spec);
    if (r.ok) out.push({ end: r.end, json, text, namespace: '', ports });
  };
  const cidrs = [...named.cidrs.values()];
  const entities = new Set<string>();
  for (const e of named.entities) {
    if (e === 'world-ipv4' || e === 'world-ipv6' || e === 'all') entities.add('world');
    if (e === 'cluster' || e === 'all' || e === 'init' || e === 'unmanaged') continue;
    entities.add(e.startsWith('world') ? 'world' : e);
  }
  for (const e of [...entities].sort()) {
    if (e === 'world') {
      const outside = WORLD_CANDIDATES.find((c) => {
        const a = parseAddress(c);
        return a !== undefined && !cidrs.some((x) => cidrAdmits(x.prefix, x.except, a));
      });
      const ip = outside ?? (WORLD_CANDIDATES[0] as string);
      add({ ip }, { entity: 'world' }, `world (${ip})`);
    } else add({ entity: e }, { entity: e }, e);
  }
  for (const [text, c] of [...named.cidrs.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ip = addressInside(c.prefix, c.except);
    if (ip !== undefined) add({ ip }, { cidr: text, ip }, `${text} (${ip})`);
  }
  let n = 0n;
  for (const name of [...named.fqdns].sort()) {
    const ip = addressText(parsePrefix('0.0.0.0/32') as Prefix, FQDN_BASE + (n++ % 64n));
    add({ fqdn: name, ip }, { fqdn: name, ip }, `${name} (${ip})`);
  }
  return out;
}

function effective(engine: VerdictEngine, w: End): { ingress: string; egress: string } {
  const e = engine.effectivePolicy(w.end);
  return { ingress: e.ingress.state, egress: e.egress.state };
}

/** The connectivity diff of two engines over the same inventory (the `after` engine's). */
export function connectivityDiff(before: VerdictEngine, after: VerdictEngine): ConnectivityDiff {
  return runSteps(connectivityDiffSteps(before, after));
}

/**
 * {@link connectivityDiff} as a generator that pauses after each source's row: the diff asks
 * every pair of workloads, so an adapter spreads it over turns of its event loop.
 */
export function* connectivityDiffSteps(
  before: VerdictEngine,
  after: VerdictEngine,
): Generator<void, ConnectivityDiff, void> {
  const named = collect([before, after]);
  const workloads = workloadEnds(after);
  const extras = extraEnds(after, named);
  const changes: DiffChange[] = [];
  let cells = 0;
  const compare = (src: End, dst: End): void => {
    if (dst.ports.length === 0) return;
    const b = before.verdictsOf(src.end, dst.end, dst.ports);
    const a = after.verdictsOf(src.end, dst.end, dst.ports);
    cells += dst.ports.length;
    for (let k = 0; k < dst.ports.length; k++) {
      if (a[k] === b[k]) continue;
      const port = dst.ports[k] as MatrixPort;
      const flow = { from: src.end, to: dst.end, port: port.port, protocol: port.protocol };
      const va = after.evaluate(flow);
      const vb = before.evaluate(flow);
      changes.push({
        source: src.json,
        destination: dst.json,
        port: port.port,
        protocol: port.protocol,
        before: b[k] as Verdict,
        after: a[k] as Verdict,
        egress: va.egress,
        ingress: va.ingress,
        reason: va.reason,
        beforeEgress: vb.egress,
        beforeIngress: vb.ingress,
        sourceText: src.text,
        destinationText: dst.text,
        namespace: dst.namespace !== '' ? dst.namespace : src.namespace,
      });
    }
  };
  for (const src of workloads) {
    for (const dst of workloads) compare(src, dst);
    for (const dst of extras) compare(src, dst);
    yield;
  }
  for (const src of extras) {
    for (const dst of workloads) compare(src, dst);
    yield;
  }

  const newlyDefaultDeny: DiffWorkload[] = [];
  const newlyUnprotected: DiffWorkload[] = [];
  for (const w of workloads) {
    const b = effective(before, w);
    const a = effective(after, w);
    const json = w.json as { namespace: string; kind: string; name: string };
    const dirs = (['ingress', 'egress'] as const).filter((d) => b[d] !== 'default-deny' && a[d] === 'default-deny');
    if (dirs.length > 0) newlyDefaultDeny.push({ ...json, directions: dirs });
    const protectedBefore = b.ingress === 'default-deny' || b.egress === 'default-deny';
    const protectedAfter = a.ingress === 'default-deny' || a.egress === 'default-deny';
    if (protectedBefore && !protectedAfter)
      newlyUnprotected.push({
        ...json,
        directions: (['ingress', 'egress'] as const).filter((d) => b[d] === 'default-deny'),
      });
  }
  return { changes, newlyDefaultDeny, newlyUnprotected, cells };
}

/** True when the diff holds any change. */
export function diffChanged(d: ConnectivityDiff): boolean {
  return d.changes.length > 0 || d.newlyDefaultDeny.length > 0 || d.newlyUnprotected.length > 0;
}

/** The workload of a diff end, when it is one. */
export function diffWorkload(e: DiffEnd): Pick<Endpoint, 'namespace' | 'kind' | 'name'> | undefined {
  return 'kind' in e ? e : undefined;
}
