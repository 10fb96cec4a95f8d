// SPDX-License-Identifier: Apache-2.0
/**
 * Parsing a YAML file into independent documents, each tagged with the policy kind it holds.
 *
 * Every document of a multi-document file is looked at on its own. Offsets are UTF-16 indexes
 * into the whole file text, so findings from any document can be placed without translation.
 */
import {
  Composer,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  Parser,
  type DocumentOptions,
  type ParseOptions,
  type ScalarTag,
  type SchemaOptions,
} from 'yaml';
import type { Document, Node, Pair, ParsedNode, Scalar } from 'yaml';
import { CODES, type Finding, type Span } from './findings.js';
import { KINDS, kindOf, kindWithWrongApiVersion, type KindInfo } from './kinds.js';
import { fastCst } from './yaml-fast-cst.js';

/** Files larger than this are skipped with one informational finding. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Alias expansions allowed while converting a document to data (guards against "billion laughs"). */
export const MAX_ALIAS_COUNT = 1000;

/** One YAML document of a file. */
export interface PolicyDocument {
  /** Zero-based position of the document in the file. */
  readonly index: number;
  /** The span of the document's text, including its `---` marker when it has one. */
  readonly span: Span;
  /** The slice of the file this document was parsed from (what incremental parsing compares). */
  readonly chunk: Chunk;
  /** The parsed document with source positions. */
  readonly yaml: Document.Parsed;
  /** The kind, when the document is one of ours. */
  readonly kind: KindInfo | undefined;
  /** `apiVersion`/`kind` as written, when they are plain strings. */
  readonly apiVersion: string | undefined;
  readonly kindName: string | undefined;
  /** `metadata.name` and `metadata.namespace` as written. */
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  /** True when the document contains Helm/Go template markers (`{{ … }}`) or Terraform directives (`%{ … }`). */
  readonly templated: boolean;
  /**
   * For a templated document whose YAML cannot be read as written (a `{{ if … }}` line before its
   * keys), the kind its `apiVersion:`/`kind:` lines name, when that is one of ours.
   */
  readonly templatedKind: KindInfo | undefined;
  /** True when the document contains nothing but comments or whitespace. */
  readonly empty: boolean;
  /** YAML syntax problems, already as findings. */
  readonly syntaxErrors: readonly Finding[];
  /** The document as plain data, or undefined when it could not be converted. */
  readonly data: unknown;
  /** Why `data` is missing, when conversion failed (for example too many aliases). */
  readonly dataError: Finding | undefined;
}

/** A whole file. */
export interface PolicyFile {
  readonly text: string;
  readonly documents: readonly PolicyDocument[];
  /** Set when the file was not parsed at all (too large, binary). */
  readonly skipped: Finding | undefined;
}

/** Helm/Go template actions (`{{ … }}`) and Terraform template directives (`%{ … }`). */
const TEMPLATE_MARKER = /\{\{[\s\S]*?\}\}|%\{[^}\n]*\}/;

