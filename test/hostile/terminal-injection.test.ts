// SPDX-License-Identifier: Apache-2.0
/**
 * Terminal injection through the CLI's text output: key names, values, names and file names that
 * hold escape sequences (CSI cursor moves, OSC 0 titles, OSC 8 hyperlinks, C1 controls), line breaks
 * and bidirectional overrides or isolates. In text mode each must show as a visible escape and never
 * reach the terminal raw; JSON output keeps the exact text. Run through the real CLI (`dist/cli.js`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, runJson, tempTree, TEXT_LINE } from '../cli/run-cli.js';
import { hubbleRecord } from '../support/hubble.js';

/**
 * Characters that act on a terminal or reorder text, other than the line feed that ends each line.
 * Written out here, independently of the implementation's list.
 */
const RAW_CONTROL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function assertNoRawControl(output: string, what: string): void {
  const m = RAW_CONTROL.exec(output);
  assert.equal(
    m,
    null,
    `${what} holds U+${m?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} raw at ${m?.index}: ${JSON.stringify(output.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`,
  );
}

/** A policy with one hostile string in a place whose finding quotes it. */
interface Case {
  readonly name: string;
  /** The hostile text as it is after YAML decoding. */
  readonly hostile: string;
  /** How the text output must show it. */
  readonly shown: string;
  /** The policy, with the hostile text written as a YAML double-quoted escape. */
  readonly yaml: string;
  /** The finding code that quotes it. */
  readonly code: string;
}

