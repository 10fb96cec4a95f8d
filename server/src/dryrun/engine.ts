// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry run: recorded events in, for every hook event and every candidate hook that
 * names the same kernel function, tracepoint, LSM hook, uprobe symbol or USDT probe, whether the
 * candidate's selectors would match it and what its actions would do. A hook's selectors are
 * ORed and the first that matches decides the actions; a selector's filters are ANDed; what an
 * event cannot decide is `unknown`, with the reason. One event at a time, constant memory apart
 * from the bounded rate-limit table.
 */
import { parseEventLine, readEvent, type EventLine, type HookEvent, type HookKind } from '../core/tetragon/events.js';
import { TRUE, type Check } from './check.js';
import { evaluate, type AgentOptions } from './filters.js';
import { RateLimiter, type CompiledAction, type ResultAction } from './actions.js';
import {
  compilePolicy,
  eventKey,
  type CompiledHook,
  type CompiledPolicy,
  type CompiledSelector,
  type PolicyInput,
} from './compile.js';

/** Whether a candidate hook's selectors match an event. */
export type MatchState = 'match' | 'no-match' | 'unknown';

/** One (event, candidate hook) pair. */
export interface DryRunResult {
  /** 1-based line of the event in the events file. */
  readonly eventLine: number;
  readonly time?: string;
  readonly node?: string;
  readonly hook: { readonly kind: HookKind; readonly name: string; readonly path?: string };
  readonly process: {
    readonly binary?: string;
    readonly arguments?: string;
    /** `namespace/name` of the pod. */
    readonly pod?: string;
    readonly pid?: number;
  };
  readonly policy: { readonly kind: string; readonly name: string; readonly file: string };
  /** 1-based line of the candidate hook in the policy file. */
  readonly hookLine: number;
  readonly match: MatchState;
  /** 0-based index of the selector that matches (when `match`). */
  readonly selector?: number;
  /** 1-based line of that selector in the policy file. */
  readonly selectorLine?: number;
  /**
   * For `unknown`: the 0-based index of the first selector that could not be decided (the one
   * whose actions `actions` reports). Not part of the CLI's JSON.
   */
  readonly undecided?: number;
  /**
   * For `match`: the actions that run. For `unknown`: the actions that would run if the first
   * undecided selector matched. Empty for `no-match`.
   */
  readonly actions: readonly ResultAction[];
  readonly reason: string;
}

/** What was read and found so far. */
export interface DryRunCounts {
  /** Non-blank lines read. */
  events: number;
  /** Hook events read. */
  hookEvents: number;
  /** Known event types that are not hook events (exec, exit, …). */
  otherType: number;
  /** Lines that are not JSON objects or do not hold an event (the lines of `unreadable` included). */
  unparsable: number;
  /** Lines the reader skipped before parsing them, by why (`too-long`, `nul-byte`, `invalid-utf8`, …). */
  readonly unreadable: Map<string, number>;
  /** Objects keyed by an event type this release does not know. */
  unknownType: number;
  readonly unknownTypes: Map<string, number>;
  /** Results by match state. */
  match: number;
  noMatch: number;
  unknown: number;
  /** Matches that meet an enforcing action that would be performed. */
  enforcing: number;
}

/** Whether any of the actions enforces and would be performed. */
export function enforces(actions: readonly ResultAction[]): boolean {
  return actions.some((a) => a.enforcing === true && a.performed !== false);
}

function podName(ev: HookEvent): string | undefined {
  const p = ev.process?.pod;
  if (!p) return undefined;
  return `${p.namespace ?? ''}/${p.name ?? ''}`;
}

/** A dry run over a set of candidate policies. Feed it events in file order. */
export class DryRun {
  readonly policies: readonly CompiledPolicy[];
  readonly counts: DryRunCounts = {
    events: 0,
    hookEvents: 0,
    otherType: 0,
    unparsable: 0,
    unreadable: new Map(),
    unknownType: 0,
    unknownTypes: new Map(),
    match: 0,
    noMatch: 0,
    unknown: 0,
    enforcing: 0,
  };
  private readonly byKey = new Map<string, CompiledHook[]>();
  private readonly plans = new Map<CompiledHook, HookPlan>();
  private readonly limiter = new RateLimiter();

