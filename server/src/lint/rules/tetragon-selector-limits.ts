// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/selector-limits
 *
 * Size limits of the in-kernel selector tables that the CRD does not encode (TP-SEL-1 to -5):
 * at most 5 selectors per hook, 5 argument filters (`matchArgs` + `matchData`) and 3 actions
 * per selector, 10 `matchNamespaces` filters and 1 `matchNamespaceChanges` filter. The fix for
 * too many selectors moves the extra ones into a copy of the hook, which the agent attaches
 * separately.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { isSeq } from 'yaml';
import type { Node } from 'yaml';
import { locate, type PolicyDocument, type PolicyFile } from '../../core/document.js';
import { appendItem, insertEntry, lineEnding } from '../../core/yaml-edits.js';
import { list, obj, str } from '../../core/data.js';
import { HOOK_NOUN, aHook, hooks, selectorsOf, spec, type HookRef } from '../../core/tetragon/policy.js';
import { tetragonRelease } from '../../core/tetragon/values.js';

const MAX_SELECTORS = 5;
const MAX_ARG_FILTERS = 5;
const MAX_ACTIONS = 3;
const MAX_NAMESPACE_FILTERS = 10;
const MAX_NAMESPACE_CHANGE_FILTERS = 1;

export const rule: Rule = {
  id: 'tetragon/selector-limits',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'More than 5 selectors on a hook, or a selector with more than 5 `matchArgs`+`matchData`, 3 actions, 10 `matchNamespaces` or 1 `matchNamespaceChanges` filters.',
  rationale:
    'Selectors are compiled into fixed-size tables in the BPF programs. The CRD admits any number of entries, but the agent refuses to load a policy that exceeds them. Spread the work over more selectors, or over a second hook entry for the same function.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: actions\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: Post\n            - action: Signal\n              argSig: 10\n            - action: Signal\n              argSig: 12\n            - action: Sigkill\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: actions\nspec:\n  kprobes:\n    - call: sys_write\n      selectors:\n        - matchActions:\n            - action: Post\n            - action: Sigkill\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/selectors/kernel.go',
      func: 'createKernelSelectorState (selectors), ParseMatchArgs, ParseMatchActions, ParseMatchNamespaces, ParseMatchNamespaceChanges',
      releases: 'Tetragon 1.4–1.8; the selector count from 1.7',
    },
  ],
  check({ doc, file, versions }) {
    const release = tetragonRelease(versions.tetragon);
    const out: RuleFinding[] = [];
    for (const h of hooks(doc.data)) {
      const sels = list(h.hook['selectors']);
      if (sels.length > MAX_SELECTORS) {
        const fix = splitFix(file, doc, h);
        for (let i = MAX_SELECTORS; i < sels.length; i++) {
          out.push({
            path: [...h.path, 'selectors', i],
            message:
              release >= 7
                ? `${aHook(h.section)} takes at most ${MAX_SELECTORS} selectors (this one has ${sels.length}); the agent refuses the policy. Move the extra selectors into a second entry for the same hook.`
                : `${aHook(h.section)} takes at most ${MAX_SELECTORS} selectors (this one has ${sels.length}); Tetragon ${versions.tetragon} does not check it, but its BPF programs look at the first ${MAX_SELECTORS} only and 1.7 refuses the policy. Move the extra selectors into a second entry for the same hook.`,
            ...(release >= 7 ? {} : { severity: 'warning' as const }),
            ...(fix ? { fixes: [fix] } : {}),
          });
        }
      }
      // Return filters and actions are compiled only for a hook that reads its return value.
      const readsReturn = h.hook['return'] === true && ['kprobes', 'fentries', 'uprobes'].includes(h.section);
      for (const sel of selectorsOf(h)) {
        const s = sel.selector;
        const filters = [
          ...list(s['matchArgs']).map((_, i) => ['matchArgs', i] as const),
          ...list(s['matchData']).map((_, i) => ['matchData', i] as const),
        ];
        for (const [field, i] of filters.slice(MAX_ARG_FILTERS)) {
          out.push({
            path: [...sel.path, field, i],
            message: `A selector holds at most ${MAX_ARG_FILTERS} \`matchArgs\` and \`matchData\` filters together (this one has ${filters.length}); the agent refuses the policy. Move filters into another selector.`,
          });
        }
        const returns = list(s['matchReturnArgs']);
        if (readsReturn)
          for (let i = MAX_ARG_FILTERS; i < returns.length; i++)
            out.push({
              path: [...sel.path, 'matchReturnArgs', i],
              message: `A selector holds at most ${MAX_ARG_FILTERS} \`matchReturnArgs\` filters (this one has ${returns.length}); the agent refuses the policy.`,
            });
        for (const field of ['matchActions', 'matchReturnActions']) {
          if (field === 'matchReturnActions' && !readsReturn) continue;
          const actions = list(s[field]);
          for (let i = MAX_ACTIONS; i < actions.length; i++) {
            out.push({
              path: [...sel.path, field, i],
              message: `A selector runs at most ${MAX_ACTIONS} \`${field}\` (this one has ${actions.length}); the agent refuses the policy.`,
            });
          }
        }
        const limits: [string, number][] = [
          ['matchNamespaces', MAX_NAMESPACE_FILTERS],
          ['matchNamespaceChanges', MAX_NAMESPACE_CHANGE_FILTERS],
        ];
        for (const [field, max] of limits) {
          const entries = list(s[field]);
          for (let i = max; i < entries.length; i++) {
            out.push({
              path: [...sel.path, field, i],
              message: `A selector holds at most ${max} \`${field}\` filter${max === 1 ? '' : 's'} (this one has ${entries.length}); the agent refuses the policy.`,
            });
          }
        }
      }
    }
    return out;
  },
};

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n') i--;
  return i;
}

