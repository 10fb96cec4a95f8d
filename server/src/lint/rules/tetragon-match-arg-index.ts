// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/match-arg-index
 *
 * A `matchArgs` filter names the argument it compares by the `index` an `args` entry declares,
 * not by the function's parameter position; `args` positions name entries of the `args` list and
 * `matchData.index` an entry of `data` (TP-SEL-6). The agent looks the argument up to learn its
 * type and refuses the policy when there is none. The fix declares the missing argument with a
 * type that suits the operator.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { appendItem, insertEntry } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, nonEmpty, str } from '../../core/data.js';
import {
  HOOK_NOUN,
  OPERATORS,
  allSelectors,
  declaredArg,
  int,
  items,
  type HookRef,
} from '../../core/tetragon/policy.js';

/** The argument type the fix declares, by operator family. */
function typeForOperator(op: string | undefined): string | undefined {
  if (!op) return undefined;
  if (op === 'FileType' || op === 'NotFileType') return 'file';
  const info = OPERATORS[op];
  if (!info) return undefined;
  if (info.groups.includes('sock')) return 'sock';
  if (info.groups[0] === 'num32') return 'int';
  if (info.groups[0] === 'str') return op === 'Equal' || op === 'NotEqual' ? undefined : 'string';
  return undefined;
}

export const rule: Rule = {
  id: 'tetragon/match-arg-index',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `matchArgs` filter whose `index` matches no `args` entry, an `args` position beyond the `args` list, or a `matchData` index beyond the `data` list.',
  rationale:
    'The agent finds the type of the compared value through the `args` (or `data`) entry the filter names, and refuses to load the policy when it is missing. `matchArgs.index` is the `index` written in an `args` entry (the parameter number), so declare every argument you filter on.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: sys_openat\n      args:\n        - index: 0\n          type: int\n      selectors:\n        - matchArgs:\n            - index: 1\n              operator: Prefix\n              values: [/etc/]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: open\nspec:\n  kprobes:\n    - call: sys_openat\n      args:\n        - index: 0\n          type: int\n        - index: 1\n          type: string\n      selectors:\n        - matchArgs:\n            - index: 1\n              operator: Prefix\n              values: [/etc/]\n',
  },
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      const h = sel.hook;
      const args = list(h.hook['args']);
      for (const f of items(sel.selector, 'matchArgs', sel.path)) {
        const positions = list(f.item['args']);
        if (f.item['args'] !== undefined) {
          positions.forEach((p, i) => {
            const pos = int(p);
            if (pos !== undefined && pos >= args.length) {
              out.push({
                path: [...f.path, 'args', i],
                target: 'value',
                message: `\`args\` names positions in the hook's \`args\` list, which has ${args.length} entr${args.length === 1 ? 'y' : 'ies'}; there is no position ${pos}.`,
              });
            }
          });
          continue;
        }
        const idx = int(f.item['index']);
        if (idx === undefined || declaredArg(h.hook, idx)) continue;
        if (h.section === 'tracepoints') {
          // Upstream tracepoint examples also use the position in `args`; accept either reading.
          if (idx < args.length) continue;
          out.push({
            path: [...f.path, 'index'],
            target: 'value',
            message: `No \`args\` entry of this tracepoint has index ${idx} (nor is there a position ${idx}); the agent rejects the selector.`,
          });
          continue;
        }
        const type = typeForOperator(str(f.item['operator']));
        const fix = type ? addArgFix(file, doc, h, idx, type) : undefined;
        out.push({
          path: [...f.path, 'index'],
          target: 'value',
          message: `This ${HOOK_NOUN[h.section]} declares no argument with index ${idx}; the agent needs it in \`args\` to know what to compare and rejects the selector.${
            nonEmpty(h.hook['args'])
              ? ` Declared: ${list(h.hook['args'])
                  .map((a) => String((a as Record<string, unknown> | null)?.['index']))
                  .join(', ')}.`
              : ''
          }`,
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
      const data = list(h.hook['data']);
      for (const f of items(sel.selector, 'matchData', sel.path)) {
        const idx = int(f.item['index']);
        if (idx !== undefined && idx >= data.length) {
          out.push({
            path: [...f.path, 'index'],
            target: 'value',
            message: `\`matchData.index\` is a position in the hook's \`data\` list, which has ${data.length} entr${data.length === 1 ? 'y' : 'ies'}; the agent rejects index ${idx}.`,
          });
        }
      }
    }
    return out;
  },
};

function addArgFix(file: PolicyFile, doc: PolicyDocument, h: HookRef, idx: number, type: string): Fix | undefined {
  const entry = `index: ${idx}\ntype: ${type}`;
  const edit = nonEmpty(h.hook['args'])
    ? appendItem(file, doc, [...h.path, 'args'], entry)
    : h.hook['args'] === undefined
      ? insertEntry(file, doc, h.path, 'args', `- index: ${idx}\n  type: ${type}`)
      : undefined;
  return edit ? { title: `Declare argument ${idx} in \`args\` (type \`${type}\`)`, edits: [edit] } : undefined;
}
