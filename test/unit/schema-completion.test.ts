// SPDX-License-Identifier: Apache-2.0
/**
 * Value completions from our own parse (`core/assist/schema-completion.ts`) offer exactly what
 * yaml-language-server offers at the same place: the same items (kind, label, insert text,
 * documentation, edit) in the same order. The places are the end of every `key: value` line of the
 * bundled examples and of the upstream example policies in ../shared/upstream (skipped, and said
 * so, when ../shared is absent), as written, with the value cut to its first character (a value
 * being typed) and with no value yet (`key: `). The real yaml-language-server answers the other side, in process, against the same
 * bundled schemas. Where our walk is not sure it declines; the test also holds that it answers a
 * good share of the places, so a walk that declined everything would fail here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { parseFile, type PolicyFile } from '../../server/src/core/document.js';
import { isValidated } from '../../server/src/core/kinds.js';
import { schemaValueCompletion } from '../../server/src/core/assist/schema-completion.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { YamlFeatures } from '../../server/src/lsp/yaml-service.js';
import { NO_SHARED, REPO_ROOT, shared, yamlFilesUnder } from '../support/paths.js';

const files = loadSchemaFiles();
const yaml = new YamlFeatures(files);

/** The scalar map values of our documents that end their line: [start, end] of each. */
function lineEndValues(file: PolicyFile): [number, number][] {
  const out: [number, number][] = [];
  const text = file.text;
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const v = pair.value;
        if (isScalar(v) && v.range && v.range[1] > v.range[0]) {
          const after = text[v.range[1]];
          if (after === undefined || after === '\n' || after === '\r') out.push([v.range[0], v.range[1]]);
        } else visit(v);
      }
    } else if (isSeq(node)) for (const item of node.items) visit(item);
  };
  for (const doc of file.documents) {
    if (!doc.kind || !isValidated(doc.kind) || doc.templated) continue;
    visit(doc.yaml.contents as Node | null);
  }
  return out;
}

interface Tally {
  probed: number;
  answered: number;
  keys: Set<string>;
}

/** Compares both answers at one place, counting what our walk answered. */
async function compareAt(file: PolicyFile, offset: number, where: string, tally: Tally): Promise<void> {
  tally.probed++;
  const doc = file.documents.find((d) => d.span.start <= offset && offset <= d.span.end);
  if (!doc?.kind?.schemaPath) return;
  const own = schemaValueCompletion(files, doc.kind.schemaPath, doc, file.text, offset);
  if (!own) return;
  tally.answered++;
  const lineStart = file.text.lastIndexOf('\n', offset - 1) + 1;
  tally.keys.add(`${doc.kind.kind}:${file.text.slice(lineStart, own.start).trim()}`);
  const ours = await yaml.complete(file, offset);
  const theirs = await yaml.complete(file, offset, undefined, true);
  // Compared as the client receives them (JSON drops what is undefined).
  assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)), where);
}

/** Compares at the end of every `key: value` line of a file, and with each value cut to its first character. */
async function compareFile(name: string, text: string, tally: Tally, typed: boolean): Promise<void> {
  const file = parseFile(text);
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  const values = lineEndValues(file);
  for (const [, end] of values) await compareAt(file, end, `${name}:${lineOf(end)}`, tally);
  if (!typed) return;
  for (const [start, end] of values) {
    // Nothing typed yet after `key: `.
    if (text[start - 1] === ' ') {
      const cleared = text.slice(0, start) + text.slice(end);
      await compareAt(parseFile(cleared), start, `${name}:${lineOf(end)} (no value yet)`, tally);
    }
    if (end - start < 2 || !/^[A-Za-z]/.test(text[start]!)) continue;
    const cut = text.slice(0, start + 1) + text.slice(end);
    await compareAt(parseFile(cut), start + 1, `${name}:${lineOf(end)} (typing "${text[start]}")`, tally);
  }
}

test('offers what yaml-language-server offers at the end of every value of the bundled examples', async () => {
  const tally: Tally = { probed: 0, answered: 0, keys: new Set() };
  const dir = path.join(REPO_ROOT, 'examples');
  for (const f of yamlFilesUnder(dir))
    await compareFile(path.relative(REPO_ROOT, f), fs.readFileSync(f, 'utf8'), tally, true);
  assert.ok(tally.probed > 300, `only ${tally.probed} places probed`);
  assert.ok(tally.answered > 60, `answered ${tally.answered} of ${tally.probed} places`);
  for (const key of ['protocol', 'action', 'operator'])
    assert.ok(
      [...tally.keys].some((k) => k.endsWith(`${key}:`)),
      `no answer for \`${key}:\` (${[...tally.keys].join(', ')})`,
    );
});