function lineAfter(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/**
 * Rewrites the hook as two entries: the original with its first 5 selectors, and a copy (same
 * call, args, message and tags) holding the others. Built from the source text so comments
 * and formatting stay. For kprobes, the same symbol twice needs kprobe_multi disabled (TP-KP-3),
 * so the fix also adds that option unless the policy already sets it.
 */
function splitFix(file: PolicyFile, doc: PolicyDocument, h: HookRef): Fix | undefined {
  const text = file.text;
  const hookNode = locate(doc.yaml, h.path).node as Node | undefined;
  const selNode = locate(doc.yaml, [...h.path, 'selectors']).node;
  if (!hookNode?.range || !isSeq(selNode) || selNode.flow) return undefined;
  const ranges = selNode.items.map((it) => (it as Node).range);
  if (ranges.some((r) => !r)) return undefined;
  const starts = ranges.map((r) => lineStart(text, r![0]));
  // Each selector must start its own line (`- matchArgs:`), so whole lines can be moved.
  if (ranges.some((r, i) => !/^\s*-\s*$/.test(text.slice(starts[i], r![0])))) return undefined;
  const hookStart = lineStart(text, hookNode.range[0]);
  if (!/^\s*-\s*$/.test(text.slice(hookStart, hookNode.range[0]))) return undefined;
  // The hook ends at the end of its last line of content (its line break stays outside the edit,
  // so an entry appended after the hook by another edit only touches this one).
  let hookEnd = hookNode.range[1];
  while (hookEnd > hookStart && /\s/.test(text[hookEnd - 1]!)) hookEnd--;
  const lastSel = ranges[ranges.length - 1]!;
  let selEnd = lastSel[1];
  while (selEnd > starts[0]! && /\s/.test(text[selEnd - 1]!)) selEnd--;
  selEnd = Math.min(lineAfter(text, selEnd), hookEnd);
  const firstExtra = starts[MAX_SELECTORS]!;
  const hookText = text.slice(hookStart, hookEnd);
  const rel = (o: number) => o - hookStart;
  const kept = (hookText.slice(0, rel(firstExtra)) + hookText.slice(rel(selEnd))).replace(/\r?\n$/, '');
  const moved = hookText.slice(0, rel(starts[0]!)) + hookText.slice(rel(firstExtra));
  const eol = lineEnding(text);
  const hookEdit = { start: hookStart, end: hookEnd, newText: kept + eol + moved };
  const edits = [hookEdit];
  if (h.section === 'kprobes' && !kprobeMultiDisabled(doc.data)) {
    const option = 'name: disable-kprobe-multi\nvalue: "true"';
    const s = spec(doc.data);
    const opt = list(s?.['options']).length
      ? appendItem(file, doc, ['spec', 'options'], option)
      : s?.['options'] === undefined
        ? insertEntry(file, doc, ['spec'], 'options', `- name: disable-kprobe-multi\n  value: "true"`)
        : undefined;
    if (!opt || (opt.start >= hookStart && opt.start < hookEnd)) return undefined;
    edits.push(opt);
  }
  return {
    title: `Move selectors ${MAX_SELECTORS + 1}–${ranges.length} into a second ${HOOK_NOUN[h.section]} entry${edits.length > 1 ? ' (and disable kprobe_multi, which refuses the same symbol twice)' : ''}`,
    edits,
  };
}

function kprobeMultiDisabled(data: unknown): boolean {
  return list(spec(data)?.['options']).some((o) => str(obj(o)?.['name']) === 'disable-kprobe-multi');
}
