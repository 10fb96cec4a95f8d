// SPDX-License-Identifier: Apache-2.0
/**
 * `fastCst` (`core/yaml-fast-cst.ts`) is a quick stand-in for the `yaml` package's Lexer and
 * Parser on plain block YAML. It may decline a text (return undefined), but whatever it does return
 * must be exactly the CST tokens `new Parser().parse(text)` yields: everything built on top of the
 * CST (composition, ranges, diagnostics) trusts it blindly. The test calls `scanCst`, the same
 * scanner without `fastCst`'s last guard, so that a scanner that throws fails here instead of
 * quietly declining. It compares both, deep-equal, on three kinds of input:
 *
 * - every document (chunk, split as the server splits files) of the YAML files in `examples/`, in
 *   `test/` and in `../shared/upstream` (skipped, and said so, when ../shared is absent), of the
 *   benchmark files `scripts/bench-files.mjs` generates, and each small file as a whole;
 * - about twenty thousand seeded random mutations of those documents, aimed at the corners a
 *   hand-written scanner gets wrong: indentation, tabs, comments, blank and whitespace-only lines,
 *   quoted and odd scalars, flow collections, anchors, tags, block scalars, document markers,
 *   CR/CRLF line ends, a BOM, multi-line plain scalars;
 * - and, so that a scanner declining everything cannot pass, how much it accepts: most of the
 *   benchmark documents and at least half of the example documents, and a fair share of the mutations.
 *
 * A mismatch is reported with where it came from, the first path at which the two token trees
 * differ, and (for the fuzz) the input cut down to a small text that still shows it.
 */
import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Parser, type CST } from 'yaml';
import { splitDocuments } from '../../server/src/core/document.js';
import { scanCst } from '../../server/src/core/yaml-fast-cst.js';
import { Prng } from '../fuzz/prng.js';
import { NO_SHARED, REPO_ROOT, shared, yamlFilesUnder } from '../support/paths.js';

/**
 * The least share of the benchmark generator's documents fastCst must accept: they are plain block
 * maps and sequences with single-line scalars, exactly its subset, and they are what the speed-up is for.
 */
const BENCH_MIN_SHARE = 0.9;
/**
 * The least share of the documents of `examples/` fastCst must accept: hand-written policies, with
 * comments and the odd block scalar; a scanner below this saves little on real files.
 */
const EXAMPLES_MIN_SHARE = 0.5;
/** The least share of mutated texts fastCst must accept, so that the fuzz exercises the scanner rather than its refusals. */
const FUZZ_MIN_SHARE = 0.2;
/** The fuzz is deterministic: the same seed gives the same cases on every run. */
const FUZZ_SEED = 0x0c5f_ca57;
const FUZZ_CASES = 20_000;
/** The share of fuzz cases that start from a document fastCst accepts as written. */
const FROM_ACCEPTED = 0.85;
/** How many mutations a fuzz case applies, by weight: one mostly, so that many cases stay near the subset. */
const STEPS: Readonly<Record<string, number>> = { one: 5, two: 3, three: 2 };
/** Documents of more lines than this enter the fuzz as their first lines only, to keep the run short. */
const FUZZ_MAX_LINES = 50;
/** Files up to this size are also scanned whole (several documents, markers included). */
const WHOLE_FILE_MAX = 64 * 1024;
/** At most this many distinct mismatches are cut down and shown in a failure. */
const SHOWN = 12;

// ---------------------------------------------------------------------------------------------
// Comparing one text

interface Difference {
  path: string;
  ours: unknown;
  theirs: unknown;
}

type Verdict =
  { kind: 'declined' } | { kind: 'equal' } | { kind: 'differs'; diff: Difference } | { kind: 'threw'; error: string };

function parserTokens(source: string): CST.Token[] {
  return Array.from(new Parser().parse(source));
}

