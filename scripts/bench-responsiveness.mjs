// SPDX-License-Identifier: Apache-2.0
// Responsiveness benchmark (`npm run bench:responsiveness`; not a test): how long hover waits
// while the language server is busy. Our server only, over real JSON-RPC on stdio, with default
// settings (pushed as an empty `ciliumPolicy` section), started as the VS Code client starts it.
//
// - **Edit storm**: a 2,000-line file of ~60 policies (`scripts/bench-files.mjs`); 2,000 one-character
//   edits (a label value grows, at places spread through the file) sent without waiting for
//   anything, with a hover sent every 100 edits (also without waiting), then one more hover. It
//   reports each hover's latency, the hover right after the storm, the time from the last edit
//   to the diagnostics of the last version, and which versions got diagnostics published.
// - **Long document**: one CiliumNetworkPolicy of 20,000 lines (CIDR and FQDN allow-lists); 10
//   edits of a CIDR entry; after each, hovers at random entries every 20 ms until the edit's
//   diagnostics arrive. It reports hover latency (median, p95, max) and edit → diagnostics.
// - **Opening**: a 50,000-line file of ~1,500 policies (`scripts/bench-files.mjs`) opened in a started
//   server; hovers every 20 ms from right after the open until its diagnostics arrive. It reports
//   hover latency (median, p95, max) and open → diagnostics.
//
// For each: the server's CPU time (user + system, from /proc) and the load averages, because the
// machine may be shared. Options: `--server <dist/server.js>` (another build, e.g. the one before
// a change), `--rounds N` (default 3; the figures pool every round), `--scenarios storm,long,open`.
// Writes `.bench/responsiveness.json`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { allowListPolicy, generate } from './bench-files.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, '.bench');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const serverJs = path.resolve(option('server', path.join(root, 'dist', 'server.js')));
const ROUNDS = Number(option('rounds', '3'));
const SCENARIOS = option('scenarios', 'burst,storm,long,open').split(',');
// BENCH_NODE_ARGS adds Node options to the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const TIMEOUT_MS = 120_000;

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const round = (x) => (x === null || Number.isNaN(x) ? x : Math.round(x * 10) / 10);
const stats = (xs) => ({
  median: round(quantile(xs, 0.5)),
  p95: round(quantile(xs, 0.95)),
  max: round(Math.max(...xs)),
  n: xs.length,
});
/** User + system CPU time of a process in ms (from /proc; null elsewhere). */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Our server over JSON-RPC, spoken directly on its stdio: every message is written to the pipe at
 * once (a client library that waits for each write to drain would trickle a storm out over a
 * second and measure itself). Records every diagnostics publication with its arrival time.
 */
