// SPDX-License-Identifier: Apache-2.0
/**
 * The body of the preview panel's replay section, built from a `ciliumPolicy/replay` answer: the
 * recorded flows grouped by source → destination:port, newly denied first, each with the rules
 * that decided, the recorded times and pod names. Pure (no `vscode`), so it is unit tested; every
 * string from the flow log or the policies is bounded with `plain()` (a flow log can be hostile).
 */
import { plain } from '../../server/src/client-safe.js';
import type { ReplayResult } from '../../server/src/protocol.js';
import type { Target, TargetId } from './panel-model.js';

/** Actions the section draws as buttons (`act('replay', id)`). */
export const REPLAY_ACTIONS = { pick: 'pick', reload: 'reload', close: 'close' } as const;

/** The action that asks for the rule admitting a newly denied group: `admit:<group id>`. */
export const ADMIT_PREFIX = 'admit:';

/** The group id of an admit action, or undefined. */
export function admitGroup(action: string): number | undefined {
  if (!action.startsWith(ADMIT_PREFIX)) return undefined;
  const n = Number(action.slice(ADMIT_PREFIX.length));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** One request (or the connection itself) of a connection row. */
export interface ReplayRequestRow {
  /** `GET /v1/items`, `DNS api.stripe.com`, or `connection`. */
  readonly what: string;
  readonly verdict: 'allow' | 'deny' | 'unknown';
  readonly change: 'none' | 'newly-denied' | 'newly-allowed';
  /** `3 recorded, 3 newly denied`. */
  readonly counts: string;
  readonly reason: string;
  /** `10:00:01 .. 10:00:11`, from the recorded times. */
  readonly time: string;
  readonly pods: string;
  readonly rules: readonly { readonly text: string; readonly target: TargetId }[];
  /** For newly denied flows: the action that adds the narrowest rule admitting them. */
  readonly admit?: string;
}

/** A source → destination:port row. */
export interface ReplayConnectionRow {
  readonly title: string;
  readonly change: 'none' | 'newly-denied' | 'newly-allowed';
  readonly requests: readonly ReplayRequestRow[];
}

export interface ReplaySectionBody {
  /** `6 recorded flows would now be denied` or `Every recorded flow keeps its verdict`. */
  readonly headline: string;
  readonly headlineKind: 'ok' | 'denied';
  /** The log and its counts. */
  readonly log: string;
  readonly problems: readonly string[];
  readonly connections: readonly ReplayConnectionRow[];
  /** `… and 12 more groups`. */
  readonly more?: string;
  readonly actions: readonly { readonly id: string; readonly label: string }[];
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** `10:00:01.644Z` from an RFC 3339 time; the text itself when it is not one. */
function clock(t: string): string {
  const m = /T(\d\d:\d\d:\d\d)/.exec(t);
  return m ? m[1]! : t;
}

/** The section body and its targets; `idPrefix` starts every target id. */
export function buildReplayBody(
  result: ReplayResult,
  idPrefix: string,
): { body: ReplaySectionBody; targets: Map<TargetId, Target> } {
  const targets = new Map<TargetId, Target>();
  const byConnection = new Map<
    string,
    { title: string; change: ReplayConnectionRow['change']; requests: ReplayRequestRow[] }
  >();
  for (const g of result.groups) {
    const title = plain(`${g.source} → ${g.destination}:${g.port}`);
    let row = byConnection.get(title);
    if (!row) byConnection.set(title, (row = { title, change: 'none', requests: [] }));
    // A row is as urgent as its most urgent request (the server sends newly denied first).
    if (row.change === 'none' || (row.change === 'newly-allowed' && g.change === 'newly-denied')) row.change = g.change;
    const rules = g.decidedBy.map((d) => {
      const id = `${idPrefix}${targets.size}`;
      targets.set(id, { uri: d.uri, range: d.range });
      return { text: plain(d.text), target: id };
    });
    const changed =
      g.change === 'newly-denied'
        ? `, ${g.changed} newly denied`
        : g.change === 'newly-allowed'
          ? `, ${g.changed} newly allowed`
          : '';
    const time =
      g.firstTime === ''
        ? ''
        : g.firstTime === g.lastTime
          ? clock(g.firstTime)
          : `${clock(g.firstTime)} .. ${clock(g.lastTime)}`;
    const pods =
      [...g.sourcePods, ...g.destinationPods].length > 0
        ? `${g.sourcePods.join(', ') || '?'} → ${g.destinationPods.join(', ') || '?'}`
        : '';
    row.requests.push({
      what: plain(g.request ?? 'connection'),
      verdict: g.verdict,
      change: g.change,
      counts: `${count(g.flows, 'recorded flow')}${changed}`,
      reason: plain(g.reason, 400),
      time: plain(time),
      pods: plain(pods, 200),
      rules,
      ...(g.change === 'newly-denied' && Number.isInteger(g.id) ? { admit: `${ADMIT_PREFIX}${g.id}` } : {}),
    });
  }
  const log = result.log;
  const skipped = Object.entries(log.skipped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`);
  const logText = `${plain(baseName(log.path ?? ''))}: ${count(log.flows, 'flow')} in ${count(log.questions, 'distinct question')}${skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''}`;
  const denied = result.newlyDenied;
  const headline =
    denied > 0
      ? `${count(denied, 'recorded forwarded flow')} would now be denied`
      : `Every recorded forwarded flow is still allowed`;
  const allowed =
    result.newlyAllowed > 0 ? ` (${count(result.newlyAllowed, 'dropped flow')} would now be allowed)` : '';
  return {
    body: {
      headline: `${headline}${allowed}.`,
      headlineKind: denied > 0 ? 'denied' : 'ok',
      log: logText,
      problems: log.problems.slice(0, 5).map((p) => plain(`line ${p.line}: ${p.message}`, 200)),
      connections: [...byConnection.values()],
      ...(result.more > 0 ? { more: `… and ${count(result.more, 'more group')}` } : {}),
      actions: [
        { id: REPLAY_ACTIONS.reload, label: 'Reload' },
        { id: REPLAY_ACTIONS.pick, label: 'Choose Flow Log…' },
        { id: REPLAY_ACTIONS.close, label: 'Close Flow Log' },
      ],
    },
    targets,
  };
}
