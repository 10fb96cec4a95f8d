// SPDX-License-Identifier: Apache-2.0
/**
 * The outline of a policy file: each policy document and the rules, services or hooks it holds,
 * with a short summary of each. Computed from the parsed YAML (not from plain data) so it has
 * positions and still works while a document has syntax errors. Editors show it as document
 * symbols; nothing here knows about LSP.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import type { Span } from './findings.js';
import { keyText, type PolicyDocument, type PolicyFile } from './document.js';

/** What an outline entry stands for; adapters map it to their own symbol kinds. */
export type OutlineKind = 'policy' | 'spec' | 'rule' | 'group' | 'service' | 'resource' | 'hook' | 'selector' | 'case';

/** One entry of the outline. */
export interface OutlineNode {
  readonly name: string;
  /** A one-line summary (peers and ports, hook type…); may be empty. */
  readonly detail: string;
  readonly kind: OutlineKind;
  /** The whole entry. */
  readonly span: Span;
  /** The part to reveal when the entry is picked; always inside `span`. */
  readonly selectionSpan: Span;
  readonly children: readonly OutlineNode[];
}

/** Longest detail text we produce; editors truncate anyway, and long summaries are noise. */
const MAX_DETAIL = 100;

/** The outline of every policy document in a file; other Kubernetes objects are left out. */
export function outlineFile(file: PolicyFile): OutlineNode[] {
  const out: OutlineNode[] = [];
  for (const doc of file.documents) {
    const node = outlineDocument(doc);
    if (node) out.push(node);
  }
  return out;
}

/** The outline entry of one document, or undefined when the document is not one of our kinds. */
export function outlineDocument(doc: PolicyDocument): OutlineNode | undefined {
  if (!doc.kind) return undefined;
  const root = doc.yaml.contents as Node | null;
  const span = spanOf(root) ?? doc.span;
  const nameNode = isMap(root) ? mapGet(mapGet(root, 'metadata'), 'name') : undefined;
  const kindNode = isMap(root) ? mapGet(root, 'kind') : undefined;
  const selection = clampInto(spanOf(nameNode) ?? spanOf(kindNode) ?? { start: span.start, end: span.start }, span);
  const spec = isMap(root) ? mapGet(root, 'spec') : undefined;
  let children: OutlineNode[] = [];
  switch (doc.kind.language) {
    case 'cilium-network-policy':
      children = networkPolicyChildren(root);
      break;
    case 'cilium-envoy-config':
      children = envoyConfigChildren(spec);
      break;
    case 'tetragon-tracing-policy':
      children = tracingPolicyChildren(spec);
      break;
    case 'kubernetes-network-policy':
      children = kubernetesPolicyChildren(spec);
      break;
    case 'policy-test':
      children = policyTestChildren(spec);
      break;
  }
  const namespace = doc.namespace ? `namespace ${doc.namespace}` : '';
  return {
    name: `${doc.kind.kind} ${doc.name ?? '(unnamed)'}`,
    detail: namespace,
    kind: 'policy',
    span,
    selectionSpan: selection,
    children,
  };
}

// ---------------------------------------------------------------------------------------------
// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy

const DIRECTIONS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;

function networkPolicyChildren(root: Node | null): OutlineNode[] {
  if (!isMap(root)) return [];
  const out: OutlineNode[] = [];
  const specPair = pairOf(root, 'spec');
  if (specPair && isMap(specPair.value)) out.push(ruleNode('spec', specPair, specPair.value));
  const specsPair = pairOf(root, 'specs');
  if (specsPair && isSeq(specsPair.value)) {
    specsPair.value.items.forEach((item, i) => {
      if (isMap(item)) out.push(ruleNode(`specs[${i}]`, undefined, item));
    });
  }
  return out;
}

/** One rule of a network policy (`spec` or an entry of `specs`) and its direction entries. */
function ruleNode(name: string, pair: Pair | undefined, rule: YAMLMap): OutlineNode {
  const span = pair ? joinSpans(spanOf(pair.key as Node), spanOf(rule)) : spanOf(rule);
  const whole = span ?? { start: 0, end: 0 };
  const children: OutlineNode[] = [];
  for (const direction of DIRECTIONS) {
    const dirPair = pairOf(rule, direction);
    if (!dirPair || !isSeq(dirPair.value)) continue;
    dirPair.value.items.forEach((item, i) => {
      const itemSpan = spanOf(item as Node);
      if (!itemSpan) return;
      children.push({
        name: `${direction}[${i}]`,
        detail: truncate(isMap(item) ? trafficSummary(item) : ''),
        kind: 'rule',
        span: itemSpan,
        selectionSpan: firstKeySpan(item as Node) ?? itemSpan,
        children: [],
      });
    });
  }
  const subject = selectorSubject(rule);
  const description = scalarText(mapGet(rule, 'description'));
  return {
    name,
    detail: truncate([subject, description].filter(Boolean).join(' · ')),
    kind: 'spec',
    span: whole,
    selectionSpan: clampInto((pair ? spanOf(pair.key as Node) : firstKeySpan(rule)) ?? whole, whole),
    children,
  };
}

