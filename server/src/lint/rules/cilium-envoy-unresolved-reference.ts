// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: cilium/envoy-unresolved-reference
 *
 * Names inside an Envoy config refer to other resources of the same config: a service's
 * `listener`, an HTTP connection manager's `rds.route_config_name`, a route's `cluster` or
 * `weighted_clusters`. Cilium qualifies a name without `/` with the config's namespace and name,
 * so such a name can only mean a resource of this config; when none has it, Envoy waits for a
 * resource that never comes (routes answer 503, the redirect does nothing). Names with a `/`
 * (`default/echo`, or Cilium's own `/envoy-admin`) are already qualified and may live elsewhere,
 * so they are not checked. `services` and `backendServices` are checked against the Service
 * objects of the same file when the file has any.
 */
import { CILIUM_ENVOY_CONFIG_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, obj, str, type Obj } from '../../core/data.js';
import { envoyResources, namesOf, walkObjects } from '../../core/cilium/envoy.js';
import type { DataPath } from '../../core/data.js';
import { closest } from '../../core/text-distance.js';
import type { PolicyFile } from '../../core/document.js';

export const rule: Rule = {
  id: 'cilium/envoy-unresolved-reference',
  kinds: CILIUM_ENVOY_CONFIG_KINDS,
  defaultSeverity: 'warning',
  crossDocument: true,
  summary:
    'A listener, route configuration or cluster name that no resource of the same Envoy config defines, or a service missing from the Services in the same file.',
  rationale:
    'Cilium prefixes unqualified names with `<namespace>/<config name>/`, so they can only resolve within the same config. A typo there is not an error anywhere: the service redirect silently does nothing, or Envoy waits for the route configuration or cluster and answers requests with 503.',
  example: {
    bad: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  services:\n    - name: web\n      listener: web-listner\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web-listener\n',
    good: 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata:\n  name: envoy\n  namespace: shop\nspec:\n  services:\n    - name: web\n      listener: web-listener\n  resources:\n    - "@type": type.googleapis.com/envoy.config.listener.v3.Listener\n      name: web-listener\n',
  },
  check({ doc, kind, file }) {
    const spec = obj(obj(doc.data)?.['spec']);
    if (!spec) return [];
    // The references inside the config depend on its own data alone: found once per document text
    // (the data object is kept while the text is unchanged), since this rule runs on every lint.
    let local = localByData.get(spec);
    if (!local) {
      local = localFindings(doc.data, spec);
      localByData.set(spec, local);
    }
    const out: RuleFinding[] = [...local];
    // Services: only when the file defines Services, since they usually live elsewhere.
    const services = servicesOf(file);
    if (services.length > 0) {
      const clusterwide = kind.kind === 'CiliumClusterwideEnvoyConfig';
      for (const key of ['services', 'backendServices']) {
        list(spec[key]).forEach((s, i) => {
          const entry = obj(s);
          const name = str(entry?.['name']);
          if (!entry || !name) return;
          // A namespaced config always uses its own namespace for `services`; otherwise the
          // entry's namespace applies, defaulting to the config's (clusterwide: `default`).
          const ns =
            !clusterwide && key === 'services'
              ? doc.namespace
              : (str(entry['namespace']) ?? (clusterwide ? 'default' : doc.namespace));
          const found = services.some(
            (svc) => svc.name === name && (svc.namespace === undefined || ns === undefined || svc.namespace === ns),
          );
          if (found) return;
          const guess = closest(
            name,
            services.map((svc) => svc.name),
          );
          out.push({
            path: ['spec', key, i, 'name'],
            target: 'value',
            message: `This file defines Services, but none named \`${name}\`${ns ? ` in namespace \`${ns}\`` : ''}.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
            data: guess ? { suggestion: guess } : {},
          });
        });
      }
    }
    return out;
  },
};

/** Findings about names the config's own resources should define (listeners, route configurations, clusters). */
const localByData = new WeakMap<Obj, readonly RuleFinding[]>();
function localFindings(data: unknown, spec: Obj): RuleFinding[] {
  const out: RuleFinding[] = [];
  const listeners = namesOf(data, 'Listener');
  const routeConfigs = namesOf(data, 'RouteConfiguration');
  const clusters = namesOf(data, 'Cluster');
  const missing = (path: DataPath, name: string, what: string, known: Set<string>, consequence: string) => {
    const guess = closest(name, known);
    out.push({
      path,
      target: 'value',
      message: `No ${what} named \`${name}\` in this config's resources; ${consequence}.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
      data: guess ? { suggestion: guess } : {},
    });
  };

  list(spec['services']).forEach((s, i) => {
    const listener = str(obj(s)?.['listener']);
    if (listener && !listener.includes('/') && !listeners.has(listener)) {
      missing(
        ['spec', 'services', i, 'listener'],
        listener,
        'Listener',
        listeners,
        "the service's traffic is not redirected",
      );
    }
  });

  for (const r of envoyResources(data)) {
    walkObjects(r.resource, r.path, (o, path) => {
      const rdsName = str(obj(o['rds'])?.['route_config_name']);
      if (r.type === 'Listener' && rdsName && !rdsName.includes('/') && !routeConfigs.has(rdsName)) {
        missing(
          [...path, 'rds', 'route_config_name'],
          rdsName,
          'RouteConfiguration',
          routeConfigs,
          'Envoy waits for it and the listener serves no routes',
        );
      }
      list(o['routes']).forEach((route, j) => {
        const action = obj(obj(route)?.['route']);
        if (!action) return;
        const base = [...path, 'routes', j, 'route'];
        const direct = str(action['cluster']);
        if (direct && !direct.includes('/') && !clusters.has(direct)) {
          missing([...base, 'cluster'], direct, 'Cluster', clusters, 'requests on this route fail with 503');
        }
        list(obj(action['weighted_clusters'])?.['clusters']).forEach((w, k) => {
          const name = str(obj(w)?.['name']);
          if (name && !name.includes('/') && !clusters.has(name)) {
            missing(
              [...base, 'weighted_clusters', 'clusters', k, 'name'],
              name,
              'Cluster',
              clusters,
              'its share of the requests fails with 503',
            );
          }
        });
      });
    });
  }
  return out;
}

/** The Services of a file, found once per parse of it (every Envoy config of the file asks). */
const servicesByFile = new WeakMap<PolicyFile, { name: string; namespace: string | undefined }[]>();
function servicesOf(file: PolicyFile): { name: string; namespace: string | undefined }[] {
  let out = servicesByFile.get(file);
  if (!out) {
    out = serviceObjects(file.documents.map((d) => d.data));
    servicesByFile.set(file, out);
  }
  return out;
}

/** The Kubernetes Services among the file's documents. */
function serviceObjects(docs: readonly unknown[]): { name: string; namespace: string | undefined }[] {
  const out: { name: string; namespace: string | undefined }[] = [];
  for (const d of docs) {
    const o: Obj | undefined = obj(d);
    if (!o || o['kind'] !== 'Service' || o['apiVersion'] !== 'v1') continue;
    const meta = obj(o['metadata']);
    const name = str(meta?.['name']);
    if (name) out.push({ name, namespace: str(meta?.['namespace']) });
  }
  return out;
}