/** A `kind:` line and an `apiVersion:` line, read from the text of a document that does not parse. */
const KIND_LINE = /^[ \t]*kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$/m;
const API_VERSION_LINE = /^[ \t]*apiVersion:[ \t]*["']?([^"'\s#]+)["']?[ \t]*(?:#.*)?$/m;

/** The kind a templated document's text names, when its lines say it is one of ours. */
function kindFromText(source: string): KindInfo | undefined {
  const kindName = KIND_LINE.exec(source)?.[1];
  const apiVersion = API_VERSION_LINE.exec(source)?.[1];
  const templatedVersion = /^[ \t]*apiVersion:.*\{\{/m.test(source);
  return kindOf(apiVersion, kindName) ?? (templatedVersion ? KINDS.find((k) => k.kind === kindName) : undefined);
}

/**
 * A `${NAME}` placeholder of envsubst (also `${NAME:=default}`, `${NAME:-default}`) or of a
 * Terraform template (`${var.name}`).
 */
export const PLACEHOLDER_TOKEN = /\$\{[A-Za-z_][A-Za-z0-9_.]*(?::?[-=?+][^}]*)?\}/;

/** Returns a reason when the text should not be parsed: it is too large or looks binary. */
export function skipReason(text: string): string | undefined {
  if (text.length > MAX_FILE_BYTES) {
    return `File skipped: it is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MB.`;
  }
  if (text.includes('\u0000')) {
    return 'File skipped: it contains NUL bytes and looks binary.';
  }
  // Count control characters other than tab, line feed and carriage return in a prefix.
  const sample = text.slice(0, 8192);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.1) {
    return 'File skipped: it contains many control characters and looks binary.';
  }
  return undefined;
}

/**
 * The unquoted words kubectl and the API server read as booleans. Kubernetes decodes YAML with a
 * YAML 1.1 resolver (sigs.k8s.io/yaml, built on go-yaml v2), where `yes`, `no`, `on`, `off`, `y`
 * and `n` are booleans, not strings; YAML 1.2 (the `yaml` package's default) reads them as strings.
 * We read them as Kubernetes does, so `app: on` is the boolean it will be on the cluster.
 */
export const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** The YAML 1.1 booleans that YAML 1.2 does not have, as a tag of the core schema. */
const yaml11Booleans: ScalarTag = {
  identify: (v) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: YAML11_BOOLEAN,
  resolve: (s) => /^[yY]|^[oO][nN]$/.test(s),
};

/** The tags every parse adds to YAML 1.2's core schema, so values read as Kubernetes reads them. */
export const KUBERNETES_TAGS: ScalarTag[] = [yaml11Booleans];

/** Options for `parseAllDocuments`, shared by every parse so results are comparable. */
const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  merge: true,
  prettyErrors: false,
  uniqueKeys: true,
  logLevel: 'error',
  customTags: KUBERNETES_TAGS,
};

/**
 * Parses a file into documents. Never throws.
 *
 * With `previous` (the parse of an earlier version of the same file), documents whose text did not
 * change are reused instead of parsed again: only the edited document costs a parse, which is what
 * keeps large multi-document files fast while typing. `previous` is consumed: its documents may be
 * moved to their new offsets in place, so it must not be used afterwards.
 */
export function parseFile(text: string, previous?: PolicyFile): PolicyFile {
  return runSteps(parseFileSteps(text, previous));
}

/** Runs a generator of steps to its end and returns its result. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Lexical tokens read between two pauses of {@link parseFileSteps}: a millisecond or two of work. */
const LEXEMES_PER_STEP = 4000;

/**
 * The longest chunk read by the fast scanner, which does not pause within a chunk: about 2,000
 * lines, which it scans in 2 ms and the composer reads in about 10 (the composer always reads a
 * whole document without a pause). Longer documents take the yaml package's stepped path.
 */
const FAST_CHUNK_LENGTH = 64 * 1024;

/**
 * {@link parseFile} as a generator that pauses (yields) every few thousand tokens of YAML and
 * between documents, so that an adapter can spread the parse of a large file over several turns of
 * its event loop and answer other requests in between. The result is exactly `parseFile`'s.
 *
 * `previous` is only touched after the last pause: a parse that is abandoned (never run to its
 * end) leaves it as it was.
 */
