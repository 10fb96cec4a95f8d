// SPDX-License-Identifier: Apache-2.0
/**
 * The endpoint preview in the language server: the inventory requests and notification of
 * `protocol.ts`, the preview details the CodeLenses are made of, and the inventory the lint rules
 * see. `lifecycle.ts` forwards the events it shares with other modules (initialize, watched files,
 * configuration changes); everything else is registered here.
 */
import type { Connection, InitializeParams, ServerCapabilities } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyFile } from '../core/document.js';
import type { Span } from '../core/findings.js';
import { workloadPorts, type Endpoint } from '../core/inventory.js';
import { hooksSummaryOf, readingOf } from './preview-reading.js';
import type { LineIndex } from '../core/line-index.js';
import {
  policiesSelecting,
  previewDetails,
  type EndpointIndex,
  type PolicyInput,
  type PreviewDetails,
} from '../core/preview.js';
import {
  EndpointPoliciesRequest,
  EndpointPreviewRequest,
  InventoryChangedNotification,
  InventoryRequest,
  SetInventoryRequest,
  type EndpointPreview,
  type InventoryStatus,
  type PolicyPreviewEntry,
  type WireEndpoint,
  type WireRange,
} from '../protocol.js';
import { checked, is, params, type Check } from './guard.js';
import { buildScope, type LintScope } from '../lint/scope.js';
import { canonicalUri, InventoryManager } from './inventory-manager.js';
import type { Session } from './session.js';
import { holdsPolicies } from '../semantics/engine.js';

const POSITION = is.object({ line: is.uint, character: is.uint });

/** `ciliumPolicy/setInventory`: the fields each source needs. */
const SET_INVENTORY: Check = (v, at) =>
  is.object({ source: is.oneOf('workspace', 'snapshot', 'cluster') })(v, at) ??
  ((v as { source: string }).source === 'snapshot'
    ? is.object({ path: is.string })(v, at)
    : (v as { source: string }).source === 'cluster'
      ? is.object({ json: is.string, context: is.optional(is.string) })(v, at)
      : undefined);

/** The glob of the files the inventory watches. */
export const INVENTORY_WATCH_GLOB = '**/*.{yaml,yml}';

/** A policy file as the engines read it (`PreviewService.policyFiles`). */
export interface PolicyFileView {
  /** Canonical URI (what engines and inventories name files by). */
  readonly uri: string;
  /** The URI as the editor spells it (the canonical one for a file that is not open). */
  readonly documentUri: string;
  readonly file: PolicyFile;
  readonly positionAt: (offset: number) => { line: number; character: number };
}
/** Timing knobs, passed to the {@link InventoryManager}. */
export interface PreviewTiming {
  readonly editDelayMs?: number;
  readonly notifyDelayMs?: number;
}

export class PreviewService {
  readonly inventory: InventoryManager;
  private codeLensRefresh = false;
  private watchFiles = false;
  private roots: string[] = [];
  /** Preview details per open document version and inventory index. */
  private readonly cache = new Map<string, { version: number; index: EndpointIndex; details: PreviewDetails[] }>();
  private readonly inventoryListeners: (() => void)[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    timing: PreviewTiming = {},
  ) {
    this.inventory = new InventoryManager(
      {
        changed: (status) => this.inventoryChanged(status),
        log: session.log,
      },
      timing,
    );
  }

  /** Calls `listener` after the inventory changed (what `cilium/selects-nothing` reports may change with it). */
  onDidChangeInventory(listener: () => void): void {
    this.inventoryListeners.push(listener);
  }

  /** Reads what the client can do and the workspace folders. Call from `onInitialize`. */
  initialize(params: InitializeParams): void {
    const caps = params.capabilities;
    this.codeLensRefresh = caps.workspace?.codeLens?.refreshSupport === true;
    this.watchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.inventory.setRoots(this.roots);
  }

