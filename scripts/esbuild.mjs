// SPDX-License-Identifier: Apache-2.0
// Bundles the three entry points. Type checking is `tsc -b`, run separately.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as fs from 'node:fs/promises';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Modules yaml-language-server imports that we never call: formatting and remote schema fetching. */
const stubs = {
  name: 'stubs',
  setup(build) {
    build.onResolve({ filter: /^(prettier(\/.*)?|request-light)$/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents:
        args.path === 'request-light'
          ? 'module.exports = { xhr() { return Promise.reject(new Error("cilium-policy never fetches schemas over the network")); }, configure() {}, getErrorStatusDescription() { return ""; } };'
          : 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/**
 * Two hot spots of the `yaml` package (2.8.3), removed from our bundles by exact rewrites of its
 * code (the build fails if the code they expect is not there, e.g. after an upgrade):
 *
 * - the parser and the composer read `process.env.LOG_TOKENS` / `LOG_STREAM` (debug output) for
 *   every token; reading `process.env` is a call into Node each time, about a tenth of parsing a
 *   large file. Our bundles never log tokens.
 * - `foldLines` builds two regular expressions for every plain or single-quoted scalar before it
 *   finds out that the scalar has no line break to fold; it now returns such a scalar at once
 *   (its first expression needs a `\n` to match, so the result is the same).
 */
const YAML_PATCHES = [
  {
    file: /node_modules[\\/]yaml[\\/]dist[\\/]parse[\\/]parser\.js$/,
    from: 'if (node_process.env.LOG_TOKENS)',
    to: 'if (false)',
  },
  {
    file: /node_modules[\\/]yaml[\\/]dist[\\/]compose[\\/]composer\.js$/,
    from: 'if (node_process.env.LOG_STREAM)',
    to: 'if (false)',
  },
  {
    file: /node_modules[\\/]yaml[\\/]dist[\\/]compose[\\/]resolve-flow-scalar\.js$/,
    from: 'function foldLines(source) {',
    to: "function foldLines(source) {\n    if (!source.includes('\\n'))\n        return source;",
  },
];

const yamlPatches = {
  name: 'yaml-patches',
  setup(build) {
    build.onLoad({ filter: /node_modules[\\/]yaml[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const patches = YAML_PATCHES.filter((p) => p.file.test(args.path));
      if (patches.length === 0) return undefined;
      let contents = await fs.readFile(args.path, 'utf8');
      for (const p of patches) {
        if (contents.split(p.from).length !== 2)
          throw new Error(`yaml patch: expected exactly one \`${p.from}\` in ${args.path}; review YAML_PATCHES`);
        contents = contents.replace(p.from, p.to);
      }
      return { contents, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [stubs, yamlPatches],
  absWorkingDir: root,
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // jsonc-parser's UMD build (pulled in by yaml-language-server) requires its parts dynamically,
  // which a bundle cannot follow; its ESM build is plain imports.
  { entryPoints: ['server/src/server-main.ts'], outfile: 'dist/server.js', mainFields: ['module', 'main'] },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' },
];

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
