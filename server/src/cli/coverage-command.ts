// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy coverage`: every workload of the inventory with the state of its ingress and
 * egress (`default-deny`, `allow-all`, `audit`) and the policies selecting it. With
 * `--require-policy NAMESPACE`, exits 1 when a workload of that namespace is unprotected (no
 * policy makes either direction default-deny).
 */
import { errorLine, printable } from './format.js';
import { resolveAgent, type AgentLayer } from '../semantics/agent.js';
import { coverage, unprotected, type CoverageDetail } from '../semantics/coverage.js';
import { EXIT, type CliIO } from './common.js';
import { splitOptions } from './options.js';
import { commandInventory, FileCache, filesOf, InputFailure } from './inputs.js';
import { holdsPolicies } from '../semantics/engine.js';
import { buildEngine, inventoryAgentLayers, projectAgentLayer } from './test-command.js';

/** What `cilium-policy coverage` was asked to do. */
export interface CoverageOptions {
  readonly format: 'text' | 'json';
  readonly inventory: readonly string[];
  readonly requirePolicy: readonly string[];
  readonly inputs: readonly string[];
}

/** The `--help` text of `coverage`. */
export const COVERAGE_HELP = `cilium-policy coverage [--inventory PATH]... [--format text|json] [--require-policy NAMESPACE]... [POLICY PATH]...
  Lists every workload with its ingress and egress state (default-deny,
  allow-all, audit) and the policies selecting it. Policies come from the paths
  (default: the current folder).
  --inventory PATH     workloads, namespaces and the cilium-config ConfigMap
                       (repeatable): a folder or file of manifests, or a .json
                       kubectl snapshot (default: the manifests among the paths)
  --format FORMAT      text (default) or json
  --require-policy NS  exit 1 when a workload of namespace NS has neither
                       direction default-deny (repeatable; NS,NS also works)
  Exit status: 0 done, 1 an unprotected workload in a required namespace,
  2 usage error or an input that cannot be read.
`;

/** The options of `coverage`, for `util.parseArgs`. */
const COVERAGE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  inventory: { type: 'string' },
  'require-policy': { type: 'string' },
} as const;

/** Reads the arguments after `coverage`; a usage mistake comes back as `{ usage }`. */
export function parseCoverageArgs(argv: readonly string[]): CoverageOptions | 'help' | { usage: string } {
  let format: 'text' | 'json' = 'text';
  const inventory: string[] = [];
  const requirePolicy: string[] = [];
  const args = splitOptions(argv, COVERAGE_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return 'help';
      case 'format':
        if (value !== 'text' && value !== 'json')
          return { usage: `--format must be text or json${value === undefined ? '' : `, not "${value}"`}` };
        format = value;
        break;
      case 'inventory':
        if (value === undefined || value === '')
          return { usage: '--inventory needs a folder, a manifest file or a .json snapshot' };
        inventory.push(value);
        break;
      case 'require-policy':
        if (value === undefined || value === '' || value.startsWith('-'))
          return { usage: '--require-policy needs a namespace such as shop' };
        requirePolicy.push(...value.split(',').filter((x) => x !== ''));
        break;
      default:
        return { usage: `unknown option ${name} for coverage` };
    }
  }
  return { format, inventory, requirePolicy, inputs: args.inputs.length > 0 ? args.inputs : ['.'] };
}

/** Runs the coverage command and returns the exit status. */
export function runCoverage(opts: CoverageOptions, io: CliIO): number {
  try {
    const cache = new FileCache(io.cwd);
    const files = filesOf(opts.inputs, io.cwd, 'input');
    const policyFiles = files.filter((f) => holdsPolicies(cache.file(f)));
    const inventory = commandInventory(opts.inventory, files, cache, io);
    const project = projectAgentLayer(io);
    const layers: AgentLayer[] = [...inventoryAgentLayers(inventory, io), ...(project ? [project] : [])];
    const engine = buildEngine(policyFiles, inventory, resolveAgent(layers), cache, io);
    const details = coverage(engine);
    if (opts.format === 'json')
      io.stdout(
        `${JSON.stringify(
          details.map((d) => d.entry),
          null,
          2,
        )}\n`,
      );
    else io.stdout(text(details));
    const missing = details.filter((d) => opts.requirePolicy.includes(d.entry.namespace) && unprotected(d.entry));
    io.stderr(
      `${details.length} workload${details.length === 1 ? '' : 's'}, ${details.filter((d) => unprotected(d.entry)).length} unprotected; ${policyFiles.length} policy file${policyFiles.length === 1 ? '' : 's'}\n`,
    );
    for (const ns of opts.requirePolicy) {
      if (!details.some((d) => d.entry.namespace === ns))
        io.stderr(errorLine(`warning: --require-policy ${ns}: the inventory has no workload in that namespace`));
    }
    if (missing.length > 0) {
      for (const d of missing)
        io.stderr(
          errorLine(
            `${d.entry.namespace}/${d.entry.name} (${d.entry.kind}) is not protected by any policy (--require-policy ${d.entry.namespace}): ingress ${d.entry.ingress}, egress ${d.entry.egress}`,
          ),
        );
      return EXIT.errors;
    }
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof InputFailure)) throw e;
    for (const line of e.message.split('\n')) io.stderr(errorLine(`${line}`));
    return EXIT.failure;
  }
}

function text(details: readonly CoverageDetail[]): string {
  const lines: string[] = [];
  let ns: string | undefined;
  for (const d of details) {
    const e = d.entry;
    if (e.namespace !== ns) {
      ns = e.namespace;
      lines.push(`namespace ${ns}`);
    }
    const flag = unprotected(e) ? '  (unprotected)' : '';
    lines.push(`  ${e.name} (${e.kind})${flag}`);
    lines.push(`    ingress: ${e.ingress} - ${d.ingressReason}`);
    lines.push(`    egress:  ${e.egress} - ${d.egressReason}`);
  }
  // Each line is made printable whole: a line break inside a name shows as `\n` and cannot forge a line.
  return lines.length > 0 ? `${lines.map(printable).join('\n')}\n` : 'no workloads in the inventory\n';
}
