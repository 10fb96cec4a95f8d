// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/selector-macros
 *
 * Selector macros (Tetragon 1.7 and newer): a selector's `macros` pulls the filters of
 * `spec.selectorsMacros` entries into the selector, field by field, when the hook is loaded. The
 * agent refuses a name that is not defined, a macro that itself uses macros (checked when the
 * macro is used), and a field that would come from two places that both set it (an empty list
 * sets nothing). Fields the agent does not copy from a macro (`matchWorkloads`) are ignored.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { closest } from '../../core/text-distance.js';
import { list, nonEmpty, obj, str } from '../../core/data.js';
import { allSelectors, spec } from '../../core/tetragon/policy.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

/** The selector fields the agent merges from macros. */
const MERGED = [
  'matchPIDs',
  'matchArgs',
  'matchData',
  'matchActions',
  'matchReturnArgs',
  'matchReturnActions',
  'matchBinaries',
  'matchParentBinaries',
  'matchNamespaces',
  'matchNamespaceChanges',
  'matchCapabilities',
  'matchCapabilityChanges',
];

export const rule: Rule = {
  id: 'tetragon/selector-macros',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A selector macro that is not defined in `spec.selectorsMacros`, a used macro that uses macros itself, or a selector field set both in the selector and in a macro (or in two macros).',
  rationale:
    "The agent expands macros when it loads the policy by appending each macro's filters to the selector's. It refuses the policy when a macro name is unknown, when a macro it expands refers to other macros (no nesting), and when the same field (e.g. `matchBinaries`) would be non-empty in two places. A `label` comes from the first macro that has one when the selector has none; `matchWorkloads` is not copied from macros at all.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: macros\nspec:\n  selectorsMacros:\n    notSudo:\n      matchBinaries:\n        - operator: NotIn\n          values: [/usr/bin/sudo]\n  kprobes:\n    - call: sys_write\n      selectors:\n        - macros: [notSudo]\n          matchBinaries:\n            - operator: In\n              values: [/usr/bin/bash]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: macros\nspec:\n  selectorsMacros:\n    notSudo:\n      matchBinaries:\n        - operator: NotIn\n          values: [/usr/bin/sudo]\n  kprobes:\n    - call: sys_write\n      selectors:\n        - macros: [notSudo]\n          matchActions:\n            - action: Post\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generic.go',
      func: 'appendMacrosSelectors, useMacro',
      releases: 'Tetragon 1.7–1.8',
    },
  ],
  check({ doc, versions }) {
    const out: RuleFinding[] = [];
    // Macros arrived in Tetragon 1.7; before, the field is unknown (the schema reports it).
    if (tetragonRelease(versions.tetragon) < 7) return out;
    const defs = obj(spec(doc.data)?.['selectorsMacros']) ?? {};
    const nestingReported = new Set<string>();
    for (const sel of allSelectors(doc.data)) {
      // Which place sets each field: the selector itself, then each macro in order.
      const setBy = new Map<string, string>();
      for (const k of MERGED) if (nonEmpty(sel.selector[k])) setBy.set(k, 'the selector');
      list(sel.selector['macros']).forEach((n, i) => {
        const name = str(n);
        if (name === undefined) return;
        const path = [...sel.path, 'macros', i];
        const def = Object.prototype.hasOwnProperty.call(defs, name) ? obj(defs[name]) : undefined;
        if (!def) {
          const guess = closest(name, Object.keys(defs));
          out.push({
            path,
            target: 'value',
            message: `There is no macro \`${name}\` in \`spec.selectorsMacros\`; the agent refuses the policy.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          });
          return;
        }
        if (nonEmpty(def['macros']) && !nestingReported.has(name)) {
          nestingReported.add(name);
          out.push({
            path: ['spec', 'selectorsMacros', name, 'macros'],
            target: 'key',
            message: `Macro \`${name}\` uses macros itself; the agent does not nest macros and refuses the policy when a selector uses \`${name}\`.`,
          });
        }
        if (def['matchWorkloads'] !== undefined)
          out.push({
            path,
            target: 'value',
            severity: 'warning',
            message: `The agent does not copy \`matchWorkloads\` from macros: the one in \`${name}\` has no effect here. Write it in the selector.`,
          });
        for (const k of MERGED) {
          if (!nonEmpty(def[k])) continue;
          const prev = setBy.get(k);
          if (prev)
            out.push({
              path,
              target: 'value',
              message: `Macro \`${name}\` sets \`${k}\`, which ${prev} already sets; the agent does not merge the two and refuses the policy.`,
            });
          else setBy.set(k, `macro \`${name}\``);
        }
      });
    }
    return out;
  },
};
