// SPDX-License-Identifier: Apache-2.0
// Longer fuzzing on demand (not part of `npm test`): runs the fuzz test once per seed, one after
// the other, and stops at the first failure so its seed and reproduction file stay at hand.
//   node scripts/fuzz.mjs [--seeds 10] [--ops 20000] [--first-seed 1]
// Needs a build (`npm run build`). A failing run prints the seed; rerun it alone with
//   CILIUM_POLICY_FUZZ_SEED=<seed> CILIUM_POLICY_FUZZ_OPS=<ops> npm run test:fuzz
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const test = path.join(root, 'out', 'test', 'fuzz', 'fuzz.test.js');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} needs a non-negative integer`);
    process.exit(2);
  }
  return n;
}

const seeds = option('seeds', 10);
// Seeds from the clock by default, so that repeated runs explore new sequences.
const first = option('first-seed', Date.now() % 1_000_000_000);
const ops = option('ops', 20_000);
let total = 0;
const started = Date.now();
for (let seed = first; seed < first + seeds; seed++) {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', test], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CILIUM_POLICY_FUZZ_SEED: String(seed), CILIUM_POLICY_FUZZ_OPS: String(ops) },
  });
  if (r.status !== 0) {
    console.error(
      `\nfuzz: seed ${seed} failed after ${total} operations in earlier seeds; reproduce with CILIUM_POLICY_FUZZ_SEED=${seed} CILIUM_POLICY_FUZZ_OPS=${ops} npm run test:fuzz`,
    );
    process.exit(1);
  }
  total += ops;
}
console.log(
  `\nfuzz: ${seeds} seeds from ${first}, ${total} operations, no failure, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
