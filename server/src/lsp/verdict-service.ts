// SPDX-License-Identifier: Apache-2.0
/**
 * The connectivity engines of the language server. One {@link VerdictEngine} per (inventory, agent
 * profile) answers for the workspace: it is fed incrementally from the server's parse cache (the
 * open documents first, then the workspace's policy files on disk), each file set again only when
 * its parse changed, and is rebuilt when the inventory or the profile changes. A PolicyTest that
 * names its own policies, inventory or agent options gets an engine of its own, loaded in the
 * background (its paths are read through `io/named-paths.ts` and `io/safe-paths.ts`) and kept
 * until a file it may depend on changes.
 *
 * The agent profile is built from layers, later ones winning: Cilium's defaults, the inventory's
 * `cilium-config` ConfigMap, the `ciliumPolicy.agent` setting, `.cilium-policy.yaml`'s `agent:`,
 * and a PolicyTest's `spec.agent`.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFile, type PolicyFile } from '../core/document.js';
import type { Span } from '../core/findings.js';
import {
  combineInventories,
  emptyInventory,
  inventoryFromKubectlJson,
  InventoryIndex,
  type Inventory,
} from '../core/inventory.js';
import { LineIndex } from '../core/line-index.js';
import { expandNamedPaths } from '../io/named-paths.js';
import { readSafePath } from '../io/safe-paths.js';
import type { WireLocation } from '../protocol.js';
import {
  agentKeyOf,
  ciliumConfigLayer,
  readAgentOptions,
  resolveAgent,
  type AgentKey,
  type AgentLayer,
  type AgentProfile,
} from '../semantics/agent.js';
import { holdsPolicies, VerdictEngine } from '../semantics/engine.js';
import type { PolicyTest, TestProblem, WrittenPath } from '../semantics/policy-test.js';
import { canonicalUri, MAX_SNAPSHOT_BYTES } from './inventory-manager.js';
import type { PreviewService } from './preview-service.js';
import type { Session } from './session.js';

/** A policy file as an engine is fed it: its name in verdicts, its URI, and its parse. */
export interface PolicySource {
  readonly name: string;
  readonly uri: string;
  readonly file: PolicyFile;
}

const lineIndexes = new WeakMap<PolicyFile, LineIndex>();

/** The line index of a parsed file's text, made once per parse. */
export function lineIndexOf(file: PolicyFile): LineIndex {
  let index = lineIndexes.get(file);
  if (!index) lineIndexes.set(file, (index = new LineIndex(file.text)));
  return index;
}

/** An engine and the files it was fed, by the names its verdicts use. */
export class FedEngine {
  readonly engine: VerdictEngine;
  private readonly fed = new Map<string, PolicySource>();

  constructor(
    readonly inventory: Inventory,
    readonly agent: AgentProfile,
  ) {
    this.engine = new VerdictEngine({ inventory, agent });
  }

  /** Feeds the current files: only the ones whose parse changed are set again; the ones gone are removed. */
  sync(sources: readonly PolicySource[]): void {
    const seen = new Set<string>();
    for (const s of sources) {
      seen.add(s.name);
      const before = this.fed.get(s.name);
      if (before?.file === s.file && before.uri === s.uri) continue;
      this.fed.set(s.name, s);
      this.engine.setFile(s.name, s.file);
    }
    for (const name of [...this.fed.keys()]) {
      if (seen.has(name)) continue;
      this.fed.delete(name);
      this.engine.removeFile(name);
    }
  }

  /** The number of policy files fed. */
  get files(): number {
    return this.fed.size;
  }

  /** Where a place a verdict names (a file name and a span) is in the editor. */
  location(file: string, span: Span): WireLocation | undefined {
    const s = this.fed.get(file);
    if (!s) return undefined;
    const lines = lineIndexOf(s.file);
    return { uri: s.uri, range: { start: lines.positionAt(span.start), end: lines.positionAt(span.end) } };
  }
}

/** What a PolicyTest runs against, and the problems its paths had. */
export interface TestEnvironment {
  readonly fed: FedEngine;
  /** Paths of `spec.policies` or `spec.inventory` that name nothing or could not be read, at their lines. */
  readonly problems: readonly TestProblem[];
  /** In words, for results: where the policies and the inventory came from, and the agent options stated. */
  readonly description: { readonly policies: string; readonly inventory: string; readonly agent: string };
}

interface TestEntry {
  readonly key: string;
  generation: number;
  ready?: TestEnvironment;
  loading?: Promise<TestEnvironment>;
}

/** The agent options a profile states, in words: `enableHostFirewall=true (ciliumPolicy.agent)`. */
export function describeAgent(agent: AgentProfile): string {
  const stated = Object.entries(agent.stated) as [AgentKey, string][];
  if (stated.length === 0) return "Cilium's defaults";
  return stated.map(([k, origin]) => `${k}=${JSON.stringify(agent[k])} (${origin})`).join(', ');
}

