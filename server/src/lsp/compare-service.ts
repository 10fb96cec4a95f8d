// SPDX-License-Identifier: Apache-2.0
/**
 * "Compare Connectivity with…" and "Generate Policy from Flows…" in the editor:
 *
 * - `ciliumPolicy/gitRevisions` lists what can be compared with (HEAD, recent commits, branches and
 *   tags) and `ciliumPolicy/compareConnectivity` computes the connectivity diff between the policy
 *   files of the workspace folder at a revision and the working tree as the editor holds it (open
 *   documents with their unsaved text, the other policy files from disk), with the same engine and
 *   diff as `cilium-policy diff` (`semantics/replay/diff.ts`). Git is reached through `io/git.ts`
 *   (argument arrays, refused revisions, read-only commands; the calls `cli/revision.ts` makes),
 *   and only in a trusted workspace: a repository's own configuration can make git run programs.
 *   The files of a commit are cached by commit, so re-comparing after an edit runs one
 *   `git rev-parse`.
 * - `ciliumPolicy/flowWorkloads` and `ciliumPolicy/generateFromFlows` turn the loaded flow log
 *   (`replay-service.ts`) into the least-privilege policy of one workload and its PolicyTest
 *   (`policyFromFlows`).
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { parseFile, type PolicyFile } from '../core/document.js';
import { emptyInventory, type Inventory } from '../core/inventory.js';
import { GitError, GitRepository } from '../io/git.js';
import { SKIPPED_DIRECTORIES } from '../io/workspace-files.js';
import {
  CompareConnectivityRequest,
  FlowWorkloadsRequest,
  GenerateFromFlowsRequest,
  GitRevisionsRequest,
  type CompareChange,
  type CompareDirection,
  type CompareResult,
  type GitRevisionItem,
  type WireRange,
} from '../protocol.js';
import { ciliumConfigLayer, resolveAgent } from '../semantics/agent.js';
import { holdsPolicies, ruleText, VerdictEngine, type DirectionVerdict } from '../semantics/engine.js';
import type { RuleRef, SubjectRef } from '../semantics/model.js';
import {
  connectivityDiffSteps,
  flowWorkloads,
  policyFromFlows,
  type DiffChange,
  type DiffWorkload,
  type FlowGroup,
} from '../semantics/replay/index.js';
import { checked, is, params } from './guard.js';
import { canonicalUri } from './inventory-manager.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';
import { runInSlices, SteppedJob } from './slices.js';

/** Changes a comparison carries by default. */
const DEFAULT_LIMIT = 500;
/** Commits and refs offered. */
const COMMITS = 20;
const REFS = 30;
/** Commits whose files are kept (HEAD and a couple of others the user switches between). */
const CACHED_COMMITS = 3;

/** The inventory when the workspace holds none (one object, so an unchanged answer is recognised). */
const NO_INVENTORY = emptyInventory('workspace', 'no inventory loaded');

/** Why nothing is read from git in an untrusted workspace. */
export const UNTRUSTED_MESSAGE =
  'the workspace is not trusted: reading git revisions is off, because a repository’s own git configuration can run programs. Trust the workspace to compare with a revision.';

/** One policy file of a side of the comparison, with how to place its offsets (working tree only). */
interface SideFile {
  readonly uri: string;
  readonly file: PolicyFile;
  readonly positionAt?: (offset: number) => { line: number; character: number };
}

