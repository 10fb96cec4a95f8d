// SPDX-License-Identifier: Apache-2.0
/**
 * The hostile-input catalogue: inputs built to crash, hang or mislead a YAML linter. Each entry is
 * generated when the test runs (the big ones would bloat the repository) and says what the CLI
 * and the server must make of it. Expectations are computed from the input itself: a finding is
 * expected at the first occurrence of a needle in the text, never at a remembered position.
 */

/** A finding that must be reported; `needle` (when given) is where its range must start. */
export interface ExpectedFinding {
  readonly code: string;
  readonly needle?: string;
  /** When true the range may start anywhere inside the needle (regex problems point into the string). */
  readonly inside?: boolean;
  /** What the message must say. */
  readonly message?: RegExp;
}

export interface HostileInput {
  readonly name: string;
  /** The file as bytes (what the CLI reads) and the text an editor would send the server. */
  readonly build: () => { bytes: Buffer; text: string };
  /** The CLI exit status: 0 (no error) or 1 (an error finding). Never 2 for a YAML input. */
  readonly exit: 0 | 1;
  /** Findings that must be present (CLI and server). */
  readonly expect: readonly ExpectedFinding[];
  /** When true, no finding at all may be reported. */
  readonly clean?: boolean;
  /** Wall-time bound for the CLI run and for the server's answers, in milliseconds. */
  readonly boundMs: number;
}

/** A valid policy: the base most inputs mutate. */
export const VALID_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: client
`;

/** The same policy with an unknown field (`toPort`), reported as `schema/unknown-field`. */
export const TYPO_CNP = `${VALID_CNP}    toPort:
    - ports:
      - port: "80"
`;

/** A policy whose HTTP rule has the given field values (each quoted as a YAML double-quoted string). */
export function httpPolicy(fields: Readonly<Record<string, string>>, extra = ''): string {
  const lines = Object.entries(fields)
    .map(([k, v], i) => `${i === 0 ? '        - ' : '          '}${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: http
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: "80"
        protocol: TCP
      rules:
        http:
${lines}
${extra}`;
}

/** A policy whose single port is written as given (no quoting added). */
function portPolicy(port: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ports
spec:
  endpointSelector: {}
  ingress:
  - toPorts:
    - ports:
      - port: ${port}
        protocol: TCP
`;
}

const utf8 = (text: string): { bytes: Buffer; text: string } => ({ bytes: Buffer.from(text, 'utf8'), text });

const MB = 1024 * 1024;

