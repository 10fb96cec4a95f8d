// SPDX-License-Identifier: Apache-2.0
/**
 * What the Endpoints view shows, computed from the server's `ciliumPolicy/inventory` and
 * `ciliumPolicy/endpointPolicies` answers: namespaces, workloads with their labels, and the
 * policies selecting a workload. Pure (no `vscode` import) so the grouping and wording are
 * unit-tested; `endpoints-tree.ts` turns these rows into tree items.
 */
import type { EndpointPoliciesRequest, InventoryStatus, WireEndpoint, WireRange } from '../../server/src/protocol.js';
import { labelLines, plain } from '../../server/src/client-safe.js';

/** The group nodes (cluster-scoped objects) fall under; not a valid namespace name, so no clash. */
export const NODES_GROUP = '(nodes)';

/** A namespace and its workloads. */
export interface NamespaceRow {
  readonly namespace: string;
  readonly label: string;
  /** `4 workloads`. */
  readonly description: string;
  readonly endpoints: readonly EndpointRow[];
}

/** A workload. */
export interface EndpointRow {
  readonly key: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly label: string;
  /** `Deployment · app=web, tier=front`. */
  readonly description: string;
  /** Kind, name, service account and every label, one per line. */
  readonly tooltip: string;
  readonly location?: { readonly uri: string; readonly range: WireRange };
  /** Nodes are not in the reverse lookup; only workloads expand. */
  readonly expandable: boolean;
}

/** A child of an expanded workload. */
export interface PolicyRow {
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  /** Opens this location; absent for the information rows. */
  readonly open?: { readonly uri: string; readonly range: WireRange };
  readonly icon: 'policy' | 'deny' | 'allow' | 'manifest' | 'info';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A short label list for a description: `app=web, tier=front, +3`. */
export function shortLabels(labels: Readonly<Record<string, string>> | undefined, max = 3): string {
  if (!labels || typeof labels !== 'object') return '';
  const keys = Object.keys(labels).sort();
  const shown = keys.slice(0, max).map((k) => `${plain(k, 40)}=${plain(labels[k], 40)}`);
  if (keys.length > max) shown.push(`+${keys.length - max}`);
  return shown.join(', ');
}

function endpointRow(e: WireEndpoint): EndpointRow {
  const kind = plain(e.kind, 40);
  const name = plain(e.name);
  const labels = shortLabels(e.labels);
  const tooltip = [
    `${kind} ${e.namespace ? `${plain(e.namespace)}/` : ''}${name}`,
    ...(e.serviceAccount ? [`service account: ${plain(e.serviceAccount)}`] : []),
    ...(Object.keys(e.labels ?? {}).length > 0 ? ['', ...labelLines(e.labels)] : ['', 'no labels']),
    ...(e.location ? [] : ['', 'not from a workspace manifest']),
  ].join('\n');
  const row: EndpointRow = {
    key: { kind: e.kind, namespace: e.namespace, name: e.name },
    label: name,
    description: labels ? `${kind} · ${labels}` : kind,
    tooltip,
    expandable: e.kind !== 'Node',
  };
  return e.location ? { ...row, location: e.location } : row;
}

/** Groups the inventory by namespace (sorted; nodes last), workloads sorted by name then kind. */
export function groupInventory(endpoints: readonly WireEndpoint[]): NamespaceRow[] {
  const groups = new Map<string, WireEndpoint[]>();
  for (const e of endpoints) {
    if (!e || typeof e.name !== 'string') continue;
    const ns = e.kind === 'Node' || !e.namespace ? NODES_GROUP : e.namespace;
    let list = groups.get(ns);
    if (!list) groups.set(ns, (list = []));
    list.push(e);
  }
  const names = [...groups.keys()].sort((a, b) =>
    a === NODES_GROUP ? 1 : b === NODES_GROUP ? -1 : a.localeCompare(b),
  );
  return names.map((ns) => {
    const list = (groups.get(ns) ?? [])
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
    const nodes = ns === NODES_GROUP;
    return {
      namespace: ns,
      label: nodes ? 'nodes' : plain(ns),
      description: nodes ? plural(list.length, 'node') : plural(list.length, 'workload'),
      endpoints: list.map(endpointRow),
    };
  });
}

/** The message shown instead of an empty tree. */
export function emptyInventoryMessage(status: InventoryStatus | undefined): string {
  if (!status) return 'The language server has not reported an inventory yet.';
  if (status.error) return `The inventory could not be loaded: ${plain(status.error, 300)}`;
  if (status.origin === 'none') return 'No inventory is loaded yet.';
  return `The ${status.origin} inventory holds no workload.`;
}

/** The last path segment of a URI, decoded when it can be. */
export function fileName(uri: string): string {
  const last = String(uri)
    .replace(/[?#].*$/, '')
    .replace(/^.*\//, '');
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function denyRow(direction: 'ingress' | 'egress', deny: boolean): PolicyRow {
  return deny
    ? {
        label: `${direction}: default deny`,
        description: '',
        tooltip: `A policy selecting this workload has ${direction} rules, so ${direction} traffic that no rule allows is dropped.`,
        icon: 'deny',
      }
    : {
        label: `${direction}: allowed by default`,
        description: '',
        tooltip: `No policy selecting this workload has ${direction} rules, so all ${direction} traffic is allowed.`,
        icon: 'allow',
      };
}

/** The children of an expanded workload: its manifest, the policies selecting it, and the default-deny state. */
export function policyRows(
  endpoint: EndpointRow,
  result: EndpointPoliciesRequest.Result | null | undefined,
): PolicyRow[] {
  const rows: PolicyRow[] = [];
  if (endpoint.location) {
    rows.push({
      label: 'Open manifest',
      description: '',
      tooltip: `Open the manifest of ${endpoint.label}`,
      open: endpoint.location,
      icon: 'manifest',
    });
  }
  const policies = Array.isArray(result?.policies) ? result.policies : [];
  if (policies.length === 0) {
    rows.push({
      label: 'No policy selects this workload',
      description: '',
      tooltip: 'Open and workspace policy files were searched.',
      icon: 'info',
    });
  }
  for (const p of policies) {
    const name = p.name ? `${p.namespace ? `${plain(p.namespace)}/` : ''}${plain(p.name)}` : '(no name)';
    // A tracing policy has hooks, not traffic rules: say what it watches and does.
    const sides =
      typeof p.hooks === 'string'
        ? plain(p.hooks, 160)
        : [p.ingress ? 'ingress' : '', p.egress ? 'egress' : ''].filter(Boolean).join(' + ') || 'no rules';
    const file = plain(fileName(p.uri), 80);
    rows.push({
      label: name,
      description: `${plain(p.kind, 40)} · ${sides}`,
      tooltip: `${plain(p.kind, 40)} ${name}\n${file}, line ${p.range.start.line + 1}\n${sides}`,
      open: { uri: p.uri, range: p.range },
      icon: 'policy',
    });
  }
  const dd = result?.defaultDeny ?? { ingress: false, egress: false };
  rows.push(denyRow('ingress', dd.ingress === true), denyRow('egress', dd.egress === true));
  return rows;
}
