// SPDX-License-Identifier: Apache-2.0
/**
 * Whether a TracingPolicy loads on a kernel target, hook by hook and action by action, from the
 * gates of the feature table (`features.ts`): each policy element that needs a kernel feature is
 * found, and the target's answer for that feature decides — loads, loads with reduced features,
 * does not load, depends on the node's configuration (with the command that tells), or unknown.
 * Pure; the lint rule `tetragon/kernel-targets`, the status bar and the preview share it.
 */
import { list, obj, str, type DataPath } from '../data.js';
import {
  HOOK_NOUN,
  filterArgType,
  hooks,
  isSyscallKprobe,
  items,
  selectorsOf,
  spec,
  type HookRef,
  type HookSection,
} from './policy.js';
import { agentType, equalStringLengths, equalStringLimit, MIN_EQUAL_STRING_LIMIT, NEWEST_RELEASE } from './values.js';
import {
  describeNeeds,
  gate,
  needsOn,
  TETRAGON_LIMITS,
  type Availability,
  type GateEffect,
  type Needs,
} from './features.js';
import { describeTarget, type KernelTarget } from './targets.js';

/** The answer for one element, or one hook, on one target. Ordered from worst to best. */
export type SupportState = 'no' | 'unknown' | 'depends' | 'reduced' | 'loads';

const RANK: Readonly<Record<SupportState, number>> = { no: 0, unknown: 1, depends: 2, reduced: 3, loads: 4 };

/** The worse of two states. */
export function worse(a: SupportState, b: SupportState): SupportState {
  return RANK[a] <= RANK[b] ? a : b;
}

/** A policy element that needs a kernel feature: a hook, an action, an operator, an argument option. */
export interface Requirement {
  /** The gate of the feature table. */
  readonly gate: string;
  /** Where it is in the document. */
  readonly path: DataPath;
  /** How messages name it: "`Override`", "the LSM hook `file_open`", "`SubString`". */
  readonly subject: string;
  /** The index of the hook it belongs to in {@link hooks}' order, or -1 for `spec.enforcers`. */
  readonly hook: number;
  /** A length check instead of a feature: the value's byte length (Equal/NotEqual strings). */
  readonly stringBytes?: number;
}

/** One element's answer on one target. */
export interface ElementSupport {
  readonly requirement: Requirement;
  readonly state: Exclude<SupportState, 'loads'>;
  readonly effect: GateEffect;
  /** What the element needs: "the override helper (bpf_override_return)". */
  readonly needs: string;
  /**
   * Why the target does not (surely) have it: "from Linux 6.0 on arm64, and this kernel is 5.10",
   * led by the missing feature's title when the element needs more than that one feature.
   */
  readonly why: string;
  /** For elements that load anyway: what they do then ("never matches"). */
  readonly consequence?: string;
  /** A change to the policy that lifts the requirement, when there is one. */
  readonly remedy?: string;
  /** For `depends`: the command that tells on a node. */
  readonly check?: string;
  /** For `depends`: true when a boot parameter decides (BPF LSM needs `lsm=bpf`). */
  readonly boot?: boolean;
  /** The whole answer in one fragment, for tables: "needs …: …". */
  readonly reason: string;
}

/** One hook's answer on one target. */
export interface HookSupport {
  /** The hook's index in {@link hooks}' order, or -1 for the enforcer of `spec.enforcers`. */
  readonly index: number;
  readonly section: HookSection | 'enforcers';
  /** "kprobe `sys_openat`", for tables. */
  readonly label: string;
  readonly path: DataPath;
  readonly state: SupportState;
  readonly elements: readonly ElementSupport[];
}

/** A policy's answer on one target. */
export interface PolicySupport {
  readonly target: KernelTarget;
  /** The policy as a whole: the agent loads a policy entirely or not at all. */
  readonly state: SupportState;
  readonly hooks: readonly HookSupport[];
}

// ---------------------------------------------------------------------------------------------
// Finding the requirements

