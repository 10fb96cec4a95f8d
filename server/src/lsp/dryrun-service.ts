// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon dry run in the language server: `ciliumPolicy/dryRun` replays an events file (the
 * user picks it in the client) against the TracingPolicies of a document with the dry-run engine,
 * streaming the file through the bounded JSON-lines reader, and sums up per selector for the
 * preview panel. The server remembers the file for the document and runs again when the document
 * changes (debounced, the previous run cancelled), then refreshes the CodeLenses that show each
 * selector's match count. The run also collects the binaries and argument values really seen on
 * each hook, which completion offers in `matchBinaries` and `matchArgs` values.
 */
import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver';
import type { CodeLens } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { locate, nodeSpan, type PolicyDocument, type PolicyFile } from '../core/document.js';
import { escapeControls } from '../core/display-text.js';
import { readEvent, type EventArg, type HookEvent } from '../core/tetragon/events.js';
import { hooks, selectorsOf } from '../core/tetragon/policy.js';
import { tetragonRelease } from '../core/tetragon/values.js';
import { pathAt } from '../core/path-at.js';
import type { AssistCompletions } from '../core/tetragon-assist.js';
import { compilePolicy, DryRun, enforces, eventKey, type DryRunResult, type PolicyInput } from '../dryrun/index.js';
import { readJsonLines, type JsonLinesSummary } from '../io/json-lines.js';
import {
  DryRunEventRequest,
  DryRunRequest,
  type DryRunCount,
  type DryRunEventRow,
  type DryRunReport,
  type DryRunSelectorReport,
  type WireRange,
} from '../protocol.js';
import { contributionsOf } from './contributions.js';
import { checked, is } from './guard.js';
import type { Session } from './session.js';

/** The command a dry-run CodeLens runs (the VS Code client opens the preview panel at the selector). */
export const SHOW_DRY_RUN_COMMAND = 'ciliumPolicy.showPreview';

/** Events shown per selector; the rest are counted. */
const MAX_ROWS = 50;
/** Distinct values kept per counter (binaries, pods, argument values); more are counted apart. */
const MAX_DISTINCT = 2000;
/** Values shown per list in the report. */
const MAX_SHOWN = 20;
/** Longest text of one value sent to the client, in characters. */
const MAX_TEXT = 300;
/**
 * Event details kept in memory per run, in characters; rows beyond it are read again from the
 * file when asked for (a run over hostile lines would otherwise hold 64 KiB per row).
 */
const DETAILS_BUDGET = 2 * 1024 * 1024;
/** Longest event details, in characters. */
const MAX_DETAILS = 64 * 1024;
/** Re-run delay after an edit. */
const EDIT_DELAY_MS = 600;
/** Values offered in completion. */
const MAX_COMPLETIONS = 200;
/** Longest value offered in completion: Linux's PATH_MAX. */
const MAX_COMPLETION_TEXT = 4096;

/** Counts values, keeping at most {@link MAX_DISTINCT} of them. */
class Counter {
  readonly counts = new Map<string, number>();
  others = 0;
  add(v: string): void {
    const n = this.counts.get(v);
    if (n !== undefined) this.counts.set(v, n + 1);
    else if (this.counts.size < MAX_DISTINCT) this.counts.set(v, 1);
    else this.others++;
  }
  get distinct(): number {
    return this.counts.size + (this.others > 0 ? 1 : 0);
  }
  top(n: number): DryRunCount[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n)
      .map(([value, count]) => ({ value: bound(value), count }));
  }
}

