// SPDX-License-Identifier: Apache-2.0
/**
 * The body of the preview panel's connectivity section, built from the server's matrix
 * (`ciliumPolicy/connectivityMatrix`): rows are sources, columns destinations and each port they
 * declare, a cell is allow, deny or unknown and carries the action id that explains it; the
 * explanation of the cell the user clicked (`ciliumPolicy/checkFlow`) follows, with its rules as
 * targets. Pure (no `vscode` import): `connectivity-section.ts` asks the server,
 * `media/sections/connectivity.js` draws. Every string from the inputs is bounded with `plain`.
 */
import { plain } from '../../server/src/client-safe.js';
import type { ConnectivityMatrixRequest, WireFlowVerdict } from '../../server/src/protocol.js';
import { directionLinks, policyName } from './connectivity-model.js';
import type { Target, TargetId } from './panel-model.js';

type Matrix = NonNullable<ConnectivityMatrixRequest.Result>;

/** A cell of the grid. */
export interface MatrixCellView {
  readonly verdict: 'allow' | 'deny' | 'unknown' | 'self';
  /** The action id that explains it (absent for a workload and itself). */
  readonly action?: string;
  /** `frontend → api 8080/TCP: allow`. */
  readonly title: string;
  readonly selected?: boolean;
}

/** The explanation of one cell. */
export interface CellDetail {
  readonly heading: string;
  readonly verdict: 'allow' | 'deny' | 'unknown';
  readonly reason: string;
  /** One line per direction, and per deciding rule (with a target that opens it). */
  readonly lines: readonly { readonly text: string; readonly target?: TargetId; readonly rule?: boolean }[];
}

/** What `media/sections/connectivity.js` draws. */
export interface ConnectivitySectionBody {
  readonly policy: string;
  /** `api.yaml: 4 workloads of shop and 1 peer; Cilium's defaults`. */
  readonly summary: string;
  readonly note?: string;
  /** Column groups: one per destination, `span` ports wide. */
  readonly destinations: readonly {
    readonly text: string;
    readonly span: number;
    readonly target?: TargetId;
    readonly local: boolean;
  }[];
  /** One header per column: the port. */
  readonly ports: readonly { readonly text: string; readonly title: string }[];
  readonly rows: readonly {
    readonly text: string;
    readonly target?: TargetId;
    readonly local: boolean;
    readonly cells: readonly MatrixCellView[];
  }[];
  readonly counts: { readonly allow: number; readonly deny: number; readonly unknown: number };
  readonly detail?: CellDetail;
}

/** A cell's flow: the source and destination indexes and the port. */
export interface CellKey {
  readonly from: number;
  readonly to: number;
  readonly port: number;
  readonly protocol: string;
}

/** The action id of a cell (short: the webview's ids are bounded). */
export function cellAction(k: CellKey): string {
  return `cell:${k.from}:${k.to}:${k.port}:${k.protocol}`;
}

/** The cell an action id names, or undefined for another id. */
export function parseCellAction(action: string): CellKey | undefined {
  const m = /^cell:(\d{1,4}):(\d{1,4}):(\d{1,5}):(TCP|UDP|SCTP)$/.exec(action);
  return m ? { from: Number(m[1]), to: Number(m[2]), port: Number(m[3]), protocol: m[4]! } : undefined;
}

/** The label of an endpoint in the grid: its name, with its namespace when it is not the policy's. */
function endLabel(e: Matrix['endpoints'][number]): string {
  return plain(e.local ? e.name : `${e.namespace}/${e.name}`, 60);
}

/**
 * The section's body. `explained` is the cell the user clicked and its verdict (or why it could
 * not be judged); `idPrefix` starts every target id.
 */
