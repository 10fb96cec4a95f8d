// SPDX-License-Identifier: Apache-2.0
/**
 * The Tetragon agent's own unit tests as an oracle. test/fixtures/tetragon/*.yaml restate, in our
 * words, what those tests feed the agent and whether it loads or refuses it; this test lints each
 * case and checks the verdict: a refused policy gets an error at the place named (`at`), an
 * accepted one no error at all, one the agent loads but that misbehaves (`depends`) a warning there.
 * Value cases (`kind: values`, `resolve`, `message`, `tags`, `syscall-list`) are wrapped in a
 * minimal policy, one value at a time; where a case states what a value becomes (`parsed`, the
 * steps of a `resolve` path), the shared value readers of core/tetragon are checked too.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths.js';
import { lintForTest } from '../support/annotations.js';
import { describedBinaries } from '../support/usdt-binary.js';
import { parseFile, locate } from '../../server/src/core/document.js';
import { normalizeSettings } from '../../server/src/settings.js';
import type { Finding } from '../../server/src/core/findings.js';
import type { ExampleBinary } from '../../server/src/lint/rule.js';
import { agentType, parseFilter, parseResolvePath } from '../../server/src/core/tetragon/values.js';

const DIR = path.join(REPO_ROOT, 'test/fixtures/tetragon');

type Expect = 'error' | 'warning' | 'none';

interface Case {
  readonly test: string;
  readonly fact: string;
  readonly kind?: 'values' | 'resolve' | 'message' | 'tags' | 'syscall-list';
  readonly verdict?: 'rejected' | 'accepted' | 'depends';
  readonly expect?: Expect;
  readonly because?: string;
  /** A finding code our tool still reports where it should not, with the reason in `because`. */
  readonly knownGap?: string;
  readonly at?: string;
  readonly atEach?: readonly string[];
  readonly policy?: string;
  readonly arch?: 'x86_64' | 'arm64';
  // values cases
  readonly filter?: string;
  readonly namespace?: string;
  readonly type?: string;
  readonly types?: readonly string[];
  readonly operator?: string;
  readonly accepted?: unknown;
  readonly rejected?: readonly unknown[];
  readonly depends?: readonly unknown[];
  readonly parsed?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly cases?: readonly Case[];
}

interface Fixture {
  readonly upstream: string;
  readonly binary?: ExampleBinary;
  readonly cases: readonly Case[];
}

/** One thing to lint and what must come out of it. */
interface Check {
  readonly label: string;
  readonly text: string;
  readonly expect: Expect;
  readonly at: readonly string[];
  readonly arch?: 'x86_64' | 'arm64';
  readonly knownGap?: string;
}

const HEAD = 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: fixture\nspec:\n';
const q = (v: unknown) => JSON.stringify(v);

/** A one-filter policy around a selector value. */
function wrapValue(c: Case, type: string | undefined, value: unknown): { text: string; at: string } {
  const filter = c.filter ?? 'matchArgs';
  const sel = (body: string) => `      selectors:\n        - ${filter}:\n${body}`;
  const hook = '  kprobes:\n    - call: fixture_target\n      syscall: false\n';
  switch (filter) {
    case 'matchArgs':
      return {
        text: `${HEAD}${hook}      args:\n        - index: 0\n          type: ${type}\n${sel(`            - index: 0\n              operator: ${c.operator}\n              values: [${q(value)}]\n`)}`,
        at: `spec.kprobes.0.selectors.0.${filter}.0.values.0`,
      };
    case 'matchData':
      return {
        text: `${HEAD}${hook}      data:\n        - index: 0\n          type: ${type}\n          source: current_task\n          resolve: comm\n${sel(`            - index: 0\n              operator: ${c.operator}\n              values: [${q(value)}]\n`)}`,
        at: `spec.kprobes.0.selectors.0.${filter}.0.values.0`,
      };
    case 'matchNamespaces':
      return {
        text: `${HEAD}${hook}${sel(`            - namespace: ${c.namespace}\n              operator: In\n              values: [${q(value)}]\n`)}`,
        at: `spec.kprobes.0.selectors.0.${filter}.0.values.0`,
      };
    default:
      return {
        text: `${HEAD}${hook}${sel(`            - operator: In\n              values: [${q(value)}]\n`)}`,
        at: `spec.kprobes.0.selectors.0.${filter}.0.values.0`,
      };
  }
}

function wrap(c: Case, value: unknown, type?: string): { text: string; at: string } {
  switch (c.kind) {
    case 'values':
      return wrapValue(c, type, value);
    case 'resolve':
      return {
        text: `${HEAD}  kprobes:\n    - call: fixture_target\n      syscall: false\n      args:\n        - index: 0\n          type: int\n          resolve: ${q(value)}\n`,
        at: 'spec.kprobes.0.args.0.resolve',
      };
    case 'message':
      return {
        text: `${HEAD}  kprobes:\n    - call: sys_write\n      message: ${q(value)}\n`,
        at: 'spec.kprobes.0.message',
      };
    case 'tags':
      return { text: `${HEAD}  kprobes:\n    - call: sys_write\n      tags: ${q(value)}\n`, at: 'spec.kprobes.0.tags' };
    case 'syscall-list':
      return {
        text: `${HEAD}  lists:\n    - name: calls\n      type: syscalls\n      values: [${q(value)}]\n  kprobes:\n    - call: "list:calls"\n`,
        at: 'spec.lists.0.values.0',
      };
    default:
      throw new Error(`unknown kind ${String(c.kind)}`);
  }
}

