// SPDX-License-Identifier: Apache-2.0
/**
 * The kernel features Tetragon's programs need, and whether a kernel target has them. The table
 * beside this file (`features.json`) is generated from Tetragon's tree by
 * `scripts/gen-tetragon-features.mjs` (provenance: file and line of every fact; see
 * docs/kernel-data.md); this module only reads it. Answers are never guesses: a feature is present
 * or absent when the target's release (or a feature the user declared) decides it, and otherwise
 * "depends" (on how the kernel was built or booted, with the command that tells) or "unknown".
 */
import table from './features.json';
import type { KernelArch } from '../kernel/index.js';
import { compareKernel, formatKernel, parseKernelVersion, type KernelTarget } from './targets.js';

/** Where a fact comes from in Tetragon's tree. */
export interface FeatureSource {
  readonly file: string;
  readonly line: number;
  /** The fact, in our words. */
  readonly fact: string;
}

/**
 * How a target at or above a feature's minimal release can still lack it:
 * `version` — it cannot (the release decides); `probe` — the agent probes for it at start and a
 * kernel can be built without it; `config` — it needs a kernel build option; `boot` — it also
 * needs a boot parameter.
 */
export type FeatureCondition = 'version' | 'probe' | 'config' | 'boot';

export interface Feature {
  readonly id: string;
  /** The name `tetra probe` prints for it, when the agent probes it. */
  readonly probe: string | null;
  readonly title: string;
  /** Features this one is made of (the agent's "large programs" are two probes). */
  readonly all?: readonly string[];
  /** The oldest release per architecture that can have it; null when Tetragon's tree names none. */
  readonly minKernel: Readonly<Record<KernelArch, string>> | null;
  readonly condition: FeatureCondition;
  readonly config?: readonly string[];
  readonly boot?: string;
  /** The command that tells on a node; `tetra probe` when unset. */
  readonly check?: string;
  readonly sources: readonly FeatureSource[];
}

/** What a policy element needs: every one of `all`, one of `any`, or the absence of a feature. */
export type Needs =
  | { readonly all: readonly (string | Needs)[] }
  | { readonly any: readonly (string | Needs)[] }
  | { readonly not: string };

/** What the agent does when a gate's needs are not met. */
export type GateEffect = 'rejected' | 'inert' | 'reduced';

export interface Gate {
  readonly id: string;
  readonly needs: Needs;
  readonly effect: GateEffect;
  /** A policy option (`spec.options[].name`) that, set to true, lifts the gate. */
  readonly unlessOption?: string;
  /** The architectures the gate applies to (all when unset). */
  readonly arches?: readonly KernelArch[];
  readonly sources: readonly FeatureSource[];
}

interface Table {
  readonly source: {
    readonly repository: string;
    readonly commit: string;
    readonly describe: string;
    readonly committed: string;
  };
  readonly floor: { readonly kernel: string; readonly source: FeatureSource };
  readonly probeCommand: string;
  readonly features: Readonly<Record<string, Omit<Feature, 'id'>>>;
  readonly gates: Readonly<Record<string, Omit<Gate, 'id'>>>;
  readonly limits: {
    readonly stringValueBytes: {
      readonly steps: readonly { readonly minKernel: string | null; readonly max: number }[];
      readonly sources: readonly FeatureSource[];
    };
    readonly argFilters: {
      readonly largeProgs: number;
      readonly otherwise: number;
      readonly sources: readonly FeatureSource[];
    };
    readonly namespaceFilters: {
      readonly largeProgs: number;
      readonly otherwise: number;
      readonly sources: readonly FeatureSource[];
    };
    readonly actionsPerSelector: { readonly max: number; readonly sources: readonly FeatureSource[] };
    readonly rateLimitKeyBytesPerArg: { readonly max: number; readonly sources: readonly FeatureSource[] };
  };
  readonly options: Readonly<Record<string, FeatureSource>>;
}

const TABLE = table as unknown as Table;

/** Which Tetragon tree the table was read from. */
export const FEATURE_TABLE_SOURCE = TABLE.source;
/** The oldest kernel the agent runs on. */
export const TETRAGON_FLOOR = TABLE.floor.kernel;
/** Limits that depend on the kernel, and fixed ones the dry run shares. */
export const TETRAGON_LIMITS = TABLE.limits;

/** A feature of the table, or undefined for an id it does not have. */
export function feature(id: string): Feature | undefined {
  const f = Object.prototype.hasOwnProperty.call(TABLE.features, id) ? TABLE.features[id] : undefined;
  return f ? { id, ...f } : undefined;
}

/** Every feature id, in table order. */
export function featureIds(): readonly string[] {
  return Object.keys(TABLE.features);
}

/** A gate of the table; throws for an id it does not have (a programming error). */
export function gate(id: string): Gate {
  const g = TABLE.gates[id];
  if (!g) throw new Error(`no gate ${id} in features.json`);
  return { id, ...g };
}

/** Every gate id. */
export function gateIds(): readonly string[] {
  return Object.keys(TABLE.gates);
}

// ---------------------------------------------------------------------------------------------
// Availability on a target

interface Because {
  /** The feature the answer is about (its title), when it is about one. */
  readonly about?: string;
  /** The answer without the feature's title: "from Linux 6.0 on arm64, and this kernel is 5.10". */
  readonly detail: string;
  /** `about: detail`, or the detail alone. */
  readonly reason: string;
}

