// SPDX-License-Identifier: Apache-2.0
/**
 * The language server's inventory: which workloads the endpoint preview, the CodeLenses and the
 * `cilium/selects-nothing` rule are computed against. By default it is built from the YAML files
 * of the workspace folders (read once, in the background, then kept current file by file); a
 * kubectl snapshot file or JSON handed over by the client can replace it. Nothing here runs a
 * program or opens a connection.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFile, type PolicyFile } from '../core/document.js';
import {
  emptyInventory,
  inventoryFromKubectlJson,
  InventoryIndex,
  manifestPart,
  manifestPartOfFile,
  mayHoldInventory,
  type Inventory,
  type InventoryPart,
  type SourceRef,
} from '../core/inventory.js';
import { KINDS } from '../core/kinds.js';
import { LineIndex } from '../core/line-index.js';
import { EndpointIndex } from '../core/preview.js';
import { describeUnreadable, findYamlFiles, readTextFile } from '../io/workspace-files.js';
import type { InventoryStatus, SetInventoryRequest, WireRange } from '../protocol.js';

/** Snapshots are bigger than policy files: a `kubectl get pods -A -o json` of a large cluster. */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/**
 * Files that may hold one of our policy kinds: only these are kept, for the reverse lookup (which
 * policies select this workload; kinds that select nothing are skipped there) and the lint scope.
 */
// Kubernetes NetworkPolicies too: the verdict engine (flow replay) enforces them as Cilium does.
const POLICY_KIND = new RegExp(
  `^\\s*["']?kind["']?\\s*:\\s*["']?(${[...KINDS.map((k) => k.kind), 'NetworkPolicy'].join('|')})\\b`,
  'm',
);

/** What the manager tells the server. */
export interface InventoryHooks {
  /** The inventory (or its status) changed; called debounced. */
  changed(status: InventoryStatus): void;
  log(message: string): void;
}

/** Timing knobs (tests and the server use the defaults). */
export interface InventoryTiming {
  /** How long editor changes are collected before the inventory is updated. */
  readonly editDelayMs?: number;
  /** How long change notifications are collected before `changed` is called. */
  readonly notifyDelayMs?: number;
}

/** A URI in one spelling, so an editor's URI and the one built from a disk path are the same key. */
export function canonicalUri(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return pathToFileURL(fileURLToPath(uri)).href;
  } catch {
    return uri;
  }
}

function filePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The part of a file's manifests that matters for matching, without positions (edits above a workload move it). */
function signature(part: InventoryPart): string {
  return JSON.stringify(part, (k, v: unknown) => (k === 'source' ? undefined : v));
}

type Mode =
  | { kind: 'workspace' }
  | { kind: 'snapshot'; path: string; fromSetting: boolean }
  | { kind: 'cluster'; context: string };

/** A workspace policy file as read from disk, parsed on first use. */
interface PolicyText {
  text: string;
  file?: PolicyFile;
  lines?: LineIndex;
}

export class InventoryManager {
  private readonly workspace = new InventoryIndex();
  /** Texts and line indexes of the files that contribute to the workspace inventory, for locations. */
  private readonly lines = new Map<string, { text: string; index: LineIndex }>();
  private readonly signatures = new Map<string, string>();
  /** Workspace files (not open in the editor) that hold policies. */
  private readonly policyTexts = new Map<string, PolicyText>();
  /** URIs open in the editor: their in-memory text wins over the disk. */
  private readonly open = new Set<string>();
  private readonly pendingEdits = new Map<string, { text: string; parsed: (() => PolicyFile) | undefined }>();
  private editTimer: NodeJS.Timeout | undefined;
  private notifyTimer: NodeJS.Timeout | undefined;
  private roots: string[] = [];
  private scan: Promise<void> | undefined;
  private scanned = false;
  private truncated = false;
  private mode: Mode = { kind: 'workspace' };
  private external: Inventory | undefined;
  private error: string | undefined;
  private cachedIndex: { inventory: Inventory; index: EndpointIndex } | undefined;
  private snapshotSetting = '';
  private disposed = false;

  constructor(
    private readonly hooks: InventoryHooks,
    private readonly timing: InventoryTiming = {},
  ) {}

  /** The workspace folders (URIs) to index. */
  setRoots(uris: readonly string[]): void {
    this.roots = uris.map(canonicalUri);
  }

