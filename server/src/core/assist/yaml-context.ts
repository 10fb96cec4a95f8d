// SPDX-License-Identifier: Apache-2.0
/**
 * Where the cursor is in a half-typed YAML document, read from the text by indentation rather than
 * from the parse. While a user types, the line under the cursor is rarely valid YAML (`app: fro`,
 * `    mat`, an empty line under `matchLabels:`), and the parser puts such text wherever it can;
 * indentation is what the user means. Block style only: a flow collection (`{…}`, `[…]`) on a
 * parent line ends the walk, and completion then falls back to the schema's answer.
 */

/** One step of the path from the document root to the cursor. */
export type ContextStep =
  | { readonly key: string }
  /** A list item; `index` counts the items of the list above it (0-based). */
  | { readonly item: number };

/** What is being typed at the cursor. */
export interface YamlContext {
  /** Keys and list items from the document root to the map (or list) the cursor is in. */
  readonly path: readonly ContextStep[];
  /**
   * `key`: a key of the map at `path` is being typed (possibly nothing yet), or, when
   * {@link YamlContext.startsItem}, the first thing of a new list item, which may also be a scalar;
   * `value`: the value of `key` (the last segment of the line) is being typed.
   */
  readonly position: 'key' | 'value';
  /** True when a `- ` marker on the cursor's line comes right before what is typed. */
  readonly startsItem: boolean;
  /** For `value`: the key whose value is typed. */
  readonly key?: string;
  /** The text typed so far (the key's or the value's), up to the cursor. */
  readonly typed: string;
  /** What a completion replaces: the whole key or scalar on this line (quotes included). */
  readonly replace: { readonly start: number; readonly end: number };
  /** The column where the key (or item) being typed starts. */
  readonly column: number;
  /** The keys already written in the map the cursor is in (for `key`; siblings, not the one typed). */
  readonly siblings: readonly string[];
}

interface LineInfo {
  /** Columns of the `- ` markers at the start of the line, in order. */
  readonly dashes: readonly number[];
  /** Column of the first character after the indentation and the dashes. */
  readonly column: number;
  /** The key when the line is `key:` or `key: value`; undefined otherwise. */
  readonly key: string | undefined;
  /** True when the key has no value on the line (`key:` then nothing or a comment). */
  readonly opens: boolean;
  /** True for blank lines and comment lines. */
  readonly blank: boolean;
  /** True when the value on the line starts a flow collection or a block scalar. */
  readonly flowOrBlock: boolean;
}

/** A key as written: plain, or in single or double quotes. */
const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)/;

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key.trim();
}

