// SPDX-License-Identifier: Apache-2.0
/**
 * Hover on a label key of a selector (`matchLabels` keys, `matchExpressions[].key` values): what
 * the key means to the agent (its source prefix, the labels the agent or Kubernetes set), and which
 * workloads (or nodes) of the inventory carry it, with their values. The schema only knows the
 * value's format, which is not what a user pointing at a key asks about.
 */
import type { PolicyFile } from '../document.js';
import type { Span } from '../findings.js';
import { markdownCode } from '../display-text.js';
import { pathAt } from '../path-at.js';
import { effectiveNamespace, type EndpointIndex } from '../preview.js';
import { LABEL } from '../selectors.js';
import { clusterFacts } from './cluster-facts.js';
import { selectorAt, selectorScope, valueStat } from './cluster-completion.js';
import { describeLabelKey } from './label-keys.js';

/** The hover's Markdown and the key it is about. */
export interface LabelHover {
  readonly markdown: string;
  readonly span: Span;
}

/** The hover at an offset, or undefined when the offset is not on a selector's label key. */
export function labelKeyHover(
  file: PolicyFile,
  offset: number,
  index: EndpointIndex | undefined,
): LabelHover | undefined {
  const doc = file.documents.find((d) => d.span.start <= offset && offset <= d.span.end);
  if (!doc?.kind || doc.templated || doc.data === undefined) return undefined;
  const at = pathAt(doc, file.text, offset);
  if (!at) return undefined;
  let key: string | undefined;
  let selectorPath: readonly (string | number)[];
  const last = at.path.at(-1);
  if (at.position === 'key' && at.path.at(-2) === 'matchLabels' && typeof last === 'string') {
    key = last;
    selectorPath = at.path.slice(0, -1);
  } else if (
    at.position === 'value' &&
    last === 'key' &&
    typeof at.path.at(-2) === 'number' &&
    at.path.at(-3) === 'matchExpressions' &&
    typeof at.node?.toJSON() === 'string'
  ) {
    key = String(at.node.toJSON());
    selectorPath = at.path.slice(0, -1);
  } else return undefined;
  const place = selectorAt(selectorPath, doc.kind);
  if (!place) return undefined;
  const parts = [`${markdownCode(key)} — label key`, describeLabelKey(key, place.flavour)];
  if (index) {
    const facts = clusterFacts(index.inventory);
    const scope =
      place.flavour === 'cilium-nodes'
        ? undefined
        : selectorScope(doc, doc.kind, place, effectiveNamespace(doc, index.options));
    const stat = valueStat(facts, place.flavour, key, scope);
    const noun =
      place.flavour === 'cilium-nodes'
        ? 'nodes'
        : place.flavour === 'containers'
          ? 'containers'
          : stat && !stat.scoped && stat.key !== LABEL.podNamespace
            ? 'namespaces'
            : 'workloads';
    const where = stat?.scoped && scope !== undefined ? ` in ${markdownCode(scope)}` : '';
    if (stat && stat.values.length > 0) {
      const values = stat.values
        .slice(0, 10)
        .map((v) => `${markdownCode(v.value)} (${v.count})`)
        .join(', ');
      parts.push(
        `In the inventory, ${stat.count} ${noun}${where} carry it: ${values}${stat.values.length > 10 ? ', …' : ''}.`,
      );
    } else parts.push(`No ${noun.slice(0, -1)} of the inventory${where} carries it.`);
  }
  return { markdown: parts.filter(Boolean).join('\n\n'), span: at.span };
}
