// SPDX-License-Identifier: Apache-2.0
/**
 * Tetragon's exported events, read from one line of `tetra getevents -o json` (or of the agent's
 * export file): one JSON object keyed by its event type (`process_kprobe`, `process_exec`, …) plus
 * `node_name` and `time`. Field names are accepted in both protobuf JSON spellings (the agent writes
 * snake_case, other tools lowerCamelCase); unknown fields are ignored, so events of other releases
 * are read for what is known. 64-bit integers may come as strings (protobuf JSON) or numbers.
 * Pure: text in, plain data out, never throws.
 */

/** The event types that report a hook firing, and the hook kind each belongs to. */
export const HOOK_EVENT_TYPES = {
  process_kprobe: 'kprobe',
  process_tracepoint: 'tracepoint',
  process_uprobe: 'uprobe',
  process_lsm: 'lsm',
  process_usdt: 'usdt',
} as const;

export type HookEventType = keyof typeof HOOK_EVENT_TYPES;
export type HookKind = (typeof HOOK_EVENT_TYPES)[HookEventType];

/** Event types the agent exports that are not hook events (read, counted, not dry-run). */
export const OTHER_EVENT_TYPES = [
  'process_exec',
  'process_exit',
  'process_loader',
  'process_throttle',
  'rate_limit_info',
  'test',
] as const;

/** Top-level fields that are not the event itself. */
const ENVELOPE = new Set(['node_name', 'time', 'aggregation_info', 'cluster_name', 'node_labels']);

const camelCache = new Map<string, string>();
/** `function_name` → `functionName` (protobuf's JSON name). */
export function lowerCamel(snake: string): string {
  let c = camelCache.get(snake);
  if (c === undefined) {
    c = snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelCache.set(snake, c);
  }
  return c;
}

const snakeCache = new Map<string, string>();
/** `functionName` → `function_name`; snake_case names come back unchanged. */
export function snake(name: string): string {
  let s = snakeCache.get(name);
  if (s === undefined) {
    s = name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
    snakeCache.set(name, s);
  }
  return s;
}

