// SPDX-License-Identifier: Apache-2.0
/**
 * What "Compare Connectivity with…" shows, built from the server's answers: the revision picker's
 * items (`ciliumPolicy/gitRevisions`), the status bar item ("+2 −5 flows") and the preview panel's
 * compare section (`ciliumPolicy/compareConnectivity`), and the workload picker of "Generate Policy
 * from Flows…" (`ciliumPolicy/flowWorkloads`). Pure (no `vscode`), so it is unit tested; every
 * string from git or the policies is bounded with `plain()` (a repository can be hostile).
 */
import { plain } from '../../server/src/client-safe.js';
import type {
  CompareDirection,
  CompareResult,
  CompareWorkload,
  FlowWorkloadItem,
  GitRevisionItem,
} from '../../server/src/protocol.js';
import type { Target, TargetId } from './panel-model.js';

/** Actions the compare section draws as buttons (`act('compare', id)`). */
export const COMPARE_ACTIONS = { change: 'change', stop: 'stop' } as const;

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2026-11-30` from an ISO date; empty when there is none. */
function day(date: string): string {
  return /^\d{4}-\d\d-\d\d/.exec(date)?.[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// The revision picker

/** A quick pick item for a revision (the `rev` is what is compared with). */
export interface RevisionPickItem {
  readonly label: string;
  readonly description: string;
  readonly detail?: string;
  readonly rev: string;
  /** `separator` items group the list (Branches, Commits). */
  readonly separator?: true;
}

const KIND_WORDS: Readonly<Record<GitRevisionItem['kind'], string>> = {
  head: 'HEAD',
  branch: 'Branches',
  remote: 'Remote branches',
  tag: 'Tags',
  commit: 'Recent commits',
};

/**
 * The picker's items: HEAD first (the default), then branches, remote branches, tags and recent
 * commits, each kind under a separator. Commits show their short name and subject.
 */
export function revisionPickItems(revisions: readonly GitRevisionItem[]): RevisionPickItem[] {
  const out: RevisionPickItem[] = [];
  const head = revisions.find((r) => r.kind === 'head');
  out.push({
    label: '$(git-commit) HEAD',
    description: plain(head?.description ?? 'the last commit', 120),
    detail: 'The last commit of the checked-out branch (default)',
    rev: 'HEAD',
  });
  for (const kind of ['branch', 'remote', 'tag', 'commit'] as const) {
    const of = revisions.filter((r) => r.kind === kind);
    if (of.length === 0) continue;
    out.push({ label: KIND_WORDS[kind], description: '', rev: '', separator: true });
    for (const r of of) {
      const icon = kind === 'tag' ? '$(tag)' : kind === 'commit' ? '$(git-commit)' : '$(git-branch)';
      const name = kind === 'commit' ? r.rev.slice(0, 7) : r.rev;
      out.push({
        label: `${icon} ${plain(name, 120)}`,
        description: plain(`${r.current ? 'checked out · ' : ''}${r.description}`, 120),
        ...(day(r.date) !== '' ? { detail: day(r.date) } : {}),
        rev: r.rev,
      });
    }
  }
  return out;
}

/** The revision typed into the picker's box, or undefined for nothing (blanks only). */
export function typedRevision(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

// ---------------------------------------------------------------------------------------------
// The status bar item

/** What the status bar item shows, or undefined when the working tree changes nothing. */
export interface CompareStatusView {
  /** `$(git-compare) +2 −5 flows`. */
  readonly text: string;
  readonly tooltip: string;
  readonly accessibilityLabel: string;
  /** True when something is newly denied (the item gets the warning colour). */
  readonly warning: boolean;
}

/** A short revision name for messages: a commit name is shortened, a name kept. */
export function revisionLabel(revision: string): string {
  return plain(/^[0-9a-f]{40,64}$/.test(revision) ? revision.slice(0, 7) : revision, 60);
}

/** The status bar item for a comparison: newly allowed as `+N`, newly denied as `−N`. */
export function compareStatusView(result: CompareResult): CompareStatusView | undefined {
  if (result.error !== undefined) return undefined;
  const workloads = result.newlyDefaultDeny.length + result.newlyUnprotected.length;
  if (result.newlyAllowed + result.newlyDenied + result.otherChanges + workloads === 0) return undefined;
  const rev = revisionLabel(result.revision);
  const lines = [
    `Connectivity of the working tree against ${rev} (${result.commit.slice(0, 7)}):`,
    `${count(result.newlyAllowed, 'flow')} newly allowed, ${count(result.newlyDenied, 'flow')} newly denied`,
  ];
  if (result.otherChanges > 0) lines.push(`${count(result.otherChanges, 'flow')} now unknown or decidable`);
  if (result.newlyDefaultDeny.length > 0)
    lines.push(`${count(result.newlyDefaultDeny.length, 'workload')} newly default-deny`);
  if (result.newlyUnprotected.length > 0)
    lines.push(`${count(result.newlyUnprotected.length, 'workload')} newly unprotected`);
  lines.push('', 'Click to show the comparison.');
  return {
    text: `$(git-compare) +${result.newlyAllowed} −${result.newlyDenied} flows`,
    tooltip: lines.join('\n'),
    accessibilityLabel: `Connectivity against ${rev}: ${result.newlyAllowed} flows newly allowed, ${result.newlyDenied} newly denied. Show the comparison.`,
    warning: result.newlyDenied > 0,
  };
}

// ---------------------------------------------------------------------------------------------
// The panel section

/** One direction of a row: the verdict after, in words, with links to the deciding rules. */
export interface CompareDirectionRow {
  readonly verdict: 'allow' | 'deny' | 'unknown';
  readonly text: string;
  readonly rules: readonly { readonly text: string; readonly target: TargetId }[];
}

/** A changed source → destination:port. */
export interface CompareRow {
  readonly title: string;
  readonly before: 'allow' | 'deny' | 'unknown';
  readonly after: 'allow' | 'deny' | 'unknown';
  /** `newly-denied`, `newly-allowed` or `other`. */
  readonly change: 'newly-denied' | 'newly-allowed' | 'other';
  readonly egress: CompareDirectionRow;
  readonly ingress: CompareDirectionRow;
}

export interface CompareNamespace {
  /** `Namespace shop`, or `Outside namespaces`. */
  readonly title: string;
  readonly rows: readonly CompareRow[];
}

export interface CompareSectionBody {
  /** `Against HEAD (1a2b3c4): 2 flows newly allowed, 5 newly denied` or `… no change`. */
  readonly headline: string;
  readonly headlineKind: 'ok' | 'changed' | 'denied' | 'error';
  /** `1,234 cells compared`, what was skipped. */
  readonly summary: string;
  readonly namespaces: readonly CompareNamespace[];
  readonly newlyDefaultDeny: readonly string[];
  readonly newlyUnprotected: readonly string[];
  readonly more?: string;
  readonly actions: readonly { readonly id: string; readonly label: string }[];
  /** Bumped when the user asked to see the section: the renderer scrolls to it. */
  readonly reveal: number;
}

function workloadLine(w: CompareWorkload): string {
  return plain(`${w.namespace}/${w.name} (${w.kind}; ${w.directions.join(', ')})`, 300);
}

/** The section body and its targets; `idPrefix` starts every target id. */
export function buildCompareBody(
  result: CompareResult,
  idPrefix: string,
  reveal = 0,
): { body: CompareSectionBody; targets: Map<TargetId, Target> } {
  const targets = new Map<TargetId, Target>();
  const rev = `${revisionLabel(result.revision)}${result.commit !== '' ? ` (${result.commit.slice(0, 7)})` : ''}`;
  const actions = [
    { id: COMPARE_ACTIONS.change, label: 'Compare with…' },
    { id: COMPARE_ACTIONS.stop, label: 'Stop Comparing' },
  ];
  if (result.error !== undefined)
    return {
      body: {
        headline: plain(`Cannot compare with ${revisionLabel(result.revision)}: ${result.error}`, 600),
        headlineKind: 'error',
        summary: '',
        namespaces: [],
        newlyDefaultDeny: [],
        newlyUnprotected: [],
        actions,
        reveal,
      },
      targets,
    };
  const direction = (d: CompareDirection): CompareDirectionRow => ({
    verdict: d.verdict,
    text: plain(d.text, 400),
    rules: d.decidedBy.map((p) => {
      const id = `${idPrefix}${targets.size}`;
      targets.set(id, { uri: p.uri, range: p.range });
      return { text: plain(p.text, 200), target: id };
    }),
  });
  const namespaces = result.namespaces.map((n) => ({
    title: n.namespace === '' ? 'Outside namespaces' : plain(`Namespace ${n.namespace}`, 300),
    rows: n.changes.map((c): CompareRow => ({
      title: plain(`${c.source} → ${c.destination}:${c.port}`, 400),
      before: c.before,
      after: c.after,
      change: c.after === 'deny' ? 'newly-denied' : c.after === 'allow' ? 'newly-allowed' : 'other',
      egress: direction(c.egress),
      ingress: direction(c.ingress),
    })),
  }));
  const workloads = result.newlyDefaultDeny.length + result.newlyUnprotected.length;
  const changed = result.newlyAllowed + result.newlyDenied + result.otherChanges + workloads > 0;
  const parts = [`${count(result.newlyAllowed, 'flow')} newly allowed`, `${result.newlyDenied} newly denied`];
  if (result.otherChanges > 0) parts.push(`${result.otherChanges} now unknown or decidable`);
  const skipped =
    result.skipped.length > 0
      ? `; left out at ${revisionLabel(result.revision)}: ${result.skipped
          .slice(0, 3)
          .map((s) => `${s.path} (${s.reason})`)
          .join(', ')}${result.skipped.length > 3 ? `, and ${result.skipped.length - 3} more` : ''}`
      : '';
  return {
    body: {
      headline: plain(
        changed
          ? `Working tree against ${rev}: ${parts.join(', ')}.`
          : `Working tree against ${rev}: no connectivity change.`,
        400,
      ),
      headlineKind: !changed ? 'ok' : result.newlyDenied > 0 ? 'denied' : 'changed',
      summary: plain(
        `${count(result.cells, 'flow')} compared (every workload pair and port, and the peers the policies name)${skipped}`,
        600,
      ),
      namespaces,
      newlyDefaultDeny: result.newlyDefaultDeny.map(workloadLine),
      newlyUnprotected: result.newlyUnprotected.map(workloadLine),
      ...(result.more > 0 ? { more: `… and ${count(result.more, 'more change')}` } : {}),
      actions,
      reveal,
    },
    targets,
  };
}

// ---------------------------------------------------------------------------------------------
// Generate Policy from Flows

/** A quick pick item for a workload of the flow log. */
export interface WorkloadPickItem {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly workload: FlowWorkloadItem;
}

/** The workloads, busiest first, each with its recorded flow count and its labels. */
export function workloadPickItems(workloads: readonly FlowWorkloadItem[]): WorkloadPickItem[] {
  return [...workloads]
    .sort((a, b) => b.flows - a.flows || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((w) => ({
      label: plain(`${w.namespace}/${w.name}`, 200),
      description: count(w.flows, 'recorded flow'),
      detail: plain(
        Object.entries(w.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        300,
      ),
      workload: w,
    }));
}