  /** True when the client can be asked to refresh CodeLenses (`workspace/codeLens/refresh`). */
  get canRefreshCodeLenses(): boolean {
    return this.codeLensRefresh;
  }

  /** The capabilities the preview adds to the `initialize` answer. */
  capabilities(): Pick<ServerCapabilities, 'experimental'> {
    return { experimental: { endpointPreviewProvider: true } };
  }

  /** The file watchers the preview needs registered (empty when the client cannot register them). */
  watchers(): { globPattern: string }[] {
    return this.watchFiles ? [{ globPattern: INVENTORY_WATCH_GLOB }] : [];
  }

  /** Starts indexing the workspace and applies the snapshot setting. Call from `onInitialized`. */
  initialized(): void {
    void this.inventory.start();
    void this.configurationChanged();
  }

  /** Re-reads `ciliumPolicy.preview.snapshotFile` (workspace-wide: read for the first folder). */
  async configurationChanged(): Promise<void> {
    try {
      const s = await this.session.settings.get(this.roots[0] ?? '');
      await this.inventory.applySnapshotSetting(s.previewSnapshotFile);
    } catch (e) {
      this.session.log(`cilium-policy: reading the preview settings failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Forwards `workspace/didChangeWatchedFiles`. */
  filesChanged(changes: readonly { uri: string; type: number }[]): void {
    this.inventory
      .filesChanged(changes)
      .catch((e: unknown) =>
        this.session.log(`cilium-policy: re-reading changed files failed: ${(e as Error)?.message ?? String(e)}`),
      );
  }

  /**
   * The inventory the lint rules get: undefined until one has been loaded. Seen from `uri`, an
   * untitled editor's own workloads count too (they never count for other documents).
   */
  lintInventory(uri?: string): EndpointIndex | undefined {
    this.inventory.flush();
    return this.inventory.index(uri);
  }

  /**
   * The policy files the verdict engines read (`holdsPolicies`): the open documents with their
   * current text first, then the workspace's files on disk that are not open, each by canonical
   * URI with the URI its editor uses and a way to place an offset; `inside` limits them (to a
   * workspace folder, say).
   */
  policyFiles(inside: (uri: string) => boolean = () => true): PolicyFileView[] {
    const out: PolicyFileView[] = [];
    const open = new Set<string>();
    for (const doc of this.session.documents.all()) {
      const uri = canonicalUri(doc.uri);
      if (!inside(uri)) continue;
      open.add(uri);
      const file = this.session.parse(doc);
      if (holdsPolicies(file)) out.push({ uri, documentUri: doc.uri, file, positionAt: (o) => doc.positionAt(o) });
    }
    for (const w of this.inventory.workspacePolicies()) {
      if (open.has(w.uri) || !inside(w.uri) || !holdsPolicies(w.file)) continue;
      const lines: LineIndex = w.lines;
      out.push({ uri: w.uri, documentUri: w.uri, file: w.file, positionAt: (o) => lines.positionAt(o) });
    }
    return out;
  }

  /**
   * What cross-document lint rules see when `uri` is linted: the open documents (their current
   * text) and the workspace's policy files, named by canonical URI (`source` is the linted one's).
   */
  lintScope(uri: string): { scope: LintScope; source: string } {
    const files: { source: string; file: PolicyFile }[] = [];
    const open = new Set<string>();
    for (const doc of this.session.documents.all()) {
      const source = canonicalUri(doc.uri);
      open.add(source);
      files.push({ source, file: this.session.parse(doc) });
    }
    for (const w of this.inventory.workspacePolicies())
      if (!open.has(w.uri)) files.push({ source: w.uri, file: w.file });
    return { scope: buildScope(files), source: canonicalUri(uri) };
  }

  /** Changes whenever the workspace's policy files on disk change (the part of the scope not open). */
  scopeGeneration(): number {
    return this.inventory.policyGeneration;
  }

  /** Registers the document events that keep the inventory current, and the preview requests. */
  register(): void {
    const { documents, log } = this.session;
    // The shared parse is handed over so the inventory reads an open document without parsing it again.
    documents.onDidOpen((e) =>
      this.guard(() =>
        this.inventory.opened(e.document.uri, e.document.getText(), () => this.session.parse(e.document)),
      ),
    );
    documents.onDidChangeContent((e) =>
      this.guard(() =>
        this.inventory.edited(e.document.uri, e.document.getText(), () => this.session.parse(e.document)),
      ),
    );
    documents.onDidClose((e) => {
      this.cache.delete(e.document.uri);
      this.inventory
        .closed(e.document.uri)
        .catch((err: unknown) => log(`cilium-policy: re-reading ${e.document.uri} failed: ${String(err)}`));
    });
    this.connection.onRequest(
      EndpointPreviewRequest.type,
      checked(
        EndpointPreviewRequest.method,
        is.object({ textDocument: is.object({ uri: is.string }), position: is.optional(POSITION) }),
        (params: EndpointPreviewRequest.Params) => this.endpointPreview(params),
        log,
      ),
    );
    this.connection.onRequest(
      InventoryRequest.type,
      checked(InventoryRequest.method, params.none, () => this.inventoryList(), log),
    );
    this.connection.onRequest(
      SetInventoryRequest.type,
      checked(
        SetInventoryRequest.method,
        SET_INVENTORY,
        (params: SetInventoryRequest.Params) => this.inventory.setSource(params),
        log,
      ),
    );
    this.connection.onRequest(
      EndpointPoliciesRequest.type,
      checked(
        EndpointPoliciesRequest.method,
        is.object({ endpoint: is.object({ kind: is.string, namespace: is.string, name: is.string }) }),
        (params: EndpointPoliciesRequest.Params) => this.endpointPolicies(params),
        log,
      ),
    );
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.session.log(`cilium-policy: updating the inventory failed: ${(e as Error)?.stack ?? String(e)}`);
    }
  }

  private inventoryChanged(status: InventoryStatus): void {
    this.cache.clear();
    void this.connection.sendNotification(InventoryChangedNotification.type, status);
    for (const listener of this.inventoryListeners) listener();
    if (this.codeLensRefresh) {
      this.connection.sendRequest('workspace/codeLens/refresh').catch(() => {
        /* the client may have gone; lenses refresh on the next edit */
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Computing

  /** Preview details of every policy document of an open document, cached per version and inventory. */
  details(doc: TextDocument): PreviewDetails[] {
    this.inventory.flush();
    const index = this.inventory.indexOrEmpty(doc.uri);
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version && hit.index === index) return hit.details;
    const file = this.session.parse(doc);
    const details: PreviewDetails[] = [];
    for (const d of file.documents) {
      if (!d.kind || d.templated) continue;
      const det = previewDetails(d, index, { file: doc.uri });
      if (det) details.push(det);
    }
    this.cache.set(doc.uri, { version: doc.version, index, details });
    return details;
  }

  private wireEndpoint(e: Endpoint): WireEndpoint {
    const out: WireEndpoint = { kind: e.kind, namespace: e.namespace, name: e.name, labels: { ...e.labels } };
    if (e.selector !== undefined) out.selector = { ...e.selector };
    const ports = workloadPorts(e);
    if (ports.length > 0) out.ports = ports;
    if (e.serviceAccount !== undefined) out.serviceAccount = e.serviceAccount;
    const location = this.inventory.location(e.source);
    if (location) out.location = location;
    return out;
  }

  private endpointPreview(params: EndpointPreviewRequest.Params): EndpointPreviewRequest.Result {
    const uri = params?.textDocument?.uri;
    const doc = typeof uri === 'string' ? this.session.documents.get(uri) : undefined;
    if (!doc) return null;
    const all = this.details(doc);
    if (all.length === 0) return null;
    let chosen = all;
    const pos = params.position;
    if (pos && typeof pos.line === 'number' && typeof pos.character === 'number') {
      const offset = doc.offsetAt(pos);
      const inside = all.filter((d) => d.span.start <= offset && offset <= d.span.end);
      // The last match: a position on a `---` line belongs to the document it opens.
      chosen = inside.length > 0 ? [inside[inside.length - 1] as PreviewDetails] : [];
    }
    const range = (span: Span): WireRange => ({ start: doc.positionAt(span.start), end: doc.positionAt(span.end) });
    const documents = this.session.parse(doc).documents;
    const policies: PolicyPreviewEntry[] = chosen.map((d) => ({
      ...readingOf(documents, d, this.session.settings.peek(doc.uri).ciliumVersion),
      preview: d.preview,
      range: range(d.span),
      selections: d.selections.map((s) => ({
        role: s.role,
        path: [...s.path],
        range: range(s.span),
        selector: s.selector,
        notes: [...s.notes],
        endpoints: s.endpoints.map((e) => this.wireEndpoint(e)),
      })),
      rules: d.rules.map((r) => ({ direction: r.direction, index: r.index, path: [...r.path], range: range(r.span) })),
    }));
    const result: EndpointPreview = {
      uri: doc.uri,
      documentVersion: doc.version,
      inventory: this.inventory.status(doc.uri),
      policies,
    };
    return result;
  }

  private inventoryList(): InventoryRequest.Result {
    this.inventory.flush();
    const inv = this.inventory.current();
    const endpoints: WireEndpoint[] = [];
    if (inv) {
      for (const e of inv.endpoints) endpoints.push(this.wireEndpoint(e));
      for (const n of inv.nodes)
        endpoints.push(
          this.wireEndpoint({ kind: 'Node', namespace: '', name: n.name, labels: n.labels, source: n.source ?? {} }),
        );
    }
    return { status: this.inventory.status(), endpoints };
  }

  private endpointPolicies(params: EndpointPoliciesRequest.Params): EndpointPoliciesRequest.Result {
    const none: EndpointPoliciesRequest.Result = { policies: [], defaultDeny: { ingress: false, egress: false } };
    const want = params?.endpoint;
    if (!want || typeof want.name !== 'string') return none;
    this.inventory.flush();
    const inv = this.inventory.current();
    const index = this.inventory.index();
    const endpoint = inv?.endpoints.find(
      (e) => e.kind === want.kind && e.namespace === want.namespace && e.name === want.name,
    );
    if (!endpoint || !index) return none;
    // Open documents first (their text wins), then the workspace's policy files.
    const inputs: PolicyInput[] = [];
    const ranges = new Map<string, (span: Span) => WireRange>();
    const openUris = new Set<string>();
    for (const doc of this.session.documents.all()) {
      openUris.add(canonicalUri(doc.uri));
      const file = this.session.parse(doc);
      ranges.set(doc.uri, (s) => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) }));
      for (const d of file.documents) if (d.kind) inputs.push({ doc: d, file: doc.uri });
    }
    for (const w of this.inventory.workspacePolicies()) {
      if (openUris.has(w.uri)) continue;
      const lines: LineIndex = w.lines;
      ranges.set(w.uri, (s) => ({ start: lines.positionAt(s.start), end: lines.positionAt(s.end) }));
      for (const d of w.file.documents) if (d.kind) inputs.push({ doc: d, file: w.uri });
    }
    const found = policiesSelecting(endpoint, inputs, index);
    return {
      policies: found.policies.map((p) => ({
        uri: p.file,
        kind: p.kind,
        name: p.name,
        namespace: p.namespace,
        range: (ranges.get(p.file) ?? (() => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })))(
          p.span,
        ),
        ingress: p.ingress,
        egress: p.egress,
        defaultDeny: { ...p.defaultDeny },
        ...hooksSummaryOf(inputs, p),
      })),
      defaultDeny: { ...found.defaultDeny },
    };
  }
}
