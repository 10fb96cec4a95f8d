// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy diff [--inventory PATH]... [--format text|json|markdown] BASE [HEAD]`: the
 * connectivity matrix of the policy files under the current folder at git revision BASE and at HEAD
 * (default: the working tree), over one inventory (`--inventory`, else the manifests on the HEAD
 * side) and one agent profile, and what changed (`semantics/replay/diff.ts`).
 *
 * Exit status: 0 when nothing changes, 1 when something does (so CI can require a label for
 * connectivity changes), 2 on a usage error, an unreadable input, git missing or not a repository.
 */
import { markdownCode } from '../core/display-text.js';
import { InventoryIndex, type Inventory } from '../core/inventory.js';
import type { PolicyFile } from '../core/document.js';
import { resolveAgent, type AgentLayer } from '../semantics/agent.js';
import { ruleText, VerdictEngine } from '../semantics/engine.js';
import type { SubjectRef } from '../semantics/model.js';
import {
  connectivityDiff,
  diffChanged,
  type ConnectivityDiff,
  type DiffChange,
  type DiffWorkload,
} from '../semantics/replay/diff.js';
import { errorLine, printable } from './format.js';
import { EXIT, UsageError, type CliIO } from './common.js';
import { formatOption, inventoryOption, splitOptions } from './options.js';
import { asInputFailure, openRepository, readRevision, type RevisionFiles } from './revision.js';
import { displayPath, FileCache, filesOf, InputFailure, loadInventory } from './inputs.js';
import { holdsPolicies } from '../semantics/engine.js';
import { directionJson, inventoryAgentLayers, projectAgentLayer } from './test-command.js';

/** Output formats of `diff`. */
export type DiffFormat = 'text' | 'json' | 'markdown';
const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'json', 'markdown'];

/** What `cilium-policy diff` was asked to do. */
export interface DiffCommandOptions {
  readonly kind: 'diff';
  readonly base: string;
  /** Undefined: the working tree. */
  readonly head: string | undefined;
  readonly inventory: readonly string[];
  readonly format: DiffFormat;
}

/** The `diff` part of `--help`. */
export const DIFF_HELP = `cilium-policy diff [--inventory PATH]... [--format text|json|markdown] BASE [HEAD]
  The connectivity of the policy files under the current folder at git revision
  BASE and at HEAD (default: the working tree): every workload pair and port of
  the inventory, plus the entities, CIDRs and FQDNs the policies name, before
  and after, and what changed. Git is only read, never written.
  --inventory PATH   workloads, namespaces and the cilium-config ConfigMap
                     (repeatable; default: the manifests on the HEAD side)
  --format FORMAT    text (default), json, or markdown (for a pull-request
                     comment: a summary line, then a table per namespace)
  Exit status: 0 nothing changes, 1 connectivity changes, 2 usage error, an
  input that cannot be read, git missing or not a repository.
`;

const DIFF_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  inventory: { type: 'string' },
  format: { type: 'string' },
} as const;

/** Parses the arguments after `diff`. Throws `UsageError`. */
export function parseDiffArgs(argv: readonly string[]): DiffCommandOptions | { readonly kind: 'help' } {
  let format: DiffFormat = 'text';
  const inventory: string[] = [];
  const args = splitOptions(argv, DIFF_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return { kind: 'help' };
      case 'inventory':
        inventory.push(inventoryOption(value));
        break;
      case 'format':
        format = formatOption(value, DIFF_FORMATS);
        break;
      default:
        throw new UsageError(`unknown option ${name} for diff`);
    }
  }
  const [base, head, ...extra] = args.inputs;
  if (base === undefined) throw new UsageError('diff needs a BASE revision, such as main or origin/main');
  if (extra.length > 0)
    throw new UsageError(`diff takes at most two revisions (BASE and HEAD), not ${args.inputs.length}`);
  return { kind: 'diff', base, head, inventory, format };
}

/** Runs the diff command and returns the exit status. */
export async function runDiff(opts: DiffCommandOptions, io: CliIO): Promise<number> {
  try {
    return await diff(opts, io);
  } catch (e) {
    const failure = asInputFailure(e);
    if (!(failure instanceof InputFailure)) throw e;
    for (const line of failure.message.split('\n')) io.stderr(errorLine(line));
    return EXIT.failure;
  }
}

