// SPDX-License-Identifier: Apache-2.0
/**
 * When the language server lints: at once on open, after a pause in typing
 * (`ciliumPolicy.lint.delay`), on save (`ciliumPolicy.lint.onSave`), and for every open document
 * when settings, project files or watched binaries change. Each lint publishes the diagnostics,
 * then the `ciliumPolicy/documentStatus` notification. Linting is `lintFile`, the same function
 * the CLI calls, with the inventory and a per-document cache (an edit re-validates the edited YAML
 * document only).
 *
 * When the inventory changes, only documents whose last lint saw another inventory are linted
 * again: the lint that flushed an edit into the inventory already saw the new one, so the change
 * it caused does not lint that document a second time.
 */
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyFile } from '../core/document.js';
import type { Finding } from '../core/findings.js';
import type { EndpointIndex } from '../core/preview.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { LintCache, lintFile } from '../lint/lint.js';
import { withBinaries } from '../io/binaries.js';
import type { LintScope } from '../lint/scope.js';
import { DocumentStatusNotification } from '../protocol.js';
import type { Settings } from '../settings.js';
import { documentStatus, toDiagnostic } from './convert.js';
import { describe, notify } from './guard.js';
import type { Session } from './session.js';

/** What one lint of a document saw and found. */
interface LintResult {
  readonly version: number;
  /** The inventory the `cilium/selects-nothing` kind of rule saw; undefined when none was loaded. */
  readonly inventory: EndpointIndex | undefined;
  /** The generation of the workspace's policy files the cross-document rules saw. */
  readonly scope: number;
  readonly findings: readonly Finding[];
}

/** What a lint reads besides the document: the inventory and the policies in scope. */
export interface LintInputs {
  /** The current inventory index as `uri` sees it (flushing pending edits into it first). */
  inventory(uri: string): EndpointIndex | undefined;
  /** The policies cross-document rules see when `uri` is linted (the workspace's and the open ones). */
  scope(uri: string): { scope: LintScope; source: string };
  /** Changes whenever the workspace's policy files change. */
  scopeGeneration(): number;
  /** Findings of other engines about a document (PolicyTest problems that need the inventory). */
  extraFindings?(uri: string, file: PolicyFile, findings: readonly Finding[]): readonly Finding[];
}

