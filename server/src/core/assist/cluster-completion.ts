// SPDX-License-Identifier: Apache-2.0
/**
 * Completion from what the server knows beyond the schema:
 *
 * - where a document starts (an empty file, after `---`): our six kinds as `apiVersion`/`kind`
 *   pairs with a skeleton, and the whole-document templates of the snippet files;
 * - at the top level of one of our documents: the top-level keys it still lacks (never `status`,
 *   never a nested key at column 0), and a skeleton below a bare `apiVersion`/`kind`;
 * - from the inventory: namespaces (`metadata.namespace`, the namespace label), label keys and
 *   values in selectors (keys of the workloads in scope first, each value with how many workloads
 *   carry it), node labels in `nodeSelector` and node peers, container ports in `toPorts`, service
 *   names and namespaces in `toServices`, service accounts.
 *
 * Pure and protocol-free: the language server turns the items into LSP items and merges them with
 * the schema's (yaml-language-server). Lookups go through {@link ClusterFacts}, indexed once per
 * inventory.
 */
import type { PolicyDocument, PolicyFile } from '../document.js';
import type { Span } from '../findings.js';
import type { Endpoint } from '../inventory.js';
import { KINDS, type KindInfo } from '../kinds.js';
import { obj, str, type Obj } from '../data.js';
import { markdownCode, markdownText } from '../display-text.js';
import { effectiveNamespace, previewDetails, type EndpointIndex } from '../preview.js';
import { DEFAULT_NAMESPACE, inIdentity, LABEL, parseSelectorKey } from '../selectors.js';
import { isReleaseLabel, isRolloutLabel } from '../stable-labels.js';
import { expandSnippet, yamlString, type PolicyTemplate } from '../templates.js';
import { clusterFacts, type ClusterFacts, type KeyStat, type ValueStat } from './cluster-facts.js';
import { describeLabelKey, type SelectorFlavour } from './label-keys.js';
import { skeletonBody, skeletonDocument } from './skeletons.js';
import { dataPath, keyPath, yamlContext, type YamlContext } from './yaml-context.js';

/** What an item stands for (the adapter picks an icon from it). */
export type ClusterItemKind =
  'kind' | 'template' | 'skeleton' | 'key' | 'namespace' | 'label-key' | 'label-value' | 'port' | 'service';

/** One completion item, protocol-free. */
export interface ClusterItem {
  readonly label: string;
  readonly kind: ClusterItemKind;
  /** Inserted in place of the typed text; snippet syntax when {@link ClusterItem.snippet}. */
  readonly insertText: string;
  readonly snippet?: boolean;
  /** What the typed text is matched against, when it is not the label. */
  readonly filterText?: string;
  readonly detail?: string;
  /** Markdown; user text in it is quoted. */
  readonly documentation?: string;
}

/** The answer: items best first, the span they replace, and whether the schema's items are unwanted. */
export interface ClusterCompletions {
  readonly items: readonly ClusterItem[];
  readonly replace: Span;
  /** True where the schema's completions would be wrong (document start, the top level). */
  readonly exclusive: boolean;
  /** The cursor's context. */
  readonly context: YamlContext;
  /** Labels of the schema's items not to offer here (server-set metadata, `status`). */
  readonly dropSchema: ReadonlySet<string>;
  /** Labels of the schema's items to put first, in this order (`name`, `namespace`… under `metadata`). */
  readonly schemaFirst: readonly string[];
}

const NOTHING: ReadonlySet<string> = new Set();

/** Inputs of {@link clusterCompletions}. */
export interface ClusterAssistInput {
  readonly file: PolicyFile;
  readonly offset: number;
  /** The inventory to complete from; undefined when none is loaded. */
  readonly index?: EndpointIndex | undefined;
  /** Whole-document templates (the snippet files), offered where a document starts. */
  readonly templates?: readonly PolicyTemplate[];
}

