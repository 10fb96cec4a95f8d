// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy preview`: for each policy document, the workloads it selects and the peers and
 * ports of each rule, computed by the same core as the editor's preview. The inventory comes from
 * `--inventory` (manifest folders or files, `.json` kubectl snapshots) or, by default, from the
 * YAML files in the folders of the policy files given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../core/document.js';
import { inventoryFromKubectlJson, InventoryIndex, type Inventory, type InventoryOrigin } from '../core/inventory.js';
import { EndpointIndex, previewDocument, type PolicyPreview } from '../core/preview.js';
import { endpointText, peerText, portText, unbounded } from '../core/preview-text.js';
import { errorLine, printable } from './format.js';
import { expandInputs, readInputFile, type Input } from './inputs.js';
import { describeError, EXIT, type CliIO, type OutputFormat } from './common.js';

/** Options of one preview run. */
export interface PreviewOptions {
  readonly format: OutputFormat;
  readonly inventory: readonly string[];
  readonly inputs: readonly string[];
}

/**
 * A failure that ends the run with status 2: one stderr line per entry. Kept as a list (not one
 * string split at line breaks) so that a line break inside a file name cannot start a line of its own.
 */
class Failure extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('; '));
  }
}

/** Runs the preview command and returns the exit status. Never throws for bad input. */
export async function runPreview(opts: PreviewOptions, io: CliIO): Promise<number> {
  try {
    const policies = expandInputs(opts.inputs, io.cwd);
    if (policies.errors.length > 0) throw new Failure(policies.errors);
    const texts: { input: Input; text: string }[] = [];
    for (const input of policies.inputs) texts.push({ input, text: await readInput(input, io) });
    const inventory = opts.inventory.length > 0 ? explicitInventory(opts.inventory, io) : defaultInventory(texts, io);
    io.stderr(errorLine(`inventory: ${inventory.description}`));
    const index = new EndpointIndex(inventory);
    const previews: PolicyPreview[] = [];
    for (const { input, text } of texts) {
      for (const doc of parseFile(text).documents) {
        if (!doc.kind || doc.templated) continue;
        const p = previewDocument(doc, index, { file: input.display });
        if (p) previews.push(p);
      }
    }
    if (opts.format === 'json') io.stdout(`${JSON.stringify(previews, null, 2)}\n`);
    else io.stdout(previews.map(textPreview).join('\n'));
    if (previews.length === 0) io.stderr(errorLine('no Cilium or Tetragon policy found in the input'));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    for (const line of e.lines) io.stderr(errorLine(line));
    return EXIT.failure;
  }
}

async function readInput(input: Input, io: CliIO): Promise<string> {
  try {
    return input.file === undefined ? await io.readStdin() : readInputFile(input.file);
  } catch (e) {
    throw new Failure([`cannot read ${input.display}: ${describeError(e)}`]);
  }
}

// ---------------------------------------------------------------------------------------------
// Inventories

/** Keeps the first of the items that share a key (a workload in both the manifests and a snapshot counts once). */
function firstOf<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Joins inventories in the order given (manifests first); an object found twice counts once. */
function combine(parts: readonly Inventory[], descriptions: readonly string[]): Inventory {
  const origin: InventoryOrigin = parts.some((p) => p.origin === 'snapshot') ? 'snapshot' : 'workspace';
  return {
    endpoints: firstOf(
      parts.flatMap((p) => p.endpoints),
      (e) => `${e.kind}/${e.namespace}/${e.name}`,
    ),
    services: firstOf(
      parts.flatMap((p) => p.services),
      (s) => `${s.namespace}/${s.name}`,
    ),
    nodes: firstOf(
      parts.flatMap((p) => p.nodes),
      (n) => n.name,
    ),
    namespaces: firstOf(
      parts.flatMap((p) => p.namespaces),
      (n) => n.name,
    ),
    origin,
    description: descriptions.join('; '),
  };
}

