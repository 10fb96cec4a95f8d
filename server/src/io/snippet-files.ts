// SPDX-License-Identifier: Apache-2.0
/** Loads the bundled snippet files (`snippets/*.json`), the source of the New Policy wizard's templates. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KINDS } from '../core/kinds.js';

/** The snippet files the kind registry names, each once, in registry order. */
function snippetFileNames(): string[] {
  return [...new Set(KINDS.map((k) => k.snippets).filter((s): s is string => s !== null))];
}
import type { SnippetEntry } from '../core/templates.js';

/** Finds the `snippets/` folder: beside `dist/` when bundled, at the repository root in tests. */
export function findSnippetsDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'snippets');
    if (fs.existsSync(path.join(candidate, snippetFileNames()[0]!))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cilium-policy: bundled snippets not found above ${start}`);
    dir = parent;
  }
}

/** The snippet files the kind registry names, each once, in registry order. */
export function loadSnippetFiles(dir: string = findSnippetsDir()): Record<string, SnippetEntry>[] {
  return snippetFileNames().map(
    (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Record<string, SnippetEntry>,
  );
}
