// SPDX-License-Identifier: Apache-2.0
/**
 * `cilium-policy test`: runs every PolicyTest found in the inputs through the verdict engine and
 * reports each case (text, JSON, JUnit XML or SARIF). A test's `policies` and `inventory` are
 * read relative to its file; without them the policies of the inputs and `--inventory` (or the
 * manifests among the inputs) are used. The agent profile is the inventory's `cilium-config`
 * ConfigMap, then the nearest `.cilium-policy.yaml`'s `agent:`, then the test's `spec.agent`.
 *
 * Exit status: 0 when every case passes, 1 when one fails (an unknown verdict or a case that
 * cannot run fails), 2 on a usage error or an input that cannot be read.
 */
import { readRegularTextFileSync } from '../io/safe-paths.js';
import { errorLine, printable } from './format.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { InventoryIndex, type Inventory } from '../core/inventory.js';
import {
  agentKeyOf,
  ciliumConfigLayer,
  readAgentOptions,
  resolveAgent,
  type AgentLayer,
  type AgentProfile,
} from '../semantics/agent.js';
import { holdsPolicies, VerdictEngine } from '../semantics/engine.js';
import type { DirectionVerdict } from '../semantics/engine.js';
import type { RuleRef } from '../semantics/model.js';
import { readPolicyTest, runPolicyTest, type CaseResult, type PolicyTest } from '../semantics/policy-test.js';
import { CONFIG_FILE_NAME } from '../config.js';
import { displayPath, FileCache, filesOf, InputFailure, loadInventory } from './inputs.js';
import { EXIT, type CliIO } from './common.js';
import { splitOptions } from './options.js';
import { INFORMATION_URI } from './sarif.js';
import { RULES_DOC_URL } from '../lint/docs.js';

export { combineInventories } from '../core/inventory.js';

/** Where the PolicyTest format is documented (SARIF rules link to it). */
const POLICY_TEST_DOC_URL = RULES_DOC_URL.replace(/docs\/rules\.md$/, 'docs/policy-test.md');

/** Output formats of `test`. */
export type TestFormat = 'text' | 'json' | 'junit' | 'sarif';

/** What `cilium-policy test` was asked to do. */
export interface TestOptions {
  readonly format: TestFormat;
  readonly inventory: readonly string[];
  readonly inputs: readonly string[];
}

/** The `--help` text of `test` and `coverage` (also part of the main help). */
export const TEST_HELP = `cilium-policy test [FILE|DIR|GLOB]... [--inventory PATH]... [--format text|json|junit|sarif]
  Runs the cases of every PolicyTest (cilium-policy.io/v1alpha1) in the inputs
  (default: the current folder) through the connectivity engine.
  --inventory PATH   workloads, namespaces, nodes and services (repeatable): a
                     folder or file of manifests, or a .json kubectl snapshot;
                     used by tests without spec.inventory (default: the
                     manifests among the inputs)
  --format FORMAT    text (default), json, junit (JUnit XML) or sarif
  Exit status: 0 every case passes, 1 a case fails (unknown fails too),
  2 usage error or an input that cannot be read.
`;

/** The options of `test`, for `util.parseArgs`. */
const TEST_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  inventory: { type: 'string' },
} as const;

/** Reads the arguments after `test`; a usage mistake comes back as `{ usage }`. */
export function parseTestArgs(argv: readonly string[]): TestOptions | 'help' | { usage: string } {
  let format: TestFormat = 'text';
  const inventory: string[] = [];
  const args = splitOptions(argv, TEST_OPTIONS);
  for (const { name, value } of args.options) {
    switch (name) {
      case 'help':
        return 'help';
      case 'format':
        if (value !== 'text' && value !== 'json' && value !== 'junit' && value !== 'sarif')
          return {
            usage: `--format must be text, json, junit or sarif${value === undefined ? '' : `, not "${value}"`}`,
          };
        format = value;
        break;
      case 'inventory':
        if (value === undefined || value === '')
          return { usage: '--inventory needs a folder, a manifest file or a .json snapshot' };
        inventory.push(value);
        break;
      default:
        return { usage: `unknown option ${name} for test` };
    }
  }
  return { format, inventory, inputs: args.inputs.length > 0 ? args.inputs : ['.'] };
}

// The run's inputs (files, the inventory) are read in inputs.ts; other commands import them from here too.
export { displayPath, FileCache, filesOf, InputFailure, loadInventory };

