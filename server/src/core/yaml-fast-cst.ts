// SPDX-License-Identifier: Apache-2.0
/**
 * A fast path for the `yaml` package's lexer and parser, for the plain block YAML that policy files
 * are nearly always written in.
 *
 * Reading a document costs three stages in the `yaml` package: its lexer cuts the text into
 * lexemes, its parser builds a concrete syntax tree (CST) of tokens, and its composer turns that
 * tree into the document with its nodes, values, comments and errors. The first two were about
 * two thirds of the cold parse of a long file (the parser keeps a stack machine per lexeme). This
 * module builds the same CST in one pass over the lines, for a subset it knows exactly: block maps
 * and block sequences, single-line plain and quoted scalars, one-line flow sequences and flow maps
 * of scalars, comments, blank lines and a leading `---`, with LF or CRLF line ends. The `yaml`
 * package's composer still reads the tree, so values, comments, ranges and every
 * error a document can have come from the library as before.
 *
 * For any text outside that subset (tabs, lone carriage returns, nested flow collections, block scalars,
 * anchors, tags, aliases, multi-line scalars, explicit keys, empty values, directives, indented top
 * levels, and whatever else it meets that it does not model) the function returns undefined and
 * the caller uses the `yaml` package's own lexer and parser. It never guesses: where it answers,
 * the tree is exactly the one `new Parser().parse(text)` yields, which
 * `test/unit/yaml-fast-cst.test.ts` checks over the examples, the upstream policies, the benchmark
 * files and a mutation fuzz.
 *
 * The token stream follows the `yaml` package's CST format (documented with its `CST` types):
 * every token carries its offset, its source, and the running indentation of its line (the count
 * of leading spaces and `-` indicators seen so far on that line).
 */
import type { CST } from 'yaml';

/** Thrown inside the scanner when the text leaves the subset; caught in {@link scanCst}. */
const DECLINE = new Error('outside the subset of the fast scanner');

/**
 * What sends the whole text to the `yaml` package: tabs, other controls (a CR only when it does not
 * end a line before an LF), a BOM, and the line and paragraph separators.
 */
const OUTSIDE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\ufeff\u2028\u2029]|\r(?!\n)/;

/**
 * The yaml package's CST for `source`, or undefined when `source` is outside the subset this
 * scanner knows (see the module's description). Never throws: should the scanner itself fail, the
 * text is declined too, and the caller's yaml package reads it.
 */
export function fastCst(source: string): CST.Token[] | undefined {
  try {
    return scanCst(source);
  } catch {
    return undefined;
  }
}

/** {@link fastCst}, except that a fault of the scanner itself throws (for its tests). */
export function scanCst(source: string): CST.Token[] | undefined {
  if (OUTSIDE.test(source)) return undefined;
  try {
    return new Scanner(source).run();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
}

type Open = CST.Document | CST.BlockMap | CST.BlockSequence | CST.FlowScalar | CST.FlowCollection;
type Item = CST.BlockMap['items'][number] | CST.BlockSequence['items'][number];
type Trivia = 'space' | 'comment' | 'newline';
type Content = 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar' | 'map-value-ind' | 'seq-item-ind';
/** The tokens this scanner makes (the yaml package types a scalar's token apart from the others). */
type TokenType = Trivia | Content | 'doc-start' | 'flow-collection';

const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/**
 * Characters a plain scalar may start with in this subset: letters, digits and a few punctuation
 * marks that are never YAML indicators. (`-` is handled apart: a plain scalar may start with it
 * when a non-space follows.)
 */
function plainStart(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    c === 95 || // _
    c === 46 || // .
    c === 47 || // /
    c === 36 || // $
    c === 126 || // ~
    c === 40 || // (
    c === 43 || // +
    c === 61 || // =
    c === 94 || // ^
    c === 60 || // <
    c >= 0xa0
  );
}

class Scanner {
  private readonly src: string;
  private readonly out: CST.Token[] = [];
  private readonly stack: Open[] = [];
  /** The running indentation of the current line, as the yaml parser counts it. */
  private indent = 0;
  /** True until the current line has shown something other than spaces and indicators. */
  private atNewLine = true;
  /** True on the line of a block map's key, after the key. */
  private onKeyLine = false;
  /**
   * What the next content line must look like: after a scalar value, at most this indented (more
   * would continue the scalar); after a key with nothing after it, more indented, or as indented
   * and a sequence.
   */
  private expect: { readonly kind: 'after-value' | 'after-key'; readonly column: number } | undefined;

