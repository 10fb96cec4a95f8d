// SPDX-License-Identifier: Apache-2.0
/**
 * The flow-log and event-log fuzz modes: seeded hostile JSON-lines logs (`log-fuzz.ts`) read with
 * the shared reader (`io/json-lines.ts`) and handed to what consumes them: Tetragon events to the
 * dry-run engine (as `cilium-policy dryrun` does), Hubble flows to the verdict engine through the
 * recorded-flow endpoint form (`{ identityLabels, ip, names }`, what replay reads flows into).
 *
 * Checked on every run: the reader never throws and names each deliberately broken line by the
 * right kind at the right line number; its counts add up (lines = values + empty + problems);
 * every value reaches the consumer once, in order; the consumers never throw and answer in their
 * vocabulary (`match`/`no-match`/`unknown` on the event's own line; `allow`/`deny`/`unknown` with a
 * reason); and the same log read twice gives the same results.
 *
 * The seed is printed. CILIUM_POLICY_FUZZ_SEED reproduces a run; CILIUM_POLICY_FUZZ_LOG_LINES sets
 * the lines per log (default 3,000 per mode, about a second each in CI).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { emptyInventory, inventoryFromManifests } from '../../server/src/core/inventory.js';
import { readEvent } from '../../server/src/core/tetragon/events.js';
import { DryRun, type PolicyInput } from '../../server/src/dryrun/index.js';
import { JSON_LINE_PROBLEM_KINDS, readJsonLines, type JsonLinesSummary } from '../../server/src/io/json-lines.js';
import { agentOptionsFromConfigMap, resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine, type DirectionVerdict } from '../../server/src/semantics/engine.js';
import { FlowReplay, type Judgement } from '../../server/src/semantics/replay/replay.js';
import { parseReplayArgs, runReplay, type ReplayCommandOptions } from '../../server/src/cli/replay-command.js';
import type { CliIO } from '../../server/src/cli/common.js';
import type { FlowLogStatus, ReplayResult } from '../../server/src/protocol.js';
import { LspClient } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';
import { LIMITS, logLine, type LogLine } from './log-fuzz.js';
import { intFromEnv, Prng, seedFromEnv } from './prng.js';

const LINES = intFromEnv('CILIUM_POLICY_FUZZ_LOG_LINES', 3000);

/** Writes a log and returns its lines and path. */
function writeLog(rng: Prng, records: readonly unknown[], name: string): { lines: LogLine[]; file: string } {
  const lines = Array.from({ length: LINES }, () => logLine(rng, records));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-log-fuzz-')), name);
  fs.writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l.bytes, Buffer.from('\n')])));
  return { lines, file };
}

/**
 * Reads a log, handing each value to `consume`; checks what the reader said about every line
 * against how the line was made, and that the counts add up. Returns what `consume` returned, by line.
 */
async function readChecked(
  log: { lines: LogLine[]; file: string },
  consume: (value: unknown, line: number) => unknown,
  seed: number,
  limits: { maxLineBytes?: number; maxDepth?: number } = LIMITS,
): Promise<{ out: Map<number, unknown>; summary: JsonLinesSummary }> {
  const out = new Map<number, unknown>();
  const problems = new Map<number, string>();
  let last = 0;
  const summary = await readJsonLines(
    log.file,
    (value, line) => {
      assert.ok(line > last, `seed ${seed}: line ${line} after ${last}`);
      last = line;
      out.set(line, consume(value, line));
    },
    { ...limits, onProblem: (p) => problems.set(p.line, p.kind) },
  );
  assert.equal(summary.lines, log.lines.length, `seed ${seed}: lines read`);
  const problemTotal = JSON_LINE_PROBLEM_KINDS.reduce((n, k) => n + summary.problems[k], 0);
  assert.equal(summary.values + summary.empty + problemTotal, summary.lines, `seed ${seed}: the counts add up`);
  assert.equal(summary.values, out.size, `seed ${seed}: every value reached the consumer once`);
  assert.equal(problems.size, problemTotal, `seed ${seed}: every problem was reported`);
  assert.equal(summary.grew, false);
  const wrong: string[] = [];
  for (const [i, l] of log.lines.entries()) {
    const n = i + 1;
    const got = out.has(n) ? 'value' : (problems.get(n) ?? 'empty');
    // With the shipped limits (16 MiB lines, depth 128) the fuzz's long and deep lines may be read.
    const expected = limits !== LIMITS && (l.expected === 'too-long' || l.expected === 'too-deep') ? 'any' : l.expected;
    if (expected !== 'any' && got !== expected) wrong.push(`line ${n} (${l.how}): expected ${l.expected}, got ${got}`);
    if (l.expected === 'any' && got === 'empty') wrong.push(`line ${n} (${l.how}): read as empty`);
  }
  assert.deepEqual(wrong.slice(0, 10), [], `seed ${seed}: ${wrong.length} lines misread`);
  return { out, summary };
}

