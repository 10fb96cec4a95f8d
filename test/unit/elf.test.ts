// SPDX-License-Identifier: Apache-2.0
/**
 * Reading USDT probes and function symbols from ELF binaries (core/elf.ts) and looking binaries up on disk
 * (io/binaries.ts): checked against `readelf -n` on a binary built for the test and on system
 * binaries that carry SDT notes, operand shapes for both architectures, and damaged files.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  classifyOperand,
  readFunctionSymbols,
  readUsdtProbes,
  splitOperands,
  type ByteSource,
  type ElfUsdtInfo,
} from '../../server/src/core/elf.js';
import { LocalBinaries } from '../../server/src/io/binaries.js';
import {
  readelfProbes,
  requireUsdtFixture,
  SHOP_PATH,
  usdtArm64Skip,
  usdtFixtureArm64,
  usdtFixtureI386,
  usdtI386Skip,
  usdtSkip,
} from '../support/usdt-binary.js';

function bytesSource(bytes: Uint8Array): ByteSource & { reads: number } {
  const src = {
    size: bytes.length,
    reads: 0,
    read(offset: number, length: number) {
      src.reads += length;
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
  };
  return src;
}

/** Our reading of a binary's probes is readelf's: provider, name and operand texts, in order. */
function assertReadelfAgrees(info: ElfUsdtInfo, file: string): void {
  assert.deepEqual(
    info.probes.map((p) => ({ provider: p.provider, name: p.name, args: p.operands.map((o) => o.text).join(' ') })),
    readelfProbes(file),
    file,
  );
}

function probesOf(file: string): ElfUsdtInfo {
  const r = readUsdtProbes(bytesSource(fs.readFileSync(file)));
  assert.ok(!('error' in r), `read ${file}: ${'error' in r ? r.error : ''}`);
  return r;
}

test('the fixture binary: every probe and operand as readelf lists them', { skip: usdtSkip() }, () => {
  const { binary } = requireUsdtFixture();
  const info = probesOf(binary);
  assert.equal(info.machine, 'x86_64');
  assert.equal(readelfProbes(binary)?.length, 10, 'readelf lists the 10 probe sites');
  assertReadelfAgrees(info, binary);
  const op = (name: string, i: number) => info.probes.find((p) => p.name === name)!.operands[i]!;
  assert.deepEqual(
    [op('order_byte', 0).size, op('order_byte', 0).kind, op('order_byte', 0).signed],
    [1, 'memory', true],
  );
  assert.deepEqual([op('order_half', 0).size, op('order_half', 0).kind], [2, 'memory']);
  assert.deepEqual([op('order_word', 0).size, op('order_word', 0).kind], [4, 'memory']);
  assert.deepEqual([op('order_quad', 0).size, op('order_quad', 0).kind], [8, 'memory']);
  assert.deepEqual([op('in_register', 0).size, op('in_register', 0).kind], [4, 'register']);
  assert.deepEqual([op('constant', 0).size, op('constant', 0).kind], [4, 'constant']);
  assert.equal(info.probes.find((p) => p.name === 'bare')!.operands.length, 0);
  assert.equal(info.probes.filter((p) => p.name === 'twice').length, 2);
});

test(
  'the fixture cross-compiled for arm64: every operand as readelf lists them, sorted the arm64 way',
  { skip: usdtArm64Skip() },
  () => {
    const f = usdtFixtureArm64();
    assert.ok(typeof f !== 'string');
    const info = probesOf(f.binary);
    assert.deepEqual([info.machine, info.machineCode], ['arm64', 183]);
    assertReadelfAgrees(info, f.binary);
    const op = (name: string, i: number) => info.probes.find((p) => p.name === name)!.operands[i]!;
    assert.deepEqual([op('order_byte', 0).size, op('order_byte', 0).kind], [1, 'memory']);
    assert.deepEqual([op('order_word', 0).size, op('order_word', 0).kind], [4, 'memory']);
    assert.deepEqual([op('order_quad', 0).size, op('order_quad', 0).kind], [8, 'memory']);
    assert.deepEqual([op('in_register', 0).size, op('in_register', 0).kind], [4, 'register']);
    assert.deepEqual([op('constant', 0).size, op('constant', 0).kind], [4, 'constant']);
    for (const p of info.probes) for (const o of p.operands) assert.notEqual(o.kind, 'other', `${p.name} ${o.text}`);
  },
);

