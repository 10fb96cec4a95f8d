// SPDX-License-Identifier: Apache-2.0
// Writes docs/rules.md from the compiled rule registry (run `npx tsc -b` first; `npm run docs:rules` does both).
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const { RULES } = require(path.join(root, 'out/server/src/lint/registry.js'));
const { rulesMarkdown } = require(path.join(root, 'out/server/src/lint/docs.js'));
mkdirSync(path.join(root, 'docs'), { recursive: true });
writeFileSync(path.join(root, 'docs/rules.md'), rulesMarkdown(RULES));
console.log(`docs/rules.md: ${RULES.length} rules`);
