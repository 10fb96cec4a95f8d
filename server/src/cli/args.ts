// SPDX-License-Identifier: Apache-2.0
/**
 * Command-line parsing for `cilium-policy`. Node's `util.parseArgs` splits the arguments into
 * options, values and inputs (`--x=v` and `--x v`, `--` and `-`); this module checks them in the
 * order given, so the first mistake is the one reported, with our own messages.
 */
import { KINDS } from '../core/kinds.js';
import { parseVersion } from '../core/versions.js';
import { UsageError, type LintFormat, type OutputFormat } from './common.js';
import { COVERAGE_HELP } from './coverage-command.js';
import { DIFF_HELP } from './diff-command.js';
import { DRYRUN_HELP } from './dryrun-command.js';
import { REPLAY_HELP } from './replay-command.js';
import { TEST_HELP } from './test-command.js';
import { splitOptions as split } from './options.js';

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'lint';
      readonly format: LintFormat;
      readonly ciliumVersion: string | undefined;
      readonly tetragonVersion: string | undefined;
      /** `--max-warnings N`: fail (status 1) when more than N warnings were found; undefined for no limit. */
      readonly maxWarnings: number | undefined;
      /** `--quiet`: report errors only. */
      readonly quiet: boolean;
      /** `--config <file>`: the project configuration to use instead of the nearest `.cilium-policy.yaml`. */
      readonly config: string | undefined;
      /** `--binary-root <dir|off>`: where USDT binaries are read ('' for off); undefined for the setting's. */
      readonly binaryRoot: string | undefined;
      /** `--inventory` arguments (manifests, `.json` kubectl snapshots): workloads and the Nodes' kernels. */
      readonly inventory: readonly string[];
      readonly inputs: readonly string[];
    }
  | {
      readonly kind: 'preview';
      readonly format: OutputFormat;
      /** `--inventory` arguments: folders of manifests, manifest files, `.json` kubectl snapshots. */
      readonly inventory: readonly string[];
      readonly inputs: readonly string[];
    }
  /** `test` and `coverage` read their own arguments (`test-command.ts`, `coverage-command.ts`). */
  | { readonly kind: 'test' | 'coverage' | 'dryrun' | 'replay' | 'diff'; readonly argv: readonly string[] };

/** Words joined into lines of at most `width` characters. */
function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** What the help says the command reads: every kind of the registry. */
const KINDS_PARAGRAPH = `${wrap(
  `Validate and lint Cilium and Tetragon policies (${KINDS.map((k) => k.kind).join(', ')})`.split(' '),
  80,
).join('\n')} in YAML files. Other documents are skipped.`;

/** The text of `--help`. */
export const HELP = `Usage: cilium-policy lint [options] <file|dir|glob|->...
       cilium-policy preview [--inventory <dir|file>]... [--format text|json] <file|dir|glob|->...
       cilium-policy test [file|dir|glob]... [--inventory <path>]... [--format text|json|junit|sarif]
       cilium-policy coverage [--inventory <path>]... [--format text|json] [--require-policy <ns>]... [path]...
       cilium-policy dryrun --events FILE [--format text|json] <policy file|dir|glob>...
       cilium-policy replay --flows FILE [--inventory PATH]... [--agent KEY=VALUE]... [--base GIT-REV] [--format text|json|sarif] [path]...
       cilium-policy diff [--inventory PATH]... [--format text|json|markdown] BASE [HEAD]

${KINDS_PARAGRAPH}

Inputs:
  file              a file, read whatever its extension
  dir               every .yaml/.yml file below it (node_modules and .git are skipped)
  glob              a quoted pattern with *, **, ? and {a,b}
  -                 standard input, reported as <stdin>

Options:
  --format text|json|sarif  output format (default: text); sarif is SARIF 2.1.0
  --cilium-version X.Y      Cilium release to check against (default: 1.20)
  --tetragon-version X.Y    Tetragon release to check against (default: 1.8)
  --config <file>           project configuration to use instead of the nearest
                            .cilium-policy.yaml
  --binary-root <dir|off>   where the binaries of USDT hooks and uprobes are read
                            to check probes, operands, Set and symbols (default: /,
                            the path as it is on this machine; a folder such as
                            an unpacked image is put in front; off: no check)
  --inventory <dir|file>    workloads and nodes the rules check against (repeatable):
                            manifests, or a .json file saved from \`kubectl get
                            pods,namespaces,services,nodes -A -o json\`; the Nodes'
                            kernels become targets of tetragon/kernel-targets
  --max-warnings N          exit with status 1 when more than N warnings are found
  --quiet                   report errors only (warnings still count for
                            --max-warnings)
  -h, --help                show this help
  --version                 show the version

Settings are read from the nearest .cilium-policy.yaml in the working directory
or above it (or from --config); the options above win over it.

Exit status: 0 no error found (and warnings within --max-warnings), 1 an
error-severity finding or too many warnings, 2 usage or I/O error.

preview: which workloads each policy selects and which peers each rule admits.
  --inventory <dir|file>    where workloads come from (repeatable): a folder or
                            file of Kubernetes manifests, or a .json file saved
                            from \`kubectl get pods,namespaces,services -A -o json\`.
                            Default: the manifests beside each policy file.
  --format text|json        output format (default: text)
  Exit status: 0 done, 2 usage or I/O error.

${TEST_HELP}
${COVERAGE_HELP}
${DRYRUN_HELP}
${REPLAY_HELP}
${DIFF_HELP}`;

