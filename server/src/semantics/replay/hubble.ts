// SPDX-License-Identifier: Apache-2.0
/**
 * Reading one Hubble flow record: a JSON value as `hubble observe -o json` prints it
 * (`{"flow": {...}, "node_name": ..., "time": ...}`) or as the flow exporter writes it (the same
 * wrapper, or a bare flow object). Field names come in either spelling protobuf's JSON mapping
 * writes (`destination_port` or `destinationPort`), enums as names or numbers.
 *
 * What is not a flow to judge comes back as a skip with its kind: replies (`is_reply`, and L7
 * responses), other events of the stream (`node_status`, `lost_events`, agent and debug events),
 * records that cannot be judged (no endpoints, no transport), and records bigger than any real one
 * (more labels, or longer ones, than Kubernetes allows) so a hostile log cannot make one group cost
 * megabytes. Pure: the caller streams the file (`io/json-lines.ts`) and hands each value here.
 *
 * Field names follow `api/v1/flow/flow.proto` and `api/v1/observer/observer.proto` of cilium/cilium
 * (GetFlowsResponse, Flow, Endpoint, Layer4, Layer7, HTTP, DNS).
 */
import type { FlowProtocol } from '../engine.js';

/** An endpoint of a recorded flow, as Hubble saw it. */
export interface RecordedEndpoint {
  /** The numeric security identity (0 when not recorded). */
  readonly identity: number;
  readonly namespace: string;
  /** The identity labels, `source:key=value`, as recorded. */
  readonly labels: readonly string[];
  readonly pod: string;
  /** `workloads[].kind/name` (e.g. `Deployment/api`). */
  readonly workloads: readonly { readonly kind: string; readonly name: string }[];
  /** `cluster_name`, when recorded. */
  readonly cluster: string;
}

