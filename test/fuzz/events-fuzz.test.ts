// SPDX-License-Identifier: Apache-2.0
// Fuzzes the dry run's event reading: Tetragon events (the example export and every event of the
// fixtures transcribed from Tetragon's tests), mutated as values (fields replaced by other types,
// huge or negative numbers, control characters, deep nesting, the other spelling) and as bytes
// (cut, flipped, NULs, invalid UTF-8), written to a file and read through the bounded JSON-lines
// reader into the engine with every fixture policy. The seed is printed; to reproduce or run longer:
//   CILIUM_POLICY_FUZZ_SEED=123 CILIUM_POLICY_FUZZ_EVENTS=200000 npm run test:fuzz
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { parse } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { lowerCamel } from '../../server/src/core/tetragon/events.js';
import { DryRun, type PolicyInput } from '../../server/src/dryrun/index.js';
import { readJsonLines, JSON_LINE_PROBLEM_KINDS } from '../../server/src/io/json-lines.js';
import { REPO_ROOT } from '../support/paths.js';
import { intFromEnv, Prng, seedFromEnv } from './prng.js';

/** Lines per CI run: a few seconds on a shared core. */
const DEFAULT_EVENTS = 20_000;

interface Fixture {
  cases: { test: string; policy: string; events?: { event: unknown }[] }[];
}

function corpus(): { events: unknown[]; policies: PolicyInput[] } {
  const events: unknown[] = fs
    .readFileSync(path.join(REPO_ROOT, 'examples/tetragon-events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
  const example = fs.readFileSync(path.join(REPO_ROOT, 'examples/tracingpolicy-block-readers.yaml'), 'utf8');
  const policies: PolicyInput[] = parseFile(example).documents.map((doc) => ({
    file: 'examples/tracingpolicy-block-readers.yaml',
    text: example,
    doc,
  }));
  const dir = path.join(REPO_ROOT, 'test/fixtures/dryrun');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const data = parse(fs.readFileSync(path.join(dir, f), 'utf8'), { merge: true, maxAliasCount: -1 }) as Fixture;
    for (const c of data.cases) {
      for (const doc of parseFile(c.policy).documents) policies.push({ file: `${f}#${c.test}`, text: c.policy, doc });
      for (const e of c.events ?? []) events.push(e.event);
    }
  }
  return { events, policies };
}

const NASTY_STRINGS = [
  '',
  '\u001b[2J\u001b]0;title\u0007',
  '\u202eevil',
  'a'.repeat(5000),
  '/etc/shadow',
  '@abstract',
  '/',
  '0x7fffffff',
  '-1',
  '18446744073709551615',
  '99999999999999999999999',
  'AF_INET6',
  'IPPROTO_TCP',
  'TCP_ESTABLISHED',
  '::ffff:10.0.0.1',
  '10.0.0.1',
  'not base64 !!!',
  'ffffffffffffffff',
  '\ud800',
];

function randomValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 5 : 8)) {
    case 0:
      return rng.pick(NASTY_STRINGS);
    case 1:
      return rng.pick([0, -1, 1, 4242, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, 1e308, 0.5, -0]);
    case 2:
      return rng.chance(0.5);
    case 3:
      return null;
    case 4:
      return String(rng.between(-100000, 100000));
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [
          rng.pick(['int_arg', 'file_arg', 'path', 'family', 'sport', 'pod', 'binary', 'x']),
          randomValue(rng, depth + 1),
        ]),
      );
    default:
      // Deep, but within what the reader accepts: the engine must not recurse without bound.
      return JSON.parse(`${'['.repeat(50)}1${']'.repeat(50)}`) as unknown;
  }
}

