// SPDX-License-Identifier: Apache-2.0
// Language-server benchmark (`npm run bench`; not a test), ours against yaml-language-server.
//
// For generated files of 1,000, 10,000 and 50,000 lines (CNPs, CCNPs, CECs and TracingPolicies with
// deliberate schema errors at known lines, `scripts/bench-files.mjs`), both servers are driven over
// real JSON-RPC on stdio, in one run, alternating between them request by request, and the table
// shows: cold didOpen → first diagnostics, one-line edit → fresh diagnostics, completion and hover
// latency (median and p95), peak RSS (VmHWM), each server's CPU time, and the ratio ours/peer.
// The floor is the `yaml` package parsing the same file plus ajv validating every document,
// in-process, with nothing else (no rules, no positions, no JSON-RPC).
//
// The peer is the dev dependency's stdio server with its schema stores off and one dispatcher
// schema associated with the file (if/then on apiVersion+kind to our six kind schemas, by file URI),
// so each document validates against its kind. Both run at their default settings: ours with its
// adaptive `lint.delay`, the peer with its 200 ms validation delay. `--no-debounce` measures both
// without a debounce instead (ours with `lint.delay: 0`, the peer's delay set to 0 by
// `scripts/bench-peer-no-delay.mjs`).
//
// Options: `--sizes 1000,10000` (default 1000,10000,50000), `--samples N` (default 25),
// `--runs N` (each size N times, then a table of medians with the ratio in each run),
// `--no-peer`, `--open-at-once`, `--no-debounce`; BENCH_NODE_ARGS adds Node options to our server
// (profiling). Writes `.bench/results.json`. Exits non-zero when a server misses a deliberate error.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generate } from './bench-files.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, '.bench');
const serverJs = path.join(root, 'dist', 'server.js');
const peerBin = path.join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
const schemasDir = path.join(root, 'schemas');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const SIZES = option('sizes', '1000,10000,50000').split(',').map(Number);
const SAMPLES = Number(option('samples', '25'));
const WITH_PEER = !args.includes('--no-peer');
const OPEN_AT_ONCE = args.includes('--open-at-once');
const NO_DEBOUNCE = args.includes('--no-debounce');
const RUNS = Math.max(1, Number(option('runs', '1')));
const TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Statistics and process figures

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const median = (xs) => quantile(xs, 0.5);
const round = (x) => (x === null || Number.isNaN(x) ? x : Math.round(x * 10) / 10);
// The samples themselves are kept too (in request order), to see where a tail comes from.
const stats = (xs) => ({
  median: round(median(xs)),
  p95: round(quantile(xs, 0.95)),
  n: xs.length,
  samples: xs.map(round),
});

function procStatus(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
/** User + system CPU time of a process in ms (from /proc; null elsewhere). */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks are 100 Hz on Linux
  } catch {
    return null;
  }
}

/**
 * Waits until every server has finished its start-up: at least 1.5 s, then until none used CPU
 * time for 300 ms (at most 20 s). On a loaded machine a fixed pause could end while a server still
 * starts, which would count its start-up against its cold open.
 */
async function settled(servers) {
  const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
  await sleep(1500);
  const deadline = performance.now() + 20_000;
  let last = servers.map((s) => cpuMs(s.pid));
  while (performance.now() < deadline) {
    await sleep(300);
    const now = servers.map((s) => cpuMs(s.pid));
    if (now.every((c, i) => c === null || c === last[i])) return;
    last = now;
  }
}

// ---------------------------------------------------------------------------------------------
// The peer's dispatcher schema

function writeDispatcher() {
  const kinds = [
    ['cilium.io/v2', 'CiliumNetworkPolicy', 'cilium.io/ciliumnetworkpolicy_v2.json'],
    ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'cilium.io/ciliumclusterwidenetworkpolicy_v2.json'],
    ['cilium.io/v2', 'CiliumEnvoyConfig', 'cilium.io/ciliumenvoyconfig_v2.json'],
    ['cilium.io/v2', 'CiliumClusterwideEnvoyConfig', 'cilium.io/ciliumclusterwideenvoyconfig_v2.json'],
    ['cilium.io/v1alpha1', 'TracingPolicy', 'cilium.io/tracingpolicy_v1alpha1.json'],
    ['cilium.io/v1alpha1', 'TracingPolicyNamespaced', 'cilium.io/tracingpolicynamespaced_v1alpha1.json'],
  ];
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'cilium-policy bench dispatcher',
    allOf: kinds.map(([apiVersion, kind, file]) => ({
      if: {
        properties: { apiVersion: { const: apiVersion }, kind: { const: kind } },
        required: ['apiVersion', 'kind'],
      },
      then: { $ref: pathToFileURL(path.join(schemasDir, file)).href },
    })),
  };
  const file = path.join(outDir, 'peer-dispatcher.schema.json');
  fs.writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  return pathToFileURL(file).href;
}

