// SPDX-License-Identifier: Apache-2.0
/**
 * Splitting a command's arguments with Node's `util.parseArgs` (in its tolerant mode, with tokens),
 * shared by every command: each command then checks the options in the order written, so the
 * first mistake is the one reported, with the command's own messages.
 */
import { parseArgs as splitArgs } from 'node:util';
import { UsageError } from './common.js';

/** The options a command accepts, in `util.parseArgs` form. */
export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/** One option as written: its name (`--format`, `-h`), its value, and whether the value came after `=`. */
export interface OptionArg {
  readonly name: string;
  readonly value: string | undefined;
  readonly inline: boolean;
}

/**
 * Splits a command's arguments: inputs (positional ones, `-`, and everything after `--`) and the
 * options in the order written. An option's value is `--x=v` or the next argument, whatever it
 * looks like (`--max-warnings -1` is a value to reject, not an unknown option). A name that is
 * not an option of the command comes back as written (`--fix`, `-xyz`), to be reported.
 */
export function splitOptions(rest: readonly string[], options: OptionSpec): { inputs: string[]; options: OptionArg[] } {
  const { tokens } = splitArgs({ args: [...rest], options, allowPositionals: true, strict: false, tokens: true });
  const inputs: string[] = [];
  const found: OptionArg[] = [];
  let lastIndex = -1;
  for (const token of tokens) {
    if (token.kind === 'positional') inputs.push(token.value);
    if (token.kind !== 'option' || token.index === lastIndex) continue;
    // A group of short options (`-xyz`) is one argument: one unknown name, as written.
    lastIndex = token.index;
    const arg = rest[token.index]!;
    const written = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const known = written === token.rawName && Object.hasOwn(options, token.name);
    found.push({
      name: known ? token.name : written,
      value: token.value,
      inline: token.inlineValue === true,
    });
  }
  return { inputs, options: found };
}

/** The value of a repeatable `--inventory PATH`, checked. Throws `UsageError`. */
export function inventoryOption(value: string | undefined): string {
  if (value === undefined || value === '')
    throw new UsageError('--inventory needs a folder, a manifest file or a .json snapshot');
  return value;
}

/** The value of `--format` when it is one of `choices` (`--format must be text, json or sarif`). Throws `UsageError`. */
export function formatOption<F extends string>(value: string | undefined, choices: readonly F[]): F {
  if (value !== undefined && (choices as readonly string[]).includes(value)) return value as F;
  const list = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1] ?? ''}`;
  throw new UsageError(`--format must be ${list}${value === undefined ? '' : `, not "${value}"`}`);
}
