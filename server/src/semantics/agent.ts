// SPDX-License-Identifier: Apache-2.0
/**
 * The agent profile: the cilium-agent options that change verdicts. Every option has Cilium's
 * default; a profile is built from layers (the `cilium-config` ConfigMap of the inventory, the
 * project file, a PolicyTest's `agent:`), later layers winning, and remembers which options a
 * layer stated. Some questions are undecidable when an option was only defaulted (whether a CIDR
 * rule covers a node depends on `policyCIDRMatchMode`), and the engine says so.
 *
 * Options are written as in a PolicyTest (`enableHostFirewall`) or as in the ConfigMap
 * (`enable-host-firewall`); both spellings are read everywhere.
 */
import type { Inventory } from '../core/inventory.js';

/** `enable-policy`: when endpoints are policy-enforced. */
export type EnforcementMode = 'default' | 'always' | 'never';

/** The options of the profile, in PolicyTest spelling. */
export interface AgentOptions {
  /** `enable-policy`: `default` (enforce once a policy selects), `always`, `never`. */
  readonly policyEnforcementMode: EnforcementMode;
  /** `policy-cidr-match-mode`: `[nodes]` lets CIDR rules select nodes by their addresses. */
  readonly policyCIDRMatchMode: readonly 'nodes'[];
  /** `enable-host-firewall`: host policies (`nodeSelector`) are enforced only with it. */
  readonly enableHostFirewall: boolean;
  /** `enable-l7-proxy`: without it the agent rejects every policy with L7 rules. */
  readonly enableL7Proxy: boolean;
  /** `cluster-name`: the local cluster, for the `cluster` entity and NS-7 scoping. */
  readonly clusterName: string;
  /** `policy-audit-mode`: drops are only logged. */
  readonly policyAuditMode: boolean;
  /** `allow-localhost`: `always` (what `auto` becomes under Kubernetes) lets the local node reach its pods. */
  readonly allowLocalhost: 'always' | 'policy';
  /** `enable-node-selector-labels`: `fromNodes`/`toNodes` are accepted and nodes carry their labels. */
  readonly enableNodeSelectorLabels: boolean;
  /** `policy-default-local-cluster`: peer selectors are limited to the local cluster (NS-7). */
  readonly policyDefaultLocalCluster: boolean;
  /** `enable-non-default-deny-policies`: `enableDefaultDeny: false` is honoured. */
  readonly enableNonDefaultDenyPolicies: boolean;
  /** `enable-icmp-rules`: without it the agent rejects every policy with `icmps` rules. */
  readonly enableICMPRules: boolean;
}

/** An option name. */
export type AgentKey = keyof AgentOptions;

/** A resolved profile: every option, and which ones a layer stated (with the layer's name). */
export interface AgentProfile extends AgentOptions {
  readonly stated: Readonly<Partial<Record<AgentKey, string>>>;
}

/** Cilium's defaults. */
export const DEFAULT_AGENT_OPTIONS: AgentOptions = {
  policyEnforcementMode: 'default',
  policyCIDRMatchMode: [],
  enableHostFirewall: false,
  enableL7Proxy: true,
  clusterName: 'default',
  policyAuditMode: false,
  allowLocalhost: 'always',
  enableNodeSelectorLabels: false,
  policyDefaultLocalCluster: true,
  enableNonDefaultDenyPolicies: true,
  enableICMPRules: true,
};

/** The profile with every option defaulted. */
export const DEFAULT_AGENT: AgentProfile = { ...DEFAULT_AGENT_OPTIONS, stated: {} };

/** ConfigMap spelling → PolicyTest spelling. */
const CONFIGMAP_KEYS: Readonly<Record<string, AgentKey>> = {
  'enable-policy': 'policyEnforcementMode',
  'policy-cidr-match-mode': 'policyCIDRMatchMode',
  'enable-host-firewall': 'enableHostFirewall',
  'enable-l7-proxy': 'enableL7Proxy',
  'cluster-name': 'clusterName',
  'policy-audit-mode': 'policyAuditMode',
  'allow-localhost': 'allowLocalhost',
  'enable-node-selector-labels': 'enableNodeSelectorLabels',
  'policy-default-local-cluster': 'policyDefaultLocalCluster',
  'enable-non-default-deny-policies': 'enableNonDefaultDenyPolicies',
  'enable-icmp-rules': 'enableICMPRules',
};

/** Every option name in both spellings, for completion and messages. */
export const AGENT_KEYS: readonly AgentKey[] = Object.keys(DEFAULT_AGENT_OPTIONS) as AgentKey[];

