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
import { inventoryFromManifests } from '../../server/src/core/inventory.js';
import { readEvent } from '../../server/src/core/tetragon/events.js';
import { DryRun, type PolicyInput } from '../../server/src/dryrun/index.js';
import { JSON_LINE_PROBLEM_KINDS, readJsonLines, type JsonLinesSummary } from '../../server/src/io/json-lines.js';
import { resolveAgent } from '../../server/src/semantics/agent.js';
import { VerdictEngine, type Flow, type FlowProtocol } from '../../server/src/semantics/engine.js';
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
    { ...LIMITS, onProblem: (p) => problems.set(p.line, p.kind) },
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
    if (l.expected !== 'any' && got !== l.expected)
      wrong.push(`line ${n} (${l.how}): expected ${l.expected}, got ${got}`);
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

  it('flow-log mode: hostile Hubble flow logs through the reader and the verdict engine', async () => {
    const seed = seedFromEnv() ^ 0x5eed;
    console.log(
      `log fuzz (flows): seed ${seed} (reproduce with CILIUM_POLICY_FUZZ_SEED=${seed ^ 0x5eed}), ${LINES} lines`,
    );
    const dir = path.join(REPO_ROOT, 'examples', 'shop');
    const read = (sub: string) =>
      fs
        .readdirSync(path.join(dir, sub))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => ({ uri: `${sub}/${f}`, text: fs.readFileSync(path.join(dir, sub, f), 'utf8') }));
    const engine = new VerdictEngine({ inventory: inventoryFromManifests(read('inventory')), agent: resolveAgent([]) });
    for (const f of read('policies')) engine.setFile(f.uri, parseFile(f.text));
    const log = writeLog(new Prng(seed), SHOP_FLOWS, 'flows.jsonl');
    const run = async () =>
      (
        await readChecked(
          log,
          (value) => {
            const flow = flowOf(value);
            if (!flow) return 'not a flow';
            const v = engine.evaluate(flow);
            assert.ok(['allow', 'deny', 'unknown'].includes(v.verdict), `seed ${seed}: verdict ${v.verdict}`);
            assert.equal(typeof v.reason, 'string', `seed ${seed}: a verdict without a reason`);
            return `${v.verdict} ${v.reason}`;
          },
          seed,
        )
      ).out;
    const first = await run();
    const verdicts = [...first.values()].map((x) => String(x).split(' ')[0]);
    assert.ok(
      verdicts.includes('allow') && verdicts.includes('deny'),
      `seed ${seed}: the intact flows lost their verdicts`,
    );
    assert.deepEqual(await run(), first, `seed ${seed}: the same log gave other verdicts`);
    const count = (w: string) => verdicts.filter((x) => x === w).length;
    console.log(
      `log fuzz (flows): ${first.size} values: ${count('allow')} allow, ${count('deny')} deny, ${count('unknown')} unknown, ${count('not')} not flows`,
    );
  });
});

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
];

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * The flow a Hubble record describes, in the verdict engine's terms, or undefined for a record that
 * is not one. Deliberately forgiving of types (a fuzzed record is anything): whatever it hands the
 * engine is what a reader of real logs could hand it.
 */
function flowOf(value: unknown): Flow | undefined {
  const f = obj(obj(value)?.['flow']);
  if (!f) return undefined;
  const ip = obj(f['IP']);
  const l4 = obj(f['l4']);
  const proto = l4 ? Object.keys(l4)[0] : undefined;
  const ports = obj(proto ? l4?.[proto] : undefined);
  const rawPort = ports?.['destination_port'];
  const end = (e: unknown, address: unknown, names: unknown) => {
    const o = obj(e);
    return {
      identityLabels: strings(o?.['labels']),
      ...(str(o?.['namespace']) !== undefined ? { namespace: str(o?.['namespace']) } : {}),
      ...(str(address) !== undefined ? { ip: str(address) } : {}),
      names: strings(names),
    };
  };
  const protocols: readonly FlowProtocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];
  const protocol = protocols.find((p) => p === proto || `${p}v4` === proto);
  return {
    from: end(f['source'], ip?.['source'], f['source_names']),
    to: end(f['destination'], ip?.['destination'], f['destination_names']),
    ...(typeof rawPort === 'number' || typeof rawPort === 'string' ? { port: rawPort } : {}),
    ...(protocol ? { protocol } : {}),
  };
}
