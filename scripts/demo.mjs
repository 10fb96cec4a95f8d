// SPDX-License-Identifier: Apache-2.0
// `npm run demo`: lints examples/ with the built CLI and explains the result, then runs the shop's
// connectivity tests (which must pass) and, clearly labelled and not counted, a PolicyTest that
// fails on purpose, and replays the shop's recorded flows. Some lint examples are broken on purpose, so the expected status of `lint` is 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first (`npm run demo` does).');
  process.exit(2);
}

/** Runs the CLI with its output on the terminal and returns its exit status. */
function cilium(args) {
  console.log(`$ cilium-policy ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (run.error) {
    console.error(`could not run the CLI: ${run.error.message}`);
    process.exit(2);
  }
  return run.status;
}

const lint = cilium(['lint', 'examples/']);
console.log(`\nThe CLI exited with status ${lint}.`);
if (lint !== 1) {
  console.error(
    'Expected status 1 (errors found in the broken examples); something is wrong with the build or the examples.',
  );
  process.exit(1);
}
console.log(
  'That is expected: examples/broken-*.yaml are broken on purpose (see examples/README.md), so there are errors to show.',
);

console.log('\nConnectivity: the shop example pins down what its policies allow and deny (examples/shop).');
const tests = cilium(['test', 'examples/shop/tests']);
if (tests !== 0) {
  console.error(`\nExpected status 0 (every case of examples/shop/tests passes), got ${tests}.`);
  process.exit(1);
}
console.log('\nEvery case passes (status 0).');

console.log('\n--- For illustration only, not counted: a PolicyTest that FAILS ON PURPOSE ---');
const failing = cilium(['test', 'examples/shop/failing']);
console.log(
  `--- It exited with status ${failing}, as intended: one case expects the wrong verdict, one cannot be decided. ---`,
);
if (failing !== 1) {
  console.error('Expected status 1 from the deliberately failing example.');
  process.exit(1);
}

console.log('\nReplay: the flows Hubble recorded in the shop (examples/shop/flows) against its policies.');
const replay = cilium([
  'replay',
  '--flows',
  'examples/shop/flows/hubble-flows.jsonl',
  '--inventory',
  'examples/shop/inventory',
  'examples/shop/policies',
]);
if (replay !== 0) {
  console.error(`\nExpected status 0 (every recorded flow keeps its verdict), got ${replay}.`);
  process.exit(1);
}
console.log(
  '\nEvery recorded flow keeps its verdict (status 0). The README shows the proposed change (examples/shop/proposed) that drops some.',
);
process.exit(0);
