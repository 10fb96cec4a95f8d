// SPDX-License-Identifier: Apache-2.0
/**
 * Seeded hostile JSON-lines logs for the flow-log and event-log fuzz modes (`logs.test.ts`). A log is
 * built from real records (Hubble flows, Tetragon events) by mutating them: values of the wrong
 * type, hostile strings (escapes, line breaks, bidi overrides, lone surrogates, long text), odd
 * addresses and ports, deleted fields; and by breaking lines in ways the JSON-lines reader must
 * name (a NUL byte, invalid UTF-8, a line beyond the limit, a nesting bomb, a number beyond a
 * double) or only survive (cut short, a byte flipped). Each line remembers what was done to it, so
 * the test can tell what the reader must say about it.
 */
import type { JsonLineProblemKind } from '../../server/src/io/json-lines.js';
import type { Prng } from './prng.js';

/** What the reader must make of a line: a value, a named problem, an empty line, or either way (`any`). */
export type Expected = 'value' | 'empty' | JsonLineProblemKind | 'any';

export interface LogLine {
  readonly bytes: Buffer;
  readonly expected: Expected;
  /** What was done, for the failure message. */
  readonly how: string;
}

/** The limits the fuzz runs the reader with (small, so that long lines are cheap to make). */
export const LIMITS = { maxLineBytes: 64 * 1024, maxDepth: 64 } as const;

const HOSTILE_STRINGS: readonly string[] = [
  '\u001b[2J\u001b[1;1Hcleared',
  '\u001b]0;owned\u0007',
  '\u001b]8;;https://example.com\u001b\\link\u001b]8;;\u001b\\',
  'line\nbreak\r\nand\u2028more',
  '\u202eevil\u2066',
  '\ud800 lone surrogate',
  '',
  ' ',
  '=',
  'k8s:',
  ':=',
  'reserved:world',
  'k8s:app=api',
  'k8s:io.kubernetes.pod.namespace=shop',
  '../../etc/passwd',
  '*',
  'x'.repeat(5000),
  '🙂'.repeat(300),
];

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  65536,
  4294967296,
  1.5,
  Number.MAX_SAFE_INTEGER,
  '8080',
  'NaN',
  [],
  {},
  [null],
  { '': '' },
  '999.1.1.1',
  '10.0.0.1/33',
  '::ffff:10.0.0.1',
  'fe80::1%eth0',
  '0x0a000001',
  '010.000.000.001',
];

/** A copy of `value` with one random change at a random place of its tree. */
export function mutateValue(rng: Prng, value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    if (items.length === 0 || rng.chance(0.2))
      return rng.chance(0.5) ? rng.pick(ODD_VALUES) : [...items, rng.pick(HOSTILE_STRINGS)];
    const i = rng.int(items.length);
    return items.map((v, j) => (j === i ? mutateValue(rng, v, depth + 1) : v));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 || rng.chance(depth === 0 ? 0.05 : 0.2)) {
      const r = rng.int(3);
      if (r === 0) return rng.pick(ODD_VALUES);
      if (r === 1 && entries.length > 0) {
        const drop = rng.int(entries.length);
        return Object.fromEntries(entries.filter((_, j) => j !== drop));
      }
      return { ...(value as object), [rng.pick(HOSTILE_STRINGS)]: rng.pick([...ODD_VALUES, ...HOSTILE_STRINGS]) };
    }
    const i = rng.int(entries.length);
    return Object.fromEntries(entries.map(([k, v], j) => [k, j === i ? mutateValue(rng, v, depth + 1) : v]));
  }
  return rng.chance(0.5) ? rng.pick(HOSTILE_STRINGS) : rng.pick(ODD_VALUES);
}

/** One line of a log made from `records`. */
export function logLine(rng: Prng, records: readonly unknown[]): LogLine {
  const record = rng.pick(records);
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v), 'utf8');
  switch (
    rng.weighted({
      intact: 20,
      mutated: 40,
      twice: 10,
      empty: 3,
      nul: 3,
      utf8: 3,
      long: 2,
      deep: 2,
      range: 3,
      cut: 6,
      flip: 6,
      crlf: 2,
    })
  ) {
    case 'intact':
      return { bytes: json(record), expected: 'value', how: 'intact' };
    case 'mutated':
      return { bytes: json(mutateValue(rng, record)), expected: 'value', how: 'one value changed' };
    case 'twice':
      return { bytes: json(mutateValue(rng, mutateValue(rng, record))), expected: 'value', how: 'two values changed' };
    case 'empty':
      return { bytes: Buffer.from(rng.pick(['', ' ', '\t', '  \t '])), expected: 'empty', how: 'blank' };
    case 'nul': {
      const b = json(record);
      const at = rng.int(b.length);
      return {
        bytes: Buffer.concat([b.subarray(0, at), Buffer.from([0]), b.subarray(at)]),
        expected: 'nul-byte',
        how: `NUL at ${at}`,
      };
    }
    case 'utf8': {
      const b = json(record);
      const at = rng.int(b.length);
      const bad = rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82]]);
      return {
        bytes: Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at)]),
        expected: 'invalid-utf8',
        how: `bytes ${bad.join(',')} at ${at}`,
      };
    }
    case 'long':
      return {
        bytes: json({ ...(record as object), padding: 'p'.repeat(LIMITS.maxLineBytes + rng.int(4096)) }),
        expected: 'too-long',
        how: 'beyond the line limit',
      };
    case 'deep': {
      // Deeper than the limit, yet short enough not to be a long line first.
      const n = LIMITS.maxDepth + 1 + rng.int(30_000);
      return {
        bytes: Buffer.from(`{"a":${'['.repeat(n)}${']'.repeat(n)}}`),
        expected: 'too-deep',
        how: `${n} nested arrays`,
      };
    }
    case 'range': {
      const number = rng.pick(['1e400', '-1e999', '123456789012345678901', '9007199254740993']);
      const text = JSON.stringify(record).replace(/^\{/, `{"n":${number},`);
      return { bytes: Buffer.from(text), expected: 'number-out-of-range', how: number };
    }
    case 'cut': {
      const b = json(record);
      return { bytes: b.subarray(0, rng.between(1, b.length - 1)), expected: 'any', how: 'cut short' };
    }
    case 'flip': {
      const b = Buffer.from(json(record));
      const at = rng.int(b.length);
      const byte = rng.int(256);
      b[at] = byte === 0x0a ? 0x20 : byte; // a line feed would make two lines
      return { bytes: b, expected: 'any', how: `byte ${at} flipped` };
    }
    default:
      return { bytes: Buffer.concat([json(record), Buffer.from('\r')]), expected: 'value', how: 'CRLF ending' };
  }
}
