// SPDX-License-Identifier: Apache-2.0
/**
 * What completion may offer from the inventory, indexed once per inventory: namespaces, the label
 * keys and values of workloads per namespace (with the workloads that carry each value), node
 * labels, service accounts and services. A completion request then only looks things up, so its
 * cost does not grow with the size of the cluster (the target is 10 ms at the 95th percentile).
 */
import type { Endpoint, Inventory, NodeInfo, ServiceInfo } from '../inventory.js';
import { imageRepo } from '../selectors.js';

/** How many workloads carry one value of a label key, and the first few of them. */
export interface ValueStat {
  readonly value: string;
  readonly count: number;
  /** Up to {@link MAX_EXAMPLES} carriers, `namespace/name` (nodes: their name). */
  readonly examples: readonly string[];
}

/** A label key and how many workloads (or nodes) carry it. */
export interface KeyStat {
  readonly key: string;
  readonly count: number;
  /** Its values, the most common first. */
  readonly values: readonly ValueStat[];
}

/** A namespace and how many workloads it holds. */
export interface NamespaceStat {
  readonly name: string;
  readonly workloads: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** Carriers listed per value. */
export const MAX_EXAMPLES = 5;

/** An index from label keys to values to carriers. */
class LabelTable {
  private readonly keys = new Map<string, Map<string, { count: number; examples: string[] }>>();
  private readonly keyCounts = new Map<string, number>();
  private sorted: KeyStat[] | undefined;
  private readonly stats = new Map<string, KeyStat>();
  total = 0;

  add(labels: Readonly<Record<string, string>>, carrier: string): void {
    this.total++;
    this.sorted = undefined;
    this.stats.clear();
    for (const [k, v] of Object.entries(labels)) {
      let values = this.keys.get(k);
      if (!values) this.keys.set(k, (values = new Map<string, { count: number; examples: string[] }>()));
      this.keyCounts.set(k, (this.keyCounts.get(k) ?? 0) + 1);
      let stat = values.get(v);
      if (!stat) values.set(v, (stat = { count: 0, examples: [] }));
      stat.count++;
      if (stat.examples.length < MAX_EXAMPLES) stat.examples.push(carrier);
    }
  }

  /** Every key, the most carried first (then by name). */
  list(): readonly KeyStat[] {
    this.sorted ??= [...this.keys.keys()]
      .map((key) => this.stat(key)!)
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.sorted;
  }