/** Whether a target has a feature (or meets a need). */
export type Availability =
  | ({ readonly state: 'yes' } & Because)
  | ({ readonly state: 'no' } & Because)
  /** It depends on the node's build or boot configuration; `check` (Markdown) tells on a node. */
  | ({ readonly state: 'depends'; readonly check: string; readonly boot: boolean } & Because)
  | ({ readonly state: 'unknown' } & Because);

function because(about: string | undefined, detail: string): Because {
  return { ...(about ? { about } : {}), detail, reason: about ? `${about}: ${detail}` : detail };
}

function checkOf(f: Feature): string {
  return f.check ?? (f.probe ? `\`${TABLE.probeCommand}\` prints \`${f.probe}: true\`` : `\`${TABLE.probeCommand}\``);
}

/** Whether `target` has the feature `id`. */
export function featureOn(target: KernelTarget, id: string): Availability {
  const f = feature(id);
  if (!f) return { state: 'unknown', ...because(undefined, `no feature \`${id}\` in the table`) };
  const declared = target.features[id] ?? (f.probe ? target.features[f.probe] : undefined);
  if (declared !== undefined)
    return { state: declared ? 'yes' : 'no', ...because(f.title, declared ? 'declared present' : 'declared absent') };
  if (f.all) return combineAll(f.all.map((p) => featureOn(target, p)));
  if (!target.kernel)
    return { state: 'unknown', ...because(undefined, `the kernel release \`${target.kernelText}\` cannot be read`) };
  if (!target.arch)
    return {
      state: 'unknown',
      ...because(undefined, `the architecture \`${target.archText}\` is not one Tetragon's tables cover`),
    };
  const min = f.minKernel?.[target.arch];
  const minVersion = min ? parseKernelVersion(min) : undefined;
  if (minVersion && compareKernel(target.kernel, minVersion) < 0)
    return {
      state: 'no',
      ...because(
        f.title,
        `from Linux ${formatKernel(minVersion)} on ${target.arch}, and this kernel is ${formatKernel(target.kernel)}`,
      ),
    };
  if (f.condition === 'version' && minVersion)
    return { state: 'yes', ...because(f.title, `from Linux ${formatKernel(minVersion)} on ${target.arch}`) };
  const needs = [...(f.config ?? []), ...(f.boot ? [`booting with \`${f.boot}\``] : [])];
  const detail = needs.length
    ? `only with ${needs.join(' and ')}`
    : minVersion
      ? 'the agent probes for it at start, and a kernel can be built without it'
      : "the agent probes for it at start, and Tetragon's tree names no release that has it";
  return { state: 'depends', ...because(f.title, detail), check: checkOf(f), boot: f.condition === 'boot' };
}

function combineAll(parts: readonly Availability[]): Availability {
  const no = parts.find((p) => p.state === 'no');
  if (no) return no;
  const unknown = parts.find((p) => p.state === 'unknown');
  if (unknown) return unknown;
  const depends = parts.filter((p): p is Extract<Availability, { state: 'depends' }> => p.state === 'depends');
  if (depends.length === 1) return depends[0]!;
  if (depends.length)
    return {
      state: 'depends',
      ...because(undefined, depends.map((d) => d.reason).join('; ')),
      check: [...new Set(depends.map((d) => d.check))].join('; '),
      boot: depends.some((d) => d.boot),
    };
  return { state: 'yes', ...because(undefined, parts.map((p) => p.reason).join('; ')) };
}

function combineAny(parts: readonly Availability[]): Availability {
  const yes = parts.find((p) => p.state === 'yes');
  if (yes) return yes;
  const depends = parts.filter((p): p is Extract<Availability, { state: 'depends' }> => p.state === 'depends');
  if (depends.length === 1) return depends[0]!;
  if (depends.length)
    return {
      state: 'depends',
      ...because(undefined, depends.map((d) => d.reason).join('; or ')),
      check: [...new Set(depends.map((d) => d.check))].join('; '),
      boot: depends.some((d) => d.boot),
    };
  const unknown = parts.find((p) => p.state === 'unknown');
  if (unknown) return unknown;
  return { state: 'no', ...because(undefined, parts.map((p) => p.reason).join('; and ')) };
}

/** Whether `target` meets a gate's needs. */
export function needsOn(target: KernelTarget, needs: Needs | string): Availability {
  if (typeof needs === 'string') return featureOn(target, needs);
  if ('all' in needs) return combineAll(needs.all.map((n) => needsOn(target, n)));
  if ('any' in needs) return combineAny(needs.any.map((n) => needsOn(target, n)));
  const inner = featureOn(target, needs.not);
  switch (inner.state) {
    case 'yes':
      return { ...inner, state: 'no' };
    case 'no':
      return { ...inner, state: 'yes' };
    default:
      return inner;
  }
}

/** The words for a need, for messages: "the override helper (bpf_override_return)". */
export function describeNeeds(needs: Needs | string): string {
  if (typeof needs === 'string') return feature(needs)?.title ?? needs;
  if ('all' in needs) return needs.all.map(describeNeeds).join(' and ');
  if ('any' in needs) return needs.any.map(describeNeeds).join(' or ');
  return `no ${describeNeeds(needs.not)}`;
}
