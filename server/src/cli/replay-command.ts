// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy replay --flows FILE [--inventory PATH]... [--agent KEY=VALUE]... [--base GIT-REV]
 * [--format text|json|sarif] [POLICY PATHS...]`: replays recorded Hubble flows against policies with
 * the engine `cilium-policy test` uses (`semantics/replay`), and with `--base` also against the same
 * paths at a git revision.
 *
 * The flow file streams line by line (`io/json-lines.ts`: bounded lines, counts per problem);
 * each distinct question is judged once. JSON output streams too: each flow's result is written as
 * its line is read, so the `results` array comes first and the counts after it.
 *
 * Exit status: 0 when no flow recorded as FORWARDED (or REDIRECTED to the proxy) would now be
 * denied, 1 when at least one would, 2 on a usage error or an input that cannot be read.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeJsonLinesSummary, readJsonLines } from '../io/json-lines.js';
import { readAgentOptions, resolveAgent, type AgentLayer, type AgentOptions } from '../semantics/agent.js';
import { holdsPolicies, ruleText, VerdictEngine } from '../semantics/engine.js';
import type { SubjectRef } from '../semantics/model.js';
import { forwarded } from '../semantics/replay/hubble.js';
import {
  denialCause,
  FlowReplay,
  groupChanges,
  groupDisplay,
  type FlowGroup,
  type Judgement,
  type ReplayedFlow,
} from '../semantics/replay/replay.js';
import { skippedSummary } from '../semantics/replay/summary.js';
import { errorLine, printable } from './format.js';
import { EXIT, UsageError, type CliIO } from './common.js';
import { formatOption, inventoryOption, splitOptions } from './options.js';
import { asInputFailure, openRepository, readRevision } from './revision.js';
import { INFORMATION_URI, SRCROOT } from './sarif.js';
import { commandInventory, FileCache, filesOf, InputFailure } from './inputs.js';
import { buildEngine, directionJson, inventoryAgentLayers, projectAgentLayer } from './test-command.js';
import { RULES_DOC_URL } from '../lint/docs.js';

/** Where replay is documented (SARIF rules link to it). */
const REPLAY_DOC_URL = RULES_DOC_URL.replace(/docs\/rules\.md$/, 'docs/replay.md');

/** Output formats of `replay`. */
export type ReplayFormat = 'text' | 'json' | 'sarif';
const REPLAY_FORMATS: readonly ReplayFormat[] = ['text', 'json', 'sarif'];

/** What `cilium-policy replay` was asked to do. */
export interface ReplayCommandOptions {
  readonly kind: 'replay';
  /** The flow file; `-` reads standard input. */
  readonly flows: string;
  readonly inventory: readonly string[];
  /** `--agent` options, read. */
  readonly agent: Partial<AgentOptions>;
  readonly base: string | undefined;
  readonly format: ReplayFormat;
  readonly inputs: readonly string[];
}

/** The `replay` part of `--help`. */
export const REPLAY_HELP = `cilium-policy replay --flows FILE [--inventory PATH]... [--agent KEY=VALUE]... [--base GIT-REV] [--format text|json|sarif] [POLICY PATH]...
  Replays recorded Hubble flows against the policies (default: the policy files
  under the current folder) with the engine of cilium-policy test: would each
  recorded connection be allowed now? Each distinct question is judged once.
  --flows FILE       flows as \`hubble observe -o json\` prints them or Hubble's
                     exporter writes them (one JSON object per line; - for
                     standard input)
  --inventory PATH   workloads and the cilium-config ConfigMap (repeatable), for
                     named ports (default: the manifests among the policy paths)
  --agent KEY=VALUE  an agent option, as a PolicyTest's agent: sets it
                     (repeatable), e.g. --agent enableHostFirewall=true
  --base GIT-REV     also replay against the same paths at that git revision
                     and report what changes
  --format FORMAT    text (default: the flows that would change, biggest groups
                     first), json or sarif
  Exit status: 0 no flow recorded as forwarded would now be denied, 1 at least
  one would, 2 usage error or an input that cannot be read.
`;

const REPLAY_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  flows: { type: 'string' },
  inventory: { type: 'string' },
  agent: { type: 'string' },
  base: { type: 'string' },
  format: { type: 'string' },
} as const;

