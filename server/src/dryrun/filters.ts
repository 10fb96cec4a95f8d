// SPDX-License-Identifier: Apache-2.0
/**
 * The process filters of a selector, as the agent's BPF programs apply them
 * (`bpf/process/pfilter.h`, `match_binaries` in `bpf/process/types/basic.h`), evaluated on what an
 * exported event carries. Where the event does not carry what the agent reads (the process's PID
 * in its namespace, the namespaces at exec time versus now, an ancestry the event leaves out), the
 * answer is `unknown` with the reason.
 */
import { list, obj, str, type Obj } from '../core/data.js';
import { CAPABILITY_NAMES } from '../core/tetragon/values.js';
import type { EventProcess, HookEvent, NamespaceField } from '../core/tetragon/events.js';
import { no, TRUE, unknown, when, type Check } from './check.js';

/** A compiled filter. */
export type Filter = (event: HookEvent) => Check;

/** How many levels (the process, its parent, …) a followForks PID filter looks at. */
const FOLLOW_FORKS_LEVELS = 10;

function values(item: Obj): string[] {
  return list(item['values'])
    .map((v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined))
    .filter((v): v is string => v !== undefined);
}

function quoteList(vs: readonly string[]): string {
  const shown = vs.slice(0, 3).map((v) => JSON.stringify(v));
  return `[${shown.join(', ')}${vs.length > 3 ? `, … ${vs.length - 3} more` : ''}]`;
}

/**
 * The process and its ancestors as far as the event tells, nearest first, and whether that chain
 * is known to be complete (it reaches init or kthreadd, or a process with no parent).
 */
export function lineage(event: HookEvent): { chain: EventProcess[]; complete: boolean } {
  const chain: EventProcess[] = [];
  if (event.process) chain.push(event.process);
  if (event.parent) chain.push(event.parent);
  if (event.ancestors) chain.push(...event.ancestors);
  const top = chain[chain.length - 1];
  const complete =
    top !== undefined &&
    (top.pid === 1 ||
      top.pid === 2 ||
      top.pid === 0 ||
      (chain.length > 0 && top.parentExecId === undefined && !!top.execId));
  return { chain, complete };
}

// ---------------------------------------------------------------------------------------------
// matchBinaries, matchParentBinaries

function binaryTest(op: string, vs: readonly string[]): ((path: string) => boolean) | undefined {
  switch (op) {
    case 'In':
    case 'NotIn':
      return (p) => vs.includes(p);
    case 'Prefix':
    case 'NotPrefix':
      return (p) => vs.some((v) => p.startsWith(v));
    case 'Postfix':
    case 'NotPostfix':
      return (p) => vs.some((v) => p.endsWith(v));
    default:
      return undefined;
  }
}

/** A `false` whose reason is never shown (an intermediate answer). */
const MISS: Check = no('');

/** One `matchBinaries` entry (or `matchParentBinaries` with `parent`). */
export function compileBinaries(item: Obj, parent: boolean): Filter {
  const op = str(item['operator']) ?? '';
  const vs = values(item);
  const field = parent ? 'matchParentBinaries' : 'matchBinaries';
  // An entry without values is ignored by the agent.
  if (vs.length === 0) return () => TRUE;
  const test = binaryTest(op, vs);
  if (!test) return () => unknown(`${field}: the agent refuses the operator \`${op}\``);
  const negated = op.startsWith('Not');
  const follow = item['followChildren'] === true && !parent;
  const shown = `${op} ${quoteList(vs)}`;
  return (event) => {
    const who = parent ? event.parent : event.process;
    const binary = who?.binary;
    if (binary === undefined)
      return unknown(`${field}: the event does not carry the ${parent ? 'parent' : 'process'} binary`);
    let hit: Check;
    if (test(binary)) hit = TRUE;
    else if (follow) {
      // followChildren: the binary of any ancestor counts too.
      const { chain, complete } = lineage(event);
      const ancestor = chain.slice(1).find((p) => p.binary !== undefined && test(p.binary));
      if (ancestor) hit = TRUE;
      else if (!complete || chain.slice(1).some((p) => p.binary === undefined))
        return unknown(
          `${field} with followChildren: ${binary} is not ${shown}, and the event does not carry the whole ancestry that decides it (record with ancestors)`,
        );
      else hit = MISS;
    } else hit = MISS;
    const reasonFalse = () =>
      negated ? `${field}: ${binary} is ${shown.replace(/^Not/, '')}` : `${field}: ${binary} is not ${shown}`;
    const ok = negated ? hit.state !== 'true' : hit.state === 'true';
    return ok ? TRUE : no(reasonFalse);
  };
}

