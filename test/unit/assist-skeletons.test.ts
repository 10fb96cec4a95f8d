// SPDX-License-Identifier: Apache-2.0
// The skeleton completion inserts for each kind lints clean with its placeholders at their defaults.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseFile } from '../../server/src/core/document.js';
import { KINDS } from '../../server/src/core/kinds.js';
import { SchemaValidator } from '../../server/src/core/schema-validation.js';
import { expandSnippet, parseSnippet, snippetTabstops } from '../../server/src/core/templates.js';
import { skeletonDocument } from '../../server/src/core/assist/skeletons.js';
import { lintFile } from '../../server/src/lint/lint.js';
import { loadSchemaFiles } from '../../server/src/io/schema-files.js';
import { DEFAULT_SETTINGS } from '../../server/src/settings.js';

const validator = new SchemaValidator(loadSchemaFiles());

for (const kind of KINDS) {
  for (const namespaces of [[], ['shop', 'default']]) {
    test(`the ${kind.kind} skeleton lints clean (${namespaces.length} namespaces known)`, () => {
      const snippet = skeletonDocument(kind, namespaces);
      const text = expandSnippet(snippet);
      const parsed = parseFile(text);
      assert.equal(parsed.documents.length, 1);
      const doc = parsed.documents[0]!;
      assert.equal(doc.kind?.kind, kind.kind);
      assert.equal(doc.namespace !== undefined, kind.namespaced, 'a namespace exactly when the kind has one');
      if (kind.namespaced) assert.equal(doc.namespace, namespaces[0] ?? 'default');
      const findings = lintFile(parsed, { validator, settings: DEFAULT_SETTINGS }).filter(
        (f) => f.severity === 'error' || f.severity === 'warning',
      );
      assert.deepEqual(
        findings.map((f) => `${f.code}: ${f.message}`),
        [],
        text,
      );
      // Tab walks every field: the tabstops parse and the final one is there.
      assert.ok(snippetTabstops(parseSnippet(snippet)).has(0));
    });
  }
}
