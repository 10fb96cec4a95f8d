// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/selector-macros
 *
 * Selector macros (TP-SEL-8): a selector's `macros` pulls the fields of `spec.selectorsMacros`
 * entries into the selector. The agent merges them field by field and refuses a name that is
 * not defined, a macro that itself uses macros, and a field that would be set twice (in the
 * selector and in a macro, or in two of its macros), since it will not guess which one wins.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { closest } from '../../core/text-distance.js';
import { list, obj, str } from '../../core/data.js';
import { allSelectors, spec } from '../../core/tetragon/policy.js';

export const rule: Rule = {
  id: 'tetragon/selector-macros',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A selector macro that is not defined in `spec.selectorsMacros`, a macro that uses macros, or a selector field set both in the selector and in a macro (or in two macros).',
  rationale:
    "The agent expands macros when it loads the policy by copying each macro's fields into the selector. It rejects the policy when a macro name is unknown, when a macro refers to other macros (no nesting), and when the same field (e.g. `matchBinaries`) would come from two places.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: macros\nspec:\n  selectorsMacros:\n    notSudo:\n      matchBinaries:\n        - operator: NotIn\n          values: [/usr/bin/sudo]\n  kprobes:\n    - call: sys_write\n      selectors:\n        - macros: [notSudo]\n          matchBinaries:\n            - operator: In\n              values: [/usr/bin/bash]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: macros\nspec:\n  selectorsMacros:\n    notSudo:\n      matchBinaries:\n        - operator: NotIn\n          values: [/usr/bin/sudo]\n  kprobes:\n    - call: sys_write\n      selectors:\n        - macros: [notSudo]\n          matchActions:\n            - action: Post\n',
  },
  check({ doc }) {
    const out: RuleFinding[] = [];
    const defs = obj(spec(doc.data)?.['selectorsMacros']) ?? {};
    for (const [name, m] of Object.entries(defs)) {
      if (obj(m)?.['macros'] !== undefined)
        out.push({
          path: ['spec', 'selectorsMacros', name, 'macros'],
          target: 'key',
          message: `Macro \`${name}\` uses macros itself; the agent does not nest macros and rejects the policy.`,
        });
    }
    for (const sel of allSelectors(doc.data)) {
      // Which place sets each field: the selector itself, then each macro in order.
      const setBy = new Map<string, string>();
      for (const k of Object.keys(sel.selector)) if (k !== 'macros' && k !== 'label') setBy.set(k, 'the selector');
      list(sel.selector['macros']).forEach((n, i) => {
        const name = str(n);
        if (name === undefined) return;
        const path = [...sel.path, 'macros', i];
        const def = obj(defs[name]);
        if (!def) {
          const guess = closest(name, Object.keys(defs));
          out.push({
            path,
            target: 'value',
            message: `There is no macro \`${name}\` in \`spec.selectorsMacros\`; the agent rejects the policy.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          });
          return;
        }
        for (const k of Object.keys(def)) {
          if (k === 'macros' || k === 'label') continue;
          const prev = setBy.get(k);
          if (prev)
            out.push({
              path,
              target: 'value',
              message: `Macro \`${name}\` sets \`${k}\`, which ${prev} already sets; the agent does not merge the two and rejects the policy.`,
            });
          else setBy.set(k, `macro \`${name}\``);
        }
      });
    }
    return out;
  },
};
