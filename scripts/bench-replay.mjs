#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Flow replay benchmark (not a test): 1,000,000 generated Hubble flows against 500
// CiliumNetworkPolicies (one per workload of 10 namespaces × 50 apps). Three figures:
//   1. judging only: records already read (JSON.parse + `readHubbleRecord` done beforehand, in
//      batches that are not timed), `FlowReplay.addFlow` per record, on one core — the figure the
//      target (≥ 200,000 flows/s after parsing) is about; with the distinct questions judged;
//   2. the whole line pipeline in process: JSON text → record → judged;
//   3. the CLI end to end (`dist/cli.js replay` over a generated file, output to /dev/null): wall
//      time and peak RSS (VmHWM), which must stay flat whatever the file size.
// Options: --flows N (default 1000000), --no-cli, --keep (keep the generated files).
// Run with --expose-gc (npm run bench:replay does). Needs `npx tsc -b` (out/) and, for the CLI figure, `node scripts/esbuild.mjs` (dist/).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const { VerdictEngine } = require(path.join(root, 'out/server/src/semantics/engine.js'));
const { FlowReplay } = require(path.join(root, 'out/server/src/semantics/replay/replay.js'));
const { readHubbleRecord } = require(path.join(root, 'out/server/src/semantics/replay/hubble.js'));
const { parseFile } = require(path.join(root, 'out/server/src/core/document.js'));
const { inventoryFromManifests } = require(path.join(root, 'out/server/src/core/inventory.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const N = Number(option('flows', '1000000'));
const WITH_CLI = !args.includes('--no-cli');
const KEEP = args.includes('--keep');
// `--only judging` (or `pipeline`, `cli`) runs one measure, e.g. under `node --cpu-prof`.
const ONLY = option('only', '');
const RUN = (m) => ONLY === '' || ONLY === m;

// ---------------------------------------------------------------------------------------------
// The cluster: 10 namespaces × 50 apps, one Deployment each listening on 8080; one policy per app:
// ingress from three apps on 8080 (every tenth with HTTP rules), egress to three apps on 8080 and
// DNS to kube-dns. A deterministic generator, so runs compare.

const NAMESPACES = 10;
const APPS = 50;
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = (n) => Math.floor(rand() * n);

const workloads = [];
for (let n = 0; n < NAMESPACES; n++) for (let a = 0; a < APPS; a++) workloads.push({ ns: `team${n}`, app: `app${a}` });
// Ingress admits exactly the apps whose egress names it (the policies agree on both ends).
const peersOf = (i) => [2, 5, 11].map((d) => (i - d + workloads.length) % workloads.length);
const egressOf = (i) => [2, 5, 11].map((d) => (i + d) % workloads.length);

function inventoryText() {
  const out = [];
  for (let n = 0; n < NAMESPACES; n++) out.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: team${n}}`);
  for (const w of workloads)
    out.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: ${w.app}, namespace: ${w.ns}}
spec:
  template:
    metadata: {labels: {app: ${w.app}}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}`);
  return out.join('\n---\n');
}

function policyText(i) {
  const w = workloads[i];
  const from = peersOf(i)
    .map(
      (p) => `        - matchLabels: {app: ${workloads[p].app}, k8s:io.kubernetes.pod.namespace: ${workloads[p].ns}}`,
    )
    .join('\n');
  const to = egressOf(i)
    .map(
      (p) => `        - matchLabels: {app: ${workloads[p].app}, k8s:io.kubernetes.pod.namespace: ${workloads[p].ns}}`,
    )
    .join('\n');
  const http =
    i % 10 === 0
      ? `\n          rules:\n            http: [{method: GET, path: "/v1/items/.*"}, {method: POST, path: /v1/orders}]`
      : '';
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${w.app}, namespace: ${w.ns}}
spec:
  endpointSelector: {matchLabels: {app: ${w.app}}}
  ingress:
    - fromEndpoints:
