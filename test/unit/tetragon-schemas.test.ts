// SPDX-License-Identifier: Apache-2.0
/**
 * Our TracingPolicy / TracingPolicyNamespaced schemas on hand-made documents: each invalid fixture
 * gets exactly one schema finding with the expected code, on the expected line and key or value;
 * the valid fixtures get none. Also checks the schema files themselves: descriptions everywhere,
 * enum descriptions that line up, snippets that produce valid documents.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { LineIndex } from '../../server/src/core/line-index.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';

const files = loadSchemaFiles();
const validator = new SchemaValidator(files);

const TP = 'cilium.io/tracingpolicy_v1alpha1.json';
const TPN = 'cilium.io/tracingpolicynamespaced_v1alpha1.json';
const DEFS = 'cilium.io/_defs/tracing-policy.json';

interface Seen {
  readonly code: string;
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

/** Schema findings only (no lint rules), each with its 1-based line and the text it covers. */
function lint(text: string): Seen[] {
  const lines = new LineIndex(text);
  return lintFile(parseFile(text), { validator, settings: DEFAULT_SETTINGS, rules: [] }).map((f) => ({
    code: f.code,
    line: lines.positionAt(f.span.start).line + 1,
    text: text.slice(f.span.start, f.span.end),
    message: f.message,
  }));
}

const head = (kind = 'TracingPolicy', ns = '') =>
  `apiVersion: cilium.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: demo\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n`;

interface Case {
  readonly name: string;
  readonly doc: string;
  readonly code: string;
  readonly line: number;
  readonly text: string;
  readonly message?: RegExp;
}