/** Non-blank lines of a JSON-lines example, parsed. */
function records(file: string): unknown[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('fuzzing the log readers', () => {
  it('event-log mode: hostile Tetragon event logs through the reader and the dry-run engine', async () => {
    const seed = seedFromEnv();
    console.log(`log fuzz (events): seed ${seed} (reproduce with CILIUM_POLICY_FUZZ_SEED=${seed}), ${LINES} lines`);
    const policyFile = 'examples/tracingpolicy-block-readers.yaml';
    const text = fs.readFileSync(path.join(REPO_ROOT, policyFile), 'utf8');
    const inputs: PolicyInput[] = parseFile(text)
      .documents.filter((d) => d.kind?.kind === 'TracingPolicy')
      .map((doc) => ({ file: policyFile, text, doc }));
    assert.ok(inputs.length > 0);
    const log = writeLog(new Prng(seed), records('examples/tetragon-events.jsonl'), 'events.jsonl');
    const run = async () => {
      const dr = new DryRun(inputs);
      const { out } = await readChecked(
        log,
        (value, line) => {
          const results = dr.feedParsed(readEvent(value), line);
          for (const r of results) {
            assert.equal(r.eventLine, line, `seed ${seed}: a result names line ${r.eventLine}, not ${line}`);
            assert.ok(['match', 'no-match', 'unknown'].includes(r.match), `seed ${seed}: match ${r.match}`);
            if (r.match === 'unknown')
              assert.ok(typeof r.reason === 'string' && r.reason !== '', `seed ${seed}: unknown without a reason`);
          }
          return results.map((r) => `${r.match} ${r.selector ?? '-'} ${r.reason}`);
        },
        seed,
      );
      return { out, counts: { ...dr.counts, unknownTypes: [...dr.counts.unknownTypes] } };
    };
    const first = await run();
    const matched = [...first.out.values()].flat().filter((x) => String(x).startsWith('match')).length;
    assert.ok(matched > 0, `seed ${seed}: no event matched at all; the log lost its intact events`);
    const second = await run();
    assert.deepEqual(second, first, `seed ${seed}: the same log gave other results`);
    console.log(
      `log fuzz (events): ${first.out.size} values, ${matched} matches; counts ${JSON.stringify(first.counts)}`,
    );
  });

  it('flow-log mode: hostile Hubble flow logs through the replay (reader, record reader, grouping), the CLI and the server', async () => {
    const seed = seedFromEnv() ^ 0x5eed;
    console.log(
      `log fuzz (flows): seed ${seed} (reproduce with CILIUM_POLICY_FUZZ_SEED=${seed ^ 0x5eed}), ${LINES} lines`,
    );
    // Made-up flows between the shop's workloads and the shop's recorded log (L7 HTTP and DNS,
    // replies, node events), one ICMP flow.
    const base = [...SHOP_FLOWS, ...records('examples/shop/flows/hubble-flows.jsonl')];
    const log = writeLog(new Prng(seed), base, 'flows.jsonl');
    const head = shopEngine();

    // The replay as `cilium-policy replay` and `ciliumPolicy/loadFlows` run it: the shared reader
    // hands each value to FlowReplay.add (record reader, grouping, judging).
    const first = await replayChecked(log, head, seed);
    const verdicts = [...first.byLine.values()].map((x) => x.split(' ')[0]);
    assert.ok(
      verdicts.includes('allow') && verdicts.includes('deny'),
      `seed ${seed}: the intact flows lost their verdicts`,
    );
    const second = await replayChecked(log, head, seed);
    assert.deepEqual(second.byLine, first.byLine, `seed ${seed}: the same log gave other verdicts`);
    assert.deepEqual(second.counts, first.counts, `seed ${seed}: the same log gave other counts`);

    // Grouping: each flow gets what it gets judged alone (a fresh replay, no caches, no groups),
    // and with room for only a few groups (the rest judged one by one) every line keeps its answer.
    const alone = new Map<number, string>();
    for (const [line, value] of first.values) {
      const r = new FlowReplay({ head }).add(value, line);
      if (r) alone.set(line, decision(r.group.head));
    }
    const wrong = [...alone]
      .filter(([l, x]) => first.decisions.get(l) !== x)
      .map(([l, x]) => `line ${l}: alone ${x}, grouped ${first.decisions.get(l)}`);
    assert.deepEqual(wrong.slice(0, 5), [], `seed ${seed}: ${wrong.length} flows judged otherwise in their group`);
    assert.equal(alone.size, first.counts.flows, `seed ${seed}: flows judged alone`);
    const few = await replayChecked(log, head, seed, 5);
    assert.deepEqual(few.decisions, first.decisions, `seed ${seed}: with 5 groups kept, other verdicts`);
    assert.ok(few.ungrouped > 0 || first.counts.questions <= 5, `seed ${seed}: nothing went past the kept groups`);

    // The CLI (in process, the code of `cilium-policy replay`): JSON that parses whatever the log
    // holds, the same counts and the same verdict on each line; text output with every control and
    // bidi character escaped.
    const shipped = await replayChecked(log, head, seed, undefined, {});
    const cli = await runReplayCli(['--flows', log.file, '--format', 'json', '--inventory', 'inventory', 'policies']);
    assert.ok(cli.status === 0 || cli.status === 1, `seed ${seed}: replay exit ${cli.status}: ${cli.stderr}`);
    let json: {
      results: { line: number; verdict: string; reason: string }[];
      flows: number;
      questions: number;
      skipped: Record<string, number>;
      verdicts: Record<string, number>;
    };
    try {
      json = JSON.parse(cli.stdout) as typeof json;
    } catch (e) {
      assert.fail(`seed ${seed}: replay --format json is not JSON (${(e as Error).message})`);
    }
    assert.equal(json.flows, shipped.counts.flows, `seed ${seed}: CLI flows`);
    assert.deepEqual(json.skipped, shipped.counts.skipped, `seed ${seed}: CLI skipped`);
    assert.equal(json.questions, shipped.counts.questions, `seed ${seed}: CLI questions`);
    assert.equal(json.flows + sum(json.skipped), log.lines.length, `seed ${seed}: CLI flows + skipped = lines`);
    assert.equal(json.results.length, json.flows, `seed ${seed}: one result per flow`);
    assert.equal(sum(json.verdicts), json.flows, `seed ${seed}: CLI verdicts add up`);
    const cliWrong = json.results.filter((r) => shipped.byLine.get(r.line) !== `${r.verdict} ${r.reason}`);
    assert.deepEqual(
      cliWrong.slice(0, 3).map((r) => r.line),
      [],
      `seed ${seed}: ${cliWrong.length} CLI results differ`,
    );
    const text = await runReplayCli(['--flows', log.file, '--inventory', 'inventory', 'policies']);
    assert.equal(text.status, cli.status, `seed ${seed}: text and JSON exit alike`);
    for (const [what, out] of [
      ['stdout', text.stdout],
      ['stderr', text.stderr + cli.stderr],
    ] as const) {
      const raw = UNPRINTABLE.exec(out);
      assert.equal(raw, null, `seed ${seed}: raw U+${raw?.[0].codePointAt(0)?.toString(16)} in the CLI's ${what}`);
    }

    // The server (`ciliumPolicy/loadFlows`, `ciliumPolicy/replay` over JSON-RPC; no workspace, so
    // no policies): the same counts as the same replay in process with an empty engine, twice.
    const bare = await replayChecked(
      log,
      new VerdictEngine({ inventory: emptyInventory('workspace', 'none'), agent: resolveAgent([]) }),
      seed,
      undefined,
      {},
    );
    const client = await LspClient.start();
    try {
      for (let i = 0; i < 2; i++) {
        const status = (await client.request('ciliumPolicy/loadFlows', { path: log.file })) as FlowLogStatus;
        assert.equal(status.error, undefined, `seed ${seed}: ${status.error}`);
        assert.equal(status.flows, bare.counts.flows, `seed ${seed}: server flows`);
        assert.deepEqual(status.skipped, bare.counts.skipped, `seed ${seed}: server skipped`);
        assert.equal(status.questions, bare.counts.questions, `seed ${seed}: server questions`);
        assert.equal(
          status.flows + sum(status.skipped),
          log.lines.length,
          `seed ${seed}: server flows + skipped = lines`,
        );
        const r = (await client.request('ciliumPolicy/replay', { limit: 5000 })) as ReplayResult;
        assert.equal(sum(r.verdicts), status.flows, `seed ${seed}: server verdicts add up`);
        assert.equal(r.groups.length + r.more, status.questions, `seed ${seed}: server groups`);
        if (r.more === 0)
          assert.equal(
            r.groups.reduce((n, g) => n + g.flows, 0),
            status.flows,
            `seed ${seed}: the server's groups hold every flow`,
          );
        for (const g of r.groups) {
          assert.ok(VERDICTS.includes(g.verdict), `seed ${seed}: server verdict ${g.verdict}`);
          assert.ok(['none', 'newly-denied', 'newly-allowed'].includes(g.change), `seed ${seed}: change ${g.change}`);
          assert.ok(typeof g.reason === 'string' && g.reason !== '', `seed ${seed}: a group without a reason`);
        }
      }
    } finally {
      await client.stop();
    }
    const count = (w: string) => verdicts.filter((x) => x === w).length;
    console.log(
      `log fuzz (flows): ${first.counts.flows} flows in ${first.counts.questions} questions: ${count('allow')} allow, ${count('deny')} deny, ${count('unknown')} unknown; skipped ${JSON.stringify(first.counts.skipped)}`,
    );
  });
});

/** Characters the CLI's text output must never print raw: C0 but line feed, DEL, C1, bidi controls. */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const VERDICTS: readonly string[] = ['allow', 'deny', 'unknown'];

const sum = (o: Readonly<Record<string, number>>): number => Object.values(o).reduce((n, x) => n + x, 0);

const SHOP = path.join(REPO_ROOT, 'examples', 'shop');

/** The shop's policies over its inventory, with its cilium-config as the agent (as the replay reads them). */
function shopEngine(): VerdictEngine {
  const read = (sub: string) =>
    fs
      .readdirSync(path.join(SHOP, sub))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ uri: `${sub}/${f}`, text: fs.readFileSync(path.join(SHOP, sub, f), 'utf8') }));
  const inventory = inventoryFromManifests(read('inventory'));
  const cm = inventory.ciliumConfig;
  const agent = resolveAgent(
    cm ? [{ origin: 'cilium-config', values: agentOptionsFromConfigMap(cm.data).values }] : [],
  );
  const engine = new VerdictEngine({ inventory, agent });
  for (const f of read('policies')) engine.setFile(f.uri, parseFile(f.text));
  return engine;
}

