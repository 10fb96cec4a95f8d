// SPDX-License-Identifier: Apache-2.0
/**
 * Kernel targets: the kernels a TracingPolicy is meant to load on. They come from two places:
 * the Nodes of a kubectl snapshot (each reports `status.nodeInfo.kernelVersion`, `architecture`
 * and `osImage`), grouped into node pools, and targets declared in the settings or in
 * `.cilium-policy.yaml` for clusters that cannot be snapshotted. Pure data in, pure data out.
 */
import type { NodeInfo } from '../inventory.js';
import type { KernelArch } from '../kernel/index.js';

/** A kernel release as Tetragon compares them: major, minor, patch (patch capped at 255). */
export type KernelVersion = readonly [number, number, number];

/** Where a target comes from. */
export type TargetOrigin = 'inventory' | 'settings';

/** One kind of node a policy must load on. */
export interface KernelTarget {
  /** A short name for messages: the pool name (`arm64-5.10`) or the declared name. */
  readonly name: string;
  /** The CPU architecture, or undefined when the node reports one Tetragon's tables do not cover. */
  readonly arch: KernelArch | undefined;
  /** The architecture as reported or declared (`amd64`, `arm64`, `s390x`), for messages. */
  readonly archText: string;
  /** The kernel release as reported or declared (`5.15.0-1057-aws`). */
  readonly kernelText: string;
  /** The release as Tetragon reads it, or undefined when it cannot be read. */
  readonly kernel: KernelVersion | undefined;
  /** The OS image of the pool's nodes, when the inventory reports one. */
  readonly osImage?: string;
  /** The nodes of the pool (inventory targets), sorted; empty for declared targets. */
  readonly nodes: readonly string[];
  /**
   * Features known to be present (true) or absent (false) on the target, keyed by the feature
   * ids of `features.ts` (the names `tetra probe` prints, e.g. `override_return`, `lsm`).
   */
  readonly features: Readonly<Record<string, boolean>>;
  readonly origin: TargetOrigin;
}

/** A target as a user declares it in the settings (already shape-checked by `normalizeSettings`). */
export interface DeclaredTarget {
  readonly name: string;
  readonly arch: string;
  readonly kernel: string;
  readonly features?: Readonly<Record<string, boolean>>;
}

/**
 * Reads a kernel release the way the agent does (`KernelStringToNumeric` in Tetragon's
 * `pkg/kernels`): everything from the first `-` on is dropped, then a trailing `+`; major is
 * required, a missing or unreadable minor or patch counts as 0, and a patch above 255 as 255.
 */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const release = text.trim().split('-')[0]!.replace(/\++$/, '');
  const [major, minor, patch] = release.split('.');
  const num = (s: string | undefined): number | undefined =>
    s !== undefined && /^[+-]?\d+$/.test(s) && Number(s) <= 2147483647 ? Number(s) : undefined;
  const ma = num(major);
  if (ma === undefined || ma <= 0) return undefined;
  return [ma, num(minor) ?? 0, Math.min(num(patch) ?? 0, 255)];
}

/** Compares two releases: negative when `a` is older. */
export function compareKernel(a: KernelVersion, b: KernelVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `5.10` or `5.10.12` (the patch only when it is not 0), for messages. */
export function formatKernel(v: KernelVersion): string {
  return v[2] ? `${v[0]}.${v[1]}.${v[2]}` : `${v[0]}.${v[1]}`;
}

/** The architecture names Kubernetes and `uname -m` use, mapped to the ones our tables know. */
export function normalizeArch(text: string): KernelArch | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'amd64' || t === 'x86_64' || t === 'x86-64' || t === 'x64') return 'x86_64';
  if (t === 'arm64' || t === 'aarch64') return 'arm64';
  return undefined;
}

/** The short architecture name used in pool names: `amd64` → `x86_64`, unknown ones as given. */
function archLabel(arch: KernelArch | undefined, text: string): string {
  return arch ?? (text.trim() || 'unknown-arch');
}

