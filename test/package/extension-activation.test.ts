// SPDX-License-Identifier: Apache-2.0
/**
 * Smoke test of the bundled client without an editor: `dist/extension.js` is loaded against a
 * permissive stand-in for the `vscode` module, activated, and must start `dist/server.js` over IPC
 * to the running state, register its commands, and stop the server on deactivate. It catches a
 * bundle that fails to load, a wrong server path or a server that dies during initialize; the
 * editor integration itself is exercised later in a real VS Code.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import { REPO_ROOT } from '../support/paths.js';

type Recorder = { calls: { name: string; args: unknown[] }[] };

/**
 * Any property is another stand-in and any call or `new` returns one, so the language client
 * can wire itself to "VS Code" without us modelling the API. Calls are recorded by path.
 */
function standIn(name: string, rec: Recorder): unknown {
  const store = new Map<PropertyKey, unknown>();
  const target = function () {
    /* stand-in */
  };
  return new Proxy(target, {
    set(_t, p, v) {
      store.set(p, v);
      return true;
    },
    get(_t, p) {
      if (p === 'then') return undefined; // not a promise
      if (p === Symbol.toPrimitive) return () => name;
      if (!store.has(p)) store.set(p, standIn(`${name}.${String(p)}`, rec));
      return store.get(p);
    },
    apply(_t, _self, args: unknown[]) {
      rec.calls.push({ name, args });
      return standIn(`${name}()`, rec);
    },
    construct() {
      return standIn(`new ${name}`, rec) as object;
    },
  });
}

function fakeVscode(rec: Recorder, output: string[]): Record<string, unknown> {
  const dts = fs.readFileSync(path.join(REPO_ROOT, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  const api: Record<string, unknown> = {};
  // The real module is a plain object; esbuild's interop copies its own keys, so list them.
  for (const m of dts.matchAll(/^\s*export (?:namespace|class|enum|const|function) ([A-Za-z]+)/gm)) {
    api[m[1]!] = standIn(`vscode.${m[1]}`, rec);
  }
  api['version'] = '1.100.0';
  const window = api['window'] as Record<string, unknown>;
  window['createOutputChannel'] = (name: string) => {
    rec.calls.push({ name: 'vscode.window.createOutputChannel', args: [name] });
    return {
      name,
      append: (s: string) => output.push(s),
      appendLine: (s: string) => output.push(s),
      show() {},
      hide() {},
      clear() {},
      replace() {},
      dispose() {},
    };
  };
  return api;
}

test('the bundled extension activates, starts the server and stops it again', { timeout: 30_000 }, async () => {
  const bundle = path.join(REPO_ROOT, 'dist', 'extension.js');
  assert.ok(fs.existsSync(bundle), 'dist/extension.js exists (run the bundle first)');
  const rec: Recorder = { calls: [] };
  const output: string[] = [];
  const vscode = fakeVscode(rec, output);
  const mod = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the loader's own `this`
  const load = mod._load;
  mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  let ext: { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> } | undefined;
  let deactivated = false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS, loaded as VS Code loads it
    ext = require(bundle) as { activate(ctx: unknown): Promise<void>; deactivate(): Promise<void> };
    const context = {
      subscriptions: [] as unknown[],
      asAbsolutePath: (p: string) => path.join(REPO_ROOT, p),
      extensionPath: REPO_ROOT,
      // Nothing remembered from an earlier session (the chosen flow log, the dry-run events, the comparison).
      workspaceState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [] },
    };
    await ext.activate(context);
    const stateOf = () =>
      rec.calls
        .filter(
          (c) =>
            c.name === 'vscode.commands.executeCommand' &&
            c.args[0] === 'setContext' &&
            c.args[1] === 'ciliumPolicy.serverState',
        )
        .map((c) => c.args[2]);
    // activate() returns before the server is up; wait for the state the client reports.
    const deadline = Date.now() + 20_000;
    while (stateOf().at(-1) !== 'running' && stateOf().at(-1) !== 'stopped' && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const states = stateOf();
    assert.equal(states[0], 'starting', 'the state starts as starting');
    assert.equal(states.at(-1), 'running', `the server reached the running state; output:\n${output.join('\n')}`);
    // Every command the manifest contributes is registered by the extension, and no other.
    const commands = rec.calls
      .filter((c) => c.name === 'vscode.commands.registerCommand')
      .map((c) => String(c.args[0]));
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    assert.deepEqual(commands.sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.ok(
      rec.calls.some((c) => c.name === 'vscode.window.createStatusBarItem'),
      'status bar item created',
    );
    assert.ok(context.subscriptions.length >= 4, 'disposables handed to VS Code');
    await ext.deactivate();
    deactivated = true;
    const after = stateOf();
    assert.equal(after.at(-1), 'stopped', 'deactivate stops the server');
    assert.ok(
      !output.some((l) => /did not start|Stopping the language server/.test(l)),
      `clean start and stop:\n${output.join('\n')}`,
    );
  } finally {
    // A failed assertion must not leave the server child running (the test process would never exit).
    if (ext && !deactivated) await ext.deactivate().catch(() => undefined);
    mod._load = load;
  }
});
