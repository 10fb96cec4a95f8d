// SPDX-License-Identifier: Apache-2.0
// Hostile kubectl snapshots for `cilium-policy preview --inventory <file.json>`: a file that is
// cut off, empty, binary or not a List must end the run with status 2 and a one-line reason (no
// stack trace, no partial preview); odd but valid JSON gives a warning and an empty inventory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { REPO_ROOT } from '../support/paths.js';

const SNAPSHOT = path.join(REPO_ROOT, 'test', 'fixtures', 'preview', 'snapshot.json');
const POLICY = path.join(REPO_ROOT, 'examples', 'cnp-frontend-to-api.yaml');

describe('preview with a hostile kubectl snapshot', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-snapshot-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const preview = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    const r = runCli(['preview', '--inventory', file, POLICY]);
    assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace: ${r.stderr}`);
    assert.ok(r.ms < 20_000, `took ${Math.round(r.ms)} ms`);
    return { ...r, file };
  };

  it('a snapshot cut off anywhere fails cleanly with status 2', () => {
    const whole = fs.readFileSync(SNAPSHOT, 'utf8');
    // Cut points spread over the file, and right after the opening brace.
    const cuts = [1, ...Array.from({ length: 9 }, (_, i) => Math.floor(((i + 1) * whole.trimEnd().length) / 10))];
    for (const cut of cuts) {
      const r = preview('truncated.json', whole.slice(0, cut));
      assert.equal(r.status, 2, `cut at ${cut}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`cilium-policy: ${r.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(cut off|not valid JSON)`),
        `cut at ${cut}: ${r.stderr}`,
      );
      assert.equal(r.stdout, '', `no partial preview (cut at ${cut})`);
    }
  });

  it('an empty, binary or non-object snapshot fails cleanly with status 2', () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) & 0xff;
    for (const [name, content] of [
      ['empty.json', ''],
      ['binary.json', bytes],
      ['null.json', 'null'],
      ['string.json', '"pods"'],
    ] as const) {
      const r = preview(name, content);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /cilium-policy: .*: The snapshot could not be read/, `${name}: ${r.stderr}`);
    }
  });

  it('valid JSON with nothing usable gives a warning, not a crash', () => {
    for (const [name, content] of [
      ['empty-object.json', '{}'],
      [
        'junk-items.json',
        '{"kind":"List","items":[null,1,"x",{"kind":"Pod"},{"kind":"Pod","metadata":{"labels":"app"}}]}',
      ],
      ['deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ] as const) {
      const r = preview(name, content);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /warning: .*snapshot holds no/, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /selects nothing in the inventory/, `${name}: the preview still runs`);
    }
  });
});