/** How messages name a hook: "kprobe `sys_openat`". */
export function hookLabel(h: HookRef): string {
  const o = h.hook;
  const name =
    h.section === 'kprobes' || h.section === 'fentries'
      ? str(o['call'])
      : h.section === 'tracepoints'
        ? str(o['event']) !== undefined
          ? `${str(o['subsystem']) ?? '?'}/${str(o['event'])}`
          : undefined
        : h.section === 'lsmhooks'
          ? str(o['hook'])
          : h.section === 'uprobes'
            ? [str(o['path']), list(o['symbols']).map(str).filter(Boolean).join(',')].filter(Boolean).join(':')
            : [str(o['provider']), str(o['name'])].filter(Boolean).join(':');
  return `${HOOK_NOUN[h.section]} \`${name ?? '?'}\``;
}

function optionOn(data: unknown, name: string): string | undefined {
  for (const o of list(spec(data)?.['options'])) {
    const opt = obj(o);
    if (opt && str(opt['name']) === name) {
      const v = opt['value'];
      return typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : undefined;
    }
  }
  return undefined;
}

/** Go's strconv.ParseBool, which the agent reads boolean options with. */
function goBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

const SMALL_INT_TYPES = new Set(['int8', 'sint8', 'uint8', 'int16', 'sint16', 'uint16']);
/** Operators whose values the agent writes as numbers for number types (writeMatchValues). */
const NUMBER_VALUE_OPS = new Set(['Equal', 'NotEqual', 'GT', 'LT', 'GreaterThan', 'LessThan', 'Mask']);
/** A list call (`list:name`) resolves to syscalls when its list has type `syscalls`. */
function listIsSyscalls(data: unknown, call: string): boolean {
  const name = call.slice('list:'.length);
  for (const l of list(spec(data)?.['lists'])) {
    const o = obj(l);
    if (o && str(o['name']) === name) return str(o['type']) === 'syscalls';
  }
  return false;
}

/**
 * Every element of a policy that needs a kernel feature, in document order, as the agent of
 * Tetragon 1.`release` reads the policy (the newest we know by default).
 */