/** `--inventory` arguments: `.json` files are kubectl snapshots, everything else manifests (folders walked). */
function explicitInventory(args: readonly string[], io: CliIO): Inventory {
  const manifests = new InventoryIndex();
  let manifestFiles = 0;
  const parts: Inventory[] = [];
  const descriptions: string[] = [];
  for (const arg of args) {
    const abs = path.resolve(io.cwd, arg);
    let isFile = false;
    try {
      isFile = fs.statSync(abs).isFile();
    } catch {
      // Not a file: a folder or a glob, which expandInputs explains when it matches nothing.
    }
    if (isFile && /\.json$/i.test(arg)) {
      let text: string;
      try {
        text = readInputFile(abs);
      } catch (e) {
        throw new Failure([`cannot read ${arg}: ${describeError(e)}`]);
      }
      const r = inventoryFromKubectlJson(text, 'snapshot');
      if (!r.ok) throw new Failure([`${arg}: ${r.error}`]);
      for (const w of r.warnings) io.stderr(errorLine(`warning: ${arg}: ${w}`));
      parts.push(r.inventory);
      descriptions.push(`${r.inventory.description} (${arg})`);
      continue;
    }
    const found = expandInputs([arg], io.cwd);
    if (found.errors.length > 0) throw new Failure(found.errors.map((m) => `--inventory: ${m}`));
    for (const input of found.inputs) {
      if (input.file === undefined) continue;
      let text: string;
      try {
        text = readInputFile(input.file);
      } catch (e) {
        throw new Failure([`cannot read ${input.display}: ${describeError(e)}`]);
      }
      manifests.update(input.display, text);
      manifestFiles++;
    }
  }
  if (manifestFiles > 0) {
    const inv = manifests.snapshot();
    parts.unshift(inv);
    descriptions.unshift(inv.description);
  }
  return combine(parts, descriptions);
}

/**
 * Without `--inventory`: the `.yaml`/`.yml` files directly in each policy file's folder (not
 * below it), plus the policy inputs themselves; standard input brings the working directory's.
 */
function defaultInventory(texts: readonly { input: Input; text: string }[], io: CliIO): Inventory {
  const index = new InventoryIndex();
  const dirs = new Map<string, string>();
  const done = new Set<string>();
  for (const { input, text } of texts) {
    index.update(input.display, text);
    if (input.file !== undefined) done.add(input.file);
    const dir = input.file === undefined ? path.resolve(io.cwd) : path.dirname(input.file);
    const shown = input.file === undefined ? '.' : path.dirname(input.display);
    if (!dirs.has(dir)) dirs.set(dir, shown);
  }
  for (const [dir, shown] of dirs) {
    let names: string[];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => /\.ya?ml$/i.test(n))
        .sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (done.has(file)) continue;
      done.add(file);
      try {
        if (!fs.statSync(file).isFile()) continue;
        index.update(shown === '.' ? name : `${shown}/${name}`, readInputFile(file));
      } catch {
        // An unreadable neighbour is not worth failing the run: it simply adds nothing.
      }
    }
  }
  const inv = index.snapshot();
  return { ...inv, description: `${inv.description} beside the policies` };
}

// ---------------------------------------------------------------------------------------------
// Text output (the words are the editor's: core/preview-text.ts)

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One policy as readable text: a header, the subjects, then each rule with its peers and ports. */
export function textPreview(p: PolicyPreview): string {
  const lines: string[] = [];
  const where = p.namespace !== null ? ` in namespace ${p.namespace}` : '';
  lines.push(`${p.file}: ${p.kind} ${p.name ?? '(unnamed)'}${where}`);
  const subjectNoun = p.subjects.length > 0 && p.subjects.every((s) => s.kind === 'Node') ? 'node' : 'workload';
  lines.push(
    p.subjects.length === 0
      ? '  selects nothing in the inventory'
      : `  selects ${plural(p.subjects.length, subjectNoun)}:`,
  );
  for (const s of p.subjects) lines.push(`    ${endpointText(s, unbounded).line}`);
  for (const r of p.rules) {
    const deny = r.direction.endsWith('Deny');
    const peerWord = r.direction.startsWith('ingress') ? 'from' : 'to';
    lines.push(`  ${r.direction}[${r.index}]${deny ? ' (deny)' : ''}:`);
    if (r.peers.length === 0) lines.push(`    ${peerWord}: nothing in the inventory`);
    else for (const peer of r.peers) lines.push(`    ${peerWord} ${peerText(peer, unbounded).line}`);
    lines.push(
      `    ports: ${r.ports.length === 0 ? 'any' : r.ports.map((port) => portText(port, unbounded)).join(', ')}`,
    );
  }
  // Names, labels and values come from the inputs: each line is made printable before the line breaks are ours.
  return `${lines.map(printable).join('\n')}\n`;
}
