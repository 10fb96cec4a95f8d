// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-terminal-http-filter
 *
 * HTTP filter chains end with a terminal filter that hands the request on: the router
 * (`envoy.filters.http.router`) in an HTTP connection manager, the upstream codec
 * (`envoy.filters.http.upstream_codec`) in a cluster's upstream HTTP filters. Envoy refuses a
 * chain where another filter follows the terminal one, and Cilium then rejects the whole config.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str, type Obj } from '../../core/data.js';
import { envoyResources, field, fieldKey, walkObjects } from '../../core/cilium/envoy.js';

const ROUTER = { name: 'envoy.filters.http.router', type: 'envoy.extensions.filters.http.router.v3.Router' };
const CODEC = {
  name: 'envoy.filters.http.upstream_codec',
  type: 'envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec',
};

function isFilter(f: Obj, which: { name: string; type: string }): boolean {
  const type = str(obj(field(f, 'typed_config'))?.['@type']) ?? '';
  return str(f['name']) === which.name || type.endsWith(`/${which.type}`);
}

export const rule: Rule = {
  id: 'cilium/envoy-terminal-http-filter',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An HTTP filter listed after the router (downstream) or after the upstream codec (upstream), which must be the last filter.',
  rationale:
    'The router and the upstream codec are terminal filters: nothing runs after them. Envoy validates the chain when it loads the resource and refuses one with filters after the terminal filter, so Cilium rejects the Envoy config.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web\n      filter_chains:\n        - filters:\n            - name: envoy.filters.network.http_connection_manager\n              typed_config:\n                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n                stat_prefix: web\n                route_config:\n                  name: web\n                http_filters:\n                  - name: envoy.filters.http.router\n                    typed_config:\n                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n                  - name: envoy.filters.http.cors\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web\n      filter_chains:\n        - filters:\n            - name: envoy.filters.network.http_connection_manager\n              typed_config:\n                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager\n                stat_prefix: web\n                route_config:\n                  name: web\n                http_filters:\n                  - name: envoy.filters.http.cors\n                  - name: envoy.filters.http.router\n                    typed_config:\n                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n',
  },
  rejectedBy: [
    {
      repo: 'envoyproxy/envoy',
      file: 'source/common/config/utility.h',
      func: 'Utility::validateTerminalFilters (when cilium-envoy loads the listener or cluster)',
      releases: 'Cilium 1.16–1.20',
    },
    {
      repo: 'cilium/cilium',
      file: 'pkg/ciliumenvoyconfig/cec_resource_parser.go',
      func: 'injectCiliumUpstreamL7Filter (filter after the upstream codec)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const r of envoyResources(doc.data)) {
      if (r.type !== 'Listener' && r.type !== 'Cluster') continue;
      walkObjects(r.resource, r.path, (o, path) => {
        const filters = list(field(o, 'http_filters'));
        if (filters.length < 2) return;
        // Clusters carry upstream filters (in HttpProtocolOptions); listeners carry downstream ones.
        const terminal = r.type === 'Cluster' ? CODEC : ROUTER;
        const at = filters.findIndex((f) => obj(f) !== undefined && isFilter(obj(f)!, terminal));
        if (at < 0 || at === filters.length - 1) return;
        for (let i = at + 1; i < filters.length; i++) {
          const name = str(obj(filters[i])?.['name']) ?? `filter ${i}`;
          out.push({
            path: [...path, fieldKey(o, 'http_filters'), i],
            message: `\`${name}\` comes after \`${terminal.name}\`, which must be the last HTTP filter; Envoy rejects the chain. Move it before \`${terminal.name}\`.`,
          });
        }
      });
    }
    return out;
  },
};