/** Which endpoints or nodes the rule applies to. */
function selectorSubject(rule: YAMLMap): string {
  const endpoint = mapGet(rule, 'endpointSelector');
  if (endpoint !== undefined) return `endpoints ${selectorText(endpoint)}`;
  const node = mapGet(rule, 'nodeSelector');
  if (node !== undefined) return `nodes ${selectorText(node)}`;
  return '';
}

/** Peers and ports of one ingress/egress entry, e.g. `endpoints app=web · 80/TCP +HTTP`. */
export function trafficSummary(item: YAMLMap): string {
  const peers: string[] = [];
  let ports = '';
  let icmp = false;
  for (const pair of item.items) {
    const key = keyText(pair.key);
    const value = pair.value as Node | null;
    if (!key) continue;
    if (key === 'toPorts') {
      ports = portsText(value);
      continue;
    }
    if (key === 'icmps') {
      icmp = true;
      continue;
    }
    const m = /^(from|to)(.+)$/.exec(key);
    if (!m) continue;
    const what = m[2]!;
    const list = isSeq(value) ? value.items : [];
    const values = list.map((v) => peerText(what, v as Node)).filter((s) => s !== '');
    const label = PEER_LABELS[what] ?? what;
    peers.push(values.length ? `${label} ${values.join(', ')}` : label);
  }
  const parts = [...peers];
  if (ports) parts.push(ports);
  if (icmp) parts.push('ICMP');
  return parts.length ? parts.join(' · ') : 'no peers';
}

const PEER_LABELS: Record<string, string> = {
  Endpoints: 'endpoints',
  Entities: 'entities',
  CIDR: 'CIDR',
  CIDRSet: 'CIDR',
  FQDNs: 'FQDN',
  Services: 'services',
  Nodes: 'nodes',
  Groups: 'groups',
  Requires: 'requires',
};

function peerText(what: string, node: Node | null): string {
  switch (what) {
    case 'Endpoints':
    case 'Nodes':
    case 'Requires':
      return selectorText(node);
    case 'Entities':
    case 'CIDR':
      return scalarText(node) ?? '';
    case 'CIDRSet':
      return (
        scalarText(mapGet(node, 'cidr')) ??
        scalarText(mapGet(node, 'cidrGroupRef')) ??
        (mapGet(node, 'cidrGroupSelector') ? 'group selector' : '')
      );
    case 'FQDNs':
      return scalarText(mapGet(node, 'matchName')) ?? scalarText(mapGet(node, 'matchPattern')) ?? '';
    case 'Services': {
      const k8s = mapGet(node, 'k8sService');
      if (k8s) {
        const name = scalarText(mapGet(k8s, 'serviceName')) ?? '';
        const ns = scalarText(mapGet(k8s, 'namespace'));
        return ns ? `${ns}/${name}` : name;
      }
      return mapGet(node, 'k8sServiceSelector') ? 'selector' : '';
    }
    default:
      return '';
  }
}

function portsText(value: Node | null): string {
  if (!isSeq(value)) return '';
  const ports: string[] = [];
  const l7 = new Set<string>();
  for (const entry of value.items) {
    const portList = mapGet(entry as Node, 'ports');
    if (isSeq(portList)) {
      for (const p of portList.items) {
        const port = scalarText(mapGet(p as Node, 'port')) ?? '*';
        const end = scalarText(mapGet(p as Node, 'endPort'));
        const proto = scalarText(mapGet(p as Node, 'protocol')) ?? 'ANY';
        ports.push(`${port}${end ? `-${end}` : ''}/${proto}`);
      }
    }
    const rules = mapGet(entry as Node, 'rules');
    if (isMap(rules)) {
      for (const pair of rules.items) {
        const key = keyText(pair.key);
        if (key) l7.add(L7_LABELS[key] ?? key);
      }
    }
  }
  const text = ports.length ? ports.join(', ') : 'any port';
  return l7.size ? `${text} +${[...l7].join('+')}` : text;
}