test('offers what yaml-language-server offers at the end of every value of the upstream example policies', async (t) => {
  const dir = shared('upstream', 'examples');
  if (!dir || !fs.existsSync(dir)) {
    t.skip(NO_SHARED);
    return;
  }
  const tally: Tally = { probed: 0, answered: 0, keys: new Set() };
  for (const f of yamlFilesUnder(dir))
    await compareFile(path.relative(dir, f), fs.readFileSync(f, 'utf8'), tally, true);
  t.diagnostic(`answered ${tally.answered} of ${tally.probed} places (${tally.keys.size} distinct keys)`);
  assert.ok(tally.answered > 500, `answered ${tally.answered} of ${tally.probed} places`);
});

test('builds items as yaml-language-server does, and declines where a branch or a keyword could change them', async () => {
  // Synthetic schemas in place of the CiliumNetworkPolicy one, for both sides.
  const text = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\na: x\nb: v\nc: 1\n';
  const file = parseFile(text);
  const doc = file.documents[0]!;
  const schemaPath = doc.kind!.schemaPath!;
  const defs = path.posix.join(path.posix.dirname(schemaPath), 'defs.json');
  const DEFS = { definitions: { a: { type: 'string', description: 'A from defs.', enum: ['x', 'z'] } } };
  const endOf = (key: string) => text.indexOf('\n', text.indexOf(`\n${key}:`) + 1);
  const own = (root: Record<string, unknown>, key: string) =>
    schemaValueCompletion({ [schemaPath]: root, [defs]: DEFS }, schemaPath, doc, text, endOf(key));
  /** Ours, after checking that the whole list is yaml-language-server's with the same schema. */
  const both = async (root: Record<string, unknown>, key: string) => {
    const features = new YamlFeatures({ ...files, [schemaPath]: root, [defs]: DEFS });
    const ours = await features.complete(file, endOf(key));
    const theirs = await features.complete(file, endOf(key), undefined, true);
    assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)), key);
    return own(root, key);
  };
  // A `$ref` is followed; the value's description documents each value; the edit covers the value.
  const a = await both({ properties: { a: { $ref: 'defs.json#/definitions/a' } } }, 'a');
  assert.deepEqual(a, {
    items: [
      { kind: 12, label: 'x', insertText: 'x', documentation: 'A from defs.' },
      { kind: 12, label: 'z', insertText: 'z', documentation: 'A from defs.' },
    ],
    start: text.indexOf('x\n'),
    end: text.indexOf('x\n') + 1,
  });
  // Branches of the value's own schema all offer theirs; a value seen before keeps its place and
  // gets the documentation it lacked; booleans and null come last, from the types.
  const b = await both(
    {
      properties: {
        b: { anyOf: [{ enum: ['v', 'w'] }, { enum: ['w'], enumDescriptions: ['W.'] }, { type: ['boolean', 'null'] }] },
      },
    },
    'b',
  );
  assert.deepEqual(b?.items, [
    { kind: 12, label: 'v', insertText: 'v' },
    { kind: 12, label: 'w', insertText: 'w', documentation: 'W.' },
    { kind: 12, label: 'true', insertText: 'true', documentation: '' },
    { kind: 12, label: 'false', insertText: 'false', documentation: '' },
    { kind: 12, label: 'null', insertText: 'null', documentation: '' },
  ]);
  // Branches of the map that only require keys say nothing of `a`: the answer stands.
  const plain = { properties: { a: { enum: ['x', 'z'] } } };
  assert.ok(await both({ ...plain, oneOf: [{ required: ['a'] }, { required: ['b'] }] }, 'a'));
  // A branch of the map that a validator picks and that speaks of `a`; two schemas for `a`; a
  // default, an example or a const; a value that needs quoting: left to yaml-language-server.
  assert.equal(own({ ...plain, oneOf: [{ properties: { a: { enum: ['q'] } } }, {}] }, 'a'), undefined);
  assert.equal(own({ ...plain, allOf: [{ properties: { a: { enum: ['q'] } } }] }, 'a'), undefined);
  assert.equal(own({ properties: { a: { enum: ['x'], default: 'x' } } }, 'a'), undefined);
  assert.equal(own({ properties: { a: { enum: ['x'], examples: ['x'] } } }, 'a'), undefined);
  assert.equal(own({ properties: { a: { anyOf: [{ const: 'x' }] } } }, 'a'), undefined);
  assert.equal(own({ properties: { a: { enum: ['x', 'yes'] } } }, 'a'), undefined);
  // A key the schema does not know, a value with no allowed values: nothing.
  assert.equal(own(plain, 'b'), undefined);
  assert.equal(own({ properties: { c: { type: 'integer' } } }, 'c'), undefined);
  // Not at the end of a value: nothing.
  assert.equal(schemaValueCompletion({ [schemaPath]: plain }, schemaPath, doc, text, endOf('a') - 1), undefined);
});