/** The option a written key names, in either spelling. */
export function agentKey(written: string): AgentKey | undefined {
  if ((AGENT_KEYS as readonly string[]).includes(written)) return written as AgentKey;
  return CONFIGMAP_KEYS[written];
}

/** One layer of a profile: the options it states. */
export interface AgentLayer {
  /** Where the layer comes from, e.g. `kube-system/cilium-config` or `tests/shop.yaml`. */
  readonly origin: string;
  readonly values: Partial<AgentOptions>;
}

/** A value that could not be read, with the key as written. */
export interface AgentProblem {
  readonly key: string;
  readonly message: string;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return undefined;
}

/** Reads one option value; a message when it cannot be read. */
function readValue(key: AgentKey, v: unknown): { value: unknown } | { problem: string } {
  switch (key) {
    case 'policyEnforcementMode': {
      const t = typeof v === 'string' ? v.trim() : v;
      return t === 'default' || t === 'always' || t === 'never'
        ? { value: t }
        : { problem: 'must be default, always or never' };
    }
    case 'policyCIDRMatchMode': {
      // The ConfigMap holds a space- or comma-separated string; a PolicyTest a list.
      const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/).filter((x) => x !== '') : null;
      if (items === null) return { problem: 'must be [] or [nodes]' };
      if (!items.every((x) => x === 'nodes')) return { problem: 'may only hold "nodes"' };
      return { value: items.length > 0 ? ['nodes'] : [] };
    }
    case 'clusterName':
      return typeof v === 'string' && v.trim() !== ''
        ? { value: v.trim() }
        : { problem: 'must be a cluster name such as default' };
    case 'allowLocalhost': {
      const t = typeof v === 'string' ? v.trim() : v;
      if (t === 'auto' || t === 'always') return { value: 'always' }; // auto means always under Kubernetes
      if (t === 'policy') return { value: 'policy' };
      return { problem: 'must be auto, always or policy' };
    }
    default: {
      const b = bool(v);
      return b === undefined ? { problem: 'must be true or false' } : { value: b };
    }
  }
}

/**
 * Reads options from a map (a PolicyTest's `agent:`, the project file's `agent:`, `--agent`
 * pairs). Unknown keys and unreadable values come back as problems; the rest is kept.
 */
export function readAgentOptions(raw: unknown): { values: Partial<AgentOptions>; problems: AgentProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: AgentProblem[] = [];
  if (raw === undefined || raw === null) return { values, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ key: '', message: 'agent options must be a map' });
    return { values, problems };
  }
  for (const [written, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = agentKey(written);
    if (key === undefined) {
      problems.push({ key: written, message: `unknown agent option "${written}" (known: ${AGENT_KEYS.join(', ')})` });
      continue;
    }
    const r = readValue(key, v);
    if ('problem' in r) problems.push({ key: written, message: `${written} ${r.problem}` });
    else values[key] = r.value;
  }
  return { values: values as Partial<AgentOptions>, problems };
}

/**
 * Reads the options of a `cilium-config` ConfigMap's `data`. Keys that do not change verdicts are
 * ignored; values it cannot read are reported and left at their defaults.
 */
export function agentOptionsFromConfigMap(data: Readonly<Record<string, string>>): {
  values: Partial<AgentOptions>;
  problems: AgentProblem[];
} {
  const picked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (CONFIGMAP_KEYS[k] !== undefined) picked[k] = v;
  return readAgentOptions(picked);
}

/**
 * The layer of an inventory's `cilium-config` ConfigMap (none without one), named after it, and
 * the values in it that could not be read.
 */
export function ciliumConfigLayer(inventory: Inventory): { layer: AgentLayer; problems: AgentProblem[] } | undefined {
  const cm = inventory.ciliumConfig;
  if (!cm) return undefined;
  const r = agentOptionsFromConfigMap(cm.data);
  return { layer: { origin: `${cm.namespace}/cilium-config`, values: r.values }, problems: r.problems };
}

/** The profile of some layers over the defaults; later layers win. */
export function resolveAgent(layers: readonly AgentLayer[]): AgentProfile {
  const options: Record<string, unknown> = { ...DEFAULT_AGENT_OPTIONS };
  const stated: Partial<Record<AgentKey, string>> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer.values)) {
      if (v === undefined) continue;
      options[k] = v;
      stated[k as AgentKey] = layer.origin;
    }
  }
  return { ...(options as unknown as AgentOptions), stated };
}

/** A stable key of a profile's options, for caching one engine per profile. */
export function agentKeyOf(agent: AgentOptions): string {
  return AGENT_KEYS.map((k) => `${k}=${JSON.stringify(agent[k])}`).join(';');
}