/** The `agent:` section of the nearest `.cilium-policy.yaml` (problems go to stderr). */
export function projectAgentLayer(io: CliIO): AgentLayer | undefined {
  for (let d = path.resolve(io.cwd); ; d = path.dirname(d)) {
    const file = path.join(d, CONFIG_FILE_NAME);
    if (fs.existsSync(file)) {
      let data: unknown;
      try {
        data = parseYaml(readRegularTextFileSync(file), { maxAliasCount: 100 });
      } catch {
        return undefined; // the lint command reports an unreadable project file
      }
      const raw = data && typeof data === 'object' ? (data as Record<string, unknown>)['agent'] : undefined;
      if (raw === undefined) return undefined;
      const r = readAgentOptions(raw);
      for (const p of r.problems) io.stderr(errorLine(`warning: ${displayPath(io.cwd, file)}: ${p.message}`));
      return { origin: displayPath(io.cwd, file), values: r.values };
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** The agent layers of an inventory (its `cilium-config` ConfigMap), problems to stderr. */
export function inventoryAgentLayers(inventory: Inventory, io: CliIO): AgentLayer[] {
  const cm = ciliumConfigLayer(inventory);
  if (!cm) return [];
  for (const p of cm.problems) io.stderr(errorLine(`warning: ${cm.layer.origin}: ${p.message}`));
  return [cm.layer];
}

/** An engine over policy files, an inventory and an agent profile. */
export function buildEngine(
  policyFiles: readonly string[],
  inventory: Inventory,
  agent: AgentProfile,
  cache: FileCache,
  io: CliIO,
): VerdictEngine {
  const engine = new VerdictEngine({ inventory, agent });
  for (const f of policyFiles) {
    const parsed = cache.file(f);
    if (holdsPolicies(parsed)) engine.setFile(displayPath(io.cwd, f), parsed);
  }
  for (const r of engine.rejected())
    io.stderr(
      errorLine(
        `warning: ${r.policy.file}:${r.line}: the agent rejects ${r.policy.kind} ${r.policy.namespace ? `${r.policy.namespace}/` : ''}${r.policy.name}: ${r.reason}; it is left out`,
      ),
    );
  return engine;
}

// ---------------------------------------------------------------------------------------------
// Running

/** One PolicyTest with its results. */
interface TestRun {
  readonly file: string;
  readonly test: PolicyTest;
  readonly results: readonly CaseResult[];
}

/** Runs the test command and returns the exit status. */
export function runTest(opts: TestOptions, io: CliIO, version = 'unknown'): number {
  try {
    const runs = collect(opts, io);
    if (runs.length === 0) {
      io.stderr(
        errorLine(
          `no PolicyTest (apiVersion cilium-policy.io/v1alpha1, kind PolicyTest) found in ${opts.inputs.join(', ')}`,
        ),
      );
      return EXIT.failure;
    }
    switch (opts.format) {
      case 'json':
        io.stdout(`${JSON.stringify(runs.map(jsonRun), null, 2)}\n`);
        break;
      case 'junit':
        io.stdout(junit(runs));
        break;
      case 'sarif':
        io.stdout(sarif(runs, io.cwd, version));
        break;
      default:
        io.stdout(runs.map(textRun).join(''));
    }
    const cases = runs.flatMap((r) => r.results);
    const failed = cases.filter((c) => !c.pass).length;
    const unknown = cases.filter((c) => c.outcome === 'unknown').length;
    io.stderr(
      `${cases.length} case${cases.length === 1 ? '' : 's'} in ${runs.length} test${runs.length === 1 ? '' : 's'}: ${cases.length - failed} passed, ${failed} failed${unknown > 0 ? ` (${unknown} unknown)` : ''}\n`,
    );
    return failed > 0 ? EXIT.errors : EXIT.ok;
  } catch (e) {
    if (!(e instanceof InputFailure)) throw e;
    for (const line of e.message.split('\n')) io.stderr(errorLine(`${line}`));
    return EXIT.failure;
  }
}

function collect(opts: TestOptions, io: CliIO): TestRun[] {
  const cache = new FileCache(io.cwd);
  const inputs = filesOf(opts.inputs, io.cwd, 'input');
  const tests: { file: string; test: PolicyTest; text: string }[] = [];
  const inputPolicies: string[] = [];
  const inputManifests = new InventoryIndex();
  for (const f of inputs) {
    const parsed = cache.file(f);
    const shown = displayPath(io.cwd, f);
    for (const doc of parsed.documents) {
      if (doc.kind?.language !== 'policy-test') continue;
      const t = readPolicyTest(doc, shown, parsed.text);
      if (t) tests.push({ file: f, test: t, text: parsed.text });
    }
    if (holdsPolicies(parsed)) inputPolicies.push(f);
    inputManifests.update(shown, parsed.text);
  }
  const project = projectAgentLayer(io);
  const cliInventory = opts.inventory.length > 0 ? loadInventory(opts.inventory, io.cwd, cache, io) : undefined;
  const engines = new Map<string, VerdictEngine>();
  const runs: TestRun[] = [];
  for (const { file, test, text } of tests) {
    const dir = path.dirname(file);
    const placed = (what: string, line: number, message: string): InputFailure =>
      new InputFailure(`${test.file}:${line}: ${what}: ${message}`);
    let policyFiles: string[];
    if (test.policies) {
      policyFiles = [];
      for (const p of test.policies) {
        try {
          policyFiles.push(...filesOf([p.value], dir, 'spec.policies'));
        } catch (e) {
          throw placed('spec.policies', p.line, (e as Error).message.replace(/^spec\.policies: /, ''));
        }
      }
    } else policyFiles = inputPolicies;
    let inventory: Inventory;
    if (test.inventory) {
      try {
        inventory = loadInventory(
          test.inventory.map((p) => p.value),
          dir,
          cache,
          io,
        );
      } catch (e) {
        throw placed('spec.inventory', test.inventory[0]?.line ?? test.line, (e as Error).message);
      }
    } else inventory = cliInventory ?? inputManifests.snapshot();
    const layers: AgentLayer[] = [
      ...inventoryAgentLayers(inventory, io),
      ...(project ? [project] : []),
      { origin: test.file, values: test.agent },
    ];
    const agent = resolveAgent(layers);
    const key = `${[...policyFiles].sort().join('\n')}\u0000${test.inventory ? test.inventory.map((p) => path.resolve(dir, p.value)).join('\n') : 'cli'}\u0000${agentKeyOf(agent)}\u0000${Object.keys(agent.stated).sort().join(',')}`;
    let engine = engines.get(key);
    if (!engine) {
      engine = buildEngine(policyFiles, inventory, agent, cache, io);
      engines.set(key, engine);
    }
    for (const p of test.problems) io.stderr(errorLine(`${test.file}:${p.line}: ${p.message}`));
    runs.push({ file: test.file, test, results: runPolicyTest(test, engine, text) });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Output

/** A rule reference as the JSON of `test`, `replay` and `diff` writes it. */
export function refJson(r: RuleRef): Record<string, unknown> {
  return {
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    file: r.file,
    line: r.line,
    direction: r.direction,
    rule: r.rule,
  };
}

/** One direction's verdict and deciding rules as the JSON of `test`, `replay` and `diff` writes it. */
export function directionJson(d: DirectionVerdict | undefined): Record<string, unknown> {
  return { verdict: d?.verdict ?? 'unknown', by: (d?.by ?? []).map(refJson) };
}

function caseReason(r: CaseResult): string {
  if (r.problems.length > 0) return r.problems.map((p) => p.message).join('; ');
  return r.verdict?.reason ?? '';
}

function jsonRun(run: TestRun): Record<string, unknown> {
  return {
    file: run.file,
    name: run.test.name,
    cases: run.results.map((r) => ({
      name: r.case.name,
      line: r.case.line,
      expect: r.case.expect ?? null,
      verdict: r.outcome,
      pass: r.pass,
      egress: directionJson(r.verdict?.egress),
      ingress: directionJson(r.verdict?.ingress),
      reason: caseReason(r),
    })),
  };
}

function refText(r: RuleRef): string {
  return `${r.kind} ${r.namespace !== null ? `${r.namespace}/` : ''}${r.name} ${r.spec !== null ? `specs[${r.spec}].` : ''}${r.direction}[${r.rule}] (${r.file}:${r.line})`;
}

function textRun(run: TestRun): string {
  const lines = [`${run.file}: ${run.test.name}`];
  for (const r of run.results) {
    const mark = r.pass ? 'PASS' : 'FAIL';
    const head = `  ${mark} ${r.case.name} (line ${r.case.line})`;
    if (r.pass) {
      lines.push(`${head}: ${r.outcome}`);
      continue;
    }
    if (r.problems.length > 0) {
      lines.push(`${head}: cannot run`);
      for (const p of r.problems) lines.push(`      ${run.file}:${p.line}: ${p.message}`);
      continue;
    }
    lines.push(`${head}: expected ${r.case.expect ?? '?'}, got ${r.outcome}`);
    const v = r.verdict;
    if (v && v.verdict === 'unknown') lines.push(`      ${v.reason}`);
    else if (v) {
      for (const [word, d] of [
        ['egress', v.egress],
        ['ingress', v.ingress],
      ] as const) {
        lines.push(`      ${word}: ${d.verdict} - ${d.reason}`);
      }
    }
  }
  // Each line is made printable whole: a line break inside a name shows as `\n` and cannot forge a line.
  return `${lines.map(printable).join('\n')}\n`;
}

/** XML text: control characters (which XML 1.0 cannot carry) and bidi overrides as visible escapes. */
function xml(s: string): string {
  return printable(s).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

function junit(runs: readonly TestRun[]): string {
  const all = runs.flatMap((r) => r.results);
  const errors = all.filter((r) => r.problems.length > 0).length;
  const failures = all.filter((r) => !r.pass && r.problems.length === 0).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cilium-policy test" tests="${all.length}" failures="${failures}" errors="${errors}">`,
  ];
  for (const run of runs) {
    const e = run.results.filter((r) => r.problems.length > 0).length;
    const f = run.results.filter((r) => !r.pass && r.problems.length === 0).length;
    out.push(
      `  <testsuite name="${xml(run.test.name)}" tests="${run.results.length}" failures="${f}" errors="${e}" file="${xml(run.file)}">`,
    );
    for (const r of run.results) {
      const attrs = `name="${xml(r.case.name)}" classname="${xml(`${run.file}.${run.test.name}`)}" file="${xml(run.file)}" line="${r.case.line}"`;
      if (r.pass) {
        out.push(`    <testcase ${attrs}/>`);
        continue;
      }
      out.push(`    <testcase ${attrs}>`);
      if (r.problems.length > 0) {
        out.push(`      <error message="${xml(caseReason(r))}" type="invalid-case"/>`);
      } else {
        const v = r.verdict;
        const detail = v
          ? [
              `egress: ${v.egress.verdict}${v.egress.by.length ? ` by ${v.egress.by.map(refText).join(', ')}` : ''}`,
              `ingress: ${v.ingress.verdict}${v.ingress.by.length ? ` by ${v.ingress.by.map(refText).join(', ')}` : ''}`,
              v.reason,
            ].join('\n')
          : '';
        out.push(
          `      <failure message="${xml(`expected ${r.case.expect ?? '?'}, got ${r.outcome}`)}" type="${r.outcome === 'unknown' ? 'unknown' : 'verdict'}">${xml(detail)}</failure>`,
        );
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

const SARIF_RULES = [
  {
    id: 'policy-test/failed',
    helpUri: `${POLICY_TEST_DOC_URL}#results`,
    name: 'PolicyTestFailed',
    shortDescription: { text: 'A PolicyTest case got another verdict than it expects.' },
    fullDescription: {
      text: 'The policies in scope allow (or deny) a flow the case expects to be denied (or allowed); the message names the deciding rules.',
    },
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'policy-test/unknown',
    helpUri: `${POLICY_TEST_DOC_URL}#unknown`,
    name: 'PolicyTestUnknown',
    shortDescription: { text: 'The verdict of a PolicyTest case cannot be decided from the inputs.' },
    fullDescription: {
      text: 'Something the verdict depends on is not in the inputs (an address, an agent option, a node placement); an unknown never passes.',
    },
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'policy-test/invalid-case',
    helpUri: `${POLICY_TEST_DOC_URL}#problems`,
    name: 'PolicyTestInvalidCase',
    shortDescription: { text: 'A PolicyTest case cannot run.' },
    fullDescription: { text: 'The case is malformed, or names an endpoint or port the inventory does not have.' },
    defaultConfiguration: { level: 'error' },
  },
] as const;

function sarif(runs: readonly TestRun[], cwd: string, version: string): string {
  const results: unknown[] = [];
  for (const run of runs) {
    for (const r of run.results) {
      if (r.pass) continue;
      const ruleId =
        r.problems.length > 0
          ? 'policy-test/invalid-case'
          : r.outcome === 'unknown'
            ? 'policy-test/unknown'
            : 'policy-test/failed';
      const message =
        r.problems.length > 0
          ? `${r.case.name}: ${caseReason(r)}`
          : `${r.case.name}: expected ${r.case.expect ?? '?'}, got ${r.outcome}. ${caseReason(r)}`;
      const related = r.verdict ? [...r.verdict.egress.by, ...r.verdict.ingress.by] : [];
      results.push({
        ruleId,
        ruleIndex: SARIF_RULES.findIndex((rule) => rule.id === ruleId),
        level: 'error',
        message: { text: message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: run.file, uriBaseId: '%SRCROOT%' },
              region: { startLine: r.problems[0]?.line ?? r.case.line },
            },
          },
        ],
        ...(related.length > 0
          ? {
              relatedLocations: related.map((ref, i) => ({
                id: i + 1,
                message: { text: refText(ref) },
                physicalLocation: {
                  artifactLocation: { uri: ref.file, uriBaseId: '%SRCROOT%' },
                  region: { startLine: ref.line },
                },
              })),
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
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(path.resolve(cwd)).href}/` } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