/** Schema text for a URI the peer asks its client for (our schemas' `$id`s use cilium-policy:///). */
function schemaContent(uri) {
  const m = /^cilium-policy:\/*(.*)$/.exec(uri);
  const file = m
    ? path.join(schemasDir, decodeURIComponent(m[1].split('#')[0]))
    : uri.startsWith('file:')
      ? fileURLToPath(uri)
      : undefined;
  if (file === undefined || !file.startsWith(schemasDir) || !fs.existsSync(file))
    throw new Error(`bench: unknown schema ${uri}`);
  return fs.readFileSync(file, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// A server over JSON-RPC

class Server {
  constructor(name, argv, settings) {
    this.name = name;
    this.settings = settings;
    this.proc = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.conn = rpc.createProtocolConnection(
      new rpc.StreamMessageReader(this.proc.stdout),
      new rpc.StreamMessageWriter(this.proc.stdin),
    );
    this.published = new Map(); // uri → list of publications, in order
    this.waiters = [];
    this.conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (const w of this.waiters.splice(0)) if (!w()) this.waiters.push(w);
    });
    this.conn.onNotification(() => {});
    this.conn.onRequest(rpc.RegistrationRequest.type, () => null);
    this.conn.onRequest(rpc.UnregistrationRequest.type, () => null);
    // The peer asks for its sections even when the client does not announce `workspace.configuration`.
    this.conn.onRequest(rpc.ConfigurationRequest.type, (p) =>
      p.items.map((i) => (i.section ? (this.settings[i.section] ?? {}) : this.settings)),
    );
    this.conn.onRequest('custom/schema/content', (uri) => schemaContent(String(uri)));
    this.conn.onRequest('vscode/content', (uri) => schemaContent(String(uri)));
    this.conn.onRequest('custom/schema/request', () => []);
    this.conn.onRequest(() => null);
    this.conn.listen();
  }

  get pid() {
    return this.proc.pid;
  }

  async initialize() {
    const t0 = performance.now();
    await this.conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: {
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { versionSupport: true },
        },
      },
    });
    const ms = performance.now() - t0;
    await this.conn.sendNotification(rpc.InitializedNotification.type, {});
    await this.conn.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: this.settings });
    return ms;
  }

  /** Resolves with the first publication for `uri` after the `count`-th (ours also carry the version). */
  nextDiagnostics(uri, count, version) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no diagnostics within ${TIMEOUT_MS / 1000} s\n${this.stderr}`)),
        TIMEOUT_MS,
      );
      const check = () => {
        const list = this.published.get(uri) ?? [];
        const p = list.slice(count).find((x) => x.version === undefined || x.version === null || x.version === version);
        if (!p) return false;
        clearTimeout(timer);
        resolve(p);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  count(uri) {
    return (this.published.get(uri) ?? []).length;
  }

  async open(uri, text) {
    const before = this.count(uri);
    const t = performance.now();
    await this.conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'yaml', version: 1, text },
    });
    const p = await this.nextDiagnostics(uri, before, 1);
    return { ms: performance.now() - t, diagnostics: p.diagnostics };
  }

  async edit(uri, version, line, oldLength, next) {
    const before = this.count(uri);
    const t = performance.now();
    await this.conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: oldLength } }, text: next }],
    });
    const p = await this.nextDiagnostics(uri, before, version);
    return { ms: performance.now() - t, diagnostics: p.diagnostics };
  }

  async request(type, params) {
    const t = performance.now();
    const r = await this.conn.sendRequest(type, params);
    return { ms: performance.now() - t, result: r };
  }

  async close() {
    try {
      await Promise.race([this.conn.sendRequest(rpc.ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(rpc.ExitNotification.type);
    } catch {
      // killed below
    }
    setTimeout(() => this.proc.kill('SIGKILL'), 2000).unref();
    this.conn.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// The floor: parse + validate in-process

async function floor(text) {
  const { parseAllDocuments } = await import('yaml');
  const Ajv = require('ajv');
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const walk = (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : [],
      );
  for (const f of walk(schemasDir)) ajv.addSchema(JSON.parse(fs.readFileSync(f, 'utf8')));
  const byKind = new Map();
  const validatorFor = (data) => {
    const key = `${data?.apiVersion}|${data?.kind}`;
    if (!byKind.has(key)) {
      const file = {
        'cilium.io/v2|CiliumNetworkPolicy': 'ciliumnetworkpolicy_v2',
        'cilium.io/v2|CiliumClusterwideNetworkPolicy': 'ciliumclusterwidenetworkpolicy_v2',
        'cilium.io/v2|CiliumEnvoyConfig': 'ciliumenvoyconfig_v2',
        'cilium.io/v2|CiliumClusterwideEnvoyConfig': 'ciliumclusterwideenvoyconfig_v2',
        'cilium.io/v1alpha1|TracingPolicy': 'tracingpolicy_v1alpha1',
        'cilium.io/v1alpha1|TracingPolicyNamespaced': 'tracingpolicynamespaced_v1alpha1',
      }[key];
      byKind.set(key, file ? ajv.getSchema(`cilium-policy:///cilium.io/${file}.json`) : undefined);
    }
    return byKind.get(key);
  };
  const once = () => {
    let errors = 0;
    for (const doc of parseAllDocuments(text)) {
      const data = doc.toJS();
      const v = validatorFor(data);
      if (v && !v(data)) errors += v.errors.length;
    }
    return errors;
  };
  const tc = performance.now();
  once(); // compiles the validators
  const coldMs = performance.now() - tc;
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    once();
    runs.push(performance.now() - t);
  }
  return { coldMs: round(coldMs), warm: stats(runs) };
}

