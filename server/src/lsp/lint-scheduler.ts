// SPDX-License-Identifier: Apache-2.0
/**
 * When the language server lints: at once on open, after a pause in typing, on save
 * (`ciliumPolicy.lint.onSave`), and for every open document when settings, project files or
 * watched binaries change. Each lint publishes the diagnostics, then the
 * `ciliumPolicy/documentStatus` notification. Linting is `lintFile`, the same function the CLI
 * calls, with the inventory and a per-document cache (an edit re-validates the edited YAML
 * document only).
 *
 * - **The pause adapts to what a lint costs.** After an edit a document waits about as long as
 *   its last lints took (parse and lint, as work time), and never longer than
 *   `ciliumPolicy.lint.delay`: a document that lints in 10 ms is linted 10 ms after a keystroke,
 *   one that takes 400 ms only when typing pauses for the full delay.
 * - **One lint at a time, the edited document first.** Lints run one after the other, in slices
 *   (`slices.ts`) that let requests and input through, so a hover is never stuck behind a lint of a
 *   20,000-line document. A document's own change (open, edit, save, settings) goes before the
 *   work it causes in other documents (cross-document rules, the inventory): that work is queued
 *   behind, waits for typing to pause, and gives way when an own change comes due.
 * - **The last version only.** A lint whose document changed meanwhile stops at its next slice and
 *   publishes nothing; edits held back by the connection (`edit-coalescer.ts`) are waited for.
 *
 * When the inventory changes, only documents whose last lint saw another inventory are linted
 * again: the lint that flushed an edit into the inventory already saw the new one, so the change
 * it caused does not lint that document a second time.
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PolicyFile } from '../core/document.js';
import type { Finding } from '../core/findings.js';
import type { EndpointIndex } from '../core/preview.js';
import type { SchemaValidator } from '../core/schema-validation.js';
import { LintCache, lintFile, lintFileSteps, type LintContext } from '../lint/lint.js';
import { LocalBinaries } from '../io/binaries.js';
import type { BinaryLookup } from '../core/elf.js';
import type { LintScope } from '../lint/scope.js';
import { DocumentStatusNotification } from '../protocol.js';
import type { Settings } from '../settings.js';
import { documentStatus, toDiagnostic } from './convert.js';
import { describe, notify } from './guard.js';
import type { Session } from './session.js';
import { runInSlices, SteppedJob } from './slices.js';

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
  /** The current inventory index (flushing pending edits into it first). */
  inventory(): EndpointIndex | undefined;
  /** The policies cross-document rules see when `uri` is linted (the workspace's and the open ones). */
  scope(uri: string): { scope: LintScope; source: string };
  /** Changes whenever the workspace's policy files change. */
  scopeGeneration(): number;
  /** Findings of other engines about a document (PolicyTest problems that need the inventory). */
  extraFindings?(uri: string, file: PolicyFile, findings: readonly Finding[]): readonly Finding[];
}

/** A document's own change (0) goes before what it causes in other documents (1). */
type Priority = 0 | 1;

/** A lint waiting for its time. */
interface Due {
  readonly at: number;
  readonly priority: Priority;
}

/** How much the latest lint of a document weighs in its cost estimate. */
const COST_WEIGHT = 0.5;