  constructor(src: string) {
    this.src = src;
  }

  run(): CST.Token[] {
    const src = this.src;
    const n = src.length;
    let pos = 0;
    if (src.startsWith('---')) {
      const lf = src.charCodeAt(3) === CR ? 4 : 3;
      if (n > 3 && src.charCodeAt(lf) !== LF) throw DECLINE;
      this.stack.push({ type: 'document', offset: 0, start: [] });
      this.token('doc-start', 0, 3);
      pos = 3;
      if (pos < n) {
        this.token('newline', 3, lf + 1);
        pos = lf + 1;
      }
    }
    while (pos < n) {
      // A line ends at LF or CRLF (the newline token holds both characters, as the yaml lexer's does).
      let next = src.indexOf('\n', pos);
      let eol = next;
      if (next < 0) eol = next = n;
      else if (src.charCodeAt(next - 1) === CR) eol = next - 1;
      let p = pos;
      while (p < eol && src.charCodeAt(p) === SPACE) p++;
      if (p === pos && p < eol && (src.startsWith('---', p) || src.startsWith('...', p))) throw DECLINE;
      if (p > pos) this.token('space', pos, p);
      if (p === eol) {
        // a blank line
      } else if (src.charCodeAt(p) === HASH) {
        this.token('comment', p, eol);
      } else {
        this.contentLine(pos, p, eol);
      }
      if (next < n) this.token('newline', eol, next + 1);
      pos = next + 1;
    }
    if (this.expect?.kind === 'after-key') throw DECLINE;
    while (this.stack.length > 0) this.pop();
    return this.out;
  }

  /** One line with content, from its first non-space character `p` to its end `eol`. */
  private contentLine(lineStart: number, p: number, eol: number): void {
    const src = this.src;
    const column = p - lineStart;
    const expect = this.expect;
    if (expect) {
      if (expect.kind === 'after-value' && column > expect.column) throw DECLINE;
      if (
        expect.kind === 'after-key' &&
        !(column > expect.column || (column === expect.column && src.charCodeAt(p) === DASH))
      )
        throw DECLINE;
    }
    if (this.stack.length === 0) {
      if (column !== 0) throw DECLINE;
      this.stack.push({ type: 'document', offset: p, start: [] });
    }
    // Sequence indicators, each followed by spaces.
    let q = p;
    let itemColumn = -1;
    while (src.charCodeAt(q) === DASH && (q + 1 === eol || src.charCodeAt(q + 1) === SPACE)) {
      if (q + 1 === eol) throw DECLINE;
      itemColumn = q - lineStart;
      this.token('seq-item-ind', q, q + 1);
      let r = q + 1;
      while (r < eol && src.charCodeAt(r) === SPACE) r++;
      this.token('space', q + 1, r);
      q = r;
    }
    if (q === eol || src.charCodeAt(q) === HASH) throw DECLINE;
    const keyColumn = q - lineStart;
    const opener = src.charCodeAt(q);
    const first = opener === LBRACKET || opener === LBRACE ? undefined : this.scalar(q, eol);
    let r: number;
    if (first?.colon) {
      // `key:` then a value, a comment or nothing.
      this.token(first.type, q, first.end);
      r = first.end;
      this.token('map-value-ind', r, r + 1);
      r++;
      let s = r;
      while (s < eol && src.charCodeAt(s) === SPACE) s++;
      if (s === eol || src.charCodeAt(s) === HASH) {
        if (s > r) this.token('space', r, s);
        if (s < eol) this.token('comment', s, eol);
        this.expect = { kind: 'after-key', column: keyColumn };
        return;
      }
      if (s === r) throw DECLINE;
      this.token('space', r, s);
      r = this.value(s, eol);
      this.expect = { kind: 'after-value', column: keyColumn };
    } else {
      // A scalar or flow item of a sequence.
      if (itemColumn < 0) throw DECLINE;
      r = this.value(q, eol);
      this.expect = { kind: 'after-value', column: itemColumn };
    }
    // Spaces, then the end of the line or a comment.
    let s = r;
    while (s < eol && src.charCodeAt(s) === SPACE) s++;
    if (s === eol) {
      if (s > r) this.token('space', r, s);
      return;
    }
    if (s === r || src.charCodeAt(s) !== HASH) throw DECLINE;
    this.token('space', r, s);
    this.token('comment', s, eol);
  }