/** What one replay of a log gave: the verdict and reason per line judged, the values read, the counts. */
interface ReplayRun {
  readonly byLine: Map<number, string>;
  /** The engine's decision per line, without the names of the ends (a group shows its first record's). */
  readonly decisions: Map<number, string>;
  readonly values: Map<number, unknown>;
  readonly counts: { flows: number; questions: number; skipped: Record<string, number> };
  readonly ungrouped: number;
}

/**
 * Replays a log as the CLI and the server do (the reader's values into `FlowReplay.add`) and checks
 * every record and group: answers in the engine's vocabulary, counts that add up (flows and every
 * skipped kind make the lines; the groups hold every grouped flow), a record's group is one of the
 * replay's groups.
 */
async function replayChecked(
  log: { lines: LogLine[]; file: string },
  head: VerdictEngine,
  seed: number,
  maxGroups?: number,
  limits?: { maxLineBytes?: number; maxDepth?: number },
): Promise<ReplayRun> {
  const replay = new FlowReplay({ head, ...(maxGroups !== undefined ? { maxGroups } : {}) });
  const values = new Map<number, unknown>();
  const decisions = new Map<number, string>();
  let skips = 0;
  const { out, summary } = await readChecked(
    log,
    (value, line) => {
      values.set(line, value);
      const r = replay.add(value, line);
      if (!r) {
        skips++;
        return undefined;
      }
      const g = r.group;
      assert.ok(VERDICTS.includes(g.head.verdict), `seed ${seed}: verdict ${g.head.verdict}`);
      assert.ok(typeof g.head.reason === 'string' && g.head.reason !== '', `seed ${seed}: line ${line}: no reason`);
      assert.ok(['none', 'newly-denied', 'newly-allowed'].includes(r.change), `seed ${seed}: change ${r.change}`);
      assert.equal(r.line, line);
      decisions.set(line, decision(g.head));
      return `${g.head.verdict} ${g.head.reason}`;
    },
    seed,
    limits,
  );
  const byLine = new Map<number, string>();
  for (const [line, x] of out) if (typeof x === 'string') byLine.set(line, x);
  const s = replay.skipped;
  assert.equal(sum(s), skips, `seed ${seed}: every skipped record is counted by kind`);
  assert.equal(replay.flows, byLine.size, `seed ${seed}: flows judged`);
  assert.equal(replay.flows + skips, summary.values, `seed ${seed}: every value is a flow or a skip`);
  const groups = replay.groups();
  assert.equal(
    groups.reduce((n, g) => n + g.flows, 0) + replay.ungrouped,
    replay.flows,
    `seed ${seed}: the groups hold every flow`,
  );
  groups.forEach((g, i) => {
    assert.equal(g.id, i, `seed ${seed}: group ids in order`);
    assert.ok(g.forwarded + g.policyDropped <= g.flows && g.dropped <= g.flows, `seed ${seed}: group ${i} counts`);
  });
  // The `skipped` object of the CLI's JSON and the server's status, computed from the counts.
  const p = summary.problems;
  const skipped: Record<string, number> = {
    reply: s.reply,
    notFlow: s['not-flow'] + summary.empty,
    unparsable: p.unparsable,
  };
  for (const [k, n] of [
    ['incomplete', s.incomplete],
    ['otherL7', s['other-l7']],
    ['oversized', s.oversized],
    ['tooLong', p['too-long']],
    ['nulByte', p['nul-byte']],
    ['invalidUtf8', p['invalid-utf8']],
    ['tooDeep', p['too-deep']],
    ['numberOutOfRange', p['number-out-of-range']],
  ] as const)
    if (n > 0) skipped[k] = n;
  assert.equal(replay.flows + sum(skipped), summary.lines, `seed ${seed}: flows + skipped = lines`);
  return {
    byLine,
    decisions,
    values,
    counts: { flows: replay.flows, questions: groups.length, skipped },
    ungrouped: replay.ungrouped,
  };
}

