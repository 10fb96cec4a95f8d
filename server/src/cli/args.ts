// SPDX-License-Identifier: Apache-2.0
/** Command-line parsing for `cilium-policy`. No dependency: the grammar is small and fixed. */
import { parseVersion } from '../core/versions.js';

/** Output formats of `preview`. */
export type OutputFormat = 'text' | 'json';

/** Output formats of `lint`: those of `preview`, plus SARIF 2.1.0 for code-scanning dashboards. */
export type LintFormat = OutputFormat | 'sarif';

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
      readonly inputs: readonly string[];
    }
  | {
      readonly kind: 'preview';
      readonly format: OutputFormat;
      /** `--inventory` arguments: folders of manifests, manifest files, `.json` kubectl snapshots. */
      readonly inventory: readonly string[];
      readonly inputs: readonly string[];
    };

/** A mistake on the command line; the CLI prints it with a hint and exits with status 2. */
export class UsageError extends Error {}

/** The text of `--help`. */
export const HELP = `Usage: cilium-policy lint [options] <file|dir|glob|->...
       cilium-policy preview [--inventory <dir|file>]... [--format text|json] <file|dir|glob|->...
       cilium-policy dryrun --events FILE [--format text|json] <policy file|dir|glob>...

Validate and lint Cilium and Tetragon policies (CiliumNetworkPolicy,
CiliumClusterwideNetworkPolicy, CiliumEnvoyConfig, CiliumClusterwideEnvoyConfig,
TracingPolicy, TracingPolicyNamespaced) in YAML files. Other documents are skipped.

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

dryrun: replay Tetragon events against TracingPolicies before they enforce.
  --events FILE             events as \`tetra getevents -o json\` prints them (one
                            JSON object per line; - for standard input)
  --format text|json        output format (default: text)
  Exit status: 0 no event would meet an enforcing action (Sigkill, Signal,
  Override, NotifyEnforcer), 1 at least one would, 2 usage or I/O error.
`;

function versionValue(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} needs a value such as 1.19`);
  const v = parseVersion(value);
  if (!v) throw new UsageError(`${flag}: "${value}" is not a release number such as 1.19`);
  return `${v[0]}.${v[1]}`;
}

/** Parses the arguments after `node cli.js`. Throws `UsageError`. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError('no command given');
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help' || first === 'help') return { kind: 'help' };
  if (first === '--version') return { kind: 'version' };
  if (first === 'preview') return parsePreview(rest);
  if (first !== 'lint')
    throw new UsageError(`unknown command "${first}"; the commands are "lint", "preview" and "dryrun"`);

  let format: LintFormat = 'text';
  let ciliumVersion: string | undefined;
  let tetragonVersion: string | undefined;
  let maxWarnings: number | undefined;
  let quiet = false;
  let config: string | undefined;
  let binaryRoot: string | undefined;
  const scanned = scanArgs(rest, (name, value, inline): Command | undefined => {
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--version':
        return { kind: 'version' };
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'sarif')
          throw new UsageError(`--format must be text, json or sarif${f === undefined ? '' : `, not "${f}"`}`);
        format = f;
        break;
      }
      case '--max-warnings': {
        const v = value();
        if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
          throw new UsageError(
            `--max-warnings needs a whole number of warnings such as 0${v === undefined ? '' : `, not "${v}"`}`,
          );
        }
        maxWarnings = Number(v);
        break;
      }
      case '--quiet':
        if (inline !== undefined) throw new UsageError('--quiet takes no value');
        quiet = true;
        break;
      case '--config': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError('--config needs a file such as .cilium-policy.yaml');
        config = v;
        break;
      }
      case '--binary-root': {
        const v = value();
        if (v === undefined || v === '')
          throw new UsageError('--binary-root needs a folder such as / or ./rootfs, or off');
        binaryRoot = v === 'off' ? '' : v;
        break;
      }
      case '--cilium-version':
        ciliumVersion = versionValue(name, value());
        break;
      case '--tetragon-version':
        tetragonVersion = versionValue(name, value());
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
    return undefined;
  });
  if ('command' in scanned) return scanned.command;
  const inputs = scanned.inputs;
  if (inputs.length === 0)
    throw new UsageError('no input given; pass files, directories, globs, or - for standard input');
  return { kind: 'lint', format, ciliumVersion, tetragonVersion, maxWarnings, quiet, config, binaryRoot, inputs };
}

/**
 * Walks a command's arguments: positional ones (and `-`, and everything after `--`) are inputs;
 * each option is handed to `onOption` with its name, a getter for its value (`--x=v` or the next
 * argument) and its inline value. An option handler may end the scan with a command (`--help`).
 */
function scanArgs(
  rest: readonly string[],
  onOption: (name: string, value: () => string | undefined, inline: string | undefined) => Command | undefined,
): { inputs: string[] } | { command: Command } {
  const inputs: string[] = [];
  let optionsDone = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (optionsDone || arg === '-' || !arg.startsWith('-')) {
      inputs.push(arg);
      continue;
    }
    if (arg === '--') {
      optionsDone = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const command = onOption(name, () => (inline !== undefined ? inline : rest[++i]), inline);
    if (command) return { command };
  }
  return { inputs };
}

/** Parses the arguments of `preview`. Throws `UsageError`. */
function parsePreview(rest: readonly string[]): Command {
  let format: OutputFormat = 'text';
  const inventory: string[] = [];
  const scanned = scanArgs(rest, (name, value): Command | undefined => {
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json')
          throw new UsageError(`--format must be text or json${f === undefined ? '' : `, not "${f}"`}`);
        format = f;
        break;
      }
      case '--inventory': {
        const v = value();
        if (v === undefined || v === '')
          throw new UsageError('--inventory needs a folder, a manifest file or a .json snapshot');
        inventory.push(v);
        break;
      }
      default:
        throw new UsageError(`unknown option ${name} for preview`);
    }
    return undefined;
  });
  if ('command' in scanned) return scanned.command;
  const inputs = scanned.inputs;
  if (inputs.length === 0)
    throw new UsageError('no policy file given; pass files, directories, globs, or - for standard input');
  return { kind: 'preview', format, inventory, inputs };
}