export function requirements(data: unknown, release: number = NEWEST_RELEASE): Requirement[] {
  const out: Requirement[] = [];
  const all = hooks(data);
  all.forEach((h, index) => {
    const add = (g: string, path: DataPath, subject: string, extra?: Partial<Requirement>) =>
      out.push({ gate: g, path, subject, hook: index, ...extra });
    const o = h.hook;
    const label = hookLabel(h);
    if (h.section === 'fentries') add('hook-fentry', h.path, label);
    if (h.section === 'lsmhooks') add('hook-lsm', h.path, label);
    if (h.section === 'usdts') add('hook-usdt', h.path, label);
    const call = str(o['call']) ?? '';
    const syscall =
      h.section === 'kprobes' && (call.startsWith('list:') ? listIsSyscalls(data, call) : isSyscallKprobe(o));
    for (const field of ['args', 'data'] as const) {
      list(o[field]).forEach((a, i) => {
        const arg = obj(a);
        if (!arg) return;
        const at: DataPath = [...h.path, field, i];
        const source = str(arg['source']);
        const resolve = str(arg['resolve']);
        if (resolve && source !== 'pt_regs' && ['kprobes', 'fentries', 'lsmhooks', 'tracepoints'].includes(h.section))
          add('args-resolve', [...at, 'resolve'], '`resolve`');
        if (arg['maxData'] === true && ['kprobes', 'fentries', 'lsmhooks'].includes(h.section))
          add('args-maxdata', [...at, 'maxData'], '`maxData`');
        const userString =
          str(arg['type']) === 'string' &&
          ((h.section === 'uprobes' && (field === 'args' || source === 'pt_regs')) || h.section === 'usdts');
        if (userString) add('args-user-string', [...at, 'type'], 'a `string` argument of a user-space probe');
      });
    }
    if (h.section === 'kprobes' && str(o['returnArgAction']))
      add('return-arg-action', [...h.path, 'returnArgAction'], '`returnArgAction`');
    for (const sel of selectorsOf(h)) {
      const s = sel.selector;
      for (const field of ['matchActions', 'matchReturnActions'] as const) {
        for (const a of items(s, field, sel.path)) {
          const name = str(a.item['action']);
          if (!name) continue;
          const at: DataPath = [...a.path, 'action'];
          // The agent reads action names without regard to case.
          switch (name.toLowerCase()) {
            case 'sigkill':
              add(
                h.section === 'kprobes' || h.section === 'fentries' ? 'action-sigkill-kprobe' : 'action-signal',
                at,
                `\`${name}\``,
              );
              break;
            case 'signal':
              add('action-signal', at, `\`${name}\``);
              break;
            case 'override':
              if (field !== 'matchActions') break;
              if (h.section === 'kprobes') {
                if (call.startsWith('security_')) {
                  add('action-override-security', at, `\`${name}\``);
                  if (goBool(optionOn(data, 'disable-kprobe-multi')) !== true)
                    add('action-override-security-multi', at, `\`${name}\``);
                } else if (syscall) add('action-override-syscall', at, `\`${name}\``);
              } else if (h.section === 'uprobes') add('action-override-uprobe', at, `\`${name}\``);
              break;
            case 'tracksock':
            case 'untracksock':
              add('action-tracksock', at, `\`${name}\``);
              break;
            case 'post':
              if (typeof a.item['rateLimit'] === 'string' && a.item['rateLimit'] !== '')
                add('action-post-ratelimit', [...a.path, 'rateLimit'], '`rateLimit`');
              if (a.item['imaHash'] === true && h.section === 'lsmhooks')
                add('action-post-imahash', [...a.path, 'imaHash'], '`imaHash`');
              break;
          }
        }
      }
      let argFilters = 0;
      for (const field of ['matchArgs', 'matchData', 'matchReturnArgs'] as const) {
        for (const f of items(s, field, sel.path)) {
          const op = str(f.item['operator']);
          if (field !== 'matchReturnArgs') {
            argFilters++;
            if (argFilters === 2) add('args-filter-count', f.path, `a second argument filter in selector ${sel.index}`);
          }
          if (!op) continue;
          const opAt: DataPath = [...f.path, 'operator'];
          if (['GT', 'LT', 'GreaterThan', 'LessThan', 'CapabilitiesGained'].includes(op))
            add('operator-gt-lt', opAt, `\`${op}\``);
          if (op === 'SubString')
            add(h.section === 'uprobes' ? 'operator-substring-uprobe' : 'operator-substring', opAt, `\`${op}\``);
          if (op === 'SubStringIgnCase')
            add(
              h.section === 'uprobes' ? 'operator-substring-igncase-uprobe' : 'operator-substring-igncase',
              opAt,
              `\`${op}\``,
            );
          const type = filterArgType(h, field, f.item);
          if (type && SMALL_INT_TYPES.has(type) && NUMBER_VALUE_OPS.has(op))
            add('args-small-int-types', opAt, `\`${op}\` on a \`${type}\` argument`);
          // The value parser says how long each string is once stored (the gate is its, by release).
          const texts = list(f.item['values']).map((v) => (typeof v === 'string' ? v : ''));
          const ctx = { release, tracepoint: h.section === 'tracepoints' };
          for (const { index: i, bytes } of equalStringLengths(op, agentType(type), texts, ctx))
            if (typeof list(f.item['values'])[i] === 'string')
              add('string-length', [...f.path, 'values', i], `this ${bytes}-byte value`, { stringBytes: bytes });
        }
      }
      for (const field of ['matchBinaries', 'matchParentBinaries'] as const) {
        for (const b of items(s, field, sel.path)) {
          const op = str(b.item['operator']);
          if (op && ['Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'].includes(op))
            add('binaries-prefix-postfix', [...b.path, 'operator'], `\`${op}\` in \`${field}\``);
          if (field === 'matchParentBinaries' && list(b.item['values']).length > 0)
            add('parent-binaries', b.path, '`matchParentBinaries`');
        }
      }
      const ns = items(s, 'matchNamespaces', sel.path);
      if (ns.length > TETRAGON_LIMITS.namespaceFilters.otherwise)
        add(
          'namespaces-count',
          ns[TETRAGON_LIMITS.namespaceFilters.otherwise]!.path,
          `more than ${TETRAGON_LIMITS.namespaceFilters.otherwise} \`matchNamespaces\` filters`,
        );
      for (const n of ns) {
        const which = str(n.item['namespace']);
        if (which === 'Time' || which === 'TimeForChildren')
          add('namespaces-time', [...n.path, 'namespace'], `the \`${which}\` namespace`);
      }
      if (items(s, 'matchNamespaceChanges', sel.path).length > 0)
        add('namespace-changes', [...sel.path, 'matchNamespaceChanges'], '`matchNamespaceChanges`');
    }
  });
  // The enforcer program of `spec.enforcers`: syscalls and security_ functions are overridden differently.
  list(spec(data)?.['enforcers']).forEach((e, i) => {
    const enf = obj(e);
    if (!enf) return;
    const calls = list(enf['calls'])
      .map(str)
      .filter((c): c is string => c !== undefined);
    const security = calls.some((c) => c.startsWith('security_'));
    const syscalls = calls.some((c) => !c.startsWith('security_'));
    const at: DataPath = ['spec', 'enforcers', i];
    const method = optionOn(data, 'override-method');
    if (security) out.push({ gate: 'enforcer-security', path: at, subject: 'the enforcer', hook: -1 });
    if (syscalls) {
      const g =
        method === 'fmod-ret'
          ? 'enforcer-syscall-fmodret'
          : method === 'override-return'
            ? 'enforcer-syscall-override'
            : 'enforcer-syscall';
      out.push({ gate: g, path: at, subject: 'the enforcer', hook: -1 });
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Answers on a target

function effectState(effect: GateEffect, a: Availability): Exclude<SupportState, 'loads'> | undefined {
  switch (a.state) {
    case 'yes':
      return undefined;
    case 'no':
      return effect === 'rejected' ? 'no' : 'reduced';
    default:
      return a.state;
  }
}

/** The gates the enforcer's override method leads to (the `override-method` policy option). */
const ENFORCER_VARIANTS: Readonly<Record<string, { gate: string; needs: Needs }>> = {
  'enforcer-syscall-fmodret': { gate: 'enforcer-syscall', needs: { all: ['signal', 'fmodret', 'fmodret_syscall'] } },
  'enforcer-syscall-override': { gate: 'enforcer-syscall', needs: { all: ['signal', 'override_return'] } },
};

/** What an element that loads anyway does without its feature (gates whose effect is not `rejected`). */
const CONSEQUENCE: Readonly<Record<string, string>> = {
  'action-signal': 'the action sends no signal',
  'action-tracksock': 'the action tracks nothing',
  'action-post-ratelimit': 'the rate limit is not applied (every match is posted)',
  'action-post-imahash': 'no hash is computed',
  'parent-binaries': 'the filter is not checked',
  'operator-substring': 'the filter never matches',
  'operator-substring-igncase': 'the filter never matches',
  'namespaces-time': 'the filter compares against a namespace that does not exist',
  'args-maxdata': '`maxData` is ignored',
};

/** One requirement's answer on a target, or undefined when the target meets it. */
export function elementSupport(r: Requirement, target: KernelTarget): ElementSupport | undefined {
  if (r.gate === 'string-length') {
    const max = equalStringLimit(target.kernel);
    const bytes = r.stringBytes ?? 0;
    const needs = `a kernel that takes ${bytes}-byte string values`;
    if (max === undefined) {
      // Only values longer than the smallest limit can be refused somewhere.
      if (bytes <= MIN_EQUAL_STRING_LIMIT) return undefined;
      const why = `the kernel release \`${target.kernelText}\` cannot be read`;
      return { requirement: r, state: 'unknown', effect: 'rejected', needs, why, reason: `needs ${needs}: ${why}` };
    }
    if (bytes <= max) return undefined;
    const why = `Equal/NotEqual string values are limited to ${max} bytes on this kernel`;
    return { requirement: r, state: 'no', effect: 'rejected', needs, why, reason: why };
  }
  const variant = ENFORCER_VARIANTS[r.gate];
  const g = gate(variant?.gate ?? r.gate);
  if (g.arches && target.arch && !g.arches.includes(target.arch)) return undefined;
  const needs = variant?.needs ?? g.needs;
  const negative = typeof needs !== 'string' && 'not' in needs;
  const needsText = describeNeeds(needs);
  const consequence = g.effect === 'rejected' ? undefined : CONSEQUENCE[g.id];
  const remedy = g.unlessOption ? `set the policy option \`${g.unlessOption}\` to "true"` : undefined;
  const base = {
    requirement: r,
    effect: g.effect,
    needs: needsText,
    ...(consequence ? { consequence } : {}),
    ...(remedy ? { remedy } : {}),
  };
  if (g.arches && !target.arch) {
    const why = `the architecture \`${target.archText}\` is not one Tetragon's tables cover`;
    return { ...base, state: 'unknown', why, reason: why };
  }
  const a = needsOn(target, needs);
  const state = effectState(g.effect, a);
  if (!state) return undefined;
  const why = a.about === undefined || a.about === needsText ? a.detail : a.reason;
  const reason = negative ? a.reason : `needs ${needsText}: ${why}`;
  return {
    ...base,
    state,
    why,
    reason,
    ...(a.state === 'depends' ? { check: a.check, boot: a.boot } : {}),
  };
}

/** Whether a policy loads on a target, hook by hook. */
export function policySupport(
  data: unknown,
  target: KernelTarget,
  reqs: readonly Requirement[] = requirements(data),
): PolicySupport {
  const all = hooks(data);
  const elements = reqs.map((r) => elementSupport(r, target)).filter((e): e is ElementSupport => e !== undefined);
  const rows: HookSupport[] = all.map((h, index) => {
    const mine = elements.filter((e) => e.requirement.hook === index);
    return {
      index,
      section: h.section,
      label: hookLabel(h),
      path: h.path,
      state: mine.reduce<SupportState>((s, e) => worse(s, e.state), 'loads'),
      elements: mine,
    };
  });
  const enforcer = elements.filter((e) => e.requirement.hook === -1);
  if (enforcer.length || list(spec(data)?.['enforcers']).length)
    rows.push({
      index: -1,
      section: 'enforcers',
      label: 'enforcer',
      path: ['spec', 'enforcers'],
      state: enforcer.reduce<SupportState>((s, e) => worse(s, e.state), 'loads'),
      elements: enforcer,
    });
  // A hook that loads with less does not make the policy fail; one that does not load does.
  const state = rows.reduce<SupportState>((s, h) => worse(s, h.state), 'loads');
  return { target, state, hooks: rows };
}

/** One cell of the node pools × hooks matrix. */
export interface MatrixCell {
  readonly state: SupportState;
  /** The reasons, one per element that is not fully supported. */
  readonly reasons: readonly string[];
}

/** The node pools × hooks matrix of a policy, for the status bar and the preview panel. */
export interface SupportMatrix {
  readonly hooks: readonly { readonly label: string; readonly path: DataPath }[];
  readonly targets: readonly {
    readonly name: string;
    readonly description: string;
    readonly nodes: number;
    readonly state: SupportState;
  }[];
  /** `cells[t][h]`: target `t`, hook `h` (same order as the two lists). */
  readonly cells: readonly (readonly MatrixCell[])[];
}

/** Builds the matrix of a policy against every target. */
export function supportMatrix(data: unknown, targets: readonly KernelTarget[]): SupportMatrix {
  const reqs = requirements(data);
  const results = targets.map((t) => policySupport(data, t, reqs));
  const first = results[0]?.hooks ?? policySupport(data, EMPTY_TARGET, reqs).hooks;
  return {
    hooks: first.map((h) => ({ label: h.label, path: h.path })),
    targets: results.map((r) => ({
      name: r.target.name,
      description: describeTarget(r.target),
      nodes: r.target.nodes.length,
      state: r.state,
    })),
    cells: results.map((r) =>
      r.hooks.map((h) => ({
        state: h.state,
        reasons: h.elements.map(
          (e) => `${e.requirement.subject} ${e.reason}${e.consequence ? ` (${e.consequence})` : ''}`,
        ),
      })),
    ),
  };
}

const EMPTY_TARGET: KernelTarget = {
  name: '',
  arch: undefined,
  archText: '',
  kernelText: '',
  kernel: undefined,
  nodes: [],
  features: {},
  origin: 'settings',
};

/** Words for a state, for tables: "loads", "loads with reduced features", … */
export const STATE_WORDS: Readonly<Record<SupportState, string>> = {
  loads: 'loads',
  reduced: 'loads with reduced features',
  depends: 'depends on the node configuration',
  unknown: 'unknown',
  no: 'does not load',
};
