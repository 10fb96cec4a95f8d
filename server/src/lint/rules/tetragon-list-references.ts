// SPDX-License-Identifier: Apache-2.0
/**
 * Rule: tetragon/list-references
 *
 * `spec.lists` and the `list:NAME` references to them (TP-KP-1, TP-LIST-2, TP-LIST-3). The CRD
 * cannot check that a reference names an existing list, so a typo is only found when the agent
 * loads the policy. Generated lists are built by the agent and must not carry `values`; an
 * ftrace list needs its `pattern`; a `list:` selector value needs a list of syscalls. A list
 * nobody refers to is probably a leftover or a misspelt reference.
 */
import { TRACING_POLICY_KINDS, type Rule, type RuleFinding } from '../rule.js';
import { type Fix } from '../../core/findings.js';
import { closest } from '../../core/text-distance.js';
import type { PolicyDocument, PolicyFile } from '../../core/document.js';
import { list, obj, str } from '../../core/data.js';
import { allSelectors, hooks, items, replaceScalarFix, spec } from '../../core/tetragon/policy.js';
import type { DataPath } from '../../core/data.js';

const SYSCALL_LISTS = ['syscalls', 'generated_syscalls'];
const GENERATED = ['generated_syscalls', 'generated_ftrace'];

interface Reference {
  readonly name: string;
  readonly path: DataPath;
  /** The whole string (`list:NAME`) so the fix can rewrite it. */
  readonly value: string;
  readonly needsSyscalls: boolean;
}

export const rule: Rule = {
  id: 'tetragon/list-references',
  kinds: TRACING_POLICY_KINDS,
  defaultSeverity: 'error',
  summary:
    'A `list:NAME` reference to a list `spec.lists` does not define (or that is not a syscall list where one is needed), a generated list with `values`, a `generated_ftrace` list without `pattern`, or a list nothing refers to.',
  rationale:
    'Kprobe `call`, selector values and enforcer `calls` can name a list as `list:NAME`; the agent resolves the name when it loads the policy and refuses it when there is no such list. Selector values need a list of syscalls. Generated lists are filled by the agent, which rejects `values` on them, and `generated_ftrace` matches kernel functions against `pattern`, which it therefore requires.',
  example: {
    bad: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: dups\nspec:\n  lists:\n    - name: dups\n      type: syscalls\n      values: [sys_dup, sys_dup2]\n  kprobes:\n    - call: "list:dup"\n',
    good: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: dups\nspec:\n  lists:\n    - name: dups\n      type: syscalls\n      values: [sys_dup, sys_dup2]\n  kprobes:\n    - call: "list:dups"\n',
  },
  rejectedBy: [
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/lists_linux.go',
      func: 'validateList (via preValidateLists), listReader.Read',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/generickprobe.go',
      func: 'preValidateKprobe (isList)',
      releases: 'Tetragon 1.4–1.8',
    },
    {
      repo: 'cilium/tetragon',
      file: 'pkg/sensors/tracing/enforcer.go',
      func: 'enforcerPolicy.createEnforcerSensor',
      releases: 'Tetragon 1.4–1.8',
    },
  ],
  check({ doc, file }) {
    const s = spec(doc.data);
    if (!s) return [];
    const out: RuleFinding[] = [];
    const lists = items(s, 'lists', ['spec']);
    const byName = new Map<string, { type: string | undefined; path: DataPath }>();
    for (const l of lists) {
      const name = str(l.item['name']);
      const type = str(l.item['type']);
      if (name !== undefined && !byName.has(name)) byName.set(name, { type, path: l.path });
      if (type && GENERATED.includes(type) && list(l.item['values']).length) {
        out.push({
          path: [...l.path, 'values'],
          target: 'key',
          message: `A \`${type}\` list is filled by the agent; it rejects \`values\` here. Remove them, or use \`type: syscalls\` to write the list out.`,
        });
      }
      if (type === 'generated_ftrace' && !str(l.item['pattern'])) {
        out.push({
          path: [...l.path, 'type'],
          target: 'value',
          message:
            'A `generated_ftrace` list collects the kernel functions matching `pattern`; the agent rejects it without one (e.g. `pattern: "^security_.*"`).',
        });
      }
    }
    const refs = references(doc.data);
    for (const r of refs) {
      const target = byName.get(r.name);
      if (!target) {
        const guess = closest(r.name, byName.keys());
        const fix = guess ? renameFix(file, doc, r, guess) : undefined;
        out.push({
          path: r.path,
          target: 'value',
          message: `There is no list \`${r.name}\` in \`spec.lists\`; the agent rejects the policy.${guess ? ` Did you mean \`${guess}\`?` : ''}`,
          ...(fix ? { fixes: [fix] } : {}),
        });
      } else if (r.needsSyscalls && !(target.type && SYSCALL_LISTS.includes(target.type))) {
        out.push({
          path: r.path,
          target: 'value',
          message: `Selector values can only name a list of syscalls (\`type: syscalls\` or \`generated_syscalls\`); \`${r.name}\` is ${target.type ? `a \`${target.type}\` list` : 'untyped'}.`,
        });
      }
    }
    const used = new Set(refs.map((r) => r.name));
    for (const [name, l] of byName) {
      if (!used.has(name))
        out.push({
          path: [...l.path, 'name'],
          target: 'value',
          severity: 'warning',
          message: `The list \`${name}\` is not referred to as \`list:${name}\` anywhere in this policy.`,
        });
    }
    return out;
  },
};

/** Every `list:NAME` in kprobe calls, selector argument values and enforcer calls. */
function references(data: unknown): Reference[] {
  const out: Reference[] = [];
  const add = (v: unknown, path: DataPath, needsSyscalls: boolean) => {
    const t = str(v);
    if (t?.startsWith('list:')) out.push({ name: t.slice(5), path, value: t, needsSyscalls });
  };
  for (const h of hooks(data))
    if (h.section === 'kprobes' || h.section === 'fentries') add(h.hook['call'], [...h.path, 'call'], false);
  for (const sel of allSelectors(data)) {
    for (const field of ['matchArgs', 'matchData']) {
      for (const f of items(sel.selector, field, sel.path))
        list(f.item['values']).forEach((v, i) => add(v, [...f.path, 'values', i], true));
    }
  }
  list(spec(data)?.['enforcers']).forEach((e, i) =>
    list(obj(e)?.['calls']).forEach((c, j) => add(c, ['spec', 'enforcers', i, 'calls', j], false)),
  );
  return out;
}

function renameFix(file: PolicyFile, doc: PolicyDocument, r: Reference, guess: string): Fix | undefined {
  return replaceScalarFix(file, doc, r.path, `list:${guess}`, `Change to \`list:${guess}\``);
}
