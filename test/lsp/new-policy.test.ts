// SPDX-License-Identifier: Apache-2.0
/**
 * The New Policy wizard's requests against the bundled server: the templates are the snippet
 * files' entries, a template is built for a workload as the core builds it, and the workloads of
 * a manifest text are the ones the inventory reads from it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifestPart, workloadPorts } from '../../server/src/core/inventory.js';
import { buildPolicy, templatesFromSnippets, type SnippetEntry } from '../../server/src/core/templates.js';
import { BuildPolicyRequest, ManifestWorkloadsRequest, PolicyTemplatesRequest } from '../../server/src/protocol.js';
import { LspClient } from '../support/lsp-client.js';
import { REPO_ROOT } from '../support/paths.js';

const snippetFiles = ['cilium.json', 'tetragon.json', 'policy-test.json'].map(
  (f) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'snippets', f), 'utf8')) as Record<string, SnippetEntry>,
);

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        version: v2
        pod-template-hash: abc
    spec:
      containers:
        - name: web
          ports:
            - name: http
              containerPort: 8080
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: shop
spec:
  template:
    metadata:
      labels:
        job: migrate
`;

test('templates, a template built for a workload, and the workloads of a manifest', async () => {
  const client = await LspClient.start();
  try {
    const { templates } = await client.connection.sendRequest(PolicyTemplatesRequest.type, {});
    const expected = templatesFromSnippets(snippetFiles);
    assert.ok(expected.length > 5, 'the snippet files hold templates');
    assert.deepEqual(templates, JSON.parse(JSON.stringify(expected)), 'every snippet entry, in file order');

    const { workloads } = await client.connection.sendRequest(ManifestWorkloadsRequest.type, {
      uri: 'untitled:apps.yaml',
      text: MANIFEST,
    });
    const part = manifestPart('untitled:apps.yaml', MANIFEST);
    assert.deepEqual(
      workloads,
      part.endpoints.map((e) => ({
        kind: e.kind,
        name: e.name,
        namespace: e.namespace,
        labels: { ...e.labels },
        ...(e.selector ? { selector: { ...e.selector } } : {}),
        ...(workloadPorts(e).length > 0 ? { ports: workloadPorts(e) } : {}),
      })),
    );
    assert.deepEqual(workloads[0]?.selector, { app: 'web' }, "the Deployment's own selector");
    assert.deepEqual(workloads[0]?.ports, [{ port: 8080, protocol: 'TCP', name: 'http' }]);
    assert.deepEqual(
      workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`),
      ['Deployment shop/web', 'Job shop/migrate'],
      'the ConfigMap is no workload',
    );

    const selecting = expected.find((t) => t.selector === 'endpointSelector')!;
    const web = workloads[0]!;
    const built = await client.connection.sendRequest(BuildPolicyRequest.type, {
      template: selecting.id,
      workload: web,
    });
    assert.deepEqual(built, JSON.parse(JSON.stringify(buildPolicy(selecting, { workload: web }))));
    assert.ok(built?.text.includes('namespace: shop'), built?.text);
    assert.ok(!built?.text.includes('pod-template-hash'), 'per-rollout labels are not selected on');
    assert.ok(!built?.text.includes('version'), 'per-release labels are not selected on');
    const bare = await client.connection.sendRequest(BuildPolicyRequest.type, { template: selecting.id });
    assert.deepEqual(bare, JSON.parse(JSON.stringify(buildPolicy(selecting))));
    assert.equal(await client.connection.sendRequest(BuildPolicyRequest.type, { template: 'no-such-template' }), null);
  } finally {
    await client.stop();
  }
});
