// SPDX-License-Identifier: Apache-2.0
// Fuzzes the real language server with random incremental edits of the upstream example policies,
// interleaved with completion, hover, code action, CodeLens and endpoint-preview requests (see
// fuzz-session.ts for what is checked). The seed is printed; to reproduce or run longer:
//   CILIUM_POLICY_FUZZ_SEED=123 CILIUM_POLICY_FUZZ_OPS=20000 npm run test:fuzz
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient } from '../support/lsp-client.js';
import { REPO_ROOT, shared, yamlFilesUnder } from '../support/paths.js';
import { FuzzSession, type CorpusFile } from './fuzz-session.js';
import { intFromEnv, Prng, seedFromEnv } from './prng.js';

/** Enough operations to cover every kind many times while keeping CI well under two minutes. */
const DEFAULT_OPS = 4000;

/** The upstream examples, or our own `examples/` when `../shared` is absent. */
function corpus(): { files: CorpusFile[]; from: string } {
  const upstream = shared('upstream', 'examples');
  const dir = upstream && fs.existsSync(upstream) ? upstream : path.join(REPO_ROOT, 'examples');
  const files = yamlFilesUnder(dir)
    .map((f) => ({ name: path.relative(dir, f), text: fs.readFileSync(f, 'utf8') }))
    // Keep the corpus to policy-sized files; the hostile tests cover the huge ones.
    .filter((f) => f.text.length < 16 * 1024);
  return {
    files,
    from:
      dir === upstream
        ? `upstream examples (${dir})`
        : `the repository's examples/ (../shared/upstream/examples is absent)`,
  };
}

describe('fuzzing the language server with incremental edits', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ settings: { lint: { delay: 0 } } });
  });
  after(async () => {
    await client?.stop();
  });

  it('never exits, answers every request in time, and keeps diagnostics inside the document', async () => {
    const seed = seedFromEnv();
    const ops = intFromEnv('CILIUM_POLICY_FUZZ_OPS', DEFAULT_OPS);
    const requestTimeoutMs = intFromEnv('CILIUM_POLICY_FUZZ_TIMEOUT_MS', 1000);
    const { files, from } = corpus();
    assert.ok(files.length > 0, `no corpus files in ${from}`);
    console.log(
      `fuzz: seed ${seed} (reproduce with CILIUM_POLICY_FUZZ_SEED=${seed}), ${ops} operations, ${files.length} files from ${from}`,
    );
    const session = new FuzzSession(client, { rng: new Prng(seed), ops, corpus: files, requestTimeoutMs });
    const started = Date.now();
    const stats = await session.run();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz: ${ops} operations in ${seconds.toFixed(1)} s: ${stats.edits} edits, ${stats.requests} requests (slowest ${Math.round(stats.slowestRequestMs)} ms, ${stats.slowestMethod}), ` +
        `${stats.publishesChecked} diagnostics publications checked, ${stats.comparisons} incremental-vs-fresh comparisons; by kind ${JSON.stringify(stats.ops)}`,
    );
    assert.ok(client.alive, 'the server exited');
    assert.doesNotMatch(client.stderr, /cilium-policy: .* failed:/, 'a handler failed (see the server log)');
    assert.ok(stats.publishesChecked > 0, 'no diagnostics were checked');
  });
});
