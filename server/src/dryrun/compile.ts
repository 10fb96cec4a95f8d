// SPDX-License-Identifier: Apache-2.0
/**
 * Candidate policies, prepared once for the dry run: each hook gets the names the agent attaches
 * it under (so events are found by one map lookup), each selector its filters compiled and its
 * line in the policy file, each action its line. Hooks the dry run cannot place (a call list the
 * agent generates at load, a hook without a target) are listed as skipped, with the reason.
 */
import { locate, nodeSpan, type PolicyDocument } from '../core/document.js';
import { LineIndex } from '../core/line-index.js';
import { list, obj, str, type DataPath, type Obj } from '../core/data.js';
import {
  hooks,
  isSyscallKprobe,
  items,
  selectorsOf,
  spec,
  type HookRef,
  type HookSection,
} from '../core/tetragon/policy.js';
import { hookLabel } from '../core/tetragon/kernel-support.js';
import type { HookEvent, HookKind } from '../core/tetragon/events.js';
import { compileProcessFilters, type AgentOptions, type Filter } from './filters.js';
import { compileArgFilter, setPolicyLists, type ArgFilter } from './args.js';
import { compileWorkloads, type WorkloadFilter } from './workloads.js';
import { compileActions, type CompiledAction } from './actions.js';

/** A policy document to dry-run, with the file it came from (for lines and for results). */
export interface PolicyInput {
  /** How results name the file (`policies/etc.yaml`). */
  readonly file: string;
  /** The file's text (for line numbers). */
  readonly text: string;
  readonly doc: PolicyDocument;
}

export interface CompiledSelector {
  readonly index: number;
  /** 1-based line of the selector in the policy file. */
  readonly line: number;
  readonly workloads: WorkloadFilter | undefined;
  readonly filters: readonly Filter[];
  readonly argFilters: readonly ArgFilter[];
  readonly actions: readonly CompiledAction[];
  /** The actions as one comparable text (two selectors with the same actions act alike). */
  readonly actionsKey: string;
}

export interface CompiledHook {
  readonly policy: CompiledPolicy;
  /** The hook's index among the policy's hooks (all sections, in order). */
  readonly index: number;
  readonly section: HookSection;
  readonly ref: HookRef;
  /** "kprobe `sys_openat`". */
  readonly label: string;
  /** 1-based line of the hook in the policy file. */
  readonly line: number;
  readonly kind: HookKind;
  /** The lookup keys the hook is attached under (see {@link eventKey}). */
  readonly keys: readonly string[];
  readonly selectors: readonly CompiledSelector[];
}

export interface SkippedHook {
  readonly label: string;
  readonly line: number;
  readonly reason: string;
}

export interface CompiledPolicy {
  readonly kind: 'TracingPolicy' | 'TracingPolicyNamespaced';
  readonly name: string;
  readonly file: string;
  /** The namespace of a TracingPolicyNamespaced (undefined when it names none). */
  readonly namespace: string | undefined;
  /** `policy-mode: monitor`: enforcing actions are counted, not performed. */
  readonly monitor: boolean;
  readonly workloads: WorkloadFilter | undefined;
  readonly hooks: readonly CompiledHook[];
  readonly skipped: readonly SkippedHook[];
  /** Why the agent would refuse the whole policy, as far as the dry run reads it (lint says more). */
  readonly refused: readonly string[];
  /** What the dry run assumes about how the agent runs, where the policy depends on it. */
  readonly assumptions: readonly string[];
}

const ARCH_PREFIXES = ['__x64_', '__arm64_', '__ia32_'];

/** The names a syscall kprobe is attached under: the agent adds the node's arch prefix. */
function syscallNames(call: string): string[] {
  if (ARCH_PREFIXES.some((p) => call.startsWith(p))) return [call];
  return [...ARCH_PREFIXES.slice(0, 2).map((p) => `${p}${call}`), call];
}

/** An LSM hook's name without the prefixes of its BPF attach point or its kernel function. */
function lsmName(name: string): string {
  return name.replace(/^(bpf_lsm_|security_)/, '');
}

