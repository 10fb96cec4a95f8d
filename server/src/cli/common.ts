// SPDX-License-Identifier: Apache-2.0
/**
 * What every CLI command shares: where it reads and writes, its exit statuses, its output formats
 * and the usage error. The argument parser (`args.ts`) and the command files both import this
 * module, so neither needs the other for these names and the CLI's imports have no circle.
 */

/** Where the command writes and reads; the process's streams in real use. */
export interface CliIO {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
}

/** Exit statuses, part of the CLI's interface. */
export const EXIT = { ok: 0, errors: 1, failure: 2 } as const;

/** Output formats of `preview`. */
export type OutputFormat = 'text' | 'json';

/** Output formats of `lint`: those of `preview`, plus SARIF 2.1.0 for code-scanning dashboards. */
export type LintFormat = OutputFormat | 'sarif';

/** A mistake on the command line; the CLI prints it with a hint and exits with status 2. */
export class UsageError extends Error {}

/** Why a file could not be read, in words (the common errno codes), for an error line. */
export function describeError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOENT') return 'no such file or directory';
  return (e as Error | undefined)?.message ?? String(e);
}