/** An HTTP request of an L7 record. */
export interface RecordedHttp {
  readonly method: string;
  /** The URL as recorded. */
  readonly url: string;
  /** Path and query of the URL (`/` when it has none). */
  readonly path: string;
  /** The URL's authority (`host:port`), '' when it has none. */
  readonly host: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

/** A flow record that can be judged. */
export interface RecordedFlow {
  /** The record's time (RFC 3339) as written, '' when absent. */
  readonly time: string;
  /** The node that recorded it. */
  readonly node: string;
  /** `FORWARDED`, `DROPPED`, `AUDIT`, `REDIRECTED`, ... (`VERDICT_UNKNOWN` when absent). */
  readonly verdict: string;
  /** `drop_reason_desc`, '' when absent. */
  readonly dropReason: string;
  /** `L3_L4` or `L7` (or another type name). */
  readonly type: string;
  /** `INGRESS`, `EGRESS` or `TRAFFIC_DIRECTION_UNKNOWN`. */
  readonly direction: string;
  readonly source: RecordedEndpoint;
  readonly destination: RecordedEndpoint;
  /** `IP.source` / `IP.destination`, '' when absent. */
  readonly sourceIp: string;
  readonly destinationIp: string;
  /** The FQDNs the DNS proxy saw for the destination address. */
  readonly destinationNames: readonly string[];
  readonly protocol: FlowProtocol;
  /** TCP, UDP and SCTP: the destination port. */
  readonly port?: number;
  /** ICMP and ICMPv6: the type. */
  readonly icmpType?: number;
  readonly http?: RecordedHttp;
  /** A DNS lookup (`l7.dns.query`), as recorded (with its trailing dot). */
  readonly dns?: string;
}

/** Why a value was not judged. */
export type SkipKind =
  /** `is_reply: true` (or an L7 response): connection tracking admits replies. */
  | 'reply'
  /** Not a flow: `node_status`, `lost_events`, agent or debug events, or not an object at all. */
  | 'not-flow'
  /** A flow that cannot be judged: no source or destination, or no TCP/UDP/SCTP/ICMP layer. */
  | 'incomplete'
  /** An L7 record of a protocol whose rules the engine does not read (Kafka, generic L7). */
  | 'other-l7'
  /** Larger than any real record: too many labels, or labels, names or URLs too long. */
  | 'oversized';

/** What {@link readHubbleRecord} made of a value. */
export type HubbleRecord =
  { readonly kind: 'flow'; readonly flow: RecordedFlow } | { readonly kind: 'skip'; readonly skip: SkipKind };

/** Limits beyond anything Kubernetes or Hubble produce (label keys ≤ 317 characters, values ≤ 63). */
export const RECORD_LIMITS = {
  /** Labels per endpoint. */
  labels: 512,
  /** Characters per label, name, pod name or namespace. */
  text: 1024,
  /** Characters of an HTTP URL or DNS query. */
  url: 8192,
  /** HTTP headers per request. */
  headers: 256,
  /** Destination names. */
  names: 64,
} as const;

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field in either spelling (`snake_case` as in the .proto, `camelCase` as protobuf's JSON default). */
function field(o: Obj, snake: string): unknown {
  const v = o[snake];
  if (v !== undefined) return v;
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel === snake ? undefined : o[camel];
}

class Oversized extends Error {}

function text(v: unknown, max: number = RECORD_LIMITS.text): string {
  if (typeof v !== 'string') return '';
  if (v.length > max) throw new Oversized();
  return v;
}

/** A uint32 field: a number, or a string of digits (protobuf JSON may quote 64-bit numbers). */
function uint(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

function strings(v: unknown, maxItems: number, maxChars: number = RECORD_LIMITS.text): string[] {
  if (!Array.isArray(v)) return [];
  if (v.length > maxItems) throw new Oversized();
  const out: string[] = [];
  for (const x of v) if (typeof x === 'string') out.push(text(x, maxChars));
  return out;
}

const VERDICTS = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];
const FLOW_TYPES = ['UNKNOWN_TYPE', 'L3_L4', 'L7', 'SOCK'];
const DIRECTIONS = ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS'];
const L7_TYPES = ['UNKNOWN_L7_TYPE', 'REQUEST', 'RESPONSE', 'SAMPLE'];

/** An enum written as its name or its number. */
function enumName(v: unknown, names: readonly string[], fallback: string): string {
  if (typeof v === 'string' && v !== '') return v.length <= 64 ? v : fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return names[v] as string;
  return fallback;
}

/** The drop reasons that mean policy denied the flow (numbers as in flow.proto's DropReason). */
const DROP_REASON_NAMES: Readonly<Record<number, string>> = { 133: 'POLICY_DENIED', 181: 'POLICY_DENY' };

function endpointOf(v: unknown): RecordedEndpoint | undefined {
  if (!isObj(v)) return undefined;
  const workloads: { kind: string; name: string }[] = [];
  const ws = field(v, 'workloads');
  if (Array.isArray(ws)) {
    if (ws.length > 16) throw new Oversized();
    for (const w of ws) if (isObj(w)) workloads.push({ kind: text(w['kind']), name: text(w['name']) });
  }
  return {
    identity: uint(field(v, 'identity')) ?? 0,
    namespace: text(field(v, 'namespace')),
    labels: strings(field(v, 'labels'), RECORD_LIMITS.labels),
    pod: text(field(v, 'pod_name')),
    workloads,
    cluster: text(field(v, 'cluster_name')),
  };
}

/** Path and query, and authority, of a recorded URL (`http://api:8080/v1/items?x=1`). */
export function splitUrl(url: string): { path: string; host: string } {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url);
  if (!scheme) return { path: url === '' ? '/' : url.startsWith('/') ? url : `/${url}`, host: '' };
  const rest = url.slice(scheme[0].length);
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let pathPart = slash < 0 ? '' : rest.slice(slash);
  const hash = pathPart.indexOf('#');
  if (hash >= 0) pathPart = pathPart.slice(0, hash);
  if (pathPart === '' || pathPart.startsWith('?')) pathPart = `/${pathPart}`;
  const at = authority.lastIndexOf('@');
  return { path: pathPart, host: at >= 0 ? authority.slice(at + 1) : authority };
}

/** The L4 layer: protocol and port (or ICMP type); undefined when there is none the engine judges. */
function l4Of(v: unknown): { protocol: FlowProtocol; port?: number; icmpType?: number } | undefined {
  if (!isObj(v)) return undefined;
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
    const l = v[proto];
    if (!isObj(l)) continue;
    const port = uint(field(l, 'destination_port'));
    return port !== undefined && port >= 1 && port <= 65535 ? { protocol: proto, port } : undefined;
  }
  for (const [key, protocol] of [
    ['ICMPv4', 'ICMP'],
    ['ICMPv6', 'ICMPv6'],
  ] as const) {
    const l = v[key];
    if (!isObj(l)) continue;
    const type = uint(field(l, 'type')) ?? 0;
    return type <= 255 ? { protocol, icmpType: type } : undefined;
  }
  return undefined;
}

function httpOf(v: unknown): RecordedHttp | undefined {
  if (!isObj(v)) return undefined;
  const url = text(field(v, 'url'), RECORD_LIMITS.url);
  const headers: { key: string; value: string }[] = [];
  const hs = field(v, 'headers');
  if (Array.isArray(hs)) {
    if (hs.length > RECORD_LIMITS.headers) throw new Oversized();
    for (const h of hs) if (isObj(h)) headers.push({ key: text(h['key']), value: text(h['value'], RECORD_LIMITS.url) });
  }
  const { path, host } = splitUrl(url);
  return { method: text(field(v, 'method')) || 'GET', url, path, host, headers };
}

