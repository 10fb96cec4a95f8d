// SPDX-License-Identifier: Apache-2.0
/**
 * Argument filters (`matchArgs`, `matchData`, `matchReturnArgs`): the ONE place where the dry run
 * compares an event's argument with a filter's values.
 *
 * The filter is lined up with the event's argument the way the agent lines them up
 * (`filterTarget`: a `matchArgs` index names the hook's `args` entry with that `index`, a
 * `matchData` index is a position in `data`, `args: [N]` a position, `matchReturnArgs` reads
 * `return`), and the event's `args` follow the order of the hook's `args`. The values are parsed
 * once, when the policy is compiled, by the value parser the lint rules share
 * (`core/tetragon/values.ts#parseFilter`); the comparison itself (`compare.ts`) follows the
 * agent's BPF filters operator by operator and type by type. Where the event cannot decide (an
 * argument the recording policy did not capture, or captured as another type), the answer is
 * `unknown` with the reason; where the agent would refuse the filter, too, and the policy says so.
 */
import { filterTarget, int, valueText, type HookRef } from '../core/tetragon/policy.js';
import { list, obj, str, type Obj } from '../core/data.js';
import { agentType, NEWEST_RELEASE, UNKNOWN_TYPE, type AgentType } from '../core/tetragon/values.js';
import type { EventArg, HookEvent } from '../core/tetragon/events.js';
import { unknown, type Check } from './check.js';
import { capabilitiesGained, inferredTypes, prepareComparison, type Comparison } from './compare.js';

/** Which block an argument filter is in. */
export type ArgFilterField = 'matchArgs' | 'matchData' | 'matchReturnArgs';

/** Everything a comparison needs, prepared once per filter. */
export interface ArgFilterSpec {
  readonly field: ArgFilterField;
  /** The filter as written (`index`, `operator`, `values`, `args`). */
  readonly filter: Obj;
  /** The candidate hook the filter belongs to. */
  readonly hook: HookRef;
  /** The hook's `args`/`data` entry the filter reads (`returnArg` for matchReturnArgs), when found. */
  readonly declared: Obj | undefined;
  /** The position of that entry in the event's `args`/`data`, when found. */
  readonly position: number | undefined;
  /** The operator as written. */
  readonly operator: string | undefined;
  /** The candidate's type for the argument, as the agent names it (`auto` when the hook resolves it). */
  readonly type: AgentType;
  /** "matchArgs index 1 `Prefix` ["/etc/"]", for reasons. */
  readonly label: string;
  /** The comparison, for the declared type (undefined for `auto`: chosen from the event's argument). */
  readonly comparison: Comparison | undefined;
  /** The Tetragon minor release whose agent the comparison follows. */
  readonly release: number;
}

/** A compiled argument filter; `refused` says why the agent would refuse it, when it would. */
export interface ArgFilter {
  (event: HookEvent): Check;
  readonly refused?: string;
}

/** Options of the argument filters: the Tetragon release whose agent is followed. */
export interface ArgOptions {
  readonly release?: number;
}

/**
 * Compares one event argument with a filter, as the agent's BPF program would. `argument` is the
 * event's argument lined up with the filter; `event` gives the other arguments (CapabilitiesGained
 * reads two).
 */
export function compareArgument(spec: ArgFilterSpec, argument: EventArg, event?: HookEvent): Check {
  if (argument.type === 'error')
    return unknown(
      `${spec.label}: the recording could not read this argument (${errorText(argument)}); whether the candidate reads it depends on how it reads it`,
    );
  if (spec.comparison) return spec.comparison.run(argument, event);
  // `auto`: the type the hook resolves is not in the policy; the event's argument says which
  // types it can be, and the answer stands only when every one of them gives it.
  const types = inferredTypes(argument.type);
  if (types.length === 0)
    return unknown(
      `${spec.label}: the argument's type is left to the hook, and a \`${argument.type}\` argument does not say which`,
    );
  let first: Check | undefined;
  for (const t of types) {
    const c = comparisonFor(spec, t).run(argument, event);
    if (c.state === 'unknown') return c;
    if (first === undefined) first = c;
    else if (first.state !== c.state)
      return unknown(
        `${spec.label}: the argument's type is left to the hook; as \`${types.join('`, `')}\` the answers differ`,
      );
  }
  return first!;
}

function errorText(arg: EventArg): string {
  const m = obj(arg.value)?.['message'];
  return typeof m === 'string' ? m : 'an error';
}

const perType = new WeakMap<ArgFilterSpec, Map<AgentType, Comparison>>();
function comparisonFor(spec: ArgFilterSpec, type: AgentType): Comparison {
  let m = perType.get(spec);
  if (!m) perType.set(spec, (m = new Map<AgentType, Comparison>()));
  let c = m.get(type);
  if (!c) {
    c = prepareComparison(spec.operator ?? '', type, valuesOf(spec.filter), {
      release: spec.release,
      tracepoint: spec.hook.section === 'tracepoints',
      label: spec.label,
      declared: spec.declared,
      lists: listsOf(spec),
    });
    m.set(type, c);
  }
  return c;
}

function valuesOf(filter: Obj): string[] {
  return list(filter['values']).map((v) => valueText(v) ?? '');
}

