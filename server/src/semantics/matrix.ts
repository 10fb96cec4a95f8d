// SPDX-License-Identifier: Apache-2.0
/**
 * A connectivity matrix: for sources × destinations × each destination's ports, the verdict. Built
 * on {@link VerdictEngine.verdictOf}, which builds no sentences; a cell explains itself on demand
 * through {@link VerdictEngine.evaluate}.
 */
import type { FlowEnd } from './endpoints.js';
import type { FlowProtocol, VerdictEngine } from './engine.js';
import type { Verdict } from './model.js';

/** A destination port of a matrix. */
export interface MatrixPort {
  readonly port: number;
  readonly protocol: FlowProtocol;
  /** The container port name, when it has one. */
  readonly name?: string;
}

/** One cell. */
export interface MatrixCell {
  readonly from: number;
  readonly to: number;
  readonly port: MatrixPort;
  readonly verdict: Verdict;
}

/** The declared container ports of a destination (TCP, UDP, SCTP), each once. */
export function portsOf(end: FlowEnd): MatrixPort[] {
  if (end.role !== 'pod' || !end.ports) return [];
  const seen = new Set<string>();
  const out: MatrixPort[] = [];
  for (const p of end.ports) {
    const k = `${p.containerPort}/${p.protocol}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
    out.push({ port: p.containerPort, protocol, ...(p.name !== undefined ? { name: p.name } : {}) });
  }
  return out;
}

/** Every cell of sources × destinations × ports (the destination's own ports by default). */
export function connectivityMatrix(
  engine: VerdictEngine,
  sources: readonly FlowEnd[],
  destinations: readonly FlowEnd[],
  ports: (destination: FlowEnd) => readonly MatrixPort[] = portsOf,
): MatrixCell[] {
  const cells: MatrixCell[] = [];
  const destPorts = destinations.map(ports);
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i] as FlowEnd;
    for (let j = 0; j < destinations.length; j++) {
      const dst = destinations[j] as FlowEnd;
      const row = destPorts[j] as readonly MatrixPort[];
      if (row.length === 0) continue;
      const verdicts = engine.verdictsOf(src, dst, row);
      for (let k = 0; k < row.length; k++)
        cells.push({ from: i, to: j, port: row[k] as MatrixPort, verdict: verdicts[k] as Verdict });
    }
  }
  return cells;
}

/**
 * The matrix after a change of policies, from the one computed before: only the cells whose
 * source or destination had its rules changed since `generation` (the engine's
 * {@link VerdictEngine.generation} when `previous` was computed) are computed again. Sources,
 * destinations and ports must be the ones `previous` was computed with.
 */
export function updateMatrix(
  engine: VerdictEngine,
  previous: readonly MatrixCell[],
  generation: number,
  sources: readonly FlowEnd[],
  destinations: readonly FlowEnd[],
  ports: (destination: FlowEnd) => readonly MatrixPort[] = portsOf,
): MatrixCell[] {
  const srcChanged = sources.map((s) => engine.changedSince(s, generation));
  const dstChanged = destinations.map((d) => engine.changedSince(d, generation));
  const destPorts = destinations.map(ports);
  const cells: MatrixCell[] = [];
  let at = 0;
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i] as FlowEnd;
    for (let j = 0; j < destinations.length; j++) {
      const row = destPorts[j] as readonly MatrixPort[];
      if (row.length === 0) continue;
      if (!srcChanged[i] && !dstChanged[j]) {
        for (let k = 0; k < row.length; k++) cells.push(previous[at + k] as MatrixCell);
      } else {
        const verdicts = engine.verdictsOf(src, destinations[j] as FlowEnd, row);
        for (let k = 0; k < row.length; k++)
          cells.push({ from: i, to: j, port: row[k] as MatrixPort, verdict: verdicts[k] as Verdict });
      }
      at += row.length;
    }
  }
  return cells;
}