function versionValue(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} needs a value such as 1.19`);
  const v = parseVersion(value);
  if (!v) throw new UsageError(`${flag}: "${value}" is not a release number such as 1.19`);
  return `${v[0]}.${v[1]}`;
}

/** The options of `lint`, for `util.parseArgs`: a value after each, except the switches. */
const LINT_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  format: { type: 'string' },
  'max-warnings': { type: 'string' },
  quiet: { type: 'boolean' },
  config: { type: 'string' },
  'binary-root': { type: 'string' },
  'cilium-version': { type: 'string' },
  'tetragon-version': { type: 'string' },
  inventory: { type: 'string' },
} as const;

/** The options of `preview`. */
const PREVIEW_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  inventory: { type: 'string' },
} as const;

/** Parses the arguments after `node cli.js`. Throws `UsageError`. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError('no command given');
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help' };
  if (first === '--version') return { kind: 'version' };
  if (first === 'preview') return parsePreview(rest);
  if (first === 'test' || first === 'coverage' || first === 'dryrun' || first === 'replay' || first === 'diff')
    return { kind: first, argv: rest };
  if (first !== 'lint')
    throw new UsageError(
      `unknown command "${first}"; the commands are "lint", "preview", "test", "coverage", "dryrun", "replay" and "diff"`,
    );

  let format: LintFormat = 'text';
  let ciliumVersion: string | undefined;
  let tetragonVersion: string | undefined;
  let maxWarnings: number | undefined;
  let quiet = false;
  let config: string | undefined;
  let binaryRoot: string | undefined;
  const inventory: string[] = [];
  const args = split(rest, LINT_OPTIONS);
  for (const { name, value, inline } of args.options) {
    switch (name) {
      case 'help':
        return { kind: 'help' };
      case 'version':
        return { kind: 'version' };
      case 'format': {
        if (value !== 'text' && value !== 'json' && value !== 'sarif')
          throw new UsageError(`--format must be text, json or sarif${value === undefined ? '' : `, not "${value}"`}`);
        format = value;
        break;
      }
      case 'max-warnings': {
        if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
          throw new UsageError(
            `--max-warnings needs a whole number of warnings such as 0${value === undefined ? '' : `, not "${value}"`}`,
          );
        }
        maxWarnings = Number(value);
        break;
      }
      case 'quiet':
        if (inline) throw new UsageError('--quiet takes no value');
        quiet = true;
        break;
      case 'config':
        if (value === undefined || value === '')
          throw new UsageError('--config needs a file such as .cilium-policy.yaml');
        config = value;
        break;
      case 'binary-root':
        if (value === undefined || value === '')
          throw new UsageError('--binary-root needs a folder such as / or ./rootfs, or off');
        binaryRoot = value === 'off' ? '' : value;
        break;
      case 'cilium-version':
        ciliumVersion = versionValue('--cilium-version', value);
        break;
      case 'tetragon-version':
        tetragonVersion = versionValue('--tetragon-version', value);
        break;
      case 'inventory':
        if (value === undefined || value === '')
          throw new UsageError('--inventory needs a folder, a manifest file or a .json snapshot');
        inventory.push(value);
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  const inputs = args.inputs;
  if (inputs.length === 0)
    throw new UsageError('no input given; pass files, directories, globs, or - for standard input');
  return {
    kind: 'lint',
    format,
    ciliumVersion,
    tetragonVersion,
    maxWarnings,
    quiet,
    config,
    binaryRoot,
    inventory,
    inputs,
  };
}

/** Parses the arguments of `preview`. Throws `UsageError`. */
function parsePreview(rest: readonly string[]): Command {
  let format: OutputFormat = 'text';
  const inventory: string[] = [];
  const args = split(rest, PREVIEW_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return { kind: 'help' };
      case 'format': {
        if (value !== 'text' && value !== 'json')
          throw new UsageError(`--format must be text or json${value === undefined ? '' : `, not "${value}"`}`);
        format = value;
        break;
      }
      case 'inventory':
        if (value === undefined || value === '')
          throw new UsageError('--inventory needs a folder, a manifest file or a .json snapshot');
        inventory.push(value);
        break;
      default:
        throw new UsageError(`unknown option ${name} for preview`);
    }
  }
  const inputs = args.inputs;
  if (inputs.length === 0)
    throw new UsageError('no policy file given; pass files, directories, globs, or - for standard input');
  return { kind: 'preview', format, inventory, inputs };
}
