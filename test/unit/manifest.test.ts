// SPDX-License-Identifier: Apache-2.0
/**
 * The extension manifest agrees with the code: every setting package.json offers is one the
 * server understands (with the same default), the README table is generated from it, and the
 * commands, snippets, icon and packaging fields are what VS Code and vsce expect.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SETTINGS, normalizeSettings } from '../../server/src/settings.js';
import { PROJECT_FILE_SETTINGS } from '../../server/src/config.js';
import { REPO_ROOT } from '../support/paths.js';

interface ConfigProperty {
  type: string;
  default: unknown;
  scope?: string;
  markdownDescription?: string;
  description?: string;
  enum?: unknown[];
  examples?: unknown[];
  additionalProperties?: { enum?: string[] };
}

interface Manifest {
  main: string;
  icon: string;
  engines: { vscode: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown } };
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes: {
    configuration: { title: string; properties: Record<string, ConfigProperty> };
    commands: { command: string; title?: string; category?: string; enablement?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]> & {
      commandPalette: { command: string; when?: string }[];
    };
    snippets?: { language: string; path: string }[];
    walkthroughs?: {
      id: string;
      title: string;
      description: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string; image?: unknown; altText?: string };
        completionEvents?: string[];
      }[];
    }[];
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const props = pkg.contributes.configuration.properties;

/**
 * Settings only the VS Code client reads (vscode-languageclient reads `<id>.trace.server`; the
 * extension itself runs kubectl for the live-cluster inventory, the server never does).
 */
const CLIENT_ONLY = new Set([
  'ciliumPolicy.trace.server',
  'ciliumPolicy.kubectlPath',
  'ciliumPolicy.kubectl.timeout',
  'ciliumPolicy.tests.runOnSave',
]);

/** `{ 'a.b': v }` → the nested raw section `{ a: { b: v } }` the server receives. */
function rawSection(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.replace(/^ciliumPolicy\./, '').split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return out;
}

function defaults(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props)
      .filter(([k]) => !CLIENT_ONLY.has(k))
      .map(([k, p]) => [k, p.default]),
  );
}

/** A valid value different from the default, to prove the server reads the key. */
function otherValue(key: string, p: ConfigProperty): unknown {
  switch (p.type) {
    case 'boolean':
      return !p.default;
    case 'integer':
    case 'number':
      return (p.default as number) + 1;
    case 'object':
      return p.examples?.[0] ?? { 'some/rule': p.additionalProperties?.enum?.[0] ?? 'off' };
    case 'array':
      assert.ok(p.examples?.length, `${key}: needs an example besides the default`);
      return p.examples[0];
    case 'string': {
      const candidates = [...(p.enum ?? []), ...(p.examples ?? [])].filter((v) => v !== p.default);
      assert.ok(candidates.length > 0, `${key}: needs enum values or examples besides the default`);
      return candidates[0];
    }
    default:
      return assert.fail(`${key}: unexpected type ${p.type}`);
  }
}

test('configuration defaults are exactly DEFAULT_SETTINGS', () => {
  assert.ok(Object.keys(props).length >= 7, 'the configuration is contributed');
  assert.deepEqual(normalizeSettings(rawSection(defaults())), DEFAULT_SETTINGS);
});

test('every server setting in the manifest is read by normalizeSettings, and every Settings field has a key', () => {
  const covered = new Set<string>();
  for (const [key, p] of Object.entries(props)) {
    if (CLIENT_ONLY.has(key)) continue;
    const changed = normalizeSettings(rawSection({ ...defaults(), [key]: otherValue(key, p) }));
    const fields = Object.keys(DEFAULT_SETTINGS).filter(
      (f) =>
        JSON.stringify(changed[f as keyof typeof changed]) !==
        JSON.stringify(DEFAULT_SETTINGS[f as keyof typeof DEFAULT_SETTINGS]),
    );
    assert.equal(
      fields.length,
      1,
      `${key}: changing it changes exactly one Settings field (changed: ${fields.join(', ') || 'none'})`,
    );
    covered.add(fields[0]!);
  }
  assert.deepEqual([...covered].sort(), Object.keys(DEFAULT_SETTINGS).sort(), 'every Settings field is configurable');
});

test('every setting is documented, namespaced and scoped', () => {
  assert.equal(pkg.contributes.configuration.title, 'Cilium Policy');
  for (const [key, p] of Object.entries(props)) {
    assert.match(key, /^ciliumPolicy\.[a-zA-Z]+(\.[a-zA-Z]+)*$/, key);
    assert.ok((p.markdownDescription ?? '').length >= 20, `${key}: markdownDescription`);
    assert.ok(p.default !== undefined, `${key}: default`);
    assert.equal(p.scope, CLIENT_ONLY.has(key) ? 'window' : 'resource', `${key}: scope`);
  }
  const trace = props['ciliumPolicy.trace.server'];
  assert.deepEqual(trace?.enum, ['off', 'messages', 'verbose']);
  assert.equal(trace?.default, 'off');
  assert.deepEqual(props['ciliumPolicy.rules']?.additionalProperties?.enum, ['off', 'error', 'warning', 'information']);
});

