// SPDX-License-Identifier: Apache-2.0
/**
 * The settings the server and the CLI understand, their defaults, and a tolerant normaliser.
 * Editors send the raw `ciliumPolicy` section; the CLI builds the same shape from its flags.
 * `test/unit/manifest.test.ts` keeps this file, package.json and the README table in sync.
 */
import type { Severity } from './core/findings.js';
import { parseVersion } from './core/versions.js';
import type { DeclaredTarget } from './core/tetragon/targets.js';

/** What a rule's severity can be set to. */
export type RuleSetting = 'off' | Exclude<Severity, 'hint'>;

export interface Settings {
  /** Master switch for validation and lint. */
  readonly validateEnable: boolean;
  /** The Cilium release the policies target, as `major.minor`. */
  readonly ciliumVersion: string;
  /** The Tetragon release the policies target, as `major.minor`. */
  readonly tetragonVersion: string;
  /** Per-rule (or per-code) severity overrides. */
  readonly rules: Readonly<Record<string, RuleSetting>>;
  /** Milliseconds to wait after a keystroke before linting. */
  readonly lintDelayMs: number;
  /** Lint when a document is saved. */
  readonly lintOnSave: boolean;
  /** The CPU architecture of the nodes Tetragon policies load on (syscall tables differ). */
  readonly tetragonKernelArch: 'x86_64' | 'arm64';
  /**
   * Where the binaries that TracingPolicies name (`usdts[].path`, `uprobes[].path`) are looked up on this machine:
   * `/` reads the path as it is, another folder (an unpacked image) is put in front of it, and ''
   * turns the lookups off. Relative folders start at the workspace folder (the working directory
   * for the CLI).
   */
  readonly tetragonBinaryRoot: string;
  /**
   * Kernels Tetragon policies must load on, declared by hand (for clusters that cannot be
   * snapshotted): name, architecture, kernel release and, optionally, features known to be
   * present or absent. Node pools of a kubectl snapshot are added to these.
   */
  readonly tetragonTargets: readonly DeclaredTarget[];
  /** A saved `kubectl get … -o json` file the endpoint preview uses instead of the workspace manifests ('' for none). */
  readonly previewSnapshotFile: string;
  /** Show "selects N workloads" CodeLenses above selectors. */
  readonly previewCodeLens: boolean;
  /**
   * Agent options that change connectivity verdicts (`ciliumPolicy.agent`), as written: option
   * names in PolicyTest or ConfigMap spelling, with their values. The connectivity engine reads
   * them (and reports what it cannot read); here they are only kept when they look like values.
   * They sit between the inventory's `cilium-config` ConfigMap and `.cilium-policy.yaml`'s `agent:`.
   */
  readonly agent: Readonly<Record<string, AgentSettingValue>>;
}

/** A value of `ciliumPolicy.agent`: a scalar, or a list of strings (`policyCIDRMatchMode: [nodes]`). */
export type AgentSettingValue = string | number | boolean | readonly string[];

export const DEFAULT_SETTINGS: Settings = {
  validateEnable: true,
  ciliumVersion: '1.20',
  tetragonVersion: '1.8',
  rules: {},
  lintDelayMs: 250,
  lintOnSave: true,
  tetragonKernelArch: 'x86_64',
  tetragonBinaryRoot: '/',
  tetragonTargets: [],
  previewSnapshotFile: '',
  previewCodeLens: true,
  agent: {},
};

const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'error', 'warning', 'information'];

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function version(v: unknown, fallback: string): string {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string') return fallback;
  const p = parseVersion(s);
  return p ? `${p[0]}.${p[1]}` : fallback;
}

/**
 * The declared kernel targets: entries without a name, architecture or kernel release are
 * dropped (the rest of the list still counts); feature flags must be booleans. At most 64.
 */
export function normalizeTargets(v: unknown): DeclaredTarget[] {
  if (!Array.isArray(v)) return [];
  const out: DeclaredTarget[] = [];
  const seen = new Set<string>();
  for (const item of v.slice(0, 64)) {
    const t = obj(item);
    const text = (x: unknown): string | undefined =>
      typeof x === 'string' && x.trim() !== '' ? x.trim() : typeof x === 'number' ? String(x) : undefined;
    const name = text(t['name']);
    const arch = text(t['arch']);
    const kernel = text(t['kernel']);
    if (name === undefined || arch === undefined || kernel === undefined || seen.has(name)) continue;
    seen.add(name);
    const features: Record<string, boolean> = {};
    for (const [k, f] of Object.entries(obj(t['features']))) if (typeof f === 'boolean') features[k] = f;
    out.push({ name, arch, kernel, ...(Object.keys(features).length ? { features } : {}) });
  }
  return out;
}

/** `ciliumPolicy.agent`: entries whose values are scalars or lists of strings, at most 32. */
export function normalizeAgent(v: unknown): Record<string, AgentSettingValue> {
  const out: Record<string, AgentSettingValue> = {};
  for (const [k, x] of Object.entries(obj(v)).slice(0, 32)) {
    if (typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))) out[k] = x;
    else if (Array.isArray(x) && x.every((i) => typeof i === 'string')) out[k] = [...(x as string[])];
  }
  return out;
}

/**
 * Turns the raw `ciliumPolicy` configuration section into `Settings`. Unknown or ill-typed values
 * fall back to defaults rather than failing: a typo in settings.json must not stop validation.
 */
export function normalizeSettings(raw: unknown): Settings {
  const r = obj(raw);
  const validate = obj(r['validate']);
  const lint = obj(r['lint']);
  const rules: Record<string, RuleSetting> = {};
  for (const [id, value] of Object.entries(obj(r['rules']))) {
    const v = typeof value === 'string' ? value.toLowerCase() : value;
    const mapped = v === 'info' ? 'information' : v === 'warn' ? 'warning' : v;
    if (RULE_SETTINGS.includes(mapped as RuleSetting)) rules[id] = mapped as RuleSetting;
  }
  const delay = lint['delay'];
  const preview = obj(r['preview']);
  return {
    validateEnable: typeof validate['enable'] === 'boolean' ? validate['enable'] : DEFAULT_SETTINGS.validateEnable,
    ciliumVersion: version(r['ciliumVersion'], DEFAULT_SETTINGS.ciliumVersion),
    tetragonVersion: version(r['tetragonVersion'], DEFAULT_SETTINGS.tetragonVersion),
    rules,
    lintDelayMs: typeof delay === 'number' && delay >= 0 && delay <= 10000 ? delay : DEFAULT_SETTINGS.lintDelayMs,
    lintOnSave: typeof lint['onSave'] === 'boolean' ? lint['onSave'] : DEFAULT_SETTINGS.lintOnSave,
    tetragonKernelArch: obj(r['tetragon'])['kernelArch'] === 'arm64' ? 'arm64' : DEFAULT_SETTINGS.tetragonKernelArch,
    tetragonBinaryRoot:
      typeof obj(r['tetragon'])['binaryRoot'] === 'string'
        ? (obj(r['tetragon'])['binaryRoot'] as string).trim()
        : DEFAULT_SETTINGS.tetragonBinaryRoot,
    tetragonTargets: normalizeTargets(obj(r['tetragon'])['targets']),
    previewSnapshotFile:
      typeof preview['snapshotFile'] === 'string'
        ? preview['snapshotFile'].trim()
        : DEFAULT_SETTINGS.previewSnapshotFile,
    previewCodeLens: typeof preview['codeLens'] === 'boolean' ? preview['codeLens'] : DEFAULT_SETTINGS.previewCodeLens,
    agent: normalizeAgent(r['agent']),
  };
}
