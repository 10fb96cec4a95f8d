// SPDX-License-Identifier: Apache-2.0
/**
 * Flow replay in the editor: `ciliumPolicy/loadFlows` streams a Hubble flow log into a
 * {@link FlowReplay} (grouped by the question each flow asks, so memory follows the distinct
 * questions, not the records), and `ciliumPolicy/replay` judges the kept groups again against the
 * policies as they stand now: the open documents with their unsaved text and the workspace's policy
 * files, over the preview's inventory. The file is read once; every edit only re-judges the groups.
 */
import type { Connection } from 'vscode-languageserver';
import { emptyInventory } from '../core/inventory.js';
import type { PolicyFile } from '../core/document.js';
import { type LineIndex } from '../core/line-index.js';
import { readJsonLines, type JsonLinesSummary } from '../io/json-lines.js';
import {
  AdmitFlowsRequest,
  LoadFlowsRequest,
  type FlowLogStatus,
  ReplayRequest,
  type ReplayGroup,
  type ReplayResult,
  type WireRange,
} from '../protocol.js';
import { agentOptionsFromConfigMap, resolveAgent } from '../semantics/agent.js';
import { ruleText, VerdictEngine } from '../semantics/engine.js';
import { kindOf, networkPolicyKind } from '../core/kinds.js';
import type { RuleRef, SubjectRef } from '../semantics/model.js';
import {
  admittingItems,
  appendItemsEdit,
  denialCause,
  FlowReplay,
  forwardedNowDenied,
  groupChanges,
  groupDisplay,
  verifyAdmission,
  type FlowGroup,
} from '../semantics/replay/index.js';
import { applyEdits } from '../core/yaml-edits.js';
import { parseFile } from '../core/document.js';
import type { OffsetEdit } from '../core/findings.js';
import { checked, is } from './guard.js';
import { canonicalUri } from './inventory-manager.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';

/** Lines of a flow log whose problems are reported back (the rest are counted). */
const KEPT_PROBLEMS = 20;
/** Groups a replay answer carries by default. */
const DEFAULT_LIMIT = 200;
/** Pod names per end in an answer. */
const PODS = 3;

interface LoadedLog {
  readonly path: string;
  readonly replay: FlowReplay;
  readonly summary: JsonLinesSummary;
}

/** One policy file in scope, with how to turn its offsets into positions. */
interface ScopeFile {
  readonly uri: string;
  readonly file: PolicyFile;
  readonly positionAt: (offset: number) => { line: number; character: number };
}

function holdsPolicies(file: PolicyFile): boolean {
  return file.documents.some((d) => networkPolicyKind(kindOf(d.apiVersion, d.kindName)) !== undefined);
}

