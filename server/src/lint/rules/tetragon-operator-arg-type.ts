// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/operator-arg-type
 *
 * The CRD admits any operator on any argument; the agent's selector compiler only knows how to
 * compare certain types with each operator (D6): numbers with GT/Mask/InRange/InMap, strings
 * and paths with Prefix/Postfix/SubString, sockets with the port/address/protocol operators,
 * `file`/`path` with FileType. A mismatch either fails the load or, for the string operators the
 * agent does not type-check, silently never matches.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { list, str } from '../../core/data.js';
import {
  ARG_FILTER_FIELDS,
  OPERATORS,
  allSelectors,
  filterArgType,
  int,
  items,
  operatorApplies,
  typeGroup,
} from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/operator-arg-type',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchArgs`, `matchData` or `matchReturnArgs` operator used on an argument type it does not work on (e.g. `DAddr` on an `int`, `GT` on a `string`).',
  rationale:
    "Each selector operator compares one kind of value: numbers, strings and paths, sockets, capability sets or file types. The CRD does not know the argument types, so it admits any pairing; the agent refuses to load a policy whose operator cannot compare the argument's type, and for `Prefix`, `Postfix` and `SubString` on a non-string it loads a filter that never matches as intended.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: int\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      for (const field of ARG_FILTER_FIELDS) {
        for (const f of items(sel.selector, field, sel.path)) {
          const op = str(f.item['operator']);
          if (!op) continue;
          if (op === 'CapabilitiesGained') {
            out.push(...capabilitiesGained(sel.hook.hook, f.item, f.path));
            continue;
          }
          const info = OPERATORS[op];
          const type = filterArgType(sel.hook, field, f.item);
          if (!info || !type) continue;
          const group = typeGroup(type);
          if (group === 'unknown' || operatorApplies(op, type)) continue;
          const ignored = info.otherwise === 'ignore';
          const where =
            field === 'matchReturnArgs'
              ? 'the return value'
              : field === 'matchData'
                ? `data ${String(f.item['index'])}`
                : `argument ${String(f.item['index'])}`;
          out.push({
            path: [...f.path, 'operator'],
            target: 'value',
            // Types outside the D6 groups are reported as warnings: the table lists them as rejected,
            // but they are rare and we would rather under-report than block a valid policy.
            ...(ignored || group === 'other' ? { severity: 'warning' as const } : {}),
            message: ignored
              ? `\`${op}\` compares ${info.meantFor}, but ${where} has type \`${type}\`; the agent does not check this and the filter will not match as intended.`
              : `\`${op}\` works on ${info.meantFor}, not on ${where} of type \`${type}\`; the agent refuses to load the policy.`,
            data: { operator: op, type },
          });
        }
      }
    }
    return out;
  },
};

/** CapabilitiesGained compares two capability-set arguments named by position in `args`. */
function capabilitiesGained(
  hook: Readonly<Record<string, unknown>>,
  filter: Readonly<Record<string, unknown>>,
  path: readonly (string | number)[],
): RuleFinding[] {
  const positions = list(filter['args']);
  if (positions.length !== 2) {
    return [
      {
        path: filter['args'] === undefined ? [...path, 'operator'] : [...path, 'args'],
        target: filter['args'] === undefined ? 'value' : 'key',
        message:
          '`CapabilitiesGained` compares two capability sets (new, old): list exactly two argument positions in `args`, e.g. `args: [1, 2]`.',
      },
    ];
  }
  const out: RuleFinding[] = [];
  positions.forEach((p, i) => {
    const pos = int(p);
    if (pos === undefined) return;
    const type = str((list(hook['args'])[pos] as Record<string, unknown> | undefined)?.['type']);
    if (type && typeGroup(type) !== 'cap' && typeGroup(type) !== 'unknown') {
      out.push({
        path: [...path, 'args', i],
        target: 'value',
        message: `\`CapabilitiesGained\` needs capability-set arguments (\`kernel_cap_t\`, \`cap_effective\`, …); position ${pos} has type \`${type}\`.`,
      });
    }
  });
  return out;
}
