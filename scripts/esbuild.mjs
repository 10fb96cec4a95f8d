// SPDX-License-Identifier: Apache-2.0
// Bundles the three entry points. Type checking is `tsc -b`, run separately.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

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

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [stubs],
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
