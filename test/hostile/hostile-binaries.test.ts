// SPDX-License-Identifier: Apache-2.0
/**
 * Hostile ELF binaries named by a TracingPolicy's uprobes and USDT hooks, through the real CLI and
 * the real language server. The stall of issue 19 (a 10 MB string table without a NUL blocked the
 * server for tens of seconds) and its kin each end in bounded time with a clear finding; the server
 * keeps answering while a large binary is read, and then publishes what the CLI prints.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { runJson } from '../cli/run-cli.js';
import { LspClient, testUri } from '../support/lsp-client.js';
import {
  buildElf,
  otherNotes,
  SHT_NOTE,
  SHT_STRTAB,
  SHT_SYMTAB,
  symbolTable,
  unterminatedStringTable,
} from '../support/hostile-elf.js';

/** The wall-time bound of the hostile tier for one CLI run. */
const CLI_BOUND_MS = 20_000;

interface HostileBinary {
  readonly name: string;
  readonly bytes: () => Buffer;
  /** `uprobe` or `usdt`: the hook that names it. */
  readonly hook: 'uprobe' | 'usdt';
  readonly severity: 'error' | 'warning' | 'information';
  readonly message: RegExp;
}

const BINARIES: readonly HostileBinary[] = [
  {
    name: 'unterminated',
    // The issue's stall: 10 MB of string table without a NUL, 2,000 functions named into it.
    bytes: () => unterminatedStringTable(10 * 1024 * 1024, 2000),
    hook: 'uprobe',
    severity: 'warning',
    message: /has no function `main`/,
  },
  {
    name: 'overlapping',
    bytes: () => {
      const strtab = Buffer.from('\0main\0');
      return buildElf([
        { name: '.strtab', type: SHT_STRTAB, bytes: strtab },
        { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(40_000, () => 1), link: 1 },
        ...Array.from({ length: 120 }, () => ({
          name: '.symtab',
          type: SHT_SYMTAB,
          offset: 64 + strtab.length,
          size: 40_001 * 24,
          link: 1,
        })),
      ]);
    },
    hook: 'uprobe',
    severity: 'information',
    message: /is too large to check \(it has more than 4,000,000 symbols\)/,
  },
  {
    name: 'outside',
    bytes: () =>
      buildElf([
        { name: '.symtab', type: SHT_SYMTAB, bytes: symbolTable(1, () => 1), link: 2, offset: 2 ** 40 },
        { name: '.strtab', type: SHT_STRTAB, bytes: Buffer.from('\0main\0') },
      ]),
    hook: 'uprobe',
    severity: 'warning',
    message: /is unreadable ELF file \(a symbol table lies outside the file\)/,
  },
  {
    name: 'notes',
    bytes: () => {
      const notes = otherNotes(600);
      return buildElf([
        { name: '.note.stapsdt', type: SHT_NOTE, bytes: notes },
        ...Array.from({ length: 900 }, () => ({
          name: '.note.stapsdt',
          type: SHT_NOTE,
          offset: 64,
          size: notes.length,
        })),
      ]);
    },
    hook: 'usdt',
    severity: 'information',
    message: /is too large to check \(its note sections take more than 16 MiB\)/,
  },
];

function policyFor(b: HostileBinary): string {
  const hook =
    b.hook === 'uprobe'
      ? `  uprobes:\n    - path: /usr/bin/${b.name}\n      symbols:\n        - main\n`
      : `  usdts:\n    - path: /usr/bin/${b.name}\n      provider: shop\n      name: order\n`;
  return `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: ${b.name}\nspec:\n${hook}`;
}

const CODE = { uprobe: 'tetragon/uprobe-symbol', usdt: 'tetragon/usdt-probe' } as const;

/** A binary of `n` distinct functions: honest, and slow enough to read that a blocked server would show. */
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

describe('hostile binaries', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-hostile-elf-'));
    fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    for (const b of BINARIES) fs.writeFileSync(path.join(root, 'usr/bin', b.name), b.bytes());
    fs.writeFileSync(path.join(root, 'usr/bin/big'), manyFunctions(1_000_000));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const b of BINARIES) {
    it(`CLI: ${b.name} ends in time with ${b.severity} ${CODE[b.hook]}`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-hostile-elf-policy-'));
      try {
        fs.writeFileSync(path.join(dir, 'policy.yaml'), policyFor(b));
        const r = runJson(['--binary-root', root, 'policy.yaml'], { cwd: dir });
        assert.ok(r.ms < CLI_BOUND_MS, `CLI took ${Math.round(r.ms)} ms`);
        console.log(`${b.name}: CLI ${Math.round(r.ms)} ms`);
        const found = r.findings.filter((f) => f.code === CODE[b.hook]);
        assert.equal(found.length, 1, JSON.stringify(r.findings));
        assert.equal(found[0]!.severity, b.severity);
        assert.match(found[0]!.message, b.message);
        assert.equal(r.status, b.severity === 'error' ? 1 : 0, r.stderr);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('server: keeps answering while binaries are read, then publishes what the CLI prints', async () => {
    const client = await LspClient.start({ settings: { tetragon: { binaryRoot: root } } });
    try {
      const other = testUri('other.yaml');
      const otherText =
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: a\nspec:\n  endpointSelector: {}\n';
      await client.waitForDiagnostics(other, await client.open(other, otherText));

      const names = ['big', ...BINARIES.map((b) => b.name)];
      const text = `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: all\nspec:\n  uprobes:\n${names
        .filter((n) => n !== 'notes')
        .map((n) => `    - path: /usr/bin/${n}\n      symbols:\n        - main\n`)
        .join('')}  usdts:\n    - path: /usr/bin/notes\n      provider: shop\n      name: order\n`;
      const uri = testUri('hostile-binaries.yaml');
      const expectedCount = names.length;
      const complete = (ds: Diagnostic[]): boolean =>
        ds.filter((d) => d.code === CODE.uprobe || d.code === CODE.usdt).length >= expectedCount;
      const published = client.waitForDiagnostics(uri, 1, complete);
      let done = false;
      void published.then(() => (done = true));
      await client.open(uri, text);
      // Hovers one after another on the other document until the policy's diagnostics arrive: a
      // server that read the binaries on its event loop would answer none of them meanwhile.
      let answered = 0;
      const started = Date.now();
      let slowest = 0;
      while (!done) {
        const t = Date.now();
        await client.hover(other, { line: 1, character: 2 });
        slowest = Math.max(slowest, Date.now() - t);
        if (!done) answered++;
      }
      const { diagnostics } = await published;
      console.log(
        `server: ${answered} hovers answered (slowest ${slowest} ms) during ${Date.now() - started} ms of reading`,
      );
      assert.ok(answered >= 5, `only ${answered} hovers were answered while the binaries were read`);

      // The same findings as the CLI's for the same file.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-hostile-elf-policy-'));
      try {
        fs.writeFileSync(path.join(dir, 'policy.yaml'), text);
        const cli = runJson(['--binary-root', root, 'policy.yaml'], { cwd: dir });
        const pick = (code: unknown, line: number, message: string): string => `${String(code)} ${line} ${message}`;
        assert.deepEqual(
          diagnostics
            .filter((d) => d.code === CODE.uprobe || d.code === CODE.usdt)
            .map((d) => pick(d.code, d.range.start.line + 1, d.message))
            .sort(),
          cli.findings
            .filter((f) => f.code === CODE.uprobe || f.code === CODE.usdt)
            .map((f) => pick(f.code, f.line, f.message))
            .sort(),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await client.stop();
    }
  });
});