test(
  'a 32-bit ELF file (the fixture built for i686): probes as readelf lists them, functions and imports',
  { skip: usdtI386Skip() },
  () => {
    const f = usdtFixtureI386();
    assert.ok(typeof f !== 'string');
    const info = probesOf(f.binary);
    // i386 (EM_386): read, but the agent runs on x86-64 and arm64 only, so operands are not sorted.
    assert.deepEqual([info.machine, info.machineCode], ['other', 3]);
    assertReadelfAgrees(info, f.binary);
    // ILP32: `long` is 4 bytes there.
    const size = (name: string) => info.probes.find((p) => p.name === name)!.operands[0]!.size;
    assert.deepEqual(['order_byte', 'order_half', 'order_word', 'order_quad'].map(size), [1, 2, 4, 4]);
    const fns = readFunctionSymbols(bytesSource(fs.readFileSync(f.binary)));
    assert.ok(!('error' in fns));
    assert.ok(
      fns.defined.has('place_order') &&
        fns.defined.has('cancel_order') &&
        fns.imported.has('getenv') &&
        !fns.defined.has('orders_placed'),
    );
  },
);

test('a large binary costs its headers and notes, not its size', { skip: usdtSkip() }, () => {
  const { binary } = requireUsdtFixture();
  // 8 MB appended to the file (past everything the headers point at): still a few KB are read.
  const bytes = Buffer.concat([fs.readFileSync(binary), Buffer.alloc(8 * 1024 * 1024, 0x90)]);
  const src = bytesSource(bytes);
  const r = readUsdtProbes(src);
  assert.ok(!('error' in r) && r.probes.length === 10);
  assert.ok(src.reads < 8 * 1024, `read ${src.reads} bytes of ${bytes.length}`);
});

test('system binaries with SDT notes read the same as readelf reads them', () => {
  const candidates = [
    '/usr/bin/python3',
    '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
    '/usr/lib/aarch64-linux-gnu/libstdc++.so.6',
    '/lib/x86_64-linux-gnu/libc.so.6',
  ];
  let checked = 0;
  for (const file of candidates) {
    if (!fs.existsSync(file)) continue;
    const expected = readelfProbes(file);
    if (!expected || expected.length === 0) continue;
    const info = probesOf(file);
    assertReadelfAgrees(info, file);
    for (const p of info.probes)
      for (const o of p.operands) assert.notEqual(o.kind, 'other', `${file} ${p.provider}:${p.name} ${o.text}`);
    checked++;
  }
  console.log(`system binaries with SDT notes compared with readelf: ${checked}`);
});

test(
  'function symbols: defined ones, imported ones, not variables; as readelf lists them',
  { skip: usdtSkip() },
  () => {
    const { binary } = requireUsdtFixture();
    const r = readFunctionSymbols(bytesSource(fs.readFileSync(binary)));
    assert.ok(!('error' in r));
    for (const f of ['place_order', 'cancel_order', 'main']) assert.ok(r.defined.has(f), f);
    assert.ok(!r.defined.has('orders_placed') && !r.imported.has('orders_placed'), 'a variable is not a function');
    assert.ok(r.imported.has('getenv') && !r.defined.has('getenv'), 'getenv is imported');
    assert.ok(r.hasSymtab);
    // readelf's view: every FUNC symbol with a section is defined, every one without is imported.
    const out = spawnSync('readelf', ['-s', '--wide', binary], { encoding: 'utf8' }).stdout;
    const rows = [...out.matchAll(/^\s*\d+:\s+[0-9a-f]+\s+\d+\s+FUNC\s+\S+\s+\S+\s+(\S+)\s+([^\s@]+)/gm)];
    assert.ok(rows.length > 5);
    for (const [, ndx, name] of rows)
      assert.ok(ndx === 'UND' ? r.imported.has(name!) || r.defined.has(name!) : r.defined.has(name!), `${ndx} ${name}`);
  },
);

test('x86-64 operand shapes, as the agent sorts them', () => {
  const cases: [string, number, boolean, string][] = [
    ['-4@-20(%rbp)', 4, true, 'memory'],
    ['4@(%rax)', 4, false, 'memory'],
    ['8@16(%rsp)', 8, false, 'memory'],
    ['-1@-13(%rsp)', 1, true, 'memory'],
    ['8@(%rax,%rdx,8)', 8, false, 'indexed-memory'],
    ['1@-96(%rbp,%rax)', 1, false, 'indexed-memory'],
    ['-4@%edi', 4, true, 'register'],
    ['8@%r12', 8, false, 'register'],
    ['-4@$42', 4, true, 'constant'],
    ['4@counter(%rip)', 4, false, 'other'],
    ['4@%xmm0', 4, false, 'other'],
    ['3@%eax', 0, false, 'other'],
    ['garbage', 0, false, 'other'],
  ];
  for (const [text, size, signed, kind] of cases) {
    const o = classifyOperand(text, 'x86_64');
    assert.deepEqual([o.size, o.kind, size === 0 ? signed : o.signed], [size, kind, signed], text);
  }
});

test('operands are split at blanks outside brackets', () => {
  assert.deepEqual(splitOperands('-4@[sp, 12] 8@x0  -1@[x1,x2]'), ['-4@[sp, 12]', '8@x0', '-1@[x1,x2]']);
  assert.deepEqual(splitOperands(' -4@-20(%rbp) 8@%rax '), ['-4@-20(%rbp)', '8@%rax']);
  assert.deepEqual(splitOperands(''), []);
});