  /** A value (a scalar, or a one-line flow sequence or flow map of scalars) from `p`; returns where it ends. */
  private value(p: number, eol: number): number {
    const src = this.src;
    const c = src.charCodeAt(p);
    if (c === LBRACKET || c === LBRACE) {
      const fc = this.flowCollection(p, eol);
      this.atNewLine = false;
      this.step(fc as unknown as CST.SourceToken);
      const last = fc.end[0]!;
      return last.offset + 1;
    }
    const value = this.scalar(p, eol);
    if (value.colon) throw DECLINE;
    this.token(value.type, p, value.end);
    return value.end;
  }

  /**
   * A flow sequence or flow map of scalars on one line (`["a", b]`, `{app: web}`, `[]`, `{}`), as
   * the parser leaves it once closed: each item its leading comma and spaces, then its scalar, or
   * its key, `:` and value.
   */
  private flowCollection(p: number, eol: number): CST.FlowCollection {
    const src = this.src;
    const indent = this.indent;
    const sourceToken = (type: string, start: number, end: number): CST.SourceToken =>
      ({ type, offset: start, indent, source: src.slice(start, end) }) as CST.SourceToken;
    const map = src.charCodeAt(p) === LBRACE;
    const close = map ? RBRACE : RBRACKET;
    const fc: CST.FlowCollection = {
      type: 'flow-collection',
      offset: p,
      indent,
      start: sourceToken(map ? 'flow-map-start' : 'flow-seq-start', p, p + 1),
      items: [],
      end: [],
    };
    let i = p + 1;
    if (src.charCodeAt(i) !== close) {
      for (;;) {
        const start: CST.SourceToken[] = [];
        if (fc.items.length > 0) {
          // at a comma
          start.push(sourceToken('comma', i, i + 1));
          i++;
        }
        let j = i;
        while (j < eol && src.charCodeAt(j) === SPACE) j++;
        if (j > i) start.push(sourceToken('space', i, j));
        if (map) {
          // `key: value`: the key, the `:` and the spaces after it, then the value.
          const k = this.scanFlowScalar(j, eol, 'key');
          const key = flowScalar(sourceToken(k.type, j, k.end));
          const sep = [sourceToken('map-value-ind', k.end, k.end + 1)];
          j = k.end + 1;
          i = j;
          while (j < eol && src.charCodeAt(j) === SPACE) j++;
          sep.push(sourceToken('space', i, j));
          const v = this.scanFlowScalar(j, eol, 'value');
          const value = flowScalar(sourceToken(v.type, j, v.end));
          i = v.end;
          j = i;
          while (j < eol && src.charCodeAt(j) === SPACE) j++;
          if (j > i) value.end = [sourceToken('space', i, j)];
          fc.items.push({ start, key, sep, value });
        } else {
          // In a sequence, the parser ends each scalar with the spaces after it (none: an empty list).
          const item = this.scanFlowScalar(j, eol, 'seq');
          const scalar = flowScalar(sourceToken(item.type, j, item.end));
          i = item.end;
          j = i;
          while (j < eol && src.charCodeAt(j) === SPACE) j++;
          scalar.end = j > i ? [sourceToken('space', i, j)] : [];
          fc.items.push({ start, value: scalar });
        }
        i = j;
        const d = src.charCodeAt(i);
        if (d === close) break;
        if (d !== COMMA) throw DECLINE;
      }
    }
    fc.end.push(sourceToken(map ? 'flow-map-end' : 'flow-seq-end', i, i + 1));
    return fc;
  }

