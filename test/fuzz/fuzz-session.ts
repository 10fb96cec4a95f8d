// SPDX-License-Identifier: Apache-2.0
/**
 * The fuzz harness: drives the real bundled server over JSON-RPC with a seeded random sequence of
 * incremental edits and requests, keeps its own copy of every document version, and checks what
 * comes back against it:
 *
 * - the server never exits, and answers every request within the time limit, with a result and
 *   not an internal error;
 * - every published diagnostic names a version the client sent, and its range lies inside that
 *   version's text; hover, completion, code action and CodeLens ranges lie inside the current text;
 * - when a document is retired, its diagnostics equal those of the same text opened fresh (the
 *   incremental parse gives what a full parse gives).
 *
 * Every operation is logged, so a failing run prints the seed and the operations that led to it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseError } from 'vscode-languageserver-protocol';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  Diagnostic,
  Hover,
  Range,
  TextEdit,
} from 'vscode-languageserver-protocol';
import type { LspClient } from '../support/lsp-client.js';
import { lineLengths, lineStarts, offsetAt, positionAt, rangeProblem } from '../hostile/text-lines.js';
import type { Prng } from './prng.js';

/** A corpus file: a name for the log and its text. */
export interface CorpusFile {
  readonly name: string;
  readonly text: string;
}

export interface FuzzOptions {
  readonly rng: Prng;
  readonly ops: number;
  readonly corpus: readonly CorpusFile[];
  /** How long any request may take, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** How many documents are open at once. */
  readonly openDocuments?: number;
}

/** What a run did, for the report. */
export interface FuzzStats {
  readonly ops: Record<string, number>;
  requests: number;
  edits: number;
  publishesChecked: number;
  comparisons: number;
  slowestRequestMs: number;
  slowestMethod: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface OpenDoc {
  readonly uri: string;
  readonly origin: string;
  text: string;
  version: number;
  /** Text of every version the server may still publish diagnostics for. */
  readonly texts: Map<number, string>;
  /** Applied edits, for undo: the offsets and the text each one removed. */
  readonly history: { start: number; removed: string; inserted: string }[];
}

/** A fuzz failure: the message says what broke; the trace how to get there. */
export class FuzzFailure extends Error {}

/** A document longer than this is retired (checked and replaced by a fresh corpus file). */
const MAX_DOCUMENT_CHARS = 32 * 1024;

/** Short strings that upset YAML parsers, or make policies. */
const TOKENS = [
  '\n',
  '\n',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '  ',
  '    ',
  '\t',
  '-',
  '- ',
  ':',
  ': ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '# c',
  '&a ',
  '*a',
  '<<: *a',
  '---\n',
  '...\n',
  '{{ .Values.x }}',
  '!!binary ',
  '!Ref ',
  '!!str ',
  '?',
  '|\n',
  '>-\n',
  '%YAML 1.2\n',
  'null',
  '~',
  '\\',
  '\\u00e9',
  '1e400',
  '-1',
  '0x1F',
  '65536',
  '"80"',
  'toPorts:',
  'ports:',
  'port: "80"',
  'protocol: TCP',
  'matchLabels:',
  'app: web',
  'endpointSelector: {}',
  'ingress:',
  'egress:',
  'toFQDNs:',
  'matchPattern: "*.x"',
  'rules:',
  'http:',
  'path: "/(a+)+$"',
  'method: "(?=x)"',
  'kprobes:',
  'call: "sys_openat"',
  'syscall: true',
  'apiVersion: cilium.io/v2\n',
  'apiVersion: cilium.io/v1alpha1\n',
  'kind: CiliumNetworkPolicy\n',
  'kind: TracingPolicy\n',
  'kind: CiliumEnvoyConfig\n',
  'metadata:\n  name: f\n',
  'spec:\n',
  '😀',
  'é',
  'ß',
  '\u2028',
  '\u00a0',
  '\ufeff',
  '\u0000',
  '\ud800',
  'x',
  'y',
  '0',
];

export class FuzzSession {
  readonly stats: FuzzStats = {
    ops: {},
    requests: 0,
    edits: 0,
    publishesChecked: 0,
    comparisons: 0,
    slowestRequestMs: 0,
    slowestMethod: '',
  };
  /** One line per operation, printed when the run fails. */
  readonly trace: string[] = [];
  /** Every text sent, in order, so that a failure can be replayed in process. */
  private readonly events: (
    { type: 'open'; uri: string; text: string } | { type: 'change'; uri: string; version: number; changes: unknown[] }
  )[] = [];
  private readonly docs: OpenDoc[] = [];
  private readonly retired = new Map<string, OpenDoc>();
  private checkedPublishes = 0;
  private opened = 0;
  private previewSupported = false;

