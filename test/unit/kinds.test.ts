// SPDX-License-Identifier: Apache-2.0
/**
 * The kind registry (`core/kinds.ts`) and the one entity list (`core/cilium/entities.ts`) agree
 * with the files they name: each kind's schema and snippet file exist, the manifest contributes
 * those snippet files, each template sits in its kind's snippet file, and the entities are the
 * schema's enum.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENTITIES } from '../../server/src/core/cilium/entities.js';
import {
  apiGroups,
  isValidated,
  KINDS,
  kindNamed,
  kindOf,
  kindsOf,
  kindWithWrongApiVersion,
  networkPolicyKind,
} from '../../server/src/core/kinds.js';
import { templatesFromSnippets, type SnippetEntry } from '../../server/src/core/templates.js';
import { REPO_ROOT } from '../support/paths.js';

const readJson = (...parts: string[]): unknown => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, ...parts), 'utf8'));

test('each kind is declared once, with a schema and a snippet file that exist', () => {
  assert.equal(new Set(KINDS.map((k) => k.kind)).size, KINDS.length);
  assert.equal(new Set(KINDS.map((k) => k.shortName)).size, KINDS.length, 'short names are unique');
  for (const k of KINDS) {
    // Only a kind we read without validating (a Kubernetes NetworkPolicy) has no schema, and no starters then.
    if (k.schemaPath !== null)
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'schemas', k.schemaPath)), `${k.kind}: schemas/${k.schemaPath}`);
    else assert.equal(k.snippets, null, `${k.kind}: a kind without a schema gets no snippets`);
    if (k.snippets !== null)
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'snippets', k.snippets)), `${k.kind}: snippets/${k.snippets}`);
    assert.equal(kindOf(k.apiVersion, k.kind), k);
    assert.equal(kindNamed(k.kind), k);
    assert.ok(kindsOf(k.language).includes(k.kind));
    assert.ok(k.summary.length > 10 && k.docsUrl.startsWith('https://'), k.kind);
  }
});

test('the snippet files the registry names ship, and the server offers them (not VS Code)', () => {
  const pkg = readJson('package.json') as { contributes: { snippets?: unknown }; files?: string[] };
  // VS Code would offer contributed snippets on every line; the server offers them where a document starts.
  assert.equal(pkg.contributes.snippets, undefined);
  for (const file of new Set(KINDS.map((k) => k.snippets).filter((s) => s !== null)))
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'snippets', file)), `snippets/${file} exists`);
});

test('each template sits in the snippet file the registry names for its kind', () => {
  let templates = 0;
  for (const file of new Set(KINDS.map((k) => k.snippets).filter((s): s is string => s !== null))) {
    const entries = readJson('snippets', file) as Record<string, SnippetEntry>;
    for (const t of templatesFromSnippets([entries])) {
      templates++;
      assert.equal(kindNamed(t.kind)?.snippets, file, `${t.id} (${t.kind}) in snippets/${file}`);
    }
  }
  assert.ok(templates > 5, `the snippet files hold templates (${templates})`);
});

test('a kind of ours under another version of its group is recognised as a wrong apiVersion', () => {
  assert.equal(kindWithWrongApiVersion('cilium.io/v1', 'CiliumNetworkPolicy')?.kind, 'CiliumNetworkPolicy');
  assert.equal(kindWithWrongApiVersion('cilium.io/v2', 'TracingPolicy')?.kind, 'TracingPolicy');
  assert.equal(kindWithWrongApiVersion('example.com/v1', 'CiliumNetworkPolicy'), undefined, 'another group');
  assert.equal(kindWithWrongApiVersion('cilium.io/v2', 'CiliumNetworkPolicy'), undefined, 'the right one');
  assert.equal(kindWithWrongApiVersion('cilium-policy.io/v2', 'PolicyTest')?.kind, 'PolicyTest');
  // A kind we only read is not ours to correct: the API server (and other tools) speak for it.
  assert.equal(kindWithWrongApiVersion('networking.k8s.io/v2', 'NetworkPolicy'), undefined);
});

test('the connectivity engine reads the network-policy kinds, Kubernetes NetworkPolicy included, and nothing else', () => {
  assert.deepEqual(
    KINDS.filter((k) => networkPolicyKind(k) !== undefined).map((k) => k.kind),
    ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'NetworkPolicy'],
  );
  assert.equal(kindOf('networking.k8s.io/v1', 'NetworkPolicy')?.language, 'kubernetes-network-policy');
  assert.equal(kindOf('networking.k8s.io/v1beta1', 'NetworkPolicy'), undefined);
  assert.equal(kindOf('cilium-policy.io/v1alpha1', 'PolicyTest')?.language, 'policy-test');
  assert.deepEqual(
    KINDS.filter((k) => !isValidated(k)).map((k) => k.kind),
    ['NetworkPolicy'],
    'every kind but the Kubernetes one is validated',
  );
  assert.ok(apiGroups().includes('cilium-policy.io') && !apiGroups().includes('networking.k8s.io'));
});

test('the entities are the enum of the bundled schema, each with its meaning', () => {
  const defs = readJson('schemas', 'cilium.io', '_defs', 'network-policy.json') as {
    definitions: { entity: { enum: string[] } };
  };
  assert.deepEqual(
    ENTITIES.map((e) => e.name),
    defs.definitions.entity.enum,
  );
  for (const e of ENTITIES) assert.ok(e.meaning.length > 3, e.name);
});