export class LintScheduler {
  /** The last lint per URI: findings for code actions, and what it saw for the inventory check. */
  private readonly results = new Map<string, LintResult>();
  private readonly caches = new Map<string, LintCache>();
  /**
   * The latest lint started per URI. A lint that finds a newer one started while it waited for
   * settings gives up, so diagnostics of an older text are never published after newer ones.
   */
  private readonly generations = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** didOpen is followed by a content-change event for the same text; the open handler lints at once. */
  private readonly justOpened = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
    private readonly validator: SchemaValidator,
    private readonly inputs: LintInputs,
  ) {}

  /** Registers the document events that trigger a lint. */
  register(): void {
    const { documents, log } = this.session;
    documents.onDidOpen(
      notify(
        'textDocument/didOpen',
        (e) => {
          this.justOpened.add(e.document.uri);
          this.lintNow(e.document.uri);
          this.relintOthers(e.document.uri);
        },
        log,
      ),
    );
    documents.onDidChangeContent(
      notify(
        'textDocument/didChange',
        (e) => {
          if (this.justOpened.delete(e.document.uri)) return;
          this.lintLater(e.document.uri);
          this.relintOthers(e.document.uri);
        },
        log,
      ),
    );
    documents.onDidSave(
      notify(
        'textDocument/didSave',
        (e) => {
          if (this.session.settings.peek(e.document.uri).lintOnSave) this.lintNow(e.document.uri);
        },
        log,
      ),
    );
    documents.onDidClose(
      notify(
        'textDocument/didClose',
        (e) => {
          const uri = e.document.uri;
          this.cancel(uri);
          this.justOpened.delete(uri);
          this.results.delete(uri);
          this.caches.delete(uri);
          this.generations.delete(uri);
          void this.connection.sendDiagnostics({ uri, diagnostics: [] });
        },
        log,
      ),
    );
    // A rebuilt binary changes what its policies' USDT hooks and uprobes may do.
    this.session.onDidChangeBinaries(() => this.lintAll());
  }

  /** Cross-document rules of the other open documents see this one (a DNS rule, an Envoy config). */
  private relintOthers(uri: string): void {
    for (const other of this.session.documents.all()) if (other.uri !== uri) this.lintLater(other.uri);
  }

  /** Lints one open document again now (what it depends on outside the lint's inputs changed). */
  relint(uri: string): void {
    if (this.session.documents.get(uri)) this.lintNow(uri);
  }

  /** Lints every open document (settings, project files or binaries changed). */
  lintAll(): void {
    for (const doc of this.session.documents.all()) this.lintNow(doc.uri);
  }

  /**
   * The inventory or the workspace's policy files changed: lints the open documents whose last lint
   * saw another inventory or another scope.
   */
  inventoryChanged(): void {
    const scope = this.inputs.scopeGeneration();
    for (const doc of this.session.documents.all()) {
      const inventory = this.inputs.inventory(doc.uri);
      const last = this.results.get(doc.uri);
      if (last && last.version === doc.version && last.inventory === inventory && last.scope === scope) continue;
      this.lintNow(doc.uri);
    }
  }

  /** The findings of the document's current version, linting it now if its last lint is older. */
  findings(doc: TextDocument): readonly Finding[] {
    const hit = this.results.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.findings;
    const inventory = this.inputs.inventory(doc.uri);
    const scope = this.inputs.scopeGeneration();
    const findings = this.lintParsed(doc, this.session.parse(doc), this.session.settings.peek(doc.uri), inventory);
    this.results.set(doc.uri, { version: doc.version, inventory, scope, findings });
    return findings;
  }

  /** The one way this server lints a parsed document: with the inventory and the document's cache. */
  private lintParsed(
    doc: TextDocument,
    file: PolicyFile,
    current: Settings,
    inventory: EndpointIndex | undefined,
  ): Finding[] {
    let cache = this.caches.get(doc.uri);
    if (!cache) this.caches.set(doc.uri, (cache = new LintCache()));
    return lintFile(file, {
      validator: this.validator,
      settings: current,
      inventory,
      ...this.inputs.scope(doc.uri),
      binaries: this.session.binariesFor(doc.uri, current),
      cache,
      ...(this.inputs.extraFindings
        ? { extra: (f: PolicyFile, found: readonly Finding[]) => this.inputs.extraFindings!(doc.uri, f, found) }
        : {}),
    });
  }

  /** Lints the current version of a document and publishes diagnostics and status. */
  private async lint(uri: string): Promise<void> {
    this.cancel(uri);
    const { documents } = this.session;
    if (!documents.get(uri)) return;
    const generation = (this.generations.get(uri) ?? 0) + 1;
    this.generations.set(uri, generation);
    const current = await this.session.settings.get(uri);
    if (this.generations.get(uri) !== generation) return; // a newer lint is on its way
    const doc = documents.get(uri);
    if (!doc) return; // closed while settings were fetched
    const file = this.session.parse(doc);
    const inventory = this.inputs.inventory(doc.uri);
    const scope = this.inputs.scopeGeneration();
    // Waits (without blocking other requests) for the binaries the document names that are not read yet.
    const findings = await withBinaries(this.session.binariesFor(doc.uri, current), () =>
      this.lintParsed(doc, file, current, inventory),
    );
    if (this.generations.get(uri) !== generation || !documents.get(uri)) return;
    this.results.set(uri, { version: doc.version, inventory, scope, findings });
    await this.connection.sendDiagnostics({
      uri,
      version: doc.version,
      diagnostics: findings.map((f) => toDiagnostic(doc, f)),
    });
    if (this.generations.get(uri) !== generation) return; // a newer lint published meanwhile; its status follows
    await this.connection.sendNotification(
      DocumentStatusNotification.type,
      documentStatus(doc, file, current.validateEnable ? findings : []),
    );
  }

  private lintNow(uri: string): void {
    this.lint(uri).catch((e: unknown) => this.session.log(`cilium-policy: linting ${uri} failed: ${describe(e)}`));
  }

  private lintLater(uri: string): void {
    this.cancel(uri);
    const delay = this.session.settings.peek(uri).lintDelayMs;
    this.timers.set(
      uri,
      setTimeout(() => this.lintNow(uri), delay),
    );
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }
}
