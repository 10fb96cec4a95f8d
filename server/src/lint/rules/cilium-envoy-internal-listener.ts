// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-internal-listener
 *
 * A Cluster's `load_assignment` or a ClusterLoadAssignment can send traffic to an Envoy internal
 * listener (`envoy_internal_address.server_listener_name`) instead of a socket. Cilium qualifies the
 * name as it qualifies every reference (a name without `/` becomes `<namespace>/<config>/<name>`)
 * and, when the result points into this config, requires a listener of that qualified name with
 * `internal_listener` set, rejecting the config otherwise (`validateAddress` in
 * pkg/ciliumenvoyconfig/cec_resource_parser.go). A name that points into another config (written
 * `<namespace>/<config>/<listener>`, or with a single `/`) is not checked there, and not here.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str, type DataPath, type Obj } from '../../core/data.js';
import { envoyResources, field, fieldKey, parseQualifiedName, qualifiedName } from '../../core/cilium/envoy.js';

/** One internal-listener reference: the name as written and where it is. */
interface InternalRef {
  readonly name: string;
  readonly path: DataPath;
}

/** The addresses Cilium validates: every endpoint address and additional address of a load assignment. */
function internalRefs(assignment: Obj | undefined, at: DataPath): InternalRef[] {
  const out: InternalRef[] = [];
  const address = (a: Obj | undefined, path: DataPath): void => {
    const internal = obj(field(a, 'envoy_internal_address'));
    const name = str(field(internal, 'server_listener_name'));
    if (!a || !internal || !name) return;
    out.push({
      name,
      path: [...path, fieldKey(a, 'envoy_internal_address'), fieldKey(internal, 'server_listener_name')],
    });
  };
  list(field(assignment, 'endpoints')).forEach((e, i) => {
    const locality = obj(e);
    const lbKey = fieldKey(locality, 'lb_endpoints');
    list(field(locality, 'lb_endpoints')).forEach((l, j) => {
      const endpoint = obj(field(obj(l), 'endpoint'));
      if (!endpoint) return;
      const base = [...at, fieldKey(assignment, 'endpoints'), i, lbKey, j, 'endpoint'];
      address(obj(field(endpoint, 'address')), [...base, fieldKey(endpoint, 'address')]);
      const extraKey = fieldKey(endpoint, 'additional_addresses');
      list(field(endpoint, 'additional_addresses')).forEach((x, k) => {
        const extra = obj(x);
        address(obj(field(extra, 'address')), [...base, extraKey, k, fieldKey(extra, 'address')]);
      });
    });
  });
  return out;
}

export const rule: Rule = {
  id: 'cilium/envoy-internal-listener',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An endpoint address pointing at an internal listener of this Envoy config that the config does not define (as an internal listener).',
  rationale:
    'Internal listeners connect Envoy to itself without a socket. Cilium qualifies `server_listener_name` like every other name (`inner` in CiliumEnvoyConfig `shop/envoy` means `shop/envoy/inner`); when it points into the same config, the listener must be there with `internal_listener` set, or the agent rejects the config. Names that point into another config (`other-ns/other-config/inner`) are resolved at run time and are not checked.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n      cluster_name: loop\n      endpoints:\n        - lb_endpoints:\n            - endpoint:\n                address:\n                  envoy_internal_address:\n                    server_listener_name: inner\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: inner\n      internal_listener: {}\n    - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n      cluster_name: loop\n      endpoints:\n        - lb_endpoints:\n            - endpoint:\n                address:\n                  envoy_internal_address:\n                    server_listener_name: inner\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/ciliumenvoyconfig/cec_resource_parser.go',
      func: 'validateEDSEndpoints / validateAddress (called from parseResources)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, kind }) {
    const out: RuleFinding[] = [];
    const config = doc.name;
    if (!config) return out; // Qualified names need the config's name; the schema reports it missing.
    // A clusterwide config qualifies with an empty namespace; a namespaced one without
    // `metadata.namespace` gets the namespace it is applied to, unknown here.
    const namespace = kind.kind === 'CiliumClusterwideEnvoyConfig' ? '' : doc.namespace;
    const resources = envoyResources(doc.data);
    const listeners = resources.filter((r) => r.type === 'Listener' && r.name !== undefined);
    // With an unknown namespace, a listener name with `/` cannot be qualified: say nothing rather than guess.
    if (namespace === undefined && listeners.some((l) => l.name!.includes('/'))) return out;
    const ns = namespace ?? '\u0000';
    const byName = new Map(listeners.map((l) => [qualifiedName(ns, config, l.name!, true), l]));
    for (const r of resources) {
      const refs =
        r.type === 'Cluster'
          ? internalRefs(obj(field(r.resource, 'load_assignment')), [
              ...r.path,
              fieldKey(r.resource, 'load_assignment'),
            ])
          : r.type === 'ClusterLoadAssignment'
            ? internalRefs(r.resource, r.path)
            : [];
      for (const ref of refs) {
        const qualified = qualifiedName(ns, config, ref.name);
        const target = parseQualifiedName(qualified);
        if (target.namespace !== ns || target.config !== config) continue; // another config's listener
        const listener = byName.get(qualified);
        const written =
          ref.name === target.resource ? `\`${ref.name}\`` : `\`${ref.name}\` (this config's \`${target.resource}\`)`;
        if (!listener) {
          out.push({
            path: ref.path,
            target: 'value',
            message: `No listener named ${written} in this config's resources; Cilium rejects the config, since an internal listener used by a ${r.type} of the same config must be defined in it.`,
          });
        } else if (
          field(listener.resource, 'internal_listener') === undefined ||
          field(listener.resource, 'internal_listener') === null
        ) {
          out.push({
            path: ref.path,
            target: 'value',
            message: `Listener ${written} is not an internal listener (it has no \`internal_listener\`), so Cilium rejects it as an internal address.`,
          });
        }
      }
    }
    return out;
  },
};
