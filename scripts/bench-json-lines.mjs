// SPDX-License-Identifier: Apache-2.0
// Throughput of the JSON-lines reader (server/src/io/json-lines.ts) on a generated flow log shaped
// like `hubble observe -o json` output, and how its time splits between reading, the safety scan and
// JSON.parse: the figure that says whether parsing on worker threads would pay.
//   npx tsc -b && node scripts/bench-json-lines.mjs [megabytes=200]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { readJsonLines, scanJson } = createRequire(import.meta.url)(
  path.join(root, 'out', 'server', 'src', 'io', 'json-lines.js'),
);

const megabytes = Number(process.argv[2] ?? 200);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-bench-jsonl-'));
const file = path.join(dir, 'flows.jsonl');

function flow(i) {
  return JSON.stringify({
    flow: {
      time: `2026-11-30T10:00:${String(i % 60).padStart(2, '0')}.${i}Z`,
      verdict: i % 7 === 0 ? 'DROPPED' : 'FORWARDED',
      IP: { source: `10.0.${i % 250}.${i % 200}`, destination: '10.0.1.7', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 30000 + (i % 20000), destination_port: 8080, flags: { SYN: true } } },
      source: {
        identity: 1000 + (i % 50),
        namespace: 'shop',
        labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'],
        pod_name: `frontend-${i % 13}`,
      },
      destination: { identity: 2000, namespace: 'shop', labels: ['k8s:app=api'], pod_name: 'api-5c4b' },
      Type: 'L3_L4',
      node_name: `worker-${i % 3}`,
      traffic_direction: 'EGRESS',
      is_reply: false,
      Summary: 'TCP Flags: SYN',
    },
    node_name: `worker-${i % 3}`,
    time: '2026-11-30T10:00:00Z',
  });
}

// Write the file in blocks.
const fd = fs.openSync(file, 'w');
let written = 0;
let n = 0;
while (written < megabytes * 1024 * 1024) {
  const lines = [];
  for (let i = 0; i < 2000; i++) lines.push(flow(n++));
  const block = `${lines.join('\n')}\n`;
  fs.writeSync(fd, block);
  written += Buffer.byteLength(block);
}
fs.closeSync(fd);

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const started = process.hrtime.bigint();
let count = 0;
const summary = await readJsonLines(file, () => void count++, { onProgress: sample });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

// The same lines parsed with JSON.parse alone, and scanned alone, from memory.
const text = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
let t = process.hrtime.bigint();
for (const l of text) JSON.parse(l);
const parseSeconds = Number(process.hrtime.bigint() - t) / 1e9;
t = process.hrtime.bigint();
for (const l of text) scanJson(l, 128);
const scanSeconds = Number(process.hrtime.bigint() - t) / 1e9;

const mb = written / 1024 / 1024;
console.log(
  JSON.stringify(
    {
      megabytes: Math.round(mb),
      lines: summary.lines,
      values: count,
      seconds: Number(seconds.toFixed(2)),
      megabytesPerSecond: Math.round(mb / seconds),
      linesPerSecond: Math.round(summary.lines / seconds),
      peakRssMiB: Math.round(peakRss / 1024 / 1024),
      jsonParseShare: Number((parseSeconds / seconds).toFixed(2)),
      scanShare: Number((scanSeconds / seconds).toFixed(2)),
    },
    null,
    2,
  ),
);
fs.rmSync(dir, { recursive: true, force: true });