  constructor(
    readonly client: LspClient,
    private readonly options: FuzzOptions,
  ) {
    const experimental = client.initializeResult?.capabilities.experimental as
      { endpointPreviewProvider?: boolean } | undefined;
    this.previewSupported = experimental?.endpointPreviewProvider === true;
  }

  /** Runs the operations; throws a `FuzzFailure` on the first problem. */
  async run(): Promise<FuzzStats> {
    const rng = this.options.rng;
    for (let i = 0; i < (this.options.openDocuments ?? 2); i++) await this.openNew();
    await this.warmUp();
    for (let op = 0; op < this.options.ops; op++) {
      const doc = rng.pick(this.docs);
      // Pastes make documents grow without bound; past editing size each lint costs more than the
      // time limit allows on a loaded machine. The hostile inputs cover big files.
      const kind =
        doc.text.length > MAX_DOCUMENT_CHARS
          ? 'retire'
          : rng.weighted({
              insert: 30,
              delete: 15,
              paste: 6,
              undo: 10,
              multi: 4,
              replaceAll: 1,
              completion: 10,
              racingCompletion: 3,
              hover: 8,
              codeAction: 5,
              applyFix: 3,
              codeLens: 4,
              preview: 3,
              symbols: 2,
              save: 1,
              retire: 1,
            });
      this.stats.ops[kind] = (this.stats.ops[kind] ?? 0) + 1;
      await this.step(kind, doc, op);
      if (!this.client.alive) throw this.fail(`the server exited after operation ${op} (${kind})`);
      this.checkPublishes();
    }
    for (const doc of [...this.docs]) await this.retire(doc, false);
    this.checkPublishes();
    return this.stats;
  }

