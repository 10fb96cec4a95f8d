// SPDX-License-Identifier: Apache-2.0
// @ts-check
/**
 * Shared plumbing of the code-server runs (extension-host suite and UI check): the toolchain
 * folder's packages, scratch folders, a code-server in its own process group that is always torn
 * down, and Debian's chromium driven by playwright-core. Everything waits on events (a log line,
 * a process exit, a page callback) with a timeout only as a safety net.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const E2E_ROOT = path.join(REPO_ROOT, 'test', 'e2e');
const TOOLCHAIN = path.join(E2E_ROOT, 'toolchain');
const WORKSPACE_FIXTURE = path.join(E2E_ROOT, 'workspace');
const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

/**
 * Requires a package installed in the toolchain folder. A missing toolchain is a hard failure with
 * the command that fixes it: the suites must never pass by skipping.
 * @param {string} name
 * @returns {any}
 */
function toolchainRequire(name) {
  const req = createRequire(path.join(TOOLCHAIN, 'package.json'));
  try {
    return req(name);
  } catch (err) {
    throw new Error(
      `${name} is not installed in ${TOOLCHAIN}; run test/e2e/toolchain/setup.sh first (${/** @type {Error} */ (err).message})`,
    );
  }
}

/** The code-server launcher of the toolchain folder, or a loud error. */
function codeServerBin() {
  const bin = path.join(TOOLCHAIN, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin))
    throw new Error(`code-server is not installed (${bin}); run test/e2e/toolchain/setup.sh first`);
  return bin;
}

/** The browser: Debian's chromium unless CHROMIUM_PATH says otherwise; never a downloaded one. */
function chromiumPath() {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(/** @type {string} */ (p)));
  if (!found)
    throw new Error(`no chromium found (tried ${candidates.join(', ')}); run test/e2e/toolchain/setup.sh first`);
  return /** @type {string} */ (found);
}