/** The key an event is looked up under. */
export function eventKey(event: HookEvent): string {
  const h = event.hook;
  switch (h.kind) {
    case 'kprobe':
      return `k\u0000${h.name}`;
    case 'lsm':
      return `l\u0000${lsmName(h.name)}`;
    case 'tracepoint':
      return `t\u0000${h.name}`;
    case 'uprobe':
      return h.name !== '' ? `u\u0000${h.path ?? ''}\u0000${h.name}` : `u\u0000${h.path ?? ''}\u0000+${h.offset ?? ''}`;
    case 'usdt':
      return `s\u0000${h.path ?? ''}\u0000${h.name}`;
  }
}

type Keys = { readonly kind: HookKind; readonly keys: string[] } | { readonly skip: string };

function hookKeys(h: HookRef, data: unknown): Keys {
  const o = h.hook;
  switch (h.section) {
    case 'kprobes':
    case 'fentries': {
      const call = str(o['call']);
      if (!call) return { skip: 'it names no `call`' };
      let calls = [call];
      let syscall = h.section === 'kprobes' && isSyscallKprobe(o);
      if (call.startsWith('list:')) {
        const name = call.slice('list:'.length);
        const l = list(spec(data)?.['lists'])
          .map(obj)
          .find((x) => str(x?.['name']) === name);
        if (!l) return { skip: `its list \`${name}\` is not in spec.lists` };
        const type = str(l['type']);
        if (type === 'generated_syscalls' || type === 'generated_ftrace')
          return { skip: `its list \`${name}\` is generated by the agent when the policy loads` };
        calls = list(l['values'])
          .map(str)
          .filter((x): x is string => x !== undefined);
        syscall = type === 'syscalls';
      }
      const names = calls.flatMap((c) => (syscall ? syscallNames(c) : [c]));
      return { kind: 'kprobe', keys: [...new Set(names)].map((n) => `k\u0000${n}`) };
    }
    case 'tracepoints': {
      const sub = str(o['subsystem']);
      const ev = str(o['event']);
      if (!sub || !ev) return { skip: 'it names no `subsystem` and `event`' };
      return { kind: 'tracepoint', keys: [`t\u0000${sub}/${ev}`] };
    }
    case 'lsmhooks': {
      const hook = str(o['hook']);
      if (!hook) return { skip: 'it names no `hook`' };
      return { kind: 'lsm', keys: [`l\u0000${lsmName(hook)}`] };
    }
    case 'uprobes': {
      const path = str(o['path']);
      if (!path) return { skip: 'it names no `path`' };
      const symbols = list(o['symbols'])
        .map(str)
        .filter((x): x is string => x !== undefined);
      const offsets = list(o['offsets']).map((x) =>
        typeof x === 'number' || typeof x === 'string' ? String(x) : undefined,
      );
      const keys = [
        ...symbols.map((s) => `u\u0000${path}\u0000${s}`),
        ...offsets.filter((x): x is string => x !== undefined).map((x) => `u\u0000${path}\u0000+${x}`),
      ];
      if (keys.length === 0) return { skip: 'it names no `symbols` or `offsets`' };
      return { kind: 'uprobe', keys };
    }
    case 'usdts': {
      const path = str(o['path']);
      const provider = str(o['provider']);
      const name = str(o['name']);
      if (!path || !provider || !name) return { skip: 'it names no `path`, `provider` and `name`' };
      return { kind: 'usdt', keys: [`s\u0000${path}\u0000${provider}:${name}`] };
    }
  }
}

function optionValue(data: unknown, name: string): string | undefined {
  for (const o of list(spec(data)?.['options'])) {
    const opt = obj(o);
    if (opt && str(opt['name']) === name) return typeof opt['value'] === 'string' ? opt['value'] : undefined;
  }
  return undefined;
}

/**
 * Compiles one TracingPolicy document. Returns undefined for other kinds and documents that could
 * not be read (the caller reports them).
 */