export class LintScheduler {
  /** The last lint per URI: findings for code actions, and what it saw for the inventory check. */
  private readonly results = new Map<string, LintResult>();
  private readonly caches = new Map<string, LintCache>();
  /** Lints waiting, per URI. */
  private readonly due = new Map<string, Due>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** The lint running now, if any. */
  private running: { readonly uri: string; readonly priority: Priority } | undefined;
  /** What a lint after an edit costs per document (parse and lint, milliseconds of work), smoothed. */
  private readonly costs = new Map<string, number>();
  /** didOpen is followed by a content-change event for the same text; the open handler lints at once. */
  private readonly justOpened = new Set<string>();
  /** Documents whose next lint follows an edit (its cost is what the pause after an edit adapts to). */
  private readonly edited = new Set<string>();

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
          this.schedule(e.document.uri, 0, 0);
          this.relintOthers(e.document.uri, false);
        },
        log,
      ),
    );
    documents.onDidChangeContent(
      notify(
        'textDocument/didChange',
        (e) => {
          const uri = e.document.uri;
          if (this.justOpened.delete(uri)) return;
          this.edited.add(uri);
          this.schedule(uri, 0, this.delayAfterEdit(uri));
          this.relintOthers(uri, true);
        },
        log,
      ),
    );
    documents.onDidSave(
      notify(
        'textDocument/didSave',
        (e) => {
          if (this.session.settings.peek(e.document.uri).lintOnSave) this.schedule(e.document.uri, 0, 0);
        },
        log,
      ),
    );
    documents.onDidClose(
      notify(
        'textDocument/didClose',
        (e) => {
          const uri = e.document.uri;
          this.due.delete(uri);
          this.justOpened.delete(uri);
          this.edited.delete(uri);
          this.results.delete(uri);
          this.caches.delete(uri);
          this.costs.delete(uri);
          void this.connection.sendDiagnostics({ uri, diagnostics: [] });
        },
        log,
      ),
    );
    // A rebuilt binary changes what its policies' USDT hooks and uprobes may do.
    this.session.onDidChangeBinaries(() => this.lintAll());
  }

  /**
   * How long a document waits after an edit: about what its lints cost (the first edit of a
   * document is linted at once), at most `ciliumPolicy.lint.delay`.
   */
  delayAfterEdit(uri: string): number {
    const max = this.session.settings.peek(uri).lintDelayMs;
    return Math.min(max, Math.round(this.costs.get(uri) ?? 0));
  }

  /**
   * Cross-document rules of the other open documents see this one (a DNS rule, an Envoy config).
   * After an edit they wait for typing to pause (`ciliumPolicy.lint.delay`), after an open not.
   */
  private relintOthers(uri: string, typing: boolean): void {
    for (const other of this.session.documents.all()) {
      if (other.uri === uri) continue;
      this.schedule(other.uri, 1, typing ? this.session.settings.peek(other.uri).lintDelayMs : 0);
    }
  }

  /** Lints one open document again now (what it depends on outside the lint's inputs changed). */
  relint(uri: string): void {
    if (this.session.documents.get(uri)) this.schedule(uri, 0, 0);
  }

  /** Lints every open document (settings, project files or binaries changed). */
  lintAll(): void {
    for (const doc of this.session.documents.all()) this.schedule(doc.uri, 0, 0);
  }

  /**
   * The inventory or the workspace's policy files changed: lints the open documents whose last lint
   * saw another inventory or another scope.
   */
  inventoryChanged(): void {
    const inventory = this.inputs.inventory();
    const scope = this.inputs.scopeGeneration();
    for (const doc of this.session.documents.all()) {
      const last = this.results.get(doc.uri);
      if (last && last.version === doc.version && last.inventory === inventory && last.scope === scope) continue;
      this.schedule(doc.uri, 1, 0);
    }
  }

  /** The findings of the document's current version, linting it now if its last lint is older. */
  findings(doc: TextDocument): readonly Finding[] {
    const hit = this.results.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.findings;
    const inventory = this.inputs.inventory();
    const scope = this.inputs.scopeGeneration();
    const current = this.session.settings.peek(doc.uri);
    const findings = lintFile(this.session.parse(doc), this.context(doc, current, inventory));
    this.results.set(doc.uri, { version: doc.version, inventory, scope, findings });
    return findings;
  }

  /** What `lintFile` gets for a document: the inventory, the scope, the binaries and the document's cache. */
  private context(doc: TextDocument, current: Settings, inventory: EndpointIndex | undefined): LintContext {
    let cache = this.caches.get(doc.uri);
    if (!cache) this.caches.set(doc.uri, (cache = new LintCache()));
    const binaries = this.session.binariesFor(doc.uri, current);
    return {
      validator: this.validator,
      settings: current,
      ...(inventory ? { inventory } : {}),
      ...this.inputs.scope(doc.uri),
      ...(binaries ? { binaries } : {}),
      cache,
      ...(this.inputs.extraFindings
        ? { extra: (f: PolicyFile, found: readonly Finding[]) => this.inputs.extraFindings!(doc.uri, f, found) }
        : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The queue

  /**
   * Queues a lint of a document in `delayMs`. A later call for the same document moves it (typing
   * pushes the pause back); a document's own change takes the place of queued cross-document work.
   */
  private schedule(uri: string, priority: Priority, delayMs: number): void {
    const existing = this.due.get(uri);
    if (existing && existing.priority < priority) return; // its own lint is queued and sees everything
    this.due.set(uri, { at: performance.now() + delayMs, priority });
    this.pump();
  }

  /** True while a lint runs or one is due now (start-up work waits for it: `warm-up.ts`). */
  get busy(): boolean {
    if (this.running) return true;
    const now = performance.now();
    for (const d of this.due.values()) if (d.at <= now) return true;
    return false;
  }

  /** True when a document's own lint is due while cross-document work runs. */
  private ownLintDue(): boolean {
    const now = performance.now();
    for (const d of this.due.values()) if (d.priority === 0 && d.at <= now) return true;
    return false;
  }

  /** Starts the next due lint unless one is running; otherwise waits for the earliest. */
  private pump(): void {
    if (this.running) return;
    const now = performance.now();
    let next: [string, Due] | undefined;
    let earliest = Infinity;
    for (const entry of this.due) {
      const [, d] = entry;
      if (d.at > now) {
        earliest = Math.min(earliest, d.at);
        continue;
      }
      if (!next || d.priority < next[1].priority || (d.priority === next[1].priority && d.at < next[1].at))
        next = entry;
    }
    if (!next) {
      if (earliest < this.timerAt) {
        if (this.timer) clearTimeout(this.timer);
        this.timerAt = earliest;
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.timerAt = Infinity;
            this.pump();
          },
          Math.max(0, earliest - now),
        );
      }
      return;
    }
    const [uri, d] = next;
    this.due.delete(uri);
    const running = { uri, priority: d.priority };
    this.running = running;
    this.lint(uri, d.priority)
      .catch((e: unknown) => this.session.log(`cilium-policy: linting ${uri} failed: ${describe(e)}`))
      .finally(() => {
        if (this.running === running) this.running = undefined;
        this.pump();
      });
  }

  // -------------------------------------------------------------------------------------------
  // One lint

  /** Lints the current version of a document in slices and publishes diagnostics and status. */
  private async lint(uri: string, priority: Priority): Promise<void> {
    const { documents } = this.session;
    const doc = documents.get(uri);
    if (!doc) return;
    // Edits held back to be merged arrive as a change, which queues the next lint.
    if (this.session.input.holds(uri)) return;
    const version = doc.version;
    const text = doc.getText();
    const afterEdit = this.edited.delete(uri);
    const stale = (): boolean => {
      const now = documents.get(uri);
      return now !== doc || now.version !== version || now.getText() !== text;
    };
    const current = await this.session.settings.get(uri);
    if (stale()) return;
    const file = await this.session.parseInSlices(doc);
    if (stale() || file.text !== text) return;
    let busy = this.session.parseCost(uri);
    const inventory = this.inputs.inventory();
    const scope = this.inputs.scopeGeneration();
    const ctx = this.context(doc, current, inventory);
    // Cross-document work gives way to a document's own change that came due.
    const cancelled = (): boolean => stale() || (priority === 1 && this.ownLintDue());
    const outcome = await this.lintInSlices(file, ctx, ctx.binaries, cancelled);
    if (!outcome) {
      if (!stale() && documents.get(uri)) this.schedule(uri, priority, 0);
      return;
    }
    busy += outcome.busyMs;
    if (afterEdit) {
      const before = this.costs.get(uri);
      this.costs.set(uri, before === undefined ? busy : before * (1 - COST_WEIGHT) + busy * COST_WEIGHT);
    }
    const findings = outcome.findings;
    this.results.set(uri, { version, inventory, scope, findings });
    await this.connection.sendDiagnostics({
      uri,
      version,
      diagnostics: findings.map((f) => toDiagnostic(doc, f)),
    });
    if (stale()) return; // a newer lint follows with its own status
    await this.connection.sendNotification(
      DocumentStatusNotification.type,
      documentStatus(doc, file, current.validateEnable ? findings : []),
    );
  }

  /**
   * `lintFile` in slices. When the lint looked up binaries that a background read has not
   * finished (`LocalBinaries`), it waits for those reads and lints again, as `withBinaries` does
   * for a lint in one go.
   */
  private async lintInSlices(
    file: PolicyFile,
    ctx: LintContext,
    binaries: BinaryLookup | undefined,
    cancelled: () => boolean,
  ): Promise<{ findings: Finding[]; busyMs: number } | undefined> {
    let busyMs = 0;
    for (let round = 0; ; round++) {
      const reads: Promise<void>[] = [];
      const job = new SteppedJob(lintFileSteps(file, ctx));
      const wrap =
        binaries instanceof LocalBinaries
          ? (slice: () => void) => {
              reads.push(...binaries.tracked(slice).reads);
            }
          : undefined;
      const findings = await runInSlices(job, { input: this.session.input, cancelled, ...(wrap ? { wrap } : {}) });
      busyMs += job.busyMs;
      if (findings === undefined) return undefined;
      // A second round only meets binaries named by what the first one read; a few rounds suffice.
      if (reads.length === 0 || round >= 4) return { findings, busyMs };
      await Promise.all(reads);
      if (cancelled()) return undefined;
    }
  }
}