/** Keys the API server sets; never offered under `metadata`. */
export const SERVER_SET_METADATA: ReadonlySet<string> = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
]);

/** The order of the keys a user writes under `metadata`. */
export const METADATA_ORDER: readonly string[] = ['name', 'namespace', 'labels', 'annotations'];

/** Items listed per list: enough to choose from, few enough to stay fast. */
const MAX_ITEMS = 200;

// ---------------------------------------------------------------------------------------------
// Where the cursor is

/** The document region holding an offset: from its `---` (or the file start) to the next one. */
function regionAt(file: PolicyFile, offset: number): { doc: PolicyDocument | undefined; start: number; end: number } {
  const docs = file.documents;
  let lo = 0;
  let hi = docs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]!.span.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return { doc: docs[0], start: 0, end: docs[0]?.span.start ?? file.text.length };
  const start = found === 0 ? 0 : docs[found]!.span.start;
  const end = found + 1 < docs.length ? docs[found + 1]!.span.start : file.text.length;
  return { doc: docs[found], start, end };
}

/** True when the region holds nothing but blank lines, comments, `---` and the cursor's line. */
function onlyCursorLine(text: string, start: number, end: number, offset: number): boolean {
  let lineStart = offset;
  while (lineStart > start && text[lineStart - 1] !== '\n') lineStart--;
  let lineEnd = offset;
  while (lineEnd < end && text[lineEnd] !== '\n') lineEnd++;
  const others = text.slice(start, lineStart) + text.slice(lineEnd, end);
  return others.split('\n').every((l) => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)(\s.*)?\s*$/.test(l));
}

