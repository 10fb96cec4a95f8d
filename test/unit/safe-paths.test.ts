// SPDX-License-Identifier: Apache-2.0
/**
 * `io/safe-paths.ts`: paths named in workspace files. In an untrusted workspace only files inside
 * the workspace folder are read (no absolute path, no `..` escape, no symbolic link leading out);
 * trusted or not, devices, FIFOs, folders and oversized files are refused before reading, and no
 * reason quotes what the file holds.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { lineForMessage, readSafePath, resolveSafePath } from '../../server/src/io/safe-paths.js';

const SECRET = 'SECRET-CONTENT-4242';

describe('safe paths', () => {
  let top: string;
  let workspace: string;
  let tests: string;
  before(() => {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-safe-'));
    workspace = path.join(top, 'workspace');
    tests = path.join(workspace, 'tests');
    fs.mkdirSync(path.join(workspace, 'inventory'), { recursive: true });
    fs.mkdirSync(tests);
    fs.writeFileSync(path.join(workspace, 'inventory', 'snapshot.json'), '{"items":[]}\n');
    fs.writeFileSync(path.join(workspace, 'policy.yaml'), 'kind: X\n');
    fs.writeFileSync(path.join(top, 'outside.yaml'), `${SECRET}\n`);
    fs.symlinkSync(path.join(top, 'outside.yaml'), path.join(workspace, 'link-out.yaml'));
    fs.symlinkSync(path.join(workspace, 'policy.yaml'), path.join(tests, 'link-in.yaml'));
    fs.symlinkSync(top, path.join(workspace, 'up'));
    fs.writeFileSync(path.join(workspace, 'big.json'), 'x'.repeat(2000));
    spawnSync('mkfifo', [path.join(workspace, 'pipe')]);
  });
  after(() => fs.rmSync(top, { recursive: true, force: true }));

  const untrusted = () => ({ workspace, trusted: false, maxBytes: 1000 });
  const trusted = () => ({ workspace, trusted: true, maxBytes: 1000 });

  it('inside the workspace: relative paths, `..` that stays inside, links that stay inside', async () => {
    for (const named of [
      '../inventory/snapshot.json',
      '../policy.yaml',
      'link-in.yaml',
      './../inventory/../policy.yaml',
    ]) {
      const r = resolveSafePath(named, tests, untrusted());
      assert.ok(r.ok, `${named}: ${r.ok ? '' : r.reason}`);
    }
    const read = await readSafePath('../inventory/snapshot.json', tests, untrusted());
    assert.ok(read.ok);
    assert.equal(read.text, '{"items":[]}\n');
  });

  it('untrusted: absolute paths, escapes and links leading out are refused, without quoting the file', async () => {
    const cases: [string, RegExp][] = [
      [path.join(top, 'outside.yaml'), /absolute paths are not allowed/],
      ['/etc/passwd', /absolute paths are not allowed/],
      ['../../outside.yaml', /leaves the workspace folder/],
      ['../link-out.yaml', /symbolic link leads out/],
      ['../up/outside.yaml', /symbolic link leads out/],
      ['~/.ssh/id_rsa', /home-folder paths/],
    ];
    for (const [named, why] of cases) {
      const r = await readSafePath(named, tests, untrusted());
      assert.ok(!r.ok, named);
      assert.match(r.reason, why, named);
      assert.ok(!r.reason.includes(SECRET));
    }
  });

  it('trusted: the same paths are read', async () => {
    for (const named of [path.join(top, 'outside.yaml'), '../../outside.yaml', '../link-out.yaml']) {
      const r = await readSafePath(named, tests, trusted());
      assert.ok(r.ok, named);
      assert.equal(r.text, `${SECRET}\n`);
    }
  });

  it('trusted or not: devices, FIFOs, folders, missing and oversized files are refused before reading', async () => {
    for (const options of [untrusted(), trusted()]) {
      const cases: [string, RegExp][] = [
        ['../pipe', /named pipe/],
        ['../inventory', /a folder/],
        ['../missing.json', /no such file/],
        ['../big.json', /2000 bytes, more than the 1000 allowed/],
      ];
      if (options.trusted)
        cases.push(['/dev/zero', /a device/], ['/dev/stdin', /device|named pipe|not a regular file|no such/]);
      for (const [named, why] of cases) {
        if (named === '../pipe' && !fs.existsSync(path.join(workspace, 'pipe'))) continue;
        const started = Date.now();
        const r = await readSafePath(named, tests, options);
        assert.ok(!r.ok, named);
        assert.match(r.reason, why, `${named}: ${r.reason}`);
        assert.ok(Date.now() - started < 5000, `${named} did not block`);
      }
    }
  });
});

test('lineForMessage quotes one line, cut short', () => {
  const text = 'a: 1\r\nb: 2\nc: ' + 'x'.repeat(500) + '\nd: 4';
  assert.equal(lineForMessage(text, 1), 'a: 1');
  assert.equal(lineForMessage(text, 2), 'b: 2');
  assert.equal(lineForMessage(text, 3, 10), 'c: xxxxxx…');
  assert.equal(lineForMessage(text, 4), 'd: 4');
  assert.equal(lineForMessage(text, 9), '');
});