class Server {
  constructor() {
    this.proc = spawn(process.execPath, ['--max-semi-space-size=4', ...NODE_ARGS, serverJs, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.published = [];
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.buffer = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => this.read(chunk));
  }

  /** Splits the output into messages (`Content-Length` framing) and handles each. */
  read(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body));
    }
  }

  handle(message) {
    if (message.id !== undefined && message.method === undefined) {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message);
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const p = message.params;
      this.published.push({ at: performance.now(), version: p.version, count: p.diagnostics.length });
      for (const w of this.waiters.splice(0)) if (!w()) this.waiters.push(w);
      return;
    }
    // Requests from the server: settings are the defaults; registrations are accepted.
    if (message.id !== undefined) {
      const result = message.method === 'workspace/configuration' ? message.params.items.map(() => ({})) : null;
      this.write({ jsonrpc: '2.0', id: message.id, result });
    }
  }

  write(...messages) {
    const frames = messages.map((m) => {
      const body = Buffer.from(JSON.stringify(m), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    });
    this.proc.stdin.write(Buffer.concat(frames));
  }

  notify(method, params) {
    return { jsonrpc: '2.0', method, params };
  }

  /** A request message and the promise of its answer. */
  request(method, params) {
    const id = this.nextId++;
    const answer = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method}\n${this.stderr}`)), TIMEOUT_MS);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    return { message: { jsonrpc: '2.0', id, method, params }, answer };
  }

  async call(method, params) {
    const { message, answer } = this.request(method, params);
    this.write(message);
    return answer;
  }

  async start() {
    await this.call('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    this.write(
      this.notify('initialized', {}),
      this.notify('workspace/didChangeConfiguration', { settings: { ciliumPolicy: {} } }),
    );
    await sleep(1500); // start-up work (schema warm-up) done
  }

  /** The first publication for `version` (already here or to come). */
  diagnosticsFor(version) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no diagnostics for version ${version}\n${this.stderr}`)),
        TIMEOUT_MS,
      );
      const check = () => {
        const p = this.published.find((x) => x.version === version);
        if (!p) return false;
        clearTimeout(timer);
        resolve(p);
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  openMessage(uri, text) {
    return this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }

  /** Inserts or replaces text on one line. */
  editMessage(uri, version, line, from, to, text) {
    return this.notify('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: from }, end: { line, character: to } }, text }],
    });
  }

  /** A hover request message and the promise of its latency (from when it is written). */
  hoverMessage(uri, line, character) {
    const { message, answer } = this.request('textDocument/hover', {
      textDocument: { uri },
      position: { line, character },
    });
    return {
      message,
      timed: (sentAt) => answer.then((m) => ({ ms: performance.now() - sentAt, empty: !m.result, error: m.error })),
    };
  }

  async hover(uri, line, character) {
    const h = this.hoverMessage(uri, line, character);
    const t = performance.now();
    this.write(h.message);
    return h.timed(t);
  }

  async close() {
    try {
      await Promise.race([this.call('shutdown', null), sleep(2000)]);
      this.write(this.notify('exit', null));
    } catch {
      // killed below
    }
    setTimeout(() => this.proc.kill('SIGKILL'), 2000).unref();
  }
}

/**
 * 2,000 edits without waiting, a hover every 100, one hover after. `paced`: written 10 at a time
 * every 10 ms (1,000 edits a second, as an editor replaying a macro sends them), each hover timed
 * from when it is written; otherwise all written at once and every hover timed from then.
 */
async function storm(round, paced) {
  const { lines } = generate(2000);
  const uri = pathToFileURL(path.join(outDir, `storm-${round}.yaml`)).href;
  const server = new Server();
  try {
    await server.start();
    server.write(server.openMessage(uri, lines.join('\n') + '\n'));
    await server.diagnosticsFor(1);
    const appLines = lines.map((l, i) => (/^ {6}app: web-\d+$/.test(l) ? i : -1)).filter((i) => i >= 0);
    const hoverLines = lines
      .map((l, i) => (/^ {2}(endpointSelector|kprobes|nodeSelector|resources):/.test(l) ? i : -1))
      .filter((i) => i >= 0);
    const before = server.published.length;
    const cpu0 = cpuMs(server.proc.pid);
    const batches = [];
    let batch = [];
    let version = 1;
    for (let k = 0; k < 2000; k++) {
      const line = appLines[(k * 7) % appLines.length];
      const col = lines[line].length;
      lines[line] += 'x';
      batch.push({ message: server.editMessage(uri, ++version, line, col, col, 'x') });
      if (k % 100 === 99) batch.push(server.hoverMessage(uri, hoverLines[k % hoverLines.length], 4));
      if (batch.length >= 10) {
        batches.push(batch);
        batch = [];
      }
    }
    batch.push(server.hoverMessage(uri, hoverLines[0], 4));
    batches.push(batch);
    const hovers = [];
    const t0 = performance.now();
    for (const b of batches) {
      const at = performance.now();
      server.write(...b.map((x) => x.message));
      for (const x of b) if (x.timed) hovers.push(x.timed(paced ? at : t0));
      if (paced) await sleep(10);
    }
    const sent = performance.now();
    const timed = await Promise.all(hovers);
    const after = timed.pop();
    const lastDiagnostics = await server.diagnosticsFor(version);
    const cpu = cpuMs(server.proc.pid) - cpu0;
    const versions = server.published.slice(before).map((p) => p.version);
    return {
      hoverMs: timed.map((h) => h.ms),
      afterMs: after.ms,
      empty: timed.filter((h) => h.empty).length + (after.empty ? 1 : 0),
      sendMs: sent - t0,
      lastDiagnosticsMs: lastDiagnostics.at - sent,
      publications: versions.length,
      stale: versions.filter((v) => v !== version).length,
      cpuMs: cpu,
    };
  } finally {
    await server.close();
  }
}