  /** Starts indexing the workspace folders in the background (once). */
  start(): Promise<void> {
    this.scan ??= this.scanWorkspace().catch((e: unknown) =>
      this.hooks.log(`cilium-policy: indexing the workspace failed: ${(e as Error)?.message ?? String(e)}`),
    );
    return this.scan;
  }

  /** Stops timers (shutdown). */
  dispose(): void {
    this.disposed = true;
    if (this.editTimer) clearTimeout(this.editTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
  }

  private async scanWorkspace(): Promise<void> {
    for (const root of this.roots) {
      const dir = filePath(root);
      if (dir === undefined) continue;
      const found = await findYamlFiles(dir);
      this.truncated ||= found.truncated;
      for (const file of found.files) {
        if (this.disposed) return;
        const uri = pathToFileURL(file).href;
        if (this.open.has(uri)) continue;
        const text = await readTextFile(file);
        if (text === undefined || this.open.has(uri)) continue;
        this.applyDisk(uri, text, false);
      }
    }
    this.scanned = true;
    if (this.mode.kind === 'workspace') this.changed();
  }

  // -------------------------------------------------------------------------------------------
  // Keeping the workspace inventory current

  /**
   * Applies a file's text to the workspace inventory. Returns true when what matters changed.
   * `parsed` gives the editor's parse of an open document (the server's cache), whose documents are
   * reused instead of parsing the whole file again on every edit.
   */
  private applyText(uri: string, text: string, parsed?: () => PolicyFile): boolean {
    // One parse serves both the signature and the index; a text without workloads needs none.
    const file = mayHoldInventory(text) ? parsed?.() : undefined;
    const part = file && file.text === text ? manifestPartOfFile(uri, file) : manifestPart(uri, text);
    const sig = signature(part);
    const before = this.signatures.get(uri);
    const contributes = this.workspace.update(uri, text, part);
    if (contributes) {
      this.lines.set(uri, { text, index: new LineIndex(text) });
      this.signatures.set(uri, sig);
    } else {
      this.lines.delete(uri);
      this.signatures.delete(uri);
    }
    return (contributes ? sig : undefined) !== before;
  }

  private applyDisk(uri: string, text: string, notify: boolean): void {
    const before = this.policyTexts.get(uri)?.text;
    const isPolicy = POLICY_KIND.test(text);
    if (isPolicy) this.policyTexts.set(uri, { text });
    else this.policyTexts.delete(uri);
    // The lint scope (cross-document rules) changes with a policy file, whatever the inventory's mode.
    const policyChanged = (isPolicy ? text : undefined) !== before;
    if (policyChanged) this.policyGeneration++;
    const changed = this.applyText(uri, text);
    if (notify && ((changed && this.mode.kind === 'workspace') || policyChanged)) this.changed();
  }

  private forget(uri: string): void {
    if (this.policyTexts.delete(uri)) {
      this.policyGeneration++;
      this.changed();
    }
    const had = this.signatures.has(uri);
    this.workspace.remove(uri);
    this.lines.delete(uri);
    this.signatures.delete(uri);
    if (had && this.mode.kind === 'workspace') this.changed();
  }

  /** A document was opened: its text replaces the disk's at once. */
  opened(rawUri: string, text: string, parsed?: () => PolicyFile): void {
    const uri = canonicalUri(rawUri);
    this.open.add(uri);
    this.policyTexts.delete(uri);
    this.pendingEdits.delete(uri);
    if (this.applyText(uri, text, parsed) && this.mode.kind === 'workspace') this.changed();
  }

  /** A document was edited: applied after a short pause (typing does not rebuild the inventory per key). */
  edited(rawUri: string, text: string, parsed?: () => PolicyFile): void {
    const uri = canonicalUri(rawUri);
    this.open.add(uri);
    this.pendingEdits.set(uri, { text, parsed });
    if (this.editTimer) clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => this.flush(), this.timing.editDelayMs ?? 300);
    this.editTimer.unref?.();
  }

  /** Applies pending edits now (before answering a request, so answers match the text). */
  flush(): void {
    if (this.editTimer) clearTimeout(this.editTimer);
    this.editTimer = undefined;
    let changed = false;
    for (const [uri, { text, parsed }] of this.pendingEdits) if (this.applyText(uri, text, parsed)) changed = true;
    this.pendingEdits.clear();
    if (changed && this.mode.kind === 'workspace') this.changed();
  }

