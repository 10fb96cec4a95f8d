// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-internal-listener
 *
 * A Cluster or ClusterLoadAssignment can send traffic to an Envoy internal listener
 * (`envoy_internal_address.server_listener_name`) instead of a socket. Cilium requires that
 * listener to be defined, as an internal listener, in the same Envoy config, and rejects the
 * config otherwise.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { obj, str } from '../../core/data.js';
import { envoyResources, walkObjects } from '../../core/cilium/envoy.js';

export const rule: Rule = {
  id: 'cilium/envoy-internal-listener',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An endpoint address pointing at an internal listener that the same Envoy config does not define (as an internal listener).',
  rationale:
    'Internal listeners connect Envoy to itself without a socket. Cilium resolves `server_listener_name` only among the listeners of the same config that have `internal_listener` set, and rejects the config when the name is not one of them.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n      cluster_name: loop\n      endpoints:\n        - lb_endpoints:\n            - endpoint:\n                address:\n                  envoy_internal_address:\n                    server_listener_name: inner\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: inner\n      internal_listener: {}\n    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n      cluster_name: loop\n      endpoints:\n        - lb_endpoints:\n            - endpoint:\n                address:\n                  envoy_internal_address:\n                    server_listener_name: inner\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    const resources = envoyResources(doc.data);
    const listeners = new Map(
      resources.filter((r) => r.type === 'Listener' && r.name !== undefined).map((r) => [r.name!, r.resource]),
    );
    for (const r of resources) {
      if (r.type !== 'Cluster' && r.type !== 'ClusterLoadAssignment') continue;
      walkObjects(r.resource, r.path, (o, path) => {
        const name = str(obj(o['envoy_internal_address'])?.['server_listener_name']);
        if (!name) return;
        const at = [...path, 'envoy_internal_address', 'server_listener_name'];
        const listener = listeners.get(name);
        if (!listener) {
          out.push({
            path: at,
            target: 'value',
            message: `No listener named \`${name}\` in this config's resources; an internal listener used by a ${r.type} must be defined in the same config.`,
          });
        } else if (listener['internal_listener'] === undefined) {
          out.push({
            path: at,
            target: 'value',
            message: `Listener \`${name}\` is not an internal listener (it has no \`internal_listener\`), so it cannot be used as an internal address.`,
          });
        }
      });
    }
    return out;
  },
};