export function* parseFileSteps(text: string, previous?: PolicyFile): Generator<void, PolicyFile, void> {
  const reason = skipReason(text);
  if (reason !== undefined) {
    return {
      text,
      documents: [],
      skipped: { code: CODES.fileSkipped, severity: 'information', message: reason, span: { start: 0, end: 0 } },
    };
  }
  // The yaml package only breaks lines at LF, but YAML (and LSP) also end a line at a lone CR. Turning
  // each lone CR into LF keeps every offset, so findings still point into `text`.
  const source = loneCrToLf(text);
  const documents: PolicyDocument[] = [];
  try {
    const chunks = splitDocuments(source);
    const reusable = reusableDocuments(source, chunks, previous);
    // First the chunks whose text changed are parsed and described, each on its own (with pauses);
    // nothing of `previous` is changed yet. Their documents get their index below.
    const described: PolicyDocument[][] = [];
    for (const [k, chunk] of chunks.entries()) {
      if (reusable[k]) continue;
      const docs = yield* parseChunk(source.slice(chunk.start, chunk.end));
      // The chunk was parsed on its own; its nodes move to their offsets in the whole file.
      for (const d of docs) shiftDocument(d, chunk.start);
      described[k] = docs.map((d, i) =>
        // A document's text runs to the next document of the chunk (several only with directives), or to the chunk's end.
        describeDocument(text, d, -1, chunk, i + 1 < docs.length ? docs[i + 1]!.range[0] : chunk.end),
      );
      yield;
    }
    // Then, without a pause, reused documents move to their new offsets, and every document gets its index.
    for (const [k, chunk] of chunks.entries()) {
      const old = reusable[k];
      if (old) documents.push(moveDocument(old, chunk, documents.length));
      else for (const d of described[k] ?? []) documents.push({ ...d, index: documents.length });
    }
  } catch (e) {
    return {
      text,
      documents: [],
      skipped: {
        code: CODES.yamlSyntax,
        severity: 'error',
        message: `The file could not be parsed as YAML: ${tooDeep(e) ? NESTED_TOO_DEEPLY : (e as Error).message}`,
        span: { start: 0, end: Math.min(text.length, 1) },
      },
    };
  }
  return { text, skipped: undefined, documents };
}

/**
 * The documents of one chunk, as `parseAllDocuments` reads them, with a pause every
 * {@link LEXEMES_PER_STEP} tokens: the lexer, parser and composer of the `yaml` package are driven
 * one token at a time, which is what `parseAllDocuments` does in one go.
 */
function* parseChunk(chunkText: string): Generator<void, Document.Parsed[], void> {
  const composer = new Composer(PARSE_OPTIONS);
  const docs: Document.Parsed[] = [];
  // Plain block YAML (nearly every policy document) skips the yaml package's lexer and parser: the
  // fast scanner builds the same concrete syntax tree in a fraction of the time, and the composer
  // reads it as it reads theirs. A long chunk keeps the stepped path, which pauses within it.
  const tokens = chunkText.length <= FAST_CHUNK_LENGTH ? fastCst(chunkText) : undefined;
  if (tokens) {
    for (const token of tokens) for (const d of composer.next(token)) docs.push(d as Document.Parsed);
    for (const d of composer.end()) docs.push(d as Document.Parsed);
    return docs;
  }
  const parser = new Parser();
  let n = 0;
  for (const lexeme of new Lexer().lex(chunkText)) {
    for (const token of parser.next(lexeme)) for (const d of composer.next(token)) docs.push(d as Document.Parsed);
    if (++n % LEXEMES_PER_STEP === 0) yield;
  }
  for (const token of parser.end()) for (const d of composer.next(token)) docs.push(d as Document.Parsed);
  for (const d of composer.end()) docs.push(d as Document.Parsed);
  return docs;
}

/**
 * For each chunk of the new text, the document of the previous parse that has exactly its text, if
 * any. An edit leaves the chunks before it and after it as they were, so those are matched by
 * position from both ends (one comparison each); only the chunks in between are looked up by text
 * (documents moved or duplicated). Chunks that held several documents (files with directives) are
 * never reused.
 */
function reusableDocuments(
  source: string,
  chunks: readonly Chunk[],
  previous: PolicyFile | undefined,
): (PolicyDocument | undefined)[] {
  const out: (PolicyDocument | undefined)[] = new Array<PolicyDocument | undefined>(chunks.length).fill(undefined);
  if (!previous || previous.skipped) return out;
  const previousSource = loneCrToLf(previous.text);
  const perChunk = new Map<number, number>();
  for (const d of previous.documents) perChunk.set(d.chunk.start, (perChunk.get(d.chunk.start) ?? 0) + 1);
  const old = previous.documents.filter((d) => perChunk.get(d.chunk.start) === 1);
  const textOf = (d: PolicyDocument): string => previousSource.slice(d.chunk.start, d.chunk.end);
  const same = (d: PolicyDocument, c: Chunk): boolean =>
    d.chunk.end - d.chunk.start === c.end - c.start && textOf(d) === source.slice(c.start, c.end);
  let head = 0;
  while (head < chunks.length && head < old.length && same(old[head]!, chunks[head]!)) {
    out[head] = old[head];
    head++;
  }
  let tail = 0;
  while (
    head + tail < chunks.length &&
    head + tail < old.length &&
    same(old[old.length - 1 - tail]!, chunks[chunks.length - 1 - tail]!)
  ) {
    out[chunks.length - 1 - tail] = old[old.length - 1 - tail];
    tail++;
  }
  if (head + tail < chunks.length && head + tail < old.length) {
    const byText = new Map<string, PolicyDocument[]>();
    for (let k = head; k < old.length - tail; k++) {
      const key = textOf(old[k]!);
      const list = byText.get(key);
      if (list) list.push(old[k]!);
      else byText.set(key, [old[k]!]);
    }
    for (let k = head; k < chunks.length - tail; k++)
      out[k] = byText.get(source.slice(chunks[k]!.start, chunks[k]!.end))?.shift();
  }
  return out;
}

