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
import { HOOK_NOUN, allSelectors, filterTarget, int, items, type HookRef } from '../../core/tetragon/policy.js';
import { operatorKind } from '../../core/tetragon/values.js';

/** The argument type the fix declares, by operator family. */
function typeForOperator(op: string | undefined): string | undefined {
  switch (op === undefined ? undefined : operatorKind(op)) {
    case 'file-type':
      return 'file';
    case 'port':
    case 'named':
    case 'address':
    case 'privileged-port':
      return 'sock';
    case 'compare':
    case 'range':
    case 'map':
      return 'int';
    case 'prefix':
    case 'postfix':
    case 'substring':
      return 'string';
    default:
      return undefined;
  }
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
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'argIndexType, argIndexTypeFromArgs, dataIndexType (argSelectorType in 1.4)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generictracepoint.go',
      func: 'genericTracepoint.InitKernelSelectors (field numbers rewritten to positions)',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc, file }) {
    const out: RuleFinding[] = [];
    for (const sel of allSelectors(doc.data)) {
      const h = sel.hook;
      for (const field of ['matchArgs', 'matchData'] as const) {
        const entries = list(h.hook[field === 'matchData' ? 'data' : 'args']);
        const listName = field === 'matchData' ? 'data' : 'args';
        for (const f of items(sel.selector, field, sel.path)) {
          const op = str(f.item['operator']);
          if (op === 'CelExpr') continue; // compiled against the arguments by the CEL compiler instead
          const positions = list(f.item['args']);
          if (positions.length) {
            const used = op === 'CapabilitiesGained' ? 2 : 1;
            positions.forEach((p, i) => {
              const pos = int(p);
              if (pos === undefined) return;
              if (i >= used)
                out.push({
                  path: [...f.path, 'args', i],
                  target: 'value',
                  severity: 'warning',
                  message: `The agent reads only the first ${used === 1 ? 'position' : 'two positions'} of \`args\`${used === 1 ? '' : ' (for `CapabilitiesGained`)'}; position ${pos} here is ignored.`,
                });
              else if (pos >= entries.length)
                out.push({
                  path: [...f.path, 'args', i],
                  target: 'value',
                  message: `\`args\` names positions in the hook's \`${listName}\` list, which has ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}; there is no position ${pos} and the agent refuses the selector.`,
                });
            });
            continue;
          }
          const target = filterTarget(h, field, f.item);
          if (
            target.found ||
            (target.position === undefined && f.item['index'] !== undefined && int(f.item['index']) === undefined)
          )
            continue;
          const idx = int(f.item['index'] ?? 0)!;
          if (field === 'matchData') {
            out.push({
              path: f.item['index'] === undefined ? [...f.path, 'operator'] : [...f.path, 'index'],
              target: 'value',
              message: `\`matchData.index\` is a position in the hook's \`data\` list, which has ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}; the agent refuses index ${idx}.`,
            });
            continue;
          }
          if (h.section === 'tracepoints') {
            // Arguments that carry a size (sizeArgIndex) may make the agent read extra fields,
            // which take positions after the declared ones.
            if (entries.some((e) => int((e as Record<string, unknown> | null)?.['sizeArgIndex']))) continue;
            out.push({
              path: f.item['index'] === undefined ? [...f.path, 'operator'] : [...f.path, 'index'],
              target: 'value',
              message: `No \`args\` entry of this tracepoint reads field ${idx}, and the tracepoint has no argument at position ${idx}; the agent refuses the selector.`,
            });
            continue;
          }
          const type = typeForOperator(op);
          const fix = type ? addArgFix(file, doc, h, idx, type) : undefined;
          out.push({
            path: f.item['index'] === undefined ? [...f.path, 'operator'] : [...f.path, 'index'],
            target: 'value',
            message: `This ${HOOK_NOUN[h.section]} declares no argument with index ${idx}; the agent needs it in \`args\` to know what to compare and refuses the selector.${
              nonEmpty(h.hook['args'])
                ? ` Declared: ${list(h.hook['args'])
                    .map((a) => String((a as Record<string, unknown> | null)?.['index']))
                    .join(', ')}.`
                : ''
            }`,
            ...(fix ? { fixes: [fix] } : {}),
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