  /**
   * A scalar inside a flow collection: quoted, or plain without `#` or flow indicators. In a
   * sequence (`seq`) or as a map's value (`value`) it ends at the next comma or at the closing
   * bracket; as a map's key (`key`) it ends right before `: `.
   */
  private scanFlowScalar(
    p: number,
    eol: number,
    mode: 'seq' | 'key' | 'value',
  ): { type: Content & `${string}scalar`; end: number } {
    const src = this.src;
    const c = src.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      const q = this.scalar(p, eol);
      if (q.colon !== (mode === 'key') || (q.colon && src.charCodeAt(q.end + 1) !== SPACE)) throw DECLINE;
      return q;
    }
    if (!this.plainScalarAt(p, eol)) throw DECLINE;
    const close = mode === 'seq' ? RBRACKET : RBRACE;
    let last = p + 1;
    for (let i = p + 1; i < eol; i++) {
      const d = src.charCodeAt(i);
      if (d === COLON) {
        // Followed by anything but a space or a flow indicator, a `:` belongs to the scalar
        // (`k8s:io.kubernetes.pod.namespace`); before a space it ends a key.
        const n = i + 1 < eol ? src.charCodeAt(i + 1) : SPACE;
        if (n !== SPACE && !flowIndicator(n)) {
          last = i + 1;
          continue;
        }
        if (mode === 'key' && n === SPACE && last === i) return { type: 'scalar', end: i };
        throw DECLINE;
      }
      if (mode !== 'key' && (d === COMMA || d === close)) return { type: 'scalar', end: last };
      if (d === HASH || flowIndicator(d)) throw DECLINE;
      if (d !== SPACE) last = i + 1;
    }
    throw DECLINE;
  }

  /** True when a plain scalar of this subset may start at `p`: `plainStart`, or `-` before one of those. */
  private plainScalarAt(p: number, eol: number): boolean {
    const c = this.src.charCodeAt(p);
    return plainStart(c) || (c === DASH && p + 1 < eol && plainStart(this.src.charCodeAt(p + 1)));
  }

  /**
   * The scalar that starts at `p`: its type, where its source ends, and whether a `:` that makes it
   * a key follows right after it. Declines what it does not model.
   */
  private scalar(p: number, eol: number): { type: Content & `${string}scalar`; end: number; colon: boolean } {
    const src = this.src;
    const c = src.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      let i = p + 1;
      for (;;) {
        if (i >= eol) throw DECLINE; // runs onto the next line, or never ends
        const d = src.charCodeAt(i);
        if (c === DQUOTE && d === BACKSLASH) i += 2;
        else if (d === c) {
          if (c === SQUOTE && src.charCodeAt(i + 1) === SQUOTE) i += 2;
          else break;
        } else i++;
      }
      const end = i + 1;
      const colon = end < eol && src.charCodeAt(end) === COLON;
      if (colon && end + 1 < eol && src.charCodeAt(end + 1) !== SPACE) throw DECLINE;
      return { type: c === DQUOTE ? 'double-quoted-scalar' : 'single-quoted-scalar', end, colon };
    }
    if (!this.plainScalarAt(p, eol)) throw DECLINE;
    let last = p + 1; // one past the last non-space character
    for (let i = p + 1; i < eol; i++) {
      const d = src.charCodeAt(i);
      if (d === COLON && (i + 1 === eol || src.charCodeAt(i + 1) === SPACE)) {
        if (last !== i) throw DECLINE; // `key :`
        return { type: 'scalar', end: i, colon: true };
      }
      if (d === SPACE) {
        if (src.charCodeAt(i + 1) === HASH) return { type: 'scalar', end: last, colon: false };
      } else last = i + 1;
    }
    return { type: 'scalar', end: last, colon: false };
  }

  /** Feeds one token to the tree, then counts it into the line's indentation. */
  private token(type: TokenType, start: number, end: number): void {
    const source = this.src.slice(start, end);
    const tok: CST.SourceToken = { type, offset: start, indent: this.indent, source } as CST.SourceToken;
    this.step(tok);
    switch (type) {
      case 'newline':
        this.atNewLine = true;
        this.indent = 0;
        this.onKeyLine = false;
        break;
      case 'space':
      case 'map-value-ind':
      case 'seq-item-ind':
        if (this.atNewLine) this.indent += source.length;
        break;
      default:
        this.atNewLine = false;
    }
  }

  private step(tok: CST.SourceToken): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      // Before the document: only comments and blank lines reach here.
      this.out.push(tok);
      return;
    }
    switch (top.type) {
      case 'document':
        return this.inDocument(top, tok);
      case 'block-map':
        return this.inMap(top, tok);
      case 'block-seq':
        return this.inSeq(top, tok);
      default:
        return this.inScalar(top, tok);
    }
  }

  private inDocument(doc: CST.Document, tok: CST.SourceToken): void {
    if (doc.value) throw DECLINE;
    switch (tok.type as TokenType) {
      case 'doc-start':
      case 'space':
      case 'comment':
      case 'newline':
        doc.start.push(tok);
        return;
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
        this.stack.push(flowScalar(tok));
        return;
      default:
        throw DECLINE;
    }
  }

  /** After a scalar or a closed flow collection: the rest of its line. */
  private inScalar(scalar: CST.FlowScalar | CST.FlowCollection, tok: CST.SourceToken): void {
    switch (tok.type) {
      case 'map-value-ind': {
        // The scalar was a key: it opens a block map.
        if (scalar.end || scalar.type === 'flow-collection') throw DECLINE;
        const parent = this.stack[this.stack.length - 2]!;
        const start = firstKeyStartProps(previousProps(parent));
        this.stack[this.stack.length - 1] = {
          type: 'block-map',
          offset: scalar.offset,
          indent: scalar.indent,
          items: [{ start, key: scalar, sep: [tok] }],
        };
        this.onKeyLine = true;
        return;
      }
      case 'space':
      case 'comment':
      case 'newline':
        if (scalar.end) scalar.end.push(tok);
        else scalar.end = [tok];
        if (tok.type === 'newline') this.pop();
        return;
      default:
        throw DECLINE;
    }
  }

  private inMap(map: CST.BlockMap, tok: CST.SourceToken): void {
    const it = map.items[map.items.length - 1]!;
    if (tok.type === 'newline' || tok.type === 'space' || tok.type === 'comment') {
      this.trivia(map.items, map.indent, tok);
      return;
    }
    if (this.indent < map.indent) {
      this.pop();
      this.step(tok);
      return;
    }
    const atMapIndent = !this.onKeyLine && this.indent === map.indent;
    const atNextItem = atMapIndent && it.sep !== undefined && tok.type !== 'seq-item-ind';
    // An empty value followed by the next key (the parser moves trivia between them): not modelled.
    if (atNextItem && it.sep && !it.value) throw DECLINE;
    switch (tok.type as TokenType) {
      case 'map-value-ind':
        if (!it.sep || it.value || atNextItem || it.sep.some((t) => t.type === 'map-value-ind')) throw DECLINE;
        it.sep.push(tok);
        this.onKeyLine = true;
        return;
      case 'flow-collection':
        if (atNextItem || it.value || !it.sep) throw DECLINE;
        this.stack.push(tok as unknown as CST.FlowCollection);
        return;
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
        if (atNextItem || it.value) {
          map.items.push({ start: [], key: flowScalar(tok), sep: [] });
          this.onKeyLine = true;
        } else if (it.sep) this.stack.push(flowScalar(tok));
        else {
          Object.assign(it, { key: flowScalar(tok), sep: [] });
          this.onKeyLine = true;
        }
        return;
      case 'seq-item-ind':
        // A sequence as the value of a key whose line ended after the `:`.
        if (!it.sep || it.value || !it.sep.some((t) => t.type === 'newline')) throw DECLINE;
        this.stack.push({ type: 'block-seq', offset: tok.offset, indent: this.indent, items: [{ start: [tok] }] });
        return;
      default:
        throw DECLINE;
    }
  }

  private inSeq(seq: CST.BlockSequence, tok: CST.SourceToken): void {
    const it = seq.items[seq.items.length - 1]!;
    if (tok.type === 'newline' || tok.type === 'space' || tok.type === 'comment') {
      this.trivia(seq.items, seq.indent, tok);
      return;
    }
    if (tok.type === 'seq-item-ind' && this.indent === seq.indent) {
      if (it.value || it.start.some((t) => t.type === 'seq-item-ind')) seq.items.push({ start: [tok] });
      else it.start.push(tok);
      return;
    }
    if (this.indent > seq.indent) {
      const type = tok.type as TokenType;
      if (type === 'scalar' || type === 'single-quoted-scalar' || type === 'double-quoted-scalar') {
        this.stack.push(flowScalar(tok));
        return;
      }
      if (type === 'flow-collection') {
        this.stack.push(tok as unknown as CST.FlowCollection);
        return;
      }
      throw DECLINE;
    }
    this.pop();
    this.step(tok);
  }

  /**
   * A space, comment or line end reaching a block collection, filed where the parser files it:
   * after an item's value, into a new item (a line end after a comment that joined the value's
   * end, into that end); between a key and its value, into the separator; otherwise into the
   * item's start, unless it is a comment indented past the collection that joins the previous
   * value's end.
   */
  private trivia(items: Item[], indent: number, tok: CST.SourceToken): void {
    const it = items[items.length - 1]!;
    const sep = 'sep' in it ? it.sep : undefined;
    if (it.value) {
      if (tok.type === 'newline' && lastIsComment(it.value)) (it.value as CST.FlowScalar).end!.push(tok);
      else items.push({ start: [tok] });
    } else if (sep) sep.push(tok);
    else if (!(this.indentedComment(tok, it.start, indent) && this.mergeIntoPrevious(items, tok))) it.start.push(tok);
  }

  /** A comment more indented than its collection, with only blank space before it in the item. */
  private indentedComment(tok: CST.SourceToken, start: CST.SourceToken[], indent: number): boolean {
    return (
      tok.type === 'comment' && this.indent > indent && start.every((t) => t.type === 'newline' || t.type === 'space')
    );
  }

  /** Such a comment joins the end of the previous item's scalar, when there is one. */
  private mergeIntoPrevious(items: Item[], tok: CST.SourceToken): boolean {
    const prev = items[items.length - 2];
    const end = prev?.value && 'end' in prev.value ? prev.value.end : undefined;
    if (!Array.isArray(end)) return false;
    const it = items[items.length - 1]!;
    end.push(...it.start, tok);
    items.pop();
    return true;
  }

  /** Closes the innermost open node into its parent. */
  private pop(): void {
    const token = this.stack.pop()!;
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.out.push(token);
      return;
    }
    switch (top.type) {
      case 'document':
        top.value = token;
        break;
      case 'block-map': {
        const it = top.items[top.items.length - 1]!;
        if (it.value || !it.sep) throw DECLINE;
        it.value = token;
        break;
      }
      case 'block-seq': {
        const it = top.items[top.items.length - 1]!;
        if (it.value) top.items.push({ start: [], value: token });
        else it.value = token;
        break;
      }
      default:
        throw DECLINE;
    }
    if (token.type === 'block-map' || token.type === 'block-seq') {
      // Trailing blank lines and comments move out to the parent, unless a comment is indented to
      // the collection's level.
      const last = token.items[token.items.length - 1];
      if (
        last &&
        !('sep' in last && last.sep) &&
        !last.value &&
        last.start.length > 0 &&
        last.start.every((t) => t.type === 'space' || t.type === 'comment' || t.type === 'newline') &&
        (token.indent === 0 || last.start.every((t) => t.type !== 'comment' || t.indent < token.indent))
      ) {
        if (top.type === 'document') top.end = last.start;
        else (top.items as Item[]).push({ start: last.start });
        token.items.splice(-1, 1);
      }
    }
  }
}