/** Every (container, key) of a JSON value, to pick one to change. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = [], depth = 0): typeof out {
  if (depth > 12 || v === null || typeof v !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    out.push([v as Record<string, unknown> | unknown[], k]);
    slots(x, out, depth + 1);
  }
  return out;
}

function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [lowerCamel(k), camel(x)]));
}

function mutateValue(rng: Prng, event: unknown): unknown {
  let v = structuredClone(event);
  if (rng.chance(0.2)) v = camel(v);
  const n = rng.int(4);
  for (let i = 0; i < n; i++) {
    const all = slots(v);
    if (all.length === 0) break;
    const [container, key] = rng.pick(all);
    if (Array.isArray(container)) {
      if (rng.chance(0.3)) container.splice(key as number, 1);
      else container[key as number] = randomValue(rng);
    } else if (rng.chance(0.2)) delete container[key as string];
    else container[key as string] = randomValue(rng);
  }
  return v;
}

function mutateBytes(rng: Prng, line: Buffer): Buffer {
  const b = Buffer.from(line);
  switch (rng.int(5)) {
    case 0:
      return b.subarray(0, rng.int(b.length + 1));
    case 1:
      if (b.length) b[rng.int(b.length)] = rng.int(256);
      return b;
    case 2:
      if (b.length) b[rng.int(b.length)] = 0;
      return b;
    case 3:
      return Buffer.concat([b.subarray(0, rng.int(b.length + 1)), Buffer.from([0xc3, 0x28]), b]);
    default:
      return Buffer.from(`{"process_kprobe":${'['.repeat(rng.between(60, 5000))}`);
  }
}

test('fuzzing event files: every line is read or counted, never a crash, and the results are well-formed', async (t) => {
  const seed = seedFromEnv();
  const count = intFromEnv('CILIUM_POLICY_FUZZ_EVENTS', DEFAULT_EVENTS);
  const rng = new Prng(seed);
  const { events, policies } = corpus();
  assert.ok(events.length > 300 && policies.length > 100, `${events.length} events, ${policies.length} policies`);
  console.log(`events fuzz: seed ${seed} (reproduce with CILIUM_POLICY_FUZZ_SEED=${seed}), ${count} lines`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'events-fuzz-'));
  const file = path.join(dir, 'events.jsonl');
  const fd = fs.openSync(file, 'w');
  let blank = 0;
  for (let i = 0; i < count; i++) {
    const base = rng.pick(events);
    const kind = rng.weighted({ plain: 3, value: 5, bytes: 2, blank: 0.2 });
    let line: Buffer;
    if (kind === 'blank') line = Buffer.from(rng.chance(0.5) ? '' : '   ');
    else if (kind === 'plain') line = Buffer.from(JSON.stringify(base));
    else if (kind === 'value') line = Buffer.from(JSON.stringify(mutateValue(rng, base)));
    else line = mutateBytes(rng, Buffer.from(JSON.stringify(base)));
    // A line must not hold a line feed of its own (a byte mutation may write one).
    for (let j = 0; j < line.length; j++) if (line[j] === 0x0a) line[j] = 0x20;
    // Blank as the reader sees it (a cut may leave nothing): no NUL, UTF-8, only white space.
    if (line.indexOf(0) < 0 && isUtf8(line) && line.toString('utf8').replace(/\r$/, '').trim() === '') blank++;
    fs.writeSync(fd, Buffer.concat([line, Buffer.from('\n')]));
  }
  fs.closeSync(fd);

  const dr = new DryRun(policies);
  let results = 0;
  let slowest = 0;
  const summary = await readJsonLines(
    file,
    (value, line) => {
      const started = performance.now();
      for (const r of dr.feedValue(value, line)) {
        results++;
        assert.ok(['match', 'no-match', 'unknown'].includes(r.match), `line ${line}: ${r.match}`);
        assert.equal(typeof r.reason, 'string', `line ${line}: a reason`);
        assert.ok(Array.isArray(r.actions));
        if (r.match === 'match') assert.equal(typeof r.selectorLine === 'number' || r.selector === undefined, true);
        assert.equal(r.eventLine, line);
        // Results are printed as JSON by the CLI: they must serialise.
        JSON.stringify(r);
      }
      slowest = Math.max(slowest, performance.now() - started);
    },
    { maxDepth: 64, onProblem: (p) => dr.countUnreadable(p.kind) },
  );
  const c = dr.counts;
  const problems = JSON_LINE_PROBLEM_KINDS.reduce((s, k) => s + summary.problems[k], 0);
  t.diagnostic(
    `${summary.lines} lines: ${summary.values} parsed, ${summary.empty} blank, ${problems} skipped by the reader (${JSON.stringify(summary.problems)}); ` +
      `${c.hookEvents} hook events, ${c.otherType} other, ${c.unknownType} unknown types, ${c.unparsable} unparsable; ` +
      `${results} results (${c.match} match, ${c.noMatch} no-match, ${c.unknown} unknown); slowest line ${slowest.toFixed(1)} ms`,
  );
  assert.equal(summary.lines, count);
  assert.equal(summary.empty, blank);
  assert.equal(c.events, count - blank, 'every non-blank line is counted once');
  assert.equal(c.hookEvents + c.otherType + c.unknownType + c.unparsable, c.events);
  assert.equal(c.match + c.noMatch + c.unknown, results);
  assert.ok(slowest < 2000, `the slowest line took ${slowest} ms`);
  fs.rmSync(dir, { recursive: true, force: true });
});