/** Parses the arguments after `replay`. Throws `UsageError`. */
export function parseReplayArgs(argv: readonly string[]): ReplayCommandOptions | { readonly kind: 'help' } {
  let flows: string | undefined;
  let base: string | undefined;
  let format: ReplayFormat = 'text';
  const inventory: string[] = [];
  const agentRaw: Record<string, string> = {};
  const args = splitOptions(argv, REPLAY_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return { kind: 'help' };
      case 'flows':
        if (value === undefined || value === '')
          throw new UsageError('--flows needs a file of Hubble flows (or - for standard input)');
        flows = value;
        break;
      case 'inventory':
        inventory.push(inventoryOption(value));
        break;
      case 'agent': {
        const eq = value?.indexOf('=') ?? -1;
        if (value === undefined || eq <= 0)
          throw new UsageError(
            `--agent needs KEY=VALUE, such as enableHostFirewall=true${value === undefined ? '' : `, not "${value}"`}`,
          );
        agentRaw[value.slice(0, eq)] = value.slice(eq + 1);
        break;
      }
      case 'base':
        if (value === undefined || value === '') throw new UsageError('--base needs a git revision such as main');
        base = value;
        break;
      case 'format':
        format = formatOption(value, REPLAY_FORMATS);
        break;
      default:
        throw new UsageError(`unknown option ${name} for replay`);
    }
  }
  if (flows === undefined)
    throw new UsageError('replay needs --flows FILE (flows recorded with hubble observe -o json)');
  if (flows === '-' && args.inputs.includes('-'))
    throw new UsageError('standard input cannot hold both the flows and a policy');
  const agent = readAgentOptions(agentRaw);
  if (agent.problems.length > 0) throw new UsageError(`--agent: ${agent.problems.map((p) => p.message).join('; ')}`);
  return {
    kind: 'replay',
    flows,
    inventory,
    agent: agent.values,
    base,
    format,
    inputs: args.inputs.length > 0 ? args.inputs : ['.'],
  };
}

// ---------------------------------------------------------------------------------------------
// Running

/** What the run counted, for the summary line and the JSON counts. */
interface Tally {
  /** Forwarded flows the head policies deny. */
  newlyDenied: number;
  newlyAllowed: number;
  byVerdict: { allow: number; deny: number; unknown: number };
}

/** Runs the replay command and returns the exit status. */
export async function runReplay(opts: ReplayCommandOptions, io: CliIO, version = 'unknown'): Promise<number> {
  try {
    return await replay(opts, io, version);
  } catch (e) {
    const failure = asInputFailure(e);
    if (!(failure instanceof InputFailure)) throw e;
    for (const line of failure.message.split('\n')) io.stderr(errorLine(line));
    return EXIT.failure;
  }
}

