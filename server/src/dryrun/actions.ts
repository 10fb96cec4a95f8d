// SPDX-License-Identifier: Apache-2.0
/**
 * The actions of a selector as the agent runs them: names read without regard to case, at most
 * three per selector (more and the agent refuses the policy), `Post` when a selector names none,
 * enforcing actions not performed in `policy-mode: monitor`, and `Post` with `rateLimit` counted
 * over the recorded events' times (not guessed): a repeat within the interval is not posted.
 */
import { str, type DataPath, type Obj } from '../core/data.js';
import { TETRAGON_LIMITS } from '../core/tetragon/features.js';
import type { EventArg, HookEvent } from '../core/tetragon/events.js';

/** Action names as the agent knows them (lower-cased) → how we print them. */
export const ACTION_NAMES: Readonly<Record<string, string>> = {
  post: 'Post',
  nopost: 'NoPost',
  sigkill: 'Sigkill',
  signal: 'Signal',
  override: 'Override',
  notifyenforcer: 'NotifyEnforcer',
  cleanupenforcernotification: 'CleanupEnforcerNotification',
  geturl: 'GetUrl',
  dnslookup: 'DnsLookup',
  tracksock: 'TrackSock',
  untracksock: 'UntrackSock',
  set: 'Set',
  followfd: 'FollowFD',
  unfollowfd: 'UnfollowFD',
  copyfd: 'CopyFD',
};

/** The actions that stop or change what a process does (the dry run's exit status counts these). */
export const ENFORCING_ACTIONS: ReadonlySet<string> = new Set(['Sigkill', 'Signal', 'Override', 'NotifyEnforcer']);

/** Actions the agent of the targeted release no longer accepts (deprecated before 1.4). */
const RETIRED: ReadonlySet<string> = new Set(['FollowFD', 'UnfollowFD', 'CopyFD']);

/** How many actions a selector may have (the agent refuses more; its BPF program runs that many). */
export const MAX_ACTIONS = TETRAGON_LIMITS.actionsPerSelector.max;

/** A rate limit as the agent reads `rateLimit` and `rateLimitScope`. */
export interface RateLimit {
  readonly text: string;
  readonly intervalMs: number;
  readonly scope: 'thread' | 'process' | 'global';
}

/** Reads `rateLimit` as the agent does: digits with an optional s, m or h (seconds when none). */
export function parseRateLimit(text: string, scopeText: string | undefined): RateLimit | undefined {
  const m = /^(\d+)([smhSMH]?)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n > 0xffffffff) return undefined;
  const unit = m[2]!.toLowerCase();
  const seconds = n * (unit === 'm' ? 60 : unit === 'h' ? 3600 : 1);
  const scope = scopeText === undefined || scopeText === '' ? 'thread' : scopeText;
  if (scope !== 'thread' && scope !== 'process' && scope !== 'global') return undefined;
  return { text, intervalMs: Math.min(seconds * 1000, 0xffffffff), scope };
}