/** The checks a case stands for (value cases expand into one per value and type). */
function checks(c: Case): Check[] {
  if (c.cases) return c.cases.flatMap((sub) => checks({ ...c, ...sub, cases: undefined }));
  if (c.policy !== undefined) {
    const expect = c.expect ?? (c.verdict === 'rejected' ? 'error' : c.verdict === 'depends' ? 'warning' : 'none');
    if (c.expect || c.knownGap) assert.ok(c.because, `${c.test}: an expectation other than the verdict needs a reason`);
    return [
      {
        label: `${c.test}: ${c.fact}`,
        text: c.policy,
        expect,
        at: c.atEach ?? (c.at ? [c.at] : []),
        arch: c.arch,
        knownGap: c.knownGap,
      },
    ];
  }
  const types = c.types ?? [c.type];
  const accepted = Array.isArray(c.accepted)
    ? c.accepted
    : c.accepted && typeof c.accepted === 'object'
      ? Object.keys(c.accepted)
      : [];
  const out: Check[] = [];
  for (const type of types) {
    const add = (values: readonly unknown[], expect: Expect) =>
      values.forEach((v) => {
        const w = wrap(c, v, type);
        out.push({
          label: `${c.test} ${type ?? ''} ${q(v)}: ${c.fact}`,
          text: w.text,
          expect,
          at: [w.at],
          arch: c.arch,
        });
      });
    add(accepted, 'none');
    add(c.rejected ?? [], 'error');
    add(c.depends ?? [], 'warning');
  }
  return out;
}

/** The offsets from the key (when a map value) to the end of the node at a dotted path. */
function rangeAt(text: string, dotted: string): [number, number] {
  const doc = parseFile(text).documents[0]!;
  const segs = dotted.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const l = locate(doc.yaml, segs);
  const node = l.node as { range?: [number, number, number] } | null | undefined;
  assert.ok(node?.range, `${dotted} exists in the fixture`);
  const key = l.key as { range?: [number, number, number] } | undefined;
  return [key?.range?.[0] ?? node.range[0], node.range[1]];
}

function describe(fs_: readonly Finding[]): string {
  return fs_.map((f) => `${f.severity} ${f.code}: ${f.message}`).join('\n  ') || '(none)';
}

function run(check: Check, binary: ExampleBinary | undefined): string | undefined {
  const settings = normalizeSettings(check.arch ? { tetragon: { kernelArch: check.arch } } : {});
  const findings = lintForTest(check.text, settings, binary ? { binaries: describedBinaries(binary) } : {});
  const errors = findings.filter((f) => f.severity === 'error' && f.code !== check.knownGap);
  const within = (f: Finding, at: string) => {
    const [s, e] = rangeAt(check.text, at);
    return f.span.start >= s && f.span.start <= e;
  };
  if (check.expect === 'none')
    return errors.length ? `${check.label}\n  the agent accepts it, but we report:\n  ${describe(errors)}` : undefined;
  if (check.expect === 'warning') {
    if (errors.length) return `${check.label}\n  the agent loads it, but we report:\n  ${describe(errors)}`;
    const missing = check.at.filter((at) => !findings.some((f) => f.severity === 'warning' && within(f, at)));
    return missing.length
      ? `${check.label}\n  no warning at ${missing.join(', ')}; found:\n  ${describe(findings)}`
      : undefined;
  }
  const missing = check.at.filter((at) => !errors.some((f) => within(f, at)));
  return missing.length
    ? `${check.label}\n  no error at ${missing.join(', ')}; found:\n  ${describe(findings)}`
    : undefined;
}

function fixtures(): [string, Fixture][] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => [f, parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as Fixture]);
}

test('every transcribed upstream case gets the verdict the agent gives', (t) => {
  const failures: string[] = [];
  const perFile: string[] = [];
  for (const [file, fx] of fixtures()) {
    assert.ok(fx.upstream && fx.cases.length, `${file}: names its upstream file and has cases`);
    let n = 0;
    const verdicts = { error: 0, warning: 0, none: 0 };
    for (const c of fx.cases) {
      assert.ok(c.test && c.fact, `${file}: every case names its upstream test and states the fact`);
      for (const check of checks(c)) {
        n++;
        verdicts[check.expect]++;
        const problem = run(check, fx.binary);
        if (problem) failures.push(`${file}: ${problem}`);
      }
    }
    perFile.push(
      `${fx.upstream}: ${fx.cases.length} cases, ${n} checks (${verdicts.error} refused, ${verdicts.none} accepted, ${verdicts.warning} loaded with a warning)`,
    );
  }
  console.log(`upstream fixtures:\n  ${perFile.join('\n  ')}`);
  t.diagnostic(perFile.join('; '));
  assert.deepEqual(failures, []);
});

test('what values become, where the upstream tests say it', () => {
  let checked = 0;
  for (const [file, fx] of fixtures()) {
    for (const c of fx.cases) {
      if (c.parsed && c.kind === 'values') {
        for (const [text, want] of Object.entries(c.parsed)) {
          const f = parseFilter(c.operator!, agentType(c.type), [text], { release: 8, tracepoint: false });
          const got = f.values[0]!.parsed;
          assert.ok(got, `${file} ${c.test}: ${text} parses`);
          const normal = JSON.parse(
            JSON.stringify(got, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
          ) as Record<string, unknown>;
          const flat = normal['kind'] === 'address' ? (normal['cidr'] as Record<string, unknown>) : normal;
          for (const [k, v] of Object.entries(want)) assert.deepEqual(flat[k], v, `${file} ${c.test}: ${text} ${k}`);
          checked++;
        }
      }
      if (c.kind === 'resolve' && c.accepted && !Array.isArray(c.accepted)) {
        for (const [p, steps] of Object.entries(c.accepted as Record<string, string[]>)) {
          assert.deepEqual(parseResolvePath(p, 8), { steps }, `${file} ${c.test}: ${p}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 10, `parsed values checked: ${checked}`);
});