/** One 20,000-line policy: 10 edits, hovers every 20 ms while each is linted. */
async function long(round) {
  const { lines, cidrLines } = allowListPolicy(20000);
  const uri = pathToFileURL(path.join(outDir, `long-${round}.yaml`)).href;
  const server = new Server();
  try {
    await server.start();
    const t = performance.now();
    server.write(server.openMessage(uri, lines.join('\n') + '\n'));
    const opened = await server.diagnosticsFor(1);
    const openMs = opened.at - t;
    const cpu0 = cpuMs(server.proc.pid);
    const hovers = [];
    const edits = [];
    let empty = 0;
    let version = 1;
    let seed = 1234 + round;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let k = 0; k < 10; k++) {
      const line = cidrLines[Math.floor(((k + 0.5) * cidrLines.length) / 10)];
      const col = lines[line].length - 1; // the prefix length's last digit: /32 → /31 → /30 …
      const digit = String((Number(lines[line][col]) + 9) % 10);
      lines[line] = lines[line].slice(0, col) + digit;
      const target = ++version;
      const t0 = performance.now();
      server.write(server.editMessage(uri, target, line, col, col + 1, digit));
      let done;
      void server.diagnosticsFor(target).then((p) => (done = p));
      while (!done) {
        const h = await server.hover(uri, cidrLines[Math.floor(random() * cidrLines.length)], 8);
        hovers.push(h.ms);
        if (h.empty) empty++;
        if (!done) await sleep(20);
      }
      edits.push(done.at - t0);
    }
    const versions = server.published.map((p) => p.version);
    return {
      openMs,
      hoverMs: hovers,
      editMs: edits,
      empty,
      // Publications of a version older than one already published (diagnostics going back in time).
      outOfOrder: versions.filter((v, i) => versions.slice(0, i).some((w) => w > v)).length,
      cpuMs: cpuMs(server.proc.pid) - cpu0,
    };
  } finally {
    await server.close();
  }
}

/** A 50,000-line file opened: hovers every 20 ms until its diagnostics arrive. */
async function opening(round) {
  const { lines } = generate(50000);
  const uri = pathToFileURL(path.join(outDir, `opening-${round}.yaml`)).href;
  // Hovered: the first key of each policy's spec (`endpointSelector`, `kprobes`, …), spread through the file.
  const keys = lines
    .map((l, i) => (/^ {2}[a-zA-Z]+:/.test(l) && lines[i - 1] === 'spec:' ? i : -1))
    .filter((i) => i >= 0);
  const server = new Server();
  try {
    await server.start();
    // Let the start-up warm-up finish, as in the main benchmark's cold open.
    await sleep(3000);
    const cpu0 = cpuMs(server.proc.pid);
    const t = performance.now();
    server.write(server.openMessage(uri, lines.join('\n') + '\n'));
    let done;
    void server.diagnosticsFor(1).then((p) => (done = p));
    const hovers = [];
    let empty = 0;
    let seed = 4321 + round;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    while (!done) {
      const h = await server.hover(uri, keys[Math.floor(random() * keys.length)], 3);
      hovers.push(h.ms);
      if (h.empty) empty++;
      if (!done) await sleep(20);
    }
    return { openMs: done.at - t, hoverMs: hovers, empty, cpuMs: cpuMs(server.proc.pid) - cpu0 };
  } finally {
    await server.close();
  }
}