const INVALID: Case[] = [
  {
    name: "a typo'd key in a selector",
    doc: `${head()}  kprobes:
  - call: sys_write
    args:
    - index: 0
      type: int
    selectors:
    - matchArg:
      - index: 0
        operator: Equal
        values: ["1"]
`,
    code: 'schema/unknown-field',
    line: 12,
    text: 'matchArg',
    message: /Did you mean `matchArgs`/,
  },
  {
    name: 'an arg type that is not in the enum',
    doc: `${head()}  kprobes:
  - call: sys_openat
    args:
    - index: 1
      type: strng
`,
    code: 'schema/enum',
    line: 10,
    text: 'strng',
    message: /Did you mean `string`/,
  },
  {
    name: 'a matchArgs operator that is not in the enum',
    doc: `${head()}  kprobes:
  - call: security_file_open
    syscall: false
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equals
        values: ["/etc/shadow"]
`,
    code: 'schema/enum',
    line: 15,
    text: 'Equals',
    message: /Did you mean `Equal`/,
  },
  {
    name: 'a kprobe without call',
    doc: `${head()}  kprobes:
  - syscall: true
    args:
    - index: 0
      type: int
`,
    code: 'schema/required',
    line: 7,
    text: 'syscall',
    message: /`call`/,
  },
  {
    name: 'an index that is not an integer',
    doc: `${head()}  tracepoints:
  - subsystem: syscalls
    event: sys_enter_openat
    args:
    - index: zero
      type: string
`,
    code: 'schema/type',
    line: 10,
    text: 'zero',
    message: /must be an integer/,
  },
  {
    name: 'a negative index',
    doc: `${head()}  lsmhooks:
  - hook: file_open
    args:
    - index: -1
      type: file
`,
    code: 'schema/limit',
    line: 9,
    text: '-1',
  },
  {
    name: 'a uprobe with both symbols and offsets',
    doc: `${head()}  uprobes:
  - path: /bin/bash
    symbols:
    - readline
    offsets:
    - 4096
`,
    code: 'schema/one-of',
    line: 10,
    text: 'offsets',
    message: /only one of `symbols`, `addrs` or `offsets`/,
  },
  {
    name: 'a TracingPolicyNamespaced with spec.hostSelector',
    doc: `${head('TracingPolicyNamespaced', 'shop')}  hostSelector: {}
  kprobes:
  - call: sys_write
`,
    code: 'schema/invalid',
    line: 7,
    text: 'hostSelector',
    message: /cannot have a `hostSelector`/,
  },
  {
    name: 'return: true without returnArg',
    doc: `${head()}  kprobes:
  - call: sys_openat
    return: true
    args:
    - index: 1
      type: string
`,
    code: 'schema/required',
    line: 8,
    text: 'return',
    message: /`return: true` needs a `returnArg`/,
  },
  {
    name: 'return: true without returnArg on a uprobe',
    doc: `${head()}  uprobes:
  - path: /bin/bash
    symbols: [readline]
    return: true
`,
    code: 'schema/required',
    line: 9,
    text: 'return',
  },
  {
    name: 'an Override action with two new locations',
    doc: `${head()}  uprobes:
  - path: /usr/bin/app
    symbols: [check]
    selectors:
    - matchActions:
      - action: Override
        argNewSymbol: allow
        argNewOffset: 64
`,
    code: 'schema/one-of',
    line: 13,
    text: 'argNewOffset',
    message: /at most one of `argNewSymbol`/,
  },
  {
    name: 'a host selector with labels (in matchWorkloads)',
    doc: `${head()}  kprobes:
  - call: sys_write
    selectors:
    - matchWorkloads:
        hostSelector:
          matchLabels:
            role: db
`,
    code: 'schema/invalid',
    line: 11,
    text: 'matchLabels',
    message: /can only be empty/,
  },
  {
    name: 'two matchBinaries entries in one selector',
    doc: `${head()}  kprobes:
  - call: sys_write
    selectors:
    - matchBinaries:
      - operator: In
        values: [/usr/bin/cat]
      - operator: In
        values: [/usr/bin/tail]
`,
    code: 'schema/limit',
    line: 10,
    text: '- operator: In\n        values: [/usr/bin/cat]\n      - operator: In\n        values: [/usr/bin/tail]\n',
    message: /at most 1 entry/,
  },
  {
    name: 'seventeen tags',
    doc: `${head()}  tracepoints:
  - subsystem: sched
    event: sched_process_exec
    tags: [t01, t02, t03, t04, t05, t06, t07, t08, t09, t10, t11, t12, t13, t14, t15, t16, t17]
`,
    code: 'schema/limit',
    line: 9,
    text: '[t01, t02, t03, t04, t05, t06, t07, t08, t09, t10, t11, t12, t13, t14, t15, t16, t17]',
  },
  {
    name: 'a matchPIDs value that is not a number',
    doc: `${head()}  kprobes:
  - call: sys_write
    selectors:
    - matchPIDs:
      - operator: NotIn
        values: [init]
`,
    code: 'schema/type',
    line: 11,
    text: 'init',
  },
  {
    name: 'an unknown field at the top of the spec',
    doc: `${head()}  kprobe:
  - call: sys_write
`,
    code: 'schema/unknown-field',
    line: 6,
    text: 'kprobe',
    message: /Did you mean `kprobes`/,
  },
  {
    name: 'a TracingPolicy without spec',
    doc: 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: demo\n',
    code: 'schema/required',
    line: 2,
    text: 'kind',
    message: /`spec`/,
  },
];

for (const c of INVALID) {
  test(`invalid: ${c.name}`, () => {
    const found = lint(c.doc);
    assert.equal(found.length, 1, `exactly one finding, got ${JSON.stringify(found, null, 1)}`);
    const [f] = found;
    assert.equal(f!.code, c.code);
    assert.equal(f!.line, c.line);
    assert.equal(f!.text, c.text);
    if (c.message) assert.match(f!.message, c.message);
  });
}

