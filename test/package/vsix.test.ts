// SPDX-License-Identifier: Apache-2.0
/**
 * The packaged extension (`npm run package` → dist/cilium-policy.vsix) holds what VS Code needs at
 * run time and nothing else: bundles, schemas, snippets, icon and the documents, no node_modules,
 * compiled tests or sources, and stays small. Run by `npm run test:package`, which packages first.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { REPO_ROOT } from '../support/paths.js';

const VSIX = path.join(REPO_ROOT, 'dist', 'cilium-policy.vsix');
const MAX_BYTES = 3 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * Lists a zip's entries from its central directory. A vsix is a plain zip written by vsce (no
 * zip64, no archive comment worth mentioning), so reading the directory by hand is enough and
 * spares a dependency on a zip library.
 */
function listZip(buf: Buffer): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'zip end-of-central-directory record found');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory header signature');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed content of one entry (stored or deflated, the two methods vsce writes). */
function readEntry(buf: Buffer, e: ZipEntry): Buffer {
  const p = e.localOffset;
  assert.equal(buf.readUInt32LE(p), 0x04034b50, 'local header signature');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  return e.method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data);
}

function load(): { buf: Buffer; entries: ZipEntry[]; names: Set<string> } {
  assert.ok(fs.existsSync(VSIX), `${path.relative(REPO_ROOT, VSIX)} exists (run \`npm run package\`)`);
  const buf = fs.readFileSync(VSIX);
  const entries = listZip(buf);
  return { buf, entries, names: new Set(entries.map((e) => e.name)) };
}

test('the vsix holds the bundles, schemas, snippets, icon and documents', () => {
  const { names } = load();
  const required = [
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/media/icon.png',
    // The activity bar icon of the Cilium Policy view container.
    'extension/media/activitybar.svg',
    'extension/dist/extension.js',
    'extension/dist/server.js',
    'extension/dist/cli.js',
    'extension/bin/cilium-policy.js',
    'extension/bin/cilium-policy-language-server.js',
    'extension/snippets/cilium.json',
    'extension/snippets/tetragon.json',
    // The walkthrough's media and the sample its first step opens.
    'extension/media/walkthrough/open-policy.md',
    'extension/media/walkthrough/quick-fix.md',
    'extension/media/walkthrough/endpoint-preview.md',
    'extension/media/walkthrough/sample-policy.yaml',
  ];
  for (const name of required) assert.ok(names.has(name), `vsix contains ${name}`);
  // Every bundled schema ships, since the server loads them from disk beside dist/.
  const schemasDir = path.join(REPO_ROOT, 'schemas');
  const schemas = fs
    .readdirSync(schemasDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => `extension/schemas/${f.split(path.sep).join('/')}`);
  assert.ok(schemas.length >= 6, 'schemas found in the repository');
  for (const s of schemas) assert.ok(names.has(s), `vsix contains ${s}`);
});

test('the vsix ships no dependencies, build output, sources, tests or source maps', () => {
  const { names } = load();
  const unwanted = [...names].filter((n) =>
    /(^|\/)(node_modules|out|src|test|scripts|docs|examples|client|server|\.git|\.ci)\/|\.(ts|map|vsix|tsbuildinfo)$|(^|\/)tsconfig[^/]*\.json$/.test(
      n,
    ),
  );
  assert.deepEqual(unwanted, []);
  // Only the allow-listed top-level folders and files.
  const top = new Set([...names].filter((n) => n.startsWith('extension/')).map((n) => n.split('/')[1]));
  assert.deepEqual([...top].sort(), [
    'LICENSE.txt',
    'bin',
    'changelog.md',
    'dist',
    'media',
    'package.json',
    'readme.md',
    'schemas',
    'snippets',
  ]);
});

test('the bundles in the vsix are the minified production build', () => {
  const { buf, entries } = load();
  for (const name of ['extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/cli.js']) {
    const e = entries.find((x) => x.name === name);
    assert.ok(e, name);
    const data = readEntry(buf, e);
    assert.equal(data.length, e.size, `${name}: inflated to its recorded size`);
    const text = data.toString('utf8');
    assert.ok(!text.includes('sourceMappingURL'), `${name}: no source map reference`);
    const lines = text.split('\n').length;
    assert.ok(text.length / lines > 200, `${name}: minified (${lines} lines for ${text.length} characters)`);
  }
  const manifest = JSON.parse(
    readEntry(
      buf,
      entries.find((x) => x.name === 'extension/package.json')!,
    ).toString('utf8'),
  ) as {
    main: string;
  };
  assert.equal(manifest.main, './dist/extension.js');
});

test('the vsix is smaller than 3 MB', () => {
  const { buf, entries } = load();
  const mb = (buf.length / 1024 / 1024).toFixed(2);
  const unpacked = entries.reduce((n, e) => n + e.size, 0);
  console.log(
    `vsix: ${buf.length} bytes (${mb} MB), ${entries.length} entries, ${(unpacked / 1024 / 1024).toFixed(2)} MB unpacked`,
  );
  assert.ok(buf.length < MAX_BYTES, `vsix is ${mb} MB`);
});