test('the README settings table is generated from package.json (run `node scripts/settings-table.mjs --write`)', async () => {
  const script = pathToFileURL(path.join(REPO_ROOT, 'scripts', 'settings-table.mjs')).href;
  const { renderSettingsTable, replaceSettingsBlock } = (await import(script)) as {
    renderSettingsTable: (p: unknown, projectFile: Readonly<Record<string, string>>) => string;
    replaceSettingsBlock: (readme: string, table: string) => string;
  };
  const table = renderSettingsTable(pkg, PROJECT_FILE_SETTINGS);
  for (const key of Object.keys(PROJECT_FILE_SETTINGS)) assert.ok(key in props, `${key} is a setting`);
  for (const key of Object.keys(props)) assert.ok(table.includes(`\`${key}\``), `table lists ${key}`);
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  assert.ok(/^## Settings$/m.test(readme), 'README has a ## Settings section');
  assert.equal(replaceSettingsBlock(readme, table), readme, 'README settings table is stale');
});

test('commands have a title and category, are registered by the client, and gate the palette', () => {
  const { commands, menus } = pkg.contributes;
  const source = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'commands.ts'), 'utf8');
  const registered = [...source.matchAll(/'(ciliumPolicy\.[A-Za-z]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(
    commands.map((c) => c.command).sort(),
    registered,
    'package.json declares exactly the commands the client registers',
  );
  for (const c of commands) {
    assert.ok(c.title && c.title.length > 3, `${c.command}: title`);
    assert.equal(c.category, 'Cilium Policy', `${c.command}: category`);
  }
  const palette = new Map(menus.commandPalette.map((m) => [m.command, m.when]));
  // Every command is listed; the ones that need the server or a YAML editor say so in a when clause.
  for (const c of commands) assert.ok(palette.has(c.command), `${c.command}: commandPalette entry`);
  for (const c of commands) {
    if (!['ciliumPolicy.newPolicy', 'ciliumPolicy.openSample'].includes(c.command))
      assert.ok(palette.get(c.command), `${c.command}: a when clause`);
  }
  // Every menu entry names a declared command (a typo would silently show nothing).
  const declared = new Set(commands.map((c) => c.command));
  for (const [menu, entries] of Object.entries(menus)) {
    for (const e of entries) assert.ok(declared.has(e.command), `${menu}: ${e.command} is a declared command`);
  }
});

test('the wizard is offered in the palette and on YAML files in the explorer', () => {
  const { menus } = pkg.contributes;
  const palette = new Map(menus.commandPalette.map((m) => [m.command, m.when]));
  // Always offered: the wizard needs neither the server nor an open file. Not hidden with `!isWeb`:
  // in a browser workbench with a remote (code-server, Codespaces) the extension runs on the remote
  // side and the wizard works; the UI check runs it in code-server.
  for (const id of ['ciliumPolicy.newPolicy', 'ciliumPolicy.openSample']) assert.equal(palette.get(id), undefined, id);
  assert.ok(palette.has('ciliumPolicy.newPolicy') && palette.has('ciliumPolicy.openSample'));
  // From the palette, "for this workload" reads the active editor's file, which must be YAML.
  assert.match(palette.get('ciliumPolicy.newPolicyForWorkload') ?? '', /resourceLangId == yaml/);
  const explorer = menus['explorer/context'] ?? [];
  const entry = explorer.find((m) => m.command === 'ciliumPolicy.newPolicyForWorkload');
  assert.ok(entry, 'explorer context menu entry');
  assert.match(entry.when ?? '', /resourceLangId == yaml/);
  assert.match(entry.when ?? '', /!explorerResourceIsFolder/);
});

