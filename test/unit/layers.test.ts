// SPDX-License-Identifier: Apache-2.0
/**
 * The layers of the code, bottom to top, each importing only from below (CONTRIBUTING.md,
 * "Layout"): the pure core (with the settings and the project configuration) → the wire contract
 * and the client-safe module → the engines, side by side (`lint/`, `semantics/`, `dryrun/`), which
 * never import each other → `io/` → the adapters (`lsp/`, `cli/`) → `server-main.ts`. The VS Code
 * client reaches the server only through `protocol.ts` and `client-safe.ts`, and what those two
 * load at run time stays free of the YAML parser, Node and editor APIs (so `dist/extension.js`
 * does not bundle them). An arrow pointing up, or a new folder no layer names, fails here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

type Layer = 'core' | 'wire' | 'lint' | 'semantics' | 'dryrun' | 'io' | 'lsp' | 'cli' | 'main' | 'client';

/** The layer of a source file (a path relative to the repository, with `/`); undefined for one no layer names. */
function layerOf(file: string): Layer | undefined {
  if (file.startsWith('client/src/')) return 'client';
  if (!file.startsWith('server/src/')) return undefined;
  const rel = file.slice('server/src/'.length);
  if (rel.startsWith('core/') || rel === 'settings.ts' || rel === 'config.ts') return 'core';
  if (rel === 'protocol.ts' || rel === 'client-safe.ts') return 'wire';
  if (rel === 'server-main.ts') return 'main';
  const top = rel.split('/')[0];
  if (top === 'lint' || top === 'semantics' || top === 'dryrun' || top === 'io' || top === 'lsp' || top === 'cli')
    return top;
  return undefined;
}

/** What each layer may import, besides itself. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  core: [],
  wire: ['core'],
  lint: ['core'],
  semantics: ['core'],
  dryrun: ['core'],
  io: ['core', 'lint', 'semantics', 'dryrun'],
  lsp: ['core', 'wire', 'lint', 'semantics', 'dryrun', 'io'],
  cli: ['core', 'wire', 'lint', 'semantics', 'dryrun', 'io'],
  main: ['core', 'wire', 'lint', 'semantics', 'dryrun', 'io', 'lsp', 'cli'],
  client: ['wire'],
};

/** The only server files the client may import. */
const CLIENT_ENTRANCES = ['server/src/protocol.ts', 'server/src/client-safe.ts'];

/** Packages and built-ins the client-safe part may load at run time: only the LSP message types. */
const WIRE_PACKAGES = new Set(['vscode-languageserver-protocol']);

interface Import {
  readonly spec: string;
  /** `import type` / `export type`: erased at build time, so it loads nothing. */
  readonly typeOnly: boolean;
}

function sourcesUnder(dir: string): string[] {
  const abs = path.join(REPO_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .sort();
}

const cache = new Map<string, Import[]>();

/** The module specifiers a file imports or re-exports. */
function importsOf(file: string): Import[] {
  let found = cache.get(file);
  if (found) return found;
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  found = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"]([^'"]+)['"]/gm)) {
    const clause = m[3] ?? '';
    // `import { type A, type B } from` loads nothing either; `import { type A, b }` does.
    const allInlineTypes =
      /^\{[^}]*\}$/.test(clause) &&
      clause
        .slice(1, -1)
        .split(',')
        .every((n) => /^\s*type\s/.test(n) || n.trim() === '');
    found.push({ spec: m[4]!, typeOnly: m[2] !== undefined || allInlineTypes });
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g))
    found.push({ spec: m[1]!, typeOnly: false });
  cache.set(file, found);
  return found;
}

/** The repository file a relative specifier names (`./x.js` is `x.ts`), or undefined for a package. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return joined.replace(/\.js$/, '.ts');
}

const SERVER = sourcesUnder('server/src');
const CLIENT = sourcesUnder('client/src');

test('every source file belongs to a layer', () => {
  assert.ok(SERVER.length > 50 && CLIENT.length > 5, `found the sources (${SERVER.length} + ${CLIENT.length})`);
  assert.deepEqual(
    [...SERVER, ...CLIENT].filter((f) => layerOf(f) === undefined),
    [],
    'a new folder or top-level file of server/src gets a layer in this test and in CONTRIBUTING.md',
  );
});

test('layers import only from below; the engines never import each other', () => {
  const upward: string[] = [];
  for (const file of [...SERVER, ...CLIENT]) {
    const from = layerOf(file)!;
    for (const { spec } of importsOf(file)) {
      const target = resolve(file, spec);
      if (target === undefined || target.endsWith('.json')) continue;
      const to = layerOf(target);
      if (to === from) continue;
      if (to === undefined || !MAY_IMPORT[from].includes(to))
        upward.push(`${file} (${from}) imports ${target} (${to ?? 'no layer'})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('the client reaches the server only through protocol.ts and client-safe.ts', () => {
  const doors = new Set<string>();
  const other: string[] = [];
  for (const file of CLIENT) {
    for (const { spec } of importsOf(file)) {
      const target = resolve(file, spec);
      if (target === undefined) {
        // Packages: the editor, the language client, Node and `ignore` (Lint Workspace reads the
        // folders' .gitignore files); never the YAML parser or the server's libraries.
        if (!/^(vscode|vscode-languageclient(\/.*)?|node:.*|ignore)$/.test(spec))
          other.push(`${file} imports the package ${spec}`);
        continue;
      }
      if (target.startsWith('client/src/')) continue;
      if (CLIENT_ENTRANCES.includes(target)) doors.add(target);
      else other.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(other, []);
  assert.deepEqual(
    [...doors].sort(),
    [...CLIENT_ENTRANCES].sort(),
    'the client uses both doors (else this test is stale)',
  );
});

test('what protocol.ts and client-safe.ts load at run time is pure and has no YAML parser', () => {
  const loaded = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const { spec, typeOnly } of importsOf(file)) {
      if (typeOnly) continue;
      const target = resolve(file, spec);
      if (target === undefined) packages.add(spec);
      else visit(target);
    }
  };
  for (const entrance of CLIENT_ENTRANCES) visit(entrance);
  assert.deepEqual(
    [...packages].filter((p) => !WIRE_PACKAGES.has(p)),
    [],
    `packages loaded through ${[...loaded].join(', ')}`,
  );
  // The closure reaches into the core (the kind registry, the preview's wording), but no further.
  assert.ok(
    [...loaded].some((f) => f.startsWith('server/src/core/')),
    'the client-safe part uses the core',
  );
  assert.deepEqual(
    [...loaded].filter((f) => layerOf(f) !== 'core' && layerOf(f) !== 'wire'),
    [],
  );
});
