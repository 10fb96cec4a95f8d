// SPDX-License-Identifier: Apache-2.0
/**
 * Argument filters (`matchArgs`, `matchData`, `matchReturnArgs`): the ONE place where the dry run
 * compares an event's argument with a filter's values.
 *
 * What is done here already: the filter is lined up with the event's argument the way the agent
 * lines them up (a `matchArgs` index names the hook's `args` entry with that `index`, and the
 * event's `args` follow the order of the hook's `args`; `matchData` the same over `data`;
 * `matchReturnArgs` reads `return`), and a missing argument gives `unknown` with the reason.
 *
 * What is not done yet (phase 2 of issue 17): comparing the values. The operators and the values
 * are parsed once, as the agent parses them, by the Tetragon value parser the lint rules share
 * (`core/tetragon/values.ts`, being written for issue 13); `compareArgument` below is where that
 * parser plugs in. Until then every comparison answers `unknown` with {@link INTERIM_REASON}.
 */
import { int, type HookRef } from '../core/tetragon/policy.js';
import { list, obj, str, type Obj } from '../core/data.js';
import type { EventArg, HookEvent } from '../core/tetragon/events.js';
import { unknown, type Check } from './check.js';

/** The answer every value comparison gives until the shared value parser is plugged in. */
export const INTERIM_REASON = 'argument values are not compared yet by the dry run (issue 17, phase 2)';

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
}

/** A compiled argument filter. */
export type ArgFilter = (event: HookEvent) => Check;

/**
 * Compares one event argument with a filter. THE INTEGRATION POINT for phase 2: replace the body
 * with the shared value parser's comparison (per operator and argument type, as the agent
 * compares). `argument` is the event's argument lined up with the filter; `spec.declared` its
 * declaration in the candidate hook (`type`, `index`, `maxData`, …).
 */
export function compareArgument(spec: ArgFilterSpec, argument: EventArg): Check {
  void argument;
  return unknown(`${spec.field} \`${spec.operator ?? '?'}\`: ${INTERIM_REASON}`);
}

/** The position of the `args`/`data` entry whose `index` is `idx`, and the entry. */
function lineUp(hook: Obj, field: 'args' | 'data', idx: number): { position: number; declared: Obj } | undefined {
  const entries = list(hook[field]);
  for (let i = 0; i < entries.length; i++) {
    const e = obj(entries[i]);
    if (e && int(e['index']) === idx) return { position: i, declared: e };
  }
  return undefined;
}

/** Prepares one argument filter of a candidate hook. */
export function compileArgFilter(field: ArgFilterField, filter: Obj, hook: HookRef): ArgFilter {
  const operator = str(filter['operator']);
  const what = `${field} \`${operator ?? '?'}\``;
  if (field === 'matchReturnArgs') {
    const declared = obj(hook.hook['returnArg']);
    const spec: ArgFilterSpec = { field, filter, hook, declared, position: undefined, operator };
    return (event) =>
      event.returnArg
        ? compareArgument(spec, event.returnArg)
        : unknown(`${what}: the event has no return value (it was recorded without \`return: true\`)`);
  }
  if (filter['args'] !== undefined)
    return () => unknown(`${what} names its arguments through \`args\`; the dry run reads \`index\` only`);
  const idx = int(filter['index']);
  if (idx === undefined) return () => unknown(`${what} has no \`index\``);
  const source = field === 'matchData' ? 'data' : 'args';
  const at = lineUp(hook.hook, source, idx);
  if (!at) return () => unknown(`${what}: the hook declares no \`${source}\` entry with index ${idx}`);
  const spec: ArgFilterSpec = { field, filter, hook, declared: at.declared, position: at.position, operator };
  return (event) => {
    const values = field === 'matchData' ? event.data : event.args;
    const argument = values?.[at.position];
    if (!argument)
      return unknown(
        `${what}: the event has no ${source === 'data' ? 'data' : 'argument'} ${at.position} (index ${idx}); the recording policy did not capture it`,
      );
    return compareArgument(spec, argument);
  };
}