/**
 * Reads one value of a flow log. Never throws: whatever the value is, it comes back as a flow or
 * as a skip with its kind.
 */
export function readHubbleRecord(value: unknown): HubbleRecord {
  try {
    return read(value);
  } catch (e) {
    if (e instanceof Oversized) return { kind: 'skip', skip: 'oversized' };
    throw e;
  }
}

const NOT_FLOW: HubbleRecord = { kind: 'skip', skip: 'not-flow' };
const FLOW_FIELDS = ['source', 'destination', 'IP', 'l4', 'verdict', 'Type', 'traffic_direction', 'trafficDirection'];

function read(value: unknown): HubbleRecord {
  if (!isObj(value)) return NOT_FLOW;
  let f: Obj;
  let outerNode = '';
  let outerTime = '';
  const wrapped = value['flow'];
  if (wrapped !== undefined) {
    if (!isObj(wrapped)) return NOT_FLOW;
    f = wrapped;
    outerNode = text(field(value, 'node_name'));
    outerTime = typeof value['time'] === 'string' ? text(value['time']) : '';
  } else if (FLOW_FIELDS.some((k) => value[k] !== undefined)) f = value;
  else return NOT_FLOW; // node_status, lost_events, agent_event, debug_event, or anything else

  const l7 = field(f, 'l7');
  const l7Type = isObj(l7) ? enumName(l7['type'], L7_TYPES, 'UNKNOWN_L7_TYPE') : '';
  const isReply = field(f, 'is_reply');
  if (isReply === true || (isReply === undefined && f['reply'] === true) || l7Type === 'RESPONSE')
    return { kind: 'skip', skip: 'reply' };

  const source = endpointOf(f['source']);
  const destination = endpointOf(f['destination']);
  const l4 = l4Of(f['l4']);
  const type = enumName(f['Type'], FLOW_TYPES, 'UNKNOWN_TYPE');
  if (!source || !destination || !l4 || type === 'SOCK') return { kind: 'skip', skip: 'incomplete' };

  let http: RecordedHttp | undefined;
  let dns: string | undefined;
  if (isObj(l7)) {
    const h = l7['http'];
    const d = l7['dns'];
    if (isObj(h)) http = httpOf(h);
    else if (isObj(d)) dns = text(field(d, 'query'), RECORD_LIMITS.url);
    else if (type === 'L7') return { kind: 'skip', skip: 'other-l7' };
    if (dns === '') return { kind: 'skip', skip: 'incomplete' };
  }
  if (http && l4.protocol !== 'TCP') http = undefined;

  const ip = field(f, 'IP');
  const time = typeof f['time'] === 'string' ? text(f['time']) : outerTime;
  const dropRaw = field(f, 'drop_reason_desc');
  const dropReason =
    typeof dropRaw === 'number' ? (DROP_REASON_NAMES[dropRaw] ?? String(dropRaw)) : text(dropRaw).slice(0, 64);
  return {
    kind: 'flow',
    flow: {
      time,
      node: text(field(f, 'node_name')) || outerNode,
      verdict: enumName(f['verdict'], VERDICTS, 'VERDICT_UNKNOWN'),
      dropReason: dropReason === 'DROP_REASON_UNKNOWN' ? '' : dropReason,
      type,
      direction: enumName(field(f, 'traffic_direction'), DIRECTIONS, 'TRAFFIC_DIRECTION_UNKNOWN'),
      source,
      destination,
      sourceIp: isObj(ip) ? text(ip['source'], 64) : '',
      destinationIp: isObj(ip) ? text(ip['destination'], 64) : '',
      destinationNames: strings(field(f, 'destination_names'), RECORD_LIMITS.names),
      protocol: l4.protocol,
      ...(l4.port !== undefined ? { port: l4.port } : {}),
      ...(l4.icmpType !== undefined ? { icmpType: l4.icmpType } : {}),
      ...(http ? { http } : {}),
      ...(dns !== undefined ? { dns } : {}),
    },
  };
}

/** True when the record says policy dropped it (a DROPPED verdict with a policy reason, or none given). */
export function droppedByPolicy(f: RecordedFlow): boolean {
  return (
    f.verdict === 'DROPPED' &&
    (f.dropReason === '' || f.dropReason === 'POLICY_DENIED' || f.dropReason === 'POLICY_DENY')
  );
}

/**
 * True when the record says the flow went through: FORWARDED, or REDIRECTED to the proxy (which
 * policy admitted; the proxy then judges each request).
 */
export function forwarded(f: RecordedFlow): boolean {
  return f.verdict === 'FORWARDED' || f.verdict === 'REDIRECTED';
}
