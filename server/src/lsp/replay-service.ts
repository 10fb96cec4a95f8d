// SPDX-License-Identifier: Apache-2.0
/**
 * Flow replay in the editor: `ciliumPolicy/loadFlows` streams a Hubble flow log into a
 * {@link FlowReplay} (grouped by the question each flow asks, so memory follows the distinct
 * questions, not the records), and `ciliumPolicy/replay` judges the kept groups again against the
 * policies as they stand now: the open documents with their unsaved text and the workspace's policy
 * files, over the preview's inventory. The file is read once; every edit only re-judges the groups.
 */
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type ResponseError,
  type TextEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { emptyInventory, type Inventory } from '../core/inventory.js';
import type { PolicyFile } from '../core/document.js';
import { readJsonLines, type JsonLinesSummary } from '../io/json-lines.js';
import {
  AdmitFlowsRequest,
  LoadFlowsRequest,
  type FlowLogStatus,
  type ReadCancelled,
  ReplayRequest,
  type ReplayGroup,
  type ReplayResult,
  type WireRange,
} from '../protocol.js';
import { ciliumConfigLayer, resolveAgent, type AgentLayer } from '../semantics/agent.js';
import { ruleText, VerdictEngine } from '../semantics/engine.js';
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
  dnsServerSelector,
  type FlowGroup,
} from '../semantics/replay/index.js';
import { applyEdits } from '../core/yaml-edits.js';
import { parseFile } from '../core/document.js';
import type { Finding, OffsetEdit, Span } from '../core/findings.js';
import { DIAGNOSTIC_SOURCE } from './convert.js';
import { contributionsOf } from './contributions.js';
import { checked, describe, is } from './guard.js';
import { dropMessage, dropSites, groupPhrase, NEWLY_DROPPED_CODE, type DropSite } from './replay-diagnostics.js';
import { canonicalUri } from './inventory-manager.js';
import type { PolicyFileView, PreviewService } from './preview-service.js';
import { cancelledAnswer, readProgress, readSoFar, signalOf, workDoneTokenOf } from './read-progress.js';
import { FedEngine } from './verdict-service.js';
import type { Session } from './session.js';
import { skippedSummary } from '../semantics/replay/summary.js';

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

/** What the replay service reads from the rest of the server. */
export interface ReplayServiceOptions {
  /**
   * The workspace's agent layers for a document URI (the inventory's `cilium-config` ConfigMap, the
   * `ciliumPolicy.agent` setting, `.cilium-policy.yaml`'s `agent:`), as the connectivity verdicts
   * read them; without it, the ConfigMap alone.
   */
  readonly agentLayers?: (uri: string | undefined, inventory: Inventory) => AgentLayer[];
  /** Lints the open documents again: the log's warnings appeared or went. */
  readonly relint?: () => void;
}

/** The loaded log judged against one state of the policies, and where it drops forwarded flows. */
interface Judged {
  readonly key: string;
  readonly loaded: LoadedLog;
  readonly scope: readonly PolicyFileView[];
  readonly sites: readonly DropSite[];
  /** The quick fix of each site, computed when first asked for. */
  readonly fixes: Map<string, SiteFix>;
}

/** The edits admitting the flows a site drops, checked through the engine; or why there are none. */
type SiteFix =
  | { readonly title: string; readonly changes: Record<string, TextEdit[]> }
  | { readonly title: string; readonly error: string };

