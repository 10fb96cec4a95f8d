// SPDX-License-Identifier: Apache-2.0
// Connectivity-verdict benchmark (not a test): `npm run bench:semantics` (tsc -b, then this).
// Builds a synthetic cluster of 200 workloads (20 namespaces, 1–3 named container ports each,
// 10 nodes, services) and 500 policies of mixed shapes in 50 files (CNP, CCNP, Kubernetes
// NetworkPolicy; allow and deny, entities, CIDR with except, toServices, toFQDNs with DNS rules,
// HTTP rules, named ports, port ranges, ICMP), then measures with the compiled engine in
// out/server/src/semantics:
//   - compiling the 500 policies into the engine (setFile per file);
//   - one verdict with its explanation (`evaluate`), cold (first question about two workloads) and
//     warm, median and p95 over many random flows (target ≤ 1 ms);
//   - the full matrix 200 × 200 × each destination's ports (`connectivityMatrix`), on a fresh
//     engine and again (target ≤ 500 ms);
//   - an edit to one policy file (`setFile` again) and the full matrix after it (`updateMatrix`:
//     only the cells of workloads whose rules changed), against building a fresh engine and
//     computing the matrix from scratch (the two must agree cell for cell).
// YAML parsing of policies and manifests is done up front and not counted: the editor has it.
// Options: `--runs N` (default 7), `--json` prints the figures as JSON. Run with `node --expose-gc`
// (as `npm run bench:semantics` does) so a cold verdict does not pay for collecting the build's garbage.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  WORKLOADS,
  NAMESPACES,
  NODES,
  POLICIES,
  FILES,
  rand,
  inventoryText,
  policyFiles,
} from './bench-semantics-data.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const load = (dir, name) => require(path.join(root, 'out', 'server', 'src', dir, `${name}.js`));
const { parseFile } = load('core', 'document');
const { inventoryFromManifests } = load('core', 'inventory');
const { VerdictEngine } = load('semantics', 'engine');
const { resolveAgent } = load('semantics', 'agent');
const { connectivityMatrix, updateMatrix, portsOf } = load('semantics', 'matrix');

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 7) || 7;
const AS_JSON = args.includes('--json');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const ms = (fn) => {
  const t = performance.now();
  const r = fn();
  return [performance.now() - t, r];
};
/** Wall time, the result, and this process's CPU time (the steadier figure on a shared machine). */
const timed = (fn) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = fn();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(c);
  return [wall, r, (cpu.user + cpu.system) / 1000];
};

// Up front, not counted: parsing.
const inventory = inventoryFromManifests([{ uri: 'inventory.yaml', text: inventoryText() }]);
const files = policyFiles().map((f) => ({ ...f, parsed: parseFile(f.text) }));
const agent = resolveAgent([{ origin: 'bench', values: { policyCIDRMatchMode: [] } }]);

function build() {
  const engine = new VerdictEngine({ inventory, agent });
  for (const f of files) engine.setFile(f.name, f.parsed);
  return engine;
}

const pods = (engine) => inventory.endpoints.map((e) => engine.resolver.podOf(e));

// Sanity: every policy is accepted, and the matrix is the size it should be.
{
  const engine = build();
  const rejected = engine.rejected();
  if (rejected.length > 0) {
    console.error(`the agent would reject ${rejected.length} generated policies, e.g. ${rejected[0].reason}`);
    process.exit(1);
  }
  if (engine.policies().length !== POLICIES) {
    console.error(`expected ${POLICIES} policies, compiled ${engine.policies().length}`);
    process.exit(1);
  }
}

const figures = {};

// Compile.
{
  const samples = [];
  for (let r = 0; r < RUNS; r++) samples.push(ms(build)[0]);
  figures.compile = { median: round(quantile(samples, 0.5), 1), p95: round(quantile(samples, 0.95), 1) };
}

// One verdict (with its sentence), cold and warm.
{
  const flows = [];
  for (let k = 0; k < 2000; k++) {
    const a = inventory.endpoints[rand(WORKLOADS)];
    const b = inventory.endpoints[rand(WORKLOADS)];
    const port = b.containers[0].ports[rand(b.containers[0].ports.length)];
    flows.push({
      from: { workload: `Deployment/${a.namespace}/${a.name}` },
      to: { workload: `Deployment/${b.namespace}/${b.name}` },
      port: rand(2) === 0 ? port.containerPort : port.name,
      ...(rand(4) === 0 ? { http: { method: 'GET', path: '/api/items' } } : {}),
    });
  }
  const cold = [];
  for (let r = 0; r < 20; r++) {
    const engine = build();
    // The build's garbage is the build's: collect it first when Node lets us (--expose-gc).
    globalThis.gc?.();
    const f = flows[r];
    cold.push(ms(() => engine.evaluate(f))[0]);
  }
  const engine = build();
  for (const f of flows) engine.evaluate(f); // warm every pair once
  const warm = [];
  const counts = { allow: 0, deny: 0, unknown: 0 };
  for (const f of flows) {
    const [t, v] = ms(() => engine.evaluate(f));
    warm.push(t);
    counts[v.verdict]++;
  }
  figures.verdict = {
    coldMedian: round(quantile(cold, 0.5)),
    coldP95: round(quantile(cold, 0.95)),
    warmMedian: round(quantile(warm, 0.5)),
    warmP95: round(quantile(warm, 0.95)),
    verdicts: counts,
  };
}