  /** A document was closed: the disk's version counts again (or nothing, for a file outside the workspace). */
  async closed(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    this.open.delete(uri);
    this.pendingEdits.delete(uri);
    const file = filePath(uri);
    const text = file !== undefined && this.inWorkspace(uri) ? await readTextFile(file) : undefined;
    if (this.open.has(uri)) return; // re-opened meanwhile
    if (text === undefined) this.forget(uri);
    else this.applyDisk(uri, text, true);
  }

  private inWorkspace(uri: string): boolean {
    return this.roots.some((r) => uri.startsWith(r.endsWith('/') ? r : `${r}/`));
  }

  /** `workspace/didChangeWatchedFiles`: re-reads only the files named (type 3 = deleted). */
  async filesChanged(changes: readonly { uri: string; type: number }[]): Promise<void> {
    for (const c of changes) {
      const uri = canonicalUri(c.uri);
      if (this.mode.kind === 'snapshot' && filePath(uri) === this.mode.path) {
        await this.loadSnapshot(this.mode.path, this.mode.fromSetting);
        continue;
      }
      if (!/\.ya?ml$/i.test(uri) || this.open.has(uri)) continue;
      const file = filePath(uri);
      const text = c.type === 3 || file === undefined ? undefined : await readTextFile(file);
      if (this.open.has(uri)) continue;
      if (text === undefined) this.forget(uri);
      else this.applyDisk(uri, text, true);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Choosing the source

  /** `ciliumPolicy.preview.snapshotFile`: a non-empty path loads it; clearing it returns to the workspace. */
  async applySnapshotSetting(value: string): Promise<void> {
    if (value === this.snapshotSetting) return;
    this.snapshotSetting = value;
    if (value !== '') {
      await this.loadSnapshot(this.resolvePath(value), true);
    } else if (this.mode.kind === 'snapshot' && this.mode.fromSetting) {
      this.mode = { kind: 'workspace' };
      this.external = undefined;
      this.error = undefined;
      this.changed();
    }
  }

  /** `ciliumPolicy/setInventory`. */
  async setSource(params: SetInventoryRequest.Params): Promise<InventoryStatus> {
    const p = (params ?? {}) as Partial<{ source: string; path: unknown; json: unknown; context: unknown }>;
    switch (p.source) {
      case 'workspace':
        this.mode = { kind: 'workspace' };
        this.external = undefined;
        this.error = undefined;
        this.changed();
        void this.start();
        break;
      case 'snapshot':
        if (typeof p.path !== 'string' || p.path.trim() === '')
          this.fail('setInventory: `path` must name a snapshot file.');
        else await this.loadSnapshot(this.resolvePath(p.path.trim()), false);
        break;
      case 'cluster': {
        if (typeof p.json !== 'string') {
          this.fail('setInventory: `json` must be the text kubectl printed.');
          break;
        }
        const context = typeof p.context === 'string' && p.context !== '' ? p.context : 'current context';
        const r = inventoryFromKubectlJson(p.json, 'cluster');
        if (!r.ok) this.fail(`Cluster ${context}: ${r.error}`);
        else
          this.use(
            { kind: 'cluster', context },
            { ...r.inventory, description: `${context}: ${r.inventory.description}` },
          );
        break;
      }
      default:
        this.fail('setInventory: `source` must be workspace, snapshot or cluster.');
    }
    return this.status();
  }

  private resolvePath(p: string): string {
    if (p.startsWith('file:')) return filePath(p) ?? p;
    if (path.isAbsolute(p)) return p;
    const root = this.roots.map(filePath).find((r): r is string => r !== undefined);
    return root !== undefined ? path.resolve(root, p) : path.resolve(p);
  }

  private async loadSnapshot(file: string, fromSetting: boolean): Promise<void> {
    const text = await readTextFile(file, MAX_SNAPSHOT_BYTES);
    if (text === undefined) {
      this.fail(`The snapshot could not be read: ${await describeUnreadable(file, MAX_SNAPSHOT_BYTES)}.`);
      return;
    }
    const r = inventoryFromKubectlJson(text, 'snapshot');
    if (!r.ok) {
      this.fail(`${path.basename(file)}: ${r.error}`);
      return;
    }
    for (const w of r.warnings) this.hooks.log(`cilium-policy: ${file}: ${w}`);
    this.use(
      { kind: 'snapshot', path: file, fromSetting },
      { ...r.inventory, description: `${path.basename(file)}: ${r.inventory.description}` },
    );
  }

  private use(mode: Mode, inventory: Inventory): void {
    this.mode = mode;
    this.external = inventory;
    this.error = undefined;
    this.changed();
  }

  /** Loading failed: the previous inventory stays, the status carries the message. */
  private fail(message: string): void {
    this.error = message;
    this.hooks.log(`cilium-policy: ${message}`);
    this.changed();
  }

  // -------------------------------------------------------------------------------------------
  // Answers

  /** The inventory in use, or undefined when none has been loaded (origin `none`). */
  current(): Inventory | undefined {
    if (this.mode.kind !== 'workspace') return this.external;
    const inv = this.workspace.snapshot();
    // A workspace without workloads or nodes is no inventory: every selector would "select nothing".
    return inv.endpoints.length + inv.nodes.length > 0 ? inv : undefined;
  }

  /** The endpoint index of the current inventory, built once per inventory snapshot. */
  index(): EndpointIndex | undefined {
    const inv = this.current();
    if (!inv) return undefined;
    if (this.cachedIndex?.inventory !== inv) this.cachedIndex = { inventory: inv, index: new EndpointIndex(inv) };
    return this.cachedIndex.index;
  }

  /** The index to preview against: the current one, or an empty one when none is loaded. */
  indexOrEmpty(): EndpointIndex {
    return this.index() ?? (this.cachedEmpty ??= new EndpointIndex(emptyInventory('workspace', 'no inventory loaded')));
  }
  private cachedEmpty: EndpointIndex | undefined;

  status(): InventoryStatus {
    const inv = this.current();
    const error = this.error !== undefined ? { error: this.error } : {};
    if (!inv) {
      const description =
        this.mode.kind !== 'workspace'
          ? 'no inventory loaded'
          : this.roots.length === 0
            ? 'no inventory loaded (no workspace folder)'
            : this.scanned
              ? 'no workloads found in the workspace'
              : 'indexing the workspace…';
      const loading = this.mode.kind === 'workspace' && this.roots.length > 0 && !this.scanned;
      return { origin: 'none', description, endpoints: 0, ...error, ...(loading ? { loading: true } : {}) };
    }
    const origin = this.mode.kind === 'workspace' ? 'workspace' : this.mode.kind;
    const prefix = origin === 'workspace' ? 'workspace: ' : '';
    const more = origin === 'workspace' && this.truncated ? ' (file limit reached; some manifests were not read)' : '';
    return { origin, description: `${prefix}${inv.description}${more}`, endpoints: inv.endpoints.length, ...error };
  }

  /** The editor location of an inventory entry that came from a workspace file. */
  location(source: SourceRef | undefined): { uri: string; range: WireRange } | undefined {
    if (this.mode.kind !== 'workspace' || source?.file === undefined) return undefined;
    const known = this.lines.get(source.file);
    if (!known) return undefined;
    // On the workload's name when it has one; else at its document, below a `---` marker.
    if (source.name)
      return {
        uri: source.file,
        range: { start: known.index.positionAt(source.name.start), end: known.index.positionAt(source.name.end) },
      };
    let offset = source.offset ?? 0;
    const marker = /^---[^\n]*\n/.exec(known.text.slice(offset, offset + 200));
    if (marker) offset += marker[0].length;
    const start = known.index.positionAt(offset);
    return { uri: source.file, range: { start, end: start } };
  }

  /**
   * Counts the changes to the workspace's policy files on disk (what {@link workspacePolicies}
   * gives), so a lint knows whether the scope it saw is still current.
   */
  policyGeneration = 0;

  /** Workspace policy files that are not open in the editor, parsed on first use. */
  workspacePolicies(): { uri: string; file: PolicyFile; lines: LineIndex }[] {
    const out: { uri: string; file: PolicyFile; lines: LineIndex }[] = [];
    for (const [uri, p] of this.policyTexts) {
      if (this.open.has(uri)) continue;
      p.file ??= parseFile(p.text);
      p.lines ??= new LineIndex(p.text);
      out.push({ uri, file: p.file, lines: p.lines });
    }
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  /** True once the first workspace walk has finished. */
  get ready(): boolean {
    return this.scanned;
  }

  private changed(): void {
    if (this.disposed) return;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      try {
        this.hooks.changed(this.status());
      } catch (e) {
        this.hooks.log(`cilium-policy: inventory change handling failed: ${(e as Error)?.message ?? String(e)}`);
      }
    }, this.timing.notifyDelayMs ?? 100);
    this.notifyTimer.unref?.();
  }
}