  constructor(inputs: readonly PolicyInput[], agent: AgentOptions = {}) {
    const policies: CompiledPolicy[] = [];
    for (const input of inputs) {
      const p = compilePolicy(input, agent);
      if (p) policies.push(p);
    }
    this.policies = policies;
    for (const p of policies)
      for (const h of p.hooks)
        for (const k of h.keys) {
          let list = this.byKey.get(k);
          if (!list) this.byKey.set(k, (list = []));
          if (!list.includes(h)) list.push(h);
        }
  }

  /** Reads one line of an events file (1-based `lineNo`) and returns its results. */
  feedLine(line: string, lineNo: number): DryRunResult[] {
    return this.feedParsed(parseEventLine(line), lineNo);
  }

  /** The same for a line's JSON value, already parsed (by the bounded JSON-lines reader). */
  feedValue(value: unknown, lineNo: number): DryRunResult[] {
    return this.feedParsed(readEvent(value), lineNo);
  }

  /** Counts a line the reader skipped before it could be parsed (`kind`: why). */
  countUnreadable(kind: string): void {
    this.counts.events++;
    this.counts.unparsable++;
    this.counts.unreadable.set(kind, (this.counts.unreadable.get(kind) ?? 0) + 1);
  }

  /** The same for a line already read with `parseEventLine`. */
  feedParsed(parsed: EventLine, lineNo: number): DryRunResult[] {
    switch (parsed.kind) {
      case 'blank':
        return [];
      case 'hook':
        this.counts.events++;
        return this.feedEvent(parsed.event, lineNo, false);
      case 'other':
        this.counts.events++;
        this.counts.otherType++;
        return [];
      case 'unknown-type':
        this.counts.events++;
        this.counts.unknownType++;
        this.counts.unknownTypes.set(parsed.type, (this.counts.unknownTypes.get(parsed.type) ?? 0) + 1);
        return [];
      case 'unparsable':
        this.counts.events++;
        this.counts.unparsable++;
        return [];
    }
  }

  /** Dry-runs one hook event; `count` adds it to `counts.events` (false when `feedParsed` did). */
  feedEvent(event: HookEvent, lineNo: number, count = true): DryRunResult[] {
    if (count) this.counts.events++;
    this.counts.hookEvents++;
    const candidates = this.byKey.get(eventKey(event));
    if (!candidates) return [];
    const about = describeEvent(event, lineNo);
    const out: DryRunResult[] = [];
    for (const h of candidates) {
      const r = this.evaluateHook(h, event, about);
      if (r.match === 'match') {
        this.counts.match++;
        if (enforces(r.actions)) this.counts.enforcing++;
      } else if (r.match === 'unknown') this.counts.unknown++;
      else this.counts.noMatch++;
      out.push(r);
    }
    return out;
  }

