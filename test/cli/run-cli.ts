// SPDX-License-Identifier: Apache-2.0
/** Runs the real bundled CLI (`dist/cli.js`) in a child process, as users do. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

/** The bundle under test. */
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/** The CLI's fixtures (source files, read in place). */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'cli', 'fixtures');

/** What a run produced. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the whole child process, in milliseconds. */
  readonly ms: number;
}

/** Runs `node dist/cli.js ...args`; `input` is written to its stdin. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: string | Buffer; uid?: number } = {},
): CliRun {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms };
}

/** One JSON record of `--format json`. */
export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  source: string;
  message: string;
}

/** Runs with `--format json` and parses stdout (which must be nothing but the array). */
export function runJson(
  args: readonly string[],
  options: { cwd?: string; input?: string | Buffer } = {},
): CliRun & { findings: JsonFinding[] } {
  const r = runCli(['lint', '--format', 'json', ...args], options);
  let findings: JsonFinding[];
  try {
    findings = JSON.parse(r.stdout) as JsonFinding[];
  } catch (e) {
    throw new Error(
      `stdout is not JSON (status ${r.status}): ${(e as Error).message}\n${r.stdout.slice(0, 500)}\nstderr: ${r.stderr}`,
      { cause: e },
    );
  }
  return { ...r, findings };
}

/** The parts of one text-format line: `path:line:column: severity code message`. */
export const TEXT_LINE = /^(.+):(\d+):(\d+): (error|warning|information|hint) (\S+) (.+)$/;

/** The counts of the summary line on stderr. */
export function parseSummary(stderr: string): {
  errors: number;
  warnings: number;
  filesWithFindings: number;
  files: number;
  documents: number;
} {
  const m =
    /(\d+) errors?, (\d+) warnings?(?:, \d+ information)?(?:, \d+ hints?)? in (\d+) files? \((\d+) files?, (\d+) policy documents? checked\)/.exec(
      stderr,
    );
  if (!m) throw new Error(`no summary line in stderr: ${stderr}`);
  const [, errors, warnings, withFindings, files, documents] = m.map(Number) as number[];
  return {
    errors: errors!,
    warnings: warnings!,
    filesWithFindings: withFindings!,
    files: files!,
    documents: documents!,
  };
}

/** A fresh temporary folder holding the given files (relative path → content). */
export function tempTree(files: Readonly<Record<string, string | Buffer>>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-policy-cli-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

/** 1-based line and UTF-16 column of the first occurrence of `needle` (after `after`, when given). */
export function positionOf(text: string, needle: string, after = ''): { line: number; column: number } {
  const from = after ? text.indexOf(after) : 0;
  if (from < 0) throw new Error(`fixture lacks ${after}`);
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`fixture lacks ${needle}`);
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: at - lineStart + 1 };
}
