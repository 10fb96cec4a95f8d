// SPDX-License-Identifier: Apache-2.0
/** Reading the Envoy resources of a CiliumEnvoyConfig / CiliumClusterwideEnvoyConfig. */
import { list, obj, str, type Obj } from '../data.js';
import type { DataPath } from '../data.js';

const PREFIX = 'type.googleapis.com/';

/** The resource types Cilium loads from a CEC, by short name, with their full type URLs. */
export const ENVOY_TYPES = {
  Listener: `${PREFIX}envoy.config.listener.v3.Listener`,
  RouteConfiguration: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  Cluster: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  ClusterLoadAssignment: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  Secret: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
} as const;

export type EnvoyTypeName = keyof typeof ENVOY_TYPES;

const BY_URL = new Map<string, EnvoyTypeName>(Object.entries(ENVOY_TYPES).map(([k, v]) => [v, k as EnvoyTypeName]));

/** One `spec.resources[]` entry. */
export interface EnvoyResourceRef {
  readonly resource: Obj;
  readonly path: DataPath;
  /** The supported type it declares, if any. */
  readonly type: EnvoyTypeName | undefined;
  /** The resource's name (`cluster_name` for a ClusterLoadAssignment). */
  readonly name: string | undefined;
}

/** The key that names a resource of the given type. */
export function nameKey(type: EnvoyTypeName): string {
  return type === 'ClusterLoadAssignment' ? 'cluster_name' : 'name';
}

/** `server_listener_name` → `serverListenerName`: the other spelling protobuf JSON accepts for a field. */
function lowerCamel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A field of an Envoy message as Cilium decodes it: protobuf JSON accepts the proto name
 * (`server_listener_name`) and its lowerCamelCase JSON name (`serverListenerName`).
 */
export function field(o: Obj | undefined, snake: string): unknown {
  if (!o) return undefined;
  const v = o[snake];
  return v !== undefined ? v : o[lowerCamel(snake)];
}

/** The key under which `field` found the value (for pointing at it), or the proto name. */
export function fieldKey(o: Obj | undefined, snake: string): string {
  return o && o[snake] === undefined && o[lowerCamel(snake)] !== undefined ? lowerCamel(snake) : snake;
}

/**
 * The name Cilium gives an Envoy resource or reference (`api.ResourceQualifiedName`): a name
 * without `/` becomes `<namespace>/<config>/<name>` (empty namespace for a clusterwide config); a
 * name with `/` is kept, except that with `force` (listener and route configuration names) it is
 * kept only when it starts with `<namespace>/`. An empty name stays empty.
 */
export function qualifiedName(namespace: string, config: string, name: string, force = false): string {
  const slash = name.indexOf('/');
  if (name === '' || (slash >= 0 && (!force || (slash === namespace.length && name.startsWith(namespace))))) {
    return name;
  }
  return `${namespace}/${config}/${name}`;
}

/** Splits a qualified name into namespace, config and resource name (`api.ParseQualifiedName`). */
export function parseQualifiedName(name: string): { namespace: string; config: string; resource: string } {
  const first = name.indexOf('/');
  const second = first < 0 ? -1 : name.indexOf('/', first + 1);
  if (second < 0) return { namespace: '', config: '', resource: name };
  return { namespace: name.slice(0, first), config: name.slice(first + 1, second), resource: name.slice(second + 1) };
}

/** Every object in `spec.resources`. */
export function envoyResources(data: unknown): EnvoyResourceRef[] {
  const spec = obj(obj(data)?.['spec']);
  const out: EnvoyResourceRef[] = [];
  list(spec?.['resources']).forEach((r, i) => {
    const resource = obj(r);
    if (!resource) return;
    const type = BY_URL.get(str(resource['@type']) ?? '');
    out.push({
      resource,
      path: ['spec', 'resources', i],
      type,
      name: type ? str(field(resource, nameKey(type))) : undefined,
    });
  });
  return out;
}

/** The names of the resources of one type. */
export function namesOf(data: unknown, type: EnvoyTypeName): Set<string> {
  return new Set(
    envoyResources(data)
      .filter((r) => r.type === type && r.name !== undefined)
      .map((r) => r.name!),
  );
}

/**
 * Walks every object under `value` (depth-first), calling `visit` with its path. Envoy configs
 * nest the interesting parts (HTTP connection managers, routes) at varying depths.
 */
export function walkObjects(value: unknown, path: DataPath, visit: (o: Obj, path: DataPath) => void, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walkObjects(v, [...path, i], visit, depth + 1));
    return;
  }
  const o = obj(value);
  if (!o) return;
  visit(o, path);
  for (const [k, v] of Object.entries(o)) walkObjects(v, [...path, k], visit, depth + 1);
}
