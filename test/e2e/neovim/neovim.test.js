// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * The bundled language server in a second, unrelated editor: headless Neovim (Debian's 0.7) with
 * its built-in LSP client runs `lsp-check.lua` on fixtures of `test/e2e/workspace/`, and this
 * test checks what Neovim reports (codes, lines, columns, source), its hover and completion, a
 * rule turned off through `settings`, and its exit code. Nothing here is VS Code specific, which
 * is the point: the server works in any LSP client.
 *
 * Usage: node --test test/e2e/neovim/   (after `npm run build`; needs `nvim` on PATH)
 */
'use strict';

const { after, before, describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BROKEN, MIXED, RULE_OFF, locate, schemaDescriptions, words, REPO_ROOT } = require('../lib/expectations.js');

const SERVER = path.join(REPO_ROOT, 'dist', 'server.js');
const LUA = path.join(__dirname, 'lsp-check.lua');
const NVIM = process.env['NVIM_BIN'] || 'nvim';
const RUN_MS = 60_000;

/** @typedef {{ line: number, col: number, endLine: number, endCol: number, severity: number, source: string, code: string, message: string }} NvimDiagnostic */
/** @typedef {{ code: number | null, stdout: string, stderr: string, diagnostics: NvimDiagnostic[], hover?: string, completion?: string[], response?: any, responseError?: string }} NvimRun */

let workspace = '';

before(() => {
  // A missing prerequisite fails the run loudly; it is installed by test/e2e/toolchain/setup.sh.
  const version = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });
  assert.equal(
    version.status,
    0,
    `${NVIM} is not runnable (${version.error?.message ?? version.stderr}); run test/e2e/toolchain/setup.sh`,
  );
  assert.ok(fs.existsSync(SERVER), `${SERVER} is missing; run npm run build`);
  console.log(`# ${version.stdout.split('\n')[0]}`);
  workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-nvim-')), 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
});

after(() => {
  if (workspace) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
});

/**
 * Runs Neovim on one fixture in its own process group (it starts the server as a child), waits
 * for it to exit, and always kills the group afterwards so no server outlives a failed test.
 * @param {string} rel
 * @param {Record<string, string>} [env]
 * @returns {Promise<NvimRun>}
 */
