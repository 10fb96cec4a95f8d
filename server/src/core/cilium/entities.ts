// SPDX-License-Identifier: Apache-2.0
/**
 * The reserved entities a network policy may name in `fromEntities` / `toEntities` (ENT-1), with
 * what each stands for in words. One list for every reader: the selector semantics, the preview's
 * tooltips, the CLI. A unit test holds it against the enum of the bundled schema. Imports nothing,
 * so the VS Code client may read it.
 */

/** One entity and what it stands for, in a phrase that fits a tooltip. */
export interface EntityInfo {
  readonly name: string;
  readonly meaning: string;
}

/** The entities of the 1.20 CRD, in the CRD's order. */
export const ENTITIES: readonly EntityInfo[] = [
  { name: 'all', meaning: 'every peer, in and out of the cluster' },
  { name: 'world', meaning: 'everything outside the cluster' },
  { name: 'cluster', meaning: 'every endpoint of the local cluster' },
  { name: 'host', meaning: 'the local node' },
  { name: 'init', meaning: 'endpoints whose identity is not resolved yet' },
  { name: 'ingress', meaning: 'the Cilium ingress proxy' },
  { name: 'unmanaged', meaning: 'pods Cilium does not manage' },
  { name: 'remote-node', meaning: 'the other nodes of the cluster' },
  { name: 'health', meaning: 'the Cilium health endpoints' },
  { name: 'none', meaning: 'no peer' },
  { name: 'kube-apiserver', meaning: 'the Kubernetes API server' },
];

/** What an entity stands for; undefined for a name that is no entity. */
export function entityMeaning(name: string): string | undefined {
  return ENTITIES.find((e) => e.name === name)?.meaning;
}
