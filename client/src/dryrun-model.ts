// SPDX-License-Identifier: Apache-2.0
/**
 * The body of the dry-run section of the preview panel (`media/sections/dryrun.js` draws it), built
 * from a `ciliumPolicy/dryRun` report: one group per selector, enforcing ones first (the server
 * orders them), each with its summary ("Sigkill would hit 12 events from 3 binaries in 2 pods"),
 * the binaries and pods it hits, and its first events; a row opens the event's details, a heading
 * the selector in the policy. Pure (no `vscode`), so it is unit-tested.
 */
import { plain } from '../../server/src/client-safe.js';
import type { DryRunReport, WireRange } from '../../server/src/protocol.js';
import type { Target, TargetId } from './panel-model.js';

/** A button of the section: `event:<row id>` asks for the event's details. */
export const EVENT_ACTION = 'event:';
/** `pick` asks for another events file; `clear` forgets it for the document. */
export const PICK_ACTION = 'pick';
export const CLEAR_ACTION = 'clear';

export interface DryRunRowView {
  readonly action: string;
  readonly match: 'match' | 'unknown';
  readonly text: string;
  readonly detail: string;
  readonly title: string;
}

export interface DryRunGroupView {
  readonly heading: string;
  readonly target: TargetId;
  readonly hook: string;
  readonly hookTarget: TargetId;
  readonly actions: string;
  readonly enforcing: boolean;
  readonly summary: string;
  readonly binaries: string;
  readonly pods: string;
  readonly rows: readonly DryRunRowView[];
  readonly more: string;
}

/** What `media/sections/dryrun.js` draws. */
export interface DryRunSectionBody {
  /** The events file and what was read. */
  readonly source: string;
  readonly reading: string;
  /** The headline: enforcing matches, matches, undecided. */
  readonly headline: string;
  readonly enforcing: boolean;
  readonly error?: string;
  readonly message?: string;
  readonly notes: readonly string[];
  readonly groups: readonly DryRunGroupView[];
  readonly pickAction: string;
  readonly clearAction: string;
}

function n(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** What the reader saw, in words. */
export function readingText(report: DryRunReport): string {
  const r = report.reading;
  const skipped: string[] = [];
  if (r.otherType) skipped.push(`${r.otherType.toLocaleString('en')} of other types`);
  if (r.unknownType) skipped.push(`${r.unknownType.toLocaleString('en')} of unknown types`);
  if (r.unparsable) skipped.push(`${r.unparsable.toLocaleString('en')} unreadable`);
  const why = Object.entries(r.problems)
    .filter(([, c]) => c > 0)
    .map(([k, c]) => `${k} ${c.toLocaleString('en')}`);
  return [
    `${n(r.events, 'event')} read, ${n(r.hookEvents, 'hook event')}`,
    skipped.length ? `skipped ${skipped.join(', ')}${why.length ? ` (${why.join(', ')})` : ''}` : '',
    r.grew ? 'the file grew while read; read up to its size at the start' : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The section's headline. */
export function headlineOf(report: DryRunReport): string {
  if (report.error) return 'The events could not be read.';
  const parts = [
    report.enforcing > 0
      ? `${n(report.enforcing, 'match', 'matches')} would meet an enforcing action`
      : 'No event would meet an enforcing action',
    `${n(report.matches, 'match', 'matches')} in all`,
  ];
  if (report.unknown > 0) parts.push(`${n(report.unknown, 'result')} undecided`);
  if (report.aborted) parts.push('stopped before the end of the file');
  return `${parts.join(', ')}.`;
}

function countsText(values: readonly { value: string; count: number }[], distinct: number, extra?: string): string {
  const shown = values.map((v) => `${plain(v.value, 80)} (${v.count.toLocaleString('en')})`);
  const rest = distinct - values.length;
  if (rest > 0) shown.push(`${rest.toLocaleString('en')} more`);
  if (extra) shown.push(extra);
  return shown.join(', ');
}

/** The body and the locations its ids stand for. */
export function buildDryRunBody(
  report: DryRunReport,
  idPrefix: string,
): { body: DryRunSectionBody; targets: Map<TargetId, Target> } {
  const targets = new Map<TargetId, Target>();
  const target = (range: WireRange): TargetId => {
    const id = `${idPrefix}${targets.size}`;
    targets.set(id, { uri: report.uri, range });
    return id;
  };
  const groups = report.selectors.map((sel): DryRunGroupView => {
    const performed = sel.actions.filter((a) => a.performed);
    return {
      heading: plain(`${sel.policy.name}: selector ${sel.selector}`),
      target: target(sel.range),
      hook: plain(sel.hook),
      hookTarget: target(sel.hookRange),
      actions: plain(
        performed.length
          ? performed
              .map((a) =>
                a.argError !== undefined
                  ? `${a.action}(${a.argError})`
                  : a.argSig !== undefined
                    ? `${a.action}(${a.argSig})`
                    : a.action,
              )
              .join(', ')
          : 'no action',
      ),
      enforcing: sel.enforcing,
      summary: plain(sel.summary, 300),
      binaries: plain(countsText(sel.binaries, sel.distinctBinaries), 400),
      pods: plain(
        countsText(
          sel.pods,
          sel.distinctPods,
          sel.hostProcesses ? `${n(sel.hostProcesses, 'host process', 'host processes')}` : undefined,
        ),
        400,
      ),
      rows: sel.rows.map((r) => ({
        action: `${EVENT_ACTION}${r.id}`,
        match: r.match,
        text: plain(`${r.binary ?? '(no binary)'}${r.arguments ? ` ${r.arguments}` : ''}`, 160),
        detail: plain(
          [`line ${r.line}`, r.pod ?? (r.binary !== undefined ? 'host' : ''), r.node ?? '', r.time ?? '']
            .filter(Boolean)
            .join(' · '),
        ),
        title: plain(r.reason, 400),
      })),
      more: sel.moreRows > 0 ? `… and ${n(sel.moreRows, 'more event')}` : '',
    };
  });
  const body: DryRunSectionBody = {
    source: plain(`Events: ${baseName(report.events)}`),
    reading: plain(readingText(report), 400),
    headline: plain(headlineOf(report), 300),
    enforcing: report.enforcing > 0,
    ...(report.error ? { error: plain(report.error, 500) } : {}),
    ...(!report.error && groups.length === 0
      ? { message: 'No selector of this policy matches any recorded event on its hooks.' }
      : {}),
    notes: report.notes.slice(0, 50).map((x) => plain(x, 500)),
    groups,
    pickAction: PICK_ACTION,
    clearAction: CLEAR_ACTION,
  };
  return { body, targets };
}

/** The body when no events file is chosen for the document yet. */
export function noEventsBody(): DryRunSectionBody {
  return {
    source: '',
    reading: '',
    headline: '',
    enforcing: false,
    message:
      'Dry-run this TracingPolicy against recorded Tetragon events (tetra getevents -o json): choose an events file.',
    notes: [],
    groups: [],
    pickAction: PICK_ACTION,
    clearAction: '',
  };
}