/** A scratch folder that is removed when the process exits, however it exits. @param {string} prefix */
function scratchDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cilium-policy-${prefix}-`));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A fresh copy of the test workspace, so tests may edit files and write workspace settings
 * without touching the repository.
 */
function copyWorkspace() {
  const dir = path.join(scratchDir('ws'), 'workspace');
  fs.cpSync(WORKSPACE_FIXTURE, dir, { recursive: true });
  return dir;
}

/**
 * User settings for a quiet, deterministic workbench: no welcome page stealing the editor area,
 * no trust prompt, no update or gallery checks, no telemetry.
 * @param {string} userDataDir
 */
function writeUserSettings(userDataDir) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'editor.hover.delay': 100,
    'window.commandCenter': false,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Functions run on exit; each is best effort. */
const cleanups = /** @type {(() => void)[]} */ ([]);
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const runAll = () => {
    for (const f of cleanups.splice(0).reverse()) {
      try {
        f();
      } catch {
        /* best effort: the process is going away */
      }
    }
  };
  process.on('exit', runAll);
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(sig, () => {
      runAll();
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}
installExitHooks();

/**
 * Notes a process group we started in the file `E2E_PGID_FILE` names (set by `.ci/run`), so
 * CI's trap can kill it even if this process dies too abruptly to run its own exit hooks.
 * @param {number} pgid
 */
function recordGroup(pgid) {
  const file = process.env['E2E_PGID_FILE'];
  if (file) fs.appendFileSync(file, `${pgid}\n`);
}

/**
 * Sends a signal to a whole process group (code-server starts extension hosts, file watchers and
 * language servers; killing only the leader leaves them running).
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Resolves with `value` when `promise` settles first, rejects with `what` after `ms`. The timer
 * is a safety net, not a synchronisation point.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}

/**
 * Runs code-server once to completion (e.g. `--install-extension`), in its own group.
 * @param {string[]} args
 * @param {{ configFile: string }} opts
 * @returns {Promise<string>} its combined output
 */
async function runCodeServerCommand(args, opts) {
  const child = spawn(codeServerBin(), ['--config', opts.configFile, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: quietEnv(),
  });
  const pid = /** @type {number} */ (child.pid);
  recordGroup(pid);
  cleanups.push(() => killGroup(pid, 'SIGKILL'));
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  const code = await withTimeout(
    new Promise((resolve) => child.on('exit', resolve)),
    120_000,
    `code-server ${args.join(' ')}`,
  );
  if (code !== 0) throw new Error(`code-server ${args.join(' ')} exited with ${code}:\n${out}`);
  return out;
}

/** The environment for code-server: the user's config and data folders point at scratch space. */
function quietEnv() {
  const home = scratchDir('home');
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
  };
}

/**
 * Starts code-server on a free loopback port in its own process group and resolves once it logs
 * the address it listens on. `stop()` kills the whole group and waits for the leader to exit.
 * @param {{ extensionsDir?: string, log?: (line: string) => void }} [opts]
 */
async function startCodeServer(opts = {}) {
  const root = scratchDir('code-server');
  const configFile = path.join(root, 'config.yaml');
  // A config file of our own: without one, code-server writes a default into ~/.config.
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const userDataDir = path.join(root, 'user-data');
  writeUserSettings(userDataDir);
  const extensionsDir = opts.extensionsDir ?? path.join(root, 'extensions');
  const args = [
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const child = spawn(codeServerBin(), args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: quietEnv() });
  const pid = /** @type {number} */ (child.pid);
  recordGroup(pid);
  cleanups.push(() => killGroup(pid, 'SIGKILL'));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let log = '';
  const onData = (/** @type {Buffer} */ b) => {
    const text = b.toString();
    log += text;
    if (opts.log) for (const line of text.split('\n')) if (line.trim()) opts.log(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  /** @type {Promise<string>} */
  const listening = new Promise((resolve, reject) => {
    const check = () => {
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (m) resolve(/** @type {string} */ (m[1]));
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((e) => reject(new Error(`code-server exited before listening (${JSON.stringify(e)}):\n${log}`)));
  });
  const base = await withTimeout(listening, 60_000, `code-server to listen; log so far:\n${log}`);
  return {
    base,
    configFile,
    extensionsDir,
    pid,
    logText: () => log,
    async stop() {
      killGroup(pid, 'SIGTERM');
      // SIGTERM lets code-server stop its extension hosts; SIGKILL is the fallback for stragglers.
      await withTimeout(exited, 10_000, 'code-server to exit').catch(() => undefined);
      killGroup(pid, 'SIGKILL');
    },
  };
}

/**
 * Launches Debian's chromium headless through playwright-core. Playwright starts it detached and
 * kills its process group when closed or when this process exits.
 * @returns {Promise<import('playwright-core').Browser>}
 */
async function launchBrowser() {
  /** @type {typeof import('playwright-core')} */
  const { chromium } = toolchainRequire('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container: no user namespaces for the sandbox; /dev/shm is small; no GPU.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  cleanups.push(() => void browser.close().catch(() => undefined));
  return browser;
}

/**
 * The workbench URL of a folder, with an optional payload (extension development / tests paths
 * as `vscode-remote://` URIs, which the server's extension host resolves on its file system).
 * @param {string} base e.g. http://127.0.0.1:1234
 * @param {string} folder
 * @param {[string, string][]} [payload]
 */
function workbenchUrl(base, folder, payload) {
  const url = new URL(base + '/');
  url.searchParams.set('folder', folder);
  if (payload) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** @param {string} base @param {string} absPath */
function remoteUri(base, absPath) {
  return `vscode-remote://${new URL(base).host}${absPath}`;
}

module.exports = {
  recordGroup,
  REPO_ROOT,
  E2E_ROOT,
  TOOLCHAIN,
  SCREENSHOTS,
  toolchainRequire,
  scratchDir,
  copyWorkspace,
  startCodeServer,
  runCodeServerCommand,
  launchBrowser,
  workbenchUrl,
  remoteUri,
  withTimeout,
};
