// SPDX-License-Identifier: Apache-2.0
/**
 * The starter snippets are complete resources: each body, expanded with its defaults the way the
 * editor inserts it before the user types anything, must lint without any finding (no error, no
 * warning). A snippet that drifts from the schemas or the rules would otherwise greet the user with
 * squiggles, and the "New policy…" wizard offers the same bodies.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import type { PolicyFamily } from '../../server/src/core/kinds.js';
import { expandSnippet, parseSnippet, snippetTabstops as tabstops } from '../../server/src/core/templates.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { REPO_ROOT } from '../support/paths.js';
import { LocalBinaries } from '../../server/src/io/binaries.js';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

/** Which family of kinds each snippet file may hold. */
const FILES: Record<string, PolicyFamily> = {
  'cilium.json': 'cilium',
  'tetragon.json': 'tetragon',
  'policy-test.json': 'cilium-policy',
};

/** Prefix per kind, so typing `cnp-` lists network policies only. */
const PREFIX_BY_KIND: Record<string, string> = {
  CiliumNetworkPolicy: 'cnp-',
  CiliumClusterwideNetworkPolicy: 'ccnp-',
  CiliumEnvoyConfig: 'cec-',
  CiliumClusterwideEnvoyConfig: 'ccec-',
  TracingPolicy: 'tp-',
  TracingPolicyNamespaced: 'tp-namespaced',
  PolicyTest: 'pt-',
};

// ---- the tests ----

function load(file: string): Record<string, Snippet> {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'snippets', file), 'utf8')) as Record<string, Snippet>;
}

test('the snippet reader expands defaults, choices, mirrors and escapes', () => {
  assert.equal(
    expandSnippet('a: ${1:x}\nb: $1\nc: ${2|TCP,UDP|}\nd: "\\$HOME"\ne: $3$0'),
    'a: x\nb: x\nc: TCP\nd: "$HOME"\ne: ',
  );
  assert.equal(expandSnippet('n: ${1:outer-${2:inner}}-$2'), 'n: outer-inner-inner');
  assert.throws(() => expandSnippet('name: $TM_FILENAME'), /variables/);
  assert.throws(() => expandSnippet('name: ${1:open'), /unterminated/);
});

test('snippet files are well-formed, with unique prefixes and a description each', () => {
  const seen = new Set<string>();
  for (const file of Object.keys(FILES)) {
    const snippets = load(file);
    assert.ok(Object.keys(snippets).length >= 2, `${file} has at least two snippets`);
    for (const [name, s] of Object.entries(snippets)) {
      assert.equal(typeof s.prefix, 'string', `${name}: prefix`);
      assert.match(s.prefix, /^(cnp|ccnp|cec|ccec|tp|pt)-[a-z0-9]+(-[a-z0-9]+)*$/, `${name}: prefix ${s.prefix}`);
      assert.ok(!seen.has(s.prefix), `${name}: duplicate prefix ${s.prefix}`);
      seen.add(s.prefix);
      assert.ok(
        typeof s.description === 'string' && s.description.length >= 30,
        `${name}: a description saying when to use it`,
      );
      assert.ok(
        Array.isArray(s.body) && s.body.every((l) => typeof l === 'string'),
        `${name}: body is a list of lines`,
      );
      assert.ok(!s.body.some((l) => /\t/.test(l)), `${name}: YAML must be indented with spaces`);
      // Tabstops 1..n without gaps, so Tab walks through every field in order.
      const used = [...tabstops(parseSnippet(s.body.join('\n')))].filter((n) => n > 0).sort((a, b) => a - b);
      assert.deepEqual(
        used,
        used.map((_, k) => k + 1),
        `${name}: tabstops are numbered 1..n without gaps`,
      );
    }
  }
});

/**
 * Findings a snippet may show right after insertion, by prefix and code, each with the reason it
 * is acceptable. Empty today: every starter lints without a single finding, and an entry here has
 * to say why the user should see the finding rather than a better snippet.
 */
const ALLOWED_FINDINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

