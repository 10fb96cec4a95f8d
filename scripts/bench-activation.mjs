// SPDX-License-Identifier: Apache-2.0
// Extension activation benchmark (`node scripts/bench-activation.mjs [runs]`; not a test). Loads
// `dist/extension.js` against a stand-in `vscode` module (any property is another stand-in, any
// call returns one, as in `test/package/extension-activation.test.ts`) in a fresh Node process per
// run, and reports: loading the bundle, `activate()` up to its first `await` (the work done before
// VS Code gets its thread back), and `activate()` until its promise settles (which includes starting
// the language server and its `initialize` round trip).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const runs = Number(process.argv[2] ?? 7);

// One run, in a child process so every load is cold.
const child = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const root = process.argv[1];
function standIn(name) {
  const store = new Map();
  return new Proxy(function () {}, {
    set(_t, p, v) { store.set(p, v); return true; },
    get(_t, p) {
      if (p === 'then') return undefined;
      if (p === Symbol.toPrimitive) return () => name;
      if (!store.has(p)) store.set(p, standIn(name + '.' + String(p)));
      return store.get(p);
    },
    apply() { return standIn(name + '()'); },
    construct() { return standIn('new ' + name); },
  });
}
const api = {};
const dts = fs.readFileSync(path.join(root, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
for (const m of dts.matchAll(/^\s*export (?:namespace|class|enum|const|function) ([A-Za-z]+)/gm)) api[m[1]] = standIn('vscode.' + m[1]);
api.version = '1.100.0';
api.window.createOutputChannel = (name) => ({ name, append() {}, appendLine() {}, show() {}, hide() {}, clear() {}, replace() {}, dispose() {} });
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? api : load.call(this, request, ...rest); };
(async () => {
  const t0 = performance.now();
  const ext = require(path.join(root, 'dist', 'extension.js'));
  const t1 = performance.now();
  const context = { subscriptions: [], asAbsolutePath: (p) => path.join(root, p), extensionPath: root, extensionUri: standIn('uri') };
  const pending = ext.activate(context);
  const t2 = performance.now();
  await pending;
  const t3 = performance.now();
  await ext.deactivate();
  console.log(JSON.stringify({ loadMs: t1 - t0, activateSyncMs: t2 - t1, activateSettledMs: t3 - t1 }));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`;

const results = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ['-e', child, root], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`run ${i} failed: ${r.stderr}`);
  results.push(JSON.parse(r.stdout.trim().split('\n').at(-1)));
}
const med = (k) => {
  const s = results.map((r) => r[k]).sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 10) / 10;
};
console.log(`runs: ${runs}`);
console.log(`load dist/extension.js            median ${med('loadMs')} ms`);
console.log(`activate() until its first await  median ${med('activateSyncMs')} ms`);
console.log(
  `activate() until settled          median ${med('activateSettledMs')} ms (starts the server and waits for initialize)`,
);
