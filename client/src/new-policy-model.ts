// SPDX-License-Identifier: Apache-2.0
/**
 * The "New policy…" wizard's decisions that need no editor: what each picker lists and in which
 * order, which workloads can be selected by label, and how generated text joins an existing file.
 * The templates themselves come from the server (`ciliumPolicy/policyTemplates`). Kept free of
 * `vscode` so the unit tests can run it.
 */
import {
  kindNamed,
  selectorLabels,
  type PolicyKindName,
  type PolicyTemplate,
  type WorkloadRef,
} from '../../server/src/client-safe.js';

/** One entry of the kind picker. */
export interface KindChoice {
  readonly kind: PolicyKindName;
  readonly label: string;
  readonly description: string;
  readonly templates: readonly PolicyTemplate[];
}

/** The kinds that have templates, in the templates' order, each with its templates. */
export function kindChoices(templates: readonly PolicyTemplate[]): KindChoice[] {
  const byKind = new Map<PolicyKindName, PolicyTemplate[]>();
  for (const t of templates) {
    const list = byKind.get(t.kind) ?? [];
    list.push(t);
    byKind.set(t.kind, list);
  }
  return [...byKind].map(([kind, list]) => ({
    kind,
    label: kind,
    description: `${kindNamed(kind)?.summary ?? kind} · ${list.length} template${list.length === 1 ? '' : 's'}`,
    templates: list,
  }));
}

/** True when a template can use a workload: for its namespace or its label selector. */
export function templateWantsWorkload(t: PolicyTemplate): boolean {
  return t.selector !== undefined || t.namespaced;
}

/** An endpoint as the inventory reports it (the wire shape, or the core's). */
export interface EndpointLike {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The workload's own pod selector (`spec.selector.matchLabels`), when it has one. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Its containers' ports, in declaration order. */
  readonly ports?: readonly { port: number; protocol: string; name?: string }[];
}

/** The workload a policy is built for, from an endpoint: its selector and ports travel with it. */
export function workloadRef(e: EndpointLike): WorkloadRef {
  return {
    kind: e.kind,
    name: e.name,
    namespace: e.namespace,
    labels: { ...e.labels },
    ...(e.selector ? { selector: { ...e.selector } } : {}),
    ...(e.ports && e.ports.length > 0 ? { ports: e.ports.map((p) => ({ ...p })) } : {}),
  };
}

/** `8080/TCP (http), 9090/TCP`: a workload's ports for a picker line. */
export function portSummary(ports: EndpointLike['ports']): string {
  return (ports ?? []).map((p) => `${p.port}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', ');
}

/** One entry of the workload picker. */
export interface WorkloadChoice {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly workload: WorkloadRef;
}

/** `k=v, k2=v2`, shortened for a picker line. */
export function labelSummary(labels: Readonly<Record<string, string>>, max = 120): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The workloads a policy can be written for, sorted by namespace then name. Workloads without
 * stable labels are left out when the template selects by label (there is nothing to select them
 * by); agent-only endpoints (`CiliumEndpoint`) are left out, since no manifest stands behind them.
 * The detail line shows the labels the generated selector will use and the ports it will admit.
 */
export function workloadChoices(endpoints: readonly EndpointLike[], template: PolicyTemplate): WorkloadChoice[] {
  return endpoints
    .filter((e) => e.kind !== 'CiliumEndpoint')
    .filter((e) => template.selector === undefined || Object.keys(selectorLabels(e.labels, e.selector)).length > 0)
    .slice()
    .sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind),
    )
    .map((e) => ({
      label: e.name,
      description: `${e.kind} in ${e.namespace}`,
      detail: [labelSummary(selectorLabels(e.labels, e.selector)) || 'no labels', portSummary(e.ports)]
        .filter((x) => x !== '')
        .join(' · '),
      workload: workloadRef(e),
    }));
}

/**
 * What to put before generated text inserted at `offset` of a document so it becomes a new YAML
 * document of its own: nothing in an empty file, otherwise a `---` separator (on a fresh line).
 */
export function insertionPrefix(documentText: string, offset: number): string {
  const before = documentText.slice(0, offset);
  if (before.trim() === '') return '';
  const atLineStart = before.endsWith('\n');
  // An existing separator right above the cursor is reused rather than doubled.
  if (/(^|\n)---[ \t]*\n[ \t\n]*$/.test(before)) return atLineStart ? '' : '\n';
  return `${atLineStart ? '' : '\n'}---\n`;
}

/**
 * What to put after the inserted text so the rest of the file stays a separate document: a `---`
 * line when non-blank text follows that does not already start with one.
 */
export function insertionSuffix(documentText: string, offset: number): string {
  const after = documentText.slice(offset);
  if (after.trim() === '' || /^[ \t\n]*---/.test(after)) return '';
  return '---\n';
}