export function compilePolicy(
  input: PolicyInput,
  agent: AgentOptions = {},
  lines = new LineIndex(input.text),
): CompiledPolicy | undefined {
  const doc = input.doc;
  const kind = doc.kind?.kind;
  if (kind !== 'TracingPolicy' && kind !== 'TracingPolicyNamespaced') return undefined;
  if (doc.templated || doc.data === undefined) return undefined;
  const data = doc.data;
  const lineOf = (path: DataPath): number | undefined => {
    const l = locate(doc.yaml, path);
    const span = nodeSpan(l.key as never) ?? nodeSpan(l.node as never);
    return span ? lines.positionAt(span.start).line + 1 : undefined;
  };
  const namespaced = kind === 'TracingPolicyNamespaced';
  const namespace = namespaced ? doc.namespace || undefined : '';
  const policy: {
    -readonly [K in keyof CompiledPolicy]: CompiledPolicy[K];
  } = {
    kind,
    name: doc.name ?? '',
    file: input.file,
    namespace: namespaced ? namespace : undefined,
    monitor: optionValue(data, 'policy-mode') === 'monitor',
    workloads: compileWorkloads(spec(data), namespace, namespaced, 'the policy'),
    hooks: [],
    skipped: [],
    refused: [],
    assumptions: [],
  };
  const compiled: CompiledHook[] = [];
  const skipped: SkippedHook[] = [];
  const argRefusals: string[] = [];
  hooks(data).forEach((h, index) => {
    setPolicyLists(h, spec(data)?.['lists']);
    const label = hookLabel(h);
    const line = lineOf(h.path) ?? 1;
    const keys = hookKeys(h, data);
    if ('skip' in keys) {
      skipped.push({ label, line, reason: keys.skip });
      return;
    }
    const selectors: CompiledSelector[] = selectorsOf(h).map((sel) => {
      const selLine = lineOf(sel.path) ?? line;
      const actions = compileActions(items(sel.selector, 'matchActions', sel.path), selLine, sel.path, lineOf);
      const argFilters: ArgFilter[] = [];
      for (const field of ['matchArgs', 'matchData', 'matchReturnArgs'] as const)
        for (const f of items(sel.selector, field, sel.path)) {
          const af = compileArgFilter(field, f.item, h, agent);
          if (af.refused) argRefusals.push(`line ${lineOf(f.path) ?? selLine}: ${af.refused}`);
          argFilters.push(af);
        }
      const mw = obj(sel.selector['matchWorkloads']);
      return {
        index: sel.index,
        line: selLine,
        workloads: mw ? compileWorkloads(mw, '', false, `selector ${sel.index}`) : undefined,
        filters: compileProcessFilters(sel.selector as Obj),
        argFilters,
        actions,
        actionsKey: JSON.stringify(actions.map((a) => [a.action, a.argError, a.argSig, a.rateLimit?.text])),
      };
    });
    compiled.push({
      policy: policy as CompiledPolicy,
      index,
      section: h.section,
      ref: h,
      label,
      line,
      kind: keys.kind,
      keys: keys.keys,
      selectors,
    });
  });
  policy.hooks = compiled;
  policy.skipped = skipped;
  const refused: string[] = [...argRefusals];
  const assumptions: string[] = [];
  for (const h of hooks(data)) {
    for (const sel of selectorsOf(h)) {
      const at = lineOf(sel.path) ?? 1;
      for (const field of ['matchBinaries', 'matchParentBinaries'] as const)
        if (list(sel.selector[field]).length > 1)
          refused.push(`line ${at}: the agent accepts one \`${field}\` entry per selector`);
      if (list(sel.selector['matchParentBinaries']).length > 0) {
        const text = `line ${at}: \`matchParentBinaries\` loads only when the agent runs with --parents-map-enabled`;
        if (agent.parentsMapEnabled === false) refused.push(text);
        else if (agent.parentsMapEnabled === undefined) assumptions.push(`${text}; the dry run assumes it does`);
      }
    }
  }
  for (const h of compiled)
    for (const s of h.selectors)
      for (const a of s.actions) if (a.refused) refused.push(`line ${a.line}: ${a.note ?? ''}`);
  policy.refused = refused;
  policy.assumptions = assumptions;
  return policy;
}
