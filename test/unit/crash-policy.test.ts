// SPDX-License-Identifier: Apache-2.0
/**
 * The restart limit of the language client and its wording, without an editor (the e2e suite
 * kills a real server in VS Code; here the window arithmetic is checked at its edges).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  connectionErrorAction,
  gaveUpMessage,
  MAX_RESTARTS,
  OUTPUT_CHANNEL,
  RESTART_COMMAND_TITLE,
  RESTART_WINDOW_MS,
  RestartBudget,
  restartingMessage,
} from '../../client/src/crash-policy.js';
import { REPO_ROOT } from '../support/paths.js';

test('allows MAX_RESTARTS restarts in the window and refuses the next crash', () => {
  const budget = new RestartBudget();
  for (let i = 1; i <= MAX_RESTARTS; i++) assert.equal(budget.crashed(i * 1000), true, `crash ${i}`);
  assert.equal(budget.crashed(RESTART_WINDOW_MS), false);
  assert.equal(budget.recent, MAX_RESTARTS + 1);
});

test('forgets crashes older than the window', () => {
  const budget = new RestartBudget(2, 1000);
  assert.equal(budget.crashed(0), true);
  assert.equal(budget.crashed(500), true);
  // The crash at 0 is 1001 ms old: out of the window, so this is the second crash, not the third.
  assert.equal(budget.crashed(1001), true);
  assert.equal(budget.recent, 2);
  assert.equal(budget.crashed(1200), false);
});

test('a crash exactly at the edge of the window still counts', () => {
  const budget = new RestartBudget(1, 1000);
  assert.equal(budget.crashed(0), true);
  assert.equal(budget.crashed(1000), false);
});

test('the messages name the output channel and the restart command as the extension declares them', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes: { commands: { command: string; title: string; category?: string }[] };
  };
  const restart = pkg.contributes.commands.find((c) => c.command === 'ciliumPolicy.restartServer');
  assert.ok(restart, 'package.json contributes ciliumPolicy.restartServer');
  assert.equal(RESTART_COMMAND_TITLE, `${restart.category}: ${restart.title}`);
  const extension = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'extension.ts'), 'utf8');
  assert.ok(
    extension.includes(`createOutputChannel('${OUTPUT_CHANNEL}')`),
    `extension.ts creates the "${OUTPUT_CHANNEL}" output channel`,
  );

  const gaveUp = gaveUpMessage(MAX_RESTARTS + 1);
  assert.match(gaveUp, new RegExp(`crashed ${MAX_RESTARTS + 1} times within 3 minutes`));
  assert.ok(gaveUp.includes(`"${OUTPUT_CHANNEL}" output channel`), gaveUp);
  assert.ok(gaveUp.includes(`"${RESTART_COMMAND_TITLE}"`), gaveUp);
  assert.match(restartingMessage(2), /restart 2 of at most 4 within 3 minutes/);
});

test('a write to a server that has gone waits for its exit (the budget decides); other errors as the library does', () => {
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  const closed = Object.assign(new Error('Channel closed'), { code: 'ERR_IPC_CHANNEL_CLOSED' });
  // However many writes failed before the exit was noticed (a busy machine queues several).
  for (const count of [1, 4, 12]) {
    assert.equal(connectionErrorAction(epipe, count), 'wait');
    assert.equal(connectionErrorAction(closed, count), 'wait');
  }
  assert.equal(connectionErrorAction(new Error('write EPIPE'), 9), 'wait', 'known by its message too');
  const garbled = new Error('Header must provide a Content-Length property.');
  assert.equal(connectionErrorAction(garbled, 1), 'continue');
  assert.equal(connectionErrorAction(garbled, 3), 'continue');
  assert.equal(connectionErrorAction(garbled, 4), 'shutdown');
  assert.equal(connectionErrorAction(garbled, undefined), 'shutdown');
});
