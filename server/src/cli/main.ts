// SPDX-License-Identifier: Apache-2.0
/** Entry point of the `cilium-policy` command (bundled as `dist/cli.js`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HELP, parseArgs } from './args.js';
import { EXIT, UsageError, type CliIO } from './common.js';
import { readStdin } from './inputs.js';
import { errorLine } from './format.js';
import { runLint } from './lint-command.js';
import { runPreview } from './preview-command.js';
import { COVERAGE_HELP, parseCoverageArgs, runCoverage } from './coverage-command.js';
import { DIFF_HELP, parseDiffArgs, runDiff } from './diff-command.js';
import { DRYRUN_HELP, parseDryrunArgs, runDryrun } from './dryrun-command.js';
import { parseReplayArgs, REPLAY_HELP, runReplay } from './replay-command.js';
import { parseTestArgs, runTest, TEST_HELP } from './test-command.js';

/** The version in the nearest package.json named `cilium-policy` (beside `dist/` once installed). */
function packageVersion(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'cilium-policy' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here; keep going up.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Runs the CLI with the given arguments and returns the exit status. */
async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const command = parseArgs(argv);
    switch (command.kind) {
      case 'help':
        io.stdout(HELP);
        return EXIT.ok;
      case 'version':
        io.stdout(`${packageVersion()}\n`);
        return EXIT.ok;
      case 'lint':
        return await runLint(command, io, packageVersion());
      case 'preview':
        return await runPreview(command, io);
      case 'test': {
        const opts = parseTestArgs(command.argv);
        if (typeof opts === 'object' && 'usage' in opts) throw new UsageError(opts.usage);
        if (opts === 'help') {
          io.stdout(TEST_HELP);
          return EXIT.ok;
        }
        return runTest(opts, io, packageVersion());
      }
      case 'coverage': {
        const opts = parseCoverageArgs(command.argv);
        if (typeof opts === 'object' && 'usage' in opts) throw new UsageError(opts.usage);
        if (opts === 'help') {
          io.stdout(COVERAGE_HELP);
          return EXIT.ok;
        }
        return runCoverage(opts, io);
      }
      case 'dryrun': {
        const opts = parseDryrunArgs(command.argv);
        if (opts.kind === 'help') {
          io.stdout(DRYRUN_HELP);
          return EXIT.ok;
        }
        return await runDryrun(opts, io);
      }
      case 'replay': {
        const opts = parseReplayArgs(command.argv);
        if (opts.kind === 'help') {
          io.stdout(REPLAY_HELP);
          return EXIT.ok;
        }
        return await runReplay(opts, io, packageVersion());
      }
      case 'diff': {
        const opts = parseDiffArgs(command.argv);
        if (opts.kind === 'help') {
          io.stdout(DIFF_HELP);
          return EXIT.ok;
        }
        return await runDiff(opts, io);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${errorLine(e.message)}Run "cilium-policy --help" for usage.\n`);
      return EXIT.failure;
    }
    // A bug of ours: say so in one line rather than with a stack trace, and fail like an I/O error.
    io.stderr(errorLine(`internal error: ${(e as Error)?.message ?? String(e)}`));
    return EXIT.failure;
  }
}

// This module is the program (also when `bin/cilium-policy.js` requires it), so it always runs.
// `cilium-policy lint … | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw e;
});
const processIO: CliIO = {
  cwd: process.cwd(),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readStdin: () => readStdin(process.stdin),
};
void main(process.argv.slice(2), processIO).then((code) => {
  // Setting exitCode (not calling exit) lets piped output drain first.
  process.exitCode = code;
});