export class ReplayService {
  private loaded: LoadedLog | undefined;
  /** Bumped by every load, so an older load that finishes late does not replace a newer one. */
  private loads = 0;

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly preview: PreviewService,
  ) {}

  register(): void {
    const log = this.session.log;
    this.connection.onRequest(
      LoadFlowsRequest.type,
      checked(
        LoadFlowsRequest.method,
        is.object({
          path: (v, at) => (v === null || typeof v === 'string' ? undefined : `${at} must be a path or null`),
        }),
        (params: LoadFlowsRequest.Params) => this.load(params.path),
        log,
      ),
    );
    this.connection.onRequest(
      AdmitFlowsRequest.type,
      checked(
        AdmitFlowsRequest.method,
        is.object({ group: is.uint }),
        (params: AdmitFlowsRequest.Params) => this.admit(params.group),
        log,
      ),
    );
    this.connection.onRequest(
      ReplayRequest.type,
      checked(
        ReplayRequest.method,
        is.object({ limit: is.optional(is.uint) }),
        (params: ReplayRequest.Params) => this.replay(params.limit ?? DEFAULT_LIMIT),
        log,
      ),
    );
  }

  /** The groups of the loaded flow log (for Generate Policy from Flows), or undefined when none is loaded. */
  loadedGroups(): readonly FlowGroup[] | undefined {
    return this.loaded?.replay.groups();
  }

  /** Reads a flow log (streamed; never the whole file at once), or forgets the loaded one. */
  async load(path: unknown): Promise<FlowLogStatus> {
    const load = ++this.loads;
    if (path === null || path === undefined) {
      this.loaded = undefined;
      return { path: null, flows: 0, questions: 0, skipped: {}, problems: [] };
    }
    if (typeof path !== 'string' || path === '') return this.failed('', '`path` must be a file path or null');
    const scope = this.scopeFiles();
    const replay = new FlowReplay({ head: this.engine(scope) });
    let summary: JsonLinesSummary;
    try {
      summary = await readJsonLines(path, (value, line) => {
        replay.add(value, line);
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file or directory'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'is a directory'
              : ((e as Error)?.message ?? String(e));
      return this.failed(path, `cannot read ${path}: ${why}`);
    }
    if (load !== this.loads) return this.status({ path, replay, summary });
    this.loaded = { path, replay, summary };
    return this.status(this.loaded);
  }

  /** The loaded flows judged against the policies as they stand now, newly denied first. */
  replay(limit: number): ReplayResult | null {
    const loaded = this.loaded;
    if (!loaded) return null;
    const scope = this.scopeFiles();
    const { replay } = loaded;
    replay.rejudge(this.engine(scope));
    const positions = new Map(scope.map((s) => [s.uri, s.positionAt]));
    const verdicts = { allow: 0, deny: 0, unknown: 0 };
    let newlyDenied = 0;
    let newlyAllowed = 0;
    const rows: { g: FlowGroup; denied: number; allowed: number }[] = [];
    for (const g of replay.groups()) {
      verdicts[g.head.verdict] += g.flows;
      const c = groupChanges(g);
      newlyDenied += forwardedNowDenied(g);
      newlyAllowed += c.newlyAllowed;
      rows.push({ g, denied: c.newlyDenied, allowed: c.newlyAllowed });
    }
    // Newly denied first, then newly allowed, then the rest; bigger groups first within each.
    const rank = (r: { denied: number; allowed: number }): number => (r.denied > 0 ? 0 : r.allowed > 0 ? 1 : 2);
    rows.sort(
      (a, b) =>
        rank(a) - rank(b) || b.denied + b.allowed - (a.denied + a.allowed) || b.g.flows - a.g.flows || a.g.id - b.g.id,
    );
    const max = Math.max(0, Math.min(Math.floor(Number.isFinite(limit) ? limit : DEFAULT_LIMIT), 5000));
    const groups = rows.slice(0, max).map((r) => this.groupView(r.g, r.denied, r.allowed, positions));
    return {
      log: this.status(loaded),
      verdicts,
      newlyDenied,
      newlyAllowed,
      groups,
      more: rows.length - groups.length,
    };
  }

  private groupView(
    g: FlowGroup,
    denied: number,
    allowed: number,
    positions: ReadonlyMap<string, (offset: number) => { line: number; character: number }>,
  ): ReplayGroup {
    const d = groupDisplay(g);
    const f = g.sample;
    const request = f.http
      ? `${f.http.method} ${f.http.path}`
      : f.dns !== undefined
        ? `DNS ${f.dns.replace(/\.$/, '')}`
        : undefined;
    const decidedBy: ReplayGroup['decidedBy'] = [];
    const place = (ref: RuleRef | SubjectRef, text: string): void => {
      const at = positions.get(ref.file);
      if (!at) return;
      const range: WireRange = { start: at(ref.span.start), end: at(ref.span.end) };
      decidedBy.push({ text, uri: ref.file, range });
    };
    const cause = denialCause(g.head);
    if (cause?.kind === 'rules') for (const r of cause.rules) place(r, ruleText(r));
    else if (cause?.kind === 'default-deny')
      for (const p of cause.policies)
        place(p, `default deny of ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} (${cause.direction})`);
    else if (g.head.verdict === 'allow' && g.head.result) {
      for (const r of [...g.head.result.egress.by, ...g.head.result.ingress.by]) place(r, ruleText(r));
    }
    return {
      id: g.id,
      source: d.source,
      destination: d.destination,
      port: d.port,
      ...(request !== undefined ? { request } : {}),
      flows: g.flows,
      forwarded: g.forwarded,
      verdict: g.head.verdict,
      change: denied > 0 ? 'newly-denied' : allowed > 0 ? 'newly-allowed' : 'none',
      changed: denied + allowed,
      reason: g.head.reason,
      firstTime: g.firstTime,
      lastTime: g.lastTime,
      sourcePods: g.sourcePods.slice(0, PODS),
      destinationPods: g.destinationPods.slice(0, PODS),
      decidedBy: decidedBy.slice(0, 10),
    };
  }

  /**
   * The edits that admit a denied group: for each direction that denies it by default (or whose
   * proxy refused the request), items appended to that direction of the policy that decides, then
   * checked through the engine over a copy of the policies.
   */
  admit(id: unknown): AdmitFlowsRequest.Result {
    const fail = (error: string): AdmitFlowsRequest.Result => ({ title: '', edits: [], error });
    const loaded = this.loaded;
    if (!loaded) return fail('no flow log is loaded');
    const groups = loaded.replay.groups();
    const g = typeof id === 'number' && Number.isInteger(id) ? groups[id] : undefined;
    if (!g) return fail('no such group of flows (the flow log was loaded again)');
    const scope = this.scopeFiles();
    const before = this.engine(scope);
    const j = loaded.replay.judgeGroup(before, g);
    if (j.verdict !== 'deny' || !j.result) return fail('these flows are not denied by the policies as they stand');
    const byUri = new Map(scope.map((s) => [s.uri, s]));
    const edits = new Map<string, OffsetEdit[]>();
    const where: string[] = [];
    for (const [section, d] of [
      ['egress', j.result.egress],
      ['ingress', j.result.ingress],
    ] as const) {
      if (d.verdict !== 'deny') continue;
      let ref: RuleRef | SubjectRef | undefined;
      if (d.state === 'default-deny') ref = d.defaultDenyBy[0];
      else if (d.state === 'proxy-denied') ref = d.by[0];
      else
        return fail(
          `${section} is denied by a deny rule (${d.by.map(ruleText).join(', ')}); an allow rule cannot admit it`,
        );
      const at = ref ? byUri.get(ref.file) : undefined;
      if (!ref || !at) return fail(`the policy that denies the ${section} is not in an open or workspace file`);
      const doc = at.file.documents.find((x) => ref.span.start >= x.span.start && ref.span.start <= x.span.end);
      if (!doc) return fail(`the policy that denies the ${section} was not found in ${ref.file}`);
      const { items } = admittingItems([g], section, ref.namespace);
      const edit = appendItemsEdit(at.file, doc, ref.spec, section, items);
      if (!edit)
        return fail(
          `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} writes its ${section} in flow style; add the rule by hand`,
        );
      const list = edits.get(ref.file) ?? [];
      list.push(edit);
      edits.set(ref.file, list);
      where.push(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${section})`);
    }
    if (edits.size === 0) return fail('nothing to add');
    // The check: the same policies with the edits applied.
    const after = this.engine(
      scope.map((s) => {
        const e = edits.get(s.uri);
        return e ? { ...s, file: parseFile(applyEdits(s.file.text, e)) } : s;
      }),
    );
    const check = verifyAdmission(
      groups,
      new Set([g]),
      (x) => loaded.replay.judgeGroup(before, x).verdict,
      (x) => loaded.replay.judgeGroup(after, x).verdict,
    );
    if (check.notAdmitted.length > 0)
      return fail('the generated rule does not admit these flows (see the deciding rules)');
    if (check.alsoAdmitted.length > 0)
      return fail(
        `the generated rule would also admit ${check.alsoAdmitted.length} other denied group(s) of recorded flows, such as ${groupDisplay(check.alsoAdmitted[0]!).source} → ${groupDisplay(check.alsoAdmitted[0]!).destination}`,
      );
    const d = groupDisplay(g);
    return {
      title: `Admit ${d.source} → ${d.destination}:${d.port} in ${where.join(' and ')}`,
      edits: [...edits].flatMap(([uri, list]) => {
        const at = byUri.get(uri)!;
        return list.map((e) => ({
          uri,
          range: { start: at.positionAt(e.start), end: at.positionAt(e.end) },
          newText: e.newText,
        }));
      }),
    };
  }

  /** The open documents (current text) and the workspace's policy files not open. */
  private scopeFiles(): ScopeFile[] {
    const out: ScopeFile[] = [];
    const open = new Set<string>();
    for (const doc of this.session.documents.all()) {
      const uri = canonicalUri(doc.uri);
      open.add(uri);
      const file = this.session.parse(doc);
      if (holdsPolicies(file)) out.push({ uri, file, positionAt: (o) => doc.positionAt(o) });
    }
    for (const w of this.preview.inventory.workspacePolicies()) {
      if (open.has(w.uri) || !holdsPolicies(w.file)) continue;
      const lines: LineIndex = w.lines;
      out.push({ uri: w.uri, file: w.file, positionAt: (o) => lines.positionAt(o) });
    }
    return out;
  }

  private engine(scope: readonly ScopeFile[]): VerdictEngine {
    this.preview.inventory.flush();
    const inventory = this.preview.inventory.current() ?? emptyInventory('workspace', 'no inventory loaded');
    // The agent profile of the inventory's cilium-config ConfigMap, as `cilium-policy replay` reads it.
    const cm = inventory.ciliumConfig;
    const layers = cm
      ? [{ origin: `${cm.namespace}/cilium-config`, values: agentOptionsFromConfigMap(cm.data).values }]
      : [];
    const engine = new VerdictEngine({ inventory, agent: resolveAgent(layers) });
    for (const s of scope) engine.setFile(s.uri, s.file);
    return engine;
  }

  private status(l: LoadedLog): FlowLogStatus {
    const s = l.replay.skipped;
    const p = l.summary.problems;
    const skipped: Record<string, number> = {
      reply: s.reply,
      notFlow: s['not-flow'] + l.summary.empty,
      unparsable: p.unparsable,
    };
    const more: [string, number][] = [
      ['incomplete', s.incomplete],
      ['otherL7', s['other-l7']],
      ['oversized', s.oversized],
      ['tooLong', p['too-long']],
      ['nulByte', p['nul-byte']],
      ['invalidUtf8', p['invalid-utf8']],
      ['tooDeep', p['too-deep']],
      ['numberOutOfRange', p['number-out-of-range']],
    ];
    for (const [k, n] of more) if (n > 0) skipped[k] = n;
    return {
      path: l.path,
      flows: l.replay.flows,
      questions: l.replay.groups().length,
      skipped,
      problems: l.summary.firstProblems.slice(0, KEPT_PROBLEMS).map((x) => ({ line: x.line, message: x.message })),
    };
  }

  private failed(path: string, error: string): FlowLogStatus {
    return { path: path === '' ? null : path, flows: 0, questions: 0, skipped: {}, problems: [], error };
  }
}