/** Data at a path, or undefined. */
function dataAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (obj(cur)) cur = (cur as Obj)[String(seg)];
    else return undefined;
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Completions at an offset, or undefined when the server knows nothing the schema does not (the
 * adapter then offers the schema's items alone). Documents of other kinds (a Deployment) get
 * nothing, so other YAML tooling keeps serving them.
 */
export function clusterCompletions(input: ClusterAssistInput): ClusterCompletions | undefined {
  const { file, offset } = input;
  const region = regionAt(file, offset);
  const ctx = yamlContext(file.text, region.start, offset);
  if (!ctx) return undefined;
  const doc = region.doc && region.doc.span.start <= offset ? region.doc : undefined;
  const facts = input.index ? clusterFacts(input.index.inventory) : undefined;
  const answer = (items: readonly ClusterItem[], exclusive: boolean, drop = NOTHING, first: string[] = []) => ({
    items: items.slice(0, MAX_ITEMS),
    replace: ctx.replace,
    exclusive,
    context: ctx,
    dropSchema: drop,
    schemaFirst: first,
  });

  // A new document: nothing but the line being typed.
  if (ctx.path.length === 0 && ctx.position === 'key' && ctx.column === 0) {
    if (onlyCursorLine(file.text, region.start, region.end, offset))
      return answer(documentStart(facts, input.templates), true);
  }
  if (!doc?.kind || doc.templated) {
    // A document that names no kind yet: help with `apiVersion` and `kind` only.
    if (doc?.kind === undefined && ctx.path.length === 0 && ctx.position === 'value' && !otherKind(doc)) {
      const values = kindValues(ctx);
      if (values) return answer(values, true);
    }
    return undefined;
  }
  const kind = doc.kind;
  if (ctx.path.length === 0) {
    if (ctx.position === 'value') {
      const values = ctx.key === 'kind' || ctx.key === 'apiVersion' ? kindValues(ctx) : undefined;
      return values ? answer(values, true) : answer([], false, new Set(['status']));
    }
    return answer(topLevel(ctx, kind, facts), true);
  }
  // Under metadata: what a user writes, in the order one writes it; nothing the API server sets.
  if (ctx.path.length === 1 && 'key' in ctx.path[0]! && ctx.path[0].key === 'metadata' && ctx.position === 'key') {
    const drop = new Set(SERVER_SET_METADATA);
    if (!kind.namespaced) drop.add('namespace');
    return answer([], false, drop, [...METADATA_ORDER]);
  }
  const items = facts ? fromInventory(ctx, doc, kind, facts, input.index!) : undefined;
  return answer(items ?? [], false);
}

/** True when the document names a kind that is not one of ours (a Deployment). */
function otherKind(doc: PolicyDocument | undefined): boolean {
  const k = obj(doc?.data)?.['kind'];
  return typeof k === 'string' && k !== '' && !KINDS.some((x) => x.kind.startsWith(k));
}

// ---------------------------------------------------------------------------------------------
// Document start and top level

function documentStart(
  facts: ClusterFacts | undefined,
  templates: readonly PolicyTemplate[] | undefined,
): ClusterItem[] {
  const namespaces = facts?.namespaces().map((n) => n.name) ?? [];
  const items: ClusterItem[] = KINDS.map((k) => {
    const snippet = skeletonDocument(k, namespaces);
    return {
      label: k.kind,
      kind: 'kind',
      insertText: snippet,
      snippet: true,
      filterText: k.kind,
      detail: `${k.apiVersion} · new ${k.shortName}`,
      documentation: `${markdownText(k.summary)}.\n\n\`\`\`yaml\n${expandSnippet(snippet)}\`\`\``,
    };
  });
  for (const t of templates ?? []) {
    items.push({
      label: t.id,
      kind: 'template',
      insertText: t.body,
      snippet: true,
      filterText: t.id,
      detail: `${t.kind}: ${t.label}`,
      documentation: `${markdownText(t.description)}\n\n\`\`\`yaml\n${expandSnippet(t.body)}\`\`\``,
    });
  }
  return items;
}

/** `apiVersion:` and `kind:` values in a document that names no kind yet. */
function kindValues(ctx: YamlContext): ClusterItem[] | undefined {
  if (ctx.key === 'kind') {
    return KINDS.map((k) => ({
      label: k.kind,
      kind: 'kind' as const,
      insertText: k.kind,
      detail: k.apiVersion,
      documentation: markdownText(`${k.summary}.`),
    }));
  }
  if (ctx.key === 'apiVersion') {
    const versions = [...new Set(KINDS.map((k) => k.apiVersion))];
    return versions.map((v) => ({
      label: v,
      kind: 'kind' as const,
      insertText: v,
      detail: KINDS.filter((k) => k.apiVersion === v)
        .map((k) => k.kind)
        .join(', '),
    }));
  }
  return undefined;
}

/** The top-level keys of a kind, with what their value looks like. */
function topLevelKeys(kind: KindInfo): { key: string; shape: 'scalar' | 'map' | 'list'; detail: string }[] {
  return [
    { key: 'apiVersion', shape: 'scalar', detail: kind.apiVersion },
    { key: 'kind', shape: 'scalar', detail: kind.kind },
    { key: 'metadata', shape: 'map', detail: 'name and namespace' },
    { key: 'spec', shape: 'map', detail: `the ${kind.shortName}` },
    ...(kind.language === 'cilium-network-policy'
      ? [{ key: 'specs', shape: 'list' as const, detail: 'several rules, each like spec' }]
      : []),
  ];
}

function topLevel(ctx: YamlContext, kind: KindInfo, facts: ClusterFacts | undefined): ClusterItem[] {
  const present = new Set(ctx.siblings);
  const items: ClusterItem[] = [];
  // Below a bare `apiVersion`/`kind`: the rest of the document in one go.
  if (!present.has('metadata') && !present.has('spec') && !present.has('specs')) {
    const namespaces = facts?.namespaces().map((n) => n.name) ?? [];
    const body = skeletonBody(kind.kind, namespaces);
    items.push({
      label: 'skeleton',
      kind: 'skeleton',
      insertText: body,
      snippet: true,
      detail: `metadata and spec of a ${kind.kind}`,
      documentation: `\`\`\`yaml\n${expandSnippet(body)}\`\`\``,
    });
  }
  for (const k of topLevelKeys(kind)) {
    if (present.has(k.key)) continue;
    const insertText =
      k.shape === 'scalar'
        ? `${k.key}: ${k.key === 'apiVersion' ? kind.apiVersion : kind.kind}`
        : k.shape === 'map'
          ? `${k.key}:\n  `
          : `${k.key}:\n  - `;
    items.push({ label: k.key, kind: 'key', insertText, detail: k.detail });
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// From the inventory

/** A selector found on a path, and how its keys are read. */
export interface SelectorPlace {
  /** Data path of the selector map (the one holding `matchLabels`). */
  readonly path: (string | number)[];
  readonly flavour: SelectorFlavour;
  /** `endpointSelector`, `fromEndpoints`… */
  readonly role: string;
  /** Steps of the context path after the selector map. */
  readonly rest: (string | number)[];
}

const POD_PEERS = new Set(['fromEndpoints', 'toEndpoints', 'fromRequires', 'toRequires']);
const NODE_PEERS = new Set(['fromNodes', 'toNodes']);

/** The selector a data path is in, if any. */
export function selectorAt(path: readonly (string | number)[], kind: KindInfo): SelectorPlace | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg !== 'string') continue;
    let selectorEnd: number | undefined;
    let flavour: SelectorFlavour | undefined;
    if (kind.language === 'cilium-network-policy') {
      if (seg === 'endpointSelector') [selectorEnd, flavour] = [i + 1, 'cilium-pods'];
      else if (seg === 'nodeSelector') [selectorEnd, flavour] = [i + 1, 'cilium-nodes'];
      else if (POD_PEERS.has(seg) && typeof path[i + 1] === 'number') [selectorEnd, flavour] = [i + 2, 'cilium-pods'];
      else if (NODE_PEERS.has(seg) && typeof path[i + 1] === 'number') [selectorEnd, flavour] = [i + 2, 'cilium-nodes'];
    } else if (kind.language === 'tetragon-tracing-policy' && i === 1 && path[0] === 'spec') {
      if (seg === 'podSelector') [selectorEnd, flavour] = [i + 1, 'plain-pods'];
      else if (seg === 'containerSelector') [selectorEnd, flavour] = [i + 1, 'containers'];
    }
    if (selectorEnd !== undefined && flavour !== undefined && selectorEnd <= path.length) {
      return { path: path.slice(0, selectorEnd), flavour, role: seg, rest: path.slice(selectorEnd) };
    }
  }
  return undefined;
}