/** The first place where two token trees differ, by the rules of `deepStrictEqual`; undefined when none is found. */
function firstDifference(ours: unknown, theirs: unknown, at: string): Difference | undefined {
  if (Object.is(ours, theirs)) return undefined;
  if (typeof ours !== 'object' || typeof theirs !== 'object' || ours === null || theirs === null) {
    return { path: at || '(root)', ours, theirs };
  }
  if (Array.isArray(ours) !== Array.isArray(theirs)) return { path: at || '(root)', ours, theirs };
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
      const d = firstDifference(ours[i], theirs[i], `${at}[${i}]`);
      if (d) return d;
    }
    if (ours.length !== theirs.length) {
      return { path: `${at}.length`, ours: ours.length, theirs: theirs.length };
    }
    return undefined;
  }
  const o = ours as Record<string, unknown>;
  const p = theirs as Record<string, unknown>;
  for (const key of new Set([...Object.keys(p), ...Object.keys(o)])) {
    const where = `${at}.${key}`;
    if (!(key in o)) return { path: where, ours: '<missing>', theirs: p[key] };
    if (!(key in p)) return { path: where, ours: o[key], theirs: '<missing>' };
    const d = firstDifference(o[key], p[key], where);
    if (d) return d;
  }
  return undefined;
}

