// SPDX-License-Identifier: Apache-2.0
/**
 * How the endpoint preview's workloads, peers and ports read, for every place that shows them:
 * the VS Code preview panel and Endpoints view (bounded, one piece per list column and tooltip)
 * and `cilium-policy preview`'s text output (one line each). One formatter, so the words cannot
 * drift apart between the editor and the CLI.
 *
 * The input is typed loosely (`unknown`): the client formats what came over the wire, and a
 * hostile policy can put anything in a label. Every piece of text goes through a {@link Clip},
 * which the editor sets to {@link plain} (bounded, no control characters) and the CLI to
 * {@link unbounded}. Imports nothing at run time, so the VS Code client may use it.
 */
import { entityMeaning } from './cilium/entities.js';

/** Turns a value into text of at most `max` characters (or ignores `max`). */
export type Clip = (value: unknown, max: number) => string;

/** Longest string shown anywhere in the panel; a 10,000-character label must not swamp it. */
export const MAX_TEXT = 200;
/** Labels listed in a tooltip before "and N more". */
export const MAX_LABELS = 30;

/**
 * Control characters and bidirectional overrides: they could reorder or hide what a label says
 * (a "trojan source" name), and they have no business in a workload name.
 */

const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Any value as text: strings as they are, other values as JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * Any value as one line of plain text of at most `max` characters (code points), ending in `…`
 * when cut. Markup is not escaped here: the webview only ever assigns it with `textContent`, so
 * `<script>` stays literal text; what this guards against is length and invisible characters.
 */
