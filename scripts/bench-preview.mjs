// SPDX-License-Identifier: Apache-2.0
// Endpoint-preview benchmark (not a test): `npx tsc -b && node scripts/bench-preview.mjs`.
// Builds a synthetic inventory of 10,000 workloads in 100 namespaces and 500 policies of mixed
// shapes, then measures, with the compiled core in out/server/src/core:
//   - building the endpoint index (label sets and inverted indexes, once per inventory);
//   - previewing all 500 policies: every subject and peer selection (target ≤ 100 ms);
//   - previewing one policy (target ≤ 10 ms), for a narrow selector and for `{}` in a CCNP;
//   - the reverse question (policies selecting one workload) over the 500 policies.
// YAML parsing of the policies is done up front and not counted: the editor has it already.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { mixedPolicy, seededRand } from './bench-policies.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const core = (name) => require(path.join(root, 'out', 'server', 'src', 'core', `${name}.js`));
const { parseFile } = core('document');
const { EndpointIndex, previewDetails, policiesSelecting } = core('preview');

const ENDPOINTS = 10_000;
const NAMESPACES = 100;
const POLICIES = 500;
const RUNS = 15;

// A small deterministic generator, so runs are comparable.
const rand = seededRand(42);

function inventory() {
  const namespaces = [];
  for (let n = 0; n < NAMESPACES; n++)
    namespaces.push({ name: `ns-${n}`, labels: { team: `team-${n % 10}`, env: n % 3 === 0 ? 'prod' : 'dev' } });
  const endpoints = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const ns = `ns-${i % NAMESPACES}`;
    endpoints.push({
      kind: i % 7 === 0 ? 'StatefulSet' : 'Deployment',
      namespace: ns,
      name: `app-${i}`,
      labels: {
        app: `app-${i % 50}`,
        tier: ['web', 'api', 'db', 'cache'][i % 4],
        version: `v${i % 3}`,
        'app.kubernetes.io/part-of': `suite-${i % 20}`,
        'pod-template-hash': `h${i}`,
      },
      serviceAccount: `sa-${i % 25}`,
      containers: [{ name: 'main', image: `registry.example/app-${i % 50}:1.0` }],
      source: { file: `file:///w/${ns}.yaml`, offset: i * 100 },
    });
  }
  const services = [];
  for (let s = 0; s < 200; s++)
    services.push({
      namespace: `ns-${s % NAMESPACES}`,
      name: `svc-${s}`,
      labels: { tier: 'api' },
      selector: { app: `app-${s % 50}` },
      ports: [{ port: 80, protocol: 'TCP' }],
    });
  return { endpoints, namespaces, services, nodes: [], origin: 'workspace', description: 'synthetic' };
}

function policy(i) {
  return mixedPolicy(i, rand, { namespaces: NAMESPACES, apps: 50, teams: 10, services: 200, rich: false });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Wall time and this process's CPU time: on a shared machine the CPU time is the steadier figure.
function time(fn, runs = RUNS) {
  const samples = [];
  const cpu = [];
  let result;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { median: median(samples), max: Math.max(...samples), cpu: median(cpu), first: samples[0], result };
}

const inv = inventory();
const docs = [];
for (let i = 0; i < POLICIES; i++) docs.push(parseFile(policy(i)).documents[0]);
const ccnpAll = parseFile(
  'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: all}\nspec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]\n',
).documents[0];

const build = time(() => new EndpointIndex(inv), 5);
const index = build.result;
const all = time(() => {
  let selections = 0;
  let matched = 0;
  for (const d of docs) {
    const p = previewDetails(d, index);
    selections += p.selections.length;
    for (const s of p.selections) matched += s.endpoints.length;
  }
  return { selections, matched };
});
const one = time(() => previewDetails(docs[0], index), 50);
const wide = time(() => previewDetails(ccnpAll, index), 20);
const reverse = time(
  () =>
    policiesSelecting(
      inv.endpoints[123],
      docs.map((doc) => ({ doc })),
      index,
    ),
  20,
);

const fmt = (t) =>
  `${t.median.toFixed(2)} ms wall, ${t.cpu.toFixed(2)} ms CPU (first ${t.first.toFixed(2)}, max ${t.max.toFixed(2)})`;
const verdict = (t, target) => (t.median <= target ? `ok, target ≤ ${target} ms` : `OVER target ${target} ms`);
console.log(
  `node ${process.version}, load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(
  `inventory: ${ENDPOINTS} workloads in ${NAMESPACES} namespaces, ${inv.services.length} services; ${POLICIES} policies`,
);
console.log(`build endpoint index (once per inventory):       ${fmt(build)}`);
console.log(
  `preview all ${POLICIES} policies (${all.result.selections} selections, ${all.result.matched} matches): ${fmt(all)}  [${verdict(all, 100)}]`,
);
console.log(`preview one policy (narrow selectors):            ${fmt(one)}  [${verdict(one, 10)}]`);
console.log(`preview one CCNP selecting all ${ENDPOINTS} twice:   ${fmt(wide)}  [${verdict(wide, 10)}]`);
console.log(`policies selecting one workload (${POLICIES} policies): ${fmt(reverse)}`);