const VALID: Record<string, string> = {
  'a syscall kprobe with a selector and an action': `${head()}  kprobes:
  - call: sys_write
    syscall: true
    args:
    - index: 0
      type: fd
    - index: 1
      type: char_buf
      sizeArgIndex: 3
    - index: 2
      type: size_t
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["1"]
      matchBinaries:
      - operator: NotIn
        values: [/usr/bin/tee]
      matchActions:
      - action: Post
        rateLimit: 1m
        rateLimitScope: process
    tags: [observability.write]
    message: Write to standard output
`,
  'a kprobe that returns, with return actions': `${head()}  kprobes:
  - call: tcp_connect
    syscall: false
    return: true
    args:
    - index: 0
      type: sock
    returnArg:
      index: 0
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: NotDAddr
        values: [127.0.0.1/8]
      matchReturnArgs:
      - operator: Equal
        values: ["0"]
      matchReturnActions:
      - action: Post
    ignore:
      callNotFound: true
`,
  'a tracepoint, a list and options': `${head()}  lists:
  - name: dups
    type: syscalls
    values: [sys_dup, sys_dup2]
  options:
  - name: disable-kprobe-multi
    value: "1"
  tracepoints:
  - subsystem: raw_syscalls
    event: sys_enter
    args:
    - index: 4
      type: syscall64
    selectors:
    - matchArgs:
      - index: 4
        operator: InMap
        values: [list:dups]
      matchNamespaces:
      - namespace: Pid
        operator: NotIn
        values: [host_ns]
`,
  'a uprobe by symbol that returns': `${head()}  uprobes:
  - path: /usr/lib/libssl.so.3
    symbols: [SSL_write]
    return: true
    returnArg:
      index: 0
      type: int
    args:
    - index: 0
      type: uint64
    selectors:
    - matchPIDs:
      - operator: In
        followForks: true
        isNamespacePID: false
        values: [1234]
      matchActions:
      - action: Override
        argNewSymbol: SSL_write_safe
`,
  'an LSM hook with capabilities': `${head()}  lsmhooks:
  - hook: bprm_check_security
    args:
    - index: 0
      type: linux_binprm
    selectors:
    - matchCapabilities:
      - type: Effective
        operator: In
        values: [CAP_SYS_ADMIN]
      matchCapabilityChanges:
      - operator: In
        isNamespaceCapability: true
        values: [CAP_SETUID]
      matchActions:
      - action: Sigkill
`,
  'a USDT probe with a Set action': `${head()}  usdts:
  - path: /usr/bin/app
    provider: app
    name: check
    args:
    - index: 0
      type: int32
    selectors:
    - matchActions:
      - action: Set
        argIndex: 0
        argValue: 1
`,
  'fentries, workloads, macros and enforcers': `${head()}  podSelector:
    matchLabels:
      app: web
  containerSelector:
    matchExpressions:
    - key: name
      operator: In
      values: [nginx]
  nodeSelector: {}
  hostSelector: {}
  enforcers:
  - calls: [sys_linkat]
  selectorsMacros:
    notSudo:
      matchBinaries:
      - operator: NotIn
        values: [/usr/bin/sudo]
  fentries:
  - call: security_path_link
    syscall: false
    args:
    - index: 0
      type: dentry
    selectors:
    - macros: [notSudo]
      matchNamespaceChanges:
      - operator: In
        values: [Mnt]
      matchWorkloads:
        hostSelector: {}
        podSelector:
          matchLabels:
            tier: front
`,
  'a TracingPolicyNamespaced with a pod selector': `${head('TracingPolicyNamespaced', 'shop')}  podSelector:
    matchLabels:
      app: cart
  kprobes:
  - call: sys_linkat
    syscall: true
    args:
    - index: 1
      type: string
    selectors:
    - matchArgs:
      - index: 1
        operator: Prefix
        values: [/etc/]
      matchActions:
      - action: Signal
        argSig: 9
`,
};

for (const [name, doc] of Object.entries(VALID)) {
  test(`valid: ${name}`, () => {
    assert.deepEqual(lint(doc), []);
  });
}

type Node = Record<string, unknown>;

/** Every schema node in a file, with a JSON-pointer-like location. */
function* nodes(node: unknown, at: string): Generator<[string, Node]> {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* nodes(n, `${at}/${i}`);
    return;
  }
  const n = node as Node;
  yield [at, n];
  for (const k of ['properties', 'definitions']) {
    const map = n[k] as Record<string, unknown> | undefined;
    if (map) for (const [name, child] of Object.entries(map)) yield* nodes(child, `${at}/${k}/${name}`);
  }
  for (const k of ['items', 'additionalProperties', 'not', 'if', 'then'])
    if (n[k] && typeof n[k] === 'object') yield* nodes(n[k], `${at}/${k}`);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(n[k])) yield* nodes(n[k], `${at}/${k}`);
}