export function plain(value: unknown, max: number = MAX_TEXT): string {
  let s = textOf(value);
  // A huge string is cut before the replace so the cost does not depend on its length.
  if (s.length > max * 2 + 8) s = s.slice(0, max * 2 + 8);
  s = s.replace(UNSAFE_CHARS, ' ');
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The {@link Clip} of plain-text output: the whole value, as written. */
export const unbounded: Clip = (value) => textOf(value);

function isRec(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `key=value` lines, sorted, at most {@link MAX_LABELS}, for a tooltip. */
export function labelLines(labels: Readonly<Record<string, unknown>> | undefined, clip: Clip = plain): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const keys = Object.keys(labels).sort();
  const lines = keys.slice(0, MAX_LABELS).map((k) => `${clip(k, 80)}=${clip(labels[k], 120)}`);
  if (keys.length > MAX_LABELS) lines.push(`… and ${keys.length - MAX_LABELS} more labels`);
  return lines;
}

/** `namespace/name`, or `name` for cluster-scoped objects (nodes). */
export function qualifiedName(namespace: unknown, name: unknown, max = MAX_TEXT, clip: Clip = plain): string {
  const ns = typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : '';
  return clip(`${ns}${typeof name === 'string' ? name : clip(name, MAX_TEXT)}`, max);
}

/** The kinds of peer, for icons and CSS classes. */
export type PeerType = 'endpoint' | 'node' | 'entity' | 'cidr' | 'fqdn' | 'service' | 'cidrGroup' | 'group' | 'other';

/** A workload, a node or a peer, in words. */
export interface PeerText {
  readonly type: PeerType;
  /** The peer itself: `shop/web`, `world`, `10.0.0.0/8 except 10.1.0.0/16`, `api.github.com`. */
  readonly text: string;
  /** What it is, in a word or two: `Deployment`, `entity`, `CIDR`, `DNS name`, `service`. */
  readonly detail: string;
  /** The tooltip: kind and name with one label per line, or an entity and what it stands for. */
  readonly title: string;
  /** One line of plain text: `shop/web (Deployment)`, `node n1`, `entity world`, `fqdn api.github.com`. */
  readonly line: string;
}

/** A workload (or a node, kind `Node`) of the inventory. */
export function endpointText(
  e: { kind?: unknown; namespace?: unknown; name?: unknown; labels?: unknown },
  clip: Clip = plain,
): PeerText {
  const kind = clip(e.kind, 40);
  const node = kind === 'Node';
  const text = qualifiedName(e.namespace, e.name, MAX_TEXT, clip);
  const labels = labelLines(isRec(e.labels) ? e.labels : undefined, clip);
  return {
    type: node ? 'node' : 'endpoint',
    text,
    detail: kind || 'workload',
    title: [`${kind} ${text}`, ...labels].join('\n'),
    line: node ? `node ${text}` : `${text} (${kind})`,
  };
}

/** One peer of a rule (a `Peer` of the preview, or whatever came in its place). */
export function peerText(raw: unknown, clip: Clip = plain): PeerText {
  const other = (): PeerText => ({
    type: 'other',
    text: clip(raw, MAX_TEXT),
    detail: 'peer',
    title: clip(raw, 400),
    line: `peer ${clip(raw, 400)}`,
  });
  if (!isRec(raw)) return other();
  if (isRec(raw['endpoint'])) return endpointText(raw['endpoint'], clip);
  if (raw['entity'] !== undefined) {
    const entity = clip(raw['entity'], 60);
    const meaning = entityMeaning(entity);
    return {
      type: 'entity',
      text: entity,
      detail: 'entity',
      title: meaning ? `entity ${entity}: ${meaning}` : `entity ${entity}`,
      line: `entity ${entity}`,
    };
  }
  if (raw['cidr'] !== undefined) {
    const except = Array.isArray(raw['except']) ? raw['except'].map((e) => clip(e, 50)) : [];
    const cidr = clip(raw['cidr'], 50);
    const text = except.length > 0 ? `${cidr} except ${except.join(', ')}` : cidr;
    return { type: 'cidr', text: clip(text, MAX_TEXT), detail: 'CIDR', title: clip(text, 400), line: `cidr ${text}` };
  }
  if (raw['fqdn'] !== undefined) {
    const fqdn = clip(raw['fqdn'], MAX_TEXT);
    return { type: 'fqdn', text: fqdn, detail: 'DNS name', title: `DNS name ${fqdn}`, line: `fqdn ${fqdn}` };
  }
  if (isRec(raw['service'])) {
    const s = raw['service'];
    const name = s['name'] === null || s['name'] === undefined ? undefined : s['name'];
    const ns = s['namespace'] === null || s['namespace'] === undefined ? undefined : s['namespace'];
    const text =
      name !== undefined
        ? qualifiedName(ns ?? '*', name, MAX_TEXT, clip)
        : `selector ${clip(s['selector'] ?? {}, 150)}${ns !== undefined ? ` in ${clip(ns, 60)}` : ''}`;
    const missing = s['found'] === false ? ' (not in the inventory)' : '';
    return {
      type: 'service',
      text: clip(`${text}${missing}`, MAX_TEXT),
      detail: 'service',
      title: clip(`service ${text}${missing}`, 400),
      line: `service ${text}${missing}`,
    };
  }
  if (raw['cidrGroup'] !== undefined) {
    const g = clip(raw['cidrGroup'], MAX_TEXT);
    return { type: 'cidrGroup', text: g, detail: 'CIDR group', title: `CiliumCIDRGroup ${g}`, line: `cidr group ${g}` };
  }
  if (raw['group'] !== undefined) {
    const g = clip(raw['group'], MAX_TEXT);
    return {
      type: 'group',
      text: g,
      detail: 'group',
      title: clip(`cloud provider group ${clip(raw['group'], 400)}`, 400),
      line: `group ${g}`,
    };
  }
  return other();
}

/** One port of a rule: `80/TCP`, `8000-8080/TCP`, `any port/TCP`, `ICMP type 8`, or the raw value. */
export function portText(p: unknown, clip: Clip = plain): string {
  if (!isRec(p)) return clip(p, 60);
  if (p['icmpType'] !== undefined) return clip(`${str(p['protocol']) ?? 'ICMP'} type ${clip(p['icmpType'], 20)}`, 60);
  if (p['port'] !== undefined) {
    const end = typeof p['endPort'] === 'number' ? `-${p['endPort']}` : '';
    const proto = str(p['protocol']) ?? 'ANY';
    const port = clip(p['port'], 30);
    let text = `${port === '0' ? 'any port' : port}${end}/${clip(proto, 12)}`;
    // L7 rules, should the preview ever carry them: name the protocols they inspect.
    if (isRec(p['rules']))
      text += ` (L7: ${Object.keys(p['rules'])
        .map((k) => clip(k, 12))
        .join(', ')})`;
    return clip(text, 80);
  }
  return clip(p, 80);
}
