// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-resource-names
 *
 * Cilium keys the resources of an Envoy config by name (qualified with the config's namespace and
 * name), and references between them go by name too. A Listener, RouteConfiguration, Cluster or
 * Secret without `name`, or a ClusterLoadAssignment without `cluster_name`, is rejected, and so is
 * a second resource of the same type with the same name.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import {
  envoyResources,
  field,
  fieldKey,
  nameKey,
  qualifiedName,
  type EnvoyTypeName,
} from '../../core/cilium/envoy.js';

export const rule: Rule = {
  id: 'cilium/envoy-resource-names',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'error',
  summary:
    'An Envoy resource without a name (`cluster_name` for a ClusterLoadAssignment), or two resources of the same type with the same name.',
  rationale:
    'Resource names are how Cilium stores Envoy resources and how listeners, routes and clusters refer to each other. The agent rejects the config when a resource has no name or a name is used twice for the same type.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n      name: backend\n    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n      name: backend\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  resources:\n    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n      name: backend-v1\n    - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster\n      name: backend-v2\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/cilium',
      file: 'pkg/ciliumenvoyconfig/cec_resource_parser.go',
      func: 'parseResources (unspecified name, duplicate name after qualification)',
      releases: 'Cilium 1.16–1.20',
    },
  ],
  check({ doc, kind }) {
    const out: RuleFinding[] = [];
    const seen = new Map<string, number>();
    // Duplicates are found after Cilium qualified the names (`web` and `shop/envoy/web` are the same
    // listener); without a namespace (and for a nameless config) the names are compared as written.
    const namespace = kind.kind === 'CiliumClusterwideEnvoyConfig' ? '' : doc.namespace;
    const qualify = (type: EnvoyTypeName, name: string): string =>
      namespace === undefined || !doc.name
        ? name
        : qualifiedName(namespace, doc.name, name, type === 'Listener' || type === 'RouteConfiguration');
    for (const r of envoyResources(doc.data)) {
      if (!r.type) continue;
      const key = fieldKey(r.resource, nameKey(r.type));
      const value = field(r.resource, nameKey(r.type));
      if (value === undefined || value === null || value === '') {
        out.push({
          path: value === undefined ? [...r.path, '@type'] : [...r.path, key],
          target: 'key',
          message: `This ${r.type} has no \`${key}\`; Cilium rejects a resource it cannot name.`,
        });
        continue;
      }
      if (r.name === undefined) continue; // A non-string name: the schema reports its type.
      const id = `${r.type}\u0000${qualify(r.type, r.name)}`;
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, Number(r.path[2]));
        continue;
      }
      out.push({
        path: [...r.path, key],
        target: 'value',
        message: `Another ${r.type as EnvoyTypeName} (resources[${first}]) is already named \`${r.name}\`; names must be unique per type within one Envoy config.`,
      });
    }
    return out;
  },
};
