// SPDX-License-Identifier: Apache-2.0
/**
 * `io/json-lines.ts`: every kind of bad line is counted, numbered and skipped while the good ones
 * are read; a 1 GB line is never held in memory; a file that grows is read up to its size at the
 * start; progress and cancellation. Expectations are computed from the lines each test writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import {
  describeJsonLinesSummary,
  JSON_LINE_PROBLEM_KINDS,
  readJsonLines,
  scanJson,
  type JsonLineProblemKind,
} from '../../server/src/io/json-lines.js';

function tempFile(content: Buffer | string): { file: string; done: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-jsonl-'));
  const file = path.join(dir, 'flows.jsonl');
  fs.writeFileSync(file, content);
  return { file, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

type Kind = JsonLineProblemKind | 'value' | 'empty';

/** One line of a test file and what the reader must make of it. */
const LINES: readonly [Kind, Buffer][] = [
  ['value', Buffer.from('{"flow":{"verdict":"FORWARDED"}}')],
  ['empty', Buffer.from('')],
  ['value', Buffer.from('{"flow":{"verdict":"DROPPED"}}\r')],
  ['unparsable', Buffer.from('{"flow": {"verdict": "DROP')],
  ['nul-byte', Buffer.from('{"a":"\0"}')],
  ['invalid-utf8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
  ['too-deep', Buffer.from('['.repeat(200_000) + ']'.repeat(200_000))],
  ['too-deep', Buffer.from('{"a":'.repeat(1000) + '1' + '}'.repeat(1000))],
  ['number-out-of-range', Buffer.from('{"port":1e400}')],
  ['number-out-of-range', Buffer.from('{"id":123456789012345678901}')],
  ['value', Buffer.from('{"id":9007199254740991,"x":-1.5e-300,"s":"[[[[1e400 \\" {"}')],
  ['empty', Buffer.from('   \t')],
  ['too-long', Buffer.from(`{"pad":"${'x'.repeat(2_000_000)}"}`)],
  ['value', Buffer.from('[1,2,3]')],
];

test('each kind of bad line is counted with its line number; good lines are read in order', async () => {
  const { file, done } = tempFile(Buffer.concat(LINES.flatMap(([, b]) => [b, Buffer.from('\n')])));
  try {
    const seen: number[] = [];
    const problems: [number, string][] = [];
    const s = await readJsonLines(file, (_v, line) => void seen.push(line), {
      maxLineBytes: 1024 * 1024,
      maxDepth: 64,
      onProblem: (p) => problems.push([p.line, p.kind]),
      chunkBytes: 4000, // lines cross chunk boundaries
    });
    const numbered = LINES.map(([kind], i) => [i + 1, kind] as const);
    assert.deepEqual(
      seen,
      numbered.filter(([, k]) => k === 'value').map(([n]) => n),
    );
    assert.deepEqual(
      problems,
      numbered.filter(([, k]) => k !== 'value' && k !== 'empty'),
    );
    assert.equal(s.lines, LINES.length);
    assert.equal(s.values, seen.length);
    assert.equal(s.empty, LINES.filter(([k]) => k === 'empty').length);
    for (const k of JSON_LINE_PROBLEM_KINDS)
      assert.equal(s.problems[k], LINES.filter(([kind]) => kind === k).length, k);
    assert.equal(s.bytesRead, fs.statSync(file).size);
    assert.equal(s.grew, false);
    // No message quotes the line it is about.
    for (const p of s.firstProblems) assert.doesNotMatch(p.message, /verdict|xxxx|\[\[\[/);
    assert.match(describeJsonLinesSummary(s), /^14 lines: 4 read, 2 empty, 1 too long, 1 nul byte, 1 invalid utf8/);
  } finally {
    done();
  }
});

test('a last line without a line feed is read; an empty file is zero lines', async () => {
  const a = tempFile('{"a":1}\n{"b":2}');
  const e = tempFile('');
  try {
    const values: unknown[] = [];
    const s = await readJsonLines(a.file, (v) => void values.push(v));
    assert.deepEqual(values, [{ a: 1 }, { b: 2 }]);
    assert.equal(s.lines, 2);
    const z = await readJsonLines(e.file, () => assert.fail('no value'));
    assert.deepEqual([z.lines, z.values, z.bytesRead, z.sizeAtStart], [0, 0, 0, 0]);
  } finally {
    a.done();
    e.done();
  }
});

test('a 1 GB line is skipped with its number and length, without holding it in memory', async () => {
  const GB = 1024 * 1024 * 1024;
  const block = Buffer.alloc(1024 * 1024, 0x61);
  let sent = 0;
  let phase = 0;
  // Line 1 is a value, line 2 is 1 GiB of `a`, line 3 is a value: generated as read, never stored.
  const stream = new Readable({
    read() {
      if (phase === 0) {
        phase = 1;
        this.push(Buffer.from('{"first":true}\n'));
      } else if (phase === 1) {
        this.push(block);
        sent += block.length;
        if (sent >= GB) phase = 2;
      } else if (phase === 2) {
        phase = 3;
        this.push(Buffer.from('\n{"last":true}\n'));
      } else this.push(null);
    },
  });
  let peak = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.arrayBuffers + m.heapUsed);
  };
  const before = process.memoryUsage();
  const values: unknown[] = [];
  const s = await readJsonLines(stream, (v) => void values.push(v), {
    onProgress: sample,
    progressEveryBytes: 64 * 1024 * 1024,
  });
  assert.deepEqual(values, [{ first: true }, { last: true }]);
  assert.equal(s.problems['too-long'], 1);
  assert.equal(s.firstProblems[0]!.line, 2);
  assert.match(s.firstProblems[0]!.message, new RegExp(`line 2 is ${GB} bytes long`));
  const grown = peak - (before.arrayBuffers + before.heapUsed);
  assert.ok(grown < 200 * 1024 * 1024, `memory grew by ${Math.round(grown / 1024 / 1024)} MiB while reading`);
});

test('a file that grows while it is read is read up to its size at the start, and says so', async () => {
  const line = '{"n":1}\n';
  const { file, done } = tempFile(line.repeat(1000));
  try {
    const size = fs.statSync(file).size;
    const s = await readJsonLines(
      file,
      async (_v, n) => {
        if (n === 10) fs.appendFileSync(file, line.repeat(5000));
        await new Promise((r) => setImmediate(r));
      },
      { chunkBytes: 512 },
    );
    assert.equal(s.sizeAtStart, size);
    assert.equal(s.bytesRead, size);
    assert.equal(s.values, 1000);
    assert.equal(s.grew, true);
    assert.match(describeJsonLinesSummary(s), /the file grew while it was read \(the first 8,000 bytes were read\)/);
  } finally {
    done();
  }
});

test('progress is reported as the file is read, and an AbortSignal stops the run', async () => {
  const { file, done } = tempFile('{"n":1}\n'.repeat(100_000));
  try {
    const progress: number[] = [];
    const s = await readJsonLines(file, () => undefined, {
      onProgress: (p) => progress.push(p.bytesRead),
      progressEveryBytes: 64 * 1024,
      chunkBytes: 16 * 1024,
    });
    assert.ok(progress.length > 5, `${progress.length} progress reports`);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), s.bytesRead);

    const controller = new AbortController();
    const stopped = await readJsonLines(
      file,
      (_v, n) => {
        if (n === 500) controller.abort();
      },
      { signal: controller.signal, chunkBytes: 16 * 1024 },
    );
    assert.equal(stopped.aborted, true);
    assert.equal(stopped.values, 500);
    assert.ok(stopped.bytesRead < fs.statSync(file).size);
  } finally {
    done();
  }
});

