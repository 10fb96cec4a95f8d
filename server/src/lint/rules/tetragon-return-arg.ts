// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/return-arg
 *
 * Return-value handling. `matchReturnArgs` and `matchReturnActions` are compiled only for a hook
 * that reads its return value (`return: true` with a `returnArg`, on kprobes, fentries and
 * uprobes); elsewhere the agent ignores them, except on LSM hooks, which refuse `matchReturnArgs`.
 * A return filter names the return value by the `returnArg`'s `index`; `returnArgAction` only
 * knows socket tracking (from 1.7); and a syscall returns an integer. (`return: true` without
 * `returnArg` is a CRD rule the schema already reports.)
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { insertEntry, replaceValue } from '../../core/yaml-edits.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, nonEmpty, obj, str } from '../../core/data.js';
import { hooks, int, isSyscallKprobe, items, selectorsOf, type HookRef } from '../../core/tetragon/policy.js';
import { returnArgActions } from '../../core/versions.js';
import { INVALID_TYPE, UNKNOWN_TYPE, agentType, mapClass, tetragonRelease } from '../../core/tetragon/values.js';

const RETURN_ARG_ACTIONS = ['tracksock', 'untracksock'];

/**
 * The action names the agent's table knows in a release (lower-cased, as it looks them up): before
 * 1.7 `returnArgActions` is that whole table; 1.7 still knows the fd actions 1.8 removed.
 */
function knownActions(tetragon: string, release: number): readonly string[] {
  const table = returnArgActions('1.6');
  if (release < 7) return returnArgActions(tetragon);
  return release === 7 ? table : table.filter((a) => !['followfd', 'unfollowfd', 'copyfd'].includes(a));
}

/** The hook sections that have a return probe (`return`/`returnArg`). */
const WITH_RETURN = ['kprobes', 'fentries', 'uprobes'];

