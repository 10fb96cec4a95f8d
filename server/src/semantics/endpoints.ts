// SPDX-License-Identifier: Apache-2.0
/**
 * The two ends of a flow: the endpoint forms a PolicyTest names (`workload`, `namespace`+`labels`,
 * `service`, `entity`, `node`, `ip`, `fqdn`+`ip`, plus agent identity labels for recorded flows),
 * resolved against the inventory into what the engine needs: pods with their identity labels,
 * ports and node; nodes; reserved identities; addresses outside the cluster.
 */
import { parsePrefix, type Prefix } from '../core/cilium/cidr.js';
import type { ContainerPort, Endpoint, Inventory, NodeInfo, ServiceInfo } from '../core/inventory.js';
import { ciliumEndpointLabels, type LabelMap, type SelectorOptions } from '../core/selectors.js';
import { parseAddress, prefixContains } from './addresses.js';
import type { UnknownReason } from './model.js';

/** An endpoint as a PolicyTest (or a caller) writes it: exactly one form. */
export type EndpointSpec =
  | { readonly workload: string }
  | { readonly namespace: string; readonly labels?: Readonly<Record<string, string>> }
  | { readonly service: string }
  | { readonly entity: string }
  | { readonly node: string }
  | { readonly ip: string }
  | { readonly fqdn: string; readonly ip?: string }
  | {
      /** Identity labels as the agent reports them (`k8s:app=web`), for recorded flows. */
      readonly identityLabels: readonly string[];
      readonly namespace?: string;
      readonly ip?: string;
      readonly names?: readonly string[];
    };

/** The entities an endpoint may be (the PolicyTest format). */
export const ENDPOINT_ENTITIES = ['host', 'remote-node', 'kube-apiserver', 'health', 'ingress', 'world'] as const;

/** A pod end of a flow. */
export interface PodEnd {
  readonly role: 'pod';
  readonly display: string;
  readonly namespace: string;
  readonly labels: LabelMap;
  /** The inventory workload, when the pod is one. */
  readonly endpoint?: Endpoint;
  /** Its container ports; undefined when they are not known (an ad-hoc pod). */
  readonly ports?: readonly ContainerPort[];
  /** Its node, when known. */
  readonly nodeName?: string;
  readonly address?: Prefix;
}

/** A node's host endpoint (a node, a host-network workload, or the `host`/`remote-node` entities). */
export interface NodeEnd {
  readonly role: 'node';
  readonly display: string;
  /** The node; undefined when it is to be placed (the `host` and `remote-node` entities, a host-network workload without a node). */
  readonly node?: NodeInfo;
  /** `host`: the node of the other end; `remote-node`: any other node; `fixed`: `node` itself. */
  readonly placement: 'fixed' | 'host' | 'remote-node' | 'unknown';
  readonly address?: Prefix;
  readonly workload?: Endpoint;
}

/** A reserved identity that is not a node: `health`, `ingress`, `kube-apiserver`. */
export interface ReservedEnd {
  readonly role: 'reserved';
  readonly display: string;
  readonly entity: string;
}

/** An address outside the cluster (`world`), possibly reached by name. */
export interface WorldEnd {
  readonly role: 'world';
  readonly display: string;
  readonly address?: Prefix;
  readonly addressText?: string;
  readonly names: readonly string[];
}

/** A service: the flow goes to its backends. */
export interface ServiceEnd {
  readonly role: 'service';
  readonly display: string;
  readonly service: ServiceInfo;
  /** Its backends; empty when it has no selector or none of the inventory's pods match it. */
  readonly backends: readonly PodEnd[];
}

/** An end that cannot be evaluated, with the reason (an address in a pod CIDR no pod has). */
export interface UnknownEnd {
  readonly role: 'unknown';
  readonly display: string;
  readonly reason: UnknownReason;
}

/** A resolved end of a flow. */
export type FlowEnd = PodEnd | NodeEnd | ReservedEnd | WorldEnd | ServiceEnd | UnknownEnd;