/**
 * `matchParentBinaries` compares the parent's binary. The agent accepts it only when it runs with
 * `--parents-map-enabled` (otherwise it refuses the policy, see `compile.ts`), so where the policy
 * loads the filter is applied as written.
 */
export function compileParentBinaries(item: Obj): Filter {
  return compileBinaries(item, true);
}

/** How the recording agent runs, where it changes what a filter does. */
export interface AgentOptions {
  /** `--parents-map-enabled`: without it the agent refuses matchParentBinaries. Undefined: not known. */
  readonly parentsMapEnabled?: boolean;
  /** The Tetragon minor release whose agent is followed (`8` for 1.8; see `tetragonRelease`). */
  readonly release?: number;
}

// ---------------------------------------------------------------------------------------------
// matchPIDs

function pidValues(item: Obj): number[] | undefined {
  const out: number[] = [];
  for (const v of list(item['values'])) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return undefined;
    out.push(n);
  }
  return out;
}

/** The `matchPIDs` of a selector. The agent's program reads one PID filter per selector. */
export function compilePids(items: readonly Obj[]): Filter | undefined {
  if (items.length === 0) return undefined;
  if (items.length > 1)
    return () => unknown(`matchPIDs has ${items.length} entries; the agent's program reads only one per selector`);
  const item = items[0]!;
  const op = str(item['operator']);
  const vs = pidValues(item);
  if ((op !== 'In' && op !== 'NotIn') || !vs)
    return () => unknown('matchPIDs: the agent refuses this operator or these values');
  const shown = `${op} ${quoteList(vs.map(String))}`;
  if (item['isNamespacePID'] === true)
    return () =>
      unknown(`matchPIDs with isNamespacePID: the event does not carry the PID inside the process's PID namespace`);
  const follow = item['followForks'] === true;
  return (event) => {
    const pid = event.process?.pid;
    if (pid === undefined) return unknown('matchPIDs: the event does not carry the process PID');
    let found: boolean | undefined;
    if (!follow) found = vs.includes(pid);
    else {
      // followForks: the process or one of its first ancestors (the agent walks ten levels).
      const { chain, complete } = lineage(event);
      const levels = chain.slice(0, FOLLOW_FORKS_LEVELS);
      if (levels.some((p) => p.pid !== undefined && vs.includes(p.pid))) found = true;
      else if ((complete || chain.length >= FOLLOW_FORKS_LEVELS) && levels.every((p) => p.pid !== undefined))
        found = false;
      else
        return unknown(
          `matchPIDs with followForks: PID ${pid} is not ${shown}, and the event does not carry the ancestry that decides it`,
        );
    }
    const ok = op === 'In' ? found : !found;
    return when(ok, () =>
      op === 'In' ? `matchPIDs: PID ${pid} is not ${shown}` : `matchPIDs: PID ${pid} is ${vs.join(', ')}`,
    );
  };
}

// ---------------------------------------------------------------------------------------------
// matchNamespaces

/** The CRD's namespace names (lower-cased as the agent reads them) and the event fields. */
const NAMESPACES: Readonly<Record<string, NamespaceField>> = {
  uts: 'uts',
  ipc: 'ipc',
  mnt: 'mnt',
  pid: 'pid',
  pidforchildren: 'pid_for_children',
  net: 'net',
  time: 'time',
  timeforchildren: 'time_for_children',
  cgroup: 'cgroup',
  user: 'user',
};

/** One `matchNamespaces` entry. */
export function compileNamespace(item: Obj): Filter {
  const name = str(item['namespace']) ?? '';
  const fieldName = NAMESPACES[name.toLowerCase()];
  const op = str(item['operator']);
  const vs = values(item);
  if (!fieldName || (op !== 'In' && op !== 'NotIn'))
    return () => unknown(`matchNamespaces: the agent refuses namespace \`${name}\` or operator \`${op ?? '?'}\``);
  const shown = `${op} ${quoteList(vs)}`;
  return (event) => {
    const ns = event.process?.ns;
    if (!ns)
      return unknown(
        'matchNamespaces: the event carries no namespaces (the agent records them with --enable-process-ns)',
      );
    const n = ns[fieldName];
    if (!n) return unknown(`matchNamespaces: the event does not carry the ${name} namespace`);
    const found = vs.some((v) => (v === 'host_ns' ? n.isHost : n.inum !== undefined && String(n.inum) === v.trim()));
    const ok = op === 'In' ? found : !found;
    const desc = `${name} namespace ${n.inum ?? '?'}${n.isHost ? ' (the host’s)' : ''}`;
    return when(
      ok,
      () =>
        `matchNamespaces: ${desc} is ${op === 'In' ? 'not ' : ''}${op === 'In' ? shown : shown.replace(/^NotIn/, 'In')}`,
    );
  };
}