export const rule: Rule = {
  id: 'tetragon/return-arg',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    "Return selectors on a hook that does not read its return value (ignored), `matchReturnArgs` on an LSM hook or naming another index than the `returnArg`'s (refused), a `returnArgAction` other than `TrackSock`/`UntrackSock`, or a syscall `returnArg` that is not an integer.",
  rationale:
    "Return selectors compare the value `returnArg` describes, read by a return probe that only exists with `return: true`: without it the agent never compiles them, so they are silently ignored (LSM hooks, which have no return probe, refuse `matchReturnArgs` outright). A return filter finds the value by the `returnArg`'s `index`, and the agent refuses any other. Since Tetragon 1.7 `returnArgAction` may only be `TrackSock` or `UntrackSock`. A syscall returns a number (or a negative error), so a non-integer `returnArg` type reads garbage.",
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: failed-opens\nspec:\n  lsmhooks:\n    - hook: file_open\n      selectors:\n        - matchReturnArgs:\n            - index: 0\n              operator: LT\n              values: ["0"]\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: failed-opens\nspec:\n  kprobes:\n    - call: security_file_open\n      syscall: false\n      return: true\n      returnArg:\n        index: 0\n        type: int\n      selectors:\n        - matchReturnArgs:\n            - index: 0\n              operator: LT\n              values: ["0"]\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/genericlsm.go',
      func: 'isValidLsmSelectors',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: "InitKernelReturnSelectorState → ParseMatchArgs → argIndexType (index other than the returnArg's)",
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'addKprobe (returnArgAction)',
      releases: 'Tetragon 1.4–1.8; only TrackSock/UntrackSock from 1.7',
    },
  ],
  check({ doc, file, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const hasReturn = h.hook['return'] === true;
      const returnArg = obj(h.hook['returnArg']);
      const reads = WITH_RETURN.includes(h.section) && hasReturn;
      for (const sel of selectorsOf(h)) {
        for (const field of ['matchReturnArgs', 'matchReturnActions'] as const) {
          if (!nonEmpty(sel.selector[field])) continue;
          const path = [...sel.path, field];
          if (field === 'matchReturnArgs' && h.section === 'lsmhooks') {
            out.push({
              path,
              target: 'key',
              message:
                'LSM hooks have no return probe: the agent refuses `matchReturnArgs` here. Filter on arguments with `matchArgs` instead.',
            });
            continue;
          }
          if (!reads) {
            const fix = WITH_RETURN.includes(h.section)
              ? addReturnFix(file, doc, h, returnArg !== undefined)
              : undefined;
            out.push({
              path,
              target: 'key',
              severity: 'warning',
              message: WITH_RETURN.includes(h.section)
                ? `\`${field}\` works on the return value, which is only read with \`return: true\` and a \`returnArg\`; without them the agent ignores this filter.`
                : `A ${h.section === 'lsmhooks' ? 'LSM hook' : h.section === 'usdts' ? 'USDT' : 'tracepoint'} has no return value to act on: the agent ignores \`${field}\`.`,
              ...(fix ? { fixes: [fix] } : {}),
            });
            continue;
          }
          if (field !== 'matchReturnArgs' || !returnArg) continue;
          const want = int(returnArg['index'] ?? 0);
          for (const f of items(sel.selector, 'matchReturnArgs', sel.path)) {
            const positions = list(f.item['args']);
            if (positions.length) {
              const pos = int(positions[0]);
              if (pos !== undefined && pos !== 0)
                out.push({
                  path: [...f.path, 'args', 0],
                  target: 'value',
                  message: `A return filter has one value to compare, at position 0; the agent refuses position ${pos}.`,
                });
              continue;
            }
            const idx = int(f.item['index'] ?? 0);
            if (idx !== undefined && want !== undefined && idx !== want)
              out.push({
                path: f.item['index'] === undefined ? [...f.path, 'operator'] : [...f.path, 'index'],
                target: 'value',
                message: `The return value is \`returnArg\` index ${want}; the agent finds no return value with index ${idx} and refuses the selector.`,
              });
          }
        }
      }
      const action = h.hook['returnArgAction'];
      if (typeof action === 'string' && action !== '' && (h.section === 'kprobes' || h.section === 'fentries')) {
        const lower = action.toLowerCase();
        if (!knownActions(versions.tetragon, release).includes(lower))
          out.push({
            path: [...h.path, 'returnArgAction'],
            target: 'value',
            message: `\`${action}\` is not an action the agent knows; it refuses the policy. \`returnArgAction\` takes \`TrackSock\` or \`UntrackSock\`.`,
          });
        else if (!RETURN_ARG_ACTIONS.includes(lower))
          out.push({
            path: [...h.path, 'returnArgAction'],
            target: 'value',
            ...(release >= 7 ? {} : { severity: 'warning' as const }),
            message:
              release >= 7
                ? `\`returnArgAction\` may only be \`TrackSock\` or \`UntrackSock\`; the agent refuses \`${action}\`. Use \`matchReturnActions\` in a selector for other actions.`
                : `Only \`TrackSock\` and \`UntrackSock\` act on a return value; Tetragon ${versions.tetragon} accepts \`${action}\` but it does nothing here, and 1.7 refuses it. Use \`matchReturnActions\` in a selector.`,
          });
      }
      const retType = str(returnArg?.['type']);
      if (
        h.section === 'kprobes' &&
        isSyscallKprobe(h.hook) &&
        retType &&
        ![UNKNOWN_TYPE, INVALID_TYPE].includes(agentType(retType)) &&
        !mapClass(agentType(retType))
      ) {
        out.push({
          path: [...h.path, 'returnArg', 'type'],
          target: 'value',
          severity: 'warning',
          message: `A syscall returns an integer (or a negative error number); \`returnArg\` type \`${retType}\` will not read it correctly (the agent only logs the mismatch). Use \`int\` (or \`int64\`/\`uint64\`).`,
        });
      }
    }
    return out;
  },
};

/** Adds `return: true` (or flips `return: false`) and an integer `returnArg` to the hook. */
function addReturnFix(file: PolicyFile, doc: PolicyDocument, h: HookRef, hasReturnArg: boolean): Fix | undefined {
  const edits = [];
  if (h.hook['return'] !== undefined) {
    const flip = replaceValue(file, doc, [...h.path, 'return'], 'true');
    if (!flip) return undefined;
    edits.push(flip);
    if (!hasReturnArg) {
      const arg = insertEntry(file, doc, h.path, 'returnArg', 'index: 0\ntype: int');
      if (!arg) return undefined;
      edits.push(arg);
    }
  } else if (hasReturnArg) {
    const ret = insertEntry(file, doc, h.path, 'return', 'true');
    if (!ret) return undefined;
    edits.push(ret);
  } else {
    const ret = insertEntry(file, doc, h.path, 'return', 'true');
    const arg = insertEntry(file, doc, h.path, 'returnArg', 'index: 0\ntype: int');
    if (!ret || !arg) return undefined;
    // Both land at the end of the hook: one edit keeps them in this order.
    edits.push({ start: ret.start, end: ret.end, newText: ret.newText + arg.newText });
  }
  return {
    title: hasReturnArg
      ? 'Read the return value: set `return: true`'
      : 'Read the return value: add `return: true` and `returnArg` (type `int`)',
    edits,
    preferred: true,
  };
}
