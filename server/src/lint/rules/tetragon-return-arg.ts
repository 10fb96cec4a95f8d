// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/return-arg
 *
 * Return-value handling the CRD admits but the agent refuses (TP-ARG-9, TP-SEL-7, TP-KP-2):
 * `matchReturnArgs` compare the value described by `returnArg`, so a hook without a return
 * probe (`return: true` plus `returnArg`) has nothing to compare; LSM hooks have no return
 * probe at all; `returnArgAction` only knows socket tracking; and a syscall returns an integer.
 * (`return: true` without `returnArg` is a CRD rule the schema already reports.)
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { insertEntry, replaceValue } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { nonEmpty, obj, str } from '../../core/data.js';
import {
  hooks,
  isIntegerType,
  isSyscallKprobe,
  selectorsOf,
  typeGroup,
  type HookRef,
} from '../../core/tetragon/policy.js';
import { returnArgActions } from '../../core/versions.js';

/** The hook sections that have a return probe (`return`/`returnArg`). */
const WITH_RETURN = ['kprobes', 'fentries', 'uprobes'];

export const rule: Rule = {
  id: 'tetragon/return-arg',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    '`matchReturnArgs` on a hook without `return: true` and `returnArg` (or on an LSM hook), a `returnArgAction` other than `TrackSock`/`UntrackSock`, or a syscall `returnArg` that is not an integer.',
  rationale:
    'Return selectors compare the value `returnArg` describes, read by a return probe that only exists with `return: true`; LSM hooks have none. The agent refuses such policies at load time, and `returnArgAction` values other than `TrackSock` and `UntrackSock` too. A syscall returns a number (or a negative error), so a non-integer `returnArg` type reads garbage.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: failed-opens\nspec:\n  kprobes:\n    - call: sys_openat\n      selectors:\n        - matchReturnArgs:\n            - index: 0\n              operator: LT\n              values: ["0"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: failed-opens\nspec:\n  kprobes:\n    - call: sys_openat\n      return: true\n      returnArg:\n        index: 0\n        type: int\n      selectors:\n        - matchReturnArgs:\n            - index: 0\n              operator: LT\n              values: ["0"]\n',
  },
  check({ doc, file, versions }) {
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const hasReturn = h.hook['return'] === true;
      const returnArg = obj(h.hook['returnArg']);
      for (const sel of selectorsOf(h)) {
        if (!nonEmpty(sel.selector['matchReturnArgs'])) continue;
        const path = [...sel.path, 'matchReturnArgs'];
        if (h.section === 'lsmhooks') {
          out.push({
            path,
            target: 'key',
            message:
              'LSM hooks have no return probe: the agent rejects `matchReturnArgs` here. Filter on arguments with `matchArgs` instead.',
          });
        } else if (WITH_RETURN.includes(h.section) && !hasReturn && !returnArg) {
          const fix = addReturnFix(file, doc, h);
          out.push({
            path,
            target: 'key',
            message:
              '`matchReturnArgs` compare the return value, which is only read with `return: true` and a `returnArg`; the agent rejects this selector.',
            ...(fix ? { fixes: [fix] } : {}),
          });
        }
      }
      const action = h.hook['returnArgAction'];
      // The agent looks the name up in lower case; which names it takes depends on the release.
      const accepted = returnArgActions(versions.tetragon);
      if (action !== undefined && h.section === 'kprobes' && !accepted.includes(String(action).toLowerCase())) {
        out.push({
          path: [...h.path, 'returnArgAction'],
          target: 'value',
          message: accepted.includes('post')
            ? `\`returnArgAction\` must name an action Tetragon ${versions.tetragon} knows; the agent rejects \`${String(action)}\`.`
            : `\`returnArgAction\` may only be \`TrackSock\` or \`UntrackSock\` since Tetragon 1.7 (the target is ${versions.tetragon}); the agent rejects \`${String(action)}\`. Use \`matchReturnActions\` in a selector for other actions.`,
        });
      }
      const retType = str(returnArg?.['type']);
      if (
        h.section === 'kprobes' &&
        isSyscallKprobe(h.hook) &&
        retType &&
        typeGroup(retType) !== 'unknown' &&
        !isIntegerType(retType)
      ) {
        out.push({
          path: [...h.path, 'returnArg', 'type'],
          target: 'value',
          severity: 'warning',
          message: `A syscall returns an integer (or a negative error number); \`returnArg\` type \`${retType}\` will not read it correctly. Use \`int\` (or \`int64\`/\`uint64\`).`,
        });
      }
    }
    return out;
  },
};

/** Adds `return: true` (or flips `return: false`) and an integer `returnArg` to the hook. */
function addReturnFix(file: PolicyFile, doc: PolicyDocument, h: HookRef): Fix | undefined {
  const edits = [];
  if (h.hook['return'] !== undefined) {
    const flip = replaceValue(file, doc, [...h.path, 'return'], 'true');
    const arg = insertEntry(file, doc, h.path, 'returnArg', 'index: 0\ntype: int');
    if (!flip || !arg) return undefined;
    edits.push(flip, arg);
  } else {
    const ret = insertEntry(file, doc, h.path, 'return', 'true');
    const arg = insertEntry(file, doc, h.path, 'returnArg', 'index: 0\ntype: int');
    if (!ret || !arg) return undefined;
    // Both land at the end of the hook: one edit keeps them in this order.
    edits.push({ start: ret.start, end: ret.end, newText: ret.newText + arg.newText });
  }
  return { title: 'Read the return value: add `return: true` and `returnArg` (type `int`)', edits, preferred: true };
}