/** Splits one line (without its line break) into its markers, key and value. */
export function lineInfo(line: string): LineInfo {
  let i = 0;
  while (line[i] === ' ') i++;
  const dashes: number[] = [];
  while (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined || line[i + 1] === '\t')) {
    dashes.push(i);
    i++;
    while (line[i] === ' ') i++;
  }
  const rest = line.slice(i);
  const blank = dashes.length === 0 && (rest === '' || rest.startsWith('#'));
  const m = KEY.exec(rest);
  if (!m) return { dashes, column: i, key: undefined, opens: false, blank, flowOrBlock: false };
  const after = rest.slice(m[0].length).trim();
  const opens = after === '' || after.startsWith('#');
  const flowOrBlock = /^[[{|>]/.test(after);
  return { dashes, column: i, key: unquote(m[1]!), opens, blank, flowOrBlock };
}

/** A node open above the cursor: a key (whose value may continue below) or a list item. */
interface Open {
  readonly column: number;
  readonly step: ContextStep | undefined;
  /** True for a key whose value starts on a later line. */
  readonly opens: boolean;
  /** Keys written as direct children of this node. */
  readonly keys: string[];
  /** List items written as direct children of this node. */
  items: number;
}

/**
 * Applies the tokens of one line to the stack of open nodes: each dash and the key close the nodes
 * at their column or deeper (a key keeps a dash at its own column: the compact list style), then
 * open themselves.
 */
function applyLine(stack: Open[], li: LineInfo): void {
  for (const d of li.dashes) {
    while (stack.length > 1) {
      const top = stack[stack.length - 1]!;
      if (top.column < d) break;
      if (top.column === d && top.step !== undefined && 'key' in top.step && top.opens) break;
      stack.pop();
    }
    // Items are numbered by their parent, so closing an item's children does not lose the count.
    const parent = stack[stack.length - 1]!;
    stack.push({ column: d, step: { item: parent.items++ }, opens: true, keys: [], items: 0 });
  }
  if (li.key === undefined) return;
  while (stack.length > 1) {
    const top = stack[stack.length - 1]!;
    if (top.column < li.column) break;
    stack.pop();
  }
  stack[stack.length - 1]!.keys.push(li.key);
  stack.push({ column: li.column, step: { key: li.key }, opens: li.opens, keys: [], items: 0 });
}

/**
 * The context of `offset` in the document that starts at `docStart` (its first line, after a
 * `---` marker if any). Undefined when the cursor is somewhere completion from the inventory has
 * nothing to say (inside a comment, a flow collection, a block scalar).
 */
export function yamlContext(text: string, docStart: number, offset: number): YamlContext | undefined {
  let lineStart = offset;
  while (lineStart > docStart && text[lineStart - 1] !== '\n') lineStart--;
  let lineEnd = offset;
  while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
  const before = text.slice(lineStart, offset);
  const whole = text.slice(lineStart, lineEnd);
  if (/(^|\s)#/.test(before)) return undefined; // in a comment
  if (/^(---|\.\.\.)/.test(whole)) return undefined;
  const info = lineInfo(before);
  const rest = before.slice(info.column);
  if (/[{}[\]]/.test(rest)) return undefined; // inside a flow collection

  // What is typed on the cursor's line.
  let position: YamlContext['position'];
  let key: string | undefined;
  let typed: string;
  let replaceStart: number;
  let replaceEnd: number;
  const keyMatch = KEY.exec(rest);
  if (keyMatch) {
    position = 'value';
    key = unquote(keyMatch[1]!);
    let v = keyMatch[0].length;
    while (rest[v] === ' ') v++;
    typed = rest.slice(v);
    if (/^[|>&*!]/.test(typed)) return undefined;
    replaceStart = lineStart + info.column + v;
  } else {
    position = 'key';
    typed = rest;
    replaceStart = lineStart + info.column;
  }
  // The key or scalar runs to a colon (for keys), a comment or the end of the line.
  const tail = whole.slice(replaceStart - lineStart);
  const stop = position === 'value' ? /\s#/.exec(tail) : /:(\s|$)|\s#/.exec(tail);
  replaceEnd = replaceStart + (stop ? stop.index : tail.length);
  while (replaceEnd > offset && text[replaceEnd - 1] === ' ') replaceEnd--;
  if (replaceEnd < offset) replaceEnd = offset;
  typed = typed.replace(/^["']/, '');

  // The nodes open above the cursor, walking the document from its start.
  const stack: Open[] = [{ column: -1, step: undefined, opens: true, keys: [], items: 0 }];
  let block: number | undefined; // inside a block scalar opened by a key at this column
  let i = docStart;
  const lines: { start: number; end: number }[] = [];
  while (i < lineStart) {
    let e = i;
    while (e < text.length && text[e] !== '\n') e++;
    lines.push({ start: i, end: e > i && text[e - 1] === '\r' ? e - 1 : e });
    i = e + 1;
  }
  for (const ln of lines) {
    const s = text.slice(ln.start, ln.end);
    if (/^(---|\.\.\.)/.test(s)) {
      stack.length = 1;
      stack[0]!.keys.length = 0;
      stack[0]!.items = 0;
      continue;
    }
    const li = lineInfo(s);
    if (li.blank && li.dashes.length === 0) continue;
    const first = li.dashes.length > 0 ? li.dashes[0]! : li.column;
    if (block !== undefined) {
      if (first > block) continue;
      block = undefined;
    }
    applyLine(stack, li);
    if (li.key !== undefined && /^\s*:\s*[|>]/.test(s.slice(li.column).replace(KEY, ':'))) block = li.column;
  }
  if (block !== undefined && (info.dashes[0] ?? info.column) > block) return undefined; // in a block scalar
  // The cursor's own line: its dashes open items; the key typed is not a node yet.
  applyLine(stack, { ...info, key: undefined });
  // Close what the cursor's column closes (a key typed at a shallower column).
  if (info.dashes.length === 0) {
    while (stack.length > 1 && stack[stack.length - 1]!.column >= info.column) stack.pop();
  }
  const parent = stack[stack.length - 1]!;
  // A parent with an inline value cannot hold what is typed under it.
  if (!parent.opens) return undefined;
  // Siblings written below the cursor, until the parent closes.
  const siblings = [...parent.keys];
  const keyColumn = info.column;
  let j = lineEnd + 1;
  while (j < text.length) {
    let e = j;
    while (e < text.length && text[e] !== '\n') e++;
    const s = text.slice(j, e > j && text[e - 1] === '\r' ? e - 1 : e);
    j = e + 1;
    if (/^(---|\.\.\.)/.test(s)) break;
    const li = lineInfo(s);
    if (li.blank && li.dashes.length === 0) continue;
    const first = li.dashes.length > 0 ? li.dashes[0]! : li.column;
    if (first < keyColumn || (first === keyColumn && li.dashes.length > 0 && info.dashes.length > 0)) break;
    if (li.dashes.length === 0 && li.column === keyColumn && li.key !== undefined) siblings.push(li.key);
  }
  return {
    path: stack.slice(1).map((o) => o.step!),
    position,
    startsItem: position === 'key' && info.dashes.length > 0,
    ...(key !== undefined ? { key } : {}),
    typed,
    replace: { start: replaceStart, end: replaceEnd },
    column: info.column,
    siblings: position === 'key' ? siblings.filter((k) => k !== typed) : siblings,
  };
}

/** The keys of a context path, list items left out: `spec.ingress.fromEndpoints.matchLabels`. */
export function keyPath(path: readonly ContextStep[]): string[] {
  return path.flatMap((s) => ('key' in s ? [s.key] : []));
}

/** The data path of a context path (`['spec', 'ingress', 0, 'fromEndpoints', 1]`). */
export function dataPath(path: readonly ContextStep[]): (string | number)[] {
  return path.map((s) => ('key' in s ? s.key : s.item));
}