async function replay(opts: ReplayCommandOptions, io: CliIO, version: string): Promise<number> {
  const cache = new FileCache(io.cwd);
  const files = filesOf(opts.inputs, io.cwd, 'input');
  const policyFiles = files.filter((f) => holdsPolicies(cache.file(f)));
  const inventory = commandInventory(opts.inventory, files, cache, io);
  const project = projectAgentLayer(io);
  const layers: AgentLayer[] = [
    ...inventoryAgentLayers(inventory, io),
    ...(project ? [project] : []),
    { origin: '--agent', values: opts.agent },
  ];
  const agent = resolveAgent(layers);
  const head = buildEngine(policyFiles, inventory, agent, cache, io);
  if (policyFiles.length === 0)
    io.stderr(errorLine(`warning: no network policy found in ${opts.inputs.join(', ')}; every flow is allowed`));

  let base: VerdictEngine | undefined;
  let baseCommit = '';
  if (opts.base !== undefined) {
    const repo = await openRepository(io.cwd);
    const rev = await readRevision(repo, opts.base, opts.inputs, io.cwd);
    baseCommit = rev.commit;
    base = new VerdictEngine({ inventory, agent });
    for (const [file, parsed] of rev.files) if (holdsPolicies(parsed)) base.setFile(file, parsed);
    for (const s of rev.skipped) io.stderr(errorLine(`warning: ${s.path} at ${opts.base} left out: ${s.reason}`));
  }

  const replay = new FlowReplay({ head, ...(base ? { base } : {}) });
  const tally: Tally = { newlyDenied: 0, newlyAllowed: 0, byVerdict: { allow: 0, deny: 0, unknown: 0 } };
  let forwardedDenied = 0;
  const json = opts.format === 'json';
  const fragments = new WeakMap<FlowGroup, string>();
  let first = true;
  if (json) io.stdout('{"results": [');
  let printedProblems = 0;
  const source = opts.flows === '-' ? process.stdin : path.resolve(io.cwd, opts.flows);
  const shownFlows = opts.flows === '-' ? '<stdin>' : opts.flows;
  let summary;
  try {
    summary = await readJsonLines(
      source,
      (value, line) => {
        const r = replay.add(value, line);
        if (!r) return;
        tally.byVerdict[r.group.head.verdict]++;
        if (r.change === 'newly-denied') tally.newlyDenied++;
        else if (r.change === 'newly-allowed') tally.newlyAllowed++;
        if (forwarded(r.flow) && r.group.head.verdict === 'deny') forwardedDenied++;
        if (json) {
          io.stdout(`${first ? '\n' : ',\n'}${resultJson(r, fragments, base !== undefined)}`);
          first = false;
        }
      },
      {
        onProblem: (p) => {
          if (printedProblems++ < 20) io.stderr(errorLine(`warning: ${shownFlows}:${p.line}: ${p.message}`));
        },
      },
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : ((e as Error)?.message ?? String(e));
    throw new InputFailure(`cannot read ${shownFlows}: ${why}`);
  }
  if (printedProblems > 20)
    io.stderr(errorLine(`warning: ${printedProblems - 20} more lines of ${shownFlows} skipped`));

  const skipped = skippedSummary(replay.skipped, summary.empty, summary.problems);
  if (json) {
    const counts = {
      flows: replay.flows,
      skipped,
      questions: replay.groups().length,
      ...(replay.ungrouped > 0 ? { ungrouped: replay.ungrouped } : {}),
      verdicts: tally.byVerdict,
      newlyDenied: tally.newlyDenied,
      newlyAllowed: tally.newlyAllowed,
      forwardedNowDenied: forwardedDenied,
      ...(opts.base !== undefined ? { base: { rev: opts.base, commit: baseCommit } } : {}),
      ...(summary.grew ? { grew: true } : {}),
    };
    io.stdout(`${first ? '' : '\n'}],${JSON.stringify(counts).slice(1)}\n`);
  } else if (opts.format === 'sarif') io.stdout(sarif(replay, io, version, shownFlows));
  else io.stdout(text(replay, base !== undefined, opts.base));

  io.stderr(
    `${printable(
      `${replay.flows.toLocaleString('en-US')} flow${replay.flows === 1 ? '' : 's'} judged in ${replay.groups().length.toLocaleString('en-US')} distinct question${replay.groups().length === 1 ? '' : 's'} (${tally.byVerdict.allow} allowed, ${tally.byVerdict.deny} denied, ${tally.byVerdict.unknown} unknown); ${forwardedDenied} forwarded flow${forwardedDenied === 1 ? '' : 's'} would now be denied; skipped: ${describeSkipped(skipped)}; ${describeJsonLinesSummary(summary)}`,
    )}\n`,
  );
  return forwardedDenied > 0 ? EXIT.errors : EXIT.ok;
}

function describeSkipped(s: Record<string, number>): string {
  const parts = Object.entries(s)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

// ---------------------------------------------------------------------------------------------
// JSON

function judgementJson(j: Judgement): { egress: unknown; ingress: unknown } {
  return { egress: directionJson(j.result?.egress), ingress: directionJson(j.result?.ingress) };
}

/** One result line: the flow's own fields, then its group's verdicts (built once per group). */
function resultJson(r: ReplayedFlow, fragments: WeakMap<FlowGroup, string>, withBase: boolean): string {
  const f = r.flow;
  const own = {
    line: r.line,
    time: f.time !== '' ? f.time : null,
    node: f.node !== '' ? f.node : null,
    source: { namespace: f.source.namespace, labels: f.source.labels, pod: f.source.pod },
    destination: {
      namespace: f.destination.namespace,
      labels: f.destination.labels,
      pod: f.destination.pod,
      ip: f.destinationIp,
      names: f.destinationNames,
    },
    port: f.port ?? null,
    protocol: f.protocol,
    ...(f.icmpType !== undefined ? { icmpType: f.icmpType } : {}),
    http: f.http ? { method: f.http.method, path: f.http.path } : null,
    dns: f.dns !== undefined ? { query: f.dns } : null,
    recorded: f.verdict,
  };
  let fragment = fragments.get(r.group);
  if (fragment === undefined) {
    const g = r.group;
    const verdicts = {
      verdict: g.head.verdict,
      ...judgementJson(g.head),
      reason: g.head.reason,
      ...(g.head.code !== undefined ? { unknown: g.head.code } : {}),
    };
    fragment = JSON.stringify(verdicts).slice(1, -1);
    fragments.set(g, fragment);
  }
  const baseParts = withBase
    ? `,${JSON.stringify({ base: r.group.base?.verdict ?? 'unknown', change: r.change }).slice(1, -1)}`
    : '';
  return `${JSON.stringify(own).slice(0, -1)},${fragment}${baseParts}}`;
}

// ---------------------------------------------------------------------------------------------
// Text

interface Shown {
  readonly source: string;
  readonly destination: string;
  readonly port: string;
  flows: number;
  groups: FlowGroup[];
}

function causeText(j: Judgement): string {
  const cause = denialCause(j);
  if (!cause) return j.reason;
  const subject = (s: SubjectRef): string =>
    `${s.kind} ${s.namespace !== null ? `${s.namespace}/` : ''}${s.name} (${s.file}:${s.line})`;
  if (cause.kind === 'default-deny')
    return `${cause.direction} denied by default: ${cause.policies.map(subject).join(', ') || 'policy enforcement is always'}`;
  return `${cause.direction} denied by ${cause.rules.map(ruleText).join(', ')}`;
}

function span(g: FlowGroup): string {
  if (g.firstTime === '') return '';
  return g.firstTime === g.lastTime ? ` at ${g.firstTime}` : ` ${g.firstTime} .. ${g.lastTime}`;
}

/** The flows that change, grouped by source workload, destination and port, biggest groups first. */
function text(replay: FlowReplay, withBase: boolean, baseRev: string | undefined): string {
  const lines: string[] = [];
  for (const kind of ['newly-denied', 'newly-allowed'] as const) {
    const shown = new Map<string, Shown>();
    for (const g of replay.groups()) {
      const c = groupChanges(g);
      const n = kind === 'newly-denied' ? c.newlyDenied : c.newlyAllowed;
      if (n === 0) continue;
      const d = groupDisplay(g);
      const key = `${d.source}\u0000${d.destination}\u0000${d.port}`;
      let s = shown.get(key);
      if (!s) shown.set(key, (s = { ...d, flows: 0, groups: [] }));
      s.flows += n;
      s.groups.push(g);
    }
    if (shown.size === 0) continue;
    const all = [...shown.values()].sort((a, b) => b.flows - a.flows || a.source.localeCompare(b.source));
    const total = all.reduce((n, s) => n + s.flows, 0);
    const against = withBase ? `than at ${baseRev ?? 'the base'}` : 'than recorded';
    lines.push(
      `${kind === 'newly-denied' ? 'Newly denied' : 'Newly allowed'} ${against}: ${total.toLocaleString('en-US')} flow${total === 1 ? '' : 's'} in ${all.length} group${all.length === 1 ? '' : 's'}`,
    );
    for (const s of all) {
      lines.push(
        `  ${String(s.flows.toLocaleString('en-US')).padStart(7)}  ${printable(s.source)} -> ${printable(s.destination)} ${s.port}`,
      );
      for (const g of s.groups.slice(0, 3)) {
        const l7 = g.sample.http
          ? ` ${g.sample.http.method} ${g.sample.http.path}`
          : g.sample.dns !== undefined
            ? ` DNS ${g.sample.dns}`
            : '';
        const pods = [...g.sourcePods, ...g.destinationPods].slice(0, 4);
        lines.push(
          `           ${printable(`${g.flows.toLocaleString('en-US')} recorded${l7} (first on line ${g.firstLine}${span(g)}${pods.length > 0 ? `, pods ${pods.join(', ')}` : ''})`)}`,
        );
        lines.push(`           ${printable(kind === 'newly-denied' ? causeText(g.head) : g.head.reason)}`);
      }
      if (s.groups.length > 3) lines.push(`           and ${s.groups.length - 3} more questions`);
    }
    lines.push('');
  }
  if (lines.length === 0)
    lines.push(withBase ? 'No recorded flow changes verdict.' : 'Every recorded flow keeps its verdict.');
  const unknown = replay.groups().filter((g) => g.head.verdict === 'unknown');
  if (unknown.length > 0) {
    const flows = unknown.reduce((n, g) => n + g.flows, 0);
    lines.push(
      `Unknown: ${flows.toLocaleString('en-US')} flow${flows === 1 ? '' : 's'} in ${unknown.length} question${unknown.length === 1 ? '' : 's'}`,
    );
    for (const g of [...unknown].sort((a, b) => b.flows - a.flows).slice(0, 5)) {
      const d = groupDisplay(g);
      lines.push(
        `  ${String(g.flows).padStart(7)}  ${printable(`${d.source} -> ${d.destination} ${d.port}: ${g.head.reason}`)}`,
      );
    }
  }
  if (replay.ungrouped > 0)
    lines.push(
      `${replay.ungrouped.toLocaleString('en-US')} flows asked questions beyond the ones kept; they are counted but not listed.`,
    );
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

// ---------------------------------------------------------------------------------------------
// SARIF

const SARIF_RULES = [
  {
    id: 'replay/newly-denied',
    name: 'ReplayNewlyDenied',
    shortDescription: { text: 'Recorded flows that went through would now be denied.' },
    fullDescription: {
      text: 'Hubble recorded these flows as forwarded (or, with --base, the base revision allowed them); the policies now deny them. The location is the rule that denies them, or the selector of the policy that makes the direction default-deny.',
    },
    helpUri: `${REPLAY_DOC_URL}#replay`,
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'replay/newly-allowed',
    name: 'ReplayNewlyAllowed',
    shortDescription: { text: 'Recorded flows that policy dropped would now be allowed.' },
    fullDescription: {
      text: 'Hubble recorded these flows as dropped by policy (or, with --base, the base revision denied them); the policies now allow them.',
    },
    helpUri: `${REPLAY_DOC_URL}#replay`,
    defaultConfiguration: { level: 'note' },
  },
] as const;

function sarif(replay: FlowReplay, io: CliIO, version: string, flowsFile: string | undefined): string {
  const results: unknown[] = [];
  const location = (file: string, line: number): Record<string, unknown> => ({
    physicalLocation: { artifactLocation: { uri: file, uriBaseId: SRCROOT }, region: { startLine: line } },
  });
  for (const g of replay.groups()) {
    const c = groupChanges(g);
    for (const [ruleId, n] of [
      ['replay/newly-denied', c.newlyDenied],
      ['replay/newly-allowed', c.newlyAllowed],
    ] as const) {
      if (n === 0) continue;
      const d = groupDisplay(g);
      const cause = ruleId === 'replay/newly-denied' ? denialCause(g.head) : undefined;
      const refs: { file: string; line: number }[] =
        cause?.kind === 'rules' ? [...cause.rules] : cause?.kind === 'default-deny' ? [...cause.policies] : [];
      const at = refs[0];
      results.push({
        ruleId,
        ruleIndex: SARIF_RULES.findIndex((r) => r.id === ruleId),
        level: ruleId === 'replay/newly-denied' ? 'error' : 'note',
        message: {
          text: `${n} recorded flow${n === 1 ? '' : 's'} ${d.source} -> ${d.destination} ${d.port}${g.sample.http ? ` (${g.sample.http.method} ${g.sample.http.path})` : ''} would now be ${ruleId === 'replay/newly-denied' ? 'denied' : 'allowed'}: ${ruleId === 'replay/newly-denied' ? causeText(g.head) : g.head.reason}`,
        },
        locations: [
          at
            ? location(at.file, at.line)
            : flowsFile !== undefined
              ? location(flowsFile, g.firstLine)
              : { message: { text: `line ${g.firstLine} of standard input` } },
        ],
        ...(flowsFile !== undefined
          ? {
              relatedLocations: [
                { id: 1, message: { text: 'first recorded flow' }, ...location(flowsFile, g.firstLine) },
              ],
            }
          : {}),
      });
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'cilium-policy', version, informationUri: INFORMATION_URI, rules: SARIF_RULES } },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(path.resolve(io.cwd)).href}/` } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