// ---------------------------------------------------------------------------------------------
// One file size

async function benchSize(targetLines, dispatcherUri) {
  const { lines, errorLines, counts } = generate(targetLines);
  const text = lines.join('\n') + '\n';
  const file = path.join(outDir, `policies-${targetLines}.yaml`);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;

  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to our server's Node, for profiling.
  // The flags the VS Code client starts the server with (SERVER_NODE_FLAGS in client/src/client.ts).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '--max-semi-space-size=4').split(' ').filter(Boolean);
  const servers = [
    new Server('ours', [...nodeArgs, serverJs, '--stdio'], { ciliumPolicy: NO_DEBOUNCE ? { lint: { delay: 0 } } : {} }),
  ];
  if (WITH_PEER) {
    const noDelay = ['--import', pathToFileURL(path.join(root, 'scripts', 'bench-peer-no-delay.mjs')).href];
    servers.push(
      new Server('peer', [...(NO_DEBOUNCE ? noDelay : []), peerBin, '--stdio'], {
        yaml: {
          validate: true,
          hover: true,
          completion: true,
          format: { enable: false },
          schemaStore: { enable: false },
          kubernetesCRDStore: { enable: false },
          // Its glob patterns match absolute paths here (a bare file name associates nothing).
          schemas: { [dispatcherUri]: [file] },
        },
      }),
    );
  }
  const r = {};
  for (const s of servers)
    r[s.name] = { edits: [], completion: [], hover: [], emptyCompletions: 0, emptyHovers: 0, cpu: {} };
  // Alternation: which server goes first flips every sample, so load changes hit both alike.
  const inTurn = (k) => (k % 2 === 0 ? servers : [...servers].reverse());
  const missedIn = (diagnostics) => {
    const found = new Set(diagnostics.map((d) => d.range.start.line));
    return errorLines.filter((l) => !found.has(l)).length;
  };
  try {
    for (const s of servers) r[s.name].initializeMs = round(await s.initialize());
    // Let both finish their start-up (our schema warm-up runs after `initialized`); the cold open
    // then measures a file opened in a started server. `--open-at-once` opens it right after
    // `initialized` instead, as when an editor restores its tabs.
    if (!OPEN_AT_ONCE) await settled(servers);
    for (const s of inTurn(0)) {
      const cpu0 = cpuMs(s.pid);
      const o = await s.open(uri, text);
      r[s.name].openMs = round(o.ms);
      r[s.name].cpu.open = round(cpuMs(s.pid) - cpu0);
      r[s.name].openDiagnostics = o.diagnostics.length;
      r[s.name].missedOnOpen = missedIn(o.diagnostics);
    }

    // One-line edits spread through the file: a label value gets one character longer, so every
    // document after it moves.
    const appLines = lines.map((l, i) => (/^ {6}app: web-\d+$/.test(l) ? i : -1)).filter((i) => i >= 0);
    let version = 1;
    let last = {};
    const cpuEdit0 = Object.fromEntries(servers.map((s) => [s.name, cpuMs(s.pid)]));
    for (let k = 0; k < SAMPLES; k++) {
      const line = appLines[Math.floor((k * appLines.length) / SAMPLES)];
      const old = lines[line];
      lines[line] = `${old}x`;
      version++;
      for (const s of inTurn(k)) {
        const e = await s.edit(uri, version, line, old.length, lines[line]);
        r[s.name].edits.push(e.ms);
        last[s.name] = e.diagnostics;
      }
    }
    for (const s of servers) {
      r[s.name].cpu.editsPerEdit = round((cpuMs(s.pid) - cpuEdit0[s.name]) / SAMPLES);
      r[s.name].missedAfterEdits = missedIn(last[s.name]);
    }

    // Completion at the value of `protocol:` (an enum) and hover over top keys of `spec`.
    const protoLines = lines.map((l, i) => (/^ {8}protocol: /.test(l) ? i : -1)).filter((i) => i >= 0);
    const hoverLines = lines
      .map((l, i) => (/^ {2}(endpointSelector|kprobes|nodeSelector|resources):/.test(l) ? i : -1))
      .filter((i) => i >= 0);
    // Completions first, then hovers, each with the CPU time it cost each server.
    const cpuCompletion0 = Object.fromEntries(servers.map((s) => [s.name, cpuMs(s.pid)]));
    for (let k = 0; k < SAMPLES; k++) {
      const cl = protoLines[Math.floor((k * protoLines.length) / SAMPLES)];
      for (const s of inTurn(k)) {
        const c = await s.request(rpc.CompletionRequest.type, {
          textDocument: { uri },
          position: { line: cl, character: lines[cl].length },
        });
        r[s.name].completion.push(c.ms);
        const items = Array.isArray(c.result) ? c.result : (c.result?.items ?? []);
        if (!items.length) r[s.name].emptyCompletions++;
      }
    }
    const cpuHover0 = Object.fromEntries(servers.map((s) => [s.name, cpuMs(s.pid)]));
    for (let k = 0; k < SAMPLES; k++) {
      const hl = hoverLines[Math.floor((k * hoverLines.length) / SAMPLES)];
      for (const s of inTurn(k)) {
        const h = await s.request(rpc.HoverRequest.type, {
          textDocument: { uri },
          position: { line: hl, character: 4 },
        });
        r[s.name].hover.push(h.ms);
        if (!h.result) r[s.name].emptyHovers++;
      }
    }
    for (const s of servers) {
      r[s.name].cpu.perCompletion = round((cpuHover0[s.name] - cpuCompletion0[s.name]) / SAMPLES);
      r[s.name].cpu.perHover = round((cpuMs(s.pid) - cpuHover0[s.name]) / SAMPLES);
    }
    for (const s of servers) {
      r[s.name].peakRssMb = procStatus(s.pid, 'VmHWM');
      r[s.name].cpu.total = round(cpuMs(s.pid));
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
  const out = {
    file: {
      lines: lines.length,
      bytes: Buffer.byteLength(text),
      documents: text.split('\n---\n').length,
      kinds: counts,
      deliberateErrors: errorLines.length,
    },
    floor: await floor(text),
    loadavg: os.loadavg().map(round),
  };
  for (const [name, x] of Object.entries(r)) {
    out[name] = {
      initializeMs: x.initializeMs,
      openMs: x.openMs,
      openDiagnostics: x.openDiagnostics,
      missedOnOpen: x.missedOnOpen,
      missedAfterEdits: x.missedAfterEdits,
      editMs: stats(x.edits),
      completionMs: { ...stats(x.completion), empty: x.emptyCompletions },
      hoverMs: { ...stats(x.hover), empty: x.emptyHovers },
      peakRssMb: x.peakRssMb,
      cpuMs: x.cpu,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(2)}×` : '–';
}

/** The figures of a table, as [label, ours, peer]. */
function rowsOf(res) {
  const o = res.ours;
  const p = res.peer;
  return [
    ['initialize → answer (ms)', o.initializeMs, p?.initializeMs],
    ['cold didOpen → first diagnostics (ms)', o.openMs, p?.openMs],
    ['edit → fresh diagnostics, median (ms)', o.editMs.median, p?.editMs.median],
    ['edit → fresh diagnostics, p95 (ms)', o.editMs.p95, p?.editMs.p95],
    ['completion, median (ms)', o.completionMs.median, p?.completionMs.median],
    ['completion, p95 (ms)', o.completionMs.p95, p?.completionMs.p95],
    ['hover, median (ms)', o.hoverMs.median, p?.hoverMs.median],
    ['hover, p95 (ms)', o.hoverMs.p95, p?.hoverMs.p95],
    ['peak RSS, VmHWM (MB)', o.peakRssMb, p?.peakRssMb],
    ['CPU time, cold open (ms)', o.cpuMs.open, p?.cpuMs.open],
    ['CPU time per edit (ms)', o.cpuMs.editsPerEdit, p?.cpuMs.editsPerEdit],
    ['CPU time per completion (ms)', o.cpuMs.perCompletion, p?.cpuMs.perCompletion],
    ['CPU time per hover (ms)', o.cpuMs.perHover, p?.cpuMs.perHover],
  ];
}

function table(res) {
  const o = res.ours;
  const p = res.peer;
  const rows = rowsOf(res);
  const lines = [
    `| ${res.file.lines} lines, ${res.file.documents} documents | ours | yaml-language-server | ours/peer |`,
    '|---|---:|---:|---:|',
    ...rows.map(([k, a, b]) => `| ${k} | ${a ?? '–'} | ${b ?? '–'} | ${ratio(a, b)} |`),
    `| diagnostics on open (deliberate errors missed) | ${o.openDiagnostics} (${o.missedOnOpen}) | ${p ? `${p.openDiagnostics} (${p.missedOnOpen})` : '–'} | |`,
    `| empty completions / hovers | ${o.completionMs.empty} / ${o.hoverMs.empty} | ${p ? `${p.completionMs.empty} / ${p.hoverMs.empty}` : '–'} | |`,
    `| floor: \`yaml\` parse + ajv validate, in-process (ms) | ${res.floor.warm.median} (first run ${res.floor.coldMs}) | | |`,
  ];
  return lines.join('\n');
}

/**
 * Several runs of one size: the median of each figure, the ratio of the medians, and the ratio in
 * each run (the machine's load moves wall times between runs; the CPU rows are steadier).
 */
function medianTable(runs) {
  const first = runs[0];
  const perRun = runs.map(rowsOf);
  const med = (xs) => {
    const v = xs.filter((x) => typeof x === 'number');
    return v.length ? round(median(v)) : undefined;
  };
  const lines = [
    `| ${first.file.lines} lines, ${first.file.documents} documents, median of ${runs.length} runs | ours | yaml-language-server | ours/peer | ratio per run |`,
    '|---|---:|---:|---:|---|',
    ...perRun[0].map(([label], i) => {
      const a = med(perRun.map((r) => r[i][1]));
      const b = med(perRun.map((r) => r[i][2]));
      const each = perRun.map((r) => ratio(r[i][1], r[i][2]).replace('×', '')).join(', ');
      return `| ${label} | ${a ?? '–'} | ${b ?? '–'} | ${ratio(a, b)} | ${each} |`;
    }),
    `| load average after each run | ${runs.map((r) => r.loadavg[0]).join(', ')} | | | |`,
  ];
  return lines.join('\n');
}

async function main() {
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing; run \`npm run bundle\` first`);
  if (WITH_PEER && !fs.existsSync(peerBin)) throw new Error(`${peerBin} is missing; run \`npm ci\``);
  fs.mkdirSync(outDir, { recursive: true });
  const dispatcherUri = writeDispatcher();
  const machine = {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    memoryGb: round(os.totalmem() / 1024 ** 3),
    cpu: os.cpus()[0]?.model,
    node: process.version,
    loadavgAtStart: os.loadavg().map(round),
  };
  console.log(
    `machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}`,
  );
  const results = { machine, samples: SAMPLES, sizes: {} };
  let failed = false;
  for (const size of SIZES) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const res = await benchSize(size, dispatcherUri);
      runs.push(res);
      console.log(`\n${table(res)}\n(load average after: ${res.loadavg.join(' ')})`);
      if (!checkRun(res, size)) failed = true;
    }
    results.sizes[size] = RUNS === 1 ? runs[0] : { runs };
    if (RUNS > 1) console.log(`\n${medianTable(runs)}`);
  }
  results.date = new Date().toISOString();
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwritten ${path.relative(root, path.join(outDir, 'results.json'))}`);
  if (failed) process.exitCode = 1;
}

/** False (with a message) when a server missed a deliberate error or ours answered nothing. */
function checkRun(res, size) {
  let ok = true;
  for (const name of ['ours', 'peer']) {
    const x = res[name];
    if (x && (x.missedOnOpen || x.missedAfterEdits)) {
      console.error(
        `${name} missed deliberate errors on the ${size}-line file (open: ${x.missedOnOpen}, after edits: ${x.missedAfterEdits})`,
      );
      ok = false;
    }
  }
  if (res.ours.completionMs.empty || res.ours.hoverMs.empty) {
    console.error(`ours returned empty completions or hovers on the ${size}-line file`);
    ok = false;
  }
  return ok;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
