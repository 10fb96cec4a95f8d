// SPDX-License-Identifier: Apache-2.0
/**
 * Hostile ELF files (generated, see test/support/hostile-elf.ts) against the readers of
 * core/elf.ts and the lookups of io/binaries.ts: each ends in a bounded amount of work with the
 * agent's reading (names without a NUL are empty, as Go's debug/elf reads them) or a clear error,
 * `limit: true` when the file is beyond what we read rather than damaged. Background reads give the
 * CLI's answer and let the event loop run while they work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ELF_LIMITS,
  readFunctionSymbols,
  readUsdtProbes,
  type ByteSource,
  type ElfFunctions,
  type ElfUsdtError,
} from '../../server/src/core/elf.js';
import { LocalBinaries, withBinaries } from '../../server/src/io/binaries.js';
import {
  buildElf,
  otherNotes,
  SHT_NOTE,
  SHT_STRTAB,
  SHT_SYMTAB,
  stapsdtNotes,
  symbolTable,
  unterminatedStringTable,
} from '../support/hostile-elf.js';

function source(bytes: Uint8Array): ByteSource & { reads: number } {
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

/** A generous wall-time bound: the quadratic readers took hours on these inputs, linear ones take milliseconds. */
const BOUND_MS = 10_000;

function timed<T>(f: () => T): { value: T; ms: number } {
  const started = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function functionsOf(bytes: Uint8Array): { value: ElfFunctions | ElfUsdtError; ms: number } {
  return timed(() => readFunctionSymbols(source(bytes)));
}

/** A binary of `n` functions with distinct names (`fn_<base36>`), a large but honest symbol table. */
function manyFunctions(n: number): Buffer {
  const names = Array.from({ length: n }, (_, i) => `fn_${i.toString(36)}\0`);
  const offsets: number[] = [];
  let at = 1;
  for (const name of names) {
    offsets.push(at);
    at += name.length;
  }
  return buildElf([
    { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(n, (i) => offsets[i]!), link: 2 },
    { name: '.strtab', type: SHT_STRTAB, bytes: Buffer.from(`\0${names.join('')}`, 'latin1') },
  ]);
}

test('a 10 MB string table without a NUL: one scan, names read as empty (as the agent reads them)', () => {
  for (const spread of [false, true]) {
    const { value, ms } = functionsOf(unterminatedStringTable(10 * 1024 * 1024, 100_000, spread));
    assert.ok(!('error' in value), JSON.stringify(value));
    assert.equal(value.defined.size, 0, 'no name without a NUL');
    assert.ok(ms < BOUND_MS, `${ms} ms`);
  }
});

test('a terminated string table still reads its names; a name that ends at the last byte is read', () => {
  const strtab = Buffer.from('\0main\0helper\0');
  const value = readFunctionSymbols(
    source(
      buildElf([
        {
          name: '.symtab',
          type: SHT_SYMTAB,
          bytes: symbolTable(3, (i) => strtab.indexOf(['main', 'helper', 'lper'][i]!)),
          link: 2,
        },
        { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
      ]),
    ),
  );
  assert.ok(!('error' in value));
  assert.deepEqual([...value.defined].sort(), ['helper', 'lper', 'main']);
});

test('100,000 symbols starting inside one 10 MB name: stopped by the name budget, as a limit', () => {
  const strtab = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41);
  strtab[strtab.length - 1] = 0;
  const { value, ms } = functionsOf(
    buildElf([
      { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(100_000, (i) => i * 100), link: 2 },
      { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
    ]),
  );
  assert.ok('error' in value && value.limit === true, JSON.stringify(value).slice(0, 300));
  assert.match(value.error, /too large to check \(its symbol names overlap too much/);
  assert.ok(ms < BOUND_MS, `${ms} ms`);
});

test('symbol tables that overlap, thousands of times over: stopped at the symbol cap, as a limit', () => {
  const strtab = Buffer.from('\0main\0');
  const perTable = 40_000;
  const copies = Math.ceil(ELF_LIMITS.maxSymbols / perTable) + 10;
  // The first table's bytes follow the 64-byte header and the 6-byte string table.
  const tableAt = 64 + strtab.length;
  const { value, ms } = functionsOf(
    buildElf([
      { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
      { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(perTable, () => 1), link: 1 },
      ...Array.from({ length: copies }, () => ({
        name: '.symtab',
        type: SHT_SYMTAB,
        offset: tableAt,
        size: (perTable + 1) * 24,
        link: 1,
      })),
    ]),
  );
  assert.ok('error' in value && value.limit === true, JSON.stringify(value));
  assert.match(value.error, /more than 4,000,000 symbols/);
  assert.ok(ms < BOUND_MS, `${ms} ms`);
});

test('a symbol table that claims more than the file holds, or lies past its end: unreadable, not a limit', () => {
  const strtab = Buffer.from('\0main\0');
  for (const bad of [{ size: 1 << 30 }, { offset: 2 ** 40 }, { offset: Number.MAX_SAFE_INTEGER - 10, size: 100 }]) {
    const value = readFunctionSymbols(
      source(
        buildElf([
          { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(1, () => 1), link: 2, ...bad },
          { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
        ]),
      ),
    );
    assert.ok('error' in value && !value.limit, JSON.stringify(value));
    assert.match(value.error, /unreadable ELF file \(a symbol table lies outside the file\)/);
  }
  // A section count in the header larger than the table written: the table lies past the end.
  const lying = buildElf([{ name: '.strtab', type: SHT_STRTAB, bytes: strtab }], { shnumOverride: 60_000 });
  const r = readFunctionSymbols(source(lying));
  assert.ok('error' in r && /section header table lies outside the file/.test(r.error), JSON.stringify(r));
});

test('section names without a NUL make the file unreadable, as the agent reads it', () => {
  const elf = buildElf([{ name: '.strtab', type: SHT_STRTAB, bytes: Buffer.from('\0x\0') }]);
  // Overwrite the last byte of .shstrtab (the NUL after its own name) so the table does not end with one.
  const shstr = elf.lastIndexOf(Buffer.from('.shstrtab\0'));
  elf[shstr + '.shstrtab'.length] = 0x41;
  const r = readUsdtProbes(source(elf));
  assert.ok('error' in r && /bad section name index/.test(r.error), JSON.stringify(r));
});

test('note sections: one that repeats itself past the note budget, a size that wraps, too many probes', () => {
  const notes = otherNotes(600);
  const noteAt = 64;
  const repeats = Math.ceil(ELF_LIMITS.maxNoteBytes / notes.length) + 2;
  const { value: looped, ms } = timed(() =>
    readUsdtProbes(
      source(
        buildElf([
          { name: '.note.stapsdt', type: SHT_NOTE, bytes: notes },
          ...Array.from({ length: repeats }, () => ({
            name: '.note.stapsdt',
            type: SHT_NOTE,
            offset: noteAt,
            size: notes.length,
          })),
        ]),
      ),
    ),
  );
  assert.ok('error' in looped && looped.limit === true, JSON.stringify(looped).slice(0, 200));
  assert.match(looped.error, /too large to check \(its note sections take more than 16 MiB\)/);
  assert.ok(ms < BOUND_MS, `${ms} ms`);

  // A name size near 2^32: rounding it up must not wrap around to a small or negative number.
  const wrap = Buffer.from(notes);
  wrap.writeUInt32LE(0xfffffffd, 0);
  const wrapped = readUsdtProbes(source(buildElf([{ name: '.note.stapsdt', type: SHT_NOTE, bytes: wrap }])));
  assert.ok('error' in wrapped && /note runs past its section/.test(wrapped.error), JSON.stringify(wrapped));

  const many = stapsdtNotes(ELF_LIMITS.maxProbes + 1);
  const tooMany = readUsdtProbes(source(buildElf([{ name: '.note.stapsdt', type: SHT_NOTE, bytes: many }])));
  assert.ok('error' in tooMany && tooMany.limit === true, JSON.stringify(tooMany).slice(0, 200));
  assert.match(tooMany.error, /more than 100,000 USDT probes/);

  const fine = readUsdtProbes(source(buildElf([{ name: '.note.stapsdt', type: SHT_NOTE, bytes: stapsdtNotes(3) }])));
  assert.ok(!('error' in fine));
  assert.deepEqual(
    fine.probes.map((p) => `${p.provider}:${p.name}:${p.operands.map((o) => o.kind).join()}`),
    ['prov:p0:register', 'prov:p1:register', 'prov:p2:register'],
  );
});

test('LocalBinaries: the time budget stops a slow read with a limit error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-elf-budget-'));
  try {
    fs.writeFileSync(path.join(dir, 'big'), manyFunctions(300_000));
    const r = new LocalBinaries(dir, undefined, { budgetMs: 0 }).functions('/big');
    assert.ok(r && 'error' in r && r.limit === true, JSON.stringify(r));
    assert.match(r.error, /too slow to read \(more than 0 s\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('background reads give the CLI’s answers, and the event loop keeps turning while they work', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-elf-bg-'));
  try {
    fs.writeFileSync(path.join(dir, 'big'), manyFunctions(400_000));
    fs.writeFileSync(path.join(dir, 'unterminated'), unterminatedStringTable(10 * 1024 * 1024, 10_000));
    fs.writeFileSync(path.join(dir, 'text'), '#!/bin/sh\n'.repeat(100));
    const now = new LocalBinaries(dir);
    const later = new LocalBinaries(dir, undefined, { background: true });
    for (const p of ['/big', '/unterminated', '/text', '/missing']) {
      const expected = now.functions(p);
      // The first lookup starts the read and answers nothing yet (unless there is nothing to read).
      const first = later.functions(p);
      if (p !== '/missing') assert.equal(first, undefined, `${p} is read in the background`);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      const answer = await withBinaries(later, () => later.functions(p));
      clearInterval(ticker);
      assert.deepEqual(answer, expected, p);
      if (p === '/big') assert.ok(ticks >= 3, `the event loop turned ${ticks} times during the read`);
    }
    assert.equal(later.pending, false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