type Json = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A field in either spelling. */
function field(o: Json | undefined, name: string): unknown {
  if (!o) return undefined;
  const v = o[name];
  if (v !== undefined) return v;
  // Only names with an underscore have a second spelling; most absent fields stop here.
  return name.includes('_') ? o[lowerCamel(name)] : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An unsigned integer given as a number or, for 64-bit fields, a decimal string. */
function uint(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  // Wrapper types (google.protobuf.UInt32Value) print as plain numbers; accept `{ value: n }` too.
  if (isObj(v) && 'value' in v) return uint(v['value']);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (isObj(v) && typeof v['value'] === 'boolean') return v['value'];
  return undefined;
}

function stringMap(v: unknown): Readonly<Record<string, string>> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function stringList(v: unknown): readonly string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The namespace names of `process.ns`, in the agent's snake_case spelling. */
export const NAMESPACE_FIELDS = [
  'uts',
  'ipc',
  'mnt',
  'pid',
  'pid_for_children',
  'net',
  'time',
  'time_for_children',
  'cgroup',
  'user',
] as const;
export type NamespaceField = (typeof NAMESPACE_FIELDS)[number];

export interface EventNamespace {
  readonly inum: number | undefined;
  readonly isHost: boolean;
}

export interface EventContainer {
  readonly id?: string;
  readonly name?: string;
  /** `image.name`, e.g. `docker.io/library/nginx:1.27`. */
  readonly image?: string;
}

export interface EventPod {
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** `pod_labels`; protobuf JSON leaves an empty map out, so absent means none. */
  readonly labels: Readonly<Record<string, string>>;
  readonly workload?: string;
  readonly workloadKind?: string;
  readonly container?: EventContainer;
}

/** The capability sets of `process.cap`, as capability names. */
export interface EventCaps {
  readonly permitted: readonly string[];
  readonly effective: readonly string[];
  readonly inheritable: readonly string[];
}

/** A process as an event describes it. Fields the event does not carry are undefined. */
export interface EventProcess {
  readonly execId?: string;
  readonly parentExecId?: string;
  readonly pid?: number;
  readonly tid?: number;
  readonly uid?: number;
  readonly binary?: string;
  readonly arguments?: string;
  readonly cwd?: string;
  readonly pod?: EventPod;
  /** `docker`: the container id, set for containerised processes even without pod information. */
  readonly docker?: string;
  /** `ns`; undefined when the agent did not record namespaces (`--enable-process-ns`). */
  readonly ns?: Readonly<Partial<Record<NamespaceField, EventNamespace>>>;
  /** `cap`; undefined when the agent did not record capabilities (`--enable-process-cred`). */
  readonly caps?: EventCaps;
  readonly inInitTree?: boolean;
}

function readNamespaces(v: unknown): EventProcess['ns'] {
  if (!isObj(v)) return undefined;
  const out: Partial<Record<NamespaceField, EventNamespace>> = {};
  for (const n of NAMESPACE_FIELDS) {
    const o = field(v, n);
    if (!isObj(o)) continue;
    out[n] = { inum: uint(field(o, 'inum')), isHost: bool(field(o, 'is_host')) === true };
  }
  return out;
}

function readCaps(v: unknown): EventCaps | undefined {
  if (!isObj(v)) return undefined;
  return {
    permitted: stringList(field(v, 'permitted')) ?? [],
    effective: stringList(field(v, 'effective')) ?? [],
    inheritable: stringList(field(v, 'inheritable')) ?? [],
  };
}

function readPod(v: unknown): EventPod | undefined {
  if (!isObj(v)) return undefined;
  const c = field(v, 'container');
  const image = isObj(c) ? field(c, 'image') : undefined;
  const container: EventContainer | undefined = isObj(c)
    ? {
        ...(text(field(c, 'id')) !== undefined ? { id: text(field(c, 'id'))! } : {}),
        ...(text(field(c, 'name')) !== undefined ? { name: text(field(c, 'name'))! } : {}),
        ...(isObj(image) && text(field(image, 'name')) !== undefined ? { image: text(field(image, 'name'))! } : {}),
      }
    : undefined;
  const workload = text(field(v, 'workload'));
  const workloadKind = text(field(v, 'workload_kind'));
  return {
    namespace: text(field(v, 'namespace')),
    name: text(field(v, 'name')),
    labels: stringMap(field(v, 'pod_labels')) ?? {},
    ...(workload !== undefined ? { workload } : {}),
    ...(workloadKind !== undefined ? { workloadKind } : {}),
    ...(container ? { container } : {}),
  };
}

/** Reads a `Process` message; undefined for anything that is not an object. */
export function readProcess(v: unknown): EventProcess | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, unknown> = {};
  let x: unknown;
  if ((x = text(field(v, 'exec_id'))) !== undefined) out['execId'] = x;
  if ((x = text(field(v, 'parent_exec_id'))) !== undefined) out['parentExecId'] = x;
  if ((x = uint(v['pid'])) !== undefined) out['pid'] = x;
  if ((x = uint(v['tid'])) !== undefined) out['tid'] = x;
  if ((x = uint(v['uid'])) !== undefined) out['uid'] = x;
  if ((x = text(v['binary'])) !== undefined) out['binary'] = x;
  if ((x = text(v['arguments'])) !== undefined) out['arguments'] = x;
  if ((x = text(v['cwd'])) !== undefined) out['cwd'] = x;
  if (v['pod'] !== undefined && (x = readPod(v['pod'])) !== undefined) out['pod'] = x;
  if ((x = text(v['docker'])) !== undefined) out['docker'] = x;
  if (v['ns'] !== undefined && (x = readNamespaces(v['ns'])) !== undefined) out['ns'] = x;
  if (v['cap'] !== undefined && (x = readCaps(v['cap'])) !== undefined) out['caps'] = x;
  if ((x = bool(field(v, 'in_init_tree'))) !== undefined) out['inInitTree'] = x;
  return out as EventProcess;
}