export function buildConnectivitySection(
  m: Matrix,
  idPrefix: string,
  explained?: { key: CellKey; verdict: WireFlowVerdict | null; problem?: string },
): { body: ConnectivitySectionBody; targets: Map<TargetId, Target> } {
  const targets = new Map<TargetId, Target>();
  let n = 0;
  const target = (t: Target | undefined): TargetId | undefined => {
    if (!t) return undefined;
    const id = `${idPrefix}${n++}`;
    targets.set(id, t);
    return id;
  };
  const ends = m.endpoints;
  const columns: { to: number; port: number; protocol: string; name?: string }[] = [];
  for (let j = 0; j < ends.length; j++)
    for (const p of ends[j]!.ports)
      columns.push({ to: j, port: p.port, protocol: p.protocol, ...(p.name !== undefined ? { name: p.name } : {}) });
  const cellOf = new Map<string, string>();
  for (const c of m.cells) cellOf.set(`${c.from}:${c.to}:${c.port}:${c.protocol}`, c.verdict);
  const counts = { allow: 0, deny: 0, unknown: 0 };
  const endTargets = ends.map((e) => target(e.location));
  const rows = ends.map((src, i) => ({
    text: endLabel(src),
    ...(endTargets[i] ? { target: endTargets[i] } : {}),
    local: src.local,
    cells: columns.map((col): MatrixCellView => {
      const dst = ends[col.to]!;
      const what = plain(`${src.name} → ${dst.name} ${col.port}/${col.protocol}`, 160);
      if (col.to === i) return { verdict: 'self', title: `${what}: the workload itself` };
      const v = (cellOf.get(`${i}:${col.to}:${col.port}:${col.protocol}`) ?? 'unknown') as 'allow' | 'deny' | 'unknown';
      counts[v]++;
      const key = { from: i, to: col.to, port: col.port, protocol: col.protocol };
      const selected =
        explained !== undefined &&
        explained.key.from === i &&
        explained.key.to === col.to &&
        explained.key.port === col.port &&
        explained.key.protocol === col.protocol;
      return { verdict: v, action: cellAction(key), title: `${what}: ${v}`, ...(selected ? { selected } : {}) };
    }),
  }));
  const destinations = ends
    .map((e, j) => ({
      text: endLabel(e),
      span: e.ports.length,
      local: e.local,
      ...(endTargets[j] ? { target: endTargets[j] } : {}),
    }))
    .filter((d) => d.span > 0);
  const ports = columns.map((c) => ({
    text: plain(c.name ?? String(c.port), 20),
    title: plain(`${c.port}/${c.protocol}${c.name ? ` (${c.name})` : ''}`, 60),
  }));
  const locals = ends.filter((e) => e.local).length;
  const peers = ends.length - locals;
  const ns = m.policy.namespace;
  const summary = plain(
    `${locals} workload${locals === 1 ? '' : 's'}${ns ? ` of ${ns}` : ''}${peers > 0 ? ` and ${peers} peer${peers === 1 ? '' : 's'} its rules name` : ''} · agent: ${m.context.agent}`,
    300,
  );
  let detail: CellDetail | undefined;
  if (explained) {
    const src = ends[explained.key.from];
    const dst = ends[explained.key.to];
    const heading = plain(
      `${src?.name ?? '?'} → ${dst?.name ?? '?'} on ${explained.key.port}/${explained.key.protocol}`,
      200,
    );
    const v = explained.verdict;
    if (!v)
      detail = { heading, verdict: 'unknown', reason: plain(explained.problem ?? 'cannot be judged', 400), lines: [] };
    else {
      const lines: CellDetail['lines'][number][] = [
        { text: plain(`Egress of ${v.source}: ${v.egress.verdict} · ${v.egress.reason}`, 400) },
        { text: plain(`Ingress of ${v.destination}: ${v.ingress.verdict} · ${v.ingress.reason}`, 400) },
      ];
      for (const u of v.unknowns) lines.push({ text: plain(`unknown (${u.code}): ${u.message}`, 400) });
      for (const r of [...directionLinks('egress', v.egress), ...directionLinks('ingress', v.ingress)]) {
        const id = target(r.location);
        lines.push({ text: r.label, rule: true, ...(id ? { target: id } : {}) });
      }
      detail = { heading, verdict: v.verdict, reason: plain(v.reason, 600), lines };
    }
  }
  const body: ConnectivitySectionBody = {
    policy: plain(
      policyName({ kind: m.policy.kind, namespace: m.policy.namespace, name: m.policy.name ?? '(unnamed)' }),
      200,
    ),
    summary,
    ...(m.truncated
      ? { note: `Only the first ${m.truncated.shown} of ${m.truncated.total} workloads are shown.` }
      : columns.length === 0
        ? { note: 'No workload here declares a container port: there is nothing to check yet.' }
        : {}),
    destinations,
    ports,
    rows,
    counts,
    ...(detail ? { detail } : {}),
  };
  return { body, targets };
}