/** `,`, `[`, `]`, `{` and `}`. */
function flowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

function flowScalar(tok: CST.SourceToken): CST.FlowScalar {
  return { type: tok.type, offset: tok.offset, indent: tok.indent, source: tok.source } as unknown as CST.FlowScalar;
}

function lastIsComment(value: CST.Token): boolean {
  const end = 'end' in value ? value.end : undefined;
  return Array.isArray(end) && end[end.length - 1]?.type === 'comment';
}

/** The list of tokens before the current position in `parent`, where the props of a new key sit. */
function previousProps(parent: Open): CST.SourceToken[] {
  switch (parent.type) {
    case 'document':
      return parent.start;
    case 'block-map': {
      const it = parent.items[parent.items.length - 1]!;
      return it.sep ?? it.start;
    }
    case 'block-seq':
      return parent.items[parent.items.length - 1]!.start;
    default:
      throw DECLINE;
  }
}

/** Takes from `prev` what follows its last line break or indicator and the spaces after it. */
function firstKeyStartProps(prev: CST.SourceToken[]): CST.SourceToken[] {
  if (prev.length === 0) return [];
  let i = prev.length;
  while (--i >= 0) {
    const t = prev[i]!.type;
    if (t === 'doc-start' || t === 'map-value-ind' || t === 'seq-item-ind' || t === 'newline') break;
  }
  while (prev[++i]?.type === 'space') {
    // skip
  }
  return prev.splice(i, prev.length);
}