/**
 * Groups the inventory's nodes into pools: nodes with the same architecture, kernel release and
 * OS image are one pool (they load a policy alike). Nodes that report no kernel release are left
 * out. A pool is named `<arch>-<major.minor>`; when two pools would share a name, the kernel
 * release, then the OS image, tells them apart.
 */
export function nodePools(nodes: readonly NodeInfo[]): KernelTarget[] {
  const groups = new Map<string, { arch: string; kernel: string; os: string | undefined; nodes: string[] }>();
  for (const n of nodes) {
    if (n.kernelVersion === undefined) continue;
    const arch = n.architecture ?? '';
    const key = JSON.stringify([arch, n.kernelVersion, n.osImage ?? '']);
    let g = groups.get(key);
    if (!g) {
      g = { arch, kernel: n.kernelVersion, os: n.osImage, nodes: [] };
      groups.set(key, g);
    }
    g.nodes.push(n.name);
  }
  const pools = [...groups.values()].map((g) => {
    const arch = normalizeArch(g.arch);
    const kernel = parseKernelVersion(g.kernel);
    const base = `${archLabel(arch, g.arch)}-${kernel ? `${kernel[0]}.${kernel[1]}` : g.kernel}`;
    return { g, arch, kernel, base };
  });
  const byBase = new Map<string, number>();
  for (const p of pools) byBase.set(p.base, (byBase.get(p.base) ?? 0) + 1);
  const out: KernelTarget[] = [];
  for (const p of pools) {
    let name = p.base;
    if ((byBase.get(p.base) ?? 0) > 1) {
      const sameKernel = pools.filter((q) => q.base === p.base && q.g.kernel === p.g.kernel).length;
      name = `${archLabel(p.arch, p.g.arch)}-${p.g.kernel}`;
      if (sameKernel > 1 && p.g.os) name = `${name} (${p.g.os})`;
    }
    out.push({
      name,
      arch: p.arch,
      archText: p.g.arch,
      kernelText: p.g.kernel,
      kernel: p.kernel,
      ...(p.g.os !== undefined ? { osImage: p.g.os } : {}),
      nodes: [...p.g.nodes].sort(),
      features: {},
      origin: 'inventory',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A declared target as a kernel target. */
export function declaredTarget(d: DeclaredTarget): KernelTarget {
  return {
    name: d.name,
    arch: normalizeArch(d.arch),
    archText: d.arch,
    kernelText: d.kernel,
    kernel: parseKernelVersion(d.kernel),
    nodes: [],
    features: { ...(d.features ?? {}) },
    origin: 'settings',
  };
}

/**
 * Every target to check against: the declared ones, then the inventory's node pools. A declared
 * target whose name is a pool's replaces that pool (so features can be declared for a pool the
 * snapshot found).
 */
export function kernelTargets(declared: readonly DeclaredTarget[], nodes: readonly NodeInfo[]): KernelTarget[] {
  const pools = nodePools(nodes);
  const poolByName = new Map(pools.map((p) => [p.name, p]));
  const mine = declared.map((d) => {
    const t = declaredTarget(d);
    const pool = poolByName.get(t.name);
    // A declared target named like a pool keeps the pool's nodes, so messages still count them.
    return pool ? { ...t, nodes: pool.nodes, ...(pool.osImage !== undefined ? { osImage: pool.osImage } : {}) } : t;
  });
  const names = new Set(mine.map((t) => t.name));
  return [...mine, ...pools.filter((p) => !names.has(p.name))];
}

/** "pool arm64-5.10 (3 nodes)" or "target lab-box (arm64, Linux 5.10)", for messages. */
export function describeTarget(t: KernelTarget): string {
  if (t.origin === 'inventory' || t.nodes.length > 0) {
    const n = t.nodes.length;
    return `pool ${t.name} (${n} node${n === 1 ? '' : 's'})`;
  }
  return `target ${t.name} (${t.archText}, Linux ${t.kernelText})`;
}