function bound(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What the events show of one hook: its binaries and the values at each argument position. */
interface Seen {
  readonly binaries: Counter;
  readonly args: Map<number, Counter>;
}

/** The per-selector tally of a run. */
interface Tally {
  readonly key: string;
  readonly policy: { kind: string; name: string };
  readonly hook: string;
  readonly hookSpan: { start: number; end: number };
  readonly selector: number;
  readonly span: { start: number; end: number };
  actions: DryRunSelectorReport['actions'];
  enforcing: boolean;
  matches: number;
  unknown: number;
  readonly binaries: Counter;
  readonly pods: Counter;
  hostProcesses: number;
  readonly rows: DryRunEventRow[];
  readonly unknownRows: DryRunEventRow[];
}

/** One finished (or running) dry run of a document. */
interface Run {
  readonly version: number;
  readonly events: string;
  readonly stamp: string;
  /** `ciliumPolicy.tetragonVersion` the run compared as: a change runs again. */
  readonly tetragonVersion: string;
  readonly abort: AbortController;
  readonly done: Promise<DryRunReport>;
  report?: DryRunReport;
  /** Event details of the rows, by id (`text` absent: read again from the file when asked). */
  readonly details: Map<number, { line: number; text?: string }>;
  /** Characters of details kept. */
  detailsSize: number;
  /** Line counts per selector, by the selector's first character offset, for the lenses. */
  lenses?: { offset: number; title: string }[];
}

/** A stamp of a file's state: a change of size or time means it must be read again. */
function stampOf(path: string): string {
  const st = fs.statSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file`);
  return `${st.size}:${st.mtimeMs}`;
}

/** The events path a client names: a file URI or a path. */
export function eventsPath(events: string): string {
  return events.startsWith('file:') ? fileURLToPath(events) : events;
}

export class DryRunService {
  private readonly runs = new Map<string, Run>();
  private readonly eventsFor = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Binaries and argument values per hook key, from the latest run of each events file. */
  private seen = new Map<string, Seen>();
  private nextId = 1;

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly canRefreshLenses: () => boolean,
  ) {}

  register(): void {
    const log = this.session.log;
    const dryRunShape = is.object({ textDocument: is.object({ uri: is.string }), events: is.string });
    this.connection.onRequest(DryRunRequest.type, (raw, token) =>
      checked(
        DryRunRequest.method,
        dryRunShape,
        (params: DryRunRequest.Params) => this.request(params.textDocument.uri, params.events, token),
        log,
      )(raw),
    );
    this.connection.onRequest(
      DryRunEventRequest.type,
      checked(
        DryRunEventRequest.method,
        is.object({ textDocument: is.object({ uri: is.string }), id: is.uint }),
        async (params: DryRunEventRequest.Params) => {
          const run = this.runs.get(params.textDocument.uri);
          const d = run?.details.get(params.id);
          if (!d || !run) return null;
          const text = d.text ?? (await reread(run, d.line));
          return text === undefined ? null : { line: d.line, events: run.events, text };
        },
        log,
      ),
    );
    const documents = this.session.documents;
    documents.onDidChangeContent((e) => this.edited(e.document.uri));
    documents.onDidClose((e) => {
      this.cancel(e.document.uri);
      this.runs.delete(e.document.uri);
      this.eventsFor.delete(e.document.uri);
    });
    const c = contributionsOf(this.session);
    c.lenses.push((doc) => this.lenses(doc));
    c.completions.push((_doc, file, policy, offset) => this.completions(file, policy, offset));
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  private async request(uri: string, events: string, token: CancellationToken): Promise<DryRunReport | null> {
    const doc = this.session.documents.get(uri);
    if (!doc) return null;
    if (!tracingPolicies(this.session.parse(doc)).length) return null;
    const path = eventsPath(events);
    this.eventsFor.set(uri, path);
    let stamp: string;
    try {
      stamp = stampOf(path);
    } catch (e) {
      return failedReport(uri, doc.version, path, e);
    }
    const { tetragonVersion } = await this.session.settings.get(uri);
    let run = this.runs.get(uri);
    if (
      !run ||
      run.version !== doc.version ||
      run.events !== path ||
      run.stamp !== stamp ||
      run.tetragonVersion !== tetragonVersion ||
      run.report?.aborted
    ) {
      this.cancel(uri);
      run = this.start(doc, path, stamp, tetragonVersion);
    }
    const sub = token.onCancellationRequested(() => {
      // The run keeps going for the lenses unless nobody waits for it and the document moved on.
      const current = this.session.documents.get(uri);
      if (current && current.version !== run!.version) run!.abort.abort();
    });
    try {
      return await run.done;
    } finally {
      sub.dispose();
    }
  }

  private edited(uri: string): void {
    if (!this.eventsFor.has(uri)) return;
    this.cancel(uri);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        const doc = this.session.documents.get(uri);
        const path = this.eventsFor.get(uri);
        if (!doc || !path) return;
        // A request for this version (the panel refreshing) may have started the run already.
        const current = this.runs.get(uri);
        if (current && current.version === doc.version && current.events === path && !current.abort.signal.aborted)
          return;
        let stamp: string;
        try {
          stamp = stampOf(path);
        } catch {
          return;
        }
        void this.session.settings.get(uri).then(
          ({ tetragonVersion }) => {
            // The document may have moved on while the settings were read (its own timer runs it
            // then), or a request may have started this version's run meanwhile.
            if (this.session.documents.get(uri)?.version !== doc.version || this.timers.has(uri)) return;
            const now = this.runs.get(uri);
            if (now && now.version === doc.version && now.events === path && !now.abort.signal.aborted) return;
            this.start(doc, path, stamp, tetragonVersion);
          },
          () => undefined,
        );
      }, EDIT_DELAY_MS),
    );
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    const run = this.runs.get(uri);
    if (run && !run.report) run.abort.abort();
  }

  private start(doc: TextDocument, path: string, stamp: string, tetragonVersion: string): Run {
    const abort = new AbortController();
    const details = new Map<number, { line: number; text?: string }>();
    const run: Run = {
      version: doc.version,
      events: path,
      stamp,
      tetragonVersion,
      abort,
      details,
      detailsSize: 0,
      done: undefined as unknown as Promise<DryRunReport>,
    };
    (run as { done: Promise<DryRunReport> }).done = this.execute(doc, path, run).then((report) => {
      run.report = report;
      if (this.runs.get(doc.uri) === run) this.refreshLenses();
      return report;
    });
    this.runs.set(doc.uri, run);
    return run;
  }

  private refreshLenses(): void {
    if (!this.canRefreshLenses()) return;
    this.connection.sendRequest('workspace/codeLens/refresh').catch(() => {
      /* the client may have gone; lenses refresh on the next request */
    });
  }

  private async execute(doc: TextDocument, path: string, run: Run): Promise<DryRunReport> {
    const file = this.session.parse(doc);
    const release = tetragonRelease(run.tetragonVersion);
    const docs = tracingPolicies(file);
    const inputs: PolicyInput[] = docs.map((d) => ({ file: doc.uri, text: file.text, doc: d }));
    const dr = new DryRun(inputs, { release });
    const tallies = new Map<string, Tally>();
    const seen = new Map<string, Seen>();
    // Results name their policy and hook line; tallies and spans are keyed by policy and hook index.
    const hookKeys = new Map<string, { key: string; label: string }>();
    for (const p of dr.policies)
      for (const h of p.hooks)
        hookKeys.set(`${p.name}\u0000${h.line}`, { key: `${p.name}\u0000${h.index}`, label: h.label });
    // The source spans of hooks and selectors, by policy name and hook index.
    const spans = spanTable(docs);

    // Results per hook (any verdict): a selector without a tally says "no match" only where events reached its hook.
    const hookResults = new Map<string, number>();
    const progress = await this.progress(path);
    const started = Date.now();
    let summary: JsonLinesSummary | undefined;
    let error: string | undefined;
    try {
      summary = await readJsonLines(
        path,
        (value, line) => {
          const parsed = readEvent(value);
          const results = dr.feedParsed(parsed, line);
          if (parsed.kind === 'hook') noteSeen(seen, parsed.event);
          for (const r of results) {
            const key = hookKeys.get(`${r.policy.name}\u0000${r.hookLine}`)?.key;
            if (key !== undefined) hookResults.set(key, (hookResults.get(key) ?? 0) + 1);
            tally(tallies, r, hookKeys, spans, value, run, () => this.nextId++);
          }
        },
        {
          maxLineBytes: 16 * 1024 * 1024,
          maxDepth: 64,
          signal: run.abort.signal,
          onProblem: (p) => dr.countUnreadable(p.kind),
          onProgress: (p) => {
            if (progress && p.totalBytes && Date.now() - started > 300)
              progress.report(Math.floor((p.bytesRead / p.totalBytes) * 100), `${p.lines.toLocaleString('en')} lines`);
          },
        },
      );
    } catch (e) {
      error = `cannot read ${path}: ${(e as Error)?.message ?? String(e)}`;
    } finally {
      progress?.done();
    }
    if (summary && !summary.aborted) for (const [k, v] of seen) this.seen.set(k, v);

    const c = dr.counts;
    const notes: string[] = [];
    for (const p of dr.policies) {
      for (const s of p.skipped) notes.push(`${p.name}: ${s.label} is skipped: ${s.reason}`);
      for (const r of p.refused) notes.push(`${p.name}: the agent would refuse it (${r})`);
      for (const a of p.assumptions) notes.push(`${p.name}: ${a}`);
    }
    const selectors = [...tallies.values()]
      .map((t) => selectorReport(t, doc))
      .sort(
        (a, b) =>
          Number(b.enforcing && b.matches > 0) - Number(a.enforcing && a.matches > 0) ||
          b.matches - a.matches ||
          b.unknown - a.unknown,
      );
    run.lenses = lensesOf(dr, tallies, spans, hookResults, doc);
    const report: DryRunReport = {
      uri: doc.uri,
      documentVersion: doc.version,
      events: path,
      reading: {
        lines: summary?.lines ?? 0,
        events: c.events,
        hookEvents: c.hookEvents,
        otherType: c.otherType,
        unknownType: c.unknownType,
        unparsable: c.unparsable,
        problems: Object.fromEntries(Object.entries(summary?.problems ?? {}).filter(([, n]) => n > 0)),
        grew: summary?.grew ?? false,
      },
      matches: c.match,
      unknown: c.unknown,
      noMatch: c.noMatch,
      enforcing: c.enforcing,
      selectors,
      notes: notes.map((n) => bound(n, 500)),
      ...(error ? { error: bound(error, 500) } : {}),
      ...(summary?.aborted ? { aborted: true } : {}),
    };
    return report;
  }

  /** A progress bar for a large file (none for small ones, nor where the client has none). */
  private async progress(path: string): Promise<WorkDoneProgressReporter | undefined> {
    let size: number;
    try {
      size = fs.statSync(path).size;
    } catch {
      return undefined;
    }
    if (size < 4 * 1024 * 1024) return undefined;
    try {
      const p = await this.connection.window.createWorkDoneProgress();
      p.begin('Cilium Policy: dry run', 0, 'reading events', false);
      return p;
    } catch {
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lenses and completion

  private lenses(doc: TextDocument): CodeLens[] {
    const run = this.runs.get(doc.uri);
    if (!run?.report || run.version !== doc.version || !run.lenses) return [];
    return run.lenses.map((l) => {
      const start = doc.positionAt(l.offset);
      return {
        range: { start, end: start },
        command: { title: l.title, command: SHOW_DRY_RUN_COMMAND, arguments: [doc.uri, start] },
      };
    });
  }

  private completions(file: PolicyFile, policy: PolicyDocument, offset: number): AssistCompletions | undefined {
    if (this.seen.size === 0) return undefined;
    const at = pathAt(policy, file.text, offset);
    if (!at || at.position !== 'value') return undefined;
    const p = at.path;
    // spec.<section>.<i>.selectors.<j>.<field>.<k>.values.<n>
    const hookIndex = hooks(policy.data).findIndex(
      (h) => h.path.length === 3 && p[0] === h.path[0] && p[1] === h.path[1] && p[2] === h.path[2],
    );
    if (hookIndex < 0 || p[3] !== 'selectors' || p[7] !== 'values') return undefined;
    const field = p[5];
    if (field !== 'matchBinaries' && field !== 'matchArgs') return undefined;
    const compiled = compilePolicy({ file: '', text: file.text, doc: policy })?.hooks.find(
      (h) => h.index === hookIndex,
    );
    if (!compiled) return undefined;
    const merged = new Counter();
    for (const key of compiled.keys) {
      const s = this.seen.get(key);
      if (!s) continue;
      let counter: Counter | undefined = s.binaries;
      if (field === 'matchArgs') {
        const filter = selectorsOf(hooks(policy.data)[hookIndex]!)[Number(p[4])]?.selector['matchArgs'];
        const item = Array.isArray(filter) ? (filter[Number(p[6])] as Record<string, unknown> | undefined) : undefined;
        const position = argPosition(hooks(policy.data)[hookIndex]!.hook, item);
        counter = position === undefined ? undefined : s.args.get(position);
      }
      if (counter) for (const [v, n] of counter.counts) for (let i = 0; i < n; i++) merged.add(v);
    }
    // Inserted whole (a cut value would never match); longer than a path can be is not offered.
    const items = [...merged.counts]
      .filter(([v]) => v.length <= MAX_COMPLETION_TEXT)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_COMPLETIONS)
      .map(([value, count]) => ({ value, count }))
      .map((c) => ({
        label: bound(escapeControls(c.value)),
        insertText: yamlScalar(c.value),
        detail: `seen ${c.count} time${c.count === 1 ? '' : 's'} in the recorded events`,
        kind: 'seen-value' as const,
      }));
    if (items.length === 0) return undefined;
    return at.node ? { items, replaceSpan: at.span } : { items };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function tracingPolicies(file: PolicyFile): PolicyDocument[] {
  return file.documents.filter(
    (d) =>
      (d.kind?.kind === 'TracingPolicy' || d.kind?.kind === 'TracingPolicyNamespaced') &&
      !d.templated &&
      d.data !== undefined,
  );
}

function failedReport(uri: string, version: number, path: string, e: unknown): DryRunReport {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error)?.message;
  return {
    uri,
    documentVersion: version,
    events: path,
    reading: {
      lines: 0,
      events: 0,
      hookEvents: 0,
      otherType: 0,
      unknownType: 0,
      unparsable: 0,
      problems: {},
      grew: false,
    },
    matches: 0,
    unknown: 0,
    noMatch: 0,
    enforcing: 0,
    selectors: [],
    notes: [],
    error: bound(`cannot read ${path}: ${why ?? String(e)}`, 500),
  };
}

type SpanTable = Map<string, { hook: { start: number; end: number }; selectors: { start: number; end: number }[] }>;

/** The spans of every hook and selector, by `policy name \0 hook index`. */
function spanTable(docs: readonly PolicyDocument[]): SpanTable {
  const out: SpanTable = new Map();
  for (const d of docs) {
    hooks(d.data).forEach((h, i) => {
      const span = (path: readonly (string | number)[]) => {
        const l = locate(d.yaml, path as (string | number)[]);
        return nodeSpan(l.node as never) ?? nodeSpan(l.key as never) ?? { start: d.span.start, end: d.span.start };
      };
      out.set(`${d.name ?? ''}\u0000${i}`, {
        hook: span(h.path),
        selectors: selectorsOf(h).map((s) => span(s.path)),
      });
    });
  }
  return out;
}

/** The position in the event's args a matchArgs filter reads (`args: [N]`, or the entry with `index`). */
function argPosition(hook: Record<string, unknown>, filter: Record<string, unknown> | undefined): number | undefined {
  if (!filter) return undefined;
  const args = Array.isArray(hook['args']) ? (hook['args'] as unknown[]) : [];
  if (Array.isArray(filter['args']) && typeof filter['args'][0] === 'number') return filter['args'][0];
  const idx = typeof filter['index'] === 'number' ? filter['index'] : 0;
  const pos = args.findIndex(
    (a) => typeof a === 'object' && a !== null && ((a as Record<string, unknown>)['index'] ?? 0) === idx,
  );
  return pos < 0 ? undefined : pos;
}

/** The text of an argument as a filter value (strings, paths, integers). */
function argText(a: EventArg): string | undefined {
  const v = a.value;
  if (typeof v === 'string') return a.type === 'bytes' ? undefined : v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['path'] === 'string') return o['path'];
    if (typeof o['name'] === 'string') return o['name'];
  }
  return undefined;
}

function noteSeen(seen: Map<string, Seen>, event: HookEvent): void {
  const key = eventKey(event);
  let s = seen.get(key);
  if (!s) seen.set(key, (s = { binaries: new Counter(), args: new Map() }));
  const bin = event.process?.binary;
  if (bin !== undefined) s.binaries.add(bin);
  event.args?.forEach((a, i) => {
    const t = argText(a);
    if (t === undefined) return;
    let c = s.args.get(i);
    if (!c) s.args.set(i, (c = new Counter()));
    c.add(t);
  });
}

function row(r: DryRunResult, id: number): DryRunEventRow {
  const out: DryRunEventRow = {
    id,
    line: r.eventLine,
    match: r.match === 'match' ? 'match' : 'unknown',
    reason: bound(r.reason, 500),
  };
  if (r.time !== undefined) out.time = bound(r.time, 64);
  if (r.node !== undefined) out.node = bound(r.node);
  if (r.process.binary !== undefined) out.binary = bound(r.process.binary);
  if (r.process.arguments !== undefined) out.arguments = bound(r.process.arguments);
  if (r.process.pod !== undefined) out.pod = bound(r.process.pod);
  if (r.process.pid !== undefined) out.pid = r.process.pid;
  return out;
}

/** One line of the run's events file, read again (undefined when the file changed since the run). */
async function reread(run: Run, line: number): Promise<string | undefined> {
  try {
    if (stampOf(run.events) !== run.stamp) return undefined;
  } catch {
    return undefined;
  }
  const stop = new AbortController();
  let found: string | undefined;
  await readJsonLines(
    run.events,
    (value, n) => {
      if (n !== line) return;
      found = details(value);
      stop.abort();
    },
    { maxLineBytes: 16 * 1024 * 1024, maxDepth: 64, signal: stop.signal },
  );
  return found;
}

function details(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2);
  } catch {
    text = '(the event cannot be shown)';
  }
  return text.length > MAX_DETAILS ? `${text.slice(0, MAX_DETAILS)}\n… (cut at ${MAX_DETAILS} characters)` : text;
}

function tally(
  tallies: Map<string, Tally>,
  r: DryRunResult,
  hookKeys: Map<string, { key: string; label: string }>,
  spans: SpanTable,
  value: unknown,
  run: Run,
  nextId: () => number,
): void {
  const index = r.match === 'match' ? r.selector : r.match === 'unknown' ? r.undecided : undefined;
  if (index === undefined) return;
  const h = hookKeys.get(`${r.policy.name}\u0000${r.hookLine}`);
  const hookKey = h?.key ?? `${r.policy.name}\u0000?`;
  const key = `${hookKey}\u0000${index}`;
  let t = tallies.get(key);
  if (!t) {
    const sp = spans.get(hookKey);
    t = {
      key,
      policy: { kind: r.policy.kind, name: r.policy.name },
      hook: h?.label ?? `${r.hook.kind} ${r.hook.name}`,
      hookSpan: sp?.hook ?? { start: 0, end: 0 },
      selector: index,
      span: sp?.selectors[index] ?? sp?.hook ?? { start: 0, end: 0 },
      actions: [],
      enforcing: false,
      matches: 0,
      unknown: 0,
      binaries: new Counter(),
      pods: new Counter(),
      hostProcesses: 0,
      rows: [],
      unknownRows: [],
    };
    tallies.set(key, t);
  }
  if (t.actions.length === 0 && r.actions.length > 0) {
    t.actions = r.actions.map((a) => ({
      action: a.action,
      enforcing: a.enforcing === true,
      performed: a.performed !== false,
      ...(a.argError !== undefined ? { argError: a.argError } : {}),
      ...(a.argSig !== undefined ? { argSig: a.argSig } : {}),
    }));
    t.enforcing = enforces(r.actions);
  }
  const rows = r.match === 'match' ? t.rows : t.unknownRows;
  if (r.match === 'match') {
    t.matches++;
    if (r.process.binary !== undefined) t.binaries.add(r.process.binary);
    if (r.process.pod !== undefined) t.pods.add(r.process.pod);
    else t.hostProcesses++;
  } else t.unknown++;
  if (rows.length < MAX_ROWS) {
    const id = nextId();
    rows.push(row(r, id));
    if (run.detailsSize < DETAILS_BUDGET) {
      const text = details(value);
      run.detailsSize += text.length;
      run.details.set(id, { line: r.eventLine, text });
    } else run.details.set(id, { line: r.eventLine });
  }
}

function plural(n: number, one: string): string {
  return `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`;
}

/** "Sigkill would hit 12 events from 3 binaries in 2 pods". */
function summaryOf(t: Tally): string {
  const performed = t.actions.filter((a) => a.performed);
  const lead = performed.find((a) => a.enforcing) ?? performed[0];
  const verb = lead ? (lead.enforcing ? `${lead.action} would hit` : `${lead.action} would report`) : 'Would match';
  const where: string[] = [];
  if (t.pods.distinct > 0) where.push(`in ${plural(t.pods.distinct, 'pod')}`);
  if (t.hostProcesses > 0) where.push(`${t.pods.distinct > 0 ? 'and ' : ''}${plural(t.hostProcesses, 'host process')}`);
  const head =
    t.matches > 0
      ? `${verb} ${plural(t.matches, 'event')} from ${plural(t.binaries.distinct, 'binary').replace(/binarys$/, 'binaries')}${where.length ? ` ${where.join(' ')}` : ''}`
      : 'No event matches for sure';
  return t.unknown > 0 ? `${head}; ${plural(t.unknown, 'event')} undecided` : head;
}

function lensTitle(t: Tally): string {
  const performed = t.actions.filter((a) => a.performed);
  const lead = performed.find((a) => a.enforcing) ?? performed[0];
  const m =
    t.matches > 0
      ? `${plural(t.matches, 'match').replace(/matchs$/, 'matches')}${lead ? ` (${lead.action})` : ''}`
      : 'no match';
  return `Dry run: ${m}${t.unknown > 0 ? `, ${t.unknown.toLocaleString('en')} undecided` : ''}`;
}

/**
 * One lens per selector of every hook: its count when it matched or could not decide, "no match"
 * when events reached its hook, and why not otherwise; a skipped hook gets one on itself.
 */
function lensesOf(
  dr: DryRun,
  tallies: Map<string, Tally>,
  spans: SpanTable,
  hookResults: Map<string, number>,
  doc: TextDocument,
): { offset: number; title: string }[] {
  const out: { offset: number; title: string }[] = [];
  for (const p of dr.policies) {
    for (const h of p.hooks) {
      const key = `${p.name}\u0000${h.index}`;
      const sp = spans.get(key);
      if (!sp) continue;
      sp.selectors.forEach((span, i) => {
        const t = tallies.get(`${key}\u0000${i}`);
        const title = t
          ? lensTitle(t)
          : hookResults.get(key)
            ? 'Dry run: no match'
            : 'Dry run: no recorded event on this hook';
        out.push({ offset: span.start, title });
      });
    }
    for (const skipped of p.skipped) {
      for (const [key, sp] of spans) {
        if (!key.startsWith(`${p.name}\u0000`) || doc.positionAt(sp.hook.start).line + 1 !== skipped.line) continue;
        out.push({ offset: sp.hook.start, title: bound(`Dry run: skipped (${skipped.reason})`, 120) });
        break;
      }
    }
  }
  return out;
}

function range(doc: TextDocument, span: { start: number; end: number }): WireRange {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

function selectorReport(t: Tally, doc: TextDocument): DryRunSelectorReport {
  const rows = [...t.rows, ...t.unknownRows];
  return {
    policy: { kind: t.policy.kind, name: bound(t.policy.name) },
    hook: bound(t.hook),
    hookRange: range(doc, t.hookSpan),
    selector: t.selector,
    range: range(doc, t.span),
    actions: t.actions,
    enforcing: t.enforcing,
    matches: t.matches,
    unknown: t.unknown,
    summary: bound(summaryOf(t), 500),
    binaries: t.binaries.top(MAX_SHOWN),
    distinctBinaries: t.binaries.distinct,
    pods: t.pods.top(MAX_SHOWN),
    distinctPods: t.pods.distinct,
    hostProcesses: t.hostProcesses,
    rows,
    moreRows: t.matches + t.unknown - rows.length,
  };
}

/** A value as a YAML scalar: plain when YAML reads it back as the same string, quoted otherwise. */
export function yamlScalar(v: string): string {
  const plain =
    // `@` and a lone `-` cannot start a plain scalar (abstract socket names start with `@`).
    /^(?:[A-Za-z0-9_./+]|-(?=\S))[A-Za-z0-9_./@+:=,-]*$/.test(v) &&
    !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(v) &&
    !/^[-+]?(\d|\.\d)/.test(v) &&
    !/^[-+]?\.(inf|nan)$/i.test(v) &&
    !v.includes(': ') &&
    !v.endsWith(':');
  // Invisible and direction-changing characters are written as escapes, never into the policy as such.
  return plain
    ? v
    : JSON.stringify(v).replace(
        /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
}