/**
 * What the engine decided, without the display names in its sentences: the verdict, each
 * direction's verdict and state, and the rules and policies that decided (file and line).
 */
function decision(j: Judgement): string {
  const dir = (d: DirectionVerdict | undefined): string =>
    d ? `${d.verdict}/${d.state}/${[...d.by, ...d.defaultDenyBy].map((r) => `${r.file}:${r.line}`).join(',')}` : '-';
  return `${j.verdict} ${j.code ?? ''} ${dir(j.result?.egress)} ${dir(j.result?.ingress)}`;
}

/** `cilium-policy replay ARGS` in process, in the shop example's folder. */
async function runReplayCli(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const opts = parseReplayArgs(argv);
  assert.equal(opts.kind, 'replay');
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    cwd: SHOP,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Promise.resolve(''),
  };
  const status = await runReplay(opts as ReplayCommandOptions, io);
  return { status, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------
// Flows

/** A Hubble flow (`hubble observe -o jsonpb`) between two of the shop's workloads. */
function hubbleFlow(
  from: [string, string, string],
  to: [string, string, string],
  port: number,
  verdict: string,
): unknown {
  const end = ([ns, app, ip]: [string, string, string]) => ({
    namespace: ns,
    labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`],
    pod_name: `${app}-5c4b-x7k2q`,
    workloads: [{ name: app, kind: 'Deployment' }],
    _ip: ip,
  });
  const src = end(from);
  const dst = end(to);
  return {
    flow: {
      time: '2026-08-21T10:00:00.501Z',
      verdict,
      IP: { source: src._ip, destination: dst._ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000, destination_port: port, flags: { SYN: true } } },
      source: { ...src, _ip: undefined },
      destination: { ...dst, _ip: undefined },
      destination_names: [],
      Type: 'L3_L4',
      node_name: 'worker-1',
      traffic_direction: 'EGRESS',
    },
    node_name: 'worker-1',
    time: '2026-08-21T10:00:00.501Z',
  };
}

const FRONTEND: [string, string, string] = ['shop', 'frontend', '10.244.1.10'];
const API: [string, string, string] = ['shop', 'api', '10.244.1.11'];
const DB: [string, string, string] = ['shop', 'orders-db', '10.244.1.12'];
const SHOP_FLOWS: readonly unknown[] = [
  hubbleFlow(FRONTEND, API, 8080, 'FORWARDED'),
  hubbleFlow(FRONTEND, DB, 5432, 'DROPPED'),
  hubbleFlow(API, DB, 5432, 'FORWARDED'),
  {
    flow: {
      verdict: 'FORWARDED',
      IP: { source: '203.0.113.50', destination: '10.244.1.10' },
      l4: { TCP: { destination_port: 8080 } },
      source: { labels: ['reserved:world'] },
      destination: { namespace: 'shop', labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'] },
    },
  },
  {
    flow: {
      verdict: 'DROPPED',
      drop_reason_desc: 'POLICY_DENIED',
      IP: { source: '10.244.1.10', destination: '10.244.1.12' },
      l4: { ICMPv4: { type: 8 } },
      source: { namespace: 'shop', labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'] },
      destination: { namespace: 'shop', labels: ['k8s:app=orders-db', 'k8s:io.kubernetes.pod.namespace=shop'] },
    },
  },
];