test('there are at least 15 snippets, with unique prefixes and unique descriptions', () => {
  const all = Object.keys(FILES).flatMap((f) => Object.values(load(f)));
  assert.ok(all.length >= 15, `${all.length} snippets`);
  assert.equal(new Set(all.map((s) => s.prefix)).size, all.length, 'prefixes are unique');
  assert.equal(new Set(all.map((s) => s.description)).size, all.length, 'descriptions are unique');
  // Every kind a user can type a prefix for has a starter.
  const prefixes = all.map((s) => s.prefix);
  for (const p of ['cnp-', 'ccnp-', 'cec-', 'tp-', 'tp-namespaced'])
    assert.ok(
      prefixes.some((x) => x.startsWith(p)),
      `a snippet starts with ${p}`,
    );
  // Choices are offered where the user must decide (a protocol, an action, an operator…).
  assert.ok(
    all.filter((s) => /\$\{\d+\|/.test(s.body.join('\n'))).length >= 5,
    'at least five snippets offer a choice',
  );
});

test('the README lists every snippet prefix in its table', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const rows = new Set([...readme.matchAll(/^\| `((?:cnp|ccnp|cec|ccec|tp|pt)-[a-z0-9-]+)` \|/gm)].map((m) => m[1]));
  const prefixes = new Set(Object.keys(FILES).flatMap((f) => Object.values(load(f)).map((s) => s.prefix)));
  assert.deepEqual([...rows].sort(), [...prefixes].sort(), 'README snippet table and snippet files agree');
});

const validator = new SchemaValidator(loadSchemaFiles());

/**
 * Binaries are read as the editor reads them by default (`binaryRoot` `/`) when this machine's
 * CPython carries its SDT notes, so the USDT snippet is checked against a real binary's probes;
 * elsewhere without binary lookups (a machine without them must not fail the snippet).
 */
const localPython = new LocalBinaries('/').usdt('/usr/bin/python3');
const binaries =
  localPython && 'info' in localPython && localPython.info.probes.some((p) => p.provider === 'python')
    ? new LocalBinaries('/')
    : undefined;
test(
  "the USDT snippet's probe is checked against this machine's CPython",
  { skip: binaries ? false : '/usr/bin/python3 has no python SDT probes here' },
  () => {
    const usdt = Object.values(load('tetragon.json')).find((x) => x.prefix === 'tp-usdt')!;
    const typo = expandSnippet(usdt.body.join('\n')).replace('gc__start', 'gc__strat');
    const found = lintFile(parseFile(typo), { validator, settings: DEFAULT_SETTINGS, binaries: binaries! }).filter(
      (f) => f.code === 'tetragon/usdt-probe',
    );
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /Did you mean `gc__start`/);
  },
);

for (const [file, family] of Object.entries(FILES)) {
  for (const [name, s] of Object.entries(load(file))) {
    test(`snippet ${s.prefix} (${file}) expands to resources that lint without errors or warnings`, () => {
      const text = expandSnippet(s.body.join('\n'));
      const parsed = parseFile(text);
      assert.ok(parsed.documents.length >= 1, `${name}: at least one document`);
      for (const doc of parsed.documents) {
        assert.ok(doc.kind, `${name}: document ${doc.index} is recognised as a policy kind`);
        assert.equal(doc.kind.family, family, `${name}: belongs in the ${family} snippet file`);
        assert.ok(
          doc.kind.namespaced ? doc.namespace : !doc.namespace,
          `${name}: document ${doc.index} has a namespace exactly when its kind is namespaced`,
        );
        assert.ok(doc.name, `${name}: document ${doc.index} has a name`);
      }
      const first = parsed.documents[0]!.kind!;
      assert.ok(
        s.prefix.startsWith(PREFIX_BY_KIND[first.kind]!),
        `${name}: ${first.kind} snippets start with ${PREFIX_BY_KIND[first.kind]}`,
      );
      const allowed = ALLOWED_FINDINGS[s.prefix] ?? {};
      const findings = lintFile(parsed, {
        validator,
        settings: DEFAULT_SETTINGS,
        ...(binaries ? { binaries } : {}),
      }).filter((f) => !(f.code in allowed));
      assert.deepEqual(
        findings.map(
          (f) => `${f.severity} ${f.code}: ${f.message} @ ${JSON.stringify(text.slice(f.span.start, f.span.end))}`,
        ),
        [],
        `${name}:\n${text}`,
      );
    });
  }
}
