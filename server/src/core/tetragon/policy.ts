// SPDX-License-Identifier: Apache-2.0
/**
 * Shared knowledge for the Tetragon rules: how to walk the hooks and selectors of a
 * TracingPolicy and find the argument a filter compares. How the agent reads the values
 * themselves lives in values.ts (with go-strconv.ts, addresses.ts and names.ts).
 * Everything here is pure and stateless.
 */
import { isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import { locate, type PolicyDocument, type PolicyFile } from '../document.js';
import { replaceValue } from '../yaml-edits.js';
import type { DataPath } from '../data.js';
import type { Fix } from '../findings.js';
import { list, obj, str, type Obj } from '../data.js';

/** The spec sections that declare hooks. A policy may use only one of them (TP-LOAD-4). */
export const HOOK_SECTIONS = ['kprobes', 'fentries', 'tracepoints', 'uprobes', 'lsmhooks', 'usdts'] as const;
export type HookSection = (typeof HOOK_SECTIONS)[number];

/** A word for one hook of a section, for messages. */
export const HOOK_NOUN: Readonly<Record<HookSection, string>> = {
  kprobes: 'kprobe',
  fentries: 'fentry',
  tracepoints: 'tracepoint',
  uprobes: 'uprobe',
  lsmhooks: 'LSM hook',
  usdts: 'USDT probe',
};

/** "A kprobe", "An LSM hook": the noun with its indefinite article, capitalised. */
export function aHook(section: HookSection): string {
  return `${section === 'lsmhooks' ? 'An' : 'A'} ${HOOK_NOUN[section]}`;
}

export interface HookRef {
  readonly section: HookSection;
  readonly hook: Obj;
  readonly path: DataPath;
}

export function spec(data: unknown): Obj | undefined {
  return obj(obj(data)?.['spec']);
}

/** Every hook object of every hook section, in section order. */
export function hooks(data: unknown): HookRef[] {
  const s = spec(data);
  if (!s) return [];
  const out: HookRef[] = [];
  for (const section of HOOK_SECTIONS) {
    list(s[section]).forEach((h, i) => {
      const hook = obj(h);
      if (hook) out.push({ section, hook, path: ['spec', section, i] });
    });
  }
  return out;
}

export interface SelectorRef {
  readonly selector: Obj;
  readonly path: DataPath;
  readonly index: number;
  readonly hook: HookRef;
}

/** The selectors of one hook. */
export function selectorsOf(hook: HookRef): SelectorRef[] {
  const out: SelectorRef[] = [];
  list(hook.hook['selectors']).forEach((s, i) => {
    const selector = obj(s);
    if (selector) out.push({ selector, path: [...hook.path, 'selectors', i], index: i, hook });
  });
  return out;
}

/** Every selector of every hook. */
export function allSelectors(data: unknown): SelectorRef[] {
  return hooks(data).flatMap(selectorsOf);
}

export interface ItemRef {
  readonly item: Obj;
  readonly path: DataPath;
}

/** The object items of a list field of an object. */
export function items(parent: Obj, field: string, parentPath: DataPath): ItemRef[] {
  const out: ItemRef[] = [];
  list(parent[field]).forEach((v, i) => {
    const item = obj(v);
    if (item) out.push({ item, path: [...parentPath, field, i] });
  });
  return out;
}

/** The action blocks of a selector. */
export const ACTION_FIELDS = ['matchActions', 'matchReturnActions'] as const;
/** The argument filter blocks of a selector. */
export const ARG_FILTER_FIELDS = ['matchArgs', 'matchData', 'matchReturnArgs'] as const;

/** True for a kprobe that the agent treats as a syscall (the CRD default is `syscall: true`). */
export function isSyscallKprobe(hook: Obj): boolean {
  // `syscall` defaults to true; any other value is a schema error, and then we assume nothing.
  return hook['syscall'] === true || hook['syscall'] === undefined;
}

/**
 * True for a kprobe or fentry with `ignore.callNotFound: true` (Tetragon 1.5 and newer): the agent
 * then skips a call it cannot find instead of refusing the policy.
 */
export function ignoresMissingCall(hook: Obj, release: number): boolean {
  return release >= 5 && obj(hook['ignore'])?.['callNotFound'] === true;
}

/** A plain integer as YAML gave it (a number, or an integer-looking string is NOT accepted here). */
export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Arguments of selector filters

/**
 * Where the agent finds the argument a matchArgs/matchData/matchReturnArgs entry compares, as a
 * position in the list it looks in (`args`, `data`, or the single `returnArg`), following the
 * agent's lookup (`argIndexType`, `dataIndexType`): the first `args` position when the filter
 * lists positions; else for `matchArgs` the first `args` entry whose `index` equals the filter's
 * (on tracepoints the agent first rewrites field numbers into positions, entry by entry, and a
 * number no entry declares is taken as a position); for `matchData` the index is a position in
 * `data`; for `matchReturnArgs` the index must equal the `returnArg`'s.
 * `found: false` when the agent finds nothing (it then refuses the selector); `position:
 * undefined` when the filter cannot be read (no usable index).
 */
export function filterTarget(
  hook: HookRef,
  field: (typeof ARG_FILTER_FIELDS)[number],
  filter: Obj,
): { readonly list: readonly unknown[]; readonly position: number | undefined; readonly found: boolean } {
  const h = hook.hook;
  const entries =
    field === 'matchReturnArgs'
      ? h['returnArg'] === undefined
        ? []
        : [h['returnArg']]
      : list(h[field === 'matchData' ? 'data' : 'args']);
  const positions = list(filter['args']);
  if (positions.length) {
    const pos = int(positions[0]);
    return { list: entries, position: pos, found: pos === undefined || pos < entries.length };
  }
  const idx = int(filter['index'] ?? 0);
  if (idx === undefined) return { list: entries, position: undefined, found: true };
  if (field === 'matchData') return { list: entries, position: idx, found: idx < entries.length };
  if (field === 'matchArgs' && hook.section === 'tracepoints') {
    let cur = idx;
    entries.forEach((e, pos) => {
      if (int(obj(e)?.['index'] ?? 0) === cur) cur = pos;
    });
    return { list: entries, position: cur, found: cur < entries.length };
  }
  // Kprobes, fentries, uprobes, LSM hooks, USDTs and return values: by the declared index.
  const pos = entries.findIndex((e) => int(obj(e)?.['index'] ?? 0) === idx);
  return { list: entries, position: pos < 0 ? undefined : pos, found: pos >= 0 };
}

/**
 * The CRD type of the argument a matchArgs/matchData/matchReturnArgs entry compares (see
 * {@link filterTarget}), `auto` when the entry leaves it to the hook, or undefined when there
 * is no such argument.
 */
export function filterArgType(
  hook: HookRef,
  field: (typeof ARG_FILTER_FIELDS)[number],
  filter: Obj,
): string | undefined {
  const t = filterTarget(hook, field, filter);
  if (t.position === undefined || !t.found) return undefined;
  const entry = obj(t.list[t.position]);
  if (!entry) return undefined;
  // The CRD's default for `type` is `auto`: the API server fills it in when it is left out.
  return entry['type'] === undefined ? 'auto' : str(entry['type']);
}

// ---------------------------------------------------------------------------------------------
// Values

/** The value as text for messages and parsing (numbers become their decimal text). */
export function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Fixes

/**
 * A fix that rewrites the scalar at `path` to `value`, keeping the quoting style the author used
 * (`"Equal"` becomes `"InMap"`, `Equal` becomes `InMap`). Undefined when the node is not a scalar.
 */
export function replaceScalarFix(
  file: PolicyFile,
  doc: PolicyDocument,
  path: DataPath,
  value: string,
  title: string,
  preferred = true,
): Fix | undefined {
  const node = locate(doc.yaml, path).node;
  if (!isScalar(node)) return undefined;
  const type = (node as Scalar).type;
  const text =
    type === 'QUOTE_DOUBLE'
      ? JSON.stringify(value)
      : type === 'QUOTE_SINGLE'
        ? `'${value.replace(/'/g, "''")}'`
        : value;
  const edit = replaceValue(file, doc, path, text);
  return edit ? { title, edits: [edit], ...(preferred ? { preferred } : {}) } : undefined;
}

/**
 * How the rules that read binaries name the file they read for a policy `path`: the path itself
 * on this machine, or the file below the binary root that stands for it.
 */
export function binaryWhere(file: string, policyPath: string): string {
  return file === policyPath ? `\`${policyPath}\` on this machine` : `\`${file}\` (for \`${policyPath}\`)`;
}