/** What a stack overflow while reading YAML means to a user. */
const NESTED_TOO_DEEPLY = 'it is nested too deeply (the parser ran out of stack).';

/** True for the error a stack overflow throws. */
function tooDeep(e: unknown): boolean {
  return e instanceof RangeError;
}

/** The text with every CR that is not followed by LF replaced by LF (same length, same offsets). */
function loneCrToLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** A span of the file that holds one document's text (its `---` line included). */
export interface Chunk {
  readonly start: number;
  readonly end: number;
}

/**
 * Splits a file at its document markers. A `---` or `...` line at column 0 always separates
 * documents in YAML (it cannot be content, even inside a block scalar), so this is exact; files
 * with directives (`%YAML`) are left whole, because a directive belongs to the next document.
 */
export function splitDocuments(text: string): Chunk[] {
  // Lines start after LF or CR only: a line start after U+2028 or U+2029 (which a regular
  // expression's `m` flag would see) is an ordinary character in YAML, inside a quoted string for instance.
  if (text.startsWith('%') || text.includes('\n%') || text.includes('\r%')) return [{ start: 0, end: text.length }];
  const chunks: Chunk[] = [];
  let start = 0;
  // Markers are found with indexOf rather than a regular expression with a look-behind: this runs
  // on every keystroke over the whole file, and the look-behind made it a scan per character.
  const dashes = markerOffsets(text, '---');
  const dots = markerOffsets(text, '...');
  let d = 0;
  let p = 0;
  while (d < dashes.length || p < dots.length) {
    const dash = p >= dots.length || (d < dashes.length && dashes[d]! < dots[p]!);
    const at = dash ? dashes[d++]! : dots[p++]!;
    if (at < start) continue; // on a line already consumed by a `...`
    if (dash) {
      if (at > start) chunks.push({ start, end: at });
      start = at;
    } else {
      // `...` ends the current document; the next one starts on the following line.
      let next = at + 3;
      while (next < text.length && text[next] !== '\n' && text[next] !== '\r') next++;
      if (text[next] === '\r' && text[next + 1] === '\n') next++;
      next = Math.min(text.length, next + 1);
      chunks.push({ start, end: next });
      start = next;
    }
  }
  if (start < text.length || chunks.length === 0) chunks.push({ start, end: text.length });
  return chunks;
}

/** Offsets of `token` (`---` or `...`) where it is a document marker: at a line start, followed by a blank or the end. */
function markerOffsets(text: string, token: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + 1)) {
    const before = i === 0 ? '\n' : text[i - 1];
    const after = text[i + 3];
    if (
      (before === '\n' || before === '\r') &&
      (after === undefined || after === ' ' || after === '\t' || after === '\n' || after === '\r')
    )
      out.push(i);
  }
  return out;
}

/**
 * Moves a reused document to its new place: node ranges, error positions and spans shift. Its text
 * is the same, so everything read from it (kind, names, template markers, data) is kept as it was
 * instead of being described again: a long file has thousands of unchanged documents per edit.
 */