// ---------------------------------------------------------------------------------------------
// matchCapabilities

/** The capability names the agent knows, upper-cased as it reads them. */
const CAPS = new Set(CAPABILITY_NAMES.map((c) => c.toUpperCase()));

/** The `matchCapabilities` of a selector. The agent's program reads one capability filter per selector. */
export function compileCapabilities(items: readonly Obj[]): Filter | undefined {
  if (items.length === 0) return undefined;
  if (items.length > 1)
    return () =>
      unknown(`matchCapabilities has ${items.length} entries; the agent's program reads only one per selector`);
  const item = items[0]!;
  const type = (str(item['type']) ?? '').toLowerCase();
  const op = str(item['operator']);
  const vs = values(item).map((v) => v.toUpperCase());
  if (
    !['effective', 'inheritable', 'permitted'].includes(type) ||
    (op !== 'In' && op !== 'NotIn') ||
    vs.some((v) => !CAPS.has(v))
  )
    return () => unknown('matchCapabilities: the agent refuses this type, operator or capability name');
  const isNs = item['isNamespaceCapability'] === true;
  return (event) => {
    const p = event.process;
    if (isNs) {
      const user = p?.ns?.user;
      if (!user)
        return unknown('matchCapabilities with isNamespaceCapability: the event does not carry the user namespace');
      if (user.isHost)
        return no('matchCapabilities with isNamespaceCapability: the process is in the host user namespace');
    }
    const caps = p?.caps;
    if (!caps)
      return unknown(
        'matchCapabilities: the event carries no capabilities (the agent records them with --enable-process-cred)',
      );
    const set = type === 'effective' ? caps.effective : type === 'inheritable' ? caps.inheritable : caps.permitted;
    const found = vs.some((v) => set.includes(v));
    const ok = op === 'In' ? found : !found;
    return when(
      ok,
      () =>
        `matchCapabilities: ${type} capabilities ${op === 'In' ? 'have none of' : 'include one of'} ${quoteList(vs)}`,
    );
  };
}

// ---------------------------------------------------------------------------------------------
// matchNamespaceChanges, matchCapabilityChanges

/** The change filters compare the exec-time state with the state at the hook; events carry only one. */
export function compileChanges(
  field: 'matchNamespaceChanges' | 'matchCapabilityChanges',
  items: readonly Obj[],
): Filter | undefined {
  if (items.length === 0) return undefined;
  const what = field === 'matchNamespaceChanges' ? 'namespaces' : 'capabilities';
  return () =>
    unknown(
      `${field}: whether the process's ${what} changed since exec is decided in the kernel and not exported with the event`,
    );
}

/** Every process filter of a selector, ANDed (workloads are compiled separately). */
export function compileProcessFilters(selector: Obj): Filter[] {
  const out: Filter[] = [];
  const items = (field: string) =>
    list(selector[field])
      .map(obj)
      .filter((x): x is Obj => x !== undefined);
  for (const b of items('matchBinaries')) out.push(compileBinaries(b, false));
  for (const b of items('matchParentBinaries')) out.push(compileParentBinaries(b));
  const pids = compilePids(items('matchPIDs'));
  if (pids) out.push(pids);
  for (const n of items('matchNamespaces')) out.push(compileNamespace(n));
  const caps = compileCapabilities(items('matchCapabilities'));
  if (caps) out.push(caps);
  for (const f of ['matchNamespaceChanges', 'matchCapabilityChanges'] as const) {
    const c = compileChanges(f, items(f));
    if (c) out.push(c);
  }
  return out;
}

/** Evaluates filters in order (ANDed): the first `false` decides, else the first `unknown`. */
export function evaluate(filters: readonly Filter[], event: HookEvent): Check {
  let firstUnknown: Check | undefined;
  for (const f of filters) {
    const r = f(event);
    if (r.state === 'false') return r;
    if (r.state === 'unknown' && !firstUnknown) firstUnknown = r;
  }
  return firstUnknown ?? TRUE;
}
