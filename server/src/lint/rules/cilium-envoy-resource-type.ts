// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-resource-type
 *
 * Cilium decodes each `resources[]` entry of an Envoy config by its `@type` and loads five types.
 * What happens to another entry depends on whether the agent can decode it at all: an entry
 * without `@type`, or with a URL no protobuf type of the agent is registered under (a typo, an old
 * v2 API name), fails to decode and is dropped with a log line (`XDSResource.UnmarshalJSON` in
 * pkg/k8s/apis/cilium.io/v2/cec_types.go), so the config loads without it: a warning. A real Envoy
 * type the agent knows but does not load (a VirtualHost, a ScopedRouteConfiguration) makes
 * `parseResources` reject the whole config: an error. Only types from the packages the parser
 * itself imports are known to be registered; any other URL gets a warning that names both outcomes.
 * The CRD keeps `resources` free-form, so nothing catches this at apply time.
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

/**
 * Envoy v3 messages of the packages Cilium's CEC parser imports (listener, route, cluster,
 * endpoint, core, TLS, HTTP connection manager, TCP proxy), so certainly registered in the agent:
 * the agent decodes them and then refuses the config as an unsupported type.
 */
const KNOWN_UNSUPPORTED = new Set(
  [
    'envoy.config.route.v3.ScopedRouteConfiguration',
    'envoy.config.route.v3.VirtualHost',
    'envoy.config.route.v3.Route',
    'envoy.config.route.v3.RouteAction',
    'envoy.config.listener.v3.Filter',
    'envoy.config.listener.v3.FilterChain',
    'envoy.config.listener.v3.ListenerFilter',
    'envoy.config.endpoint.v3.Endpoint',
    'envoy.config.endpoint.v3.LbEndpoint',
    'envoy.config.endpoint.v3.LocalityLbEndpoints',
    'envoy.config.core.v3.Address',
    'envoy.config.core.v3.TypedExtensionConfig',
    'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
    'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext',
    'envoy.extensions.transport_sockets.tls.v3.TlsCertificate',
    'envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext',
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  ].map((t) => `type.googleapis.com/${t}`),
);

/** The supported type URL someone writing `written` most likely meant, if any. */
export function suggestType(written: string): string | undefined {
  if (OTHER_XDS_TYPES.has(written.slice(written.lastIndexOf('.') + 1))) return undefined;
  const last = written.slice(written.lastIndexOf('.') + 1);
  // A URL close to a supported one counts only when the message names are close too: long URLs of
  // unrelated types (`...http.cors.v3.Cors`) are within a few edits of each other.
  const byUrl = closest(written, URLS);
  if (byUrl && closest(last, [byUrl.slice(byUrl.lastIndexOf('.') + 1)])) return byUrl;
  // Match on the message name (the last dotted part): `envoy.api.v2.Cluster`, `...v3.Listner`.
  const short = closest(last, SHORT);
  return short ? ENVOY_TYPES[short as EnvoyTypeName] : undefined;
}

export const rule: Rule = {
  id: 'cilium/envoy-resource-type',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An Envoy config resource with a type Cilium does not load (Listener, RouteConfiguration, Cluster, ClusterLoadAssignment and Secret are supported), or without `@type`.',
  rationale:
    'Cilium reads `resources` by their `@type` URL and supports the v3 Listener, RouteConfiguration, Cluster, ClusterLoadAssignment and TLS Secret. Another Envoy type that the agent knows makes it reject the whole config (error); a URL it cannot decode (often a typo or a v2 name) or a missing `@type` is dropped with only a log line, so the resource silently does not exist (warning).',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listner\n      name: web\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/ciliumenvoyconfig/cec_resource_parser.go',
      func: 'parseResources (unsupported type)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
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
          severity: 'warning',
          message:
            'This resource has no `@type`; Cilium cannot decode it and drops it (the rest of the config loads without it). Add e.g. `"@type": type.googleapis.com/envoy.config.listener.v3.Listener`.',
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
      const known = KNOWN_UNSUPPORTED.has(written);
      const outcome = known
        ? 'the agent decodes it and rejects the whole config'
        : guess
          ? 'the agent cannot decode it and drops the resource with a log line'
          : 'the agent drops the resource if it cannot decode the type, or rejects the whole config if it can';
      out.push({
        path: typePath,
        target: 'value',
        ...(known ? {} : { severity: 'warning' as const }),
        message: `\`${written}\` is not a resource type Cilium loads (supported: ${supported}, Envoy v3 API): ${outcome}.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
        data: guess ? { suggestion: guess } : {},
        fixes,
      });
    });
    return out;
  },
};