  private async step(kind: string, doc: OpenDoc, op: number): Promise<void> {
    const rng = this.options.rng;
    switch (kind) {
      case 'insert': {
        const at = this.offset(doc);
        return this.applyEdits(doc, [{ start: at, end: at, text: this.snippet(doc) }], `#${op} insert`);
      }
      case 'delete': {
        const start = this.offset(doc);
        const end = this.safeOffset(
          doc.text,
          Math.min(doc.text.length, start + (rng.chance(0.1) ? rng.int(600) : rng.int(30))),
        );
        return this.applyEdits(doc, [{ start, end, text: '' }], `#${op} delete`);
      }
      case 'paste': {
        const from = rng.pick(this.options.corpus);
        const whole = rng.chance(0.3);
        const a = rng.int(from.text.length + 1);
        const piece = whole ? `---\n${from.text}` : from.text.slice(a, a + rng.int(800));
        const start = this.offset(doc);
        const end = rng.chance(0.3)
          ? this.safeOffset(doc.text, Math.min(doc.text.length, start + rng.int(200)))
          : start;
        return this.applyEdits(doc, [{ start, end, text: piece }], `#${op} paste from ${from.name}`);
      }
      case 'undo': {
        const last = doc.history.pop();
        if (!last) return;
        const edit = { start: last.start, end: last.start + last.inserted.length, text: last.removed };
        return this.applyEdits(doc, [edit], `#${op} undo`, false);
      }
      case 'multi': {
        // Several changes in one notification, applied in order (as multi-cursor editors send them).
        const edits: Edit[] = [];
        let text = doc.text;
        for (let n = rng.between(2, 4); n > 0; n--) {
          const start = this.safeOffset(text, rng.int(text.length + 1));
          const end = this.safeOffset(text, Math.min(text.length, start + rng.int(10)));
          const e = { start, end, text: this.snippet(doc) };
          edits.push(e);
          text = text.slice(0, start) + e.text + text.slice(end);
        }
        return this.applyEdits(doc, edits, `#${op} multi`);
      }
      case 'replaceAll': {
        const from = rng.pick(this.options.corpus);
        this.trace.push(`#${op} replaceAll ${doc.uri} with ${from.name}`);
        doc.text = from.text;
        doc.history.length = 0;
        doc.version++;
        doc.texts.set(doc.version, doc.text);
        this.events.push({ type: 'change', uri: doc.uri, version: doc.version, changes: [{ text: doc.text }] });
        await this.client.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri: doc.uri, version: doc.version },
          contentChanges: [{ text: doc.text }],
        });
        this.stats.edits++;
        return;
      }
      case 'completion':
      case 'hover': {
        const position = this.position(doc);
        this.trace.push(`#${op} ${kind} ${doc.uri} ${position.line}:${position.character}`);
        const r = await this.request(`textDocument/${kind}`, { textDocument: { uri: doc.uri }, position });
        this.checkRanges(
          doc,
          kind,
          kind === 'hover'
            ? hoverRanges(r as Hover | null)
            : completionRanges(r as CompletionList | CompletionItem[] | null),
        );
        return;
      }
      case 'racingCompletion': {
        // A completion request still in flight while the document changes, as when typing fast.
        const position = this.position(doc);
        this.trace.push(`#${op} racingCompletion ${doc.uri} ${position.line}:${position.character}`);
        const pending = this.request('textDocument/completion', { textDocument: { uri: doc.uri }, position });
        const at = this.offset(doc);
        await this.applyEdits(doc, [{ start: at, end: at, text: this.snippet(doc) }], `#${op} racing insert`);
        await pending;
        return;
      }
      case 'codeAction':
      case 'applyFix': {
        const diagnostics = this.latestDiagnostics(doc);
        const start = this.position(doc);
        const range: Range = rng.chance(0.5)
          ? { start: { line: 0, character: 0 }, end: positionAt(lineStarts(doc.text), doc.text.length) }
          : { start, end: start };
        this.trace.push(`#${op} ${kind} ${doc.uri} with ${diagnostics.length} diagnostics`);
        const r = (await this.request('textDocument/codeAction', {
          textDocument: { uri: doc.uri },
          range,
          context: { diagnostics },
        })) as CodeAction[] | null;
        const edits = (r ?? []).flatMap((a) =>
          (a.edit?.changes?.[doc.uri] ?? []).map((e) => ({ action: a.title, edit: e })),
        );
        this.checkRanges(
          doc,
          'codeAction edit',
          edits.map((e) => e.edit.range),
        );
        if (kind === 'applyFix' && r && r.length > 0) {
          const action = rng.pick(r);
          const own = action.edit?.changes?.[doc.uri] ?? [];
          if (own.length > 0)
            await this.applyEdits(doc, this.toSequentialEdits(doc, own), `#${op} apply "${action.title}"`);
        }
        return;
      }
      case 'codeLens': {
        this.trace.push(`#${op} codeLens ${doc.uri}`);
        const r = (await this.request('textDocument/codeLens', { textDocument: { uri: doc.uri } })) as
          CodeLens[] | null;
        this.checkRanges(
          doc,
          'codeLens',
          (r ?? []).map((l) => l.range),
        );
        return;
      }
      case 'preview': {
        if (!this.previewSupported) return;
        const position = rng.chance(0.3) ? undefined : this.position(doc);
        this.trace.push(
          `#${op} endpointPreview ${doc.uri} ${position ? `${position.line}:${position.character}` : '(all)'}`,
        );
        await this.request('ciliumPolicy/endpointPreview', {
          textDocument: { uri: doc.uri },
          ...(position ? { position } : {}),
        });
        return;
      }
      case 'symbols': {
        this.trace.push(`#${op} documentSymbol ${doc.uri}`);
        await this.request('textDocument/documentSymbol', { textDocument: { uri: doc.uri } });
        return;
      }
      case 'save': {
        this.trace.push(`#${op} save ${doc.uri}`);
        await this.client.save(doc.uri);
        return;
      }
      case 'retire': {
        await this.retire(doc, true);
        return;
      }
    }
  }

  /** Sends edits as one incremental change and applies them to the local copy. */
  private async applyEdits(doc: OpenDoc, edits: readonly Edit[], what: string, record = true): Promise<void> {
    const changes: { range: Range; text: string }[] = [];
    for (const e of edits) {
      const starts = lineStarts(doc.text);
      changes.push({ range: { start: positionAt(starts, e.start), end: positionAt(starts, e.end) }, text: e.text });
      const removed = doc.text.slice(e.start, e.end);
      doc.text = doc.text.slice(0, e.start) + e.text + doc.text.slice(e.end);
      if (record) doc.history.push({ start: e.start, removed, inserted: e.text });
    }
    doc.version++;
    doc.texts.set(doc.version, doc.text);
    this.trace.push(`${what} ${doc.uri} v${doc.version} ${JSON.stringify(changes)}`);
    this.events.push({ type: 'change', uri: doc.uri, version: doc.version, changes });
    await this.client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: doc.uri, version: doc.version },
      contentChanges: changes,
    });
    this.stats.edits++;
  }

  /** LSP text edits of one action (non-overlapping, against one text) as edits applied one after the other. */
  private toSequentialEdits(doc: OpenDoc, edits: readonly TextEdit[]): Edit[] {
    const starts = lineStarts(doc.text);
    // From the end backwards, the offsets of earlier edits stay valid; of two insertions at one
    // point the later one goes first, so the first ends up in front.
    return edits
      .map((e, i) => ({
        i,
        start: offsetAt(doc.text, starts, e.range.start),
        end: offsetAt(doc.text, starts, e.range.end),
        text: e.newText,
      }))
      .sort((a, b) => b.start - a.start || b.i - a.i)
      .map(({ start, end, text }) => ({ start, end, text }));
  }

  private async openNew(): Promise<void> {
    const from = this.options.rng.pick(this.options.corpus);
    const uri = `file:///cilium-policy-fuzz/${++this.opened}-${from.name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    const doc: OpenDoc = {
      uri,
      origin: from.name,
      text: from.text,
      version: 1,
      texts: new Map([[1, from.text]]),
      history: [],
    };
    this.trace.push(`open ${uri} from ${from.name}`);
    this.events.push({ type: 'open', uri, text: doc.text });
    await this.client.open(uri, doc.text);
    this.docs.push(doc);
  }

  /** The first completion and hover may load schemas; they get the generous default wait. */
  private async warmUp(): Promise<void> {
    const doc = this.docs[0]!;
    await this.client.completion(doc.uri, { line: 0, character: 0 });
    await this.client.hover(doc.uri, { line: 0, character: 0 });
  }

  /**
   * Closes a document after checking its last diagnostics against those of the same text opened
   * fresh, then (when `replace`) opens another corpus file in its place.
   */
  private async retire(doc: OpenDoc, replace: boolean): Promise<void> {
    const final = await this.client.waitForDiagnostics(doc.uri, doc.version);
    if (final.version === doc.version) {
      const freshUri = `${doc.uri}.fresh`;
      const v = await this.client.open(freshUri, doc.text);
      const fresh = await this.client.waitForDiagnostics(freshUri, v);
      await this.client.close(freshUri);
      this.stats.comparisons++;
      const a = normalise(final.diagnostics);
      const b = normalise(fresh.diagnostics);
      const onlyA = a.filter((x) => !b.includes(x));
      const onlyB = b.filter((x) => !a.includes(x));
      if (onlyA.length > 0 || onlyB.length > 0) {
        throw this.fail(
          `${doc.uri} v${doc.version}: incremental diagnostics differ from a fresh parse of the same text\nonly incremental: ${onlyA.join('\n').slice(0, 1500)}\nonly fresh: ${onlyB.join('\n').slice(0, 1500)}\ntext: ${JSON.stringify(doc.text).slice(0, 1500)}`,
        );
      }
    }
    this.trace.push(`close ${doc.uri}`);
    await this.client.close(doc.uri);
    this.docs.splice(this.docs.indexOf(doc), 1);
    this.retired.set(doc.uri, doc);
    if (replace) await this.openNew();
  }

  /** Sends a request; it must be answered in time and not with an internal error. */
  private async request(method: string, params: unknown): Promise<unknown> {
    const started = process.hrtime.bigint();
    this.stats.requests++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(this.fail(`${method} was not answered within ${this.options.requestTimeoutMs} ms`)),
        this.options.requestTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.client.connection.sendRequest(method, params), timeout]);
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      if (e instanceof ResponseError)
        throw this.fail(`${method} was answered with an error: ${e.message}\n${this.client.stderr.slice(-3000)}`);
      throw this.fail(`${method} failed: ${String(e)}`);
    } finally {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (ms > this.stats.slowestRequestMs) {
        this.stats.slowestRequestMs = ms;
        this.stats.slowestMethod = method;
      }
    }
  }

  /** Checks every diagnostics notification that arrived since the last call. */
  private checkPublishes(): void {
    const all = this.client.diagnostics.all;
    for (; this.checkedPublishes < all.length; this.checkedPublishes++) {
      const p = all[this.checkedPublishes]!;
      const doc = this.docs.find((d) => d.uri === p.uri) ?? this.retired.get(p.uri);
      if (!doc) continue; // the `.fresh` copies, checked by comparison
      if (p.version === undefined || p.version === null) {
        if (p.diagnostics.length > 0) throw this.fail(`${p.uri}: diagnostics without a version`);
        continue;
      }
      const text = doc.texts.get(p.version);
      if (text === undefined) throw this.fail(`${p.uri}: diagnostics for version ${p.version}, which was never sent`);
      this.stats.publishesChecked++;
      const lengths = lineLengths(text);
      for (const d of p.diagnostics) {
        const problem = rangeProblem(lengths, d.range);
        if (problem)
          throw this.fail(
            `${p.uri} v${p.version}: diagnostic ${d.code} outside the document: ${problem}\n${JSON.stringify(d)}\ntext: ${JSON.stringify(text).slice(0, 3000)}`,
          );
        if (d.code === 'internal/rule-failed')
          throw this.fail(
            `${p.uri} v${p.version}: a rule threw: ${d.message}\ntext: ${JSON.stringify(text).slice(0, 3000)}`,
          );
      }
      // Older versions can no longer be published once a newer one was: forget their text.
      for (const v of doc.texts.keys()) if (v < p.version) doc.texts.delete(v);
    }
  }

  private checkRanges(doc: OpenDoc, what: string, ranges: readonly Range[]): void {
    const lengths = lineLengths(doc.text);
    for (const r of ranges) {
      const problem = rangeProblem(lengths, r);
      if (problem)
        throw this.fail(
          `${doc.uri} v${doc.version}: ${what} range outside the document: ${problem}\ntext: ${JSON.stringify(doc.text).slice(0, 3000)}`,
        );
    }
  }

  /** The diagnostics last published for the document (maybe for an older version, as editors keep them). */
  private latestDiagnostics(doc: OpenDoc): Diagnostic[] {
    const all = this.client.diagnostics.all;
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.uri === doc.uri) return all[i]!.diagnostics;
    return [];
  }

  /** A random offset that does not split a CRLF pair (LSP positions cannot name that point). */
  private offset(doc: OpenDoc): number {
    return this.safeOffset(doc.text, this.options.rng.int(doc.text.length + 1));
  }

  private safeOffset(text: string, o: number): number {
    return o > 0 && text.charCodeAt(o - 1) === 13 && text.charCodeAt(o) === 10 ? o - 1 : o;
  }

  private position(doc: OpenDoc): { line: number; character: number } {
    const rng = this.options.rng;
    // Mostly real positions; sometimes past the end of a line or of the document, which clients do send.
    if (rng.chance(0.05)) return { line: rng.int(lineStarts(doc.text).length + 3), character: rng.int(200) };
    return positionAt(lineStarts(doc.text), this.offset(doc));
  }

  private snippet(doc: OpenDoc): string {
    const rng = this.options.rng;
    if (rng.chance(0.2) && doc.text.length > 0) {
      // A piece of the document itself: keys and values that make sense here.
      const a = rng.int(doc.text.length);
      return doc.text.slice(a, a + rng.between(1, 40));
    }
    let s = '';
    for (let n = rng.between(1, 5); n > 0; n--) s += rng.pick(TOKENS);
    return s;
  }

  private fail(message: string): FuzzFailure {
    // The documents as they are now, and every operation, go to a file: enough to write a regression test.
    const file = path.join(os.tmpdir(), `cilium-policy-fuzz-${this.options.rng.seed}.json`);
    try {
      fs.writeFileSync(
        file,
        JSON.stringify(
          {
            seed: this.options.rng.seed,
            message,
            documents: this.docs.map((d) => ({ uri: d.uri, version: d.version, text: d.text })),
            trace: this.trace,
            events: this.events,
          },
          null,
          1,
        ),
      );
    } catch {
      // the message below still has the seed
    }
    return new FuzzFailure(
      `seed ${this.options.rng.seed}: ${message}\n(documents and all operations written to ${file})\nlast operations:\n${this.trace
        .slice(-15)
        .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
        .join('\n')}`,
    );
  }
}

function hoverRanges(h: Hover | null): Range[] {
  return h?.range ? [h.range] : [];
}

function completionRanges(r: CompletionList | CompletionItem[] | null): Range[] {
  const items = r ? (Array.isArray(r) ? r : r.items) : [];
  const out: Range[] = [];
  for (const item of items) {
    const e = item.textEdit;
    if (!e) continue;
    if ('range' in e) out.push(e.range);
    else out.push(e.insert, e.replace);
    for (const extra of item.additionalTextEdits ?? []) out.push(extra.range);
  }
  return out;
}

/** Diagnostics in a canonical order, for comparing two publications. */
/**
 * Diagnostics in a canonical order, for comparing two publications. `cilium/selects-nothing` is
 * left out: it depends on the inventory, which the fresh copy itself changes (open documents'
 * workloads count), not on how the text was parsed.
 */
function normalise(ds: readonly Diagnostic[]): string[] {
  return ds
    .filter((d) => d.code !== 'cilium/selects-nothing')
    .map((d) => JSON.stringify([d.range, d.code, d.severity, d.message]))
    .sort();
}