function fromInventory(
  ctx: YamlContext,
  doc: PolicyDocument,
  kind: KindInfo,
  facts: ClusterFacts,
  index: EndpointIndex,
): ClusterItem[] | undefined {
  const keys = keyPath(ctx.path);
  const policyNamespace = effectiveNamespace(doc, index.options);
  // metadata.namespace
  if (keys.length === 1 && keys[0] === 'metadata' && ctx.position === 'value' && ctx.key === 'namespace')
    return kind.namespaced ? namespaceItems(facts, ctx) : undefined;

  const place = selectorAt(dataPath(ctx.path), kind);
  if (place) return selectorItems(ctx, doc, kind, facts, place, policyNamespace);

  if (kind.language !== 'cilium-network-policy') return undefined;
  const path = dataPath(ctx.path);
  // toPorts[].ports[].port
  if (ctx.position === 'value' && ctx.key === 'port' && keys.at(-1) === 'ports' && keys.at(-2) === 'toPorts')
    return portItems(ctx, doc, facts, index, path, policyNamespace);
  // toServices[].k8sService.serviceName / namespace
  if (ctx.position === 'value' && keys.at(-1) === 'k8sService' && keys.at(-2) === 'toServices') {
    const written = str(obj(dataAt(doc.data, path))?.['namespace']);
    if (ctx.key === 'serviceName') return serviceItems(ctx, facts, written || undefined, policyNamespace);
    if (ctx.key === 'namespace') {
      const withServices = new Set(facts.services.map((s) => s.namespace));
      return namespaceItems(facts, ctx).filter((i) => withServices.has(i.label));
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Namespaces

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function valueInsert(value: string, ctx: YamlContext): { insertText: string; filterText: string } {
  const insertText = yamlString(value);
  // The typed text may start with a quote; the filter must too, or nothing would match it.
  const quoted = /^["']/.test(ctx.typed) || insertText.startsWith('"');
  return { insertText, filterText: quoted ? `"${value}` : value };
}

function namespaceItems(facts: ClusterFacts, ctx: YamlContext): ClusterItem[] {
  return facts.namespaces().map((n) => ({
    label: n.name,
    kind: 'namespace',
    ...valueInsert(n.name, ctx),
    detail: n.workloads > 0 ? `namespace · ${plural(n.workloads, 'workload')}` : 'namespace',
  }));
}

// ---------------------------------------------------------------------------------------------
// Selectors

/** The namespace a selector's pods are looked for in; undefined for every namespace. */
export function selectorScope(
  doc: PolicyDocument,
  kind: KindInfo,
  place: SelectorPlace,
  policyNamespace: string | undefined,
): string | undefined {
  const selector = obj(dataAt(doc.data, place.path));
  const labels = obj(selector?.['matchLabels']);
  if (labels && place.flavour !== 'containers') {
    for (const [raw, v] of Object.entries(labels)) {
      const key = place.flavour === 'plain-pods' ? raw : parseSelectorKey(raw).key;
      const plainNs = place.flavour === 'plain-pods' ? `k8s:${LABEL.podNamespace}` : LABEL.podNamespace;
      if (key === plainNs && typeof v === 'string' && v !== '') return v;
    }
  }
  if (kind.language === 'tetragon-tracing-policy') return kind.namespaced ? policyNamespace : undefined;
  return kind.namespaced ? policyNamespace : undefined;
}

/** The label key a value or `values` item is typed for. */
function keyBeingValued(ctx: YamlContext, doc: PolicyDocument, place: SelectorPlace): string | undefined {
  const rest = place.rest;
  if (rest[0] === 'matchLabels' && rest.length === 1 && ctx.position === 'value') return ctx.key;
  // matchExpressions[i].values[j]
  if (rest[0] === 'matchExpressions' && typeof rest[1] === 'number' && rest[2] === 'values') {
    const k = str(obj(dataAt(doc.data, [...place.path, 'matchExpressions', rest[1]]))?.['key']);
    return k;
  }
  return undefined;
}

function selectorItems(
  ctx: YamlContext,
  doc: PolicyDocument,
  kind: KindInfo,
  facts: ClusterFacts,
  place: SelectorPlace,
  policyNamespace: string | undefined,
): ClusterItem[] | undefined {
  const rest = place.rest;
  const scope = place.flavour === 'cilium-nodes' ? undefined : selectorScope(doc, kind, place, policyNamespace);
  const peer = POD_PEERS.has(place.role);
  // matchLabels: keys
  if (rest.length === 1 && rest[0] === 'matchLabels' && ctx.position === 'key' && !ctx.startsItem)
    return keyItems(facts, place, scope, peer || !kind.namespaced, new Set(ctx.siblings));
  // matchExpressions[i].key: keys
  if (
    rest.length === 2 &&
    rest[0] === 'matchExpressions' &&
    typeof rest[1] === 'number' &&
    ctx.position === 'value' &&
    ctx.key === 'key'
  ) {
    return keyItems(facts, place, scope, peer || !kind.namespaced, new Set()).map((i) => ({
      ...i,
      insertText: i.insertText.replace(/: $/, ''),
    }));
  }
  // values
  const key = keyBeingValued(ctx, doc, place);
  const listItem = rest[0] === 'matchExpressions' && rest[2] === 'values' && ctx.startsItem;
  if (key === undefined || (rest[0] === 'matchExpressions' && !listItem)) return undefined;
  const stat = valueStat(facts, place.flavour, key, scope);
  if (!stat) return undefined;
  const nsValues = stat.key === LABEL.podNamespace;
  const nsLabelValues = !stat.scoped && !nsValues && place.flavour !== 'cilium-nodes';
  const total =
    !stat.scoped || place.flavour === 'containers'
      ? 0
      : place.flavour === 'cilium-nodes'
        ? facts.nodes.length
        : facts.workloadCount(scope);
  const noun = nsLabelValues
    ? 'namespace'
    : place.flavour === 'cilium-nodes'
      ? 'node'
      : place.flavour === 'containers'
        ? 'container'
        : 'workload';
  return stat.values.map((v) => ({
    label: v.value === '' ? '""' : v.value,
    kind: nsValues ? 'namespace' : 'label-value',
    ...valueInsert(v.value, ctx),
    detail: nsValues
      ? `namespace · ${plural(v.count, 'workload')}`
      : `${plural(v.count, noun)}${total > 0 ? ` of ${total}` : ''}${stat.scoped && scope !== undefined ? ` in ${scope}` : ''}`,
    documentation: carriers(v, noun),
  }));
}

/** The values of a key as the selector reads it; `scoped` when they are the scope's workloads' own. */
export function valueStat(
  facts: ClusterFacts,
  flavour: SelectorFlavour,
  raw: string,
  scope: string | undefined,
): (KeyStat & { readonly scoped: boolean }) | undefined {
  const scoped = (k: KeyStat | undefined) => (k ? { ...k, scoped: true } : undefined);
  const global = (k: KeyStat | undefined) => (k ? { ...k, scoped: false } : undefined);
  if (flavour === 'containers') return scoped(facts.containerKeys(scope).find((k) => k.key === raw));
  if (flavour === 'cilium-nodes') return global(facts.nodeValues(parseSelectorKey(raw).key));
  if (flavour === 'plain-pods') {
    if (raw === `k8s:${LABEL.podNamespace}`) return global(namespacesAsValues(facts));
    return scoped(facts.podValues(raw, scope));
  }
  const key = parseSelectorKey(raw).key;
  if (key === LABEL.podNamespace) return global(namespacesAsValues(facts));
  if (key === LABEL.serviceAccount) return scoped(facts.serviceAccounts(scope));
  if (key.startsWith(LABEL.namespaceLabelsPrefix))
    return global(facts.namespaceLabelValues(key.slice(LABEL.namespaceLabelsPrefix.length)));
  return scoped(facts.podValues(key, scope));
}

function namespacesAsValues(facts: ClusterFacts): KeyStat {
  const values: ValueStat[] = facts
    .namespaces()
    .filter((n) => n.workloads > 0)
    .map((n) => ({ value: n.name, count: n.workloads, examples: [] }));
  return { key: LABEL.podNamespace, count: values.reduce((a, v) => a + v.count, 0), values };
}

function carriers(v: ValueStat, noun: string): string {
  if (v.examples.length === 0) return '';
  const more = v.count > v.examples.length ? `, and ${v.count - v.examples.length} more` : '';
  return `${noun === 'node' ? 'Nodes' : noun === 'container' ? 'Containers' : 'Workloads'}: ${v.examples.map((e) => markdownCode(e)).join(', ')}${more}.`;
}

function keyItems(
  facts: ClusterFacts,
  place: SelectorPlace,
  scope: string | undefined,
  crossNamespace: boolean,
  present: ReadonlySet<string>,
): ClusterItem[] {
  const flavour = place.flavour;
  const has = (raw: string): boolean => {
    if (present.has(raw)) return true;
    if (flavour !== 'cilium-pods' && flavour !== 'cilium-nodes') return false;
    const k = parseSelectorKey(raw).key;
    return [...present].some((p) => parseSelectorKey(p).key === k);
  };
  const items: ClusterItem[] = [];
  const seen = new Set<string>();
  const add = (key: string, stat: KeyStat | undefined, detail: string, total: number, noun: string): void => {
    if (seen.has(key) || has(key)) return;
    seen.add(key);
    const about = describeLabelKey(key, flavour);
    const values = stat
      ? `${stat.values
          .slice(0, 8)
          .map((v) => `${markdownCode(v.value)} (${v.count})`)
          .join(', ')}${stat.values.length > 8 ? ', …' : ''}`
      : '';
    items.push({
      label: key,
      kind: 'label-key',
      insertText: `${yamlString(key)}: `,
      filterText: key,
      detail: stat ? `${detail} · ${plural(stat.count, noun)}${total > 0 ? ` of ${total}` : ''}` : detail,
      documentation: [values ? `Values: ${values}.` : '', about].filter(Boolean).join('\n\n'),
    });
  };
  if (flavour === 'cilium-nodes') {
    for (const k of facts.nodeKeys()) add(k.key, k, 'node label', facts.nodes.length, 'node');
    return items;
  }
  if (flavour === 'containers') {
    for (const k of facts.containerKeys(scope)) add(k.key, k, 'container', 0, 'container');
    return items;
  }
  const where = scope !== undefined ? `in ${scope}` : 'in the inventory';
  const usable = (key: string): boolean =>
    flavour === 'plain-pods' || (!key.startsWith('io.cilium.k8s') && inIdentity(key));
  // Keys of the workloads in scope first, the most common first; keys that change with every
  // rollout or release last (a selector on them stops matching after the next one).
  const keys = facts.podKeys(scope).filter((k) => usable(k.key));
  const lasting = (k: string): boolean => !isRolloutLabel(k) && !isReleaseLabel(k);
  for (const k of keys) if (lasting(k.key)) add(k.key, k, `label ${where}`, facts.workloadCount(scope), 'workload');
  // The namespace label: what a selector needs to reach another namespace.
  const nsKey = flavour === 'plain-pods' ? `k8s:${LABEL.podNamespace}` : `k8s:${LABEL.podNamespace}`;
  if (crossNamespace) add(nsKey, namespacesAsValues(facts), 'the pod’s namespace', 0, 'workload');
  if (flavour === 'cilium-pods') {
    const sa = facts.serviceAccounts(scope);
    if (sa) add(LABEL.serviceAccount, { ...sa, key: LABEL.serviceAccount }, 'the pod’s service account', 0, 'workload');
    if (crossNamespace)
      for (const k of facts.namespaceLabelKeys())
        if (k.key !== 'kubernetes.io/metadata.name' || facts.namespaceLabelKeys().length === 1)
          add(`${LABEL.namespaceLabelsPrefix}${k.key}`, k, 'namespace label', 0, 'namespace');
  }
  // Then keys seen only in other namespaces, for a selector that will name one.
  if (crossNamespace && scope !== undefined)
    for (const k of facts.podKeys(undefined))
      if (usable(k.key) && lasting(k.key))
        add(k.key, k, 'label in other namespaces', facts.workloadCount(undefined), 'workload');
  for (const k of keys)
    if (!lasting(k.key))
      add(k.key, k, isRolloutLabel(k.key) ? 'changes on every rollout' : 'changes with every release', 0, 'workload');
  return items;
}

// ---------------------------------------------------------------------------------------------
// Ports

const DIRECTIONS = new Set(['ingress', 'ingressDeny', 'egress', 'egressDeny']);

function portItems(
  ctx: YamlContext,
  doc: PolicyDocument,
  facts: ClusterFacts,
  index: EndpointIndex,
  path: readonly (string | number)[],
  policyNamespace: string | undefined,
): ClusterItem[] | undefined {
  const d = path.findIndex((p) => typeof p === 'string' && DIRECTIONS.has(p));
  if (d < 0 || typeof path[d + 1] !== 'number') return undefined;
  const direction = path[d] as string;
  const rulePath = path.slice(0, d + 2);
  let targets: readonly Endpoint[];
  let who: string;
  const details = previewDetails(doc, index);
  if (direction.startsWith('ingress')) {
    // Traffic comes in on the subjects' ports.
    targets = (details?.selections ?? [])
      .filter((s) => s.role === 'endpointSelector' && s.path.length === d + 1)
      .flatMap((s) => s.endpoints);
    who = 'the selected workloads';
  } else {
    targets = (details?.selections ?? [])
      .filter(
        (s) =>
          (s.role === 'toEndpoints' || s.role === 'toServices') &&
          s.path.length > rulePath.length &&
          rulePath.every((p, i) => s.path[i] === p),
      )
      .flatMap((s) => s.endpoints);
    who = 'the peers of this rule';
  }
  if (targets.length === 0) {
    targets = facts.endpoints.filter((e) => policyNamespace === undefined || e.namespace === policyNamespace);
    who = policyNamespace !== undefined ? `workloads in ${policyNamespace}` : 'workloads of the inventory';
  }
  const byPort = new Map<string, { port: string; protocol: string; name?: string; on: Set<string> }>();
  for (const e of targets) {
    for (const c of e.containers ?? []) {
      for (const p of c.ports ?? []) {
        const label = `${p.containerPort}/${p.protocol}`;
        let entry = byPort.get(label);
        if (!entry) byPort.set(label, (entry = { port: String(p.containerPort), protocol: p.protocol, on: new Set() }));
        entry.on.add(e.name);
        if (p.name !== undefined) {
          const named = `name:${p.name}`;
          let n = byPort.get(named);
          if (!n)
            byPort.set(
              named,
              (n = { port: p.name, protocol: p.protocol, name: String(p.containerPort), on: new Set() }),
            );
          n.on.add(e.name);
        }
      }
    }
  }
  const entries = [...byPort.values()].sort(
    (a, b) =>
      b.on.size - a.on.size ||
      Number(a.name !== undefined) - Number(b.name !== undefined) ||
      (a.port < b.port ? -1 : 1),
  );
  return entries.map((p) => {
    const names = [...p.on].slice(0, 5).map((n) => markdownCode(n));
    const value = JSON.stringify(p.port);
    return {
      label: value,
      kind: 'port',
      insertText: value,
      filterText: /^["']/.test(ctx.typed) || ctx.typed === '' ? value : p.port,
      detail:
        p.name !== undefined
          ? `named port · ${p.name}/${p.protocol} · ${plural(p.on.size, 'workload')}`
          : `${p.protocol} · ${plural(p.on.size, 'workload')}`,
      documentation: `Declared by ${who}: ${names.join(', ')}${p.on.size > 5 ? ', …' : ''}.${p.name !== undefined ? ' A name stands for the container port of that name on each selected workload.' : ''}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Services

function serviceItems(
  ctx: YamlContext,
  facts: ClusterFacts,
  namespace: string | undefined,
  policyNamespace: string | undefined,
): ClusterItem[] {
  const list = facts.services
    .filter((s) => namespace === undefined || s.namespace === namespace)
    .slice()
    .sort(
      (a, b) =>
        Number(b.namespace === policyNamespace) - Number(a.namespace === policyNamespace) ||
        (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : 1),
    );
  const seen = new Set<string>();
  const items: ClusterItem[] = [];
  for (const s of list) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    const ports = s.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
    items.push({
      label: s.name,
      kind: 'service',
      ...valueInsert(s.name, ctx),
      detail: `service in ${s.namespace || DEFAULT_NAMESPACE}${ports ? ` · ${ports}` : ''}`,
      documentation: s.selector
        ? `Selects pods with ${Object.entries(s.selector)
            .map(([k, v]) => markdownCode(`${k}=${v}`))
            .join(', ')}.`
        : 'No pod selector: its backends are addresses.',
    });
  }
  return items;
}