test('the getting-started walkthrough has three steps with shipped media and working command links', () => {
  const walkthrough = pkg.contributes.walkthroughs?.find((w) => w.id === 'ciliumPolicy.gettingStarted');
  assert.ok(walkthrough, 'walkthrough ciliumPolicy.gettingStarted');
  assert.ok(walkthrough.title.length > 5 && walkthrough.description.length > 20);
  assert.equal(walkthrough.steps.length, 3);
  const declared = new Set(pkg.contributes.commands.map((c) => c.command));
  const ignore = fs
    .readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  assert.ok(ignore.includes('!media/walkthrough/**'), '.vscodeignore ships the walkthrough media');
  const linked: string[] = [];
  for (const step of walkthrough.steps) {
    const media = step.media.markdown;
    assert.ok(
      media?.startsWith('media/walkthrough/') && media.endsWith('.md'),
      `${step.id}: markdown media under media/walkthrough/`,
    );
    const text = fs.readFileSync(path.join(REPO_ROOT, media ?? ''), 'utf8');
    assert.match(text, /^# \S/, `${step.id}: ${media} starts with a heading`);
    const links = [...step.description.matchAll(/\(command:([A-Za-z.]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length > 0, `${step.id}: a button`);
    for (const id of links.filter((l) => l.startsWith('ciliumPolicy.')))
      assert.ok(declared.has(id), `${step.id}: links to declared command ${id}`);
    for (const e of step.completionEvents ?? []) {
      const id = /^onCommand:(ciliumPolicy\.[A-Za-z]+)$/.exec(e)?.[1];
      if (id) assert.ok(declared.has(id), `${step.id}: completes on declared command ${id}`);
    }
    linked.push(...links);
  }
  assert.ok(
    linked.includes('ciliumPolicy.openSample') || linked.includes('ciliumPolicy.newPolicy'),
    'step 1 opens a policy',
  );
  assert.ok(linked.includes('ciliumPolicy.showPreview'), 'a step opens the endpoint preview');
});

test('engines, activation, entry point, capabilities and snippets fit VS Code and vsce', () => {
  const m = /^\^1\.(\d+)\.\d+$/.exec(pkg.engines.vscode);
  assert.ok(m, `engines.vscode is a caret range: ${pkg.engines.vscode}`);
  assert.ok(Number(m[1]) <= 100, 'engines.vscode is satisfied by VS Code 1.100');
  // vsce refuses a package whose @types/vscode is newer than engines.vscode.
  const types = /^(\d+)\.(\d+)/.exec(pkg.devDependencies['@types/vscode'] ?? '');
  assert.ok(types && Number(types[2]) <= Number(m[1]), '@types/vscode ≤ engines.vscode');
  assert.ok(pkg.activationEvents.includes('onLanguage:yaml'));
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  // The starters are offered by the language server where a document starts, not as VS Code
  // snippets (which VS Code would offer on every line); the files still ship for the server.
  assert.equal(pkg.contributes.snippets, undefined);
  for (const f of ['snippets/cilium.json', 'snippets/tetragon.json'])
    assert.ok(fs.existsSync(path.join(REPO_ROOT, f)), `${f} exists`);
});

test('the icon is a 128×128 PNG', () => {
  const png = fs.readFileSync(path.join(REPO_ROOT, pkg.icon));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 128, 'width');
  assert.equal(png.readUInt32BE(20), 128, 'height');
});

test('packaging bundles minified code and ships no dependencies', () => {
  assert.match(pkg.scripts['package'] ?? '', /esbuild\.mjs --production/);
  assert.match(pkg.scripts['package'] ?? '', /vsce package --no-dependencies/);
  const ignore = fs
    .readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '**', '.vscodeignore is an allow-list: it denies everything first');
  for (const allowed of [
    '!dist/extension.js',
    '!dist/server.js',
    '!dist/cli.js',
    '!schemas/**',
    '!snippets/**',
    '!media/icon.png',
    '!LICENSE',
    '!CHANGELOG.md',
    '!README.md',
  ]) {
    assert.ok(ignore.includes(allowed), `.vscodeignore allows ${allowed}`);
  }
  for (const file of ['LICENSE', 'CHANGELOG.md'])
    assert.ok(fs.existsSync(path.join(REPO_ROOT, file)), `${file} exists`);
  assert.match(fs.readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
});

test('settings that make the tools read other files are restricted in untrusted workspaces', () => {
  const restricted =
    (pkg.capabilities.untrustedWorkspaces as { restrictedConfigurations?: string[] }).restrictedConfigurations ?? [];
  const reading = [
    ...Object.entries(PROJECT_FILE_SETTINGS)
      .filter(([, when]) => when === 'trusted')
      .map(([key]) => key),
    'ciliumPolicy.preview.snapshotFile',
    'ciliumPolicy.kubectlPath',
  ];
  for (const key of reading) assert.ok(restricted.includes(key), `${key} is a restricted setting`);
});

test('the Cilium Endpoints view has a view container of its own, with an icon that ships', () => {
  const contributes = (
    pkg as unknown as {
      contributes: {
        viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
        views: Record<string, { id: string }[]>;
      };
    }
  ).contributes;
  const container = contributes.viewsContainers.activitybar.find((c) => c.id === 'ciliumPolicy');
  assert.ok(container, 'an activity bar container');
  assert.ok(fs.existsSync(path.join(REPO_ROOT, container.icon)), container.icon);
  const ignore = fs.readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8');
  assert.match(ignore, new RegExp(`^!${container.icon.replace(/[.]/g, '\\.')}$`, 'm'), 'the icon is packaged');
  assert.deepEqual(
    contributes.views['ciliumPolicy']?.map((v) => v.id),
    ['ciliumPolicy.endpoints'],
  );
  assert.equal(contributes.views['explorer'], undefined, 'no longer at the bottom of the Explorer');
});
