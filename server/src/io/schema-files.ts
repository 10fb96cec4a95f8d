// SPDX-License-Identifier: Apache-2.0
/** Loads the bundled JSON Schemas from disk. Used by the server and the CLI, never by the core. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SchemaFiles } from '../core/schema-validation.js';
import { applyReleaseHistory, type ReleaseHistory } from '../core/release-history.js';

/** The generated release history, beside the schema files (see scripts/gen-release-history.mjs). */
export const RELEASE_HISTORY_FILE = 'release-history.json';

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

/** Reads every schema `.json` file below the folder, keyed by its relative path with `/` separators, as written. */
export function loadRawSchemaFiles(dir: string = findSchemasDir()): SchemaFiles {
  const out: Record<string, unknown> = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json') && child !== RELEASE_HISTORY_FILE)
        out[child] = JSON.parse(fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Reads the release history, or undefined when the folder has none. */
export function loadReleaseHistory(dir: string = findSchemasDir()): ReleaseHistory | undefined {
  const file = path.join(dir, RELEASE_HISTORY_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ReleaseHistory) : undefined;
}

/** The bundled schemas with their release history laid over them: what the validator and the editor use. */
export function loadSchemaFiles(dir: string = findSchemasDir()): SchemaFiles {
  const files = loadRawSchemaFiles(dir);
  const history = loadReleaseHistory(dir);
  return history ? applyReleaseHistory(files, history) : files;
}