const L7_LABELS: Record<string, string> = { http: 'HTTP', dns: 'DNS', kafka: 'Kafka', l7proto: 'L7' };

/** A label selector in a few characters: `app=web, tier In (a,b)`, or `all` when empty. */
export function selectorText(node: Node | null | undefined): string {
  if (!isMap(node)) return isScalar(node) && node.value === null ? 'all' : '';
  const parts: string[] = [];
  const labels = mapGet(node, 'matchLabels');
  if (isMap(labels)) {
    for (const pair of labels.items) parts.push(`${keyText(pair.key) ?? '?'}=${scalarText(pair.value as Node) ?? ''}`);
  }
  const exprs = mapGet(node, 'matchExpressions');
  if (isSeq(exprs)) {
    for (const e of exprs.items) {
      const key = scalarText(mapGet(e as Node, 'key')) ?? '?';
      const op = scalarText(mapGet(e as Node, 'operator')) ?? '?';
      const values = mapGet(e as Node, 'values');
      const vs = isSeq(values) ? values.items.map((v) => scalarText(v as Node) ?? '').join(',') : '';
      parts.push(vs ? `${key} ${op} (${vs})` : `${key} ${op}`);
    }
  }
  return parts.length ? parts.join(', ') : 'all';
}

// ---------------------------------------------------------------------------------------------
// Kubernetes NetworkPolicy