export class VerdictService {
  private readonly workspaceEngines = new Map<string, FedEngine>();
  private workspaceInventory: Inventory | undefined;
  private readonly empty = emptyInventory('workspace', 'no inventory loaded');
  private readonly tests = new Map<string, TestEntry>();
  /** Grows when a file a PolicyTest environment may have read changes. */
  private generation = 0;
  /** Files read from disk for PolicyTest environments, parsed once per text. */
  private readonly diskFiles = new Map<string, { text: string; file: PolicyFile }>();
  private readonly loggedProblems = new Set<string>();
  private readonly readyListeners: ((uri: string) => void)[] = [];

  constructor(
    private readonly session: Session,
    private readonly preview: PreviewService,
  ) {}

  /** Keeps PolicyTest environments current: a change of the inventory, a file on disk or an open file outdates them. */
  register(): void {
    this.preview.onDidChangeInventory(() => this.generation++);
    this.session.documents.onDidChangeContent((e) => {
      // Typing in a file that holds nothing but PolicyTests changes no environment. A text that
      // never names the kind holds something else (or nothing): no parse needed to say so, which
      // leaves the parse of a newly opened long file to the lint, in slices.
      if (!e.document.getText().includes('PolicyTest')) {
        this.generation++;
        return;
      }
      const docs = this.session.parse(e.document).documents;
      if (docs.length === 0 || docs.some((d) => d.kind?.language !== 'policy-test')) this.generation++;
    });
    this.session.documents.onDidClose(() => this.generation++);
  }