/** A span cut to its first line (a warning on a rule underlines its first line, not the whole item). */
function firstLine(text: string, span: Span): Span {
  let end = Math.min(span.end, text.length);
  const nl = text.indexOf('\n', span.start);
  if (nl >= 0 && nl < end) end = nl;
  while (end > span.start && /\s/.test(text[end - 1]!)) end--;
  return { start: span.start, end: Math.max(end, span.start) };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export class ReplayService {
  private loaded: LoadedLog | undefined;
  /** Bumped by every load, so an older load that finishes late does not replace a newer one. */
  private loads = 0;
  /** The last judgement for the warnings and their fixes (every lint of an open document asks). */
  private judged: Judged | undefined;
  /** Identities of inventory snapshots, for the judgement's key. */
  private readonly inventoryIds = new WeakMap<Inventory, number>();
  private inventoriesSeen = 0;
  /** The engine the warnings judge with, fed with the current files, for one inventory and agent profile. */
  private fed: { readonly inventory: Inventory; readonly agentKey: string; readonly fed: FedEngine } | undefined;
  /** Settings fetches already waited for (see {@link settle}). */
  private readonly settling = new WeakSet<Promise<unknown>>();

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly preview: PreviewService,
    private readonly options: ReplayServiceOptions = {},
  ) {}

  register(): void {
    const log = this.session.log;
    this.connection.onRequest(LoadFlowsRequest.type, (raw, token) =>
      checked(
        LoadFlowsRequest.method,
        is.object({
          path: (v, at) => (v === null || typeof v === 'string' ? undefined : `${at} must be a path or null`),
        }),
        (params: LoadFlowsRequest.Params) => this.load(params.path, token, workDoneTokenOf(params)),
        log,
      )(raw),
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
    contributionsOf(this.session).codeActions.push((doc, diagnostics) => this.codeActions(doc, diagnostics));
  }

  /** The groups of the loaded flow log (for Generate Policy from Flows), or undefined when none is loaded. */
  loadedGroups(): readonly FlowGroup[] | undefined {
    return this.loaded?.replay.groups();
  }

  /**
   * Reads a flow log (streamed; never the whole file at once), or forgets the loaded one. A
   * cancelled request stops the read and keeps the log loaded before.
   */
  async load(
    path: unknown,
    token?: CancellationToken,
    workDoneToken?: string | number,
  ): Promise<FlowLogStatus | ResponseError<ReadCancelled>> {
    const load = ++this.loads;
    if (path === null || path === undefined) {
      const had = this.loaded !== undefined;
      this.loaded = undefined;
      this.judged = undefined;
      this.fed = undefined;
      if (had) this.options.relint?.();
      return { path: null, flows: 0, questions: 0, skipped: {}, problems: [] };
    }
    if (typeof path !== 'string' || path === '') return this.failed('', '`path` must be a file path or null');
    // The agent options of the settings are known before the flows are judged.
    const settingsUri = this.options.agentLayers ? this.settingsUri(path) : undefined;
    if (settingsUri !== undefined) {
      const pending = this.session.settings.get(settingsUri);
      this.settling.add(pending);
      await pending;
    }
    const scope = this.preview.policyFiles();
    const replay = new FlowReplay({ head: this.engine(scope, path) });
    let summary: JsonLinesSummary;
    const cancel = signalOf(token);
    const progress = readProgress(this.connection, workDoneToken, 'Cilium Policy: reading flows');
    try {
      summary = await readJsonLines(
        path,
        (value, line) => {
          replay.add(value, line);
        },
        { signal: cancel.signal, onProgress: (p) => progress.onProgress(p), progressEveryBytes: 256 * 1024 },
      );
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
    } finally {
      cancel.dispose();
      progress.done();
    }
    if (summary.aborted)
      return cancelledAnswer(
        `Reading ${path}`,
        readSoFar(summary),
        this.loaded ? `${this.loaded.path} stays loaded` : 'no flow log is loaded',
      );
    if (load !== this.loads) return this.status({ path, replay, summary });
    this.loaded = { path, replay, summary };
    this.judged = undefined;
    // The open documents get the log's warnings (and lose those of the log it replaces).
    this.options.relint?.();
    return this.status(this.loaded);
  }

  /** The loaded flows judged against the policies as they stand now, newly denied first. */
  replay(limit: number): ReplayResult | null {
    const loaded = this.loaded;
    if (!loaded) return null;
    // The judgement the warnings use, made again only when the policies, inventory or agent changed.
    const judged = this.current();
    if (!judged) return null;
    const { scope } = judged;
    const { replay } = loaded;
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
    const scope = this.preview.policyFiles();
    const before = this.engine(scope);
    const j = loaded.replay.judgeGroup(before, g);
    if (j.verdict !== 'deny' || !j.result) return fail('these flows are not denied by the policies as they stand');
    const byUri = new Map(scope.map((s) => [s.uri, s]));
    const dnsOptions = dnsOptionsOf(groups);
    // First without a DNS rule where the source's recorded lookups are allowed already (as the
    // quick fix does); if the engine says that does not admit the flows, with one.
    const attempt = (reuseLookups: boolean): AdmitFlowsRequest.Result => {
      const edits = new Map<string, OffsetEdit[]>();
      const where: string[] = [];
      for (const [section, d] of [
        ['egress', j.result!.egress],
        ['ingress', j.result!.ingress],
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
        const { items } = admittingItems([g], section, ref.namespace, dnsOptions([g], reuseLookups));
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
    };
    const reusing = attempt(true);
    return reusing.error !== undefined ? attempt(false) : reusing;
  }

  private engine(scope: readonly PolicyFileView[], logPath?: string): VerdictEngine {
    const { inventory, layers } = this.profile(logPath);
    const engine = new VerdictEngine({ inventory, agent: resolveAgent(layers) });
    for (const s of scope) engine.setFile(s.uri, s.file);
    return engine;
  }

  /**
   * The inventory and the agent layers flows are judged over. The agent profile is the workspace's,
   * as `cilium-policy replay` reads it from `--agent` and `.cilium-policy.yaml`: the inventory's
   * `cilium-config` ConfigMap, then the `ciliumPolicy.agent` setting, then the `agent:` of the
   * `.cilium-policy.yaml` of the folder holding the flow log (else the first folder).
   */
  private profile(logPath = this.loaded?.path): { inventory: Inventory; layers: AgentLayer[] } {
    this.preview.inventory.flush();
    const inventory = this.preview.inventory.current() ?? emptyInventory('workspace', 'no inventory loaded');
    if (this.options.agentLayers) {
      const uri = this.settingsUri(logPath);
      if (uri !== undefined) this.settle(uri);
      return { inventory, layers: this.options.agentLayers(uri, inventory) };
    }
    const cm = ciliumConfigLayer(inventory);
    return { inventory, layers: cm ? [cm.layer] : [] };
  }

  /** The URI whose settings and `.cilium-policy.yaml` apply: the flow log's when a workspace folder holds it, else the first folder's. */
  private settingsUri(logPath: string | undefined): string | undefined {
    if (logPath !== undefined && logPath !== '') {
      const u = pathToFileURL(logPath).href;
      if (this.session.projectConfigs.folderOf(u) !== undefined) return u;
    }
    const folder = this.session.projectConfigs.firstFolder;
    return folder !== undefined ? pathToFileURL(folder).href : undefined;
  }

  /**
   * Settings are pulled per URI and lazily: the first time (and after a change forgot them) the
   * `ciliumPolicy.agent` of the URI is asked for, and the open documents are linted again once it
   * is known (the judgement's key has the agent layers, so only a change re-judges the flows).
   */
  private settle(uri: string): void {
    const pending = this.session.settings.get(uri);
    if (this.settling.has(pending)) return;
    this.settling.add(pending);
    void pending.then(() => {
      if (this.loaded) this.options.relint?.();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Warnings where the policies drop recorded forwarded flows, and their quick fixes

  /**
   * The loaded log judged against the policies as they stand now (the open documents' text, the
   * workspace's files, the inventory, the agent profile), computed again only when one of them
   * changed: every open document's lint asks for its warnings.
   */
  private current(): Judged | undefined {
    const loaded = this.loaded;
    if (!loaded) return undefined;
    const { inventory, layers } = this.profile();
    let inventoryId = this.inventoryIds.get(inventory);
    if (inventoryId === undefined) this.inventoryIds.set(inventory, (inventoryId = ++this.inventoriesSeen));
    const key = [
      this.loads,
      this.preview.scopeGeneration(),
      inventoryId,
      JSON.stringify(layers),
      ...this.session.documents.all().map((d) => `${d.uri}@${d.version}`),
    ].join('\u0000');
    if (this.judged && this.judged.key === key && this.judged.loaded === loaded) return this.judged;
    const scope = this.preview.policyFiles();
    // One engine fed with the files as they change (an edit sets one file again), instead of one
    // built from every policy per edit: with 500 policies, building costs about three times re-judging.
    const agentKey = JSON.stringify(layers);
    if (!this.fed || this.fed.inventory !== inventory || this.fed.agentKey !== agentKey)
      this.fed = { inventory, agentKey, fed: new FedEngine(inventory, resolveAgent(layers)) };
    this.fed.fed.sync(scope.map((s) => ({ name: s.uri, uri: s.uri, file: s.file })));
    loaded.replay.rejudge(this.fed.fed.engine);
    this.judged = { key, loaded, scope, sites: dropSites(loaded.replay.groups()), fixes: new Map() };
    return this.judged;
  }

  /**
   * The warnings of a document: on each rule, or policy selector for a default deny, of it that
   * drops recorded forwarded flows, "would drop N recorded flows (frontend → api:8080, …)". None
   * when no flow log is loaded. Never throws (a failure is logged).
   */
  findings(uri: string, file: PolicyFile): Finding[] {
    if (!this.loaded) return [];
    try {
      const judged = this.current();
      if (!judged) return [];
      const at = canonicalUri(uri);
      return judged.sites
        .filter((s) => s.file === at && s.span.end <= file.text.length)
        .map((s) => ({
          code: NEWLY_DROPPED_CODE,
          severity: 'warning' as const,
          message: dropMessage(s),
          span: firstLine(file.text, s.span),
          data: { flows: s.flows, groups: s.groups.map((g) => g.id) },
        }));
    } catch (e) {
      this.session.log(`cilium-policy: replay warnings for ${uri} failed: ${describe(e)}`);
      return [];
    }
  }

  /** Quick fixes for the warnings among `diagnostics`: the narrowest rule admitting the dropped flows. */
  codeActions(doc: TextDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
    const ours = diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === NEWLY_DROPPED_CODE);
    if (ours.length === 0 || !this.loaded) return [];
    const judged = this.current();
    if (!judged) return [];
    const at = canonicalUri(doc.uri);
    const text = doc.getText();
    const actions: CodeAction[] = [];
    for (const diagnostic of ours) {
      const site = judged.sites.find((s) => {
        if (s.file !== at || s.span.end > text.length) return false;
        const span = firstLine(text, s.span);
        const start = doc.positionAt(span.start);
        const end = doc.positionAt(span.end);
        const r = diagnostic.range;
        return (
          r.start.line === start.line &&
          r.start.character === start.character &&
          r.end.line === end.line &&
          r.end.character === end.character
        );
      });
      if (!site) continue;
      let fix = judged.fixes.get(site.key);
      if (!fix) judged.fixes.set(site.key, (fix = this.fixSite(judged, site)));
      if ('error' in fix) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          disabled: { reason: fix.error },
        });
        continue;
      }
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: { changes: fix.changes },
      });
    }
    return actions;
  }

  /**
   * The narrowest items admitting the flows a site drops: appended to the direction of the policy
   * at the site, and, for flows the other direction denies too, to the policy that denies them
   * there (the first that makes it default-deny, or whose L7 rules refuse them). The edits are
   * checked through the engine: every flow of the site becomes allowed, no other group of recorded
   * flows that was denied is allowed, and none that was allowed is denied.
   */
  private fixSite(judged: Judged, site: DropSite): SiteFix {
    const n = plural(site.flows, 'recorded flow');
    const title = `Add a rule admitting ${n} (${site.groups.length === 1 ? groupPhrase(site.groups[0]!, site.ref.namespace) : plural(site.groups.length, 'kind')})`;
    const fail = (error: string): SiteFix => ({ title, error });
    if (site.kind === 'deny-rule')
      return fail(`a deny rule drops them (${ruleText(site.ref as RuleRef)}): no allow rule can admit them`);
    const { replay } = judged.loaded;
    const groups = replay.groups();
    const byUri = new Map(judged.scope.map((s) => [s.uri, s]));
    // Where items go: per policy rule and direction, the groups to admit there.
    const places = new Map<
      string,
      { ref: RuleRef | SubjectRef; direction: 'ingress' | 'egress'; groups: FlowGroup[] }
    >();
    const put = (ref: RuleRef | SubjectRef, direction: 'ingress' | 'egress', g: FlowGroup): void => {
      const k = `${ref.file}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}|${ref.spec ?? ''}|${direction}`;
      let p = places.get(k);
      if (!p) places.set(k, (p = { ref, direction, groups: [] }));
      if (!p.groups.includes(g)) p.groups.push(g);
    };
    // Every direction that drops a flow of the site gets items: in the policy at the site where it
    // is among those that decide, else in the first that does (another policy, maybe another file).
    const atSite = (r: RuleRef | SubjectRef): boolean =>
      r.file === site.file && r.span.start === site.span.start && r.span.end === site.span.end;
    for (const g of site.groups) {
      for (const direction of ['egress', 'ingress'] as const) {
        const d = g.head.result?.[direction];
        if (!d || d.verdict !== 'deny') continue;
        if (d.state === 'default-deny') {
          const policy = d.defaultDenyBy.find(atSite) ?? d.defaultDenyBy[0];
          if (!policy) return fail(`the ${direction} that drops ${groupPhrase(g, null)} names no policy`);
          put(policy, direction, g);
          continue;
        }
        const ref = d.by.find(atSite) ?? d.by[0];
        if (!ref) return fail(`the ${direction} that drops ${groupPhrase(g, null)} names no rule`);
        if (ref.direction.endsWith('Deny'))
          return fail(`${groupPhrase(g, null)} is also dropped by a deny rule (${ruleText(ref)})`);
        put(ref, direction, g);
      }
    }
    const dnsOptions = dnsOptionsOf(groups);
    const attempt = (reuseLookups: boolean): SiteFix => {
      const edits = new Map<string, OffsetEdit[]>();
      /** Policy → the directions items go to, for the title. */
      const where = new Map<string, string[]>();
      for (const p of places.values()) {
        const s = byUri.get(p.ref.file);
        const ref = p.ref;
        const doc = s?.file.documents.find((x) => ref.span.start >= x.span.start && ref.span.start <= x.span.end);
        const name = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
        if (!s || !doc) return fail(`${name} is not in an open or workspace file`);
        const { items } = admittingItems(p.groups, p.direction, ref.namespace, dnsOptions(p.groups, reuseLookups));
        const edit = appendItemsEdit(s.file, doc, ref.spec, p.direction, items);
        if (!edit) return fail(`${name} writes its ${p.direction} in flow style; add the rule by hand`);
        const list = edits.get(s.uri) ?? [];
        list.push(edit);
        edits.set(s.uri, list);
        where.set(name, [...(where.get(name) ?? []), p.direction]);
      }
      const after = this.engine(
        judged.scope.map((s) => {
          const e = edits.get(s.uri);
          return e ? { ...s, file: parseFile(applyEdits(s.file.text, e)) } : s;
        }),
      );
      const afterVerdict = new Map(groups.map((g) => [g, replay.judgeGroup(after, g).verdict]));
      const check = verifyAdmission(
        groups,
        new Set(site.groups),
        (g) => g.head.verdict,
        (g) => afterVerdict.get(g)!,
      );
      if (check.notAdmitted.length > 0)
        return fail(`the rule would not admit ${groupPhrase(check.notAdmitted[0]!, null)}`);
      if (check.alsoAdmitted.length > 0)
        return fail(
          `the rule would also admit ${plural(check.alsoAdmitted.length, 'other denied kind')} of recorded flows, such as ${groupPhrase(check.alsoAdmitted[0]!, null)}`,
        );
      const broken = groups.find((g) => g.head.verdict === 'allow' && afterVerdict.get(g) !== 'allow');
      if (broken) return fail(`the rule would deny ${groupPhrase(broken, null)}, which is allowed now`);
      const changes: Record<string, TextEdit[]> = {};
      for (const [uri, list] of edits) {
        const s = byUri.get(uri)!;
        changes[uri] = list.map((e) => ({
          range: { start: s.positionAt(e.start), end: s.positionAt(e.end) },
          newText: e.newText,
        }));
      }
      const targets = [...where].map(([name, ds]) => `${name} (${ds.join(' and ')})`);
      return { title: `Add a rule admitting ${n} to ${targets.join(' and ')}`, changes };
    };
    const reusing = attempt(true);
    return 'error' in reusing ? attempt(false) : reusing;
  }

  private status(l: LoadedLog): FlowLogStatus {
    const skipped = skippedSummary(l.replay.skipped, l.summary.empty, l.summary.problems);
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

/**
 * What the admitting items need to know of DNS, from the recorded flows: the DNS server's
 * selector, and, when `reuseLookups`, that a toFQDNs name needs no DNS rule where every source of
 * the groups already had its recorded lookups of that name allowed.
 */
function dnsOptionsOf(
  groups: readonly FlowGroup[],
): (
  place: readonly FlowGroup[],
  reuseLookups: boolean,
) => { dnsServer: ReturnType<typeof dnsServerSelector>; dnsAllowed?: (name: string) => boolean } {
  const dnsServer = dnsServerSelector(groups);
  const lookupsAllowed = new Set<string>();
  for (const g of groups)
    if (g.sample.dns !== undefined && g.head.verdict === 'allow')
      lookupsAllowed.add(
        `${g.sample.source.labels.join('\u0001')}\u0002${g.sample.dns.toLowerCase().replace(/\.$/, '')}`,
      );
  return (place, reuseLookups) => {
    if (!reuseLookups) return { dnsServer };
    const sources = place.map((g) => g.sample.source.labels.join('\u0001'));
    return { dnsServer, dnsAllowed: (n) => sources.every((src) => lookupsAllowed.has(`${src}\u0002${n}`)) };
  };
}