  stat(key: string): KeyStat | undefined {
    const hit = this.stats.get(key);
    if (hit) return hit;
    const values = this.keys.get(key);
    if (!values) return undefined;
    const list = [...values]
      .map(([value, s]) => ({ value, count: s.count, examples: s.examples }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const stat = { key, count: this.keyCounts.get(key) ?? 0, values: list };
    this.stats.set(key, stat);
    return stat;
  }
}

function qualified(e: Endpoint): string {
  return e.namespace ? `${e.namespace}/${e.name}` : e.name;
}

/** The completion index of one inventory. Build it with {@link clusterFacts}, which caches it. */
export class ClusterFacts {
  /** Pod labels per namespace; `undefined` key: every namespace. */
  private readonly pods = new Map<string | undefined, LabelTable>();
  private readonly nodeTable = new LabelTable();
  private readonly accounts = new Map<string | undefined, LabelTable>();
  private readonly containers = new Map<string | undefined, LabelTable>();
  private readonly namespaceList: NamespaceStat[];
  private readonly namespaceLabelTable = new LabelTable();
  readonly endpoints: readonly Endpoint[];
  readonly nodes: readonly NodeInfo[];
  readonly services: readonly ServiceInfo[];

  constructor(inventory: Inventory) {
    this.endpoints = inventory.endpoints;
    this.nodes = inventory.nodes;
    this.services = inventory.services;
    const all = new LabelTable();
    this.pods.set(undefined, all);
    const allAccounts = new LabelTable();
    this.accounts.set(undefined, allAccounts);
    const allContainers = new LabelTable();
    this.containers.set(undefined, allContainers);
    const counts = new Map<string, number>();
    for (const e of inventory.endpoints) {
      const who = qualified(e);
      all.add(e.labels, who);
      let table = this.pods.get(e.namespace);
      if (!table) this.pods.set(e.namespace, (table = new LabelTable()));
      table.add(e.labels, who);
      counts.set(e.namespace, (counts.get(e.namespace) ?? 0) + 1);
      if (e.serviceAccount !== undefined) {
        const sa = { sa: e.serviceAccount };
        allAccounts.add(sa, who);
        let t = this.accounts.get(e.namespace);
        if (!t) this.accounts.set(e.namespace, (t = new LabelTable()));
        t.add(sa, who);
      }
      for (const c of e.containers ?? []) {
        const labels: Record<string, string> = { name: c.name };
        if (c.image !== undefined) labels['repo'] = imageRepo(c.image);
        allContainers.add(labels, `${who} (${c.name})`);
        let t = this.containers.get(e.namespace);
        if (!t) this.containers.set(e.namespace, (t = new LabelTable()));
        t.add(labels, `${who} (${c.name})`);
      }
    }
    for (const n of inventory.nodes) this.nodeTable.add(n.labels, n.name);
    const labelsOf = new Map<string, Readonly<Record<string, string>>>();
    for (const n of inventory.namespaces) if (!labelsOf.has(n.name)) labelsOf.set(n.name, n.labels);
    for (const s of inventory.services) if (!counts.has(s.namespace)) counts.set(s.namespace, 0);
    for (const n of labelsOf.keys()) if (!counts.has(n)) counts.set(n, 0);
    this.namespaceList = [...counts]
      .map(([name, workloads]) => ({ name, workloads, labels: labelsOf.get(name) ?? {} }))
      .sort((a, b) => b.workloads - a.workloads || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ns of this.namespaceList)
      this.namespaceLabelTable.add({ 'kubernetes.io/metadata.name': ns.name, ...ns.labels }, ns.name);
  }

  /** Namespaces with workloads, services or a Namespace object, the fullest first. */
  namespaces(): readonly NamespaceStat[] {
    return this.namespaceList;
  }

  /** Workloads in a namespace (every namespace when undefined). */
  workloadCount(namespace: string | undefined): number {
    return this.pods.get(namespace)?.total ?? 0;
  }

  /** Pod label keys of the workloads in a namespace (every namespace when undefined). */
  podKeys(namespace: string | undefined): readonly KeyStat[] {
    return this.pods.get(namespace)?.list() ?? [];
  }

  /** The values of one pod label key in a namespace (every namespace when undefined). */
  podValues(key: string, namespace: string | undefined): KeyStat | undefined {
    return this.pods.get(namespace)?.stat(key);
  }

  /** Node label keys. */
  nodeKeys(): readonly KeyStat[] {
    return this.nodeTable.list();
  }

  /** The values of one node label key. */
  nodeValues(key: string): KeyStat | undefined {
    return this.nodeTable.stat(key);
  }

  /** Service accounts of the workloads in a namespace, as the values of one key. */
  serviceAccounts(namespace: string | undefined): KeyStat | undefined {
    return this.accounts.get(namespace)?.stat('sa');
  }

  /** Container `name` and `repo` (Tetragon's container selector keys) in a namespace. */
  containerKeys(namespace: string | undefined): readonly KeyStat[] {
    return this.containers.get(namespace)?.list() ?? [];
  }

  /** Namespace labels (with `kubernetes.io/metadata.name`), as the agent adds them to identities. */
  namespaceLabelKeys(): readonly KeyStat[] {
    return this.namespaceLabelTable.list();
  }

  /** The values of one namespace label. */
  namespaceLabelValues(key: string): KeyStat | undefined {
    return this.namespaceLabelTable.stat(key);
  }
}

const cache = new WeakMap<Inventory, ClusterFacts>();

/** The facts of an inventory, built on first use and kept while the inventory object lives. */
export function clusterFacts(inventory: Inventory): ClusterFacts {
  let facts = cache.get(inventory);
  if (!facts) cache.set(inventory, (facts = new ClusterFacts(inventory)));
  return facts;
}