// The full matrix: a fresh engine each run (cold), then the same engine again (warm).
{
  const cold = [];
  const coldCpu = [];
  const warm = [];
  let cells = [];
  for (let r = 0; r < RUNS; r++) {
    const engine = build();
    const ends = pods(engine);
    globalThis.gc?.();
    const [t, c, cpu] = timed(() => connectivityMatrix(engine, ends, ends, portsOf));
    cold.push(t);
    coldCpu.push(cpu);
    cells = c;
    warm.push(ms(() => connectivityMatrix(engine, ends, ends, portsOf))[0]);
  }
  const counts = { allow: 0, deny: 0, unknown: 0 };
  for (const c of cells) counts[c.verdict]++;
  figures.matrix = {
    cells: cells.length,
    coldMedian: round(quantile(cold, 0.5), 1),
    coldP95: round(quantile(cold, 0.95), 1),
    coldCpuMedian: round(quantile(coldCpu, 0.5), 1),
    warmMedian: round(quantile(warm, 0.5), 1),
    verdicts: counts,
  };
}

// An edit to one policy file, then the full matrix again; against rebuilding from scratch.
{
  const edit = [];
  const after = [];
  const afterCpu = [];
  const rows = [];
  const scratch = [];
  let mismatches = 0;
  for (let r = 0; r < RUNS; r++) {
    const engine = build();
    const ends = pods(engine);
    const before = connectivityMatrix(engine, ends, ends, portsOf);
    const generation = engine.generation;
    const f = files[rand(FILES)];
    // Edit one policy of the file: the namespace-wide one (`endpointSelector: {}`) now lets its
    // pods reach only the web tier of the namespace instead of every pod in it.
    const docs = f.text.split('---\n');
    const k = docs.findIndex((d) => d.includes('endpointSelector: {}'));
    docs[k] = docs[k].replace('- toEndpoints: [{}]', '- toEndpoints: [{matchLabels: {tier: web}}]');
    const edited = parseFile(docs.join('---\n'));
    edit.push(ms(() => engine.setFile(f.name, edited))[0]);
    const [t, cells, cpu] = timed(() => updateMatrix(engine, before, generation, ends, ends, portsOf));
    after.push(t);
    afterCpu.push(cpu);
    rows.push(ends.filter((e) => engine.changedSince(e, generation)).length);
    // The incremental answer must equal a fresh engine's.
    const fresh = new VerdictEngine({ inventory, agent });
    const [s, freshCells] = ms(() => {
      for (const g of files) fresh.setFile(g.name, g === f ? edited : g.parsed);
      const freshEnds = pods(fresh);
      return connectivityMatrix(fresh, freshEnds, freshEnds, portsOf);
    });
    scratch.push(s);
    for (let k = 0; k < cells.length; k++) if (cells[k].verdict !== freshCells[k].verdict) mismatches++;
  }
  if (mismatches > 0) {
    console.error(`incremental matrix differs from a fresh engine's in ${mismatches} cells`);
    process.exit(1);
  }
  figures.incremental = {
    setFileMedian: round(quantile(edit, 0.5), 2),
    matrixAfterEditMedian: round(quantile(after, 0.5), 1),
    matrixAfterEditP95: round(quantile(after, 0.95), 1),
    matrixAfterEditCpuMedian: round(quantile(afterCpu, 0.5), 1),
    workloadsTouchedMedian: quantile(rows, 0.5),
    fromScratchMedian: round(quantile(scratch, 0.5), 1),
  };
}

if (AS_JSON) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  const v = figures.verdict;
  const m = figures.matrix;
  const i = figures.incremental;
  console.log(
    `${WORKLOADS} workloads in ${NAMESPACES} namespaces, ${NODES} nodes, ${POLICIES} policies in ${FILES} files; ${RUNS} runs; Node ${process.version}`,
  );
  console.log(`| figure | median (ms) | p95 (ms) | CPU, median (ms) | target |`);
  console.log(`|---|---:|---:|---:|---|`);
  console.log(`| compile 500 policies (setFile × ${FILES}) | ${figures.compile.median} | ${figures.compile.p95} | | |`);
  console.log(`| one verdict with its sentence, cold | ${v.coldMedian} | ${v.coldP95} | | ≤ 1 |`);
  console.log(`| one verdict with its sentence, warm | ${v.warmMedian} | ${v.warmP95} | | ≤ 1 |`);
  console.log(
    `| full matrix, ${m.cells} cells, fresh engine | ${m.coldMedian} | ${m.coldP95} | ${m.coldCpuMedian} | ≤ 500 |`,
  );
  console.log(`| full matrix again, same engine | ${m.warmMedian} | | | |`);
  console.log(`| edit one policy file (setFile) | ${i.setFileMedian} | | | |`);
  console.log(
    `| full matrix after the edit (updateMatrix: ${i.workloadsTouchedMedian} of ${WORKLOADS} workloads touched) | ${i.matrixAfterEditMedian} | ${i.matrixAfterEditP95} | ${i.matrixAfterEditCpuMedian} | |`,
  );
  console.log(`| rebuild + full matrix from scratch | ${i.fromScratchMedian} | | | |`);
  console.log(
    `verdicts: ${v.verdicts.allow} allow, ${v.verdicts.deny} deny, ${v.verdicts.unknown} unknown of 2000 flows; matrix ${m.verdicts.allow} allow, ${m.verdicts.deny} deny, ${m.verdicts.unknown} unknown`,
  );
}