/** The policy's `spec.lists`, for `list:` values (set by the compiler through the hook's document). */
const listsByHook = new WeakMap<Obj, readonly Obj[]>();
function listsOf(spec: ArgFilterSpec): readonly Obj[] {
  return listsByHook.get(spec.hook.hook) ?? [];
}

/** Hands the policy's `spec.lists` to the filters of its hooks (for `InMap` `list:` values). */
export function setPolicyLists(hook: HookRef, lists: unknown): void {
  listsByHook.set(
    hook.hook,
    list(lists)
      .map(obj)
      .filter((x): x is Obj => x !== undefined),
  );
}

function describe(field: ArgFilterField, filter: Obj, operator: string | undefined): string {
  const vs = valuesOf(filter);
  const shown = vs.slice(0, 3).map((v) => JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}…` : v));
  const where =
    field === 'matchReturnArgs'
      ? ''
      : list(filter['args']).length
        ? ` args ${JSON.stringify(list(filter['args']))}`
        : ` index ${String(filter['index'] ?? 0)}`;
  const values = vs.length ? ` [${shown.join(', ')}${vs.length > 3 ? `, … ${vs.length - 3} more` : ''}]` : '';
  return `${field}${where} \`${operator ?? '?'}\`${values}`;
}

function withRefusal(fn: (event: HookEvent) => Check, refused: string | undefined): ArgFilter {
  return refused === undefined ? fn : Object.assign(fn, { refused });
}

/** Prepares one argument filter of a candidate hook. */
export function compileArgFilter(field: ArgFilterField, filter: Obj, hook: HookRef, opts: ArgOptions = {}): ArgFilter {
  const operator = str(filter['operator']);
  const label = describe(field, filter, operator);
  const release = opts.release ?? NEWEST_RELEASE;
  if (operator === 'CelExpr')
    return () =>
      unknown(`${label}: the agent compiles CEL expressions into its BPF program; the dry run does not evaluate them`);
  const target = filterTarget(hook, field, filter);
  if (!target.found) {
    const refused = `${label}: the hook declares no ${field === 'matchData' ? '`data`' : field === 'matchReturnArgs' ? '`returnArg`' : '`args`'} entry it names, and the agent refuses the selector`;
    return withRefusal(() => unknown(refused), refused);
  }
  if (target.position === undefined) return () => unknown(`${label}: the filter names no usable \`index\``);
  const position = target.position;
  const declared = obj(target.list[position]);
  const type = agentType(declared ? (declared['type'] === undefined ? 'auto' : str(declared['type'])) : undefined);
  const spec: ArgFilterSpec = {
    field,
    filter,
    hook,
    declared,
    position: field === 'matchReturnArgs' ? undefined : position,
    operator,
    type,
    label,
    release,
    comparison: undefined,
  };
  const full: ArgFilterSpec = type === UNKNOWN_TYPE ? spec : { ...spec, comparison: comparisonFor(spec, type) };
  const refused = full.comparison?.refused;

  if (operator === 'CapabilitiesGained') return withRefusal(capabilitiesGainedFilter(full, filter), refused);

  const why = declared && entryWhy(declared);
  if (why) return withRefusal(() => unknown(`${label}: ${why}`), refused);

  if (field === 'matchReturnArgs') {
    const declaredArgs = list(hook.hook['args']).length;
    return withRefusal((event) => {
      if (event.returnArg) return compareArgument(full, event.returnArg, event);
      // Uprobe events have no `return` field: a return probe's value follows the arguments.
      if (event.type === 'process_uprobe' && event.args && event.args.length === declaredArgs + 1)
        return compareArgument(full, event.args[declaredArgs]!, event);
      return unknown(`${label}: the event has no return value (it was recorded without \`return: true\`)`);
    }, refused);
  }
  const source = field === 'matchData' ? 'data' : 'args';
  return withRefusal((event) => {
    const values = field === 'matchData' ? event.data : event.args;
    const argument = values?.[position];
    if (!argument)
      return unknown(
        `${label}: the event has no ${source === 'data' ? 'data' : 'argument'} at position ${position}; the recording policy did not capture it`,
      );
    return compareArgument(full, argument, event);
  }, refused);
}

/** Why an argument, as the candidate declares it, is not what the event shows at filter time. */
function entryWhy(declared: Obj): string | undefined {
  if (declared['returnCopy'] === true)
    return 'the argument is copied when the function returns (`returnCopy`), after the agent has filtered on it; the event shows the copy';
  return undefined;
}

/** CapabilitiesGained: the agent compares two capability arguments, old and new, of one call. */
function capabilitiesGainedFilter(spec: ArgFilterSpec, filter: Obj): (event: HookEvent) => Check {
  const positions = list(filter['args']).map(int);
  const [a, b] = positions;
  if (positions.length !== 2 || a === undefined || b === undefined)
    return () => unknown(`${spec.label}: the agent refuses it without two \`args\` (the old and the new set)`);
  return (event) => {
    const source = spec.field === 'matchData' ? event.data : event.args;
    const oldArg = source?.[a];
    const newArg = source?.[b];
    if (!oldArg || !newArg)
      return unknown(`${spec.label}: the event does not carry both capability arguments (positions ${a} and ${b})`);
    return capabilitiesGained(spec.label, oldArg, newArg);
  };
}