function moveDocument(doc: PolicyDocument, chunk: Chunk, index: number): PolicyDocument {
  const delta = chunk.start - doc.chunk.start;
  shiftDocument(doc.yaml, delta);
  const shift = (s: Span): Span => ({ start: s.start + delta, end: s.end + delta });
  return {
    ...doc,
    index,
    chunk,
    span: shift(doc.span),
    syntaxErrors: delta === 0 ? doc.syntaxErrors : doc.syntaxErrors.map((f) => ({ ...f, span: shift(f.span) })),
    dataError: doc.dataError && { ...doc.dataError, span: shift(doc.dataError.span) },
  };
}

/**
 * The range arrays of a parsed document (its own and every node's), collected by one walk on its
 * first move. A long file moves thousands of documents per edit (all those after the edit), so
 * later moves are a loop over this list instead of a walk through the nodes.
 */
const rangesOf = new WeakMap<Document.Parsed, [number, number, number][]>();

function collectRanges(yaml: Document.Parsed): [number, number, number][] {
  const out: [number, number, number][] = [];
  if (yaml.range) out.push(yaml.range);
  // Pairs have no range of their own; null keys and values (`{ : x }`, `a:`) are skipped.
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
      return;
    }
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) out.push(range);
    if (isMap(node) || isSeq(node)) for (const item of node.items as unknown[]) walk(item);
  };
  walk(yaml.contents);
  return out;
}

/** Adds `delta` to every source offset of a parsed document (in place). */
function shiftDocument(yaml: Document.Parsed, delta: number): void {
  if (delta === 0) return;
  let ranges = rangesOf.get(yaml);
  if (!ranges) {
    ranges = collectRanges(yaml);
    rangesOf.set(yaml, ranges);
  }
  for (const r of ranges) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  for (const e of yaml.errors) {
    e.pos[0] += delta;
    e.pos[1] += delta;
  }
  for (const e of yaml.warnings) {
    e.pos[0] += delta;
    e.pos[1] += delta;
  }
}

function describeDocument(
  text: string,
  yaml: Document.Parsed,
  index: number,
  chunk: Chunk,
  textEnd: number,
): PolicyDocument {
  const [start, , end] = yaml.range;
  const span = { start, end };
  // Template markers are looked for in the whole chunk: where the YAML breaks (a `{{- end }}` line
  // after a map), the parsed document stops before them.
  const source = text.slice(start, Math.max(end, textEnd));
  const templated = TEMPLATE_MARKER.test(source);
  const apiVersion = scalarString(topValue(yaml, 'apiVersion'));
  const kindName = scalarString(topValue(yaml, 'kind'));
  const metadata = topValue(yaml, 'metadata');
  const name = isMap(metadata) ? scalarString(metadata.get('name', true)) : undefined;
  const namespace = isMap(metadata) ? scalarString(metadata.get('namespace', true)) : undefined;
  const kind = kindOf(apiVersion, kindName);
  const templatedKind = templated && !kind ? kindFromText(source) : undefined;
  const syntaxErrors = yaml.errors.map((e): Finding => ({
    code: e.code === 'DUPLICATE_KEY' ? CODES.yamlDuplicateKey : CODES.yamlSyntax,
    severity: 'error',
    // The yaml package reports a stack overflow as RESOURCE_EXHAUSTION with the engine's message.
    message:
      e.code === 'RESOURCE_EXHAUSTION'
        ? `The document could not be read: ${NESTED_TOO_DEEPLY}`
        : cleanYamlMessage(e.message),
    span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) },
  }));
  const contents = yaml.contents;
  const empty =
    contents === null ||
    (isScalar(contents) &&
      contents.value === null &&
      (contents.range ? contents.range[0] === contents.range[1] : true));
  let data: unknown;
  let dataError: Finding | undefined;
  if (syntaxErrors.length === 0 && !templated) {
    try {
      data = yaml.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      dataError = {
        code: CODES.yamlSyntax,
        severity: 'error',
        message: `The document could not be read: ${tooDeep(e) ? NESTED_TOO_DEEPLY : (e as Error).message}`,
        span: { start, end: Math.min(end, start + 1) },
      };
    }
  }
  return {
    index,
    span,
    chunk,
    yaml,
    kind,
    apiVersion,
    kindName,
    name,
    namespace,
    templated,
    templatedKind,
    empty,
    syntaxErrors,
    data,
    dataError,
  };
}