async function runNvim(rel, env = {}) {
  const child = spawn(NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${LUA}`, rel], {
    cwd: workspace,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CILIUM_POLICY_SERVER: SERVER, CILIUM_POLICY_ROOT: workspace, ...env },
  });
  // Noted for CI's trap, like the code-server groups (see lib/code-server.js).
  if (process.env['E2E_PGID_FILE']) fs.appendFileSync(process.env['E2E_PGID_FILE'], `${child.pid}\n`);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  try {
    const code = await new Promise((resolve, reject) => {
      child.on('exit', (c) => resolve(c));
      child.on('error', reject);
      timer = setTimeout(
        () => reject(new Error(`nvim on ${rel} did not exit within ${RUN_MS} ms; output so far:\n${stdout}${stderr}`)),
        RUN_MS,
      );
    });
    return parse(code, stdout, stderr);
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
    } catch {
      /* the group is already gone */
    }
  }
}

/** @param {number | null} code @param {string} stdout @param {string} stderr @returns {NvimRun} */
function parse(code, stdout, stderr) {
  /** @type {NvimRun} */
  const run = { code, stdout, stderr, diagnostics: [] };
  for (const line of stdout.split('\n')) {
    const [tag, ...f] = line.replace(/\r$/, '').split('\t');
    if (tag === 'DIAG') {
      run.diagnostics.push({
        line: Number(f[0]),
        col: Number(f[1]),
        endLine: Number(f[2]),
        endCol: Number(f[3]),
        severity: Number(f[4]),
        source: String(f[5]),
        code: String(f[6]),
        message: String(f[7]),
      });
    } else if (tag === 'HOVER') run.hover = f.join('\t');
    else if (tag === 'COMPLETION') run.completion = (f[0] ?? '').split(',').filter(Boolean);
    else if (tag === 'RESPONSE') run.response = JSON.parse(f.join('\t'));
    else if (tag === 'RESPONSE_ERROR') run.responseError = f.join('\t');
  }
  return run;
}

/** @param {NvimRun} run */
function show(run) {
  return `exit ${run.code}\n${run.stdout}${run.stderr}`;
}

/** @param {string} rel */
function text(rel) {
  return fs.readFileSync(path.join(workspace, rel), 'utf8');
}

describe('the language server in Neovim', () => {
  for (const fx of BROKEN) {
    it(`reports ${fx.code} on \`${fx.bad}\` in a ${fx.kind}`, async () => {
      const run = await runNvim(fx.file);
      assert.equal(run.code, 0, show(run));
      assert.match(run.stdout, /^DONE$/m, show(run));
      const at = locate(text(fx.file), fx.needle, fx.bad);
      const hit = run.diagnostics.find((d) => d.code === fx.code && d.line === at.line);
      assert.ok(hit, `no ${fx.code} on line ${at.line}:\n${show(run)}`);
      assert.deepEqual(
        [hit.line, hit.col, hit.endLine, hit.endCol],
        [at.line, at.character, at.line, at.character + fx.bad.length],
      );
      assert.equal(hit.source, 'cilium-policy');
      assert.equal(hit.severity, 1, 'an error');
    });
  }

  it('leaves the Deployment of a multi-document file alone', async () => {
    const run = await runNvim(MIXED.file);
    assert.equal(run.code, 0, show(run));
    const fixture = text(MIXED.file);
    const firstMarker = fixture.split('\n').indexOf('---');
    assert.ok(firstMarker > 0);
    assert.deepEqual(
      run.diagnostics.filter((d) => d.line < firstMarker),
      [],
      show(run),
    );
    for (const e of MIXED.expected) {
      const at = locate(fixture, e.needle, e.bad);
      assert.ok(
        run.diagnostics.some((d) => d.code === e.code && d.line === at.line && d.col === at.character),
        `${e.code} at ${at.line}:${at.character}\n${show(run)}`,
      );
    }
  });

  it('takes settings from the client: a rule set to off is not reported', async () => {
    const line = locate(text(RULE_OFF.file), RULE_OFF.needle).line;
    const on = await runNvim(RULE_OFF.file);
    assert.equal(on.code, 0, show(on));
    assert.ok(
      on.diagnostics.some((d) => d.code === RULE_OFF.code && d.line === line),
      show(on),
    );
    const off = await runNvim(RULE_OFF.file, { CILIUM_POLICY_RULE_OFF: RULE_OFF.code });
    assert.equal(off.code, 0, show(off));
    assert.ok(!off.diagnostics.some((d) => d.code === RULE_OFF.code), show(off));
  });

  it('answers hover with the description from our schema', async () => {
    const fx = BROKEN[0];
    assert.ok(fx);
    const at = locate(text(fx.file), `${fx.hoverKey}:`);
    const run = await runNvim(fx.file, { CILIUM_POLICY_HOVER: `${at.line}:${at.character + 2}` });
    assert.equal(run.code, 0, show(run));
    const expected = schemaDescriptions(fx.hoverKey).map((d) => words(d).slice(0, 40));
    assert.ok(
      expected.some((e) => words(run.hover ?? '').includes(e)),
      `hover ${JSON.stringify(run.hover)} shows none of ${JSON.stringify(expected)}`,
    );
  });

  it('answers completion with the enum values of `protocol`', async () => {
    const fixture = text('completion.yaml');
    const line = locate(fixture, 'protocol: \n').line;
    const character = /** @type {string} */ (fixture.split('\n')[line]).length;
    const run = await runNvim('completion.yaml', { CILIUM_POLICY_COMPLETE: `${line}:${character}` });
    assert.equal(run.code, 0, show(run));
    for (const p of ['TCP', 'UDP', 'ANY']) assert.ok(run.completion?.includes(p), `${p} missing: ${show(run)}`);
  });

  it('answers the effective-policy hover over a Deployment of the workspace inventory', async () => {
    const rel = 'connectivity/inventory.yaml';
    const at = locate(text(rel), 'name: ledger\n  namespace: vault', 'ledger');
    const run = await runNvim(rel, {
      CILIUM_POLICY_HOVER: `${at.line}:${at.character + 1}`,
      CILIUM_POLICY_HOVER_UNTIL: 'default-deny',
    });
    assert.equal(run.code, 0, show(run));
    // The policy of the fixture whose selector asks for the ledger (read from the file).
    const policies = text('connectivity/policies.yaml');
    assert.match(policies, /kind: CiliumNetworkPolicy\nmetadata:\n {2}name: ledger\n {2}namespace: vault\n/);
    assert.match(run.hover ?? '', /\*\*Effective policy\*\* of `Deployment` `vault\/ledger`/, show(run));
    assert.match(
      run.hover ?? '',
      /Ingress: \*\*default-deny\*\*, because of \[CiliumNetworkPolicy vault\/ledger\]\(/,
      show(run),
    );
  });

  it('runs a PolicyTest through ciliumPolicy/runPolicyTests: the case wrong on purpose fails', async () => {
    const rel = 'connectivity/bank-test.yaml';
    const run = await runNvim(rel, { CILIUM_POLICY_REQUEST: 'ciliumPolicy/runPolicyTests' });
    assert.equal(run.code, 0, show(run));
    assert.equal(run.responseError, undefined, show(run));
    const cases = run.response?.tests?.[0]?.cases;
    assert.ok(Array.isArray(cases), show(run));
    // The fixture's case names say which one is wrong; its cases are read from the file.
    const names = [...text(rel).matchAll(/^ {4}- name: (.+)$/gm)].map((m) => /** @type {string} */ (m[1]));
    assert.deepEqual(
      cases.map((/** @type {any} */ c) => [c.name, c.pass]),
      names.map((n) => [n, !/wrong on purpose/.test(n)]),
    );
    const wrong = cases.find((/** @type {any} */ c) => !c.pass);
    assert.equal(wrong.verdict.ingress.verdict, 'deny');
    assert.match(wrong.verdict.ingress.defaultDenyBy[0]?.location?.uri ?? '', /connectivity\/policies\.yaml$/);
  });
});