test('arm64 operand shapes, as the agent sorts them', () => {
  const cases: [string, number, string][] = [
    ['-4@[sp, 12]', 4, 'memory'],
    ['8@[x0]', 8, 'memory'],
    ['4@[x29, -8]', 4, 'memory'],
    ['4@[x0, x1]', 4, 'indexed-memory'],
    ['8@x0', 8, 'register'],
    ['-4@w1', 4, 'register'],
    ['4@5', 4, 'constant'],
    ['4@[q0]', 4, 'other'],
  ];
  for (const [text, size, kind] of cases) {
    const o = classifyOperand(text, 'arm64');
    assert.deepEqual([o.size, o.kind], [size, kind], text);
  }
});

test('damaged and foreign files give an error, never a throw', { skip: usdtSkip() }, () => {
  const good = fs.readFileSync(requireUsdtFixture().binary);
  const inputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('#!/bin/sh\necho hello\n'.repeat(10))],
    ['ELF magic only', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, ...new Array<number>(60).fill(0)])],
    ['truncated to the header', good.subarray(0, 64)],
    ['truncated in the middle', good.subarray(0, good.length >> 1)],
  ];
  // Section header table pointing far beyond the file, and a huge section count.
  const farTable = Uint8Array.from(good);
  new DataView(farTable.buffer).setBigUint64(40, 1n << 40n, true);
  inputs.push(['section table beyond the end', farTable]);
  const manySections = Uint8Array.from(good);
  new DataView(manySections.buffer).setUint16(60, 0xffff, true);
  inputs.push(['65535 sections', manySections]);
  // Every byte of the header and section table flipped in turn: never throws.
  for (const [name, bytes] of inputs) {
    const r = readUsdtProbes(bytesSource(bytes));
    assert.ok('error' in r || Array.isArray(r.probes), name);
    const f = readFunctionSymbols(bytesSource(bytes));
    assert.ok('error' in f || f.defined instanceof Set, name);
  }
  const shoff = Number(new DataView(good.buffer, good.byteOffset).getBigUint64(40, true));
  for (let i = 0; i < 64; i++) {
    const b = Uint8Array.from(good);
    b[i] = b[i]! ^ 0xff;
    readUsdtProbes(bytesSource(b));
    readFunctionSymbols(bytesSource(b));
  }
  for (let i = shoff; i < good.length; i += 7) {
    const b = Uint8Array.from(good);
    b[i] = b[i]! ^ 0x5a;
    readUsdtProbes(bytesSource(b));
    readFunctionSymbols(bytesSource(b));
  }
  assert.ok('error' in readUsdtProbes(bytesSource(inputs[1]![1])), 'a text file is not ELF');
});

test(
  'LocalBinaries: finds paths below its root, reads only regular files, re-reads changed files',
  { skip: usdtSkip() },
  () => {
    const { root, binary } = requireUsdtFixture();
    const lookup = new LocalBinaries(root);
    const found = lookup.usdt(SHOP_PATH);
    assert.ok(found && 'info' in found && found.file === binary);
    assert.equal(lookup.usdt('/usr/local/bin/nothing-here'), undefined, 'missing file');
    assert.equal(lookup.usdt('usr/local/bin/shop'), undefined, 'relative paths are not looked up');
    assert.equal(lookup.usdt('/usr/local/bin'), undefined, 'a folder');
    // `..` cannot climb out of the root.
    assert.equal(lookup.localPath('/../../etc/passwd'), path.join(root, 'etc/passwd'));
    // A FIFO is never opened (it would block).
    const fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-fifo-'));
    try {
      const fifo = path.join(fifoDir, 'pipe');
      const made = spawnSync('mkfifo', [fifo]);
      if (made.status === 0) assert.equal(new LocalBinaries(fifoDir).usdt('/pipe'), undefined, 'a FIFO');
      // A symbolic link out of a non-/ root is not followed.
      fs.symlinkSync(binary, path.join(fifoDir, 'link'));
      assert.equal(new LocalBinaries(fifoDir).usdt('/link'), undefined, 'a link leaving the root');
      // A text file is reported as not ELF.
      fs.writeFileSync(path.join(fifoDir, 'script'), '#!/bin/sh\n');
      const script = new LocalBinaries(fifoDir).usdt('/script');
      assert.ok(script && 'error' in script && /not an ELF/.test(script.error));
    } finally {
      fs.rmSync(fifoDir, { recursive: true, force: true });
    }
    // With `/` as the root, the path is read as it is.
    const direct = new LocalBinaries('/').usdt(binary);
    assert.ok(direct && 'info' in direct && direct.info.probes.length === 10);
  },
);