/** The result of resolving an endpoint: the end, or why it does not exist. */
export type Resolution =
  { readonly ok: true; readonly end: FlowEnd } | { readonly ok: false; readonly message: string };

type AddressOwner =
  | { readonly kind: 'pod'; readonly endpoint: Endpoint }
  | { readonly kind: 'node'; readonly node: NodeInfo }
  | { readonly kind: 'service'; readonly service: ServiceInfo };

function addressKey(a: Prefix): string {
  return `${a.family}|${String(a.addr)}`;
}

/** The inventory, indexed for resolution. */
export class EndpointResolver {
  readonly inventory: Inventory;
  private readonly options: SelectorOptions;
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly nodesByName = new Map<string, NodeInfo>();
  private readonly podEnds = new Map<Endpoint, PodEnd>();

  constructor(inventory: Inventory, options: SelectorOptions) {
    this.inventory = inventory;
    this.options = options;
    for (const n of inventory.namespaces) if (!this.nsLabels.has(n.name)) this.nsLabels.set(n.name, n.labels);
    for (const n of inventory.nodes) if (!this.nodesByName.has(n.name)) this.nodesByName.set(n.name, n);
  }

  /** The nodes of the inventory. */
  get nodes(): readonly NodeInfo[] {
    return this.inventory.nodes;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodesByName.get(name);
  }

  /** The pod end of an inventory workload (its identity labels computed once). */
  podOf(e: Endpoint): PodEnd {
    let end = this.podEnds.get(e);
    if (end) return end;
    const ports = (e.containers ?? []).flatMap((c) => c.ports ?? []);
    const first = e.ips?.[0];
    const address = first !== undefined ? parseAddress(first) : undefined;
    end = {
      role: 'pod',
      display: `${e.namespace}/${e.name}`,
      namespace: e.namespace,
      labels: ciliumEndpointLabels(e, this.nsLabels.get(e.namespace), this.options),
      endpoint: e,
      // Manifests list every container's ports; a snapshot's pods do too.
      ports,
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(address ? { address } : {}),
    };
    this.podEnds.set(e, end);
    return end;
  }

  private workloadEnd(e: Endpoint): FlowEnd {
    if (e.hostNetwork) {
      const node = e.nodeName !== undefined ? this.nodesByName.get(e.nodeName) : undefined;
      return {
        role: 'node',
        display: `${e.namespace}/${e.name} (host network)`,
        ...(node ? { node } : {}),
        placement: node ? 'fixed' : 'unknown',
        workload: e,
      };
    }
    return this.podOf(e);
  }

  /** The workloads a `workload:` value names: `NAMESPACE/NAME` or `Kind/NAMESPACE/NAME`. */
  findWorkloads(ref: string): Endpoint[] {
    const parts = ref.split('/');
    if (parts.length === 3) {
      const [kind, ns, name] = parts as [string, string, string];
      return (this.workloadIndex().get(`${ns}/${name}`) ?? []).filter((e) => e.kind === kind);
    }
    if (parts.length === 2) return [...(this.workloadIndex().get(ref) ?? [])];
    return [];
  }

  private workloads: Map<string, Endpoint[]> | undefined;
  private workloadIndex(): Map<string, Endpoint[]> {
    if (this.workloads) return this.workloads;
    const index = new Map<string, Endpoint[]>();
    for (const e of this.inventory.endpoints) {
      const k = `${e.namespace}/${e.name}`;
      const list = index.get(k);
      if (list) list.push(e);
      else index.set(k, [e]);
    }
    return (this.workloads = index);
  }

