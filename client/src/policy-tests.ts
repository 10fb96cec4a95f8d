// SPDX-License-Identifier: Apache-2.0
/**
 * PolicyTests in VS Code's Test Explorer: every PolicyTest file is a test item, every case a child
 * (under one item per PolicyTest when a file holds several). Cases run from the Test Explorer, the
 * gutter, or when their file is saved (`ciliumPolicy.tests.runOnSave`); a failing case shows its
 * verdict, both directions and the deciding rules, each of which is also a message that jumps to
 * the rule. The language server lists and runs the tests (`ciliumPolicy/policyTests`,
 * `ciliumPolicy/runPolicyTests`); this file only maps its answers onto the Testing API, and
 * follows files as they are created, changed and deleted.
 */
import * as vscode from 'vscode';
import {
  PolicyTestsRequest,
  RunPolicyTestsRequest,
  type WireRange,
  type WireTestItem,
} from '../../server/src/protocol.js';
import { caseOutcome, type RuleLink } from './connectivity-model.js';
import type { ServerLink } from './server-link.js';

/** The test controller's id. */
export const TEST_CONTROLLER_ID = 'ciliumPolicy.policyTests';

function toRange(r: WireRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/**
 * A child's id: unique in the whole controller (results are kept by id) and free of the NUL
 * character, which VS Code reserves for joining the ids of a test's path (createTestItem throws).
 */
function childId(parentId: string, name: string): string {
  return `${parentId}/${encodeURIComponent(name)}`;
}

/** What a test item stands for. */
type ItemData =
  | { readonly type: 'file'; readonly uri: string }
  | { readonly type: 'test'; readonly uri: string; readonly test: string }
  | { readonly type: 'case'; readonly uri: string; readonly test: string; readonly name: string };

/** The last outcome of one case, for the extension's own tests (and `lastResults`). */
export interface RecordedResult {
  readonly state: 'passed' | 'failed' | 'errored';
  readonly messages: readonly vscode.TestMessage[];
  readonly rules: readonly RuleLink[];
}

export class PolicyTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Files whose tests ran in this session: saving a policy runs them again. */
  private readonly ran = new Set<string>();
  /** The rule each message names, for "Go to Deciding Rule". */
  private readonly messageRules = new WeakMap<vscode.TestMessage, RuleLink>();
  private readonly results = new Map<string, RecordedResult>();
  private readonly runEmitter = new vscode.EventEmitter<void>();
  /** Fires after a run finished (for the extension's own tests). */
  readonly onDidRun = this.runEmitter.event;
  private loaded: Promise<void> | undefined;
  private continuous: { request: vscode.TestRunRequest; token: vscode.CancellationToken }[] = [];

  constructor(
    private readonly link: ServerLink,
    private readonly output: vscode.OutputChannel,
  ) {
    this.controller = vscode.tests.createTestController(TEST_CONTROLLER_ID, 'Cilium Policy Tests');
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.loadAll();
    };
    this.controller.refreshHandler = async () => {
      this.loaded = undefined;
      await this.loadAll();
    };
    this.controller.createRunProfile(
      'Run',
      vscode.TestRunProfileKind.Run,
      (request, token) => this.runHandler(request, token),
      true,
      undefined,
      true,
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    this.disposables.push(
      this.controller,
      this.runEmitter,
      watcher,
      watcher.onDidCreate((u) => this.refreshSoon(u.toString())),
      watcher.onDidChange((u) => this.refreshSoon(u.toString())),
      watcher.onDidDelete((u) => this.remove(u.toString())),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.languageId === 'yaml' && e.contentChanges.length > 0)
          this.refreshSoon(e.document.uri.toString());
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.saved(d)),
      link.onDidChangeReady((ready) => {
        if (!ready) return;
        this.loaded = undefined;
        void this.loadAll();
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Items

  /** Lists every PolicyTest of the workspace (once; `refresh` lists again). */
  loadAll(): Promise<void> {
    this.loaded ??= (async () => {
      if (!this.link.ready) return;
      try {
        const r = await this.link.request(PolicyTestsRequest.type, {});
        const seen = new Set<string>();
        for (const f of r.files) {
          seen.add(f.uri);
          this.setFile(f.uri, f.tests);
        }
        this.controller.items.forEach((item) => {
          if (!seen.has(item.id)) this.controller.items.delete(item.id);
        });
      } catch (e) {
        this.loaded = undefined;
        this.output.appendLine(`Listing the PolicyTests failed: ${(e as Error)?.message ?? String(e)}`);
      }
    })();
    return this.loaded;
  }

  private refreshSoon(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.refreshFile(uri);
      }, 500),
    );
  }

  /** Lists one file's tests again (after it was created or changed). */
  async refreshFile(uri: string): Promise<void> {
    if (!this.link.ready) return;
    try {
      const r = await this.link.request(PolicyTestsRequest.type, { textDocument: { uri } });
      const f = r.files[0];
      if (f && f.tests.length > 0) this.setFile(uri, f.tests);
      else this.controller.items.delete(uri);
    } catch (e) {
      this.output.appendLine(`Listing the PolicyTests of ${uri} failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private remove(uri: string): void {
    this.controller.items.delete(uri);
    this.ran.delete(uri);
  }

  private setFile(uri: string, tests: readonly WireTestItem[]): void {
    const fileUri = vscode.Uri.parse(uri, true);
    let file = this.controller.items.get(uri);
    if (!file) {
      file = this.controller.createTestItem(uri, vscode.workspace.asRelativePath(fileUri, false), fileUri);
      this.data.set(file, { type: 'file', uri });
      this.controller.items.add(file);
    }
    const caseItem = (parent: vscode.TestItem, test: string, c: WireTestItem['cases'][number]): vscode.TestItem => {
      const id = childId(parent.id, c.name);
      const item = parent.children.get(id) ?? this.controller.createTestItem(id, c.name, fileUri);
      item.range = toRange(c.range);
      this.data.set(item, { type: 'case', uri, test, name: c.name });
      return item;
    };
    if (tests.length === 1) {
      const t = tests[0]!;
      file.range = toRange(t.range);
      file.description = t.name;
      file.children.replace(t.cases.map((c) => caseItem(file, t.name, c)));
      return;
    }
    file.range = undefined;
    file.description = `${tests.length} PolicyTests`;
    file.children.replace(
      tests.map((t) => {
        const id = childId(uri, t.name);
        const item = file.children.get(id) ?? this.controller.createTestItem(id, t.name, fileUri);
        item.range = toRange(t.range);
        this.data.set(item, { type: 'test', uri, test: t.name });
        item.children.replace(t.cases.map((c) => caseItem(item, t.name, c)));
        return item;
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** The cases a request covers, by file: `only` for `ciliumPolicy/runPolicyTests`, and their items. */
  private plan(request: vscode.TestRunRequest): Map<string, vscode.TestItem[]> {
    const byFile = new Map<string, vscode.TestItem[]>();
    const excluded = new Set(request.exclude ?? []);
    const add = (item: vscode.TestItem): void => {
      if (excluded.has(item)) return;
      const d = this.data.get(item);
      if (!d) return;
      if (d.type === 'case') {
        const list = byFile.get(d.uri) ?? [];
        list.push(item);
        byFile.set(d.uri, list);
      } else item.children.forEach(add);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    return byFile;
  }

  private async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (request.continuous) {
      // Run now, then again on every save until the user stops it.
      this.continuous.push({ request, token });
      token.onCancellationRequested(() => (this.continuous = this.continuous.filter((c) => c.token !== token)));
    }
    await this.loadAll();
    await this.run(request, token);
  }

  /** Runs the cases of a request and reports them on a new test run. */
  async run(request: vscode.TestRunRequest, token?: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request, undefined, true);
    try {
      for (const [uri, items] of this.plan(request)) {
        if (token?.isCancellationRequested) break;
        for (const item of items) run.started(item);
        await this.runFile(run, uri, items);
      }
    } finally {
      run.end();
      this.runEmitter.fire();
    }
  }

  private async runFile(run: vscode.TestRun, uri: string, items: readonly vscode.TestItem[]): Promise<void> {
    const byName = new Map<string, vscode.TestItem>();
    const only = new Map<string, string[]>();
    for (const item of items) {
      const d = this.data.get(item);
      if (d?.type !== 'case') continue;
      byName.set(`${d.test}\u0000${d.name}`, item);
      only.set(d.test, [...(only.get(d.test) ?? []), d.name]);
    }
    let result: RunPolicyTestsRequest.Result;
    const started = Date.now();
    try {
      result = await this.link.request(RunPolicyTestsRequest.type, {
        textDocument: { uri },
        only: [...only].map(([test, cases]) => ({ test, cases })),
      });
    } catch (e) {
      const message = new vscode.TestMessage(`The tests could not run: ${(e as Error)?.message ?? String(e)}`);
      for (const item of items) run.errored(item, message);
      return;
    }
    this.ran.add(uri);
    const duration = Date.now() - started;
    const fileUri = vscode.Uri.parse(result.uri, true);
    const reported = new Set<vscode.TestItem>();
    for (const t of result.tests) {
      const testProblems = t.problems.map((p) => {
        const m = new vscode.TestMessage(p.message);
        m.location = new vscode.Location(fileUri, toRange(p.range));
        return m;
      });
      for (const c of t.cases) {
        const item = byName.get(`${t.name}\u0000${c.name}`);
        if (!item) continue;
        reported.add(item);
        const outcome = caseOutcome(c, t.context);
        const at = new vscode.Location(fileUri, toRange(c.range));
        const markdown = new vscode.MarkdownString(outcome.message);
        const main =
          outcome.expected !== undefined && outcome.actual !== undefined && outcome.state === 'failed'
            ? vscode.TestMessage.diff(markdown, outcome.expected, outcome.actual)
            : new vscode.TestMessage(markdown);
        main.location = at;
        const messages: vscode.TestMessage[] = [main];
        for (const rule of outcome.rules) {
          const m = new vscode.TestMessage(rule.label);
          m.location = new vscode.Location(vscode.Uri.parse(rule.location.uri, true), toRange(rule.location.range));
          m.contextValue = 'decidingRule';
          this.messageRules.set(m, rule);
          messages.push(m);
        }
        for (const p of outcome.problems) {
          const m = new vscode.TestMessage(p.message);
          m.location = new vscode.Location(fileUri, toRange(p.range));
          messages.push(m);
        }
        this.results.set(item.id, { state: outcome.state, messages, rules: outcome.rules });
        if (outcome.state === 'passed') run.passed(item, duration);
        else if (outcome.state === 'failed') run.failed(item, messages, duration);
        else run.errored(item, [...messages, ...testProblems], duration);
      }
    }
    // A case the server did not answer for (its file changed meanwhile) is skipped, not failed.
    for (const item of items) if (!reported.has(item)) run.skipped(item);
  }

  private saved(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'yaml') return;
    const uri = doc.uri.toString();
    const runOnSave = vscode.workspace.getConfiguration('ciliumPolicy', doc.uri).get<boolean>('tests.runOnSave', true);
    // Continuous runs follow every save; otherwise the saved file's own tests run, and the tests
    // that already ran when a file that may hold their policies is saved.
    for (const c of this.continuous) void this.run(c.request, c.token);
    if (!runOnSave || this.continuous.length > 0) return;
    void (async () => {
      await this.refreshFile(uri);
      const items: vscode.TestItem[] = [];
      const own = this.controller.items.get(uri);
      if (own) items.push(own);
      else
        for (const ran of this.ran) {
          const item = this.controller.items.get(ran);
          if (item) items.push(item);
        }
      if (items.length > 0) await this.run(new vscode.TestRunRequest(items));
    })();
  }

  /** "Go to Deciding Rule" on a test message: opens the rule it names (or the message's location). */
  async goToRule(arg: unknown): Promise<void> {
    const message = (arg as { message?: vscode.TestMessage } | undefined)?.message;
    const rule = message ? this.messageRules.get(message) : undefined;
    const location = rule
      ? new vscode.Location(vscode.Uri.parse(rule.location.uri, true), toRange(rule.location.range))
      : message?.location;
    if (!location) return;
    await vscode.window.showTextDocument(location.uri, { selection: location.range, preview: false });
  }

  /** The last outcome of each case, by test item id. */
  lastResults(): ReadonlyMap<string, RecordedResult> {
    return this.results;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
