// SPDX-License-Identifier: Apache-2.0
/**
 * The core is shared by the language server, the CLI and the tests; it stays pure only if
 * something checks it. No editor, LSP, file-system, process or network imports below these folders,
 * nor in the settings and the client-safe module beside them. (`layers.test.ts` checks who may
 * import whom.)
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

const PURE_DIRS = ['server/src/core', 'server/src/lint', 'server/src/semantics', 'server/src/dryrun'];
const PURE_FILES = ['server/src/settings.ts', 'server/src/config.ts', 'server/src/client-safe.ts'];
const FORBIDDEN =
  /^(vscode|vscode-languageserver.*|vscode-languageclient.*|yaml-language-server.*|(node:)?(fs|fs\/promises|child_process|net|tls|http|https|dns|dgram|worker_threads|os|process))$/;

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

test('the pure core imports no editor, LSP, file-system or network module', () => {
  const offenders: string[] = [];
  const files = [
    ...PURE_DIRS.flatMap((dir) => sources(path.join(REPO_ROOT, dir))),
    ...PURE_FILES.map((f) => path.join(REPO_ROOT, f)),
  ];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      if (FORBIDDEN.test(spec)) offenders.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
    }
    if (/\bprocess\.(env|argv|cwd|exit)\b/.test(text))
      offenders.push(`${path.relative(REPO_ROOT, file)} reads process state`);
  }
  assert.ok(files.length >= 5, `found the core sources (${files.length} files)`);
  assert.deepEqual(offenders, []);
});

test('the engines import only the core, never each other', () => {
  const engines = { 'server/src/lint': 'dryrun', 'server/src/dryrun': 'lint' };
  const offenders: string[] = [];
  for (const [dir, other] of Object.entries(engines)) {
    for (const file of sources(path.join(REPO_ROOT, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
        const spec = m[1] ?? '';
        const resolved = path.relative(REPO_ROOT, path.resolve(path.dirname(file), spec));
        if (spec.startsWith('.') && resolved.startsWith(`server/src/${other}`))
          offenders.push(`${path.relative(REPO_ROOT, file)} imports ${spec}`);
        if (spec.startsWith('.') && /^server\/src\/(lsp|cli|io)\//.test(resolved))
          offenders.push(`${path.relative(REPO_ROOT, file)} imports an adapter: ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
