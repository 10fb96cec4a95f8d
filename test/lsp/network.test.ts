// SPDX-License-Identifier: Apache-2.0
// The server never touches the network: it runs under a trap that records and refuses every
// connection and name lookup while it validates, completes and hovers all six kinds (including a
// document whose modeline names a remote schema). A positive control proves the trap catches a
// real attempt of each kind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEPLOYMENT, SAMPLES } from '../support/lsp-samples.js';
import { LspClient, positionOf, testUri } from '../support/lsp-client.js';
import { TRAP_LOG_ENV, type TrapRecord } from '../support/network-trap.js';

const TRAP = path.join(__dirname, '..', 'support', 'network-trap.js');

function readLog(file: string): TrapRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrapRecord);
}

describe('network trap (positive control)', () => {
  it('records and refuses each kind of network attempt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-trap-'));
    const log = path.join(dir, 'log.jsonl');
    try {
      const script = `
        const attempts = [
          () => require('net').connect(9, '127.0.0.1'),
          () => new (require('net').Socket)().connect(9, '127.0.0.1'),
          () => require('tls').connect(443, 'example.invalid'),
          () => require('dns').lookup('example.invalid', () => {}),
          () => require('http').request('http://example.invalid/'),
          () => require('https').get('https://example.invalid/'),
          () => fetch('https://example.invalid/'),
        ];
        let refused = 0;
        for (const a of attempts) { try { a(); } catch { refused++; } }
        process.stdout.write(String(refused));
      `;
      const r = spawnSync(process.execPath, ['--require', TRAP, '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, [TRAP_LOG_ENV]: log },
      });
      assert.equal(r.stdout, '7', r.stderr);
      assert.deepEqual(
        readLog(log).map((e) => e.api),
        [
          'net.connect',
          'net.Socket.prototype.connect',
          'tls.connect',
          'dns.lookup',
          'http.request',
          'https.get',
          'fetch',
        ],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('language server under the network trap', () => {
  let client: LspClient;
  let dir: string;
  let log: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-trap-'));
    log = path.join(dir, 'log.jsonl');
    client = await LspClient.start({ nodeArgs: ['--require', TRAP], env: { [TRAP_LOG_ENV]: log } });
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validates, completes and hovers all six kinds without a network attempt', async () => {
    for (const sample of SAMPLES) {
      // A modeline asking for a remote schema must not lead to a fetch either.
      const text = `# yaml-language-server: $schema=https://example.invalid/${sample.kind}.json\n${DEPLOYMENT}---\n${sample.text}`;
      const uri = testUri(`trap-${sample.kind}.yaml`);
      const v = await client.open(uri, text);
      const published = await client.waitForDiagnostics(uri, v);
      assert.ok(
        published.diagnostics.some((d) => d.code === sample.code),
        `${sample.kind}: ${JSON.stringify(published.diagnostics)}`,
      );
      const items = await client.completion(uri, positionOf(text, `${sample.hoverKey}:`, 0, 0));
      assert.ok(items.length > 0, `${sample.kind}: no completion`);
      assert.ok(await client.hover(uri, positionOf(text, `${sample.hoverKey}:`, 2)), `${sample.kind}: no hover`);
      await client.hover(uri, positionOf(text, 'replicas', 2));
      await client.completion(uri, positionOf(text, '  replicas'));
      await client.symbols(uri);
      await client.close(uri);
    }
    assert.ok(client.alive);
    assert.deepEqual(readLog(log), []);
    assert.doesNotMatch(client.stderr, /network-trap/);
  });
});
