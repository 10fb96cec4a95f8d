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
import { ARG_FILTER_FIELDS, filterArgType, hooks, int, items, selectorsOf } from '../../core/tetragon/policy.js';
import {
  INVALID_TYPE,
  agentType,
  isCapabilityType,
  operatorTypeProblem,
  tetragonRelease,
  UNKNOWN_TYPE,
} from '../../core/tetragon/values.js';

export const rule: Rule = {
  id: 'tetragon/operator-arg-type',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchArgs`, `matchData` or `matchReturnArgs` operator used on an argument type it does not work on (e.g. `DAddr` on an `int`, `GT` on a `string`, anything typed on `bpf_cmd`).',
  rationale:
    "Each selector operator compares one kind of value: integers and capability sets, strings and paths, sockets, or file types. The CRD does not know the argument types, so it admits any pairing; the agent refuses to load a policy whose operator cannot compare the argument's type, and for `Prefix`, `Postfix` and `SubString` on other types it loads a filter that does not match as intended. `bpf_cmd` only changes how events print a value: selectors have no type for it.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: int\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect\nspec:\n  kprobes:\n    - call: tcp_connect\n      syscall: false\n      args:\n        - index: 0\n          type: sock\n      selectors:\n        - matchArgs:\n            - index: 0\n              operator: DAddr\n              values: ["10.0.0.0/8"]\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'parseMatchArg (and writeMatchValues, writeMatchValuesRange, writeMatchValuesInMap for the types they take)',
      releases: 'Tetragon 1.4–1.8; 1.4 ignores Equal/GT values on types it cannot compare instead of refusing them',
    },
  ],
  check({ doc, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const readsReturn = h.hook['return'] === true && h.section !== 'lsmhooks';
      for (const sel of selectorsOf(h)) {
        for (const field of ARG_FILTER_FIELDS) {
          // Return filters are only compiled when the hook reads its return value (tetragon/return-arg).
          if (field === 'matchReturnArgs' && !readsReturn) continue;
          for (const f of items(sel.selector, field, sel.path)) {
            const op = str(f.item['operator']);
            if (!op) continue;
            if (op === 'CapabilitiesGained') {
              out.push(...capabilitiesGained(list(h.hook[field === 'matchData' ? 'data' : 'args']), f.item, f.path));
              continue;
            }
            const crdType = filterArgType(h, field, f.item);
            if (crdType === undefined) continue;
            const type = agentType(crdType);
            if (type === UNKNOWN_TYPE) continue;
            const where =
              field === 'matchReturnArgs'
                ? 'the return value'
                : field === 'matchData'
                  ? `data ${String(f.item['index'] ?? 0)}`
                  : `argument ${String(f.item['index'] ?? 0)}`;
            const p = operatorTypeProblem(op, type, release, where);
            if (!p) continue;
            const display =
              type === INVALID_TYPE
                ? ` (\`${crdType}\`${crdType === 'bpf_cmd' ? ' only changes how events print the value' : ''})`
                : '';
            out.push({
              path: [...f.path, 'operator'],
              target: 'value',
              ...(p.effect === 'rejects' || p.effect === 'crashes' ? {} : { severity: 'warning' as const }),
              message: p.message + display,
              data: { operator: op, type: crdType, code: p.code },
            });
          }
        }
      }
    }
    return out;
  },
};

/** CapabilitiesGained compares two capability-set arguments named by position. */
function capabilitiesGained(
  entries: readonly unknown[],
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
          '`CapabilitiesGained` compares two capability sets (new, old): list exactly two argument positions in `args`, e.g. `args: [1, 2]`; the agent refuses it otherwise.',
      },
    ];
  }
  const out: RuleFinding[] = [];
  positions.forEach((p, i) => {
    const pos = int(p);
    if (pos === undefined) return;
    const crdType = str((entries[pos] as Record<string, unknown> | undefined)?.['type']);
    const type = agentType(crdType);
    if (crdType && type !== UNKNOWN_TYPE && !isCapabilityType(type)) {
      out.push({
        path: [...path, 'args', i],
        target: 'value',
        message: `\`CapabilitiesGained\` needs capability-set arguments (\`kernel_cap_t\`, \`cap_effective\`, …); position ${pos} has type \`${crdType}\` and the agent refuses the policy.`,
      });
    }
  });
  return out;
}