/** One action of a compiled selector. */
export interface CompiledAction {
  /** The name as we print it (`Sigkill`), or as written when the agent does not know it. */
  readonly action: string;
  /** 1-based line of the action entry in the policy file. */
  readonly line: number;
  readonly path: DataPath;
  readonly enforcing: boolean;
  readonly argError?: number;
  readonly argSig?: number;
  readonly rateLimit?: RateLimit;
  /** Why the agent would not run it as written (unknown name, retired action, beyond the limit). */
  readonly note?: string;
  /** True when the agent refuses the whole policy because of it. */
  readonly refused?: boolean;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** Compiles the `matchActions` of a selector; `lineOf` gives the 1-based line of a path. */
export function compileActions(
  items: readonly { item: Obj; path: DataPath }[],
  selectorLine: number,
  selectorPath: DataPath,
  lineOf: (path: DataPath) => number | undefined,
): CompiledAction[] {
  if (items.length === 0) return [{ action: 'Post', line: selectorLine, path: selectorPath, enforcing: false }];
  return items.map(({ item, path }, i) => {
    const written = str(item['action']) ?? '';
    const name = ACTION_NAMES[written.toLowerCase()];
    const line = lineOf([...path, 'action']) ?? lineOf(path) ?? selectorLine;
    const base = { line, path: [...path, 'action'] as DataPath };
    if (!name)
      return {
        ...base,
        action: written,
        enforcing: false,
        note: `the agent does not know the action \`${written}\` and refuses the policy`,
      };
    const extra: Record<string, unknown> = {};
    const argError = num(item['argError']);
    const argSig = num(item['argSig']);
    if ((name === 'Override' || name === 'NotifyEnforcer') && argError !== undefined) extra['argError'] = argError;
    if ((name === 'Signal' || name === 'NotifyEnforcer') && argSig !== undefined) extra['argSig'] = argSig;
    if (name === 'Post' && typeof item['rateLimit'] === 'string' && item['rateLimit'] !== '') {
      const rl = parseRateLimit(item['rateLimit'], str(item['rateLimitScope']));
      if (rl) extra['rateLimit'] = rl;
      else {
        extra['refused'] = true;
        extra['note'] = `the agent refuses rateLimit \`${item['rateLimit']}\` and the policy with it`;
      }
    }
    if (RETIRED.has(name)) {
      extra['refused'] = true;
      extra['note'] = `Tetragon 1.4 and later no longer know \`${name}\` and refuse the policy`;
    }
    if (i >= MAX_ACTIONS) {
      extra['refused'] = true;
      extra['note'] = `the agent refuses selectors with more than ${MAX_ACTIONS} actions, and the policy with them`;
    }
    return { ...base, action: name, enforcing: ENFORCING_ACTIONS.has(name), ...extra } as CompiledAction;
  });
}

/** An action as a dry-run result reports it. */
export interface ResultAction {
  readonly action: string;
  readonly line: number;
  readonly enforcing?: true;
  readonly argError?: number;
  readonly argSig?: number;
  /** Post with rateLimit: true when this event repeats one posted within the interval (not posted). */
  readonly rateLimited?: boolean;
  /** False when the action would not be performed (`policy-mode: monitor`, skipped, refused). */
  readonly performed?: false;
  readonly note?: string;
}

/** A short, stable text of an argument for rate-limit keys. */
function argKey(a: EventArg): string {
  try {
    return `${a.type}=${JSON.stringify(a.value)}`;
  } catch {
    // Too deep to print (a hostile line): such arguments count as one value.
    return `${a.type}=?`;
  }
}

/**
 * Counts rate-limited Posts: per hook, scope (thread, process or global) and argument values, an
 * event within the interval of the last posted one is not posted. The agent compares only the
 * first bytes of each argument (`rateLimitKeyBytesPerArg`), so it may drop a few more repeats
 * than counted here. Memory is bounded: old entries are dropped when the table grows.
 */
export class RateLimiter {
  private readonly last = new Map<string, number>();

  constructor(private readonly maxKeys = 200_000) {}

  /** Whether the event is dropped by the rate limit; undefined when the event has no usable time. */
  limited(hookKey: string, rl: RateLimit, event: HookEvent): boolean | undefined {
    const t = event.time ? Date.parse(event.time) : NaN;
    if (!Number.isFinite(t)) return undefined;
    const p = event.process;
    const who =
      rl.scope === 'global' ? '' : rl.scope === 'process' ? String(p?.pid ?? '?') : String(p?.tid ?? p?.pid ?? '?');
    const key = `${hookKey}\u0000${who}\u0000${(event.args ?? []).map(argKey).join('\u0001')}`;
    const prev = this.last.get(key);
    if (prev !== undefined && t - prev < rl.intervalMs) return true;
    if (this.last.size >= this.maxKeys) this.prune(t, rl.intervalMs);
    this.last.set(key, t);
    return false;
  }

  private prune(now: number, keep: number): void {
    for (const [k, v] of this.last) if (now - v >= keep) this.last.delete(k);
    // Still full (every entry recent): forget the oldest half rather than grow without bound.
    if (this.last.size >= this.maxKeys) {
      let n = 0;
      for (const k of this.last.keys()) {
        if (n++ >= this.maxKeys / 2) break;
        this.last.delete(k);
      }
    }
  }
}