test('every Tetragon property has a description of our own, and links point at tetragon.io', () => {
  const missing: string[] = [];
  let links = 0;
  for (const file of [TP, TPN, DEFS]) {
    for (const [at, n] of nodes(files[file], '')) {
      // Nodes under if/not/then are conditions, not fields a user reads about.
      if (/\/properties\/[^/]+$/.test(at) && !/\/(if|then|not)\//.test(at) && typeof n['description'] !== 'string') {
        // A property that is only a `$ref` inherits the target's description.
        const ref = n['$ref'];
        const target =
          typeof ref === 'string' && ref.startsWith('#/definitions/')
            ? (files[file] as Node)['definitions']
            : undefined;
        const def = target
          ? (target as Record<string, Node>)[(ref as string).slice('#/definitions/'.length)]
          : undefined;
        if (typeof def?.['description'] !== 'string') missing.push(`${file}${at}`);
      }
      const md = n['markdownDescription'];
      if (typeof md === 'string') {
        for (const m of md.matchAll(/\]\((https?:[^)]+)\)/g)) {
          links++;
          assert.match(m[1]!, /^https:\/\/(tetragon\.io\/docs\/|kubernetes\.io\/docs\/)/, `${file}${at}`);
        }
        assert.match(md, /```yaml\n/, `${file}${at}: markdownDescription has a tiny YAML example`);
      }
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(links >= 30, `at least 30 docs links, found ${links}`);
});

test('enum descriptions line up with the enum values', () => {
  let enums = 0;
  for (const file of [TP, TPN, DEFS]) {
    for (const [at, n] of nodes(files[file], '')) {
      if (!Array.isArray(n['enumDescriptions'])) continue;
      enums++;
      assert.ok(Array.isArray(n['enum']), `${file}${at}`);
      assert.equal((n['enumDescriptions'] as unknown[]).length, (n['enum'] as unknown[]).length, `${file}${at}`);
    }
  }
  assert.ok(enums >= 9, `arg types, operators, actions and the other enums are described (${enums})`);
});

test('shared pieces are defined once and referenced', () => {
  const defs = (files[DEFS] as Node)['definitions'] as Record<string, Node>;
  const spec = defs['spec']!['properties'] as Record<string, Node>;
  assert.equal((spec['kprobes']!['items'] as Node)['$ref'], '#/definitions/kprobe');
  assert.equal((spec['fentries']!['items'] as Node)['$ref'], '#/definitions/kprobe');
  const tpSpec = ((files[TP] as Node)['properties'] as Record<string, Node>)['spec']!;
  const tpnSpec = ((files[TPN] as Node)['properties'] as Record<string, Node>)['spec']!;
  assert.equal(tpSpec['$ref'], '_defs/tracing-policy.json#/definitions/spec');
  assert.equal(tpnSpec['$ref'], '_defs/tracing-policy.json#/definitions/spec');
  // Every hook's args and selectors are the same definitions.
  for (const hook of ['kprobe', 'tracepoint', 'uprobe', 'lsmHook', 'usdt']) {
    const props = defs[hook]!['properties'] as Record<string, Node>;
    assert.equal(props['args']!['$ref'], '#/definitions/args', hook);
    assert.equal(props['selectors']!['$ref'], '#/definitions/selectors', hook);
    assert.equal(props['tags']!['$ref'], '#/definitions/tags', hook);
  }
});

/** Fills a snippet body's placeholders with their defaults (or `x`) and returns plain data. */
function instantiate(body: unknown): unknown {
  const json = JSON.stringify(body)
    .replace(/"\^\$\{\d+:([^}]*)\}"/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
    .replace(/\$\d+/g, 'x');
  return JSON.parse(json);
}

/** Where a definition's snippet goes in a minimal policy, so that the result can be validated. */
const SNIPPET_HOME: Record<string, (v: unknown) => Node> = {
  kprobe: (v) => ({ kprobes: [v] }),
  tracepoint: (v) => ({ tracepoints: [v] }),
  uprobe: (v) => ({ uprobes: [v] }),
  lsmHook: (v) => ({ lsmhooks: [v] }),
  usdt: (v) => ({ usdts: [v] }),
  arg: (v) => ({ kprobes: [{ call: 'sys_write', args: [v] }] }),
  selector: (v) => ({ kprobes: [{ call: 'sys_write', args: [{ index: 0, type: 'int' }], selectors: [v] }] }),
  argFilter: (v) => ({
    kprobes: [{ call: 'sys_write', args: [{ index: 0, type: 'int' }], selectors: [{ matchArgs: [v] }] }],
  }),
  action: (v) => ({ kprobes: [{ call: 'sys_write', selectors: [{ matchActions: [v] }] }] }),
  option: (v) => ({ options: [v], kprobes: [{ call: 'sys_write' }] }),
};

test('the snippets people type most exist and produce valid policies', () => {
  const defs = (files[DEFS] as Node)['definitions'] as Record<string, Node>;
  for (const must of ['kprobe', 'tracepoint', 'argFilter', 'action']) {
    assert.ok(Array.isArray(defs[must]!['defaultSnippets']), `${must} has snippets`);
  }
  const kprobe = instantiate((defs['kprobe']!['defaultSnippets'] as { body: unknown }[])[0]!.body) as Node;
  assert.deepEqual(Object.keys(kprobe).sort(), ['args', 'call', 'selectors', 'syscall']);
  let checked = 0;
  for (const [name, def] of Object.entries(defs)) {
    const snippets = def['defaultSnippets'] as { label: string; body: unknown }[] | undefined;
    if (!snippets) continue;
    const home = SNIPPET_HOME[name];
    assert.ok(home, `a place to try the ${name} snippets`);
    for (const s of snippets) {
      const doc = {
        apiVersion: 'cilium.io/v1alpha1',
        kind: 'TracingPolicy',
        metadata: { name: 'snippet' },
        spec: home(instantiate(s.body)),
      };
      assert.deepEqual(lint(stringify(doc)), [], `${name} snippet "${s.label}"`);
      checked++;
    }
  }
  assert.ok(checked >= 8, `${checked} snippets checked`);
});

test('an argument without `type` is accepted: the API server fills in its default `auto` before validating', () => {
  // The upstream CRD gives `type` the default `auto` in args[], data[] and returnArg, and lists it as required;
  // the API server applies defaults first, so the required check never fails on it.
  const doc = `${head()}  kprobes:
  - call: security_file_open
    return: true
    args:
    - index: 0
    data:
    - index: 0
      source: current_task
    returnArg:
      index: 0
`;
  assert.deepEqual(lint(doc), []);
  for (const hook of ['lsmhooks', 'tracepoints', 'uprobes', 'usdts', 'fentries']) {
    const target =
      hook === 'lsmhooks'
        ? 'hook: file_open'
        : hook === 'tracepoints'
          ? 'subsystem: syscalls\n    event: sys_enter_openat'
          : hook === 'uprobes'
            ? 'path: /bin/bash\n    symbols: [readline]'
            : hook === 'usdts'
              ? 'path: /usr/bin/python3\n    provider: python\n    name: gc__start'
              : 'call: security_file_open';
    assert.deepEqual(lint(`${head()}  ${hook}:\n  - ${target}\n    args:\n    - index: 0\n`), [], hook);
  }
  // A required field without a default is still required.
  const noIndex = lint(`${head()}  kprobes:\n  - call: sys_write\n    args:\n    - type: int\n`);
  assert.deepEqual(
    noIndex.map((f) => [f.code, f.text]),
    [['schema/required', 'type']],
  );
  assert.match(noIndex[0]!.message, /`index`/);
});

test('the schemas keep the CRD defaults that stand in for required fields', () => {
  const arg = ((files[DEFS] as Node)['definitions'] as Record<string, Node>)['arg']!;
  assert.deepEqual(arg['required'], ['index', 'type']);
  assert.equal(((arg['properties'] as Record<string, Node>)['type'] as Node)['default'], 'auto');
});