  private owners: Map<string, AddressOwner> | undefined;
  /** Who has each address of the inventory: pods first, then nodes, then service cluster IPs. */
  private addressOwners(): Map<string, AddressOwner> {
    if (this.owners) return this.owners;
    const owners = new Map<string, AddressOwner>();
    const add = (text: string, owner: AddressOwner): void => {
      const a = parseAddress(text);
      if (a && !owners.has(addressKey(a))) owners.set(addressKey(a), owner);
    };
    for (const endpoint of this.inventory.endpoints)
      for (const ip of endpoint.ips ?? []) add(ip, { kind: 'pod', endpoint });
    for (const node of this.inventory.nodes) for (const ip of node.addresses ?? []) add(ip, { kind: 'node', node });
    for (const service of this.inventory.services)
      for (const ip of service.clusterIPs ?? []) add(ip, { kind: 'service', service });
    return (this.owners = owners);
  }

  /** The services a `service:` value names. */
  findService(ref: string): ServiceInfo | undefined {
    const slash = ref.indexOf('/');
    if (slash < 0) return undefined;
    const ns = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    return this.inventory.services.find((s) => s.namespace === ns && s.name === name);
  }

  /** The backends of a service: the inventory's pods in its namespace that its selector matches. */
  backendsOf(svc: ServiceInfo): PodEnd[] {
    const sel = svc.selector;
    if (!sel) return [];
    return this.inventory.endpoints
      .filter((e) => e.namespace === svc.namespace && !e.hostNetwork)
      .filter((e) => Object.entries(sel).every(([k, v]) => e.labels[k] === v))
      .map((e) => this.podOf(e));
  }

  /** What an address is: a pod, a node, a service, an address in a pod CIDR no pod has, or the world. */
  byAddress(text: string, names: readonly string[] = []): Resolution {
    const address = parseAddress(text);
    if (!address) return { ok: false, message: `"${text}" is not an IP address` };
    const owner = this.addressOwners().get(addressKey(address));
    const pod = owner?.kind === 'pod' ? owner.endpoint : undefined;
    if (pod) {
      const end = this.workloadEnd(pod);
      return { ok: true, end: end.role === 'pod' ? { ...end, address } : end };
    }
    const node = owner?.kind === 'node' ? owner.node : undefined;
    if (node)
      return { ok: true, end: { role: 'node', display: `node ${node.name}`, node, placement: 'fixed', address } };
    const svc = owner?.kind === 'service' ? owner.service : undefined;
    if (svc)
      return {
        ok: true,
        end: {
          role: 'service',
          display: `service ${svc.namespace}/${svc.name}`,
          service: svc,
          backends: this.backendsOf(svc),
        },
      };
    for (const n of this.inventory.nodes) {
      for (const c of n.podCIDRs ?? []) {
        const prefix = parsePrefix(c.trim());
        if (prefix && prefixContains(prefix, address)) {
          return {
            ok: true,
            end: {
              role: 'unknown',
              display: text,
              reason: {
                code: 'pod-cidr-address',
                message: `${text} is in the pod CIDR ${c} of node ${n.name}, but no pod of the inventory has that address, so its identity is not known`,
              },
            },
          };
        }
      }
    }
    return {
      ok: true,
      end: {
        role: 'world',
        display: names.length > 0 ? `${names[0]} (${text})` : text,
        address,
        addressText: text,
        names,
      },
    };
  }