test('folders and FIFOs are refused; a missing file rejects', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-jsonl-'));
  try {
    await assert.rejects(
      readJsonLines(dir, () => undefined),
      /not a regular file|EISDIR/,
    );
    const fifo = path.join(dir, 'pipe');
    if (spawnSync('mkfifo', [fifo]).status === 0)
      await assert.rejects(
        readJsonLines(fifo, () => undefined),
        /not a regular file/,
      );
    await assert.rejects(
      readJsonLines(path.join(dir, 'missing'), () => undefined),
      /ENOENT/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scanJson: depth and numbers outside strings only', () => {
  assert.equal(scanJson('"[[[[[["', 3), undefined);
  assert.equal(scanJson('[[[[', 3), 'too-deep');
  assert.equal(scanJson('[[[]]]', 3), undefined);
  assert.equal(scanJson('{"a":"\\"[[[["}', 1), undefined);
  assert.equal(scanJson('[9007199254740991, -9007199254740991]', 5), undefined);
  assert.equal(scanJson('[9007199254740993]', 5), 'number-out-of-range');
  assert.equal(scanJson('[1e308, 1.5E+2]', 5), undefined);
  assert.equal(scanJson('[-1e309]', 5), 'number-out-of-range');
  assert.equal(scanJson('["1e400"]', 5), undefined);
});
