// SPDX-License-Identifier: Apache-2.0
// `npm run demo`: lints examples/ with the built CLI and explains the result.
// Some examples are broken on purpose, so the expected exit status of the CLI is 1.
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

console.log('$ cilium-policy lint examples/');
const run = spawnSync(process.execPath, [cli, 'lint', 'examples/'], { cwd: root, stdio: 'inherit' });
if (run.error) {
  console.error(`could not run the CLI: ${run.error.message}`);
  process.exit(2);
}
console.log(`\nThe CLI exited with status ${run.status}.`);
if (run.status === 1) {
  console.log(
    'That is expected: examples/broken-*.yaml are broken on purpose (see examples/README.md), so there are errors to show.',
  );
  process.exit(0);
}
console.error(
  'Expected status 1 (errors found in the broken examples); something is wrong with the build or the examples.',
);
process.exit(1);