  /** Resolves an endpoint of a flow. `asSource` refuses the forms that cannot send (a service). */
  resolve(spec: EndpointSpec, asSource = false): Resolution {
    if ('identityLabels' in spec) {
      const labels = new Map<string, string>();
      for (const l of spec.identityLabels) {
        const eq = l.indexOf('=');
        const k = eq < 0 ? l : l.slice(0, eq);
        const colon = k.indexOf(':');
        labels.set(colon < 0 ? `unspec:${k}` : k, eq < 0 ? '' : l.slice(eq + 1));
      }
      const reserved = [...labels.keys()].filter((k) => k.startsWith('reserved:')).map((k) => k.slice(9));
      if (reserved.includes('world') || reserved.includes('world-ipv4') || reserved.includes('world-ipv6')) {
        if (spec.ip !== undefined) return this.byAddress(spec.ip, spec.names ?? []);
        return { ok: true, end: { role: 'world', display: 'world', names: spec.names ?? [] } };
      }
      if (reserved.includes('host')) return { ok: true, end: { role: 'node', display: 'host', placement: 'host' } };
      if (reserved.includes('remote-node'))
        return { ok: true, end: { role: 'node', display: 'remote-node', placement: 'remote-node' } };
      const entity = reserved[0];
      if (entity !== undefined) return { ok: true, end: { role: 'reserved', display: entity, entity } };
      const namespace = spec.namespace ?? labels.get('k8s:io.kubernetes.pod.namespace') ?? '';
      const address = spec.ip !== undefined ? parseAddress(spec.ip) : undefined;
      return {
        ok: true,
        end: {
          role: 'pod',
          display: namespace !== '' ? `${namespace} pod` : 'pod',
          namespace,
          labels,
          ...(address ? { address } : {}),
        },
      };
    }
    if ('workload' in spec) {
      const found = this.findWorkloads(spec.workload);
      if (found.length === 0) return { ok: false, message: `workload ${spec.workload} is not in the inventory` };
      if (found.length > 1) {
        const kinds = found.map((e) => e.kind).join(', ');
        return {
          ok: false,
          message: `${spec.workload} names several workloads (${kinds}); write it as Kind/${spec.workload}`,
        };
      }
      return { ok: true, end: this.workloadEnd(found[0] as Endpoint) };
    }
    if ('service' in spec) {
      if (asSource) return { ok: false, message: 'a service can only be a destination' };
      const svc = this.findService(spec.service);
      if (!svc) return { ok: false, message: `service ${spec.service} is not in the inventory` };
      return {
        ok: true,
        end: { role: 'service', display: `service ${spec.service}`, service: svc, backends: this.backendsOf(svc) },
      };
    }
    if ('entity' in spec) {
      switch (spec.entity) {
        case 'host':
          return { ok: true, end: { role: 'node', display: 'host', placement: 'host' } };
        case 'remote-node':
          return { ok: true, end: { role: 'node', display: 'remote-node', placement: 'remote-node' } };
        case 'world':
          return { ok: true, end: { role: 'world', display: 'world', names: [] } };
        case 'kube-apiserver':
        case 'health':
        case 'ingress':
          return { ok: true, end: { role: 'reserved', display: spec.entity, entity: spec.entity } };
        default:
          return {
            ok: false,
            message: `"${spec.entity}" is not an entity an endpoint can be (${ENDPOINT_ENTITIES.join(', ')})`,
          };
      }
    }
    if ('node' in spec) {
      const node = this.nodesByName.get(spec.node);
      if (!node) return { ok: false, message: `node ${spec.node} is not in the inventory` };
      return { ok: true, end: { role: 'node', display: `node ${node.name}`, node, placement: 'fixed' } };
    }
    if ('fqdn' in spec) {
      if (spec.ip === undefined) {
        return {
          ok: true,
          end: {
            role: 'unknown',
            display: spec.fqdn,
            reason: {
              code: 'fqdn-without-address',
              message: `${spec.fqdn} has no address: toFQDNs rules select the addresses DNS answers give, so write the address as ip`,
            },
          },
        };
      }
      return this.byAddress(spec.ip, [spec.fqdn]);
    }
    if ('ip' in spec) return this.byAddress(spec.ip);
    // { namespace, labels }: an ad-hoc pod that is not in the inventory.
    const ns = spec.namespace;
    const facts = { namespace: ns, labels: spec.labels ?? {}, serviceAccount: 'default' };
    return {
      ok: true,
      end: {
        role: 'pod',
        display: `${ns} pod ${Object.entries(spec.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`.trim(),
        namespace: ns,
        labels: ciliumEndpointLabels(facts, this.nsLabels.get(ns), this.options),
      },
    };
  }
}