// ---------------------------------------------------------------------------------------------
// Arguments

/**
 * One typed argument (`KprobeArgument`): `type` is its oneof field without the `_arg` suffix
 * (`int`, `file`, `sock`, `truncated_bytes`, `cap_effective`, `syscall_id`, …) in snake_case,
 * `value` the field's JSON value as the agent printed it, with the field names of objects in
 * snake_case whichever spelling the line used (64-bit integers may be strings; bytes are base64).
 */
export interface EventArg {
  readonly type: string;
  readonly value: unknown;
  readonly label?: string;
}

/**
 * A JSON value with every object field name in snake_case. Arguments are a few levels deep; below
 * 16 levels (a hostile line) values are kept as they are rather than recursed into.
 */
function snakeKeys(v: unknown, depth = 0): unknown {
  if (depth > 16) return v;
  if (Array.isArray(v)) return v.map((x) => snakeKeys(x, depth + 1));
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[snake(k)] = snakeKeys(x, depth + 1);
  return out;
}

/** The argument fields whose oneof name does not end in `_arg`. */
const ARG_FIELDS_WITHOUT_SUFFIX = new Set(['syscall_id']);

/** Reads a `KprobeArgument`; an object with no known value field gives type `unknown`. */
export function readArg(v: unknown): EventArg {
  if (!isObj(v)) return { type: 'unknown', value: v };
  let type = 'unknown';
  let value: unknown;
  let label: string | undefined;
  for (const [k, x] of Object.entries(v)) {
    const s = snake(k);
    if (s === 'label') {
      if (typeof x === 'string') label = x;
      continue;
    }
    if (s.endsWith('_arg')) {
      type = s.slice(0, -'_arg'.length);
      value = snakeKeys(x);
    } else if (ARG_FIELDS_WITHOUT_SUFFIX.has(s)) {
      type = s;
      value = snakeKeys(x);
    }
  }
  return label !== undefined ? { type, value, label } : { type, value };
}

