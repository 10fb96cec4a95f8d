// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-resource-type
 *
 * Cilium decodes each `resources[]` entry of an Envoy config by its `@type` and only knows five
 * types. An entry without `@type`, or with a type URL Cilium does not load (a typo, an old v2 API
 * name, or another Envoy type such as a ScopedRouteConfiguration) is either dropped with a log
 * line or makes the agent skip the whole config. The CRD keeps `resources` free-form, so nothing
 * catches this at apply time.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { list, obj, str } from '../../core/data.js';
import { ENVOY_TYPES, type EnvoyTypeName } from '../../core/cilium/envoy.js';
import { closest } from '../../core/text-distance.js';
import { sameQuotes } from '../scalars.js';
import { replaceValue } from '../../core/yaml-edits.js';

const URLS = Object.values(ENVOY_TYPES) as string[];
const SHORT = Object.keys(ENVOY_TYPES) as EnvoyTypeName[];

/** Other Envoy xDS resource types: real types, not typos, so no "did you mean" for them. */
const OTHER_XDS_TYPES = new Set([
  'ScopedRouteConfiguration',
  'VirtualHost',
  'Runtime',
  'TypedExtensionConfig',
  'LbEndpoint',
]);

/** The supported type URL someone writing `written` most likely meant, if any. */
export function suggestType(written: string): string | undefined {
  if (OTHER_XDS_TYPES.has(written.slice(written.lastIndexOf('.') + 1))) return undefined;
  const byUrl = closest(written, URLS);
  if (byUrl) return byUrl;
  // Match on the message name (the last dotted part): `envoy.api.v2.Cluster`, `...v3.Listner`.
  const last = written.slice(written.lastIndexOf('.') + 1);
  const short = closest(last, SHORT);
  return short ? ENVOY_TYPES[short as EnvoyTypeName] : undefined;
}

export const rule: Rule = {
  id: 'cilium/envoy-resource-type',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An Envoy config resource without `@type`, or with a type Cilium does not load (Listener, RouteConfiguration, Cluster, ClusterLoadAssignment and Secret are supported).',
  rationale:
    'Cilium reads `resources` by their `@type` URL and supports the v3 Listener, RouteConfiguration, Cluster, ClusterLoadAssignment and TLS Secret. Another Envoy type makes the agent reject the whole config; an unknown URL (often a typo) is dropped with only a log line, so the resource silently does not exist.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listner\n      name: web\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    list(obj(obj(doc.data)?.['spec'])?.['resources']).forEach((r, i) => {
      const resource = obj(r);
      if (!resource) return; // The schema reports a non-object entry.
      const path = ['spec', 'resources', i];
      const type = resource['@type'];
      if (type === undefined || type === null || type === '') {
        out.push({
          path,
          message:
            'This resource has no `@type`; Cilium cannot decode it and drops it. Add e.g. `"@type": type.googleapis.com/envoy.config.listener.v3.Listener`.',
        });
        return;
      }
      const written = str(type);
      if (written === undefined || URLS.includes(written)) return;
      const typePath = [...path, '@type'];
      const guess = suggestType(written);
      const fixes: Fix[] = [];
      if (guess) {
        const edit = replaceValue(file, doc, typePath, sameQuotes(doc, typePath, guess));
        if (edit) fixes.push({ title: `Change to ${guess}`, edits: [edit], preferred: true });
      }
      const supported = SHORT.join(', ');
      out.push({
        path: typePath,
        target: 'value',
        message: `\`${written}\` is not a resource type Cilium loads (supported: ${supported}, Envoy v3 API).${guess ? ` Did you mean \`${guess}\`?` : ''}`,
        data: guess ? { suggestion: guess } : {},
        fixes,
      });
    });
    return out;
  },
};
