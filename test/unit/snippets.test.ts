// SPDX-License-Identifier: Apache-2.0
/**
 * The starter snippets are complete resources: each body, expanded with its defaults the way the
 * editor inserts it before the user types anything, must lint without an error. A snippet that
 * drifts from the schemas would otherwise greet the user with red squiggles.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { lintFile } from '../../server/src/core/lint.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import type { PolicyFamily } from '../../server/src/core/kinds.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { REPO_ROOT } from '../support/paths.js';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

/** Which family of kinds each snippet file may hold. */
const FILES: Record<string, PolicyFamily> = { 'cilium.json': 'cilium', 'tetragon.json': 'tetragon' };

/** Prefix per kind, so typing `cnp-` lists network policies only. */
const PREFIX_BY_KIND: Record<string, string> = {
  CiliumNetworkPolicy: 'cnp-',
  CiliumClusterwideNetworkPolicy: 'ccnp-',
  CiliumEnvoyConfig: 'cec-',
  CiliumClusterwideEnvoyConfig: 'ccec-',
  TracingPolicy: 'tp-',
  TracingPolicyNamespaced: 'tp-namespaced',
};

// ---- a small reader of the VS Code snippet syntax (tabstops, placeholders, choices) ----

type Part =
  | { t: 'text'; value: string }
  | { t: 'tabstop'; index: number }
  | { t: 'placeholder'; index: number; children: Part[] }
  | { t: 'choice'; index: number; options: string[] };

