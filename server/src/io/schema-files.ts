// SPDX-License-Identifier: Apache-2.0
/** Loads the bundled JSON Schemas from disk. Used by the server and the CLI, never by the core. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SchemaFiles } from '../core/schema-validation.js';

/** Finds the `schemas/` folder: beside `dist/` when bundled, at the repository root in tests. */
export function findSchemasDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'schemas');
    if (fs.existsSync(path.join(candidate, 'cilium.io'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cilium-policy: bundled schemas not found above ${start}`);
    dir = parent;
  }
}

/** Reads every `.json` file below the schemas folder, keyed by its relative path with `/` separators. */
export function loadSchemaFiles(dir: string = findSchemasDir()): SchemaFiles {
  const out: Record<string, unknown> = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json')) out[child] = JSON.parse(fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}