function compare(source: string): Verdict {
  let ours: CST.Token[] | undefined;
  try {
    ours = scanCst(source);
  } catch (e) {
    return { kind: 'threw', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  if (ours === undefined) return { kind: 'declined' };
  const theirs = parserTokens(source);
  if (isDeepStrictEqual(ours, theirs)) return { kind: 'equal' };
  const diff = firstDifference(ours, theirs, '') ?? {
    path: '(no differing value found: prototypes or property attributes differ)',
    ours: undefined,
    theirs: undefined,
  };
  return { kind: 'differs', diff };
}

/**
 * What a mismatch is about, to group mismatches of one cause: the end of the differing path,
 * indices and the nesting above left out (`….value.end[].offset`).
 */
function signature(v: Verdict): string {
  if (v.kind === 'threw') return `threw ${v.error.slice(0, 80)}`;
  if (v.kind === 'differs') {
    const tail = v.diff.path
      .replace(/\[\d+\]/g, '[]')
      .split('.')
      .slice(-3)
      .join('.');
    return `differs at ${tail}`;
  }
  return v.kind;
}

function show(value: unknown): string {
  const s = value === undefined ? 'undefined' : JSON.stringify(value);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function describeVerdict(v: Verdict): string {
  if (v.kind === 'threw') return `fastCst threw ${v.error}`;
  if (v.kind === 'differs') {
    return `first difference at ${v.diff.path}: fastCst ${show(v.diff.ours)}, Parser ${show(v.diff.theirs)}`;
  }
  return v.kind;
}

const isBad = (v: Verdict): boolean => v.kind === 'differs' || v.kind === 'threw';

/**
 * A smaller text that still shows the same mismatch: whole lines are dropped, then single
 * characters, while the mismatch keeps its signature. Bounded, so a failure stays quick.
 */
function minimize(source: string, sig: string): string {
  let budget = 4000;
  const same = (s: string): boolean => {
    budget--;
    const v = compare(s);
    return isBad(v) && signature(v) === sig;
  };
  let best = source;
  // Lines, keeping their line ends, in halving blocks.
  let lines = best.split(/(?<=\n)/);
  for (let size = Math.max(1, lines.length >> 1); size >= 1 && budget > 0; size >>= 1) {
    for (let i = 0; i + size <= lines.length && budget > 0;) {
      const candidate = [...lines.slice(0, i), ...lines.slice(i + size)];
      if (candidate.length > 0 && same(candidate.join(''))) lines = candidate;
      else i += size;
    }
  }
  best = lines.join('');
  // Characters, one at a time, from the end (removing a trailing character disturbs offsets least).
  for (let pass = 0, changed = true; changed && pass < 3 && budget > 0; pass++) {
    changed = false;
    for (let i = best.length - 1; i >= 0 && budget > 0; i--) {
      const candidate = best.slice(0, i) + best.slice(i + 1);
      if (candidate.length > 0 && same(candidate)) {
        best = candidate;
        changed = true;
      }
    }
  }
  return best;
}

/** Mismatches of one run, grouped by signature. */
class Mismatches {
  readonly groups = new Map<string, { count: number; where: string; source: string; verdict: Verdict }>();
  total = 0;

  add(where: string, source: string, verdict: Verdict): void {
    this.total++;
    const sig = signature(verdict);
    const g = this.groups.get(sig);
    if (g) g.count++;
    else this.groups.set(sig, { count: 1, where, source, verdict });
  }

  /** A readable account, the first {@link SHOWN} groups with a minimized input each. */
  report(minimizeInputs: boolean): string {
    const out = [`${this.total} input(s) where fastCst's tokens are not the Parser's, ${this.groups.size} kind(s):`];
    let n = 0;
    for (const [sig, g] of this.groups) {
      if (n++ >= SHOWN) {
        out.push(`… and ${this.groups.size - SHOWN} more kind(s)`);
        break;
      }
      const small = minimizeInputs ? minimize(g.source, sig) : g.source;
      const v = compare(small);
      out.push(
        `- ${g.count}× ${sig}; first seen in ${g.where}`,
        `    input: ${JSON.stringify(small.length > 2000 ? `${small.slice(0, 2000)}…` : small)}`,
        `    ${describeVerdict(isBad(v) ? v : g.verdict)}`,
      );
    }
    return out.join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// The corpus

interface CorpusFile {
  /** Where the file is, for messages. */
  name: string;
  text: string;
}

interface ScanStats {
  chunks: number;
  accepted: number;
  mismatches: Mismatches;
  /** The chunk texts, for the fuzz. */
  chunkTexts: string[];
}

/** Folders of the repository whose YAML is not ours: dependencies and build output. */
const NOT_OURS = new Set(['node_modules', 'out', 'dist']);

/** The YAML files below a folder of the repository, {@link NOT_OURS} left out. */
function repoYaml(dir: string): CorpusFile[] {
  const root = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(root)) return [];
  const files: CorpusFile[] = [];
  for (const f of yamlFilesUnder(root)) {
    const parts = path.relative(REPO_ROOT, f).split(path.sep);
    if (!parts.some((p) => NOT_OURS.has(p))) files.push({ name: parts.join('/'), text: fs.readFileSync(f, 'utf8') });
  }
  return files;
}

/** Scans every chunk of every file (and each small file whole), comparing with the Parser. */
function scan(files: readonly CorpusFile[]): ScanStats {
  const stats: ScanStats = { chunks: 0, accepted: 0, mismatches: new Mismatches(), chunkTexts: [] };
  for (const file of files) {
    const chunks = splitDocuments(file.text);
    for (const [k, chunk] of chunks.entries()) {
      const text = file.text.slice(chunk.start, chunk.end);
      stats.chunkTexts.push(text);
      stats.chunks++;
      const v = compare(text);
      if (v.kind !== 'declined') stats.accepted++;
      if (isBad(v)) stats.mismatches.add(`${file.name}, chunk ${k} (offsets ${chunk.start}-${chunk.end})`, text, v);
    }
    if (chunks.length > 1 && file.text.length <= WHOLE_FILE_MAX) {
      const v = compare(file.text);
      if (isBad(v)) stats.mismatches.add(`${file.name}, whole file`, file.text, v);
    }
  }
  return stats;
}

const memo = new Map<string, ScanStats>();
function scanned(key: string, files: () => CorpusFile[]): ScanStats {
  let s = memo.get(key);
  if (!s) memo.set(key, (s = scan(files())));
  return s;
}

const examplesStats = () => scanned('examples', () => repoYaml('examples'));
const testFilesStats = () => scanned('test', () => repoYaml('test'));

function upstreamStats(): ScanStats | undefined {
  const root = shared('upstream');
  if (!root || !fs.existsSync(root)) return undefined;
  return scanned('upstream', () =>
    yamlFilesUnder(root).map((f) => ({
      name: `../shared/upstream/${path.relative(root, f).split(path.sep).join('/')}`,
      text: fs.readFileSync(f, 'utf8'),
    })),
  );
}

let benchText: string | undefined;
async function benchStats(): Promise<ScanStats> {
  if (benchText === undefined) {
    const script = pathToFileURL(path.join(REPO_ROOT, 'scripts', 'bench-files.mjs')).href;
    const { generate } = (await import(script)) as { generate: (lines: number) => { lines: string[] } };
    benchText = `${generate(3000).lines.join('\n')}\n`;
  }
  const text = benchText;
  return scanned('bench', () => [{ name: 'scripts/bench-files.mjs generate(3000)', text }]);
}

function share(s: ScanStats): string {
  return `${s.accepted}/${s.chunks} chunks accepted (${((100 * s.accepted) / Math.max(1, s.chunks)).toFixed(1)}%)`;
}

function assertNoMismatch(t: TestContext, label: string, s: ScanStats): void {
  t.diagnostic(`${label}: ${share(s)}, ${s.mismatches.total} mismatch(es)`);
  if (s.mismatches.total > 0) assert.fail(`${label}: ${s.mismatches.report(true)}`);
}

// ---------------------------------------------------------------------------------------------
// Equality on the corpus

test("fastCst gives the Parser's tokens on every document of examples/ it accepts", (t) => {
  assertNoMismatch(t, 'examples/', examplesStats());
});

test("fastCst gives the Parser's tokens on every document of the test fixtures it accepts", (t) => {
  assertNoMismatch(t, 'test/', testFilesStats());
});

test("fastCst gives the Parser's tokens on every document of ../shared/upstream it accepts", (t) => {
  const s = upstreamStats();
  if (!s) {
    t.skip(NO_SHARED);
    return;
  }
  assertNoMismatch(t, '../shared/upstream', s);
});

test("fastCst gives the Parser's tokens on every benchmark document it accepts", async (t) => {
  assertNoMismatch(t, 'benchmark files', await benchStats());
});

// ---------------------------------------------------------------------------------------------
// Coverage: a scanner that declines everything must not pass

test(`fastCst accepts at least ${BENCH_MIN_SHARE * 100}% of the benchmark documents`, async (t) => {
  const s = await benchStats();
  t.diagnostic(`benchmark files: ${share(s)}`);
  assert.ok(s.chunks > 50, `the benchmark text has many documents (${s.chunks})`);
  assert.ok(s.accepted >= BENCH_MIN_SHARE * s.chunks, `benchmark files: only ${share(s)}`);
});

test(`fastCst accepts at least ${EXAMPLES_MIN_SHARE * 100}% of the documents of examples/`, (t) => {
  const s = examplesStats();
  t.diagnostic(`examples/: ${share(s)}`);
  assert.ok(s.chunks > 10, `examples/ has documents (${s.chunks})`);
  assert.ok(s.accepted >= EXAMPLES_MIN_SHARE * s.chunks, `examples/: only ${share(s)}`);
});

test('fastCst reads the documents of examples/ with CRLF line ends as it reads them with LF', (t) => {
  // Files saved on Windows end their lines with CRLF; the scanner must give the Parser's tokens
  // for them, and accept exactly the documents it accepts with LF (so CRLF files are not slower).
  const lf = examplesStats();
  const crlf = scanned('examples (CRLF)', () =>
    repoYaml('examples').map((f) => ({ name: `${f.name} (CRLF)`, text: f.text.replace(/\r?\n/g, '\r\n') })),
  );
  assertNoMismatch(t, 'examples/ with CRLF', crlf);
  assert.equal(crlf.chunks, lf.chunks);
  assert.equal(crlf.accepted, lf.accepted, `with CRLF ${share(crlf)}, with LF ${share(lf)}`);
});

// ---------------------------------------------------------------------------------------------
// Mutation fuzz

/** Scalars a scanner of plain block YAML has to tell apart from its subset, or get exactly right. */
const TRICKY_SCALARS: readonly string[] = [
  '"a\\"b"',
  "'it''s'",
  '"\\u00e9"',
  '"a # b"',
  'a#b',
  'a: b',
  'a:b',
  '-1',
  '-',
  '- x',
  '? x',
  ':x',
  '[a, b]',
  '{}',
  '[]',
  '{a: b}',
  '["*"]',
  '[a,b]',
  '[ a ]',
  '[a, ]',
  `["a", 'b']`,
  '[a] # c',
  '[a]#c',
  '[a]x',
  '[[a]]',
  '[a: b]',
  '[,]',
  '[a #b]',
  '[a',
  '["a\\"]"]',
  '[a b, c]',
  '[a:b, c]',
  '[a:, b]',
  '{a: b, c: "d" ,e: f}',
  '{ a: b }',
  '{a:b}',
  '{a: }',
  '{a: b,}',
  '{a: b:c}',
  '{a: b:}',
  '{k8s:io.kubernetes.pod.namespace: kube-system}',
  `{'a': 'b'}`,
  '{"a":b}',
  '{a: [b]}',
  '{a: {b: c}}',
  '{a: b} x',
  '{a: b}#c',
  '{a: b #c}',
  '{a  : b}',
  '{a: b',
  '|',
  '>-',
  '|+',
  '&a x',
  '*a',
  '!tag x',
  '!!str x',
  '%x',
  '@x',
  '`x',
  '~',
  'null',
  'yes',
  '0x1F',
  '1e3',
  '"unterminated',
  "'un",
  '""',
  "''",
  '"a\\\\"',
  "'a''",
  'é',
  '😀',
  'a 😀 b',
  'a\rb',
  '\r',
  'a\tb',
  'a  b',
  'a :b',
  'a ,b',
  'x ---',
  '...',
  '"a" b',
  "'a' # c",
  '"a"# c',
  'x'.repeat(1100),
];

const KEYS: readonly string[] = [
  'a b',
  '"a"',
  "'a'",
  '"a b"',
  '"a: b"',
  "'it''s'",
  'é',
  '😀',
  'a#b',
  '-a',
  '1',
  '~',
  '[a]',
  '&k a',
  '!t a',
  '*a',
  '? a',
  'k'.repeat(1100),
  'k'.repeat(1030),
];

/** `indent (- )* key: value` (value may be empty), for mutations that need a key or a value. */
const KEY_LINE = /^(\s*(?:- +)*)([^\s#'"-][^#]*?|"[^"]*"|'[^']*'):( +|$)(.*)$/;
const ITEM_LINE = /^(\s*(?:- +)+)(\S.*)$/;

/** Characters a character-level mutation inserts. */
const INSERTED_CHARS: readonly string[] = [
  ' ',
  '\t',
  ':',
  '-',
  '#',
  '"',
  "'",
  '\r',
  '\n',
  '?',
  '&',
  '*',
  '!',
  '|',
  '>',
  '[',
  ']',
  '{',
  '}',
  ',',
  '%',
  '@',
  '`',
  'é',
  '😀',
  '\\',
  '\uFEFF',
  '\u2028',
  '\u0085',
  '\u00a0',
  '\u3000',
  '\ud800',
];

type Mutation = (text: string, r: Prng) => string;

function onLines(text: string, f: (lines: string[]) => void): string {
  const lines = text.split('\n');
  f(lines);
  return lines.join('\n');
}

/** A line index to mutate (the final empty "line" after the last newline left out, when there are others). */
function lineAt(lines: string[], r: Prng): number {
  const n = lines.length > 1 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  return r.int(Math.max(1, n));
}

/** A line index matching `re`, tried a few times, or undefined. */
function lineMatching(lines: string[], r: Prng, re: RegExp): number | undefined {
  for (let tries = 0; tries < 8; tries++) {
    const i = lineAt(lines, r);
    if (re.test(lines[i]!)) return i;
  }
  const all = lines.flatMap((l, i) => (re.test(l) ? [i] : []));
  return all.length ? r.pick(all) : undefined;
}

const indentOf = (line: string): string => /^[ \t]*/.exec(line)![0];

const MUTATIONS: Readonly<Record<string, readonly [number, Mutation]>> = {
  indent: [
    10,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        const d = r.pick([-2, -1, 1, 2]);
        const line = lines[i]!;
        lines[i] = d > 0 ? ' '.repeat(d) + line : line.replace(new RegExp(`^ {1,${-d}}`), '');
      }),
  ],
  tab: [
    5,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        const line = lines[i]!;
        const ind = indentOf(line);
        lines[i] = r.pick([
          `\t${line}`,
          `${ind}\t${line.slice(ind.length)}`,
          line.replace(': ', ':\t'),
          line.replace('- ', '-\t'),
          `${line}\t`,
          line.replace(/^ /, '\t'),
        ]);
        if (r.chance(0.2)) lines.splice(i, 0, r.pick(['\t', ' \t', '\t# c', `${ind}\t`]));
      }),
  ],
  dash: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        const line = lines[i]!;
        const ind = indentOf(line);
        const rest = line.slice(ind.length);
        if (rest.startsWith('- ') && r.chance(0.7)) lines[i] = ind + (r.chance(0.5) ? '  ' : '') + rest.slice(2);
        else lines[i] = ind + r.pick(['- ', '- ', '-  ', '- - ', '-']) + rest;
      }),
  ],
  blank: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        const kind = r.int(4);
        if (kind === 0) lines.splice(i, 0, '');
        else if (kind === 1) lines.splice(i, 0, ' '.repeat(r.between(1, 10)));
        else if (kind === 2) lines.splice(i, 0, r.pick(['\t', ' \t ', '  \t']));
        else lines[i] += ' '.repeat(r.between(1, 3));
      }),
  ],
  commentLine: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        const ind = r.chance(0.5) ? indentOf(lines[i]!) : ' '.repeat(r.between(0, 10));
        lines.splice(i, 0, ind + r.pick(['# c', '#', '#c', '# - x: y', '# ---', '#\t"x', '# é 😀', '## c ']));
      }),
  ],
  trailingComment: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        lines[i] += r.pick([' # c', ' #', '#c', '\t# c', '  # c: d', ' #"x', ' # c ', '#', ' #\t']);
      }),
  ],
  scalar: [
    14,
    (text, r) =>
      onLines(text, (lines) => {
        const v = r.pick(TRICKY_SCALARS);
        const i = lineMatching(lines, r, KEY_LINE);
        if (i !== undefined && r.chance(0.75)) {
          const m = KEY_LINE.exec(lines[i]!)!;
          lines[i] = `${m[1]}${m[2]}:${m[3] || ' '}${v}`;
          return;
        }
        const j = lineMatching(lines, r, ITEM_LINE);
        if (j !== undefined) lines[j] = `${ITEM_LINE.exec(lines[j]!)![1]}${v}`;
      }),
  ],
  key: [
    6,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineMatching(lines, r, KEY_LINE);
        if (i === undefined) return;
        const m = KEY_LINE.exec(lines[i]!)!;
        lines[i] = `${m[1]}${r.pick(KEYS)}:${m[3]}${m[4]}`;
      }),
  ],
  colon: [
    6,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineMatching(lines, r, KEY_LINE);
        if (i === undefined) return;
        const m = KEY_LINE.exec(lines[i]!)!;
        const sep = r.pick([':', ':  ', ' :', ' : ', ':   ', '::', ': : ']);
        lines[i] = `${m[1]}${m[2]}${sep}${m[4]}`;
      }),
  ],
  duplicate: [
    4,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        lines.splice(i, 0, lines[i]!);
      }),
  ],
  marker: [
    6,
    (text, r) =>
      onLines(text, (lines) => {
        // Often at the end, before the final newline's empty "line".
        const end = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
        const i = r.chance(0.3) ? end : lineAt(lines, r);
        const marker = r.pick([
          '...',
          '--- x',
          '---',
          '--- # c',
          '... # c',
          '---\t',
          '----',
          '--- |',
          '-- x',
          '--- {}',
        ]);
        lines.splice(i, 0, marker);
      }),
  ],
  multiline: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineMatching(lines, r, KEY_LINE);
        if (i === undefined) return;
        const m = KEY_LINE.exec(lines[i]!)!;
        const more = indentOf(lines[i]!) + r.pick([' ', '  ', '    ']);
        const kind = r.int(4);
        if (kind === 0 && m[4]) {
          // `key:` then the value, plain, on a more indented line.
          lines[i] = `${m[1]}${m[2]}:`;
          lines.splice(i + 1, 0, more + m[4]);
        } else if (kind === 1) {
          lines.splice(i + 1, 0, more + r.pick(['more text', 'x', 'a b c', '"q"', 'x # c', '- x']));
        } else if (kind === 2) {
          lines.splice(i + 1, 0, `${more}x: y`);
        } else {
          lines.splice(i + 1, 0, '', more + 'continued');
        }
      }),
  ],
  subtree: [
    8,
    (text, r) =>
      onLines(text, (lines) => {
        // A line and the more indented lines below it move together: a valid document stays valid
        // more often than with `indent`, with its collections at unusual columns.
        const i = lineAt(lines, r);
        const own = indentOf(lines[i]!).length;
        let end = i + 1;
        while (end < lines.length && (lines[end]!.trim() === '' || indentOf(lines[end]!).length > own)) end++;
        const d = r.pick([-2, -1, 1, 2, 4]);
        for (let k = i; k < end; k++) {
          const line = lines[k]!;
          if (line.trim() === '') continue;
          lines[k] = d > 0 ? ' '.repeat(d) + line : line.replace(new RegExp(`^ {1,${-d}}`), '');
        }
      }),
  ],
  truncate: [
    4,
    (text, r) => {
      // The document ends early: inside nested collections, after a key, in a comment, mid-line.
      const ends = [...text.matchAll(/\n/g)].map((m) => m.index + 1);
      return r.chance(0.7) && ends.length ? text.slice(0, r.pick(ends)) : text.slice(0, r.int(text.length + 1));
    },
  ],
  swap: [
    3,
    (text, r) =>
      onLines(text, (lines) => {
        const i = lineAt(lines, r);
        if (i + 1 >= lines.length) return;
        [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
      }),
  ],
  charInsert: [
    8,
    (text, r) => {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + r.pick(INSERTED_CHARS) + text.slice(at);
    },
  ],
  charDelete: [
    6,
    (text, r) => {
      if (!text) return text;
      const at = r.int(text.length);
      return text.slice(0, at) + text.slice(at + r.between(1, 3));
    },
  ],
  lineEnds: [
    8,
    (text, r) => {
      switch (r.int(7)) {
        case 0:
          return text.replace(/\n+$/, '');
        case 1:
          return `${text}\n\n`;
        case 2:
          return text.replace(/\r?\n/g, '\r\n');
        case 3:
          return onLines(text, (lines) => {
            const i = lineAt(lines, r);
            lines[i] += '\r';
          });
        case 4: {
          const nl = [...text.matchAll(/\n/g)].map((m) => m.index);
          if (!nl.length) return `${text}\r`;
          const at = r.pick(nl);
          return `${text.slice(0, at)}\r${text.slice(at + 1)}`;
        }
        case 5:
          return `\uFEFF${text}`;
        default:
          return text.replace(/\n$/, '\r\n');
      }
    },
  ],
};