function readArgs(v: unknown): readonly EventArg[] | undefined {
  return Array.isArray(v) ? v.map(readArg) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Events

/** Which hook an event reports, as the agent names it. */
export interface EventHook {
  readonly kind: HookKind;
  /**
   * kprobe and LSM: `function_name` (`__x64_sys_openat`, `security_file_permission`, `file_open`);
   * tracepoint: `subsys/event`; uprobe: the symbol; USDT: `provider:name`.
   */
  readonly name: string;
  /** uprobe and USDT: the binary. */
  readonly path?: string;
  /** uprobe: the offset, when the event gives one. */
  readonly offset?: string;
}

/** A hook event, read. */
export interface HookEvent {
  readonly type: HookEventType;
  readonly hook: EventHook;
  readonly node?: string;
  readonly time?: string;
  readonly policyName?: string;
  readonly process?: EventProcess;
  readonly parent?: EventProcess;
  /** Ancestors beyond the parent, nearest first; undefined when the event carries none. */
  readonly ancestors?: readonly EventProcess[];
  /** `args`, in the order of the recording hook's `args`; undefined when the event has none. */
  readonly args?: readonly EventArg[];
  /** `data`, in the order of the recording hook's `data`. */
  readonly data?: readonly EventArg[];
  /** `return`: the return value, for return probes. */
  readonly returnArg?: EventArg;
  /** `action` as recorded (`KPROBE_ACTION_POST`, …). */
  readonly action?: string;
  /** `node_labels` of the node the event came from. */
  readonly nodeLabels?: Readonly<Record<string, string>>;
}

/** What one line of an event file is. */
export type EventLine =
  | { readonly kind: 'hook'; readonly event: HookEvent }
  /** A known event type that is not a hook event (exec, exit, …). */
  | { readonly kind: 'other'; readonly type: string }
  /** An object keyed by an event type this reader does not know (a newer agent's). */
  | { readonly kind: 'unknown-type'; readonly type: string }
  | { readonly kind: 'unparsable'; readonly reason: string }
  | { readonly kind: 'blank' };

const HOOK_TYPES = new Map<string, HookEventType>(
  (Object.keys(HOOK_EVENT_TYPES) as HookEventType[]).flatMap((t) => [
    [t, t],
    [lowerCamel(t), t],
  ]),
);
const OTHER_TYPES = new Map<string, string>(
  OTHER_EVENT_TYPES.flatMap((t) => [
    [t, t],
    [lowerCamel(t), t],
  ]),
);

function eventHook(type: HookEventType, body: Json): EventHook | undefined {
  const kind = HOOK_EVENT_TYPES[type];
  switch (type) {
    case 'process_kprobe':
    case 'process_lsm': {
      const name = text(field(body, 'function_name'));
      return name === undefined ? undefined : { kind, name };
    }
    case 'process_tracepoint': {
      const subsys = text(field(body, 'subsys'));
      const event = text(field(body, 'event'));
      return subsys === undefined || event === undefined ? undefined : { kind, name: `${subsys}/${event}` };
    }
    case 'process_uprobe': {
      const symbol = text(field(body, 'symbol'));
      const path = text(field(body, 'path'));
      const offset = field(body, 'offset');
      const off = typeof offset === 'string' || typeof offset === 'number' ? String(offset) : undefined;
      if (symbol === undefined && off === undefined) return undefined;
      return {
        kind,
        name: symbol ?? '',
        ...(path !== undefined ? { path } : {}),
        ...(off !== undefined ? { offset: off } : {}),
      };
    }
    case 'process_usdt': {
      const provider = text(field(body, 'provider'));
      const name = text(field(body, 'name'));
      const path = text(field(body, 'path'));
      if (provider === undefined || name === undefined) return undefined;
      return { kind, name: `${provider}:${name}`, ...(path !== undefined ? { path } : {}) };
    }
  }
}

/** Reads the already-parsed JSON value of one line. */
export function readEvent(value: unknown): EventLine {
  if (!isObj(value)) return { kind: 'unparsable', reason: 'the line is not a JSON object' };
  let other: string | undefined;
  let unknown: string | undefined;
  for (const key of Object.keys(value)) {
    const hook = HOOK_TYPES.get(key);
    if (hook) {
      const body = value[key];
      if (!isObj(body)) return { kind: 'unparsable', reason: `\`${key}\` is not an object` };
      const h = eventHook(hook, body);
      if (!h) return { kind: 'unparsable', reason: `\`${key}\` does not name its hook` };
      const ancestors = field(body, 'ancestors');
      const out: Record<string, unknown> = { type: hook, hook: h };
      const put = (k: string, x: unknown) => {
        if (x !== undefined) out[k] = x;
      };
      put('node', text(field(value, 'node_name')));
      put('time', text(field(value, 'time')));
      put('nodeLabels', stringMap(field(value, 'node_labels')));
      put('policyName', text(field(body, 'policy_name')));
      put('process', readProcess(field(body, 'process')));
      put('parent', readProcess(field(body, 'parent')));
      if (Array.isArray(ancestors))
        put(
          'ancestors',
          ancestors.map(readProcess).filter((p): p is EventProcess => p !== undefined),
        );
      put('args', readArgs(field(body, 'args')));
      put('data', readArgs(field(body, 'data')));
      const ret = field(body, 'return');
      if (isObj(ret)) out['returnArg'] = readArg(ret);
      put('action', text(field(body, 'action')));
      return { kind: 'hook', event: out as unknown as HookEvent };
    }
    if (ENVELOPE.has(snake(key))) continue;
    const o = OTHER_TYPES.get(key);
    if (o) other ??= o;
    else unknown ??= snake(key);
  }
  if (other) return { kind: 'other', type: other };
  if (unknown) return { kind: 'unknown-type', type: unknown };
  return { kind: 'unparsable', reason: 'the object has no event' };
}

/** Reads one line of an event file. */
export function parseEventLine(line: string): EventLine {
  const t = line.trim();
  if (t === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (e) {
    return { kind: 'unparsable', reason: `not JSON (${(e as Error).message})` };
  }
  return readEvent(value);
}
