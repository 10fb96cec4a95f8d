// SPDX-License-Identifier: Apache-2.0
/**
 * What the preview panel says about a policy besides its peers: the L7 rules of each rule item
 * (HTTP, DNS, Kafka, generic L7 and Envoy listeners), what the policy does to each direction
 * (does it restrict it, does it make it default-deny), and for a TracingPolicy its hooks with
 * their selectors' filters and actions. Plain data, read from the document's values; the words
 * around it are the panel's.
 */
import type { PolicyDocument } from './document.js';
import { list, obj, policyRules, str, type DataPath, type Obj } from './data.js';
import { compareVersions } from './versions.js';
import { hookLabel } from './tetragon/kernel-support.js';
import { hooks, selectorsOf } from './tetragon/policy.js';

/** What a policy does to one direction of traffic of the workloads it selects. */
export interface DirectionReading {
  readonly direction: 'ingress' | 'egress';
  /** Allow items (`ingress`/`egress`) of every rule. */
  readonly allowItems: number;
  /** Deny items (`ingressDeny`/`egressDeny`) of every rule. */
  readonly denyItems: number;
  /**
   * True when some rule makes the direction default-deny for its workloads: it has allow or deny
   * items and `enableDefaultDeny` does not switch that off (RULE-3).
   */
  readonly defaultDeny: boolean;
  /** True when some rule sets `enableDefaultDeny.<direction>: false` while it has items. */
  readonly defaultDenyOff: boolean;
}

/** One selector of a tracing-policy hook: what it filters on and what it does. */
export interface TracingSelectorReading {
  /** `matchArgs: arg 0 Prefix /etc/`, `matchBinaries: In /usr/bin/cat`… */
  readonly filters: readonly string[];
  /** `Sigkill`, `Post (rateLimit 1m)`, `Override -1`… An empty list posts an event. */
  readonly actions: readonly string[];
}

/** One hook of a tracing policy. */
export interface TracingHookReading {
  /** `kprobe `security_file_permission``. */
  readonly hook: string;
  readonly path: DataPath;
  readonly selectors: readonly TracingSelectorReading[];
}

/** What the panel reads beside the preview. */
export interface PolicyReading {
  /** Network policies: ingress then egress. */
  readonly directions?: readonly DirectionReading[];
  /** Tracing policies: every hook, in the document's order. */
  readonly hooks?: readonly TracingHookReading[];
}

/** Longest value written into a row; a policy can hold anything. */
const MAX_VALUE = 120;

