// SPDX-License-Identifier: Apache-2.0
/**
 * Completion and hover inside a PolicyTest, from the inventory an engine resolves against: the
 * workloads, services, namespaces and nodes an endpoint may name, the entities, and the ports the
 * destination declares. Keys, enums and descriptions come from the bundled schema; this module
 * only answers where the inventory knows more. Pure: the adapter hands the engine over.
 */
import { pathAt } from '../core/path-at.js';
import type { PolicyDocument, PolicyFile } from '../core/document.js';
import { obj, str } from '../core/data.js';
import { entityMeaning } from '../core/cilium/entities.js';
import { markdownCode, markdownText } from '../core/display-text.js';
import type { Endpoint, Inventory } from '../core/inventory.js';
import type { AssistCompletions, AssistItem } from '../core/tetragon-assist.js';
import { ENDPOINT_ENTITIES, type EndpointSpec, type FlowEnd } from './endpoints.js';
import type { VerdictEngine } from './engine.js';

/**
 * The reference a PolicyTest writes for each workload: `NAMESPACE/NAME`, or `Kind/NAMESPACE/NAME`
 * when another kind has the same namespace and name.
 */
export function workloadRefs(inventory: Inventory): Map<Endpoint, string> {
  const count = new Map<string, number>();
  for (const e of inventory.endpoints) {
    const k = `${e.namespace}/${e.name}`;
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const out = new Map<Endpoint, string>();
  for (const e of inventory.endpoints) {
    const k = `${e.namespace}/${e.name}`;
    out.set(e, (count.get(k) ?? 0) > 1 ? `${e.kind}/${k}` : k);
  }
  return out;
}

/** `app=web, tier=front` (at most four labels, then `…`). */
function labelSummary(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  const shown = keys.slice(0, 4).map((k) => `${k}=${labels[k]}`);
  return keys.length > 4 ? `${shown.join(', ')}, …` : shown.join(', ');
}

/** The namespaces of an inventory: declared ones and those its objects live in, sorted. */
export function inventoryNamespaces(inventory: Inventory): string[] {
  const names = new Set<string>();
  for (const n of inventory.namespaces) names.add(n.name);
  for (const e of inventory.endpoints) names.add(e.namespace);
  for (const s of inventory.services) names.add(s.namespace);
  return [...names].sort();
}

/** Which endpoint field of which case the path is on, if any. */
function endpointField(
  path: readonly (string | number)[],
): { readonly caseIndex: number; readonly side: 'from' | 'to'; readonly field: string } | undefined {
  if (path.length !== 5 || path[0] !== 'spec' || path[1] !== 'cases' || typeof path[2] !== 'number') return undefined;
  const side = path[3];
  if ((side !== 'from' && side !== 'to') || typeof path[4] !== 'string') return undefined;
  return { caseIndex: path[2], side, field: path[4] };
}

/** The endpoint spec written at `spec.cases[i].<side>`, when it has one form the engine can resolve. */
function writtenEndpoint(doc: PolicyDocument, caseIndex: number, side: 'from' | 'to'): EndpointSpec | undefined {
  const cases = obj(obj(doc.data)?.['spec'])?.['cases'];
  const c = Array.isArray(cases) ? obj(cases[caseIndex]) : undefined;
  const e = obj(c?.[side]);
  if (!e) return undefined;
  for (const form of ['workload', 'service', 'node', 'entity', 'ip'] as const) {
    const v = str(e[form]);
    if (v !== undefined && v !== '') return { [form]: v } as EndpointSpec;
  }
  const fqdn = str(e['fqdn']);
  if (fqdn) return { fqdn, ...(str(e['ip']) ? { ip: str(e['ip']) as string } : {}) };
  const ns = str(e['namespace']);
  if (ns) return { namespace: ns };
  return undefined;
}

/** The ports a destination declares, as completion items (names first, then numbers). */
function portItems(end: FlowEnd): AssistItem[] {
  const items: AssistItem[] = [];
  const seen = new Set<string>();
  const add = (label: string, detail: string, documentation?: string): void => {
    if (seen.has(label)) return;
    seen.add(label);
    items.push({ label, detail, kind: 'port', ...(documentation ? { documentation } : {}) });
  };
  if (end.role === 'pod') {
    const ports = end.ports ?? [];
    for (const p of ports)
      if (p.name) add(p.name, `${p.containerPort}/${p.protocol}`, `container port of ${end.display}`);
    for (const p of ports) add(String(p.containerPort), `${p.protocol}${p.name ? ` (${p.name})` : ''}`);
  } else if (end.role === 'service') {
    for (const p of end.service.ports)
      if (p.name) add(p.name, `service port ${p.port}/${p.protocol}`, `port of service ${end.display}`);
    for (const p of end.service.ports) add(String(p.port), `service port ${p.protocol}${p.name ? ` (${p.name})` : ''}`);
  }
  return items;
}

/**
 * Completion at an offset of a PolicyTest document: workload, service, namespace and node names
 * from the inventory, entity names, and the destination's port names and numbers. Undefined where
 * the inventory has nothing to add (the schema's completion then answers).
 */
export function policyTestCompletions(
  file: PolicyFile,
  doc: PolicyDocument,
  offset: number,
  engine: VerdictEngine,
): AssistCompletions | undefined {
  if (doc.kind?.language !== 'policy-test') return undefined;
  const at = pathAt(doc, file.text, offset);
  if (!at || at.position !== 'value') return undefined;
  const inventory = engine.resolver.inventory;
  const replaceSpan = at.node ? at.span : undefined;
  const done = (items: AssistItem[]): AssistCompletions | undefined =>
    items.length > 0 ? { items, ...(replaceSpan ? { replaceSpan } : {}) } : undefined;
  const p = at.path;
  const ep = endpointField(p);
  if (ep) {
    switch (ep.field) {
      case 'workload': {
        const refs = workloadRefs(inventory);
        return done(
          [...inventory.endpoints]
            .sort((a, b) => (refs.get(a)! < refs.get(b)! ? -1 : 1))
            .map((e) => ({
              label: refs.get(e)!,
              detail: [e.kind, labelSummary(e.labels)].filter(Boolean).join(' · '),
              kind: 'workload' as const,
            })),
        );
      }
      case 'service':
        if (ep.side !== 'to') return undefined;
        return done(
          inventory.services.map((s) => ({
            label: `${s.namespace}/${s.name}`,
            detail: s.ports.map((x) => `${x.port}/${x.protocol}${x.name ? ` (${x.name})` : ''}`).join(', '),
            kind: 'service' as const,
          })),
        );
      case 'namespace':
        return done(inventoryNamespaces(inventory).map((n) => ({ label: n, kind: 'namespace' as const })));
      case 'node':
        return done(
          inventory.nodes.map((n) => ({ label: n.name, detail: labelSummary(n.labels), kind: 'node' as const })),
        );
      case 'entity':
        return done(
          ENDPOINT_ENTITIES.map((e) => ({
            label: e,
            ...(entityMeaning(e) ? { detail: entityMeaning(e) } : {}),
            kind: 'entity' as const,
          })),
        );
      default:
        return undefined;
    }
  }
  if (p.length === 4 && p[0] === 'spec' && p[1] === 'cases' && typeof p[2] === 'number' && p[3] === 'port') {
    const to = writtenEndpoint(doc, p[2], 'to');
    if (!to) return undefined;
    const r = engine.resolve(to, false);
    return r.ok ? done(portItems(r.end)) : undefined;
  }
  return undefined;
}

/** What an endpoint resolves to, in Markdown, for a hover over its value. */
function describeEnd(end: FlowEnd): string {
  const lines: string[] = [];
  switch (end.role) {
    case 'pod': {
      const e = end.endpoint;
      lines.push(
        e
          ? `**${markdownCode(e.kind)}** ${markdownCode(end.display)}`
          : `an ad-hoc pod of ${markdownCode(end.namespace)}`,
      );
      if (e && Object.keys(e.labels).length > 0) lines.push(`labels: ${markdownCode(labelSummary(e.labels))}`);
      if (e?.serviceAccount) lines.push(`service account: ${markdownCode(e.serviceAccount)}`);
      if (end.nodeName) lines.push(`node: ${markdownCode(end.nodeName)}`);
      const ports = end.ports ?? [];
      if (ports.length > 0)
        lines.push(
          `ports: ${ports.map((x) => markdownCode(`${x.containerPort}/${x.protocol}${x.name ? ` ${x.name}` : ''}`)).join(', ')}`,
        );
      break;
    }
    case 'service':
      lines.push(`**Service** ${markdownCode(end.display.replace(/^service /, ''))}`);
      lines.push(
        end.backends.length > 0
          ? `backends: ${end.backends
              .slice(0, 8)
              .map((b) => markdownCode(b.display))
              .join(', ')}${end.backends.length > 8 ? ', …' : ''}`
          : 'no backend in the inventory: its verdicts are unknown',
      );
      if (end.service.ports.length > 0)
        lines.push(
          `ports: ${end.service.ports.map((x) => markdownCode(`${x.port}/${x.protocol}${x.name ? ` ${x.name}` : ''}`)).join(', ')}`,
        );
      break;
    case 'node':
      lines.push(
        end.node
          ? `**Node** ${markdownCode(end.node.name)} (its host endpoint)`
          : `the host endpoint of ${end.placement === 'remote-node' ? 'another node' : 'a node'}`,
      );
      break;
    case 'reserved': {
      const meaning = entityMeaning(end.entity);
      lines.push(`the reserved identity ${markdownCode(end.entity)}${meaning ? `: ${meaning}` : ''}`);
      break;
    }
    case 'world':
      lines.push(
        `outside the cluster (${markdownCode('world')})${end.addressText ? `, address ${markdownCode(end.addressText)}` : ''}`,
      );
      break;
    case 'unknown':
      lines.push(`cannot be placed: ${end.reason.message}`);
      break;
  }
  return lines.join('  \n');
}

/**
 * Hover over an endpoint value of a case (`workload: shop/api`): what the inventory has for it, or
 * why it does not resolve. Undefined elsewhere (the schema's description answers).
 */
export function policyTestHover(
  file: PolicyFile,
  doc: PolicyDocument,
  offset: number,
  engine: VerdictEngine,
): { markdown: string; span: { start: number; end: number } } | undefined {
  if (doc.kind?.language !== 'policy-test') return undefined;
  const at = pathAt(doc, file.text, offset);
  if (!at || at.position !== 'value' || !at.node) return undefined;
  const ep = endpointField(at.path);
  if (!ep || ep.field === 'labels') return undefined;
  const spec = writtenEndpoint(doc, ep.caseIndex, ep.side);
  if (!spec) return undefined;
  const r = engine.resolve(spec, ep.side === 'from');
  return { markdown: r.ok ? describeEnd(r.end) : `**Not found:** ${markdownText(r.message)}`, span: at.span };
}