  /** Calls `listener` with a document URI when a PolicyTest environment it asked for finished loading. */
  onDidLoadEnvironment(listener: (uri: string) => void): void {
    this.readyListeners.push(listener);
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  /**
   * The current inventory (pending edits applied first), or an empty one; seen from `uri`, an
   * untitled editor's own workloads are in it (the walkthrough's sample and its Deployments).
   */
  inventory(uri?: string): Inventory {
    this.preview.inventory.flush();
    return this.preview.inventory.current(uri) ?? this.empty;
  }

  /** The name verdicts use for a file: its path below its workspace folder, or the URI. */
  nameOf(uri: string): string {
    const root = this.session.projectConfigs.folderOf(uri);
    if (root === undefined) return uri;
    try {
      return path.relative(root, fileURLToPath(uri)).split(path.sep).join('/') || path.basename(root);
    } catch {
      return uri;
    }
  }

  /** The open documents by canonical URI. */
  private openDocuments(): Map<string, TextDocument> {
    const out = new Map<string, TextDocument>();
    for (const doc of this.session.documents.all()) out.set(canonicalUri(doc.uri), doc);
    return out;
  }

  /** Every policy file of the workspace: open documents (their current text) first, then the files on disk. */
  workspaceSources(): PolicySource[] {
    return this.preview
      .policyFiles()
      .map((p) => ({ name: this.nameOf(p.documentUri), uri: p.documentUri, file: p.file }));
  }

  /** The URI whose settings count when no document is named: the first workspace folder. */
  private defaultUri(): string {
    const folder = this.session.projectConfigs.firstFolder;
    return folder !== undefined ? pathToFileURL(folder).href : '';
  }

  private logOnce(message: string): void {
    if (this.loggedProblems.has(message)) return;
    this.loggedProblems.add(message);
    this.session.log(`cilium-policy: ${message}`);
  }

  /**
   * The agent layers for a document: the inventory's `cilium-config` ConfigMap, the
   * `ciliumPolicy.agent` setting, then `.cilium-policy.yaml`'s `agent:` (which also wins in the
   * merged settings; the last layer names it as the origin of its options).
   */
  agentLayers(uri: string | undefined, inventory: Inventory): AgentLayer[] {
    const at = uri ?? this.defaultUri();
    const layers: AgentLayer[] = [];
    const cm = ciliumConfigLayer(inventory);
    if (cm) {
      for (const p of cm.problems) this.logOnce(`${cm.layer.origin}: ${p.message}`);
      layers.push(cm.layer);
    }
    const settings = this.session.settings.peek(at);
    if (Object.keys(settings.agent).length > 0) {
      const r = readAgentOptions(settings.agent);
      for (const p of r.problems) this.logOnce(`ciliumPolicy.agent: ${p.message}`);
      layers.push({ origin: 'ciliumPolicy.agent', values: r.values });
    }
    const project = this.session.projectConfigs.lookup(at)?.raw['agent'];
    if (project !== undefined) {
      const r = readAgentOptions(project);
      layers.push({ origin: '.cilium-policy.yaml', values: r.values });
    }
    return layers;
  }

  /** Reads the settings of a document, so that {@link workspace} sees them (settings are pulled lazily). */
  async settle(uri?: string): Promise<void> {
    await this.session.settings.get(uri ?? this.defaultUri());
  }

  // -------------------------------------------------------------------------------------------
  // Engines

  /** The workspace's engine for a profile, fed with the current files. */
  private engineFor(inventory: Inventory, agent: AgentProfile): FedEngine {
    if (inventory !== this.workspaceInventory) {
      this.workspaceEngines.clear();
      this.workspaceInventory = inventory;
    }
    const key = `${agentKeyOf(agent)}\u0000${JSON.stringify(agent.stated)}`;
    let fed = this.workspaceEngines.get(key);
    if (!fed) {
      // A few profiles at most (the workspace's, and those of PolicyTests with their own agent options).
      if (this.workspaceEngines.size >= 4) this.workspaceEngines.clear();
      fed = new FedEngine(inventory, agent);
      this.workspaceEngines.set(key, fed);
    }
    fed.sync(this.workspaceSources());
    return fed;
  }

  /** The engine for the workspace as a document sees it (its settings and project file). */
  workspace(uri?: string): FedEngine {
    const inventory = this.inventory(uri);
    return this.engineFor(inventory, resolveAgent(this.agentLayers(uri, inventory)));
  }

  // -------------------------------------------------------------------------------------------
  // PolicyTest environments

  private testKey(uri: string, test: PolicyTest): string {
    return JSON.stringify([
      canonicalUri(uri),
      test.name,
      test.policies?.map((p) => p.value) ?? null,
      test.inventory?.map((p) => p.value) ?? null,
      test.agent,
    ]);
  }

  /** True when the test runs against the workspace's policies and inventory (no paths of its own). */
  private usesWorkspace(test: PolicyTest): boolean {
    return test.policies === undefined && test.inventory === undefined;
  }

  /** The environment of a test, loaded when needed (always current). */
  async environment(uri: string, test: PolicyTest): Promise<TestEnvironment> {
    await this.settle(uri);
    if (this.usesWorkspace(test)) return this.workspaceEnvironment(uri, test);
    const key = this.testKey(uri, test);
    const entry = this.tests.get(key);
    if (entry?.ready && entry.generation === this.generation) return entry.ready;
    if (entry?.loading && entry.generation === this.generation) return entry.loading;
    return this.startLoading(key, uri, test);
  }

  /**
   * The environment of a test if it is at hand now (a stale one is given while a fresh one loads);
   * otherwise starts loading it and answers undefined. `onDidLoadEnvironment` fires when it is ready.
   */
  peekEnvironment(uri: string, test: PolicyTest): TestEnvironment | undefined {
    if (this.usesWorkspace(test)) return this.workspaceEnvironment(uri, test);
    const key = this.testKey(uri, test);
    const entry = this.tests.get(key);
    if (!entry || entry.generation !== this.generation) {
      if (!entry?.loading || entry.generation !== this.generation)
        this.startLoading(key, uri, test).then(
          () => this.readyListeners.forEach((l) => l(uri)),
          () => undefined,
        );
    }
    return entry?.ready;
  }

  private workspaceEnvironment(uri: string, test: PolicyTest): TestEnvironment {
    const inventory = this.inventory();
    const agent = resolveAgent([...this.agentLayers(uri, inventory), { origin: this.nameOf(uri), values: test.agent }]);
    const fed = this.engineFor(inventory, agent);
    return {
      fed,
      problems: [],
      description: {
        policies: `the workspace (${fed.files} file${fed.files === 1 ? '' : 's'})`,
        inventory: inventory.description,
        agent: describeAgent(agent),
      },
    };
  }

  private startLoading(key: string, uri: string, test: PolicyTest): Promise<TestEnvironment> {
    const generation = this.generation;
    const entry: TestEntry = this.tests.get(key) ?? { key, generation };
    entry.generation = generation;
    const loading = this.load(uri, test).then(
      (env) => {
        if (entry.loading === loading) {
          entry.ready = env;
          entry.loading = undefined;
        }
        return env;
      },
      (e: unknown) => {
        if (entry.loading === loading) entry.loading = undefined;
        throw e;
      },
    );
    entry.loading = loading;
    // A handful of tests are worked on at once; forget the oldest beyond that.
    this.tests.delete(key);
    this.tests.set(key, entry);
    while (this.tests.size > 32) this.tests.delete(this.tests.keys().next().value as string);
    return loading;
  }

  /** Reads a file a test names: an open document's text, or the disk's through the safe-path checks. */
  private async readNamed(
    abs: string,
    base: string,
    open: Map<string, TextDocument>,
    workspace: string,
    maxBytes?: number,
  ): Promise<{ uri: string; text: string } | { reason: string }> {
    const uri = pathToFileURL(abs).href;
    const doc = open.get(canonicalUri(uri));
    if (doc) return { uri: doc.uri, text: doc.getText() };
    const r = await readSafePath(path.relative(base, abs) || abs, base, {
      workspace,
      trusted: this.session.projectConfigs.isTrusted,
      ...(maxBytes !== undefined ? { maxBytes } : {}),
    });
    return r.ok ? { uri, text: r.text } : { reason: r.reason };
  }

  private parsedDisk(abs: string, text: string): PolicyFile {
    const hit = this.diskFiles.get(abs);
    if (hit && hit.text === text) return hit.file;
    const file = parseFile(text, hit?.file);
    this.diskFiles.set(abs, { text, file });
    return file;
  }

  private async load(uri: string, test: PolicyTest): Promise<TestEnvironment> {
    const problems: TestProblem[] = [];
    const place = (p: WrittenPath, message: string): void => {
      problems.push({ code: 'policy-test/path', message, span: p.span, line: p.line, severity: 'error' });
    };
    let base: string | undefined;
    try {
      base = path.dirname(fileURLToPath(uri));
    } catch {
      base = undefined;
    }
    const workspace = this.session.projectConfigs.folderOf(uri) ?? this.session.projectConfigs.firstFolder ?? base;
    const open = this.openDocuments();
    const trusted = this.session.projectConfigs.isTrusted;

    let inventory: Inventory;
    let inventoryText: string;
    if (test.inventory) {
      const manifests = new InventoryIndex();
      const snapshots: Inventory[] = [];
      if (base === undefined || workspace === undefined)
        for (const p of test.inventory) place(p, 'the test is not saved in a folder, so its paths cannot be read');
      else {
        const named = await expandNamedPaths(
          test.inventory.map((p) => p.value),
          base,
          { workspace, trusted, json: true, maxBytes: MAX_SNAPSHOT_BYTES },
        );
        for (const p of named.problems) place(test.inventory[p.index]!, `spec.inventory: ${p.message}`);
        for (const f of named.files) {
          const json = /\.json$/i.test(f);
          const r = await this.readNamed(f, base, open, workspace, json ? MAX_SNAPSHOT_BYTES : undefined);
          const shown = this.nameOf(pathToFileURL(f).href);
          if ('reason' in r) {
            place(test.inventory[0]!, `spec.inventory: ${shown}: ${r.reason}`);
            continue;
          }
          if (json) {
            const snap = inventoryFromKubectlJson(r.text, 'snapshot');
            if (snap.ok) snapshots.push(snap.inventory);
            else place(test.inventory[0]!, `spec.inventory: ${shown}: ${snap.error}`);
          } else manifests.update(shown, r.text);
        }
      }
      inventoryText = test.inventory.map((p) => p.value).join(', ');
      inventory = combineInventories([manifests.snapshot(), ...snapshots], inventoryText);
      inventoryText = `${inventoryText}: ${inventory.endpoints.length} workload${inventory.endpoints.length === 1 ? '' : 's'}`;
    } else {
      inventory = this.inventory();
      inventoryText = inventory.description;
    }
    const agent = resolveAgent([...this.agentLayers(uri, inventory), { origin: this.nameOf(uri), values: test.agent }]);

    let sources: PolicySource[];
    let policiesText: string;
    if (test.policies) {
      sources = [];
      if (base === undefined || workspace === undefined)
        for (const p of test.policies) place(p, 'the test is not saved in a folder, so its paths cannot be read');
      else {
        const named = await expandNamedPaths(
          test.policies.map((p) => p.value),
          base,
          { workspace, trusted },
        );
        for (const p of named.problems) place(test.policies[p.index]!, `spec.policies: ${p.message}`);
        for (const f of named.files) {
          const r = await this.readNamed(f, base, open, workspace);
          if ('reason' in r) {
            place(test.policies[0]!, `spec.policies: ${this.nameOf(pathToFileURL(f).href)}: ${r.reason}`);
            continue;
          }
          const doc = open.get(canonicalUri(r.uri));
          const file = doc ? this.session.parse(doc) : this.parsedDisk(f, r.text);
          if (holdsPolicies(file)) sources.push({ name: this.nameOf(r.uri), uri: r.uri, file });
        }
      }
      policiesText = `${test.policies.map((p) => p.value).join(', ')} (${sources.length} file${sources.length === 1 ? '' : 's'})`;
    } else {
      sources = this.workspaceSources();
      policiesText = `the workspace (${sources.length} file${sources.length === 1 ? '' : 's'})`;
    }
    // Only tests with paths of their own come here: their engine is theirs.
    const engine = new FedEngine(inventory, agent);
    engine.sync(sources);
    return {
      fed: engine,
      problems,
      description: { policies: policiesText, inventory: inventoryText, agent: describeAgent(agent) },
    };
  }
}
