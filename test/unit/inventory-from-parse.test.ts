// SPDX-License-Identifier: Apache-2.0
/** The inventory part of an open document, read from the editor's parse, is the part read from its text. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../server/src/core/document.js';
import { manifestPart, manifestPartOfFile } from '../../server/src/core/inventory.js';
import { REPO_ROOT } from '../support/paths.js';

const DEPLOYMENT = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: ${name}${extra}
    spec:
      containers:
        - name: main
          image: nginx
`;

const SAMPLES: Record<string, string> = {
  'several kinds': `# leading comment\n${DEPLOYMENT('web')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\n`,
  'a duplicate key (the last one wins)': `${DEPLOYMENT('api')}---\n${DEPLOYMENT('dup', '\n        app: dup2')}`,
  'a broken and a templated document': `${DEPLOYMENT('ok')}---\nkind: Deployment\nmetadata: [\n---\n${DEPLOYMENT('{{ .Values.name }}')}`,
  'CRLF line ends': DEPLOYMENT('crlf').replace(/\n/g, '\r\n') + '---\r\n' + DEPLOYMENT('crlf2').replace(/\n/g, '\r\n'),
  'no workloads': 'a: 1\n---\nb: 2\n',
};

for (const [name, text] of Object.entries(SAMPLES)) {
  test(`from the parse: ${name}`, () => {
    assert.deepEqual(manifestPartOfFile('file:///w/a.yaml', parseFile(text)), manifestPart('file:///w/a.yaml', text));
  });
}

test('from the parse: the workspace fixtures', () => {
  const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'preview', 'workspace');
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.deepEqual(manifestPartOfFile(`file:///${f}`, parseFile(text)), manifestPart(`file:///${f}`, text), f);
  }
});
