// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry run: recorded events in, for every hook event and every candidate hook that
 * names the same kernel function, tracepoint, LSM hook, uprobe symbol or USDT probe, whether the
 * candidate's selectors would match it and what its actions would do. A hook's selectors are
 * ORed and the first that matches decides the actions; a selector's filters are ANDed; what an
 * event cannot decide is `unknown`, with the reason. One event at a time, constant memory apart
 * from the bounded rate-limit table.
 */
import { parseEventLine, type EventLine, type HookEvent, type HookKind } from '../core/tetragon/events.js';
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
  /** Lines that are not JSON objects or do not hold an event. */
  unparsable: number;
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
    unknownType: 0,
    unknownTypes: new Map(),
    match: 0,
    noMatch: 0,
    unknown: 0,
    enforcing: 0,
  };
  private readonly byKey = new Map<string, CompiledHook[]>();
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
    const out: DryRunResult[] = [];
    for (const h of candidates) {
      const r = this.evaluateHook(h, event, lineNo);
      if (r.match === 'match') {
        this.counts.match++;
        if (enforces(r.actions)) this.counts.enforcing++;
      } else if (r.match === 'unknown') this.counts.unknown++;
      else this.counts.noMatch++;
      out.push(r);
    }
    return out;
  }

  private evaluateHook(h: CompiledHook, event: HookEvent, eventLine: number): DryRunResult {
    const p = event.process;
    const pod = podName(event);
    const base = {
      eventLine,
      ...(event.time !== undefined ? { time: event.time } : {}),
      ...(event.node !== undefined ? { node: event.node } : {}),
      hook: {
        kind: event.hook.kind,
        name: event.hook.name,
        ...(event.hook.path !== undefined ? { path: event.hook.path } : {}),
      },
      process: {
        ...(p?.binary !== undefined ? { binary: p.binary } : {}),
        ...(p?.arguments !== undefined ? { arguments: p.arguments } : {}),
        ...(pod !== undefined ? { pod } : {}),
        ...(p?.pid !== undefined ? { pid: p.pid } : {}),
      },
      policy: { kind: h.policy.kind, name: h.policy.name, file: h.policy.file },
      hookLine: h.line,
    };
    const policyWide = h.policy.workloads ? h.policy.workloads(p) : TRUE;
    if (policyWide.state === 'false') return { ...base, match: 'no-match', actions: [], reason: policyWide.reason };
    if (h.selectors.length === 0) {
      if (policyWide.state === 'unknown') return { ...base, match: 'unknown', actions: [], reason: policyWide.reason };
      return {
        ...base,
        match: 'match',
        actions: [{ action: 'Post', line: h.line }],
        reason: 'the hook has no selectors: every call is posted',
      };
    }
    const misses: string[] = [];
    let undecided: { sel: CompiledSelector; check: Check } | undefined;
    for (const sel of h.selectors) {
      const c = this.evaluateSelector(sel, event);
      if (c.state === 'false') {
        misses.push(`selector ${sel.index}: ${c.reason}`);
        continue;
      }
      if (c.state === 'unknown') {
        undecided ??= { sel, check: c };
        continue;
      }
      // This selector matches; an undecided one before it could match first.
      if (undecided) {
        const same = undecided.sel.actionsKey === sel.actionsKey;
        return {
          ...base,
          match: 'unknown',
          actions: this.actions(h, undecided.sel, event, false),
          reason: `selector ${sel.index} matches, but selector ${undecided.sel.index} comes first and is undecided (${reasonOf(undecided.check)})${same ? '; both run the same actions' : ''}`,
        };
      }
      if (policyWide.state === 'unknown')
        return {
          ...base,
          match: 'unknown',
          actions: this.actions(h, sel, event, false),
          reason: `selector ${sel.index} matches, but ${policyWide.reason}`,
        };
      return {
        ...base,
        match: 'match',
        selector: sel.index,
        selectorLine: sel.line,
        actions: this.actions(h, sel, event, true),
        reason: `selector ${sel.index} matches${h.policy.monitor ? ' (policy-mode monitor: enforcing actions are not performed)' : ''}`,
      };
    }
    if (undecided)
      return {
        ...base,
        match: 'unknown',
        actions: this.actions(h, undecided.sel, event, false),
        reason: `selector ${undecided.sel.index}: ${reasonOf(undecided.check)}`,
      };
    return { ...base, match: 'no-match', actions: [], reason: misses.join('; ') };
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
  private actions(h: CompiledHook, sel: CompiledSelector, event: HookEvent, count: boolean): ResultAction[] {
    return sel.actions.map((a) => this.action(h, a, event, count));
  }

  private action(h: CompiledHook, a: CompiledAction, event: HookEvent, count: boolean): ResultAction {
    const out: Record<string, unknown> = { action: a.action, line: a.line };
    if (a.enforcing) out['enforcing'] = true;
    if (a.argError !== undefined) out['argError'] = a.argError;
    if (a.argSig !== undefined) out['argSig'] = a.argSig;
    if (a.rateLimit && count) {
      const limited = this.limiter.limited(
        `${h.policy.file}\u0000${h.policy.name}\u0000${h.index}`,
        a.rateLimit,
        event,
      );
      if (limited !== undefined) out['rateLimited'] = limited;
    }
    const monitor = a.enforcing && h.policy.monitor;
    if (a.refused || monitor) out['performed'] = false;
    if (a.note) out['note'] = a.note;
    else if (monitor) out['note'] = 'policy-mode monitor: counted, not performed';
    return out as unknown as ResultAction;
  }
}

function reasonOf(c: Check): string {
  return c.state === 'true' ? 'matches' : c.reason;
}