  private evaluateHook(h: CompiledHook, event: HookEvent, about: EventAbout): DryRunResult {
    const plan = this.planOf(h);
    const policyWide = h.policy.workloads ? h.policy.workloads(event.process) : TRUE;
    if (policyWide.state === 'false') return new Result(about, plan, 'no-match', NO_ACTIONS, () => policyWide.reason);
    if (h.selectors.length === 0) {
      if (policyWide.state === 'unknown') return new Result(about, plan, 'unknown', NO_ACTIONS, policyWide.reason);
      return new Result(about, plan, 'match', plan.implicitPost, 'the hook has no selectors: every call is posted');
    }
    let misses: [CompiledSelector, Check][] | undefined;
    let undecided: { sel: CompiledSelector; check: Check } | undefined;
    for (const sel of h.selectors) {
      const c = this.evaluateSelector(sel, event);
      if (c.state === 'false') {
        (misses ??= []).push([sel, c]);
        continue;
      }
      if (c.state === 'unknown') {
        undecided ??= { sel, check: c };
        continue;
      }
      // This selector matches; an undecided one before it could match first.
      if (undecided) {
        const u = undecided;
        const same = u.sel.actionsKey === sel.actionsKey;
        return new Result(
          about,
          plan,
          'unknown',
          this.actions(h, u.sel, event, false),
          () =>
            `selector ${sel.index} matches, but selector ${u.sel.index} comes first and is undecided (${reasonOf(u.check)})${same ? '; both run the same actions' : ''}`,
          undefined,
          u.sel.index,
        );
      }
      if (policyWide.state === 'unknown')
        return new Result(
          about,
          plan,
          'unknown',
          this.actions(h, sel, event, false),
          () => `selector ${sel.index} matches, but ${policyWide.reason}`,
          undefined,
          sel.index,
        );
      return new Result(
        about,
        plan,
        'match',
        this.actions(h, sel, event, true),
        () =>
          `selector ${sel.index} matches${h.policy.monitor ? ' (policy-mode monitor: enforcing actions are not performed)' : ''}`,
        sel,
      );
    }
    if (undecided) {
      const u = undecided;
      return new Result(
        about,
        plan,
        'unknown',
        this.actions(h, u.sel, event, false),
        () => `selector ${u.sel.index}: ${reasonOf(u.check)}`,
        undefined,
        u.sel.index,
      );
    }
    const m = misses ?? [];
    return new Result(about, plan, 'no-match', NO_ACTIONS, () =>
      m.map(([sel, c]) => `selector ${sel.index}: ${reasonOf(c)}`).join('; '),
    );
  }

  /** What every result of a hook shares, built once per hook. */
  private planOf(h: CompiledHook): HookPlan {
    let plan = this.plans.get(h);
    if (!plan) {
      plan = {
        policy: Object.freeze({ kind: h.policy.kind, name: h.policy.name, file: h.policy.file }),
        hookLine: h.line,
        limiterKey: `${h.policy.file}\u0000${h.policy.name}\u0000${h.index}`,
        implicitPost: Object.freeze([Object.freeze({ action: 'Post', line: h.line })]),
        actions: new Map(h.selectors.map((s) => [s, Object.freeze(s.actions.map((a) => staticAction(h, a)))])),
      };
      this.plans.set(h, plan);
    }
    return plan;
  }

  private evaluateSelector(sel: CompiledSelector, event: HookEvent): Check {
    let firstUnknown: Check | undefined;
    if (sel.workloads) {
      const w = sel.workloads(event.process);
      if (w.state === 'false') return w;
      if (w.state === 'unknown') firstUnknown = w;
    }
    const f = evaluate(sel.filters, event);
    if (f.state === 'false') return f;
    if (f.state === 'unknown') firstUnknown ??= f;
    for (const a of sel.argFilters) {
      const r = a(event);
      if (r.state === 'false') return r;
      if (r.state === 'unknown') firstUnknown ??= r;
    }
    return firstUnknown ?? TRUE;
  }

  /** The actions a selector runs on an event; rate limits are counted only for real matches. */
  private actions(h: CompiledHook, sel: CompiledSelector, event: HookEvent, count: boolean): readonly ResultAction[] {
    const plan = this.planOf(h);
    const fixed = plan.actions.get(sel)!;
    if (!count || !sel.actions.some((a) => a.rateLimit)) return fixed;
    return fixed.map((r, i) => {
      const a = sel.actions[i]!;
      if (!a.rateLimit) return r;
      const limited = this.limiter.limited(plan.limiterKey, a.rateLimit, event);
      return limited === undefined ? r : { ...r, rateLimited: limited };
    });
  }
}