/** The "billion laughs": nine levels of nine aliases, a billion strings once expanded. */
function billionLaughs(indent: string): string {
  const lines = [`${indent}l0: &l0 "lol"`];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `${indent}l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

export const CATALOGUE: readonly HostileInput[] = [
  {
    name: 'billion laughs (aliases) in a policy',
    build: () =>
      utf8(
        `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: lol\n  labels:\n${billionLaughs('    ')}spec:\n  endpointSelector: {}\n`,
      ),
    exit: 1,
    expect: [{ code: 'yaml/syntax', message: /alias/i }],
    boundMs: 10_000,
  },
  {
    name: 'billion laughs in a ConfigMap (not ours)',
    build: () => utf8(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${billionLaughs('  ')}`),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: '10,000-deep flow maps',
    build: () => utf8(`${VALID_CNP}  description: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`),
    exit: 1,
    expect: [{ code: 'yaml/syntax', message: /nested too deeply/ }],
    boundMs: 10_000,
  },
  {
    name: '10,000-deep flow sequences',
    build: () => utf8(`${VALID_CNP}  description: ${'['.repeat(10_000)}1${']'.repeat(10_000)}\n`),
    exit: 1,
    expect: [{ code: 'yaml/syntax', message: /nested too deeply/ }],
    boundMs: 10_000,
  },
  {
    name: '10,000-deep block sequences (- - - …)',
    build: () => utf8(`${VALID_CNP}  description:\n    ${'- '.repeat(10_000)}x\n`),
    exit: 1,
    expect: [{ code: 'yaml/syntax', message: /nested too deeply/ }],
    boundMs: 10_000,
  },
  {
    // Block maps one space deeper per level: 3,000 levels already take 4.5 MB, just under the limit.
    name: '3,000-deep block maps (4.5 MB)',
    build: () => {
      const lines = [VALID_CNP.trimEnd(), '  description:'];
      for (let i = 0; i < 3000; i++) lines.push(`${' '.repeat(i + 4)}k:`);
      return utf8(lines.join('\n') + ' 1\n');
    },
    exit: 1,
    expect: [{ code: 'yaml/syntax', message: /nested too deeply/ }],
    boundMs: 20_000,
  },
  {
    name: 'a 10 MB single line',
    build: () => utf8(`${VALID_CNP}  description: "${'x'.repeat(10 * MB)}"\n`),
    exit: 0,
    expect: [{ code: 'file/skipped' }],
    boundMs: 20_000,
  },
  {
    name: 'a 4 MB single line (under the limit, linted)',
    build: () => utf8(`${TYPO_CNP}  description: "${'x'.repeat(4 * MB)}"\n`),
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 20_000,
  },
  {
    name: 'a 20 MB file of policies',
    build: () => {
      const doc = `---\n${VALID_CNP}`;
      return utf8(doc.repeat(Math.ceil((20 * MB) / doc.length)));
    },
    exit: 0,
    expect: [{ code: 'file/skipped' }],
    boundMs: 20_000,
  },
  {
    name: 'binary content (random bytes)',
    build: () => {
      // A fixed byte pattern, so a failure reproduces: every byte value, a few times over.
      const bytes = Buffer.alloc(64 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
      return { bytes, text: bytes.toString('utf8') };
    },
    exit: 0,
    expect: [{ code: 'file/skipped' }],
    boundMs: 10_000,
  },
  {
    name: 'a NUL byte in a valid policy',
    build: () => utf8(VALID_CNP.replace('name: web', 'name: w\u0000eb')),
    exit: 0,
    expect: [{ code: 'file/skipped' }],
    boundMs: 10_000,
  },
  {
    name: 'invalid UTF-8 in a value (policy still linted)',
    build: () => {
      const [before, after] = TYPO_CNP.split('  namespace: shop\n');
      const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]);
      const bytes = Buffer.concat([
        Buffer.from(`${before!}  annotations:\n    note: "bad `),
        bad,
        Buffer.from(`"\n${after!}`),
      ]);
      return { bytes, text: bytes.toString('utf8') };
    },
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 10_000,
  },
  {
    name: 'invalid UTF-8 throughout',
    build: () => {
      const bytes = Buffer.alloc(16 * 1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = i % 2 === 0 ? 0xc3 : 0x28;
      const withHead = Buffer.concat([Buffer.from('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n'), bytes]);
      return { bytes: withHead, text: withHead.toString('utf8') };
    },
    exit: 0,
    expect: [{ code: 'file/skipped' }],
    boundMs: 10_000,
  },
  {
    name: 'UTF-8 byte-order mark',
    build: () => {
      const text = `\uFEFF${TYPO_CNP}`;
      return { bytes: Buffer.from(text, 'utf8'), text };
    },
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 10_000,
  },
  {
    name: 'CRLF line endings',
    build: () => utf8(TYPO_CNP.replace(/\n/g, '\r\n')),
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 10_000,
  },
  {
    name: 'mixed LF, CRLF and CR line endings',
    build: () => {
      let i = 0;
      return utf8(TYPO_CNP.replace(/\n/g, () => ['\n', '\r\n', '\r'][i++ % 3]!));
    },
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 10_000,
  },
  {
    name: 'CR-only line endings (classic Mac)',
    build: () => utf8(TYPO_CNP.replace(/\n/g, '\r')),
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort:' }],
    boundMs: 10_000,
  },
  {
    name: 'tabs for indentation',
    build: () => utf8(VALID_CNP.replace('    - matchLabels:', '\t- matchLabels:')),
    exit: 1,
    expect: [{ code: 'yaml/syntax', needle: '\t- matchLabels' }],
    boundMs: 10_000,
  },
  {
    name: 'duplicate keys',
    build: () => utf8(VALID_CNP.replace('  namespace: shop\n', '  namespace: shop\n  name: again\n')),
    exit: 1,
    expect: [{ code: 'yaml/duplicate-key', needle: 'name: again' }],
    boundMs: 10_000,
  },
  {
    name: 'merge keys (<<) with an unknown field merged in',
    build: () =>
      utf8(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: merged
spec:
  endpointSelector:
    matchLabels: &base
      app: web
  ingress:
  - fromEndpoints:
    - matchLabels:
        <<: *base
        tier: front
    toPort: []
`),
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort' }],
    boundMs: 10_000,
  },
  {
    name: 'an anchor used from another document',
    build: () =>
      utf8(`apiVersion: v1
kind: ConfigMap
metadata: &meta
  name: web
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: *meta
spec:
  endpointSelector: {}
`),
    exit: 1,
    expect: [{ code: 'yaml/syntax' }],
    boundMs: 10_000,
  },
  {
    name: 'custom tags (!Ref, !!binary)',
    build: () =>
      utf8(`${VALID_CNP}    toPorts:
    - ports:
      - port: !Ref Port
        protocol: TCP
  description: !!binary aGVsbG8=
`),
    exit: 1,
    expect: [{ code: 'schema/type', needle: 'aGVsbG8=' }],
    boundMs: 10_000,
  },
  {
    name: 'a file of nothing but comments',
    build: () => utf8('# apiVersion: cilium.io/v2\n# kind: CiliumNetworkPolicy\n#\n# spec: {}\n'),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: 'an empty file',
    build: () => utf8(''),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: '10,000 tiny policy documents',
    build: () => {
      const parts: string[] = [];
      for (let i = 0; i < 10_000; i++) parts.push(`---\n${VALID_CNP.replace('name: web', `name: p${i}`)}`);
      // One mistake in the very last document proves they were all looked at.
      return utf8(parts.join('').replace(/app: client\n$/, 'app: client\n    toPort: []\n'));
    },
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: 'toPort' }],
    // About 5 s for the CLI and the server each on an idle laptop; CI machines are slower.
    boundMs: 60_000,
  },
  {
    name: 'Helm/Go templates in keys and values',
    build: () =>
      utf8(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: {{ .Values.name }}
spec:
  {{ .Values.selectorKey }}: {}
  ingress:
  {{- range .Values.peers }}
  - fromEndpoints: [{ matchLabels: { app: {{ . | quote }} } }]
  {{- end }}
`),
    exit: 0,
    expect: [{ code: 'document/templated', needle: 'kind' }],
    boundMs: 10_000,
  },
  {
    name: 'JSON instead of YAML',
    build: () =>
      utf8(
        JSON.stringify(
          {
            apiVersion: 'cilium.io/v2',
            kind: 'CiliumNetworkPolicy',
            metadata: { name: 'json' },
            spec: { endpointSelector: {}, ingress: [{ toPort: [] }] },
          },
          null,
          2,
        ),
      ),
    exit: 1,
    expect: [{ code: 'schema/unknown-field', needle: '"toPort"' }],
    boundMs: 10_000,
  },
  {
    name: 'a number where a string is expected (port: 80)',
    build: () => utf8(portPolicy('80')),
    exit: 1,
    expect: [{ code: 'schema/type', needle: '80' }],
    boundMs: 10_000,
  },
  {
    name: 'a string where a number is expected (endPort: "90")',
    build: () => utf8(portPolicy('"80"\n        endPort: "90"')),
    exit: 1,
    expect: [{ code: 'schema/type', needle: '"90"' }],
    boundMs: 10_000,
  },
  {
    name: 'huge integers (port, endPort 1e400)',
    build: () => utf8(portPolicy('123456789012345678901234567890123456789\n        endPort: 1e400')),
    exit: 1,
    expect: [
      { code: 'schema/type', needle: '123456789012345678901234567890123456789' },
      { code: 'schema/type', needle: '1e400' },
    ],
    boundMs: 10_000,
  },
  {
    name: 'ReDoS classics in HTTP path/method/host (valid RE2)',
    build: () => utf8(httpPolicy({ method: '(GET|GET)+$', path: '/(a+)+$', host: '(.*a){25}\\.example\\.com' })),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: 'backtracking-only regex syntax (back-reference, look-ahead)',
    build: () => utf8(httpPolicy({ method: '(?=G)GET', path: '/(a|aa)*\\1' })),
    exit: 1,
    expect: [
      { code: 'cilium/http-regex', needle: '"(?=G)GET"', inside: true },
      { code: 'cilium/http-regex', needle: '"/(a|aa)*\\\\1"', inside: true },
    ],
    boundMs: 10_000,
  },
  {
    name: 'regex with 1000-fold repeats (a{1000} x 100)',
    build: () => utf8(httpPolicy({ path: '/x', host: 'a{1000}'.repeat(100) })),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 15_000,
  },
  {
    name: 'regex nesting 10,000 groups',
    build: () => utf8(httpPolicy({ path: `${'('.repeat(10_000)}a${')'.repeat(10_000)}` })),
    exit: 1,
    expect: [{ code: 'cilium/http-regex' }],
    boundMs: 10_000,
  },
  {
    name: 'regex-looking HTTP header values',
    build: () =>
      utf8(
        httpPolicy(
          { path: '/' },
          `          headers:\n          - "X-Match: (a+)+$"\n          - "X-Html: <img src=x onerror=alert(1)>"\n`,
        ),
      ),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: 'label values with HTML and script',
    build: () => utf8(VALID_CNP.replace('app: client', 'app: "<script>alert(1)</script>"')),
    exit: 1,
    expect: [{ code: 'schema/pattern', needle: '"<script>' }],
    boundMs: 10_000,
  },
  {
    name: 'a 100,000-character label key',
    build: () => utf8(VALID_CNP.replace('app: client', `${'k'.repeat(100_000)}: client`)),
    exit: 1,
    expect: [{ code: 'yaml/syntax' }],
    boundMs: 10_000,
  },
  {
    name: 'a 1,000-character label key (within YAML limits)',
    build: () => utf8(VALID_CNP.replace('app: client', `${'k'.repeat(1000)}: client`)),
    exit: 1,
    expect: [{ code: 'cilium/invalid-label-key', needle: 'kkkk' }],
    boundMs: 10_000,
  },
  {
    // U+2028 is a line terminator for JavaScript regular expressions but not a line break in YAML.
    name: 'U+2028 then --- inside a quoted string',
    build: () => utf8(`${VALID_CNP}  description: "one\u2028--- two\u2029... three"\n`),
    exit: 0,
    expect: [],
    clean: true,
    boundMs: 10_000,
  },
  {
    name: '5,000 unknown fields',
    build: () => {
      const fields = Array.from({ length: 5000 }, (_, i) => `  field${i}: ${i}`).join('\n');
      return utf8(`${VALID_CNP}${fields}\n`);
    },
    exit: 1,
    expect: [
      { code: 'schema/unknown-field', needle: 'field0:' },
      { code: 'schema/unknown-field', needle: 'field4999:' },
    ],
    boundMs: 30_000,
  },
  {
    // The USDT and uprobe checks read the binary a hook names (binaryRoot `/` by default): devices, pipes,
    // folders and /proc files must neither block nor be read whole.
    name: 'USDT hooks and uprobes naming devices, pipes, folders and /proc files',
    build: () => {
      const paths = [
        '/dev/zero',
        '/dev/urandom',
        '/dev/stdin',
        '/dev/tty',
        '/proc/self/mem',
        '/proc/kcore',
        '/proc/self/fd/0',
        '/',
        '/etc',
        '/nonexistent/app',
        '../relative/app',
      ];
      const usdts = paths.map((p) => `    - path: "${p}"\n      provider: app\n      name: probe\n`).join('');
      const uprobes = paths.map((p) => `    - path: "${p}"\n      symbols: [main]\n`).join('');
      const head = (name: string) =>
        `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: ${name}\nspec:\n`;
      return utf8(`${head('devices-usdt')}  usdts:\n${usdts}---\n${head('devices-uprobe')}  uprobes:\n${uprobes}`);
    },
    exit: 0,
    expect: [],
    boundMs: 10_000,
  },
];
