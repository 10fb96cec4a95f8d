// SPDX-License-Identifier: Apache-2.0
/** `cilium-policy dryrun`: the contract (flags, exit statuses, JSON shape) on the bundled CLI. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { runCli } from './run-cli.js';

const EVENTS = 'examples/tetragon-events.jsonl';
const POLICY = 'examples/tracingpolicy-block-readers.yaml';

interface Result {
  line: number;
  eventLine: number;
  hook: { kind: string; name: string };
  process: { binary?: string; pod?: string; pid?: number };
  policy: { kind: string; name: string; file: string };
  match: string;
  selector?: number;
  selectorLine?: number;
  actions: { action: string; line: number; enforcing?: boolean; rateLimited?: boolean }[];
  reason: string;
}

function tmp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dryrun-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** What these tests read of a recorded event (snake_case, as the example is written). */
interface EventJson {
  readonly process_kprobe?: {
    readonly function_name?: string;
    readonly process: { readonly binary: string; readonly pod?: { readonly pod_labels?: Record<string, string> } };
  };
  readonly [type: string]: unknown;
}

/** The example's events, read here independently of the engine. */
function exampleEvents(): { line: number; value: EventJson }[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, EVENTS), 'utf8')
    .split('\n')
    .map((l, i) => ({ line: i + 1, text: l }))
    .filter((x) => x.text.trim() !== '')
    .map((x) => ({ line: x.line, value: JSON.parse(x.text) as EventJson }));
}

test('the example: one JSON object with events, skipped and one result per (event, hook) pair', () => {
  const r = runCli(['dryrun', '--format', 'json', '--events', EVENTS, POLICY]);
  const events = exampleEvents();
  const openats = events.filter((e) => /sys_openat$/.test(e.value.process_kprobe?.function_name ?? ''));
  const others = events.filter(
    (e) => !Object.keys(e.value).some((k) => /^process_(kprobe|tracepoint|uprobe|lsm|usdt)$/.test(k)),
  );
  const out = JSON.parse(r.stdout) as { events: number; skipped: Record<string, number>; results: Result[] };
  assert.equal(out.events, events.length);
  assert.deepEqual(out.skipped, { otherType: others.length, unparsable: 0, unknownType: 0 });
  assert.deepEqual(
    out.results.map((x) => x.eventLine),
    openats.map((e) => e.line),
    'one result per openat event (the policy has one hook)',
  );
  // Sigkill hits exactly the cat and less processes of pods labelled app: api.
  const killed = openats.filter((e) => {
    const p = e.value.process_kprobe!.process;
    return ['/usr/bin/cat', '/usr/bin/less'].includes(p.binary) && p.pod?.pod_labels?.app === 'api';
  });
  const sigkills = out.results.filter((x) => x.match === 'match' && x.actions.some((a) => a.action === 'Sigkill'));
  assert.deepEqual(
    sigkills.map((x) => x.eventLine),
    killed.map((e) => e.line),
  );
  const policyText = fs.readFileSync(path.join(REPO_ROOT, POLICY), 'utf8').split('\n');
  for (const s of sigkills) {
    assert.equal(s.selector, 0);
    assert.match(policyText[s.selectorLine! - 1]!, /- matchBinaries:/);
    assert.match(policyText[s.actions[0]!.line - 1]!, /action: Sigkill/);
    assert.equal(s.hook.kind, 'kprobe');
    assert.equal(s.policy.name, 'block-readers-in-api');
  }
  // The repeated report of the same file within a minute is rate-limited; another file is not.
  const posts = out.results.filter((x) => x.selector === 1).map((x) => x.actions[0]!.rateLimited);
  assert.deepEqual(posts, [false, true, false]);
  assert.equal(r.status, 1, 'an enforcing action is met');
});

test('JSON results repeat `line` as the issue shows it: the event line, then the selector line', () => {
  const r = runCli(['dryrun', '--format', 'json', '--events', EVENTS, POLICY]);
  const first = r.stdout.split('\n').find((l) => l.includes('"match":"match"'))!;
  const lines = [...first.matchAll(/"line":(\d+)/g)].map((m) => Number(m[1]));
  const parsed = JSON.parse(first.replace(/,$/, '')) as Result;
  assert.equal(lines.length >= 2, true);
  assert.equal(lines[0], parsed.eventLine);
  assert.equal(lines[1], parsed.selectorLine);
});

test('text output lists matches and unknowns, escapes control characters and sums up on stderr', () => {
  const evil = JSON.stringify({
    process_kprobe: {
      process: {
        pid: 1,
        binary: '/usr/bin/cat',
        arguments: 'x\u001b[2J\u202eevil',
        pod: { namespace: 'shop', name: 'p', pod_labels: { app: 'api' } },
      },
      function_name: '__x64_sys_openat',
    },
  });
  const file = tmp('events.jsonl', `${evil}\n`);
  const r = runCli(['dryrun', '--events', file, POLICY]);
  assert.equal(r.status, 1);
  assert.doesNotMatch(r.stdout, /\u001b|\u202e/);
  assert.match(r.stdout, /\\x1b\[2J\\u202eevil/);
  assert.match(r.stdout, /match block-readers-in-api selector 0 → Sigkill/);
  assert.match(r.stderr, /1 event read .*1 match \(1 enforcing\)/);
});

test('exit 0 when nothing enforcing is met; other, unknown and broken lines are counted', () => {
  const lines = [
    '{"process_exec":{"process":{"pid":1}}}',
    '{"process_teleport":{"x":1}}',
    'not json at all',
    '',
    JSON.stringify({
      processKprobe: { process: { pid: 2, binary: '/usr/bin/cat' }, functionName: '__arm64_sys_openat' },
    }),
  ];
  const file = tmp('events.jsonl', lines.join('\n'));
  const r = runCli(['dryrun', '--format', 'json', '--events', file, POLICY]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { events: number; skipped: Record<string, number>; results: Result[] };
  assert.equal(out.events, 4);
  assert.deepEqual(out.skipped, { otherType: 1, unparsable: 1, unknownType: 1 });
  assert.equal(out.results.length, 1);
  assert.equal(out.results[0].match, 'no-match', 'a host process is outside the pod selector');
  assert.match(r.stderr, /process_teleport/);
});

test('events from standard input', () => {
  const line = JSON.stringify({
    process_kprobe: { process: { pid: 2, binary: '/bin/true' }, function_name: '__x64_sys_openat' },
  });
  const r = runCli(['dryrun', '--format', 'json', '--events', '-', POLICY], { input: `${line}\n` });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { results: unknown[] }).results.length, 1);
});