async function main() {
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing; run \`npm run bundle\` first`);
  fs.mkdirSync(outDir, { recursive: true });
  const machine = {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    loadavgAtStart: os.loadavg().map(round),
  };
  console.log(
    `server: ${serverJs}\nmachine: ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}`,
  );
  const results = { machine, server: serverJs, rounds: ROUNDS };
  for (const [name, paced] of [
    ['burst', false],
    ['storm', true],
  ]) {
    if (!SCENARIOS.includes(name)) continue;
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await storm(r, paced));
    const s = {
      hoverDuringMs: stats(runs.flatMap((x) => x.hoverMs)),
      hoverAfterMs: stats(runs.map((x) => x.afterMs)),
      lastDiagnosticsMs: stats(runs.map((x) => x.lastDiagnosticsMs)),
      publicationsPerStorm: runs.map((x) => x.publications),
      staleVersionsPublished: runs.map((x) => x.stale),
      cpuMsPerStorm: runs.map((x) => x.cpuMs),
      sendMs: runs.map((x) => round(x.sendMs)),
      emptyHovers: runs.reduce((n, x) => n + x.empty, 0),
      loadavg: os.loadavg().map(round),
    };
    results[name] = s;
    const title = paced
      ? `edit storm: 2,000 edits at 1,000 a second on a 2,000-line file, ${ROUNDS} rounds`
      : `edit burst: 2,000 edits written at once on a 2,000-line file, ${ROUNDS} rounds`;
    console.log(`
| ${title} | median | p95 | max |
|---|---:|---:|---:|
| hover during the ${name} (ms${paced ? ', from when it is sent' : ', from when the burst is sent'}) | ${s.hoverDuringMs.median} | ${s.hoverDuringMs.p95} | ${s.hoverDuringMs.max} |
| hover right after the ${name} (ms) | ${s.hoverAfterMs.median} | ${s.hoverAfterMs.p95} | ${s.hoverAfterMs.max} |
| last edit → diagnostics of the last version (ms) | ${s.lastDiagnosticsMs.median} | ${s.lastDiagnosticsMs.p95} | ${s.lastDiagnosticsMs.max} |

publications: ${s.publicationsPerStorm.join(', ')} (of an older version: ${s.staleVersionsPublished.join(', ')}); server CPU (ms): ${s.cpuMsPerStorm.join(', ')}; empty hovers: ${s.emptyHovers}; load average after: ${s.loadavg.join(' ')}`);
  }
  if (SCENARIOS.includes('long')) {
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await long(r));
    results.long = {
      openMs: stats(runs.map((x) => x.openMs)),
      hoverMs: stats(runs.flatMap((x) => x.hoverMs)),
      editMs: stats(runs.flatMap((x) => x.editMs)),
      cpuMsPerEdit: runs.map((x) => round(x.cpuMs / 10)),
      outOfOrderPublications: runs.reduce((n, x) => n + x.outOfOrder, 0),
      emptyHovers: runs.reduce((n, x) => n + x.empty, 0),
      loadavg: os.loadavg().map(round),
    };
    const l = results.long;
    console.log(`
| one 20,000-line policy, 10 edits × ${ROUNDS} rounds | median | p95 | max |
|---|---:|---:|---:|
| hover while the edit is linted (ms, ${l.hoverMs.n} hovers) | ${l.hoverMs.median} | ${l.hoverMs.p95} | ${l.hoverMs.max} |
| edit → diagnostics (ms) | ${l.editMs.median} | ${l.editMs.p95} | ${l.editMs.max} |
| open → diagnostics (ms) | ${l.openMs.median} | ${l.openMs.p95} | ${l.openMs.max} |

server CPU per edit, hovers included (ms): ${l.cpuMsPerEdit.join(', ')}; publications going back to an older version: ${l.outOfOrderPublications}; empty hovers: ${l.emptyHovers}; load average after: ${l.loadavg.join(' ')}`);
  }
  if (SCENARIOS.includes('open')) {
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await opening(r));
    results.open = {
      openMs: stats(runs.map((x) => x.openMs)),
      hoverMs: stats(runs.flatMap((x) => x.hoverMs)),
      cpuMs: runs.map((x) => round(x.cpuMs)),
      emptyHovers: runs.reduce((n, x) => n + x.empty, 0),
      loadavg: os.loadavg().map(round),
    };
    const o = results.open;
    console.log(`
| opening a 50,000-line file, ${ROUNDS} rounds | median | p95 | max |
|---|---:|---:|---:|
| hover while the file is parsed and linted (ms, ${o.hoverMs.n} hovers) | ${o.hoverMs.median} | ${o.hoverMs.p95} | ${o.hoverMs.max} |
| open → diagnostics (ms) | ${o.openMs.median} | ${o.openMs.p95} | ${o.openMs.max} |

server CPU per open, hovers included (ms): ${o.cpuMs.join(', ')}; empty hovers: ${o.emptyHovers}; load average after: ${o.loadavg.join(' ')}`);
  }
  results.date = new Date().toISOString();
  fs.writeFileSync(path.join(outDir, 'responsiveness.json'), JSON.stringify(results, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