const MUTATION_WEIGHTS = Object.fromEntries(Object.entries(MUTATIONS).map(([k, [w]]) => [k, w]));

/** The fuzz's starting texts: every distinct document of the corpus, long ones cut to their first lines. */
function fuzzSeeds(all: readonly ScanStats[]): string[] {
  const seeds = new Set<string>();
  for (const s of all) {
    for (const text of s.chunkTexts) {
      const lines = text.split('\n');
      seeds.add(lines.length > FUZZ_MAX_LINES ? `${lines.slice(0, FUZZ_MAX_LINES).join('\n')}\n` : text);
    }
  }
  return [...seeds].filter((t) => t.trim() !== '').sort();
}

test(`fastCst gives the Parser's tokens on ${FUZZ_CASES} seeded mutations of the corpus documents`, async (t) => {
  const sources = [examplesStats(), testFilesStats(), await benchStats()];
  const upstream = upstreamStats();
  if (upstream) sources.push(upstream);
  else t.diagnostic(`${NO_SHARED}; the fuzz starts from the repository's files and the benchmark text only`);
  const seeds = fuzzSeeds(sources);
  // Mutating a document the scanner already declines mostly tests its refusals; most cases start
  // from one it accepts as written (which makes the cases depend on the scanner, but not on chance).
  const acceptedSeeds = seeds.filter((s) => scanCst(s) !== undefined);
  const r = new Prng(FUZZ_SEED);
  const mismatches = new Mismatches();
  const used: Record<string, number> = {};
  let accepted = 0;
  const started = Date.now();
  for (let n = 0; n < FUZZ_CASES; n++) {
    let text = r.pick(acceptedSeeds.length && r.chance(FROM_ACCEPTED) ? acceptedSeeds : seeds);
    const steps = { one: 1, two: 2, three: 3 }[r.weighted(STEPS) as 'one' | 'two' | 'three'];
    const names: string[] = [];
    for (let s = 0; s < steps; s++) {
      const name = r.weighted(MUTATION_WEIGHTS);
      names.push(name);
      text = MUTATIONS[name]![1](text, r);
    }
    const v = compare(text);
    if (v.kind === 'declined') continue;
    accepted++;
    for (const name of names) used[name] = (used[name] ?? 0) + 1;
    if (isBad(v)) mismatches.add(`fuzz case ${n} (seed ${FUZZ_SEED}, mutations ${names.join(', ')})`, text, v);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.diagnostic(
    `${FUZZ_CASES} cases from ${seeds.length} documents (${acceptedSeeds.length} accepted as written) in ${seconds} s: ${accepted} accepted ` +
      `(${((100 * accepted) / FUZZ_CASES).toFixed(1)}%), ${FUZZ_CASES - accepted} declined, ${mismatches.total} mismatch(es)`,
  );
  t.diagnostic(`mutations in accepted cases: ${JSON.stringify(used)}`);
  if (mismatches.total > 0) assert.fail(mismatches.report(true));
  assert.ok(
    accepted >= FUZZ_MIN_SHARE * FUZZ_CASES,
    `fastCst accepted only ${accepted} of ${FUZZ_CASES} mutated texts; the fuzz hardly exercises it`,
  );
});