/** Parses snippet syntax. Variables (`$TM_FILENAME`…) are rejected: starters must not depend on the editor's state. */
function parseSnippet(src: string): Part[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i} of ${JSON.stringify(src)}`);
  };
  const readInt = (): number => {
    const m = /^\d+/.exec(src.slice(i));
    if (!m) return fail('expected a tabstop number');
    i += m[0].length;
    return Number(m[0]);
  };
  const parse = (inside: boolean): Part[] => {
    const parts: Part[] = [];
    let text = '';
    const flush = (): void => {
      if (text) parts.push({ t: 'text', value: text });
      text = '';
    };
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\' && i + 1 < src.length && '$}\\'.includes(src[i + 1]!)) {
        text += src[i + 1];
        i += 2;
      } else if (c === '}' && inside) {
        flush();
        return parts;
      } else if (c === '$' && /\d/.test(src[i + 1] ?? '')) {
        flush();
        i += 1;
        parts.push({ t: 'tabstop', index: readInt() });
      } else if (c === '$' && src[i + 1] === '{') {
        flush();
        i += 2;
        if (!/\d/.test(src[i] ?? '')) fail('variables are not allowed in starter snippets');
        const index = readInt();
        const next = src[i];
        if (next === '}') {
          i += 1;
          parts.push({ t: 'tabstop', index });
        } else if (next === ':') {
          i += 1;
          const children = parse(true);
          if (src[i] !== '}') fail('unterminated placeholder');
          i += 1;
          parts.push({ t: 'placeholder', index, children });
        } else if (next === '|') {
          i += 1;
          const options: string[] = [];
          let opt = '';
          for (;;) {
            const d = src[i];
            if (d === undefined) fail('unterminated choice');
            if (d === '\\' && ',|\\'.includes(src[i + 1] ?? '')) {
              opt += src[i + 1];
              i += 2;
            } else if (d === ',') {
              options.push(opt);
              opt = '';
              i += 1;
            } else if (d === '|' && src[i + 1] === '}') {
              options.push(opt);
              i += 2;
              break;
            } else {
              opt += d;
              i += 1;
            }
          }
          parts.push({ t: 'choice', index, options });
        } else {
          fail('malformed tabstop');
        }
      } else if (c === '$' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
        fail('variables are not allowed in starter snippets');
      } else {
        text += c;
        i += 1;
      }
    }
    if (inside) fail('unterminated placeholder');
    flush();
    return parts;
  };
  return parse(false);
}

/**
 * Expands parsed parts as the editor first inserts them: a placeholder shows its default, a
 * choice its first option, and a bare tabstop mirrors the placeholder of the same number
 * elsewhere, or is empty.
 */
function expandSnippet(src: string): string {
  const parts = parseSnippet(src);
  const defaults = new Map<number, Part>();
  const collect = (ps: Part[]): void => {
    for (const p of ps) {
      if ((p.t === 'placeholder' || p.t === 'choice') && !defaults.has(p.index)) defaults.set(p.index, p);
      if (p.t === 'placeholder') collect(p.children);
    }
  };
  collect(parts);
  const render = (ps: Part[], depth: number): string =>
    ps
      .map((p) => {
        if (depth > 20) throw new Error('snippet placeholders refer to themselves');
        if (p.t === 'text') return p.value;
        if (p.t === 'choice') return p.options[0] ?? '';
        if (p.t === 'placeholder') return render(p.children, depth + 1);
        const d = defaults.get(p.index);
        return d ? render([d], depth + 1) : '';
      })
      .join('');
  return render(parts, 0);
}

/** Every tabstop number used, including nested ones. */
function tabstops(parts: Part[], out = new Set<number>()): Set<number> {
  for (const p of parts) {
    if (p.t !== 'text') out.add(p.index);
    if (p.t === 'placeholder') tabstops(p.children, out);
  }
  return out;
}

// ---- the tests ----

function load(file: string): Record<string, Snippet> {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'snippets', file), 'utf8')) as Record<string, Snippet>;
}

test('the snippet reader expands defaults, choices, mirrors and escapes', () => {
  assert.equal(expandSnippet('a: ${1:x}\nb: $1\nc: ${2|TCP,UDP|}\nd: "\\$HOME"\ne: $3$0'), 'a: x\nb: x\nc: TCP\nd: "$HOME"\ne: ');
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
      assert.match(s.prefix, /^(cnp|ccnp|cec|ccec|tp)-[a-z0-9]+(-[a-z0-9]+)*$/, `${name}: prefix ${s.prefix}`);
      assert.ok(!seen.has(s.prefix), `${name}: duplicate prefix ${s.prefix}`);
      seen.add(s.prefix);
      assert.ok(typeof s.description === 'string' && s.description.length >= 30, `${name}: a description saying when to use it`);
      assert.ok(Array.isArray(s.body) && s.body.every((l) => typeof l === 'string'), `${name}: body is a list of lines`);
      assert.ok(!s.body.some((l) => /\t/.test(l)), `${name}: YAML must be indented with spaces`);
      // Tabstops 1..n without gaps, so Tab walks through every field in order.
      const used = [...tabstops(parseSnippet(s.body.join('\n')))].filter((n) => n > 0).sort((a, b) => a - b);
      assert.deepEqual(used, used.map((_, k) => k + 1), `${name}: tabstops are numbered 1..n without gaps`);
    }
  }
});

const validator = new SchemaValidator(loadSchemaFiles());

for (const [file, family] of Object.entries(FILES)) {
  for (const [name, s] of Object.entries(load(file))) {
    test(`snippet ${s.prefix} (${file}) expands to a resource that lints without errors`, () => {
      const text = expandSnippet(s.body.join('\n'));
      const parsed = parseFile(text);
      assert.equal(parsed.documents.length, 1, `${name}: one document`);
      const doc = parsed.documents[0]!;
      assert.ok(doc.kind, `${name}: recognised as a policy kind`);
      assert.equal(doc.kind.family, family, `${name}: belongs in the ${family} snippet file`);
      assert.ok(s.prefix.startsWith(PREFIX_BY_KIND[doc.kind.kind]!), `${name}: ${doc.kind.kind} snippets start with ${PREFIX_BY_KIND[doc.kind.kind]}`);
      const errors = lintFile(parsed, { validator, settings: DEFAULT_SETTINGS }).filter((f) => f.severity === 'error');
      assert.deepEqual(
        errors.map((f) => `${f.code}: ${f.message} @ ${JSON.stringify(text.slice(f.span.start, f.span.end))}`),
        [],
        `${name}:\n${text}`,
      );
    });
  }
}
