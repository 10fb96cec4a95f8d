// SPDX-License-Identifier: Apache-2.0
/**
 * Annotated fixtures: a YAML comment line made of carets under a span states what must be found
 * there, e.g.
 *
 *       toCIDR:
 *   #   ^^^^^^ error cilium/mixed-peer-types
 *
 * The carets' columns are the expected span on the line above (annotation lines are skipped when
 * looking for it); then the severity, the code, and optionally a fragment of the message.
 */
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import type { Finding } from '../../server/src/core/findings.js';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import type { BinaryLookup } from '../../server/src/core/elf.js';

let validator: SchemaValidator | undefined;

/** One process-wide validator for tests. */
export function testValidator(): SchemaValidator {
  validator ??= new SchemaValidator(loadSchemaFiles());
  return validator;
}

/** What else a lint may get: the binaries policies name (USDT checks). */
export interface LintExtras {
  readonly binaries?: BinaryLookup;
}

/** Lints a text with all rules and the default settings (or the ones given). */
export function lintForTest(text: string, settings: Settings = DEFAULT_SETTINGS, extras: LintExtras = {}): Finding[] {
  return lintFile(parseFile(text), { validator: testValidator(), settings, ...extras });
}

interface Expectation {
  line: number;
  start: number;
  end: number;
  severity: string;
  code: string;
  fragment?: string;
}

const ANNOTATION = /^(\s*)#(\s*)(\^+)\s+(error|warning|information|hint)\s+(\S+)(?:\s+(.*))?$/;

function expectations(text: string): Expectation[] {
  const lines = text.split('\n');
  const out: Expectation[] = [];
  let lastReal = -1;
  lines.forEach((line, i) => {
    const m = ANNOTATION.exec(line);
    if (!m) {
      lastReal = i;
      return;
    }
    const col = line.indexOf('^');
    out.push({
      line: lastReal,
      start: col,
      end: col + m[3]!.length,
      severity: m[4]!,
      code: m[5]!,
      ...(m[6] ? { fragment: m[6].trim() } : {}),
    });
  });
  return out;
}

/**
 * Lints the fixture and checks that the findings whose code is one of `codes` are exactly the
 * annotated ones (position, severity, code, message fragment).
 */
export function checkAnnotated(
  text: string,
  codes: readonly string[],
  settings: Settings = DEFAULT_SETTINGS,
  extras: LintExtras = {},
): Finding[] {
  const findings = lintForTest(text, settings, extras);
  const idx = new LineIndex(text);
  const actual = findings
    .filter((f) => codes.includes(f.code))
    .map((f) => {
      const s = idx.positionAt(f.span.start);
      const e = idx.positionAt(f.span.end);
      return {
        line: s.line,
        start: s.character,
        end: e.line === s.line ? e.character : -1,
        severity: f.severity,
        code: f.code,
        message: f.message,
      };
    })
    .sort((a, b) => a.line - b.line || a.start - b.start);
  const expected = expectations(text).filter((e) => codes.includes(e.code));
  const fmt = (x: { line: number; start: number; end: number; severity: string; code: string }) =>
    `${x.line + 1}:${x.start + 1}-${x.end + 1} ${x.severity} ${x.code}`;
  assert.deepEqual(
    actual.map(fmt),
    expected.map(fmt),
    `findings for ${codes.join(', ')}:\n${actual.map((a) => `${fmt(a)} ${a.message}`).join('\n')}`,
  );
  expected.forEach((e, i) => {
    if (e.fragment)
      assert.ok(actual[i]!.message.includes(e.fragment), `message "${actual[i]!.message}" includes "${e.fragment}"`);
  });
  return findings;
}