function clip(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function at(data: unknown, path: DataPath): unknown {
  let cur = data;
  for (const key of path) {
    if (typeof key === 'number') cur = list(cur)[key];
    else cur = obj(cur)?.[key];
    if (cur === undefined) return undefined;
  }
  return cur;
}

function httpRow(r: Obj): string {
  const parts = ['HTTP', str(r['method']) ?? 'any method', str(r['path']) ?? 'any path'];
  const host = str(r['host']);
  if (host !== undefined) parts.push(`host ${clip(host)}`);
  const headers = list(r['headers']).map(clip);
  if (headers.length > 0) parts.push(`headers ${headers.join(', ')}`);
  const matches = list(r['headerMatches'])
    .map(obj)
    .filter((m): m is Obj => m !== undefined)
    .map((m) => `${clip(m['name'])}${m['value'] !== undefined ? `=${clip(m['value'])}` : ''}`);
  if (matches.length > 0) parts.push(`header matches ${matches.join(', ')}`);
  return parts.map((p, i) => (i < 3 ? clip(p) : p)).join(' ');
}

function kafkaRow(r: Obj): string {
  const parts = ['Kafka'];
  if (str(r['role']) !== undefined) parts.push(`role ${clip(r['role'])}`);
  if (r['apiKey'] !== undefined) parts.push(`apiKey ${clip(r['apiKey'])}`);
  if (r['apiVersion'] !== undefined) parts.push(`apiVersion ${clip(r['apiVersion'])}`);
  if (r['clientID'] !== undefined) parts.push(`clientID ${clip(r['clientID'])}`);
  parts.push(r['topic'] !== undefined ? `topic ${clip(r['topic'])}` : 'any topic');
  return parts.join(' ');
}

/**
 * What a target Cilium release does with Kafka and generic (`l7proto`) rules: both are parsed by
 * the proxylib filter of the agent's Envoy. Cilium 1.18 deprecated proxylib (cilium/cilium#39419,
 * the agent logs a warning when it configures a proxylib listener), 1.19 deprecated Kafka policy
 * with a warning (cilium/cilium#40967), and 1.20 removed both (cilium/cilium#43557; the 1.20 CRDs
 * have no `kafka`, `l7proto` or `l7`, which `version/removed` reports as an error). Before 1.20
 * the rules are enforced, so the row reads as for HTTP with the deprecation beside it.
 */
function legacyNote(kind: 'kafka' | 'l7proto', cilium: string | undefined): string {
  if (cilium === undefined) return '';
  const what = kind === 'kafka' ? 'Kafka rules' : 'the proxylib parsers of `l7proto` rules';
  if (compareVersions(cilium, '1.20') >= 0)
    return ` (not enforced: Cilium ${cilium} removed ${what} and refuses the policy)`;
  if (kind === 'kafka' && compareVersions(cilium, '1.19') >= 0) return ' (deprecated in Cilium 1.19; removed in 1.20)';
  if (kind === 'l7proto' && compareVersions(cilium, '1.18') >= 0)
    return ' (deprecated since Cilium 1.18; removed in 1.20)';
  return '';
}

/**
 * The L7 rows of one rule item (`ingress[i]`, `egress[i]`): one row per HTTP, DNS, Kafka or
 * generic L7 rule of its `toPorts`, and the Envoy listener traffic is redirected to. Empty when
 * the item has no L7 part. With `cilium` (the target release), a Kafka or generic L7 row says
 * when that release deprecated the rule or no longer enforces it; without, rows carry no note.
 */
export function l7Rows(item: unknown, cilium?: string): string[] {
  const rows: string[] = [];
  for (const tp of list(obj(item)?.['toPorts'])) {
    const listener = obj(obj(tp)?.['listener']);
    if (listener) {
      const ref = obj(listener['envoyConfig']);
      rows.push(
        `Envoy listener ${clip(listener['name'])}${ref ? ` of ${clip(ref['kind'] ?? 'CiliumEnvoyConfig')} ${clip(ref['name'])}` : ''}`,
      );
    }
    const rules = obj(obj(tp)?.['rules']);
    if (!rules) continue;
    for (const r of list(rules['http'])) {
      const o = obj(r);
      if (o) rows.push(httpRow(o));
    }
    for (const r of list(rules['dns'])) {
      const o = obj(r);
      if (!o) continue;
      if (o['matchName'] !== undefined) rows.push(`DNS matchName ${clip(o['matchName'])}`);
      if (o['matchPattern'] !== undefined) rows.push(`DNS matchPattern ${clip(o['matchPattern'])}`);
    }
    for (const r of list(rules['kafka'])) {
      const o = obj(r);
      if (o) rows.push(`${kafkaRow(o)}${legacyNote('kafka', cilium)}`);
    }
    const proto = str(rules['l7proto']);
    if (proto !== undefined) {
      const note = legacyNote('l7proto', cilium);
      const l7 = list(rules['l7']).map(obj);
      if (l7.length === 0) rows.push(`L7 ${clip(proto)}: any request${note}`);
      for (const o of l7) {
        if (!o) continue;
        const pairs = Object.entries(o).map(([k, v]) => `${clip(k)}=${clip(v)}`);
        rows.push(`L7 ${clip(proto)}: ${pairs.join(', ') || 'any request'}${note}`);
      }
    }
  }
  return rows;
}

/** The L7 rows of the rule item at `path` of a document (see {@link l7Rows}). */
export function l7RowsAt(doc: PolicyDocument, path: DataPath, cilium?: string): string[] {
  return l7Rows(at(doc.data, path), cilium);
}

/** What a network policy does to ingress and egress, over every rule of `spec` and `specs`. */
export function directionReadings(doc: PolicyDocument): DirectionReading[] {
  return (['ingress', 'egress'] as const).map((direction) => {
    let allowItems = 0;
    let denyItems = 0;
    let defaultDeny = false;
    let defaultDenyOff = false;
    for (const { rule } of policyRules(doc.data)) {
      const allow = list(rule[direction]).length;
      const deny = list(rule[`${direction}Deny`]).length;
      allowItems += allow;
      denyItems += deny;
      const has = allow + deny > 0;
      const setting = obj(rule['enableDefaultDeny'])?.[direction];
      if (has && setting === false) defaultDenyOff = true;
      if (has && setting !== false) defaultDeny = true;
    }
    return { direction, allowItems, denyItems, defaultDeny, defaultDenyOff };
  });
}

function filterRows(selector: Obj): string[] {
  const rows: string[] = [];
  for (const [key, value] of Object.entries(selector)) {
    if (key === 'matchActions' || key === 'matchReturnActions') continue;
    for (const f of list(value)) {
      const o = obj(f);
      if (!o) continue;
      const where =
        o['index'] !== undefined
          ? ` arg ${clip(o['index'])}`
          : o['args'] !== undefined
            ? ` args ${clip(o['args'])}`
            : '';
      const op = str(o['operator']) ?? '';
      const values = list(o['values']).map(clip);
      const shown = values.slice(0, 5).join(', ') + (values.length > 5 ? ` +${values.length - 5}` : '');
      rows.push(`${key}:${where} ${clip(op)} ${shown}`.replace(/\s+/g, ' ').trim());
    }
  }
  return rows;
}

function actionRows(selector: Obj): string[] {
  const out: string[] = [];
  for (const key of ['matchActions', 'matchReturnActions'] as const) {
    for (const a of list(selector[key])) {
      const o = obj(a);
      if (!o) continue;
      const extras = Object.entries(o)
        .filter(([k]) => k !== 'action')
        .map(([k, v]) => `${clip(k)} ${clip(v)}`);
      const name = clip(o['action'] ?? '?');
      out.push(
        `${key === 'matchReturnActions' ? 'on return: ' : ''}${name}${extras.length ? ` (${extras.join(', ')})` : ''}`,
      );
    }
  }
  return out;
}

/** The hooks of a tracing policy with their selectors' filters and actions. */
export function tracingReadings(doc: PolicyDocument): TracingHookReading[] {
  return hooks(doc.data).map((h) => ({
    hook: hookLabel(h).replace(/`/g, ''),
    path: h.path,
    selectors: selectorsOf(h).map((s) => ({ filters: filterRows(s.selector), actions: actionRows(s.selector) })),
  }));
}

/**
 * A tracing policy's hooks and what they do, in one line for a tree row:
 * `kprobe security_file_permission → Sigkill; kprobe tcp_connect → reports`.
 */
export function hooksSummary(doc: PolicyDocument): string {
  const all = tracingReadings(doc);
  if (all.length === 0) return 'no hooks';
  const parts = all.slice(0, 4).map((h) => {
    const actions = [...new Set(h.selectors.flatMap((s) => s.actions).map((a) => a.replace(/ \(.*$/, '')))];
    return `${h.hook} → ${actions.length > 0 ? actions.join(', ') : 'reports'}`;
  });
  return parts.join('; ') + (all.length > 4 ? `; +${all.length - 4} more` : '');
}

/** Everything the panel reads beside the preview, for one document of our kinds. */
export function readPolicy(doc: PolicyDocument): PolicyReading {
  switch (doc.kind?.language) {
    case 'cilium-network-policy':
      return { directions: directionReadings(doc) };
    case 'tetragon-tracing-policy':
      return { hooks: tracingReadings(doc) };
    default:
      return {};
  }
}