const head = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
`;

const CASES: readonly Case[] = [
  {
    name: 'a key name with CSI sequences (cursor up, erase line)',
    hostile: '\x1b[1A\x1b[2Kforged',
    shown: '\\x1b[1A\\x1b[2Kforged',
    yaml: `${head}  endpointSelector: {}\n  "\\e[1A\\e[2Kforged": 1\n`,
    code: 'schema/unknown-field',
  },
  {
    name: 'a key name with an OSC 0 window title',
    hostile: '\x1b]0;owned\x07title',
    shown: '\\x1b]0;owned\\x07title',
    yaml: `${head}  endpointSelector: {}\n  "\\e]0;owned\\atitle": 1\n`,
    code: 'schema/unknown-field',
  },
  {
    name: 'a port value with an OSC 8 hyperlink',
    hostile: '\x1b]8;;https://evil.example/\x1b\\80\x1b]8;;\x1b\\',
    shown: '\\x1b]8;;https://evil.example/\\x1b\\80\\x1b]8;;\\x1b\\',
    yaml: `${head}  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports:\n            - port: "\\e]8;;https://evil.example/\\e\\\\80\\e]8;;\\e\\\\"\n`,
    code: 'cilium/invalid-port',
  },
  {
    name: 'a label key with U+202E (right-to-left override)',
    hostile: '\u202egnp.exe',
    shown: '\\u202egnp.exe',
    yaml: `${head}  endpointSelector:\n    matchLabels:\n      "\\u202Egnp.exe": x\n`,
    code: 'cilium/invalid-label-key',
  },
  {
    name: 'a label key with a bidi isolate (U+2067) and its pop (U+2069)',
    hostile: '\u2067ab\u2069',
    shown: '\\u2067ab\\u2069',
    yaml: `${head}  endpointSelector:\n    matchLabels:\n      "\\u2067ab\\u2069": x\n`,
    code: 'cilium/invalid-label-key',
  },
  {
    name: 'a key name with C1 controls (U+009B CSI, U+009D OSC)',
    hostile: '\u009b2J\u009d0;t\u0007',
    shown: '\\x9b2J\\x9d0;t\\x07',
    yaml: `${head}  endpointSelector: {}\n  "\\x9b2J\\x9d0;t\\a": 1\n`,
    code: 'schema/unknown-field',
  },
  {
    name: 'a key name with a line break that would forge a finding line',
    hostile: 'x\nforged.yaml:1:1: error cilium-fake forged',
    shown: 'x\\nforged.yaml:1:1: error cilium-fake forged',
    yaml: `${head}  endpointSelector: {}\n  "x\\nforged.yaml:1:1: error cilium-fake forged": 1\n`,
    code: 'schema/unknown-field',
  },
];

for (const c of CASES) {
  test(`lint text output escapes ${c.name}; JSON keeps it exact`, () => {
    const dir = tempTree({ 'p.yaml': c.yaml });
    try {
      const json = runJson(['p.yaml'], { cwd: dir });
      const quoting = json.findings.filter((f) => f.code === c.code && f.message.includes(c.hostile));
      assert.ok(quoting.length >= 1, `a ${c.code} finding quotes the exact text: ${JSON.stringify(json.findings)}`);

      const text = runCli(['lint', 'p.yaml'], { cwd: dir });
      assert.equal(text.status, json.status);
      assertNoRawControl(text.stdout, 'stdout');
      assertNoRawControl(text.stderr, 'stderr');
      const lines = text.stdout.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, json.findings.length, `one line per finding:\n${text.stdout}`);
      for (const line of lines) assert.match(line, TEXT_LINE);
      assert.ok(
        lines.some((l) => l.includes(c.shown)),
        `the text shows ${JSON.stringify(c.shown)}:\n${text.stdout}`,
      );
      assert.ok(!lines.some((l) => l.startsWith('forged.yaml')), 'no forged line');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a file name with a line break cannot forge a finding line; JSON keeps the name exact', () => {
  const forged = 'forged.yaml:1:1: error cilium-fake this line was forged';
  const name = `evil\n${forged}\n.yaml`;
  const dir = tempTree({});
  try {
    fs.writeFileSync(path.join(dir, name), `${head}  endpointSelector: {}\n  descripton: typo\n`);
    const json = runJson(['.'], { cwd: dir });
    assert.ok(json.findings.length >= 1, JSON.stringify(json.findings));
    for (const f of json.findings) assert.equal(f.file, name, 'JSON names the file exactly');

    const text = runCli(['lint', '.'], { cwd: dir });
    assertNoRawControl(text.stdout, 'stdout');
    const lines = text.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, json.findings.length, `one line per finding:\n${text.stdout}`);
    for (const line of lines) {
      assert.ok(line.startsWith(`evil\\n${forged}\\n.yaml:`), line);
      assert.match(line, TEXT_LINE);
    }
    assert.ok(!lines.some((l) => l.startsWith('forged.yaml')), 'no forged line');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('file names on stderr (a missing file, an unreadable folder) are escaped too', () => {
  const dir = tempTree({});
  try {
    const missing = 'gone\x1b]0;owned\x07\u202e.yaml';
    const r = runCli(['lint', missing], { cwd: dir });
    assert.equal(r.status, 2);
    assertNoRawControl(r.stderr, 'stderr');
    assert.ok(r.stderr.includes('gone\\x1b]0;owned\\x07\\u202e.yaml'), r.stderr);
    const p = runCli(['preview', missing], { cwd: dir });
    assert.equal(p.status, 2);
    assertNoRawControl(p.stderr, 'stderr');
    assert.ok(p.stderr.includes('gone\\x1b]0;owned\\x07\\u202e.yaml'), p.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('preview text output escapes policy names, namespaces, ports and workload names; JSON keeps them', () => {
  const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: "web\\e]0;owned\\a"
  namespace: "shop\\u202e"
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
    - toPorts:
        - ports:
            - port: "80\\e[31m"
`;
  const workload = `apiVersion: v1
kind: Pod
metadata:
  name: "pod\\e]8;;https://evil.example/\\e\\\\x"
  namespace: "shop\\u202e"
  labels:
    app: web
`;
  const dir = tempTree({ 'p.yaml': policy, 'w.yaml': workload });
  try {
    const text = runCli(['preview', 'p.yaml'], { cwd: dir });
    assert.equal(text.status, 0, text.stderr);
    assertNoRawControl(text.stdout, 'stdout');
    assertNoRawControl(text.stderr, 'stderr');
    for (const shown of ['web\\x1b]0;owned\\x07', 'shop\\u202e', '80\\x1b[31m', 'pod\\x1b]8;;https://evil.example/'])
      assert.ok(text.stdout.includes(shown), `${shown} in\n${text.stdout}`);
    const json = runCli(['preview', '--format', 'json', 'p.yaml'], { cwd: dir });
    const out = JSON.stringify(JSON.parse(json.stdout));
    for (const exact of ['web\x1b]0;owned\x07', 'pod\x1b]8;;https://evil.example/\x1b\\x'])
      assert.ok(out.includes(JSON.stringify(exact).slice(1, -1)), `JSON keeps ${JSON.stringify(exact)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('replay text output escapes labels, pod names, URLs and DNS names from the flow log; JSON keeps them', () => {
  const evil = '\x1b]0;owned\x07\u202eevil\nforged.yaml:1:1: error';
  const frontend = {
    labels: [`k8s:app=${evil}`, 'k8s:io.kubernetes.pod.namespace=shop'],
    namespace: 'shop',
    pod: `frontend-${evil}`,
    workload: { kind: 'Deployment', name: `web${evil}` },
  };
  const api = { labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'], namespace: 'shop', pod: 'api-1' };
  const records = [
    hubbleRecord({ from: frontend, to: api, port: 8080, http: { method: 'GET', url: `http://api/${evil}` } }),
    hubbleRecord({ from: frontend, to: api, protocol: 'UDP', port: 53, dns: `${evil}.example.` }),
  ];
  const dir = tempTree({
    'flows.jsonl': records.map((r) => JSON.stringify(r)).join('\n'),
    'deny.yaml':
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{}]\n',
  });
  try {
    const text = runCli(['replay', '--flows', 'flows.jsonl', 'deny.yaml'], { cwd: dir });
    assert.equal(text.status, 1, text.stderr);
    assertNoRawControl(text.stdout, 'replay text output');
    assertNoRawControl(text.stderr, 'replay stderr');
    assert.ok(text.stdout.includes('\\x1b]0;owned\\x07\\u202eevil\\nforged.yaml'), text.stdout);
    const json = runCli(['replay', '--flows', 'flows.jsonl', '--format', 'json', 'deny.yaml'], { cwd: dir });
    const out = JSON.parse(json.stdout) as { results: { source: { pod: string } }[] };
    assert.equal(out.results[0]?.source.pod, `frontend-${evil}`, 'JSON keeps the exact text');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