/** An action as every result reports it (rate limits are added per event). */
function staticAction(h: CompiledHook, a: CompiledAction): ResultAction {
  const out: Record<string, unknown> = { action: a.action, line: a.line };
  if (a.enforcing) out['enforcing'] = true;
  if (a.argError !== undefined) out['argError'] = a.argError;
  if (a.argSig !== undefined) out['argSig'] = a.argSig;
  const monitor = a.enforcing && h.policy.monitor;
  if (a.refused || monitor) out['performed'] = false;
  if (a.note) out['note'] = a.note;
  else if (monitor) out['note'] = 'policy-mode monitor: counted, not performed';
  return Object.freeze(out) as unknown as ResultAction;
}

const NO_ACTIONS: readonly ResultAction[] = Object.freeze([]);

/** What the results of one event share. */
interface EventAbout {
  readonly eventLine: number;
  readonly time: string | undefined;
  readonly node: string | undefined;
  readonly hook: DryRunResult['hook'];
  readonly process: DryRunResult['process'];
}

function describeEvent(event: HookEvent, eventLine: number): EventAbout {
  const p = event.process;
  const pod = podName(event);
  const hook: Record<string, unknown> = { kind: event.hook.kind, name: event.hook.name };
  if (event.hook.path !== undefined) hook['path'] = event.hook.path;
  const process: Record<string, unknown> = {};
  if (p?.binary !== undefined) process['binary'] = p.binary;
  if (p?.arguments !== undefined) process['arguments'] = p.arguments;
  if (pod !== undefined) process['pod'] = pod;
  if (p?.pid !== undefined) process['pid'] = p.pid;
  return {
    eventLine,
    time: event.time,
    node: event.node,
    hook: hook as unknown as DryRunResult['hook'],
    process: process as DryRunResult['process'],
  };
}

/** What the results of one hook share. */
interface HookPlan {
  readonly policy: DryRunResult['policy'];
  readonly hookLine: number;
  readonly limiterKey: string;
  readonly implicitPost: readonly ResultAction[];
  readonly actions: ReadonlyMap<CompiledSelector, readonly ResultAction[]>;
}

/** One result; its reason is worded only when read (most results of a big run are only counted). */
class Result implements DryRunResult {
  readonly eventLine: number;
  declare readonly time?: string;
  declare readonly node?: string;
  readonly hook: DryRunResult['hook'];
  readonly process: DryRunResult['process'];
  readonly policy: DryRunResult['policy'];
  readonly hookLine: number;
  declare readonly selector?: number;
  declare readonly selectorLine?: number;
  declare readonly undecided?: number;
  #why: string | (() => string);

  constructor(
    about: EventAbout,
    plan: HookPlan,
    readonly match: MatchState,
    readonly actions: readonly ResultAction[],
    why: string | (() => string),
    sel?: CompiledSelector,
    undecided?: number,
  ) {
    this.eventLine = about.eventLine;
    const self = this as { -readonly [K in keyof Result]: Result[K] };
    if (about.time !== undefined) self.time = about.time;
    if (about.node !== undefined) self.node = about.node;
    this.hook = about.hook;
    this.process = about.process;
    this.policy = plan.policy;
    this.hookLine = plan.hookLine;
    if (sel) {
      self.selector = sel.index;
      self.selectorLine = sel.line;
    }
    if (undecided !== undefined) self.undecided = undecided;
    this.#why = why;
  }

  get reason(): string {
    if (typeof this.#why !== 'string') this.#why = this.#why();
    return this.#why;
  }

  /** The plain object (with the reason worded), for JSON.stringify and comparisons. */
  toJSON(): Omit<DryRunResult, never> {
    return {
      eventLine: this.eventLine,
      ...(this.time !== undefined ? { time: this.time } : {}),
      ...(this.node !== undefined ? { node: this.node } : {}),
      hook: this.hook,
      process: this.process,
      policy: this.policy,
      hookLine: this.hookLine,
      match: this.match,
      ...(this.selector !== undefined ? { selector: this.selector, selectorLine: this.selectorLine } : {}),
      actions: this.actions,
      reason: this.reason,
    };
  }
}

function reasonOf(c: Check): string {
  return c.state === 'true' ? 'matches' : c.reason;
}