async function diff(opts: DiffCommandOptions, io: CliIO): Promise<number> {
  const repo = await openRepository(io.cwd);
  const base = await readRevision(repo, opts.base, ['.'], io.cwd);
  const cache = new FileCache(io.cwd);
  let headFiles: Map<string, PolicyFile>;
  let headRevision: RevisionFiles | undefined;
  if (opts.head !== undefined) {
    headRevision = await readRevision(repo, opts.head, ['.'], io.cwd);
    headFiles = new Map(headRevision.files);
  } else {
    headFiles = new Map();
    for (const f of filesOf(['.'], io.cwd, 'input')) headFiles.set(displayPath(io.cwd, f), cache.file(f));
  }
  for (const r of [base, headRevision])
    for (const s of r?.skipped ?? [])
      io.stderr(errorLine(`warning: ${s.path} at ${r?.rev ?? ''} left out: ${s.reason}`));

  let inventory: Inventory;
  if (opts.inventory.length > 0) inventory = loadInventory(opts.inventory, io.cwd, cache, io);
  else {
    const index = new InventoryIndex();
    for (const [file, parsed] of headFiles) index.update(file, parsed.text);
    inventory = index.snapshot();
  }
  const project = projectAgentLayer(io);
  const layers: AgentLayer[] = [...inventoryAgentLayers(inventory, io), ...(project ? [project] : [])];
  const agent = resolveAgent(layers);
  const engineOf = (files: ReadonlyMap<string, PolicyFile>, label: string): VerdictEngine => {
    const engine = new VerdictEngine({ inventory, agent });
    for (const [file, parsed] of files) if (holdsPolicies(parsed)) engine.setFile(file, parsed);
    for (const r of engine.rejected())
      io.stderr(
        errorLine(
          `warning: ${label}: ${r.policy.file}:${r.line}: the agent rejects ${r.policy.kind} ${r.policy.namespace ? `${r.policy.namespace}/` : ''}${r.policy.name}: ${r.reason}; it is left out`,
        ),
      );
    return engine;
  };
  const before = engineOf(base.files, opts.base);
  const headLabel = opts.head ?? 'the working tree';
  const after = engineOf(headFiles, headLabel);
  const d = connectivityDiff(before, after);
  const labels = {
    base: `${opts.base} (${base.commit.slice(0, 12)})`,
    head: headRevision ? `${opts.head ?? ''} (${headRevision.commit.slice(0, 12)})` : 'the working tree',
  };
  switch (opts.format) {
    case 'json':
      io.stdout(
        `${JSON.stringify(
          {
            changes: d.changes.map(changeJson),
            newlyDefaultDeny: d.newlyDefaultDeny,
            newlyUnprotected: d.newlyUnprotected,
            base: { rev: opts.base, commit: base.commit },
            head: headRevision ? { rev: opts.head, commit: headRevision.commit } : { rev: null, commit: null },
            cells: d.cells,
          },
          null,
          2,
        )}\n`,
      );
      break;
    case 'markdown':
      io.stdout(markdown(d, labels));
      break;
    default:
      io.stdout(text(d, labels));
  }
  const denied = d.changes.filter((c) => c.after === 'deny').length;
  const allowed = d.changes.filter((c) => c.after === 'allow').length;
  io.stderr(
    `${d.cells.toLocaleString('en-US')} cells compared: ${denied} newly denied, ${allowed} newly allowed, ${d.changes.length - denied - allowed} other changes; ${d.newlyDefaultDeny.length} workloads newly default-deny, ${d.newlyUnprotected.length} newly unprotected\n`,
  );
  return diffChanged(d) ? EXIT.errors : EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// Output

function changeJson(c: DiffChange): Record<string, unknown> {
  return {
    source: c.source,
    destination: c.destination,
    port: c.port,
    protocol: c.protocol,
    before: c.before,
    after: c.after,
    egress: directionJson(c.egress),
    ingress: directionJson(c.ingress),
    reason: c.reason,
  };
}

function subjectText(s: SubjectRef): string {
  return `${s.kind} ${s.namespace !== null ? `${s.namespace}/` : ''}${s.name} (${s.file}:${s.line})`;
}

/** What decides the new verdict, in a few words. */
function decidedBy(c: DiffChange): string {
  for (const [word, d] of [
    ['egress', c.egress],
    ['ingress', c.ingress],
  ] as const) {
    if (c.after === 'deny' && d.verdict !== 'deny') continue;
    if (c.after === 'allow' && d.by.length === 0) continue;
    if (d.state === 'default-deny')
      return `${word}: default deny by ${d.defaultDenyBy.map(subjectText).join(', ') || 'policy enforcement'}`;
    if (d.by.length > 0) return `${word}: ${d.by.map(ruleText).join(', ')}`;
  }
  return c.after === 'allow' ? 'no policy selects either end' : c.reason;
}

function workloadText(w: DiffWorkload): string {
  return `${w.namespace}/${w.name} (${w.kind}; ${w.directions.join(', ')})`;
}

function byNamespace(changes: readonly DiffChange[]): Map<string, DiffChange[]> {
  const out = new Map<string, DiffChange[]>();
  for (const c of [...changes].sort((a, b) => a.namespace.localeCompare(b.namespace))) {
    let list = out.get(c.namespace);
    if (!list) out.set(c.namespace, (list = []));
    list.push(c);
  }
  return out;
}

function text(d: ConnectivityDiff, labels: { base: string; head: string }): string {
  const lines: string[] = [`Connectivity from ${printable(labels.base)} to ${printable(labels.head)}:`];
  if (!diffChanged(d)) return `${lines[0]} no change (${d.cells} cells)\n`;
  for (const [ns, changes] of byNamespace(d.changes)) {
    lines.push(`namespace ${printable(ns === '' ? '(none)' : ns)}`);
    for (const c of changes)
      lines.push(
        `  ${printable(`${c.sourceText} -> ${c.destinationText} ${c.protocol}/${c.port}: ${c.before} -> ${c.after} (${decidedBy(c)})`)}`,
      );
  }
  if (d.newlyDefaultDeny.length > 0)
    lines.push(`newly default-deny: ${printable(d.newlyDefaultDeny.map(workloadText).join(', '))}`);
  if (d.newlyUnprotected.length > 0)
    lines.push(`newly unprotected: ${printable(d.newlyUnprotected.map(workloadText).join(', '))}`);
  return `${lines.join('\n')}\n`;
}

/** Rows a Markdown comment shows before "and N more". */
export const MARKDOWN_ROWS = 50;

const VERDICT_MARK: Readonly<Record<string, string>> = { allow: '✅ allow', deny: '⛔ deny', unknown: '❔ unknown' };

function markdown(d: ConnectivityDiff, labels: { base: string; head: string }): string {
  const code = (s: string): string => markdownCode(s, { tableCell: true });
  const denied = d.changes.filter((c) => c.after === 'deny').length;
  const allowed = d.changes.filter((c) => c.after === 'allow').length;
  const out: string[] = [];
  const head = `**Connectivity** from ${markdownCode(labels.base)} to ${markdownCode(labels.head)}`;
  if (!diffChanged(d)) return `${head}: no change (${d.cells} flows compared).\n`;
  const parts = [
    `${denied} flow${denied === 1 ? '' : 's'} newly denied`,
    `${allowed} newly allowed`,
    ...(d.changes.length - denied - allowed > 0
      ? [`${d.changes.length - denied - allowed} now unknown or decidable`]
      : []),
    ...(d.newlyDefaultDeny.length > 0 ? [`${d.newlyDefaultDeny.length} workload(s) newly default-deny`] : []),
    ...(d.newlyUnprotected.length > 0 ? [`${d.newlyUnprotected.length} workload(s) newly unprotected`] : []),
  ];
  out.push(`${head}: ${parts.join(', ')}.`, '');
  let shown = 0;
  for (const [ns, changes] of byNamespace(d.changes)) {
    if (shown >= MARKDOWN_ROWS) break;
    out.push(`#### ${ns === '' ? 'Outside namespaces' : `Namespace ${markdownCode(ns)}`}`, '');
    out.push('| source | destination | port | before | after | decided by |', '|---|---|---|---|---|---|');
    for (const c of changes) {
      if (shown >= MARKDOWN_ROWS) break;
      shown++;
      out.push(
        `| ${code(c.sourceText)} | ${code(c.destinationText)} | ${c.protocol}/${c.port} | ${VERDICT_MARK[c.before] ?? c.before} | ${VERDICT_MARK[c.after] ?? c.after} | ${code(decidedBy(c))} |`,
      );
    }
    out.push('');
  }
  if (d.changes.length > shown)
    out.push(`…and ${d.changes.length - shown} more changes (run \`cilium-policy diff\` for all).`, '');
  if (d.newlyDefaultDeny.length > 0)
    out.push(`**Newly default-deny:** ${d.newlyDefaultDeny.map((w) => markdownCode(workloadText(w))).join(', ')}`, '');
  if (d.newlyUnprotected.length > 0)
    out.push(`**Newly unprotected:** ${d.newlyUnprotected.map((w) => markdownCode(workloadText(w))).join(', ')}`, '');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