function cleanYamlMessage(message: string): string {
  // The yaml package appends " at line X, column Y" plus a source excerpt; the position is ours to show.
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

function topValue(doc: Document.Parsed, key: string): unknown {
  return isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
}

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** A scalar (key or value) that holds a `${…}` placeholder. */
export interface PlaceholderScalar {
  /** The scalar as written in the file (quotes included). */
  readonly span: Span;
  /** The first placeholder in it, e.g. `${NAMESPACE}`. */
  readonly token: string;
  /** True when the scalar is nothing but the placeholder (`namespace: ${NAMESPACE}`). */
  readonly whole: boolean;
}

/**
 * The scalars of a document that hold `${…}` placeholders, in file order. Ranges are read from the
 * parsed nodes, which parsing keeps at their current offsets, so this is right for reused documents too.
 */
export function placeholderScalars(file: PolicyFile, doc: PolicyDocument): PlaceholderScalar[] {
  if (!containsPlaceholderStart(file, doc.span.start, doc.span.end)) return [];
  const out: PlaceholderScalar[] = [];
  const visitNode = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (isPair(node)) {
      visitNode(node.key);
      visitNode(node.value);
      return;
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) visitNode(item);
      return;
    }
    if (isScalar(node) && typeof node.value === 'string' && node.range) {
      const m = PLACEHOLDER_TOKEN.exec(node.value);
      if (m) out.push({ span: { start: node.range[0], end: node.range[1] }, token: m[0], whole: m[0] === node.value });
    }
  };
  visitNode(doc.yaml.contents);
  return out;
}

/** Where `${` occurs in a text, in order; found once per text (with indexOf) for all its documents. */
const placeholderStarts = new WeakMap<PolicyFile, number[]>();

/** Whether `${` starts in text[start, end - 1) (this runs for every document on every lint). */
function containsPlaceholderStart(file: PolicyFile, start: number, end: number): boolean {
  let starts = placeholderStarts.get(file);
  if (!starts) {
    starts = [];
    for (let i = file.text.indexOf('${'); i !== -1; i = file.text.indexOf('${', i + 1)) starts.push(i);
    placeholderStarts.set(file, starts);
  }
  // The first occurrence at or after `start`, by binary search.
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! < end - 1;
}

/** Whether the document's apiVersion names one of our kinds with the wrong version. */
export function wrongApiVersion(doc: PolicyDocument): KindInfo | undefined {
  return doc.kind ? undefined : kindWithWrongApiVersion(doc.apiVersion, doc.kindName);
}

/** A located node: the value node (if any) and, when it is a map value, its key. */
export interface Located {
  readonly node: Node | null | undefined;
  readonly key: Scalar | undefined;
  /** The deepest node that exists along the path, used when the path runs past the document. */
  readonly nearest: Node;
}

/**
 * Finds the node at a JSON-pointer-like path (`['spec', 'ingress', 0]`) in a document.
 * Stops at the deepest node that exists.
 */
export function locate(doc: Document.Parsed, path: readonly (string | number)[]): Located {
  let node: Node | null | undefined = doc.contents as Node | null;
  let key: Scalar | undefined;
  let nearest: Node = (doc.contents as Node | null) ?? (doc as unknown as Node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => keyText(p.key) === String(segment));
      if (!pair) return { node: undefined, key: undefined, nearest };
      key = isScalar(pair.key) ? (pair.key as Scalar) : undefined;
      node = pair.value as Node | null;
      nearest = (node ?? pair.key ?? nearest) as Node;
    } else if (isSeq(node)) {
      const i = typeof segment === 'number' ? segment : Number(segment);
      const item = node.items[i];
      if (item === undefined) return { node: undefined, key: undefined, nearest };
      key = undefined;
      node = item as Node | null;
      nearest = (node ?? nearest) as Node;
    } else {
      return { node: undefined, key: undefined, nearest };
    }
  }
  return { node, key, nearest };
}

/** The text of a map key, for scalar keys. */
export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

/** The span of a node (its value part, without trailing comments). */
export function nodeSpan(node: Node | ParsedNode | null | undefined): Span | undefined {
  const range = node?.range;
  if (!range) return undefined;
  return { start: range[0], end: range[1] };
}
