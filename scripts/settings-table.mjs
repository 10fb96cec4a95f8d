// SPDX-License-Identifier: Apache-2.0
// Renders the README's settings table from package.json, so the two cannot drift apart.
//   node scripts/settings-table.mjs           print the table
//   node scripts/settings-table.mjs --write   replace the block between the README markers
//   node scripts/settings-table.mjs --check   exit 1 when the README block is stale
// test/unit/manifest.test.ts imports the two exported functions to fail on a stale README.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const START = '<!-- settings-table:start -->';
export const END = '<!-- settings-table:end -->';

/** Markdown table cells must not contain raw pipes or newlines. */
function cell(s) {
  return String(s)
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function typeOf(p) {
  if (p.type === 'object' && p.additionalProperties?.enum) {
    return `object (id → ${p.additionalProperties.enum.map((v) => `\`${v}\``).join(' | ')})`;
  }
  if (Array.isArray(p.enum)) return p.enum.map((v) => `\`${v}\``).join(' | ');
  return p.type;
}

/** What the `.cilium-policy.yaml` column says for a setting (see PROJECT_FILE_SETTINGS in server/src/config.ts). */
function projectFileCell(when) {
  if (when === 'always') return 'yes';
  if (when === 'trusted') return 'trusted workspace only';
  return 'no';
}

/**
 * The settings table for a parsed package.json: one row per `contributes.configuration`
 * property, in manifest order (or by `order` when given). `projectFile` says which settings
 * `.cilium-policy.yaml` may set, and when (`PROJECT_FILE_SETTINGS` of server/src/config.ts).
 */
export function renderSettingsTable(pkg, projectFile) {
  const config = pkg.contributes?.configuration;
  const props = Object.entries((Array.isArray(config) ? config[0] : config)?.properties ?? {});
  props.sort(([, a], [, b]) => (a.order ?? Infinity) - (b.order ?? Infinity));
  const rows = props.map(
    ([key, p]) =>
      `| \`${key}\` | ${cell(typeOf(p))} | \`${JSON.stringify(p.default)}\` | ${p.scope ?? 'window'} | ${projectFileCell(projectFile[key])} | ${cell(p.markdownDescription ?? p.description ?? '')} |`,
  );
  return [
    '| Setting | Type | Default | Scope | In `.cilium-policy.yaml` | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The README with the block between the markers replaced; throws when the markers are missing. */
export function replaceSettingsBlock(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const config = path.join(root, 'out', 'server', 'src', 'config.js');
  if (!fs.existsSync(config)) {
    console.error('out/server/src/config.js is missing: run `npx tsc -b` first.');
    process.exit(1);
  }
  const table = renderSettingsTable(pkg, createRequire(import.meta.url)(config).PROJECT_FILE_SETTINGS);
  const readmePath = path.join(root, 'README.md');
  if (process.argv.includes('--write') || process.argv.includes('--check')) {
    const readme = fs.readFileSync(readmePath, 'utf8');
    const next = replaceSettingsBlock(readme, table);
    if (process.argv.includes('--check')) {
      if (next !== readme) {
        console.error('README.md settings table is stale: run `node scripts/settings-table.mjs --write`.');
        process.exit(1);
      }
    } else if (next !== readme) {
      fs.writeFileSync(readmePath, next);
      console.log('README.md settings table updated.');
    }
  } else {
    console.log(table);
  }
}
