// SPDX-License-Identifier: Apache-2.0
/**
 * The examples folder: each broken example announces its diagnostic code on an `# expect:` line
 * and must get exactly that; every other example must lint clean. Linting the folder exits 1.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { parseSummary, runCli, runJson } from './run-cli.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

test('every example gets exactly the codes its `# expect:` lines announce', () => {
  const files = fs
    .readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  assert.ok(files.length >= 10, 'the examples folder holds at least ten policies');
  const r = runJson(['examples']);
  const byFile = new Map<string, string[]>();
  for (const f of r.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f.code]);
  let broken = 0;
  for (const file of files) {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    const want = [...text.matchAll(/^# expect: (\S+)$/gm)].map((m) => m[1]!).sort();
    if (want.length) broken++;
    assert.deepEqual((byFile.get(`examples/${file}`) ?? []).sort(), want, file);
  }
  assert.ok(broken >= 5, 'at least five examples are broken on purpose');
  assert.equal(r.status, 1, 'the folder holds errors on purpose');
});

test('the multi-document example checks its policy and leaves the Deployment and Service alone', () => {
  const r = runCli(['lint', 'examples/multi-doc-app.yaml']);
  assert.equal(r.status, 0, r.stdout);
  const text = fs.readFileSync(path.join(EXAMPLES, 'multi-doc-app.yaml'), 'utf8');
  assert.match(text, /kind: Deployment/);
  assert.match(text, /kind: Service/);
  assert.equal(parseSummary(r.stderr).documents, 1);
});

test('the examples README lists every example', () => {
  const readme = fs.readFileSync(path.join(EXAMPLES, 'README.md'), 'utf8');
  for (const file of fs.readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f))) {
    assert.ok(readme.includes(`\`${file}\``), `examples/README.md lists ${file}`);
  }
});
