// SPDX-License-Identifier: Apache-2.0
// Language-server benchmark (`npm run bench`; not a test). Generates a ~10,000-line file of
// CiliumNetworkPolicies and TracingPolicies with a few deliberate errors, drives `dist/server.js
// --stdio` over real JSON-RPC, and reports: didOpen → first diagnostics, one-line edit → fresh
// diagnostics, completion and hover latency, and the server's peak RSS (VmHWM). Writes
// `.bench/results.json`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, '.bench');
const serverJs = path.join(root, 'dist', 'server.js');
const TARGET_LINES = 10_000;
const SAMPLES = 25;

// ---------------------------------------------------------------------------------------------
// The file

function cnp(i, broken) {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    `  name: allow-web-${i}`,
    '  namespace: shop',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    `      app: web-${i}`,
    '  ingress:',
    '  - fromEndpoints:',
    '    - matchLabels:',
    `        app: frontend-${i}`,
    '    toPorts:',
    '    - ports:',
    '      - port: "8080"',
    `        protocol: ${broken ? 'TCPP' : 'TCP'}`,
    '      rules:',
    '        http:',
    '        - method: GET',
    `          path: /api/v${i % 3}/.*`,
    '  egress:',
    '  - toFQDNs:',
    `    - matchName: api-${i}.example.com`,
    '    toPorts:',
    '    - ports:',
    '      - port: "443"',
    '        protocol: TCP',
  ];
}

function tp(i, broken) {
  return [
    'apiVersion: cilium.io/v1alpha1',
    'kind: TracingPolicy',
    'metadata:',
    `  name: watch-files-${i}`,
    'spec:',
    '  kprobes:',
    '  - call: security_file_permission',
    `    ${broken ? 'syscal' : 'syscall'}: false`,
    '    args:',
    '    - index: 0',
    '      type: file',
    '    - index: 1',
    '      type: int',
    '    selectors:',
    '    - matchArgs:',
    '      - index: 0',
    '        operator: Prefix',
    '        values:',
    `        - /etc/secret-${i}`,
    '      matchActions:',
    '      - action: Sigkill',
    '  - call: security_bprm_check',
    '    syscall: false',
    '    args:',
    '    - index: 0',
    '      type: linux_binprm',
  ];
}

/** Builds the file; returns its lines and the lines of the deliberate errors. */
function generate() {
  const lines = [];
  const errorLines = [];
  for (let i = 0; lines.length < TARGET_LINES; i++) {
    const broken = i % 50 === 7;
    const doc = i % 2 === 0 ? cnp(i, broken) : tp(i, broken);
    if (lines.length) lines.push('---');
    const base = lines.length;
    if (broken) errorLines.push(base + doc.findIndex((l) => /TCPP|syscal:/.test(l)));
    lines.push(...doc);
  }
  return { lines, errorLines };
}

// ---------------------------------------------------------------------------------------------
// Statistics

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
const round = (x) => Math.round(x * 10) / 10;

function vmHwmMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} is missing; run \`npm run bundle\` first`);
  fs.mkdirSync(outDir, { recursive: true });
  const { lines, errorLines } = generate();
  const text = lines.join('\n') + '\n';
  const file = path.join(outDir, 'policies.yaml');
  fs.writeFileSync(file, text);
  const uri = `file://${file}`;

  const proc = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const waiters = [];
  const published = [];
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of waiters.splice(0)) if (!w(p)) waiters.push(w);
  });
  conn.onRequest(rpc.RegistrationRequest.type, () => null);
  conn.listen();
  const diagnosticsFor = (version) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for v${version} within 30 s`)), 30_000);
      const check = (p) => {
        if (p.uri !== uri || p.version !== version) return false;
        clearTimeout(timer);
        resolve(p);
        return true;
      };
      const seen = published.find((p) => p.uri === uri && p.version === version);
      if (seen) check(seen);
      else waiters.push(check);
    });

  try {
    const t0 = performance.now();
    await conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } }, publishDiagnostics: { versionSupport: true } } },
    });
    await conn.sendNotification(rpc.InitializedNotification.type, {});
    const initMs = performance.now() - t0;
    // Measure the lint itself: no typing debounce (the default adds settings.lintDelayMs = 250 ms).
    await conn.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: { ciliumPolicy: { lint: { delay: 0 } } } });

    // didOpen → first diagnostics (cold: first schema compilation included).
    let version = 1;
    const tOpen = performance.now();
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version, text } });
    const first = await diagnosticsFor(version);
    const openMs = performance.now() - tOpen;
    const foundLines = [...new Set(first.diagnostics.map((d) => d.range.start.line))].sort((a, b) => a - b);
    const missed = errorLines.filter((l) => !foundLines.includes(l));

    // One-line edits spread through the file → fresh diagnostics.
    const editMs = [];
    const appLines = lines.map((l, i) => (/^ {6}app: web-\d+$/.test(l) ? i : -1)).filter((i) => i >= 0);
    for (let k = 0; k < SAMPLES; k++) {
      const line = appLines[Math.floor((k * appLines.length) / SAMPLES)];
      const old = lines[line];
      const next = `${old}x`;
      lines[line] = next;
      version++;
      const t = performance.now();
      await conn.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: next }],
      });
      await diagnosticsFor(version);
      editMs.push(performance.now() - t);
    }

    // Completion: the value of `protocol:` and a key position inside a rule, spread through the file.
    const protoLines = lines.map((l, i) => (/^ {8}protocol: /.test(l) ? i : -1)).filter((i) => i >= 0);
    const completionMs = [];
    let emptyCompletions = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const line = protoLines[Math.floor((k * protoLines.length) / SAMPLES)];
      const t = performance.now();
      const r = await conn.sendRequest(rpc.CompletionRequest.type, { textDocument: { uri }, position: { line, character: lines[line].length } });
      completionMs.push(performance.now() - t);
      const items = Array.isArray(r) ? r : (r?.items ?? []);
      if (!items.length) emptyCompletions++;
    }

    // Hover over keys spread through the file.
    const hoverLines = lines.map((l, i) => (/^ {2}(endpointSelector|kprobes):/.test(l) ? i : -1)).filter((i) => i >= 0);
    const hoverMs = [];
    let emptyHovers = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const line = hoverLines[Math.floor((k * hoverLines.length) / SAMPLES)];
      const t = performance.now();
      const h = await conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line, character: 4 } });
      hoverMs.push(performance.now() - t);
      if (!h) emptyHovers++;
    }

    // The same file opened again under another URI: a full parse and lint with everything warm.
    const uri2 = `${uri}.copy.yaml`;
    const tWarm = performance.now();
    const secondDiagnostics = new Promise((resolve) => waiters.push((p) => (p.uri === uri2 ? (resolve(p), true) : false)));
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri: uri2, languageId: 'yaml', version: 1, text } });
    await secondDiagnostics;
    const warmOpenMs = performance.now() - tWarm;

    const rssMb = vmHwmMb(proc.pid);
    const results = {
      file: { lines: lines.length, bytes: Buffer.byteLength(text), documents: lines.filter((l) => l === '---').length + 1, deliberateErrors: errorLines.length },
      initializeMs: round(initMs),
      openToFirstDiagnosticsMs: round(openMs),
      warmOpenToDiagnosticsMs: round(warmOpenMs),
      firstDiagnostics: { count: first.diagnostics.length, deliberateErrorsMissed: missed.length },
      editToDiagnosticsMs: { median: round(median(editMs)), p95: round(quantile(editMs, 0.95)), samples: editMs.length, lintDelayMs: 0 },
      completionMs: { median: round(median(completionMs)), p95: round(quantile(completionMs, 0.95)), samples: completionMs.length, empty: emptyCompletions },
      hoverMs: { median: round(median(hoverMs)), p95: round(quantile(hoverMs, 0.95)), samples: hoverMs.length, empty: emptyHovers },
      peakRssMb: rssMb,
      targets: { coldValidationMs: 1000, completionP95Ms: 50 },
      node: process.version,
      date: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');

    const rows = [
      ['file', `${results.file.lines} lines, ${results.file.documents} documents, ${results.file.deliberateErrors} deliberate errors`],
      ['didOpen → first diagnostics', `${results.openToFirstDiagnosticsMs} ms (${first.diagnostics.length} diagnostics, ${missed.length} deliberate errors missed) — target < 1000 ms`],
      ['warm didOpen → diagnostics', `${results.warmOpenToDiagnosticsMs} ms (same file, another URI)`],
      ['edit → fresh diagnostics', `median ${results.editToDiagnosticsMs.median} ms, p95 ${results.editToDiagnosticsMs.p95} ms (n=${editMs.length}, debounce 0)`],
      ['completion', `median ${results.completionMs.median} ms, p95 ${results.completionMs.p95} ms (n=${completionMs.length}, ${emptyCompletions} empty) — target p95 < 50 ms`],
      ['hover', `median ${results.hoverMs.median} ms, p95 ${results.hoverMs.p95} ms (n=${hoverMs.length}, ${emptyHovers} empty)`],
      ['peak RSS (VmHWM)', rssMb === null ? 'n/a (no /proc)' : `${rssMb} MB`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(`\nwritten ${path.relative(root, path.join(outDir, 'results.json'))}`);
    if (missed.length || emptyCompletions || emptyHovers) process.exitCode = 1;
  } finally {
    try {
      await Promise.race([conn.sendRequest(rpc.ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await conn.sendNotification(rpc.ExitNotification.type);
    } catch {
      // killed below
    }
    setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
    conn.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
