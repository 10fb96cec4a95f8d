#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Dry-run benchmark (not a test): 1,000,000 Tetragon events against a TracingPolicy with 10 hooks ×
// 5 selectors. Three figures:
//   1. matching only: events already read (`parseEventLine` done beforehand), `DryRun.feedEvent`
//      per event, on one core — the figure the target (≥ 200,000 events/s) is about;
//   2. the whole line pipeline in process: JSON.parse + reading the event + matching;
//   3. the CLI end to end (`dist/cli.js dryrun --format json` over a generated file, output to
//      /dev/null): wall time and peak RSS (VmHWM), which must stay flat whatever the file size.
// Options: --events N (default 1000000), --no-cli, --keep (keep the generated events file).
// Needs `npx tsc -b` (out/) and, for the CLI figure, `node scripts/esbuild.mjs` (dist/).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const { DryRun } = require(path.join(root, 'out/server/src/dryrun/index.js'));
const { parseEventLine } = require(path.join(root, 'out/server/src/core/tetragon/events.js'));
const { parseFile } = require(path.join(root, 'out/server/src/core/document.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const N = Number(option('events', '1000000'));
const WITH_CLI = !args.includes('--no-cli');
const KEEP = args.includes('--keep');

// ---------------------------------------------------------------------------------------------
// The policy: 10 syscall kprobes with two arguments (an int and a string), each with 5 selectors
// of process filters (binaries, PIDs, namespaces, capabilities, workloads) and argument filters
// (Prefix, InMap, NotPostfix, Equal), ending in enforcing and posting actions.

const CALLS = ['openat', 'read', 'write', 'connect', 'execve', 'unlinkat', 'renameat2', 'mount', 'ptrace', 'setuid'];
function selectors(i) {
  return `        - matchBinaries:
            - operator: In
              values: [/usr/bin/cat, /usr/bin/less, /usr/bin/tail${i}]
          matchNamespaces:
            - { namespace: Mnt, operator: NotIn, values: [host_ns] }
          matchArgs:
            - { index: 1, operator: Prefix, values: [/etc/, /root/] }
          matchActions: [{ action: Sigkill }]
        - matchBinaries:
            - operator: Prefix
              values: [/usr/local/bin/tool${i}, /opt/]
          matchCapabilities:
            - { type: Effective, operator: In, values: [CAP_SYS_ADMIN, CAP_NET_ADMIN] }
          matchArgs:
            - { index: 0, operator: InMap, values: ['0:3', '5'] }
          matchActions: [{ action: Override, argError: -1 }]
        - matchPIDs:
            - { operator: NotIn, values: [1, 2, 3] }
          matchBinaries:
            - operator: Postfix
              values: [/sh, /bash, /dash]
          matchActions: [{ action: Post, rateLimit: 1m }]
        - matchWorkloads:
            podSelector:
              matchLabels: { app: api${i % 3} }
          matchBinaries:
            - operator: NotIn
              values: [/usr/bin/true]
          matchArgs:
            - { index: 1, operator: NotPostfix, values: [.log] }
          matchActions: [{ action: Signal, argSig: 19 }]
        - matchNamespaces:
            - { namespace: Pid, operator: In, values: [host_ns] }
          matchArgs:
            - { index: 0, operator: Equal, values: ['6'] }
          matchActions: [{ action: Post }]
`;
}
const policy = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: bench
spec:
  kprobes:
${CALLS.map((c, i) => `    - call: sys_${c}\n      syscall: true\n      args:\n        - { index: 0, type: int }\n        - { index: 1, type: string }\n      selectors:\n${selectors(i)}`).join('')}`;

// ---------------------------------------------------------------------------------------------
// Events: a deterministic mix; 80 % name a hook of the policy, the rest other functions or other
// event types.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const PATHS = [
  '/etc/shadow',
  '/etc/hosts',
  '/root/.ssh/id_ed25519',
  '/var/log/app.log',
  '/tmp/x',
  '/usr/lib/libc.so.6',
];
const BINARIES = [
  '/usr/bin/cat',
  '/usr/bin/less',
  '/bin/sh',
  '/usr/local/bin/tool3',
  '/opt/app/bin/server',
  '/usr/bin/true',
  '/usr/bin/curl',
];
function eventLine(i, r) {
  const x = r();
  if (x < 0.05)
    return `{"process_exec":{"process":{"pid":${1000 + i},"binary":"/usr/bin/env"}},"node_name":"n1","time":"2026-08-21T10:00:00Z"}`;
  const fn = x < 0.85 ? `__x64_sys_${CALLS[Math.floor(r() * CALLS.length)]}` : `__x64_sys_other${Math.floor(r() * 50)}`;
  const pod = r() < 0.7;
  const process = {
    exec_id: `bjE6${i}`,
    pid: 100 + Math.floor(r() * 5000),
    tid: 100 + Math.floor(r() * 5000),
    binary: BINARIES[Math.floor(r() * BINARIES.length)],
    arguments: '-c x',
    ...(pod
      ? {
          pod: {
            namespace: 'shop',
            name: `api-${i % 40}`,
            pod_labels: { app: `api${Math.floor(r() * 3)}` },
            container: { name: 'api' },
          },
        }
      : {}),
    ns: { mnt: { inum: 4026531840, is_host: !pod }, pid: { inum: 4026531836, is_host: !pod } },
    cap: { effective: r() < 0.2 ? ['CAP_SYS_ADMIN'] : ['CAP_CHOWN'] },
  };
  const sec = Math.floor(i / 20000);
  return JSON.stringify({
    process_kprobe: {
      process,
      parent: { pid: 1, binary: '/sbin/init' },
      function_name: fn,
      args: [{ int_arg: i % 7 }, { string_arg: PATHS[Math.floor(r() * PATHS.length)] }],
      action: 'KPROBE_ACTION_POST',
      policy_name: 'record',
    },
    node_name: `n${i % 4}`,
    time: `2026-08-21T${String(10 + Math.floor(sec / 3600)).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}Z`,
  });
}

function newRun() {
  const file = parseFile(policy);
  const dr = new DryRun(file.documents.map((doc) => ({ file: 'bench.yaml', text: policy, doc })));
  if (dr.policies[0].hooks.length !== 10 || dr.policies[0].hooks.some((h) => h.selectors.length !== 5))
    throw new Error('the bench policy does not have 10 hooks × 5 selectors');
  return dr;
}

/** User + system CPU time in milliseconds: on a shared machine, the figure load does not inflate. */
const cpuMs = (u) => (u.user + u.system) / 1000;
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const rate = (n, ms) => Math.round(n / (ms / 1000));

// 1. Matching only: a pool of read events, fed N times in total.
const POOL = Math.min(N, 50_000);
const r1 = rng(17);
const pool = [];
for (let i = 0; i < POOL; i++) {
  const p = parseEventLine(eventLine(i, r1));
  pool.push(p);
}
{
  const warm = newRun();
  for (let i = 0; i < POOL; i++) warm.feedParsed(pool[i], i + 1);
}
const dr1 = newRun();
let results = 0;
const cpu1 = process.cpuUsage();
const t1 = performance.now();
for (let i = 0; i < N; i++) results += dr1.feedParsed(pool[i % POOL], i + 1).length;
const ms1 = performance.now() - t1;
const cpuMs1 = cpuMs(process.cpuUsage(cpu1));

// 2. The line pipeline: JSON text → event → match.
const lines = [];
const r2 = rng(23);
for (let i = 0; i < POOL; i++) lines.push(eventLine(i, r2));
const dr2 = newRun();
const cpu2 = process.cpuUsage();
const t2 = performance.now();
for (let i = 0; i < N; i++) dr2.feedLine(lines[i % POOL], i + 1);
const ms2 = performance.now() - t2;
const cpuMs2 = cpuMs(process.cpuUsage(cpu2));

console.log(
  `Dry-run benchmark: ${N.toLocaleString('en')} events, a policy of 10 hooks × 5 selectors (Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)})`,
);
console.log('');
console.log('| measure | events per CPU second | CPU (s) | events per wall second | wall (s) |');
console.log('|---|---:|---:|---:|---:|');
console.log(
  `| matching only (events already read) | ${rate(N, cpuMs1).toLocaleString('en')} | ${(cpuMs1 / 1000).toFixed(2)} | ${rate(N, ms1).toLocaleString('en')} | ${(ms1 / 1000).toFixed(2)} |`,
);
console.log(
  `| JSON line → event → match, in process | ${rate(N, cpuMs2).toLocaleString('en')} | ${(cpuMs2 / 1000).toFixed(2)} | ${rate(N, ms2).toLocaleString('en')} | ${(ms2 / 1000).toFixed(2)} |`,
);
const c = dr1.counts;
console.log('');
console.log(
  `results: ${results.toLocaleString('en')} (${c.match.toLocaleString('en')} match, ${c.enforcing.toLocaleString('en')} enforcing, ${c.unknown.toLocaleString('en')} unknown, ${c.noMatch.toLocaleString('en')} no-match); in-process heap after: ${mb(process.memoryUsage().heapUsed)} MB`,
);

// 3. The CLI over a file of N events.
if (WITH_CLI) {
  const cli = path.join(root, 'dist/cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run node scripts/esbuild.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dryrun-'));
  const eventsFile = path.join(dir, 'events.jsonl');
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, policy);
  const out = fs.openSync(eventsFile, 'w');
  const r3 = rng(29);
  let chunk = [];
  for (let i = 0; i < N; i++) {
    chunk.push(eventLine(i, r3));
    if (chunk.length === 10_000) {
      fs.writeSync(out, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(out, `${chunk.join('\n')}\n`);
  fs.closeSync(out);
  const size = fs.statSync(eventsFile).size;
  // The CLI reports its own CPU time when it exits (a preloaded hook), as the load of the machine
  // inflates wall time.
  const cpuHook = path.join(dir, 'cpu-at-exit.cjs');
  fs.writeFileSync(
    cpuHook,
    "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\ncpu-ms ${(u.user + u.system) / 1000}\\n`); });\n",
  );
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['-r', cpuHook, cli, 'dryrun', '--format', 'json', '--events', eventsFile, policyFile],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // The process has ended.
    }
  }, 20);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(poll);
  const ms3 = performance.now() - started;
  const cpu3 = Number(/cpu-ms ([\d.]+)/.exec(stderr)?.[1] ?? NaN);
  console.log('');
  console.log(
    `| CLI \`dryrun --format json\` over a ${mb(size)} MB file | events per CPU second | CPU (s) | events per wall second | wall (s) | peak RSS (MB) |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(
    `| end to end, output to /dev/null | ${rate(N, cpu3).toLocaleString('en')} | ${(cpu3 / 1000).toFixed(2)} | ${rate(N, ms3).toLocaleString('en')} | ${(ms3 / 1000).toFixed(2)} | ${mb(peak)} |`,
  );
  console.log('');
  const summary = stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('cpu-ms'))
    .pop();
  console.log(`exit status ${status}; ${summary}`);
  if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${eventsFile}`);
}