${from}
      toPorts:
        - ports: [{port: "8080", protocol: TCP}]${http}
  egress:
    - toEndpoints:
${to}
      toPorts:
        - ports: [{port: "8080", protocol: TCP}]
    - toEndpoints:
        - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
      toPorts:
        - ports: [{port: "53", protocol: ANY}]
          rules: {dns: [{matchPattern: "*"}]}`;
}

function endpoint(i, pod) {
  const w = workloads[i];
  return {
    ID: 1000 + i,
    identity: 20000 + i,
    cluster_name: 'default',
    namespace: w.ns,
    labels: [
      `k8s:app=${w.app}`,
      `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${w.ns}`,
      'k8s:io.cilium.k8s.policy.cluster=default',
      `k8s:io.cilium.k8s.policy.serviceaccount=${w.app}`,
      `k8s:io.kubernetes.pod.namespace=${w.ns}`,
    ],
    pod_name: `${w.app}-7d9f8c6b5-${pod}`,
    workloads: [{ name: w.app, kind: 'Deployment' }],
  };
}

/** One flow line: 85 % to a peer the policies allow, 10 % to any other app, 5 % replies. */
function flowLine(k) {
  const src = pick(workloads.length);
  const r = rand();
  const dst = r < 0.85 ? egressOf(src)[pick(3)] : pick(workloads.length);
  const reply = r > 0.95;
  const dstIsHttp = dst % 10 === 0 && rand() < 0.5;
  const t = new Date(Date.UTC(2026, 10, 30, 10, 0, 0) + k).toISOString();
  const flow = {
    time: t,
    verdict: 'FORWARDED',
    IP: {
      source: `10.244.${src >> 8}.${src & 255}`,
      destination: `10.244.${dst >> 8}.${dst & 255}`,
      ipVersion: 'IPv4',
    },
    l4: { TCP: { source_port: 30000 + (k % 30000), destination_port: 8080, flags: { SYN: true } } },
    source: endpoint(src, `p${k % 5}`),
    destination: endpoint(dst, `p${k % 3}`),
    Type: dstIsHttp ? 'L7' : 'L3_L4',
    ...(dstIsHttp
      ? {
          l7: {
            type: 'REQUEST',
            http: { method: rand() < 0.8 ? 'GET' : 'POST', url: `http://svc/v1/items/${pick(20)}` },
          },
        }
      : {}),
    node_name: 'kind-worker',
    traffic_direction: 'EGRESS',
    is_reply: reply,
  };
  return JSON.stringify({ flow, node_name: 'kind-worker', time: t });
}

// ---------------------------------------------------------------------------------------------

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function engine() {
  const inventory = inventoryFromManifests([{ uri: 'inventory.yaml', text: inventoryText() }]);
  const e = new VerdictEngine({ inventory });
  for (let i = 0; i < workloads.length; i++) e.setFile(`policies/${i}.yaml`, parseFile(policyText(i)));
  return e;
}

const BATCH = 20_000;

async function judgingOnly() {
  const replay = new FlowReplay({ head: engine() });
  seed = 42;
  let cpuJudge = 0;
  let wallJudge = 0;
  let judged = 0;
  for (let done = 0; done < N;) {
    const n = Math.min(BATCH, N - done);
    const records = [];
    for (let k = 0; k < n; k++) {
      const r = readHubbleRecord(JSON.parse(flowLine(done + k)));
      if (r.kind === 'flow') records.push(r.flow);
    }
    // The parse's garbage is collected before the clock starts (run with --expose-gc), and the
    // collector's helper threads are given time to finish sweeping it, so their CPU time (which
    // process.cpuUsage counts) is not charged to judging.
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 50));
    const c0 = cpu();
    const w0 = performance.now();
    for (let k = 0; k < records.length; k++) replay.addFlow(records[k], done + k + 1);
    cpuJudge += cpu() - c0;
    wallJudge += performance.now() - w0;
    judged += records.length;
    done += n;
  }
  const verdicts = { allow: 0, deny: 0, unknown: 0 };
  for (const g of replay.groups()) verdicts[g.head.verdict] += g.flows;
  return { judged, questions: replay.groups().length, cpu: cpuJudge, wall: wallJudge / 1000, verdicts };
}