function filePathOf(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The source of the loaded flow log's groups (the replay service). */
export interface FlowSource {
  loadedGroups(): readonly FlowGroup[] | undefined;
}

export class CompareService {
  /** The last comparison and what it was computed from. */
  private last:
    | {
        folder: string;
        commit: string;
        inventory: Inventory;
        limit: number;
        texts: Map<string, string>;
        result: CompareResult;
      }
    | undefined;
  /** Files of recent commits: `root|commit` → files (repository path → parsed). */
  private readonly commits = new Map<string, { files: Map<string, PolicyFile>; skipped: CompareResult['skipped'] }>();

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly preview: PreviewService,
    private readonly flows: FlowSource,
  ) {}

  register(): void {
    const log = this.session.log;
    this.connection.onRequest(
      GitRevisionsRequest.type,
      checked(
        GitRevisionsRequest.method,
        is.object({ folder: is.optional(is.string) }),
        (params: GitRevisionsRequest.Params) => this.revisions(params.folder),
        log,
      ),
    );
    this.connection.onRequest(
      CompareConnectivityRequest.type,
      checked(
        CompareConnectivityRequest.method,
        is.object({ revision: is.string, folder: is.optional(is.string), limit: is.optional(is.uint) }),
        (params: CompareConnectivityRequest.Params) => this.compare(params.revision, params.folder, params.limit),
        log,
      ),
    );
    this.connection.onRequest(
      FlowWorkloadsRequest.type,
      checked(FlowWorkloadsRequest.method, params.none, () => this.workloads(), log),
    );
    this.connection.onRequest(
      GenerateFromFlowsRequest.type,
      checked(
        GenerateFromFlowsRequest.method,
        is.object({ namespace: is.string, labels: is.record(is.string) }),
        (params: GenerateFromFlowsRequest.Params) => this.generate(params.namespace, params.labels),
        log,
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Git

  /** The folder to read: the one named (when it is a workspace folder), else the first. */
  private folder(uri: unknown): string | { error: string } {
    const configs = this.session.projectConfigs;
    if (typeof uri === 'string' && uri !== '') {
      const folder = configs.folderOf(canonicalUri(uri));
      if (folder === undefined) return { error: `${uri} is not in a workspace folder` };
      return folder;
    }
    return configs.firstFolder ?? { error: 'no workspace folder is open' };
  }

  private async repository(folderUri: unknown): Promise<{ repo: GitRepository; folder: string } | { error: string }> {
    if (!this.session.projectConfigs.isTrusted) return { error: UNTRUSTED_MESSAGE };
    const folder = this.folder(folderUri);
    if (typeof folder !== 'string') return folder;
    try {
      return { repo: await GitRepository.open({ cwd: folder }), folder };
    } catch (e) {
      if (e instanceof GitError) return { error: e.message };
      throw e;
    }
  }

  async revisions(folderUri: unknown): Promise<GitRevisionsRequest.Result> {
    const opened = await this.repository(folderUri);
    if ('error' in opened) return { revisions: [], error: opened.error };
    const { repo } = opened;
    try {
      const commits = await repo.recentCommits(COMMITS);
      const refs = await repo.refs(REFS);
      const head = commits[0];
      const current = refs.find((r) => r.current);
      const out: GitRevisionItem[] = [
        {
          rev: 'HEAD',
          kind: 'head',
          description: head
            ? `${current ? `${current.name} · ` : ''}${head.commit.slice(0, 7)} ${head.subject}`
            : 'no commit yet',
          date: head?.date ?? '',
        },
      ];
      for (const r of refs)
        out.push({
          rev: r.name,
          kind: r.kind,
          description: r.object.slice(0, 7),
          date: r.date,
          ...(r.current ? { current: true } : {}),
        });
      for (const c of commits.slice(1))
        out.push({ rev: c.commit, kind: 'commit', description: c.subject, date: c.date });
      return { revisions: out };
    } catch (e) {
      if (e instanceof GitError) return { revisions: [], error: e.message };
      throw e;
    }
  }

  /** The policy files of a commit below the folder, by file URI (cached by commit). */
  private async revisionFiles(
    repo: GitRepository,
    commit: string,
  ): Promise<{ files: Map<string, PolicyFile>; skipped: CompareResult['skipped'] }> {
    const key = `${repo.root}|${repo.cwd}|${commit}`;
    const cached = this.commits.get(key);
    if (cached) {
      // Most recently used last.
      this.commits.delete(key);
      this.commits.set(key, cached);
      return cached;
    }
    const rel = repo.relative(repo.cwd);
    const read = await repo.readFiles(commit, rel === undefined || rel === '.' ? [] : [rel]);
    const files = new Map<string, PolicyFile>();
    for (const [p, bytes] of read.files) {
      // The folders the workspace index skips are left out on this side too.
      if (p.split('/').some((segment) => SKIPPED_DIRECTORIES.has(segment))) continue;
      const parsed = parseFile(bytes.toString('utf8'));
      if (!holdsPolicies(parsed)) continue;
      files.set(canonicalUri(pathToFileURL(path.join(repo.root, ...p.split('/'))).href), parsed);
    }
    const entry = { files, skipped: read.skipped.map((s) => ({ path: s.path, reason: s.reason })) };
    this.commits.set(key, entry);
    while (this.commits.size > CACHED_COMMITS) this.commits.delete(this.commits.keys().next().value as string);
    return entry;
  }

  // -------------------------------------------------------------------------------------------
  // The comparison

  async compare(revision: unknown, folderUri: unknown, limit: unknown): Promise<CompareResult> {
    const rev = typeof revision === 'string' ? revision.trim() : '';
    const fail = (error: string): CompareResult => ({
      revision: rev,
      commit: '',
      cells: 0,
      newlyAllowed: 0,
      newlyDenied: 0,
      otherChanges: 0,
      namespaces: [],
      more: 0,
      newlyDefaultDeny: [],
      newlyUnprotected: [],
      skipped: [],
      error,
    });
    if (typeof revision !== 'string') return fail('`revision` must be a git revision such as HEAD or main');
    const opened = await this.repository(folderUri);
    if ('error' in opened) return fail(opened.error);
    const { repo, folder } = opened;
    let commit: string;
    let base: Awaited<ReturnType<CompareService['revisionFiles']>>;
    try {
      commit = await repo.resolve(rev);
      base = await this.revisionFiles(repo, commit);
    } catch (e) {
      if (e instanceof GitError) return fail(e.message);
      throw e;
    }
    // Until the first walk of the workspace has finished, its files are not all known: a diff
    // then would list every policy not yet read as removed.
    await this.preview.inventory.start();
    const working = this.workingTree(folder);
    this.preview.inventory.flush();
    const inventory = this.preview.inventory.current() ?? NO_INVENTORY;
    const max = typeof limit === 'number' && Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_LIMIT;
    // The diff costs every workload pair twice: asked again with the same inputs (a focus change,
    // an edit of a file without policies), the last answer stands.
    const texts = new Map(working.map((w) => [w.uri, w.file.text]));
    const last = this.last;
    if (
      last &&
      last.folder === folder &&
      last.commit === commit &&
      last.inventory === inventory &&
      last.limit === max &&
      last.texts.size === texts.size &&
      [...texts].every(([uri, text]) => last.texts.get(uri) === text)
    )
      return { ...last.result, revision: rev };
    const engineOf = (files: Iterable<[string, PolicyFile]>): VerdictEngine => {
      const engine = this.newEngine(inventory);
      for (const [uri, file] of files) engine.setFile(uri, file);
      return engine;
    };
    const before = engineOf(base.files);
    const after = engineOf(working.map((w) => [w.uri, w.file]));
    // Every workload pair, twice: in slices, so hovers and edits are answered meanwhile.
    const d = await runInSlices(new SteppedJob(connectivityDiffSteps(before, after)), { input: this.session.input });
    if (!d) return fail('the comparison was interrupted');
    const positions = new Map(working.map((w) => [w.uri, w.positionAt]));
    const byNamespace = new Map<string, CompareChange[]>();
    const sorted = [...d.changes].sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        rank(a) - rank(b) ||
        a.sourceText.localeCompare(b.sourceText) ||
        a.destinationText.localeCompare(b.destinationText) ||
        a.port - b.port,
    );
    let shown = 0;
    for (const c of sorted) {
      if (shown >= max) break;
      shown++;
      let list = byNamespace.get(c.namespace);
      if (!list) byNamespace.set(c.namespace, (list = []));
      list.push(this.changeView(c, positions));
    }
    const newlyAllowed = d.changes.filter((c) => c.after === 'allow').length;
    const newlyDenied = d.changes.filter((c) => c.after === 'deny').length;
    const result: CompareResult = {
      revision: rev,
      commit,
      cells: d.cells,
      newlyAllowed,
      newlyDenied,
      otherChanges: d.changes.length - newlyAllowed - newlyDenied,
      namespaces: [...byNamespace].map(([namespace, changes]) => ({ namespace, changes })),
      more: d.changes.length - shown,
      newlyDefaultDeny: d.newlyDefaultDeny.map(workloadView),
      newlyUnprotected: d.newlyUnprotected.map(workloadView),
      skipped: base.skipped,
    };
    this.last = { folder, commit, inventory, limit: max, texts, result };
    return result;
  }

  /** The working tree below `folder`: open documents (their current text), then the indexed files. */
  private workingTree(folder: string): SideFile[] {
    const inside = (uri: string): boolean => {
      const p = filePathOf(uri);
      return p !== undefined && (p === folder || p.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep));
    };
    return this.preview.policyFiles(inside);
  }

  /** An engine over the preview's inventory and its cilium-config's agent options (as the replay's). */
  private newEngine(inventory: Inventory): VerdictEngine {
    const cm = ciliumConfigLayer(inventory);
    return new VerdictEngine({ inventory, agent: resolveAgent(cm ? [cm.layer] : []) });
  }

  private changeView(
    c: DiffChange,
    positions: ReadonlyMap<string, ((offset: number) => { line: number; character: number }) | undefined>,
  ): CompareChange {
    const direction = (word: 'egress' | 'ingress', d: DirectionVerdict): CompareDirection => {
      const decidedBy: CompareDirection['decidedBy'] = [];
      const place = (ref: RuleRef | SubjectRef, text: string): void => {
        const at = positions.get(ref.file);
        if (!at || decidedBy.length >= 10) return;
        const range: WireRange = { start: at(ref.span.start), end: at(ref.span.end) };
        decidedBy.push({ text, uri: ref.file, range });
      };
      let text: string;
      if (d.state === 'default-deny') {
        text = `default deny by ${d.defaultDenyBy.map(subjectName).join(', ') || 'policy enforcement'}`;
        for (const p of d.defaultDenyBy) place(p, `default deny of ${subjectName(p)} (${word})`);
      } else if (d.by.length > 0) {
        text = d.by.map(ruleText).join(', ');
        for (const r of d.by) place(r, ruleText(r));
      } else text = d.reason;
      return { verdict: d.verdict, text, decidedBy };
    };
    return {
      source: c.sourceText,
      destination: c.destinationText,
      port: `${c.protocol}/${c.port}`,
      before: c.before,
      after: c.after,
      egress: direction('egress', c.egress),
      ingress: direction('ingress', c.ingress),
      reason: c.reason,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Generate Policy from Flows

  workloads(): FlowWorkloadsRequest.Result {
    const groups = this.flows.loadedGroups();
    if (!groups) return null;
    return {
      workloads: flowWorkloads(groups).map((w) => ({
        namespace: w.namespace,
        name: w.name,
        labels: { ...w.labels },
        flows: w.flows,
      })),
    };
  }

  generate(namespace: unknown, labels: unknown): GenerateFromFlowsRequest.Result {
    const fail = (error: string): GenerateFromFlowsRequest.Result => ({
      yaml: '',
      name: '',
      cases: 0,
      flows: 0,
      error,
    });
    const groups = this.flows.loadedGroups();
    if (!groups) return fail('no flow log is loaded (run "Cilium Policy: Replay Hubble Flows…" first)');
    if (typeof namespace !== 'string' || labels === null || typeof labels !== 'object' || Array.isArray(labels))
      return fail('`namespace` must be a string and `labels` an object of strings');
    const wanted = Object.entries(labels as Record<string, unknown>);
    const same = (w: { namespace: string; labels: Readonly<Record<string, string>> }): boolean =>
      w.namespace === namespace &&
      Object.keys(w.labels).length === wanted.length &&
      wanted.every(([k, v]) => w.labels[k] === v);
    const workload = flowWorkloads(groups).find(same);
    if (!workload) return fail(`the flow log has no workload in namespace "${namespace}" with these labels`);
    const g = policyFromFlows(groups, workload);
    const metadata = g.policy['metadata'] as { name?: unknown } | undefined;
    return {
      yaml: g.yaml,
      name: typeof metadata?.name === 'string' ? metadata.name : '',
      cases: g.cases,
      flows: g.flows,
    };
  }
}

/** Newly denied first, then newly allowed, then the rest. */
function rank(c: DiffChange): number {
  return c.after === 'deny' ? 0 : c.after === 'allow' ? 1 : 2;
}

function subjectName(s: SubjectRef): string {
  return `${s.kind} ${s.namespace !== null ? `${s.namespace}/` : ''}${s.name}`;
}

function workloadView(w: DiffWorkload): {
  namespace: string;
  kind: string;
  name: string;
  directions: ('ingress' | 'egress')[];
} {
  return { namespace: w.namespace, kind: w.kind, name: w.name, directions: [...w.directions] };
}