function kubernetesPolicyChildren(spec: Node | null | undefined): OutlineNode[] {
  if (!isMap(spec)) return [];
  const out: OutlineNode[] = [];
  for (const [direction, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const pair = pairOf(spec, direction);
    if (!pair || !isSeq(pair.value)) continue;
    pair.value.items.forEach((item, i) => {
      const itemSpan = spanOf(item as Node);
      if (!itemSpan) return;
      out.push({
        name: `${direction}[${i}]`,
        detail: truncate(kubernetesRuleSummary(item as Node, peersKey)),
        kind: 'rule',
        span: itemSpan,
        selectionSpan: firstKeySpan(item as Node) ?? itemSpan,
        children: [],
      });
    });
  }
  return out;
}

/** Peers and ports of a Kubernetes NetworkPolicy rule, e.g. `pods app=web · namespaces team=a · 8080/TCP`. */
function kubernetesRuleSummary(item: Node, peersKey: 'from' | 'to'): string {
  const parts: string[] = [];
  const peers = mapGet(item, peersKey);
  if (isSeq(peers) && peers.items.length > 0) {
    for (const peer of peers.items as Node[]) {
      const pod = mapGet(peer, 'podSelector');
      const ns = mapGet(peer, 'namespaceSelector');
      const block = mapGet(peer, 'ipBlock');
      const bits: string[] = [];
      if (ns !== undefined) bits.push(`namespaces ${selectorText(ns)}`);
      if (pod !== undefined) bits.push(`pods ${selectorText(pod)}`);
      if (block !== undefined) bits.push(`CIDR ${scalarText(mapGet(block, 'cidr')) ?? '?'}`);
      parts.push(bits.join(' '));
    }
  } else parts.push(peersKey === 'from' ? 'every source' : 'every destination');
  const ports = mapGet(item, 'ports');
  if (isSeq(ports) && ports.items.length > 0) {
    parts.push(
      (ports.items as Node[])
        .map((p) => {
          const port = scalarText(mapGet(p, 'port')) ?? '*';
          const end = scalarText(mapGet(p, 'endPort'));
          return `${port}${end ? `-${end}` : ''}/${scalarText(mapGet(p, 'protocol')) ?? 'TCP'}`;
        })
        .join(', '),
    );
  }
  return parts.filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------------
// PolicyTest

/** One entry per case: its name, and `from → to port expect`. */
function policyTestChildren(spec: Node | null | undefined): OutlineNode[] {
  const cases = mapGet(spec, 'cases');
  if (!isSeq(cases)) return [];
  const out: OutlineNode[] = [];
  cases.items.forEach((item, i) => {
    const itemSpan = spanOf(item as Node);
    if (!itemSpan) return;
    const nameNode = mapGet(item as Node, 'name');
    const end = (side: string): string => {
      const e = mapGet(item as Node, side);
      if (!isMap(e)) return '?';
      const first = e.items[0];
      const key = first ? keyText(first.key) : undefined;
      if (!first || key === undefined) return '?';
      return key === 'namespace'
        ? `${scalarText(first.value as Node) ?? '?'} pod`
        : `${key} ${scalarText(first.value as Node) ?? '?'}`;
    };
    const port = scalarText(mapGet(item as Node, 'port'));
    const protocol = scalarText(mapGet(item as Node, 'protocol'));
    const expect = scalarText(mapGet(item as Node, 'expect'));
    const detail = [
      `${end('from')} → ${end('to')}`,
      [port, protocol].filter(Boolean).join('/'),
      expect ? `expect ${expect}` : '',
    ];
    out.push({
      name: scalarText(nameNode) ?? `cases[${i}]`,
      detail: truncate(detail.filter(Boolean).join(' · ')),
      kind: 'case',
      span: itemSpan,
      selectionSpan: clampInto(spanOf(nameNode) ?? firstKeySpan(item as Node) ?? itemSpan, itemSpan),
      children: [],
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// CiliumEnvoyConfig / CiliumClusterwideEnvoyConfig

function envoyConfigChildren(spec: Node | null | undefined): OutlineNode[] {
  if (!isMap(spec)) return [];
  const out: OutlineNode[] = [];
  for (const [key, label] of [
    ['services', 'service'],
    ['backendServices', 'backend service'],
  ] as const) {
    const pair = pairOf(spec, key);
    if (!pair || !isSeq(pair.value)) continue;
    out.push(
      group(
        key,
        pair,
        (pair.value.items as Node[]).map((item, i) => {
          const name = scalarText(mapGet(item, 'name')) ?? `${key}[${i}]`;
          const ns = scalarText(mapGet(item, 'namespace'));
          const ports = mapGet(item, key === 'services' ? 'ports' : 'number');
          const portText = isSeq(ports) ? ports.items.map((p) => scalarText(p as Node) ?? '').join(', ') : '';
          const listener = scalarText(mapGet(item, 'listener'));
          const detail = [
            label,
            ns ? `namespace ${ns}` : '',
            portText ? `ports ${portText}` : '',
            listener ? `→ ${listener}` : '',
          ];
          return leaf(name, detail.filter(Boolean).join(' · '), 'service', item, mapGet(item, 'name'));
        }),
      ),
    );
  }
  const resources = pairOf(spec, 'resources');
  if (resources && isSeq(resources.value)) {
    out.push(
      group(
        'resources',
        resources,
        (resources.value.items as Node[]).map((item, i) => {
          const type = scalarText(mapGet(item, '@type')) ?? '';
          const short = type.replace(/^.*\//, '').replace(/^envoy\.(config|extensions)\.(.+\.)?v\d+\./, '');
          const name = scalarText(mapGet(item, 'name')) ?? `resources[${i}]`;
          return leaf(name, short, 'resource', item, mapGet(item, 'name'));
        }),
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TracingPolicy / TracingPolicyNamespaced

/** Hook lists of a tracing policy, how each entry is named, and the label shown beside it. */
const HOOKS: readonly { key: string; label: string; name: (item: Node) => string | undefined }[] = [
  { key: 'kprobes', label: 'kprobe', name: (n) => scalarText(mapGet(n, 'call')) },
  {
    key: 'tracepoints',
    label: 'tracepoint',
    name: (n) => {
      const sub = scalarText(mapGet(n, 'subsystem'));
      const ev = scalarText(mapGet(n, 'event'));
      return sub || ev ? `${sub ?? '?'}/${ev ?? '?'}` : undefined;
    },
  },
  { key: 'lsmhooks', label: 'LSM hook', name: (n) => scalarText(mapGet(n, 'hook')) },
  { key: 'uprobes', label: 'uprobe', name: (n) => scalarText(mapGet(n, 'path')) },
  {
    key: 'usdts',
    label: 'USDT',
    name: (n) => {
      const provider = scalarText(mapGet(n, 'provider'));
      const name = scalarText(mapGet(n, 'name'));
      return provider || name ? `${provider ?? '?'}:${name ?? '?'}` : scalarText(mapGet(n, 'path'));
    },
  },
];

function tracingPolicyChildren(spec: Node | null | undefined): OutlineNode[] {
  if (!isMap(spec)) return [];
  const out: OutlineNode[] = [];
  for (const hook of HOOKS) {
    const pair = pairOf(spec, hook.key);
    if (!pair || !isSeq(pair.value)) continue;
    pair.value.items.forEach((item, i) => {
      const itemSpan = spanOf(item as Node);
      if (!itemSpan) return;
      const name = hook.name(item as Node) ?? `${hook.key}[${i}]`;
      const detail = [hook.label, hookDetail(hook.key, item as Node)].filter(Boolean).join(' · ');
      const selectors = mapGet(item as Node, 'selectors');
      const children: OutlineNode[] = [];
      if (isSeq(selectors)) {
        selectors.items.forEach((sel, j) => {
          const selSpan = spanOf(sel as Node);
          if (!selSpan) return;
          children.push({
            name: `selectors[${j}]`,
            detail: truncate(isMap(sel) ? tracingSelectorSummary(sel) : ''),
            kind: 'selector',
            span: selSpan,
            selectionSpan: firstKeySpan(sel as Node) ?? selSpan,
            children: [],
          });
        });
      }
      out.push({
        name,
        detail: truncate(detail),
        kind: 'hook',
        span: itemSpan,
        selectionSpan: clampInto(
          spanOf(HOOK_NAME_KEYS[hook.key]?.map((k) => mapGet(item as Node, k)).find((n) => n !== undefined)) ??
            itemSpan,
          itemSpan,
        ),
        children,
      });
    });
  }
  return out;
}

const HOOK_NAME_KEYS: Record<string, string[]> = {
  kprobes: ['call'],
  tracepoints: ['subsystem', 'event'],
  lsmhooks: ['hook'],
  uprobes: ['path'],
  usdts: ['provider', 'name', 'path'],
};

function hookDetail(key: string, item: Node): string {
  const parts: string[] = [];
  if (key === 'kprobes' && scalarText(mapGet(item, 'syscall')) === 'true') parts.push('syscall');
  if (key === 'kprobes' && scalarText(mapGet(item, 'return')) === 'true') parts.push('return');
  if (key === 'uprobes') {
    const symbols = mapGet(item, 'symbols');
    if (isSeq(symbols)) parts.push(`symbols ${symbols.items.map((s) => scalarText(s as Node) ?? '').join(', ')}`);
  }
  const args = mapGet(item, 'args');
  if (isSeq(args) && args.items.length) parts.push(`${args.items.length} arg${args.items.length === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** `matchArgs(2) · matchBinaries · action Sigkill` for one selector of a hook. */
export function tracingSelectorSummary(selector: YAMLMap): string {
  const parts: string[] = [];
  let actions: string[] = [];
  for (const pair of selector.items) {
    const key = keyText(pair.key);
    if (!key) continue;
    const value = pair.value as Node | null;
    if (key === 'matchActions') {
      actions = isSeq(value) ? value.items.map((a) => scalarText(mapGet(a as Node, 'action')) ?? '?') : [];
      continue;
    }
    parts.push(isSeq(value) && value.items.length > 1 ? `${key}(${value.items.length})` : key);
  }
  if (actions.length) parts.push(`action ${actions.join(', ')}`);
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Helpers

function group(name: string, pair: Pair, children: OutlineNode[]): OutlineNode {
  const span = joinSpans(spanOf(pair.key as Node), spanOf(pair.value as Node)) ?? { start: 0, end: 0 };
  return {
    name,
    detail: `${children.length} entr${children.length === 1 ? 'y' : 'ies'}`,
    kind: 'group',
    span,
    selectionSpan: clampInto(spanOf(pair.key as Node) ?? span, span),
    children,
  };
}

function leaf(name: string, detail: string, kind: OutlineKind, item: Node, nameNode: Node | undefined): OutlineNode {
  const span = spanOf(item) ?? { start: 0, end: 0 };
  return {
    name,
    detail: truncate(detail),
    kind,
    span,
    selectionSpan: clampInto(spanOf(nameNode) ?? firstKeySpan(item) ?? span, span),
    children: [],
  };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyText(p.key) === key);
}

function mapGet(node: Node | null | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  const pair = pairOf(node, key);
  return pair ? ((pair.value as Node | null) ?? (pair.key as Node)) : undefined;
}

function scalarText(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

function spanOf(node: Node | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

function firstKeySpan(node: Node | null | undefined): Span | undefined {
  if (!isMap(node) || node.items.length === 0) return undefined;
  return spanOf(node.items[0]!.key as Node);
}

function joinSpans(a: Span | undefined, b: Span | undefined): Span | undefined {
  if (!a) return b;
  if (!b) return a;
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Keeps a selection span inside its entry's span, as LSP requires of document symbols. */
function clampInto(inner: Span, outer: Span): Span {
  if (inner.start >= outer.start && inner.end <= outer.end) return inner;
  return { start: outer.start, end: outer.start };
}

function truncate(s: string): string {
  return s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL - 1)}…` : s;
}