function pipeline() {
  const replay = new FlowReplay({ head: engine() });
  seed = 42;
  const lines = [];
  let cpuAll = 0;
  let wallAll = 0;
  for (let done = 0; done < N;) {
    const n = Math.min(BATCH, N - done);
    lines.length = 0;
    for (let k = 0; k < n; k++) lines.push(flowLine(done + k));
    const c0 = cpu();
    const w0 = performance.now();
    for (let k = 0; k < n; k++) replay.add(JSON.parse(lines[k]), done + k + 1);
    cpuAll += cpu() - c0;
    wallAll += performance.now() - w0;
    done += n;
  }
  return { flows: replay.flows, cpu: cpuAll, wall: wallAll / 1000 };
}

async function cli(dir) {
  const flows = path.join(dir, 'flows.jsonl');
  seed = 42;
  const out = fs.createWriteStream(flows);
  for (let k = 0; k < N; k++) {
    if (!out.write(`${flowLine(k)}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  fs.mkdirSync(path.join(dir, 'policies'), { recursive: true });
  for (let i = 0; i < workloads.length; i++) fs.writeFileSync(path.join(dir, 'policies', `${i}.yaml`), policyText(i));
  fs.writeFileSync(path.join(dir, 'inventory.yaml'), inventoryText());
  const size = fs.statSync(flows).size;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'dist/cli.js'),
      'replay',
      '--flows',
      flows,
      '--inventory',
      path.join(dir, 'inventory.yaml'),
      path.join(dir, 'policies'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let peak = 0;
  // The child's CPU time (user + system, clock ticks of /proc/PID/stat), as last seen before it
  // exited: at most one poll interval short.
  let cpuSeconds = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      /* exited */
    }
  }, 50);
  const code = await new Promise((r) => child.on('exit', r));
  clearInterval(poll);
  const seconds = (performance.now() - t0) / 1000;
  return { size, seconds, cpuSeconds, peak, code, summary: stderr.trim().split('\n').pop() };
}

const load = os.loadavg()[0].toFixed(1);
console.log(
  `Flow replay benchmark: ${fmt(N)} flows, ${workloads.length} policies (Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} CPUs, load average ${load})`,
);
if (RUN('judging')) {
  const j = await judgingOnly();
  console.log(
    `judging only (records already read): ${fmt(j.judged)} flows in ${fmt(j.questions)} distinct questions; ${fmt(j.judged / j.cpu)} flows per CPU second (${j.cpu.toFixed(2)} s), ${fmt(j.judged / j.wall)} per wall second (${j.wall.toFixed(2)} s); verdicts ${JSON.stringify(j.verdicts)}`,
  );
}
if (RUN('pipeline')) {
  const p = pipeline();
  console.log(
    `JSON line → record → judged, in process: ${fmt(p.flows / p.cpu)} flows per CPU second (${p.cpu.toFixed(2)} s), ${fmt(p.flows / p.wall)} per wall second (${p.wall.toFixed(2)} s)`,
  );
}
if (WITH_CLI && RUN('cli')) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-replay-'));
  try {
    const c = await cli(dir);
    console.log(
      `CLI replay over a ${(c.size / 1e6).toFixed(1)} MB file: ${fmt(N / c.cpuSeconds)} lines per CPU second (${c.cpuSeconds.toFixed(2)} s), ${fmt(N / c.seconds)} per wall second (${c.seconds.toFixed(2)} s), peak RSS ${c.peak.toFixed(1)} MB, exit ${c.code}\n  ${c.summary}`,
    );
  } finally {
    if (KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