test('usage and input errors exit with 2', () => {
  const cases: [string[], RegExp][] = [
    [['dryrun', POLICY], /needs --events/],
    [['dryrun', '--events', EVENTS], /no policy file/],
    [['dryrun', '--events', EVENTS, '--format', 'sarif', POLICY], /--format must be text or json/],
    [['dryrun', '--events', EVENTS, '--bogus', POLICY], /unknown option --bogus/],
    [['dryrun', '--events', 'no/such/file.jsonl', POLICY], /cannot read no\/such\/file\.jsonl: no such file/],
    [['dryrun', '--events', 'examples', POLICY], /is a directory/],
    [['dryrun', '--events', EVENTS, 'examples/cnp-frontend-to-api.yaml'], /no TracingPolicy/],
    [['dryrun', '--events', EVENTS, 'missing.yaml'], /missing\.yaml/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.match(runCli(['dryrun', '--help']).stdout, /cilium-policy dryrun --events FILE/);
});

test('a policy with lint errors is still dry-run, and skipped hooks are named', () => {
  const policy = tmp(
    'p.yaml',
    `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: half-broken
spec:
  kprobes:
    - call: list:generated
    - call: sys_openat
      selectors:
        - matchActions:
            - action: Sigkill
              argBogus: 1
  lists:
    - name: generated
      type: generated_syscalls
`,
  );
  const ev = JSON.stringify({
    process_kprobe: { process: { pid: 3, binary: '/x' }, function_name: '__x64_sys_openat' },
  });
  const r = runCli(['dryrun', '--events', '-', policy], { input: ev });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /lint error/);
  assert.match(r.stderr, /kprobe `list:generated` is skipped: its list `generated` is generated by the agent/);
});

test('a large events file streams', () => {
  const line = `${JSON.stringify({ process_kprobe: { process: { pid: 2, binary: '/usr/bin/cat' }, function_name: '__x64_sys_openat' } })}\n`;
  const file = tmp('big.jsonl', line.repeat(50_000));
  const r = runCli(['dryrun', '--events', file, POLICY]);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /^50000 events read/m);
});

test('hostile event files: nesting bombs, NUL bytes, invalid UTF-8 and overlong lines are counted by kind and skipped', () => {
  const good = JSON.stringify({
    process_kprobe: { process: { pid: 2, binary: '/usr/bin/cat' }, function_name: '__x64_sys_openat' },
  });
  const bomb = `{"process_kprobe":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const nul = Buffer.concat([Buffer.from('{"process_kprobe":{"x":"'), Buffer.from([0]), Buffer.from('"}}')]);
  const badUtf8 = Buffer.concat([
    Buffer.from('{"process_kprobe":{"x":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}}'),
  ]);
  // Longer than the 16 MiB the reader keeps of a line: counted, never buffered.
  const long = Buffer.alloc(17 * 1024 * 1024, 0x61);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dryrun-'));
  const file = path.join(dir, 'hostile.jsonl');
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(`${good}\n${bomb}\n`),
      nul,
      Buffer.from('\n'),
      badUtf8,
      Buffer.from('\n'),
      long,
      Buffer.from(`\n${good}\n`),
    ]),
  );
  const r = runCli(['dryrun', '--format', 'json', '--events', file, POLICY]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    events: number;
    skipped: Record<string, number>;
    reading: { lines: number; empty: number; problems: Record<string, number>; grew: boolean };
    results: Result[];
  };
  assert.deepEqual(out.reading.problems, { 'too-deep': 1, 'nul-byte': 1, 'invalid-utf8': 1, 'too-long': 1 });
  assert.equal(out.reading.lines, 6);
  assert.equal(out.events, 6);
  assert.equal(out.skipped.unparsable, 4);
  assert.deepEqual(
    out.results.map((x) => x.line),
    [1, 6],
    'the lines around the bad ones are read',
  );
  assert.match(r.stderr, /4 unparsable \(1 too deep, 1 nul byte, 1 invalid utf8, 1 too long\)/);
  assert.match(r.stderr, /note: .*hostile\.jsonl: 6 lines: 2 read, 1 too long, 1 nul byte, 1 invalid utf8, 1 too deep/);
});

test('text output of a hostile policy name and binary goes through printable()', () => {
  const policy = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: "evil\\u001b]0;pwned\\u0007"
spec:
  kprobes:
    - call: sys_openat
      selectors:
        - matchActions: [{ action: Sigkill }]
`;
  const policyFile = tmp('evil.yaml', policy);
  const ev = JSON.stringify({
    process_kprobe: { process: { pid: 2, binary: '/tmp/\u001b[31mred' }, function_name: '__x64_sys_openat' },
  });
  const events = tmp('events.jsonl', `${ev}\n`);
  const r = runCli(['dryrun', '--events', events, policyFile]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /\u001b|\u0007/);
  assert.match(r.stdout, /\\x1b\[31mred/);
});
