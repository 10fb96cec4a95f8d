// SPDX-License-Identifier: Apache-2.0
/**
 * Hubble flow records for tests, written the way `hubble observe -o json` prints them (field names
 * as in cilium/cilium `api/v1/flow/flow.proto`, snake_case, wrapped in a GetFlowsResponse), with a
 * converter to the other spelling protobuf's JSON mapping writes (camelCase) and to bare flows.
 */

/** An end of a flow to write. */
export interface EndSpec {
  readonly labels?: readonly string[];
  readonly namespace?: string;
  readonly pod?: string;
  readonly workload?: { readonly kind: string; readonly name: string };
  readonly identity?: number;
  readonly cluster?: string;
  readonly ip?: string;
}

/** A flow to write. */
export interface FlowSpec {
  readonly from: EndSpec;
  readonly to: EndSpec;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6';
  readonly port?: number;
  readonly icmpType?: number;
  readonly verdict?: string;
  readonly dropReason?: string;
  readonly direction?: 'INGRESS' | 'EGRESS';
  readonly reply?: boolean;
  readonly names?: readonly string[];
  readonly http?: { readonly method: string; readonly url: string; readonly headers?: Record<string, string> };
  readonly dns?: string;
  readonly l7Type?: 'REQUEST' | 'RESPONSE';
  readonly time?: string;
  readonly node?: string;
}

/** A pod's identity labels as Cilium gives them. */
export function podLabels(namespace: string, labels: Record<string, string>, cluster = 'default'): string[] {
  return [
    ...Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`),
    `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${namespace}`,
    `k8s:io.cilium.k8s.policy.cluster=${cluster}`,
    `k8s:io.cilium.k8s.policy.serviceaccount=default`,
    `k8s:io.kubernetes.pod.namespace=${namespace}`,
  ].sort();
}

let counter = 0;

function endpoint(e: EndSpec): Record<string, unknown> {
  return {
    ID: 100 + (counter++ % 900),
    identity: e.identity ?? 12345,
    ...(e.cluster !== undefined ? { cluster_name: e.cluster } : {}),
    ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
    labels: e.labels ?? [],
    ...(e.pod !== undefined ? { pod_name: e.pod } : {}),
    ...(e.workload ? { workloads: [e.workload] } : {}),
  };
}

/** A flow record as `hubble observe -o json` prints it (a GetFlowsResponse around the flow). */
export function hubbleRecord(f: FlowSpec): Record<string, unknown> {
  const protocol = f.protocol ?? 'TCP';
  const l4 =
    protocol === 'ICMPv4' || protocol === 'ICMPv6'
      ? { [protocol]: { type: f.icmpType ?? (protocol === 'ICMPv4' ? 8 : 128), code: 0 } }
      : {
          [protocol]: {
            source_port: 40000 + (counter % 20000),
            destination_port: f.port ?? 80,
            ...(protocol === 'TCP' ? { flags: { SYN: true } } : {}),
          },
        };
  const l7 = f.http
    ? {
        type: f.l7Type ?? 'REQUEST',
        latency_ns: '0',
        http: {
          method: f.http.method,
          url: f.http.url,
          protocol: 'HTTP/1.1',
          headers: Object.entries(f.http.headers ?? {}).map(([key, value]) => ({ key, value })),
        },
      }
    : f.dns !== undefined
      ? { type: f.l7Type ?? 'REQUEST', dns: { query: f.dns, observation_source: 'proxy', qtypes: ['A'] } }
      : undefined;
  const time = f.time ?? '2026-11-30T10:00:00.000000000Z';
  const node = f.node ?? 'kind-worker';
  const flow: Record<string, unknown> = {
    time,
    uuid: `00000000-0000-4000-8000-${String(counter++).padStart(12, '0')}`,
    verdict: f.verdict ?? 'FORWARDED',
    ...(f.dropReason !== undefined ? { drop_reason: 133, drop_reason_desc: f.dropReason } : {}),
    ethernet: { source: '0a:58:0a:f4:01:07', destination: '0a:58:0a:f4:01:01' },
    IP: { source: f.from.ip ?? '10.244.1.7', destination: f.to.ip ?? '10.244.1.9', ipVersion: 'IPv4' },
    l4,
    source: endpoint(f.from),
    destination: endpoint(f.to),
    Type: l7 ? 'L7' : 'L3_L4',
    node_name: node,
    ...(f.names ? { destination_names: f.names } : {}),
    ...(l7 ? { l7 } : {}),
    event_type: { type: l7 ? 129 : 4 },
    traffic_direction: f.direction ?? 'EGRESS',
    trace_observation_point: l7 ? undefined : 'TO_STACK',
    is_reply: f.reply ?? false,
    Summary: l7 ? 'HTTP request' : 'TCP Flags: SYN',
  };
  return { flow, node_name: node, time };
}

function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The same value with every key in protobuf JSON's default spelling (lowerCamelCase). */
export function camelCased(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCased);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [camel(k), camelCased(x)]));
  return v;
}

/** The flow without its GetFlowsResponse wrapper (as some exporters write it). */
export function bare(record: Record<string, unknown>): Record<string, unknown> {
  return record['flow'] as Record<string, unknown>;
}

/** JSON lines of records. */
export function jsonLines(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
